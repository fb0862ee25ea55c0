/* kafka/lag.c: hub-consume -G's consumer lag, for --metrics.
 *
 * librdkafka's statistics (statistics.interval.ms) give each partition's
 * consumer_lag: the high watermark less the group's committed offset, the
 * number kafka_exporter calls kafka_consumergroup_lag. The statistics
 * callback runs in the consumer's own poll, on the tool's thread; it hands
 * each partition's figure to core/metrics.c. Turned on only when a metrics
 * file is written and the user set no statistics interval of their own. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/diag.h"
#include "core/metrics.h"
#include "kafka/consume-internal.h"

static int statistics(rd_kafka_t *rk, char *text, size_t len, void *opaque)
{
	struct consumer *c = opaque;
	json_error_t e;
	json_t *root = json_loadb(text, len, 0, &e), *topics, *t, *parts, *p;
	const char *topic, *partition;

	if (!root) {
		hub_debug("librdkafka statistics: not JSON: %s", e.text);
		return 0;
	}
	topics = json_object_get(root, "topics");
	json_object_foreach(topics, topic, t) {
		parts = json_object_get(t, "partitions");
		json_object_foreach(parts, partition, p) {
			json_t *lag = json_object_get(p, "consumer_lag");
			long n = strtol(partition, NULL, 10);

			/* "-1" is librdkafka's internal unassigned partition */
			if (n < 0 || !json_is_integer(lag))
				continue;
			hub_metrics_lag(c->o->group, topic, (int32_t)n,
			                json_integer_value(lag) >= 0 ? json_integer_value(lag) : -1);
		}
	}
	json_decref(root);
	return 0;
}

void hub_lag_configure(rd_kafka_conf_t *conf)
{
	char value[32], errstr[256];
	size_t n = sizeof(value);
	int64_t ms = hub_metrics_interval_ms();

	if (ms <= 0)
		return;
	if (rd_kafka_conf_get(conf, "statistics.interval.ms", value, &n) == RD_KAFKA_CONF_OK && strcmp(value, "0")) {
		rd_kafka_conf_set_stats_cb(conf, statistics);   /* the user's interval */
		return;
	}
	snprintf(value, sizeof(value), "%lld", (long long)(ms < 1000 ? 1000 : ms));
	if (rd_kafka_conf_set(conf, "statistics.interval.ms", value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
		hub_warn("--metrics: no consumer lag: %s", errstr);
		return;
	}
	rd_kafka_conf_set_stats_cb(conf, statistics);
}
