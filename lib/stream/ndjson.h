/* stream/ndjson.h: reading newline-delimited input, one event a line.
 *
 * Large buffered read(2)s, no per-line system call or allocation. A line
 * may be of any length up to max_line bytes (default 16 MiB); memory stays
 * bounded by that limit whatever the input. A longer line is reported as
 * HUB_LINE_TOO_LONG with its first bytes and skipped to its newline. The
 * last line may lack its newline; a CR before the newline is dropped. */
#ifndef HUB_NDJSON_H
#define HUB_NDJSON_H

#include <stddef.h>
#include <stdint.h>

#define HUB_MAX_LINE_DEFAULT (16u << 20)

enum hub_line_status {
	HUB_LINE_OK = 0,
	HUB_LINE_TOO_LONG,  /* line/len hold the start of the line only */
};

struct hub_line {
	const char *data;    /* valid until the next hub_reader_next() */
	size_t len;          /* without the newline (and CR) */
	uint64_t number;     /* 1-based line number in the input */
	size_t full_len;     /* the line's real length (differs when too long) */
	enum hub_line_status status;
	int unterminated;    /* the input ended inside it: no newline (a writer
	                        that died in mid-line, or a file's last line) */
};

struct hub_reader;

struct hub_reader *hub_reader_new(int fd, size_t max_line);
/* When *flag becomes nonzero, a read(2) interrupted by a signal makes
 * hub_reader_next() return -1 with errno EINTR instead of retrying. */
void hub_reader_set_interrupt(struct hub_reader *r, const volatile int *flag);
/* 1: a line was read; 0: end of input; -1: read error (errno set). */
int hub_reader_next(struct hub_reader *r, struct hub_line *line);
void hub_reader_free(struct hub_reader *r);
/* Bytes of input taken by the lines returned so far, newlines included
 * (what an acknowledgement to the writer counts, stream/ack.h). */
uint64_t hub_reader_consumed(const struct hub_reader *r);
/* Bytes read from the descriptor so far (grows with each read(2)). */
uint64_t hub_reader_total(const struct hub_reader *r);
/* When wake_fd becomes readable, hub_reader_next() returns -1 with errno
 * EINTR instead of waiting for input (another thread's way to stop it). */
void hub_reader_set_wakeup(struct hub_reader *r, int wake_fd);
/* A second such fd (the first, if none was set). */
void hub_reader_add_wakeup(struct hub_reader *r, int wake_fd);
/* A third such fd (the link to the writer of the input, stream/ack.h). */
void hub_reader_set_wakeup3(struct hub_reader *r, int wake_fd);
/* When no input comes within ms milliseconds (-1: no limit, the default),
 * hub_reader_next() returns -1 with errno ETIMEDOUT; call it again to go
 * on where it was. */
void hub_reader_set_timeout(struct hub_reader *r, int ms);
/* Whether a whole line is buffered, i.e. the next call will not wait for
 * input (a tool writes out what it holds before it may block: a partial
 * line waiting for its end must not hold back the events before it). */
int hub_reader_buffered(struct hub_reader *r);
/* Keeps the lines returned valid: hub_reader_next() then never reads over
 * them, but returns -1 with errno EAGAIN when it needs more input while
 * lines from its buffer are out; the caller takes that buffer with
 * hub_reader_swap_buffer() and calls again. (The head of a line too long
 * is the exception: it is valid until the next call, as always.) */
void hub_reader_keep_lines(struct hub_reader *r);
/* Gives the reader *buf (*cap bytes, or NULL) to go on in, with the unread
 * input moved there, and returns the buffer holding the lines it returned
 * in *buf and *cap: they stay valid there while the caller keeps it. */
void hub_reader_swap_buffer(struct hub_reader *r, char **buf, size_t *cap);
/* The failure store's reason and extra members for a HUB_LINE_TOO_LONG
 * line: its real length, and whether the stored head is only a part. */
void hub_line_too_long_reason(const struct hub_line *l, char *why, size_t whylen,
                              char *extra, size_t extralen);
/* The failure store's reason for a line that is valid JSON but no object,
 * one text for every tool: "not an event: the line is an array, not a JSON
 * object". top is the line's enum hub_json_type. */
const char *hub_not_object_reason(int top);
/* The argument of --max-line: a size as hub_parse_size() reads it; a bad
 * one is a usage error (exit 64). */
size_t hub_max_line_option(const char *arg);
/* Parse a size such as 16M, 512k, 1G (for --max-line). 0 on error. */
size_t hub_parse_size(const char *s);

#endif
