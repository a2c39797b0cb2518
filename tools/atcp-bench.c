// SPDX-License-Identifier: GPL-2.0
/*
 * atcp-bench: the load generator of `make bench` (scripts/bench), for atcp
 * (-p 253) and Linux TCP (-p 6) alike.  Both ends live in this one program:
 * by default the server runs in a thread and the client in the main thread,
 * each in its own network namespace if asked (-S, -C: names under
 * /run/netns, as ip-netns(8) makes them); -s or -c runs one end only.
 *
 *	atcp-bench -p PROTO -m MODE [-t SECONDS] [-H HOST] [-P PORT]
 *		   [-S NETNS] [-C NETNS] [-s | -c] [-w BYTES] [-b BYTES]
 *		   [-n CONNS] [-T SECONDS]
 *
 * Modes (the measured phase lasts -t seconds, default 3):
 *
 *   bulk       the client writes a pseudo-random stream (-w bytes a
 *              write, default 64 KiB; -b stops after that many bytes) until
 *              the time is up, then half-closes; the server checks every
 *              byte against the stream it expects at that offset and, at
 *              the end of the stream, answers with the byte count and the
 *              offset of the first wrong byte.  The rate counts the bytes
 *              the server received over the time from the connection's
 *              establishment to that answer (the send buffer's drain
 *              included), in MB/s (10^6 bytes).  CPU time: the guest's busy
 *              time from /proc/stat over the same span (both ends run in
 *              this guest), per MB.
 *   rr         1-byte request, 1-byte response on one connection, with
 *              TCP_NODELAY on both ends: transactions per second.
 *   crr        per transaction a new connection: connect, 1-byte request,
 *              1-byte response, close (the client closes first, so its end
 *              waits in TIME-WAIT): connections per second.
 *   crr-abort  as crr, but the client closes with SO_LINGER {1, 0}: a RST,
 *              no TIME-WAIT.
 *   idle       -n idle connections (both ends here): prints "listening"
 *              and waits for a line on stdin; opens the connections,
 *              prints "established N" and waits again; then, connection
 *              by connection, closes the client end first (its entry goes
 *              to TIME-WAIT), waits for the server end's end of stream and
 *              closes it; prints "closed"
 *              and waits for a line on stdin again.  The caller reads
 *              /proc/slabinfo and /proc/meminfo at each stop.
 *
 * A timed mode ends with one line of JSON on stdout, e.g.
 *   {"mode":"bulk","proto":253,"seconds":3.02,"bytes":...,"rate":...,
 *    "verified":true,"cpu_s":...,"cpu_ms_per_MB":...}
 * or, on failure, {"error":"..."} and exit status 1; a run that outlasts
 * -T seconds (default 3 * t + 30) prints {"error":"timeout ..."} and exits
 * with 3, whatever it was waiting for.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/atcp.h>

/* The expected stream repeats with a period that no segment size divides. */
#define PATTERN_LEN	(4 * 1024 * 1024 + 4093)
#define MAX_IO		(1024 * 1024)
#define IO_TIMEOUT_S	10

enum mode { BULK, RR, CRR, CRR_ABORT, IDLE };

static const char * const mode_name[] = { "bulk", "rr", "crr", "crr-abort",
					  "idle" };

static struct {
	int proto;
	enum mode mode;
	double seconds;
	const char *host;
	int port;
	const char *server_ns;
	const char *client_ns;
	int role;		/* 0 both, 's' server only, 'c' client only */
	size_t wsize;
	uint64_t max_bytes;
	int conns;
	double hard_limit;
} opt = {
	.proto = IPPROTO_ATCP,
	.mode = BULK,
	.seconds = 3,
	.host = "127.0.0.1",
	.wsize = 64 * 1024,
	.conns = 1000,
};

static unsigned char *pattern;	/* PATTERN_LEN + MAX_IO: the tail repeats */
static const char *stage = "start";	/* what a timeout interrupted */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* The server's answer at the end of a bulk stream. */
struct bulk_report {
	uint64_t bytes;
	uint64_t bad_offset;	/* UINT64_MAX: every byte as expected */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Print one JSON object (the caller's fields) and leave with status rc. */
static void finish(int rc, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	printf("{\"mode\":\"%s\",\"proto\":%d,", mode_name[opt.mode], opt.proto);
	vprintf(fmt, ap);
	printf("}\n");
	va_end(ap);
	fflush(stdout);
	_exit(rc);
}

static void fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; msg[i]; i++)
		if (msg[i] == '"' || msg[i] == '\\')
			msg[i] = '\'';
	finish(1, "\"error\":\"%s\"", msg);
}

/* Bound the whole run, whatever a system call waits for. */
static void *watchdog(void *arg)
{
	struct timespec ts = { .tv_sec = (time_t)opt.hard_limit };

	while (nanosleep(&ts, &ts))
		;
	finish(3, "\"error\":\"timeout after %.0f s (%s)\"", opt.hard_limit,
	       stage);
	return NULL;
}

static void make_pattern(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t i;

	pattern = malloc(PATTERN_LEN + MAX_IO);
	if (!pattern)
		fail("out of memory");
	for (i = 0; i < PATTERN_LEN; i++) {
		/* xorshift64 */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pattern[i] = x >> 56;
	}
	memcpy(pattern + PATTERN_LEN, pattern, MAX_IO);
}

static void enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (!name)
		return;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		fail("network namespace %s: %s", name, strerror(errno));
	close(fd);
}

/* Busy time of all CPUs so far, in seconds (user to steal, less idle). */
static double cpu_busy(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 8)
		return -1;
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	       sysconf(_SC_CLK_TCK);
}

static void set_int(int fd, int level, int name, int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)))
		fail("%s: %s", what, strerror(errno));
}

static void set_timeouts(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		fail("SO_RCVTIMEO/SO_SNDTIMEO: %s", strerror(errno));
}

static struct sockaddr_in server_addr(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, opt.host, &sin.sin_addr) != 1)
		fail("bad address %s", opt.host);
	sin.sin_port = htons(opt.port);
	return sin;
}

static int new_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, opt.proto);

	if (fd < 0)
		fail("socket(AF_INET, SOCK_STREAM, %d): %s", opt.proto,
		     strerror(errno));
	return fd;
}

static int listen_socket(int backlog)
{
	struct sockaddr_in sin = server_addr();
	socklen_t len = sizeof(sin);
	int fd = new_socket();

	set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		fail("bind %s:%d: %s", opt.host, opt.port, strerror(errno));
	if (listen(fd, backlog))
		fail("listen: %s", strerror(errno));
	if (getsockname(fd, (struct sockaddr *)&sin, &len))
		fail("getsockname: %s", strerror(errno));
	opt.port = ntohs(sin.sin_port);
	set_timeouts(fd, IO_TIMEOUT_S);
	return fd;
}

/* Connect; the SO_SNDTIMEO set first bounds the handshake. */
static int connect_socket(int nodelay, int abort_close)
{
	struct sockaddr_in sin = server_addr();
	int fd = new_socket();

	set_timeouts(fd, IO_TIMEOUT_S);
	if (nodelay)
		set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
	if (abort_close) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)))
			fail("SO_LINGER: %s", strerror(errno));
	}
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		return -errno;
	return fd;
}

static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? r : (ssize_t)got;
		got += r;
	}
	return got;
}

static void write_full(int fd, const void *buf, size_t n, const char *what)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = write(fd, (const char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail("%s: write: %s", what, strerror(errno));
		done += r;
	}
}

/* ---- server ------------------------------------------------------------- */

/* Only idle mode's accept times out; a server waits for its next client. */
static int accept_one(int lfd)
{
	int fd;

	do
		fd = accept(lfd, NULL, NULL);
	while (fd < 0 && (errno == EINTR ||
			  (errno == EAGAIN && opt.mode != IDLE)));
	if (fd < 0)
		fail("accept: %s", strerror(errno));
	set_timeouts(fd, IO_TIMEOUT_S);
	return fd;
}

/* Receive the stream, compare it with the pattern, answer with a report. */
static void serve_bulk(int lfd)
{
	struct bulk_report rep = { .bad_offset = UINT64_MAX };
	unsigned char *buf = malloc(MAX_IO);
	int fd = accept_one(lfd);
	ssize_t r;

	/* The sender may pause for seconds under loss (RTO back-off). */
	set_timeouts(fd, (int)opt.hard_limit + 1);
	if (!buf)
		fail("out of memory");
	for (;;) {
		r = read(fd, buf, MAX_IO);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail("server: read after %llu bytes: %s",
			     (unsigned long long)rep.bytes, strerror(errno));
		if (r == 0)
			break;
		if (rep.bad_offset == UINT64_MAX &&
		    memcmp(buf, pattern + rep.bytes % PATTERN_LEN, r)) {
			ssize_t i = 0;

			while (buf[i] == pattern[(rep.bytes + i) % PATTERN_LEN])
				i++;
			rep.bad_offset = rep.bytes + i;
		}
		rep.bytes += r;
	}
	write_full(fd, &rep, sizeof(rep), "server report");
	close(fd);
	free(buf);
}

static void serve_rr(int lfd)
{
	int fd = accept_one(lfd);
	char c[64];
	ssize_t r;

	set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
	while ((r = read(fd, c, sizeof(c))) > 0)
		write_full(fd, c, r, "server response");
	close(fd);
}

/* One connection after another: request, response, then the peer's close. */
static void serve_crr(int lfd)
{
	char c[64];
	int fd;

	for (;;) {
		fd = accept_one(lfd);
		set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
		if (read(fd, c, 1) == 1) {
			/* A client that gave up may have reset it already. */
			if (write(fd, c, 1) == 1)
				while (read(fd, c, sizeof(c)) > 0)
					;
		}
		close(fd);
	}
}

struct server_arg {
	int lfd;
	pthread_mutex_t lock;
	pthread_cond_t ready;
	int up;
};

static void *server_main(void *p)
{
	struct server_arg *a = p;

	if (a->lfd < 0) {
		enter_netns(opt.server_ns);
		a->lfd = listen_socket(opt.mode == IDLE ? 4096 : 128);
	}
	pthread_mutex_lock(&a->lock);
	a->up = 1;
	pthread_cond_signal(&a->ready);
	pthread_mutex_unlock(&a->lock);
	if (opt.mode == IDLE)
		return NULL;
	for (;;) {
		switch (opt.mode) {
		case BULK:
			serve_bulk(a->lfd);
			break;
		case RR:
			serve_rr(a->lfd);
			break;
		default:
			serve_crr(a->lfd);
			break;
		}
	}
	return NULL;
}

/* ---- client ------------------------------------------------------------- */

static void client_bulk(void)
{
	struct bulk_report rep;
	uint64_t sent = 0;
	double t0, t_end, t_sent, t_done, c0, c1, secs, mb;
	int fd, nb;
	ssize_t r;

	stage = "bulk connect";
	fd = connect_socket(0, 0);
	if (fd < 0)
		fail("connect: %s", strerror(-fd));
	nb = fcntl(fd, F_GETFL);
	if (nb < 0 || fcntl(fd, F_SETFL, nb | O_NONBLOCK))
		fail("O_NONBLOCK: %s", strerror(errno));
	c0 = cpu_busy();
	t0 = now();
	t_end = t0 + opt.seconds;
	stage = "bulk send";
	while (!opt.max_bytes || sent < opt.max_bytes) {
		size_t n = opt.wsize;
		double left = t_end - now();
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		if (left <= 0)
			break;
		if (opt.max_bytes && opt.max_bytes - sent < n)
			n = opt.max_bytes - sent;
		r = write(fd, pattern + sent % PATTERN_LEN, n);
		if (r > 0) {
			sent += r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			fail("client: write after %llu bytes: %s",
			     (unsigned long long)sent, strerror(errno));
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
	}
	t_sent = now();
	if (fcntl(fd, F_SETFL, nb))
		fail("O_NONBLOCK off: %s", strerror(errno));
	/* The answer comes after the drain; -T bounds the wait. */
	set_timeouts(fd, (int)opt.hard_limit + 1);
	stage = "bulk drain (waiting for the server's count)";
	if (shutdown(fd, SHUT_WR))
		fail("shutdown: %s", strerror(errno));
	r = read_full(fd, &rep, sizeof(rep));
	if (r != sizeof(rep))
		fail("no report from the server after %llu bytes sent: %s",
		     (unsigned long long)sent, r < 0 ? strerror(errno) : "EOF");
	t_done = now();
	c1 = cpu_busy();
	close(fd);
	secs = t_done - t0;
	mb = rep.bytes / 1e6;
	finish(rep.bytes == sent && rep.bad_offset == UINT64_MAX ? 0 : 1,
	       "\"seconds\":%.3f,\"send_seconds\":%.3f,\"bytes\":%llu,\"sent\":%llu,\"rate\":%.3f,\"verified\":%s,\"bad_offset\":%lld,\"cpu_s\":%.3f,\"cpu_ms_per_MB\":%.4f%s",
	       secs, t_sent - t0, (unsigned long long)rep.bytes,
	       (unsigned long long)sent, mb / secs,
	       rep.bytes == sent && rep.bad_offset == UINT64_MAX ?
	       "true" : "false",
	       rep.bad_offset == UINT64_MAX ? -1LL : (long long)rep.bad_offset,
	       c1 - c0, mb > 0 ? (c1 - c0) * 1000 / mb : 0,
	       rep.bytes == sent && rep.bad_offset == UINT64_MAX ? "" :
	       ",\"error\":\"the server did not receive exactly the stream sent\"");
}

static void client_rr(void)
{
	uint64_t n = 0;
	double t0, t;
	char c = 'q';
	int fd;

	stage = "rr connect";
	fd = connect_socket(1, 0);
	if (fd < 0)
		fail("connect: %s", strerror(-fd));
	stage = "rr transactions";
	t0 = now();
	do {
		write_full(fd, &c, 1, "request");
		if (read_full(fd, &c, 1) != 1)
			fail("no response to request %llu: %s",
			     (unsigned long long)n, strerror(errno));
		n++;
		t = now();
	} while (t - t0 < opt.seconds);
	close(fd);
	finish(0, "\"seconds\":%.3f,\"transactions\":%llu,\"rate\":%.1f",
	       t - t0, (unsigned long long)n, n / (t - t0));
}

static void client_crr(int abort_close)
{
	uint64_t n = 0;
	double t0, t;
	char c = 'q';
	int fd;

	stage = abort_close ? "crr-abort loop" : "crr loop";
	t0 = now();
	do {
		fd = connect_socket(1, abort_close);
		if (fd < 0)
			fail("connect %llu: %s", (unsigned long long)n,
			     strerror(-fd));
		write_full(fd, &c, 1, "request");
		if (read_full(fd, &c, 1) != 1)
			fail("no response on connection %llu: %s",
			     (unsigned long long)n, strerror(errno));
		close(fd);
		n++;
		t = now();
	} while (t - t0 < opt.seconds);
	finish(0, "\"seconds\":%.3f,\"connections\":%llu,\"rate\":%.1f",
	       t - t0, (unsigned long long)n, n / (t - t0));
}

/* N idle connections; the caller measures memory at each stop. */
static void run_idle(int lfd)
{
	struct rlimit rl = { 2 * opt.conns + 64, 2 * opt.conns + 64 };
	int *cfd = calloc(opt.conns, sizeof(int));
	int *sfd = calloc(opt.conns, sizeof(int));
	char line[64], c;
	int i;

	if (!cfd || !sfd)
		fail("out of memory");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("RLIMIT_NOFILE %d: %s", 2 * opt.conns + 64, strerror(errno));
	printf("listening\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		_exit(0);
	stage = "idle: connecting";
	for (i = 0; i < opt.conns; i++) {
		cfd[i] = connect_socket(0, 0);
		if (cfd[i] < 0)
			fail("connect %d: %s", i, strerror(-cfd[i]));
		sfd[i] = accept_one(lfd);
	}
	printf("established %d\n", opt.conns);
	fflush(stdout);
	stage = "idle: waiting for the caller";
	if (!fgets(line, sizeof(line), stdin))
		_exit(0);
	/*
	 * One connection after the other, so that only one orphan at a time
	 * waits for its peer's FIN (a stack's orphan limit would otherwise
	 * reset some of them instead of leaving them in TIME-WAIT).
	 */
	stage = "idle: closing";
	for (i = 0; i < opt.conns; i++) {
		close(cfd[i]);
		if (read(sfd[i], &c, 1) != 0)
			fail("server end %d: no end of stream: %s", i,
			     strerror(errno));
		close(sfd[i]);
	}
	printf("closed %d\n", opt.conns);
	fflush(stdout);
	stage = "idle: waiting for the caller";
	if (!fgets(line, sizeof(line), stdin))
		_exit(0);
	_exit(0);
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: atcp-bench -p PROTO -m bulk|rr|crr|crr-abort|idle [-t SECONDS]\n"
		"       [-H HOST] [-P PORT] [-S NETNS] [-C NETNS] [-s|-c] [-w BYTES]\n"
		"       [-b BYTES] [-n CONNS] [-T SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct server_arg sa = {
		.lfd = -1,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.ready = PTHREAD_COND_INITIALIZER,
	};
	pthread_t wd, st;
	int c, m;

	while ((c = getopt(argc, argv, "p:m:t:H:P:S:C:scw:b:n:T:")) != -1) {
		switch (c) {
		case 'p':
			opt.proto = atoi(optarg);
			break;
		case 'm':
			for (m = 0; m <= IDLE; m++)
				if (!strcmp(optarg, mode_name[m]))
					break;
			if (m > IDLE)
				usage();
			opt.mode = m;
			break;
		case 't':
			opt.seconds = atof(optarg);
			break;
		case 'H':
			opt.host = optarg;
			break;
		case 'P':
			opt.port = atoi(optarg);
			break;
		case 'S':
			opt.server_ns = optarg;
			break;
		case 'C':
			opt.client_ns = optarg;
			break;
		case 's':
		case 'c':
			opt.role = c;
			break;
		case 'w':
			opt.wsize = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			opt.max_bytes = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			opt.conns = atoi(optarg);
			break;
		case 'T':
			opt.hard_limit = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || opt.wsize < 1 || opt.wsize > MAX_IO ||
	    opt.seconds <= 0 || opt.conns < 1 ||
	    (opt.mode == IDLE && opt.role))
		usage();
	if (opt.hard_limit <= 0)
		opt.hard_limit = 3 * opt.seconds + 30;
	make_pattern();
	if (opt.mode != IDLE &&
	    pthread_create(&wd, NULL, watchdog, NULL))
		fail("pthread_create");

	if (opt.role == 's') {
		/* Serve until killed (or -T); the port goes to stdout. */
		enter_netns(opt.server_ns);
		sa.lfd = listen_socket(128);
		printf("port %d\n", opt.port);
		fflush(stdout);
		server_main(&sa);
	}
	if (opt.role != 'c') {
		if (pthread_create(&st, NULL, server_main, &sa))
			fail("pthread_create");
		pthread_mutex_lock(&sa.lock);
		while (!sa.up)
			pthread_cond_wait(&sa.ready, &sa.lock);
		pthread_mutex_unlock(&sa.lock);
	}
	enter_netns(opt.client_ns);
	switch (opt.mode) {
	case BULK:
		client_bulk();
		break;
	case RR:
		client_rr();
		break;
	case CRR:
		client_crr(0);
		break;
	case CRR_ABORT:
		client_crr(1);
		break;
	case IDLE:
		run_idle(sa.lfd);
		break;
	}
	return 0;
}
