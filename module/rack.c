// SPDX-License-Identifier: GPL-2.0
/*
 * RACK (RFC 8985 §6): a segment is lost when one sent after it has been
 * delivered and more than the RTT plus a reordering window has passed
 * since it was sent.  The window is a quarter of the minimum RTT, grown
 * on D-SACKs (§6.2 step 4), zero until reordering is seen once recovery
 * is under way.  Without SACK RACK learns only from cumulative ACKs and
 * never fires; NewReno's duplicate ACKs then do the work (recovery.c).
 */
#include <linux/skbuff.h>
#include <net/sock.h>

#include "atcp.h"
#include "atcp_cong.h"

/* Was (t1, seq1) sent after (t2, seq2)? (RFC 8985 §6.2 step 2) */
static bool atcp_rack_sent_after(u64 t1, u32 seq1, u64 t2, u32 seq2)
{
	return t1 > t2 || (t1 == t2 && seq_gt(seq1, seq2));
}

/* RFC 8985 §6.2 steps 1-2: skb was delivered (cumulatively or SACKed). */
void atcp_rack_update(struct sock *sk, struct sk_buff *skb, u64 now)
{
	struct atcp_loss *l = &atcp_sk(sk)->loss;
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u64 rtt = now > cb->sent_us ? now - cb->sent_us : 1;

	if (cb->sacked & ATCP_SKB_EVER_RETRANS) {
		/* maybe the original's delivery: no evidence of order; and
		 * none when this ACK D-SACKs it (RFC 2883: the original
		 * arrived, as Linux's tcp_skb_spurious_retrans() with TSecr)
		 */
		if (rtt < l->min_rtt_us ||
		    (l->dsack && !seq_lt(cb->seq, l->dsack_start) &&
		     !seq_gt(cb->end_seq, l->dsack_end)))
			return;
	} else if (!l->min_rtt_us || rtt < l->min_rtt_us) {
		l->min_rtt_us = min_t(u64, rtt, U32_MAX);
	}
	if (!atcp_rack_sent_after(cb->sent_us, cb->end_seq, l->rack_xmit_us,
				  l->rack_end_seq))
		return;
	l->rack_xmit_us = cb->sent_us;
	l->rack_end_seq = cb->end_seq;
	l->rack_rtt_us = min_t(u64, rtt, U32_MAX);
}

/* RFC 8985 §6.2 step 4: RACK.reo_wnd. */
static u32 atcp_rack_reo_wnd(struct atcp_sock *as)
{
	struct atcp_loss *l = &as->loss;
	u32 wnd;

	if (!l->reord_seen &&
	    (as->ca_state == ATCP_CA_RECOVERY || as->ca_state == ATCP_CA_LOSS ||
	     as->sacked_out >= as->reordering))
		return 0;
	wnd = (l->min_rtt_us / 4) * max_t(u8, l->reo_wnd_mult, 1);
	return as->srtt_us ? min(wnd, as->srtt_us) : wnd;
}

/* A retransmission (or a loss probe) is lost too: resend it. */
static void atcp_rack_rtx_lost(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	struct atcp_loss *l = &as->loss;

	cb->sacked &= ~ATCP_SKB_RETRANS;
	if (as->retrans_out)
		as->retrans_out--;
	if (!(cb->sacked & ATCP_SKB_LOST)) {
		cb->sacked |= ATCP_SKB_LOST;
		as->lost_out++;
	}
	l->lost_pending++;
	if (l->rtx_hint && seq_lt(cb->seq, ATCP_SKB_CB(l->rtx_hint)->seq))
		l->rtx_hint = NULL;
	atcp_inc(sock_net(sk), ATCP_MIB_TCPLOSTRETRANSMIT);
}

/* RFC 8985 §6.3: the reordering timer fires at the earliest deadline. */
static void atcp_rack_wait_until(struct atcp_loss *l, u64 deadline_us)
{
	if (!l->reo_deadline_us || deadline_us < l->reo_deadline_us)
		l->reo_deadline_us = deadline_us;
}

/*
 * RFC 8985 §6.2 step 5 for retransmissions: one sent before the latest
 * delivered segment by more than RACK.rtt + reo_wnd is lost as well, and
 * is resent now rather than at the RTO (Linux's TCPLostRetransmit).
 * Linux walks its segments in the order sent; atcp's queue is in
 * sequence order, so this looks at each retransmission in flight (at
 * most retrans_out of them), and only when the oldest one may be due.
 */
static void atcp_rack_detect_rtx(struct sock *sk, u64 now, u64 wait)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	u32 left = as->retrans_out;
	struct sk_buff *skb;
	u64 oldest = 0;

	if (!left) {
		l->rtx_oldest_us = 0;
		return;
	}
	if (!l->rtx_oldest_us || l->rtx_oldest_us >= l->rack_xmit_us)
		return;			/* none sent before RACK.xmit_ts */
	if (l->rtx_oldest_us + wait > now) {
		atcp_rack_wait_until(l, l->rtx_oldest_us + wait);
		return;
	}
	skb_queue_walk(&as->rtx_queue, skb) {
		struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

		if (!(cb->sacked & ATCP_SKB_RETRANS))
			continue;
		if (atcp_rack_sent_after(l->rack_xmit_us, l->rack_end_seq,
					 cb->sent_us, cb->end_seq)) {
			if (cb->sent_us + wait <= now) {
				atcp_rack_rtx_lost(sk, skb);
				goto next;
			}
			atcp_rack_wait_until(l, cb->sent_us + wait);
		}
		if (!oldest || cb->sent_us < oldest)
			oldest = cb->sent_us;
next:
		if (!--left)
			break;
	}
	l->rtx_oldest_us = oldest;
}

/*
 * RFC 8985 §6.2 step 5 (RACK_detect_loss()): mark lost what was sent
 * before the latest delivered segment by more than RACK.rtt + reo_wnd;
 * the first one not yet due sets the reordering timer.  Segments
 * SACKed or already lost are settled: the next walk starts after them.
 * Retransmissions are atcp_rack_detect_rtx()'s.
 */
void atcp_rack_detect(struct sock *sk, u64 now)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	struct sk_buff *skb, *last = NULL;
	u64 wait;

	l->reo_deadline_us = 0;
	if (!l->rack_xmit_us)
		return;
	wait = (u64)l->rack_rtt_us + atcp_rack_reo_wnd(as);
	skb = l->rack_hint ? : skb_peek(&as->rtx_queue);
	for (; skb; skb = skb_queue_is_last(&as->rtx_queue, skb) ?
			  NULL : skb->next) {
		struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

		last = skb;
		if (cb->sacked & (ATCP_SKB_SACKED | ATCP_SKB_LOST))
			continue;
		if (!atcp_rack_sent_after(l->rack_xmit_us, l->rack_end_seq,
					  cb->sent_us, cb->end_seq))
			break;
		if (cb->sent_us + wait <= now) {
			atcp_mark_lost(sk, skb);
			continue;
		}
		l->reo_deadline_us = cb->sent_us + wait;
		break;
	}
	l->rack_hint = last;
	atcp_rack_detect_rtx(sk, now, wait);
}

/* RFC 8985 §6.2 step 4: a D-SACK grows the window, once per round trip,
 * for the next 16 recoveries.
 */
void atcp_rack_dsack(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;

	l->reord_seen = true;
	if (l->dsack_round && seq_lt(as->snd_una, l->dsack_round))
		return;
	l->dsack_round = as->snd_nxt;
	if (l->reo_wnd_mult < 16)
		l->reo_wnd_mult = max_t(u8, l->reo_wnd_mult, 1) + 1;
	l->reo_wnd_persist = 16;
}

/* A recovery ended: the grown window lasts 16 of them. */
void atcp_rack_recovery_done(struct sock *sk)
{
	struct atcp_loss *l = &atcp_sk(sk)->loss;

	if (l->reo_wnd_persist && !--l->reo_wnd_persist)
		l->reo_wnd_mult = 1;
}
