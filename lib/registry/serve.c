/* registry/serve.c: loading, checking and reloading what hub-registry
 * serves (see registry/serve.h). */
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/exitcodes.h"
#include "registry/serve.h"
#include "schema/compat.h"

struct hub_served *hub_registry_serve_load(const char *dir, struct hub_buf *problems)
{
	struct hub_registry *reg = hub_registry_load(dir, problems);
	struct hub_served *sv;

	if (!reg)
		return NULL;
	if (reg->nproblems) {
		hub_buf_addf(problems, "the schema registry %s has %d problems (listed above; hub-validate "
		             "--lint shows them)\n", dir, reg->nproblems);
		hub_registry_free(reg);
		return NULL;
	}
	if (!(sv = hub_served_new(reg, problems)))
		return NULL;
	return sv;
}

int hub_registry_serve_start(struct hub_registry_server *srv, const char *dir, struct hub_http_config *cfg,
                             struct hub_buf *err, int *status)
{
	struct hub_served *sv;

	memset(srv, 0, sizeof(*srv));
	srv->dir = dir;
	if (!(sv = hub_registry_serve_load(dir, err))) {
		*status = HUB_EXIT_CONFIG;
		return -1;
	}
	srv->holder = hub_served_holder_new(sv);
	hub_registry_api_init(&srv->api, srv->holder);
	cfg->handler = hub_registry_api_handle;
	cfg->error = hub_registry_api_error;
	cfg->ctx = &srv->api;
	if (!(srv->http = hub_http_start(cfg, err))) {
		hub_registry_api_destroy(&srv->api);
		hub_served_holder_free(srv->holder);
		*status = HUB_EXIT_UNAVAILABLE;
		return -1;
	}
	return 0;
}

/* An id served before must keep its schema: the same subject, version
 * and canonical form. The first that does not is described in problems. */
static int ids_kept(const struct hub_served *old, const struct hub_served *next, struct hub_buf *problems)
{
	for (int i = 0; i < old->nversions; i++) {
		const struct hub_served_version *o = &old->versions[i], *n = hub_served_id(next, o->sv->id);

		if (!n)
			continue;  /* gone: it stays unknown rather than changing meaning */
		if (strcmp(o->subject->name, n->subject->name) != 0 || o->sv->version != n->sv->version ||
		    strcmp(o->canonical, n->canonical) != 0) {
			hub_buf_addf(problems, "%s: id %ld was %s version %d and would now be %s version %d%s: an id "
			             "never changes meaning (give the new schema a new id)\n", n->sv->path, o->sv->id,
			             o->subject->name, o->sv->version, n->subject->name, n->sv->version,
			             strcmp(o->canonical, n->canonical) ? " with another schema" : "");
			return 0;
		}
	}
	return 1;
}

int hub_registry_serve_reload(struct hub_registry_server *srv, struct hub_buf *problems)
{
	struct hub_served *next = hub_registry_serve_load(srv->dir, problems), *cur;
	int kept;

	if (!next) {
		hub_registry_api_set_stale(&srv->api, hub_buf_cstr(problems));
		return 0;
	}
	cur = hub_served_get(srv->holder);
	kept = ids_kept(cur, next, problems);
	hub_served_put(srv->holder, cur);
	if (!kept) {
		hub_served_free(next);
		hub_registry_api_set_stale(&srv->api, hub_buf_cstr(problems));
		return 0;
	}
	hub_served_swap(srv->holder, next);
	hub_registry_api_set_stale(&srv->api, NULL);
	return 1;
}

void hub_registry_serve_stop(struct hub_registry_server *srv)
{
	hub_http_stop(srv->http);
	hub_registry_api_destroy(&srv->api);
	hub_served_holder_free(srv->holder);
}
