/* support/serve.h: `hub-archive serve`, the support page and its API over
 * an archive directory, until SIGINT or SIGTERM.
 *
 * The archive is only read, request by request, so what the page shows is
 * what the writer has stored by then; no state is kept between requests. */
#ifndef HUB_SUPPORT_SERVE_H
#define HUB_SUPPORT_SERVE_H

#include <stdint.h>

#include "http/server.h"

/* Serves dir (and the counts of failstore's records, when not NULL) with cfg (its handler, error and ctx are set here), prints
 * the URL served as the first line of standard output, and returns the
 * exit status once a signal stopped it: OK, or UNAVAILABLE (cannot listen,
 * said on stderr) or NOINPUT (no archive at dir). */
int hub_support_serve(const char *dir, const char *failstore, struct hub_http_config *cfg,
                      int64_t timeout_ms);

#endif
