// SPDX-License-Identifier: GPL-2.0
/*
 * atcp output: building segments (RFC 9293 §3.1) and sending them, the
 * send side of the window (§3.8.6), RST generation (§3.10.7.1) and ACKs.
 */
#include <linux/random.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/dst.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/route.h>

#include "atcp.h"
#include "atcp_cong.h"
#include "compat.h"
#include "recovery.h"
#include "trace.h"

/* What remains of the window last offered: RCV.ADV - RCV.NXT. */
u32 atcp_offered_window(const struct sock *sk)
{
	const struct atcp_sock *as = atcp_sk(sk);

	return seq_gt(as->rcv_adv, as->rcv_nxt) ? as->rcv_adv - as->rcv_nxt : 0;
}

/*
 * The window the free receive buffer allows: half of it, for the skb
 * overhead, which collapsing keeps under half (mem.c).  Under memory
 * pressure at most four segments, as Linux.
 */
u32 atcp_free_window(const struct sock *sk)
{
	int free = sk->sk_rcvbuf - atomic_read(&sk->sk_rmem_alloc);
	u32 win = free > 0 ? min_t(u32, free / 2, ATCP_MAX_WINDOW) : 0;

	if (sk_under_memory_pressure(sk))
		win = min_t(u32, win, 4U * atcp_sk(sk)->advmss);
	return win;
}

/* The receive window to advertise (RFC 9293 §3.8.6.2.2, RFC 1122
 * §4.2.3.3): never shrink it, and move its right edge only by at least
 * min(RCV.BUFF/2, MSS) (receiver-side silly window avoidance).  With a
 * shift ws (RFC 7323 §2.4) it is a multiple of 2^ws: rounded down when
 * it grows, up when it stays (the right edge never retracts), and at
 * most 65535 << ws.
 */
static u32 __atcp_select_window(struct sock *sk, u8 ws)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 cur = atcp_offered_window(sk), win = atcp_free_window(sk), step;

	win = min_t(u32, win, U16_MAX << ws);
	step = min_t(u32, sk->sk_rcvbuf / 4, as->mss ? as->mss : ATCP_DEFAULT_MSS);
	if (win < cur || win - cur < step)
		win = cur;
	if (ws) {
		win = round_down(win, 1U << ws);
		if (win < cur)
			win = round_up(cur, 1U << ws);
	}
	as->rcv_wnd = win;
	as->rcv_adv = as->rcv_nxt + win;
	return win;
}

u32 atcp_select_window(struct sock *sk)
{
	return __atcp_select_window(sk, atcp_sk(sk)->rcv_wscale);
}

/* SEG.WND: RCV.WND >> our shift; a SYN's never scaled (RFC 7323 §2.2). */
static u16 atcp_window_field(struct sock *sk, bool syn)
{
	if (syn)
		return min_t(u32, __atcp_select_window(sk, 0), U16_MAX);
	return atcp_select_window(sk) >> atcp_sk(sk)->rcv_wscale;
}

static void atcp_set_csum(struct sock *sk, struct sk_buff *skb, __be32 saddr,
			  __be32 daddr)
{
	struct tcphdr *th = tcp_hdr(skb);
	int len = skb->len;

	/* a GSO skb always: the stack computes what the device cannot */
	if (sk && ((sk->sk_route_caps & NETIF_F_HW_CSUM) || skb_is_gso(skb))) {
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
		th->check = ~csum_tcpudp_magic(saddr, daddr, len, atcp_ipproto, 0);
	} else {
		skb->ip_summed = CHECKSUM_NONE;
		th->check = 0;
		th->check = csum_tcpudp_magic(saddr, daddr, len, atcp_ipproto,
					      skb_checksum(skb, 0, len, 0));
	}
}

static void atcp_fill_header(struct tcphdr *th, __be16 sport, __be16 dport,
			     u32 seq, u32 ack, u8 flags, u16 wnd, int optlen)
{
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = (ATCP_HDR_LEN + optlen) >> 2;
	((u8 *)th)[13] = flags;
	th->window = htons(wnd);
}

/*
 * Send one segment of sk: its header is built from the skb's control block
 * and the TCB.  With clone, the skb stays queued for retransmission.
 */
int atcp_transmit_skb(struct sock *sk, struct sk_buff *skb, bool clone)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u8 opts[ATCP_MAX_OPT_LEN];
	int optlen = 0, err;
	struct tcphdr *th;
	u8 flags = cb->flags;
	u16 wnd, segs;

	if (clone) {
		/* A copy still in flight (a qdisc, netem) shares the
		 * headroom we are about to write: then copy the headers.
		 */
		if (unlikely(skb_cloned(skb)))
			skb = pskb_copy(skb, GFP_ATOMIC);
		else
			skb = skb_clone(skb, GFP_ATOMIC);
		if (unlikely(!skb))
			return -ENOBUFS;
	}
	if (flags & ATCP_SYN) {
		struct atcp_syn_opts so;

		atcp_syn_options(sk, &so);
		optlen = atcp_write_syn_options(opts, &so);
		flags |= atcp_ecn_syn_flags(sk, skb);
	} else {
		/* RFC 7323 §3.2: TSopt in every segment once agreed (in a
		 * RST of the connection too, as Linux); RFC 2018 §4, RFC
		 * 2883: SACK blocks (sack.c, which leaves room for TSopt)
		 */
		struct atcp_sack_block sacks[ATCP_MAX_SACKS];
		bool ts = as->tstamp_ok && sk->sk_state != TCP_SYN_SENT;
		int n = atcp_sack_blocks(sk, sacks, skb_is_gso(skb) ?
					 skb_shinfo(skb)->gso_size : skb->len);

		if (n || ts)
			optlen = atcp_write_options(opts, ts,
						    ts ? atcp_tsval(as) : 0,
						    ts ? as->ts_recent : 0,
						    sacks, n);
	}
	if (sk->sk_state != TCP_SYN_SENT)
		flags |= ATCP_ACK;
	if ((flags & ATCP_SYN) && sk->sk_state == TCP_SYN_SENT)
		flags &= ~ATCP_ACK;
	atcp_ecn_send(sk, skb, &flags);
	/* RFC 7323 §2.2: the window of a SYN is never scaled */
	wnd = atcp_window_field(sk, flags & ATCP_SYN);

	th = skb_push(skb, ATCP_HDR_LEN + optlen);
	skb_reset_transport_header(skb);
	atcp_fill_header(th, inet->inet_sport, inet->inet_dport, cb->seq,
			 (flags & ATCP_ACK) ? as->rcv_nxt : 0, flags, wnd,
			 optlen);
	if (optlen)
		memcpy(th + 1, opts, optlen);
	if (as->urg_pending && seq_gt(as->snd_up, cb->seq) &&
	    as->snd_up - cb->seq <= 0xffff) {
		/* RFC 9293 §3.8.5: SEG.UP = SND.UP - SEG.SEQ */
		th->urg = 1;
		th->urg_ptr = htons(as->snd_up - cb->seq);
	}
	atcp_set_csum(sk, skb, inet->inet_saddr, inet->inet_daddr);

	if (flags & ATCP_ACK) {
		as->rcv_acked = as->rcv_nxt;
		as->ack_pending = false;
		atcp_timer_clear(&as->delack_timer);
	}
	segs = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
	as->segs_out += segs;
	if (skb->len > ATCP_HDR_LEN + optlen)
		as->data_segs_out += segs;
	trace_atcp_segment(1, inet->inet_saddr, inet->inet_daddr, th,
			   skb->len - ATCP_HDR_LEN - optlen);
	atcp_add(sock_net(sk), ATCP_MIB_OUTSEGS, segs);

	memset(skb->cb, 0, sizeof(struct inet_skb_parm));
	skb_set_owner_w(skb, sk);
	skb->protocol = htons(ETH_P_IP);
	err = ip_queue_xmit(sk, skb, &inet->cork.fl);
	return net_xmit_eval(err);
}

static struct sk_buff *atcp_alloc_ctl_skb(struct sock *sk, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(ATCP_MAX_HEADER, gfp);

	if (skb)
		skb_reserve(skb, ATCP_MAX_HEADER);
	return skb;
}

/* An ACK now: SEQ=seq, ACK=RCV.NXT (RFC 9293 §3.10.7.4). */
void atcp_send_ack_seq(struct sock *sk, u32 seq)
{
	struct sk_buff *skb;

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
		return;
	skb = atcp_alloc_ctl_skb(sk, GFP_ATOMIC);
	if (!skb)
		return;
	ATCP_SKB_CB(skb)->seq = seq;
	ATCP_SKB_CB(skb)->end_seq = seq;
	ATCP_SKB_CB(skb)->flags = ATCP_ACK;
	atcp_transmit_skb(sk, skb, false);
}

void atcp_send_ack(struct sock *sk)
{
	atcp_send_ack_seq(sk, atcp_sk(sk)->snd_nxt);
}

/* Queue a control segment that occupies one sequence number. */
static void atcp_queue_ctl(struct sock *sk, struct sk_buff *skb, u8 flags)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	cb->seq = as->write_seq;
	cb->end_seq = ++as->write_seq;
	cb->flags = flags;
	cb->rtx = 0;
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	__skb_queue_tail(&sk->sk_write_queue, skb);
}

/* SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED): RFC 9293 §3.5. */
int atcp_send_syn(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb = atcp_alloc_ctl_skb(sk, GFP_ATOMIC);

	if (!skb)
		return -ENOBUFS;
	as->snd_una = as->iss;
	as->snd_nxt = as->iss;
	as->write_seq = as->iss;
	atcp_queue_ctl(sk, skb, ATCP_SYN);
	/* RFC 7413: a TFO SYN, with its option and data (fastopen.c) */
	if (sk->sk_state == TCP_SYN_SENT && atcp_fastopen_send_syn(sk, skb))
		return 0;
	atcp_write_xmit(sk);
	return 0;
}

/*
 * FIN after all queued data (RFC 9293 §3.10.4 CLOSE), from close() and
 * shutdown() (process context).  Without memory for a segment of its own
 * the FIN rides on the last segment sent and not yet acknowledged, and
 * goes out with its retransmission (as Linux under memory pressure).
 * False when neither is possible: the caller aborts the connection.
 */
bool atcp_send_fin(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (skb && !(ATCP_SKB_CB(skb)->flags & (ATCP_FIN | ATCP_SYN))) {
		/* Piggyback on the last unsent segment. */
		ATCP_SKB_CB(skb)->flags |= ATCP_FIN;
		ATCP_SKB_CB(skb)->end_seq++;
		as->write_seq++;
		atcp_push(sk);
		return true;
	}
	skb = atcp_alloc_ctl_skb(sk, sk->sk_allocation);
	if (skb) {
		atcp_queue_ctl(sk, skb, ATCP_FIN);
		atcp_push(sk);
		return true;
	}
	skb = skb_peek_tail(&as->rtx_queue);
	if (!skb_queue_empty(&sk->sk_write_queue) || !skb ||
	    (ATCP_SKB_CB(skb)->flags & (ATCP_FIN | ATCP_SYN)))
		return false;
	ATCP_SKB_CB(skb)->flags |= ATCP_FIN;
	ATCP_SKB_CB(skb)->end_seq++;
	as->write_seq++;
	as->snd_nxt++;		/* as if sent with the segment */
	return true;
}

/* RST to abort a connection (RFC 9293 §3.10.5 ABORT). */
void atcp_send_active_reset(struct sock *sk, gfp_t gfp)
{
	struct sk_buff *skb = atcp_alloc_ctl_skb(sk, gfp);

	if (!skb)
		return;
	ATCP_SKB_CB(skb)->seq = atcp_sk(sk)->snd_nxt;
	ATCP_SKB_CB(skb)->end_seq = ATCP_SKB_CB(skb)->seq;
	ATCP_SKB_CB(skb)->flags = ATCP_RST | ATCP_ACK;
	atcp_transmit_skb(sk, skb, false);
	atcp_inc(sock_net(sk), ATCP_MIB_OUTRSTS);
}

/*
 * A segment without a socket: with those SYN options if so, else with
 * timestamps ts[0], ts[1] (TSval, TSecr) if ts.
 */
static void atcp_send_stateless(struct net *net, __be32 saddr, __be32 daddr,
				__be16 sport, __be16 dport, u32 seq, u32 ack,
				u8 flags, u16 wnd,
				const struct atcp_syn_opts *so, const u32 *ts,
				int oif, u8 tos)
{
	u8 opts[ATCP_MAX_OPT_LEN];
	int optlen = 0;
	struct sk_buff *skb;
	struct flowi4 fl4;
	struct rtable *rt;
	struct tcphdr *th;
	struct iphdr *iph;

	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = daddr;
	fl4.saddr = saddr;
	fl4.flowi4_oif = oif;
	fl4.flowi4_proto = atcp_ipproto;
	fl4.fl4_sport = sport;
	fl4.fl4_dport = dport;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;
	skb = alloc_skb(ATCP_MAX_HEADER, GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	if (so)
		optlen = atcp_write_syn_options(opts, so);
	else if (ts)
		optlen = atcp_write_options(opts, true, ts[0], ts[1], NULL, 0);
	skb_reserve(skb, ATCP_MAX_HEADER);
	th = skb_push(skb, ATCP_HDR_LEN + optlen);
	skb_reset_transport_header(skb);
	atcp_fill_header(th, sport, dport, seq, ack, flags, wnd, optlen);
	if (optlen)
		memcpy(th + 1, opts, optlen);
	atcp_set_csum(NULL, skb, saddr, daddr);

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = tos & ~INET_ECN_MASK;	/* no ECT: RFC 3168 §6.1.1 */
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = atcp_ipproto;
	iph->saddr = saddr;
	iph->daddr = daddr;
	skb->protocol = htons(ETH_P_IP);
	skb_dst_set(skb, &rt->dst);
	ip_select_ident(net, skb, NULL);

	trace_atcp_segment(1, saddr, daddr, th, 0);
	atcp_inc(net, ATCP_MIB_OUTSEGS);
	if (flags & ATCP_RST)
		atcp_inc(net, ATCP_MIB_OUTRSTS);
	ip_local_out(net, NULL, skb);
}

/* RSTs, TIME-WAIT's ACKs and a SYN-RECEIVED entry's ACKs. */
void atcp_send_reply(struct net *net, __be32 saddr, __be32 daddr,
		     __be16 sport, __be16 dport, u32 seq, u32 ack, u8 flags,
		     u16 wnd, int oif, u8 tos)
{
	atcp_send_stateless(net, saddr, daddr, sport, dport, seq, ack, flags,
			    wnd, NULL, NULL, oif, tos);
}

/* The same with timestamps (RFC 7323 §3.2): TIME-WAIT's and a
 * SYN-RECEIVED entry's ACKs once timestamps are agreed.
 */
void atcp_send_reply_ts(struct net *net, __be32 saddr, __be32 daddr,
			__be16 sport, __be16 dport, u32 seq, u32 ack, u8 flags,
			u16 wnd, int oif, u8 tos, u32 tsval, u32 tsecr)
{
	u32 ts[2] = { tsval, tsecr };

	atcp_send_stateless(net, saddr, daddr, sport, dport, seq, ack, flags,
			    wnd, NULL, ts, oif, tos);
}

/* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> of a SYN-RECEIVED entry or a SYN
 * cookie (RFC 9293 §3.10.7.2), with our MSS (§3.7.1).
 */
void atcp_send_synack(struct net *net, __be32 saddr, __be32 daddr,
		      __be16 sport, __be16 dport, u32 seq, u32 ack, u16 wnd,
		      const struct atcp_syn_opts *so, int oif, u8 tos)
{
	atcp_send_stateless(net, saddr, daddr, sport, dport, seq, ack,
			    ATCP_SYN | ATCP_ACK | (so->ecn ? ATCP_ECE : 0),
			    wnd, so, NULL, oif, tos);
}

/*
 * The options of a socket's SYN (SYN-SENT: what it offers) or SYN,ACK
 * (simultaneous open: what both offered) (RFC 9293 §3.7.1, RFC 2018 §2).
 */
void atcp_syn_options(struct sock *sk, struct atcp_syn_opts *so)
{
	struct atcp_sock *as = atcp_sk(sk);

	memset(so, 0, sizeof(*so));
	so->mss = as->advmss;
	so->sack_ok = as->sack_ok;
	/* RFC 7323 §2.2, §3.2: offered on a SYN; on a SYN,ACK only if
	 * the peer's SYN had them (SYN-SENT has cleared them otherwise)
	 */
	so->wscale_ok = as->wscale_ok;
	so->wscale = as->rcv_wscale;
	so->ts_ok = as->tstamp_ok;
	so->tsval = atcp_tsval(as);
	so->tsecr = sk->sk_state == TCP_SYN_SENT ? 0 : as->ts_recent;
	if (sk->sk_state == TCP_SYN_SENT)
		so->fo = as->fo_syn;		/* RFC 7413 (fastopen.c) */
}

/*
 * RST for a segment that has no connection, or an unacceptable one
 * (RFC 9293 §3.10.7.1).  Never in reply to a RST, nor to broadcast or
 * multicast (RFC 1122 §4.2.3.10).
 */
void atcp_send_reset(struct net *net, struct sk_buff *in, u32 seq, u32 ack,
		     u8 flags)
{
	const struct iphdr *iph = ip_hdr(in);
	const struct tcphdr *th = tcp_hdr(in);
	struct rtable *rt = skb_rtable(in);

	if (th->rst)
		return;
	if (rt && (rt->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST)))
		return;
	atcp_send_reply(net, iph->daddr, iph->saddr, th->dest, th->source,
			seq, ack, flags, 0, 0, iph->tos);
}

/* Retransmit the oldest unacknowledged segment (RFC 6298 §5.4), cut to
 * the SMSS if the path MTU shrank since it was sent (RFC 1191 §6.4).
 */
void atcp_retransmit_head(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&atcp_sk(sk)->rtx_queue);

	if (!skb)
		return;
	atcp_retransmit_skb(sk, skb);	/* cut to the SMSS there */
}

/* Zero-window probe: an old sequence number elicits an ACK carrying the
 * current window (RFC 9293 §3.8.6.1; the form Linux uses).
 */
void atcp_send_probe(struct sock *sk)
{
	atcp_send_ack_seq(sk, atcp_sk(sk)->snd_una - 1);
	atcp_inc(sock_net(sk), ATCP_MIB_PERSISTPROBES);
}

/* MSS for the route: its MTU less the IP and atcp headers. */
u16 atcp_route_mss(struct sock *sk)
{
	struct dst_entry *dst = __sk_dst_get(sk);
	u32 mtu = dst ? dst_mtu(dst) : 576;

	return clamp_t(u32, mtu - sizeof(struct iphdr) - ATCP_HDR_LEN,
		       ATCP_MIN_MSS, 65535 - 40);
}

/* Bytes per queued segment: the MSS less the options the segments
 * carry (the timestamps, RFC 7323 §3.2; the SACK blocks of now, RFC
 * 6691; as tcp_current_mss()), within a linear allocation.
 */
u32 atcp_size_goal(struct sock *sk)
{
	int mss = atcp_payload_max(atcp_sk(sk)) - atcp_sack_opt_len(sk);

	return min_t(u32, max_t(int, mss, ATCP_MIN_SND_MSS),
		     SKB_WITH_OVERHEAD(16384) - ATCP_MAX_HEADER);
}

/*
 * Unless the user fixed SO_SNDBUF: room for twice the congestion window
 * (at least the initial ten segments) of full segments, up to
 * net.atcp.wmem[2], as Linux's tcp_sndbuf_expand().  At ESTABLISHED and
 * as cwnd grows.
 */
void atcp_sndbuf_expand(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 segs, per_seg, sndmem;

	if ((sk->sk_userlocks & SOCK_SNDBUF_LOCK) ||
	    sk_under_memory_pressure(sk) ||
	    atcp_packets_in_flight(as) >= as->snd_cwnd)
		return;
	segs = max3(10U, as->snd_cwnd, as->reordering + 1);
	per_seg = SKB_TRUESIZE(atcp_size_goal(sk) + ATCP_MAX_HEADER);
	sndmem = min_t(u64, 2ULL * segs * per_seg,
		       READ_ONCE(atcp_sysctl(sk)->wmem[2]));
	if (sndmem > READ_ONCE(sk->sk_sndbuf))
		WRITE_ONCE(sk->sk_sndbuf, sndmem);
}

/*
 * At ESTABLISHED: the initial window, RFC 6928: IW = min(10*SMSS,
 * max(2*SMSS, 14600)); and, unless the user fixed SO_SNDBUF, a send
 * buffer for twice that many full segments (as Linux sizes its own).
 */
void atcp_init_cwnd(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	as->snd_cwnd = min_t(u32, 10 * as->mss,
			     max_t(u32, 2 * as->mss, 14600)) / as->mss;
	atcp_sndbuf_expand(sk);
}

/* SMSS: min of the peer's MSS, the route's and TCP_MAXSEG (RFC 9293 §3.7.1). */
void atcp_sync_mss(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 mss = min_t(u32, as->peer_mss, atcp_route_mss(sk));

	if (as->user_mss)
		mss = min_t(u32, mss, as->user_mss);
	as->mss = max_t(u32, mss, ATCP_MIN_SND_MSS);
}

/*
 * A queued skb about to change its data or fragments stops sharing them
 * with a clone in flight; the memory this takes is charged to the socket.
 */
static int atcp_skb_unshare(struct sock *sk, struct sk_buff *skb)
{
	unsigned int truesize = skb->truesize;

	if (!skb_cloned(skb))
		return 0;
	if (pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
		return -ENOMEM;
	sk_wmem_queued_add(sk, skb->truesize - truesize);
	sk_mem_charge(sk, skb->truesize - truesize);
	return 0;
}

/* Cut skb after len bytes; the rest becomes the next segment of q. */
int atcp_split_skb(struct sock *sk, struct sk_buff_head *q,
		   struct sk_buff *skb, u32 len)
{
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb), *ncb;
	u32 nlin = skb_headlen(skb) > len ? skb_headlen(skb) - len : 0;
	u32 moved = skb->len - len - nlin;	/* paged octets that move */
	struct sk_buff *nskb;

	if (atcp_skb_unshare(sk, skb))
		return -ENOMEM;
	nskb = alloc_skb(ATCP_MAX_HEADER + nlin, GFP_ATOMIC);
	if (!nskb)
		return -ENOMEM;
	/* over net.atcp.mem: wait for ACKs to free memory (the persist
	 * timer runs if nothing is in flight)
	 */
	if (!sk_wmem_schedule(sk, nskb->truesize)) {
		kfree_skb(nskb);
		return -ENOMEM;
	}
	skb_reserve(nskb, ATCP_MAX_HEADER);
	nskb->ip_summed = skb->ip_summed;
	sk_wmem_queued_add(sk, nskb->truesize);
	sk_mem_charge(sk, nskb->truesize);
	skb_split(skb, nskb, len);
	nskb->truesize += moved;
	skb->truesize -= moved;
	ncb = ATCP_SKB_CB(nskb);
	*ncb = *cb;
	ncb->seq = cb->seq + len;
	cb->end_seq = ncb->seq;
	cb->flags &= ~(ATCP_FIN | ATCP_PSH);
	cb->eor = 0;			/* the record ends with the rest */
	__skb_queue_after(q, skb, nskb);
	if (q == &atcp_sk(sk)->rtx_queue)
		atcp_rtx_split(sk, nskb);	/* on the scoreboard too */
	return 0;
}

/*
 * Drop the first len octets of a sent skb, acknowledged (RFC 9293
 * §3.10.7.4 fifth): the linear part by a pull, the page fragments by
 * giving up the pages they no longer cover.  False without memory to stop
 * sharing them with a clone in flight (the skb is kept whole).
 */
bool atcp_trim_acked(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct skb_shared_info *shi;
	u32 paged, eat, size;
	int i, k = 0;

	if (len <= skb_headlen(skb)) {
		__skb_pull(skb, len);
		return true;
	}
	if (atcp_skb_unshare(sk, skb))
		return false;
	paged = len - skb_headlen(skb);
	eat = paged;
	__skb_pull(skb, skb_headlen(skb));
	shi = skb_shinfo(skb);
	for (i = 0; i < shi->nr_frags; i++) {
		size = skb_frag_size(&shi->frags[i]);
		if (size <= eat) {
			skb_frag_unref(skb, i);
			eat -= size;
			continue;
		}
		shi->frags[k] = shi->frags[i];
		if (eat) {
			skb_frag_off_add(&shi->frags[k], eat);
			skb_frag_size_sub(&shi->frags[k], eat);
			eat = 0;
		}
		k++;
	}
	shi->nr_frags = k;
	skb->data_len -= paged;
	skb->len -= paged;
	skb->truesize -= paged;
	sk_wmem_queued_add(sk, -paged);
	sk_mem_uncharge(sk, paged);
	return true;
}

/* The first transmission of skb, the head of the write queue: it moves
 * to the retransmission queue and onto the scoreboard.
 */
static void __atcp_sent_new_skb(struct sock *sk, struct sk_buff *skb, u64 now)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	__skb_unlink(skb, &sk->sk_write_queue);
	__skb_queue_tail(&as->rtx_queue, skb);
	cb->sent_us = now;
	cb->sacked = 0;
	as->packets_out++;
	if (as->ca_state == ATCP_CA_RECOVERY)
		as->loss.prr_out++;		/* RFC 6937 */
	if (!as->rtt_timing) {
		as->rtt_timing = true;
		as->rtt_seq = cb->end_seq;
	}
	if (seq_gt(cb->end_seq, as->snd_nxt))
		as->snd_nxt = cb->end_seq;
	as->bytes_sent += skb->len;
}

void atcp_sent_new_skb(struct sock *sk, struct sk_buff *skb)
{
	__atcp_sent_new_skb(sk, skb, atcp_now_us());
}

void atcp_send_new_skb(struct sock *sk, struct sk_buff *skb)
{
	atcp_sent_new_skb(sk, skb);
	atcp_transmit_skb(sk, skb, true);
}

/*
 * Whether the write queue's last segment, shorter than a full one, waits
 * for more data, as Linux decides: TCP_CORK or MSG_MORE hold it (until
 * uncorked, or the persist timer finds it, as Linux's probe timer does);
 * else Nagle's algorithm holds it while data is in flight, unless
 * TCP_NODELAY (RFC 896, RFC 9293 §3.7.4).  Setting TCP_NODELAY pushes
 * what is queued even when corked (push_queued).  A FIN never waits.
 */
static bool atcp_hold_short(struct sock *sk, struct sk_buff *skb,
			    enum atcp_hold hold)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (hold == ATCP_HOLD_NONE || as->push_queued ||
	    skb->len >= atcp_size_goal(sk) ||
	    (ATCP_SKB_CB(skb)->flags & (ATCP_FIN | ATCP_SYN)) ||
	    !skb_queue_is_last(&sk->sk_write_queue, skb))
		return false;
	if (hold == ATCP_HOLD_CORK || as->cork)
		return true;
	/* data in flight; a TFO child's SYN,ACK is none (as Linux, whose
	 * Minshall test counts small data segments only)
	 */
	return !as->nodelay && as->snd_nxt != as->snd_una +
	       (sk->sk_state == TCP_SYN_RECV);
}

/*
 * TCP_NOTSENT_LOWAT: the socket is writable only while fewer octets than
 * the limit wait unsent, half the limit to wake a writer (wake: 1), as
 * Linux's tcp_stream_memory_free.  struct proto's stream_memory_free.
 */
bool atcp_stream_memory_free(const struct sock *sk, int wake)
{
	const struct atcp_sock *as = atcp_sk(sk);
	u32 unsent = READ_ONCE(as->write_seq) - READ_ONCE(as->snd_nxt);
	u32 lowat = READ_ONCE(as->notsent_lowat) ? :
		    READ_ONCE(atcp_sysctl(sk)->notsent_lowat);

	return ((u64)unsent << wake) < lowat;
}

/*
 * Send what the windows allow (RFC 9293 §3.8.6, RFC 5681): lost segments
 * first (recovery.c), then new ones while the segments in flight are
 * fewer than cwnd (as Linux's tcp_cwnd_test) and the segment fits the
 * peer's window (tcp_snd_wnd_test), avoiding silly windows on the send
 * side: a segment is cut to fit the window only when at least min(SMSS,
 * half the largest window) fits, or nothing is in flight (RFC 1122
 * §4.2.3.4).  A short last segment may wait (atcp_hold_short()).
 */
void __atcp_write_xmit(struct sock *sk, enum atcp_hold hold)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb, *run = NULL, *last = NULL;
	u32 wnd_end, room;
	bool sent = false;
	int n = 0;
	u64 now;

	atcp_xmit_retransmit_queue(sk);
	now = atcp_now_us();	/* one clock read a burst, as Linux's tcp_write_xmit */
	while ((skb = skb_peek(&sk->sk_write_queue))) {
		struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

		wnd_end = as->snd_una + as->snd_wnd;
		if (!(cb->flags & ATCP_SYN) &&
		    atcp_packets_in_flight(as) >= as->snd_cwnd) {
			/* RFC 7661: cwnd, not the peer, held us */
			as->cwnd_limited = !seq_gt(cb->end_seq, wnd_end);
			break;
		}
		as->cwnd_limited = false;
		if (!(cb->flags & ATCP_SYN) && seq_gt(cb->end_seq, wnd_end)) {
			room = seq_gt(wnd_end, cb->seq) ? wnd_end - cb->seq : 0;
			if (!room || room >= skb->len)
				break;
			if (room < min_t(u32, as->mss, as->snd_max_wnd / 2) &&
			    as->snd_nxt != as->snd_una)
				break;
			if (atcp_split_skb(sk, &sk->sk_write_queue, skb, room))
				break;
		}
		/* queued before the path MTU shrank (RFC 1191 §6.4) */
		if (skb->len > atcp_payload_max(as) &&
		    atcp_split_skb(sk, &sk->sk_write_queue, skb,
				   atcp_payload_max(as)))
			break;
		if (atcp_hold_short(sk, skb, hold))
			break;
		/* the persist timer sends what the cork held, with PSH (as
		 * Linux's tcp_write_wakeup)
		 */
		if (hold == ATCP_HOLD_NONE &&
		    atcp_hold_short(sk, skb, ATCP_HOLD_SOCK))
			cb->flags |= ATCP_PSH;
		/* a run of segments goes out as one GSO skb (offload.c) */
		if (run && !atcp_gso_can_join(sk, run, last, n, skb)) {
			atcp_gso_xmit(sk, run, n);
			run = NULL;
		}
		if (run || atcp_gso_can_join(sk, NULL, NULL, 0, skb)) {
			__atcp_sent_new_skb(sk, skb, now);
			if (!run) {
				run = skb;
				n = 0;
			}
			last = skb;
			n++;
		} else {
			atcp_send_new_skb(sk, skb);
		}
		sent = true;
		if (skb_queue_empty(&sk->sk_write_queue))
			as->cwnd_limited = atcp_packets_in_flight(as) >=
					   as->snd_cwnd;
	}
	if (run)
		atcp_gso_xmit(sk, run, n);
	if (sent) {
		/* the persist timer that waited on a cork gives way to the
		 * RTO (as Linux's probe timer to tcp_event_new_data_sent's)
		 */
		if (as->persist) {
			as->persist = false;
			atcp_timer_stop(sk, &as->rtx_timer);
		}
		atcp_loss_on_send(sk);		/* RTO or loss probe */
	}
	/* Nothing in flight and the window shut: the persist timer. */
	if (!skb_queue_empty(&sk->sk_write_queue) &&
	    skb_queue_empty(&as->rtx_queue) && !as->rtx_timer.pending) {
		as->persist = true;
		as->probe0_start_us = 0;
		atcp_arm_rtx(sk);
	}
}

void atcp_write_xmit(struct sock *sk)
{
	__atcp_write_xmit(sk, ATCP_HOLD_SOCK);
}

void __atcp_push(struct sock *sk, enum atcp_hold hold)
{
	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_CLOSE ||
	    sk->sk_state == TCP_LISTEN)
		return;
	__atcp_write_xmit(sk, hold);
}

void atcp_push(struct sock *sk)
{
	__atcp_push(sk, ATCP_HOLD_SOCK);
}

/*
 * RFC 5961 §7: challenge ACKs are rate limited, as Linux limits them.
 * First per connection: one each invalid_ratelimit_ms.  Then per netns:
 * a budget of challenge_ack_limit a second, drawn at random each second
 * between half and one and a half times the limit, so that an off-path
 * sender cannot count a fixed budget down to learn whether its guesses hit
 * a connection (the side channel of CVE-2016-5696).  INT_MAX, the default
 * as in Linux since 6.0, leaves the per-netns budget out.  last: the
 * connection's stamp of its last challenge ACK (NULL: a SYN-RECEIVED
 * entry, which has only the per-netns budget).
 */
bool atcp_challenge_ack_allowed(struct net *net, u32 *last)
{
	struct atcp_net *an = atcp_pernet(net);
	u32 limit = READ_ONCE(an->sysctl.challenge_ack_limit);
	u32 gap = msecs_to_jiffies(READ_ONCE(an->sysctl.invalid_ratelimit_ms));
	u32 now = (u32)jiffies;
	bool ok = true;
	u64 sec;

	if (last) {
		if (*last && now - *last < gap) {
			atcp_inc(net, ATCP_MIB_CHALLENGEACKLIMITED);
			return false;
		}
		*last = now ?: 1;
	}

	if (limit != INT_MAX) {
		sec = ktime_get_seconds();
		spin_lock_bh(&an->challenge_lock);
		if (an->challenge_stamp != sec) {
			an->challenge_stamp = sec;
			an->challenge_count = limit ? (limit + 1) / 2 +
					      get_random_u32_below(limit) : 0;
		}
		ok = an->challenge_count > 0;
		if (ok)
			an->challenge_count--;
		spin_unlock_bh(&an->challenge_lock);
	}
	atcp_inc(net, ok ? ATCP_MIB_CHALLENGEACKS : ATCP_MIB_CHALLENGEACKLIMITED);
	return ok;
}
