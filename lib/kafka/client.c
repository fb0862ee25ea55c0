/* kafka/client.c: building librdkafka configurations and logging. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "kafka/devbroker.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/exitcodes.h"
#include "kafka/client.h"

/* A login the brokers refused: SASL authentication, or a TLS handshake
 * (a wrong password, mechanism, CA or certificate). librdkafka retries it
 * for ever and says so on its own threads, in log lines; the first one is
 * kept here for the tools, which treat it as permanent. */
static pthread_mutex_t refused_lock = PTHREAD_MUTEX_INITIALIZER;
static char refused[400];
static volatile int nrefused;
static int nfail_logged;

static int login_refused(const char *buf)
{
	return strstr(buf, "SASL authentication error") || strstr(buf, "Authentication failed") ||
	       strstr(buf, "SSL handshake failed");
}

static void note_refused(const char *buf)
{
	const char *why = strstr(buf, "SASL authentication error");

	if (!why)
		why = strstr(buf, "SSL handshake failed");
	if (!why)
		why = buf;
	pthread_mutex_lock(&refused_lock);
	if (!refused[0])
		snprintf(refused, sizeof(refused), "%s", why);
	nrefused++;
	pthread_mutex_unlock(&refused_lock);
}

int hub_kafka_login_refused(char *why, size_t len)
{
	int n;

	pthread_mutex_lock(&refused_lock);
	n = nrefused;
	if (n && why && len)
		snprintf(why, len, "%s", refused);
	pthread_mutex_unlock(&refused_lock);
	return n > 0;
}

void hub_kafka_say_login_refused(const char *brokers, const char *why, const char *then)
{
	hub_err("the brokers %s refused this client's login (%s): check sasl.username, sasl.password and "
	        "sasl.mechanisms (or the TLS settings) in -F, -X or hub.conf%s%s", brokers ? brokers : "", why,
	        then ? "; " : "", then ? then : "");
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	if (login_refused(buf)) {
		note_refused(buf);
		/* the tool says it once, in its own words; each retry's line with -v */
		if (hub_verbosity < 2)
			return;
	}
	/* a broker that cannot be reached: the first failure is said, the
	 * retries' (one a second or more, for minutes) only with -v; the
	 * tools say themselves when no broker answers at all */
	if (strcmp(fac, "FAIL") == 0 && hub_verbosity < 2 && __atomic_fetch_add(&nfail_logged, 1, __ATOMIC_RELAXED) > 0)
		return;
	/* -q: errors only; default: warnings; -v: notices; -vv: debug */
	if (level <= LOG_ERR && hub_verbosity >= 1)
		fprintf(stderr, "%s: librdkafka: %s: %s\n", hub_progname, fac, buf);
	else if (level <= LOG_WARNING && hub_verbosity >= 2)
		fprintf(stderr, "%s: librdkafka: %s: %s\n", hub_progname, fac, buf);
	else if (hub_verbosity >= 3)
		fprintf(stderr, "%s: librdkafka: %s: %s\n", hub_progname, fac, buf);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__SSL) {
		note_refused(reason);
		hub_info("Kafka: %s: %s", rd_kafka_err2name(err), reason);
	} else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && hub_kafka_login_refused(NULL, 0))
		hub_info("all brokers are down (%s): they refused the login", reason);
	else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
		hub_warn("all brokers are down (%s); retrying", reason);
	else if (err == RD_KAFKA_RESP_ERR__FATAL)
		hub_err("fatal Kafka error: %s", reason);
	else
		hub_info("Kafka: %s: %s", rd_kafka_err2name(err), reason);
}

static int config_has(const struct hub_config *cfg, const char *key)
{
	for (int i = 0; i < cfg->n; i++)
		if (strcmp(cfg->keys[i], key) == 0)
			return 1;
	return 0;
}

rd_kafka_conf_t *hub_kafka_conf(const struct hub_config *cfg, const char *const *defaults,
                                struct hub_error *e)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char sub[512];
	char *dev = NULL;

	for (const char *const *d = defaults; d && d[0]; d += 2) {
		if (rd_kafka_conf_set(conf, d[0], d[1], sub, sizeof(sub)) != RD_KAFKA_CONF_OK) {
			hub_fail(e, HUB_EXIT_CONFIG, "property %s=%s: %s", d[0], d[1], sub);
			goto fail;
		}
	}
	for (int i = 0; i < cfg->n; i++) {
		if (rd_kafka_conf_set(conf, cfg->keys[i], cfg->values[i], sub, sizeof(sub)) != RD_KAFKA_CONF_OK) {
			hub_fail(e, HUB_EXIT_CONFIG, "property %s=%s: %s", cfg->keys[i], cfg->values[i], sub);
			goto fail;
		}
	}
	if (hub_config_files())
		hub_info("configuration from %s", hub_config_files());
	else
		hub_info("no configuration file (-F, $HUB_CONFIG, ~/.config/hub/hub.conf, /etc/hub/hub.conf)");
	if (!hub_config_brokers(cfg)) {
		dev = hub_devbroker_read();
		if (!dev) {
			hub_fail(e, HUB_EXIT_UNAVAILABLE, "no Kafka broker configured: give -b HOST:PORT, set "
			         "HUB_BROKERS, put bootstrap.servers in hub.conf, or start hub-devbroker");
			goto fail;
		}
		hub_info("using the development broker at %s", dev);
		if (rd_kafka_conf_set(conf, "bootstrap.servers", dev, sub, sizeof(sub)) != RD_KAFKA_CONF_OK) {
			hub_fail(e, HUB_EXIT_CONFIG, "development broker address '%s': %s", dev, sub);
			goto fail;
		}
		free(dev);
		/* The development broker (librdkafka's mock cluster) holds a
		 * group for its members' session timeout less a second after
		 * any member leaves, even the last: with Kafka's 45 s, the next
		 * member would wait 44 s. Its members get a short session,
		 * unless configured otherwise. */
		if (config_has(cfg, "group.id") && !config_has(cfg, "session.timeout.ms")) {
			rd_kafka_conf_set(conf, "session.timeout.ms", HUB_DEVBROKER_SESSION_MS, sub, sizeof(sub));
			if (!config_has(cfg, "heartbeat.interval.ms"))
				rd_kafka_conf_set(conf, "heartbeat.interval.ms", "1000", sub, sizeof(sub));
		}
	}
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set_error_cb(conf, error_cb);
	return conf;
fail:
	free(dev);
	rd_kafka_conf_destroy(conf);
	return NULL;
}

int hub_kafka_topic_valid(const char *name, size_t len)
{
	if (len == 0 || len > 249)
		return 0;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}
