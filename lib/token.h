/* token.h: the three value transformations of hub-tokenize, on bytes.
 *
 *   token  tok<V>_<base64url>   XChaCha20-Poly1305 with a synthetic nonce:
 *          nonce = BLAKE2b(siv key; context, value), associated data =
 *          context. Deterministic (same key, context and value: same token),
 *          reversible with the key, and any change to the token, the
 *          context or the key makes opening it fail, never yield garbage.
 *   hash   hsh<V>_<base64url>   keyed BLAKE2b with its own subkey: a
 *          pseudonym for joins and counts, never reversible.
 *   mask   letters and digits but the last N replaced by '*'.
 * V is the key version. Values are whatever bytes the caller gives (the
 * raw JSON text of a field, for tokens); nothing here knows JSON. */
#ifndef HUB_TOKEN_H
#define HUB_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "keyfile.h"

enum hub_token_status {
	HUB_TOKEN_OK = 0,
	HUB_TOKEN_NOT_TOKEN,      /* not of the form tok<V>_<base64url> */
	HUB_TOKEN_UNKNOWN_KEY,    /* its version is not in the key file */
	HUB_TOKEN_FORGED,         /* does not verify: other key, other context, or altered */
};

/* Appends tok<V>_... for value under context, with key k. scratch is a
 * work buffer the caller keeps between calls. */
void hub_token_seal(const struct hub_key *k, const void *context, size_t ctxlen,
                    const void *value, size_t len, struct hub_buf *scratch, struct hub_buf *out);
/* Opens a token (its text, without JSON quotes) and appends the value.
 * *version gets the token's key version when it has one. */
enum hub_token_status hub_token_open(const struct hub_keyring *kr, const void *context, size_t ctxlen,
                                     const char *token, size_t n, struct hub_buf *scratch,
                                     struct hub_buf *out, uint32_t *version);
/* Whether text looks like a token (prefix and version), and its version. */
int hub_token_version(const char *text, size_t n, uint32_t *version);
/* Appends hsh<V>_...: keyed BLAKE2b of (context, kind, value), where kind
 * keeps a string "1" apart from a number 1. */
void hub_token_hash(const struct hub_key *k, const void *context, size_t ctxlen, char kind,
                    const void *value, size_t len, struct hub_buf *out);
/* Appends value with every ASCII letter and digit, and every non-ASCII
 * character, replaced by '*', except the last `keep` of them; other
 * characters (spaces, '+', '-', '@', '.') stay as they are. value must
 * be valid UTF-8. */
void hub_token_mask(const void *value, size_t len, int keep, struct hub_buf *out);
const char *hub_token_status_text(enum hub_token_status st);

#endif
