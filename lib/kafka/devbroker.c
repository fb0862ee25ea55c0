/* kafka/devbroker.c: recording and finding the development broker's address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kafka/devbroker.h"
#include "core/diag.h"
#include "core/file-internal.h"

int hub_devbroker_path(char *buf, size_t n)
{
	static const char *const where[] = { "@runtime/hub-devbroker", "/tmp/hub-devbroker.@uid", NULL };
	char *path = hub_default_path("HUB_DEVBROKER_FILE", where, HUB_PATH_FIRST);
	int len = snprintf(buf, n, "%s", path);

	free(path);
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

char *hub_devbroker_read(void)
{
	char path[4096], line[1024];
	FILE *f;
	size_t len;

	if (hub_devbroker_path(path, sizeof(path)) < 0 || !(f = fopen(path, "r")))
		return NULL;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	len = strcspn(line, " \t\r\n");
	if (len == 0)
		return NULL;
	return hub_xstrndup(line, len);
}

int hub_devbroker_write(const char *bootstrap)
{
	char path[4096], tmp[4200];
	FILE *f;

	if (hub_devbroker_path(path, sizeof(path)) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if (!(f = fopen(tmp, "w")))
		return -1;
	fprintf(f, "%s\n", bootstrap);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

void hub_devbroker_remove(const char *bootstrap)
{
	char path[4096];
	char *now = hub_devbroker_read();

	if (now && strcmp(now, bootstrap) == 0 && hub_devbroker_path(path, sizeof(path)) == 0)
		unlink(path);
	free(now);
}

int hub_devbroker_alive(const char *bootstrap)
{
	char host[256], *colon;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	size_t len = strcspn(bootstrap, ",");
	int fd, up = 0;

	if (len == 0 || len >= sizeof(host))
		return 0;
	memcpy(host, bootstrap, len);
	host[len] = '\0';
	if (!(colon = strrchr(host, ':')))
		return 0;
	*colon = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
		return 0;
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		up = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
		close(fd);
	}
	freeaddrinfo(ai);
	return up;
}
