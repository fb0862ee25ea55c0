/* kafka/devbroker-cmd.h: hub-devbroker's command language, applied to a
 * librdkafka mock cluster (the commands: kafka/devbroker-cmd.c and
 * hub-devbroker(1)). */
#ifndef HUB_DEVBROKER_CMD_H
#define HUB_DEVBROKER_CMD_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/buf.h"

/* A whole number from min to max in *out: 0, or -1 (s NULL or not one). */
int hub_devbroker_number(const char *s, long min, long max, long *out);
/* "orders:8:1" -> topic, partitions (default 4), replication (default 1,
 * at most nbrokers). 0, or -1 with the reason reported. */
int hub_devbroker_create_topic(rd_kafka_mock_cluster_t *mc, const char *spec, int nbrokers);
/* Reads what fd has and runs each complete line as a command, keeping a
 * partial line in pending. *eof is set at end of input or a read error.
 * Returns 1 for quit, 0 otherwise. */
int hub_devbroker_serve(rd_kafka_mock_cluster_t *mc, int fd, struct hub_buf *pending, int nbrokers, int *eof);

#endif
