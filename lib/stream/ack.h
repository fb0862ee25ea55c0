/* stream/ack.h: end-to-end acknowledgements between hub tools joined by a pipe.
 *
 * A pipeline stays a line of `|`, and no event is acknowledged before the
 * last stage has it: every hub tool that writes a pipe listens on a Unix
 * socket named after that pipe (abstract namespace, "hub-ack:DEV:INODE",
 * so nothing is left on disk), and every hub tool that reads a pipe
 * connects to the one named after its standard input before it reads a
 * byte. Over that link the reader tells the writer, cumulatively, how many
 * of the pipe's bytes it has made safe: stored and fsynced (hub-archive),
 * delivered (hub-produce), or written on and made safe in turn by its own
 * reader (the filters). hub-consume commits an offset only once the bytes
 * of its event are safe in that sense, so a chain of hub tools commits
 * only what its last stage holds (hub(7), "End to end").
 *
 * A reader that is not a hub tool never connects; the writer then counts
 * as safe what the reader took out of the pipe (FIONREAD), and a file or
 * terminal counts what was written. Both ends check that the peer runs as
 * the same user; the writer also that the peer reads this very pipe. */
#ifndef HUB_ACK_H
#define HUB_ACK_H

#include <stddef.h>
#include <stdint.h>

/* The writer's side: our output, and what its reader made safe. */
struct hub_ack_out;

/* Starts listening when fd is a pipe (before the first byte is written to
 * it). Never fails: without a socket the output is counted as a plain
 * pipe. */
struct hub_ack_out *hub_ack_out_new(int fd);
/* n more bytes were written to the output. */
void hub_ack_out_wrote(struct hub_ack_out *o, uint64_t n);
/* How many of the bytes written are safe now (reads the link's news
 * without waiting). */
uint64_t hub_ack_out_safe(struct hub_ack_out *o);
/* Whether a hub tool reads the output and acknowledges it. */
int hub_ack_out_linked(const struct hub_ack_out *o);
/* The descriptor to poll for news from the reader (the connected link, or
 * the listening socket while no reader has connected), or -1. */
int hub_ack_out_fd(const struct hub_ack_out *o);
/* Whether the reader commits the writer's Kafka offsets itself, in its
 * own transaction (hub-produce --transactional-id): the writer then
 * stores none, and tells the reader its cuts instead (hub_ack_out_tell). */
int hub_ack_out_txn(struct hub_ack_out *o);
/* A message line (with its newline) to the reader: "cut POS ...", the
 * offsets that go with the first POS bytes. Waits while the link is full;
 * 0, or -1 when the reader has gone. */
int hub_ack_out_tell(struct hub_ack_out *o, const char *msg, size_t len);
/* The end of the output: the pipe is closed (fd replaced by /dev/null, so
 * the reader sees its end), then waits until every byte written is safe,
 * the reader has gone, or nothing has moved for patience_ms. Without a
 * link it waits, with the same patience, for the reader to empty the pipe
 * before closing. Returns the safe byte count. */
uint64_t hub_ack_out_end(struct hub_ack_out *o, int patience_ms);
void hub_ack_out_free(struct hub_ack_out *o);

/* The reader's side: our input, and the link back to its writer. */
struct hub_ack_in;

/* Connects to the writer of fd when fd is a pipe that a hub tool writes
 * (waiting, if need be, until the first input arrives, which proves the
 * writer is listening). NULL when there is none. HUB_ACK_TXN: this reader
 * commits the writer's offsets in its own transactions. */
#define HUB_ACK_TXN 1
struct hub_ack_in *hub_ack_in_new(int fd, int flags);
/* From now on this reader commits the writer's offsets in transactions
 * (a filter whose own reader turned out to be hub-produce
 * --transactional-id): the writer stores none from now on. */
void hub_ack_in_txn(struct hub_ack_in *i);
/* The link's descriptor, to poll for the writer's messages; -1 when gone. */
int hub_ack_in_fd(const struct hub_ack_in *i);
/* The next message line from the writer (without its newline) into *msg,
 * without waiting: 1, or 0 when none is there. */
int hub_ack_in_news(struct hub_ack_in *i, char **msg, size_t *len);
/* The first `bytes` bytes of the input are safe (cumulative; a smaller
 * number than before is ignored). Never blocks: what the link cannot take
 * now goes with the next call. */
void hub_ack_in_send(struct hub_ack_in *i, uint64_t bytes);
/* hub_ack_in_send() with whatever could not go yet. */
void hub_ack_in_retry(struct hub_ack_in *i);
void hub_ack_in_free(struct hub_ack_in *i);

/* For a tool whose lines finish out of order (hub-produce: delivery
 * reports): acknowledges the input up to the first line not finished. */
struct hub_ack_lines;

/* NULL (and every call a no-op) when up is NULL. */
struct hub_ack_lines *hub_ack_lines_new(struct hub_ack_in *up);
/* Line `line` was read; the input up to its end is `consumed` bytes.
 * pause: the input may pause after it (the acknowledgement must not wait
 * for more lines). */
void hub_ack_lines_read(struct hub_ack_lines *a, uint64_t line, uint64_t consumed, int pause);
/* Line `line` is finished (delivered, or in the failure store). */
void hub_ack_lines_done(struct hub_ack_lines *a, uint64_t line);
void hub_ack_lines_free(struct hub_ack_lines *a);

#endif
