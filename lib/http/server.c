/* http/server.c: the libmicrohttpd daemon behind every hub HTTP server.
 *
 * One daemon, MHD_USE_AUTO (epoll on Linux) with an internal thread pool:
 * each thread polls its own connections, so a small pool keeps two cores
 * busy with keep-alive clients. A request's body is gathered in its own
 * buffer up to max_body; past that the rest is read and dropped and the
 * request answered 413 once it is complete, so the connection stays
 * usable and memory bounded. The reply's buffer becomes the response
 * (MHD frees it), with no copy. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <time.h>

#include "core/diag.h"
#include "core/metrics.h"
#include "core/file-internal.h"
#include "http/server.h"
#include "http/users.h"

struct hub_http_server {
	struct MHD_Daemon *daemon;
	struct hub_http_config cfg;
	char *cert, *key, *ca;         /* PEM texts, for the daemon's lifetime */
	size_t buffered;               /* bytes of bodies held, all threads (atomic) */
	char address[300];
	char url[310];
};

/* Per connection: its client certificate is checked once. */
struct connection {
	int verified;
};

struct request {
	struct hub_http_server *server;
	struct hub_buf body;
	size_t counted;                /* this request's share of server->buffered */
	int too_large, busy;
	void *client;                  /* from cfg.auth */
	double started;                /* when its body began, for request_timeout */
	int answered;                  /* refused while its body came: the rest is not read */
	size_t dropped;                /* bytes over max_body read and dropped */
};

#define DRAIN_MAX ((size_t)16 << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "HOST:PORT" or "[V6]:PORT" into host and port. */
static int split_address(const char *addr, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon;
	size_t n;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || close[1] != ':')
			return -1;
		n = close - addr - 1;
		colon = close + 1;
		addr++;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return -1;
		n = colon - addr;
	}
	if (n == 0 || n >= hostlen || strlen(colon + 1) == 0 || strlen(colon + 1) >= portlen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -1;
	memcpy(host, addr, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

static int is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return 0;
}

static char *read_pem(const char *path, const char *what, struct hub_buf *err)
{
	char why[160], *text;
	size_t len;

	if (!(text = hub_read_file(path, 1u << 20, &len, why, sizeof(why))))
		hub_buf_addf(err, "%s %s: %s", what, path, why);
	else if (!strstr(text, "-----BEGIN ")) {
		hub_buf_addf(err, "%s %s: not a PEM file (-----BEGIN ...)", what, path);
		free(text);
		text = NULL;
	}
	return text;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	hub_debug("libmicrohttpd: %s", msg);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct hub_http_reply *rep)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (rep->body.len)
		resp = MHD_create_response_from_buffer(rep->body.len, rep->body.data, MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		hub_buf_free(&rep->body);
		return MHD_NO;
	}
	if (!rep->body.len)
		hub_buf_free(&rep->body);
	rep->body.data = NULL;
	if (rep->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rep->content_type);
	for (size_t i = 0; i < sizeof(rep->headers) / sizeof(rep->headers[0]) && rep->headers[i].name; i++)
		MHD_add_response_header(resp, rep->headers[i].name, rep->headers[i].value);
	if (rep->retry_after > 0) {
		char secs[24];

		snprintf(secs, sizeof(secs), "%d", rep->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	}
	rc = MHD_queue_response(conn, rep->status ? rep->status : 200, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result refuse(struct hub_http_server *s, struct MHD_Connection *conn, int status,
                              const char *message)
{
	struct hub_http_reply rep = { .status = status };
	struct MHD_Response *resp;
	enum MHD_Result rc;
	char challenge[300];

	s->cfg.error(s->cfg.ctx, status, message, &rep);
	if (status == 503)
		rep.retry_after = 1;
	if (status != 401 || (!s->cfg.users && !s->cfg.challenge))
		return send_reply(conn, &rep);
	resp = MHD_create_response_from_buffer(rep.body.len, rep.body.data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		hub_buf_free(&rep.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rep.content_type);
	if (s->cfg.users)
		snprintf(challenge, sizeof(challenge), "Basic realm=\"%s\", charset=\"UTF-8\"",
		         s->cfg.realm ? s->cfg.realm : "hub");
	else
		snprintf(challenge, sizeof(challenge), "%s", s->cfg.challenge);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, challenge);
	rc = MHD_queue_response(conn, 401, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* The client's certificate, checked against client_ca once per
 * connection: NULL when good, else why not. */
static const char *client_certificate_problem(struct MHD_Connection *conn, int optional, char *why,
                                              size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	const union MHD_ConnectionInfo *sc = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct connection *c = sc ? sc->socket_context : NULL;
	gnutls_session_t tls;
	unsigned int n = 0, status = 0;
	gnutls_datum_t text;

	if (c && c->verified)
		return NULL;
	if (!ci || !(tls = ci->tls_session))
		return "a client certificate is required, over TLS";
	if (!gnutls_certificate_get_peers(tls, &n) || n == 0) {
		if (optional)
			return NULL;
		return "a client certificate is required: this server accepts clients with a certificate "
		       "signed by its client CA";
	}
	if (gnutls_certificate_verify_peers2(tls, &status) < 0)
		return "the client certificate could not be checked";
	if (status) {
		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0) {
			snprintf(why, len, "the client certificate is refused: %s", text.data);
			gnutls_free(text.data);
		} else {
			snprintf(why, len, "the client certificate is refused");
		}
		return why;
	}
	if (c)
		c->verified = 1;
	return NULL;
}

static int is_open_path(const struct hub_http_config *cfg, const char *url)
{
	if (cfg->open_path && strcmp(url, cfg->open_path) == 0)
		return 1;
	for (int i = 0; cfg->open_paths && cfg->open_paths[i]; i++)
		if (strcmp(url, cfg->open_paths[i]) == 0)
			return 1;
	return 0;
}

/* NULL when the request may go on, else why not. */
static const char *access_problem(struct hub_http_server *s, struct MHD_Connection *conn, const char *url,
                                  const char *method, void **client, char *why, size_t len)
{
	const char *problem;
	char *user, *password = NULL;
	int ok;

	if (is_open_path(&s->cfg, url))
		return NULL;
	if (s->cfg.client_ca &&
	    (problem = client_certificate_problem(conn, s->cfg.client_cert_optional, why, len)))
		return problem;
	if (!s->cfg.users && s->cfg.auth) {
		struct hub_http_request req = { .method = method, .path = url, .body = "", .conn = conn };

		return s->cfg.auth(s->cfg.ctx, &req, client, why, len);
	}
	if (!s->cfg.users)
		return NULL;
	user = MHD_basic_auth_get_username_password(conn, &password);
	if (!user) {
		MHD_free(password);
		return "credentials are required (HTTP Basic: a user and password)";
	}
	ok = password && hub_http_users_check(s->cfg.users, user, password);
	if (password) {
		memset(password, 0, strlen(password));
		MHD_free(password);
	}
	MHD_free(user);
	return ok ? NULL : "the user or the password is wrong";
}

/* Gives back what a request's body holds. */
static void release(struct request *rq)
{
	if (rq->counted)
		__atomic_sub_fetch(&rq->server->buffered, rq->counted, __ATOMIC_RELAXED);
	rq->counted = 0;
	hub_buf_free(&rq->body);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
	struct hub_http_server *s = cls;
	struct request *rq = *con_cls;
	struct hub_http_request req;
	struct hub_http_reply rep = { .status = 200 };

	if (!rq) {
		const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                                  MHD_HTTP_HEADER_CONTENT_LENGTH);

		char why[600];
		void *client = NULL;
		const char *problem = access_problem(s, conn, url, method, &client, why, sizeof(why));

		rq = hub_xcalloc(1, sizeof(*rq));
		rq->server = s;
		rq->client = client;
		*con_cls = rq;
		if (problem)
			return refuse(s, conn, 401, problem);
		/* refused before the body is read: it will not be */
		if (length && strtoull(length, NULL, 10) > s->cfg.max_body) {
			char msg[128];

			snprintf(msg, sizeof(msg), "the request body is over %zu bytes, the most this server "
			         "accepts", s->cfg.max_body);
			return refuse(s, conn, 413, msg);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		if (rq->answered) {
			*upload_data_size = 0;
			return MHD_YES;
		}
		if (!rq->started)
			rq->started = now_s();
		if (s->cfg.request_timeout && now_s() - rq->started > s->cfg.request_timeout) {
			char msg[128];

			/* a client that trickles its body is answered and cut off */
			snprintf(msg, sizeof(msg), "the request body took over %u s to arrive",
			         s->cfg.request_timeout);
			release(rq);
			rq->answered = 1;
			*upload_data_size = 0;
			return refuse(s, conn, 408, msg);
		}
		if (!rq->too_large && !rq->busy && rq->body.len + n > s->cfg.max_body)
			rq->too_large = 1;
		else if (!rq->too_large && !rq->busy &&
		         __atomic_add_fetch(&s->buffered, n, __ATOMIC_RELAXED) > s->cfg.max_buffered) {
			__atomic_sub_fetch(&s->buffered, n, __ATOMIC_RELAXED);
			rq->busy = 1;
		} else if (!rq->too_large && !rq->busy) {
			rq->counted += n;
			hub_buf_add(&rq->body, upload_data, n);
		}
		if (rq->too_large || rq->busy)
			release(rq);
		if (rq->too_large)
			rq->dropped += n;
		*upload_data_size = 0;
		/* what is over the limit is read and dropped, so that the client,
		 * still sending, sees the 413 at the end rather than a reset
		 * connection; a body that goes on past DRAIN_MAX more (chunked,
		 * never ending) is answered at once and the rest never read */
		if (rq->too_large && rq->dropped > DRAIN_MAX) {
			char msg[128];

			/* answered now, the rest never read: a body that does not
			 * end (chunked) cannot keep the connection */
			snprintf(msg, sizeof(msg), "the request body is over %zu bytes, the most this server "
			         "accepts", s->cfg.max_body);
			rq->answered = 1;
			return refuse(s, conn, 413, msg);
		}
		return MHD_YES;
	}
	if (rq->answered)
		return MHD_YES;
	if (rq->busy)
		return refuse(s, conn, 503, "the server holds too many request bodies at once: try again");
	if (rq->too_large) {
		char msg[128];

		snprintf(msg, sizeof(msg), "the request body is over %zu bytes, the most this server accepts",
		         s->cfg.max_body);
		return refuse(s, conn, 413, msg);
	}
	req.method = strcmp(method, "HEAD") == 0 ? "GET" : method;
	req.path = url;
	req.body = hub_buf_cstr(&rq->body);
	req.body_len = rq->body.len;
	req.conn = conn;
	req.client = rq->client;
	s->cfg.handler(s->cfg.ctx, &req, &rep);
	return send_reply(conn, &rep);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = hub_xcalloc(1, sizeof(struct connection));
	} else {
		free(*socket_context);
		*socket_context = NULL;
	}
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	if (rq) {
		if (rq->counted)
			__atomic_sub_fetch(&rq->server->buffered, rq->counted, __ATOMIC_RELAXED);
		hub_buf_free(&rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

int hub_http_activated_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid() || strtol(fds, NULL, 10) < 1)
		return -1;
	return 3;   /* SD_LISTEN_FDS_START */
}

int hub_http_socket_is_loopback(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && is_loopback((struct sockaddr *)&ss);
}

/* The address of an inherited socket, "HOST:PORT" or "[V6]:PORT". */
static int socket_address(int fd, char *host, size_t hostlen, char *port, size_t portlen, int *v6)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, host, (socklen_t)hostlen, port, (socklen_t)portlen,
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return -1;
	*v6 = ss.ss_family == AF_INET6;
	return 0;
}

struct hub_http_server *hub_http_start(const struct hub_http_config *cfg, struct hub_buf *err)
{
	struct hub_http_server *s;
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char host[256], port[16];
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	const union MHD_DaemonInfo *info;
	int rc, v6 = 0, loopback;

	if (cfg->listen_fd > 0) {
		if (socket_address(cfg->listen_fd, host, sizeof(host), port, sizeof(port), &v6) < 0) {
			hub_buf_addf(err, "the socket passed by systemd (fd %d) is not a listening socket", cfg->listen_fd);
			return NULL;
		}
		loopback = hub_http_socket_is_loopback(cfg->listen_fd);
	} else {
		if (split_address(cfg->listen, host, sizeof(host), port, sizeof(port)) < 0) {
			hub_buf_addf(err, "--listen '%s': expected HOST:PORT (127.0.0.1:8081, [::1]:8081)", cfg->listen);
			return NULL;
		}
		if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
			hub_buf_addf(err, "--listen '%s': %s", cfg->listen, gai_strerror(rc));
			return NULL;
		}
		loopback = is_loopback(ai->ai_addr);
		v6 = ai->ai_family == AF_INET6;
	}
	if ((cfg->tls_cert != NULL) != (cfg->tls_key != NULL)) {
		hub_buf_addf(err, "--tls-cert and --tls-key go together: HTTPS needs both");
		if (ai)
			freeaddrinfo(ai);
		return NULL;
	}
	if (cfg->client_ca && !cfg->tls_cert) {
		hub_buf_addf(err, "--client-ca needs HTTPS: give --tls-cert and --tls-key too");
		if (ai)
			freeaddrinfo(ai);
		return NULL;
	}
	if (!loopback && !cfg->insecure_listen && !cfg->tls_cert) {
		hub_buf_addf(err, "--listen '%s': plain HTTP is served on a loopback address only; give "
		             "--tls-cert and --tls-key, or --insecure-listen to serve plain HTTP there",
		             cfg->listen);
		if (ai)
			freeaddrinfo(ai);
		return NULL;
	}
	if (v6)
		flags |= MHD_USE_IPv6;
	s = hub_xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	if (!s->cfg.max_body)
		s->cfg.max_body = 1u << 20;
	if (!s->cfg.max_buffered)
		s->cfg.max_buffered = 64u << 20;
	if (s->cfg.threads < 1)
		s->cfg.threads = 2;
	if (!s->cfg.idle_timeout)
		s->cfg.idle_timeout = 120;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = 4096;
	/* libmicrohttpd shares the limit out among its threads: each needs one */
	if ((unsigned)s->cfg.threads > s->cfg.max_connections)
		s->cfg.threads = (int)s->cfg.max_connections;
	if (cfg->tls_cert && !(s->cert = read_pem(cfg->tls_cert, "--tls-cert", err)))
		goto fail;
	if (cfg->tls_key && !(s->key = read_pem(cfg->tls_key, "--tls-key", err)))
		goto fail;
	if (cfg->client_ca && !(s->ca = read_pem(cfg->client_ca, "--client-ca", err)))
		goto fail;
	{
		struct MHD_OptionItem ops[] = {
			{ ai ? MHD_OPTION_SOCK_ADDR : MHD_OPTION_LISTEN_SOCKET, ai ? 0 : cfg->listen_fd,
			  ai ? ai->ai_addr : NULL },
			{ MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads, NULL },
			{ MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.idle_timeout, NULL },
			{ MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_connections, NULL },
			/* a connection's pool is cleared for each request (at the default
			 * 32 KiB, 16% of a GET's CPU): 8 KiB holds the headers of a
			 * registry client (7 KiB of them tested), bodies pass in pieces */
			{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, 8192, NULL },
			{ MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL },
			{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s },
			{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s },
			{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, s },
			{ s->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert },
			{ s->key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, s->key },
			{ s->ca ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, s->ca },
			{ MHD_OPTION_END, 0, NULL },
		};
		struct MHD_OptionItem packed[sizeof(ops) / sizeof(ops[0])];
		int n = 0;

		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (ops[i].option != MHD_OPTION_END)
				packed[n++] = ops[i];
		packed[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
		if (s->cert)
			flags |= MHD_USE_TLS;
		s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, packed,
		                             MHD_OPTION_END);
	}
	if (!s->daemon) {
		hub_buf_addf(err, "cannot listen on %s (address in use, or not this machine's?%s)", cfg->listen,
		             s->cert ? " or a certificate and key that do not go together" : "");
		goto fail;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(s->address, sizeof(s->address), v6 ? "[%s]:%u" : "%s:%u", host,
	         info ? info->port : (unsigned)atoi(port));
	snprintf(s->url, sizeof(s->url), "%s://%s", s->cert ? "https" : "http", s->address);
	if (ai)
		freeaddrinfo(ai);
	hub_service_ready();   /* systemd: listening (core/metrics.h) */
	return s;
fail:
	if (ai)
		freeaddrinfo(ai);
	free(s->cert);
	free(s->key);
	free(s->ca);
	free(s);
	return NULL;
}

const char *hub_http_url(const struct hub_http_server *s)
{
	return s->url;
}

const char *hub_http_address(const struct hub_http_server *s)
{
	return s->address;
}

void hub_http_stop(struct hub_http_server *s)
{
	if (!s)
		return;
	hub_service_stop();
	MHD_stop_daemon(s->daemon);
	free(s->cert);
	free(s->key);
	free(s->ca);
	free(s);
}

const char *hub_http_query(const struct hub_http_request *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *hub_http_header(const struct hub_http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int hub_http_client_cert_name(const struct hub_http_request *req, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	const union MHD_ConnectionInfo *sc = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	const struct connection *c = sc ? sc->socket_context : NULL;
	const gnutls_datum_t *peers;
	gnutls_x509_crt_t crt;
	unsigned int n = 0;
	size_t size = len;
	int rc;

	if (!c || !c->verified || !ci || !ci->tls_session ||
	    !(peers = gnutls_certificate_get_peers(ci->tls_session, &n)) || n == 0 || len == 0)
		return -1;
	if (gnutls_x509_crt_init(&crt) < 0)
		return -1;
	rc = gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER);
	if (rc >= 0)
		rc = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, out, &size);
	gnutls_x509_crt_deinit(crt);
	if (rc < 0)
		return -1;
	out[size < len ? size : len - 1] = '\0';
	return 0;
}

struct header_walk {
	int (*fn)(void *ctx, const char *name, const char *value, size_t len);
	void *ctx;
};

static enum MHD_Result each_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                   const char *value, size_t value_size)
{
	struct header_walk *w = cls;

	return w->fn(w->ctx, key, value ? value : "", value ? value_size : 0) ? MHD_NO : MHD_YES;
}

void hub_http_headers(const struct hub_http_request *req,
                      int (*fn)(void *ctx, const char *name, const char *value, size_t len), void *ctx)
{
	struct header_walk w = { fn, ctx };

	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, each_header, &w);
}

int hub_http_query_bool(const struct hub_http_request *req, const char *key)
{
	const char *v = hub_http_query(req, key);

	return v && strcasecmp(v, "true") == 0;
}

struct param_walk {
	hub_http_param_fn *fn;
	void *ctx;
	int rc;
};

static enum MHD_Result on_param(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                const char *value, size_t value_size)
{
	struct param_walk *w = cls;

	w->rc = w->fn(w->ctx, key, value ? value : "", value ? value_size : 0);
	return w->rc ? MHD_NO : MHD_YES;
}

int hub_http_query_each(const struct hub_http_request *req, hub_http_param_fn *fn, void *ctx)
{
	struct param_walk w = { fn, ctx, 0 };

	MHD_get_connection_values_n(req->conn, MHD_GET_ARGUMENT_KIND, on_param, &w);
	return w.rc;
}
