// SPDX-License-Identifier: GPL-2.0
/*
 * atcp lookup: the tables that find the TCB of an arriving segment (RFC
 * 9293 §3.10.7), and local ports.
 *
 *  ehash   connections, by 4-tuple (siphash-keyed), RCU lookup
 *  lhash   listeners, by local port, RCU lookup
 *  bhash   bind buckets: every local port in use and its owners
 *
 * TIME-WAIT entries live in their own table (timewait.c); SYN-RECEIVED
 * entries of a passive OPEN (struct atcp_request_sock, minisocks.c) share
 * ehash with the sockets, told apart by TCP_NEW_SYN_RECV.  Both come from
 * SLAB_TYPESAFE_BY_RCU caches, so RCU readers take a reference with
 * refcount_inc_not_zero() and check the keys again afterwards.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/netns/hash.h>
#include <net/sock.h>

#include "atcp.h"

#define ATCP_LHASH_BITS	8
#define ATCP_BHASH_BITS	10

struct atcp_nulls_bucket {
	spinlock_t lock;		/* writers of the chain */
	struct hlist_nulls_head chain;
};

/* A local port in use in one netns, and the sockets that own it. */
struct atcp_bind_bucket {
	possible_net_t net;
	u16 port;
	struct hlist_node node;		/* in its bhash chain */
	struct hlist_head owners;	/* atcp_sock.bind_node */
};

struct atcp_bind_chain {
	spinlock_t lock;		/* the chain and its buckets' owners */
	struct hlist_head head;
};

static struct atcp_nulls_bucket *ehash;
static struct atcp_nulls_bucket *lhash;
static struct atcp_bind_chain *bhash;
static struct kmem_cache *bind_bucket_cachep;
static siphash_key_t ehash_key __read_mostly;
static siphash_key_t isn_key __read_mostly;

static u32 ehashfn(const struct net *net, __be32 laddr, u16 lport,
		   __be32 faddr, __be16 fport)
{
	return siphash_3u32((__force u32)laddr, (__force u32)faddr,
			    ((u32)lport << 16) | (__force u16)fport,
			    &ehash_key) + net_hash_mix(net);
}

static struct atcp_nulls_bucket *ehash_bucket(u32 hash)
{
	return &ehash[hash & ((1U << ATCP_EHASH_BITS) - 1)];
}

static u32 lhash_slot(const struct net *net, u16 port)
{
	return (port + net_hash_mix(net)) & ((1U << ATCP_LHASH_BITS) - 1);
}

static struct atcp_bind_chain *bhash_chain(const struct net *net, u16 port)
{
	return &bhash[(port + net_hash_mix(net)) & ((1U << ATCP_BHASH_BITS) - 1)];
}

/* RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, key),
 * M a timer ticking every 4 microseconds (RFC 9293 §3.4.1).
 */
u32 atcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 f = siphash_3u32((__force u32)saddr, (__force u32)daddr,
			     ((u32)(__force u16)sport << 16) |
			     (__force u16)dport, &isn_key);

	return f + (u32)(ktime_get_real_ns() >> 12);
}

/* ---- connections ------------------------------------------------------ */

static bool ehash_match(const struct sock *sk, const struct net *net,
			__be32 saddr, __be16 sport, __be32 daddr, u16 hnum,
			int dif)
{
	return net_eq(sock_net(sk), net) &&
	       sk->sk_daddr == saddr && sk->sk_dport == sport &&
	       sk->sk_rcv_saddr == daddr && sk->sk_num == hnum &&
	       (!sk->sk_bound_dev_if || sk->sk_bound_dev_if == dif);
}

/* Find the connection a segment from saddr:sport to daddr:dport is for:
 * a socket, or a SYN-RECEIVED entry (sk_state TCP_NEW_SYN_RECV).
 */
struct sock *atcp_lookup_established(struct net *net, __be32 saddr,
				     __be16 sport, __be32 daddr,
				     __be16 dport, int dif)
{
	u16 hnum = ntohs(dport);
	u32 hash = ehashfn(net, daddr, hnum, saddr, sport);
	struct atcp_nulls_bucket *b = ehash_bucket(hash);
	u32 slot = hash & ((1U << ATCP_EHASH_BITS) - 1);
	struct hlist_nulls_node *node;
	struct sock *sk;

	rcu_read_lock();
begin:
	sk_nulls_for_each_rcu(sk, node, &b->chain) {
		if (!ehash_match(sk, net, saddr, sport, daddr, hnum, dif))
			continue;
		/* A dying entry is out of the chain already; what took
		 * its place (a request's child) is in it: look again.
		 */
		if (unlikely(!refcount_inc_not_zero(&sk->sk_refcnt)))
			goto begin;
		if (unlikely(!ehash_match(sk, net, saddr, sport, daddr, hnum,
					  dif))) {
			/* reused for another 4-tuple: a request goes back
			 * to its own cache, not sk_free()
			 */
			if (sk->sk_state == TCP_NEW_SYN_RECV)
				atcp_reqsk_put(atcp_rsk(sk));
			else
				sock_put(sk);
			goto begin;
		}
		rcu_read_unlock();
		return sk;
	}
	/* Moved to another chain while we walked: start again. */
	if (get_nulls_value(node) != slot)
		goto begin;
	rcu_read_unlock();
	return NULL;
}

static bool ehash_tuple_used(struct sock *sk, struct atcp_nulls_bucket *b)
{
	struct hlist_nulls_node *node;
	struct sock *sk2;

	sk_nulls_for_each(sk2, node, &b->chain)
		if (ehash_match(sk2, sock_net(sk), sk->sk_daddr, sk->sk_dport,
				sk->sk_rcv_saddr, sk->sk_num,
				sk->sk_bound_dev_if))
			return true;
	return false;
}

/*
 * Into the established table, unless its 4-tuple is taken: a full socket
 * or a SYN-RECEIVED entry (TCP_NEW_SYN_RECV).  The table holds a reference.
 */
int atcp_ehash_add(struct sock *sk)
{
	u32 hash = ehashfn(sock_net(sk), sk->sk_rcv_saddr, sk->sk_num,
			   sk->sk_daddr, sk->sk_dport);
	struct atcp_nulls_bucket *b = ehash_bucket(hash);
	int err = 0;

	spin_lock_bh(&b->lock);
	if (ehash_tuple_used(sk, b)) {
		err = -EADDRNOTAVAIL;
	} else {
		sk->sk_hash = hash;
		sock_hold(sk);
		__sk_nulls_add_node_rcu(sk, &b->chain);
		if (sk_fullsock(sk))
			atcp_sk(sk)->in_ehash = true;
	}
	spin_unlock_bh(&b->lock);
	return err;
}

/* Out of the table: true for the one caller that took it out (the
 * table's reference is then the caller's to drop).
 */
bool atcp_ehash_del_req(struct atcp_request_sock *req)
{
	struct sock *sk = (struct sock *)req;
	struct atcp_nulls_bucket *b = ehash_bucket(sk->sk_hash);
	bool done;

	spin_lock_bh(&b->lock);
	done = __sk_nulls_del_node_init_rcu(sk);
	spin_unlock_bh(&b->lock);
	return done;
}

/*
 * Put new where old is in its chain, in one pointer store: a lockless
 * walker passes through one or the other, never neither.  old keeps its
 * next for a walker standing on it, and is left unhashed.  Bucket lock
 * held.
 */
static void nulls_replace_node_rcu(struct hlist_nulls_node *old,
				   struct hlist_nulls_node *new)
{
	struct hlist_nulls_node *next = old->next;

	new->next = next;
	WRITE_ONCE(new->pprev, old->pprev);
	rcu_assign_pointer(*(struct hlist_nulls_node __rcu **)new->pprev, new);
	if (!is_a_nulls(next))
		WRITE_ONCE(next->pprev, &new->next);
	WRITE_ONCE(old->pprev, NULL);
}

/*
 * The handshake's ACK made the child: it takes the request's place in one
 * step, so a segment finds one or the other.  (Taking the request out
 * and then adding the child left a moment in which a segment on another
 * CPU, say the data right behind the ACK, found neither, went to the
 * listener and was answered with a RST that reset the new connection.)
 * False if another CPU took the request out first (then the child must
 * go).
 */
bool atcp_ehash_replace(struct atcp_request_sock *req, struct sock *child)
{
	struct sock *osk = (struct sock *)req;
	struct atcp_nulls_bucket *b = ehash_bucket(osk->sk_hash);
	bool done;

	spin_lock_bh(&b->lock);
	done = sk_hashed(osk);
	if (done) {
		child->sk_hash = osk->sk_hash;
		sock_hold(child);
		nulls_replace_node_rcu(&osk->sk_nulls_node,
				       &child->sk_nulls_node);
		atcp_sk(child)->in_ehash = true;
	}
	spin_unlock_bh(&b->lock);
	return done;
}

void atcp_ehash_del(struct sock *sk)
{
	struct atcp_nulls_bucket *b = ehash_bucket(sk->sk_hash);

	if (!atcp_sk(sk)->in_ehash)
		return;
	spin_lock_bh(&b->lock);
	if (__sk_nulls_del_node_init_rcu(sk))
		__sock_put(sk);
	atcp_sk(sk)->in_ehash = false;
	spin_unlock_bh(&b->lock);
}

/* ---- listeners ---------------------------------------------------------- */

static int listen_score(const struct sock *sk, const struct net *net,
			__be32 daddr, u16 hnum, int dif)
{
	int score;

	if (!net_eq(sock_net(sk), net) || sk->sk_num != hnum ||
	    sk->sk_state != TCP_LISTEN)
		return -1;
	score = 1;
	if (sk->sk_rcv_saddr) {
		if (sk->sk_rcv_saddr != daddr)
			return -1;
		score += 4;
	}
	if (sk->sk_bound_dev_if) {
		if (sk->sk_bound_dev_if != dif)
			return -1;
		score += 2;
	}
	return score;
}

/*
 * The listener for a SYN: the most specific match (address, device); among
 * equally good SO_REUSEPORT listeners, one chosen by the 4-tuple's hash.
 */
struct sock *atcp_lookup_listener(struct net *net, __be32 saddr,
				  __be16 sport, __be32 daddr, __be16 dport,
				  int dif)
{
	u16 hnum = ntohs(dport);
	u32 slot = lhash_slot(net, hnum);
	struct atcp_nulls_bucket *b = &lhash[slot];
	struct hlist_nulls_node *node;
	struct sock *sk, *best;
	int score, best_score, n, pick;

	rcu_read_lock();
begin:
	best = NULL;
	best_score = 0;
	n = 0;
	sk_nulls_for_each_rcu(sk, node, &b->chain) {
		score = listen_score(sk, net, daddr, hnum, dif);
		if (score > best_score) {
			best = sk;
			best_score = score;
			n = 1;
		} else if (score == best_score && score > 0) {
			n++;
		}
	}
	if (get_nulls_value(node) != slot)
		goto begin;
	if (n > 1 && best->sk_reuseport) {
		pick = ehashfn(net, daddr, hnum, saddr, sport) % n;
		sk_nulls_for_each_rcu(sk, node, &b->chain) {
			if (listen_score(sk, net, daddr, hnum, dif) != best_score ||
			    !sk->sk_reuseport)
				continue;
			best = sk;
			if (!pick--)
				break;
		}
	}
	if (best && !refcount_inc_not_zero(&best->sk_refcnt))
		best = NULL;
	if (best && listen_score(best, net, daddr, hnum, dif) < 0) {
		sock_put(best);
		goto begin;
	}
	rcu_read_unlock();
	return best;
}

int atcp_listen_hash(struct sock *sk)
{
	struct atcp_nulls_bucket *b = &lhash[lhash_slot(sock_net(sk),
							sk->sk_num)];

	spin_lock_bh(&b->lock);
	sock_hold(sk);
	__sk_nulls_add_node_rcu(sk, &b->chain);
	spin_unlock_bh(&b->lock);
	return 0;
}

void atcp_listen_unhash(struct sock *sk)
{
	struct atcp_nulls_bucket *b = &lhash[lhash_slot(sock_net(sk),
							sk->sk_num)];

	spin_lock_bh(&b->lock);
	if (__sk_nulls_del_node_init_rcu(sk))
		__sock_put(sk);
	spin_unlock_bh(&b->lock);
}

/* ---- ports --------------------------------------------------------------- */

static struct atcp_bind_bucket *bb_find(struct atcp_bind_chain *c,
					const struct net *net, u16 port)
{
	struct atcp_bind_bucket *bb;

	hlist_for_each_entry(bb, &c->head, node)
		if (bb->port == port && net_eq(read_pnet(&bb->net), net))
			return bb;
	return NULL;
}

static struct atcp_bind_bucket *bb_create(struct atcp_bind_chain *c,
					  struct net *net, u16 port)
{
	struct atcp_bind_bucket *bb;

	bb = kmem_cache_alloc(bind_bucket_cachep, GFP_ATOMIC);
	if (!bb)
		return NULL;
	write_pnet(&bb->net, net);
	bb->port = port;
	INIT_HLIST_HEAD(&bb->owners);
	hlist_add_head(&bb->node, &c->head);
	return bb;
}

static void bb_add(struct atcp_bind_bucket *bb, struct sock *sk)
{
	hlist_add_head(&atcp_sk(sk)->bind_node, &bb->owners);
	atcp_sk(sk)->bb = bb;
	inet_sk(sk)->inet_num = bb->port;
}

/*
 * Would sk, bound to its address, conflict with bb's owners?  As Linux TCP:
 * overlapping addresses conflict unless both set SO_REUSEADDR and neither
 * listens, or both set SO_REUSEPORT under the same user.
 */
static bool bind_conflict(const struct sock *sk, struct atcp_bind_bucket *bb,
			  bool listening)
{
	struct atcp_sock *as2;
	struct sock *sk2;

	hlist_for_each_entry(as2, &bb->owners, bind_node) {
		sk2 = (struct sock *)as2;
		if (sk2 == sk)
			continue;
		if (sk->sk_bound_dev_if && sk2->sk_bound_dev_if &&
		    sk->sk_bound_dev_if != sk2->sk_bound_dev_if)
			continue;
		if (sk->sk_rcv_saddr && sk2->sk_rcv_saddr &&
		    sk->sk_rcv_saddr != sk2->sk_rcv_saddr)
			continue;
		if (sk->sk_reuse && sk2->sk_reuse &&
		    sk2->sk_state != TCP_LISTEN && !listening)
			continue;
		if (sk->sk_reuseport && sk2->sk_reuseport &&
		    uid_eq(READ_ONCE(sk->sk_uid), READ_ONCE(sk2->sk_uid)))
			continue;
		return true;
	}
	return false;
}

static int bind_port(struct sock *sk, u16 port, bool listening)
{
	struct net *net = sock_net(sk);
	struct atcp_bind_chain *c = bhash_chain(net, port);
	struct atcp_bind_bucket *bb;
	int err = 0;

	spin_lock_bh(&c->lock);
	bb = bb_find(c, net, port);
	if (bb && bind_conflict(sk, bb, listening)) {
		err = -EADDRINUSE;
		goto out;
	}
	if (!sk->sk_reuse && atcp_tw_port_used(net, sk->sk_rcv_saddr, port)) {
		err = -EADDRINUSE;
		goto out;
	}
	if (atcp_sk(sk)->bb)		/* re-check at listen() */
		goto out;
	if (!bb)
		bb = bb_create(c, net, port);
	if (!bb) {
		err = -ENOMEM;
		goto out;
	}
	bb_add(bb, sk);
out:
	spin_unlock_bh(&c->lock);
	return err;
}

/*
 * The ephemeral ports of sk's netns (ip_local_port_range, less the
 * reserved ones) from a random start: try(sk, port) until it answers
 * something else than -EADDRINUSE.
 */
static int atcp_scan_ports(struct sock *sk,
			   int (*try)(struct sock *sk, u16 port))
{
	struct net *net = sock_net(sk);
	int low, high, range, off, i, err;

	inet_get_local_port_range(net, &low, &high);
	range = high - low + 1;
	off = get_random_u32_below(range);
	for (i = 0; i < range; i++) {
		u16 port = low + (off + i) % range;

		if (inet_is_local_reserved_port(net, port))
			continue;
		err = try(sk, port);
		if (err != -EADDRINUSE)
			return err;
	}
	return -EADDRINUSE;
}

/* bind(2) to port 0: a port nobody uses, here or in TIME-WAIT. */
static int try_bind_port(struct sock *sk, u16 port)
{
	struct net *net = sock_net(sk);
	struct atcp_bind_chain *c = bhash_chain(net, port);
	bool used;

	spin_lock_bh(&c->lock);
	used = bb_find(c, net, port) || atcp_tw_port_used(net, 0, port);
	spin_unlock_bh(&c->lock);
	return used ? -EADDRINUSE : bind_port(sk, port, false);
}

/* proto->get_port: bind(2) to snum, or to a free ephemeral port if 0. */
int atcp_get_port(struct sock *sk, unsigned short snum)
{
	if (snum)
		return bind_port(sk, snum, sk->sk_state == TCP_LISTEN);
	return atcp_scan_ports(sk, try_bind_port);
}

/*
 * connect(2) without bind: an ephemeral port may be shared by connections
 * to different peers (as Linux's __inet_hash_connect) as long as no socket
 * bound it explicitly and the 4-tuple is unique, here and in TIME-WAIT.
 * On success sk is in the bind bucket and in ehash.
 */
static int try_connect_port(struct sock *sk, u16 port)
{
	struct net *net = sock_net(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct atcp_bind_chain *c = bhash_chain(net, port);
	struct atcp_bind_bucket *bb;
	struct atcp_sock *o;
	int err = 0;

	spin_lock_bh(&c->lock);
	bb = bb_find(c, net, port);
	if (bb)
		hlist_for_each_entry(o, &bb->owners, bind_node)
			if (!o->autobound)
				err = -EADDRINUSE;
	if (err || atcp_tw_tuple_used(net, sk->sk_daddr, sk->sk_dport,
				      sk->sk_rcv_saddr, htons(port))) {
		err = -EADDRINUSE;
		goto out;
	}
	inet->inet_num = port;
	inet->inet_sport = htons(port);
	if (atcp_ehash_add(sk)) {
		err = -EADDRINUSE;
		goto undo;
	}
	if (!bb)
		bb = bb_create(c, net, port);
	if (!bb) {
		atcp_ehash_del(sk);	/* bind lock, then ehash: as above */
		err = -ENOMEM;
		goto undo;
	}
	atcp_sk(sk)->autobound = true;
	bb_add(bb, sk);
	goto out;
undo:
	inet->inet_num = 0;
	inet->inet_sport = 0;
out:
	spin_unlock_bh(&c->lock);
	return err;
}

int atcp_connect_port(struct sock *sk)
{
	int err;

	if (inet_sk(sk)->inet_num)
		return atcp_ehash_add(sk) ? -EADDRNOTAVAIL : 0;
	err = atcp_scan_ports(sk, try_connect_port);
	return err == -EADDRINUSE ? -EADDRNOTAVAIL : err;
}

/* A child of a listener shares the listener's port (RFC 9293 §3.10.7.2). */
void atcp_inherit_port(struct sock *parent, struct sock *child)
{
	struct atcp_bind_bucket *bb = atcp_sk(parent)->bb;
	struct atcp_bind_chain *c = bhash_chain(sock_net(parent), bb->port);

	spin_lock_bh(&c->lock);
	hlist_add_head(&atcp_sk(child)->bind_node, &bb->owners);
	atcp_sk(child)->bb = bb;
	atcp_sk(child)->autobound = true;
	spin_unlock_bh(&c->lock);
}

void atcp_put_port(struct sock *sk)
{
	struct atcp_bind_bucket *bb = atcp_sk(sk)->bb;
	struct atcp_bind_chain *c;

	if (!bb)
		return;
	c = bhash_chain(sock_net(sk), bb->port);
	spin_lock_bh(&c->lock);
	hlist_del(&atcp_sk(sk)->bind_node);
	atcp_sk(sk)->bb = NULL;
	if (hlist_empty(&bb->owners)) {
		hlist_del(&bb->node);
		kmem_cache_free(bind_bucket_cachep, bb);
	}
	spin_unlock_bh(&c->lock);
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) {
		inet_sk(sk)->inet_num = 0;
		inet_sk(sk)->inet_sport = 0;
	}
}

/*
 * Back to CLOSED: out of the connection table; the port goes back too
 * unless the user bound it explicitly (a later connect() or listen()
 * keeps it, as Linux TCP).
 */
void atcp_unhash(struct sock *sk)
{
	atcp_ehash_del(sk);
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
		atcp_put_port(sk);
}

/* Visit every socket in the tables (for /proc/net/atcp). */
void atcp_visit_socks(struct atcp_visitor *v)
{
	struct hlist_nulls_node *node;
	struct sock *sk;
	int i;

	for (i = 0; i < (1 << ATCP_LHASH_BITS); i++) {
		spin_lock_bh(&lhash[i].lock);
		sk_nulls_for_each(sk, node, &lhash[i].chain)
			v->fn(v, sk);
		spin_unlock_bh(&lhash[i].lock);
	}
	for (i = 0; i < (1 << ATCP_EHASH_BITS); i++) {
		if (hlist_nulls_empty(&ehash[i].chain))
			continue;
		spin_lock_bh(&ehash[i].lock);
		sk_nulls_for_each(sk, node, &ehash[i].chain)
			v->fn(v, sk);
		spin_unlock_bh(&ehash[i].lock);
	}
}

static struct atcp_nulls_bucket *nulls_table(int bits)
{
	struct atcp_nulls_bucket *t;
	int i;

	t = kvmalloc_array(1 << bits, sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	for (i = 0; i < (1 << bits); i++) {
		spin_lock_init(&t[i].lock);
		INIT_HLIST_NULLS_HEAD(&t[i].chain, i);
	}
	return t;
}

int atcp_hash_init(void)
{
	int i;

	get_random_bytes(&ehash_key, sizeof(ehash_key));
	get_random_bytes(&isn_key, sizeof(isn_key));
	ehash = nulls_table(ATCP_EHASH_BITS);
	lhash = nulls_table(ATCP_LHASH_BITS);
	bhash = kvmalloc_array(1 << ATCP_BHASH_BITS, sizeof(*bhash),
			       GFP_KERNEL);
	bind_bucket_cachep = kmem_cache_create("atcp_bind_bucket",
					       sizeof(struct atcp_bind_bucket),
					       0, 0, NULL);
	if (!ehash || !lhash || !bhash || !bind_bucket_cachep) {
		atcp_hash_exit();
		return -ENOMEM;
	}
	for (i = 0; i < (1 << ATCP_BHASH_BITS); i++) {
		spin_lock_init(&bhash[i].lock);
		INIT_HLIST_HEAD(&bhash[i].head);
	}
	return 0;
}

void atcp_hash_exit(void)
{
	kmem_cache_destroy(bind_bucket_cachep);
	kvfree(bhash);
	kvfree(lhash);
	kvfree(ehash);
}
