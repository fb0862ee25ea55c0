/* kafka/topicmap.c: --topic-from, each event's topic from its own fields:
 * a field path ("type") or a template of literals and paths
 * ("retail.{type}").
 *
 * Invariant: an event is sent only to a topic name Kafka accepts; a
 * missing field or an invalid name fails the event, with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/diag.h"
#include "json/scan.h"
#include "kafka/client.h"
#include "kafka/produce-internal.h"

/* "retail.{type}" -> pieces; a bare path -> one piece with that path. */
void hub_topicmap_parse(struct producer *p, const char *spec)
{
	const char *s = spec;

	if (!strchr(spec, '{')) {
		p->pieces = hub_xcalloc(1, sizeof(*p->pieces));
		p->pieces[0].literal = hub_xstrdup("");
		p->pieces[0].path = hub_produce_add_path(p, spec);
		p->npieces = 1;
		return;
	}
	while (*s) {
		const char *open = strchr(s, '{'), *close;
		char *path;

		p->pieces = hub_xrealloc(p->pieces, sizeof(*p->pieces) * (p->npieces + 1));
		if (!open) {
			p->pieces[p->npieces].literal = hub_xstrdup(s);
			p->pieces[p->npieces++].path = -1;
			break;
		}
		close = strchr(open, '}');
		if (!close || close == open + 1)
			hub_usage_error("--topic-from '%s': expected {field.path}", spec);
		p->pieces[p->npieces].literal = hub_xstrndup(s, (size_t)(open - s));
		path = hub_xstrndup(open + 1, (size_t)(close - open - 1));
		p->pieces[p->npieces++].path = hub_produce_add_path(p, path);
		free(path);
		s = close + 1;
	}
}

/* The topic for the current event, from the template; -1 with a reason. */
int hub_topicmap_render(struct producer *p, char *why, size_t whylen)
{
	hub_buf_reset(&p->topic);
	for (int i = 0; i < p->npieces; i++) {
		const struct hub_span *v;

		hub_buf_adds(&p->topic, p->pieces[i].literal);
		if (p->pieces[i].path < 0)
			continue;
		v = &p->found[p->pieces[i].path];
		if (v->type == HUB_JSON_NONE || v->type == HUB_JSON_NULL ||
		    hub_json_span_text(v, &p->topic) < 0) {
			snprintf(why, whylen, "--topic-from: field '%s' is %s, not a string",
			         p->paths[p->pieces[i].path].text, hub_json_type_name(v->type));
			return -1;
		}
	}
	if (!hub_kafka_topic_valid(p->topic.data, p->topic.len)) {
		snprintf(why, whylen, "--topic-from: '%.*s' is not a valid Kafka topic name "
		         "(letters, digits, '.', '_', '-'; at most 249)", (int)(p->topic.len > 300 ? 300 : p->topic.len),
		         p->topic.data);
		return -1;
	}
	hub_buf_cstr(&p->topic);
	return 0;
}
