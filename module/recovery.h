/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loss recovery on the sending side: the scoreboard of the retransmission
 * queue (RFC 6675 §2), SACK blocks read (RFC 2018 §3, RFC 2883), RACK-TLP
 * (RFC 8985), fast recovery with PRR (RFC 6937), NewReno (RFC 6582) and
 * what an RTO marks lost (RFC 5681 §3.1, RFC 6298 §5.4).  recovery.c,
 * scoreboard.c and rack.c implement it; the TCB holds struct atcp_loss.
 */
#ifndef _ATCP_RECOVERY_H
#define _ATCP_RECOVERY_H

#include <linux/types.h>

#include "options.h"

struct sock;
struct sk_buff;

/* Sender state of a segment in the retransmission queue (cb->sacked). */
#define ATCP_SKB_SACKED		0x01	/* SACKed (RFC 2018) */
#define ATCP_SKB_LOST		0x02	/* marked lost, counted in lost_out */
#define ATCP_SKB_RETRANS	0x04	/* a retransmission is in flight */
#define ATCP_SKB_EVER_RETRANS	0x08	/* retransmitted at least once */

/* What the retransmission timer (rtx_timer) waits for. */
enum {
	ATCP_TMR_RTO,		/* retransmission timeout (RFC 6298) */
	ATCP_TMR_PTO,		/* tail loss probe (RFC 8985 §7) */
	ATCP_TMR_REO,		/* RACK reordering window (RFC 8985 §6.2) */
};

struct atcp_loss {
	/* Walk starts in the retransmission queue: NULL means its head.
	 * A hint never points at a segment that left the queue.
	 */
	struct sk_buff *sack_hint;	/* where the last SACK walk ended */
	struct sk_buff *rack_hint;	/* first segment RACK has not settled */
	struct sk_buff *rtx_hint;	/* lost segments are at or after it */
	u32 lost_pending;		/* marked lost, not yet retransmitted */
	u32 highest_sack;		/* end of the highest SACKed segment */
	u8 ncache;			/* the previous ACK's SACK blocks */
	struct atcp_sack_block cache[ATCP_MAX_SACKS];

	/* RACK (RFC 8985 §6.1) */
	u64 rack_xmit_us;	/* RACK.xmit_ts: latest sent that was delivered */
	u32 rack_end_seq;	/* RACK.end_seq */
	u32 rack_rtt_us;	/* RACK.rtt */
	u32 min_rtt_us;		/* smallest RTT seen (0: none) */
	u8 reo_wnd_mult;	/* RACK.reo_wnd_mult */
	u8 reo_wnd_persist;	/* RACK.reo_wnd_persist */
	bool reord_seen;	/* RACK.reordering_seen */
	u32 dsack_round;	/* SND.NXT when reo_wnd_mult last grew */
	u8 timer;		/* ATCP_TMR_*: what rtx_timer waits for */
	u64 reo_deadline_us;	/* RACK's reordering timer, 0 if none */
	u64 rtx_oldest_us;	/* no retransmission in flight was sent
				 * before this (0: none in flight)
				 */

	/* TLP (RFC 8985 §7) */
	bool tlp_out;		/* a probe is out, not yet answered */
	bool tlp_retrans;	/* ... and it was a retransmission */
	u32 tlp_high_seq;	/* SND.NXT when the probe was sent */

	/* PRR (RFC 6937 §3) */
	u32 prr_delivered;
	u32 prr_out;
	u32 recover_fs;		/* RecoverFS, segments */

	/* Undo (RFC 2883 §4 on D-SACKs; RFC 3522 on timestamps) */
	u32 undo_marker;	/* SND.UNA when the reduction began */
	int undo_retrans;	/* retransmissions not shown spurious */
	bool undo_valid;
	bool rtx_stamped;	/* rtx_tsval is set */
	u32 rtx_tsval;		/* TSval of the first retransmission */

	/* This ACK (set and read within one ACK's processing) */
	u32 acked;		/* segments cumulatively acknowledged */
	u32 delivered;		/* ... plus newly SACKed, not SACKed before */
	bool dsack;		/* it carried a D-SACK */
	u32 dsack_start, dsack_end;	/* ... for these octets */
	bool undo_now;		/* its D-SACKs showed all retransmissions
				 * spurious
				 */
};

/* recovery.c */
void atcp_loss_forget(struct sock *sk);
void atcp_rtx_unlink(struct sock *sk, struct sk_buff *skb);
void atcp_rtx_split(struct sock *sk, struct sk_buff *nskb);
void atcp_mark_lost(struct sock *sk, struct sk_buff *skb);
void atcp_enter_loss_marks(struct sock *sk);
int atcp_retransmit_skb(struct sock *sk, struct sk_buff *skb);
void atcp_xmit_retransmit_queue(struct sock *sk);
void atcp_loss_ack_begin(struct sock *sk, struct sk_buff *skb);
void atcp_loss_ack_end(struct sock *sk, struct sk_buff *skb, u32 prior_una,
		       bool dup);
void atcp_loss_on_send(struct sock *sk);
void atcp_loss_arm_timer(struct sock *sk, bool acked);
bool atcp_loss_timer(struct sock *sk);

/* scoreboard.c */
void atcp_sacktag(struct sock *sk, struct sk_buff *ack_skb);

/* rack.c */
void atcp_rack_update(struct sock *sk, struct sk_buff *skb, u64 now);
void atcp_rack_detect(struct sock *sk, u64 now);
void atcp_rack_dsack(struct sock *sk);
void atcp_rack_recovery_done(struct sock *sk);

#endif /* _ATCP_RECOVERY_H */
