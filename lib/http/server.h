/* http/server.h: hub's HTTP servers, on libmicrohttpd.
 *
 * What every hub server shares: the listening address (plain HTTP only on
 * a loopback address unless the caller allows more), a pool of threads
 * each polling with epoll, request bodies gathered up to a limit, replies
 * built in a buffer. Access: TLS (GnuTLS), client certificates checked
 * against a CA (mTLS), HTTP Basic users (http/users.h); a request that
 * lacks what is required is answered 401 before its body is read. The server calls one handler per request, on one of
 * its threads, with the whole body; the handler fills in the reply.
 * Refusals the layer makes itself (a body over the limit) are worded by
 * the caller's error callback, so each API keeps its own error shape. */
#ifndef HUB_HTTP_SERVER_H
#define HUB_HTTP_SERVER_H

#include <stddef.h>

#include "core/buf.h"

struct hub_http_request {
	const char *method;            /* "GET", ... (HEAD is answered as GET) */
	const char *path;              /* percent-decoded, without the query */
	const char *body;              /* NUL-terminated (NUL bytes inside are possible) */
	size_t body_len;
	void *conn;                    /* the connection, for hub_http_query() */
	void *client;                  /* what the auth callback gave, or NULL */
};

struct hub_http_reply {
	int status;                    /* 200 unless set */
	const char *content_type;      /* a static string */
	struct hub_buf body;
	struct {
		const char *name, *value;  /* static strings */
	} headers[6];                  /* more headers ("Allow", ...), name NULL ends them */
	int retry_after;               /* seconds: a Retry-After header, when > 0 */
};

typedef void hub_http_handler(void *ctx, const struct hub_http_request *req, struct hub_http_reply *rep);
/* The reply to a request the layer refuses (status 413, ...). */
typedef void hub_http_error(void *ctx, int status, const char *message, struct hub_http_reply *rep);

struct hub_http_users;

/* Who a request is from, decided from its headers and client certificate
 * before its body is read: NULL and *client set when it may go on, else
 * why not (answered 401). */
typedef const char *hub_http_auth(void *ctx, const struct hub_http_request *req, void **client,
                                  char *why, size_t len);

struct hub_http_config {
	const char *listen;            /* HOST:PORT, [V6]:PORT; port 0 picks one */
	int listen_fd;                 /* > 0: serve this listening socket instead (systemd's) */
	int insecure_listen;           /* plain HTTP on a non-loopback address allowed */
	const char *tls_cert;          /* PEM file (with its chain): HTTPS */
	const char *tls_key;           /* PEM file of its private key */
	const char *client_ca;         /* PEM file: every request needs a client certificate it signed */
	int client_cert_optional;      /* with client_ca: a certificate, when given, must be good; a
	                                * request without one goes on (to auth) */
	struct hub_http_users *users;  /* every request needs HTTP Basic credentials of one of them */
	const char *realm;             /* Basic's realm */
	const char *open_path;         /* one path served without credentials ("/healthz"), or NULL */
	const char *const *open_paths; /* more of them, NULL-terminated, or NULL */
	hub_http_auth *auth;           /* when no users: the caller decides who may (or NULL) */
	const char *challenge;         /* WWW-Authenticate of a 401 from auth ("Bearer realm=...") */
	unsigned max_connections;      /* default 4096 */
	unsigned idle_timeout;         /* seconds without a byte before a connection is closed (120) */
	unsigned request_timeout;      /* seconds from a request's first body byte to its last: past
	                                * them it is answered 408 (0: no limit) */
	size_t max_body;               /* bytes (default 1 MiB) */
	size_t max_buffered;           /* all requests' bodies together (default 64 MiB): past
	                                * it a request is answered 503, to be retried */
	int threads;                   /* default 2 */
	hub_http_handler *handler;
	hub_http_error *error;
	void *ctx;
};

struct hub_http_server;

/* Starts serving. NULL with the reason in err (bad address, port in use,
 * a non-loopback address without TLS or insecure_listen). */
struct hub_http_server *hub_http_start(const struct hub_http_config *cfg, struct hub_buf *err);
/* The address served, "127.0.0.1:8081" (the port picked when it was 0). */
const char *hub_http_address(const struct hub_http_server *s);
/* The same as a URL: "http://127.0.0.1:8081", "https://...". */
const char *hub_http_url(const struct hub_http_server *s);
/* The listening socket systemd passed (socket activation: $LISTEN_PID is
 * this process, $LISTEN_FDS at least 1), or -1. */
int hub_http_activated_socket(void);
/* Whether a socket is bound to a loopback address. */
int hub_http_socket_is_loopback(int fd);
/* Stops: closes the socket, waits for the threads. */
void hub_http_stop(struct hub_http_server *s);

/* A query parameter of req, or NULL. */
const char *hub_http_query(const struct hub_http_request *req, const char *key);
/* A request header, or NULL. */
const char *hub_http_header(const struct hub_http_request *req, const char *name);
/* Calls fn for every query parameter of req, in order, with the decoded
 * value and its length (a "%00" inside makes it longer than strlen); stops
 * at the first nonzero return, which it returns. */
typedef int hub_http_param_fn(void *ctx, const char *key, const char *value, size_t len);
int hub_http_query_each(const struct hub_http_request *req, hub_http_param_fn *fn, void *ctx);
/* The subject common name of the request's verified client certificate,
 * into out: 0, or -1 when there is none. */
int hub_http_client_cert_name(const struct hub_http_request *req, char *out, size_t len);
/* Calls fn for each request header, in the order sent; stops when fn
 * returns nonzero. */
void hub_http_headers(const struct hub_http_request *req,
                      int (*fn)(void *ctx, const char *name, const char *value, size_t len), void *ctx);
/* A query-string boolean: "true" in any case is 1, anything else 0. */
int hub_http_query_bool(const struct hub_http_request *req, const char *key);

#endif
