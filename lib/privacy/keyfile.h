/* privacy/keyfile.h: hub-tokenize's versioned keys, read once and kept locked.
 *
 * A key file holds one 32-byte master key a line, "VERSION KEY" with the
 * key in base64; the highest version makes new tokens, every version
 * reads old ones. Invariant: key material only ever lives in sodium_malloc
 * memory (locked, guarded, wiped on free), and a file readable by group or
 * others is refused before a byte of it is read. */
#ifndef HUB_KEYFILE_H
#define HUB_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#define HUB_KEY_BYTES 32
#define HUB_KEY_MAX_VERSION 65535u

/* The subkeys of one version, derived with crypto_kdf from its master key
 * (which is wiped once they are derived): one per purpose, so the nonce,
 * the cipher and the hash never share a key. */
struct hub_key {
	uint32_t version;
	unsigned char enc[HUB_KEY_BYTES];    /* XChaCha20-Poly1305 */
	unsigned char siv[HUB_KEY_BYTES];    /* keyed BLAKE2b: synthetic nonce */
	unsigned char hash[HUB_KEY_BYTES];   /* keyed BLAKE2b: hash mode */
};

struct hub_keyring {
	struct hub_key *keys;   /* sodium_malloc'd, read-only once loaded */
	int n;
	int newest;             /* index of the highest version */
};

/* The key file to use: path if given, else $HUB_KEY_FILE, else
 * $XDG_CONFIG_HOME/hub/tokenize.key (~/.config/hub/tokenize.key). The
 * result is malloc'd. */
char *hub_keyfile_default(const char *path);

/* Loads a key file. Returns 0, or -1 with a message in err and *status
 * set to the exit code (66: cannot open, 78: refused or malformed). */
int hub_keyring_load(struct hub_keyring *kr, const char *path, int *status, char *err, size_t errlen);
void hub_keyring_free(struct hub_keyring *kr);
const struct hub_key *hub_keyring_find(const struct hub_keyring *kr, uint32_t version);
const struct hub_key *hub_keyring_newest(const struct hub_keyring *kr);

/* Creates the key file (mode 0600) with version 1, or, when it exists,
 * appends a key one version above its highest (rotation). *version gets
 * the version written. Returns 0, or -1 with a message in err. */
int hub_keyfile_generate(const char *path, uint32_t *version, char *err, size_t errlen);

#endif
