// SPDX-License-Identifier: GPL-2.0
/*
 * Explicit Congestion Notification (RFC 3168 §6.1), as Linux's tcp_ecn:
 * net.atcp.ecn 0 off, 1 request it on outgoing connections and accept it
 * on incoming ones, 2 (the default) accept it only.
 *
 *   negotiation (§6.1.1)  SYN with ECE and CWR; SYN,ACK with ECE only
 *   sender (§6.1.2)       data (not retransmissions, §6.1.5) leaves ECT(0);
 *                         an ACK with ECE reduces the window once per
 *                         window of data (CWR state, the algorithm's
 *                         ssthresh) and the next new data carries CWR
 *   receiver (§6.1.3)     a CE mark makes every ACK carry ECE until a
 *                         segment with CWR arrives
 */
#include <net/inet_ecn.h>

#include "atcp.h"
#include "atcp_cong.h"

/* A socket's SYN (SYN-SENT): an ECN-setup SYN if net.atcp.ecn is 1.
 * A SYN,ACK of a simultaneous open: ECE if the peer's SYN asked for it.
 */
u8 atcp_ecn_syn_flags(struct sock *sk, const struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (sk->sk_state == TCP_SYN_SENT) {
		/* a retransmitted SYN goes without (a path that drops
		 * ECN-setup SYNs, as Linux)
		 */
		as->ecn_flags = READ_ONCE(atcp_sysctl(sk)->ecn) == 1 &&
				!ATCP_SKB_CB(skb)->rtx ? ATCP_ECN_REQUESTED : 0;
		return as->ecn_flags ? ATCP_ECE | ATCP_CWR : 0;
	}
	return (as->ecn_flags & ATCP_ECN_OK) ? ATCP_ECE : 0;
}

/* SYN-SENT receives a SYN,ACK (ECE without CWR) or a SYN (ECE and CWR). */
void atcp_ecn_rcv_syn(struct sock *sk, const struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	u8 f = ATCP_SKB_CB(skb)->flags;
	bool ok;

	if (f & ATCP_ACK)
		ok = (f & (ATCP_ECE | ATCP_CWR)) == ATCP_ECE;
	else
		ok = (f & (ATCP_ECE | ATCP_CWR)) == (ATCP_ECE | ATCP_CWR);
	as->ecn_flags = (as->ecn_flags & ATCP_ECN_REQUESTED) && ok ?
			ATCP_ECN_OK : 0;
}

/* A listener's SYN: ECN-setup (and not itself ECT, as Linux) and allowed. */
bool atcp_ecn_rcv_syn_request(struct sock *listener, const struct sk_buff *skb)
{
	u8 f = ATCP_SKB_CB(skb)->flags;

	return (f & (ATCP_ECE | ATCP_CWR)) == (ATCP_ECE | ATCP_CWR) &&
	       INET_ECN_is_not_ect(ipv4_get_dsfield(ip_hdr(skb))) &&
	       READ_ONCE(atcp_sysctl(listener)->ecn);
}

/*
 * A segment of a synchronized connection leaves: ECT(0) on new data only
 * (§6.1.5: not on retransmissions, pure ACKs or control segments), CWR on
 * the first new data after a reduction, ECE while the peer's CE is not
 * yet answered by its CWR.
 */
void atcp_ecn_send(struct sock *sk, const struct sk_buff *skb, u8 *flags)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	/* SYNs (atcp_ecn_syn_flags()) and RSTs are never ECT (§6.1.1) */
	if (!(as->ecn_flags & ATCP_ECN_OK) ||
	    (*flags & (ATCP_SYN | ATCP_RST))) {
		INET_ECN_dontxmit(sk);
		return;
	}
	if (skb->len && !cb->rtx) {
		INET_ECN_xmit(sk);
		if (as->ecn_flags & ATCP_ECN_QUEUE_CWR) {
			as->ecn_flags &= ~ATCP_ECN_QUEUE_CWR;
			*flags |= ATCP_CWR;
		}
	} else {
		INET_ECN_dontxmit(sk);
	}
	if (as->ecn_flags & ATCP_ECN_DEMAND_CWR)
		*flags |= ATCP_ECE;
}

/* A segment arrives on a synchronized connection (§6.1.3). */
void atcp_ecn_rcv(struct sock *sk, const struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	if (!(as->ecn_flags & ATCP_ECN_OK))
		return;
	if (cb->flags & ATCP_CWR)
		as->ecn_flags &= ~ATCP_ECN_DEMAND_CWR;
	switch (ipv4_get_dsfield(ip_hdr(skb)) & INET_ECN_MASK) {
	case INET_ECN_CE:
		if (!(as->ecn_flags & ATCP_ECN_DEMAND_CWR))
			as->quickack = max_t(u8, as->quickack, 2);
		as->ecn_flags |= ATCP_ECN_DEMAND_CWR;
		atcp_ca_event(sk, ATCP_CA_EVENT_ECN_IS_CE);
		break;
	case INET_ECN_ECT_0:
	case INET_ECN_ECT_1:
		atcp_ca_event(sk, ATCP_CA_EVENT_ECN_NO_CE);
		break;
	}
}

/*
 * An acceptable ACK with ECE (§6.1.2): the congestion window is reduced
 * as for a loss, once per window of data; the next new data says CWR.
 */
void atcp_ecn_ack(struct sock *sk, const struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);

	/* nothing in flight: nothing to reduce (as Linux) */
	if (!(as->ecn_flags & ATCP_ECN_OK) ||
	    !(ATCP_SKB_CB(skb)->flags & ATCP_ECE) ||
	    as->snd_una == as->snd_nxt)
		return;
	if (atcp_ca_enter_cwr(sk))
		as->ecn_flags |= ATCP_ECN_QUEUE_CWR;
}
