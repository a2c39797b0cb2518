// SPDX-License-Identifier: GPL-2.0
/*
 * The connection states of RFC 9293 section 3.3.2 (figure 5) as the socket
 * API reaches them, read back with TCP_INFO's tcpi_state (and, for sockets
 * without a file descriptor such as TIME-WAIT, from /proc/net/tcp or
 * /proc/net/atcp): CLOSED -> LISTEN -> CLOSED; CLOSED -> SYN-SENT ->
 * ESTABLISHED / CLOSED (close, shutdown, RST, timeout); SYN-SENT ->
 * SYN-RECEIVED -> ESTABLISHED (simultaneous open, section 3.5 figure 7,
 * with a socket connected to itself); ESTABLISHED -> FIN-WAIT-1 ->
 * FIN-WAIT-2 -> TIME-WAIT; ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED;
 * FIN-WAIT-1 -> CLOSING -> TIME-WAIT (simultaneous close, section 3.6
 * figure 13); ESTABLISHED -> CLOSED on RST and on connect(AF_UNSPEC).
 *
 * Linux moves a socket that enters TIME-WAIT to a separate mini socket:
 * the file descriptor, if still open, reads TCP_CLOSE, and the TIME-WAIT
 * entry appears in the /proc table.  Every test runs for Linux TCP and for
 * atcp, in a private network namespace over 127.0.0.1.
 */
// timeout: 1800 (the debug kernel: minutes)
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "atcp_test.h"

/* Under the debug kernel and TCG, a namespace and a veth take seconds. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 120
#include "sktest.h"

#define SA(a)	((struct sockaddr *)(a))

static int setint(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) ? -errno : 0;
}

static int so_error(int fd)
{
	socklen_t len = sizeof(int);
	int v = -1;

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len) ? -errno : v;
}

FIXTURE(states) {
	int cli, srv;
};

FIXTURE_VARIANT(states) {
	int proto;
};

FIXTURE_VARIANT_ADD(states, tcp) {
	.proto = IPPROTO_TCP,
};

FIXTURE_VARIANT_ADD(states, atcp) {
	.proto = IPPROTO_ATCP,
};

FIXTURE_SETUP(states)
{
	SKT_SETUP_NETNS();
	self->cli = -1;
	self->srv = -1;
}

FIXTURE_TEARDOWN(states)
{
	if (self->cli >= 0)
		close(self->cli);
	if (self->srv >= 0)
		close(self->srv);
}

static void make_pair(struct __test_metadata *_metadata,
		      struct _test_data_states *self, int proto)
{
	ASSERT_EQ(0, skt_pair(proto, &self->cli, &self->srv)) {
		TH_LOG("no connected pair: %s", strerror(errno));
	}
	ASSERT_EQ(TCP_ESTABLISHED, skt_state(self->cli));
	ASSERT_EQ(TCP_ESTABLISHED, skt_state(self->srv));
}

#define PAIR() make_pair(_metadata, self, variant->proto)

TEST_F(states, closed_to_listen)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 41001);
	int fd = skt_socket(variant->proto, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(TCP_CLOSE, skt_state(fd));
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	EXPECT_EQ(TCP_CLOSE, skt_state(fd));
	EXPECT_EQ(0, skt_proc_count(variant->proto, "LISTEN", 41001));
	ASSERT_EQ(0, listen(fd, 4));
	EXPECT_EQ(TCP_LISTEN, skt_state(fd));
	EXPECT_EQ(1, skt_proc_count(variant->proto, "LISTEN", 41001));
	/* listen() again only changes the backlog. */
	EXPECT_EQ(0, listen(fd, 8));
	EXPECT_EQ(TCP_LISTEN, skt_state(fd));
	close(fd);
	EXPECT_EQ(0, skt_proc_count(variant->proto, "LISTEN", 41001));
}

TEST_F(states, listen_to_closed_on_shutdown)
{
	struct sockaddr_in a;
	int lfd = skt_listener(variant->proto, &a);
	int c = skt_socket(variant->proto, 0);

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	/* Linux: SHUT_WR leaves a listener alone, SHUT_RD closes it. */
	EXPECT_EQ(0, shutdown(lfd, SHUT_WR));
	EXPECT_EQ(TCP_LISTEN, skt_state(lfd));
	EXPECT_EQ(0, shutdown(lfd, SHUT_RD));
	EXPECT_EQ(TCP_CLOSE, skt_state(lfd));
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	EXPECT_EQ(ECONNREFUSED, errno);
	/* It may listen again. */
	EXPECT_EQ(0, listen(lfd, 4));
	EXPECT_EQ(TCP_LISTEN, skt_state(lfd));
	close(c);
	close(lfd);
}

TEST_F(states, syn_sent_to_closed_on_close)
{
	struct sockaddr_in a = skt_addr(SKT_SILENT_ADDR, 41002);
	int c = skt_socket(variant->proto, SOCK_NONBLOCK);
	int port;

	ASSERT_EQ(0, skt_silent_peer());
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(TCP_SYN_SENT, skt_state(c));
	EXPECT_EQ(1, skt_proc_count(variant->proto, "SYN-SENT", 41002));
	port = skt_local_port(c);
	ASSERT_LT(0, port);
	close(c);
	/* Gone at once: no FIN, no TIME-WAIT for a connection never made. */
	EXPECT_EQ(0, skt_proc_count(variant->proto, "SYN-SENT", port));
	EXPECT_EQ(0, skt_proc_count(variant->proto, "TIME-WAIT", port));
	EXPECT_EQ(0, skt_proc_count(variant->proto, "FIN-WAIT-1", port));
}

TEST_F(states, syn_sent_to_closed_on_shutdown)
{
	struct sockaddr_in a = skt_addr(SKT_SILENT_ADDR, 41003);
	int c = skt_socket(variant->proto, SOCK_NONBLOCK);

	ASSERT_EQ(0, skt_silent_peer());
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(TCP_SYN_SENT, skt_state(c));
	/* Linux aborts a connection attempt on shutdown, and says 0. */
	EXPECT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(TCP_CLOSE, skt_state(c));
	EXPECT_EQ(0, skt_proc_count(variant->proto, "SYN-SENT", 41003));
	close(c);
}

TEST_F(states, syn_sent_to_established)
{
	struct sockaddr_in a;
	int lfd, c, s;

	/* 200 ms each way, so that SYN-SENT lasts long enough to see. */
	ASSERT_EQ(0, skt_lo_delay(200));
	lfd = skt_listener(variant->proto, &a);
	c = skt_socket(variant->proto, SOCK_NONBLOCK);
	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(TCP_SYN_SENT, skt_state(c));
	EXPECT_EQ(POLLOUT, skt_poll(c, POLLOUT, 5000));
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(c));
	EXPECT_EQ(0, so_error(c));
	s = skt_accept(lfd);
	ASSERT_LE(0, s);
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(s));
	close(s);
	close(c);
	close(lfd);
}

TEST_F(states, syn_sent_to_closed_on_rst)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 41004);
	int c = skt_socket(variant->proto, SOCK_NONBLOCK);

	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_TRUE(skt_poll(c, POLLOUT, 5000) & POLLERR);
	EXPECT_EQ(TCP_CLOSE, skt_state(c));
	EXPECT_EQ(ECONNREFUSED, so_error(c));
	close(c);
}

TEST_F(states, syn_sent_to_closed_on_timeout)
{
	struct sockaddr_in a = skt_addr(SKT_SILENT_ADDR, 41005);
	int c = skt_socket(variant->proto, SOCK_NONBLOCK);
	int ev;

	ASSERT_EQ(0, skt_silent_peer());
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setint(c, IPPROTO_TCP, TCP_SYNCNT, 1));
	EXPECT_EQ(-1, connect(c, SA(&a), sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(TCP_SYN_SENT, skt_state(c));
	ev = skt_poll(c, POLLOUT, 15000);
	EXPECT_TRUE(ev & POLLERR) {
		TH_LOG("revents %#x", ev);
	}
	EXPECT_EQ(TCP_CLOSE, skt_state(c));
	EXPECT_EQ(ETIMEDOUT, so_error(c));
	close(c);
}

TEST_F(states, simultaneous_open_self_connect)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 41006), peer;
	socklen_t len = sizeof(peer);
	int fd = skt_socket(variant->proto, 0);
	char buf[8];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	/* Our SYN reaches ourselves: SYN-SENT, SYN-RECEIVED, ESTABLISHED. */
	ASSERT_EQ(0, connect(fd, SA(&a), sizeof(a))) {
		TH_LOG("connect to ourselves: %s", strerror(errno));
	}
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(fd));
	ASSERT_EQ(0, getpeername(fd, SA(&peer), &len));
	EXPECT_EQ(a.sin_port, peer.sin_port);
	EXPECT_EQ(6, send(fd, "mirror", 6, 0));
	EXPECT_EQ(6, recv(fd, buf, 6, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "mirror", 6));
	close(fd);
}

TEST_F(states, simultaneous_open_passes_syn_received)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 41007);
	int fd = skt_socket(variant->proto, SOCK_NONBLOCK);

	ASSERT_EQ(0, skt_lo_delay(250));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, SA(&a), sizeof(a)));
	EXPECT_EQ(-1, connect(fd, SA(&a), sizeof(a)));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(TCP_SYN_SENT, skt_state(fd));
	/* Our own SYN arrives after 250 ms, our SYN,ACK 250 ms later. */
	EXPECT_EQ(TCP_SYN_RECV, skt_wait_not_state(fd, TCP_SYN_SENT, 5000));
	EXPECT_EQ(TCP_ESTABLISHED, skt_wait_not_state(fd, TCP_SYN_RECV, 5000));
	EXPECT_EQ(0, so_error(fd));
	close(fd);
}

TEST_F(states, fin_wait1_to_fin_wait2)
{
	long sent;
	int port;

	PAIR();
	port = skt_local_port(self->cli);
	/*
	 * The peer does not read: our data fills its window and our FIN
	 * waits behind unsent data, holding us in FIN-WAIT-1.
	 */
	ASSERT_EQ(0, setint(self->cli, SOL_SOCKET, SO_SNDBUF, 65536));
	sent = skt_fill(self->cli);
	ASSERT_LT(0, sent);
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	EXPECT_EQ(TCP_FIN_WAIT1, skt_state(self->cli));
	EXPECT_EQ(1, skt_proc_count(variant->proto, "FIN-WAIT-1", port));
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(self->srv));
	/* The peer reads everything and the FIN: it acks, we wait for its FIN. */
	EXPECT_EQ(sent, skt_drain(self->srv, sent + 1));
	EXPECT_EQ(TCP_CLOSE_WAIT, skt_state(self->srv));
	EXPECT_EQ(TCP_FIN_WAIT2, skt_wait_state(self->cli, TCP_FIN_WAIT2, 5000));
	EXPECT_EQ(1, skt_proc_count(variant->proto, "FIN-WAIT-2", port));
	EXPECT_EQ(1, skt_proc_count(variant->proto, "CLOSE-WAIT", port));
}

TEST_F(states, fin_wait2_to_time_wait)
{
	char b;
	int port;

	PAIR();
	port = skt_local_port(self->cli);
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	EXPECT_EQ(0, recv(self->srv, &b, 1, 0));
	EXPECT_EQ(TCP_CLOSE_WAIT, skt_state(self->srv));
	EXPECT_EQ(TCP_FIN_WAIT2, skt_wait_state(self->cli, TCP_FIN_WAIT2, 5000));
	ASSERT_EQ(0, shutdown(self->srv, SHUT_WR));
	EXPECT_EQ(0, recv(self->cli, &b, 1, 0));
	/* Linux: the open descriptor reads CLOSE, the table TIME-WAIT. */
	EXPECT_EQ(TCP_CLOSE, skt_wait_state(self->cli, TCP_CLOSE, 5000));
	EXPECT_EQ(TCP_CLOSE, skt_wait_state(self->srv, TCP_CLOSE, 5000));
	EXPECT_EQ(1, skt_proc_count(variant->proto, "TIME-WAIT", port));
	EXPECT_EQ(0, skt_proc_count(variant->proto, "LAST-ACK", port));
}

TEST_F(states, close_wait_to_last_ack_to_closed)
{
	long sent;
	char b;
	int port;

	PAIR();
	port = skt_local_port(self->cli);
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	EXPECT_EQ(0, recv(self->srv, &b, 1, 0));
	EXPECT_EQ(TCP_CLOSE_WAIT, skt_state(self->srv));
	/* The closed half still carries data; fill the other way. */
	ASSERT_EQ(0, setint(self->srv, SOL_SOCKET, SO_SNDBUF, 65536));
	sent = skt_fill(self->srv);
	ASSERT_LT(0, sent);
	ASSERT_EQ(0, shutdown(self->srv, SHUT_WR));
	/* Our FIN is stuck behind the data: LAST-ACK until all is acked. */
	EXPECT_EQ(TCP_LAST_ACK, skt_state(self->srv));
	EXPECT_EQ(1, skt_proc_count(variant->proto, "LAST-ACK", port));
	EXPECT_EQ(TCP_FIN_WAIT2, skt_state(self->cli));
	EXPECT_EQ(sent, skt_drain(self->cli, sent + 1));
	EXPECT_EQ(TCP_CLOSE, skt_wait_state(self->srv, TCP_CLOSE, 5000));
	EXPECT_EQ(TCP_CLOSE, skt_state(self->cli));
	EXPECT_EQ(0, skt_proc_count(variant->proto, "LAST-ACK", port));
	EXPECT_EQ(1, skt_proc_count(variant->proto, "TIME-WAIT", port));
}

TEST_F(states, simultaneous_close_closing_time_wait)
{
	int port, st;

	/* 250 ms each way: both FINs are in flight at the same time. */
	ASSERT_EQ(0, skt_lo_delay(250));
	PAIR();
	port = skt_local_port(self->cli);
	ASSERT_EQ(0, shutdown(self->cli, SHUT_WR));
	ASSERT_EQ(0, shutdown(self->srv, SHUT_WR));
	EXPECT_EQ(TCP_FIN_WAIT1, skt_state(self->cli));
	EXPECT_EQ(TCP_FIN_WAIT1, skt_state(self->srv));
	/* Each receives the other's FIN before the ACK of its own. */
	st = skt_wait_not_state(self->cli, TCP_FIN_WAIT1, 5000);
	EXPECT_EQ(TCP_CLOSING, st);
	st = skt_wait_not_state(self->srv, TCP_FIN_WAIT1, 5000);
	EXPECT_TRUE(st == TCP_CLOSING || st == TCP_CLOSE) {
		TH_LOG("server state %d", st);
	}
	EXPECT_EQ(TCP_CLOSE, skt_wait_state(self->cli, TCP_CLOSE, 5000));
	EXPECT_EQ(TCP_CLOSE, skt_wait_state(self->srv, TCP_CLOSE, 5000));
	/* Both ends keep the connection in TIME-WAIT. */
	EXPECT_EQ(2, skt_proc_count(variant->proto, "TIME-WAIT", port));
	EXPECT_EQ(0, skt_proc_count(variant->proto, "CLOSING", port));
}

TEST_F(states, active_close_orphan_fin_wait2_then_time_wait)
{
	char b;
	int port;

	PAIR();
	port = skt_local_port(self->cli);
	close(self->cli);
	self->cli = -1;
	EXPECT_EQ(0, recv(self->srv, &b, 1, 0));
	EXPECT_EQ(TCP_CLOSE_WAIT, skt_state(self->srv));
	/* The closed socket lives on without a descriptor (ACK may be delayed). */
	EXPECT_EQ(1, skt_wait_proc_count(variant->proto, "FIN-WAIT-2", port, 1, 5000));
	close(self->srv);
	self->srv = -1;
	EXPECT_EQ(1, skt_wait_proc_count(variant->proto, "TIME-WAIT", port, 1, 5000));
	EXPECT_EQ(0, skt_proc_count(variant->proto, "FIN-WAIT-2", port));
	EXPECT_EQ(0, skt_wait_proc_count(variant->proto, "LAST-ACK", port, 0, 5000));
	EXPECT_EQ(0, skt_proc_count(variant->proto, "CLOSE-WAIT", port));
}

TEST_F(states, established_to_closed_on_rst)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	PAIR();
	ASSERT_EQ(0, setsockopt(self->cli, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	close(self->cli);
	self->cli = -1;
	EXPECT_TRUE(skt_poll(self->srv, POLLIN, 5000) & POLLERR);
	EXPECT_EQ(TCP_CLOSE, skt_state(self->srv));
	EXPECT_EQ(ECONNRESET, so_error(self->srv));
}

TEST_F(states, established_to_closed_on_disconnect)
{
	struct sockaddr_in a;
	struct sockaddr u = { .sa_family = AF_UNSPEC };
	int lfd, c, s;
	char b;

	lfd = skt_listener(variant->proto, &a);
	c = skt_socket(variant->proto, 0);
	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	s = skt_accept(lfd);
	ASSERT_LE(0, s);
	/* connect(AF_UNSPEC) dissolves the connection: the peer gets RST. */
	EXPECT_EQ(0, connect(c, &u, sizeof(u)));
	EXPECT_EQ(TCP_CLOSE, skt_state(c));
	EXPECT_TRUE(skt_poll(s, POLLIN, 5000) & POLLERR);
	EXPECT_EQ(-1, recv(s, &b, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(s);
	/* The socket can connect again. */
	EXPECT_EQ(0, connect(c, SA(&a), sizeof(a))) {
		TH_LOG("reconnect: %s", strerror(errno));
	}
	EXPECT_EQ(TCP_ESTABLISHED, skt_state(c));
	close(c);
	close(lfd);
}

TEST_HARNESS_MAIN
