// SPDX-License-Identifier: GPL-2.0
/*
 * xfer: bulk-transfer helper of selftests/netns_transfer.sh (not a test
 * itself; it is built into build/selftests-helpers/, which selftests/run does
 * not execute).
 *
 * One stream connection over TCP (--proto 6) or atcp (--proto 253).  Each
 * side sends --bytes N of a pseudo-random stream defined by --seed S while it
 * receives whatever the peer sends, both at once (poll(2) on a non-blocking
 * socket, so a full-duplex transfer cannot deadlock on full buffers).  When a
 * side has sent everything it shuts down its sending half (RFC 9293 3.6,
 * half-close) and keeps reading until the peer's FIN.  It then prints the
 * SHA-256 of what it sent and of what it received:
 *
 *	sent_bytes N / sent_sha256 HEX / recv_bytes N / recv_sha256 HEX /
 *	seconds T / hash_seconds T / send_MBps R / recv_MBps R /
 *	send_MBps_excl_hash R / recv_MBps_excl_hash R /
 *	snd_mss_start N / snd_mss N / pmtu N
 *
 * (the last three from TCP_INFO: tcpi_snd_mss at the start and at the end,
 * and tcpi_pmtu at the end, for selftests/pmtu.sh).
 *
 * (seconds: from the connection's establishment to the end of both
 * directions, including the hashing, which hash_seconds counts alone).
 *
 *	xfer --proto P --listen ADDR:PORT [--ready FILE] --bytes N --seed S
 *	xfer --proto P --connect ADDR:PORT --bytes N --seed S
 *	xfer --gen --bytes N --seed S	(the stream itself, on stdout)
 *	xfer --gen --sha256 --bytes N --seed S	(its SHA-256)
 *
 * --listen with PORT 0 binds an ephemeral port; once listening, the helper
 * writes "port PORT" to FILE (a FIFO the test reads).  --timeout T (default
 * 120 s) bounds every wait without progress.  Exit status 0 means the
 * connection was set up and both directions completed without error; the
 * caller compares the byte counts and digests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/atcp.h>
#include <linux/types.h>

#include "atcp_test.h"

#define CHUNK	(64 * 1024)

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------ */

struct sha256 {
	__u32 h[8];
	__u64 len;
	__u8 buf[64];
	size_t fill;
};

static const __u32 sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static __u32 ror32(__u32 x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_init(struct sha256 *s)
{
	static const __u32 iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->fill = 0;
}

static void sha256_block(struct sha256 *s, const __u8 *p)
{
	__u32 w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (__u32)p[4 * i] << 24 | (__u32)p[4 * i + 1] << 16 |
		       (__u32)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		__u32 s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		__u32 s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const __u8 *p = data;

	s->len += n;
	if (s->fill) {
		size_t k = 64 - s->fill < n ? 64 - s->fill : n;

		memcpy(s->buf + s->fill, p, k);
		s->fill += k;
		p += k;
		n -= k;
		if (s->fill < 64)
			return;
		sha256_block(s, s->buf);
		s->fill = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		sha256_block(s, p);
	memcpy(s->buf, p, n);
	s->fill = n;
}

static void sha256_hex(struct sha256 *s, char out[65])
{
	__u64 bits = s->len * 8;
	__u8 pad[72] = { 0x80 };
	size_t padlen = (s->fill < 56 ? 56 : 120) - s->fill;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = bits >> (56 - 8 * i);
	sha256_update(s, pad, padlen + 8);
	for (i = 0; i < 8; i++)
		sprintf(out + 8 * i, "%08x", s->h[i]);
}

/* ---- the pseudo-random stream (xorshift64*, 8 bytes per step) ---------- */

struct stream {
	__u64 x;
	__u8 buf[CHUNK];
	size_t off, len;
	__u64 left;
};

static void stream_init(struct stream *st, __u64 seed, __u64 bytes)
{
	st->x = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!st->x)
		st->x = 1;
	st->off = 0;
	st->len = 0;
	st->left = bytes;
}

/* Refill the chunk buffer once it has been consumed. */
static void stream_fill(struct stream *st)
{
	size_t i;

	if (st->off < st->len || !st->left)
		return;
	st->len = st->left < CHUNK ? st->left : CHUNK;
	for (i = 0; i < st->len; i += 8) {
		__u64 v;

		st->x ^= st->x >> 12;
		st->x ^= st->x << 25;
		st->x ^= st->x >> 27;
		v = st->x * 0x2545f4914f6cdd1dULL;
		memcpy(st->buf + i, &v, 8);	/* CHUNK is a multiple of 8 */
	}
	st->off = 0;
	st->left -= st->len;
}

/* ---- the transfer -------------------------------------------------------- */

static int timeout_ms = 120000;

static void die(const char *what)
{
	fprintf(stderr, "xfer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void parse_addr(const char *s, struct sockaddr_in *sin)
{
	if (parse_addr4(s, sin)) {
		fprintf(stderr, "xfer: bad address '%s' (want A.B.C.D:PORT)\n", s);
		exit(2);
	}
}

/* Wait for @events on @fd; exits on timeout or error. */
static void wait_for(int fd, short events, const char *what)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("poll");
	if (!n) {
		fprintf(stderr, "xfer: %s: no progress in %d ms\n", what, timeout_ms);
		exit(1);
	}
}

static int do_listen(int proto, const char *addr, const char *ready)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int one = 1, lfd, fd;
	FILE *f;

	parse_addr(addr, &sin);
	lfd = socket(AF_INET, SOCK_STREAM, proto);
	if (lfd < 0)
		die("socket");
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind");
	if (listen(lfd, 1))
		die("listen");
	if (getsockname(lfd, (struct sockaddr *)&sin, &len))
		die("getsockname");
	if (ready) {
		f = fopen(ready, "w");
		if (!f)
			die(ready);
		fprintf(f, "port %u\n", ntohs(sin.sin_port));
		fclose(f);
	}
	wait_for(lfd, POLLIN, "accept");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(lfd);
	return fd;
}

static int do_connect(int proto, const char *addr)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(int);
	int fd, err = 0;

	parse_addr(addr, &sin);
	fd = socket(AF_INET, SOCK_STREAM, proto);
	if (fd < 0)
		die("socket");
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		die("O_NONBLOCK");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS)
		die("connect");
	wait_for(fd, POLLOUT, "connect");
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		die("SO_ERROR");
	if (err) {
		errno = err;
		die("connect");
	}
	return fd;
}

/* TCP_INFO (SOL_TCP: atcp answers it as Linux TCP does), or exit. */
static void tcp_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len))
		die("TCP_INFO");
}

static void transfer(int fd, __u64 bytes, __u64 seed)
{
	struct tcp_info ti0, ti;
	static __u8 rbuf[CHUNK];
	static struct stream st;
	struct sha256 ssha, rsha;
	__u64 sent = 0, recvd = 0;
	int sending = 1, receiving = 1;
	double t0, t1, th, hashing = 0;
	char hex[65];
	ssize_t n;

	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		die("O_NONBLOCK");
	stream_init(&st, seed, bytes);
	sha256_init(&ssha);
	sha256_init(&rsha);
	tcp_info(fd, &ti0);
	t0 = now();
	while (sending || receiving) {
		struct pollfd pfd = { .fd = fd };
		int r;

		if (sending && sent == bytes) {
			if (shutdown(fd, SHUT_WR))
				die("shutdown");
			sending = 0;
			continue;
		}
		pfd.events = (sending ? POLLOUT : 0) | (receiving ? POLLIN : 0);
		r = poll(&pfd, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("poll");
		if (!r) {
			fprintf(stderr, "xfer: stalled: sent %llu of %llu, received %llu\n",
				(unsigned long long)sent, (unsigned long long)bytes,
				(unsigned long long)recvd);
			exit(1);
		}
		if (receiving && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
			n = recv(fd, rbuf, sizeof(rbuf), 0);
			if (n < 0 && errno != EAGAIN)
				die("recv");
			if (!n)
				receiving = 0;
			if (n > 0) {
				th = now();
				sha256_update(&rsha, rbuf, n);
				hashing += now() - th;
				recvd += n;
			}
		}
		if (sending && (pfd.revents & (POLLOUT | POLLERR))) {
			stream_fill(&st);
			n = send(fd, st.buf + st.off, st.len - st.off, MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN)
				die("send");
			if (n > 0) {
				th = now();
				sha256_update(&ssha, st.buf + st.off, n);
				hashing += now() - th;
				st.off += n;
				sent += n;
			}
		}
	}
	t1 = now();
	tcp_info(fd, &ti);
	if (close(fd))
		die("close");
	sha256_hex(&ssha, hex);
	printf("sent_bytes %llu\nsent_sha256 %s\n", (unsigned long long)sent, hex);
	sha256_hex(&rsha, hex);
	printf("recv_bytes %llu\nrecv_sha256 %s\n", (unsigned long long)recvd, hex);
	printf("seconds %.3f\nhash_seconds %.3f\n", t1 - t0, hashing);
	printf("send_MBps %.1f\nrecv_MBps %.1f\n",
	       sent / 1e6 / (t1 - t0), recvd / 1e6 / (t1 - t0));
	printf("send_MBps_excl_hash %.1f\nrecv_MBps_excl_hash %.1f\n",
	       sent / 1e6 / (t1 - t0 - hashing), recvd / 1e6 / (t1 - t0 - hashing));
	printf("snd_mss_start %u\nsnd_mss %u\npmtu %u\n", ti0.tcpi_snd_mss,
	       ti.tcpi_snd_mss, ti.tcpi_pmtu);
}

/*
 * The stream on stdout; with @digest, its SHA-256 instead, hashed in pieces
 * of irregular sizes (for checking this SHA-256 against sha256sum(1)).
 */
static void gen(__u64 bytes, __u64 seed, int digest)
{
	static struct stream st;
	struct sha256 sha;
	size_t off, n, k = 0;
	char hex[65];

	stream_init(&st, seed, bytes);
	sha256_init(&sha);
	for (;;) {
		stream_fill(&st);
		if (st.off == st.len)
			break;
		if (!digest && fwrite(st.buf, 1, st.len, stdout) != st.len)
			die("write");
		for (off = 0; digest && off < st.len; off += n) {
			n = (k++ * 37) % 1500 + 1;
			if (n > st.len - off)
				n = st.len - off;
			sha256_update(&sha, st.buf + off, n);
		}
		st.off = st.len;
	}
	if (digest) {
		sha256_hex(&sha, hex);
		printf("%s\n", hex);
	}
	if (fflush(stdout))
		die("write");
}

static void help(void)
{
	fprintf(stderr,
		"usage: xfer --proto P (--listen|--connect) ADDR:PORT --bytes N --seed S\n"
		"            [--ready FILE] [--timeout SECONDS]\n"
		"       xfer --gen [--sha256] --bytes N --seed S\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "proto", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "connect", required_argument, NULL, 'c' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "ready", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "gen", no_argument, NULL, 'g' },
		{ "sha256", no_argument, NULL, 'h' },
		{ }
	};
	const char *listen_addr = NULL, *connect_addr = NULL, *ready = NULL;
	__u64 bytes = 0, seed = 1;
	int proto = -1, do_gen = 0, digest = 0, c, fd;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			proto = atoi(optarg);
			break;
		case 'l':
			listen_addr = optarg;
			break;
		case 'c':
			connect_addr = optarg;
			break;
		case 'b':
			bytes = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			ready = optarg;
			break;
		case 't':
			timeout_ms = atoi(optarg) * 1000;
			break;
		case 'g':
			do_gen = 1;
			break;
		case 'h':
			digest = 1;
			break;
		default:
			help();
		}
	}
	if (do_gen) {
		gen(bytes, seed, digest);
		return 0;
	}
	if (proto < 0 || !listen_addr == !connect_addr || optind != argc)
		help();
	if (listen_addr)
		fd = do_listen(proto, listen_addr, ready);
	else
		fd = do_connect(proto, connect_addr);
	transfer(fd, bytes, seed);
	return 0;
}
