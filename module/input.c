// SPDX-License-Identifier: GPL-2.0
/*
 * atcp input: SEGMENT ARRIVES (RFC 9293 §3.10.7), in the RFC's order, one
 * function per state or step:
 *
 *   atcp_v4_rcv()             header checks, checksum, lookup
 *   atcp_rcv_closed()         §3.10.7.1  CLOSED
 *   atcp_rcv_listen()         §3.10.7.2  LISTEN (SYN-RECEIVED entries of a
 *                                        passive OPEN: minisocks.c)
 *   atcp_rcv_syn_sent()       §3.10.7.3  SYN-SENT
 *   atcp_rcv_synchronized()   §3.10.7.4  other states, steps:
 *     atcp_check_sequence_number()   first
 *     atcp_check_rst()               second
 *     (security)                     third, skipped as RFC 9293 allows
 *     atcp_check_syn()               fourth (RFC 5961 §4)
 *     atcp_check_ack()               fifth
 *     atcp_check_urg()               sixth
 *     atcp_process_text()            seventh
 *     atcp_check_fin()               eighth
 *   atcp_rcv_established_fast()  header prediction: the segments of an
 *                                ESTABLISHED connection that pass the
 *                                first to fourth and sixth steps by
 *                                their look alone skip them
 */
#include <linux/icmp.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>

#include "atcp_cong.h"
#include "trace.h"

static bool atcp_header_prediction = true;
module_param_named(header_prediction, atcp_header_prediction, bool, 0644);
MODULE_PARM_DESC(header_prediction,
		 "Fast path for in-order data and pure ACKs (default 1)");

static u32 seg_len(const struct sk_buff *skb)
{
	return ATCP_SKB_CB(skb)->end_seq - ATCP_SKB_CB(skb)->seq;
}

/* RFC 5961 §7: may this connection send a challenge ACK now? */
static bool atcp_may_challenge(struct sock *sk)
{
	return atcp_challenge_ack_allowed(sock_net(sk),
					  &atcp_sk(sk)->challenge_jiffies);
}

/* Connection reset (RFC 9293 §3.10.7.4 second; errors as Linux). */
static void atcp_reset(struct sock *sk)
{
	int err;

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:	/* from an active OPEN: refused */
		err = ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		err = ECONNRESET;
	}
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))
		atcp_inc(sock_net(sk), ATCP_MIB_ESTABRESETS);
	WRITE_ONCE(sk->sk_err, err);
	sk_error_report(sk);
	atcp_done(sk);
}

/* §3.10.7.1 CLOSED: no TCB.  RST unless the segment is a RST. */
static void atcp_rcv_closed(struct net *net, struct sk_buff *skb)
{
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	atcp_inc(net, ATCP_MIB_NOSOCKET);
	if (cb->flags & ATCP_RST)
		return;
	if (cb->flags & ATCP_ACK)
		atcp_send_reset(net, skb, cb->ack_seq, 0, ATCP_RST);
	else
		atcp_send_reset(net, skb, 0, cb->end_seq, ATCP_RST | ATCP_ACK);
}

/* ---- LISTEN ------------------------------------------------------------- */

/*
 * §3.10.7.2 LISTEN.  A SYN makes a SYN-RECEIVED entry or a SYN cookie
 * (minisocks.c); the ACK of a cookie makes the connection.  Consumes skb.
 */
static void atcp_rcv_listen(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	/* first, check for a RST: ignore it */
	if (cb->flags & ATCP_RST) {
		atcp_inc(sock_net(sk), ATCP_MIB_RSTIGNORED);
		goto drop;
	}
	/* second, check for an ACK: <SEQ=SEG.ACK><CTL=RST>, unless it
	 * returns one of our SYN cookies (RFC 4987 §3.6)
	 */
	if (cb->flags & ATCP_ACK) {
		if (atcp_cookie_ack(sk, skb))
			return;
		atcp_send_reset(sock_net(sk), skb, cb->ack_seq, 0, ATCP_RST);
		goto drop;
	}
	/* third, check for a SYN (security check skipped) */
	if (!(cb->flags & ATCP_SYN)) {
		/* fourth, other control or text: drop (no SYN, ACK or RST) */
		atcp_inc(sock_net(sk), ATCP_MIB_BADHEADER);
		goto drop;
	}
	if (cb->flags & ATCP_FIN) {
		/* SYN,FIN is nonsense: drop and count, as Linux */
		atcp_inc(sock_net(sk), ATCP_MIB_BADHEADER);
		goto drop;
	}
	atcp_conn_request(sk, skb);
drop:
	kfree_skb(skb);
}

/* ---- SYN-SENT ------------------------------------------------------------ */

/*
 * The ACK of SEG.ACK: drop acknowledged segments (RFC 9293 §3.10.7.4
 * fifth).  Returns how many left the queue; *timed: whether one of them
 * was timed (an RTT sample, RFC 6298); *ca_rtt_us: the congestion-control
 * RTT sample, the time since the newest segment it acked that was neither
 * retransmitted nor SACKed was sent; -1 if none, or if it acked a
 * retransmission.
 */
static u32 atcp_clean_rtx_queue(struct sock *sk, u32 ack, bool *timed,
				s32 *ca_rtt_us)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb;
	u64 now = as->clock_us, timed_us = 0;
	bool sample = false, rtx_acked = false;
	s32 ca_rtt = -1;
	u32 acked, segs = 0;

	while ((skb = skb_peek(&as->rtx_queue))) {
		struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

		if (seq_gt(cb->end_seq, ack)) {
			/* Partly acknowledged: trim the data acked. */
			acked = ack - cb->seq;
			if ((cb->flags & ATCP_SYN) || !acked ||
			    acked > skb->len || !atcp_trim_acked(sk, skb, acked))
				break;
			cb->seq = ack;
			break;
		}
		/* RFC 6298 §3 (Karn): no sample from a retransmitted
		 * segment, nor from one SACKed before (it waited on the
		 * repair of a hole), nor from an ACK that also covers a
		 * retransmission (as Linux's FLAG_RETRANS_DATA_ACKED)
		 */
		if (cb->rtx) {
			rtx_acked = true;
		} else if (!(cb->sacked & ATCP_SKB_SACKED)) {
			if (as->rtt_timing && seq_geq(ack, as->rtt_seq) &&
			    seq_geq(as->rtt_seq, cb->seq)) {
				timed_us = now - cb->sent_us;
				sample = true;
			}
			ca_rtt = min_t(u64, now - cb->sent_us, S32_MAX);
		}
		atcp_rtx_unlink(sk, skb);	/* off the scoreboard */
		segs++;
		__skb_unlink(skb, &as->rtx_queue);
		atcp_wmem_free_skb(sk, skb);
	}
	if (rtx_acked) {
		sample = false;
		ca_rtt = -1;
	}
	if (sample)
		atcp_rtt_sample(sk, timed_us);
	*ca_rtt_us = ca_rtt;
	if (as->rtt_timing && seq_geq(ack, as->rtt_seq))
		as->rtt_timing = false;
	*timed = sample;
	return segs;
}

/*
 * Freed send space wakes a writer only if one ran out of it (sendmsg or
 * poll set SOCK_NOSPACE), as Linux's tcp_check_space.  An unconditional
 * wakeup also woke the reader sleeping in recvmsg on the same queue, an
 * early, non-sync wakeup on every ACK: request/response waited on it.
 */
static void atcp_check_space(struct sock *sk)
{
	/* pairs with atcp_poll(): NOSPACE set, then writeable re-checked */
	smp_mb();
	if (sk->sk_socket && test_bit(SOCK_NOSPACE, &sk->sk_socket->flags))
		sk->sk_write_space(sk);
}

/* SND.UNA advances to ack: RFC 9293 §3.10.7.4 fifth, RFC 6298 §5.2-5.3,
 * RFC 5681 §3.1 (slow start and congestion avoidance).  True if a
 * segment was timed.
 */
static bool atcp_ack_advance(struct sock *sk, u32 ack)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 prior_in_flight, segs;
	u32 bytes = ack - as->snd_una;
	s32 ca_rtt_us = -1;
	bool sample;

	/* The SYN is not data; Linux counts it on the active side only. */
	if (as->parent && seq_lt(as->snd_una, as->iss + 1) &&
	    seq_geq(ack, as->iss + 1))
		bytes--;
	/* segments in flight before, and newly acked (RFC 3465) */
	prior_in_flight = atcp_packets_in_flight(as);
	as->snd_una = ack;
	as->bytes_acked += bytes;
	/* The urgent data is acknowledged: no more URG (as Linux). */
	if (as->urg_pending && seq_geq(ack, as->snd_up))
		as->urg_pending = false;
	segs = atcp_clean_rtx_queue(sk, ack, &sample, &ca_rtt_us);
	as->retransmits = 0;
	as->backoff = 0;
	as->probes = 0;
	as->first_rtx_us = 0;
	atcp_cong_on_ack(sk, ack, segs, ca_rtt_us, prior_in_flight);

	if (skb_queue_empty(&as->rtx_queue)) {
		if (!as->persist)
			atcp_timer_clear(&as->rtx_timer);
	} else {
		atcp_arm_rtx(sk);		/* RFC 6298 §5.3 */
	}
	sk_mem_reclaim(sk);
	atcp_check_space(sk);
	return sample;
}

/* The send window update (RFC 9293 §3.10.7.4 fifth, SND.WL1/SND.WL2). */
static void atcp_update_window(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	if (seq_lt(as->snd_wl1, cb->seq) ||
	    (as->snd_wl1 == cb->seq && seq_leq(as->snd_wl2, cb->ack_seq))) {
		as->snd_wnd = atcp_seg_wnd(sk, skb);	/* RFC 7323 §2.3 */
		as->snd_wl1 = cb->seq;
		as->snd_wl2 = cb->ack_seq;
		as->snd_max_wnd = max(as->snd_max_wnd, as->snd_wnd);
		if (as->snd_wnd && as->persist) {
			as->persist = false;
			as->backoff = 0;
			atcp_timer_stop(sk, &as->rtx_timer);
		}
	}
}

static void atcp_established(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_set_state(sk, TCP_ESTABLISHED);
	atcp_init_cwnd(sk);
	atcp_ca_init(sk);
	atcp_rcv_space_init(sk);
	as->last_rcv_us = atcp_now_us();
	if (sock_flag(sk, SOCK_KEEPOPEN))
		atcp_arm_keepalive(sk);
}

static bool atcp_process_text(struct sock *sk, struct sk_buff *skb);
static void atcp_check_urg(struct sock *sk, struct sk_buff *skb);

/* §3.10.7.3 SYN-SENT */
static void atcp_rcv_syn_sent(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	struct net *net = sock_net(sk);
	bool resent;

	/* first, check the ACK bit */
	if (cb->flags & ATCP_ACK) {
		if (seq_leq(cb->ack_seq, as->iss) ||
		    seq_gt(cb->ack_seq, as->snd_nxt)) {
			if (!(cb->flags & ATCP_RST))
				atcp_send_reset(net, skb, cb->ack_seq, 0,
						ATCP_RST);
			goto drop;
		}
	}
	/* second, check the RST bit (RFC 5961 §3.2: only if it ACKs the SYN) */
	if (cb->flags & ATCP_RST) {
		if (cb->flags & ATCP_ACK) {
			atcp_inc(net, ATCP_MIB_ATTEMPTFAILS);
			atcp_reset(sk);		/* "connection reset" */
		} else {
			atcp_inc(net, ATCP_MIB_RSTIGNORED);
		}
		goto drop;
	}
	/* fourth, check the SYN bit */
	if (!(cb->flags & ATCP_SYN))
		goto drop;
	as->irs = cb->seq;
	as->rcv_nxt = cb->seq + 1;
	as->copied_seq = as->rcv_nxt;
	as->rcv_adv = as->rcv_nxt;
	as->peer_mss = cb->opt_mss ? cb->opt_mss : ATCP_DEFAULT_MSS;
	atcp_sync_mss(sk);
	/* RFC 2018 §2: SACK only if both SYNs had SACK-permitted */
	as->sack_ok &= !!(cb->opt_flags & ATCP_CBO_SACK_PERM);
	atcp_opts_synack(sk, skb);	/* RFC 7323 §2.2, §3.2 */
	atcp_ecn_rcv_syn(sk, skb);	/* RFC 3168 §6.1.1 */
	as->snd_wnd = cb->wnd;
	as->snd_max_wnd = cb->wnd;
	as->snd_wl1 = cb->seq;
	as->snd_wl2 = cb->ack_seq;
	cb->seq++;			/* the SYN is consumed */
	if (cb->flags & ATCP_ACK)
		atcp_ack_advance(sk, cb->ack_seq);
	if (seq_gt(as->snd_una, as->iss)) {
		/* Our SYN is acknowledged: ESTABLISHED */
		atcp_established(sk);
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		as->quickack = 1;
		/* RFC 7413: the cookie kept; SYN data not acknowledged goes
		 * again, carrying the ACK
		 */
		resent = atcp_fastopen_synack(sk, skb);
		if (cb->flags & ATCP_URG)
			atcp_check_urg(sk, skb);
		if (cb->end_seq != cb->seq) {
			/* ESTABLISHED: neither reset nor closed by this */
			atcp_process_text(sk, skb);
			return;
		}
		if (resent)
			goto drop;	/* the data carried the ACK */
		/* TCP_DEFER_ACCEPT on the connecting side (as Linux): the
		 * ACK waits up to 200 ms to go with the first data
		 */
		if (READ_ONCE(as->defer_accept)) {
			as->ack_pending = true;
			atcp_timer_arm(sk, &as->delack_timer,
				       ATCP_DEFER_ACK_US);
			goto drop;
		}
		atcp_send_ack(sk);
		goto drop;
	}
	/* Simultaneous open: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
	atcp_set_state(sk, TCP_SYN_RECV);
	atcp_retransmit_head(sk);
drop:
	kfree_skb(skb);
}

/* ---- synchronized states, §3.10.7.4 ---------------------------------------- */

/*
 * Cut len octets off the front of a received segment's text and advance
 * SEG.SEQ over them.  A received skb need not be linear: IP reassembly
 * chains the fragments, GRO and drivers leave data in pages.
 * pskb_pull() first pulls into the linear part whatever the cut reaches;
 * false if that fails (no memory): the caller drops the segment.
 */
static bool atcp_trim_head(struct sk_buff *skb, u32 len)
{
	len = min(len, skb->len);
	if (len && !pskb_pull(skb, len))
		return false;
	ATCP_SKB_CB(skb)->seq += len;
	return true;
}

/*
 * first, check sequence number: returns false when the segment is done.
 * Only the acceptability test: the RST and SYN checks (RFC 5961 §3, §4)
 * look at the segment as it arrived; atcp_trim_to_window() cuts it after.
 */
static bool atcp_check_sequence_number(struct sock *sk, struct sk_buff *skb,
				       bool *text_ok)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u32 wnd = atcp_offered_window(sk);
	u32 len = seg_len(skb);

	*text_ok = true;
	if (seq_acceptable(cb->seq, len, as->rcv_nxt, wnd))
		return true;
	if (!wnd && cb->seq == as->rcv_nxt) {
		/* A zero window still takes valid ACKs, URGs and RSTs
		 * (§3.10.7.4), and a bare FIN, which needs no buffer
		 * (as Linux's tcp_data_queue()).
		 */
		if (!skb->len && (cb->flags & ATCP_FIN) &&
		    !(cb->flags & ATCP_SYN))
			return true;
		*text_ok = false;
		return true;
	}
	if (cb->flags & ATCP_RST) {
		atcp_inc(sock_net(sk), ATCP_MIB_RSTIGNORED);
		return false;
	}
	/* Not acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
	atcp_inc(sock_net(sk), len && seq_leq(cb->end_seq, as->rcv_nxt) ?
		 ATCP_MIB_DUPDATA : ATCP_MIB_UNACCEPTABLE);
	/* RFC 2883 §4: report the duplicate octets below RCV.NXT */
	if (len && seq_lt(cb->seq, as->rcv_nxt))
		atcp_dsack_set(sk, cb->seq, seq_gt(cb->end_seq, as->rcv_nxt) ?
			       as->rcv_nxt : cb->end_seq);
	atcp_send_ack(sk);
	return false;
}

/*
 * Still the first step: keep only the part inside the window (§3.10.7.4,
 * "only the new parts are processed").  Done once the RST and SYN checks
 * have passed, so a SYN or RST never reaches here.  False: drop it.
 */
static bool atcp_trim_to_window(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u32 wnd = atcp_offered_window(sk);

	if (seq_lt(cb->seq, as->rcv_nxt))
		atcp_dsack_set(sk, cb->seq, as->rcv_nxt);	/* RFC 2883 §4 */
	if (seq_lt(cb->seq, as->rcv_nxt) &&
	    !atcp_trim_head(skb, as->rcv_nxt - cb->seq)) {
		atcp_inc(sock_net(sk), ATCP_MIB_RCVQDROP);
		return false;
	}
	if (wnd && seq_gt(cb->end_seq, as->rcv_nxt + wnd)) {
		u32 keep = as->rcv_nxt + wnd - cb->seq;

		if (keep < skb->len && !pskb_trim(skb, keep)) {
			cb->flags &= ~ATCP_FIN;
			cb->end_seq = cb->seq + keep;
		}
	}
	return true;
}

/* second, check the RST bit (RFC 5961 §3.2) */
static bool atcp_check_rst(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	if (!(cb->flags & ATCP_RST))
		return true;
	if (cb->seq != as->rcv_nxt) {
		/* In the window but not exact: challenge ACK */
		if (atcp_may_challenge(sk))
			atcp_send_ack(sk);
		return false;
	}
	/* SYN-RECEIVED here is a simultaneous open's (a passive OPEN's is
	 * a request sock until its ACK): refused, as from SYN-SENT
	 */
	if (sk->sk_state == TCP_SYN_RECV)
		atcp_inc(sock_net(sk), ATCP_MIB_ATTEMPTFAILS);
	atcp_reset(sk);
	return false;
}

/* fourth, check the SYN bit (RFC 5961 §4: challenge ACK) */
static bool atcp_check_syn(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	if (!(cb->flags & ATCP_SYN))
		return true;
	/* (a passive OPEN's SYN-RECEIVED is a request sock: minisocks.c) */
	if (atcp_may_challenge(sk))
		atcp_send_ack(sk);
	return false;
}

/* fifth, check the ACK field */
static bool atcp_check_ack(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u32 ack = cb->ack_seq, prior_una, prior_wnd;

	if (!(cb->flags & ATCP_ACK)) {
		/* ACK bit off: drop (no SYN, ACK or RST: nonsense) */
		atcp_inc(sock_net(sk), ATCP_MIB_BADHEADER);
		return false;
	}

	if (sk->sk_state == TCP_SYN_RECV) {
		if (!(seq_lt(as->snd_una, ack) && seq_leq(ack, as->snd_nxt))) {
			/* <SEQ=SEG.ACK><CTL=RST> */
			atcp_send_reset(sock_net(sk), skb, ack, 0, ATCP_RST);
			return false;
		}
		if (!atcp_ack_advance(sk, ack))
			atcp_ts_rtt_sample(sk, skb);
		as->snd_wnd = atcp_seg_wnd(sk, skb);
		as->snd_max_wnd = max(as->snd_max_wnd, as->snd_wnd);
		as->snd_wl1 = cb->seq;
		as->snd_wl2 = ack;
		atcp_established(sk);
		/* a TFO child is on the accept queue since its SYN */
		if (as->parent && !as->fo_child && !atcp_accept_enqueue(sk)) {
			/* the listener closed meanwhile: reset, as its
			 * other unaccepted children
			 */
			atcp_send_active_reset(sk, GFP_ATOMIC);
			atcp_abort_child(sk);
			return false;
		}
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	}

	/* RFC 5961 §5.2: acceptable ACKs are
	 * (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT
	 */
	if (seq_gt(ack, as->snd_nxt)) {
		atcp_inc(sock_net(sk), ATCP_MIB_FUTUREACK);
		if (atcp_may_challenge(sk))
			atcp_send_ack(sk);
		return false;
	}
	if (seq_lt(ack, as->snd_una - max(as->snd_max_wnd, 1U))) {
		atcp_inc(sock_net(sk), ATCP_MIB_OLDACK);
		if (atcp_may_challenge(sk))
			atcp_send_ack(sk);
		return false;
	}
	prior_una = as->snd_una;
	prior_wnd = as->snd_wnd;
	atcp_loss_ack_begin(sk, skb);		/* SACK blocks (RFC 2018) */
	atcp_ecn_ack(sk, skb);			/* RFC 3168 §6.1.2 */
	/* RFC 7323 §4.1: the echoed timestamp times what the clock could
	 * not (a retransmission)
	 */
	if (seq_gt(ack, as->snd_una) && !atcp_ack_advance(sk, ack))
		atcp_ts_rtt_sample(sk, skb);
	if (seq_leq(as->snd_una, ack))
		atcp_update_window(sk, skb);
	/* loss detection and recovery; a duplicate ACK as RFC 5681 §2 */
	atcp_loss_ack_end(sk, skb, prior_una,
			  ack == prior_una && !seg_len(skb) &&
			  !(cb->flags & (ATCP_SYN | ATCP_FIN)) &&
			  as->snd_wnd == prior_wnd);
	if (as->persist)
		as->probes = 0;		/* the peer answers our probes */

	/* Our FIN is acknowledged once SND.UNA reaches the end of what we
	 * queued, which includes it.
	 */
	if (as->snd_una != as->write_seq ||
	    !((1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_CLOSING |
				     TCPF_LAST_ACK)) ||
	    !(sk->sk_shutdown & SEND_SHUTDOWN))
		return true;

	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		atcp_set_state(sk, TCP_FIN_WAIT2);
		sk->sk_state_change(sk);
		if (sock_flag(sk, SOCK_DEAD))
			atcp_arm_fin_wait2(sk);
		break;
	case TCP_CLOSING:
		atcp_time_wait(sk);
		return false;
	case TCP_LAST_ACK:
		atcp_done(sk);
		return false;
	}
	return true;
}

/* sixth, check the URG bit (RFC 9293 §3.8.5: SEG.UP points past the
 * urgent data; the last urgent octet is SEG.SEQ+SEG.UP-1, as RFC 6093).
 */
static void atcp_check_urg(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u32 up;

	if (!(cb->flags & ATCP_URG) || !cb->up)
		return;
	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2)))
		return;
	/* from the segment's own SEQ, before any trimming (§3.10.7.4) */
	up = ntohl(tcp_hdr(skb)->seq) + cb->up - 1;
	/* an octet received already is not made urgent again (as Linux) */
	if (seq_lt(up, as->rcv_nxt))
		return;
	if (as->urg_data && seq_leq(up, as->urg_seq))
		return;			/* not an advance of RCV.UP */
	as->rcv_up = up + 1;
	as->urg_seq = up;
	as->urg_data = ATCP_URG_NOTYET;
	sk_send_sigurg(sk);
}

/* The urgent byte arrived in order: keep it out of band (SO_OOBINLINE off). */
static void atcp_urg_data_arrived(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u8 byte;

	if (as->urg_data != ATCP_URG_NOTYET ||
	    !seq_in(as->urg_seq, cb->seq, cb->seq + skb->len))
		return;
	if (skb_copy_bits(skb, as->urg_seq - cb->seq, &byte, 1))
		return;
	as->urg_data = ATCP_URG_VALID | byte;
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
}

/* Queue in-order data for the user; false if there is no room. */
static bool atcp_queue_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	/* no room: collapse, then give up out-of-order data (mem.c) */
	if (!atcp_rmem_admit(sk, skb, true))
		return false;
	as->rcv_nxt = cb->seq + skb->len;
	as->bytes_received += skb->len;
	atcp_urg_data_arrived(sk, skb);
	skb_dst_drop(skb);
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	return true;
}

static bool atcp_check_fin(struct sock *sk);

/*
 * Move what the out-of-order queue now continues into the receive queue;
 * the SACK blocks RCV.NXT reached go (sack.c).  True when a drained FIN
 * closed the connection (TIME-WAIT): the TCB is gone and an orphan freed,
 * so the caller touches neither sk nor the segments it queued.
 */
static bool atcp_ooo_drain(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb;

	while ((skb = skb_rb_first(&as->ooo_queue))) {
		struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
		bool fin = cb->flags & ATCP_FIN;

		if (seq_gt(cb->seq, as->rcv_nxt))
			break;
		atcp_ooo_erase(sk, skb);
		if (seq_leq(cb->end_seq, as->rcv_nxt)) {
			atcp_inc(sock_net(sk), ATCP_MIB_DUPDATA);
			kfree_skb(skb);
			continue;
		}
		if (!atcp_trim_head(skb, as->rcv_nxt - cb->seq)) {
			/* no memory: drop it, the peer sends it again */
			atcp_inc(sock_net(sk), ATCP_MIB_RCVQDROP);
			kfree_skb(skb);
			break;
		}
		/* its memory is charged already: just move it */
		as->rcv_nxt = cb->seq + skb->len;
		as->bytes_received += skb->len;
		atcp_urg_data_arrived(sk, skb);
		if (skb->len)
			__skb_queue_tail(&sk->sk_receive_queue, skb);
		else
			kfree_skb(skb);
		if (fin)
			return atcp_check_fin(sk);
	}
	atcp_sack_remove(sk);
	return false;
}

/*
 * Insert an out-of-order segment into the queue, an rbtree by SEG.SEQ
 * (O(log n) with thousands of holes), trimming it against what is queued:
 * a segment wholly inside a queued one is a duplicate, queued ones wholly
 * inside it are dropped, a partial overlap is cut from it.  Duplicate
 * octets are reported by D-SACK (RFC 2883 §4), the segment's block first
 * (RFC 2018 §4).  False: not queued, the caller frees it.
 */
static bool atcp_ooo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb), *pcb;
	u32 seq = cb->seq, end_seq = cb->end_seq;
	struct rb_node **link, *parent;
	struct sk_buff *p;

	if (!atcp_rmem_admit(sk, skb, false))
		return false;
	/* Most arrivals extend the queue: no walk for them. */
	p = as->ooo_last_skb;
	if (p && seq_leq(ATCP_SKB_CB(p)->end_seq, seq)) {
		parent = &p->rbnode;
		link = &parent->rb_right;
		goto insert;
	}
restart:
	parent = NULL;
	link = &as->ooo_queue.rb_node;
	while (*link) {
		parent = *link;
		p = rb_to_skb(parent);
		pcb = ATCP_SKB_CB(p);
		if (seq_lt(cb->seq, pcb->seq)) {
			link = &parent->rb_left;
			continue;
		}
		if (seq_geq(cb->seq, pcb->end_seq)) {
			link = &parent->rb_right;
			continue;
		}
		/* p holds our first octet */
		if (seq_geq(pcb->end_seq, cb->end_seq)) {
			atcp_inc(sock_net(sk), ATCP_MIB_DUPDATA);
			atcp_dsack_set(sk, seq, end_seq);
			atcp_sack_new_ofo(sk, seq, end_seq);
			return false;		/* wholly inside p */
		}
		if (pcb->seq == cb->seq) {
			/* p wholly inside us: drop p */
			atcp_dsack_extend(sk, pcb->seq, pcb->end_seq);
			atcp_ooo_erase(sk, p);
			kfree_skb(p);
			goto restart;
		}
		/* p starts before us: trim our head where it overlaps. */
		atcp_dsack_set(sk, cb->seq, pcb->end_seq);
		if (!atcp_trim_head(skb, pcb->end_seq - cb->seq)) {
			atcp_inc(sock_net(sk), ATCP_MIB_RCVQDROP);
			return false;
		}
		link = &parent->rb_right;
	}
insert:
	skb_dst_drop(skb);
	skb_set_owner_r(skb, sk);
	atcp_ooo_link(sk, skb, parent, link);
	/* Drop the queued segments we cover; cut our tail at the next one. */
	while ((p = skb_rb_next(skb))) {
		pcb = ATCP_SKB_CB(p);
		if (!seq_gt(cb->end_seq, pcb->seq))
			break;
		if (seq_geq(cb->end_seq, pcb->end_seq)) {
			atcp_dsack_extend(sk, pcb->seq, pcb->end_seq);
			atcp_ooo_erase(sk, p);
			kfree_skb(p);
			continue;
		}
		atcp_dsack_extend(sk, pcb->seq, cb->end_seq);
		if (pskb_trim(skb, pcb->seq - cb->seq)) {
			atcp_ooo_erase(sk, skb);
			return false;
		}
		cb->flags &= ~ATCP_FIN;
		cb->end_seq = pcb->seq;
		break;
	}
	if (!p)
		as->ooo_last_skb = skb;
	atcp_inc(sock_net(sk), ATCP_MIB_OOOQUEUED);
	atcp_sack_new_ofo(sk, seq, end_seq);
	return true;
}

/* RFC 1122 §4.2.3.2 / RFC 5681 §4.2: ACK at least every second full
 * segment and within the delayed-ACK time; at once when out of order.
 * (Linux's rule, an ACK for the second segment only when its window does
 * not shrink, else at the reader's read, was tried and withdrawn: it cut
 * a bulk receiver's ACKs tenfold but made netem.sh's 20 % loss case
 * stall in 3 of 14 runs, against 0 of 10 without.)
 */
static void atcp_ack_policy(struct sock *sk, bool now)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (now || as->quickack || !RB_EMPTY_ROOT(&as->ooo_queue) ||
	    as->rcv_nxt - as->rcv_acked >= 2U * max_t(u32, as->rcv_mss, 1)) {
		if (as->quickack)
			as->quickack--;
		atcp_send_ack(sk);
		return;
	}
	as->ack_pending = true;
	atcp_arm_delack(sk);
}

/*
 * seventh, in FIN-WAIT-1 and FIN-WAIT-2 after the user's CLOSE (or
 * shutdown(SHUT_RD)): new text can never be delivered.  "If new data is
 * received after CLOSE is called, its TCP implementation SHOULD send a RST
 * to show that data was lost" (RFC 9293 §3.6 SHLD-3, RFC 1122 §4.2.2.13):
 * <SEQ=SEG.ACK><CTL=RST>, and the connection is reset, as Linux does.
 * Nothing is queued.  True if it did.
 */
static bool atcp_data_after_close(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	if (!skb->len || !(sk->sk_shutdown & RCV_SHUTDOWN) ||
	    !((1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)))
		return false;
	atcp_inc(sock_net(sk), ATCP_MIB_ABORTONDATA);
	atcp_send_reset(sock_net(sk), skb, cb->ack_seq, 0, ATCP_RST);
	atcp_reset(sk);
	return true;
}

/*
 * seventh, process the segment text (ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2).
 * Consumes skb.  True when the connection is gone (reset, or TIME-WAIT
 * reached): then sk is not to be touched again, by the caller either.
 */
static bool atcp_process_text(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	bool fin = cb->flags & ATCP_FIN;
	bool had_ooo = !RB_EMPTY_ROOT(&as->ooo_queue);
	u32 len = skb->len, seg;
	bool gone;

	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2)) || (!len && !fin)) {
		kfree_skb(skb);
		return false;
	}
	if (atcp_data_after_close(sk, skb)) {
		kfree_skb(skb);
		return true;
	}
	as->data_segs_in += !!len;
	/* the peer's segment size: a GSO or GRO skb's, or this one's */
	seg = skb_is_gso(skb) ? skb_shinfo(skb)->gso_size : len;
	if (seg > as->rcv_mss)
		as->rcv_mss = min_t(u32, seg, as->advmss);
	if (cb->seq != as->rcv_nxt) {
		/* Out of order: hold it, ACK at once (RFC 5681 §4.2) */
		if (!atcp_ooo_insert(sk, skb))
			kfree_skb(skb);
		atcp_send_ack(sk);
		return false;
	}
	if (len)
		atcp_rcv_rtt_measure(sk, skb);
	if (len && !atcp_queue_rcv(sk, skb)) {
		atcp_send_ack(sk);	/* no room: ACK what we have */
		kfree_skb(skb);
		return false;
	}
	if (!len)
		kfree_skb(skb);
	/* skb is queued or freed: not touched again */
	if (fin)
		gone = atcp_check_fin(sk);	/* sends the ACK */
	else
		gone = atcp_ooo_drain(sk);
	if (gone)
		return true;
	if (sock_flag(sk, SOCK_DEAD))
		return false;
	if (len)
		sk->sk_data_ready(sk);
	if (!fin)
		atcp_ack_policy(sk, had_ooo);
	return false;
}

/*
 * eighth, check the FIN bit.  True when the connection is gone
 * (TIME-WAIT: atcp_done() has run, an orphan is freed).
 */
static bool atcp_check_fin(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN | TCPF_SYN_SENT))
		return false;
	/* RCV.NXT advances over the FIN; ACK it. */
	as->rcv_nxt++;
	atcp_sack_remove(sk);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);
	atcp_send_ack(sk);

	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		atcp_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		/* our FIN not yet acknowledged (else we would be in FIN-WAIT-2) */
		atcp_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		atcp_time_wait(sk);
		return true;
	default:
		break;		/* CLOSE-WAIT, CLOSING, LAST-ACK: remain */
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		if (sk->sk_shutdown == SHUTDOWN_MASK ||
		    sk->sk_state == TCP_CLOSE)
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
		else
			sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_IN);
	}
	return false;
}

/* §3.10.7.4: SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT, CLOSING,
 * LAST-ACK.  (TIME-WAIT entries are in timewait.c.)
 */
static void atcp_rcv_synchronized(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	bool text_ok, simopen = false;

	if (sk->sk_state == TCP_SYN_RECV && (cb->flags & ATCP_SYN) &&
	    cb->seq == as->irs) {
		if (!(cb->flags & ATCP_ACK)) {
			/* a simultaneous open's SYN again: our SYN,ACK's
			 * retransmission timer answers it; a TFO child's
			 * client gets it at once, as from a SYN-RECEIVED
			 * entry (as Linux)
			 */
			if (atcp_fastopen_passive(sk))
				atcp_retransmit_head(sk);
			goto drop;
		}
		/* Simultaneous open (Figure 7): the SYN,ACK, its SYN a
		 * duplicate, completes it; ACK it as Linux does.
		 */
		cb->flags &= ~ATCP_SYN;
		cb->seq++;
		simopen = true;
	}

	/* RFC 7323 §5.3 R1: PAWS, before the sequence number check */
	if (atcp_paws_reject(sk, skb))
		goto drop;
	if (!atcp_check_sequence_number(sk, skb, &text_ok))
		goto drop;
	as->last_rcv_us = as->clock_us;
	if (!atcp_check_rst(sk, skb))
		goto drop;
	if (!atcp_check_syn(sk, skb))
		goto drop;
	atcp_ts_store_recent(sk, skb);	/* RFC 7323 §4.3, §5.3 R3 */
	if (!atcp_trim_to_window(sk, skb))
		goto drop;
	atcp_ecn_rcv(sk, skb);			/* RFC 3168 §6.1.3 */
	if (!atcp_check_ack(sk, skb))
		goto drop;
	if (simopen && sk->sk_state == TCP_ESTABLISHED)
		atcp_send_ack(sk);
	if (cb->flags & ATCP_URG)
		atcp_check_urg(sk, skb);
	if (!text_ok) {
		if (skb->len)
			atcp_send_ack(sk);	/* zero window: data not taken */
		kfree_skb(skb);
	} else if ((1 << sk->sk_state) & (TCPF_CLOSE_WAIT | TCPF_CLOSING |
					  TCPF_LAST_ACK)) {
		/* text and FIN after the peer's FIN are ignored; ACK a
		 * retransmitted FIN
		 */
		if (cb->flags & ATCP_FIN)
			atcp_send_ack(sk);
		kfree_skb(skb);
	} else if (atcp_process_text(sk, skb)) {
		return;			/* reset or TIME-WAIT: sk is done */
	}
	/* the ACK may have opened the window: send what waits; what it
	 * sent may bring the unsent octets under TCP_NOTSENT_LOWAT (as
	 * Linux's tcp_data_snd_check)
	 */
	atcp_push(sk);
	atcp_check_space(sk);
	return;
drop:
	kfree_skb(skb);
}

/*
 * Header prediction (Van Jacobson's, as Linux's tcp_rcv_established()):
 * the segments a bulk transfer or a request/response consists of skip
 * the §3.10.7.4 checks their header shows they would pass.  The predicted
 * segment, in ESTABLISHED:
 *   - carries ACK, maybe PSH, no other control bit (no RST, SYN, URG, FIN,
 *     ECE, CWR) and no option but timestamps (no SACK blocks);
 *   - SEG.SEQ = RCV.NXT and SND.UNA =< SEG.ACK =< SND.NXT;
 *   - either data that fits in RCV.WND with nothing held out of order, or
 *     no data and an ACK that advances SND.UNA (a duplicate ACK is loss
 *     detection's: the full steps).
 * Such a segment is acceptable (first step: it starts at RCV.NXT and ends
 * within the window, so no trimming either), and the second, fourth and
 * sixth steps find no RST, SYN or URG: they are skipped.  PAWS, TS.Recent,
 * ECN, the fifth step and the seventh run as they are, in the same order;
 * when data arrives with nothing of ours in flight, not in recovery and
 * no probe out, the fifth step has nothing to do but the window update
 * (SND.WND, SND.WL1, SND.WL2), and only that runs.  Unlike Linux's, the
 * prediction does not ask for an unchanged window: the window update
 * runs either way, and a bulk receiver's window moves with most ACKs
 * (a test that the window is the same kept every pure ACK of a loopback
 * transfer out of the fast path).  Any other segment, and every
 * one with module parameter header_prediction=0, takes the full steps
 * (atcp_rcv_synchronized()).  True: the segment was handled (consumed).
 */
static bool atcp_rcv_established_fast(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u32 ack = cb->ack_seq, len = skb->len;

	if (!READ_ONCE(atcp_header_prediction) ||
	    sk->sk_state != TCP_ESTABLISHED ||
	    (cb->flags & ~ATCP_PSH) != ATCP_ACK ||
	    (cb->opt_flags & ~ATCP_CBO_TS) || cb->seq != as->rcv_nxt ||
	    seq_lt(ack, as->snd_una) || seq_gt(ack, as->snd_nxt))
		return false;
	if (len && (!RB_EMPTY_ROOT(&as->ooo_queue) ||
		    len > atcp_offered_window(sk)))
		return false;
	if (!len && ack == as->snd_una)
		return false;		/* a duplicate ACK (or a probe's) */

	/* RFC 7323 §5.3 R1, first as in the full steps */
	if (atcp_paws_reject(sk, skb))
		goto drop;
	/* first to fourth: acceptable, no RST, no SYN */
	as->last_rcv_us = as->clock_us;
	atcp_ts_store_recent(sk, skb);
	atcp_ecn_rcv(sk, skb);
	/* fifth */
	if (len && ack == as->snd_nxt && skb_queue_empty(&as->rtx_queue) &&
	    as->ca_state == ATCP_CA_OPEN && !as->persist &&
	    !as->loss.tlp_out) {
		atcp_update_window(sk, skb);
		atcp_inc(sock_net(sk), ATCP_MIB_HPHITS);
	} else {
		if (!atcp_check_ack(sk, skb))
			goto drop;
		atcp_inc(sock_net(sk), len ? ATCP_MIB_HPHITS : ATCP_MIB_HPACKS);
	}
	/* sixth: no URG; seventh */
	if (atcp_process_text(sk, skb))
		return true;
	atcp_push(sk);
	atcp_check_space(sk);
	return true;
drop:
	kfree_skb(skb);
	return true;
}

/* Segment processing for a socket the caller has locked (softirq or
 * backlog).  Consumes skb.
 */
int atcp_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	/* one clock read for the whole of the segment's processing (as
	 * Linux's tcp_mstamp): its RTT, SACK and RACK times, cwnd growth
	 */
	atcp_sk(sk)->clock_us = atcp_now_us();
	atcp_sk(sk)->segs_in++;
	switch (sk->sk_state) {
	case TCP_CLOSE:
		atcp_rcv_closed(sock_net(sk), skb);
		kfree_skb(skb);
		break;
	case TCP_LISTEN:
		atcp_rcv_listen(sk, skb);
		break;
	case TCP_SYN_SENT:
		atcp_rcv_syn_sent(sk, skb);
		atcp_push(sk);
		break;
	default:
		if (!atcp_rcv_established_fast(sk, skb))
			atcp_rcv_synchronized(sk, skb);
	}
	return 0;
}

/*
 * sk->sk_backlog_rcv: segments queued while the user owned the socket,
 * run by release_sock() in process context with BHs enabled.  A listener
 * makes the child of a SYN cookie's ACK spin-locked (sk_clone_lock) and
 * the child may answer at once; a transmit on loopback would run the
 * receive softirq on this CPU, find the child and spin on its lock.  Keep
 * BHs off for the listener's work, as in softirq.  (A SYN-RECEIVED entry
 * sends its SYN,ACK holding no socket lock.)
 */
int atcp_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (sk->sk_state != TCP_LISTEN)
		return atcp_do_rcv(sk, skb);
	local_bh_disable();
	atcp_do_rcv(sk, skb);
	local_bh_enable();
	return 0;
}

/*
 * What the backlog and the receive queue may hold together while the user
 * owns the socket, as Linux's tcp_add_backlog(): twice SO_RCVBUF, half
 * SO_SNDBUF, and one GSO super-segment.  sk_backlog.len is reset only
 * when release_sock() has run the whole backlog, so the segments it has
 * moved to the receive queue count twice until then (in sk_rmem_alloc
 * and in the backlog's length): a limit of one SO_RCVBUF dropped a fast
 * flow's in-window data on a clean path, each drop a retransmission.
 */
static u32 atcp_backlog_limit(const struct sock *sk)
{
	u64 limit = ((u64)READ_ONCE(sk->sk_rcvbuf) << 1) +
		    ((u32)READ_ONCE(sk->sk_sndbuf) >> 1) + ATCP_BACKLOG_SLACK;

	return min_t(u64, limit, UINT_MAX);
}

static void atcp_rcv_locked(struct sock *sk, struct sk_buff *skb)
{
	bh_lock_sock_nested(sk);
	if (!sock_owned_by_user(sk)) {
		atcp_do_rcv(sk, skb);
	} else if (sk_add_backlog(sk, skb, atcp_backlog_limit(sk))) {
		atcp_inc(sock_net(sk), ATCP_MIB_BACKLOGDROP);
		kfree_skb(skb);
	}
	bh_unlock_sock(sk);
}

/* The inet protocol handler: IP protocol 253 arrives here. */
int atcp_v4_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	struct atcp_skb_cb *cb;
	const struct iphdr *iph;
	const struct tcphdr *th;
	struct atcp_opts opts;
	struct atcp_tw *tw;
	struct sock *sk;
	u32 tw_isn = 0;
	int doff;

	if (skb->pkt_type != PACKET_HOST)
		goto discard;
	/* a GSO or GRO skb counts as the segments it holds (as Linux) */
	atcp_add(net, ATCP_MIB_INSEGS, max_t(u16, 1, skb_shinfo(skb)->gso_segs));
	if (!pskb_may_pull(skb, ATCP_HDR_LEN))
		goto bad_header;
	th = tcp_hdr(skb);
	doff = th->doff * 4;
	if (doff < ATCP_HDR_LEN || doff > skb->len)
		goto bad_header;
	if (!pskb_may_pull(skb, doff))
		goto bad_header;
	/* The checksum covers the pseudo-header with our protocol number. */
	if (skb_checksum_init(skb, atcp_ipproto, inet_compute_pseudo) ||
	    skb_checksum_complete(skb)) {
		atcp_inc(net, ATCP_MIB_CSUMERRORS);
		goto in_err;
	}
	th = tcp_hdr(skb);
	iph = ip_hdr(skb);
	if (atcp_parse_options((const u8 *)(th + 1), doff - ATCP_HDR_LEN,
			       &opts)) {
		atcp_inc(net, ATCP_MIB_BADOPTIONS);
		goto in_err;
	}

	cb = ATCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = ntohl(th->seq);
	cb->ack_seq = ntohl(th->ack_seq);
	cb->flags = ((const u8 *)th)[13];	/* with ECE, CWR */
	cb->wnd = ntohs(th->window);
	cb->up = ntohs(th->urg_ptr);
	cb->opt_mss = opts.mss_seen ? max_t(u16, opts.mss, ATCP_MIN_SND_MSS) : 0;
	if (opts.sack_perm)
		cb->opt_flags |= ATCP_CBO_SACK_PERM;
	if (opts.num_sacks)
		cb->opt_flags |= ATCP_CBO_SACK;
	if (opts.wscale_seen) {
		cb->opt_flags |= ATCP_CBO_WSCALE;
		cb->opt_wscale = opts.wscale;
	}
	if (opts.ts_seen) {
		cb->opt_flags |= ATCP_CBO_TS;
		cb->tsval = opts.tsval;
		cb->tsecr = opts.tsecr;
	}
	cb->end_seq = cb->seq + skb->len - doff + !!(cb->flags & ATCP_SYN) +
		      !!(cb->flags & ATCP_FIN);

	trace_atcp_segment(0, iph->saddr, iph->daddr, th, skb->len - doff);
	__skb_pull(skb, doff);

lookup:
	sk = atcp_lookup_established(net, iph->saddr, th->source, iph->daddr,
				     th->dest, inet_iif(skb));
	if (sk && sk->sk_state == TCP_NEW_SYN_RECV) {
		bool stolen = atcp_reqsk_rcv(atcp_rsk(sk), skb);

		atcp_reqsk_put(atcp_rsk(sk));
		if (stolen)
			goto lookup;	/* to the child that won */
		return 0;
	}
	if (sk) {
		atcp_rcv_locked(sk, skb);
		sock_put(sk);
		return 0;
	}
	tw = atcp_tw_lookup(net, iph->saddr, th->source, iph->daddr, th->dest);
	if (tw) {
		int reopen = atcp_tw_rcv(tw, skb, &tw_isn);

		atcp_tw_put(tw);
		if (!reopen)
			goto discard;
		cb->tw_isn = tw_isn;
	}
	sk = atcp_lookup_listener(net, iph->saddr, th->source, iph->daddr,
				  th->dest, inet_iif(skb));
	if (sk) {
		atcp_rcv_locked(sk, skb);
		sock_put(sk);
		return 0;
	}
	atcp_rcv_closed(net, skb);
	goto discard;

bad_header:
	atcp_inc(net, ATCP_MIB_BADHEADER);
in_err:
	atcp_inc(net, ATCP_MIB_INERRS);
discard:
	kfree_skb(skb);
	return 0;
}

/*
 * ICMP errors (RFC 1122 §4.2.3.9, RFC 5927): destination unreachable
 * codes 2-4 (protocol, port) are hard errors while connecting; the quoted
 * sequence number must lie in SND.UNA..SND.NXT.
 */
int atcp_v4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	struct net *net = dev_net(skb->dev);
	int type = icmp_hdr(skb)->type;
	int code = icmp_hdr(skb)->code;
	const struct tcphdr *th;
	struct atcp_sock *as;
	struct sock *sk;
	int err = 0;
	bool hard;
	u32 seq;

	if (!pskb_may_pull(skb, iph->ihl * 4 + 8))
		return -EINVAL;
	iph = (const struct iphdr *)skb->data;
	th = (const struct tcphdr *)(skb->data + iph->ihl * 4);
	sk = atcp_lookup_established(net, iph->daddr, th->dest, iph->saddr,
				     th->source, inet_iif(skb));
	if (!sk)
		return -ENOENT;
	atcp_inc(net, ATCP_MIB_ICMPERRORS);
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		/* a passive OPEN's SYN-RECEIVED: soft errors only */
		atcp_reqsk_put(atcp_rsk(sk));
		return 0;
	}
	as = atcp_sk(sk);
	seq = ntohl(th->seq);

	bh_lock_sock(sk);
	if (sk->sk_state == TCP_CLOSE)
		goto out;
	/* RFC 5927 §4.1: the quoted segment must be one in flight */
	if (!seq_in(seq, as->snd_una, as->snd_nxt + 1)) {
		atcp_inc(net, ATCP_MIB_OUTOFWINDOWICMPS);
		goto out;
	}
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
		/* RFC 1191 §6.2: info is the next-hop MTU */
		WRITE_ONCE(as->mtu_info, info);
		if (!sock_owned_by_user(sk))
			atcp_mtu_reduced(sk);
		else if (!test_and_set_bit(ATCP_DEFER_MTU_REDUCED,
					   &as->deferred))
			sock_hold(sk);		/* for release_cb */
		goto out;
	}
	hard = icmp_err_convert[code & 0xf].fatal;
	if (type == ICMP_DEST_UNREACH && code == ICMP_PROT_UNREACH)
		err = ECONNREFUSED;	/* the peer has no atcp: refused */
	else if (type == ICMP_DEST_UNREACH && code <= NR_ICMP_UNREACH)
		err = icmp_err_convert[code].errno;
	else if (type == ICMP_TIME_EXCEEDED)
		err = EHOSTUNREACH;
	else
		goto out;
	if ((sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV) &&
	    hard) {
		if (!sock_owned_by_user(sk)) {
			WRITE_ONCE(sk->sk_err, err);
			sk_error_report(sk);
			atcp_inc(net, ATCP_MIB_ATTEMPTFAILS);
			atcp_done(sk);
		} else {
			WRITE_ONCE(sk->sk_err_soft, err);
		}
	} else {
		WRITE_ONCE(sk->sk_err_soft, err);
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
	return 0;
}
