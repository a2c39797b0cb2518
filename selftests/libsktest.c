// SPDX-License-Identifier: GPL-2.0
/* Helpers for the socket-API selftests (see sktest.h). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/tcp.h>
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atcp_test.h"
#include "sktest.h"

int skt_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, ret = -1;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

int skt_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fflush(stderr);
	st = system(cmd);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int skt_silent_peer(void)
{
	/* A veth whose far end drops what it gets (wrong MAC, static
	 * neighbour): no ARP failure, no ICMP, nothing comes back.  (The
	 * same on every kernel, no dummy device needed.)
	 */
	static const char * const steps[] = {
		"ip link add skt0 type veth peer name skt1",
		"ip link set skt1 up",
		"ip link set skt0 up",
		"ip addr add 198.51.100.1/24 dev skt0",
		"ip neigh add 198.51.100.2 lladdr 02:00:00:00:00:02 dev skt0 nud permanent",
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		err = skt_sh("%s", steps[i]);
		if (err)
			return err;
	}
	return 0;
}

int skt_lo_delay(int ms)
{
	return skt_sh("tc qdisc add dev lo root netem delay %dms", ms);
}

long skt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

struct sockaddr_in skt_addr(const char *ip, int port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

int skt_socket(int proto, int flags)
{
	return socket(AF_INET, SOCK_STREAM | flags, proto);
}

int skt_local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	return ntohs(a.sin_port);
}

int skt_remote_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getpeername(fd, (struct sockaddr *)&a, &len))
		return -1;
	return ntohs(a.sin_port);
}

int skt_listen(int fd, struct sockaddr_in *addr)
{
	struct sockaddr_in a = skt_addr("127.0.0.1", 0);
	socklen_t len = sizeof(a);

	if (skt_local_port(fd) <= 0 &&
	    bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	if (listen(fd, 16))
		return -1;
	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	if (addr)
		*addr = a;
	return 0;
}

int skt_listener(int proto, struct sockaddr_in *addr)
{
	int fd = skt_socket(proto, 0);

	if (fd < 0)
		return -1;
	if (skt_listen(fd, addr)) {
		close(fd);
		return -1;
	}
	return fd;
}

int skt_accept(int lfd)
{
	if (!(skt_poll(lfd, POLLIN, 5000) & POLLIN))
		return -1;
	return accept(lfd, NULL, NULL);
}

int skt_pair(int proto, int *cli, int *srv)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(int);
	int lfd, c, s = -1, err = -1;

	lfd = skt_listener(proto, &a);
	if (lfd < 0)
		return -1;
	/* Connect without blocking so that a broken stack fails in 5 s. */
	c = skt_socket(proto, SOCK_NONBLOCK);
	if (c < 0)
		goto err;
	if (connect(c, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS)
		goto err;
	if (!(skt_poll(c, POLLOUT, 5000) & POLLOUT) ||
	    getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) || err ||
	    fcntl(c, F_SETFL, 0))
		goto err;
	s = skt_accept(lfd);
	if (s < 0)
		goto err;
	close(lfd);
	*cli = c;
	*srv = s;
	return 0;
err:
	if (err > 0)
		errno = err;
	if (c >= 0)
		close(c);
	close(lfd);
	return -1;
}

int skt_info(int fd, struct skt_info *info)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	memset(info, 0, sizeof(*info));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	info->state = ti.tcpi_state;
	info->snd_mss = ti.tcpi_snd_mss;
	info->rcv_mss = ti.tcpi_rcv_mss;
	info->rto = ti.tcpi_rto;
	if (len >= offsetof(struct tcp_info, tcpi_bytes_received) +
		   sizeof(ti.tcpi_bytes_received)) {
		info->bytes_acked = ti.tcpi_bytes_acked;
		info->bytes_received = ti.tcpi_bytes_received;
	}
	return 0;
}

int skt_state(int fd)
{
	struct skt_info i;

	return skt_info(fd, &i) ? -1 : i.state;
}

int skt_wait_state(int fd, int state, int timeout_ms)
{
	long end = skt_now_ms() + timeout_ms;
	int st;

	while ((st = skt_state(fd)) != state && skt_now_ms() < end)
		usleep(2000);
	return st;
}

int skt_wait_not_state(int fd, int state, int timeout_ms)
{
	long end = skt_now_ms() + timeout_ms;
	int st;

	while ((st = skt_state(fd)) == state && skt_now_ms() < end)
		usleep(2000);
	return st;
}

int skt_inq(int fd)
{
	int n;

	return ioctl(fd, SIOCINQ, &n) ? -1 : n;
}

int skt_outq(int fd)
{
	int n;

	return ioctl(fd, SIOCOUTQ, &n) ? -1 : n;
}

int skt_wait_inq(int fd, int n, int timeout_ms)
{
	long end = skt_now_ms() + timeout_ms;
	int q;

	while ((q = skt_inq(fd)) >= 0 && q < n && skt_now_ms() < end)
		usleep(2000);
	return q;
}

int skt_wait_outq_empty(int fd, int timeout_ms)
{
	long end = skt_now_ms() + timeout_ms;
	int q;

	while ((q = skt_outq(fd)) > 0 && skt_now_ms() < end)
		usleep(2000);
	return q;
}

int skt_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, timeout_ms);

	return n > 0 ? p.revents : n;
}

long skt_fill(int fd)
{
	static char buf[65536];
	long total = 0;
	ssize_t n;

	for (;;) {
		n = send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			total += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			return -1;
		if (!(skt_poll(fd, POLLOUT, 300) & POLLOUT))
			return total;
	}
}

long skt_drain(int fd, long n)
{
	static char buf[65536];
	long got = 0;
	ssize_t r;

	while (got < n) {
		if (!(skt_poll(fd, POLLIN, 5000) & (POLLIN | POLLERR | POLLHUP)))
			return -1;
		r = recv(fd, buf, n - got < (long)sizeof(buf) ?
			 n - got : (long)sizeof(buf), MSG_DONTWAIT);
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

/* Linux's /proc/net/tcp state numbers, indexed by RFC 9293 name. */
static const char * const tcp_states[] = {
	[1] = "ESTABLISHED", [2] = "SYN-SENT", [3] = "SYN-RECEIVED",
	[4] = "FIN-WAIT-1", [5] = "FIN-WAIT-2", [6] = "TIME-WAIT",
	[7] = "CLOSED", [8] = "CLOSE-WAIT", [9] = "LAST-ACK",
	[10] = "LISTEN", [11] = "CLOSING", [12] = "SYN-RECEIVED",
};

static int proc_line(int proto, const char *line, const char *state, int port)
{
	unsigned int la, lp, ra, rp, st, b[4], c[4];
	char name[32];

	if (proto == IPPROTO_TCP) {
		if (sscanf(line, " %*u: %X:%X %X:%X %X", &la, &lp, &ra, &rp,
			   &st) != 5)
			return 0;
		if (st >= ARRAY_SIZE(tcp_states) || !tcp_states[st] ||
		    strcmp(tcp_states[st], state))
			return 0;
	} else {
		if (sscanf(line, " %*s %u.%u.%u.%u:%u %u.%u.%u.%u:%u %31s",
			   &b[0], &b[1], &b[2], &b[3], &lp,
			   &c[0], &c[1], &c[2], &c[3], &rp, name) != 11)
			return 0;
		if (strcmp(name, state))
			return 0;
	}
	return !port || lp == (unsigned int)port || rp == (unsigned int)port;
}

int skt_proc_count(int proto, const char *state, int port)
{
	const char *path = proto == IPPROTO_TCP ? "/proc/net/tcp" :
						  "/proc/net/atcp";
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {	/* header */
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		n += proc_line(proto, line, state, port);
	fclose(f);
	return n;
}

int skt_wait_proc_count(int proto, const char *state, int port, int n,
			int timeout_ms)
{
	long end = skt_now_ms() + timeout_ms;
	int c;

	while ((c = skt_proc_count(proto, state, port)) >= 0 && c != n &&
	       skt_now_ms() < end)
		usleep(2000);
	return c;
}
