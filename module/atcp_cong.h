/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Congestion control as loadable algorithms (RFC 5681 and successors):
 * the interface an algorithm implements, in its own module if it likes.
 * The model is Linux's tcp_congestion_ops, with atcp's own names, so an
 * algorithm reads like its RFC.  Windows are in segments (SMSS units):
 * as->snd_cwnd, as->snd_ssthresh.
 */
#ifndef _ATCP_CONG_H
#define _ATCP_CONG_H

#include <linux/inet_diag.h>
#include <linux/list.h>
#include <linux/module.h>

#include "atcp.h"

#define ATCP_CA_NAME_MAX	16
#define ATCP_CA_PRIV_SIZE	(13 * sizeof(u64))	/* as->ca_priv */
#define ATCP_INFINITE_SSTHRESH	0x7fffffff

/* The congestion states, as Linux's TCP_CA_* (tcpi_ca_state). */
enum atcp_ca_state {
	ATCP_CA_OPEN = 0,	/* nothing suspect */
	ATCP_CA_DISORDER = 1,	/* SACK or duplicate ACKs seen */
	ATCP_CA_CWR = 2,	/* window reduced (ECN, local congestion) */
	ATCP_CA_RECOVERY = 3,	/* fast recovery (RFC 5681 §3.2, 6582, 6675) */
	ATCP_CA_LOSS = 4,	/* after a retransmission timeout */
};

enum atcp_ca_event {
	ATCP_CA_EVENT_TX_START,		/* first transmission after idle */
	ATCP_CA_EVENT_CWND_RESTART,	/* restart after idle (RFC 5681 §4.1) */
	ATCP_CA_EVENT_COMPLETE_CWR,	/* end of a window reduction */
	ATCP_CA_EVENT_LOSS,		/* retransmission timeout */
	ATCP_CA_EVENT_ECN_NO_CE,	/* ECT segment without CE */
	ATCP_CA_EVENT_ECN_IS_CE,	/* CE mark received (RFC 3168) */
};

/* What an ACK acknowledged, for pkts_acked(). */
struct atcp_ack_sample {
	u32 pkts_acked;		/* segments newly acknowledged */
	s32 rtt_us;		/* RTT sample of this ACK, -1 if none */
	u32 in_flight;		/* segments in flight before this ACK */
};

/* A delivery rate sample (draft-cheng-iccrg-delivery-rate-estimation). */
struct atcp_rate_sample {
	u64 prior_mstamp;	/* when the delivered count started, us */
	u32 prior_delivered;
	s32 delivered;		/* segments delivered in the interval */
	long interval_us;
	u32 acked_sacked;	/* segments acked or SACKed by this ACK */
	u32 prior_in_flight;
	s32 rtt_us;
	int losses;		/* segments marked lost by this ACK */
	bool is_app_limited;
};

struct atcp_congestion_ops {
	/* new ssthresh after a loss (required) */
	u32 (*ssthresh)(struct sock *sk);
	/* grow cwnd for acked segments (required unless cong_control) */
	void (*cong_avoid)(struct sock *sk, u32 ack, u32 acked);
	/* the congestion state is about to change */
	void (*set_state)(struct sock *sk, u8 new_state);
	void (*cwnd_event)(struct sock *sk, enum atcp_ca_event ev);
	/* after each ACK that acknowledged something: the RTT */
	void (*pkts_acked)(struct sock *sk, const struct atcp_ack_sample *s);
	/* cwnd to restore when a loss turns out spurious */
	u32 (*undo_cwnd)(struct sock *sk);
	/* instead of ssthresh/cong_avoid: all cwnd decisions, per ACK */
	void (*cong_control)(struct sock *sk, const struct atcp_rate_sample *rs);
	void (*init)(struct sock *sk);
	void (*release)(struct sock *sk);
	/* TCP_CC_INFO: fill info, return its length (as Linux's get_info;
	 * none: the option answers with nothing, as for Reno and CUBIC)
	 */
	size_t (*get_info)(struct sock *sk, union tcp_cc_info *info);

	char name[ATCP_CA_NAME_MAX];
	struct module *owner;
	struct list_head list;		/* registered algorithms */
};

int atcp_register_congestion_control(struct atcp_congestion_ops *ca);
void atcp_unregister_congestion_control(struct atcp_congestion_ops *ca);

/* Helpers for algorithms, as RFC 5681 §3.1 and RFC 3465 describe them. */
u32 atcp_slow_start(struct atcp_sock *as, u32 acked);
void atcp_cong_avoid_ai(struct atcp_sock *as, u32 w, u32 acked);
bool atcp_is_cwnd_limited(const struct sock *sk);
u32 atcp_reno_ssthresh(struct sock *sk);
void atcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked);
u32 atcp_reno_undo_cwnd(struct sock *sk);

static inline void *atcp_ca(const struct sock *sk)
{
	return (void *)atcp_sk(sk)->ca_priv;
}

static inline bool atcp_in_slow_start(const struct atcp_sock *as)
{
	return as->snd_cwnd < as->snd_ssthresh;
}

#endif /* _ATCP_CONG_H */
