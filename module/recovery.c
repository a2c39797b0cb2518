// SPDX-License-Identifier: GPL-2.0
/*
 * Loss recovery, the sender's side (recovery.h): the scoreboard kept per
 * segment of the retransmission queue (RFC 6675 §2: SACKed, lost,
 * retransmitted; packets_out, sacked_out, lost_out, retrans_out), what a
 * retransmission timeout marks lost (RFC 5681 §3.1, RFC 6298 §5.4),
 * retransmitting lost segments as cwnd allows, fast recovery with PRR
 * (RFC 6937), NewReno when the peer has no SACK (RFC 6582, RFC 3042),
 * tail loss probes (RFC 8985 §7) and undo on D-SACK (RFC 2883 §4).
 * SACK blocks are read in scoreboard.c, RACK's loss detection is rack.c.
 * Every segment of the queue counts as one packet: atcp queues at most
 * one SMSS per skb.
 */
#include <linux/skbuff.h>
#include <net/sock.h>

#include "atcp.h"
#include "atcp_cong.h"
#include "compat.h"

static struct sk_buff *atcp_rtx_next(struct atcp_sock *as,
				     struct sk_buff *skb)
{
	return skb_queue_is_last(&as->rtx_queue, skb) ? NULL : skb->next;
}

/* The queue is emptied (the connection ends): no hint may outlive it. */
void atcp_loss_forget(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	memset(&as->loss, 0, sizeof(as->loss));
	as->packets_out = 0;
	as->sacked_out = 0;
	as->lost_out = 0;
	as->retrans_out = 0;
}

/*
 * skb leaves the retransmission queue, cumulatively acknowledged: take
 * it off the scoreboard, and let RACK see it delivered (RFC 8985 §6.2).
 */
void atcp_rtx_unlink(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	u8 s = ATCP_SKB_CB(skb)->sacked;

	if (l->sack_hint == skb)
		l->sack_hint = NULL;
	if (l->rack_hint == skb)
		l->rack_hint = NULL;
	if (l->rtx_hint == skb)
		l->rtx_hint = NULL;
	if (as->packets_out)
		as->packets_out--;
	if ((s & ATCP_SKB_SACKED) && as->sacked_out)
		as->sacked_out--;
	if (s & ATCP_SKB_LOST) {
		if (as->lost_out)
			as->lost_out--;
		if (!(s & ATCP_SKB_RETRANS) && l->lost_pending)
			l->lost_pending--;
	}
	if ((s & ATCP_SKB_RETRANS) && as->retrans_out)
		as->retrans_out--;
	l->acked++;
	if (!(s & ATCP_SKB_SACKED)) {
		l->delivered++;
		atcp_rack_update(sk, skb, atcp_sk(sk)->clock_us);
	}
}

/*
 * A segment in the queue was cut in two (the path MTU shrank, RFC 1191
 * §6.4): the new piece, nskb, carries the old one's marks; count it too.
 */
void atcp_rtx_split(struct sock *sk, struct sk_buff *nskb)
{
	struct atcp_sock *as = atcp_sk(sk);
	u8 s = ATCP_SKB_CB(nskb)->sacked;

	as->packets_out++;
	if (s & ATCP_SKB_SACKED)
		as->sacked_out++;
	if (s & ATCP_SKB_LOST) {
		as->lost_out++;
		if (!(s & ATCP_SKB_RETRANS))
			as->loss.lost_pending++;
	}
	if (s & ATCP_SKB_RETRANS)
		as->retrans_out++;
}

/* Mark skb lost (RFC 6675 §2 "IsLost", RFC 8985 §6.2): to be resent. */
void atcp_mark_lost(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	if (cb->sacked & (ATCP_SKB_SACKED | ATCP_SKB_LOST))
		return;
	cb->sacked |= ATCP_SKB_LOST;
	as->lost_out++;
	if (cb->sacked & ATCP_SKB_RETRANS)
		return;
	as->loss.lost_pending++;
	if (as->loss.rtx_hint &&
	    seq_lt(cb->seq, ATCP_SKB_CB(as->loss.rtx_hint)->seq))
		as->loss.rtx_hint = NULL;
}

/* Remember cwnd and ssthresh before a reduction, for undo (RFC 2883 §4). */
static void atcp_init_undo(struct atcp_sock *as)
{
	as->loss.undo_marker = as->snd_una;
	as->loss.undo_retrans = 0;
	as->loss.undo_valid = true;
	as->loss.rtx_stamped = false;
}

/*
 * Eifel detection (RFC 3522 §2, as Linux's tcp_packet_delayed): an ACK
 * whose TSecr is older than the first retransmission's TSval was sent
 * for an original transmission, so the segment was delayed, not lost.
 */
static bool atcp_ack_predates_rtx(const struct atcp_sock *as,
				  const struct sk_buff *skb)
{
	const struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	return as->tstamp_ok && as->loss.rtx_stamped &&
	       (cb->opt_flags & ATCP_CBO_TS) && cb->tsecr &&
	       (s32)(cb->tsecr - as->loss.rtx_tsval) < 0;
}

/*
 * A retransmission timeout (RFC 5681 §3.1, RFC 6298 §5.4, as Linux's
 * tcp_enter_loss): every segment not SACKed is lost and will be resent
 * as the (slow start) window allows; no retransmission is in flight any
 * more.  Called before atcp_ca_enter_loss() sets the Loss state.
 */
void atcp_enter_loss_marks(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	struct sk_buff *skb;

	if (as->ca_state <= ATCP_CA_DISORDER || !l->undo_valid ||
	    !seq_gt(as->high_seq, as->snd_una))
		atcp_init_undo(as);
	if (!as->sack_ok)
		as->sacked_out = 0;	/* NewReno's duplicate ACK count */
	as->lost_out = 0;
	skb_queue_walk(&as->rtx_queue, skb) {
		struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

		cb->sacked &= ~ATCP_SKB_RETRANS;
		if (!(cb->sacked & ATCP_SKB_SACKED)) {
			cb->sacked |= ATCP_SKB_LOST;
			as->lost_out++;
		}
	}
	as->retrans_out = 0;
	l->rtx_oldest_us = 0;
	l->lost_pending = as->lost_out;
	/* what slow start resends now is limited by cwnd (RFC 7661) */
	as->cwnd_limited = as->lost_out > 1;
	l->rtx_hint = NULL;
	l->tlp_out = false;
	l->reo_deadline_us = 0;
}

/*
 * Resend skb (RFC 6298 §5.4, RFC 5681 §3.2, RFC 6675 §5): the scoreboard
 * counts it in flight again; RACK times it from now.
 */
int atcp_retransmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u32 tsval;
	int err;

	/* sent before the path MTU shrank (RFC 1191 §6.4): cut it first */
	if (skb->len > atcp_payload_max(as)) {
		err = atcp_split_skb(sk, &as->rtx_queue, skb,
				     atcp_payload_max(as));
		if (err)
			return err;
	}
	tsval = atcp_tsval(as);		/* not later than the one sent */
	err = atcp_transmit_skb(sk, skb, true);
	if (err)
		return err;
	if (cb->rtx < U8_MAX)
		cb->rtx++;
	if (!(cb->sacked & ATCP_SKB_RETRANS)) {
		cb->sacked |= ATCP_SKB_RETRANS;
		as->retrans_out++;
		if ((cb->sacked & ATCP_SKB_LOST) && as->loss.lost_pending)
			as->loss.lost_pending--;
	}
	cb->sacked |= ATCP_SKB_EVER_RETRANS;
	cb->sent_us = atcp_now_us();
	if (!as->loss.rtx_oldest_us)
		as->loss.rtx_oldest_us = cb->sent_us;
	as->total_retrans++;
	as->rtt_timing = false;		/* Karn: no sample from this */
	atcp_inc(sock_net(sk), ATCP_MIB_RETRANSSEGS);
	if (as->loss.undo_valid) {
		as->loss.undo_retrans++;
		if (!as->loss.rtx_stamped && as->tstamp_ok) {
			as->loss.rtx_tsval = tsval;
			as->loss.rtx_stamped = true;
		}
	}
	if (as->ca_state == ATCP_CA_RECOVERY) {
		as->loss.prr_out++;
		atcp_inc(sock_net(sk), ATCP_MIB_TCPFASTRETRANS);
	}
	return 0;
}

/*
 * Resend the segments marked lost, oldest first, while the window
 * allows (RFC 6675 §5 NextSeg() rule 1; after an RTO, RFC 5681 §3.1's
 * slow start resends the whole flight this way).  The walk starts where
 * the last one found the first lost segment.
 */
void atcp_xmit_retransmit_queue(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	struct sk_buff *skb;

	if (!l->lost_pending)
		return;
	skb = l->rtx_hint ? : skb_peek(&as->rtx_queue);
	for (; skb; skb = atcp_rtx_next(as, skb)) {
		u8 s = ATCP_SKB_CB(skb)->sacked;

		if (!(s & ATCP_SKB_LOST) ||
		    (s & (ATCP_SKB_RETRANS | ATCP_SKB_SACKED)))
			continue;
		l->rtx_hint = skb;
		if (atcp_packets_in_flight(as) >= as->snd_cwnd) {
			as->cwnd_limited = true;	/* RFC 7661 */
			return;
		}
		if (atcp_retransmit_skb(sk, skb))
			return;
		/* the head resent: the RTO counts from now (RFC 6298 §5.3) */
		if (skb == skb_peek(&as->rtx_queue) && l->timer != ATCP_TMR_REO)
			atcp_arm_rtx(sk);
		if (!l->lost_pending)
			return;
	}
	l->lost_pending = 0;	/* none left after all */
}

/* ---- per ACK ------------------------------------------------------------ */

static void atcp_undo(struct sock *sk, bool tsundo);

/* Before SND.UNA moves: reset this ACK's tallies, read its SACK blocks. */
void atcp_loss_ack_begin(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);

	as->loss.acked = 0;
	as->loss.delivered = 0;
	as->loss.dsack = false;
	as->loss.undo_now = false;
	if (as->sack_ok && (ATCP_SKB_CB(skb)->opt_flags & ATCP_CBO_SACK))
		atcp_sacktag(sk, skb);
	/*
	 * RFC 3522 §2: the first ACK that moves SND.UNA after a timeout
	 * shows it spurious; undo before the ACK is taken (and could end
	 * Loss), as Linux's tcp_try_undo_loss
	 */
	if (as->ca_state == ATCP_CA_LOSS && as->loss.undo_valid &&
	    seq_gt(ATCP_SKB_CB(skb)->ack_seq, as->snd_una) &&
	    atcp_ack_predates_rtx(as, skb))
		atcp_undo(sk, true);
}

/*
 * NewReno's scoreboard (RFC 6582, as Linux's Reno emulation): without
 * SACK each duplicate ACK (RFC 5681 §2) stands for a segment that left
 * the network, counted in sacked_out; that is what lets limited transmit
 * (RFC 3042) send a new segment on each of the first two.  A cumulative
 * ACK takes back the duplicates it covers.
 */
static void atcp_reno_ack(struct sock *sk, bool advanced, bool dup)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 acked = as->loss.acked, holes;

	if (advanced) {
		if (acked && acked - 1 < as->sacked_out)
			as->sacked_out -= acked - 1;
		else if (acked)
			as->sacked_out = 0;
		return;
	}
	if (!dup || !as->packets_out)
		return;
	as->sacked_out++;
	as->loss.delivered++;
	holes = min(max(as->lost_out, 1U), as->packets_out);
	if (as->sacked_out + holes > as->packets_out)
		as->sacked_out = as->packets_out - holes;
}

/* RFC 6675 §5 / RFC 6582 §3.2: enter fast recovery. */
static void atcp_enter_recovery(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;

	atcp_init_undo(as);
	as->prior_cwnd = as->snd_cwnd;
	as->prior_ssthresh = as->snd_ssthresh;
	as->snd_ssthresh = as->ca_ops->ssthresh(sk);
	as->snd_cwnd_cnt = 0;
	as->high_seq = as->snd_nxt;		/* "recover" */
	l->prr_delivered = 0;
	l->prr_out = 0;
	l->recover_fs = max(as->prior_cwnd, 1U);
	atcp_inc(sock_net(sk), as->sack_ok ? ATCP_MIB_TCPSACKRECOVERY :
					     ATCP_MIB_TCPRENORECOVERY);
	atcp_ca_set_state(sk, ATCP_CA_RECOVERY);
}

/* RFC 6582 §3.2 step 3, RFC 6675 §5: recovery ends at "recover". */
static void atcp_exit_recovery(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->snd_ssthresh < ATCP_INFINITE_SSTHRESH)
		as->snd_cwnd = max(as->snd_ssthresh, 1U);
	as->snd_cwnd_cnt = 0;
	as->loss.undo_valid = false;
	atcp_rack_recovery_done(sk);
	atcp_ca_set_state(sk, ATCP_CA_OPEN);
}

/*
 * PRR (RFC 6937 §3): how much may be sent on this ACK during recovery,
 * as cwnd = pipe + sndcnt.  Proportional while pipe > ssthresh, slow
 * start reduction bound (SSRB) below it.  force: send at least one
 * (the fast retransmission, or NewReno's partial ACK, RFC 6582 §3.2).
 */
static void atcp_prr(struct sock *sk, u32 delivered, bool force)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	u32 pipe = atcp_packets_in_flight(as);
	s64 sndcnt;

	l->prr_delivered += delivered;
	if (pipe > as->snd_ssthresh) {
		sndcnt = div_u64((u64)as->snd_ssthresh * l->prr_delivered +
				 l->recover_fs - 1, l->recover_fs);
		sndcnt -= l->prr_out;
	} else {
		s64 limit = max_t(s64, (s64)l->prr_delivered - l->prr_out,
				  delivered) + 1;

		sndcnt = min_t(s64, as->snd_ssthresh - pipe, limit);
	}
	if (sndcnt < 0)
		sndcnt = 0;
	if (force && !sndcnt)
		sndcnt = 1;
	as->snd_cwnd = max_t(u32, pipe + sndcnt, 1);
}

/*
 * The reduction was for nothing: every retransmission shown spurious by
 * D-SACKs (RFC 2883 §4), or an ACK of an original transmission (RFC 3522
 * §2, tsundo): give back cwnd and ssthresh (RFC 3522 §3.2 as Linux's
 * tcp_undo_cwnd_reduction).
 */
static void atcp_undo(struct sock *sk, bool tsundo)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	struct sk_buff *skb;

	as->snd_cwnd = max(as->ca_ops->undo_cwnd(sk), 1U);
	if (as->prior_ssthresh > as->snd_ssthresh)
		as->snd_ssthresh = as->prior_ssthresh;
	if (as->ca_state == ATCP_CA_LOSS) {
		/* the RTO was spurious: nothing is lost after all */
		skb_queue_walk(&as->rtx_queue, skb)
			ATCP_SKB_CB(skb)->sacked &= ~ATCP_SKB_LOST;
		as->lost_out = 0;
		l->lost_pending = 0;
		l->rtx_hint = NULL;
		l->rack_hint = NULL;
		atcp_inc(sock_net(sk), ATCP_MIB_TCPLOSSUNDO);
		if (!tsundo)
			atcp_inc(sock_net(sk), ATCP_MIB_TCPSPURIOUSRTOS);
	} else {
		atcp_inc(sock_net(sk), tsundo ? ATCP_MIB_TCPFULLUNDO :
						ATCP_MIB_TCPDSACKUNDO);
	}
	l->undo_valid = false;
	atcp_rack_recovery_done(sk);
	atcp_ca_set_state(sk, ATCP_CA_OPEN);
}

/*
 * RFC 8985 §7.4: the answer to a loss probe.  An ACK beyond the probe
 * without a D-SACK for it means the probe repaired a loss: reduce cwnd
 * as for a loss (as Linux's TCPLossProbeRecovery).
 */
static void atcp_tlp_ack(struct sock *sk, bool advanced, bool dup)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;

	if (!l->tlp_out || seq_lt(as->snd_una, l->tlp_high_seq))
		return;
	if (!l->tlp_retrans || l->dsack) {
		l->tlp_out = false;
	} else if (seq_gt(as->snd_una, l->tlp_high_seq)) {
		l->tlp_out = false;
		atcp_inc(sock_net(sk), ATCP_MIB_TCPLOSSPROBERECOVERY);
		if (as->ca_state <= ATCP_CA_DISORDER) {
			as->prior_ssthresh = as->snd_ssthresh;
			as->snd_ssthresh = as->ca_ops->ssthresh(sk);
			as->snd_cwnd = max(min(as->snd_cwnd, as->snd_ssthresh),
					   1U);
		}
	} else if (!advanced && dup) {
		l->tlp_out = false;	/* probe and original both arrived */
	}
}

/*
 * After SND.UNA and the window are updated by an ACK: detect losses,
 * move between the congestion states and set cwnd for recovery
 * (Linux's tcp_fastretrans_alert, RFC 6675 §5, RFC 6582 §3.2).
 * dup: a duplicate ACK as RFC 5681 §2 defines it.
 */
void atcp_loss_ack_end(struct sock *sk, struct sk_buff *skb, u32 prior_una,
		       bool dup)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	bool advanced = seq_gt(as->snd_una, prior_una), force = false;
	struct sk_buff *head;

	if (!as->sack_ok)
		atcp_reno_ack(sk, advanced, dup);
	atcp_tlp_ack(sk, advanced, dup);
	if (l->undo_now && l->undo_valid &&
	    (as->ca_state == ATCP_CA_RECOVERY || as->ca_state == ATCP_CA_LOSS))
		atcp_undo(sk, false);
	/* RFC 3522 §2: the ACK that ends recovery (tcp_try_undo_recovery) */
	else if (as->ca_state == ATCP_CA_RECOVERY && l->undo_valid &&
		 !seq_lt(as->snd_una, as->high_seq) &&
		 atcp_ack_predates_rtx(as, skb))
		atcp_undo(sk, true);
	if (as->sack_ok)
		atcp_rack_detect(sk, atcp_now_us());

	if (as->ca_state == ATCP_CA_RECOVERY &&
	    !seq_lt(as->snd_una, as->high_seq))
		atcp_exit_recovery(sk);

	head = skb_peek(&as->rtx_queue);
	switch (as->ca_state) {
	case ATCP_CA_RECOVERY:
		/* RFC 6582 §3.2 step 5: a partial ACK resends the next hole */
		if (!as->sack_ok && advanced && head) {
			atcp_mark_lost(sk, head);
			force = true;
		}
		break;
	case ATCP_CA_LOSS:
		break;
	default:
		/* RFC 6582 §3.2 step 2: dupthresh duplicate ACKs */
		if (!as->sack_ok && head && as->sacked_out >= as->reordering)
			atcp_mark_lost(sk, head);
		if (as->lost_out) {
			atcp_enter_recovery(sk);
			force = true;
		} else if (as->sacked_out && as->ca_state == ATCP_CA_OPEN) {
			atcp_ca_set_state(sk, ATCP_CA_DISORDER);
		} else if (!as->sacked_out &&
			   as->ca_state == ATCP_CA_DISORDER) {
			atcp_ca_set_state(sk, ATCP_CA_OPEN);
		}
	}
	if (as->ca_state == ATCP_CA_RECOVERY && (l->delivered || force))
		atcp_prr(sk, l->delivered, force);
	atcp_loss_arm_timer(sk, advanced);
}

/* ---- timers: RTO, PTO, RACK's reordering timer ----------------------- */

/* RFC 8985 §7.2: a probe is scheduled only with SACK, in Open state. */
static bool atcp_tlp_eligible(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	return as->sack_ok && as->srtt_us && as->packets_out &&
	       !as->loss.tlp_out && as->ca_state <= ATCP_CA_DISORDER &&
	       !((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV));
}

/* RFC 8985 §7.2: PTO = 2 SRTT, plus the peer's delayed ACK time when a
 * single segment is out; never later than the RTO.
 */
static void atcp_arm_pto(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u64 pto = 2ULL * as->srtt_us;
	u64 rto = (u64)as->rto_us << min_t(u8, as->backoff, 20);

	pto += as->packets_out == 1 ?
	       atcp_sysctl(sk)->rto_min_ms * 1000ULL : 2000;
	as->loss.timer = ATCP_TMR_PTO;
	atcp_timer_arm(sk, &as->rtx_timer, min(pto, rto));
}

/*
 * After an ACK: the reordering timer if RACK waits on a segment, else a
 * loss probe or the RTO (restarted when the ACK acknowledged data,
 * RFC 6298 §5.3).
 */
void atcp_loss_arm_timer(struct sock *sk, bool acked)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	u64 now;

	if (skb_queue_empty(&as->rtx_queue) || as->persist)
		return;
	if (l->reo_deadline_us) {
		now = atcp_now_us();
		l->timer = ATCP_TMR_REO;
		atcp_timer_arm(sk, &as->rtx_timer,
			       l->reo_deadline_us > now ?
			       l->reo_deadline_us - now : 1);
		return;
	}
	if (!acked && l->timer == ATCP_TMR_RTO && as->rtx_timer.pending)
		return;
	if (atcp_tlp_eligible(sk))
		atcp_arm_pto(sk);
	else if (acked || l->timer != ATCP_TMR_RTO || !as->rtx_timer.pending)
		atcp_arm_rtx(sk);
}

/* New data went out (write_xmit): the probe timer moves with it. */
void atcp_loss_on_send(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->rtx_timer.pending && as->loss.timer == ATCP_TMR_REO)
		return;
	if (atcp_tlp_eligible(sk))
		atcp_arm_pto(sk);
	else if (!as->rtx_timer.pending)
		atcp_arm_rtx(sk);
}

/*
 * RFC 8985 §7.3: the probe.  New data if the peer's window takes a
 * segment of it, else the last segment sent again; then the RTO.
 */
static void atcp_send_loss_probe(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (skb && !(ATCP_SKB_CB(skb)->flags & ATCP_SYN) &&
	    !seq_gt(ATCP_SKB_CB(skb)->end_seq, as->snd_una + as->snd_wnd)) {
		atcp_send_new_skb(sk, skb);
		l->tlp_retrans = false;
	} else {
		skb = skb_peek_tail(&as->rtx_queue);
		if (!skb || (ATCP_SKB_CB(skb)->sacked & ATCP_SKB_SACKED) ||
		    atcp_retransmit_skb(sk, skb))
			goto rto;
		l->tlp_retrans = true;
	}
	l->tlp_out = true;
	l->tlp_high_seq = as->snd_nxt;
	atcp_inc(sock_net(sk), ATCP_MIB_TCPLOSSPROBES);
rto:
	atcp_arm_rtx(sk);
}

/*
 * The retransmission timer fired for a probe or RACK's reordering
 * window (RFC 8985 §6.3, §7.3): true if that was its purpose, false for
 * the RTO proper.
 */
bool atcp_loss_timer(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;

	switch (l->timer) {
	case ATCP_TMR_PTO:
		if (!skb_queue_empty(&as->rtx_queue))
			atcp_send_loss_probe(sk);
		return true;
	case ATCP_TMR_REO:
		l->timer = ATCP_TMR_RTO;
		if (skb_queue_empty(&as->rtx_queue))
			return true;
		atcp_rack_detect(sk, atcp_now_us());
		if (as->lost_out && as->ca_state <= ATCP_CA_CWR)
			atcp_enter_recovery(sk);
		atcp_write_xmit(sk);
		atcp_loss_arm_timer(sk, true);
		return true;
	}
	return false;
}
