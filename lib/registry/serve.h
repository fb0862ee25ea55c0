/* registry/serve.h: hub-registry serve: the registry directory loaded,
 * checked as `hub-validate --lint` checks it, and served over HTTP.
 *
 * A registry with any problem is refused at start, with the problems
 * listed. A reload (hub_registry_serve_reload) builds a new snapshot
 * beside the served one and swaps it in only when it is clean and keeps
 * the meaning of every id already served; otherwise the last good
 * registry stays, and the reason is on stderr and in /readyz. */
#ifndef HUB_REGISTRY_SERVE_H
#define HUB_REGISTRY_SERVE_H

#include "core/buf.h"
#include "http/server.h"
#include "registry/api.h"

struct hub_registry_server {
	const char *dir;
	struct hub_served_holder *holder;
	struct hub_registry_api api;
	struct hub_http_server *http;
};

/* A clean snapshot of dir, or NULL with the problems in problems. */
struct hub_served *hub_registry_serve_load(const char *dir, struct hub_buf *problems);
/* Loads dir and starts serving it as cfg says (cfg's handler, error and
 * ctx are set here). 0, or -1 with the reason in err (problems of the
 * registry, one a line, or the listening address's); *status is then the
 * exit status. */
int hub_registry_serve_start(struct hub_registry_server *srv, const char *dir, struct hub_http_config *cfg,
                             struct hub_buf *err, int *status);
/* Loads the directory again and serves it if it is clean: 1 swapped, 0
 * unchanged (the last good registry kept; why is in problems). */
int hub_registry_serve_reload(struct hub_registry_server *srv, struct hub_buf *problems);
/* Serves until SIGINT or SIGTERM (hub_signals_install and
 * hub_signals_install_reload first), reloading on SIGHUP and, with
 * watch, when the directory changes (once it has been quiet for 250 ms).
 * Each refused reload is reported on stderr. */
void hub_registry_serve_wait(struct hub_registry_server *srv, int watch);
void hub_registry_serve_stop(struct hub_registry_server *srv);

#endif
