// SPDX-License-Identifier: GPL-2.0
/*
 * Reading SACK blocks (RFC 2018 §3, the sender's part of RFC 6675 §4):
 * validate them, recognize a D-SACK (RFC 2883 §4), and mark the
 * segments they cover SACKed on the scoreboard (recovery.h).  Kept cheap
 * with thousands of segments in flight: the blocks the previous ACK
 * carried are not walked again (as Linux's recv_sack_cache), and the
 * walk to a block starts from the nearest of the queue's head, its tail
 * and where the last walk ended, so an ACK that extends a block costs
 * what it newly SACKs.
 */
#include <linux/skbuff.h>
#include <linux/sort.h>
#include <net/sock.h>

#include "atcp.h"
#include "atcp_cong.h"

static u32 seq_dist(u32 a, u32 b)
{
	return seq_lt(a, b) ? b - a : a - b;
}

/* The first segment of the queue that ends after seq, or NULL. */
static struct sk_buff *atcp_sack_seek(struct atcp_sock *as, u32 seq)
{
	struct sk_buff_head *q = &as->rtx_queue;
	struct sk_buff *head = skb_peek(q), *tail = skb_peek_tail(q);
	struct sk_buff *skb = head, *hint = as->loss.sack_hint;
	u32 best;

	if (!head)
		return NULL;
	best = seq_dist(seq, ATCP_SKB_CB(head)->seq);
	if (seq_dist(seq, ATCP_SKB_CB(tail)->seq) < best) {
		skb = tail;
		best = seq_dist(seq, ATCP_SKB_CB(tail)->seq);
	}
	if (hint && seq_dist(seq, ATCP_SKB_CB(hint)->seq) < best)
		skb = hint;
	/* back to a segment that starts at or before seq ... */
	while (skb != head && seq_gt(ATCP_SKB_CB(skb)->seq, seq))
		skb = skb->prev;
	/* ... then forward to the one that ends after it */
	while (skb && !seq_gt(ATCP_SKB_CB(skb)->end_seq, seq))
		skb = skb_queue_is_last(q, skb) ? NULL : skb->next;
	return skb;
}

/* RFC 6675 §4 (Update()): skb is SACKed; RFC 8985 §6.2 step 3: one not
 * retransmitted below the highest SACKed shows reordering.
 */
static void atcp_sacktag_one(struct sock *sk, struct sk_buff *skb,
			     u32 prior_high, u64 now)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u8 s = cb->sacked;

	if (s & ATCP_SKB_SACKED)
		return;
	if (s & ATCP_SKB_LOST) {
		if (as->lost_out)
			as->lost_out--;
		if (!(s & ATCP_SKB_RETRANS) && l->lost_pending)
			l->lost_pending--;
	}
	if ((s & ATCP_SKB_RETRANS) && as->retrans_out)
		as->retrans_out--;
	if (!(s & ATCP_SKB_EVER_RETRANS) && as->sacked_out &&
	    seq_lt(cb->end_seq, prior_high)) {
		u32 degree = (prior_high - cb->seq) / max_t(u32, as->mss, 1);

		if (!l->reord_seen || degree + 1 > as->reordering)
			atcp_inc(sock_net(sk), ATCP_MIB_TCPSACKREORDER);
		l->reord_seen = true;
		as->reordering = clamp_t(u32, degree + 1, as->reordering,
					 300);
	}
	cb->sacked = (s & ATCP_SKB_EVER_RETRANS) | ATCP_SKB_SACKED;
	as->sacked_out++;
	l->delivered++;
	if (seq_gt(cb->end_seq, l->highest_sack) || as->sacked_out == 1)
		l->highest_sack = cb->end_seq;
	atcp_rack_update(sk, skb, now);
}

/* Mark SACKed the segments wholly inside [start, end). */
static void atcp_sacktag_range(struct sock *sk, u32 start, u32 end,
			       u32 prior_high, u64 now)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb = atcp_sack_seek(as, start);

	for (; skb; skb = skb_queue_is_last(&as->rtx_queue, skb) ?
			  NULL : skb->next) {
		struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

		if (!seq_lt(cb->seq, end))
			break;
		as->loss.sack_hint = skb;
		if (seq_geq(cb->seq, start) && seq_leq(cb->end_seq, end))
			atcp_sacktag_one(sk, skb, prior_high, now);
	}
}

/*
 * A D-SACK (RFC 2883 §4): data that arrived twice.  If it was one of
 * our retransmissions, one fewer may have been needed; when none was,
 * the reduction is undone (atcp_loss_ack_end()).
 */
static void atcp_dsack_seen(struct sock *sk, u32 start, u32 end)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	u32 segs = DIV_ROUND_UP(end - start, max_t(u32, as->mss, 1));

	l->dsack = true;
	l->dsack_start = start;
	l->dsack_end = end;
	atcp_inc(sock_net(sk), ATCP_MIB_TCPDSACKRECV);
	atcp_rack_dsack(sk);
	if (l->undo_valid && l->undo_retrans > 0 &&
	    seq_gt(end, l->undo_marker)) {
		l->undo_retrans -= min_t(u32, max(segs, 1U), l->undo_retrans);
		if (!l->undo_retrans)
			l->undo_now = true;
	}
}

static int atcp_sack_cmp(const void *a, const void *b)
{
	const struct atcp_sack_block *x = a, *y = b;

	return seq_lt(x->start, y->start) ? -1 : x->start != y->start;
}

/* What of [*start, *end) the previous ACK's blocks did not cover;
 * false if they covered all of it.
 */
static bool atcp_sack_uncached(struct atcp_loss *l, u32 *start, u32 *end)
{
	int i;

	for (i = 0; i < l->ncache; i++) {
		u32 cs = l->cache[i].start, ce = l->cache[i].end;

		if (seq_leq(cs, *start) && seq_geq(ce, *end))
			return false;
		if (seq_leq(cs, *start) && seq_gt(ce, *start))
			*start = ce;		/* grew on the right */
		else if (seq_geq(ce, *end) && seq_lt(cs, *end))
			*end = cs;		/* grew on the left */
	}
	return seq_lt(*start, *end);
}

/*
 * The SACK option of an arriving ACK (RFC 2018 §3), read before SND.UNA
 * moves to its SEG.ACK.  Blocks outside SND.UNA..SND.NXT are ignored, as
 * RFC 2018 §5 allows; the first block is a D-SACK if it lies below
 * SEG.ACK or within the second (RFC 2883 §4).
 */
void atcp_sacktag(struct sock *sk, struct sk_buff *ack_skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_loss *l = &as->loss;
	const struct tcphdr *th = tcp_hdr(ack_skb);
	u32 ack = ATCP_SKB_CB(ack_skb)->ack_seq;
	struct atcp_sack_block blk[ATCP_MAX_SACKS];
	u32 prior_high = l->highest_sack;
	int optlen = th->doff * 4 - ATCP_HDR_LEN;
	int i, n = 0, first = 0;
	struct atcp_opts o;
	u64 now;

	if (optlen <= 0 ||
	    atcp_parse_options((const u8 *)(th + 1), optlen, &o) ||
	    !o.num_sacks)
		return;
	if (seq_lt(o.sacks[0].start, ack) ||
	    (o.num_sacks > 1 &&
	     seq_geq(o.sacks[0].start, o.sacks[1].start) &&
	     seq_leq(o.sacks[0].end, o.sacks[1].end))) {
		if (seq_lt(o.sacks[0].start, o.sacks[0].end) &&
		    !seq_gt(o.sacks[0].end, as->snd_nxt))
			atcp_dsack_seen(sk, o.sacks[0].start, o.sacks[0].end);
		first = 1;
	}
	for (i = first; i < o.num_sacks; i++) {
		u32 s = o.sacks[i].start, e = o.sacks[i].end;

		if (!seq_lt(s, e) || seq_gt(e, as->snd_nxt) ||
		    seq_lt(s, as->snd_una)) {
			atcp_inc(sock_net(sk), ATCP_MIB_TCPSACKDISCARD);
			continue;
		}
		if (!seq_gt(e, ack))
			continue;	/* the ACK itself covers it */
		blk[n++] = o.sacks[i];
	}
	sort(blk, n, sizeof(blk[0]), atcp_sack_cmp, NULL);
	now = atcp_sk(sk)->clock_us;	/* the ACK's arrival */
	for (i = 0; i < n; i++) {
		u32 s = blk[i].start, e = blk[i].end;

		if (atcp_sack_uncached(l, &s, &e))
			atcp_sacktag_range(sk, s, e, prior_high, now);
	}
	memcpy(l->cache, blk, n * sizeof(blk[0]));
	l->ncache = n;
}
