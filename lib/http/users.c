/* http/users.c: the users file and password checks (see http/users.h).
 *
 * The cache of good passwords is a small open-addressed table of keyed
 * BLAKE2b digests of "user NUL password" (the key is random per
 * process), emptied when it is full; its mutex is held for the look-up
 * only, never during crypto_pwhash_str_verify. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/file-internal.h"
#include "http/users.h"

#define CACHE_SLOTS 1024

struct user {
	char *name;
	char *hash;
};

struct hub_http_users {
	struct user *users;
	int nusers;
	pthread_mutex_t lock;
	unsigned char key[crypto_generichash_KEYBYTES];
	unsigned char cache[CACHE_SLOTS][crypto_generichash_BYTES];
	unsigned char used[CACHE_SLOTS];
	int ncached;
};

struct hub_http_users *hub_http_users_load(const char *path, struct hub_buf *err)
{
	char why[160], *text, *line, *next;
	size_t len, before = err->len;
	struct hub_http_users *u;
	int lineno = 0, cap = 0;

	if (sodium_init() < 0) {
		hub_buf_addf(err, "libsodium cannot start");
		return NULL;
	}
	if (!(text = hub_read_file(path, 16u << 20, &len, why, sizeof(why)))) {
		hub_buf_addf(err, "%s: %s\n", path, why);
		return NULL;
	}
	u = hub_xcalloc(1, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	randombytes_buf(u->key, sizeof(u->key));
	for (line = text; line && *line; line = next) {
		char *colon, *end;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		end = line + strlen(line);
		while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*line || *line == '#')
			continue;
		colon = strchr(line, ':');
		if (!colon || colon == line) {
			hub_buf_addf(err, "%s: line %d: expected USER:HASH (hub-registry passwd USER makes one)\n",
			             path, lineno);
			continue;
		}
		*colon = '\0';
		if (strncmp(colon + 1, "$argon2", 7) != 0 || strlen(colon + 1) >= crypto_pwhash_STRBYTES) {
			hub_buf_addf(err, "%s: line %d: user %s: the hash is not a crypto_pwhash_str string "
			             "($argon2id$...; hub-registry passwd USER makes one)\n", path, lineno, line);
			continue;
		}
		for (int i = 0; i < u->nusers; i++)
			if (strcmp(u->users[i].name, line) == 0) {
				hub_buf_addf(err, "%s: line %d: user %s is given twice\n", path, lineno, line);
				goto next_line;
			}
		if (u->nusers == cap) {
			cap = cap ? 2 * cap : 8;
			u->users = hub_xrealloc(u->users, cap * sizeof(*u->users));
		}
		u->users[u->nusers].name = hub_xstrdup(line);
		u->users[u->nusers].hash = hub_xstrdup(colon + 1);
		u->nusers++;
next_line:;
	}
	sodium_memzero(text, len);
	free(text);
	if (err->len > before || u->nusers == 0) {
		if (err->len == before)
			hub_buf_addf(err, "%s: no users (hub-registry passwd USER >> %s adds one)\n", path, path);
		hub_http_users_free(u);
		return NULL;
	}
	return u;
}

void hub_http_users_free(struct hub_http_users *u)
{
	if (!u)
		return;
	for (int i = 0; i < u->nusers; i++) {
		free(u->users[i].name);
		free(u->users[i].hash);
	}
	free(u->users);
	pthread_mutex_destroy(&u->lock);
	sodium_memzero(u, sizeof(*u));
	free(u);
}

/* The slot of a digest: its place if cached, else -1 (*free_slot: where
 * it would go). */
static int find(struct hub_http_users *u, const unsigned char *d, int *free_slot)
{
	unsigned int h;

	memcpy(&h, d, sizeof(h));
	for (int i = 0; i < CACHE_SLOTS; i++) {
		int s = (h + i) % CACHE_SLOTS;

		if (!u->used[s]) {
			*free_slot = s;
			return -1;
		}
		if (sodium_memcmp(u->cache[s], d, crypto_generichash_BYTES) == 0)
			return s;
	}
	*free_slot = -1;
	return -1;
}

int hub_http_users_check(struct hub_http_users *u, const char *user, const char *password)
{
	unsigned char d[crypto_generichash_BYTES];
	crypto_generichash_state st;
	const struct user *who = NULL;
	int slot = -1, hit;

	for (int i = 0; i < u->nusers && !who; i++)
		if (strcmp(u->users[i].name, user) == 0)
			who = &u->users[i];
	if (!who)
		return 0;
	crypto_generichash_init(&st, u->key, sizeof(u->key), sizeof(d));
	crypto_generichash_update(&st, (const unsigned char *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const unsigned char *)password, strlen(password));
	crypto_generichash_final(&st, d, sizeof(d));
	pthread_mutex_lock(&u->lock);
	hit = find(u, d, &slot) >= 0;
	pthread_mutex_unlock(&u->lock);
	if (hit)
		return 1;
	if (crypto_pwhash_str_verify(who->hash, password, strlen(password)) != 0)
		return 0;
	pthread_mutex_lock(&u->lock);
	if (u->ncached >= CACHE_SLOTS * 3 / 4) {
		memset(u->used, 0, sizeof(u->used));
		u->ncached = 0;
	}
	if (find(u, d, &slot) < 0 && slot >= 0) {
		memcpy(u->cache[slot], d, sizeof(d));
		u->used[slot] = 1;
		u->ncached++;
	}
	pthread_mutex_unlock(&u->lock);
	return 1;
}

int hub_http_password_hash(const char *password, size_t len, struct hub_buf *out)
{
	char hash[crypto_pwhash_STRBYTES];

	if (sodium_init() < 0 ||
	    crypto_pwhash_str(hash, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -1;
	hub_buf_adds(out, hash);
	return 0;
}
