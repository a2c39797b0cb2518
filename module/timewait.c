// SPDX-License-Identifier: GPL-2.0
/*
 * atcp TIME-WAIT (RFC 9293 §3.6, §3.10.7.4): when a connection enters
 * TIME-WAIT its socket is freed and a small entry keeps the 4-tuple, the
 * sequence numbers needed to re-ACK a retransmitted FIN, and a 2*MSL
 * hrtimer.  Entries are found by 4-tuple (segment arrival) and by local
 * port (bind conflicts).
 */
#include <linux/hrtimer.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/seq_file.h>
#include <net/netns/hash.h>
#include <net/sock.h>

#include "atcp.h"
#include "compat.h"

#define TW_HASH_BITS	12

struct atcp_tw {
	struct hlist_node node;		/* by 4-tuple */
	struct hlist_node pnode;	/* by local port */
	refcount_t refcnt;
	possible_net_t net;
	__be32 laddr, raddr;
	__be16 lport, rport;
	int bound_dev_if;
	u32 snd_nxt;			/* SND.NXT: our FIN + 1 */
	u32 rcv_nxt;			/* RCV.NXT: their FIN + 1 */
	u16 rcv_wnd;
	u8 tos;
	bool hashed;
	bool tstamp_ok;			/* RFC 7323 §3.2: TSopt on its ACKs */
	u32 ts_recent;			/* TS.Recent */
	u32 ts_offset;			/* the connection's TSval offset */
	struct hrtimer timer;		/* 2*MSL */
	struct rcu_head rcu;
};

struct atw_chain {
	spinlock_t lock;		/* writers of the chain */
	struct hlist_head head;
};

static struct atw_chain atw_hash[1 << TW_HASH_BITS];
static struct atw_chain atw_phash[1 << TW_HASH_BITS];
static struct kmem_cache *atw_cachep;
static atomic_t atw_count = ATOMIC_INIT(0);

static struct atw_chain *atw_chain(const struct net *net, __be32 laddr,
				   __be16 lport, __be32 raddr, __be16 rport)
{
	u32 h = jhash_3words((__force u32)laddr, (__force u32)raddr,
			     ((u32)(__force u16)lport << 16) |
			     (__force u16)rport, net_hash_mix(net));

	return &atw_hash[h & ((1U << TW_HASH_BITS) - 1)];
}

static struct atw_chain *atw_pchain(const struct net *net, u16 port)
{
	return &atw_phash[(port + net_hash_mix(net)) &
			 ((1U << TW_HASH_BITS) - 1)];
}

static void atw_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(atw_cachep, container_of(head, struct atcp_tw, rcu));
}

void atcp_tw_put(struct atcp_tw *tw)
{
	if (refcount_dec_and_test(&tw->refcnt)) {
		atomic_dec(&atw_count);
		call_rcu(&tw->rcu, atw_free_rcu);
	}
}

/*
 * Remove from both tables.  True for the one caller that did: it then owns
 * the tables' reference.  The timer is armed only while the entry is in
 * the tables (under its chain's lock), so once out it is never re-armed.
 */
static bool atw_unhash(struct atcp_tw *tw)
{
	struct net *net = read_pnet(&tw->net);
	struct atw_chain *c = atw_chain(net, tw->laddr, tw->lport, tw->raddr,
				      tw->rport);
	struct atw_chain *pc = atw_pchain(net, ntohs(tw->lport));
	bool was;

	spin_lock_bh(&pc->lock);
	spin_lock(&c->lock);
	was = tw->hashed;
	if (was) {
		hlist_del_rcu(&tw->node);
		hlist_del(&tw->pnode);
		tw->hashed = false;
	}
	spin_unlock(&c->lock);
	spin_unlock_bh(&pc->lock);
	if (was)
		atomic_dec(&atcp_pernet(net)->tw_count);
	return was;
}

/* 2 MSL are over: the entry goes (RFC 9293 §3.10.7.4). */
static enum hrtimer_restart atw_timer_fn(struct hrtimer *t)
{
	struct atcp_tw *tw = container_of(t, struct atcp_tw, timer);

	if (atw_unhash(tw))
		atcp_tw_put(tw);
	return HRTIMER_NORESTART;
}

/* (Re)start the 2 MSL timer; the caller holds the entry's chain lock. */
static void atw_arm(struct atcp_tw *tw, const struct net *net)
{
	u64 ms = 2ULL * atcp_pernet(net)->sysctl.msl_ms;

	hrtimer_start(&tw->timer, ms_to_ktime(ms), HRTIMER_MODE_REL_SOFT);
}

/*
 * A retransmitted FIN restarts the 2 MSL.  Only a timer still queued is
 * restarted: one whose callback already runs is taking the entry out, and
 * re-arming it then would leave a timer behind on a freed entry.
 */
static void atw_rearm(struct atcp_tw *tw, const struct net *net)
{
	struct atw_chain *c = atw_chain(net, tw->laddr, tw->lport, tw->raddr,
				      tw->rport);

	spin_lock_bh(&c->lock);
	if (tw->hashed && hrtimer_try_to_cancel(&tw->timer) == 1)
		atw_arm(tw, net);
	spin_unlock_bh(&c->lock);
}

/*
 * End an entry before its time (RST, a new SYN, netns or module exit).
 * The caller holds a reference.  A timer callback that runs meanwhile
 * finds the entry out of the tables; hrtimer_cancel() waits for it.
 */
static void atw_kill(struct atcp_tw *tw)
{
	if (!atw_unhash(tw))
		return;		/* the timer, or another killer, was first */
	hrtimer_cancel(&tw->timer);
	atcp_tw_put(tw);
}

/*
 * RFC 9293 §3.10.7.4: enter TIME-WAIT.  The entry replaces sk in the
 * tables (inserted before sk leaves ehash, so the 4-tuple is never free),
 * then sk is closed.
 */
void atcp_time_wait(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct net *net = sock_net(sk);
	struct atw_chain *c, *pc;
	struct atcp_tw *tw;

	/* At most max_tw_buckets entries: past it the connection closes
	 * without TIME-WAIT, as Linux (TCPTimeWaitOverflow).
	 */
	tw = NULL;
	if (atomic_inc_return(&atcp_pernet(net)->tw_count) >
	    READ_ONCE(atcp_pernet(net)->sysctl.max_tw_buckets)) {
		atcp_inc(net, ATCP_MIB_TWOVERFLOW);
		net_info_ratelimited("atcp: time wait bucket table overflow\n");
	} else {
		tw = kmem_cache_alloc(atw_cachep, GFP_ATOMIC);
	}
	if (!tw)
		atomic_dec(&atcp_pernet(net)->tw_count);
	if (tw) {
		write_pnet(&tw->net, net);
		tw->laddr = sk->sk_rcv_saddr;
		tw->raddr = sk->sk_daddr;
		tw->lport = inet_sk(sk)->inet_sport;
		tw->rport = sk->sk_dport;
		tw->bound_dev_if = sk->sk_bound_dev_if;
		tw->snd_nxt = as->snd_nxt;
		tw->rcv_nxt = as->rcv_nxt;
		tw->rcv_wnd = min_t(u32, as->rcv_wnd >> as->rcv_wscale,
				    U16_MAX);
		tw->tos = inet_sk(sk)->tos;
		tw->tstamp_ok = as->tstamp_ok;
		tw->ts_recent = as->ts_recent;
		tw->ts_offset = as->ts_offset;
		refcount_set(&tw->refcnt, 1);	/* the tables' reference */
		atomic_inc(&atw_count);
		atcp_hrtimer_setup(&tw->timer, atw_timer_fn);

		c = atw_chain(net, tw->laddr, tw->lport, tw->raddr, tw->rport);
		pc = atw_pchain(net, ntohs(tw->lport));
		spin_lock_bh(&pc->lock);
		spin_lock(&c->lock);
		hlist_add_head_rcu(&tw->node, &c->head);
		hlist_add_head(&tw->pnode, &pc->head);
		tw->hashed = true;
		atw_arm(tw, net);	/* armed before anyone can find it */
		spin_unlock(&c->lock);
		spin_unlock_bh(&pc->lock);
	}
	atcp_set_state(sk, TCP_TIME_WAIT);
	atcp_done(sk);
}

struct atcp_tw *atcp_tw_lookup(struct net *net, __be32 saddr, __be16 sport,
			       __be32 daddr, __be16 dport)
{
	struct atw_chain *c = atw_chain(net, daddr, dport, saddr, sport);
	struct atcp_tw *tw;

	rcu_read_lock();
	hlist_for_each_entry_rcu(tw, &c->head, node) {
		if (tw->laddr == daddr && tw->lport == dport &&
		    tw->raddr == saddr && tw->rport == sport &&
		    net_eq(read_pnet(&tw->net), net) &&
		    refcount_inc_not_zero(&tw->refcnt)) {
			rcu_read_unlock();
			return tw;
		}
	}
	rcu_read_unlock();
	return NULL;
}

bool atcp_tw_tuple_used(struct net *net, __be32 saddr, __be16 sport,
			__be32 daddr, __be16 dport)
{
	struct atcp_tw *tw = atcp_tw_lookup(net, saddr, sport, daddr, dport);

	if (tw)
		atcp_tw_put(tw);
	return tw;
}

/* Does a TIME-WAIT entry hold local port (on addr, or any if addr is 0)? */
bool atcp_tw_port_used(struct net *net, __be32 addr, u16 port)
{
	struct atw_chain *pc = atw_pchain(net, port);
	struct atcp_tw *tw;
	bool used = false;

	spin_lock_bh(&pc->lock);
	hlist_for_each_entry(tw, &pc->head, pnode)
		if (ntohs(tw->lport) == port &&
		    net_eq(read_pnet(&tw->net), net) &&
		    (!addr || addr == tw->laddr)) {
			used = true;
			break;
		}
	spin_unlock_bh(&pc->lock);
	return used;
}

/*
 * SEGMENT ARRIVES in TIME-WAIT (RFC 9293 §3.10.7.4).  Returns 1 when a SYN
 * may open a new incarnation (the entry is gone and *isn is the ISS to
 * use, above the old SND.NXT, as Linux does), 0 otherwise.
 */
int atcp_tw_rcv(struct atcp_tw *tw, struct sk_buff *skb, u32 *isn)
{
	struct net *net = read_pnet(&tw->net);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u32 len = cb->end_seq - cb->seq;
	u8 fl = cb->flags;

	if (fl & ATCP_RST) {
		/* RFC 9293: RST in TIME-WAIT closes (Linux, tcp_rfc1337=0) */
		if (cb->seq == tw->rcv_nxt)
			atw_kill(tw);
		return 0;
	}
	if ((fl & ATCP_SYN) && !(fl & ATCP_ACK) &&
	    seq_gt(cb->seq, tw->rcv_nxt)) {
		/* A new SYN above the old sequence space: reopen. */
		*isn = tw->snd_nxt + 65535 + 2;
		atw_kill(tw);
		atcp_inc(net, ATCP_MIB_TWRECYCLED);
		return 1;
	}
	if ((fl & ATCP_FIN) && cb->end_seq == tw->rcv_nxt) {
		/* The remote FIN again: ACK it, restart 2 MSL. */
		atw_rearm(tw, net);
	} else if (len && cb->seq == tw->rcv_nxt) {
		/* New data after the FIN is not acceptable: just ACK. */
	} else if (!len && cb->seq == tw->rcv_nxt && !(fl & ATCP_SYN)) {
		return 0;	/* a duplicate ACK of our FIN: nothing to do */
	}
	if (tw->tstamp_ok) {
		/* RFC 7323 §4.3: the FIN's (or a newer) TSval is echoed */
		if ((cb->opt_flags & ATCP_CBO_TS) &&
		    (s32)(cb->tsval - tw->ts_recent) > 0 &&
		    seq_leq(cb->seq, tw->rcv_nxt))
			tw->ts_recent = cb->tsval;
		atcp_send_reply_ts(net, tw->laddr, tw->raddr, tw->lport,
				   tw->rport, tw->snd_nxt, tw->rcv_nxt, ATCP_ACK,
				   tw->rcv_wnd, tw->bound_dev_if, tw->tos,
				   atcp_ts_now() + tw->ts_offset,
				   tw->ts_recent);
		return 0;
	}
	atcp_send_reply(net, tw->laddr, tw->raddr, tw->lport, tw->rport,
			tw->snd_nxt, tw->rcv_nxt, ATCP_ACK, tw->rcv_wnd,
			tw->bound_dev_if, tw->tos);
	return 0;
}

/* Remove the TIME-WAIT entries of net (NULL: all), at netns or module exit. */
void atcp_tw_purge_net(struct net *net)
{
	struct atcp_tw *tw;
	int i;

again:
	for (i = 0; i < (1 << TW_HASH_BITS); i++) {
		spin_lock_bh(&atw_hash[i].lock);
		hlist_for_each_entry(tw, &atw_hash[i].head, node) {
			if (net && !net_eq(read_pnet(&tw->net), net))
				continue;
			if (!refcount_inc_not_zero(&tw->refcnt))
				continue;
			spin_unlock_bh(&atw_hash[i].lock);
			atw_kill(tw);
			atcp_inc(read_pnet(&tw->net), ATCP_MIB_TWKILLED);
			atcp_tw_put(tw);
			goto again;
		}
		spin_unlock_bh(&atw_hash[i].lock);
	}
}

/* One /proc/net/atcp line per entry, numbered from sl. */
int atcp_tw_seq_show(struct seq_file *seq, struct net *net, int sl)
{
	struct atcp_tw *tw;
	s64 left;
	int i;

	for (i = 0; i < (1 << TW_HASH_BITS); i++) {
		rcu_read_lock();
		hlist_for_each_entry_rcu(tw, &atw_hash[i].head, node) {
			if (!net_eq(read_pnet(&tw->net), net))
				continue;
			left = ktime_to_ms(hrtimer_get_remaining(&tw->timer));
			seq_printf(seq,
				   "%4d %pI4:%u %pI4:%u %s - %u - - - - - %u - - - - - - 0 - - - - - - expires=%lldms\n",
				   sl++, &tw->laddr, ntohs(tw->lport),
				   &tw->raddr, ntohs(tw->rport), "TIME-WAIT",
				   tw->snd_nxt, tw->rcv_nxt, left);
		}
		rcu_read_unlock();
	}
	return sl;
}

unsigned int atcp_tw_count(void)
{
	return atomic_read(&atw_count);
}

int atcp_tw_init(void)
{
	int i;

	for (i = 0; i < (1 << TW_HASH_BITS); i++) {
		spin_lock_init(&atw_hash[i].lock);
		INIT_HLIST_HEAD(&atw_hash[i].head);
		spin_lock_init(&atw_phash[i].lock);
		INIT_HLIST_HEAD(&atw_phash[i].head);
	}
	atw_cachep = kmem_cache_create("atcp_tw", sizeof(struct atcp_tw), 0,
				       SLAB_HWCACHE_ALIGN, NULL);
	return atw_cachep ? 0 : -ENOMEM;
}

void atcp_tw_exit(void)
{
	atcp_tw_purge_net(NULL);
	rcu_barrier();
	kmem_cache_destroy(atw_cachep);
}
