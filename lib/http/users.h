/* http/users.h: HTTP Basic users, from a file of password hashes.
 *
 * The file has one "USER:HASH" line per user, HASH a libsodium
 * crypto_pwhash_str string ($argon2id$...), as `hub-registry passwd`
 * writes; '#' lines and blank lines are ignored. Passwords are never
 * stored. A hash takes a tenth of a second and 64 MiB to check, so a
 * password checked once is remembered (by a keyed hash of user and
 * password, for this process only) and a client's next requests on
 * keep-alive connections cost a look-up; wrong passwords are not
 * remembered and pay the full price every time. */
#ifndef HUB_HTTP_USERS_H
#define HUB_HTTP_USERS_H

#include <stddef.h>

#include "core/buf.h"

struct hub_http_users;

/* NULL with the problems in err (file unreadable, a line without a
 * valid hash, a user given twice: each "FILE: line N: ..."). */
struct hub_http_users *hub_http_users_load(const char *path, struct hub_buf *err);
void hub_http_users_free(struct hub_http_users *u);
/* 1 when user has this password, else 0. Thread-safe. */
int hub_http_users_check(struct hub_http_users *u, const char *user, const char *password);
/* A crypto_pwhash_str hash of password appended to out: 0, or -1 out of
 * memory (libsodium needs 64 MiB). */
int hub_http_password_hash(const char *password, size_t len, struct hub_buf *out);

#endif
