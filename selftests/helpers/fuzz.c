// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: a hostile TCP peer on a tun device.  The stack under test (atcp,
 * IP protocol 253, or Linux TCP, 6) owns 10.99.0.1 on the tun device pkt0
 * in a network namespace of its own; the peer is 10.99.0.2.  Connections
 * are opened both ways (a listener on port 5000 and connect()s to the
 * peer), each driven by a plan that walks the local socket into a target
 * state of RFC 9293 §3.3.2 (SYN-SENT ... TIME-WAIT) with socket calls, and
 * between the plan's steps the peer sends generated segments: every flag
 * combination, SEQ and ACK at and around the window edges (RCV.NXT±1,
 * RCV.NXT+RCV.WND±1, SND.UNA-MAX.SND.WND, SND.NXT±1, far away), every
 * option kind and length (malformed ones too), bad data offsets, truncated
 * headers, bad checksums, zero-length, duplicate, overlapping and
 * out-of-order data, IP fragments (overlapping ones too) and segments
 * large enough that tun hands them up as paged skbs; the local side makes
 * random socket calls (read, write, shutdown, close, setsockopt, ioctl).
 *
 * Every choice comes from --seed (printed; the same seed replays the same
 * choices, relative to the stack's state as seen on the wire).  The run
 * lasts --seconds, and up to three times as long again while a state of
 * the eleven is not reached yet (a loaded machine makes fewer moves).  Oracles, in
 * user space (the VM run adds: no kernel splat, no kmemleak report, the
 * module unloads):
 *  - every octet a local socket reads is the octet the peer sent at that
 *    sequence number (the peer's payload is a function of the sequence
 *    number, so any in-window data, overlapping or not, is consistent);
 *  - every octet the stack sends is the octet the local socket wrote at
 *    that place of its stream, and every segment from the stack is well
 *    formed (IP header, checksum with our protocol, data offset, options);
 *  - every state of RFC 9293 §3.3.2 is reached;
 *  - after the end, with every socket closed and the peer silent, every
 *    connection is gone within the timeouts (short sysctls are set in the
 *    namespace), and the atcp slab objects are back to their baseline.
 *
 *   fuzz [--proto 253|6] [--seed N] [--seconds S] [--flows N] [-v]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/types.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "atcp_test.h"

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PEER_IP		0x0a630002	/* 10.99.0.2 */
#define LOCAL_IP	0x0a630001	/* 10.99.0.1 */
#define LPORT		5000
#define MAXF		16		/* flow slots */
#define MAXPKT		9100
#define TUN_MTU		9000

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10
#define F_URG 0x20
#define F_ECE 0x40
#define F_CWR 0x80

static int proto = 253;
static int tunfd = -1, lsock = -1;
static bool verbose;
static bool linear_only;	/* --shapes linear: no fragments, no paged skbs */
static double t_start;

/* -- the random source: splitmix64, from --seed ------------------------- */
static u64 rng_state;

static u64 rnd64(void)
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u32 rnd(u32 n)
{
	return n ? (u32)(rnd64() % n) : 0;
}

static bool chance(u32 n)	/* one in n */
{
	return rnd(n) == 0;
}

/* -- counters and the report --------------------------------------------- */
static struct {
	u64 segs, pkts, frags, paged, malformed, rx, rx_bytes;
	u64 actions, sockcalls, flows, rd_bytes, tx_checked;
	double wait_s, wait_fail_s;
	u64 waits, wait_fail;
} st;

/* RFC 9293 §3.3.2 states, indexed by Linux's TCP_* values (tcp_states.h) */
static const char *const state_name[] = {
	[1] = "ESTABLISHED", [2] = "SYN-SENT", [3] = "SYN-RECEIVED",
	[4] = "FIN-WAIT-1", [5] = "FIN-WAIT-2", [6] = "TIME-WAIT",
	[7] = "CLOSED", [8] = "CLOSE-WAIT", [9] = "LAST-ACK",
	[10] = "LISTEN", [11] = "CLOSING",
};

static bool reached[12];

/* The last actions, printed when an oracle fails. */
#define TRACE_N 8192
static char trace_buf[TRACE_N][160];
static unsigned int trace_n;

static void trace(const char *fmt, ...)
{
	char *b = trace_buf[trace_n++ % TRACE_N];
	va_list ap;
	int n;

	n = snprintf(b, 160, "%9.3f ", now() - t_start);
	va_start(ap, fmt);
	vsnprintf(b + n, 160 - n, fmt, ap);
	va_end(ap);
	if (verbose)
		printf("# %s\n", b);
}

static u64 seed;
static int fail_port;	/* the flow an oracle failed on, for the trace */

static void fail(const char *fmt, ...)
{
	unsigned int i;
	va_list ap;

	printf("# FAIL (seed %llu): ", (unsigned long long)seed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# the last actions (L = the stack, P = the peer;");
	printf(" numbers relative to the ISNs):\n");
	i = trace_n > 40 ? trace_n - 40 : 0;
	for (; i < trace_n; i++)
		printf("#   %s\n", trace_buf[i % TRACE_N]);
	if (fail_port) {
		char tag[16];
		int m = 0;

		snprintf(tag, sizeof(tag), "%d", fail_port);
		printf("# the failing flow's (%d) last actions:\n", fail_port);
		i = trace_n > TRACE_N ? trace_n - TRACE_N : 0;
		for (; i < trace_n; i++)
			m += !!strstr(trace_buf[i % TRACE_N], tag);
		i = trace_n > TRACE_N ? trace_n - TRACE_N : 0;
		for (; i < trace_n; i++)
			if (strstr(trace_buf[i % TRACE_N], tag) && m-- <= 300)
				printf("#   %s\n", trace_buf[i % TRACE_N]);
	}
	printf("not ok 1 fuzz %s seed %llu\n", proto == 6 ? "tcp" : "atcp",
	       (unsigned long long)seed);
	fflush(stdout);
	exit(1);
}

static void see_state(int s)
{
	if (s > 0 && s < 12 && !reached[s]) {
		reached[s] = true;
		trace("state %s reached", state_name[s]);
	}
}

/* -- flows ----------------------------------------------------------------- */
enum plan_step {
	P_END,
	P_SYN,		/* peer SYN to the listener; expect SYN,ACK */
	P_ACKSYN,	/* peer ACK of the SYN,ACK; accept() */
	P_CONNECT,	/* local connect(); expect SYN */
	P_SYNACK,	/* peer SYN,ACK; expect the ACK */
	P_SIMSYN,	/* peer bare SYN: simultaneous open */
	P_SIMACK,	/* peer ACK of the local SYN after a simultaneous open */
	P_DATA,		/* some data both ways */
	P_LCLOSE,	/* local close() or shutdown(SHUT_WR) */
	P_PACK,		/* peer ACKs everything, FIN included */
	P_PFIN,		/* peer FIN, ACKing everything */
	P_PFIN_NOACK,	/* peer FIN not ACKing the local FIN */
	P_RST,		/* a valid RST from the peer */
	P_LABORT,	/* local close() with SO_LINGER {1, 0} */
};

/* One plan per target state; flow k runs plan k % NPLANS. */
static const u8 plans[][8] = {
	{ P_SYN, P_ACKSYN, P_DATA, P_LCLOSE, P_PACK, P_PFIN, P_END },	/* TW */
	{ P_CONNECT, P_SYNACK, P_DATA, P_PFIN, P_LCLOSE, P_PACK, P_END },
	{ P_SYN, P_ACKSYN, P_LCLOSE, P_PFIN_NOACK, P_PACK, P_END }, /* CLOSING */
	{ P_CONNECT, P_SIMSYN, P_SIMACK, P_DATA, P_RST, P_END },
	{ P_SYN, P_ACKSYN, P_DATA, P_PFIN, P_DATA, P_LABORT, P_END },
	{ P_CONNECT, P_SYNACK, P_LCLOSE, P_PACK, P_DATA, P_END },	/* FW2 */
	{ P_SYN, P_END },					/* SYN-RCVD */
	{ P_CONNECT, P_END },					/* SYN-SENT */
	{ P_CONNECT, P_SYNACK, P_DATA, P_LCLOSE, P_PFIN, P_PACK, P_END },
	{ P_SYN, P_ACKSYN, P_DATA, P_DATA, P_END },
};

#define NPLANS ARRAY_SIZE(plans)

struct flow {
	bool used;
	int id, plan, step, fuzz_left, life;
	bool clean;		/* no fuzzing between the plan's steps */
	int fd;			/* local socket, -1 once closed */
	bool active;		/* connect()ed, else accepted */
	u16 lport, pport;
	/* the peer's side */
	u32 p_isn;		/* the peer's ISS */
	u32 p_una;		/* the highest ACK the peer sent (the local's SND.UNA) */
	u16 p_mss;		/* MSS option the peer sent */
	bool p_fin, p_rst, p_urg;
	/* the stack's side, as seen on the wire (and /proc/net/atcp) */
	bool l_isn_ok;
	u32 l_isn;		/* the stack's ISS */
	bool l_seen;		/* any segment with ACK seen */
	u32 l_nxt;		/* highest SEQ+LEN the stack sent (its SND.NXT) */
	u32 l_ack;		/* the stack's RCV.NXT (its last ACK) */
	u32 l_wnd;		/* its RCV.WND */
	bool l_fin;		/* it sent a FIN */
	/* the local socket's streams */
	bool irs_ok;
	u32 irs;		/* first octet read is at irs + 1 */
	u64 rd;			/* octets read */
	u64 wr;			/* octets written */
	bool oobinline, rd_shut, wr_shut, eof;
	int l_rsts;		/* RSTs the stack sent */
	int l_segs;		/* segments the stack sent */
	bool had_fd;		/* a socket was attached once */
	bool tx_unsure;		/* a second connection: no octet checks */
};

static struct flow flows[MAXF];
static int nflows_max = 4, flow_seq;
static u16 next_pport = 20000;

/* The peer's payload: octet at sequence number s of flow f. */
static u8 pat(u32 s, u32 key)
{
	return (u8)(((s ^ key) * 2654435761u) >> 24);
}

static u32 pkey(struct flow *f)
{
	return f->pport * 0x10001u;
}

static u32 lkey(struct flow *f)
{
	return f->pport * 0x10001u ^ 0x5a5a5a5a;
}

static struct flow *flow_by_ports(u16 lport, u16 pport)
{
	int i;

	for (i = 0; i < MAXF; i++)
		if (flows[i].used && flows[i].lport == lport &&
		    flows[i].pport == pport)
			return &flows[i];
	return NULL;
}

/* -- checksums and packets ---------------------------------------------------- */
static u32 csum_add(u32 sum, const u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

static u16 csum_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static u16 l4_csum(u32 src, u32 dst, int p, const u8 *seg, size_t n)
{
	u8 ph[12];

	*(u32 *)ph = htonl(src);
	*(u32 *)(ph + 4) = htonl(dst);
	ph[8] = 0;
	ph[9] = p;
	*(u16 *)(ph + 10) = htons(n);
	return csum_fold(csum_add(csum_add(0, ph, 12), seg, n));
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static u16 get16(const u8 *p)
{
	return (p[0] << 8) | p[1];
}

static u32 get32(const u8 *p)
{
	return ((u32)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static u16 ip_id;

static void ip_header(u8 *h, size_t tot, u16 id, u16 frag, int p)
{
	memset(h, 0, 20);
	h[0] = 0x45;
	put16(h + 2, tot);
	put16(h + 4, id);
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = p;
	put32(h + 12, PEER_IP);
	put32(h + 16, LOCAL_IP);
	put16(h + 10, csum_fold(csum_add(0, h, 20)));
}

/*
 * Write one IP packet into the tun device; hdr_len > 0 sets the virtio
 * header's hdr_len, the length tun copies into the skb's linear part when
 * the packet is larger than a page (the rest goes into page frags).
 */
static void tun_write(const u8 *pkt, size_t n, u16 hdr_len)
{
	struct virtio_net_hdr vh = { .hdr_len = hdr_len };
	struct iovec iov[2] = {
		{ &vh, sizeof(vh) }, { (void *)pkt, n },
	};

	st.pkts++;
	if (n >= 4000 && hdr_len)
		st.paged++;
	if (writev(tunfd, iov, 2) < 0 && errno != EINVAL && errno != EIO &&
	    errno != ENOBUFS)
		fail("write to tun: %s", strerror(errno));
}

/*
 * Send payload (a segment, maybe malformed) in IP fragments: sizes a
 * multiple of 8, in order, reversed or shuffled, some duplicated and
 * (rarely) some overlapping (the whole datagram is then dropped).
 */
static void send_fragments(const u8 *seg, size_t n)
{
	struct { size_t off, len; } fr[64];
	u8 pkt[MAXPKT];
	size_t off = 0, fs;
	int nf = 0, i, order = rnd(3);
	u16 id = ++ip_id;

	fs = 8 * (1 + rnd(n > 8 ? (n + 7) / 8 : 1));
	if (chance(2))
		fs = 8 * (1 + rnd(8));
	while (fs * 63 < n)
		fs *= 2;
	while (off < n && nf < 63) {
		fr[nf].off = off;
		fr[nf].len = n - off < fs ? n - off : fs;
		off += fr[nf++].len;
	}
	if (chance(4) && nf > 0 && nf < 63) {		/* duplicate */
		fr[nf] = fr[rnd(nf)];
		nf++;
	}
	if (chance(16) && n > 16 && nf < 63) {		/* overlap */
		fr[nf].off = 8 * rnd((n - 8) / 8);
		fr[nf].len = 8 + 8 * rnd(4);
		if (fr[nf].off + fr[nf].len > n)
			fr[nf].len = n - fr[nf].off;
		nf++;
	}
	for (i = 0; i < nf; i++) {
		int j = i, k;

		if (order == 1)
			j = nf - 1 - i;
		if (order == 2) {
			k = i + rnd(nf - i);
			struct { size_t off, len; } t = { fr[i].off, fr[i].len };
			fr[i] = fr[k];
			fr[k].off = t.off;
			fr[k].len = t.len;
		}
		bool last = fr[j].off + fr[j].len >= n;

		ip_header(pkt, 20 + fr[j].len, id,
			  (last ? 0 : 0x2000) | (fr[j].off / 8), proto);
		memcpy(pkt + 20, seg + fr[j].off, fr[j].len);
		tun_write(pkt, 20 + fr[j].len, 0);
		st.frags++;
	}
}

/* -- segments from the peer --------------------------------------------------- */
struct seg {
	u8 flags;
	u32 seq, ack;
	u16 wnd, urg;
	u8 opt[48];
	int optlen;
	int doff;		/* 0: from the options */
	u32 len;		/* payload octets, pattern of the sequence number */
	int csum;		/* 0 good, 1 bad, 2 with protocol 6/253 swapped */
	int trunc;		/* >0: cut the IP packet to this length */
	int shape;		/* 0 plain, 1 fragments, 2 paged (hdr_len) */
	u8 reserved;
};

static const char *flag_str(u8 f)
{
	static char b[16];
	static const char c[] = "FSRPAUEC";
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (f & (1 << i))
			b[n++] = c[i];
	if (!n)
		b[n++] = '-';
	b[n] = 0;
	return b;
}

static void send_seg(struct flow *f, struct seg *s)
{
	static u8 pkt[20 + 60 + MAXPKT];
	u8 *th = pkt + 20;
	int olen = s->optlen, doff, i, start;
	size_t tot;
	u32 key = pkey(f);

	if (olen > 40)
		olen = 40;
	doff = 5 + (olen + 3) / 4;
	memset(th, 0, 60);
	memcpy(th + 20, s->opt, olen);
	if (s->len > MAXPKT - 20 - 60)
		s->len = MAXPKT - 20 - 60;
	put16(th, f->pport);
	put16(th + 2, f->lport);
	put32(th + 4, s->seq);
	put32(th + 8, s->ack);
	th[12] = ((s->doff ? s->doff : doff) << 4) | (s->reserved & 0xf);
	th[13] = s->flags;
	put16(th + 14, s->wnd);
	put16(th + 18, s->urg);
	/*
	 * The data starts where the data offset says (a wrong one moves it
	 * over the options or leaves EOLs before it), at the sequence number
	 * after the SYN's.
	 */
	tot = doff * 4 + s->len;
	start = s->doff >= 5 ? s->doff * 4 : doff * 4;
	memset(th + doff * 4, 0, s->len);
	for (i = start; i < (int)tot; i++)
		th[i] = pat(s->seq + !!(s->flags & F_SYN) + i - start, key);
	put16(th + 16, l4_csum(PEER_IP, LOCAL_IP,
			       s->csum == 2 ? (proto == 6 ? 253 : 6) : proto,
			       th, tot));
	if (s->csum == 1)
		th[16] ^= 0x5a;
	st.segs++;
	if (s->doff || s->csum || s->trunc || s->reserved)
		st.malformed++;
	if (s->flags & F_URG)
		f->p_urg = true;
	if (s->flags & F_RST)
		f->p_rst = true;
	trace("P>L %u:%u <SEQ=P%+d><ACK=L%+d><CTL=%s><WND=%u>%s len %u opt %d doff %d%s%s shape %d",
	      f->pport, f->lport, (int)(s->seq - f->p_isn),
	      (int)(s->ack - f->l_isn), flag_str(s->flags), s->wnd,
	      s->flags & F_URG ? "<URG>" : "", s->len, olen, s->doff,
	      s->csum ? " badcsum" : "", s->trunc ? " trunc" : "", s->shape);
	if (s->trunc && (size_t)s->trunc < tot) {
		tot = s->trunc;
		st.malformed++;
	}
	if (s->shape == 1 && tot > 8) {
		send_fragments(th, tot);
		return;
	}
	ip_header(pkt, 20 + tot, ++ip_id, 0x4000, proto);
	tun_write(pkt, 20 + tot, s->shape == 2 ? 20 + rnd(tot + 1) : 0);
}

/* -- segments from the stack ---------------------------------------------- */
static void rx_segment(const u8 *p, size_t n)
{
	u32 src, dst, seq, ack, len, i, off;
	int ihl, tot, doff, fl;
	struct flow *f;
	const u8 *th, *data;

	st.rx++;
	st.rx_bytes += n;
	if (n < 20 || p[0] >> 4 != 4)
		return;			/* IPv6 / other: not ours */
	ihl = (p[0] & 15) * 4;
	tot = get16(p + 2);
	src = get32(p + 12);
	dst = get32(p + 16);
	if (p[9] != proto || dst != PEER_IP)
		return;			/* ICMP and the like */
	if (ihl < 20 || ihl > tot || (size_t)tot != n ||
	    csum_fold(csum_add(0, p, ihl)))
		fail("malformed IP header from the stack (%zu bytes)", n);
	if (get16(p + 6) & 0x3fff)
		fail("an IP fragment from the stack");
	th = p + ihl;
	n = tot - ihl;
	if (n < 20)
		fail("a %zu-byte segment from the stack", n);
	doff = (th[12] >> 4) * 4;
	if (doff < 20 || (size_t)doff > n)
		fail("data offset %d in a %zu-byte segment from the stack",
		     doff, n);
	if (l4_csum(src, dst, proto, th, n) != 0)
		fail("bad checksum from the stack");
	for (i = 20; i < (u32)doff;) {		/* options well formed */
		if (th[i] == 0)
			break;
		if (th[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= (u32)doff || th[i + 1] < 2 ||
		    i + th[i + 1] > (u32)doff)
			fail("malformed options from the stack");
		i += th[i + 1];
	}
	fl = th[13];
	seq = get32(th + 4);
	ack = get32(th + 8);
	len = n - doff;
	data = th + doff;
	f = flow_by_ports(get16(th), get16(th + 2));
	if (f)
		f->l_segs++;
	trace("L>P %u:%u <SEQ=L%+d><ACK=P%+d><CTL=%s><WND=%u> len %u",
	      get16(th), get16(th + 2),
	      f ? (int)(seq - f->l_isn) : (int)seq,
	      f ? (int)(ack - f->p_isn) : (int)ack, flag_str(fl),
	      get16(th + 14), len);
	if (!f)
		return;
	if (fl & F_SYN) {
		if (f->l_isn_ok && seq != f->l_isn) {
			/*
			 * A new connection on the flow's 4-tuple: before any
			 * socket was attached, the flow follows it.
			 */
			trace("note: a new ISS on flow %u", f->pport);
			if (f->had_fd) {
				f->tx_unsure = true;
			} else {
				f->irs_ok = false;
				f->wr = 0;
			}
		}
		f->l_isn = seq;
		f->l_isn_ok = true;
		f->l_nxt = seq + 1;
	}
	if (fl & F_RST) {
		f->l_rsts++;
		return;
	}
	if (f->l_isn_ok) {
		u32 end = seq + len + !!(fl & F_SYN) + !!(fl & F_FIN);

		if ((int32_t)(end - f->l_nxt) > 0)
			f->l_nxt = end;
		if (fl & F_FIN)
			f->l_fin = true;
		/* Every octet sent is the octet written at that place. */
		off = seq + !!(fl & F_SYN) - (f->l_isn + 1);
		for (i = 0; i < len && !f->tx_unsure; i++, off++) {
			if ((int32_t)off < 0)
				continue;	/* keep-alive garbage */
			if (off >= f->wr) {
				fail_port = f->pport;
				fail("flow %u: the stack sent octet %u of its stream, %s %llu",
				     f->pport, off, "only written:",
				     (unsigned long long)f->wr);
			}
			if (data[i] != pat(f->l_isn + 1 + off, lkey(f))) {
				fail_port = f->pport;
				fail("flow %u: the stack sent a wrong octet at stream offset %u",
				     f->pport, off);
			}
			st.tx_checked++;
		}
	}
	if (fl & F_ACK) {
		f->l_seen = true;
		f->l_ack = ack;
		f->l_wnd = get16(th + 14);
	}
}

static void pump(void)
{
	u8 buf[sizeof(struct virtio_net_hdr) + 65600];
	ssize_t n;

	for (;;) {
		n = read(tunfd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			fail("read from tun: %s", strerror(errno));
		}
		if (n > (ssize_t)sizeof(struct virtio_net_hdr))
			rx_segment(buf + sizeof(struct virtio_net_hdr),
				   n - sizeof(struct virtio_net_hdr));
	}
}

static double wait_scale = 1;

/* Wait up to ms for pred(f) or any reply (one_reply) on flow f. */
static bool wait_for(struct flow *f, double ms, bool (*pred)(struct flow *),
		     bool one_reply)
{
	double t0 = now(), end = t0 + wait_scale * ms / 1000;
	struct pollfd p = { .fd = tunfd, .events = POLLIN };
	int rsts = f->l_rsts, segs = f->l_segs;
	bool ok;

	for (;;) {
		pump();
		ok = pred(f);
		if (ok || now() > end || f->l_rsts != rsts ||
		    (one_reply && f->l_segs != segs))
			break;
		poll(&p, 1, 5);
	}
	st.wait_s += now() - t0;
	st.waits++;
	if (!ok) {
		st.wait_fail++;
		st.wait_fail_s += now() - t0;
		trace("flow %u: no reply after %.3f s", f->pport, now() - t0);
	}
	return ok;
}

/* -- the local stack's view: TCP_INFO and /proc/net/atcp ------------------------ */
static int sock_state(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	if (fd < 0 || getsockopt(fd, SOL_TCP, TCP_INFO, &ti, &l))
		return -1;
	see_state(ti.tcpi_state);
	return ti.tcpi_state;
}

static int state_by_name(const char *s)
{
	int i;

	for (i = 1; i < 12; i++)
		if (!strcmp(s, state_name[i]))
			return i;
	return -1;
}

/* A /proc/net/atcp line: sl local remote state, 14 TCB fields, inode. */
static const char atcp_fmt[] =
	" %*d %u.%u.%u.%u:%u %u.%u.%u.%u:%u %31s %u %u %u %u %u %u %u %u %u %u %u %u %u %u %llu";

static unsigned long long sock_ino(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) ? 0 : sb.st_ino;
}

/* Scan the stack's connection table; records the states seen, syncs the
 * flows' window edges (atcp), returns the number of connections of ours
 * (the listener excluded).
 */
static int proc_scan(bool sync, bool print)
{
	char line[512];
	FILE *fp;
	int n = 0;

	fp = fopen(proto == 6 ? "/proc/net/tcp" : "/proc/net/atcp", "re");
	if (!fp)
		fail("cannot open the stack's /proc table: %s", strerror(errno));
	if (!fgets(line, sizeof(line), fp))
		line[0] = 0;
	while (fgets(line, sizeof(line), fp)) {
		unsigned int a[4], b[4], lp, pp, stn, v[14];
		unsigned long long ino = 0;
		int nf = 0;
		char stname[32];
		struct flow *f;
		int s;

		if (proto == 6) {
			unsigned int la, ra;

			if (sscanf(line, " %*d: %x:%x %x:%x %x", &la, &lp, &ra,
				   &pp, &stn) != 5)
				continue;
			s = stn;
			if (s == 10)
				continue;
			if (ntohl(la) != LOCAL_IP)
				continue;
		} else {
			nf = sscanf(line, atcp_fmt, &a[0], &a[1], &a[2], &a[3],
				    &lp, &b[0], &b[1], &b[2], &b[3], &pp, stname,
				    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
				    &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
				    &v[12], &v[13], &ino);
			if (nf < 11)
				continue;
			s = state_by_name(stname);
			if (s == 10)
				continue;
		}
		see_state(s);
		if (proto == 6 && s == 6)
			continue;	/* Linux's TIME-WAIT is 60 s, fixed */
		n++;
		if (print)
			printf("#   %s", line);
		f = flow_by_ports(lp, pp);
		if (sync && f && proto != 6 && s != 6) {
			/* snd_una snd_nxt snd_wnd snd_up wl1 wl2 iss rcv_nxt rcv_wnd */
			f->l_ack = v[7];
			f->l_wnd = v[8];
			f->l_seen = true;
			/* The IRS, of the connection the flow's socket is. */
			if (!f->irs_ok && s != 2 && nf == 26 &&
			    f->fd >= 0 && ino == sock_ino(f->fd)) {
				f->irs = v[10];
				f->irs_ok = true;
				trace("flow %u: stream starts at P%+d (/proc)",
				      f->pport, (int)(f->irs + 1 - f->p_isn));
			}
		}
	}
	fclose(fp);
	return n;
}

/* -- local socket calls ----------------------------------------------------------- */
static void check_read(struct flow *f, const u8 *b, ssize_t n)
{
	ssize_t i;

	if (!f->irs_ok || (f->p_urg && !f->oobinline))
		return;
	for (i = 0; i < n; i++) {
		if (b[i] != pat(f->irs + 1 + (u32)f->rd + i, pkey(f))) {
			fail_port = f->pport;
			fail("flow %u: read octet %llu is %#x, the peer sent %#x there",
			     f->pport, (unsigned long long)(f->rd + i), b[i],
			     pat(f->irs + 1 + (u32)f->rd + i, pkey(f)));
		}
		st.rd_bytes++;
	}
}

static void local_read(struct flow *f, bool all)
{
	static u8 b[70000];
	ssize_t n;
	int fl = MSG_DONTWAIT;

	if (f->fd < 0)
		return;
	do {
		size_t want = 1 + rnd(chance(2) ? 70000 : 100);

		if (chance(8)) {
			n = recv(f->fd, b, want, fl | MSG_PEEK);
			if (n > 0)
				check_read(f, b, n);
			continue;
		}
		if (chance(16) && !f->oobinline) {
			n = recv(f->fd, b, 1, fl | MSG_OOB);
			trace("local recv(flow %u, MSG_OOB): %zd %s", f->pport, n,
			      n < 0 ? strerror(errno) : "");
			continue;
		}
		n = recv(f->fd, b, want, fl);
		st.sockcalls++;
		if (n > 0) {
			check_read(f, b, n);
			f->rd += n;
		} else if (n == 0) {
			if (!f->eof)
				trace("local read(flow %u): EOF after %llu", f->pport,
				      (unsigned long long)f->rd);
			f->eof = true;
			return;
		} else {
			return;
		}
	} while (all);
}

static void local_write(struct flow *f)
{
	static u8 b[70000];
	size_t n = 1 + rnd(chance(4) ? 60000 : 2000), i;
	ssize_t r;
	int fl = MSG_DONTWAIT | MSG_NOSIGNAL;

	if (f->fd < 0)
		return;
	if (!f->l_isn_ok) {
		/* Unconnected: only the error path (nothing can be sent). */
		r = send(f->fd, "x", 1, fl);
		if (r > 0)
			fail("flow %u: send() accepted data before the SYN", f->pport);
		return;
	}
	for (i = 0; i < n; i++)
		b[i] = pat(f->l_isn + 1 + (u32)(f->wr + i), lkey(f));
	if (chance(32))
		fl |= MSG_OOB;
	r = send(f->fd, b, n, fl);
	st.sockcalls++;
	trace("local send(flow %u, %zu%s): %zd %s", f->pport, n,
	      fl & MSG_OOB ? ", MSG_OOB" : "", r, r < 0 ? strerror(errno) : "");
	if (r > 0)
		f->wr += r;
}

static void local_close(struct flow *f, bool abort)
{
	struct linger l = { 1, 0 };

	if (f->fd < 0)
		return;
	if (abort)
		setsockopt(f->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	trace("local close(flow %u%s)", f->pport, abort ? ", linger 0" : "");
	sock_state(f->fd);
	close(f->fd);
	f->fd = -1;
	st.sockcalls++;
}

static void local_shutdown(struct flow *f, int how)
{
	int r;

	if (f->fd < 0)
		return;
	r = shutdown(f->fd, how);
	trace("local shutdown(flow %u, %d): %d %s", f->pport, how, r,
	      r ? strerror(errno) : "");
	if (!r && how != SHUT_WR)
		f->rd_shut = true;
	if (!r && how != SHUT_RD)
		f->wr_shut = true;
	st.sockcalls++;
}

static void local_setsockopt(struct flow *f)
{
	int v, r, lvl = SOL_TCP, opt;
	struct linger l;
	void *p = &v;
	socklen_t len = sizeof(v);

	if (f->fd < 0)
		return;
	switch (rnd(10)) {
	case 0:
		opt = TCP_NODELAY;
		v = rnd(2);
		break;
	case 1:
		lvl = SOL_SOCKET;
		opt = SO_RCVBUF;
		v = chance(2) ? 1 + rnd(4096) : 1 + rnd(1 << 20);
		break;
	case 2:
		lvl = SOL_SOCKET;
		opt = SO_SNDBUF;
		v = 1 + rnd(1 << 18);
		break;
	case 3:
		opt = TCP_MAXSEG;
		v = rnd(70000);
		break;
	case 4:
		lvl = SOL_SOCKET;
		opt = SO_KEEPALIVE;
		v = rnd(2);
		break;
	case 5:
		opt = TCP_KEEPIDLE;
		v = rnd(3);
		break;
	case 6:
		lvl = SOL_SOCKET;
		opt = SO_LINGER;
		l.l_onoff = rnd(2);
		l.l_linger = rnd(2);
		p = &l;
		len = sizeof(l);
		break;
	case 7:
		opt = TCP_USER_TIMEOUT;
		v = rnd(2) ? 0 : 200 + rnd(2000);
		break;
	case 8:
		opt = TCP_QUICKACK;
		v = rnd(2);
		break;
	default:
		lvl = SOL_SOCKET;
		opt = SO_RCVLOWAT;
		v = 1 + rnd(3);
		break;
	}
	r = setsockopt(f->fd, lvl, opt, p, len);
	st.sockcalls++;
	trace("local setsockopt(flow %u, %d, %d, %d): %d", f->pport, lvl, opt,
	      v, r);
}

static void local_ioctl(struct flow *f)
{
	static const unsigned long req[] = { FIONREAD, SIOCATMARK, TIOCOUTQ };
	int v;

	if (f->fd < 0)
		return;
	ioctl(f->fd, req[rnd(3)], &v);
	st.sockcalls++;
}

/* -- generated segments ----------------------------------------------------- */
/* Up to cap octets of options (valid or not) into out; returns the length. */
static int gen_opts(struct flow *f, u8 *out, int cap)
{
	int n = 0, k = rnd(5), i, l;
	u8 o[96];	/* an option may start at 39 and run past 40 */

	while (k-- > 0 && n < 40) {
		switch (rnd(16)) {
		case 0:
			o[n++] = 1;
			break;
		case 1:
			o[n++] = 0;
			break;
		case 2:
			o[n++] = 2;
			o[n++] = 4;
			put16(o + n, chance(4) ? rnd(100) : rnd(65536));
			n += 2;
			break;
		case 3:
			o[n++] = 2;
			o[n++] = rnd(7);		/* malformed MSS length */
			break;
		case 4:
			o[n++] = 3;
			o[n++] = 3;
			o[n++] = rnd(20);
			break;
		case 5:
			o[n++] = 4;
			o[n++] = 2;
			break;
		case 6:
			l = 1 + rnd(4);
			o[n++] = 5;
			o[n++] = 2 + 8 * l;
			for (i = 0; i < l && n + 8 <= 48; i++) {
				put32(o + n, f->p_una + rnd(3) - 1);
				put32(o + n + 4, f->l_nxt + rnd(3000) - 1);
				n += 8;
			}
			break;
		case 7:
			o[n++] = 8;
			o[n++] = 10;
			put32(o + n, rnd64());
			put32(o + n + 4, rnd64());
			n += 8;
			break;
		case 8:
			o[n++] = 19;
			o[n++] = 18;
			for (i = 0; i < 16 && n < 48; i++)
				o[n++] = rnd(256);
			break;
		case 9:		/* any kind, a valid length */
			o[n++] = rnd(256);
			l = 2 + rnd(40 - n > 2 ? 40 - n - 1 : 1);
			o[n++] = l;
			for (i = 2; i < l && n < 48; i++)
				o[n++] = rnd(256);
			break;
		case 10:	/* length 0 or 1 */
			o[n++] = 2 + rnd(254);
			o[n++] = rnd(2);
			break;
		case 11:	/* length past the header */
			o[n] = rnd(256);
			o[n + 1] = 40 - n + rnd(200);
			n += 2;
			break;
		case 12:	/* kind without a length, at the end */
			o[n++] = 2 + rnd(254);
			k = 0;
			break;
		default:
			o[n++] = 1;
			break;
		}
	}
	if (n > cap)
		n = cap;
	memcpy(out, o, n);
	return n;
}

static const u8 flag_sets[] = {
	F_ACK, F_ACK | F_PSH, F_ACK | F_FIN, F_RST, F_RST | F_ACK, F_SYN,
	F_SYN | F_ACK, F_FIN, F_ACK | F_URG, F_SYN | F_FIN, F_SYN | F_RST,
	0, 0xff, F_ACK | F_FIN | F_PSH, F_SYN | F_ACK | F_FIN, F_ACK | F_ECE |
	F_CWR, F_ACK | F_PSH | F_URG, F_RST | F_FIN,
};

static u32 pick_seq(struct flow *f)
{
	u32 rn = f->l_ack, w = f->l_wnd;

	switch (rnd(16)) {
	case 0:
		return rn - 1;
	case 1:
		return rn + 1;
	case 2:
		return rn + w - 1;
	case 3:
		return rn + w;
	case 4:
		return rn + w + 1;
	case 5:
		return rn - 1 - rnd(3000);
	case 6:
		return rn + rnd(w + 1);
	case 7:
		return rnd64();
	case 8:
		return rn + 0x80000000u;
	case 9:
		return f->p_isn;
	case 10:
		return rn - 65535;
	case 11:
		return rn + 65535 + rnd(100);
	default: return rn;
	}
}

static u32 pick_ack(struct flow *f)
{
	u32 una = f->p_una, nxt = f->l_nxt;

	switch (rnd(16)) {
	case 0:
		return una - 1;
	case 1:
		return una + 1;
	case 2:
		return nxt - 1;
	case 3:
		return nxt + 1;
	case 4:
		return una - 65535;
	case 5:
		return una - 65536;
	case 6:
		return una - 65534;
	case 7:
		return rnd64();
	case 8:
		return nxt + 0x80000000u;
	case 9:
		return f->l_isn;
	case 10:
		return una;
	case 11:
		return una + rnd(nxt - una + 1);
	default: return nxt;
	}
}

static u32 pick_len(struct flow *f)
{
	switch (rnd(10)) {
	case 0:
	case 1:
	case 2:
		return 0;
	case 3:
		return 1;
	case 4:
		return 1 + rnd(64);
	case 5:
		return f->l_wnd ? f->l_wnd : 1;
	case 6: return 900 + rnd(2200);		/* more than a fragment */
	case 7: return 3900 + rnd(5000);	/* paged through tun */
	default: return 1 + rnd(1460);
	}
}

static void gen_shape(struct seg *s)
{
	u32 r = rnd(32);

	if (r < 6)
		s->shape = 1;
	else if (r < 9)
		s->shape = 2;
	if (linear_only)
		s->shape = 0;
	if (chance(24))
		s->doff = rnd(16);
	if (chance(32))
		s->csum = 1 + rnd(2);
	if (chance(24))
		s->trunc = rnd(20 + 20 + 10);
	if (chance(32))
		s->reserved = rnd(16);
}

static void fuzz_segment(struct flow *f)
{
	struct seg s = { 0 };

	s.flags = chance(3) ? rnd(256) : flag_sets[rnd(sizeof(flag_sets))];
	s.seq = pick_seq(f);
	s.ack = (s.flags & F_ACK) || chance(4) ? pick_ack(f) : 0;
	s.wnd = chance(6) ? 0 : chance(4) ? rnd(100) : chance(2) ? 65535 : rnd(65536);
	s.urg = chance(2) ? rnd(4) : rnd(65536);
	if (chance(3))
		s.optlen = gen_opts(f, s.opt, 40);
	s.len = pick_len(f);
	gen_shape(&s);
	send_seg(f, &s);
}

/*
 * Out-of-order data in the window, then the octets that fill the hole (and
 * overlap both sides), in various shapes.
 */
static void fuzz_ooo(struct flow *f)
{
	struct seg s = { .flags = F_ACK, .wnd = 65535 };
	u32 rn = f->l_ack, gap = 1 + rnd(3000), l2 = 1 + rnd(3000);

	s.ack = f->l_nxt;
	s.seq = rn + gap;
	s.len = l2;
	if (chance(3))
		s.flags |= F_FIN;
	if (chance(3) && !linear_only)
		s.shape = 1 + rnd(2);
	send_seg(f, &s);
	s.flags = F_ACK;
	s.seq = rn - rnd(2000);
	s.len = rn - s.seq + gap + rnd(l2 + 100);
	s.shape = linear_only ? 0 : rnd(3);
	send_seg(f, &s);
}

/* In-order data from the peer (retransmitting from what was acked). */
static void peer_data(struct flow *f, u32 len)
{
	struct seg s = { .flags = F_ACK | F_PSH, .wnd = 65535 };

	if (f->p_fin)
		return;
	s.seq = f->l_ack;
	s.ack = f->l_nxt;
	s.len = len;
	if (chance(8) && !linear_only)
		s.shape = 1 + rnd(2);
	f->p_una = s.ack;
	send_seg(f, &s);
}

static void peer_ack(struct flow *f, u32 ack)
{
	struct seg s = { .flags = F_ACK };

	s.seq = f->l_ack;
	s.ack = ack;
	s.wnd = chance(16) ? 0 : 65535;
	f->p_una = ack;
	send_seg(f, &s);
}

static void peer_fin(struct flow *f, bool ack_all)
{
	struct seg s = { .flags = F_ACK | F_FIN, .wnd = 65535 };

	s.seq = f->l_ack;
	s.ack = ack_all || !f->l_fin ? f->l_nxt : f->l_nxt - 1;
	s.len = chance(3) ? rnd(200) : 0;
	f->p_una = s.ack;
	f->p_fin = true;
	send_seg(f, &s);
}

static void peer_syn(struct flow *f, u8 flags, u32 ack)
{
	struct seg s = { .flags = flags, .wnd = 65535 };
	u8 *o = s.opt;

	s.seq = f->p_isn;
	s.ack = ack;
	o[0] = 2;
	o[1] = 4;
	put16(o + 2, f->p_mss);
	s.optlen = 4;
	if (chance(4))
		s.optlen += gen_opts(f, s.opt + 4, 36);
	send_seg(f, &s);
}

/* -- flows and their plans --------------------------------------------------- */
static bool got_isn(struct flow *f)
{
	return f->l_isn_ok;
}

static bool got_ack(struct flow *f)
{
	return f->l_seen && f->l_ack == f->p_isn + 1;
}

/* The handshake ACKed the peer's SYN: the stream starts at p_isn + 1. */
static void set_irs(struct flow *f)
{
	if (!f->irs_ok && got_ack(f)) {
		trace("flow %u: stream starts at P+1 (handshake)", f->pport);
		f->irs = f->p_isn;
		f->irs_ok = true;
	}
}

static void accept_all(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct flow *f;
	int fd, one = 1;

	for (;;) {
		al = sizeof(a);
		fd = accept4(lsock, (struct sockaddr *)&a, &al, SOCK_NONBLOCK);
		if (fd < 0)
			return;
		st.sockcalls++;
		f = flow_by_ports(LPORT, ntohs(a.sin_port));
		trace("local accept(): port %u%s", ntohs(a.sin_port),
		      f ? "" : " (no flow: closed)");
		if (!f || f->had_fd || f->active) {
			close(fd);
			continue;
		}
		f->fd = fd;
		f->had_fd = true;
		if (f->oobinline)
			setsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &one,
				   sizeof(one));
		sock_state(fd);
	}
}

static struct flow *flow_new(void)
{
	struct flow *f = NULL;
	int i, n = 0;

	for (i = 0; i < MAXF; i++)
		n += flows[i].used;
	if (n >= nflows_max)
		return NULL;
	for (i = 0; i < MAXF && !f; i++)
		if (!flows[i].used)
			f = &flows[i];
	if (!f)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->used = true;
	f->id = flow_seq;
	f->plan = flow_seq++ % NPLANS;
	f->active = plans[f->plan][0] == P_CONNECT;
	f->fd = -1;
	f->pport = next_pport;
	next_pport = next_pport >= 60000 ? 20000 : next_pport + 1;
	f->lport = LPORT;
	f->p_isn = rnd64();
	f->p_mss = chance(8) ? 1 + rnd(65535) : 536 + rnd(8400);
	f->l_wnd = 65535;
	f->oobinline = !chance(4);
	f->life = 20 + rnd(200);
	/* The first round of plans runs clean: every state early. */
	f->clean = f->id < (int)NPLANS || chance(2);
	f->fuzz_left = f->clean ? 0 : rnd(6);
	st.flows++;
	trace("flow %u: plan %d", f->pport, f->plan);
	return f;
}

static void flow_retire(struct flow *f)
{
	if (f->fd >= 0) {
		local_read(f, true);
		local_close(f, chance(3));
	}
	if (chance(3) && f->l_isn_ok && !f->p_rst) {
		struct seg s = { .flags = F_RST | F_ACK };

		s.seq = f->l_ack;
		s.ack = f->l_nxt;
		send_seg(f, &s);
	}
	trace("flow %u retired (read %llu, wrote %llu)", f->pport,
	      (unsigned long long)f->rd, (unsigned long long)f->wr);
	f->used = false;
}

/* One step of f's plan; false ends the plan (the flow then only fuzzes). */
static bool plan_step(struct flow *f)
{
	u8 step = plans[f->plan][f->step++];
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int one = 1;

	switch (step) {
	case P_END:
		f->step--;
		return false;
	case P_SYN:
		peer_syn(f, F_SYN, 0);
		if (!wait_for(f, 500, got_isn, false))
			return false;
		set_irs(f);
		break;
	case P_ACKSYN:
		proc_scan(true, false);
		peer_ack(f, f->l_isn + 1);
		pump();
		accept_all();
		break;
	case P_CONNECT:
		f->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, proto);
		if (f->fd < 0)
			fail("socket(): %s", strerror(errno));
		f->had_fd = true;
		if (f->oobinline)
			setsockopt(f->fd, SOL_SOCKET, SO_OOBINLINE, &one,
				   sizeof(one));
		a.sin_addr.s_addr = htonl(PEER_IP);
		a.sin_port = htons(f->pport);
		if (connect(f->fd, (struct sockaddr *)&a, sizeof(a)) &&
		    errno != EINPROGRESS)
			fail("connect(): %s", strerror(errno));
		getsockname(f->fd, (struct sockaddr *)&a, &al);
		f->lport = ntohs(a.sin_port);
		/* A new 4-tuple: what the fuzzing before met was the listener. */
		f->l_isn_ok = false;
		f->l_seen = false;
		f->l_fin = false;
		f->irs_ok = false;
		f->l_nxt = 0;
		f->l_ack = 0;
		f->l_wnd = 65535;
		trace("local connect(flow %u): local port %u", f->pport,
		      f->lport);
		st.sockcalls++;
		if (!wait_for(f, 500, got_isn, false))
			return false;
		break;
	case P_SYNACK:
		peer_syn(f, F_SYN | F_ACK, f->l_isn + 1);
		if (!wait_for(f, 500, got_ack, true))
			return false;
		set_irs(f);
		f->p_una = f->l_isn + 1;
		break;
	case P_SIMSYN:
		peer_syn(f, F_SYN, 0);
		if (wait_for(f, 500, got_ack, true))
			set_irs(f);
		break;
	case P_SIMACK:
		peer_ack(f, f->l_nxt);
		break;
	case P_DATA:
		peer_data(f, 1 + rnd(3000));
		local_write(f);
		pump();
		local_read(f, true);
		peer_ack(f, f->l_nxt);
		break;
	case P_LCLOSE:
		if (chance(2))
			local_shutdown(f, SHUT_WR);
		else
			local_close(f, false);
		pump();
		break;
	case P_PACK:
		pump();
		peer_ack(f, f->l_nxt);
		break;
	case P_PFIN:
		pump();
		peer_fin(f, true);
		break;
	case P_PFIN_NOACK:
		pump();
		peer_fin(f, false);
		break;
	case P_RST: {
		struct seg s = { .flags = F_RST };

		s.seq = f->l_ack;
		send_seg(f, &s);
		break;
	}
	case P_LABORT:
		local_close(f, true);
		break;
	}
	pump();
	if (f->fd >= 0)
		sock_state(f->fd);
	else
		proc_scan(false, false);
	return true;
}

/* A random action on flow f. */
static void flow_action(struct flow *f)
{
	u32 r = rnd(100);

	st.actions++;
	if (r < 50)
		fuzz_segment(f);
	else if (r < 55)
		fuzz_ooo(f);
	else if (r < 62)
		peer_data(f, rnd(2) ? 1 + rnd(1460) : 1 + rnd(8000));
	else if (r < 68)
		peer_ack(f, chance(2) ? f->l_nxt : pick_ack(f));
	else if (r < 77)
		local_read(f, chance(2));
	else if (r < 84)
		local_write(f);
	else if (r < 87)
		local_setsockopt(f);
	else if (r < 89)
		local_ioctl(f);
	else if (r < 90)
		local_shutdown(f, rnd(3));
	else if (r < 91)
		local_close(f, chance(2));
	else if (r < 92)
		peer_fin(f, chance(2));
	else if (r < 95 && f->fd >= 0)
		sock_state(f->fd);
	else if (r < 96)
		proc_scan(true, false);
	else
		pump();
	pump();
}

static bool all_reached(void)
{
	int i;

	for (i = 1; i < 12; i++)
		if (!reached[i])
			return false;
	return true;
}

/* Returns how long it ran. */
static double run(double seconds)
{
	double start = now(), end = start + seconds;
	double last = end + 3 * seconds;
	int i, n;

	while (now() < end || (!all_reached() && now() < last)) {
		struct flow *f;

		if (chance(4))
			flow_new();
		accept_all();
		n = 0;
		for (i = 0; i < MAXF; i++)
			n += flows[i].used;
		if (!n)
			continue;
		do {
			f = &flows[rnd(MAXF)];
		} while (!f->used);
		if (f->fuzz_left > 0) {
			f->fuzz_left--;
			flow_action(f);
		} else if (plan_step(f)) {
			f->fuzz_left = f->clean ? 0 : rnd(8);
		} else {
			flow_action(f);
			if (--f->life <= 0)
				flow_retire(f);
		}
		if (chance(64))
			proc_scan(true, false);
	}
	return now() - start;
}

/* -- set-up and the end ------------------------------------------------------- */
static void write_ctl(const char *path, const char *v, bool must)
{
	int err = write_file(path, v);

	if (err) {
		if (must)
			fail("%s: %s", path, strerror(-err));
		printf("# %s: %s\n", path, strerror(-err));
	}
}

static void if_up(int s, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		fail("SIOCGIFFLAGS %s: %s", name, strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		fail("SIOCSIFFLAGS %s: %s", name, strerror(errno));
}

static void setup(void)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	struct sockaddr_in la = { .sin_family = AF_INET };
	static const char *const ctl[][2] = {
		/* short timers: every orphan must go within the drain time */
		{ "net/atcp/msl_ms", "250" },
		{ "net/atcp/fin_timeout_ms", "1000" },
		{ "net/atcp/orphan_retries", "2" },
		{ "net/atcp/retries2", "4" },
		{ "net/atcp/syn_retries", "2" },
		{ "net/atcp/synack_retries", "2" },
		{ "net/atcp/rto_max_ms", "1000" },
		{ "net/atcp/keepalive_intvl_ms", "300" },
		{ "net/atcp/keepalive_probes", "2" },
		{ "net/ipv4/tcp_fin_timeout", "1" },
		{ "net/ipv4/tcp_orphan_retries", "2" },
		{ "net/ipv4/tcp_retries2", "4" },
		{ "net/ipv4/tcp_syn_retries", "2" },
		{ "net/ipv4/tcp_synack_retries", "2" },
		{ "net/ipv4/tcp_keepalive_intvl", "1" },
		{ "net/ipv4/tcp_keepalive_probes", "2" },
	};
	char path[128];
	int s, one = 1;
	size_t i;

	if (unshare(CLONE_NEWNET))
		fail("unshare(CLONE_NEWNET): %s", strerror(errno));
	if (access("/dev/net/tun", F_OK)) {
		if (system("modprobe -q tun") != 0)
			printf("# modprobe tun failed\n");
	}
	tunfd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	if (tunfd < 0)
		fail("/dev/net/tun: %s", strerror(errno));
	snprintf(ifr.ifr_name, IFNAMSIZ, "pkt0");
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(tunfd, TUNSETIFF, &ifr))
		fail("TUNSETIFF: %s", strerror(errno));
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if_up(s, "lo");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "pkt0");
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(LOCAL_IP);
	if (ioctl(s, SIOCSIFADDR, &ifr))
		fail("SIOCSIFADDR: %s", strerror(errno));
	sin->sin_addr.s_addr = htonl(0xffffff00);
	if (ioctl(s, SIOCSIFNETMASK, &ifr))
		fail("SIOCSIFNETMASK: %s", strerror(errno));
	ifr.ifr_mtu = TUN_MTU;
	if (ioctl(s, SIOCSIFMTU, &ifr))
		fail("SIOCSIFMTU: %s", strerror(errno));
	if_up(s, "pkt0");
	close(s);
	write_ctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1", false);
	for (i = 0; i < ARRAY_SIZE(ctl); i++) {
		if (strncmp(ctl[i][0], proto == 6 ? "net/ipv4" : "net/atcp", 8))
			continue;
		snprintf(path, sizeof(path), "/proc/sys/%s", ctl[i][0]);
		write_ctl(path, ctl[i][1], true);
	}
	lsock = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, proto);
	if (lsock < 0)
		fail("socket(AF_INET, SOCK_STREAM, %d): %s", proto,
		     strerror(errno));
	setsockopt(lsock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	la.sin_port = htons(LPORT);
	if (bind(lsock, (struct sockaddr *)&la, sizeof(la)) ||
	    listen(lsock, 64))
		fail("listener: %s", strerror(errno));
	sock_state(lsock);
}

static const char *const slabs[] = { "ATCP", "atcp_tw", "atcp_bind_bucket" };
static long slab_base[3];

static void bad_usage(void)
{
	fprintf(stderr, "%s\n%s\n",
		"usage: fuzz [--proto 253|6] [--seed N] [--seconds S] [--flows N]",
		"            [--drain S] [--shapes all|linear] [-v]");
	exit(2);
}

int main(int argc, char **argv)
{
	double seconds = 30, drain = 30, t_end;
	bool have_seed = false;
	int i, n, missing = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (i + 1 < argc && !strcmp(argv[i], "--seed")) {
			seed = strtoull(argv[++i], NULL, 0);
			have_seed = true;
		} else if (i + 1 < argc && !strcmp(argv[i], "--seconds")) {
			seconds = atof(argv[++i]);
		} else if (i + 1 < argc && !strcmp(argv[i], "--drain")) {
			drain = atof(argv[++i]);
		} else if (i + 1 < argc && !strcmp(argv[i], "--shapes")) {
			linear_only = !strcmp(argv[++i], "linear");
		} else if (i + 1 < argc && !strcmp(argv[i], "--proto")) {
			proto = atoi(argv[++i]);
		} else if (i + 1 < argc && !strcmp(argv[i], "--flows")) {
			nflows_max = atoi(argv[++i]);
			if (nflows_max < 1 || nflows_max > MAXF)
				bad_usage();
		} else {
			bad_usage();
		}
	}
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (u64)ts.tv_nsec ^ ((u64)ts.tv_sec << 20) ^ getpid();
		seed &= 0xffffffffffffULL;
	}
	rng_state = seed;
	if (getenv("ATCP_REDUCED") && !strcmp(getenv("ATCP_REDUCED"), "1"))
		wait_scale = 8;	/* the debug kernel */
	t_start = now();
	printf("# fuzz: protocol %d, seed %llu, %.0f s (rerun: --seed %llu)\n",
	       proto, (unsigned long long)seed, seconds,
	       (unsigned long long)seed);
	if (proto != 6)
		for (i = 0; i < 3; i++)
			slab_base[i] = slab_active(slabs[i]);
	setup();
	seconds = run(seconds);

	/* The end: every socket closed, the peer silent (it only reads). */
	for (i = 0; i < MAXF; i++)
		if (flows[i].used && flows[i].fd >= 0)
			local_close(&flows[i], chance(2));
	accept_all();
	close(lsock);
	trace("all sockets closed; the peer is silent");
	t_end = now() + drain;
	do {
		pump();
		n = proc_scan(false, false);
		if (!n)
			break;
		usleep(100000);
	} while (now() < t_end);
	if (n) {
		printf("# connections left %.0f s after the last close:\n", drain);
		proc_scan(false, true);
		fail("%d connections still there %.0f s after every socket was closed",
		     n, drain);
	}
	printf("# segments %llu (%llu malformed), IP packets %llu (%llu %s %llu %s %llu\n",
	       (unsigned long long)st.segs, (unsigned long long)st.malformed,
	       (unsigned long long)st.pkts, (unsigned long long)st.frags,
	       "fragments,", (unsigned long long)st.paged,
	       "over a page), from the stack", (unsigned long long)st.rx);
	printf("# flows %llu, actions %llu, socket calls %llu, %s %llu, %s %llu\n",
	       (unsigned long long)st.flows, (unsigned long long)st.actions,
	       (unsigned long long)st.sockcalls, "octets read and checked",
	       (unsigned long long)st.rd_bytes, "sent and checked",
	       (unsigned long long)st.tx_checked);
	printf("# %.0f segments/s (%.1f s waiting for %llu handshake replies,",
	       st.segs / seconds, st.wait_s, (unsigned long long)st.waits);
	printf(" %.1f s for %llu that did not come)\n", st.wait_fail_s,
	       (unsigned long long)st.wait_fail);
	printf("# states reached:");
	for (i = 1; i < 12; i++)
		if (reached[i])
			printf(" %s", state_name[i]);
	printf("\n");
	for (i = 1; i < 12; i++)
		if (!reached[i]) {
			printf("# state never reached: %s\n", state_name[i]);
			missing++;
		}
	if (proto != 6) {
		for (i = 0; i < 3; i++) {
			long v = slab_active(slabs[i]);
			double until = now() + 10;

			while (v > slab_base[i] && now() < until) {
				usleep(200000);
				v = slab_active(slabs[i]);
			}
			if (v < 0) {
				printf("# slab %s: not in /proc/slabinfo (merged)\n",
				       slabs[i]);
				continue;
			}
			printf("# slab %s: %ld in use (baseline %ld)\n",
			       slabs[i], v, slab_base[i]);
			if (v > slab_base[i])
				fail("slab %s: %ld objects in use, %ld before",
				     slabs[i], v, slab_base[i]);
		}
	}
	if (missing)
		fail("%d states never reached", missing);
	printf("ok 1 fuzz %s seed %llu\n", proto == 6 ? "tcp" : "atcp",
	       (unsigned long long)seed);
	return 0;
}
