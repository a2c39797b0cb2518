// SPDX-License-Identifier: GPL-2.0
/*
 * libatcp-run.so: LD_PRELOAD library of tools/atcp-run.  It turns
 * socket(AF_INET, SOCK_STREAM, 0 or IPPROTO_TCP) into
 * socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP) and leaves every other socket
 * alone: AF_INET6 stays Linux TCP (atcp speaks IPv4 only), UDP, raw and
 * AF_UNIX sockets are untouched.  Options at SOL_TCP work on atcp sockets.
 *
 * ATCP_RUN_FALLBACK=1: if atcp is not there (EPROTONOSUPPORT), make a
 * Linux TCP socket instead of failing.  ATCP_RUN_VERBOSE=1: say on stderr
 * which sockets were turned.
 *
 * What it cannot reach: static binaries, programs that make the socket
 * system call themselves (Go), setuid programs (the loader ignores
 * LD_PRELOAD for them).
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/atcp.h>

typedef int (*socket_fn)(int, int, int);

static socket_fn real_socket(void)
{
	static socket_fn fn;

	if (!fn)
		fn = (socket_fn)dlsym(RTLD_NEXT, "socket");
	return fn;
}

static int env_on(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0");
}

int socket(int domain, int type, int protocol)
{
	socket_fn fn = real_socket();
	int fd;

	if (!fn) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* type may carry SOCK_NONBLOCK and SOCK_CLOEXEC */
	if (domain != AF_INET || (type & 0xf) != SOCK_STREAM ||
	    (protocol != 0 && protocol != IPPROTO_TCP))
		return fn(domain, type, protocol);
	fd = fn(domain, type, IPPROTO_ATCP);
	if (fd < 0 && errno == EPROTONOSUPPORT && env_on("ATCP_RUN_FALLBACK"))
		return fn(domain, type, protocol);
	if (env_on("ATCP_RUN_VERBOSE"))
		fprintf(stderr, "atcp-run: AF_INET stream to IPPROTO_ATCP: %d %s\n",
			fd, fd < 0 ? strerror(errno) : "");
	return fd;
}
