// SPDX-License-Identifier: GPL-2.0
/*
 * A listener's queues under concurrent use (RFC 9293 §3.9.1 LISTEN):
 *
 *   poll_accept_vs_listen_stop  two threads poll() and accept() a listener
 *                               without pause while the main thread
 *                               connects to it and stops it
 *                               (shutdown(SHUT_RD), which returns it to
 *                               CLOSED) and listens again, many times.
 *                               atcp used to free the queue storage in the
 *                               stop while poll() and accept()'s wait read
 *                               it unlocked (issue 8 item 6; KASAN on the
 *                               debug kernel).  Every connection is
 *                               accepted or refused, nothing hangs.
 *   close_with_pending          a listener closed with unaccepted
 *                               connections: the clients see them reset,
 *                               and a new listener on the port serves
 *                               again.  (SYN-RECEIVED entries at close:
 *                               pkt scenario 31.)
 *
 * Both for Linux TCP and atcp, over 127.0.0.1 in a private namespace.
 */
// timeout: 600
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "atcp_test.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 300
#include "sktest.h"

#define SA(a)	((struct sockaddr *)(a))
#define PORT	7100

FIXTURE(listenq) {
	int lfd;
	int stop;
	long polls, accepts;
};

FIXTURE_VARIANT(listenq) {
	int proto;
};

FIXTURE_VARIANT_ADD(listenq, tcp) {
	.proto = IPPROTO_TCP,
};

FIXTURE_VARIANT_ADD(listenq, atcp) {
	.proto = IPPROTO_ATCP,
};

FIXTURE_SETUP(listenq)
{
	SKT_SETUP_NETNS();
	self->lfd = -1;
}

FIXTURE_TEARDOWN(listenq)
{
	if (self->lfd >= 0)
		close(self->lfd);
}

static int iterations(void)
{
	const char *r = getenv("ATCP_REDUCED");

	return r && !strcmp(r, "1") ? 100 : 1000;
}

static void *poller(void *arg)
{
	struct _test_data_listenq *self = arg;
	struct pollfd p = { .fd = self->lfd, .events = POLLIN };

	while (!__atomic_load_n(&self->stop, __ATOMIC_RELAXED)) {
		poll(&p, 1, 0);
		self->polls++;
	}
	return NULL;
}

static void *acceptor(void *arg)
{
	struct _test_data_listenq *self = arg;
	int c;

	while (!__atomic_load_n(&self->stop, __ATOMIC_RELAXED)) {
		c = accept4(self->lfd, NULL, NULL, SOCK_NONBLOCK);
		if (c >= 0) {
			close(c);
			self->accepts++;
		}
	}
	return NULL;
}

TEST_F(listenq, poll_accept_vs_listen_stop)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 0);
	socklen_t alen = sizeof(a);
	int i, n = iterations(), c;
	pthread_t t[2];

	/* Port 0: each listen() picks a port, each stop gives it back
	 * (an explicitly bound port stays bound across the stop).
	 */
	self->lfd = skt_socket(variant->proto, SOCK_NONBLOCK);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, bind(self->lfd, SA(&a), sizeof(a)));
	ASSERT_EQ(0, listen(self->lfd, 8));
	ASSERT_EQ(0, pthread_create(&t[0], NULL, poller, self));
	ASSERT_EQ(0, pthread_create(&t[1], NULL, acceptor, self));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, getsockname(self->lfd, SA(&a), &alen));
		c = skt_socket(variant->proto, SOCK_NONBLOCK);
		ASSERT_LE(0, c);
		connect(c, SA(&a), sizeof(a));
		if (i % 2)
			usleep(200);
		/* back to CLOSED: queued children are reset, as Linux */
		ASSERT_EQ(0, shutdown(self->lfd, SHUT_RD));
		close(c);
		ASSERT_EQ(0, listen(self->lfd, 8)) {
			TH_LOG("listen again, round %d: %s", i, strerror(errno));
		}
	}
	__atomic_store_n(&self->stop, 1, __ATOMIC_RELAXED);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	TH_LOG("%d rounds, %ld polls, %ld accepted", n, self->polls,
	       self->accepts);
	ASSERT_LT(0, self->polls);
	/* the listener still serves */
	ASSERT_EQ(0, getsockname(self->lfd, SA(&a), &alen));
	c = skt_socket(variant->proto, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, SA(&a), sizeof(a)));
	ASSERT_EQ(1, skt_poll(self->lfd, POLLIN, 5000));
	i = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, i);
	close(i);
	close(c);
}

TEST_F(listenq, close_with_pending)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", PORT + 1);
	int c[2], i, one = 1, err, s;

	self->lfd = skt_socket(variant->proto, 0);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, setsockopt(self->lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)));
	ASSERT_EQ(0, bind(self->lfd, SA(&a), sizeof(a)));
	ASSERT_EQ(0, listen(self->lfd, 8));
	/* Two established and unaccepted. */
	for (i = 0; i < 2; i++) {
		c[i] = skt_socket(variant->proto, 0);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, connect(c[i], SA(&a), sizeof(a)));
	}
	ASSERT_EQ(1, skt_poll(self->lfd, POLLIN, 5000));
	close(self->lfd);
	self->lfd = -1;
	for (i = 0; i < 2; i++) {
		char b;

		/* reset by the listener's close, as Linux */
		err = recv(c[i], &b, 1, 0) < 0 ? errno : 0;
		EXPECT_EQ(ECONNRESET, err);
		close(c[i]);
	}
	/* The port serves again at once. */
	self->lfd = skt_socket(variant->proto, 0);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, setsockopt(self->lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)));
	ASSERT_EQ(0, bind(self->lfd, SA(&a), sizeof(a)));
	ASSERT_EQ(0, listen(self->lfd, 8));
	s = skt_socket(variant->proto, 0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, connect(s, SA(&a), sizeof(a)));
	i = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, i);
	close(i);
	close(s);
}

TEST_HARNESS_MAIN
