// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control as loadable algorithms (Documentation/congestion.rst):
 * TCP_CONGESTION and the default-algorithm sysctls, for Linux TCP and atcp
 * alike (the same answers expected); and, for atcp, an algorithm in its
 * own module (module/cc/atcp_highspeed.ko) loaded while atcp runs, chosen
 * per socket and by the netns default, carrying a transfer, and unloadable
 * only once no socket (and no default) uses it.
 */
// timeout: 900
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "atcp_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#include "sktest.h"

#define HS_NAME		"highspeed"
#define HS_MODULE	"atcp_highspeed"

static int reduced(void)
{
	const char *r = getenv("ATCP_REDUCED");

	return r && *r == '1';
}

/* The algorithm's name by TCP_CONGESTION at level, or "" on error. */
static const char *cong_get(int fd, int level, char *buf, socklen_t len)
{
	memset(buf, 0, len);
	if (getsockopt(fd, level, TCP_CONGESTION, buf, &len))
		buf[0] = 0;
	return buf;
}

static int cong_set(int fd, int level, const char *name)
{
	return setsockopt(fd, level, TCP_CONGESTION, name, strlen(name)) ?
	       -errno : 0;
}

static const char *sysctl_dir(int proto)
{
	return proto == IPPROTO_TCP ? "/proc/sys/net/ipv4/tcp_" :
				      "/proc/sys/net/atcp/";
}

/* Read sysctl <dir><name> into buf (newline stripped); 0 or -1. */
static int sysctl_read(int proto, const char *name, char *buf, size_t len)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s%s", sysctl_dir(proto), name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = !!fgets(buf, len, f);
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return ok ? 0 : -1;
}

/* Write sysctl <dir><name>; 0 or -errno. */
static int sysctl_write(int proto, const char *name, const char *val)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s%s", sysctl_dir(proto), name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Does the space-separated list hold word? */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

static int snd_cwnd(int fd);

/*
 * Send n bytes of a pattern from cli to srv (a child process writes) and
 * check every byte; returns 0 or -1.  *max_cwnd gets the largest cwnd of
 * the sender seen meanwhile (TCP_INFO of cli, read by this process).
 */
static int transfer(int cli, int srv, long n, int *max_cwnd)
{
	static char buf[65536];
	long got = 0;
	int st, bad = 0;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		long sent = 0;

		close(srv);
		while (sent < n) {
			long chunk = n - sent < (long)sizeof(buf) ?
				     n - sent : (long)sizeof(buf);
			ssize_t w;
			long i;

			for (i = 0; i < chunk; i++)
				buf[i] = (char)((sent + i) * 7);
			w = write(cli, buf, chunk);
			if (w <= 0)
				_exit(1);
			sent += w;
		}
		shutdown(cli, SHUT_WR);
		_exit(0);
	}
	*max_cwnd = 0;
	while (got < n) {
		ssize_t r = read(srv, buf, sizeof(buf));
		int cwnd = snd_cwnd(cli);
		long i;

		if (cwnd > *max_cwnd)
			*max_cwnd = cwnd;
		if (r <= 0)
			break;
		for (i = 0; i < r; i++)
			if (buf[i] != (char)((got + i) * 7))
				bad = 1;
		got += r;
	}
	waitpid(pid, &st, 0);
	return got == n && !bad && WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

/* tcpi_snd_cwnd of fd, or -1. */
static int snd_cwnd(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_snd_cwnd;
}

FIXTURE(cong) {
	int cli, srv;
};

FIXTURE_VARIANT(cong) {
	int proto;
};

FIXTURE_VARIANT_ADD(cong, tcp) {
	.proto = IPPROTO_TCP,
};

FIXTURE_VARIANT_ADD(cong, atcp) {
	.proto = IPPROTO_ATCP,
};

/* lo at Ethernet's MTU: an initial window of 10 segments (RFC 6928) that
 * the 64 KiB window lets grow
 */
static int netns_mtu1500(void)
{
	return skt_netns() ? -1 : skt_sh("ip link set lo mtu 1500");
}

FIXTURE_SETUP(cong)
{
	ASSERT_EQ(0, netns_mtu1500());
	self->cli = -1;
	self->srv = -1;
}

FIXTURE_TEARDOWN(cong)
{
	if (self->cli >= 0)
		close(self->cli);
	if (self->srv >= 0)
		close(self->srv);
}

/* A new socket has the netns default (cubic, as Linux), at both levels. */
TEST_F(cong, default_is_cubic)
{
	char name[32], dflt[64];
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sysctl_read(variant->proto, "congestion_control", dflt,
				 sizeof(dflt)));
	EXPECT_STREQ("cubic", dflt);
	EXPECT_STREQ("cubic", cong_get(fd, IPPROTO_TCP, name, sizeof(name)));
	if (variant->proto == IPPROTO_ATCP)
		EXPECT_STREQ("cubic", cong_get(fd, SOL_ATCP, name,
					       sizeof(name)));
	close(fd);
}

TEST_F(cong, available_lists_reno_and_cubic)
{
	char avail[512];

	ASSERT_EQ(0, sysctl_read(variant->proto,
				 "available_congestion_control", avail,
				 sizeof(avail)));
	EXPECT_TRUE(has_word(avail, "reno"));
	EXPECT_TRUE(has_word(avail, "cubic"));
	/* read-only */
	EXPECT_NE(0, sysctl_write(variant->proto,
				  "available_congestion_control", "reno"));
}

/* An unknown name: ENOENT, the algorithm unchanged. */
TEST_F(cong, unknown_name_enoent)
{
	char name[32];
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, cong_set(fd, IPPROTO_TCP, "nosuchcc"));
	EXPECT_STREQ("cubic", cong_get(fd, IPPROTO_TCP, name, sizeof(name)));
	EXPECT_EQ(-ENOENT, sysctl_write(variant->proto, "congestion_control",
					"nosuchcc"));
	close(fd);
}

/* optlen 0: EINVAL; a short getsockopt buffer gets the name's start. */
TEST_F(cong, short_lengths)
{
	char name[4] = "xxx";
	socklen_t len = 2;
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len));
	EXPECT_EQ(2, (int)len);
	EXPECT_EQ(0, memcmp(name, "cux", 3));
	close(fd);
}

/* Switching a connected socket to reno and back; a transfer on each. */
TEST_F(cong, switch_on_connected_socket)
{
	long n = reduced() ? 256 << 10 : 4 << 20;
	char name[32];
	int cwnd;

	ASSERT_EQ(0, skt_pair(variant->proto, &self->cli, &self->srv));
	ASSERT_EQ(0, cong_set(self->cli, IPPROTO_TCP, "reno"));
	EXPECT_STREQ("reno", cong_get(self->cli, IPPROTO_TCP, name,
				      sizeof(name)));
	ASSERT_EQ(0, transfer(self->cli, self->srv, n, &cwnd));
	EXPECT_LT(10, cwnd);	/* reno grew it */
	ASSERT_EQ(0, cong_set(self->cli, IPPROTO_TCP, "cubic"));
	EXPECT_STREQ("cubic", cong_get(self->cli, IPPROTO_TCP, name,
				       sizeof(name)));
}

/* ---- an algorithm in a module of its own (atcp only) ---------------------- */

static const char *hs_path(void)
{
	static char path[4096];
	const char *top = getenv("ATCP_TOP");

	snprintf(path, sizeof(path), "%s/module/cc/%s.ko", top ? top : ".",
		 HS_MODULE);
	return path;
}

static int hs_load(void)
{
	int fd = open(hs_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int hs_unload(void)
{
	return syscall(SYS_delete_module, HS_MODULE, O_NONBLOCK) ? -errno : 0;
}

/* Unload, retrying for up to 10 s while closed sockets finish. */
static int hs_unload_wait(void)
{
	int i, ret = -1;

	for (i = 0; i < 100; i++) {
		ret = hs_unload();
		if (ret != -EWOULDBLOCK && ret != -EAGAIN && ret != -EBUSY)
			break;
		usleep(100000);
	}
	return ret;
}

TEST(module_highspeed)
{
	long n = reduced() ? 256 << 10 : 8 << 20;
	int cli, srv, cli2, srv2, cwnd;
	char name[32], avail[512];

	ASSERT_EQ(0, netns_mtu1500());
	hs_unload();			/* a leftover from an earlier run */
	ASSERT_EQ(0, hs_load()) {
		TH_LOG("insmod %s: %s", hs_path(), strerror(errno));
	}
	ASSERT_EQ(0, sysctl_read(IPPROTO_ATCP, "available_congestion_control",
				 avail, sizeof(avail)));
	EXPECT_TRUE(has_word(avail, HS_NAME));

	/* chosen per socket, by TCP_CONGESTION at SOL_TCP */
	ASSERT_EQ(0, skt_pair(IPPROTO_ATCP, &cli, &srv));
	ASSERT_EQ(0, cong_set(cli, IPPROTO_TCP, HS_NAME));
	EXPECT_STREQ(HS_NAME, cong_get(cli, IPPROTO_TCP, name, sizeof(name)));
	EXPECT_STREQ(HS_NAME, cong_get(cli, SOL_ATCP, name, sizeof(name)));
	EXPECT_STREQ("cubic", cong_get(srv, IPPROTO_TCP, name, sizeof(name)));
	ASSERT_EQ(0, transfer(cli, srv, n, &cwnd));
	EXPECT_LT(10, cwnd);		/* highspeed grew it */
	/* in use: no unload */
	EXPECT_EQ(-EWOULDBLOCK, hs_unload());

	/* chosen by the netns default, for both ends of a new connection */
	ASSERT_EQ(0, sysctl_write(IPPROTO_ATCP, "congestion_control",
				  HS_NAME));
	ASSERT_EQ(0, sysctl_read(IPPROTO_ATCP, "congestion_control", name,
				 sizeof(name)));
	EXPECT_STREQ(HS_NAME, name);
	ASSERT_EQ(0, skt_pair(IPPROTO_ATCP, &cli2, &srv2));
	EXPECT_STREQ(HS_NAME, cong_get(cli2, IPPROTO_TCP, name, sizeof(name)));
	EXPECT_STREQ(HS_NAME, cong_get(srv2, IPPROTO_TCP, name, sizeof(name)));
	ASSERT_EQ(0, transfer(srv2, cli2, n, &cwnd));
	EXPECT_LT(10, cwnd);

	/* the first socket lets go when it switches back */
	ASSERT_EQ(0, cong_set(cli, IPPROTO_TCP, "cubic"));
	close(cli);
	close(srv);
	close(cli2);
	close(srv2);
	/* the default alone still holds the module */
	usleep(500000);
	EXPECT_EQ(-EWOULDBLOCK, hs_unload());
	ASSERT_EQ(0, sysctl_write(IPPROTO_ATCP, "congestion_control",
				  "cubic"));
	/* nothing uses it now (the connections close in the background) */
	EXPECT_EQ(0, hs_unload_wait());
	ASSERT_EQ(0, sysctl_read(IPPROTO_ATCP, "available_congestion_control",
				 avail, sizeof(avail)));
	EXPECT_FALSE(has_word(avail, HS_NAME));
	EXPECT_EQ(-ENOENT, sysctl_write(IPPROTO_ATCP, "congestion_control",
					HS_NAME));
}

TEST_HARNESS_MAIN
