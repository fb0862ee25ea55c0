/* json/scan.h: one-pass JSON validation and field capture, without a DOM.
 *
 * hub_json_scan() checks that a line is exactly one valid JSON text
 * (RFC 8259, UTF-8 checked, nesting bounded) in a single hand-written
 * pass, and reports the raw bytes of the values found at a set of field
 * paths. Values are spans into the caller's line, never re-serialised, so
 * a tool that passes or rewrites an event keeps every other byte as it
 * was (19.99 stays 19.99, big integers stay exact, key order stays).
 * One scanner is reused for every line: no allocation per event. */
#ifndef HUB_JSON_H
#define HUB_JSON_H

#include <stddef.h>

#include "core/buf.h"
#include "json/path.h"

#define HUB_JSON_MAX_DEPTH 512
#define HUB_JSON_MAX_PATHS 64

enum hub_json_type {
	HUB_JSON_NONE = 0,  /* absent */
	HUB_JSON_OBJECT,
	HUB_JSON_ARRAY,
	HUB_JSON_STRING,
	HUB_JSON_NUMBER,
	HUB_JSON_BOOL,
	HUB_JSON_NULL,
};

struct hub_span {
	const char *p;      /* raw JSON text of the value (strings with quotes) */
	size_t len;
	enum hub_json_type type;
};

/* Called for every value that matches path number `which` (several times
 * for [*] and * paths), in the order the values end, and only once the
 * whole text has proved valid. key is the raw member name of the value (a
 * JSON string literal) when it sits in an object, type HUB_JSON_NONE
 * otherwise. Return nonzero to stop the scan with an error. */
typedef int (*hub_json_match_fn)(void *ctx, int which, const struct hub_span *key,
                                 const struct hub_span *value);

struct hub_json;

struct hub_json *hub_json_new(void);
void hub_json_free(struct hub_json *js);
/* Paths to capture on each scan (the array must outlive the scanner). */
void hub_json_set_paths(struct hub_json *js, const struct hub_path *paths, int n);
void hub_json_set_callback(struct hub_json *js, hub_json_match_fn fn, void *ctx);

/* Scans one JSON text. On success returns 0 and fills found[i] with the
 * first value at paths[i] (type HUB_JSON_NONE when absent); *top is the
 * type of the whole text. On failure returns -1 and hub_json_error()
 * says why, with the byte offset. */
int hub_json_scan(struct hub_json *js, const char *text, size_t len,
                  struct hub_span *found, enum hub_json_type *top);
const char *hub_json_error(const struct hub_json *js);
/* The byte offset the error names, or -1 when it names none (too deep,
 * a field rejected). */
long hub_json_error_offset(const struct hub_json *js);

/* Decodes a JSON string literal (with its quotes) into UTF-8 bytes,
 * appended to out. Returns 0, or -1 if the literal is malformed. */
int hub_json_unescape(const char *lit, size_t len, struct hub_buf *out);
/* A span's value as a string: the decoded text of a JSON string, or the
 * raw text of any other scalar (numbers as written). Appends to out.
 * Returns 0, or -1 for objects, arrays and absent values. */
int hub_json_span_text(const struct hub_span *v, struct hub_buf *out);
const char *hub_json_type_name(enum hub_json_type t);

#endif
