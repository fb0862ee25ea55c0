/* archive/view.h: how archive search results are shown to people.
 *
 * trace: one row per event (time, type, id, source, topic, partition,
 * offset), columns aligned once every row is known. show: the stored event
 * pretty-printed inside a JSON object that says where it is kept and, for
 * events that came from Kafka, its coordinates; still valid JSON for jq. */
#ifndef HUB_AVIEW_H
#define HUB_AVIEW_H

#include <stdio.h>

#include "archive/search.h"
#include "core/buf.h"

struct hub_table;

struct hub_table *hub_table_new(void);
void hub_table_add(struct hub_table *t, const struct hub_hit *hit);
/* Prints the header and rows, aligned. Returns the number of rows. */
size_t hub_table_print(struct hub_table *t, FILE *out);
void hub_table_free(struct hub_table *t);

/* Appends the show form of hit (with a final newline) to out. */
void hub_show_format(struct hub_buf *out, const struct hub_hit *hit);

/* How search results are printed: the stored lines (NDJSON), the events
 * alone (events: envelopes' values), the show form, or the trace table. */
struct hub_view {
	int show, events, table;
	const char *failstore;   /* trace and show: its failures of the same subject or id are told */
	int io_error;            /* set when out could not be written */
};

/* Runs the query and prints its results to out as v says. Returns
 * hub_archive_find()'s status; a write error stops the search and sets
 * v->io_error. */
int hub_view_search(const char *dir, const struct hub_query *q, struct hub_view *v, FILE *out,
                    struct hub_search_stats *st, char *err, size_t errlen);
/* find, trace and show as commands: hub_view_search(), the counters on
 * stderr with stats, errors and an empty result said there too. Returns
 * the exit status: OK; FAILED, nothing found; NOINPUT, no archive at dir;
 * IOERR, out could not be written or a segment could not be read. */
int hub_view_run(const char *dir, const char *cmd, const struct hub_query *q, struct hub_view *v,
                 FILE *out, int stats);

#endif
