/* gateway/clients.h: who may send events to hub-gateway, and which.
 *
 * The clients file has one line per client:
 *
 *   NAME token:sha256:HEX [types=GLOBS] [sources=GLOBS] [topics=GLOBS]
 *   NAME cert:COMMON-NAME [types=GLOBS] [sources=GLOBS] [topics=GLOBS]
 *
 * A token client shows "Authorization: Bearer TOKEN"; only the SHA-256 of
 * the token is stored (tokens are random, 32 bytes or more, so a fast hash
 * is enough; `hub-gateway token NAME` writes the line). A cert client
 * shows a TLS client certificate signed by --client-ca with that subject
 * common name. GLOBS are comma-separated fnmatch(3) patterns on the
 * event's type, source and destination topic; a list left out allows
 * any. '#' lines and blank lines are ignored. */
#ifndef HUB_GATEWAY_CLIENTS_H
#define HUB_GATEWAY_CLIENTS_H

#include <stddef.h>

#include "core/buf.h"

enum hub_gw_field { HUB_GW_TYPE, HUB_GW_SOURCE, HUB_GW_TOPIC, HUB_GW_NFIELDS };

struct hub_gw_client {
	char *name;
	int by_cert;                    /* 1: cn below; 0: a token of this hash */
	unsigned char hash[32];
	char *cn;
	char **allow[HUB_GW_NFIELDS];   /* NULL-terminated patterns; NULL: any */
};

struct hub_gw_clients {
	struct hub_gw_client *c;
	int n;
};

/* NULL with the problems in err, each "FILE: line N: ..." */
struct hub_gw_clients *hub_gw_clients_load(const char *path, struct hub_buf *err);
void hub_gw_clients_free(struct hub_gw_clients *cl);
/* The client this bearer token belongs to, or NULL. Thread-safe. */
const struct hub_gw_client *hub_gw_clients_by_token(const struct hub_gw_clients *cl, const char *token,
                                                    size_t len);
/* The client of this certificate common name, or NULL. */
const struct hub_gw_client *hub_gw_clients_by_cert(const struct hub_gw_clients *cl, const char *cn);
/* Whether c may send an event with this value of field (1) or not (0). */
int hub_gw_client_allows(const struct hub_gw_client *c, enum hub_gw_field field, const char *value);
const char *hub_gw_field_name(enum hub_gw_field field);
/* The clients-file line of a token: "NAME token:sha256:HEX". */
void hub_gw_token_line(const char *name, const char *token, size_t len, struct hub_buf *out);

#endif
