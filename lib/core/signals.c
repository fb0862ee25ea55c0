/* core/signals.c: async-signal-safe handlers that only set flags and write a
 * byte to the self-pipe (see core/signals.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/signals.h"

volatile sig_atomic_t hub_stop_requested;
volatile sig_atomic_t hub_stop_count;
volatile sig_atomic_t hub_stats_requested;
volatile sig_atomic_t hub_reload_requested;
static int wake[2] = { -1, -1 };

static void poke(void)
{
	int saved = errno;

	if (wake[1] >= 0 && write(wake[1], "", 1) < 0) {
		/* full pipe: a wake-up is already pending */
	}
	errno = saved;
}

static void on_stop(int sig)
{
	hub_stop_requested = sig;
	hub_stop_count++;
	poke();
}

static void on_usr1(int sig)
{
	(void)sig;
	hub_stats_requested = 1;
	poke();
}

void hub_signals_install(int restart)
{
	struct sigaction sa;

	if (wake[0] < 0 && pipe2(wake, O_NONBLOCK | O_CLOEXEC) < 0)
		wake[0] = wake[1] = -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = restart ? SA_RESTART : 0;
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void on_hup(int sig)
{
	(void)sig;
	hub_reload_requested = 1;
	poke();
}

void hub_signals_install_reload(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
}

int hub_signal_fd(void)
{
	return wake[0];
}

int hub_stats_due(void)
{
	if (!hub_stats_requested)
		return 0;
	hub_stats_requested = 0;
	return 1;
}

void hub_signal_drain(void)
{
	char buf[64];

	if (wake[0] >= 0)
		while (read(wake[0], buf, sizeof(buf)) > 0)
			;
}

static volatile sig_atomic_t output_closed;

int hub_output_closed(int err)
{
	if (err != EPIPE)
		return 0;
	if (!output_closed)
		hub_info("standard output was closed by its reader; stopping");
	output_closed = 1;
	return 1;
}

int hub_output_was_closed(void)
{
	return output_closed;
}
