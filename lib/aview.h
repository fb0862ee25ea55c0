/* aview.h: how archive search results are shown to people.
 *
 * trace: one row per event (time, type, id, source, topic, partition,
 * offset), columns aligned once every row is known. show: the stored event
 * pretty-printed inside a JSON object that says where it is kept and, for
 * events that came from Kafka, its coordinates; still valid JSON for jq. */
#ifndef HUB_AVIEW_H
#define HUB_AVIEW_H

#include <stdio.h>

#include "asearch.h"
#include "buf.h"

struct hub_table;

struct hub_table *hub_table_new(void);
void hub_table_add(struct hub_table *t, const struct hub_hit *hit);
/* Prints the header and rows, aligned. Returns the number of rows. */
size_t hub_table_print(struct hub_table *t, FILE *out);
void hub_table_free(struct hub_table *t);

/* Appends the show form of hit (with a final newline) to out. */
void hub_show_format(struct hub_buf *out, const struct hub_hit *hit);

#endif
