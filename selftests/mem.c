// SPDX-License-Identifier: GPL-2.0
/*
 * Memory limits, for Linux TCP and atcp, each in a network namespace of its
 * own (Documentation/sysctl.rst: rmem, wmem, max_orphans, max_tw_buckets):
 *
 * never_reads: a receiver that does not read.  The writer fills what the
 * windows and buffers take and then blocks: its queued memory stays within
 * SO_SNDBUF (SO_MEMINFO) and SO_SNDBUF within wmem's maximum; the
 * receiver's memory within SO_RCVBUF, and SO_RCVBUF within rmem's maximum.
 * When it finally reads, every byte arrives, in order (a position-keyed
 * pattern, so a lost, doubled or moved byte is caught).
 *
 * orphans: connections over loopback that turn silent (netem drops every
 * packet), each closed with unsent data: the orphans.  With max_orphans
 * lowered to 200, the orphans never number more than that (atcp; Linux
 * checks a count it refreshes every 100 ms, so it may pass the limit by
 * the closes of those 100 ms: at most twice the limit is asserted for
 * it, where 10,000 would show no limit); every close over the limit
 * resets the connection and counts AbortOnMemory (TCPAbortOnMemory);
 * memory stays bounded; with orphan_retries then lowered to 1 they are
 * all gone within a minute.
 * 10,000 connections (1,000 with ATCP_REDUCED=1).
 *
 * time_wait_cap: with max_tw_buckets lowered to 20, 60 connections closed
 * first by the client leave at most 20 TIME-WAIT entries, and the others
 * count TimeWaitOverflow (TCPTimeWaitOverflow).
 */
// timeout: 900
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "atcp_test.h"
#include "sktest.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

/* SO_MEMINFO's array (SK_MEMINFO_*) */
enum { MI_RMEM, MI_RCVBUF, MI_WMEM, MI_SNDBUF, MI_FWD, MI_WQUEUED,
	MI_OPTMEM, MI_BACKLOG, MI_DROPS, MI_VARS };

FIXTURE(mem) {
	int tcp_max_orphans_fd;		/* init_net's, for Linux */
	char tcp_max_orphans[32];
	int mem_fd;			/* init_net's tcp_mem or atcp mem */
	char mem[96];
};

FIXTURE_VARIANT(mem) {
	int proto;
	const char *sysdir;		/* per-netns sysctls */
	const char *rmem, *wmem, *orphan_retries, *max_tw, *mem;
	const char *pressures;		/* the counter */
};

FIXTURE_VARIANT_ADD(mem, tcp) {
	.proto = IPPROTO_TCP,
	.rmem = "/proc/sys/net/ipv4/tcp_rmem",
	.wmem = "/proc/sys/net/ipv4/tcp_wmem",
	.orphan_retries = "/proc/sys/net/ipv4/tcp_orphan_retries",
	.max_tw = "/proc/sys/net/ipv4/tcp_max_tw_buckets",
	.mem = "/proc/sys/net/ipv4/tcp_mem",
	.pressures = "TCPMemoryPressures",
};

FIXTURE_VARIANT_ADD(mem, atcp) {
	.proto = IPPROTO_ATCP,
	.rmem = "/proc/sys/net/atcp/rmem",
	.wmem = "/proc/sys/net/atcp/wmem",
	.orphan_retries = "/proc/sys/net/atcp/orphan_retries",
	.max_tw = "/proc/sys/net/atcp/max_tw_buckets",
	.mem = "/proc/sys/net/atcp/mem",
	.pressures = "MemoryPressures",
};

/* The i-th field (0-based) of the first line of path, or -1. */
static long read_field(const char *path, int i)
{
	char buf[256] = "", *p = buf, *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long v = -1;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	for (; i >= 0; i--) {
		v = strtol(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	return v;
}

/*
 * A counter: atcp's from /proc/net/atcp_snmp ("Name value" lines), Linux's
 * from /proc/net/netstat (a "TcpExt:" line of names, then one of values)
 * or, with a "sockstat:" prefix, from /proc/net/sockstat's TCP line.
 */
static long counter(int proto, const char *name)
{
	char line[8192], names[8192] = "";
	long v = -1;
	FILE *f;

	if (proto == IPPROTO_ATCP) {
		f = fopen("/proc/net/atcp_snmp", "r");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f)) {
			char n[64];
			long x;

			if (sscanf(line, "%63s %ld", n, &x) == 2 &&
			    !strcmp(n, name))
				v = x;
		}
		fclose(f);
		return v;
	}
	if (!strncmp(name, "sockstat:", 9)) {
		char key[32];

		f = fopen("/proc/net/sockstat", "r");
		if (!f)
			return -1;
		snprintf(key, sizeof(key), " %s ", name + 9);
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, key);

			if (!strncmp(line, "TCP:", 4) && p)
				v = strtol(p + strlen(key), NULL, 10);
		}
		fclose(f);
		return v;
	}
	f = fopen("/proc/net/netstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *a, *b, *sa, *sb;
		const char *tok;

		if (strncmp(line, "TcpExt:", 7))
			continue;
		if (!names[0]) {
			memcpy(names, line, sizeof(names));
			continue;
		}
		a = strtok_r(names, "\n ", &sa);
		b = strtok_r(line, "\n ", &sb);
		while (a && b) {
			tok = a;
			if (!strcmp(tok, name))
				v = strtol(b, NULL, 10);
			a = strtok_r(NULL, "\n ", &sa);
			b = strtok_r(NULL, "\n ", &sb);
		}
		break;
	}
	fclose(f);
	return v;
}

static const char *orphans_name(int proto)
{
	return proto == IPPROTO_ATCP ? "CurrOrphans" : "sockstat:orphan";
}

static const char *mem_name(int proto)
{
	return proto == IPPROTO_ATCP ? "MemPages" : "sockstat:mem";
}

static int meminfo(int fd, unsigned int *mi)
{
	socklen_t len = MI_VARS * sizeof(*mi);

	return getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len);
}

static bool reduced(void)
{
	const char *r = getenv("ATCP_REDUCED");

	return r && *r == '1';
}

FIXTURE_SETUP(mem)
{
	struct rlimit rl = { 30000, 30000 };

	ssize_t n;

	self->tcp_max_orphans_fd = -1;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	/* mem is init_net's only (as tcp_mem): kept to restore */
	self->mem_fd = open(variant->mem, O_RDWR);
	ASSERT_LE(0, self->mem_fd);
	n = read(self->mem_fd, self->mem, sizeof(self->mem) - 1);
	ASSERT_LT(0, n);
	self->mem[n] = 0;
	if (variant->proto == IPPROTO_TCP) {
		/* Linux's tcp_max_orphans is global: kept to restore */
		self->tcp_max_orphans_fd =
			open("/proc/sys/net/ipv4/tcp_max_orphans", O_RDWR);
		ASSERT_LE(0, self->tcp_max_orphans_fd);
		n = read(self->tcp_max_orphans_fd, self->tcp_max_orphans,
			 sizeof(self->tcp_max_orphans) - 1);
		ASSERT_LT(0, n);
	}
	ASSERT_EQ(0, skt_netns());
}

FIXTURE_TEARDOWN(mem)
{
	if (pwrite(self->mem_fd, self->mem, strlen(self->mem), 0) < 0)
		TH_LOG("cannot restore %s", variant->mem);
	close(self->mem_fd);
	if (self->tcp_max_orphans_fd >= 0) {
		if (pwrite(self->tcp_max_orphans_fd, self->tcp_max_orphans,
			   strlen(self->tcp_max_orphans), 0) < 0)
			TH_LOG("cannot restore tcp_max_orphans");
		close(self->tcp_max_orphans_fd);
	}
}

static unsigned char pattern(unsigned long i)
{
	return (i * 2654435761UL) >> 13;
}

TEST_F_TIMEOUT(mem, never_reads, 300)
{
	long total = reduced() ? 1L << 20 : 8L << 20, sent, got = 0;
	long rmem_max = read_field(variant->rmem, 2);
	long wmem_max = read_field(variant->wmem, 2);
	unsigned int cmi[MI_VARS], smi[MI_VARS];
	static unsigned char buf[65536];
	int cli, srv, i;

	ASSERT_LT(0, rmem_max);
	ASSERT_LT(0, wmem_max);
	ASSERT_EQ(0, skt_pair(variant->proto, &cli, &srv));

	/* Fill: the receiver does not read. */
	for (sent = 0; sent < total;) {
		long n = total - sent < (long)sizeof(buf) ? total - sent :
			 (long)sizeof(buf);

		for (i = 0; i < n; i++)
			buf[i] = pattern(sent + i);
		n = send(cli, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			sent += n;
			continue;
		}
		ASSERT_EQ(EAGAIN, errno);
		if (!(skt_poll(cli, POLLOUT, 500) & POLLOUT))
			break;
	}
	ASSERT_LT(sent, total);		/* it stopped: the peer reads nothing */
	ASSERT_EQ(0, meminfo(cli, cmi));
	ASSERT_EQ(0, meminfo(srv, smi));
	TH_LOG("%ld bytes taken; sender: queued %u, SO_SNDBUF %u (max %ld)",
	       sent, cmi[MI_WQUEUED], cmi[MI_SNDBUF], wmem_max);
	TH_LOG("receiver: rmem %u, SO_RCVBUF %u (max %ld), drops %u",
	       smi[MI_RMEM], smi[MI_RCVBUF], rmem_max, smi[MI_DROPS]);
	EXPECT_LE(cmi[MI_WQUEUED], cmi[MI_SNDBUF] + 65536);
	EXPECT_LE(cmi[MI_SNDBUF], 2 * wmem_max);
	EXPECT_LE(smi[MI_RMEM], smi[MI_RCVBUF] + 65536);
	EXPECT_LE(smi[MI_RCVBUF], rmem_max);

	/* Now it reads: all of it, in order, while the rest is sent. */
	while (got < total) {
		struct pollfd p[2] = {
			{ .fd = srv, .events = POLLIN },
			{ .fd = cli, .events = sent < total ? POLLOUT : 0 },
		};
		long n;

		ASSERT_LT(0, poll(p, 2, 10000));
		if (p[1].revents & POLLOUT) {
			n = total - sent < (long)sizeof(buf) ? total - sent :
			    (long)sizeof(buf);
			for (i = 0; i < n; i++)
				buf[i] = pattern(sent + i);
			n = send(cli, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				sent += n;
		}
		if (p[0].revents & POLLIN) {
			n = recv(srv, buf, sizeof(buf), MSG_DONTWAIT);
			ASSERT_LT(0, n);
			for (i = 0; i < n; i++)
				if (buf[i] != pattern(got + i))
					break;
			ASSERT_EQ(n, i) TH_LOG("byte %ld differs", got + i);
			got += n;
		}
	}
	EXPECT_EQ(total, got);
	close(cli);
	close(srv);
}

/*
 * Memory pressure: with mem lowered to 16/32/64 pages, 8 connections whose
 * receivers do not read at first want some 900 pages of buffers.  The
 * protocol enters pressure (MemoryPressures, TCPMemoryPressures) and its
 * memory stays within mem[2], plus what the core keeps per CPU before it
 * counts it (net.core.mem_pcpu_rsv, 256 pages at least) and each socket's
 * rmem/wmem minimum; then the receivers read and every byte arrives in
 * order.
 */
#define NPAIRS 8

static void pattern_fill(unsigned char *buf, long off, long n)
{
	long i;

	for (i = 0; i < n; i++)
		buf[i] = pattern(off + i);
}

TEST_F_TIMEOUT(mem, pressure, 300)
{
	/* Not reduced: less would stay within the per-CPU reserves. */
	long total = 512L << 10, sent[NPAIRS] = { 0 },
	     got[NPAIRS] = { 0 }, p0, pressures, m, peak = 0, pending, limit;
	int np = NPAIRS, cli[NPAIRS], srv[NPAIRS], i, k;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	static unsigned char buf[16384];
	bool progress;

	p0 = counter(variant->proto, variant->pressures);
	ASSERT_LE(0, p0);
	for (k = 0; k < np; k++)
		ASSERT_EQ(0, skt_pair(variant->proto, &cli[k], &srv[k]));
	ASSERT_LT(0, pwrite(self->mem_fd, "16 32 64", 8, 0));

	/* Fill: nobody reads. */
	do {
		progress = false;
		for (k = 0; k < np; k++) {
			long n = total - sent[k] < (long)sizeof(buf) ?
				 total - sent[k] : (long)sizeof(buf);

			if (!n)
				continue;
			pattern_fill(buf, sent[k], n);
			n = send(cli[k], buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0) {
				sent[k] += n;
				progress = true;
			}
		}
		m = counter(variant->proto, mem_name(variant->proto));
		peak = m > peak ? m : peak;
		if (!progress)
			usleep(300000);
	} while (progress);
	pressures = counter(variant->proto, variant->pressures) - p0;
	limit = 64 + ncpu * 256 + 2 * np * 2;
	TH_LOG("%ld bytes queued; memory peak %ld pages (limit %ld), %ld pressure episodes",
	       sent[0], peak, limit, pressures);
	EXPECT_LE(1, pressures);
	EXPECT_LE(peak, limit);

	/* Now they read: all of it, in order, while the rest is sent. */
	do {
		struct pollfd p[2 * NPAIRS];
		long n;

		pending = 0;
		for (k = 0; k < np; k++) {
			p[k] = (struct pollfd){ .fd = srv[k], .events = POLLIN };
			p[np + k] = (struct pollfd){ .fd = cli[k],
				.events = sent[k] < total ? POLLOUT : 0 };
			pending += total - got[k];
		}
		if (!pending)
			break;
		ASSERT_LT(0, poll(p, 2 * np, 20000));
		for (k = 0; k < np; k++) {
			if (p[np + k].revents & POLLOUT) {
				n = total - sent[k] < (long)sizeof(buf) ?
				    total - sent[k] : (long)sizeof(buf);
				pattern_fill(buf, sent[k], n);
				n = send(cli[k], buf, n,
					 MSG_DONTWAIT | MSG_NOSIGNAL);
				if (n > 0)
					sent[k] += n;
			}
			if (!(p[k].revents & POLLIN))
				continue;
			n = recv(srv[k], buf, sizeof(buf), MSG_DONTWAIT);
			ASSERT_LT(0, n);
			for (i = 0; i < n; i++)
				if (buf[i] != pattern(got[k] + i))
					break;
			ASSERT_EQ(n, i) TH_LOG("byte %ld differs", got[k] + i);
			got[k] += n;
		}
		m = counter(variant->proto, mem_name(variant->proto));
		peak = m > peak ? m : peak;
	} while (pending);
	EXPECT_LE(peak, limit);
	for (k = 0; k < np; k++) {
		EXPECT_EQ(total, got[k]);
		close(cli[k]);
		close(srv[k]);
	}
}

/* n connections over loopback: cli[i] connected to srv[i]. */
static int connect_many(int proto, int n, int *cli, int *srv)
{
	struct sockaddr_in addr;
	int lfd = skt_listener(proto, &addr), i, j, batch = 256;

	if (lfd < 0 || listen(lfd, batch))
		return -1;
	for (i = 0; i < n; i += batch) {
		int m = n - i < batch ? n - i : batch;

		for (j = i; j < i + m; j++) {
			cli[j] = skt_socket(proto, SOCK_NONBLOCK);
			if (cli[j] < 0 ||
			    (connect(cli[j], (struct sockaddr *)&addr,
				     sizeof(addr)) && errno != EINPROGRESS))
				return -1;
		}
		for (j = i; j < i + m; j++) {
			srv[j] = skt_accept(lfd);
			if (srv[j] < 0)
				return -1;
		}
		for (j = i; j < i + m; j++)
			if (!(skt_poll(cli[j], POLLOUT, 5000) & POLLOUT))
				return -1;
	}
	close(lfd);
	return 0;
}

TEST_F_TIMEOUT(mem, orphans, 600)
{
	int n = reduced() ? 1000 : 10000, max = 200, i, *cli, *srv;
	long abort0, aborts, orphans, peak = 0, mem, peak_mem = 0, t0;
	const char *oname = orphans_name(variant->proto);
	static char data[4096];
	struct linger lg = { 1, 0 };
	char val[16];

	cli = calloc(n, sizeof(int));
	srv = calloc(n, sizeof(int));
	ASSERT_TRUE(cli && srv);
	snprintf(val, sizeof(val), "%d", max);
	if (variant->proto == IPPROTO_TCP) {
		ASSERT_LT(0, pwrite(self->tcp_max_orphans_fd, val, strlen(val),
				    0));
	} else {
		ASSERT_EQ(0, write_file("/proc/sys/net/atcp/max_orphans", val));
	}
	/* long-lived orphans while closing (FIN-WAIT-1, retransmitting) */
	ASSERT_EQ(0, write_file(variant->orphan_retries, "8"));

	ASSERT_EQ(0, connect_many(variant->proto, n, cli, srv));
	TH_LOG("%d connections", n);
	/* the peer falls silent: nothing is delivered any more */
	ASSERT_EQ(0, skt_sh("tc qdisc add dev lo root netem loss 100%%"));
	abort0 = counter(variant->proto, "AbortOnMemory");
	if (variant->proto == IPPROTO_TCP)
		abort0 = counter(variant->proto, "TCPAbortOnMemory");
	ASSERT_LE(0, abort0);

	for (i = 0; i < n; i++) {
		ASSERT_EQ((long)sizeof(data),
			  send(cli[i], data, sizeof(data), MSG_NOSIGNAL));
		close(cli[i]);
		if (i % 100 == 99) {
			orphans = counter(variant->proto, oname);
			mem = counter(variant->proto, mem_name(variant->proto));
			peak = orphans > peak ? orphans : peak;
			peak_mem = mem > peak_mem ? mem : peak_mem;
			/* Linux refreshes the count it checks every 100 ms */
			if (variant->proto == IPPROTO_TCP)
				usleep(110000);
		}
	}
	aborts = counter(variant->proto, variant->proto == IPPROTO_TCP ?
			 "TCPAbortOnMemory" : "AbortOnMemory") - abort0;
	TH_LOG("orphans peak %ld (max_orphans %d), %ld resets for memory, memory peak %ld pages",
	       peak, max, aborts, peak_mem);
	EXPECT_LE(peak, variant->proto == IPPROTO_ATCP ? max : 2 * max);
	EXPECT_GE(aborts, n - (variant->proto == IPPROTO_TCP ? 2 * max : max));
	/* about a page per orphan (its data, its FIN), and the rest */
	EXPECT_LE(peak_mem, 4 * max + 512);

	/* orphan_retries lowered: all gone within a minute */
	ASSERT_EQ(0, write_file(variant->orphan_retries, "1"));
	t0 = skt_now_ms();
	while ((orphans = counter(variant->proto, oname)) > 0 &&
	       skt_now_ms() - t0 < 60000)
		usleep(100000);
	TH_LOG("orphans after %.1f s: %ld", (skt_now_ms() - t0) / 1000.0,
	       orphans);
	EXPECT_EQ(0, orphans);
	for (i = 0; i < n; i++) {
		setsockopt(srv[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(srv[i]);
	}
	free(cli);
	free(srv);
}

TEST_F(mem, time_wait_cap)
{
	int n = 60, max = 20, i, cli, srv, tw;
	long over0, over;
	const char *cname = variant->proto == IPPROTO_TCP ?
			    "TCPTimeWaitOverflow" : "TimeWaitOverflow";
	char c;

	ASSERT_EQ(0, write_file(variant->max_tw, "20"));
	over0 = counter(variant->proto, cname);
	ASSERT_LE(0, over0);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, skt_pair(variant->proto, &cli, &srv));
		close(cli);		/* the client closes first */
		ASSERT_EQ(0, recv(srv, &c, 1, 0));
		close(srv);
	}
	usleep(300000);
	tw = skt_proc_count(variant->proto, "TIME-WAIT", 0);
	over = counter(variant->proto, cname) - over0;
	TH_LOG("%d TIME-WAIT entries (max_tw_buckets %d), %ld overflows",
	       tw, max, over);
	EXPECT_LE(tw, max);
	EXPECT_GE(tw, max / 2);
	EXPECT_EQ(n - tw, over);
}

TEST_HARNESS_MAIN
