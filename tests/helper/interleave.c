/* tests/helper/interleave.c: events in the order a many-partition consumer delivers them.
 *
 *   interleave [-p PARTITIONS] [-c CHUNK] [-s SEED] FILE > out.ndjson
 *
 * Each line of FILE goes to the partition its "subject" hashes to (as a
 * producer keyed by subject does; no subject: partition 0), keeping the
 * order within a partition; the lines are then written a chunk of CHUNK
 * lines (default 8) at a time from a partition picked at random among
 * those with lines left (default 256 partitions, seed 1): the fetches of a
 * consumer reading a topic from the beginning, whose partitions drift
 * hours apart. The same arguments always give the same bytes. FILE is
 * mapped, and each partition keeps only the offsets of its lines. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct part {
	size_t *off;          /* starts of its lines, in order */
	size_t n, cap, next;
};

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

/* xorshift64*: enough for a shuffle a test can reproduce */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static size_t partition_of(const char *line, size_t len, size_t nparts)
{
	static const char key[] = "\"subject\":\"";
	const char *p = memmem(line, len, key, sizeof(key) - 1), *end;

	if (!p)
		return 0;
	p += sizeof(key) - 1;
	end = memchr(p, '"', len - (size_t)(p - line));
	if (!end)
		return 0;
	return (size_t)(fnv1a(p, (size_t)(end - p)) % nparts);
}

int main(int argc, char **argv)
{
	size_t nparts = 256, chunk = 8, live;
	uint64_t seed = 1;
	struct part *parts;
	struct stat st;
	const char *data;
	size_t *alive;
	int opt, fd;

	while ((opt = getopt(argc, argv, "p:c:s:")) != -1) {
		if (opt == 'p')
			nparts = strtoul(optarg, NULL, 10);
		else if (opt == 'c')
			chunk = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			seed = strtoull(optarg, NULL, 10);
		else
			return 64;
	}
	if (optind + 1 != argc || nparts == 0 || chunk == 0) {
		fprintf(stderr, "usage: interleave [-p PARTITIONS] [-c CHUNK] [-s SEED] FILE\n");
		return 64;
	}
	if ((fd = open(argv[optind], O_RDONLY)) < 0 || fstat(fd, &st) != 0) {
		perror(argv[optind]);
		return 66;
	}
	if (st.st_size == 0)
		return 0;
	data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (data == MAP_FAILED) {
		perror(argv[optind]);
		return 66;
	}
	parts = calloc(nparts, sizeof(*parts));
	alive = calloc(nparts, sizeof(*alive));
	if (!parts || !alive)
		return 71;
	for (size_t pos = 0; pos < (size_t)st.st_size;) {
		const char *nl = memchr(data + pos, '\n', (size_t)st.st_size - pos);
		size_t len = nl ? (size_t)(nl - data) - pos : (size_t)st.st_size - pos;
		struct part *p = &parts[partition_of(data + pos, len, nparts)];

		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 256;
			if (!(p->off = realloc(p->off, p->cap * sizeof(*p->off))))
				return 71;
		}
		p->off[p->n++] = pos;
		pos += len + 1;
	}
	live = 0;
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].n)
			alive[live++] = i;
	seed = seed * 0x9e3779b97f4a7c15ull + 1;
	while (live) {
		size_t k = (size_t)(next_rand(&seed) % live);
		struct part *p = &parts[alive[k]];

		for (size_t i = 0; i < chunk && p->next < p->n; i++, p->next++) {
			size_t at = p->off[p->next];
			const char *nl = memchr(data + at, '\n', (size_t)st.st_size - at);
			size_t len = nl ? (size_t)(nl - data) - at : (size_t)st.st_size - at;

			fwrite(data + at, 1, len, stdout);
			putchar('\n');
		}
		if (p->next == p->n)
			alive[k] = alive[--live];
	}
	for (size_t i = 0; i < nparts; i++)
		free(parts[i].off);
	free(parts);
	free(alive);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("writing standard output");
		return 74;
	}
	return 0;
}
