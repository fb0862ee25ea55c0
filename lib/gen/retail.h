/* retail.h: a small retail world that hub-gen-events narrates as CloudEvents.
 *
 * The world remembers its last customers and its open orders, so an order
 * is created, then paid, then shipped under one subject, and customers come
 * back. Each call writes one event as compact JSON (no newline) straight
 * into the caller's buffer; every random choice comes from the caller's
 * hub_prng, so the same seed tells the same story byte for byte. */
#ifndef HUB_GEN_RETAIL_H
#define HUB_GEN_RETAIL_H

#include <stdint.h>

struct hub_prng;
struct hub_retail;

/* The most bytes one event, or one defective line, can take. */
#define HUB_RETAIL_LINE_MAX 4096

/* A world whose clock starts at start_ms (milliseconds since the epoch,
 * UTC); each event is 1 to 399 ms after the one before. */
struct hub_retail *hub_retail_new(int64_t start_ms);
void hub_retail_free(struct hub_retail *w);

/* The next event, at p (room for HUB_RETAIL_LINE_MAX bytes): about 35%
 * orders created, 30% paid or shipped, 15% customers updated, 20% stock
 * adjusted. Returns the end of what was written. */
char *hub_retail_event(struct hub_retail *w, struct hub_prng *r, char *p);

/* The next event with one defect, at p: truncated JSON, no id, a wrong type
 * in data, no data, or a line that is not JSON, each a fifth of the time.
 * The world moves on as if the event had been sent whole. */
char *hub_retail_defect(struct hub_retail *w, struct hub_prng *r, char *p);

#endif
