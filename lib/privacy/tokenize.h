/* privacy/tokenize.h: hub-tokenize's loop, one event a line, one pass each.
 *
 * The output line is the input's bytes between the policy's fields,
 * copied, and each field's replacement: no DOM, nothing re-serialised.
 * Invariant: no plaintext of a sensitive field reaches the failure store,
 * a diagnostic or the stats; a line that is not JSON is stored sealed. */
#ifndef HUB_TOKENIZE_H
#define HUB_TOKENIZE_H

#include <stddef.h>

#include "stream/failstore.h"
#include "privacy/keyfile.h"
#include "privacy/policy.h"
#include "core/stats.h"

enum hub_direction {
	HUB_TOKENIZE,       /* values to tokens, hashes, masks */
	HUB_DETOKENIZE,     /* tokens back to their exact JSON values */
	HUB_RETOKENIZE,     /* tokens of older key versions to the newest */
};

/* The context under which a line that is not JSON is sealed in the
 * failure store: `jq -c '{line: .event}'` and -d -f line give it back. */
#define HUB_SEALED_LINE_CONTEXT "line"

struct hub_tokenize_opts {
	enum hub_direction direction;
	const struct hub_policy *pol;
	const struct hub_keyring *keys;
	struct hub_failstore *failstore;
	size_t max_line;    /* 0: the default */
	int show_stats;
};

/* Reads events from in_fd and writes them to out_fd until the end of
 * input or a stop signal. Returns an exit status (0, 1 when events failed,
 * 74 on a read or write error); st counts in/out/failed. */
int hub_tokenize_run(const struct hub_tokenize_opts *o, int in_fd, int out_fd, struct hub_stats *st);

#endif
