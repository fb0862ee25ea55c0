/* support/api.h: the JSON API behind the support page, over an archive.
 *
 * GET /api/search    find by id, subject, type, source, time and text:
 *                    newest first, paged, with the count
 * GET /api/event     one event by id, as `hub-archive show` prints it,
 *                    with the other events of its subject
 * GET /api/timeline  every event of one subject in time order (trace)
 *                    (both: with the count of its failure store records)
 * GET /api/openapi.yaml, and the page's own files (support/assets.h).
 * Every answer says the equivalent hub-archive command. Only GET (and
 * HEAD) is served: nothing a request does changes the archive. Each
 * request is bounded: parameters checked (known, once each, short, UTF-8,
 * no NUL), pages of at most 200, a search stopped at a deadline. */
#ifndef HUB_SUPPORT_API_H
#define HUB_SUPPORT_API_H

#include <stdint.h>

#include "http/server.h"

#define HUB_SUPPORT_MAX_LIMIT 200       /* results per page */
#define HUB_SUPPORT_MAX_OFFSET 10000    /* results skipped, newest first */
#define HUB_SUPPORT_MAX_TIMELINE 1000   /* events of one subject listed */

struct hub_support_api {
	const char *dir;               /* the archive, as -d gave it */
	const char *failstore;         /* the failure store whose records of an event or subject are
	                                * counted beside it (as trace and show tell), or NULL */
	int64_t timeout_ms;            /* a search's time, at most (default 10 s) */
};

/* The handler and error wording for http/server.h (ctx: the api). */
void hub_support_api_handle(void *ctx, const struct hub_http_request *req, struct hub_http_reply *rep);
void hub_support_api_error(void *ctx, int status, const char *message, struct hub_http_reply *rep);

#endif
