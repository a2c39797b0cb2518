// SPDX-License-Identifier: GPL-2.0
/*
 * atcp offload: generic segmentation (GSO) of atcp super-segments.
 *
 * The queues stay one skb per segment (the scoreboard, RACK and the
 * retransmission code count skbs as segments); only at first transmission
 * a run of full segments goes down as one skb: a header-only head whose
 * frag_list holds clones of the queued segments, gso_size = their length.
 * A device that takes it (veth, loopback) passes it whole to the peer,
 * which receives one large segment; any other is segmented by the stack
 * (validate_xmit_skb -> inet_gso_segment) through atcp_gso_segment().
 *
 * The GSO type is SKB_GSO_SCTP: the stack segments by IP protocol number,
 * the type only gates the device features, and NETIF_F_GSO_SCTP is offered
 * by software devices alone.  SKB_GSO_TCPV4 or SKB_GSO_UDP_L4 would be
 * segmented by NICs as TCP or UDP.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/protocol.h>

#include "atcp.h"
#include "compat.h"

#define ATCP_GSO_TYPE	SKB_GSO_SCTP
#define ATCP_GSO_MAX_TRUESIZE	(64 * 1024)

static bool atcp_gso = true;
module_param_named(gso, atcp_gso, bool, 0644);
MODULE_PARM_DESC(gso, "Send runs of segments as one GSO skb (default 1)");

/* Segment an atcp super-segment: each piece a segment of its own, its
 * sequence number advanced, FIN and PSH on the last only, CWR on the
 * first only (as TSO does, RFC 3168 §6.1.2), its checksum set up.
 * skb->data is at the atcp header (inet_gso_segment()).
 */
static struct sk_buff *atcp_gso_segment(struct sk_buff *skb,
					netdev_features_t features)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct sk_buff *segs, *seg;
	struct tcphdr *th;
	unsigned int thlen, mss, len;
	__wsum pseudo;
	u32 seq;

	if (!(skb_shinfo(skb)->gso_type & ATCP_GSO_TYPE) ||
	    !pskb_may_pull(skb, sizeof(*th)))
		return ERR_PTR(-EINVAL);
	th = tcp_hdr(skb);
	thlen = th->doff * 4;
	mss = skb_shinfo(skb)->gso_size;
	if (thlen < sizeof(*th) || !pskb_may_pull(skb, thlen) ||
	    skb->len - thlen <= mss)
		return ERR_PTR(-EINVAL);
	th = tcp_hdr(skb);
	seq = ntohl(th->seq);

	__skb_pull(skb, thlen);
	segs = skb_segment(skb, features);
	if (IS_ERR_OR_NULL(segs))
		return segs;

	for (seg = segs; seg; seg = seg->next) {
		th = tcp_hdr(seg);
		len = seg->len - skb_transport_offset(seg);
		th->seq = htonl(seq);
		seq += len - thlen;
		if (seg != segs)
			th->cwr = 0;
		if (seg->next) {
			th->fin = 0;
			th->psh = 0;
		}
		/* the pseudo-header with our protocol (RFC 9293 §3.1) */
		pseudo = csum_tcpudp_nofold(iph->saddr, iph->daddr, len,
					    iph->protocol, 0);
		th->check = ~csum_fold(pseudo);
		if (seg->ip_summed != CHECKSUM_PARTIAL)
			th->check = gso_make_checksum(seg, pseudo);
	}
	return segs;
}

static const struct net_offload atcp_offload = {
	.callbacks = {
		.gso_segment	= atcp_gso_segment,
	},
};

/* Octets of a run: within an IP datagram and the device's GSO size. */
static u32 atcp_gso_max_bytes(const struct sock *sk)
{
	return min_t(u32, sk->sk_gso_max_size, 65536) - ATCP_MAX_HEADER - 1;
}

/* The route's device allows software GSO (not `ethtool -K gso off`). */
static bool atcp_gso_usable(const struct sock *sk)
{
	return READ_ONCE(atcp_gso) &&
	       (sk->sk_route_caps & (NETIF_F_GSO | NETIF_F_GSO_SCTP)) ==
	       (NETIF_F_GSO | NETIF_F_GSO_SCTP);
}

/*
 * Unsent octets worth a push from sendmsg() before the write ends: a
 * whole run when runs can be sent, else (0) every full segment.
 */
u32 atcp_gso_push_goal(const struct sock *sk)
{
	return atcp_gso_usable(sk) ? atcp_gso_max_bytes(sk) : 0;
}

/*
 * May skb, sent for the first time right after the n segments of the run
 * that starts with first and ends with last, join it?  Data segments
 * only, each as long as the first (the last may be shorter), within the
 * device's GSO limits and 64 KB of memory (the receiver's backlog takes
 * one such skb beyond its limit, input.c); a segment with PSH ends a run
 * (its flags stay as sent one by one); not FIN, SYN nor urgent data,
 * whose headers differ.
 */
bool atcp_gso_can_join(struct sock *sk, const struct sk_buff *first,
		       const struct sk_buff *last, int n,
		       const struct sk_buff *skb)
{
	const struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	if (!atcp_gso_usable(sk) || !skb->len || skb_cloned(skb) ||
	    (cb->flags & (ATCP_SYN | ATCP_FIN)) || atcp_sk(sk)->urg_pending)
		return false;
	if (!first)
		return true;
	return last->len == first->len && skb->len <= first->len &&
	       !(ATCP_SKB_CB(last)->flags & ATCP_PSH) &&
	       n < sk->sk_gso_max_segs &&
	       (n + 1) * first->len <= atcp_gso_max_bytes(sk) &&
	       (n + 1) * skb->truesize <= ATCP_GSO_MAX_TRUESIZE;
}

/*
 * Send the n segments from first on (already on the retransmission queue,
 * consecutive) as one skb.  Without memory for it, one by one.
 */
void atcp_gso_xmit(struct sock *sk, struct sk_buff *first, int n)
{
	struct sk_buff *head, *skb = first, *c, **tail;
	struct atcp_skb_cb *cb;
	int i;

	if (n == 1)
		goto one_by_one;
	head = alloc_skb(ATCP_MAX_HEADER, GFP_ATOMIC);
	if (!head)
		goto one_by_one;
	skb_reserve(head, ATCP_MAX_HEADER);
	cb = ATCP_SKB_CB(head);
	*cb = *ATCP_SKB_CB(first);
	tail = &skb_shinfo(head)->frag_list;
	for (i = 0; i < n; i++, skb = skb->next) {
		c = skb_clone(skb, GFP_ATOMIC);
		if (!c) {
			kfree_skb(head);
			skb = first;
			goto one_by_one;
		}
		*tail = c;
		tail = &c->next;
		head->len += c->len;
		head->data_len += c->len;
		head->truesize += c->truesize;
		cb->flags |= ATCP_SKB_CB(skb)->flags;	/* PSH of the last */
		cb->end_seq = ATCP_SKB_CB(skb)->end_seq;
	}
	skb_shinfo(head)->gso_size = first->len;
	skb_shinfo(head)->gso_segs = n;
	skb_shinfo(head)->gso_type = ATCP_GSO_TYPE;
	atcp_transmit_skb(sk, head, false);
	return;

one_by_one:
	for (i = 0; i < n; i++, skb = skb->next)
		atcp_transmit_skb(sk, skb, true);
}

int atcp_offload_init(void)
{
	return inet_add_offload(&atcp_offload, atcp_ipproto);
}

void atcp_offload_exit(void)
{
	inet_del_offload(&atcp_offload, atcp_ipproto);
}
