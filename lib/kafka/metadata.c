/* kafka/metadata.c: hub-consume -L, the cluster as its metadata says. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "kafka/client.h"
#include "kafka/metadata.h"

static void list_ids(struct hub_buf *b, const int32_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		hub_buf_addf(b, "%s%d", i ? "," : "", (int)ids[i]);
}

static void text(const rd_kafka_metadata_t *md, const char *topic, struct hub_buf *b)
{
	hub_buf_addf(b, "Metadata for %s%s%s (from broker %d: %s):\n", topic ? "topic \"" : "all topics",
	             topic ? topic : "", topic ? "\"" : "", (int)md->orig_broker_id, md->orig_broker_name);
	hub_buf_addf(b, " %d broker%s:\n", md->broker_cnt, md->broker_cnt == 1 ? "" : "s");
	for (int i = 0; i < md->broker_cnt; i++)
		hub_buf_addf(b, "  broker %d at %s:%d\n", (int)md->brokers[i].id, md->brokers[i].host,
		             md->brokers[i].port);
	hub_buf_addf(b, " %d topic%s:\n", md->topic_cnt, md->topic_cnt == 1 ? "" : "s");
	for (int t = 0; t < md->topic_cnt; t++) {
		const rd_kafka_metadata_topic_t *mt = &md->topics[t];

		hub_buf_addf(b, "  topic \"%s\" with %d partition%s:", mt->topic, mt->partition_cnt,
		             mt->partition_cnt == 1 ? "" : "s");
		if (mt->err)
			hub_buf_addf(b, " %s", rd_kafka_err2str(mt->err));
		hub_buf_addc(b, '\n');
		for (int p = 0; p < mt->partition_cnt; p++) {
			const rd_kafka_metadata_partition_t *mp = &mt->partitions[p];

			hub_buf_addf(b, "    partition %d, leader %d, replicas: ", (int)mp->id, (int)mp->leader);
			list_ids(b, mp->replicas, mp->replica_cnt);
			hub_buf_adds(b, ", isrs: ");
			list_ids(b, mp->isrs, mp->isr_cnt);
			if (mp->err)
				hub_buf_addf(b, ", %s", rd_kafka_err2str(mp->err));
			hub_buf_addc(b, '\n');
		}
	}
}

static void json_ids(struct hub_buf *b, const char *name, const int32_t *ids, int n)
{
	hub_buf_addf(b, ",\"%s\":[", name);
	for (int i = 0; i < n; i++)
		hub_buf_addf(b, "%s%d", i ? "," : "", (int)ids[i]);
	hub_buf_addc(b, ']');
}

static void json(const rd_kafka_metadata_t *md, struct hub_buf *b)
{
	hub_buf_addf(b, "{\"originating_broker\":{\"id\":%d,\"name\":", (int)md->orig_broker_id);
	hub_buf_json_string(b, md->orig_broker_name, strlen(md->orig_broker_name));
	hub_buf_adds(b, "},\"brokers\":[");
	for (int i = 0; i < md->broker_cnt; i++) {
		hub_buf_addf(b, "%s{\"id\":%d,\"name\":\"", i ? "," : "", (int)md->brokers[i].id);
		hub_buf_addf(b, "%s:%d\"}", md->brokers[i].host, md->brokers[i].port);
	}
	hub_buf_adds(b, "],\"topics\":[");
	for (int t = 0; t < md->topic_cnt; t++) {
		const rd_kafka_metadata_topic_t *mt = &md->topics[t];

		hub_buf_adds(b, t ? ",{\"topic\":" : "{\"topic\":");
		hub_buf_json_string(b, mt->topic, strlen(mt->topic));
		if (mt->err)
			hub_buf_addf(b, ",\"error\":\"%s\"", rd_kafka_err2name(mt->err));
		hub_buf_adds(b, ",\"partitions\":[");
		for (int p = 0; p < mt->partition_cnt; p++) {
			const rd_kafka_metadata_partition_t *mp = &mt->partitions[p];

			hub_buf_addf(b, "%s{\"partition\":%d,\"leader\":%d", p ? "," : "", (int)mp->id, (int)mp->leader);
			json_ids(b, "replicas", mp->replicas, mp->replica_cnt);
			json_ids(b, "isrs", mp->isrs, mp->isr_cnt);
			if (mp->err)
				hub_buf_addf(b, ",\"error\":\"%s\"", rd_kafka_err2name(mp->err));
			hub_buf_addc(b, '}');
		}
		hub_buf_adds(b, "]}");
	}
	hub_buf_adds(b, "]}\n");
}

int hub_kafka_list(rd_kafka_conf_t *conf, const char *topic, int as_json, int timeout_ms, FILE *out)
{
	char errstr[512], brokers[512] = "", why[400];
	size_t blen = sizeof(brokers);
	const rd_kafka_metadata_t *md = NULL;
	rd_kafka_resp_err_t err;
	struct hub_buf b = { 0 };
	rd_kafka_t *rk;
	int status = HUB_EXIT_OK;

	rd_kafka_conf_get(conf, "bootstrap.servers", brokers, &blen);
	/* a listing never creates the topic it asks for */
	rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", errstr, sizeof(errstr));
	if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)))) {
		rd_kafka_conf_destroy(conf);
		hub_err("cannot create the Kafka client: %s", errstr);
		return HUB_EXIT_CONFIG;
	}
	/* all topics, even for one: asking for a topic by name creates it on
	 * brokers that create topics (the development broker does) */
	err = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
	if (err) {
		if (hub_kafka_login_refused(why, sizeof(why)))
			hub_kafka_say_login_refused(brokers, why, NULL);
		else
			hub_err("cannot reach the Kafka brokers %s within %d s (%s); check -b, HUB_BROKERS and the "
			        "network, or raise the wait with -m", brokers, timeout_ms / 1000, rd_kafka_err2str(err));
		status = HUB_EXIT_UNAVAILABLE;
	} else {
		rd_kafka_metadata_t one = *md;
		int found = -1;

		for (int t = 0; topic && t < md->topic_cnt; t++)
			if (strcmp(md->topics[t].topic, topic) == 0)
				found = t;
		if (topic && found < 0) {
			hub_err("topic %s does not exist (or this client may not describe it)", topic);
			status = HUB_EXIT_NOINPUT;
		} else {
			if (topic) {
				one.topic_cnt = 1;
				one.topics = &md->topics[found];
			}
			if (as_json)
				json(&one, &b);
			else
				text(&one, topic, &b);
		}
		if (b.len && (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0))
			status = HUB_EXIT_IOERR;
		rd_kafka_metadata_destroy(md);
	}
	hub_buf_free(&b);
	rd_kafka_destroy(rk);
	return status;
}

int hub_kafka_offsets_for_time(rd_kafka_conf_t *conf, const char *topic, int64_t ms, int as_json,
                               int timeout_ms, FILE *out)
{
	char errstr[512];
	const rd_kafka_metadata_t *md = NULL;
	rd_kafka_topic_partition_list_t *list;
	rd_kafka_resp_err_t err;
	struct hub_buf b = { 0 };
	rd_kafka_t *rk;
	int status = HUB_EXIT_OK, found = -1;

	rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", errstr, sizeof(errstr));
	if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)))) {
		rd_kafka_conf_destroy(conf);
		hub_err("cannot create the Kafka client: %s", errstr);
		return HUB_EXIT_CONFIG;
	}
	if ((err = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms))) {
		hub_err("cannot reach the Kafka brokers within %d s (%s); check -b, HUB_BROKERS and the network, "
		        "or raise the wait with -m", timeout_ms / 1000, rd_kafka_err2str(err));
		rd_kafka_destroy(rk);
		return HUB_EXIT_UNAVAILABLE;
	}
	for (int t = 0; t < md->topic_cnt; t++)
		if (strcmp(md->topics[t].topic, topic) == 0)
			found = t;
	if (found < 0) {
		hub_err("topic %s does not exist (or this client may not describe it)", topic);
		rd_kafka_metadata_destroy(md);
		rd_kafka_destroy(rk);
		return HUB_EXIT_NOINPUT;
	}
	list = rd_kafka_topic_partition_list_new(md->topics[found].partition_cnt);
	for (int p = 0; p < md->topics[found].partition_cnt; p++)
		rd_kafka_topic_partition_list_add(list, topic, md->topics[found].partitions[p].id)->offset = ms;
	rd_kafka_metadata_destroy(md);
	if ((err = rd_kafka_offsets_for_times(rk, list, timeout_ms))) {
		hub_err("topic %s: the offsets for %lld: %s", topic, (long long)ms, rd_kafka_err2str(err));
		status = HUB_EXIT_UNAVAILABLE;
	} else {
		/* kcat -Q's lines; -1 where no message is that recent (the end) */
		for (int i = 0; i < list->cnt; i++) {
			const rd_kafka_topic_partition_t *tp = &list->elems[i];

			if (as_json) {
				hub_buf_adds(&b, "{\"topic\":");
				hub_buf_json_string(&b, topic, strlen(topic));
				hub_buf_addf(&b, ",\"partition\":%d,\"offset\":%lld", (int)tp->partition, (long long)tp->offset);
				if (tp->err)
					hub_buf_addf(&b, ",\"error\":\"%s\"", rd_kafka_err2name(tp->err));
				hub_buf_adds(&b, "}\n");
			} else {
				hub_buf_addf(&b, "%s [%d] offset %lld%s%s\n", topic, (int)tp->partition, (long long)tp->offset,
				             tp->err ? " " : "", tp->err ? rd_kafka_err2str(tp->err) : "");
			}
		}
		if (b.len && (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0))
			status = HUB_EXIT_IOERR;
	}
	rd_kafka_topic_partition_list_destroy(list);
	hub_buf_free(&b);
	rd_kafka_destroy(rk);
	return status;
}
