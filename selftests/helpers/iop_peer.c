// SPDX-License-Identifier: GPL-2.0
/*
 * iop_peer: one end of a connection for selftests/interop.sh (not a test
 * itself), for the cases that bulk transfer does not reach: a refused
 * connection, a simultaneous close and a reset.  C, not Python: under the
 * debug kernel's TCG a Python start costs some 13 s.
 *
 * Either end listens (--listen ADDR:PORT --ready FILE: "port N" written to
 * FILE, a FIFO, once listening; one connection accepted) or connects
 * (--connect ADDR:PORT); --proto is the IP protocol (6 Linux TCP, 253
 * atcp).  It prints "key value" lines.
 *
 *	iop_peer connect --proto P --connect A:P
 *		prints "result connected" or "result ERRNO" (ECONNREFUSED)
 *	iop_peer close --proto P (--listen A:P --ready F | --connect A:P)
 *		--sync DIR --role R
 *		write DIR/ready.R, wait for DIR/go, shutdown(SHUT_WR); then,
 *		until the other's FIN has been read (recv returns 0) and the
 *		connection has left FIN-WAIT-1/2, CLOSING and LAST-ACK, sample
 *		the state (TCP_INFO tcpi_state) every millisecond; close.
 *		Prints "states S..." (each state once, in the order seen) and
 *		"eof 1" if the FIN was read.
 *	iop_peer abort ... --bytes N [--sync DIR]
 *		write (non-blocking) until the send buffer has stayed full for
 *		0.2 s or N bytes are written, then abort: SO_LINGER {1, 0} and
 *		close (RFC 9293 §3.10.5 ABORT: an RST, no FIN); then create
 *		DIR/go.  Prints "sent N".
 *	iop_peer recv ... [--sync DIR --role R]
 *		(wait for DIR/go as close does, then) read until EOF or an
 *		error.  Prints "received N" and "end eof" or "end ERRNO".
 *
 * --timeout T (default 60 s) bounds each wait.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "atcp_test.h"

static const char *const state_name[] = {
	[TCP_ESTABLISHED] = "ESTABLISHED", [TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECV] = "SYN_RECV", [TCP_FIN_WAIT1] = "FIN_WAIT1",
	[TCP_FIN_WAIT2] = "FIN_WAIT2", [TCP_TIME_WAIT] = "TIME_WAIT",
	[TCP_CLOSE] = "CLOSE", [TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_LAST_ACK] = "LAST_ACK", [TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
};

static struct {
	int proto;
	const char *listen, *connect, *ready, *sync, *role;
	long bytes;
	int timeout;
} opt = { .bytes = 1 << 20, .timeout = 60 };

static void die(const char *what)
{
	fprintf(stderr, "iop_peer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void parse_addr(const char *s, struct sockaddr_in *sa)
{
	if (parse_addr4(s, sa)) {
		fprintf(stderr, "iop_peer: bad address %s\n", s);
		exit(2);
	}
}

static void set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = opt.timeout };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* A socket of opt.proto with the timeouts, connect()ed to opt.connect:
 * 0 or -1 (errno), the socket in *fd either way.
 */
static int connect_peer(int *fd)
{
	struct sockaddr_in sa;

	parse_addr(opt.connect, &sa);
	*fd = socket(AF_INET, SOCK_STREAM, opt.proto);
	if (*fd < 0)
		die("socket");
	set_timeout(*fd);
	return connect(*fd, (struct sockaddr *)&sa, sizeof(sa));
}

static int connection(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int one = 1, ls, fd;
	FILE *f;

	if (opt.connect) {
		if (connect_peer(&fd))
			die("connect");
		return fd;
	}
	parse_addr(opt.listen, &sa);
	ls = socket(AF_INET, SOCK_STREAM, opt.proto);
	if (ls < 0)
		die("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1))
		die("listen");
	if (getsockname(ls, (struct sockaddr *)&sa, &len))
		die("getsockname");
	f = fopen(opt.ready, "w");
	if (!f)
		die(opt.ready);
	fprintf(f, "port %u\n", ntohs(sa.sin_port));
	fclose(f);
	set_timeout(ls);
	fd = accept(ls, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(ls);
	set_timeout(fd);
	return fd;
}

static void touch(const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", opt.sync, name);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		die(path);
	close(fd);
}

/* write DIR/ready.ROLE, then wait for DIR/go (polled every 0.5 ms) */
static void barrier(void)
{
	char ready[64], go[512];
	double end = now() + opt.timeout;

	snprintf(ready, sizeof(ready), "ready.%s", opt.role);
	touch(ready);
	snprintf(go, sizeof(go), "%s/go", opt.sync);
	while (access(go, F_OK)) {
		if (now() > end) {
			fprintf(stderr, "iop_peer: no go within %d s\n",
				opt.timeout);
			exit(1);
		}
		usleep(500);
	}
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		die("TCP_INFO");
	return ti.tcpi_state;
}

static int closing(int st)
{
	return st == TCP_FIN_WAIT1 || st == TCP_FIN_WAIT2 ||
	       st == TCP_CLOSING || st == TCP_LAST_ACK;
}

static void do_close(int fd)
{
	int seen[32], nseen = 0, eof = 0, st, i;
	double end;
	char buf[4096];

	barrier();
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	end = now() + opt.timeout;
	while (now() < end) {
		st = tcp_state(fd);
		if ((!nseen || seen[nseen - 1] != st) && nseen < 32)
			seen[nseen++] = st;
		if (!eof) {
			ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (r == 0)
				eof = 1;
			else if (r < 0 && errno != EAGAIN)
				die("recv");
		}
		if (eof && !closing(st))
			break;
		usleep(1000);
	}
	printf("states");
	for (i = 0; i < nseen; i++) {
		if (seen[i] > 0 && seen[i] <= TCP_CLOSING)
			printf(" %s", state_name[seen[i]]);
		else
			printf(" %d", seen[i]);
	}
	printf("\neof %d\n", eof);
	close(fd);
}

static void do_abort(int fd)
{
	static char buf[65536];
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long n = 0;
	int full = 0;
	ssize_t r;

	/*
	 * The peer reads nothing until --sync's go: write until the send
	 * buffer stays full for 0.2 s (the peer's window closed), so that
	 * the abort finds data unsent.
	 */
	memset(buf, 'x', sizeof(buf));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (n < opt.bytes && full < 20) {
		size_t len = opt.bytes - n;

		if (len > sizeof(buf))
			len = sizeof(buf);
		r = send(fd, buf, len, 0);
		if (r > 0) {
			n += r;
			full = 0;
		} else if (r < 0 && errno == EAGAIN) {
			full += n ? 1 : 0;
			usleep(10000);
		} else {
			die("send");
		}
	}
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die("SO_LINGER");
	close(fd);
	printf("sent %ld\n", n);
	if (opt.sync)
		touch("go");
}

static const char *errname(int e)
{
	switch (e) {
	case ECONNRESET:
		return "ECONNRESET";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EPIPE:
		return "EPIPE";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case EAGAIN:
		return "EAGAIN(timeout)";
	default:
		return strerror(e);
	}
}

static void do_recv(int fd)
{
	static char buf[65536];
	const char *end = "eof";
	long n = 0;
	ssize_t r;

	if (opt.sync)
		barrier();
	for (;;) {
		r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0)
			break;
		if (r < 0) {
			end = errname(errno);
			break;
		}
		n += r;
	}
	printf("received %ld\nend %s\n", n, end);
	close(fd);
}

static void do_connect(void)
{
	int fd;

	if (connect_peer(&fd))
		printf("result %s\n", errname(errno));
	else
		printf("result connected\n");
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "proto", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "connect", required_argument, NULL, 'c' },
		{ "ready", required_argument, NULL, 'r' },
		{ "sync", required_argument, NULL, 's' },
		{ "role", required_argument, NULL, 'o' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ }
	};
	const char *mode;
	int c, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: iop_peer connect|close|abort|recv OPTIONS\n");
		return 2;
	}
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			opt.proto = atoi(optarg);
			break;
		case 'l':
			opt.listen = optarg;
			break;
		case 'c':
			opt.connect = optarg;
			break;
		case 'r':
			opt.ready = optarg;
			break;
		case 's':
			opt.sync = optarg;
			break;
		case 'o':
			opt.role = optarg;
			break;
		case 'b':
			opt.bytes = atol(optarg);
			break;
		case 't':
			opt.timeout = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!opt.connect == !opt.listen || (opt.listen && !opt.ready) ||
	    ((!strcmp(mode, "close") || (!strcmp(mode, "recv") && opt.sync)) &&
	     (!opt.sync || !opt.role))) {
		fprintf(stderr,
			"iop_peer: --listen A:P --ready FILE or --connect A:P;\n"
			"          close needs --sync DIR --role R\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "connect")) {
		do_connect();
		return 0;
	}
	fd = connection();
	if (!strcmp(mode, "close"))
		do_close(fd);
	else if (!strcmp(mode, "abort"))
		do_abort(fd);
	else if (!strcmp(mode, "recv"))
		do_recv(fd);
	else
		return 2;
	return 0;
}
