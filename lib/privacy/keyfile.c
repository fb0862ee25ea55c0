/* privacy/keyfile.c: reading, checking and creating hub-tokenize key files.
 *
 * The file is read with one read(2) into sodium_malloc memory, decoded
 * straight into locked memory, and every buffer that held key bytes is
 * wiped before it is freed; the derived subkeys are then made read-only.
 * Permissions are checked on the open descriptor (fstat), so the file
 * checked is the file read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/diag.h"
#include "core/file-internal.h"
#include "core/exitcodes.h"
#include "privacy/keyfile.h"

#define KEYFILE_MAX (256u << 10)
#define KDF_CONTEXT "hubtoken"   /* crypto_kdf context: 8 bytes */

enum { SUBKEY_ENC = 1, SUBKEY_SIV = 2, SUBKEY_HASH = 3 };

char *hub_keyfile_default(const char *path)
{
	static const char *const where[] = { "@config/hub/tokenize.key", NULL };

	return path ? hub_xstrdup(path) : hub_default_path("HUB_KEY_FILE", where, HUB_PATH_FIRST);
}

/* The whole file into sodium_malloc memory (NUL-terminated), after the
 * permission check. Returns the buffer, or NULL with err and *status. */
static char *read_locked(const char *path, size_t *len, int *status, char *err, size_t errlen)
{
	struct stat sb;
	char *text;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		*status = errno == ENOENT ? HUB_EXIT_NOINPUT : HUB_EXIT_CONFIG;
		snprintf(err, errlen, "key file %s: %s%s", path, strerror(errno),
		         errno == ENOENT ? " (create one with hub-tokenize --genkey FILE)" : "");
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "key file %s: not a regular file", path);
		goto refused;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "key file %s is accessible by group or others (mode %04o); "
		         "refusing it: run chmod 600 %s", path, (unsigned)(sb.st_mode & 07777), path);
		goto refused;
	}
	if ((size_t)sb.st_size > KEYFILE_MAX) {
		snprintf(err, errlen, "key file %s: larger than %u bytes, not a key file", path, KEYFILE_MAX);
		goto refused;
	}
	if (!(text = sodium_malloc((size_t)sb.st_size + 1)))
		hub_die(HUB_EXIT_SOFTWARE, "out of locked memory for the key file");
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, text + got, (size_t)sb.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "key file %s: read: %s", path, r < 0 ? strerror(errno) : "file shrank");
			sodium_free(text);
			goto refused;
		}
		got += (size_t)r;
	}
	text[got] = '\0';
	close(fd);
	*len = got;
	return text;
refused:
	close(fd);
	*status = HUB_EXIT_CONFIG;
	return NULL;
}

/* One "VERSION KEY" line into k. Returns 0, or -1 with err. */
static int parse_line(const char *line, size_t n, struct hub_key *k, const char *path, int lineno,
                      char *err, size_t errlen)
{
	unsigned char *master;
	size_t i = 0, binlen = 0;
	unsigned long v = 0;
	const char *b64end;
	int rc = -1;

	while (i < n && line[i] >= '0' && line[i] <= '9' && v <= HUB_KEY_MAX_VERSION)
		v = v * 10 + (unsigned long)(line[i++] - '0');
	if (i == 0 || v == 0 || v > HUB_KEY_MAX_VERSION || i == n || (line[i] != ' ' && line[i] != '\t')) {
		snprintf(err, errlen, "key file %s:%d: expected 'VERSION KEY' with a version from 1 to %u",
		         path, lineno, HUB_KEY_MAX_VERSION);
		return -1;
	}
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (n > i && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
		n--;
	if (!(master = sodium_malloc(HUB_KEY_BYTES + 1)))
		hub_die(HUB_EXIT_SOFTWARE, "out of locked memory for keys");
	if (sodium_base642bin(master, HUB_KEY_BYTES + 1, line + i, n - i, NULL, &binlen, &b64end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 || b64end != line + n ||
	    binlen != HUB_KEY_BYTES) {
		snprintf(err, errlen, "key file %s:%d: the key is not %d bytes of base64", path, lineno,
		         HUB_KEY_BYTES);
		goto out;
	}
	k->version = (uint32_t)v;
	crypto_kdf_derive_from_key(k->enc, sizeof(k->enc), SUBKEY_ENC, KDF_CONTEXT, master);
	crypto_kdf_derive_from_key(k->siv, sizeof(k->siv), SUBKEY_SIV, KDF_CONTEXT, master);
	crypto_kdf_derive_from_key(k->hash, sizeof(k->hash), SUBKEY_HASH, KDF_CONTEXT, master);
	rc = 0;
out:
	sodium_free(master);   /* wipes */
	return rc;
}

int hub_keyring_load(struct hub_keyring *kr, const char *path, int *status, char *err, size_t errlen)
{
	size_t len, lines = 0;
	char *text, *p, *end;
	int lineno = 0;

	memset(kr, 0, sizeof(*kr));
	if (sodium_init() < 0)
		hub_die(HUB_EXIT_SOFTWARE, "libsodium could not be initialised");
	if (!(text = read_locked(path, &len, status, err, errlen)))
		return -1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (!(kr->keys = sodium_allocarray(lines + 1, sizeof(struct hub_key))))
		hub_die(HUB_EXIT_SOFTWARE, "out of locked memory for keys");
	*status = HUB_EXIT_CONFIG;
	for (p = text, end = text + len; p < end; p = end == p ? p : p + 1) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *s = p;

		lineno++;
		p += n;
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		if (n == 0 || *s == '#' || (n == 1 && *s == '\r'))
			continue;
		if (parse_line(s, n, &kr->keys[kr->n], path, lineno, err, errlen) < 0)
			goto fail;
		for (int j = 0; j < kr->n; j++)
			if (kr->keys[j].version == kr->keys[kr->n].version) {
				snprintf(err, errlen, "key file %s:%d: version %u appears twice", path, lineno,
				         (unsigned)kr->keys[j].version);
				goto fail;
			}
		if (kr->keys[kr->n].version > kr->keys[kr->newest].version)
			kr->newest = kr->n;
		kr->n++;
	}
	sodium_free(text);
	text = NULL;
	if (kr->n == 0) {
		snprintf(err, errlen, "key file %s holds no key (create one with hub-tokenize --genkey FILE)", path);
		goto fail;
	}
	sodium_mprotect_readonly(kr->keys);
	*status = HUB_EXIT_OK;
	return 0;
fail:
	if (text)
		sodium_free(text);
	hub_keyring_free(kr);
	return -1;
}

void hub_keyring_free(struct hub_keyring *kr)
{
	if (kr->keys)
		sodium_free(kr->keys);   /* wipes, whatever its protection */
	kr->keys = NULL;
	kr->n = 0;
}

const struct hub_key *hub_keyring_find(const struct hub_keyring *kr, uint32_t version)
{
	for (int i = 0; i < kr->n; i++)
		if (kr->keys[i].version == version)
			return &kr->keys[i];
	return NULL;
}

const struct hub_key *hub_keyring_newest(const struct hub_keyring *kr)
{
	return kr->n ? &kr->keys[kr->newest] : NULL;
}

int hub_keyfile_generate(const char *path, uint32_t *version, char *err, size_t errlen)
{
	static const char header[] =
		"# hub-tokenize key file: one key a line, VERSION KEY (32 bytes, base64).\n"
		"# New tokens use the highest version; keep the older lines to read old tokens.\n"
		"# Keep this file mode 0600: hub-tokenize refuses it otherwise.\n";
	enum { B64 = sodium_base64_ENCODED_LEN(HUB_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL) };
	struct hub_keyring kr;
	unsigned char *master;
	char *line;
	int fd, status, rc = -1, fresh = access(path, F_OK) != 0;
	uint32_t v = 1;

	if (sodium_init() < 0)
		hub_die(HUB_EXIT_SOFTWARE, "libsodium could not be initialised");
	if (!fresh) {
		/* locked while the highest version is read and the next written,
		 * so two rotations at once cannot both write version N+1 */
		if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0 || flock(fd, LOCK_EX) < 0) {
			snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (hub_keyring_load(&kr, path, &status, err, errlen) < 0) {
			close(fd);
			return -1;
		}
		v = hub_keyring_newest(&kr)->version + 1;
		hub_keyring_free(&kr);
		if (v > HUB_KEY_MAX_VERSION) {
			snprintf(err, errlen, "key file %s: no version left after %u", path, HUB_KEY_MAX_VERSION);
			close(fd);
			return -1;
		}
	} else {
		hub_mkdir_parents(path, 0700);   /* ~/.config/hub on a fresh account */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	master = sodium_malloc(HUB_KEY_BYTES);
	line = sodium_malloc(B64 + 16);
	if (!master || !line)
		hub_die(HUB_EXIT_SOFTWARE, "out of locked memory for keys");
	crypto_kdf_keygen(master);
	snprintf(line, 16, "%u ", (unsigned)v);
	sodium_bin2base64(line + strlen(line), B64, master, HUB_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
	strcat(line, "\n");
	if ((fresh && hub_write_all(fd, header, sizeof(header) - 1) < 0) || hub_write_all(fd, line, strlen(line)) < 0 ||
	    fsync(fd) < 0) {
		snprintf(err, errlen, "key file %s: write: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) < 0) {
		snprintf(err, errlen, "key file %s: close: %s", path, strerror(errno));
		goto out;
	}
	*version = v;
	rc = 0;
out:
	sodium_free(line);
	sodium_free(master);
	return rc;
}
