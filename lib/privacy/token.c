/* privacy/token.c: tokens, pseudonyms and masks with libsodium (see privacy/token-internal.h).
 *
 * The SIV-like construction: the nonce is a keyed hash of the context and
 * the value, so equal inputs give equal tokens (joins work) while the
 * nonce never repeats for different values. Opening recomputes that nonce
 * from the decrypted value and compares it too, so a token is accepted
 * only if it is exactly what sealing would have produced. */
#include <string.h>

#include <sodium.h>

#include "core/base64.h"
#include "privacy/token-internal.h"

#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define HASH_BYTES 24

/* The synthetic nonce: BLAKE2b(siv key; len(context) || context || value). */
static void synthetic_nonce(const struct hub_key *k, const void *context, size_t ctxlen,
                            const void *value, size_t len, unsigned char nonce[NONCE_BYTES])
{
	crypto_generichash_state st;
	unsigned char n8[8];

	for (int i = 0; i < 8; i++)
		n8[i] = (unsigned char)((uint64_t)ctxlen >> (8 * i));
	crypto_generichash_init(&st, k->siv, sizeof(k->siv), NONCE_BYTES);
	crypto_generichash_update(&st, n8, sizeof(n8));
	crypto_generichash_update(&st, context, ctxlen);
	crypto_generichash_update(&st, value, len);
	crypto_generichash_final(&st, nonce, NONCE_BYTES);
}

static void add_prefix(struct hub_buf *out, const char *kind, uint32_t version)
{
	hub_buf_adds(out, kind);
	hub_buf_add_int(out, version);
	hub_buf_addc(out, '_');
}

/* The ciphertext and hashes are public: base64url without libsodium's
 * constant-time codec (core/base64.c), the same characters. */
static void add_base64url(struct hub_buf *out, const unsigned char *bin, size_t n)
{
	size_t len = HUB_BASE64URL_LEN(n);

	hub_buf_reserve(out, len);
	hub_base64url_encode(out->data + out->len, bin, n);
	out->len += len;
}

void hub_token_seal(const struct hub_key *k, const void *context, size_t ctxlen,
                    const void *value, size_t len, struct hub_buf *scratch, struct hub_buf *out)
{
	unsigned char *bin;
	unsigned long long clen = 0;

	hub_buf_reset(scratch);
	hub_buf_reserve(scratch, NONCE_BYTES + len + TAG_BYTES);
	bin = (unsigned char *)scratch->data;
	synthetic_nonce(k, context, ctxlen, value, len, bin);
	crypto_aead_xchacha20poly1305_ietf_encrypt(bin + NONCE_BYTES, &clen, value, len, context, ctxlen,
	                                           NULL, bin, k->enc);
	add_prefix(out, "tok", k->version);
	add_base64url(out, bin, NONCE_BYTES + (size_t)clen);
}

int hub_token_version(const char *text, size_t n, uint32_t *version)
{
	uint32_t v = 0;
	size_t i = 3;

	if (n < 5 || memcmp(text, "tok", 3) != 0 || text[3] < '1' || text[3] > '9')
		return 0;
	while (i < n && text[i] >= '0' && text[i] <= '9' && v <= HUB_KEY_MAX_VERSION)
		v = v * 10 + (uint32_t)(text[i++] - '0');
	if (i == n || text[i] != '_' || v > HUB_KEY_MAX_VERSION)
		return 0;
	*version = v;
	return (int)i + 1;   /* where the body starts */
}

enum hub_token_status hub_token_open(const struct hub_keyring *kr, const void *context, size_t ctxlen,
                                     const char *token, size_t n, struct hub_buf *scratch,
                                     struct hub_buf *out, uint32_t *version)
{
	const struct hub_key *k;
	unsigned char nonce[NONCE_BYTES], *bin;
	unsigned long long mlen = 0;
	size_t binlen = 0, body;
	uint32_t v;

	if (!(body = (size_t)hub_token_version(token, n, &v)))
		return HUB_TOKEN_NOT_TOKEN;
	*version = v;
	hub_buf_reset(scratch);
	hub_buf_reserve(scratch, n);
	bin = (unsigned char *)scratch->data;
	if (hub_base64url_decode(bin, &binlen, token + body, n - body) != 0 ||
	    binlen < NONCE_BYTES + TAG_BYTES)
		return HUB_TOKEN_NOT_TOKEN;
	if (!(k = hub_keyring_find(kr, v)))
		return HUB_TOKEN_UNKNOWN_KEY;
	hub_buf_reserve(out, binlen);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out->data + out->len, &mlen, NULL,
	                                               bin + NONCE_BYTES, binlen - NONCE_BYTES,
	                                               context, ctxlen, bin, k->enc) != 0)
		return HUB_TOKEN_FORGED;
	synthetic_nonce(k, context, ctxlen, out->data + out->len, (size_t)mlen, nonce);
	if (sodium_memcmp(nonce, bin, NONCE_BYTES) != 0) {
		sodium_memzero(out->data + out->len, (size_t)mlen);
		return HUB_TOKEN_FORGED;
	}
	out->len += (size_t)mlen;
	return HUB_TOKEN_OK;
}

void hub_token_hash(const struct hub_key *k, const void *context, size_t ctxlen, char kind,
                    const void *value, size_t len, struct hub_buf *out)
{
	crypto_generichash_state st;
	unsigned char n8[8], h[HASH_BYTES];

	for (int i = 0; i < 8; i++)
		n8[i] = (unsigned char)((uint64_t)ctxlen >> (8 * i));
	crypto_generichash_init(&st, k->hash, sizeof(k->hash), sizeof(h));
	crypto_generichash_update(&st, n8, sizeof(n8));
	crypto_generichash_update(&st, context, ctxlen);
	crypto_generichash_update(&st, (const unsigned char *)&kind, 1);
	crypto_generichash_update(&st, value, len);
	crypto_generichash_final(&st, h, sizeof(h));
	add_prefix(out, "hsh", k->version);
	add_base64url(out, h, sizeof(h));
}

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

void hub_token_mask(const void *value, size_t len, int keep, struct hub_buf *out)
{
	const unsigned char *p = value, *end = p + len;
	size_t total = 0, seen = 0;

	/* characters that count: ASCII letters and digits, non-ASCII characters */
	for (const unsigned char *q = p; q < end; q++)
		if (is_alnum(*q) && (*q & 0xc0) != 0x80)
			total++;
	while (p < end) {
		size_t n = 1;

		if (*p >= 0x80)
			while (p + n < end && (p[n] & 0xc0) == 0x80)
				n++;
		if (!is_alnum(*p)) {
			hub_buf_addc(out, (char)*p);
		} else if (total - seen++ <= (size_t)keep) {
			hub_buf_add(out, p, n);
		} else {
			hub_buf_addc(out, '*');
		}
		p += n;
	}
}

const char *hub_token_status_text(enum hub_token_status st)
{
	switch (st) {
	case HUB_TOKEN_OK: return "ok";
	case HUB_TOKEN_NOT_TOKEN: return "not a token (expected tok<version>_<base64url>)";
	case HUB_TOKEN_UNKNOWN_KEY: return "token made with a key version not in the key file";
	case HUB_TOKEN_FORGED: return "token does not verify: another key, another field context, or altered";
	}
	return "?";
}
