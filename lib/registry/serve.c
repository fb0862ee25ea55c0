/* registry/serve.c: loading, checking and reloading what hub-registry
 * serves (see registry/serve.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/diag.h"
#include "core/dirwatch.h"
#include "core/signals.h"
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
		hub_buf_addf(problems, "the schema registry %s has %d problems (hub-validate --lint lists "
		             "them)\n", dir, reg->nproblems);
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
			hub_buf_addf(problems, "%s/index: id %ld was %s version %d and would now be %s version %d%s: "
			             "an id never changes meaning (give the new schema a new id)\n", next->reg->dir, o->sv->id,
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

static void reload(struct hub_registry_server *srv, const char *why)
{
	struct hub_buf problems = { 0 };

	if (hub_registry_serve_reload(srv, &problems)) {
		struct hub_served *sv = hub_served_get(srv->holder);

		hub_info("%s reloaded (%s): %d subjects, %d schemas", srv->dir, why, sv->reg->nsubjects,
		         sv->nversions);
		hub_served_put(srv->holder, sv);
	} else {
		hub_err("%s changed (%s) but is not served, the last good registry still is:\n%.*s", srv->dir,
		        why, (int)(problems.len ? problems.len - 1 : 0), problems.data ? problems.data : "");
	}
	hub_buf_free(&problems);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

#define QUIET_MS 250

void hub_registry_serve_wait(struct hub_registry_server *srv, int watch)
{
	struct hub_buf err = { 0 };
	struct hub_dirwatch *w = NULL;
	struct pollfd pfd[2] = { { .fd = hub_signal_fd(), .events = POLLIN }, { .fd = -1, .events = POLLIN } };
	long long due = -1;   /* when to reload after a change, once quiet */

	if (watch && !(w = hub_dirwatch_new(srv->dir, &err)))
		hub_warn("%s: changes are served on SIGHUP only: %s", srv->dir, hub_buf_cstr(&err));
	hub_buf_free(&err);
	if (w)
		pfd[1].fd = hub_dirwatch_fd(w);
	while (!hub_stop_requested) {
		int timeout = due < 0 ? -1 : (int)(due - now_ms());

		if (poll(pfd, 2, timeout < 0 && due >= 0 ? 0 : timeout) < 0 && errno != EINTR)
			break;
		hub_signal_drain();
		if (hub_stop_requested)
			break;
		if (hub_reload_requested) {
			hub_reload_requested = 0;
			reload(srv, "SIGHUP");
			if (w)
				hub_dirwatch_rescan(w);
			due = -1;
		}
		if (w && (pfd[1].revents & POLLIN) && hub_dirwatch_changed(w))
			due = now_ms() + QUIET_MS;
		if (due >= 0 && now_ms() >= due) {
			due = -1;
			hub_dirwatch_rescan(w);
			reload(srv, "the directory changed");
		}
	}
	hub_dirwatch_free(w);
}

void hub_registry_serve_stop(struct hub_registry_server *srv)
{
	hub_http_stop(srv->http);
	hub_registry_api_destroy(&srv->api);
	hub_served_holder_free(srv->holder);
}
