/* registry/served.c: the snapshot hub-registry answers from, and its swap.
 *
 * Everything a request needs is computed here once, at load: the compact
 * schema text each response carries, canonical forms for look-ups, ids
 * sorted for a binary search, record names for RecordNameStrategy. The
 * holder's mutex guards only the pointer and the reference counts; no
 * request waits on a load, which happens outside it. */
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "core/file-internal.h"
#include "registry/served.h"
#include "schema/canonical.h"

#define CACHE_SLOTS 4096

struct hub_served_cache {
	pthread_mutex_t lock;
	unsigned char key[crypto_generichash_KEYBYTES];
	struct {
		unsigned char digest[16];
		const struct hub_served_version *v;
	} slot[CACHE_SLOTS];
	int used;
};

static void digest_of(const struct hub_served_cache *c, const char *subject, size_t sublen, const char *body,
                      size_t len, unsigned char *d)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, c->key, sizeof(c->key), 16);
	crypto_generichash_update(&st, (const unsigned char *)subject, sublen);
	crypto_generichash_update(&st, (const unsigned char *)"", 1);
	crypto_generichash_update(&st, (const unsigned char *)body, len);
	crypto_generichash_final(&st, d, 16);
}

const struct hub_served_version *hub_served_cached(struct hub_served *sv, const char *subject, size_t sublen,
                                                  const char *body, size_t len)
{
	struct hub_served_cache *c = sv->cache;
	const struct hub_served_version *v = NULL;
	unsigned char d[16];
	unsigned int h;

	digest_of(c, subject, sublen, body, len, d);
	memcpy(&h, d, sizeof(h));
	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < 8 && !v; i++) {
		int s = (h + i) % CACHE_SLOTS;

		if (!c->slot[s].v)
			break;
		if (memcmp(c->slot[s].digest, d, 16) == 0)
			v = c->slot[s].v;
	}
	pthread_mutex_unlock(&c->lock);
	return v;
}

void hub_served_remember(struct hub_served *sv, const char *subject, size_t sublen, const char *body, size_t len,
                         const struct hub_served_version *v)
{
	struct hub_served_cache *c = sv->cache;
	unsigned char d[16];
	unsigned int h;

	digest_of(c, subject, sublen, body, len, d);
	memcpy(&h, d, sizeof(h));
	pthread_mutex_lock(&c->lock);
	if (c->used >= CACHE_SLOTS / 2) {
		for (int i = 0; i < CACHE_SLOTS; i++)
			c->slot[i].v = NULL;
		c->used = 0;
	}
	for (int i = 0; i < 8; i++) {
		int s = (h + i) % CACHE_SLOTS;

		if (c->slot[s].v && memcmp(c->slot[s].digest, d, 16) != 0)
			continue;
		if (!c->slot[s].v)
			c->used++;
		memcpy(c->slot[s].digest, d, 16);
		c->slot[s].v = v;
		break;
	}
	pthread_mutex_unlock(&c->lock);
}

static int cmp_id(const void *a, const void *b)
{
	long x = (*(struct hub_served_version *const *)a)->sv->id;
	long y = (*(struct hub_served_version *const *)b)->sv->id;

	return (x > y) - (x < y);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(struct hub_served_version *const *)a)->fullname,
	              (*(struct hub_served_version *const *)b)->fullname);
}

static void free_snapshot(struct hub_served *sv)
{
	if (!sv)
		return;
	for (int i = 0; i < sv->nversions; i++) {
		free(sv->versions[i].schema);
		free(sv->versions[i].quoted);
		free(sv->versions[i].canonical);
	}
	free(sv->versions);
	free(sv->first);
	free(sv->by_id);
	free(sv->by_name);
	if (sv->cache) {
		pthread_mutex_destroy(&sv->cache->lock);
		free(sv->cache);
	}
	hub_registry_free(sv->reg);
	free(sv);
}

void hub_served_free(struct hub_served *sv)
{
	free_snapshot(sv);
}

/* The schema file of a version as compact JSON and canonical form. */
static int prepare(struct hub_served_version *v, struct hub_buf *err)
{
	size_t len;
	char why[160], *text = hub_read_file(v->sv->path, 1u << 20, &len, why, sizeof(why));
	json_error_t je;
	json_t *root;
	struct hub_buf canon = { 0 };

	if (!text) {
		hub_buf_addf(err, "%s: %s\n", v->sv->path, why);
		return -1;
	}
	root = json_loadb(text, len, JSON_DECODE_ANY, &je);
	if (!root) {
		hub_buf_addf(err, "%s: %s\n", v->sv->path, je.text);
		free(text);
		return -1;
	}
	v->schema = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	v->schemalen = strlen(v->schema);
	hub_buf_reset(&canon);
	hub_buf_json_string(&canon, v->schema, v->schemalen);
	v->quoted = hub_xstrndup(canon.data, canon.len);
	v->quotedlen = canon.len;
	hub_buf_reset(&canon);
	if (hub_avro_canonical(text, len, &canon, err) < 0) {
		hub_buf_addf(err, "%s: no canonical form\n", v->sv->path);
		json_decref(root);
		hub_buf_free(&canon);
		free(text);
		return -1;
	}
	v->canonical = hub_xstrdup(hub_buf_cstr(&canon));
	v->fullname = v->sv->schema && v->sv->schema->root->name ? v->sv->schema->root->name : NULL;
	json_decref(root);
	hub_buf_free(&canon);
	free(text);
	return 0;
}

struct hub_served *hub_served_new(struct hub_registry *reg, struct hub_buf *err)
{
	struct hub_served *sv = hub_xcalloc(1, sizeof(*sv));
	int n = 0;

	sv->reg = reg;
	if (sodium_init() < 0)
		hub_die(HUB_EXIT_SOFTWARE, "libsodium cannot start");
	sv->cache = hub_xcalloc(1, sizeof(*sv->cache));
	pthread_mutex_init(&sv->cache->lock, NULL);
	randombytes_buf(sv->cache->key, sizeof(sv->cache->key));
	for (int i = 0; i < reg->nsubjects; i++)
		n += reg->subjects[i].nversions;
	sv->versions = hub_xcalloc(n ? n : 1, sizeof(*sv->versions));
	sv->by_id = hub_xcalloc(n ? n : 1, sizeof(*sv->by_id));
	sv->by_name = hub_xcalloc(n ? n : 1, sizeof(*sv->by_name));
	sv->first = hub_xcalloc(reg->nsubjects + 1, sizeof(*sv->first));
	for (int i = 0; i < reg->nsubjects; i++) {
		const struct hub_subject *s = &reg->subjects[i];

		sv->first[i] = sv->nversions;
		for (int k = 0; k < s->nversions; k++) {
			struct hub_served_version *v = &sv->versions[sv->nversions++];

			v->subject = s;
			v->sv = &s->versions[k];
			sv->by_id[sv->nversions - 1] = v;
			if (prepare(v, err) < 0) {
				free_snapshot(sv);
				return NULL;
			}
		}
		/* a record name means the subject whose latest version has it */
		if (s->nversions && sv->versions[sv->nversions - 1].fullname)
			sv->by_name[sv->nnames++] = &sv->versions[sv->nversions - 1];
	}
	sv->first[reg->nsubjects] = sv->nversions;
	qsort(sv->by_id, sv->nversions, sizeof(*sv->by_id), cmp_id);
	qsort(sv->by_name, sv->nnames, sizeof(*sv->by_name), cmp_name);
	return sv;
}

const struct hub_served_version *hub_served_id(const struct hub_served *sv, long id)
{
	int lo = 0, hi = sv->nversions - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		long m = sv->by_id[mid]->sv->id;

		if (m == id)
			return sv->by_id[mid];
		if (m < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

const struct hub_served_version *hub_served_version(const struct hub_served *sv, const struct hub_subject *s,
                                                   int v)
{
	int i = (int)(s - sv->reg->subjects), from = sv->first[i], to = sv->first[i + 1];

	if (from == to)
		return NULL;
	if (v == 0)
		return &sv->versions[to - 1];
	for (int k = from; k < to; k++)
		if (sv->versions[k].sv->version == v)
			return &sv->versions[k];
	return NULL;
}

static const struct hub_subject *by_fullname(const struct hub_served *sv, const char *name, size_t len)
{
	int lo = 0, hi = sv->nnames - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c;
		const char *m = sv->by_name[mid]->fullname;
		size_t ml = strlen(m), n = ml < len ? ml : len;

		c = memcmp(m, name, n);
		if (c == 0)
			c = ml < len ? -1 : ml > len;
		if (c == 0)
			return sv->by_name[mid]->subject;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

const struct hub_subject *hub_served_subject(const struct hub_served *sv, const char *name, size_t len)
{
	const struct hub_subject *s;

	if ((s = hub_registry_find(sv->reg, name, len)))
		return s;
	if (len > 6 && memcmp(name + len - 6, "-value", 6) == 0) {
		if ((s = hub_registry_topic(sv->reg, name, len - 6)))
			return s;
		if ((s = hub_registry_find(sv->reg, name, len - 6)))
			return s;
	}
	if ((s = by_fullname(sv, name, len)))
		return s;
	for (size_t i = 1; i + 1 < len; i++)
		if (name[i] == '-' && (s = by_fullname(sv, name + i + 1, len - i - 1)))
			return s;
	return NULL;
}

const struct hub_served_version *hub_served_match(const struct hub_served *sv, const struct hub_subject *s,
                                                 const char *canonical)
{
	int i = (int)(s - sv->reg->subjects);

	for (int k = sv->first[i]; k < sv->first[i + 1]; k++)
		if (strcmp(sv->versions[k].canonical, canonical) == 0)
			return &sv->versions[k];
	return NULL;
}

const struct hub_served_version *hub_served_match_any(const struct hub_served *sv, const char *canonical)
{
	for (int k = 0; k < sv->nversions; k++)
		if (strcmp(sv->versions[k].canonical, canonical) == 0)
			return &sv->versions[k];
	return NULL;
}

struct hub_served_holder {
	pthread_mutex_t lock;
	struct hub_served *current;
};

struct hub_served_holder *hub_served_holder_new(struct hub_served *first)
{
	struct hub_served_holder *h = hub_xcalloc(1, sizeof(*h));

	pthread_mutex_init(&h->lock, NULL);
	h->current = first;
	first->refs = 1;
	return h;
}

void hub_served_holder_free(struct hub_served_holder *h)
{
	if (!h)
		return;
	free_snapshot(h->current);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

struct hub_served *hub_served_get(struct hub_served_holder *h)
{
	struct hub_served *sv;

	pthread_mutex_lock(&h->lock);
	sv = h->current;
	sv->refs++;
	pthread_mutex_unlock(&h->lock);
	return sv;
}

void hub_served_put(struct hub_served_holder *h, struct hub_served *sv)
{
	int last;

	pthread_mutex_lock(&h->lock);
	last = --sv->refs == 0;
	pthread_mutex_unlock(&h->lock);
	if (last)
		free_snapshot(sv);
}

void hub_served_swap(struct hub_served_holder *h, struct hub_served *next)
{
	struct hub_served *old;
	int last;

	pthread_mutex_lock(&h->lock);
	old = h->current;
	h->current = next;
	next->refs = 1;
	last = --old->refs == 0;
	pthread_mutex_unlock(&h->lock);
	if (last)
		free_snapshot(old);
}
