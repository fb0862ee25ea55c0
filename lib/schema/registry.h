/* schema/registry.h: the schema registry directory (hub-schemas(5)), loaded once.
 *
 *   DIR/index                      "ID SUBJECT VERSION" lines
 *   DIR/compatibility              the default mode (BACKWARD when absent)
 *   DIR/SUBJECT/N.avsc             version N of SUBJECT's schema
 *   DIR/SUBJECT/compatibility      the subject's own mode
 *   DIR/topics                     "TOPIC SUBJECT" lines: single-type topics
 *
 * Loading compiles every schema and checks the whole registry (ids unique,
 * every file indexed, names valid); each problem is one line prefixed with
 * the file it is in. Subjects and versions are kept sorted. */
#ifndef HUB_REGISTRY_H
#define HUB_REGISTRY_H

#include <stddef.h>

#include "core/buf.h"
#include "schema/compile.h"

enum hub_compat {
	HUB_COMPAT_BACKWARD, HUB_COMPAT_FORWARD, HUB_COMPAT_FULL,
	HUB_COMPAT_BACKWARD_TRANSITIVE, HUB_COMPAT_FORWARD_TRANSITIVE, HUB_COMPAT_FULL_TRANSITIVE,
	HUB_COMPAT_NONE,
};

struct hub_schema_version {
	int version;
	long id;                    /* 0 when the index has no line for it */
	char *path;
	struct hub_schema *schema;  /* NULL when it did not compile */
};

struct hub_subject {
	char *name;
	size_t namelen;
	enum hub_compat compat;
	struct hub_schema_version *versions;   /* ascending */
	int nversions;
};

/* A line of DIR/topics: the one subject whose events a topic carries
 * (what Confluent's TopicNameStrategy names "TOPIC-value"). */
struct hub_topic {
	char *topic;
	int subject;                           /* index in subjects */
};

struct hub_registry {
	char *dir;
	enum hub_compat compat;                /* DIR/compatibility, else BACKWARD */
	struct hub_subject *subjects;          /* by name */
	int nsubjects;
	struct hub_topic *topics;              /* by topic */
	int ntopics;
	int nproblems;
};

/* The registry directory when --schemas is not given: $HUB_SCHEMAS, else
 * ./schemas. */
const char *hub_registry_default_dir(void);
/* Loads DIR. Returns NULL only when DIR cannot be read at all (message in
 * problems); otherwise the registry, with reg->nproblems lines appended
 * to problems. */
struct hub_registry *hub_registry_load(const char *dir, struct hub_buf *problems);
void hub_registry_free(struct hub_registry *reg);

const struct hub_subject *hub_registry_find(const struct hub_registry *reg, const char *name, size_t len);
/* The subject of a topic in DIR/topics, or NULL. */
const struct hub_subject *hub_registry_topic(const struct hub_registry *reg, const char *topic, size_t len);
/* Version v of a subject, or its latest when v is 0; NULL if none. */
const struct hub_schema_version *hub_subject_version(const struct hub_subject *s, int v);

/* The version a dataschema URI names: ".../2.avsc", ".../v2", ".../2"; 0
 * when it names none. */
int hub_dataschema_version(const char *s, size_t n);

const char *hub_compat_name(enum hub_compat c);
/* 0, or -1 when the word is not a mode. */
int hub_compat_parse(const char *word, enum hub_compat *c);

#endif
