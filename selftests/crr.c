// SPDX-License-Identifier: GPL-2.0
/*
 * Connect/request/response/close (CRR), for Linux TCP and atcp, over
 * loopback in a fresh network namespace, in one process:
 *
 * A listener on 127.0.0.1 (backlog 1024) is served by a thread that loops
 * accept -> read 1 byte -> write 1 byte -> close, while the main thread
 * loops socket -> connect -> write 1 byte -> read 1 byte -> close, as fast
 * as it can, for 30 s (10 s under ATCP_REDUCED=1).
 *
 * abort:    the client closes with SO_LINGER {1, 0}: a RST (RFC 9293
 *           3.10.4 ABORT), no TIME-WAIT on either side.
 * graceful: the client reads the server's FIN (end of file) and then
 *           closes: the server's side goes through TIME-WAIT (RFC 9293
 *           3.6), the client's through CLOSE-WAIT and LAST-ACK.  Half the
 *           duration.
 *
 * The loop is the one that deadlocked atcp on loopback (issue 8, item 1):
 * while the server thread held the listener in accept(), a SYN went to the
 * listener's backlog; release_sock() answered it in process context with
 * the new child locked, the SYN,ACK looped back through the receive
 * softirq on the same CPU and spun on that child's lock (soft lockup on
 * both vCPUs within seconds).
 *
 * Checked: every connection is accounted for (the client's connects, the
 * server's accepts and the bytes echoed are the same number, each echo is
 * the byte sent, no call fails), and afterwards the protocol's full-socket
 * slab ("TCP" or "ATCP") and atcp's module refcount come back to what they
 * were before (as selftests/scale.c measures them; atcp's msl_ms is
 * lowered in the namespace so that TIME-WAIT entries expire quickly).
 * Loopback loses nothing, so the stack retransmits next to nothing: at
 * most 1 + one segment per RETRANS_PER connections (a timer may fire
 * while the host stalls the guest).  This guards the handshake race of
 * issue 10: the request, sent right behind the ACK from the other CPU,
 * found the request socket the ACK was turning into a child, lost the
 * race to replace it and was dropped; a tail loss probe resent it 200 ms
 * later (9 in 32,511 abortive connections here; 2 to 7 in 3,000 of make
 * bench's crr, which halved its rate).  Linux TCP and atcp now: 0.
 * The rate in connections/s is printed, not asserted.
 */
// timeout: 900
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "atcp_test.h"

#define DURATION_S		30
#define DURATION_REDUCED_S	10
#define IO_TIMEOUT_S		10
#define SETTLE_S		90
#define STOP_BYTE		'Q'
#define RETRANS_PER		10000

/* What the server thread saw. */
struct server {
	int lfd;
	atomic_bool stop;	/* the client is done: an accept timeout ends it */
	long accepts;
	long echoed;
	long errors;
	char first_error[128];
};

FIXTURE(crr) {
	struct sockaddr_in addr;
};

FIXTURE_VARIANT(crr) {
	int proto;
	const char *slab;
	const char *module;
};

FIXTURE_VARIANT_ADD(crr, tcp) {
	.proto = IPPROTO_TCP,
	.slab = "TCP",
	.module = NULL,
};

FIXTURE_VARIANT_ADD(crr, atcp) {
	.proto = IPPROTO_ATCP,
	.slab = "ATCP",
	.module = "atcp",
};

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void server_error(struct server *s, const char *what, int err)
{
	if (!s->errors++)
		snprintf(s->first_error, sizeof(s->first_error),
			 "server %s (after %ld accepts): %s", what, s->accepts,
			 err ? strerror(err) : "end of file");
}

/* accept -> read 1 byte -> write it back -> close, until STOP_BYTE. */
static void *server_loop(void *arg)
{
	struct server *s = arg;
	char b;
	int fd;

	for (;;) {
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0) {
			if ((errno == EAGAIN || errno == EINTR) &&
			    atomic_load(&s->stop))
				break;
			server_error(s, "accept", errno);
			if (atomic_load(&s->stop) || s->errors > 100)
				break;
			continue;
		}
		s->accepts++;
		set_timeouts(fd);
		if (read(fd, &b, 1) != 1) {
			server_error(s, "read", errno);
			close(fd);
			continue;
		}
		if (write(fd, &b, 1) != 1) {
			server_error(s, "write", errno);
			close(fd);
			continue;
		}
		s->echoed++;
		if (close(fd))
			server_error(s, "close", errno);
		if (b == STOP_BYTE)
			break;
	}
	return NULL;
}

FIXTURE_SETUP(crr)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd;

	/* Own namespace: own ports and knobs; bring its loopback up. */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SIOCGIFFLAGS, &ifr));
	ifr.ifr_flags |= IFF_UP;
	ASSERT_EQ(0, ioctl(fd, SIOCSIFFLAGS, &ifr));
	close(fd);

	/* Tens of thousands of client ports in a run. */
	write_file("/proc/sys/net/ipv4/ip_local_port_range", "1024 65535");
	if (variant->proto == IPPROTO_ATCP &&
	    write_file("/proc/sys/net/atcp/msl_ms", "1000"))
		TH_LOG("cannot set /proc/sys/net/atcp/msl_ms; TIME-WAIT lasts 2*MSL");

	memset(&self->addr, 0, sizeof(self->addr));
	self->addr.sin_family = AF_INET;
	self->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

FIXTURE_TEARDOWN(crr)
{
}

/*
 * One client connection carrying @b; returns 0 or a description of what
 * failed in @err.
 */
static int crr_one(const struct sockaddr_in *addr, int proto, char b,
		   bool abort_close, char *err, size_t len)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	const char *what;
	char r;
	int fd, e;

	fd = socket(AF_INET, SOCK_STREAM, proto);
	if (fd < 0) {
		what = "socket";
		goto fail_nofd;
	}
	set_timeouts(fd);
	what = "connect";
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		goto fail;
	what = "write";
	if (write(fd, &b, 1) != 1)
		goto fail;
	what = "read";
	errno = 0;
	if (read(fd, &r, 1) != 1)
		goto fail;
	what = "echo";
	errno = EPROTO;
	if (r != b)
		goto fail;
	if (abort_close) {
		what = "SO_LINGER";
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
			goto fail;
	} else {
		/* The server's FIN: the end of file after the echo. */
		what = "read of the end of file";
		errno = EPROTO;
		if (read(fd, &r, 1) != 0)
			goto fail;
	}
	what = "close";
	if (close(fd))
		goto fail_nofd;
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
fail_nofd:
	snprintf(err, len, "client %s: %s", what,
		 errno ? strerror(errno) : "end of file");
	return -1;
}

/* The variant's protocol and what is measured for it. */
struct stack {
	int proto;
	const char *slab;
	const char *module;
};

static void crr_run(struct __test_metadata *_metadata,
		    const struct stack *variant,
		    struct sockaddr_in *addr, bool abort_close, int duration)
{
	struct server srv = { .lfd = -1 };
	struct usage base, u;
	socklen_t alen = sizeof(*addr);
	char err[160] = "";
	long connects = 0, rtx0, rtx;
	pthread_t th;
	double t0, t1, end;
	bool settled;
	int ret;

	usage_get(variant->slab, variant->module, &base);
	ASSERT_LE(0, base.slab) {
		TH_LOG("slab %s is not in /proc/slabinfo", variant->slab);
	}
	if (variant->module)
		ASSERT_LE(0, base.ref);

	srv.lfd = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, srv.lfd);
	set_timeouts(srv.lfd);
	ASSERT_EQ(0, bind(srv.lfd, (struct sockaddr *)addr, sizeof(*addr)));
	ASSERT_EQ(0, listen(srv.lfd, 1024));
	ASSERT_EQ(0, getsockname(srv.lfd, (struct sockaddr *)addr, &alen));
	ASSERT_EQ(0, pthread_create(&th, NULL, server_loop, &srv));

	rtx0 = retrans_segs(variant->proto);
	ASSERT_LE(0, rtx0);
	t0 = now();
	end = t0 + duration;
	do {
		if (crr_one(addr, variant->proto, 'a' + connects % 26,
			    abort_close, err, sizeof(err)))
			break;
		connects++;
	} while (now() < end);
	t1 = now();
	/* The last connection tells the server thread to stop. */
	if (!err[0] && !crr_one(addr, variant->proto, STOP_BYTE, abort_close,
				err, sizeof(err)))
		connects++;
	atomic_store(&srv.stop, true);
	ret = pthread_join(th, NULL);
	close(srv.lfd);
	rtx = retrans_segs(variant->proto) - rtx0;

	TH_LOG("%s close: %ld connections in %.1f s: %.0f connections/s",
	       abort_close ? "abortive" : "graceful", connects, t1 - t0,
	       connects / (t1 - t0));
	ASSERT_EQ(0, ret);
	EXPECT_STREQ("", err);
	EXPECT_EQ(0, srv.errors) {
		TH_LOG("%ld server errors, the first: %s", srv.errors,
		       srv.first_error);
	}
	EXPECT_LT(0, connects);
	EXPECT_EQ(connects, srv.accepts);
	EXPECT_EQ(connects, srv.echoed);
	TH_LOG("segments retransmitted: %ld", rtx);
	EXPECT_GE(1 + connects / RETRANS_PER, rtx);

	/* Orphans finish closing and TIME-WAIT entries expire in the wait. */
	end = now() + SETTLE_S;
	for (;;) {
		usage_get(variant->slab, variant->module, &u);
		settled = u.slab <= base.slab && u.ref <= base.ref;
		if (settled || now() > end)
			break;
		usleep(100 * 1000);
	}
	TH_LOG("slab %s: %ld -> %ld, refcnt %ld -> %ld (after %.1f s)",
	       variant->slab, base.slab, u.slab, base.ref, u.ref,
	       now() - t1);
	EXPECT_TRUE(settled);
}

static int crr_duration(void)
{
	const char *reduced = getenv("ATCP_REDUCED");

	return reduced && !strcmp(reduced, "1") ? DURATION_REDUCED_S : DURATION_S;
}

TEST_F_TIMEOUT(crr, abort, 300)
{
	struct stack st = { variant->proto, variant->slab, variant->module };

	crr_run(_metadata, &st, &self->addr, true, crr_duration());
}

TEST_F_TIMEOUT(crr, graceful, 300)
{
	struct stack st = { variant->proto, variant->slab, variant->module };

	crr_run(_metadata, &st, &self->addr, false, crr_duration() / 2);
}

TEST_HARNESS_MAIN
