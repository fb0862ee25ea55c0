/* privacy/token-internal.h: the value transformations of hub-tokenize, on bytes.
 *
 * token: tok<V>_<base64url>, XChaCha20-Poly1305 with a synthetic nonce,
 * deterministic and reversible only with key version V; hash: hsh<V>_...,
 * keyed BLAKE2b, never reversible; mask: partial reveal. Nothing here
 * knows JSON: values are the bytes the caller gives. */
#ifndef HUB_TOKEN_H
#define HUB_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "privacy/keyfile.h"

enum hub_token_status {
	HUB_TOKEN_OK = 0,
	HUB_TOKEN_NOT_TOKEN,      /* not of the form tok<V>_<base64url> */
	HUB_TOKEN_UNKNOWN_KEY,    /* its version is not in the key file */
	HUB_TOKEN_FORGED,         /* does not verify: other key, other context, or altered */
};

/* Appends tok<V>_... for value under context, with key k. scratch is a
 * work buffer the caller keeps between calls. */
void hub_token_seal(const struct hub_key *k, const void *context, size_t ctxlen,
                    const void *value, size_t len, struct hub_buf *scratch, struct hub_buf *out);
/* Opens a token (its text, without JSON quotes) and appends the value.
 * *version gets the token's key version when it has one. */
enum hub_token_status hub_token_open(const struct hub_keyring *kr, const void *context, size_t ctxlen,
                                     const char *token, size_t n, struct hub_buf *scratch,
                                     struct hub_buf *out, uint32_t *version);
/* Whether text looks like a token (prefix and version), and its version. */
int hub_token_version(const char *text, size_t n, uint32_t *version);
/* Appends hsh<V>_...: keyed BLAKE2b of (context, kind, value), where kind
 * keeps a string "1" apart from a number 1. */
void hub_token_hash(const struct hub_key *k, const void *context, size_t ctxlen, char kind,
                    const void *value, size_t len, struct hub_buf *out);
/* Appends value with every ASCII letter and digit, and every non-ASCII
 * character, replaced by '*', except the last `keep` of them; other
 * characters (spaces, '+', '-', '@', '.') stay as they are. value must
 * be valid UTF-8. */
void hub_token_mask(const void *value, size_t len, int keep, struct hub_buf *out);
const char *hub_token_status_text(enum hub_token_status st);

#endif
