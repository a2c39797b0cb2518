// SPDX-License-Identifier: GPL-2.0
/*
 * The socket API of a stream socket, as Linux programmers know it from TCP:
 * every call of RFC 9293 section 3.9.1 (OPEN = bind/listen/accept/connect,
 * SEND, RECEIVE, CLOSE = shutdown/close, ABORT = SO_LINGER {1,0} and RST on
 * close with unread data per RFC 1122 4.2.2.13, STATUS = getsockopt,
 * TCP_INFO, ioctl and poll) with the errors each one reports.  Every test
 * runs for Linux TCP and for atcp and expects the same answers; each runs
 * in a private network namespace over 127.0.0.1.
 */
// timeout: 1800 (the debug kernel: minutes)
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "atcp_test.h"

/* Under the debug kernel and TCG, a namespace and a veth take seconds. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120
#include "sktest.h"

#define SA(a)	((struct sockaddr *)(a))

static sig_atomic_t sigpipes;	/* SIGPIPEs delivered to this test */

static void on_sigpipe(int sig)
{
	sigpipes++;
}

/* An int option's value, or -100000 - errno if getsockopt fails. */
static int getint(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v = -12345;

	if (getsockopt(fd, level, name, &v, &len))
		return -errno - 100000;
	return v;
}

static int setint(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) ? -errno : 0;
}

static int ephemeral_range(int *lo, int *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%d %d", lo, hi);
	fclose(f);
	return n == 2 ? 0 : -1;
}

FIXTURE(sockapi) {
	int cli, srv;
};

FIXTURE_VARIANT(sockapi) {
	int proto;
};

FIXTURE_VARIANT_ADD(sockapi, tcp) {
	.proto = IPPROTO_TCP,
};

FIXTURE_VARIANT_ADD(sockapi, atcp) {
	.proto = IPPROTO_ATCP,
};

FIXTURE_SETUP(sockapi)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };

	/* A SIGPIPE must never kill a test: count it instead. */
	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	sigpipes = 0;
	ASSERT_EQ(0, skt_netns()) {
		TH_LOG("cannot enter a new network namespace: %s", strerror(errno));
	}
	self->cli = -1;
	self->srv = -1;
}

FIXTURE_TEARDOWN(sockapi)
{
	if (self->cli >= 0)
		close(self->cli);
	if (self->srv >= 0)
		close(self->srv);
}

/* Connected pair in self->cli / self->srv. */
static void make_pair(struct __test_metadata *_metadata,
		      struct _test_data_sockapi *self, int proto)
{
	ASSERT_EQ(0, skt_pair(proto, &self->cli, &self->srv)) {
		TH_LOG("no connected pair: %s", strerror(errno));
	}
}

#define PAIR() make_pair(_metadata, self, variant->proto)

/* ---- bind ------------------------------------------------------------ */

TEST_F(sockapi, bind_explicit_port)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40001), got;
	socklen_t len = sizeof(got);
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	ASSERT_EQ(0, getsockname(fd, SA(&got), &len));
	EXPECT_EQ(sizeof(got), len);
	EXPECT_EQ(AF_INET, got.sin_family);
	EXPECT_EQ(40001, ntohs(got.sin_port));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), got.sin_addr.s_addr);
	close(fd);
}

TEST_F(sockapi, bind_port0_ephemeral_in_range)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 0);
	struct sockaddr_in any = skt_addr("0.0.0.0", 0), got;
	socklen_t len = sizeof(got);
	int fd = skt_socket(variant->proto, 0);
	int fd2 = skt_socket(variant->proto, 0);
	int lo, hi, p;

	ASSERT_EQ(0, ephemeral_range(&lo, &hi));
	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	p = skt_local_port(fd);
	EXPECT_LE(lo, p);
	EXPECT_GE(hi, p);
	/* The wildcard address too; getsockname reports 0.0.0.0. */
	ASSERT_EQ(0, bind(fd2, SA(&any), sizeof(any)));
	ASSERT_EQ(0, getsockname(fd2, SA(&got), &len));
	EXPECT_EQ(INADDR_ANY, got.sin_addr.s_addr);
	p = ntohs(got.sin_port);
	EXPECT_LE(lo, p);
	EXPECT_GE(hi, p);
	EXPECT_NE(skt_local_port(fd), p);
	close(fd);
	close(fd2);
}

TEST_F(sockapi, bind_twice_einval)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40002);
	struct sockaddr_in b = skt_addr("127.0.0.1", 40003);
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	EXPECT_EQ(-1, bind(fd, SA(&b), sizeof(b)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, bind(fd, SA(&a), sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(40002, skt_local_port(fd));
	close(fd);
}

TEST_F(sockapi, bind_same_port_eaddrinuse)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40004);
	struct sockaddr_in any = skt_addr("0.0.0.0", 40004);
	int fd = skt_socket(variant->proto, 0);
	int fd2 = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	EXPECT_EQ(-1, bind(fd2, SA(&a), sizeof(a)));
	EXPECT_EQ(EADDRINUSE, errno);
	/* The wildcard address overlaps 127.0.0.1. */
	EXPECT_EQ(-1, bind(fd2, SA(&any), sizeof(any)));
	EXPECT_EQ(EADDRINUSE, errno);
	close(fd);
	close(fd2);
}

TEST_F(sockapi, bind_reuseaddr_not_listening_ok)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40005);
	int fd = skt_socket(variant->proto, 0);
	int fd2 = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, setint(fd, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, setint(fd2, SOL_SOCKET, SO_REUSEADDR, 1));
	EXPECT_EQ(1, getint(fd, SOL_SOCKET, SO_REUSEADDR));
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	ASSERT_EQ(0, bind(fd2, SA(&a), sizeof(a))) {
		TH_LOG("second bind with SO_REUSEADDR: %s", strerror(errno));
	}
	/* Only one of them may listen on the port. */
	ASSERT_EQ(0, listen(fd, 4));
	EXPECT_EQ(-1, listen(fd2, 4));
	EXPECT_EQ(EADDRINUSE, errno);
	close(fd);
	close(fd2);
}

TEST_F(sockapi, bind_reuseaddr_listener_eaddrinuse)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40006);
	int fd = skt_socket(variant->proto, 0);
	int fd2 = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, setint(fd, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, setint(fd2, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	ASSERT_EQ(0, listen(fd, 4));
	EXPECT_EQ(-1, bind(fd2, SA(&a), sizeof(a)));
	EXPECT_EQ(EADDRINUSE, errno);
	close(fd);
	close(fd2);
}

TEST_F(sockapi, reuseport_both_listen)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40007);
	struct pollfd p[2];
	int fd = skt_socket(variant->proto, 0);
	int fd2 = skt_socket(variant->proto, 0);
	int c = skt_socket(variant->proto, 0);
	int i, s;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, fd2);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setint(fd, SOL_SOCKET, SO_REUSEPORT, 1));
	ASSERT_EQ(0, setint(fd2, SOL_SOCKET, SO_REUSEPORT, 1));
	EXPECT_EQ(1, getint(fd2, SOL_SOCKET, SO_REUSEPORT));
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	ASSERT_EQ(0, bind(fd2, SA(&a), sizeof(a))) {
		TH_LOG("second bind with SO_REUSEPORT: %s", strerror(errno));
	}
	ASSERT_EQ(0, listen(fd, 4));
	ASSERT_EQ(0, listen(fd2, 4));
	/* A connection lands on one of the two. */
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fd2, .events = POLLIN };
	ASSERT_EQ(1, poll(p, 2, 5000));
	i = (p[0].revents & POLLIN) ? 0 : 1;
	s = accept(p[i].fd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(skt_local_port(c), skt_remote_port(s));
	close(s);
	close(c);
	close(fd);
	close(fd2);
}

TEST_F(sockapi, bind_nonlocal_eaddrnotavail)
{
	struct sockaddr_in a = skt_addr(SKT_NONLOCAL_ADDR, 0);
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, bind(fd, SA(&a), sizeof(a)));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	close(fd);
}

/* ---- listen / accept ------------------------------------------------- */

TEST_F(sockapi, accept_peer_names_match)
{
	struct sockaddr_in a, cname, cpeer, sname, speer, from;
	socklen_t len = sizeof(from);
	int lfd = skt_listener(variant->proto, &a);
	int c = skt_socket(variant->proto, 0);
	int s;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	ASSERT_TRUE(skt_poll(lfd, POLLIN, 5000) & POLLIN);
	s = accept(lfd, SA(&from), &len);
	ASSERT_LE(0, s);
	EXPECT_EQ(sizeof(from), len);

	len = sizeof(cname);
	ASSERT_EQ(0, getsockname(c, SA(&cname), &len));
	len = sizeof(cpeer);
	ASSERT_EQ(0, getpeername(c, SA(&cpeer), &len));
	len = sizeof(sname);
	ASSERT_EQ(0, getsockname(s, SA(&sname), &len));
	len = sizeof(speer);
	ASSERT_EQ(0, getpeername(s, SA(&speer), &len));

	/* accept's address, the server's peer and the client's name agree. */
	EXPECT_EQ(cname.sin_port, speer.sin_port);
	EXPECT_EQ(cname.sin_addr.s_addr, speer.sin_addr.s_addr);
	EXPECT_EQ(cname.sin_port, from.sin_port);
	EXPECT_EQ(cname.sin_addr.s_addr, from.sin_addr.s_addr);
	EXPECT_EQ(sname.sin_port, cpeer.sin_port);
	EXPECT_EQ(sname.sin_addr.s_addr, cpeer.sin_addr.s_addr);
	EXPECT_EQ(a.sin_port, sname.sin_port);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), sname.sin_addr.s_addr);
	close(s);
	close(c);
	close(lfd);
}

TEST_F(sockapi, accept4_nonblock_cloexec)
{
	struct sockaddr_in a;
	int lfd = skt_listener(variant->proto, &a);
	int c = skt_socket(variant->proto, 0);
	int s, flags;
	char b;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	ASSERT_TRUE(skt_poll(lfd, POLLIN, 5000) & POLLIN);
	s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, s);
	flags = fcntl(s, F_GETFL);
	EXPECT_TRUE(flags & O_NONBLOCK);
	EXPECT_TRUE(fcntl(s, F_GETFD) & FD_CLOEXEC);
	/* And it really does not block. */
	EXPECT_EQ(-1, recv(s, &b, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	close(s);
	close(c);
	close(lfd);
}

TEST_F(sockapi, accept_does_not_inherit_nonblock)
{
	struct sockaddr_in a;
	int lfd = skt_socket(variant->proto, SOCK_NONBLOCK);
	int c = skt_socket(variant->proto, 0);
	int s;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, skt_listen(lfd, &a));
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	ASSERT_TRUE(skt_poll(lfd, POLLIN, 5000) & POLLIN);
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_FALSE(fcntl(s, F_GETFL) & O_NONBLOCK);
	EXPECT_FALSE(fcntl(s, F_GETFD) & FD_CLOEXEC);
	close(s);
	close(c);
	close(lfd);
}

TEST_F(sockapi, accept_not_listening_einval)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40008);
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	/* Nor on a connected socket. */
	PAIR();
	EXPECT_EQ(-1, accept(self->cli, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sockapi, accept_nonblock_empty_eagain)
{
	int lfd = skt_socket(variant->proto, SOCK_NONBLOCK);
	int lfd2 = skt_listener(variant->proto, NULL);

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, lfd2);
	ASSERT_EQ(0, skt_listen(lfd, NULL));
	EXPECT_EQ(-1, accept(lfd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, accept4(lfd, NULL, NULL, SOCK_CLOEXEC));
	EXPECT_EQ(EAGAIN, errno);
	/* O_NONBLOCK set later with fcntl works the same. */
	ASSERT_EQ(0, fcntl(lfd2, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, accept(lfd2, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	close(lfd);
	close(lfd2);
}

TEST_F(sockapi, listen_poll_in_when_connection_ready)
{
	struct sockaddr_in a;
	int lfd = skt_listener(variant->proto, &a);
	int c = skt_socket(variant->proto, 0);
	int s;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	EXPECT_EQ(0, skt_poll(lfd, POLLIN | POLLOUT, 0));
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(POLLIN, skt_poll(lfd, POLLIN | POLLOUT, 5000));
	s = accept(lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, skt_poll(lfd, POLLIN, 0));
	close(s);
	close(c);
	close(lfd);
}

/* ---- connect --------------------------------------------------------- */

TEST_F(sockapi, connect_blocking_autobinds_ephemeral)
{
	struct sockaddr_in a;
	int lfd = skt_listener(variant->proto, &a);
	int c = skt_socket(variant->proto, 0);
	int lo, hi, p, s;

	ASSERT_EQ(0, ephemeral_range(&lo, &hi));
	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a))) {
		TH_LOG("connect: %s", strerror(errno));
	}
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(c));
	p = skt_local_port(c);
	EXPECT_LE(lo, p);
	EXPECT_GE(hi, p);
	EXPECT_EQ(ntohs(a.sin_port), skt_remote_port(c));
	s = skt_accept(lfd);
	ASSERT_LE(0, s);
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(s));
	close(s);
	close(c);
	close(lfd);
}

TEST_F(sockapi, connect_nonblock_einprogress_pollout)
{
	struct sockaddr_in a;
	int lfd = skt_listener(variant->proto, &a);
	int c = skt_socket(variant->proto, SOCK_NONBLOCK);
	int ev;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	ev = skt_poll(c, POLLOUT, 5000);
	EXPECT_EQ(POLLOUT, ev & (POLLOUT | POLLERR | POLLHUP));
	EXPECT_EQ(0, getint(c, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(c));
	/*
	 * Linux: the first connect() after completion reports success (it
	 * moves the socket to connected), every further one EISCONN.
	 */
	EXPECT_EQ(0, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(EISCONN, errno);
	close(c);
	close(lfd);
}

TEST_F(sockapi, connect_in_progress_ealready)
{
	struct sockaddr_in a = skt_addr(SKT_SILENT_ADDR, 40010);
	int c = skt_socket(variant->proto, SOCK_NONBLOCK);

	ASSERT_EQ(0, skt_silent_peer());
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(EALREADY, errno);
	EXPECT_EQ(TCP_SYN_SENT, skt_state(c));
	EXPECT_EQ(0, skt_poll(c, POLLOUT, 0));
	close(c);
}

TEST_F(sockapi, connect_connected_eisconn)
{
	struct sockaddr_in a;
	int lfd = skt_listener(variant->proto, &a);
	int c = skt_socket(variant->proto, 0);

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(EISCONN, errno);
	close(c);
	close(lfd);
}

TEST_F(sockapi, connect_refused_blocking)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40011);
	int c = skt_socket(variant->proto, 0);
	int b = skt_socket(variant->proto, 0);

	ASSERT_LE(0, c);
	ASSERT_LE(0, b);
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TCP_CLOSE, skt_state(c));
	EXPECT_EQ(0, getint(c, SOL_SOCKET, SO_ERROR));
	/* A socket bound to the port but not listening refuses too. */
	ASSERT_EQ(0, bind(b, SA(&a), sizeof(a)));
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(c);
	close(b);
}

TEST_F(sockapi, connect_refused_nonblock_so_error)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40012);
	int c = skt_socket(variant->proto, SOCK_NONBLOCK);
	int ev;

	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	ev = skt_poll(c, POLLOUT, 5000);
	EXPECT_TRUE(ev & POLLERR) {
		TH_LOG("revents %#x", ev);
	}
	EXPECT_TRUE(ev & POLLHUP);
	/* SO_ERROR reports the error once, then clears it. */
	EXPECT_EQ(ECONNREFUSED, getint(c, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, getint(c, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(TCP_CLOSE, skt_state(c));
	close(c);
}

TEST_F(sockapi, connect_silent_peer_etimedout)
{
	struct sockaddr_in a = skt_addr(SKT_SILENT_ADDR, 40013);
	int c = skt_socket(variant->proto, 0);
	long t0, dt;

	ASSERT_EQ(0, skt_silent_peer());
	ASSERT_LE(0, c);
	/* One retransmission: SYN at 0 s and 1 s, give up at 3 s. */
	ASSERT_EQ(0, setint(c, IPPROTO_TCP, TCP_SYNCNT, 1));
	EXPECT_EQ(1, getint(c, IPPROTO_TCP, TCP_SYNCNT));
	t0 = skt_now_ms();
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(ETIMEDOUT, errno);
	dt = skt_now_ms() - t0;
	EXPECT_LE(2000, dt);
	EXPECT_GE(15000, dt);
	EXPECT_EQ(TCP_CLOSE, skt_state(c));
	close(c);
}

TEST_F(sockapi, getpeername_unconnected_enotconn)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = skt_socket(variant->proto, 0);
	int lfd = skt_listener(variant->proto, NULL);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, lfd);
	EXPECT_EQ(-1, getpeername(fd, SA(&a), &len));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, getpeername(lfd, SA(&a), &len));
	EXPECT_EQ(ENOTCONN, errno);
	close(fd);
	close(lfd);
}

/* ---- data transfer --------------------------------------------------- */

TEST_F(sockapi, send_recv_write_read)
{
	char buf[16];

	PAIR();
	EXPECT_EQ(5, send(self->cli, "hello", 5, 0));
	EXPECT_EQ(5, skt_wait_inq(self->srv, 5, 5000));
	EXPECT_EQ(5, recv(self->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(6, write(self->srv, "world!", 6));
	ASSERT_TRUE(skt_poll(self->cli, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(6, skt_wait_inq(self->cli, 6, 5000));
	EXPECT_EQ(6, read(self->cli, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "world!", 6));
}

static unsigned char pattern(long i)
{
	return (i * 7 + (i >> 11)) & 0xff;
}

struct bulk {
	int fd;
	long len;
	long sent;
};

static void *bulk_sender(void *arg)
{
	struct bulk *b = arg;
	unsigned char buf[10000];
	ssize_t n;
	long i;

	while (b->sent < b->len) {
		long chunk = b->len - b->sent < (long)sizeof(buf) ?
			     b->len - b->sent : (long)sizeof(buf);

		for (i = 0; i < chunk; i++)
			buf[i] = pattern(b->sent + i);
		n = send(b->fd, buf, chunk, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		b->sent += n;
	}
	return NULL;
}

TEST_F(sockapi, bulk_both_directions_intact)
{
	struct bulk up, down;
	pthread_t t1, t2;
	unsigned char buf[7000];
	long got, bad;
	int dir, fd;
	ssize_t n;

	PAIR();
	up = (struct bulk){ .fd = self->cli, .len = 1 << 20 };
	down = (struct bulk){ .fd = self->srv, .len = 1 << 20 };
	ASSERT_EQ(0, pthread_create(&t1, NULL, bulk_sender, &up));
	ASSERT_EQ(0, pthread_create(&t2, NULL, bulk_sender, &down));
	for (dir = 0; dir < 2; dir++) {
		fd = dir ? self->cli : self->srv;
		got = 0;
		bad = -1;
		while (got < (1 << 20)) {
			if (!(skt_poll(fd, POLLIN, 10000) & POLLIN))
				break;
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n <= 0)
				break;
			for (long i = 0; i < n && bad < 0; i++)
				if (buf[i] != pattern(got + i))
					bad = got + i;
			got += n;
		}
		EXPECT_EQ(1 << 20, got);
		EXPECT_EQ(-1, bad);
	}
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	EXPECT_EQ(1 << 20, up.sent);
	EXPECT_EQ(1 << 20, down.sent);
}

TEST_F(sockapi, sendmsg_recvmsg_iovec)
{
	char a[4], b[6];
	struct iovec out[3] = {
		{ .iov_base = "abc", .iov_len = 3 },
		{ .iov_base = "defgh", .iov_len = 5 },
		{ .iov_base = "ij", .iov_len = 2 },
	};
	struct iovec in[2] = {
		{ .iov_base = a, .iov_len = sizeof(a) },
		{ .iov_base = b, .iov_len = sizeof(b) },
	};
	struct msghdr m = { .msg_iov = out, .msg_iovlen = 3 };

	PAIR();
	EXPECT_EQ(10, sendmsg(self->cli, &m, 0));
	m = (struct msghdr){ .msg_iov = in, .msg_iovlen = 2 };
	EXPECT_EQ(10, recvmsg(self->srv, &m, MSG_WAITALL));
	EXPECT_EQ(0, m.msg_flags);
	EXPECT_EQ(0, memcmp(a, "abcd", 4));
	EXPECT_EQ(0, memcmp(b, "efghij", 6));
}

TEST_F(sockapi, recv_peek_keeps_data)
{
	char buf[16];

	PAIR();
	ASSERT_EQ(8, send(self->cli, "peekaboo", 8, 0));
	ASSERT_EQ(8, skt_wait_inq(self->srv, 8, 5000));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(8, recv(self->srv, buf, sizeof(buf), MSG_PEEK));
	EXPECT_EQ(0, memcmp(buf, "peekaboo", 8));
	EXPECT_EQ(8, skt_inq(self->srv));
	EXPECT_EQ(4, recv(self->srv, buf, 4, MSG_PEEK));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(8, recv(self->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "peekaboo", 8));
	EXPECT_EQ(0, skt_inq(self->srv));
	EXPECT_EQ(-1, recv(self->srv, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

static void *send_pieces(void *arg)
{
	int fd = *(int *)arg;
	char buf[1000];
	int i;

	for (i = 0; i < 3; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		/* Pieces apart in time, not for synchronisation. */
		usleep(50000);
		if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) != sizeof(buf))
			break;
	}
	return NULL;
}

TEST_F(sockapi, recv_waitall_collects_pieces)
{
	static char buf[3000];
	pthread_t t;
	int i, bad = -1;

	PAIR();
	ASSERT_EQ(0, pthread_create(&t, NULL, send_pieces, &self->cli));
	EXPECT_EQ(3000, recv(self->srv, buf, sizeof(buf), MSG_WAITALL));
	pthread_join(t, NULL);
	for (i = 0; i < 3000 && bad < 0; i++)
		if (buf[i] != 'a' + i / 1000)
			bad = i;
	EXPECT_EQ(-1, bad);
}

TEST_F(sockapi, recv_dontwait_eagain)
{
	char b;

	PAIR();
	EXPECT_EQ(-1, recv(self->srv, &b, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(self->srv, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->srv, &b, 1));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(sockapi, rcvtimeo_expires_eagain)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 }, got;
	socklen_t len = sizeof(got);
	long t0, dt;
	char b;

	PAIR();
	ASSERT_EQ(0, setsockopt(self->srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, getsockopt(self->srv, SOL_SOCKET, SO_RCVTIMEO, &got, &len));
	EXPECT_EQ(0, got.tv_sec);
	EXPECT_EQ(300000, got.tv_usec);
	t0 = skt_now_ms();
	EXPECT_EQ(-1, recv(self->srv, &b, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	dt = skt_now_ms() - t0;
	/* About the timeout: under TCG the guest's jiffies and its
	 * CLOCK_MONOTONIC drift apart (237 ms seen on the debug kernel).
	 */
	EXPECT_LE(150, dt);
	EXPECT_GE(5000, dt);
}

TEST_F(sockapi, sndtimeo_expires_eagain_when_full)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
	static char buf[65536];
	long t0 = 0, dt = 0;
	ssize_t n = 0;
	int i;

	PAIR();
	ASSERT_EQ(0, setint(self->cli, SOL_SOCKET, SO_SNDBUF, 16384));
	ASSERT_EQ(0, setsockopt(self->cli, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	/* The peer never reads: blocking sends fill up, then time out. */
	for (i = 0; i < 200; i++) {
		t0 = skt_now_ms();
		n = send(self->cli, buf, sizeof(buf), MSG_NOSIGNAL);
		dt = skt_now_ms() - t0;
		if (n < 0)
			break;
	}
	ASSERT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(280, dt);
	EXPECT_GE(5000, dt);
	EXPECT_EQ(0, sigpipes);
}

TEST_F(sockapi, send_unconnected_epipe)
{
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	/* Linux TCP: EPIPE (not ENOTCONN), with SIGPIPE unless MSG_NOSIGNAL. */
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, sigpipes);
	EXPECT_EQ(-1, send(fd, "x", 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(2, sigpipes);
	close(fd);
}

TEST_F(sockapi, recv_unconnected_enotconn)
{
	int fd = skt_socket(variant->proto, 0);
	int lfd = skt_listener(variant->proto, NULL);
	char b;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, lfd);
	EXPECT_EQ(-1, recv(fd, &b, 1, 0));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, recv(lfd, &b, 1, 0));
	EXPECT_EQ(ENOTCONN, errno);
	close(fd);
	close(lfd);
}

TEST_F(sockapi, send_after_shut_wr_epipe_sigpipe)
{
	PAIR();
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	EXPECT_EQ(-1, send(self->cli, "x", 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	EXPECT_EQ(-1, write(self->cli, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(2, sigpipes);
}

TEST_F(sockapi, send_after_shut_wr_nosignal)
{
	PAIR();
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	EXPECT_EQ(-1, send(self->cli, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, sigpipes);
}

/* ---- shutdown -------------------------------------------------------- */

TEST_F(sockapi, shut_wr_half_close)
{
	char buf[8];

	PAIR();
	ASSERT_EQ(3, send(self->cli, "abc", 3, 0));
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	/* The peer reads the data, then end of file ... */
	EXPECT_EQ(3, recv(self->srv, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_EQ(0, recv(self->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv(self->srv, buf, sizeof(buf), 0));
	/* ... and may still send to us. */
	EXPECT_EQ(4, send(self->srv, "back", 4, 0));
	EXPECT_EQ(4, recv(self->cli, buf, 4, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "back", 4));
	ASSERT_EQ(0, shutdown(self->srv, SHUT_WR));
	EXPECT_EQ(0, recv(self->cli, buf, sizeof(buf), 0));
}

TEST_F(sockapi, shut_rd_reads_eof)
{
	struct timeval tv = { .tv_sec = 5 };
	char buf[8];
	int ev;

	PAIR();
	ASSERT_EQ(0, setsockopt(self->cli, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, shutdown(self->cli, SHUT_RD));
	/* No data queued: recv returns end of file at once. */
	EXPECT_EQ(0, recv(self->cli, buf, sizeof(buf), 0));
	ev = skt_poll(self->cli, POLLIN | POLLOUT | POLLRDHUP, 0);
	EXPECT_EQ(POLLIN | POLLOUT | POLLRDHUP, ev);
	/* Nothing goes to the peer: our sending side is untouched. */
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(self->cli));
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(self->srv));
	EXPECT_EQ(2, send(self->cli, "ok", 2, 0));
	EXPECT_EQ(2, recv(self->srv, buf, 2, MSG_WAITALL));
	EXPECT_EQ(0, skt_poll(self->srv, POLLIN | POLLRDHUP, 0));
}

TEST_F(sockapi, shut_rdwr)
{
	char buf[8];
	int ev;

	PAIR();
	ASSERT_EQ(0, shutdown(self->cli, SHUT_RDWR));
	EXPECT_EQ(0, recv(self->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv(self->cli, buf, sizeof(buf), 0));
	EXPECT_EQ(-1, send(self->cli, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	ev = skt_poll(self->cli, POLLIN | POLLOUT | POLLRDHUP, 0);
	EXPECT_EQ(POLLIN | POLLOUT | POLLRDHUP | POLLHUP, ev);
}

TEST_F(sockapi, shutdown_unconnected_enotconn)
{
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, shutdown(fd, SHUT_WR));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, shutdown(fd, SHUT_RDWR));
	EXPECT_EQ(ENOTCONN, errno);
	close(fd);
}

TEST_F(sockapi, shutdown_bad_how_einval)
{
	PAIR();
	EXPECT_EQ(-1, shutdown(self->cli, 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shutdown(self->cli, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(self->cli));
}

/*
 * ---- disconnect: back to CLOSED and reusable ----------------------------
 *
 * A refused blocking connect(), connect(AF_UNSPEC) and shutdown(SHUT_RD)
 * of a listener all take a socket back to CLOSED (Linux's tcp_disconnect).
 * A port bound explicitly stays bound to the socket (another bind gets
 * EADDRINUSE) until close(), after which it is free again; the socket can
 * connect (or listen) once more.
 */

/* Bind a fresh socket to 127.0.0.1:port: 0 or errno. */
static int try_bind(int proto, int port)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", port);
	int fd = skt_socket(proto, 0), err = 0;

	if (fd < 0)
		return errno;
	if (bind(fd, SA(&a), sizeof(a)))
		err = errno;
	close(fd);
	return err;
}

/* Is port free again?  Waits up to 2 s for orphans to finish closing. */
static int port_free_again(int proto, int port)
{
	long end = skt_now_ms() + 2000;
	int err;

	while ((err = try_bind(proto, port)) == EADDRINUSE &&
	       skt_now_ms() < end)
		usleep(10000);
	return err;
}

/*
 * fd (bound to 127.0.0.1:port) connects to a listener, one octet each way,
 * and the peer closes first (so that fd, closing second, leaves no
 * TIME-WAIT behind on port).  Returns 0 or -1.
 */
static int connect_and_talk(struct __test_metadata *_metadata, int proto,
			    int fd, int port)
{
	struct sockaddr_in la;
	int l = skt_listener(proto, &la), s;
	char c = 0;

	if (l < 0)
		return -1;
	EXPECT_EQ(0, connect(fd, SA(&la), sizeof(la))) {
		TH_LOG("connect again: %s", strerror(errno));
		close(l);
		return -1;
	}
	EXPECT_EQ(port, skt_local_port(fd));
	s = skt_accept(l);
	close(l);
	EXPECT_LE(0, s);
	if (s < 0)
		return -1;
	EXPECT_EQ(1, send(fd, "a", 1, 0));
	EXPECT_EQ(1, recv(s, &c, 1, 0));
	EXPECT_EQ(1, send(s, "b", 1, 0));
	EXPECT_EQ(1, recv(fd, &c, 1, 0));
	EXPECT_EQ('b', c);
	close(s);
	EXPECT_EQ(0, recv(fd, &c, 1, 0));	/* the peer's FIN */
	return 0;
}

TEST_F(sockapi, disconnect_refused_keeps_bound_port)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40051);
	struct sockaddr_in nobody = skt_addr("127.0.0.1", 40052);
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	EXPECT_EQ(-1, connect(fd, SA(&nobody), sizeof(nobody)));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(TCP_CLOSE, skt_state(fd));
	/* Still bound: getsockname shows it, another bind is refused. */
	EXPECT_EQ(40051, skt_local_port(fd));
	EXPECT_EQ(EADDRINUSE, try_bind(variant->proto, 40051));
	/* Refused twice, then a connection from the same port. */
	EXPECT_EQ(-1, connect(fd, SA(&nobody), sizeof(nobody)));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(0, connect_and_talk(_metadata, variant->proto, fd, 40051));
	close(fd);
	/* Released with the socket. */
	EXPECT_EQ(0, port_free_again(variant->proto, 40051));
}

TEST_F(sockapi, disconnect_af_unspec_resets_and_reconnects)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40053), la;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int fd = skt_socket(variant->proto, 0);
	int l = skt_listener(variant->proto, &la), s;
	char buf[4];

	ASSERT_LE(0, fd);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	ASSERT_EQ(0, connect(fd, SA(&la), sizeof(la)));
	s = skt_accept(l);
	ASSERT_LE(0, s);
	EXPECT_EQ(3, send(fd, "abc", 3, 0));
	EXPECT_EQ(3, recv(s, buf, 3, MSG_WAITALL));
	/* connect(AF_UNSPEC): ABORT, the peer is reset. */
	EXPECT_EQ(0, connect(fd, &unspec, sizeof(unspec)));
	EXPECT_EQ(TCP_CLOSE, skt_state(fd));
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(s);
	EXPECT_EQ(40053, skt_local_port(fd));
	EXPECT_EQ(EADDRINUSE, try_bind(variant->proto, 40053));
	/* Reusable: connect again, from the same port. */
	EXPECT_EQ(0, connect_and_talk(_metadata, variant->proto, fd, 40053));
	/* And once more, now that the connection was closed by the peer. */
	EXPECT_EQ(0, connect(fd, &unspec, sizeof(unspec)));
	EXPECT_EQ(0, connect_and_talk(_metadata, variant->proto, fd, 40053));
	close(fd);
	close(l);
	EXPECT_EQ(0, port_free_again(variant->proto, 40053));
}

TEST_F(sockapi, disconnect_af_unspec_autobound_reconnects)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	struct sockaddr_in la;
	int fd = skt_socket(variant->proto, 0);
	int l = skt_listener(variant->proto, &la), s, i;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, l);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, connect(fd, SA(&la), sizeof(la))) {
			TH_LOG("connect %d: %s", i, strerror(errno));
		}
		EXPECT_LT(0, skt_local_port(fd));
		s = skt_accept(l);
		ASSERT_LE(0, s);
		EXPECT_EQ(1, send(fd, "x", 1, 0));
		EXPECT_EQ(0, connect(fd, &unspec, sizeof(unspec)));
		EXPECT_EQ(TCP_CLOSE, skt_state(fd));
		close(s);
	}
	close(fd);
	close(l);
}

TEST_F(sockapi, disconnect_listener_shut_rd)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 40054), la;
	int l = skt_socket(variant->proto, 0);
	int l2, c, s;
	char buf[1];

	ASSERT_LE(0, l);
	ASSERT_EQ(0, bind(l, SA(&a), sizeof(a)));
	ASSERT_EQ(0, listen(l, 4));
	/* A connection waits in the queue: it is reset with the listener. */
	c = skt_socket(variant->proto, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(POLLIN, skt_poll(l, POLLIN, 5000));
	/* shutdown(SHUT_RD) of a listener stops listening (CLOSED). */
	EXPECT_EQ(0, shutdown(l, SHUT_RD));
	EXPECT_EQ(TCP_CLOSE, skt_state(l));
	EXPECT_EQ(-1, accept(l, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(skt_poll(c, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(-1, recv(c, buf, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(c);
	/* The port stays bound to it ... */
	EXPECT_EQ(40054, skt_local_port(l));
	EXPECT_EQ(EADDRINUSE, try_bind(variant->proto, 40054));
	/* ... it can listen again and accept ... */
	ASSERT_EQ(0, listen(l, 4));
	c = skt_socket(variant->proto, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	s = skt_accept(l);
	EXPECT_LE(0, s);
	close(c);		/* first: TIME-WAIT on c's port, not ours */
	close(s);
	/* ... or, stopped again, connect from its port. */
	EXPECT_EQ(0, shutdown(l, SHUT_RD));
	EXPECT_EQ(0, connect_and_talk(_metadata, variant->proto, l, 40054));
	close(l);
	EXPECT_EQ(0, port_free_again(variant->proto, 40054));
	/* A listener on an automatic port gives it back. */
	l2 = skt_listener(variant->proto, &la);
	ASSERT_LE(0, l2);
	EXPECT_EQ(0, shutdown(l2, SHUT_RD));
	EXPECT_EQ(TCP_CLOSE, skt_state(l2));
	close(l2);
}

/* ---- close ----------------------------------------------------------- */

TEST_F(sockapi, close_unread_data_resets_peer)
{
	char buf[8];
	int ev;

	PAIR();
	ASSERT_EQ(5, send(self->cli, "stale", 5, 0));
	ASSERT_EQ(5, skt_wait_inq(self->srv, 5, 5000));
	/* RFC 1122 4.2.2.13: closing with unread data sends RST. */
	close(self->srv);
	self->srv = -1;
	ev = skt_poll(self->cli, POLLIN, 5000);
	EXPECT_TRUE(ev & POLLERR) {
		TH_LOG("revents %#x", ev);
	}
	EXPECT_EQ(-1, recv(self->cli, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(TCP_CLOSE, skt_state(self->cli));
	/* The error is reported once; then end of file, and EPIPE. */
	EXPECT_EQ(0, recv(self->cli, buf, sizeof(buf), 0));
	EXPECT_EQ(-1, send(self->cli, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

TEST_F(sockapi, linger_zero_close_resets_peer)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 }, got;
	socklen_t len = sizeof(got);
	int port;
	char b;

	PAIR();
	ASSERT_EQ(0, setsockopt(self->cli, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	ASSERT_EQ(0, getsockopt(self->cli, SOL_SOCKET, SO_LINGER, &got, &len));
	EXPECT_EQ(1, got.l_onoff);
	EXPECT_EQ(0, got.l_linger);
	port = skt_local_port(self->cli);
	close(self->cli);
	self->cli = -1;
	EXPECT_TRUE(skt_poll(self->srv, POLLIN, 5000) & POLLERR);
	EXPECT_EQ(-1, recv(self->srv, &b, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	/* An abortive close leaves no TIME-WAIT behind. */
	EXPECT_EQ(0, skt_proc_count(variant->proto, "TIME-WAIT", port));
}

TEST_F(sockapi, close_peer_reads_eof)
{
	char buf[8];

	PAIR();
	ASSERT_EQ(3, send(self->cli, "bye", 3, 0));
	close(self->cli);
	self->cli = -1;
	EXPECT_EQ(3, recv(self->srv, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "bye", 3));
	EXPECT_EQ(0, recv(self->srv, buf, sizeof(buf), 0));
	EXPECT_EQ(TCP_CLOSE_WAIT, skt_state(self->srv));
}

/* ---- poll / select / epoll ------------------------------------------- */

TEST_F(sockapi, poll_in_when_data_arrives)
{
	char b;

	PAIR();
	EXPECT_EQ(POLLOUT, skt_poll(self->srv, POLLIN | POLLOUT | POLLRDHUP, 0));
	ASSERT_EQ(1, send(self->cli, "x", 1, 0));
	EXPECT_EQ(POLLIN, skt_poll(self->srv, POLLIN, 5000));
	EXPECT_EQ(1, recv(self->srv, &b, 1, 0));
	EXPECT_EQ(0, skt_poll(self->srv, POLLIN, 0));
}

TEST_F(sockapi, poll_out_follows_send_space)
{
	long sent, got;

	PAIR();
	ASSERT_EQ(0, setint(self->cli, SOL_SOCKET, SO_SNDBUF, 65536));
	EXPECT_EQ(POLLOUT, skt_poll(self->cli, POLLOUT, 0));
	sent = skt_fill(self->cli);
	ASSERT_LT(0, sent);
	EXPECT_EQ(0, skt_poll(self->cli, POLLOUT, 0));
	/* The peer reads: space comes back. */
	got = skt_drain(self->srv, sent);
	EXPECT_EQ(sent, got);
	EXPECT_EQ(POLLOUT, skt_poll(self->cli, POLLOUT, 5000));
}

TEST_F(sockapi, epoll_rdhup_on_peer_shut_wr)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	PAIR();
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->srv, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 5000));
	EXPECT_EQ(EPOLLIN | EPOLLRDHUP, (int)ev.events);
	close(ep);
}

TEST_F(sockapi, poll_hup_err_after_rst)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	int ev;

	PAIR();
	ASSERT_EQ(0, setsockopt(self->cli, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	close(self->cli);
	self->cli = -1;
	ev = skt_poll(self->srv, POLLIN | POLLOUT | POLLRDHUP, 5000);
	EXPECT_TRUE(ev & POLLERR) {
		TH_LOG("revents %#x", ev);
	}
	EXPECT_TRUE(ev & POLLHUP);
	EXPECT_TRUE(ev & POLLIN);
	EXPECT_TRUE(ev & POLLRDHUP);
	EXPECT_EQ(ECONNRESET, getint(self->srv, SOL_SOCKET, SO_ERROR));
	/* The error is gone, the hang-up stays. */
	ev = skt_poll(self->srv, POLLIN | POLLOUT, 0);
	EXPECT_FALSE(ev & POLLERR);
	EXPECT_TRUE(ev & POLLHUP);
}

TEST_F(sockapi, select_read_write)
{
	struct timeval tv = { .tv_sec = 5 };
	fd_set r, w;

	PAIR();
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(self->srv, &r);
	FD_SET(self->srv, &w);
	EXPECT_EQ(1, select(self->srv + 1, &r, &w, NULL, &tv));
	EXPECT_FALSE(FD_ISSET(self->srv, &r));
	EXPECT_TRUE(FD_ISSET(self->srv, &w));
	ASSERT_EQ(1, send(self->cli, "x", 1, 0));
	FD_ZERO(&r);
	FD_SET(self->srv, &r);
	tv = (struct timeval){ .tv_sec = 5 };
	EXPECT_EQ(1, select(self->srv + 1, &r, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(self->srv, &r));
}

/* ---- socket options and ioctls ---------------------------------------- */

TEST_F(sockapi, so_rcvbuf_sndbuf_doubled)
{
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_LT(0, getint(fd, SOL_SOCKET, SO_RCVBUF));
	EXPECT_LT(0, getint(fd, SOL_SOCKET, SO_SNDBUF));
	/* Linux reserves room for overhead: it stores (and reports) 2x. */
	ASSERT_EQ(0, setint(fd, SOL_SOCKET, SO_RCVBUF, 32768));
	EXPECT_EQ(65536, getint(fd, SOL_SOCKET, SO_RCVBUF));
	ASSERT_EQ(0, setint(fd, SOL_SOCKET, SO_SNDBUF, 40000));
	EXPECT_EQ(80000, getint(fd, SOL_SOCKET, SO_SNDBUF));
	close(fd);
	/* The same on a connected socket. */
	PAIR();
	ASSERT_EQ(0, setint(self->srv, SOL_SOCKET, SO_RCVBUF, 20000));
	EXPECT_EQ(40000, getint(self->srv, SOL_SOCKET, SO_RCVBUF));
}

TEST_F(sockapi, so_error_zero_when_fine)
{
	PAIR();
	EXPECT_EQ(0, getint(self->cli, SOL_SOCKET, SO_ERROR));
	EXPECT_EQ(0, getint(self->srv, SOL_SOCKET, SO_ERROR));
}

TEST_F(sockapi, so_keepalive_get_set)
{
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, getint(fd, SOL_SOCKET, SO_KEEPALIVE));
	ASSERT_EQ(0, setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1));
	EXPECT_EQ(1, getint(fd, SOL_SOCKET, SO_KEEPALIVE));
	ASSERT_EQ(0, setint(fd, SOL_SOCKET, SO_KEEPALIVE, 0));
	EXPECT_EQ(0, getint(fd, SOL_SOCKET, SO_KEEPALIVE));
	close(fd);
}

TEST_F(sockapi, so_type_protocol_domain)
{
	int fd = skt_socket(variant->proto, 0);
	int lfd = skt_listener(variant->proto, NULL);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, lfd);
	EXPECT_EQ(SOCK_STREAM, getint(fd, SOL_SOCKET, SO_TYPE));
	EXPECT_EQ(variant->proto, getint(fd, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(AF_INET, getint(fd, SOL_SOCKET, SO_DOMAIN));
	EXPECT_EQ(0, getint(fd, SOL_SOCKET, SO_ACCEPTCONN));
	EXPECT_EQ(1, getint(lfd, SOL_SOCKET, SO_ACCEPTCONN));
	close(fd);
	close(lfd);
	PAIR();
	EXPECT_EQ(variant->proto, getint(self->srv, SOL_SOCKET, SO_PROTOCOL));
	EXPECT_EQ(0, getint(self->srv, SOL_SOCKET, SO_ACCEPTCONN));
}

TEST_F(sockapi, siocinq_counts_unread)
{
	char buf[100];
	int n = -1;

	PAIR();
	EXPECT_EQ(0, skt_inq(self->srv));
	ASSERT_EQ(100, send(self->cli, buf, 100, 0));
	ASSERT_EQ(100, skt_wait_inq(self->srv, 100, 5000));
	ASSERT_EQ(50, send(self->cli, buf, 50, 0));
	EXPECT_EQ(150, skt_wait_inq(self->srv, 150, 5000));
	EXPECT_EQ(30, recv(self->srv, buf, 30, 0));
	EXPECT_EQ(120, skt_inq(self->srv));
	EXPECT_EQ(100, recv(self->srv, buf, 100, 0));
	EXPECT_EQ(20, skt_inq(self->srv));
	/* FIONREAD is the same request. */
	EXPECT_EQ(0, ioctl(self->srv, FIONREAD, &n));
	EXPECT_EQ(20, n);
}

TEST_F(sockapi, siocinq_listener_einval)
{
	int lfd = skt_listener(variant->proto, NULL);
	int n;

	ASSERT_LE(0, lfd);
	EXPECT_EQ(-1, ioctl(lfd, SIOCINQ, &n));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(lfd, SIOCOUTQ, &n));
	EXPECT_EQ(EINVAL, errno);
	close(lfd);
}

TEST_F(sockapi, siocoutq_zero_once_acked)
{
	char buf[1000];

	PAIR();
	EXPECT_EQ(0, skt_outq(self->cli));
	ASSERT_EQ(1000, send(self->cli, buf, sizeof(buf), 0));
	ASSERT_EQ(1000, skt_wait_inq(self->srv, 1000, 5000));
	/* The peer acks (perhaps delayed): nothing left unacknowledged. */
	EXPECT_EQ(0, skt_wait_outq_empty(self->cli, 5000));
}

TEST_F(sockapi, siocoutq_counts_unacked_and_unsent)
{
	long sent, end;
	int in = 0, out = 0;

	PAIR();
	/* Bound the send buffer so that filling and draining are quick. */
	ASSERT_EQ(0, setint(self->cli, SOL_SOCKET, SO_SNDBUF, 65536));
	sent = skt_fill(self->cli);
	ASSERT_LT(0, sent);
	/* What the peer has not queued is still ours: unsent or unacked. */
	end = skt_now_ms() + 5000;
	do {
		in = skt_inq(self->srv);
		out = skt_outq(self->cli);
		if (in + out == sent)
			break;
		usleep(2000);
	} while (skt_now_ms() < end);
	EXPECT_EQ(sent, in + out) {
		TH_LOG("sent %ld, peer SIOCINQ %d, SIOCOUTQ %d", sent, in, out);
	}
	EXPECT_LT(0, out);
	EXPECT_EQ(sent, skt_drain(self->srv, sent));
	EXPECT_EQ(0, skt_wait_outq_empty(self->cli, 5000));
}

TEST_F(sockapi, tcp_nodelay_get_set)
{
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, getint(fd, IPPROTO_TCP, TCP_NODELAY));
	ASSERT_EQ(0, setint(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	EXPECT_EQ(1, getint(fd, IPPROTO_TCP, TCP_NODELAY));
	ASSERT_EQ(0, setint(fd, IPPROTO_TCP, TCP_NODELAY, 0));
	EXPECT_EQ(0, getint(fd, IPPROTO_TCP, TCP_NODELAY));
	close(fd);
	PAIR();
	ASSERT_EQ(0, setint(self->cli, IPPROTO_TCP, TCP_NODELAY, 1));
	EXPECT_EQ(1, getint(self->cli, IPPROTO_TCP, TCP_NODELAY));
}

TEST_F(sockapi, tcp_maxseg_default_unconnected)
{
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	/* Linux reports the RFC 9293 default send MSS, 536, before connect. */
	EXPECT_EQ(536, getint(fd, IPPROTO_TCP, TCP_MAXSEG));
	/* Below the minimum (88) is refused. */
	EXPECT_EQ(-EINVAL, setint(fd, IPPROTO_TCP, TCP_MAXSEG, 40));
	close(fd);
}

TEST_F(sockapi, tcp_maxseg_bounds_mss)
{
	struct sockaddr_in a;
	struct skt_info ti;
	int lfd = skt_listener(variant->proto, &a);
	int c = skt_socket(variant->proto, 0);
	int s, m;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setint(c, IPPROTO_TCP, TCP_MAXSEG, 1000));
	EXPECT_EQ(1000, getint(c, IPPROTO_TCP, TCP_MAXSEG));
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	s = skt_accept(lfd);
	ASSERT_LE(0, s);
	m = getint(c, IPPROTO_TCP, TCP_MAXSEG);
	EXPECT_LT(500, m);
	EXPECT_GE(1000, m);
	ASSERT_EQ(0, skt_info(c, &ti));
	EXPECT_LT(500, ti.snd_mss);
	EXPECT_GE(1000, ti.snd_mss);
	/* Our SYN announced the MSS: the peer sends no larger segments. */
	m = getint(s, IPPROTO_TCP, TCP_MAXSEG);
	EXPECT_LT(500, m);
	EXPECT_GE(1000, m);
	close(s);
	close(c);
	close(lfd);
}

TEST_F(sockapi, tcp_info_established)
{
	struct skt_info ti;

	PAIR();
	ASSERT_EQ(0, skt_info(self->cli, &ti));
	EXPECT_EQ(TCP_ESTABLISHED, ti.state);
	EXPECT_LT(0, ti.snd_mss);
	EXPECT_LT(0, ti.rcv_mss);
	EXPECT_LT(0, ti.rto);
	ASSERT_EQ(0, skt_info(self->srv, &ti));
	EXPECT_EQ(TCP_ESTABLISHED, ti.state);
	EXPECT_LT(0, ti.snd_mss);
	EXPECT_LT(0, ti.rto);
}

TEST_F(sockapi, tcp_info_byte_counters)
{
	struct skt_info ci, si;
	static char buf[5000];

	PAIR();
	ASSERT_EQ(3000, send(self->cli, buf, 3000, 0));
	ASSERT_EQ(3000, recv(self->srv, buf, 3000, MSG_WAITALL));
	ASSERT_EQ(2000, send(self->srv, buf, 2000, 0));
	ASSERT_EQ(2000, recv(self->cli, buf, 2000, MSG_WAITALL));
	EXPECT_EQ(0, skt_wait_outq_empty(self->cli, 5000));
	EXPECT_EQ(0, skt_wait_outq_empty(self->srv, 5000));
	ASSERT_EQ(0, skt_info(self->cli, &ci));
	ASSERT_EQ(0, skt_info(self->srv, &si));
	/*
	 * Linux counts the acknowledgment of its SYN in the connecting
	 * side's tcpi_bytes_acked (+1); the accepting side's counters and
	 * tcpi_bytes_received count data only.
	 */
	EXPECT_EQ(3001, ci.bytes_acked) {
		TH_LOG("acked/received: client %llu/%llu server %llu/%llu",
		       ci.bytes_acked, ci.bytes_received, si.bytes_acked,
		       si.bytes_received);
	}
	EXPECT_EQ(2000, ci.bytes_received);
	EXPECT_EQ(2000, si.bytes_acked);
	EXPECT_EQ(3000, si.bytes_received);
}

TEST_F(sockapi, tcp_timer_options_get_set)
{
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	/* Defaults: the sysctls (and atcp's knobs) of a fresh namespace. */
	EXPECT_EQ(7200, getint(fd, IPPROTO_TCP, TCP_KEEPIDLE));
	EXPECT_EQ(75, getint(fd, IPPROTO_TCP, TCP_KEEPINTVL));
	EXPECT_EQ(9, getint(fd, IPPROTO_TCP, TCP_KEEPCNT));
	EXPECT_EQ(6, getint(fd, IPPROTO_TCP, TCP_SYNCNT));
	EXPECT_EQ(0, getint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT));
	ASSERT_EQ(0, setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, 30));
	ASSERT_EQ(0, setint(fd, IPPROTO_TCP, TCP_KEEPINTVL, 5));
	ASSERT_EQ(0, setint(fd, IPPROTO_TCP, TCP_KEEPCNT, 3));
	ASSERT_EQ(0, setint(fd, IPPROTO_TCP, TCP_SYNCNT, 2));
	ASSERT_EQ(0, setint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 4000));
	EXPECT_EQ(30, getint(fd, IPPROTO_TCP, TCP_KEEPIDLE));
	EXPECT_EQ(5, getint(fd, IPPROTO_TCP, TCP_KEEPINTVL));
	EXPECT_EQ(3, getint(fd, IPPROTO_TCP, TCP_KEEPCNT));
	EXPECT_EQ(2, getint(fd, IPPROTO_TCP, TCP_SYNCNT));
	EXPECT_EQ(4000, getint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT));
	/* Out of range. */
	EXPECT_EQ(-EINVAL, setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0));
	EXPECT_EQ(-EINVAL, setint(fd, IPPROTO_TCP, TCP_SYNCNT, 0));
	EXPECT_EQ(-EINVAL, setint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, -1));
	close(fd);
}

/* Reads a sysctl holding one unsigned number; -1 if it cannot. */
static long long sysctl_ull(const char *path)
{
	unsigned long long v;
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	return n == 1 ? (long long)v : -1;
}

struct drain_arg {
	int fd;
	long n;
	long got;
};

static void *drain_later(void *p)
{
	struct drain_arg *d = p;

	usleep(300000);
	d->got = skt_drain(d->fd, d->n);
	return NULL;
}

/*
 * TCP_NOTSENT_LOWAT: the socket is writable (poll, and a send that needs
 * room) only while fewer octets than the limit wait unsent; poll wakes
 * the writer once they drop under half of it (tcp_stream_memory_free).
 */
TEST_F(sockapi, tcp_notsent_lowat_poll)
{
	static char buf[65536];
	struct drain_arg d;
	pthread_t th;
	long sent = 0;
	int n, rev;

	EXPECT_EQ(4294967296LL - 1, sysctl_ull(variant->proto == IPPROTO_TCP ?
		  "/proc/sys/net/ipv4/tcp_notsent_lowat" :
		  "/proc/sys/net/atcp/notsent_lowat"));
	PAIR();
	EXPECT_EQ(0, getint(self->cli, IPPROTO_TCP, TCP_NOTSENT_LOWAT));
	ASSERT_EQ(0, setint(self->cli, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 16384));
	EXPECT_EQ(16384, getint(self->cli, IPPROTO_TCP, TCP_NOTSENT_LOWAT));
	/* the send buffer is not what stops the writer */
	ASSERT_EQ(0, setint(self->cli, SOL_SOCKET, SO_SNDBUF, 4 << 20));
	/*
	 * The peer does not read: its window fills, then our unsent octets
	 * reach the limit.  Until the window is full, ACKs (cwnd) may send
	 * some and wake us; write on until poll stays quiet for 300 ms.
	 */
	for (;;) {
		n = send(self->cli, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			sent += n;
			ASSERT_GT(64L << 20, sent);
			continue;
		}
		ASSERT_EQ(EAGAIN, errno);
		if (!(skt_poll(self->cli, POLLOUT, 300) & POLLOUT))
			break;
	}
	/* the limit, not the send buffer, stopped us: at most a segment's
	 * worth (64 KB on lo) past it
	 */
	n = 0;
	ASSERT_EQ(0, ioctl(self->cli, SIOCOUTQNSD, &n));
	EXPECT_LE(16384, n) {
		TH_LOG("%d octets unsent of %ld", n, sent);
	}
	EXPECT_GT(16384 + 131072, n) {
		TH_LOG("%d octets unsent of %ld", n, sent);
	}
	EXPECT_EQ(0, skt_poll(self->cli, POLLOUT, 0) & POLLOUT);
	/* the peer reads: the unsent octets go, and poll wakes us */
	d.fd = self->srv;
	d.n = sent;
	d.got = 0;
	ASSERT_EQ(0, pthread_create(&th, NULL, drain_later, &d));
	rev = skt_poll(self->cli, POLLOUT, 10000);
	n = -1;
	ioctl(self->cli, SIOCOUTQNSD, &n);
	EXPECT_EQ(POLLOUT, rev & POLLOUT) {
		TH_LOG("not writable; %d octets unsent", n);
	}
	EXPECT_GT(8192, n);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(sent, d.got);
}

/* TCP_INQ: recvmsg tells what is left to read (TCP_CM_INQ). */
static int recv_inq(int fd, char *buf, int len, int *inq)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int n;

	*inq = -1;
	n = recvmsg(fd, &m, 0);
	for (c = CMSG_FIRSTHDR(&m); n >= 0 && c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_TCP && c->cmsg_type == TCP_CM_INQ &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(inq, CMSG_DATA(c), sizeof(int));
	return n;
}

TEST_F(sockapi, tcp_inq_cmsg)
{
	static char buf[1000];
	int fd = skt_socket(variant->proto, 0);
	int inq;

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, getint(fd, IPPROTO_TCP, TCP_INQ));
	ASSERT_EQ(0, setint(fd, IPPROTO_TCP, TCP_INQ, 1));
	EXPECT_EQ(1, getint(fd, IPPROTO_TCP, TCP_INQ));
	EXPECT_EQ(-EINVAL, setint(fd, IPPROTO_TCP, TCP_INQ, 2));
	ASSERT_EQ(0, setint(fd, IPPROTO_TCP, TCP_INQ, 0));
	EXPECT_EQ(0, getint(fd, IPPROTO_TCP, TCP_INQ));
	close(fd);

	PAIR();
	ASSERT_EQ(1000, send(self->cli, buf, 1000, 0));
	ASSERT_EQ(1000, skt_wait_inq(self->srv, 1000, 5000));
	/* off: no control message */
	ASSERT_EQ(100, recv_inq(self->srv, buf, 100, &inq));
	EXPECT_EQ(-1, inq);
	ASSERT_EQ(0, setint(self->srv, IPPROTO_TCP, TCP_INQ, 1));
	ASSERT_EQ(300, recv_inq(self->srv, buf, 300, &inq));
	EXPECT_EQ(600, inq);
	ASSERT_EQ(600, recv_inq(self->srv, buf, sizeof(buf), &inq));
	EXPECT_EQ(0, inq);
	/* after the FIN: not 0, so that the reader reads on to the end */
	ASSERT_EQ(500, send(self->cli, buf, 500, 0));
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	ASSERT_EQ(TCP_CLOSE_WAIT, skt_wait_state(self->srv, TCP_CLOSE_WAIT, 5000));
	ASSERT_EQ(200, recv_inq(self->srv, buf, 200, &inq));
	EXPECT_EQ(301, inq);
	ASSERT_EQ(300, recv_inq(self->srv, buf, sizeof(buf), &inq));
	EXPECT_EQ(1, inq);
	ASSERT_EQ(0, recv_inq(self->srv, buf, sizeof(buf), &inq));
	EXPECT_EQ(1, inq);
}

/*
 * TCP_CC_INFO: Reno and CUBIC tell nothing of themselves, in Linux as in
 * atcp (no get_info): the call succeeds with a length of 0.
 */
TEST_F(sockapi, tcp_cc_info_reno_cubic_empty)
{
	static const char *const names[] = { "cubic", "reno" };
	char info[64];
	socklen_t len;
	int fd, i;

	fd = skt_socket(variant->proto, 0);
	ASSERT_LE(0, fd);
	len = sizeof(info);
	EXPECT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_CC_INFO, info, &len));
	EXPECT_EQ(0U, len);
	close(fd);

	PAIR();
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, setsockopt(self->cli, IPPROTO_TCP, TCP_CONGESTION,
					names[i], strlen(names[i])));
		len = sizeof(info);
		memset(info, 0x5a, sizeof(info));
		EXPECT_EQ(0, getsockopt(self->cli, IPPROTO_TCP, TCP_CC_INFO,
					info, &len)) {
			TH_LOG("%s: %s", names[i], strerror(errno));
		}
		EXPECT_EQ(0U, len);
		EXPECT_EQ(0x5a, (unsigned char)info[0]);
	}
}

#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED	1
#endif

/*
 * SOL_SOCKET options reach atcp only where the kernel lets a protocol take
 * them (SOCK_CUSTOM_SOCKOPT: 6.12 on); before, the kernel answers
 * SO_ZEROCOPY itself, EOPNOTSUPP for a protocol other than TCP or UDP.
 */
static int atcp_takes_sol_socket(void)
{
	struct utsname u;
	int maj, min;

	if (uname(&u) || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return 0;
	return maj > 6 || (maj == 6 && min >= 12);
}

/* One completion from the error queue: ids lo..hi, ee_code; -errno. */
static int zc_completion(int fd, unsigned int *lo, unsigned int *hi,
			 int *code)
{
	char control[128];
	struct msghdr msg = {
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct sock_extended_err *ee;
	struct cmsghdr *cm;

	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return -errno;
	cm = CMSG_FIRSTHDR(&msg);
	/* as Linux's ip_recv_error: the error and an offender address */
	if (!cm || cm->cmsg_level != SOL_IP || cm->cmsg_type != IP_RECVERR ||
	    cm->cmsg_len != CMSG_LEN(sizeof(*ee) + sizeof(struct sockaddr_in)))
		return -EBADMSG;
	ee = (struct sock_extended_err *)CMSG_DATA(cm);
	if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_errno)
		return -EPROTO;
	*lo = ee->ee_info;
	*hi = ee->ee_data;
	*code = ee->ee_code;
	return 0;
}

/*
 * SO_ZEROCOPY and MSG_ZEROCOPY: eight sends of 4 KB arrive intact and are
 * reported done on the error queue, ids 0 to 7, in ranges.  Linux TCP
 * sends from the pages (its loopback copies them: either code); atcp
 * copies, SO_EE_CODE_ZEROCOPY_COPIED.  Where atcp cannot take SO_ZEROCOPY
 * (EOPNOTSUPP), MSG_ZEROCOPY is ignored: the data copied, no completion.
 * On a socket without SO_ZEROCOPY, MSG_ZEROCOPY is ignored in both.
 */
TEST_F(sockapi, so_zerocopy_completions)
{
	static char buf[8][4096], rbuf[8 * 4096];
	int zc = variant->proto == IPPROTO_TCP || atcp_takes_sol_socket();
	unsigned int lo, hi, next = 0;
	int i, r, code, total = 0;
	struct pollfd pfd;

	PAIR();
	EXPECT_EQ(0, getint(self->cli, SOL_SOCKET, SO_ZEROCOPY));
	if (zc) {
		EXPECT_EQ(-EINVAL, setint(self->cli, SOL_SOCKET, SO_ZEROCOPY, 2));
		ASSERT_EQ(0, setint(self->cli, SOL_SOCKET, SO_ZEROCOPY, 1));
		EXPECT_EQ(1, getint(self->cli, SOL_SOCKET, SO_ZEROCOPY));
	} else {
		EXPECT_EQ(-EOPNOTSUPP,
			  setint(self->cli, SOL_SOCKET, SO_ZEROCOPY, 1));
		EXPECT_EQ(0, getint(self->cli, SOL_SOCKET, SO_ZEROCOPY));
	}
	for (i = 0; i < 8; i++) {
		memset(buf[i], 'a' + i, sizeof(buf[i]));
		ASSERT_EQ(4096, send(self->cli, buf[i], 4096, MSG_ZEROCOPY));
	}
	while (total < (int)sizeof(rbuf)) {
		r = recv(self->srv, rbuf + total, sizeof(rbuf) - total, 0);
		ASSERT_LT(0, r);
		total += r;
	}
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, memcmp(rbuf + i * 4096, buf[i], 4096));

	while (zc && next < 8) {
		pfd.fd = self->cli;
		pfd.events = 0;
		ASSERT_EQ(1, poll(&pfd, 1, 10000)) {
			TH_LOG("no completion for id %u", next);
		}
		ASSERT_TRUE(pfd.revents & POLLERR);
		ASSERT_EQ(0, zc_completion(self->cli, &lo, &hi, &code));
		EXPECT_EQ(next, lo);
		EXPECT_LE(lo, hi);
		if (variant->proto == IPPROTO_ATCP) {
			EXPECT_EQ(SO_EE_CODE_ZEROCOPY_COPIED, code);
		} else {
			EXPECT_TRUE(code == 0 ||
				    code == SO_EE_CODE_ZEROCOPY_COPIED);
		}
		next = hi + 1;
	}
	EXPECT_EQ(zc ? 8U : 0U, next);
	EXPECT_EQ(-EAGAIN, zc_completion(self->cli, &lo, &hi, &code));

	/* the other end has no SO_ZEROCOPY: MSG_ZEROCOPY is ignored */
	ASSERT_EQ(100, send(self->srv, buf[0], 100, MSG_ZEROCOPY));
	ASSERT_EQ(100, recv(self->cli, rbuf, 100, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(rbuf, buf[0], 100));
	usleep(200000);
	EXPECT_EQ(-EAGAIN, zc_completion(self->srv, &lo, &hi, &code));
}

/* An option the stack does not have: ENOPROTOOPT both ways, as Linux. */
TEST_F(sockapi, tcp_unknown_option_enoprotoopt)
{
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOPROTOOPT, setint(fd, IPPROTO_TCP, 1000, 1));
	EXPECT_EQ(-100000 - ENOPROTOOPT, getint(fd, IPPROTO_TCP, 1000));
	close(fd);
}

/* ---- TCP Fast Open (RFC 7413) ------------------------------------------- */

#ifndef TCPI_OPT_SYN_DATA
#define TCPI_OPT_SYN_DATA	32
#endif

/* net.ipv4.tcp_fastopen or net.atcp.fastopen in this test's namespace. */
static int set_fastopen(int proto, int bits)
{
	return skt_sh("echo %d > /proc/sys/net/%s", bits,
		      proto == IPPROTO_TCP ? "ipv4/tcp_fastopen" :
		      "atcp/fastopen");
}

static int tcpi_options(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_options;
}

/* Accept one connection from lfd and read exactly what it carries. */
static int accept_read(int lfd, const char *want, int n)
{
	char buf[64];
	int s = skt_accept(lfd), got;

	if (s < 0)
		return -1;
	if (skt_wait_inq(s, n, 5000) != n)
		got = -2;
	else if (recv(s, buf, sizeof(buf), MSG_DONTWAIT) != n)
		got = -3;
	else
		got = memcmp(buf, want, n) ? -4 : s;
	if (got < 0)
		close(s);
	return got;
}

/*
 * Over loopback, fastopen = 3 (client and server), a listener with
 * TCP_FASTOPEN: a blocking sendto(MSG_FASTOPEN) without a cookie connects
 * (asking for one) and sends after the handshake; the next puts its data
 * on the SYN (TCPI_OPT_SYN_DATA on both ends); TCP_FASTOPEN_CONNECT makes
 * connect() return 0 before any SYN, the first write() sending SYN and
 * data.  sendto(MSG_FASTOPEN) on a connected socket: EISCONN.
 */
TEST_F(sockapi, fastopen_end_to_end)
{
	struct sockaddr_in a;
	int lfd, c, s;

	ASSERT_EQ(0, set_fastopen(variant->proto, 3));
	lfd = skt_listener(variant->proto, &a);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, setint(lfd, IPPROTO_TCP, TCP_FASTOPEN, 16));
	EXPECT_EQ(16, getint(lfd, IPPROTO_TCP, TCP_FASTOPEN));

	/* no cookie yet: the data after the handshake */
	c = skt_socket(variant->proto, 0);
	ASSERT_LE(0, c);
	EXPECT_EQ(5, sendto(c, "hello", 5, MSG_FASTOPEN, SA(&a), sizeof(a)));
	s = accept_read(lfd, "hello", 5);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, tcpi_options(c) & TCPI_OPT_SYN_DATA);
	EXPECT_EQ(0, tcpi_options(s) & TCPI_OPT_SYN_DATA);
	EXPECT_EQ(-1, sendto(c, "x", 1, MSG_FASTOPEN, SA(&a), sizeof(a)));
	EXPECT_EQ(EISCONN, errno);
	close(c);
	close(s);

	/* the cookie: data on the SYN */
	c = skt_socket(variant->proto, 0);
	ASSERT_LE(0, c);
	EXPECT_EQ(5, sendto(c, "again", 5, MSG_FASTOPEN, SA(&a), sizeof(a)));
	s = accept_read(lfd, "again", 5);
	ASSERT_LE(0, s);
	EXPECT_EQ(TCP_ESTABLISHED, skt_wait_state(c, TCP_ESTABLISHED, 5000));
	EXPECT_EQ(TCPI_OPT_SYN_DATA, tcpi_options(c) & TCPI_OPT_SYN_DATA);
	EXPECT_EQ(TCPI_OPT_SYN_DATA, tcpi_options(s) & TCPI_OPT_SYN_DATA);
	EXPECT_EQ(2, write(s, "ok", 2));
	EXPECT_EQ(2, skt_wait_inq(c, 2, 5000));
	close(c);
	close(s);

	/* TCP_FASTOPEN_CONNECT: connect() at once, the SYN with write() */
	c = skt_socket(variant->proto, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setint(c, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1));
	EXPECT_EQ(1, getint(c, IPPROTO_TCP, TCP_FASTOPEN_CONNECT));
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(TCP_SYN_SENT, skt_state(c));
	EXPECT_TRUE(skt_poll(c, POLLOUT, 0) & POLLOUT);
	EXPECT_EQ(5, write(c, "third", 5));
	s = accept_read(lfd, "third", 5);
	ASSERT_LE(0, s);
	EXPECT_EQ(TCP_ESTABLISHED, skt_wait_state(c, TCP_ESTABLISHED, 5000));
	EXPECT_EQ(TCPI_OPT_SYN_DATA, tcpi_options(c) & TCPI_OPT_SYN_DATA);
	close(c);
	close(s);
	close(lfd);
}

TEST_HARNESS_MAIN
