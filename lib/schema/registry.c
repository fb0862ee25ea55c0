/* schema/registry.c: reading the schema registry directory into memory.
 *
 * Everything is read and compiled at start-up, so a run never touches the
 * file system per event, and a broken registry is refused before the first
 * event rather than halfway. The checks here are those --lint reports:
 * they apply to every load, so hub-validate never runs on a registry that
 * lint would reject. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/diag.h"
#include "core/file-internal.h"
#include "schema/registry.h"

static const char *const compat_names[] = {
	"BACKWARD", "FORWARD", "FULL", "BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE",
	"FULL_TRANSITIVE", "NONE",
};

const char *hub_compat_name(enum hub_compat c)
{
	return compat_names[c];
}

int hub_compat_parse(const char *word, enum hub_compat *c)
{
	for (int i = 0; i <= HUB_COMPAT_NONE; i++)
		if (strcmp(word, compat_names[i]) == 0) {
			*c = i;
			return 0;
		}
	return -1;
}

#ifndef HUB_DATADIR
#define HUB_DATADIR "/usr/local/share/hub"
#endif

/* $HUB_SCHEMAS, else ./schemas (a checkout, or a site's own registry in
 * the working directory), else the registry installed beside the program
 * (PREFIX/bin/../share/hub/schemas, for whatever PREFIX it was installed
 * to), else the checkout's own when the program runs from its build folder
 * (build/bin/../../schemas, so build/bin can be put on PATH), else the one
 * of the PREFIX it was built for. */
const char *hub_registry_default_dir(void)
{
	static const char *const where[] = { "schemas", "@exe/../share/hub/schemas", "@exe/../../schemas",
	                                     HUB_DATADIR "/schemas", NULL };
	static char *dir;

	if (!dir)
		dir = hub_default_path("HUB_SCHEMAS", where, HUB_PATH_EXISTING_OR_LAST);
	return dir;
}

static void problem(struct hub_registry *reg, struct hub_buf *out, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct hub_registry *reg, struct hub_buf *out, const char *file, const char *fmt, ...)
{
	va_list ap;
	char msg[600];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hub_buf_addf(out, "%s: %s\n", file, msg);
	reg->nproblems++;
}

/* A registry file: regular, at most 1 MiB (a schema is a few KiB); NULL
 * with the reason in why (errno set: ENOENT when it is not there). */
#define REGISTRY_FILE_MAX (1u << 20)
static char *slurp(const char *path, size_t *len, char *why, size_t whylen)
{
	return hub_read_file(path, REGISTRY_FILE_MAX, len, why, whylen);
}

static char *join(const char *a, const char *b)
{
	struct hub_buf p = { 0 };

	hub_buf_addf(&p, "%s/%s", a, b);
	hub_buf_cstr(&p);
	return p.data;
}

/* The first word of a one-word file such as compatibility; 1 if read. */
static int read_mode(struct hub_registry *reg, struct hub_buf *out, const char *path, enum hub_compat *c)
{
	size_t len;
	char why[128], *text = slurp(path, &len, why, sizeof(why)), *word;

	if (!text) {
		if (errno != ENOENT)
			problem(reg, out, path, "%s", why);
		return 0;
	}
	word = text + strspn(text, " \t\r\n");
	word[strcspn(word, " \t\r\n")] = '\0';
	if (hub_compat_parse(word, c) < 0)
		problem(reg, out, path, "unknown compatibility mode '%s' (BACKWARD, FORWARD, FULL, "
		        "BACKWARD_TRANSITIVE, FORWARD_TRANSITIVE, FULL_TRANSITIVE or NONE)", word);
	free(text);
	return 1;
}

/* "N.avsc" with N a positive decimal without leading zeros: N, else 0. */
static int version_of(const char *name)
{
	long v = 0;
	const char *p = name;

	if (*p < '1' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		if (v > 1000000)
			return 0;
	}
	return strcmp(p, ".avsc") == 0 ? (int)v : 0;
}

static int subject_name_valid(const char *s)
{
	if (!*s || *s == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static int by_version(const void *a, const void *b)
{
	return ((const struct hub_schema_version *)a)->version - ((const struct hub_schema_version *)b)->version;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct hub_subject *)a)->name, ((const struct hub_subject *)b)->name);
}

static void load_subject(struct hub_registry *reg, struct hub_buf *out, struct hub_subject *s,
                         enum hub_compat default_mode)
{
	char *dirpath = join(reg->dir, s->name), *path;
	DIR *d = opendir(dirpath);
	struct dirent *e;
	int cap = 0;

	s->compat = default_mode;
	if (!d) {
		problem(reg, out, dirpath, "%s", strerror(errno));
		free(dirpath);
		return;
	}
	while ((e = readdir(d))) {
		int v;

		if (e->d_name[0] == '.')
			continue;
		path = join(dirpath, e->d_name);
		if (strcmp(e->d_name, "compatibility") == 0) {
			read_mode(reg, out, path, &s->compat);
			free(path);
			continue;
		}
		if (!(v = version_of(e->d_name))) {
			problem(reg, out, path, "not a schema version: files are named 1.avsc, 2.avsc, ... "
			        "or compatibility");
			free(path);
			continue;
		}
		if (s->nversions == cap) {
			cap = cap ? 2 * cap : 4;
			s->versions = hub_xrealloc(s->versions, cap * sizeof(*s->versions));
		}
		memset(&s->versions[s->nversions], 0, sizeof(*s->versions));
		s->versions[s->nversions].version = v;
		s->versions[s->nversions].path = path;
		s->nversions++;
	}
	closedir(d);
	if (s->nversions > 1)
		qsort(s->versions, s->nversions, sizeof(*s->versions), by_version);
	for (int i = 0; i < s->nversions; i++) {
		struct hub_schema_version *sv = &s->versions[i];
		struct hub_buf errors = { 0 };
		size_t len;
		char why[128], *text = slurp(sv->path, &len, why, sizeof(why));

		if (sv->version != i + 1)
			problem(reg, out, sv->path, "versions must be numbered 1, 2, 3... without gaps "
			        "(version %d is missing)", i + 1);
		if (!text) {
			problem(reg, out, sv->path, "%s", why);
			continue;
		}
		sv->schema = hub_schema_compile(text, len, &errors);
		for (char *line = errors.data, *nl; line && line < errors.data + errors.len; line = nl + 1) {
			nl = memchr(line, '\n', errors.data + errors.len - line);
			problem(reg, out, sv->path, "%.*s", (int)(nl - line), line);
		}
		hub_buf_free(&errors);
		free(text);
	}
	if (s->nversions == 0)
		problem(reg, out, dirpath, "no schema: a subject holds 1.avsc and later versions");
	free(dirpath);
}

static int by_topic(const void *a, const void *b)
{
	return strcmp(((const struct hub_topic *)a)->topic, ((const struct hub_topic *)b)->topic);
}

/* A name Kafka accepts for a topic: 1 to 249 of [A-Za-z0-9._-], not "." or "..". */
static int topic_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 249 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* The next line of a registry text file with something on it (leading
 * blanks skipped, blank lines and # comments passed over), cut out in
 * place; *lineno counts every line. NULL at the end. */
static char *next_entry(char **text, int *lineno)
{
	char *line;

	while ((line = *text) && *line) {
		char *nl = strchr(line, '\n');

		*text = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		++*lineno;
		line += strspn(line, " \t\r");
		if (*line && *line != '#')
			return line;
	}
	return NULL;
}

/* DIR/topics, when there is one: "TOPIC SUBJECT" lines. */
static void load_topics(struct hub_registry *reg, struct hub_buf *out)
{
	char *path = join(reg->dir, "topics");
	size_t len;
	char why[128], *text = slurp(path, &len, why, sizeof(why)), *line, *next = text;
	int lineno = 0, cap = 0;

	if (!text) {
		if (errno != ENOENT)
			problem(reg, out, path, "%s", why);
		free(path);
		return;
	}
	while ((line = next_entry(&next, &lineno))) {
		char topic[512], subject[512], rest[8];
		const struct hub_subject *s;
		int n;

		n = sscanf(line, "%511s %511s %7s", topic, subject, rest);
		if (n != 2) {
			problem(reg, out, path, "line %d: expected \"TOPIC SUBJECT\"", lineno);
			continue;
		}
		if (!topic_name_valid(topic)) {
			problem(reg, out, path, "line %d: '%s' is not a Kafka topic name (1 to 249 letters, "
			        "digits, '.', '_', '-')", lineno, topic);
			continue;
		}
		if (!(s = hub_registry_find(reg, subject, strlen(subject)))) {
			problem(reg, out, path, "line %d: topic %s: no subject %s in %s", lineno, topic, subject,
			        reg->dir);
			continue;
		}
		if (hub_registry_topic(reg, topic, strlen(topic)) ||
		    (reg->ntopics && strcmp(reg->topics[reg->ntopics - 1].topic, topic) == 0)) {
			problem(reg, out, path, "line %d: topic %s is given twice: a topic carries one subject",
			        lineno, topic);
			continue;
		}
		if (reg->ntopics == cap) {
			cap = cap ? 2 * cap : 8;
			reg->topics = hub_xrealloc(reg->topics, cap * sizeof(*reg->topics));
		}
		reg->topics[reg->ntopics].topic = hub_xstrdup(topic);
		reg->topics[reg->ntopics].subject = (int)(s - reg->subjects);
		reg->ntopics++;
		/* kept sorted as they come, so the look-up above finds duplicates */
		qsort(reg->topics, reg->ntopics, sizeof(*reg->topics), by_topic);
	}
	free(text);
	free(path);
}

static void load_index(struct hub_registry *reg, struct hub_buf *out)
{
	char *path = join(reg->dir, "index");
	size_t len;
	char why[128], *text = slurp(path, &len, why, sizeof(why)), *line, *next = text;
	int lineno = 0;
	long *ids = NULL;
	int nids = 0;

	if (!text) {
		problem(reg, out, path, "%s: the index gives every schema its id (see hub-schemas(5))", why);
		free(path);
		return;
	}
	while ((line = next_entry(&next, &lineno))) {
		char subject[512], rest[8];
		long id;
		int version, n;
		struct hub_subject *s;

		n = sscanf(line, "%ld %511s %d %7s", &id, subject, &version, rest);
		if (n != 3 || id < 1 || version < 1) {
			problem(reg, out, path, "line %d: expected \"ID SUBJECT VERSION\" (ID and VERSION positive integers)", lineno);
			continue;
		}
		for (int i = 0; i < nids; i++)
			if (ids[i] == id)
				problem(reg, out, path, "line %d: id %ld is given twice: ids are unique", lineno, id);
		ids = hub_xrealloc(ids, (nids + 1) * sizeof(*ids));
		ids[nids++] = id;
		s = (struct hub_subject *)hub_registry_find(reg, subject, strlen(subject));
		for (int i = 0; s && i < s->nversions; i++) {
			if (s->versions[i].version != version)
				continue;
			if (s->versions[i].id)
				problem(reg, out, path, "line %d: %s version %d already has id %ld", lineno,
				        subject, version, s->versions[i].id);
			else
				s->versions[i].id = id;
			s = NULL;
			break;
		}
		if (s || !hub_registry_find(reg, subject, strlen(subject)))
			problem(reg, out, path, "line %d: no schema file %s/%s/%d.avsc", lineno, reg->dir, subject, version);
	}
	for (int i = 0; i < reg->nsubjects; i++)
		for (int k = 0; k < reg->subjects[i].nversions; k++)
			if (!reg->subjects[i].versions[k].id)
				problem(reg, out, reg->subjects[i].versions[k].path, "no id: add a line \"ID %s %d\" to %s",
				        reg->subjects[i].name, reg->subjects[i].versions[k].version, path);
	free(ids);
	free(text);
	free(path);
}

struct hub_registry *hub_registry_load(const char *dir, struct hub_buf *problems)
{
	struct hub_registry *reg;
	DIR *d = opendir(dir);
	struct dirent *e;
	enum hub_compat mode = HUB_COMPAT_BACKWARD;
	char *path;
	int cap = 0;

	if (!d) {
		hub_buf_addf(problems, "schema registry %s: %s (give --schemas DIR or set HUB_SCHEMAS)\n",
		             dir, strerror(errno));
		return NULL;
	}
	reg = hub_xcalloc(1, sizeof(*reg));
	reg->dir = hub_xstrdup(dir);
	path = join(dir, "compatibility");
	read_mode(reg, problems, path, &mode);
	reg->compat = mode;
	free(path);
	while ((e = readdir(d))) {
		struct hub_subject *s;

		if (e->d_name[0] == '.' || strcmp(e->d_name, "index") == 0 ||
		    strcmp(e->d_name, "compatibility") == 0 || strcmp(e->d_name, "topics") == 0)
			continue;
		path = join(dir, e->d_name);
		if (!subject_name_valid(e->d_name)) {
			problem(reg, problems, path, "not a subject name (letters, digits, '.', '_', '-')");
			free(path);
			continue;
		}
		free(path);
		if (reg->nsubjects == cap) {
			cap = cap ? 2 * cap : 8;
			reg->subjects = hub_xrealloc(reg->subjects, cap * sizeof(*reg->subjects));
		}
		s = &reg->subjects[reg->nsubjects++];
		memset(s, 0, sizeof(*s));
		s->name = hub_xstrdup(e->d_name);
		s->namelen = strlen(s->name);
	}
	closedir(d);
	if (reg->nsubjects > 1)
		qsort(reg->subjects, reg->nsubjects, sizeof(*reg->subjects), by_name);
	for (int i = 0; i < reg->nsubjects; i++)
		load_subject(reg, problems, &reg->subjects[i], mode);
	load_index(reg, problems);
	load_topics(reg, problems);
	return reg;
}

void hub_registry_free(struct hub_registry *reg)
{
	if (!reg)
		return;
	for (int i = 0; i < reg->nsubjects; i++) {
		struct hub_subject *s = &reg->subjects[i];

		for (int k = 0; k < s->nversions; k++) {
			hub_schema_free(s->versions[k].schema);
			free(s->versions[k].path);
		}
		free(s->versions);
		free(s->name);
	}
	for (int i = 0; i < reg->ntopics; i++)
		free(reg->topics[i].topic);
	free(reg->topics);
	free(reg->subjects);
	free(reg->dir);
	free(reg);
}

const struct hub_subject *hub_registry_find(const struct hub_registry *reg, const char *name, size_t len)
{
	int lo = 0, hi = reg->nsubjects - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c;
		const struct hub_subject *s = &reg->subjects[mid];
		size_t n = s->namelen < len ? s->namelen : len;

		c = memcmp(s->name, name, n);
		if (c == 0)
			c = s->namelen < len ? -1 : s->namelen > len;
		if (c == 0)
			return s;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

const struct hub_subject *hub_registry_topic(const struct hub_registry *reg, const char *topic, size_t len)
{
	int lo = 0, hi = reg->ntopics - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c;
		const char *t = reg->topics[mid].topic;
		size_t tl = strlen(t), n = tl < len ? tl : len;

		c = memcmp(t, topic, n);
		if (c == 0)
			c = tl < len ? -1 : tl > len;
		if (c == 0)
			return &reg->subjects[reg->topics[mid].subject];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

const struct hub_schema_version *hub_subject_version(const struct hub_subject *s, int v)
{
	if (s->nversions == 0)
		return NULL;
	if (v == 0)
		return &s->versions[s->nversions - 1];
	for (int i = 0; i < s->nversions; i++)
		if (s->versions[i].version == v)
			return &s->versions[i];
	return NULL;
}

int hub_dataschema_version(const char *s, size_t n)
{
	const char *end = s + n, *seg;
	long v = 0;

	while (end > s && end[-1] == '/')
		end--;
	seg = end;
	while (seg > s && seg[-1] != '/')
		seg--;
	if (end - seg > 5 && memcmp(end - 5, ".avsc", 5) == 0)
		end -= 5;
	if (seg < end && *seg == 'v')
		seg++;
	if (seg == end || *seg == '0')
		return 0;
	for (const char *p = seg; p < end; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
		if (v > 1000000)
			return 0;
	}
	return (int)v;
}
