/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the socket-API selftests (sockapi.c, states.c): a private
 * network namespace per test, a silent peer, loopback delay, connected
 * pairs, TCP_INFO state, queue sizes and the /proc/net socket tables.
 * Every helper works for Linux TCP and for atcp alike (proto argument).
 */
#ifndef SKTEST_H
#define SKTEST_H

#include <stddef.h>
#include <netinet/in.h>
#include <sys/types.h>

/* Packets to this address leave through a veth and vanish. */
#define SKT_SILENT_ADDR	"198.51.100.2"
/* A non-local address (TEST-NET-1): bind(2) to it gives EADDRNOTAVAIL. */
#define SKT_NONLOCAL_ADDR	"192.0.2.1"

/* Enter a fresh network namespace with lo up; 0 or -1. */
int skt_netns(void);

/*
 * A fixture's setup (kselftest_harness.h included first): SIGPIPE ignored,
 * so that a write to a reset connection returns EPIPE, and a fresh network
 * namespace.
 */
#define SKT_SETUP_NETNS() do {						\
	signal(SIGPIPE, SIG_IGN);					\
	ASSERT_EQ(0, skt_netns()) {					\
		TH_LOG("cannot enter a new network namespace: %s",	\
		       strerror(errno));				\
	}								\
} while (0)
/* Run a shell command (printf format); returns its exit status. */
int skt_sh(const char *fmt, ...);
/* Add a veth so that SKT_SILENT_ADDR is routed but silent. */
int skt_silent_peer(void);
/* Delay every packet on lo by ms milliseconds (tc netem). */
int skt_lo_delay(int ms);

/* Milliseconds on the monotonic clock. */
long skt_now_ms(void);
/* 127.0.0.1-style address and port in network order. */
struct sockaddr_in skt_addr(const char *ip, int port);
/* socket(AF_INET, SOCK_STREAM | flags, proto). */
int skt_socket(int proto, int flags);
/* Local / remote port of fd, or -1. */
int skt_local_port(int fd);
int skt_remote_port(int fd);
/* Bind fd to 127.0.0.1:0 unless bound, listen; *addr gets its address. */
int skt_listen(int fd, struct sockaddr_in *addr);
/* New listener on 127.0.0.1, ephemeral port; returns its fd or -1. */
int skt_listener(int proto, struct sockaddr_in *addr);
/* Wait up to 5 s for a connection on lfd and accept it; fd or -1. */
int skt_accept(int lfd);
/* Connected pair over loopback (listener closed again); 0 or -1. */
int skt_pair(int proto, int *cli, int *srv);

/* The TCP_INFO fields the tests look at (glibc's struct lacks some). */
struct skt_info {
	int state;
	int snd_mss, rcv_mss, rto;
	long long bytes_acked, bytes_received;
};

/* getsockopt(fd, IPPROTO_TCP, TCP_INFO); 0 or -1. */
int skt_info(int fd, struct skt_info *info);
/* TCP_INFO tcpi_state of fd, or -1. */
int skt_state(int fd);
/* Poll fd's state every 2 ms until it equals / leaves state. */
int skt_wait_state(int fd, int state, int timeout_ms);
int skt_wait_not_state(int fd, int state, int timeout_ms);
/* SIOCINQ / SIOCOUTQ, or -1. */
int skt_inq(int fd);
int skt_outq(int fd);
/* Poll until SIOCINQ reaches at least n; returns the last value. */
int skt_wait_inq(int fd, int n, int timeout_ms);
/* Poll until SIOCOUTQ is 0; returns the last value. */
int skt_wait_outq_empty(int fd, int timeout_ms);
/* poll(2) one fd; returns revents, 0 on timeout. */
int skt_poll(int fd, short events, int timeout_ms);

/*
 * Send without blocking until fd stays unwritable for 300 ms (the peer does
 * not read, so its window and our send buffer are full); bytes sent.
 */
long skt_fill(int fd);
/* Read until n bytes or EOF (each wait bounded by 5 s); bytes read or -1. */
long skt_drain(int fd, long n);

/*
 * Sockets of the caller's namespace in /proc/net/tcp (IPPROTO_TCP) or
 * /proc/net/atcp (IPPROTO_ATCP) in RFC 9293 state `state` ("TIME-WAIT",
 * "FIN-WAIT-2", ...) with local or remote port `port` (0: any); -1 when
 * the table cannot be read.
 */
int skt_proc_count(int proto, const char *state, int port);
/* Poll skt_proc_count every 2 ms until it is n; returns the last count. */
int skt_wait_proc_count(int proto, const char *state, int port, int n,
			int timeout_ms);

#endif
