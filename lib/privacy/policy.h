/* privacy/policy.h: which fields hub-tokenize changes, and how, per market.
 *
 * A policy holds the field paths (one array, as the JSON scanner takes
 * it), rule sets (the default set, then one per group of markets, each a
 * rule per path), and the fields that schemas mark sensitive per event
 * type. For an event, a field's rule is its market's rule, else the
 * default rule, else the schema rule when its type's schema marks it.
 * The policy file syntax is in privacy/policy.c and hub-tokenize(1). */
#ifndef HUB_POLICY_H
#define HUB_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "json/path.h"
#include "json/scan.h"

enum hub_mode {
	HUB_MODE_NONE = 0,  /* no rule here */
	HUB_MODE_TOKEN,
	HUB_MODE_HASH,
	HUB_MODE_MASK,
	HUB_MODE_PASS,      /* left as it is (a market exempting a default rule) */
};

struct hub_rule {
	enum hub_mode mode;
	int keep;           /* mask: characters left visible */
	char *context;      /* token/hash context; NULL: the field's path */
};

struct hub_ruleset {
	char **markets;     /* the market values this set applies to (none: default) */
	int nmarkets;
	struct hub_rule rules[HUB_JSON_MAX_PATHS];
};

struct hub_type_marks {
	char *type;         /* CloudEvents type */
	uint64_t sensitive; /* bit i: paths[i] is sensitive in its schema */
};

struct hub_policy {
	struct hub_path paths[HUB_JSON_MAX_PATHS];
	char *contexts[HUB_JSON_MAX_PATHS];   /* canonical path text: default context */
	int npaths;
	int market;         /* index of the market path, -1 when none */
	int type;           /* index of the type path, -1 when no schemas */
	struct hub_ruleset *sets;   /* sets[0]: the default set */
	int nsets;
	struct hub_type_marks *types;
	int ntypes;
	struct hub_rule schema_rule;  /* what schema-marked fields get */
};

void hub_policy_init(struct hub_policy *pol);
void hub_policy_free(struct hub_policy *pol);
enum hub_mode hub_mode_parse(const char *s);
const char *hub_mode_name(enum hub_mode m);

/* The index of path text in pol (added when new). -1 with err. */
int hub_policy_path(struct hub_policy *pol, const char *text, char *err, size_t errlen);
/* A rule for path text in set (0: default). 0, or -1 with err. */
int hub_policy_add_rule(struct hub_policy *pol, int set, const char *text, const struct hub_rule *rule,
                        char *err, size_t errlen);
/* Marks path text sensitive for events of the given type. */
int hub_policy_add_sensitive(struct hub_policy *pol, const char *type, const char *text,
                             char *err, size_t errlen);
/* The policy file used when none is named: $HUB_TOKENIZE_POLICY, else
 * $XDG_CONFIG_HOME/hub/tokenize.policy (~/.config/hub/tokenize.policy),
 * else /etc/hub/tokenize.policy, the first that exists (malloc'd), or
 * NULL. */
char *hub_policy_default(void);
/* Reads a policy file into pol. 0, or -1 with err (file:line: why). */
int hub_policy_load(struct hub_policy *pol, const char *file, char *err, size_t errlen);

/* The rule set for a market value (decoded string), 0 when none matches. */
int hub_policy_set_for(const struct hub_policy *pol, const char *market, size_t len);
/* The subject for a type value, -1 when no schema names it. */
int hub_policy_subject_for(const struct hub_policy *pol, const char *type, size_t len);
/* The rule for path i in set/subject, or NULL when the field is left alone. */
const struct hub_rule *hub_policy_rule(const struct hub_policy *pol, int set, int subject, int i);

#endif
