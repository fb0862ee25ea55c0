/* registry/api.h: Confluent Schema Registry's REST API, read-only, over
 * hub's registry directory.
 *
 * The endpoints Confluent's serializers call (subjects, versions, ids,
 * look-ups, compatibility, config, mode), with Confluent's response
 * shapes, content type and error bodies {"error_code":N,"message":"..."}.
 * Registering a schema the registry already has answers its id, as
 * Confluent's registry does in READONLY mode; anything that would change
 * the registry is 422 42205. Plus /healthz and /readyz. */
#ifndef HUB_REGISTRY_API_H
#define HUB_REGISTRY_API_H

#include <pthread.h>

#include "http/server.h"
#include "registry/served.h"

#define HUB_REGISTRY_CONTENT_TYPE "application/vnd.schemaregistry.v1+json"

struct hub_registry_api {
	struct hub_served_holder *holder;
	pthread_mutex_t lock;          /* guards stale */
	char *stale;                   /* why the last reload was refused; NULL when current */
};

void hub_registry_api_init(struct hub_registry_api *api, struct hub_served_holder *holder);
void hub_registry_api_destroy(struct hub_registry_api *api);
/* The problems that kept a change from being served (NULL: the served
 * registry is the directory's). */
void hub_registry_api_set_stale(struct hub_registry_api *api, const char *problems);

/* The handler and error wording for http/server.h (ctx: the api). */
void hub_registry_api_handle(void *ctx, const struct hub_http_request *req, struct hub_http_reply *rep);
void hub_registry_api_error(void *ctx, int status, const char *message, struct hub_http_reply *rep);

#endif
