// SPDX-License-Identifier: GPL-2.0
/*
 * atcp, the receiver side of SACK: the out-of-order queue, an rbtree of
 * segments by SEG.SEQ (as Linux's out_of_order_queue), and the SACK
 * blocks our ACKs carry about it (RFC 2018 §4), D-SACK included (RFC
 * 2883 §4).  Segments enter and leave the queue in input.c
 * (atcp_ooo_insert(), atcp_ooo_drain()); mem.c collapses and prunes it.
 * Reading the peer's SACK blocks is the sender's business, not this file's.
 */
#include <linux/rbtree.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include "atcp.h"

/* ---- the out-of-order queue ----------------------------------------- */

/* Link skb at a place found by a walk (or after the last segment). */
void atcp_ooo_link(struct sock *sk, struct sk_buff *skb,
		   struct rb_node *parent, struct rb_node **link)
{
	rb_link_node(&skb->rbnode, parent, link);
	rb_insert_color(&skb->rbnode, &atcp_sk(sk)->ooo_queue);
}

/* Link skb just before next, in order (a collapsed copy of next's octets). */
void atcp_ooo_link_before(struct sock *sk, struct sk_buff *next,
			  struct sk_buff *skb)
{
	struct rb_node *parent = &next->rbnode, **link = &parent->rb_left;

	while (*link) {
		parent = *link;
		link = &parent->rb_right;
	}
	atcp_ooo_link(sk, skb, parent, link);
}

/* Take skb out of the queue (the caller frees or moves it). */
void atcp_ooo_erase(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->ooo_last_skb == skb)
		as->ooo_last_skb = skb_rb_prev(skb);
	rb_erase(&skb->rbnode, &as->ooo_queue);
	/* rbnode shares its words with next, prev and dev */
	skb->next = NULL;
	skb->prev = NULL;
	skb->dev = NULL;
}

/* Drop the whole queue, and with it what our SACK blocks described. */
void atcp_ooo_purge(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	struct rb_node *p = rb_first(&as->ooo_queue);

	/* skb_rbtree_purge() is not exported */
	while (p) {
		struct sk_buff *skb = rb_to_skb(p);

		p = rb_next(p);
		rb_erase(&skb->rbnode, &as->ooo_queue);
		kfree_skb(skb);
	}
	as->ooo_last_skb = NULL;
	atcp_sack_reset(sk);
}

/* ---- SACK blocks (RFC 2018 §4) ------------------------------------- */

/* Grow b by seq..end_seq if they touch or overlap; true if they did. */
static bool atcp_sack_extend(struct atcp_sack_block *b, u32 seq, u32 end_seq)
{
	if (seq_gt(seq, b->end) || seq_gt(b->start, end_seq))
		return false;
	if (seq_lt(seq, b->start))
		b->start = seq;
	if (seq_gt(end_seq, b->end))
		b->end = end_seq;
	return true;
}

static void atcp_sack_del(struct atcp_sock *as, int i)
{
	for (; i + 1 < as->num_sacks; i++)
		as->selective_acks[i] = as->selective_acks[i + 1];
	as->num_sacks--;
}

/* The first block grew: fold into it the blocks it now reaches. */
static void atcp_sack_coalesce(struct atcp_sock *as)
{
	struct atcp_sack_block *sp = as->selective_acks;
	int i = 1;

	while (i < as->num_sacks) {
		if (atcp_sack_extend(&sp[0], sp[i].start, sp[i].end))
			atcp_sack_del(as, i);
		else
			i++;
	}
}

/*
 * seq..end_seq was queued out of order (or was a duplicate inside the
 * queue).  RFC 2018 §4: "The first SACK block ... MUST specify the
 * contiguous block of data containing the segment which triggered this
 * ACK"; the others repeat the most recently reported blocks.  So the
 * block it extends (or a new one) moves to the front; a fifth block
 * pushes out the oldest, as Linux does.
 */
void atcp_sack_new_ofo(struct sock *sk, u32 seq, u32 end_seq)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_sack_block *sp = as->selective_acks, b;
	int i, n = as->num_sacks;

	if (!as->sack_ok)
		return;
	for (i = 0; i < n; i++) {
		if (atcp_sack_extend(&sp[i], seq, end_seq)) {
			b = sp[i];
			for (; i > 0; i--)
				sp[i] = sp[i - 1];
			sp[0] = b;
			atcp_sack_coalesce(as);
			return;
		}
	}
	if (n >= ATCP_MAX_SACKS)
		n = ATCP_MAX_SACKS - 1;
	for (i = n; i > 0; i--)
		sp[i] = sp[i - 1];
	sp[0].start = seq;
	sp[0].end = end_seq;
	as->num_sacks = n + 1;
}

/*
 * RCV.NXT advanced: blocks it reached are acknowledged now and leave
 * the list (RFC 2018 §4: a SACK option never reports data below the
 * cumulative ACK, except as a D-SACK).
 */
void atcp_sack_remove(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	int i = 0;

	if (RB_EMPTY_ROOT(&as->ooo_queue)) {
		as->num_sacks = 0;
		return;
	}
	while (i < as->num_sacks) {
		if (!seq_lt(as->rcv_nxt, as->selective_acks[i].start))
			atcp_sack_del(as, i);
		else
			i++;
	}
}

/* Out-of-order data was given up (mem.c): forget every block, as Linux. */
void atcp_sack_reset(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	as->num_sacks = 0;
	as->dsack = false;
}

/*
 * RFC 2883 §4: a duplicate segment seq..end_seq arrived (below RCV.NXT or
 * inside the out-of-order queue): the first block of the next ACK
 * reports it (net.atcp.dsack).
 */
void atcp_dsack_set(struct sock *sk, u32 seq, u32 end_seq)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (!as->sack_ok || !READ_ONCE(atcp_sysctl(sk)->dsack))
		return;
	as->dsack = true;
	as->duplicate_sack.start = seq;
	as->duplicate_sack.end = end_seq;
}

/* More duplicate octets of the same segment: one D-SACK block for them. */
void atcp_dsack_extend(struct sock *sk, u32 seq, u32 end_seq)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (!as->dsack)
		atcp_dsack_set(sk, seq, end_seq);
	else
		atcp_sack_extend(&as->duplicate_sack, seq, end_seq);
}

/*
 * How many SACK blocks fit beside timestamps (40 option octets: 4 alone,
 * 3 with the 12 of timestamps) and, on a segment with payload octets,
 * within the MSS (RFC 6691: options come out of the payload).
 */
static int atcp_sack_room(const struct atcp_sock *as, u32 payload)
{
	int ts = as->tstamp_ok ? atcp_options_len(true, 0) : 0;
	int room = ATCP_MAX_OPT_LEN - ts;

	if (payload)
		room = min_t(int, room,
			     (int)atcp_payload_max(as) - (int)payload);
	if (room < atcp_options_len(false, 1))
		return 0;
	/* NOP, NOP, kind, length; then 8 octets a block */
	return min_t(int, ATCP_MAX_SACKS, (room - 4) / ATCP_OLEN_SACK_BLOCK);
}

/*
 * The SACK blocks of the segment being sent, into out: a pending D-SACK
 * first (RFC 2883 §4, sent once), then the most recent blocks first
 * (RFC 2018 §4).  payload: its octets of data.  Returns how many.
 */
int atcp_sack_blocks(struct sock *sk, struct atcp_sack_block *out,
		     u32 payload)
{
	struct atcp_sock *as = atcp_sk(sk);
	int max, n = 0, i;

	if (!as->num_sacks && !as->dsack)
		return 0;
	max = atcp_sack_room(as, payload);
	if (as->dsack && max) {
		out[n++] = as->duplicate_sack;
		as->dsack = false;
	}
	for (i = 0; i < as->num_sacks && n < max; i++)
		out[n++] = as->selective_acks[i];
	return n;
}

/*
 * Octets the SACK option of the next segment takes, for sizing segments
 * (as tcp_current_mss()): they come out of the MSS.
 */
int atcp_sack_opt_len(const struct sock *sk)
{
	const struct atcp_sock *as = atcp_sk(sk);
	int n = as->num_sacks + as->dsack;

	if (!n)
		return 0;
	n = min(n, atcp_sack_room(as, 0));
	return n ? atcp_options_len(false, n) : 0;
}
