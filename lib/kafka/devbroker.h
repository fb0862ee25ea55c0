/* kafka/devbroker.h: where a running hub-devbroker records its address.
 *
 * The file holds one line, the bootstrap address. Tools read it when no
 * broker is configured at all, so `hub-devbroker &` followed by
 * `hub-produce -t x` just works on a development machine. Path:
 * $HUB_DEVBROKER_FILE, else $XDG_RUNTIME_DIR/hub-devbroker, else
 * /tmp/hub-devbroker.<uid>. */
#ifndef HUB_DEVBROKER_H
#define HUB_DEVBROKER_H

#include <stddef.h>

/* A group member's session.timeout.ms on the development broker, unless
 * configured: it holds a group that long (less a second) after a member
 * leaves (kafka/client.c). */
#define HUB_DEVBROKER_SESSION_MS "6000"

/* Writes the path into buf; returns 0, or -1 if it does not fit. */
int hub_devbroker_path(char *buf, size_t n);
/* The recorded address (malloc'd, trimmed), or NULL if none. */
char *hub_devbroker_read(void);
/* Records the address atomically (temporary file, then rename). 0 or -1. */
int hub_devbroker_write(const char *bootstrap);
/* Whether a broker answers at the first address of bootstrap (a TCP
 * connect; the recorded broker may have died without removing its record). */
int hub_devbroker_alive(const char *bootstrap);
/* Removes the record if it still holds this address. */
void hub_devbroker_remove(const char *bootstrap);

#endif
