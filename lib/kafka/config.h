/* kafka/config.h: librdkafka properties from files, the environment and -X.
 *
 * Precedence, lowest first: the default config file (only when no -F is
 * given: $HUB_CONFIG, else $XDG_CONFIG_HOME/hub/hub.conf or
 * ~/.config/hub/hub.conf, else /etc/hub/hub.conf), then $HUB_BROKERS,
 * then -F files and -X properties in command-line order, then -b. With
 * nothing set, the address recorded by a running hub-devbroker is used.
 * A file holds key=value lines; '#' starts a comment line. TLS and SASL to
 * a real cluster are therefore a config file, not a code change. */
#ifndef HUB_CONFIG_H
#define HUB_CONFIG_H

#include <stddef.h>

#include "core/error.h"

struct hub_config {
	char **keys;
	char **values;
	int n;
	int explicit_file;      /* a -F was given: skip the default file */
};

/* key=value; 0, or -1 with e set (a usage error). */
int hub_config_set_kv(struct hub_config *cfg, const char *kv, struct hub_error *e);
void hub_config_set(struct hub_config *cfg, const char *key, const char *value);
/* key=value lines; 0, or -1 with e set (a configuration error, 78). */
int hub_config_load_file(struct hub_config *cfg, const char *path, struct hub_error *e);
const char *hub_config_get(const struct hub_config *cfg, const char *key);
/* Loads the default file and $HUB_BROKERS under what is already set
 * (entries already present win). 0, or -1 with e set. */
int hub_config_load_defaults(struct hub_config *cfg, struct hub_error *e);
/* The broker list in force (bootstrap.servers or metadata.broker.list). */
const char *hub_config_brokers(const struct hub_config *cfg);
void hub_config_free(struct hub_config *cfg);

/* The configuration files read so far, ", "-separated, or NULL. */
const char *hub_config_files(void);

#endif
