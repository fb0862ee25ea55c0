/* core/base64.h: base64url without padding (RFC 4648 section 5), table-driven.
 *
 * The same alphabet and the same accepted strings as libsodium's
 * sodium_base64_VARIANT_URLSAFE_NO_PADDING, at several times its speed:
 * libsodium's codec takes constant time to keep secret keys from leaking
 * through timing, which the public ciphertext of a token does not need.
 * Keys are still read with libsodium's (privacy/keyfile.c). */
#ifndef HUB_BASE64_H
#define HUB_BASE64_H

#include <stddef.h>

/* Characters that n bytes encode to (no terminating NUL). */
#define HUB_BASE64URL_LEN(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))

/* Writes the HUB_BASE64URL_LEN(n) characters of bin[0..n) to out. */
void hub_base64url_encode(char *out, const unsigned char *bin, size_t n);
/* Decodes text[0..len) into bin (room for len * 3 / 4 bytes); *binlen gets
 * the byte count. 0, or -1 when text is not canonical base64url: a
 * character outside the alphabet (padding included), a length of 4k+1, or
 * bits set past the last whole byte. */
int hub_base64url_decode(unsigned char *bin, size_t *binlen, const char *text, size_t len);

#endif
