/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by atcp's selftests: the protocols under test, module
 * load and unload through the syscalls, and the kernel log.
 */
#ifndef ATCP_TEST_H
#define ATCP_TEST_H

#include <stddef.h>
#include <linux/atcp.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#ifndef IPPROTO_TCP
#define IPPROTO_TCP 6
#endif

/* Path of module/atcp.ko: $ATCP_TOP/module/atcp.ko, else ./module/atcp.ko. */
const char *atcp_ko_path(void);
/* finit_module(2) of atcp.ko; returns 0 or -errno. */
int atcp_load(void);
/* delete_module(2) "atcp" with O_NONBLOCK; returns 0 or -errno. */
int atcp_unload(void);
/* Is "atcp" listed in /proc/modules? */
int atcp_loaded(void);
/* Make sure atcp is loaded (tests that unload it call this at the end). */
int atcp_ensure_loaded(void);
/* Count kernel-log lines since the last call that look like a splat. */
int kmsg_splats(char *first, size_t len);

/* CLOCK_MONOTONIC in seconds. */
struct sockaddr_in;

double now(void);
int parse_addr4(const char *s, struct sockaddr_in *sin);
/* Write val to path (a sysctl, a sysfs file); 0 or -errno. */
int write_file(const char *path, const char *val);
/* The number at the start of path, or -1. */
long read_long(const char *path);
/* The stack's RetransSegs in this netns (RFC 4022), or -1. */
long retrans_segs(int proto);
/*
 * In-use objects of slab name, from /proc/slabinfo after shrinking the
 * cache (which flushes the per-CPU slabs, else counted as active); -1 if
 * there is no such slab.
 */
long slab_active(const char *name);

/* What a test's sockets hold: objects of a slab, references to a module. */
struct usage {
	long slab;	/* in-use objects of the full-socket slab */
	long ref;	/* module refcount, -1 if not applicable */
};

/* The counts of slab and of module (NULL: none) now. */
void usage_get(const char *slab, const char *module, struct usage *u);
/* Wait up to secs for the counts to drop back to base; true if so. */
int usage_settle(const char *slab, const char *module,
		 const struct usage *base, struct usage *u, double secs);

#endif
