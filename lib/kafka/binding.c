/* kafka/binding.c: --binary-mode, the CloudEvents Kafka protocol binding
 * in binary content mode: each top-level attribute of the event becomes a
 * ce_ header (datacontenttype: content-type), and the value is the event's
 * data, as its bytes, its text, base64-decoded, or in Avro.
 *
 * Invariant: attributes are scalars; an event with an object or array
 * attribute is failed, never sent with a header missing. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "json/scan.h"
#include "kafka/produce-internal.h"
#include "schema/avrowire.h"
#include "schema/registry.h"

/* --binary-mode: each top-level attribute becomes a header. */
int hub_binding_member(void *ctx, int which, const struct hub_span *key, const struct hub_span *v)
{
	struct producer *p = ctx;
	const char *name;

	if (which != p->star_path)
		return 0;
	hub_buf_reset(&p->tmp);
	hub_buf_adds(&p->tmp, "ce_");
	if (hub_json_unescape(key->p, key->len, &p->tmp) < 0)
		return 0;
	name = hub_buf_cstr(&p->tmp) + 3;
	if (strcmp(name, "data") == 0) {
		p->ce_data = *v;
		return 0;
	}
	if (strcmp(name, "data_base64") == 0) {
		p->ce_data64 = *v;
		return 0;
	}
	if (v->type == HUB_JSON_NULL)
		return 0;   /* an attribute set to null is absent */
	if (v->type == HUB_JSON_OBJECT || v->type == HUB_JSON_ARRAY) {
		p->ce_bad = 1;   /* CloudEvents attributes are scalars */
		return 0;
	}
	if (strcmp(name, "datacontenttype") == 0) {
		size_t at = p->tmp.len;

		hub_json_span_text(v, &p->tmp);
		rd_kafka_header_add(p->ce_headers, "content-type", -1, p->tmp.data + at, p->tmp.len - at);
		return 0;
	}
	{
		size_t namelen = p->tmp.len, at;

		hub_buf_addc(&p->tmp, '\0');
		at = p->tmp.len;
		hub_json_span_text(v, &p->tmp);
		rd_kafka_header_add(p->ce_headers, p->tmp.data, (ssize_t)namelen, p->tmp.data + at, p->tmp.len - at);
	}
	return 0;
}

/* --format avro: the value is the data in Avro, framed with its schema id;
 * the schema is the registry's for the event's type (ce_type) and the
 * version its dataschema names. Returns -1 with a reason. */
static int avro_value(struct producer *p, char *why, size_t whylen)
{
	const char *type = NULL, *ds = NULL;
	size_t typelen = 0, dslen = 0;
	const struct hub_subject *s;
	const struct hub_schema_version *sv;
	struct hub_buf err = { 0 };
	int version = 0, rc;

	rd_kafka_header_get_last(p->ce_headers, "ce_type", (const void **)&type, &typelen);
	if (!type || !(s = hub_registry_find(p->o->registry, type, typelen))) {
		snprintf(why, whylen, "--format avro: the event's type '%.*s' has no subject in the schema "
		         "registry %s", (int)typelen, type ? type : "", p->o->registry->dir);
		return -1;
	}
	if (!rd_kafka_header_get_last(p->ce_headers, "ce_dataschema", (const void **)&ds, &dslen) && ds)
		version = hub_dataschema_version(ds, dslen);
	if (!(sv = hub_subject_version(s, version))) {
		snprintf(why, whylen, "--format avro: %s has no version %d", s->name, version);
		return -1;
	}
	if (p->ce_data.type == HUB_JSON_NONE) {
		snprintf(why, whylen, "--format avro: the event has no data to encode");
		return -1;
	}
	rc = hub_avrowire_encode_checked(p->o->avro, sv, p->ce_data.p, p->ce_data.len, &p->value, &err);
	if (rc < 0)
		snprintf(why, whylen, "--format avro: %s (%s version %d, schema id %ld)", hub_buf_cstr(&err),
		         s->name, sv->version, sv->id);
	hub_buf_free(&err);
	return rc;
}

/* --binary-mode: the value is the event's data. Returns -1 with a reason. */
int hub_binding_value(struct producer *p, char *why, size_t whylen)
{
	hub_buf_reset(&p->value);
	if (p->ce_bad) {
		snprintf(why, whylen, "--binary-mode: an attribute is an object or array; "
		         "CloudEvents attributes must be strings, numbers or booleans");
		return -1;
	}
	if (p->o->avro)
		return avro_value(p, why, whylen);
	if (p->ce_data.type != HUB_JSON_NONE && p->ce_data.type != HUB_JSON_NULL) {
		/* A string with a non-JSON content type is sent as its text. */
		const char *ct = NULL;
		size_t ctlen = 0;

		rd_kafka_header_get_last(p->ce_headers, "content-type", (const void **)&ct, &ctlen);
		if (p->ce_data.type == HUB_JSON_STRING && ct && !memmem(ct, ctlen, "json", 4))
			hub_json_unescape(p->ce_data.p, p->ce_data.len, &p->value);
		else
			hub_buf_add(&p->value, p->ce_data.p, p->ce_data.len);
	} else if (p->ce_data64.type == HUB_JSON_STRING) {
		struct hub_buf txt = { 0 };
		int bad = hub_json_unescape(p->ce_data64.p, p->ce_data64.len, &txt) < 0 ||
		          hub_base64_decode(txt.data ? txt.data : "", txt.len, &p->value) < 0;

		hub_buf_free(&txt);
		if (bad) {
			snprintf(why, whylen, "--binary-mode: data_base64 is not base64");
			return -1;
		}
	}
	return 0;
}
