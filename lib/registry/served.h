/* registry/served.h: the schema registry as hub-registry serves it.
 *
 * A snapshot is built once from a loaded registry (schema/registry.h):
 * every version's schema as compact JSON, its canonical form and record
 * name, an index by id, and the names clients use for a subject. It is
 * never changed afterwards; a reload builds a new one and swaps it in
 * (hub_served_swap), and a request holds the snapshot it started with
 * (hub_served_get / hub_served_put) until it is answered, so readers never
 * see a registry half built, and an old one is freed by its last reader. */
#ifndef HUB_SERVED_H
#define HUB_SERVED_H

#include <stddef.h>

#include "core/buf.h"
#include "schema/registry.h"

struct hub_served_version {
	const struct hub_subject *subject;
	const struct hub_schema_version *sv;
	char *schema;                  /* compact JSON text */
	size_t schemalen;
	char *quoted;                  /* the same as a JSON string literal */
	size_t quotedlen;
	char *canonical;               /* Parsing Canonical Form */
	char *fullname;                /* the record's (or enum's, fixed's) full name; NULL */
};

struct hub_served {
	struct hub_registry *reg;      /* owned */
	struct hub_served_version *versions;   /* subject by subject, in version order */
	int nversions;
	int *first;                    /* versions index of subject i's first */
	struct hub_served_version **by_id;     /* ascending id */
	struct hub_served_version **by_name;   /* ascending fullname, latest versions of each subject */
	int nnames;
	int refs;
	struct hub_served_cache *cache;        /* look-ups already answered */
};

/* Takes reg (freed with the snapshot). NULL with the reason in err when a
 * schema cannot be put in canonical form. */
struct hub_served *hub_served_new(struct hub_registry *reg, struct hub_buf *err);

/* Frees a snapshot that was never served. */
void hub_served_free(struct hub_served *sv);

/* The version of an id, or NULL. */
const struct hub_served_version *hub_served_id(const struct hub_served *sv, long id);
/* Subject s's version v (0: the latest), or NULL. */
const struct hub_served_version *hub_served_version(const struct hub_served *sv, const struct hub_subject *s,
                                                   int v);
/* The subject a client's subject name means: the subject itself, a
 * topic's ("TOPIC-value", from DIR/topics, or TOPIC when it is a
 * subject's name), a record's full name (RecordNameStrategy) or
 * "TOPIC-FULLNAME" (TopicRecordNameStrategy). NULL when none. */
const struct hub_subject *hub_served_subject(const struct hub_served *sv, const char *name, size_t len);
/* Subject s's version whose canonical form is canonical, or NULL. */
const struct hub_served_version *hub_served_match(const struct hub_served *sv, const struct hub_subject *s,
                                                 const char *canonical);
/* Every version, in any subject, whose canonical form is canonical: the
 * first, or NULL. */
const struct hub_served_version *hub_served_match_any(const struct hub_served *sv, const char *canonical);

/* The look-up cache: which version a request body names in a subject
 * (as the client named it), so a client's repeated look-ups and
 * registrations cost a hash rather than a parse. Only matches are
 * remembered; bounded (emptied when full). */
const struct hub_served_version *hub_served_cached(struct hub_served *sv, const char *subject, size_t sublen,
                                                  const char *body, size_t len);
void hub_served_remember(struct hub_served *sv, const char *subject, size_t sublen, const char *body, size_t len,
                         const struct hub_served_version *v);

/* The snapshot being served, and its swap. */
struct hub_served_holder;
struct hub_served_holder *hub_served_holder_new(struct hub_served *first);
/* Frees the holder and the snapshot it holds (no request may hold one). */
void hub_served_holder_free(struct hub_served_holder *h);
/* The current snapshot, held until hub_served_put(). */
struct hub_served *hub_served_get(struct hub_served_holder *h);
void hub_served_put(struct hub_served_holder *h, struct hub_served *sv);
/* Serves next from now on; the previous snapshot goes with its last reader. */
void hub_served_swap(struct hub_served_holder *h, struct hub_served *next);

#endif
