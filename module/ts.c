// SPDX-License-Identifier: GPL-2.0
/*
 * atcp and RFC 7323: window scale (§2) and timestamps (§3) negotiated on
 * the handshake, TS.Recent (§4.3), RTT measurement from TSecr (§4.1) and
 * PAWS (§5).  Writing the options is options.c's; the window itself is
 * output.c's (atcp_select_window()).
 *
 * TSval is a millisecond clock (as Linux's) plus a per-connection offset
 * drawn from a keyed hash of the two addresses (as Linux's
 * secure_tcp_ts_off()), so the clock does not reveal the uptime and
 * connections between the same hosts share one, as RFC 7323 §5.4 and
 * §7.1 suggest.
 */
#include <linux/siphash.h>
#include <net/sock.h>

#include "atcp.h"

#define ATCP_PAWS_24DAYS_US	(24ULL * 24 * 3600 * USEC_PER_SEC)
#define ATCP_PAWS_WINDOW	1	/* ticks of slack, as Linux's */

static siphash_key_t ts_key __read_mostly;

void atcp_ts_init(void)
{
	get_random_bytes(&ts_key, sizeof(ts_key));
}

/* RFC 7323 §5.4, §7.1: a random offset per pair of addresses. */
u32 atcp_ts_offset(__be32 saddr, __be32 daddr)
{
	return siphash_2u32((__force u32)saddr, (__force u32)daddr, &ts_key);
}

/* The timestamp clock, ATCP_TS_HZ ticks a second (RFC 7323 §5.4). */
u32 atcp_ts_now(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_SEC / ATCP_TS_HZ);
}

/*
 * The shift we offer (RFC 7323 §2.3), as Linux chooses it: the smallest
 * that lets a 16-bit field describe the largest buffer the socket may
 * grow to: SO_RCVBUF if the user set it, else the larger of
 * net.atcp.rmem[2] and net.core.rmem_max (what SO_RCVBUF could ask).
 */
u8 atcp_rcv_wscale(const struct sock *sk)
{
	u32 space;
	u8 ws = 0;

	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		space = READ_ONCE(sk->sk_rcvbuf);
	else
		space = max_t(u32, READ_ONCE(atcp_sysctl(sk)->rmem[2]),
			      READ_ONCE(sysctl_rmem_max));
	space = min_t(u32, space, ATCP_MAX_WINDOW);
	while (space > U16_MAX && ws < ATCP_MAX_WSCALE) {
		space >>= 1;
		ws++;
	}
	return ws;
}

/* OPEN, active: what our SYN offers (RFC 7323 §2.2, §3.2). */
void atcp_opts_connect(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_sysctl *sc = atcp_sysctl(sk);

	as->tstamp_ok = READ_ONCE(sc->timestamps);
	as->wscale_ok = READ_ONCE(sc->window_scaling);
	as->rcv_wscale = as->wscale_ok ? atcp_rcv_wscale(sk) : 0;
	as->snd_wscale = 0;
	as->ts_recent = 0;
	as->ts_recent_stamp = 0;
	as->ts_offset = atcp_ts_offset(inet_sk(sk)->inet_saddr,
				       inet_sk(sk)->inet_daddr);
}

/*
 * SYN-SENT, the peer's SYN (with or without ACK): keep an option only if
 * the peer offered it too (RFC 7323 §2.2, §3.2); a shift over 14 is
 * taken as 14 (§2.3).  The scale is fixed from here on.
 */
void atcp_opts_synack(struct sock *sk, const struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	if (as->wscale_ok && (cb->opt_flags & ATCP_CBO_WSCALE)) {
		as->snd_wscale = min_t(u8, cb->opt_wscale, ATCP_MAX_WSCALE);
	} else {
		as->wscale_ok = false;
		as->snd_wscale = 0;
		as->rcv_wscale = 0;
	}
	if (as->tstamp_ok && (cb->opt_flags & ATCP_CBO_TS)) {
		as->ts_recent = cb->tsval;
		as->ts_recent_stamp = atcp_now_us();
	} else {
		as->tstamp_ok = false;
	}
}

/* SND.WND from SEG.WND: scaled, except in a SYN (RFC 7323 §2.2). */
u32 atcp_seg_wnd(const struct sock *sk, const struct sk_buff *skb)
{
	u32 wnd = ATCP_SKB_CB(skb)->wnd;

	if (tcp_hdr(skb)->syn)
		return wnd;
	return wnd << atcp_sk(sk)->snd_wscale;
}

/*
 * A duplicate ACK overtaken by a later segment (as Linux's
 * tcp_disordered_ack()): a pure ACK at RCV.NXT, SEG.ACK = SND.UNA, no
 * window update (RFC 9293 §3.10.7.4 fifth), its TSval within one RTO of
 * TS.Recent.  It cannot be an old duplicate doing harm, and its SACK
 * blocks are news: PAWS lets it through.
 */
static bool atcp_disordered_ack(const struct sock *sk,
				const struct sk_buff *skb)
{
	const struct atcp_sock *as = atcp_sk(sk);
	const struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u32 wnd = atcp_seg_wnd(sk, skb);

	return (cb->flags & ATCP_ACK) && cb->seq == cb->end_seq &&
	       cb->seq == as->rcv_nxt && cb->ack_seq == as->snd_una &&
	       !seq_gt(cb->seq, as->snd_wl1) &&
	       !(cb->seq == as->snd_wl1 && (wnd > as->snd_wnd || !wnd)) &&
	       (s32)(as->ts_recent - cb->tsval) <=
	       (s32)(as->rto_us / (USEC_PER_SEC / ATCP_TS_HZ));
}

/*
 * RFC 7323 §5.3 R1: a segment whose TSval is older than a valid
 * TS.Recent is not acceptable: ACK it and drop it, unless it is a RST.
 * As Linux: one tick of slack, a SYN left to the challenge ACK of
 * §3.10.7.4 fourth, ACKs for pure ACKs rate limited (invalid_ratelimit),
 * a disordered duplicate ACK accepted.  TS.Recent is no longer valid
 * after 24 days without an update (§5.5).  True: the segment is to be
 * dropped.
 */
bool atcp_paws_reject(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	struct net *net = sock_net(sk);
	u32 gap;

	if (!as->tstamp_ok || !(cb->opt_flags & ATCP_CBO_TS) ||
	    (cb->flags & (ATCP_RST | ATCP_SYN)))
		return false;
	if ((s32)(as->ts_recent - cb->tsval) <= ATCP_PAWS_WINDOW)
		return false;
	if (atcp_now_us() - as->ts_recent_stamp >= ATCP_PAWS_24DAYS_US)
		return false;		/* §5.5: TS.Recent invalid */
	if (atcp_disordered_ack(sk, skb))
		return false;
	atcp_inc(net, ATCP_MIB_PAWSESTABREJECTED);
	if (cb->end_seq == cb->seq) {
		gap = msecs_to_jiffies(READ_ONCE(atcp_sysctl(sk)->invalid_ratelimit_ms));
		if (as->paws_ack_jiffies &&
		    (u32)jiffies - as->paws_ack_jiffies < gap) {
			atcp_inc(net, ATCP_MIB_ACKSKIPPEDPAWS);
			return true;
		}
		as->paws_ack_jiffies = (u32)jiffies ?: 1;
	}
	atcp_send_ack(sk);
	return true;
}

/*
 * RFC 7323 §4.3 (and §5.3 R3): TS.Recent takes SEG.TSval if it is not
 * older and the segment covers Last.ACK.sent (SEG.SEQ =< Last.ACK.sent).
 * Called once the segment is acceptable, with SEG.SEQ as it arrived.
 */
void atcp_ts_store_recent(struct sock *sk, const struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	if (!as->tstamp_ok || !(cb->opt_flags & ATCP_CBO_TS))
		return;
	if (seq_gt(ntohl(tcp_hdr(skb)->seq), as->rcv_acked))
		return;
	if ((s32)(cb->tsval - as->ts_recent) >= 0 ||
	    atcp_now_us() - as->ts_recent_stamp >= ATCP_PAWS_24DAYS_US) {
		as->ts_recent = cb->tsval;
		as->ts_recent_stamp = atcp_now_us();
	}
}

/*
 * RFC 7323 §4.1: an ACK that advances SND.UNA and echoes a timestamp
 * gives an RTT sample, retransmitted segments too (the echo names the
 * transmission the peer saw: Karn's ambiguity is gone).  Used when the
 * ACK times no segment by the clock (as Linux prefers that, finer one).
 */
void atcp_ts_rtt_sample(struct sock *sk, const struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u32 delta;

	if (!as->tstamp_ok || !(cb->opt_flags & ATCP_CBO_TS) || !cb->tsecr)
		return;
	delta = atcp_tsval(as) - cb->tsecr;
	if ((s32)delta < 0 || delta > U32_MAX / (USEC_PER_SEC / ATCP_TS_HZ))
		return;			/* an echo we never sent */
	atcp_rtt_sample(sk, max_t(u32, delta * (USEC_PER_SEC / ATCP_TS_HZ), 1));
}

/* TCP_INFO tcpi_options (Linux's TCPI_OPT_* bits). */
u8 atcp_tcpi_options(const struct atcp_sock *as)
{
	u8 o = 0;

	if (as->inet.sk.sk_state == TCP_SYN_SENT)
		return 0;		/* offered, not agreed yet */
	if (as->tstamp_ok)
		o |= TCPI_OPT_TIMESTAMPS;
	if (as->sack_ok)
		o |= TCPI_OPT_SACK;
	if (as->wscale_ok)
		o |= TCPI_OPT_WSCALE;
	if (as->syn_data_acked)		/* RFC 7413, as Linux */
		o |= TCPI_OPT_SYN_DATA;
	if (as->fo_child)
		o |= TCPI_OPT_TFO_CHILD;
	return o;
}
