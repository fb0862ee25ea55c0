/* support/serve.c: starting, waiting and stopping hub-archive serve
 * (support/serve.h); the routes are support/api.c. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/diag.h"
#include "core/metrics.h"
#include "core/exitcodes.h"
#include "core/signals.h"
#include "support/api.h"
#include "support/serve.h"

int hub_support_serve(const char *dir, const char *failstore, struct hub_http_config *cfg,
                      int64_t timeout_ms)
{
	struct hub_support_api api = { .dir = dir, .failstore = failstore, .timeout_ms = timeout_ms };
	struct hub_http_server *http;
	struct hub_buf err = { 0 };
	struct pollfd pfd;
	struct stat st;
	int rc = stat(dir, &st);

	if (rc != 0 || !S_ISDIR(st.st_mode)) {
		hub_err("%s: %s; is -d the archive directory?", dir, rc ? strerror(errno) : "not a directory");
		return HUB_EXIT_NOINPUT;
	}
	cfg->handler = hub_support_api_handle;
	cfg->error = hub_support_api_error;
	cfg->ctx = &api;
	if (!cfg->realm)
		cfg->realm = "hub-archive";
	if (!cfg->max_body)
		cfg->max_body = 4096;     /* GET only: a body is never read */
	hub_signals_install(1);
	hub_service_start(&(struct hub_service_opts){ 0 }, NULL);   /* systemd's notify protocol */
	if (!(http = hub_http_start(cfg, &err))) {
		hub_err("%s", hub_buf_cstr(&err));
		hub_buf_free(&err);
		return HUB_EXIT_UNAVAILABLE;
	}
	printf("%s\n", hub_http_url(http));
	if (fflush(stdout) != 0)
		hub_warn("standard output: %s", strerror(errno));
	hub_info("serving %s on %s", dir, hub_http_url(http));
	pfd = (struct pollfd){ .fd = hub_signal_fd(), .events = POLLIN };
	while (!hub_stop_requested) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		hub_signal_drain();
	}
	hub_info("stopping (signal %d)", (int)hub_stop_requested);
	hub_http_stop(http);
	return HUB_EXIT_OK;
}
