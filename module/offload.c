// SPDX-License-Identifier: GPL-2.0
/*
 * atcp offload: generic segmentation (GSO) of atcp super-segments, and
 * generic receive offload (GRO) of in-order segments of a flow.
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
 *
 * GRO (atcp_gro_receive(), atcp_gro_complete()) merges, in a NAPI poll,
 * the in-order full segments of one flow into one skb, as Linux's
 * tcp_gro_receive() merges TCP's: the receive path takes it as one large
 * segment (its header the first one's), GSO type and size set so that a
 * forwarding host segments it again.  veth does GRO when the receiving
 * end has `ethtool -K DEV gro on` (or an XDP program) and the sending end
 * no TSO; loopback never.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/protocol.h>

#include "atcp.h"
#include "compat.h"

#define ATCP_GSO_TYPE	SKB_GSO_SCTP
#define ATCP_GSO_MAX_TRUESIZE	(64 * 1024)

/* 0 never, 1 where the device does GSO, 2 (or more) everywhere */
static unsigned int atcp_gso = 2;
module_param_named(gso, atcp_gso, uint, 0644);
MODULE_PARM_DESC(gso, "Send runs of segments as one GSO skb: 0 never, 1 where the device does GSO, 2 also where it does not, segmented by the stack (default 2, as Linux TCP)");

static bool atcp_gro = true;
module_param_named(gro, atcp_gro, bool, 0644);
MODULE_PARM_DESC(gro, "Merge received in-order segments of a flow (GRO, default 1)");

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

/* Flags a segment may carry to be merged (PSH ends the run); the data
 * offset, the other flags and the window must equal the held segment's.
 */
#define ATCP_GRO_FLAGS_OK	(TCP_FLAG_ACK | TCP_FLAG_PSH | TCP_FLAG_ECE)
#define ATCP_GRO_FLAGS_ALL	(TCP_FLAG_CWR | TCP_FLAG_ECE | TCP_FLAG_URG | \
				 TCP_FLAG_ACK | TCP_FLAG_PSH | TCP_FLAG_RST | \
				 TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_RESERVED_BITS)
/* Flags that end a run at once: the segment goes up with what is held. */
#define ATCP_GRO_FLAGS_END	(ATCP_GRO_FLAGS_ALL & ~(TCP_FLAG_ACK | \
							TCP_FLAG_ECE))

/* The held skb of skb's flow (same addresses, protocol and ports). */
static struct sk_buff *atcp_gro_lookup(struct list_head *head,
				       const struct tcphdr *th)
{
	struct sk_buff *p;

	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		/* inet_gro_receive() compared the addresses; the ports */
		if (*(const u32 *)&th->source != *(const u32 *)&tcp_hdr(p)->source) {
			NAPI_GRO_CB(p)->same_flow = 0;
			continue;
		}
		return p;
	}
	return NULL;
}

/*
 * May segment th (len octets of data, not yet merged) extend the held
 * skb p (its header th2)?  It must continue p's data (SEG.SEQ = p's
 * SEG.SEQ + its length), carry the same ACK, window, data offset and
 * option bytes (timestamps too: Linux's rule), no flag but ACK, PSH and
 * an ECE p has too, no more data than p's first segment, and its IP
 * header must match p's (the compat helper: TTL, TOS, DF, the ID).
 */
static bool atcp_gro_may_merge(struct sk_buff *p, const struct tcphdr *th,
			       const struct tcphdr *th2, unsigned int len)
{
	unsigned int i, thlen = th->doff * 4;
	int flush;

	if ((tcp_flag_word(th) & ATCP_GRO_FLAGS_ALL & ~ATCP_GRO_FLAGS_OK) ||
	    !(tcp_flag_word(th) & TCP_FLAG_ACK))
		return false;
	flush = (__force int)((tcp_flag_word(th) ^ tcp_flag_word(th2)) &
			      ~TCP_FLAG_PSH);
	flush |= (__force int)(th->ack_seq ^ th2->ack_seq);
	for (i = sizeof(*th); i < thlen; i += 4)
		flush |= *(const u32 *)((const u8 *)th + i) ^
			 *(const u32 *)((const u8 *)th2 + i);
	flush |= atcp_gro_network_flush(th, th2, p);
	if (flush)
		return false;
	return len <= skb_shinfo(p)->gso_size &&
	       ntohl(th2->seq) + skb_gro_len(p) == ntohl(th->seq);
}

/*
 * Merge skb into the held skb p: skb, its data from the end of our header
 * on, goes at the end of p's frag_list (the core's skb_gro_receive() is
 * not exported to modules; it would rather move pages, which saves the
 * chain's skb heads but not the copies).  Within 64 KB (an IP datagram)
 * and the device's GRO size, and 64 KB of memory, as a GSO skb (the
 * receiver's backlog takes one such skb beyond its limit); not page-pool
 * pages with others, nor zero-copy buffers.  False: not merged.
 */
static bool atcp_gro_chain(struct sk_buff *p, struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb), len = skb_gro_len(skb);
	struct sk_buff *last = NAPI_GRO_CB(p)->last;

	if (p->pp_recycle != skb->pp_recycle || skb_zcopy(p) ||
	    skb_zcopy(skb) || p->len + len >= GRO_LEGACY_MAX_SIZE ||
	    p->len + len >= atcp_gro_max_size(p) ||
	    p->truesize + skb->truesize > ATCP_GSO_MAX_TRUESIZE)
		return false;
	if (off > skb_headlen(skb)) {
		/* headers read in place from the first page (frag0) */
		unsigned int in_frag = off - skb_headlen(skb);

		skb_frag_off_add(&skb_shinfo(skb)->frags[0], in_frag);
		skb_frag_size_sub(&skb_shinfo(skb)->frags[0], in_frag);
		skb->data_len -= in_frag;
		skb->len -= in_frag;
		off = skb_headlen(skb);
	}
	__skb_pull(skb, off);
	/* p owns it now, and its memory */
	skb->destructor = NULL;
	skb->sk = NULL;
	__skb_header_release(skb);
	if (last == p)
		skb_shinfo(p)->frag_list = skb;
	else
		last->next = skb;
	NAPI_GRO_CB(p)->last = skb;
	NAPI_GRO_CB(p)->count++;
	p->len += len;
	p->data_len += len;
	p->truesize += skb->truesize;
	NAPI_GRO_CB(skb)->same_flow = 1;
	return true;
}

/*
 * gro_receive: merge skb into the held skb of its flow, or hold it to be
 * merged into, or have it go up (NAPI_GRO_CB(skb)->flush).  Returns the
 * held skb to send up now, if any.  skb_gro_offset(skb) is at our header.
 */
static struct sk_buff *atcp_gro_receive(struct list_head *head,
					struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb), thlen, len, mss = 1;
	struct sk_buff *p, *pp = NULL;
	struct tcphdr *th;
	bool end;

	/* Only segments as they came off the wire: a GSO skb of the
	 * sender's (veth) goes up as it is.
	 */
	if (!READ_ONCE(atcp_gro) || NAPI_GRO_CB(skb)->flush ||
	    skb_is_gso(skb))
		goto flush;
	/* the checksum, with our protocol in the pseudo-header */
	if (skb_gro_checksum_validate(skb, atcp_ipproto,
				      inet_gro_compute_pseudo))
		goto flush;
	th = skb_gro_header(skb, off + sizeof(*th), off);
	if (!th)
		goto flush;
	thlen = th->doff * 4;
	if (thlen < sizeof(*th))
		goto flush;
	th = skb_gro_header(skb, off + thlen, off);
	if (!th)
		goto flush;
	skb_gro_pull(skb, thlen);
	skb_gro_postpull_rcsum(skb, th, thlen);
	len = skb_gro_len(skb);

	p = atcp_gro_lookup(head, th);
	if (p && len && atcp_gro_may_merge(p, th, tcp_hdr(p), len) &&
	    atcp_gro_chain(p, skb)) {
		mss = skb_shinfo(p)->gso_size;
		/* a PSH ends the run: the merged header carries it */
		tcp_flag_word(tcp_hdr(p)) |= tcp_flag_word(th) & TCP_FLAG_PSH;
	}
	/* A segment shorter than a full one (or without data), or with a
	 * flag that ends a run, goes up now: alone, or as the end of the
	 * held skb it joined.
	 */
	end = !len || len < mss ||
	      (tcp_flag_word(th) & ATCP_GRO_FLAGS_END);
	if (p && (!NAPI_GRO_CB(skb)->same_flow || end))
		pp = p;
	NAPI_GRO_CB(skb)->flush |= end;
	return pp;

flush:
	NAPI_GRO_CB(skb)->flush = 1;
	return NULL;
}

/*
 * gro_complete: the held skb of several segments goes up (thoff: our
 * header's offset).  Its checksum is verified (each segment's was): it
 * becomes CHECKSUM_PARTIAL over the new length, as a GSO skb sent from
 * this host, so that forwarding segments it again (atcp_gso_segment())
 * and the receive path takes it as checked.  gso_segs tells the receive
 * path how many segments it stands for.
 */
static int atcp_gro_complete(struct sk_buff *skb, int thoff)
{
	/* GRO took IPv4 without options only: the IP header just before */
	const struct iphdr *iph = (const struct iphdr *)
				  (skb->data + thoff - sizeof(struct iphdr));
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);
	struct net *net = dev_net(skb->dev);
	u16 segs = NAPI_GRO_CB(skb)->count;

	th->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr,
				       skb->len - thoff, atcp_ipproto, 0);
	skb->csum_start = (unsigned char *)th - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb->ip_summed = CHECKSUM_PARTIAL;
	if (skb->encapsulation)
		skb->inner_transport_header = skb->transport_header;
	skb_shinfo(skb)->gso_type |= ATCP_GSO_TYPE;
	skb_shinfo(skb)->gso_segs = segs;
	atcp_inc(net, ATCP_MIB_GROPACKETS);
	atcp_add(net, ATCP_MIB_GROSEGMENTS, segs);
	return 0;
}

static const struct net_offload atcp_offload = {
	.callbacks = {
		.gso_segment	= atcp_gso_segment,
		.gro_receive	= atcp_gro_receive,
		.gro_complete	= atcp_gro_complete,
	},
};

/*
 * sk_setup_caps(), and with gso=2 runs even where the device does no GSO
 * (`ethtool -K DEV gso off`): the stack then segments a run at the device
 * (validate_xmit_skb), which costs less than a trip down the stack per
 * segment.  Linux TCP does the same: sk_setup_caps() gives TCP sockets
 * NETIF_F_GSO whatever the device says (since 5.17).  Not through IPsec
 * (dst->header_len), where sk_setup_caps() takes GSO away.
 */
void atcp_setup_caps(struct sock *sk, struct dst_entry *dst)
{
	sk_setup_caps(sk, dst);
	if (READ_ONCE(atcp_gso) >= 2 && !dst->header_len)
		sk->sk_route_caps |= NETIF_F_GSO | NETIF_F_GSO_SOFTWARE;
}

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
 * The page fragments of the n segments from first on, as few as they
 * coalesce into (a segment's data continuing the last one's in the same
 * page joins it), or -1 if they do not fit one skb or a segment has
 * linear data or user pages (MSG_ZEROCOPY) of its own.
 */
static int atcp_gso_count_frags(struct sk_buff *first, int n)
{
	struct sk_buff *skb = first;
	const skb_frag_t *last = NULL;
	int i, f, frags = 0;

	for (i = 0; i < n; i++, skb = skb->next) {
		const struct skb_shared_info *si = skb_shinfo(skb);

		if (skb_headlen(skb) || skb_zcopy(skb) || si->frag_list)
			return -1;
		for (f = 0; f < si->nr_frags; f++) {
			const skb_frag_t *fr = &si->frags[f];

			if (!last || skb_frag_page(last) != skb_frag_page(fr) ||
			    skb_frag_off(last) + skb_frag_size(last) !=
			    skb_frag_off(fr))
				frags++;
			last = fr;
		}
	}
	return frags <= MAX_SKB_FRAGS ? frags : -1;
}

/* head takes a reference on each page of the segments' data. */
static void atcp_gso_fill_frags(struct sk_buff *head,
				const struct sk_buff *first, int n)
{
	struct skb_shared_info *hi = skb_shinfo(head);
	const struct sk_buff *skb = first;
	int i, f;

	for (i = 0; i < n; i++, skb = skb->next) {
		const struct skb_shared_info *si = skb_shinfo(skb);

		for (f = 0; f < si->nr_frags; f++) {
			const skb_frag_t *fr = &si->frags[f];
			skb_frag_t *last = hi->nr_frags ?
					   &hi->frags[hi->nr_frags - 1] : NULL;

			if (last && skb_frag_page(last) == skb_frag_page(fr) &&
			    skb_frag_off(last) + skb_frag_size(last) ==
			    skb_frag_off(fr)) {
				skb_frag_size_add(last, skb_frag_size(fr));
				continue;
			}
			get_page(skb_frag_page(fr));
			skb_fill_page_desc(head, hi->nr_frags,
					   skb_frag_page(fr), skb_frag_off(fr),
					   skb_frag_size(fr));
		}
		head->len += skb->len;
		head->data_len += skb->len;
	}
	head->truesize += head->data_len;
}

/*
 * Send the n segments from first on (already on the retransmission queue,
 * consecutive) as one skb: a header and, as Linux's TSO skbs, the pages
 * of their data (a few fragments, each referenced), or, where those do
 * not fit, clones of the segments on its frag_list.  Without memory for
 * it, one by one.
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
	if (atcp_gso_count_frags(first, n) >= 0) {
		atcp_gso_fill_frags(head, first, n);
		for (i = 0; i < n; i++, skb = skb->next) {
			cb->flags |= ATCP_SKB_CB(skb)->flags;	/* PSH */
			cb->end_seq = ATCP_SKB_CB(skb)->end_seq;
		}
		goto send;
	}
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
send:
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
