/* deliver/auth.c: the secrets of hub-deliver, and Standard Webhooks signatures.
 *
 * Secrets come from files only, never from the command line (ps(1) and the
 * shell's history would show them); a file that group or others may read is
 * refused, as hub-tokenize refuses its key file. The signature follows the
 * Standard Webhooks specification: webhook-id, webhook-timestamp (Unix
 * seconds, new at every attempt) and webhook-signature "v1,<base64 of
 * HMAC-SHA256 over id.timestamp.body>", with the bytes of a whsec_ secret. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/exitcodes.h"
#include "deliver/deliver-internal.h"

#define SECRET_MAX 8192

char *hub_deliver_secret(const char *path, const char *option, size_t *len)
{
	struct stat sb;
	char *text;
	ssize_t got = 0, r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		hub_die(errno == ENOENT ? HUB_EXIT_NOINPUT : HUB_EXIT_CONFIG, "%s %s: %s", option, path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		hub_die(HUB_EXIT_CONFIG, "%s %s: not a regular file", option, path);
	if (sb.st_mode & (S_IRWXG | S_IRWXO))
		hub_die(HUB_EXIT_CONFIG, "%s %s is accessible by group or others (mode %04o); refusing a secret "
		        "others can read: run chmod 600 %s", option, path, (unsigned)(sb.st_mode & 07777), path);
	if (sb.st_size > SECRET_MAX)
		hub_die(HUB_EXIT_CONFIG, "%s %s: larger than %d bytes, not a secret", option, path, SECRET_MAX);
	text = hub_xmalloc((size_t)sb.st_size + 1);
	while (got < sb.st_size && (r = read(fd, text + got, (size_t)(sb.st_size - got))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			hub_die(HUB_EXIT_IOERR, "%s %s: %s", option, path, strerror(errno));
		got += r;
	}
	close(fd);
	/* the first line, without its end and trailing white space */
	text[got] = '\0';
	text[strcspn(text, "\r\n")] = '\0';
	*len = strlen(text);
	while (*len > 0 && (text[*len - 1] == ' ' || text[*len - 1] == '\t'))
		text[--*len] = '\0';
	if (*len == 0)
		hub_die(HUB_EXIT_CONFIG, "%s %s: the file is empty", option, path);
	return text;
}

void hub_deliver_secret_free(char *s, size_t len)
{
	if (s) {
		sodium_memzero(s, len);
		free(s);
	}
}

unsigned char *hub_webhook_secret(const char *path, size_t *len)
{
	size_t n;
	char *text = hub_deliver_secret(path, "--webhook-secret-file", &n);
	const char *b64 = strncmp(text, "whsec_", 6) == 0 ? text + 6 : text;
	struct hub_buf key = { 0 };

	if (hub_base64_decode(b64, strlen(b64), &key) < 0 || key.len < 16) {
		hub_deliver_secret_free(text, n);
		hub_buf_free(&key);
		hub_die(HUB_EXIT_CONFIG, "--webhook-secret-file %s: expected whsec_ and the secret in base64 "
		        "(at least 16 bytes), as the receiver gave it", path);
	}
	hub_deliver_secret_free(text, n);
	*len = key.len;
	return (unsigned char *)key.data;
}

static struct curl_slist *append(struct curl_slist *h, const char *line)
{
	struct curl_slist *n = curl_slist_append(h, line);

	if (!n)
		hub_die(HUB_EXIT_SOFTWARE, "out of memory");
	return n;
}

struct curl_slist *hub_webhook_sign(struct curl_slist *h, const unsigned char *secret, size_t secret_len,
                                    const char *id, size_t idlen, long long now, const char *body,
                                    size_t len)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24], hexid[2 * 16 + 1];
	struct hub_buf line = { 0 };

	if (idlen == 0) {
		/* no id of its own: one from the body, the same at every attempt */
		unsigned char hash[16];

		crypto_generichash(hash, sizeof(hash), (const unsigned char *)body, len, NULL, 0);
		sodium_bin2hex(hexid, sizeof(hexid), hash, sizeof(hash));
		id = hexid;
		idlen = strlen(hexid);
	}
	snprintf(ts, sizeof(ts), "%lld", now);
	crypto_auth_hmacsha256_init(&st, secret, secret_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, idlen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);

	hub_buf_adds(&line, "webhook-id: ");
	for (size_t i = 0; i < idlen; i++)   /* a header line holds no CR, LF or NUL */
		hub_buf_addc(&line, (id[i] == '\r' || id[i] == '\n' || id[i] == '\0') ? ' ' : id[i]);
	h = append(h, hub_buf_cstr(&line));
	hub_buf_reset(&line);
	hub_buf_addf(&line, "webhook-timestamp: %s", ts);
	h = append(h, hub_buf_cstr(&line));
	hub_buf_reset(&line);
	hub_buf_adds(&line, "webhook-signature: v1,");
	hub_buf_base64(&line, mac, sizeof(mac));
	h = append(h, hub_buf_cstr(&line));
	hub_buf_free(&line);
	sodium_memzero(&st, sizeof(st));
	return h;
}
