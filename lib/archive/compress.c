/* archive/compress.c: a closed plain segment into base.ndjson.zst with its
 * index, for the writer (--compress) and for `hub-archive compress`.
 *
 * Invariant: at every moment one complete form of the segment exists; the
 * plain file is removed only after the compressed one and its index are
 * written (and fsynced, when asked). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/record.h"
#include "archive/segindex-internal.h"
#include "archive/segment-internal.h"
#include "archive/writer.h"
#include "archive/writer-internal.h"
#include "core/buf.h"
#include "core/file-internal.h"

/* Compresses base.ndjson into base.ndjson.zst, then writes the index (b's
 * entries with the frames), then removes the plain file: at every moment
 * one complete form of the segment exists. */
int hub_archive_compress_with(const char *base, struct hub_aindex_builder *b, int level, size_t frame_size,
                              int do_fsync, char *err, size_t errlen)
{
	struct hub_buf plain = { 0 }, zst = { 0 }, idx = { 0 };
	int rc = -1;

	hub_buf_addf(&plain, "%s.ndjson", base);
	hub_buf_addf(&zst, "%s.ndjson.zst", base);
	hub_buf_addf(&idx, "%s.idx", base);
	hub_buf_cstr(&plain);
	hub_buf_cstr(&zst);
	hub_buf_cstr(&idx);
	if (hub_segment_compress(plain.data, zst.data, level, frame_size, b, do_fsync, err, errlen) != 0)
		goto out;
	if (hub_aindex_write(b, idx.data, do_fsync, err, errlen) != 0)
		goto out;
	if (unlink(plain.data) != 0) {
		snprintf(err, errlen, "%s: %s", plain.data, strerror(errno));
		goto out;
	}
	if (do_fsync)
		hub_fsync_dir(plain.data);
	rc = 0;
out:
	hub_buf_free(&plain);
	hub_buf_free(&zst);
	hub_buf_free(&idx);
	return rc;
}

int hub_archive_compress_segment(const char *base, int level, size_t frame_size, int do_fsync,
                                 char *err, size_t errlen)
{
	struct hub_aindex_builder b = { 0 };
	struct hub_aindex ix;
	struct hub_buf plain = { 0 }, idx = { 0 };
	int rc = -1;

	hub_buf_addf(&plain, "%s.ndjson", base);
	hub_buf_addf(&idx, "%s.idx", base);
	hub_buf_cstr(&plain);
	hub_buf_cstr(&idx);
	/* the entries of a complete index are kept; otherwise the lines are read */
	if (hub_aindex_open(idx.data, &ix) == 0) {
		struct stat st;

		if (stat(plain.data, &st) == 0 && ix.covered == (uint64_t)st.st_size &&
		    hub_aindex_load_entries(&ix, HUB_AINDEX_ID, &b) == 0 &&
		    hub_aindex_load_entries(&ix, HUB_AINDEX_SUBJECT, &b) == 0) {
			b.covered = ix.covered;
			b.nlines = ix.nlines;
		} else {
			hub_aindex_builder_reset(&b);
		}
		hub_aindex_close(&ix);
	}
	if (b.covered == 0) {
		struct hub_segment s;
		struct hub_arec_parser *p;
		const char *d;
		size_t n;
		uint64_t u;

		if (hub_segment_open(&s, plain.data, 0, err, errlen) != 0)
			goto out;
		p = hub_arec_parser_new();
		while (hub_segment_next(&s, &d, &n, &u, err, errlen) == 1)
			b.covered = u + hub_aindex_add_lines(&b, p, d, n, u);
		hub_arec_parser_free(p);
		hub_segment_close(&s);
	}
	rc = hub_archive_compress_with(base, &b, level, frame_size, do_fsync, err, errlen);
out:
	hub_aindex_builder_free(&b);
	hub_buf_free(&plain);
	hub_buf_free(&idx);
	return rc;
}
