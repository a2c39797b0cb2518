// SPDX-License-Identifier: GPL-2.0
/*
 * atcp memory: the limits Linux TCP keeps (tcp_mem, tcp_rmem, tcp_wmem,
 * tcp_max_orphans), memory pressure, and the receive buffer under
 * pressure: small segments are copied together ("collapsed") and
 * out-of-order data is dropped ("pruned") before in-order data that the
 * offered window admitted (RFC 9293 §3.8.6: a receiver that offers a
 * window should accept what fits in it).
 */
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include "atcp.h"
#include "compat.h"

/* The protocol's memory, in pages, as TCP's (struct proto fields). */
atomic_long_t atcp_memory_allocated;
DEFINE_PER_CPU(int, atcp_fw_alloc);
unsigned long atcp_memory_pressure;	/* jiffies it began, or 0 */
long atcp_mem[3];			/* sysctl mem: low, pressure, high */
int atcp_rmem_init[3];			/* init_net's rmem and wmem at load */
int atcp_wmem_init[3];

/*
 * The defaults Linux computes at boot (tcp_init_mem(), tcp_init()): the
 * protocol may use 1/16 of the buffer pages before pressure, 3/32 at
 * most; one socket's buffers at most 1/128 of that (4 MB to send, 6 MB
 * to receive).
 */
void atcp_mem_init(void)
{
	unsigned long limit = nr_free_buffer_pages() / 16;
	unsigned long share;

	limit = max(limit, 128UL);
	atcp_mem[0] = limit / 4 * 3;
	atcp_mem[1] = limit;
	atcp_mem[2] = atcp_mem[0] * 2;

	share = nr_free_buffer_pages() << (PAGE_SHIFT - 7);
	atcp_wmem_init[0] = PAGE_SIZE;
	atcp_wmem_init[1] = 16384;
	atcp_wmem_init[2] = max(64UL * 1024, min(4UL << 20, share));
	atcp_rmem_init[0] = PAGE_SIZE;
	atcp_rmem_init[1] = 131072;
	atcp_rmem_init[2] = max(131072UL, min(6UL << 20, share));
}

/* sk_mem_schedule() found the protocol over mem[1]: pressure begins. */
void atcp_enter_memory_pressure(struct sock *sk)
{
	unsigned long now = jiffies ? : 1;

	if (READ_ONCE(atcp_memory_pressure))
		return;
	if (!cmpxchg(&atcp_memory_pressure, 0, now))
		atcp_inc(sock_net(sk), ATCP_MIB_MEMORYPRESSURES);
}

/* ... and it ends below mem[0]. */
void atcp_leave_memory_pressure(struct sock *sk)
{
	if (READ_ONCE(atcp_memory_pressure))
		WRITE_ONCE(atcp_memory_pressure, 0);
}

/* ---- orphans ---------------------------------------------------------- */

/* close() left sk to finish on its own: one more orphan in its netns. */
void atcp_orphan_count(struct sock *sk)
{
	atomic_inc(&atcp_pernet(sock_net(sk))->orphans);
	atcp_sk(sk)->orphan_counted = true;
}

void atcp_orphan_uncount(struct sock *sk)
{
	if (!atcp_sk(sk)->orphan_counted)
		return;
	atcp_sk(sk)->orphan_counted = false;
	atomic_dec(&atcp_pernet(sock_net(sk))->orphans);
}

/*
 * Too many orphans (max_orphans; each shift halves the limit, for an
 * orphan that looks stuck), or the protocol over mem[2] with this socket
 * still holding data: the orphan is reset, as Linux's tcp_check_oom().
 */
bool atcp_check_oom(struct sock *sk, int shift)
{
	int orphans = atomic_read(&atcp_pernet(sock_net(sk))->orphans);
	bool too_many, no_mem;

	too_many = (orphans << shift) > READ_ONCE(atcp_sysctl(sk)->max_orphans);
	no_mem = sk->sk_wmem_queued > SOCK_MIN_SNDBUF &&
		 sk_memory_allocated(sk) > sk_prot_mem_limits(sk, 2);
	if (too_many)
		net_info_ratelimited("atcp: too many orphaned sockets\n");
	if (no_mem)
		net_info_ratelimited("atcp: out of memory -- consider tuning net.atcp.mem\n");
	return too_many || no_mem;
}

/* ---- the receive buffer ------------------------------------------------- */

/*
 * An skb whose buffer is more than twice its data: the window offered is
 * half the free buffer (atcp_free_window()), so such skbs can fill the
 * buffer before the window they were sent into.
 */
static bool atcp_skb_wasteful(const struct sk_buff *skb)
{
	return skb->truesize > 2 * skb->len;
}

static u32 data_end(const struct sk_buff *skb)
{
	return ATCP_SKB_CB(skb)->seq + skb->len;
}

/* New copies are skbs of up to one page. */
#define ATCP_COLLAPSE_MAX	SKB_WITH_OVERHEAD(PAGE_SIZE)

/*
 * The receive queue is a list; the out-of-order queue an rbtree by
 * SEG.SEQ (sack.c), passed as q == NULL.  Walking either in order:
 */
static struct sk_buff *rq_first(struct sock *sk, struct sk_buff_head *q)
{
	return q ? skb_peek(q) : skb_rb_first(&atcp_sk(sk)->ooo_queue);
}

static struct sk_buff *rq_next(struct sk_buff_head *q, struct sk_buff *skb)
{
	if (!q)
		return skb_rb_next(skb);
	return skb_queue_is_last(q, skb) ? NULL : skb->next;
}

static struct sk_buff *rq_prev(struct sk_buff_head *q, struct sk_buff *skb)
{
	if (!q)
		return skb_rb_prev(skb);
	return skb_queue_is_first(q, skb) ? NULL : skb->prev;
}

static void rq_unlink(struct sock *sk, struct sk_buff_head *q,
		      struct sk_buff *skb)
{
	if (q)
		__skb_unlink(skb, q);
	else
		atcp_ooo_erase(sk, skb);
}

static void rq_insert_before(struct sock *sk, struct sk_buff_head *q,
			     struct sk_buff *next, struct sk_buff *skb)
{
	if (q)
		__skb_queue_before(q, next, skb);
	else
		atcp_ooo_link_before(sk, next, skb);
}

/* May the octets that follow skb's be copied into its tail room? */
static bool atcp_can_append(struct sk_buff *skb, u32 from)
{
	return skb && data_end(skb) == from &&
	       !(ATCP_SKB_CB(skb)->flags & (ATCP_FIN | ATCP_SYN)) &&
	       !skb_cloned(skb) && !skb_is_nonlinear(skb) &&
	       skb_tailroom(skb) > 0;
}

/*
 * Copy the octets from..end, held by skb and the skbs after it in q, into
 * the tail room of the skb before them, when it continues them, and into
 * compact new skbs put where they were; the old ones are freed.  Returns
 * the first skb after the copied range (NULL at the end of q), or
 * ERR_PTR(-ENOMEM) when no memory could be had (q stays valid).
 */
static struct sk_buff *atcp_collapse_range(struct sock *sk,
					   struct sk_buff_head *q,
					   struct sk_buff *skb, u32 from,
					   u32 end)
{
	struct sk_buff *to = rq_prev(q, skb);

	if (!atcp_can_append(to, from))
		to = NULL;
	while (seq_lt(from, end)) {
		u32 size;

		if (!to || !skb_tailroom(to)) {
			to = alloc_skb(min_t(u32, end - from,
					     ATCP_COLLAPSE_MAX), GFP_ATOMIC);
			if (!to)
				return ERR_PTR(-ENOMEM);
			memset(to->cb, 0, sizeof(struct atcp_skb_cb));
			ATCP_SKB_CB(to)->seq = from;
			ATCP_SKB_CB(to)->end_seq = from;
			ATCP_SKB_CB(to)->flags = ATCP_ACK;
			skb_set_owner_r(to, sk);
			rq_insert_before(sk, q, skb, to);
		}
		size = min_t(u32, end - from, skb_tailroom(to));
		while (size) {
			u32 off = from - ATCP_SKB_CB(skb)->seq;
			u32 n = min(skb->len - off, size);

			/* in range by construction: cannot fail */
			WARN_ON_ONCE(skb_copy_bits(skb, off, skb_put(to, n),
						   n));
			from += n;
			size -= n;
			ATCP_SKB_CB(to)->end_seq = from;
			if (from == data_end(skb)) {
				struct sk_buff *next = rq_next(q, skb);

				rq_unlink(sk, q, skb);
				consume_skb(skb);	/* uncharges it */
				skb = next;
			}
		}
	}
	return skb;
}

/*
 * Collapse the runs of wasteful skbs in q (NULL: the out-of-order queue)
 * that hold contiguous octets (the out-of-order queue may have holes; a
 * FIN stays in its own skb).  In the receive queue, octets before `start'
 * (already read) are left out.  Returns how many skbs were copied.
 */
static int atcp_collapse_queue(struct sock *sk, struct sk_buff_head *q,
			       u32 start)
{
	struct sk_buff *skb = rq_first(sk, q), *last, *next;
	int copied = 0;

	while (skb) {
		unsigned int truesize;
		u32 from, end;
		int n = 1;

		if (!atcp_skb_wasteful(skb) ||
		    (ATCP_SKB_CB(skb)->flags & (ATCP_FIN | ATCP_SYN))) {
			skb = rq_next(q, skb);
			continue;
		}
		from = ATCP_SKB_CB(skb)->seq;
		if (q && seq_lt(from, start))
			from = start;
		/* the run: following wasteful skbs that continue it */
		last = skb;
		truesize = skb->truesize;
		while ((next = rq_next(q, last))) {
			if (ATCP_SKB_CB(next)->seq != data_end(last) ||
			    !atcp_skb_wasteful(next) ||
			    (ATCP_SKB_CB(next)->flags & (ATCP_FIN | ATCP_SYN)))
				break;
			last = next;
			truesize += next->truesize;
			n++;
		}
		end = data_end(last);
		/*
		 * A copy must save memory: a lone skb only when a compact
		 * copy takes less than half of it, so that no skb is copied
		 * twice (every call would otherwise copy every small
		 * segment again, as the queue stays full).
		 */
		if (!seq_lt(from, end) ||
		    (n == 1 && truesize <= 2 * SKB_TRUESIZE(end - from))) {
			skb = rq_next(q, last);
			continue;
		}
		skb = atcp_collapse_range(sk, q, skb, from, end);
		if (IS_ERR(skb))
			break;
		copied += n;
	}
	return copied;
}

static bool atcp_rmem_room(struct sock *sk, struct sk_buff *skb)
{
	return atomic_read(&sk->sk_rmem_alloc) <= sk->sk_rcvbuf &&
	       sk_rmem_schedule(sk, skb, skb->truesize);
}

/*
 * Drop out-of-order data from its far end (it was never acknowledged)
 * until skb fits, as tcp_prune_ofo_queue(); for an out-of-order skb, only
 * what lies after it.  Returns whether anything was dropped.
 */
static bool atcp_prune_ofo_queue(struct sock *sk, struct sk_buff *skb,
				 bool in_order)
{
	struct atcp_sock *as = atcp_sk(sk);
	int goal = sk->sk_rcvbuf >> 3, freed = 0;
	struct sk_buff *p;
	bool pruned = false;

	while ((p = as->ooo_last_skb)) {
		if (!in_order &&
		    !seq_gt(ATCP_SKB_CB(p)->seq, ATCP_SKB_CB(skb)->seq))
			break;
		freed += p->truesize;
		atcp_ooo_erase(sk, p);
		kfree_skb(p);
		pruned = true;
		if (freed >= goal) {
			sk_mem_reclaim(sk);
			if (atcp_rmem_room(sk, skb))
				break;
			freed = 0;
		}
	}
	if (pruned) {
		/* what the SACK blocks said is no longer held: reneging is
		 * allowed (RFC 2018 §8); they start again, as Linux's
		 */
		atcp_sack_reset(sk);
		atcp_inc(sock_net(sk), ATCP_MIB_OFOPRUNED);
		sk_mem_reclaim(sk);
	}
	return pruned;
}

/*
 * May skb be queued (in order, or out of order)?  As Linux's
 * tcp_try_rmem_schedule() and tcp_prune_queue(): while the receive memory
 * is over SO_RCVBUF or the protocol cannot grow, first copy the wasteful
 * skbs of both queues together, then give up out-of-order data.  Data
 * already acknowledged is in the receive queue, which is never dropped.
 */
bool atcp_rmem_admit(struct sock *sk, struct sk_buff *skb, bool in_order)
{
	struct atcp_sock *as = atcp_sk(sk);
	int n;

	if (atcp_rmem_room(sk, skb))
		return true;
	atcp_inc(sock_net(sk), ATCP_MIB_PRUNECALLED);
	n = atcp_collapse_queue(sk, NULL, 0);
	n += atcp_collapse_queue(sk, &sk->sk_receive_queue, as->copied_seq);
	if (n)
		atcp_inc(sock_net(sk), ATCP_MIB_RCVCOLLAPSED);
	sk_mem_reclaim(sk);
	if (atcp_rmem_room(sk, skb))
		return true;
	atcp_prune_ofo_queue(sk, skb, in_order);
	if (atcp_rmem_room(sk, skb))
		return true;
	/*
	 * Over net.atcp.mem[2] the core grants nothing, not even rmem[0]:
	 * in-order data for an empty receive queue is taken anyway, or no
	 * connection could move again (Linux forces the charge here).  It
	 * is charged to the socket beyond what was scheduled, so the pages
	 * are counted once the socket schedules again.
	 */
	if (in_order && skb_queue_empty(&sk->sk_receive_queue) &&
	    atomic_read(&sk->sk_rmem_alloc) <= sk->sk_rcvbuf)
		return true;
	atcp_inc(sock_net(sk), ATCP_MIB_RCVQDROP);
	return false;
}
