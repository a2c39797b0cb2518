// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by atcp's selftests (see atcp_test.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "atcp_test.h"

const char *atcp_ko_path(void)
{
	static char path[4096];
	const char *top = getenv("ATCP_TOP");

	snprintf(path, sizeof(path), "%s/module/atcp.ko", top ? top : ".");
	return path;
}

int atcp_load(void)
{
	int fd = open(atcp_ko_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int atcp_unload(void)
{
	return syscall(SYS_delete_module, "atcp", O_NONBLOCK) ? -errno : 0;
}

int atcp_loaded(void)
{
	FILE *f = fopen("/proc/modules", "r");
	char line[512];
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "atcp ", 5))
			found = 1;
	fclose(f);
	return found;
}

int atcp_ensure_loaded(void)
{
	return atcp_loaded() ? 0 : atcp_load();
}

int kmsg_splats(char *first, size_t len)
{
	static const char * const pats[] = {
		"WARNING:", "BUG:", "Oops", "KASAN:", "UBSAN:",
		"general protection", "circular locking",
		"possible recursive locking", "refcount_t:",
		"Objects remaining",	/* kmem_cache_destroy() of a leak */
	};
	static int fd = -1;
	char buf[8192];
	size_t i;
	int n = 0;
	ssize_t r;

	if (first && len)
		first[0] = 0;
	if (fd < 0) {
		/* First call: start at the end of the log. */
		fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		lseek(fd, 0, SEEK_END);
		return 0;
	}
	for (;;) {
		r = read(fd, buf, sizeof(buf) - 1);
		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (r <= 0)
			break;
		buf[r] = 0;
		for (i = 0; i < ARRAY_SIZE(pats); i++)
			if (strstr(buf, pats[i]))
				break;
		if (i == ARRAY_SIZE(pats))
			continue;
		if (!n && first && len)
			snprintf(first, len, "%s", buf);
		n++;
	}
	return n;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "A.B.C.D:PORT" into sin; -1 if it is not one. */
int parse_addr4(const char *s, struct sockaddr_in *sin)
{
	const char *colon = strrchr(s, ':');
	char host[64];

	if (!colon || colon - s >= (long)sizeof(host))
		return -1;
	memcpy(host, s, colon - s);
	host[colon - s] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

long read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

long retrans_segs(int proto)
{
	char line[1024], names[1024] = "", n[64], *a, *b, *sa, *sb;
	long v = -1, x;
	FILE *f;

	f = fopen(proto == IPPROTO_ATCP ? "/proc/net/atcp_snmp" :
		  "/proc/net/snmp", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (proto == IPPROTO_ATCP) {
			if (sscanf(line, "%63s %ld", n, &x) == 2 &&
			    !strcmp(n, "RetransSegs"))
				v = x;
			continue;
		}
		if (strncmp(line, "Tcp:", 4))
			continue;
		if (!names[0]) {	/* the names, then the values */
			memcpy(names, line, sizeof(names));
			continue;
		}
		a = strtok_r(names, "\n ", &sa);
		b = strtok_r(line, "\n ", &sb);
		for (; a && b; a = strtok_r(NULL, "\n ", &sa),
		     b = strtok_r(NULL, "\n ", &sb))
			if (!strcmp(a, "RetransSegs"))
				v = strtol(b, NULL, 10);
		break;
	}
	fclose(f);
	return v;
}

long slab_active(const char *name)
{
	char path[128], line[512], cache[64];
	long active = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", name);
	write_file(path, "1");
	f = fopen("/proc/slabinfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", cache, &v) == 2 && !strcmp(cache, name))
			active = v;
	fclose(f);
	return active;
}

void usage_get(const char *slab, const char *module, struct usage *u)
{
	char path[128];

	u->slab = slab_active(slab);
	u->ref = -1;
	if (module) {
		snprintf(path, sizeof(path), "/sys/module/%s/refcnt", module);
		u->ref = read_long(path);
	}
}

int usage_settle(const char *slab, const char *module,
		 const struct usage *base, struct usage *u, double secs)
{
	double end = now() + secs;

	for (;;) {
		usage_get(slab, module, u);
		if (u->slab <= base->slab && u->ref <= base->ref)
			return 1;
		if (now() > end)
			return 0;
		usleep(100 * 1000);
	}
}
