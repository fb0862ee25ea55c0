/* core/buf.h: a growable byte buffer, the way every tool builds output lines.
 *
 * Lines are assembled in a buf and written with one fwrite, so a reader
 * never sees half an event. hub_buf_json_string() writes a JSON string
 * literal (quotes and escapes included) from arbitrary bytes: invalid
 * UTF-8 becomes U+FFFD, so the result is always valid JSON. */
#ifndef HUB_BUF_H
#define HUB_BUF_H

#include <stddef.h>
#include <stdint.h>

struct hub_buf {
	char *data;
	size_t len;
	size_t cap;
};

void hub_buf_reserve(struct hub_buf *b, size_t extra);
void hub_buf_add(struct hub_buf *b, const void *p, size_t n);
void hub_buf_addc(struct hub_buf *b, char c);
void hub_buf_adds(struct hub_buf *b, const char *s);
void hub_buf_addf(struct hub_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hub_buf_add_int(struct hub_buf *b, int64_t v);
void hub_buf_json_string(struct hub_buf *b, const void *p, size_t n);
/* Terminates with NUL (not counted in len) and returns data. */
const char *hub_buf_cstr(struct hub_buf *b);
void hub_buf_reset(struct hub_buf *b);
void hub_buf_free(struct hub_buf *b);

/* Base64 (the standard alphabet, padded), through libsodium. */
void hub_buf_base64(struct hub_buf *b, const void *p, size_t n);
/* Decodes base64 text, appending the bytes to b. 0, or -1 if invalid. */
int hub_base64_decode(const char *s, size_t n, struct hub_buf *b);
int hub_is_utf8(const void *p, size_t n);

/* Length of a valid UTF-8 sequence at p (1-4), or 0 if invalid. */
size_t hub_utf8_seq(const unsigned char *p, size_t n);

#endif
