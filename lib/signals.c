/* signals.c: async-signal-safe handlers that only set flags. */
#include <string.h>

#include "signals.h"

volatile sig_atomic_t hub_stop_requested;
volatile sig_atomic_t hub_stop_count;
volatile sig_atomic_t hub_stats_requested;

static void on_stop(int sig)
{
	hub_stop_requested = sig;
	hub_stop_count++;
}

static void on_usr1(int sig)
{
	(void)sig;
	hub_stats_requested = 1;
}

void hub_signals_install(int restart)
{
	struct sigaction sa;

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
