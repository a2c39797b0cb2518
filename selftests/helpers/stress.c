// SPDX-License-Identifier: GPL-2.0
/*
 * stress: many kinds of connection life at once, for a bounded time, for
 * Linux TCP or atcp (selftests/stress.sh drives it; make stress runs it
 * long on the debug kernel).
 *
 *   stress [-p tcp|atcp] [-d SECONDS] [-a SERVER_ADDR] [-S SERVER_NETNS]
 *          [-C CLIENT_NETNS] [-T IO_TIMEOUT_S] [-b BULK_KB] [-s SEED] [-r]
 *
 * The server threads run in network namespace SERVER_NETNS (a name in
 * /run/netns; default: the caller's), the clients in CLIENT_NETNS, and the
 * clients connect to SERVER_ADDR (default 127.0.0.1).  Threads, all at once:
 *
 *   crr       connect, request, response, close: the client closes
 *             gracefully, aborts (SO_LINGER {1, 0}), or waits for the
 *             server's close; one in eight closes before the response.
 *   rr        request/response of 1..4096 octets on long-lived
 *             connections, reconnecting now and then.
 *   bulk      BULK_KB each way; the data is a function of a seed, checked
 *             octet by octet by the receiver and by a FNV-1a checksum the
 *             server returns.
 *   churn     a listener closed (or shut down, and at times made to
 *             listen again, then closed) and reopened under load
 *             (connections arriving, queued and unaccepted when it
 *             closes) while clients connect to it.
 *   shutdown  shutdown(SHUT_RD, SHUT_WR or SHUT_RDWR) and close from one
 *             thread while another reads and writes the connection.
 *   connect   close (or shutdown, or an abort) racing with a connect in
 *             progress, non-blocking and blocking.
 *
 * -r: at a third and at two thirds of the run, delete_module("atcp")
 * must be refused (the sockets pin the module); it succeeding is a failure.
 *
 * Failures: a request of crr (but for the early closes), rr or bulk that
 * fails or returns wrong data, a race whose reader stays blocked until the
 * I/O timeout, or a thread that does not end.  Errors the races cause
 * (ECONNRESET, EPIPE, ECONNREFUSED, ...) are counted, not failed.  The
 * last line is "stress: PASS" or "stress: FAIL"; the exit status is 0 on
 * PASS.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef IPPROTO_ATCP
#define IPPROTO_ATCP 253
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define P_CRR		7001	/* crr: one request per connection */
#define P_DATA		7002	/* rr, bulk, shutdown and connect races */
#define P_CHURN		7003	/* the listener closed under load */
#define MAGIC		0x61746370
#define MAX_ECHO	4096
#define CHUNK		16384

enum op { OP_ECHO = 1, OP_BULK = 2 };
/* OP_ECHO flag: the server closes after its response. */
#define F_SERVER_CLOSE	0x100

struct hdr {
	uint32_t magic;
	uint32_t op;
	uint32_t len;
	uint32_t seed;
};

enum kind { K_CRR, K_RR, K_BULK, K_CHURN, K_SHUT, K_CONN, K_SERVER, K_MAX };
static const char * const kind_name[K_MAX] = {
	"crr", "rr", "bulk", "churn", "shutdown", "connect", "server",
};

struct count {
	atomic_long ok;		/* operations that completed */
	atomic_long tolerated;	/* errors the races are expected to cause */
	atomic_long fail;
};

static struct count counts[K_MAX];
static atomic_long bulk_bytes;
static atomic_bool stop;		/* the clients stop */
static atomic_bool server_stop;	/* then the servers */
static atomic_int live_handlers;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int nfail_logged;

static int proto = IPPROTO_ATCP;
static int duration = 10;
static int io_timeout = 30;
static unsigned int bulk_len = 1024 * 1024;
static unsigned int seed0 = 1;
static struct in_addr server_addr;
static int server_ns = -1, client_ns = -1;
static bool try_rmmod;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define __printf(a, b) __attribute__((format(printf, a, b)))

static __printf(2, 3) void fail(enum kind k, const char *fmt, ...);
static void fail(enum kind k, const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&counts[k].fail, 1);
	pthread_mutex_lock(&log_lock);
	if (nfail_logged++ < 50) {
		va_start(ap, fmt);
		fprintf(stderr, "stress: FAIL %s: ", kind_name[k]);
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
		va_end(ap);
	}
	pthread_mutex_unlock(&log_lock);
}

/* xorshift32: each thread's own random numbers. */
static uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x ? x : 0x9e3779b9;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Octets off..off+n of the data stream named by seed. */
static void gen(uint32_t seed, uint64_t off, uint8_t *buf, size_t n)
{
	uint64_t w = mix64(((uint64_t)seed << 40) ^ (off >> 3));
	size_t i;

	for (i = 0; i < n; i++, off++) {
		if (i && !(off & 7))
			w = mix64(((uint64_t)seed << 40) ^ (off >> 3));
		buf[i] = w >> ((off & 7) * 8);
	}
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static void set_timeouts(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* All of buf, or -1 (errno set; 0 for an end of file). */
static int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;
	ssize_t r;

	while (n) {
		r = read(fd, p, n);
		if (r <= 0) {
			if (!r)
				errno = 0;
			return -1;
		}
		p += r;
		n -= r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	ssize_t r;

	while (n) {
		r = send(fd, p, n, MSG_NOSIGNAL);
		if (r < 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

static const char *err_str(void)
{
	return errno ? strerror(errno) : "end of file";
}

static void abort_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void enter_ns(int ns)
{
	if (ns >= 0 && setns(ns, CLONE_NEWNET)) {
		perror("stress: setns");
		exit(2);
	}
}

static int listener(int port, int backlog)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM, proto);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_timeouts(fd, 1);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, backlog)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A socket connected to the server's @port, or -1. */
static int dial(int port, int timeout)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr = server_addr,
	};
	int fd, e;

	fd = socket(AF_INET, SOCK_STREAM, proto);
	if (fd < 0)
		return -1;
	set_timeouts(fd, timeout);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* ---- the server --------------------------------------------------------- */

/*
 * Serve requests on @fd until the client closes: echo, or take a bulk
 * transfer (checked against its seed), answer with its checksum and send
 * the stream of the seed's complement back.  Returns 0 at the client's
 * end of file, -1 on an error (errno), 1 after F_SERVER_CLOSE, -2 on wrong
 * data.
 */
static int serve(int fd)
{
	uint8_t buf[CHUNK], want[CHUNK];
	struct hdr h;
	uint64_t sum, off;
	size_t n;

	for (;;) {
		if (read_full(fd, &h, sizeof(h)))
			return errno ? -1 : 0;
		if (h.magic != MAGIC)
			return -2;
		if ((h.op & 0xff) == OP_ECHO) {
			if (h.len > MAX_ECHO)
				return -2;
			if (read_full(fd, buf, h.len) || write_full(fd, buf, h.len))
				return -1;
			if (h.op & F_SERVER_CLOSE)
				return 1;
			continue;
		}
		if (h.op != OP_BULK)
			return -2;
		sum = FNV_INIT;
		for (off = 0; off < h.len; off += n) {
			n = h.len - off < CHUNK ? h.len - off : CHUNK;
			if (read_full(fd, buf, n))
				return -1;
			gen(h.seed, off, want, n);
			if (memcmp(buf, want, n))
				return -2;
			sum = fnv1a(sum, buf, n);
		}
		if (write_full(fd, &sum, sizeof(sum)))
			return -1;
		for (off = 0; off < h.len; off += n) {
			n = h.len - off < CHUNK ? h.len - off : CHUNK;
			gen(~h.seed, off, buf, n);
			if (write_full(fd, buf, n))
				return -1;
		}
	}
}

static void serve_and_close(int fd)
{
	int r = serve(fd);

	if (r == -2)
		fail(K_SERVER, "wrong data or header from a client");
	else if (r < 0)
		atomic_fetch_add(&counts[K_SERVER].tolerated, 1);
	else
		atomic_fetch_add(&counts[K_SERVER].ok, 1);
	close(fd);
}

static void *handler(void *arg)
{
	serve_and_close((int)(intptr_t)arg);
	atomic_fetch_sub(&live_handlers, 1);
	return NULL;
}

/* Accept on @lfd until stop; each connection served by a thread. */
static void accept_loop(int lfd)
{
	pthread_attr_t attr;
	pthread_t th;
	int fd;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	while (!atomic_load(&server_stop)) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED && errno != EMFILE)
				fail(K_SERVER, "accept: %s", strerror(errno));
			if (errno == EMFILE)
				usleep(10000);
			continue;
		}
		set_timeouts(fd, io_timeout);
		atomic_fetch_add(&live_handlers, 1);
		if (pthread_create(&th, &attr, handler, (void *)(intptr_t)fd)) {
			atomic_fetch_sub(&live_handlers, 1);
			serve_and_close(fd);
		}
	}
	pthread_attr_destroy(&attr);
}

static int crr_lfd = -1, data_lfd = -1;

/*
 * A thread per connection: a client's abort whose RST is lost (netem)
 * leaves its server connection waiting for the I/O timeout, and must not
 * hold up the connections queued behind it.
 */
static void *crr_server(void *arg)
{
	accept_loop(crr_lfd);
	return NULL;
}

static void *data_server(void *arg)
{
	accept_loop(data_lfd);
	return NULL;
}

/*
 * The listener closed under load: open, accept and serve a few
 * connections, leave others queued, close with connections queued and
 * arriving; again.
 */
static void *churn_server(void *arg)
{
	uint32_t r = seed0 ^ 0xc0ffee;
	double until;
	int lfd, fd;

	enter_ns(server_ns);
	while (!atomic_load(&server_stop)) {
		lfd = listener(P_CHURN, 1 + rnd(&r) % 16);
		if (lfd < 0) {
			/* the port may still be held a moment: not a failure */
			atomic_fetch_add(&counts[K_CHURN].tolerated, 1);
			usleep(1000);
			continue;
		}
		until = now() + (rnd(&r) % 50) / 1000.0;
		while (now() < until && !atomic_load(&server_stop)) {
			if (rnd(&r) % 2) {
				usleep(rnd(&r) % 2000);
				continue;
			}
			fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
			if (fd < 0) {
				usleep(200);
				continue;
			}
			/* served with a short timeout: the client may be gone */
			fcntl(fd, F_SETFL, 0);
			set_timeouts(fd, 1);
			serve_and_close(fd);
		}
		/*
		 * One time in three the listener is shut down first (Linux
		 * disconnects it, RFC 9293 3.10.4: its queue is reset); half
		 * of those listen again on the same socket for a moment.
		 */
		if (!(rnd(&r) % 3)) {
			shutdown(lfd, SHUT_RDWR);
			if (rnd(&r) % 2 && !listen(lfd, 1 + rnd(&r) % 16))
				usleep(rnd(&r) % 5000);
		}
		close(lfd);
		usleep(rnd(&r) % 3000);
	}
	return NULL;
}

/* ---- the clients -------------------------------------------------------- */

/* One echo of @len octets of stream @seed on @fd; 0, -1 (errno), -2 wrong. */
static int echo_once(int fd, uint32_t op, uint32_t len, uint32_t seed)
{
	uint8_t out[sizeof(struct hdr) + MAX_ECHO], in[MAX_ECHO];
	struct hdr h = { MAGIC, op, len, seed };

	/* one write: a request, not two small segments for Nagle to hold */
	memcpy(out, &h, sizeof(h));
	gen(seed, 0, out + sizeof(h), len);
	if (write_full(fd, out, sizeof(h) + len))
		return -1;
	if (read_full(fd, in, len))
		return -1;
	return memcmp(in, out + sizeof(h), len) ? -2 : 0;
}

static void *crr_client(void *arg)
{
	uint32_t r = seed0 ^ (uint32_t)(intptr_t)arg * 7919;
	uint32_t len, how, op;
	uint8_t b;
	int fd, ret;

	enter_ns(client_ns);
	while (!atomic_load(&stop)) {
		how = rnd(&r) % 8;
		len = 1 + rnd(&r) % 512;
		fd = dial(P_CRR, io_timeout);
		if (fd < 0) {
			fail(K_CRR, "connect: %s", strerror(errno));
			continue;
		}
		if (how == 0) {
			/* closes before the response: the server may see a RST */
			struct hdr h = { MAGIC, OP_ECHO, 1, 0 };

			ret = write_full(fd, &h, sizeof(h)) || write_full(fd, "x", 1);
			if (rnd(&r) % 2)
				abort_close(fd);
			else
				close(fd);
			atomic_fetch_add(&counts[K_CRR].tolerated, ret != 0);
			continue;
		}
		op = OP_ECHO | (how >= 6 ? F_SERVER_CLOSE : 0);
		ret = echo_once(fd, op, len, rnd(&r));
		if (!ret && (op & F_SERVER_CLOSE)) {
			/* the server's FIN comes next */
			errno = EPROTO;
			if (read(fd, &b, 1) != 0)
				ret = -1;
		}
		if (ret)
			fail(K_CRR, "%s of %u octets (close %u): %s",
			     ret == -2 ? "wrong echo" : "echo", len, how,
			     ret == -2 ? "" : err_str());
		else
			atomic_fetch_add(&counts[K_CRR].ok, 1);
		if (how <= 2)
			abort_close(fd);
		else
			close(fd);
	}
	return NULL;
}

static void *rr_client(void *arg)
{
	uint32_t r = seed0 ^ (uint32_t)(intptr_t)arg * 104729;
	double reconnect;
	int fd, ret;

	enter_ns(client_ns);
	while (!atomic_load(&stop)) {
		fd = dial(P_DATA, io_timeout);
		if (fd < 0) {
			fail(K_RR, "connect: %s", strerror(errno));
			sleep(1);
			continue;
		}
		reconnect = now() + 0.1 + (rnd(&r) % 5000) / 1000.0;
		while (!atomic_load(&stop) && now() < reconnect) {
			ret = echo_once(fd, OP_ECHO, 1 + rnd(&r) % MAX_ECHO,
					rnd(&r));
			if (ret) {
				fail(K_RR, "%s: %s", ret == -2 ? "wrong echo" : "echo",
				     ret == -2 ? "" : err_str());
				break;
			}
			atomic_fetch_add(&counts[K_RR].ok, 1);
		}
		if (rnd(&r) % 4)
			close(fd);
		else
			abort_close(fd);
	}
	return NULL;
}

/* Send the stream while the server reads it, then read its answer. */
static int bulk_once(int fd, uint32_t seed)
{
	struct hdr h = { MAGIC, OP_BULK, bulk_len, seed };
	uint8_t buf[CHUNK], want[CHUNK];
	uint64_t sum = FNV_INIT, theirs, off;
	size_t n;

	if (write_full(fd, &h, sizeof(h)))
		return -1;
	for (off = 0; off < bulk_len; off += n) {
		n = bulk_len - off < CHUNK ? bulk_len - off : CHUNK;
		gen(seed, off, buf, n);
		sum = fnv1a(sum, buf, n);
		if (write_full(fd, buf, n))
			return -1;
	}
	if (read_full(fd, &theirs, sizeof(theirs)))
		return -1;
	if (theirs != sum)
		return -2;
	for (off = 0; off < bulk_len; off += n) {
		n = bulk_len - off < CHUNK ? bulk_len - off : CHUNK;
		if (read_full(fd, buf, n))
			return -1;
		gen(~seed, off, want, n);
		if (memcmp(buf, want, n))
			return -3;
	}
	atomic_fetch_add(&bulk_bytes, 2 * (long)bulk_len);
	return 0;
}

static void *bulk_client(void *arg)
{
	uint32_t r = seed0 ^ (uint32_t)(intptr_t)arg * 15485863;
	int fd, ret, i, n;

	enter_ns(client_ns);
	while (!atomic_load(&stop)) {
		fd = dial(P_DATA, io_timeout);
		if (fd < 0) {
			fail(K_BULK, "connect: %s", strerror(errno));
			sleep(1);
			continue;
		}
		n = 1 + rnd(&r) % 3;
		for (i = 0; i < n && !atomic_load(&stop); i++) {
			ret = bulk_once(fd, rnd(&r));
			if (ret) {
				fail(K_BULK, "%s", ret == -1 ? err_str() :
				     ret == -2 ? "the server's checksum differs" :
				     "the data received differs");
				break;
			}
			atomic_fetch_add(&counts[K_BULK].ok, 1);
		}
		close(fd);
	}
	return NULL;
}

static void *churn_client(void *arg)
{
	uint32_t r = seed0 ^ (uint32_t)(intptr_t)arg * 32452843;
	int fd;

	enter_ns(client_ns);
	while (!atomic_load(&stop)) {
		fd = dial(P_CHURN, 2);
		if (fd < 0) {
			atomic_fetch_add(&counts[K_CHURN].tolerated, 1);
			usleep(rnd(&r) % 1000);
			continue;
		}
		if (echo_once(fd, OP_ECHO, 1 + rnd(&r) % 64, rnd(&r)))
			atomic_fetch_add(&counts[K_CHURN].tolerated, 1);
		else
			atomic_fetch_add(&counts[K_CHURN].ok, 1);
		if (rnd(&r) % 2)
			close(fd);
		else
			abort_close(fd);
	}
	return NULL;
}

/* The other side of a race: echoes on its own descriptor until an error. */
struct racer {
	int fd;
	uint32_t seed;
	int err;		/* errno of the call that ended it */
	double blocked;		/* longest call, seconds */
	atomic_bool closed;	/* the other thread has shut down or closed */
};

static void *racer_io(void *arg)
{
	struct racer *rc = arg;
	double t;
	int ret, after = 0;

	do {
		t = now();
		ret = echo_once(rc->fd, OP_ECHO, 1 + rnd(&rc->seed) % MAX_ECHO,
				rnd(&rc->seed));
		t = now() - t;
		if (t > rc->blocked)
			rc->blocked = t;
		/* data queued before a SHUT_RD may still be read: bounded */
	} while (!ret && !(atomic_load(&rc->closed) && ++after > 100));
	rc->err = !ret ? 0 : ret == -2 ? EPROTO : errno;
	return NULL;
}

static void *shut_client(void *arg)
{
	static const int hows[] = { SHUT_RD, SHUT_WR, SHUT_RDWR };
	uint32_t r = seed0 ^ (uint32_t)(intptr_t)arg * 49979687;
	struct racer rc;
	pthread_t th;
	int fd, how;

	enter_ns(client_ns);
	while (!atomic_load(&stop)) {
		fd = dial(P_DATA, io_timeout);
		if (fd < 0) {
			fail(K_SHUT, "connect: %s", strerror(errno));
			sleep(1);
			continue;
		}
		rc = (struct racer){ .fd = dup(fd), .seed = rnd(&r) };
		if (rc.fd < 0 || pthread_create(&th, NULL, racer_io, &rc)) {
			fail(K_SHUT, "dup/pthread_create: %s", strerror(errno));
			close(fd);
			break;
		}
		usleep(rnd(&r) % 3000);
		how = rnd(&r) % 4;
		if (how < 3)
			shutdown(fd, hows[how]);
		atomic_store(&rc.closed, true);
		if (rnd(&r) % 2)
			usleep(rnd(&r) % 1000);
		if (how == 3 || rnd(&r) % 2)
			abort_close(fd);
		else
			close(fd);
		pthread_join(th, NULL);
		close(rc.fd);
		/*
		 * After a shutdown or an abort the other thread's calls end
		 * at once (end of file, EPIPE, ECONNRESET): never by the
		 * I/O timeout.
		 */
		if (rc.err == EAGAIN || rc.err == EPROTO)
			fail(K_SHUT, "shutdown(%d), close: the other thread's call %s after %.1f s",
			     how < 3 ? hows[how] : -1,
			     rc.err == EAGAIN ? "timed out" : "read wrong data",
			     rc.blocked);
		else
			atomic_fetch_add(&counts[K_SHUT].ok, 1);
	}
	return NULL;
}

struct conn_race {
	int fd;
	int err;
};

static void *racer_connect(void *arg)
{
	struct conn_race *cr = arg;
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(P_DATA),
		.sin_addr = server_addr,
	};

	cr->err = connect(cr->fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
	return NULL;
}

static void *conn_client(void *arg)
{
	uint32_t r = seed0 ^ (uint32_t)(intptr_t)arg * 86028121;
	struct conn_race cr;
	pthread_t th;
	int fd, how;

	enter_ns(client_ns);
	while (!atomic_load(&stop)) {
		fd = socket(AF_INET, SOCK_STREAM, proto);
		if (fd < 0) {
			fail(K_CONN, "socket: %s", strerror(errno));
			sleep(1);
			continue;
		}
		set_timeouts(fd, io_timeout);
		how = rnd(&r) % 4;
		if (how < 3) {
			/* non-blocking connect, then close at once or soon */
			cr.fd = fd;
			fcntl(fd, F_SETFL, O_NONBLOCK);
			racer_connect(&cr);
			if (how == 1)
				usleep(rnd(&r) % 500);
			if (how == 2)
				shutdown(fd, SHUT_RDWR);
			if (rnd(&r) % 2)
				abort_close(fd);
			else
				close(fd);
			atomic_fetch_add(&counts[K_CONN].ok, 1);
			continue;
		}
		/* a blocking connect in another thread, then shutdown, close */
		cr = (struct conn_race){ .fd = dup(fd) };
		if (cr.fd < 0 || pthread_create(&th, NULL, racer_connect, &cr)) {
			fail(K_CONN, "dup/pthread_create: %s", strerror(errno));
			close(fd);
			break;
		}
		usleep(rnd(&r) % 500);
		shutdown(fd, SHUT_RDWR);
		close(fd);
		pthread_join(th, NULL);
		close(cr.fd);
		if (cr.err == EAGAIN || cr.err == EINPROGRESS)
			fail(K_CONN, "a connect interrupted by shutdown ran to its timeout");
		else
			atomic_fetch_add(&counts[K_CONN].ok, 1);
	}
	return NULL;
}

/* ---- main --------------------------------------------------------------- */

static int open_ns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static long read_long(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] ? strtol(buf, NULL, 10) : -1;
}

/* delete_module("atcp") with the sockets open: 0 if refused, else 1. */
static int rmmod_refused(double t)
{
	long ref = read_long("/sys/module/atcp/refcnt");

	if (syscall(SYS_delete_module, "atcp", O_NONBLOCK)) {
		printf("stress: rmmod at %.0f s: refused (%s), module refcnt %ld\n",
		       t, strerror(errno), ref);
		fflush(stdout);
		return 0;
	}
	fprintf(stderr, "stress: FAIL: rmmod atcp at %.0f s succeeded (refcnt was %ld)\n",
		t, ref);
	return 1;
}

struct worker {
	void *(*fn)(void *arg);
	int n;
};

int main(int argc, char **argv)
{
	static const struct worker clients[] = {
		{ crr_client, 3 }, { rr_client, 2 }, { bulk_client, 1 },
		{ churn_client, 2 }, { shut_client, 2 }, { conn_client, 2 },
	};
	pthread_t th[64], sth[8];
	int nth = 0, nsth = 0, i, j, c, self_ns;
	long total_fail = 0;
	double t0, end;
	struct timespec ts;

	inet_pton(AF_INET, "127.0.0.1", &server_addr);
	while ((c = getopt(argc, argv, "p:d:a:S:C:T:b:s:r")) != -1) {
		switch (c) {
		case 'p':
			proto = !strcmp(optarg, "tcp") ? IPPROTO_TCP : IPPROTO_ATCP;
			break;
		case 'd':
			duration = atoi(optarg);
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &server_addr) != 1) {
				fprintf(stderr, "stress: bad address %s\n", optarg);
				return 2;
			}
			break;
		case 'S':
			server_ns = open_ns(optarg);
			break;
		case 'C':
			client_ns = open_ns(optarg);
			break;
		case 'T':
			io_timeout = atoi(optarg);
			break;
		case 'b':
			bulk_len = atoi(optarg) * 1024U;
			break;
		case 's':
			seed0 = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			try_rmmod = true;
			break;
		default:
			fprintf(stderr, "usage: stress [-p tcp|atcp] [-d SECONDS] [-a ADDR]\n"
				"  [-S NETNS] [-C NETNS] [-T IO_TIMEOUT] [-b BULK_KB] [-s SEED] [-r]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	printf("stress: %s, %d s, server %s, I/O timeout %d s, bulk %u KB, seed %u\n",
	       proto == IPPROTO_TCP ? "tcp" : "atcp", duration,
	       inet_ntoa(server_addr), io_timeout, bulk_len / 1024, seed0);
	fflush(stdout);

	/* The listeners, in the server's namespace; the main thread returns. */
	self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	enter_ns(server_ns);
	crr_lfd = listener(P_CRR, 1024);
	data_lfd = listener(P_DATA, 1024);
	if (crr_lfd < 0 || data_lfd < 0) {
		perror("stress: listener");
		return 2;
	}
	enter_ns(self_ns);

	t0 = now();
	end = t0 + duration;
	pthread_create(&sth[nsth++], NULL, crr_server, NULL);
	pthread_create(&sth[nsth++], NULL, data_server, NULL);
	pthread_create(&sth[nsth++], NULL, churn_server, NULL);
	for (i = 0; i < (int)ARRAY_SIZE(clients); i++)
		for (j = 0; j < clients[i].n; j++)
			if (!pthread_create(&th[nth], NULL, clients[i].fn,
					    (void *)(intptr_t)(nth + 1)))
				nth++;

	/* -r: at a third and at two thirds, atcp must refuse to unload. */
	for (i = 1; now() < end;) {
		usleep(100 * 1000);
		if (try_rmmod && i < 3 && now() >= t0 + duration * i / 3.0) {
			total_fail += rmmod_refused(now() - t0);
			i++;
		}
	}
	atomic_store(&stop, true);

	/*
	 * Every thread ends within the I/O timeout (plus a margin): the
	 * clients first, then the servers, which serve them to the end.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 3 * io_timeout + 10;
	for (i = 0; i < nth; i++) {
		if (pthread_timedjoin_np(th[i], NULL, &ts)) {
			fprintf(stderr, "stress: FAIL: client thread %d did not end in %d s\n",
				i, 3 * io_timeout + 10);
			total_fail++;
			break;
		}
	}
	atomic_store(&server_stop, true);
	for (i = 0; i < nsth; i++) {
		if (pthread_timedjoin_np(sth[i], NULL, &ts)) {
			fprintf(stderr, "stress: FAIL: server thread %d did not end\n",
				i);
			total_fail++;
			break;
		}
	}
	for (i = 0; i < 10 * (3 * io_timeout + 10) &&
	     atomic_load(&live_handlers); i++)
		usleep(100 * 1000);
	if (atomic_load(&live_handlers)) {
		fprintf(stderr, "stress: FAIL: %d server handlers did not end\n",
			atomic_load(&live_handlers));
		total_fail++;
	}
	close(crr_lfd);
	close(data_lfd);

	printf("stress: %.1f s\n", now() - t0);
	for (i = 0; i < K_MAX; i++) {
		printf("stress: %-8s ok %ld, tolerated errors %ld, failed %ld\n",
		       kind_name[i], atomic_load(&counts[i].ok),
		       atomic_load(&counts[i].tolerated),
		       atomic_load(&counts[i].fail));
		total_fail += atomic_load(&counts[i].fail);
	}
	printf("stress: bulk %ld MB checked\n", atomic_load(&bulk_bytes) >> 20);
	printf("stress: %s\n", total_fail ? "FAIL" : "PASS");
	fflush(stdout);
	/* A thread that did not end must not hold the exit. */
	_exit(total_fail ? 1 : 0);
}
