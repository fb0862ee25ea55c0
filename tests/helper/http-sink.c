/* http-sink: an HTTP endpoint that answers every request at once, for bench/deliver.
 *
 * libmicrohttpd with a pool of threads (epoll, HTTP/1.1 keep-alive): each
 * request's body is read and dropped, and 204 No Content goes back, so that
 * the endpoint is never what limits a benchmark of its clients. Listens on
 * 127.0.0.1, port PORT (0: any), and prints the port on stdout; on SIGTERM
 * or SIGINT prints the number of requests answered on stderr and exits.
 *
 * A body holding "bench_t0":NANOSECONDS (CLOCK_REALTIME, as bench/deliver's
 * feeder writes it) adds its age on arrival to a latency sample; the exit
 * line then has the median, the 99th percentile and the maximum.
 *
 *   http-sink [PORT [THREADS]] */
#include <arpa/inet.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#define SAMPLES (1u << 20)

static atomic_ulong answered;
static atomic_uint nsamples;
static unsigned samples[SAMPLES];   /* microseconds */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int by_value(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **state)
{
	static int started;
	struct MHD_Response *r;
	enum MHD_Result rc;

	(void)cls, (void)url, (void)method, (void)version, (void)upload;
	if (*state == NULL) {
		*state = &started;   /* the headers are in; the body comes next */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		const char *t0 = memmem(upload, *upload_size, "\"bench_t0\":", 11);

		if (t0) {
			struct timespec now;
			long long sent = atoll(t0 + 11);
			unsigned i = atomic_fetch_add(&nsamples, 1);

			clock_gettime(CLOCK_REALTIME, &now);
			if (i < SAMPLES)
				samples[i] = (unsigned)((now.tv_sec * 1000000000LL + now.tv_nsec - sent) / 1000);
		}
		*upload_size = 0;    /* the body is dropped */
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
	rc = MHD_queue_response(c, MHD_HTTP_NO_CONTENT, r);
	MHD_destroy_response(r);
	atomic_fetch_add(&answered, 1);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned port = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
	unsigned threads = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port, NULL, NULL,
	                     answer, NULL, MHD_OPTION_SOCK_ADDR, &sa,
	                     MHD_OPTION_THREAD_POOL_SIZE, threads ? threads : 1,
	                     MHD_OPTION_CONNECTION_LIMIT, 1024u,
	                     MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "http-sink: cannot listen on 127.0.0.1:%u\n", port);
		return 69;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("%u\n", info ? info->port : port);
	fflush(stdout);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	fprintf(stderr, "http-sink: %lu requests answered\n", (unsigned long)atomic_load(&answered));
	{
		unsigned n = atomic_load(&nsamples);

		if (n > SAMPLES)
			n = SAMPLES;
		if (n > 0) {
			qsort(samples, n, sizeof(samples[0]), by_value);
			fprintf(stderr, "latency_us p50 %u p99 %u max %u n %u\n", samples[n / 2], samples[n * 99 / 100],
			        samples[n - 1], n);
		}
	}
	return 0;
}
