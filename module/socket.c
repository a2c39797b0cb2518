// SPDX-License-Identifier: GPL-2.0
/*
 * atcp socket calls: the user interface of RFC 9293 §3.9.1 (OPEN, SEND,
 * RECEIVE, CLOSE, ABORT, STATUS) as Linux programmers know it, through
 * struct proto and struct proto_ops.  Errors are those Linux TCP returns.
 */
#include <linux/module.h>
#include <linux/pipe_fs_i.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <linux/tcp.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>

#include "atcp_cong.h"
#include "compat.h"
#include "trace.h"

const char *const atcp_state_name[] = {
	[TCP_ESTABLISHED]	= "ESTABLISHED",
	[TCP_SYN_SENT]		= "SYN-SENT",
	[TCP_SYN_RECV]		= "SYN-RECEIVED",
	[TCP_FIN_WAIT1]		= "FIN-WAIT-1",
	[TCP_FIN_WAIT2]		= "FIN-WAIT-2",
	[TCP_TIME_WAIT]		= "TIME-WAIT",
	[TCP_CLOSE]		= "CLOSED",
	[TCP_CLOSE_WAIT]	= "CLOSE-WAIT",
	[TCP_LAST_ACK]		= "LAST-ACK",
	[TCP_LISTEN]		= "LISTEN",
	[TCP_CLOSING]		= "CLOSING",
	[TCP_NEW_SYN_RECV]	= "NEW-SYN-RECEIVED",
};

#define ATCP_CURR(s) ((1 << (s)) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))

/* Every state change goes through here (RFC 9293 §3.3.2), and is traced. */
void atcp_set_state(struct sock *sk, int state)
{
	int old = sk->sk_state;

	if (old == state)
		return;
	if (ATCP_CURR(state) && !ATCP_CURR(old))
		atcp_inc(sock_net(sk), ATCP_MIB_CURRESTAB);
	else if (!ATCP_CURR(state) && ATCP_CURR(old))
		atcp_dec(sock_net(sk), ATCP_MIB_CURRESTAB);
	trace_atcp_state_change(sk, old, state);
	inet_sk_set_state(sk, state);
	if (old == TCP_SYN_RECV)
		atcp_fastopen_synrecv_done(sk);	/* RFC 7413 queue */
}

/*
 * A fresh TCB for the next connection: everything from snd_una up to the
 * options the user set (atcp.h) starts again.  The user's options, the
 * hrtimers and their deferred work, and the socket's port stay as they are.
 */
static void atcp_reset_tcb(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	BUILD_BUG_ON(offsetof(struct atcp_sock, snd_una) >
		     offsetof(struct atcp_sock, nodelay));
	atcp_ca_release(sk);
	memset((char *)as + offsetof(struct atcp_sock, snd_una), 0,
	       offsetof(struct atcp_sock, nodelay) -
	       offsetof(struct atcp_sock, snd_una));
	skb_queue_head_init(&as->rtx_queue);
	as->ooo_queue = RB_ROOT;
	as->rto_us = atcp_sysctl(sk)->rto_init_ms * 1000U;
	as->mss = ATCP_DEFAULT_MSS;
	as->peer_mss = ATCP_DEFAULT_MSS;
	as->advmss = ATCP_DEFAULT_MSS;
	as->snd_ssthresh = ATCP_INFINITE_SSTHRESH;
	as->snd_cwnd = 10;
	as->reordering = 3;	/* RFC 5681 §3.2's duplicate ACK threshold */
}

/*
 * The TCB of a new socket or of a listener's new child (a copy of the
 * listener): a fresh connection, timers, no port or queue linkage yet.
 * The options a user set survive (children inherit them).
 */
void atcp_init_tcb(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_reset_tcb(sk);
	atcp_init_timers(sk);
	as->deferred = 0;
	INIT_HLIST_NODE(&as->bind_node);
	as->bb = NULL;
	INIT_HLIST_NODE(&as->listen_node);
	as->parent = NULL;
	INIT_LIST_HEAD(&as->q_node);
	as->in_ehash = false;
	as->autobound = false;
	as->orphan_counted = false;
}

/* The socket is freed: after inet's own, the algorithm's module goes. */
static void atcp_sock_destruct(struct sock *sk)
{
	atcp_ca_destruct(sk);
	inet_sock_destruct(sk);
}

static int atcp_init_sock(struct sock *sk)
{
	struct atcp_sysctl *sc = atcp_sysctl(sk);

	atcp_ca_assign(sk);
	sk->sk_destruct = atcp_sock_destruct;
	atcp_init_tcb(sk);
	atcp_lq_init(&atcp_sk(sk)->lq);
	sk->sk_write_space = atcp_write_space;
	sock_set_flag(sk, SOCK_USE_WRITE_QUEUE);
	atcp_sock_custom_sockopt(sk->sk_socket);	/* SO_ZEROCOPY */
	WRITE_ONCE(sk->sk_sndbuf, READ_ONCE(sc->wmem[1]));
	WRITE_ONCE(sk->sk_rcvbuf, READ_ONCE(sc->rmem[1]));
	return 0;
}

/* sk->sk_write_space: wake writers when send space frees up. */
void atcp_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !__sk_stream_is_writeable(sk, 1))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

static void atcp_purge_queue(struct sock *sk, struct sk_buff_head *q)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q)))
		atcp_wmem_free_skb(sk, skb);
}

static void atcp_purge_all(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_purge_queue(sk, &sk->sk_write_queue);
	atcp_purge_queue(sk, &as->rtx_queue);
	atcp_loss_forget(sk);
	atcp_ooo_purge(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	sk_mem_reclaim(sk);
}

/* The end of an orphaned socket: drop the reference its user held. */
static void atcp_destroy_sock(struct sock *sk)
{
	atcp_orphan_uncount(sk);
	atcp_stop_all_timers(sk);
	atcp_ehash_del(sk);
	atcp_purge_all(sk);
	sk_stream_kill_queues(sk);
	atcp_put_port(sk);
	sock_put(sk);
}

/*
 * The connection is CLOSED (RFC 9293 §3.10.7): out of the tables, timers
 * stopped.  An orphan is destroyed; a user's socket waits for close().
 */
void atcp_done(struct sock *sk)
{
	atcp_set_state(sk, TCP_CLOSE);
	atcp_stop_all_timers(sk);
	atcp_unhash(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
	else
		atcp_destroy_sock(sk);
}

/* ---- listen and accept ---------------------------------------------------- */

void atcp_lq_init(struct atcp_listen_queue *lq)
{
	spin_lock_init(&lq->lock);
	INIT_LIST_HEAD(&lq->syn_q);
	INIT_LIST_HEAD(&lq->acc_q);
	lq->syn_len = 0;
	lq->acc_len = 0;
	lq->open = false;
	lq->fo_qlen = 0;
}

/* A child not yet accepted lets go of its listener. */
void atcp_child_unlink(struct sock *child)
{
	struct atcp_sock *as = atcp_sk(child);
	struct sock *parent = as->parent;

	if (!parent)
		return;
	as->parent = NULL;
	sock_put(parent);
}

/* Drop an embryonic child of a listener: "return to LISTEN" (§3.10.7.4). */
void atcp_abort_child(struct sock *child)
{
	atcp_child_unlink(child);
	sock_set_flag(child, SOCK_DEAD);
	atcp_done(child);
}

/* A child reached ESTABLISHED: it joins the accept queue, unless the
 * listener closed meanwhile (false).
 */
bool atcp_accept_enqueue(struct sock *child)
{
	struct atcp_sock *as = atcp_sk(child);
	struct sock *parent = as->parent;
	struct atcp_listen_queue *lq = &atcp_sk(parent)->lq;
	bool open;

	spin_lock_bh(&lq->lock);
	open = lq->open;
	if (open) {
		list_add_tail(&as->q_node, &lq->acc_q);
		lq->acc_len++;
		WRITE_ONCE(parent->sk_ack_backlog, lq->acc_len);
	}
	spin_unlock_bh(&lq->lock);
	if (open)
		parent->sk_data_ready(parent);
	return open;
}

/* The listener closes: its SYN-RECEIVED entries vanish, its unaccepted
 * children are reset (as Linux).  The queue's storage stays with the
 * socket, so poll() and accept() never read freed memory.
 */
static void atcp_listen_stop(struct sock *sk)
{
	struct atcp_listen_queue *lq = &atcp_sk(sk)->lq;
	struct atcp_sock *as;
	struct sock *child;

	atcp_listen_unhash(sk);
	atcp_set_state(sk, TCP_CLOSE);
	spin_lock_bh(&lq->lock);
	lq->open = false;
	spin_unlock_bh(&lq->lock);
	atcp_listen_purge_requests(sk);
	for (;;) {
		spin_lock_bh(&lq->lock);
		as = list_first_entry_or_null(&lq->acc_q, struct atcp_sock,
					      q_node);
		if (as) {
			list_del_init(&as->q_node);
			lq->acc_len--;
		}
		spin_unlock_bh(&lq->lock);
		if (!as)
			break;
		child = (struct sock *)as;
		sock_hold(child);
		lock_sock_nested(child, SINGLE_DEPTH_NESTING);
		as->parent = NULL;
		__sock_put(sk);
		if ((1 << child->sk_state) & (TCPF_SYN_RECV | TCPF_ESTABLISHED |
					      TCPF_CLOSE_WAIT))
			atcp_send_active_reset(child, GFP_KERNEL);
		sock_orphan(child);
		if (child->sk_state == TCP_CLOSE)
			atcp_destroy_sock(child);
		else
			atcp_done(child);
		release_sock(child);
		sock_put(child);
	}
	WRITE_ONCE(sk->sk_ack_backlog, 0);
}

static int atcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct atcp_listen_queue *lq = &atcp_sk(sk)->lq;
	int err;

	lock_sock(sk);
	err = -EINVAL;
	if (sock->state != SS_UNCONNECTED || sock->type != SOCK_STREAM)
		goto out;
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		goto out;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	err = 0;
	if (sk->sk_state == TCP_LISTEN)
		goto out;
	/* An unbound listener gets an ephemeral port; a bound one is
	 * checked again, as listeners conflict more (SO_REUSEADDR).
	 */
	err = atcp_get_port(sk, inet_sk(sk)->inet_num);
	if (!err && !inet_sk(sk)->inet_num)
		err = -EADDRINUSE;
	if (err)
		goto out;
	inet_sk(sk)->inet_sport = htons(inet_sk(sk)->inet_num);
	spin_lock_bh(&lq->lock);
	lq->syn_len = 0;
	lq->acc_len = 0;
	lq->overflow_stamp = jiffies - 121 * HZ;	/* no cookie sent yet */
	lq->open = true;
	spin_unlock_bh(&lq->lock);
	sk_dst_reset(sk);
	atcp_set_state(sk, TCP_LISTEN);
	atcp_listen_hash(sk);
out:
	release_sock(sk);
	return err;
}

static int atcp_accept_locked(struct sock *sk, int flags, struct sock **out)
{
	struct atcp_listen_queue *lq;
	long timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct atcp_sock *as;
	int err;

	for (;;) {
		if (sk->sk_state != TCP_LISTEN)
			return -EINVAL;
		lq = &atcp_sk(sk)->lq;
		spin_lock_bh(&lq->lock);
		as = list_first_entry_or_null(&lq->acc_q, struct atcp_sock,
					      q_node);
		if (as) {
			list_del_init(&as->q_node);
			lq->acc_len--;
			WRITE_ONCE(sk->sk_ack_backlog, lq->acc_len);
		}
		spin_unlock_bh(&lq->lock);
		if (as) {
			*out = (struct sock *)as;
			return 0;
		}
		if (!timeo)
			return -EAGAIN;
		if (signal_pending(current))
			return sock_intr_errno(timeo);
		add_wait_queue_exclusive(sk_sleep(sk), &wait);
		sk_wait_event(sk, &timeo, sk->sk_state != TCP_LISTEN ||
			      READ_ONCE(atcp_sk(sk)->lq.acc_len), &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
		err = sock_error(sk);
		if (err)
			return err;
	}
}

int __atcp_accept(struct socket *sock, struct socket *newsock, int flags,
		  bool kern)
{
	struct sock *sk = sock->sk, *child = NULL;
	int err;

	lock_sock(sk);
	err = atcp_accept_locked(sk, flags, &child);
	release_sock(sk);
	if (err)
		return err;

	lock_sock(child);
	atcp_sk(child)->parent = NULL;
	__sock_put(sk);			/* the child's reference on us */
	sock_graft(child, newsock);
	newsock->state = SS_CONNECTED;
	atcp_sock_custom_sockopt(newsock);
	release_sock(child);
	return 0;
}

/* ---- connect ------------------------------------------------------------ */

/* OPEN, active (RFC 9293 §3.10.1): route, port, ISS, SYN. */
static int atcp_connect(struct sock *sk, struct atcp_sockaddr *uaddr,
			int addr_len)
{
	struct sockaddr_in *usin = (struct sockaddr_in *)uaddr;
	struct inet_sock *inet = inet_sk(sk);
	struct atcp_sock *as = atcp_sk(sk);
	__be16 orig_sport, orig_dport;
	struct flowi4 *fl4;
	struct rtable *rt;
	int err;

	if (addr_len < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;

	orig_sport = inet->inet_sport;
	orig_dport = usin->sin_port;
	fl4 = &inet->cork.fl.u.ip4;
	rt = ip_route_connect(fl4, usin->sin_addr.s_addr, inet->inet_saddr,
			      sk->sk_bound_dev_if, atcp_ipproto, orig_sport,
			      orig_dport, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}
	if (!inet->inet_saddr)
		inet->inet_saddr = fl4->saddr;
	sk->sk_rcv_saddr = inet->inet_saddr;
	inet->inet_dport = usin->sin_port;
	sk->sk_daddr = fl4->daddr;

	atcp_set_state(sk, TCP_SYN_SENT);
	err = atcp_connect_port(sk);
	if (err)
		goto failure;
	rt = ip_route_newports(fl4, rt, orig_sport, orig_dport,
			       inet->inet_sport, inet->inet_dport, sk);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		rt = NULL;
		goto failure;
	}
	atcp_setup_caps(sk, &rt->dst);
	rt = NULL;

	as->iss = atcp_isn(inet->inet_saddr, inet->inet_daddr,
			   inet->inet_sport, inet->inet_dport);
	as->advmss = atcp_route_mss(sk);
	if (as->user_mss)
		as->advmss = min(as->advmss, as->user_mss);
	atcp_sync_mss(sk);
	/* what the SYN offers; SYN-SENT keeps what the peer offers too */
	as->sack_ok = READ_ONCE(atcp_sysctl(sk)->sack);
	atcp_opts_connect(sk);		/* RFC 7323: window scale, timestamps */
	atomic_set(&inet->inet_id, get_random_u16());
	as->last_rcv_us = atcp_now_us();
	/* A new connection: no error of a previous one (tcp_connect_init) */
	WRITE_ONCE(sk->sk_err, 0);
	/* TCP_FASTOPEN_CONNECT with a cookie: the SYN waits for write() */
	if (atcp_fastopen_defer_connect(sk))
		return 0;
	atcp_inc(sock_net(sk), ATCP_MIB_ACTIVEOPENS);
	err = atcp_send_syn(sk);
	if (err)
		goto failure;
	return 0;

failure:
	atcp_set_state(sk, TCP_CLOSE);
	atcp_unhash(sk);
	if (rt)
		ip_rt_put(rt);
	sk_dst_reset(sk);
	inet->inet_dport = 0;
	sk->sk_route_caps = 0;
	return err;
}

/*
 * Abort (RFC 9293 §3.10.5) and return to CLOSED, reusable: connect()
 * failures, connect(AF_UNSPEC), shutdown of a listener or SYN-SENT.  As
 * Linux's tcp_disconnect(): a port the user bound explicitly stays bound
 * (SOCK_BINDPORT_LOCK), an automatic one goes back (atcp_unhash()), and
 * so does the source address unless bound.  The timers are stopped; a
 * callback already running leaves its work to release_cb, which finds
 * the timer no longer pending.
 */
static int atcp_disconnect(struct sock *sk, int flags)
{
	int old = sk->sk_state;

	if (old == TCP_LISTEN) {
		atcp_listen_stop(sk);
	} else if ((1 << old) & (TCPF_SYN_RECV | TCPF_ESTABLISHED |
				 TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 |
				 TCPF_FIN_WAIT2 | TCPF_CLOSING |
				 TCPF_LAST_ACK)) {
		atcp_send_active_reset(sk, sk->sk_allocation);
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	} else if (old == TCP_SYN_SENT) {
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	}
	atcp_set_state(sk, TCP_CLOSE);
	atcp_stop_all_timers(sk);
	atcp_unhash(sk);
	atcp_purge_all(sk);
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet_sk(sk)->inet_saddr = 0;
		sk->sk_rcv_saddr = 0;
	}
	inet_sk(sk)->inet_dport = 0;
	sk->sk_daddr = 0;
	atcp_sk(sk)->autobound = false;
	atcp_set_defer_connect(sk, false);	/* TCP_FASTOPEN_CONNECT's */
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);
	sk_dst_reset(sk);
	atcp_reset_tcb(sk);
	sk_error_report(sk);
	return 0;
}

/* ---- send ----------------------------------------------------------------- */

/* RFC 9293 §3.8.5: with MSG_OOB, SND.UP points past the data written so
 * far; set before each push, as Linux (tcp_mark_urg).
 */
static void atcp_mark_urg(struct sock *sk, int flags)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (flags & MSG_OOB) {
		as->snd_up = as->write_seq;
		as->urg_pending = true;
	}
}

/* The end of a write: its last segment, still queued, carries PSH. */
static void atcp_mark_push(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (skb && skb->len)
		ATCP_SKB_CB(skb)->flags |= ATCP_PSH;
}

/* MSG_EOR: the write's last octet ends a record; the next write starts
 * a new segment (as Linux's skb eor mark), even corked or held by Nagle.
 */
static void atcp_mark_eor(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (skb && skb->len)
		ATCP_SKB_CB(skb)->eor = 1;
}

/* SEND (RFC 9293 §3.10.2) */
/* More than the write queue's tail waits to be sent or acked. */
static bool atcp_send_queues_busy(struct sock *sk)
{
	return !skb_queue_empty(&atcp_sk(sk)->rtx_queue) ||
	       skb_queue_len(&sk->sk_write_queue) > 1;
}

/* A write that waits or fails leaves no empty skb queued to be sent. */
static void atcp_drop_empty_tail(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (skb && !skb->len && !(ATCP_SKB_CB(skb)->flags &
				  (ATCP_SYN | ATCP_FIN))) {
		__skb_unlink(skb, &sk->sk_write_queue);
		atcp_wmem_free_skb(sk, skb);
	}
}

/* Octets a write copies between looks at its socket's backlog. */
#define ATCP_FLUSH_BYTES	(64 * 1024)

static int atcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct atcp_sock *as = atcp_sk(sk);
	int flags = msg->msg_flags;
	struct ubuf_info *uarg = NULL;
	size_t copied = 0, flushed = 0;
	int copied_syn = 0;
	struct sk_buff *skb;
	long timeo;
	int err;

	lock_sock(sk);
	/* RFC 7413: MSG_FASTOPEN, or the write a TCP_FASTOPEN_CONNECT
	 * connect() left the SYN to (fastopen.c)
	 */
	if ((flags & MSG_FASTOPEN) || atcp_defer_connect(sk)) {
		err = atcp_sendmsg_fastopen(sk, msg, &copied_syn, size);
		if (err == -EINPROGRESS && copied_syn > 0)
			goto out_syn;
		if (err)
			goto out_err;
		size -= copied_syn;
	}
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	/* a passive TFO child writes before the handshake's end */
	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) &&
	    !atcp_fastopen_passive(sk)) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto do_error;
	}
	err = -EPIPE;
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		goto do_error;
	uarg = atcp_zerocopy_begin(sk, size, flags);
	if (IS_ERR(uarg)) {
		err = PTR_ERR(uarg);
		uarg = NULL;
		goto do_error;
	}

	while (copied < size) {
		u32 goal = atcp_size_goal(sk), copy;
		struct page_frag *pfrag = sk_page_frag(sk);
		bool merge;
		int i;

		skb = skb_peek_tail(&sk->sk_write_queue);
		if (!skb || skb->len >= goal || ATCP_SKB_CB(skb)->eor ||
		    skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS ||
		    (ATCP_SKB_CB(skb)->flags & (ATCP_SYN | ATCP_FIN))) {
			/* the ACKs that came while a long write copied: taken
			 * now, not at its end (as Linux's tcp_sendmsg), so
			 * that the windows move and memory comes free
			 */
			if (copied - flushed >= ATCP_FLUSH_BYTES) {
				flushed = copied;
				if (sk_flush_backlog(sk) &&
				    (sk->sk_err ||
				     (sk->sk_shutdown & SEND_SHUTDOWN))) {
					err = -EPIPE;
					goto do_error;
				}
			}
			if (!sk_stream_memory_free(sk))
				goto wait_for_memory;
			/* a header-only skb; the data goes in page fragments */
			skb = alloc_skb(ATCP_MAX_HEADER, sk->sk_allocation);
			if (!skb)
				goto wait_for_memory;
			/* Over net.atcp.mem: shrink the buffer and wait, as
			 * Linux; but the first segment of an empty queue is
			 * always taken (no ACK would come to wake us).
			 */
			if (!sk_wmem_schedule(sk, skb->truesize + goal) &&
			    (!skb_queue_empty(&sk->sk_write_queue) ||
			     !skb_queue_empty(&as->rtx_queue))) {
				kfree_skb(skb);
				atcp_enter_memory_pressure(sk);
				sk_stream_moderate_sndbuf(sk);
				goto wait_for_memory;
			}
			skb_reserve(skb, ATCP_MAX_HEADER);
			skb->ip_summed = CHECKSUM_PARTIAL;
			ATCP_SKB_CB(skb)->seq = as->write_seq;
			ATCP_SKB_CB(skb)->end_seq = as->write_seq;
			ATCP_SKB_CB(skb)->flags = ATCP_ACK;
			ATCP_SKB_CB(skb)->rtx = 0;
			as->push_queued = false;
			sk_wmem_queued_add(sk, skb->truesize);
			sk_mem_charge(sk, skb->truesize);
			__skb_queue_tail(&sk->sk_write_queue, skb);
		}
		/* the octets go into the socket's page fragment (as Linux's
		 * sk_page_frag), not a linear copy per segment
		 */
		if (!sk_page_frag_refill(sk, pfrag))
			goto wait_for_memory;
		i = skb_shinfo(skb)->nr_frags;
		merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
		copy = min_t(size_t, size - copied, goal - skb->len);
		copy = min_t(u32, copy, pfrag->size - pfrag->offset);
		if (!sk_wmem_schedule(sk, copy) && atcp_send_queues_busy(sk))
			goto wait_for_memory;
		err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb,
					       pfrag->page, pfrag->offset,
					       copy);
		if (err)
			goto do_error;
		if (merge) {
			skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
		} else {
			skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset,
					   copy);
			page_ref_inc(pfrag->page);
		}
		pfrag->offset += copy;
		as->write_seq += copy;
		ATCP_SKB_CB(skb)->end_seq += copy;
		copied += copy;
		/* A full segment goes out now, unless it ends the write: the
		 * last segment of a write carries PSH (RFC 9293 §3.9.1.2
		 * MUST-61), set below.  Urgent data goes out at the end,
		 * every segment of it carrying the pointer (as Linux).  With
		 * GSO, once a run's worth is unsent (offload.c).
		 */
		if (skb->len >= goal && copied < size && !(flags & MSG_OOB) &&
		    as->write_seq - as->snd_nxt >= atcp_gso_push_goal(sk))
			atcp_push(sk);
		continue;

wait_for_memory:
		atcp_drop_empty_tail(sk);
		atcp_mark_urg(sk, flags);
		atcp_push(sk);
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
	}
	atcp_mark_urg(sk, flags);
	/* MSG_MORE: no PSH, and the last short segment waits as if
	 * corked, for this push only (as Linux's tcp_push)
	 */
	if (!(flags & MSG_MORE))
		atcp_mark_push(sk);
	if ((flags & MSG_EOR) && copied)
		atcp_mark_eor(sk);
	__atcp_push(sk, flags & MSG_MORE ? ATCP_HOLD_CORK : ATCP_HOLD_SOCK);
	atcp_zerocopy_end(uarg, true);
	release_sock(sk);
	return copied + copied_syn;

do_error:
	atcp_drop_empty_tail(sk);
	if (copied) {
		atcp_mark_urg(sk, flags);
		if (!(flags & MSG_MORE))
			atcp_mark_push(sk);
	}
	__atcp_push(sk, copied && (flags & MSG_MORE) ? ATCP_HOLD_CORK :
						      ATCP_HOLD_SOCK);
	atcp_zerocopy_end(uarg, copied + copied_syn);
	if (copied + copied_syn) {
		release_sock(sk);
		return copied + copied_syn;
	}
out_err:
	err = sk_stream_error(sk, flags, err);
	release_sock(sk);
	return err;
out_syn:
	release_sock(sk);
	return copied_syn;
}

/* ---- receive ---------------------------------------------------------------- */

/* After the user read: open the window with an ACK when it grew enough
 * (RFC 1122 §4.2.3.3, RFC 9293 §3.8.6.2.2).
 */
static void atcp_cleanup_rbuf(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 cur = atcp_offered_window(sk), win = atcp_free_window(sk);

	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2)))
		return;
	/* what the window field can say (RFC 7323 §2.3) */
	win = min_t(u32, win, U16_MAX << as->rcv_wscale);
	if (win > cur &&
	    win - cur >= min_t(u32, sk->sk_rcvbuf / 4, as->mss) &&
	    (!cur || win >= 2 * cur))
		atcp_send_ack(sk);
}

/* MSG_OOB: the urgent byte, when SO_OOBINLINE is off (as Linux). */
static int atcp_recv_urg(struct sock *sk, struct msghdr *msg, int len,
			 int flags)
{
	struct atcp_sock *as = atcp_sk(sk);
	u8 c;

	if (sock_flag(sk, SOCK_URGINLINE) || !as->urg_data ||
	    (as->urg_data & ATCP_URG_READ))
		return -EINVAL;
	if (!(as->urg_data & ATCP_URG_VALID))
		return sock_flag(sk, SOCK_DONE) ? 0 : -EAGAIN;
	c = as->urg_data & 0xff;
	if (!(flags & MSG_PEEK))
		as->urg_data = ATCP_URG_READ;
	msg->msg_flags |= MSG_OOB;
	if (len > 0) {
		if (memcpy_to_msg(msg, &c, 1))
			return -EFAULT;
		return 1;
	}
	msg->msg_flags |= MSG_TRUNC;
	return 0;
}

/*
 * TCP_INQ: the octets left to read after this read, as a TCP_CM_INQ
 * control message; not 0 once the FIN arrived, so that the reader reads
 * on to the end (as Linux's tcp_recvmsg).  Under the socket lock.
 */
static void atcp_recv_inq(struct sock *sk, struct msghdr *msg, bool cmsg)
{
	struct atcp_sock *as = atcp_sk(sk);
	int inq = as->rcv_nxt - as->copied_seq;

	if (!inq && sock_flag(sk, SOCK_DONE))
		inq = 1;
	msg->msg_inq = inq;
	if (cmsg)
		put_cmsg(msg, SOL_TCP, TCP_CM_INQ, sizeof(inq), &inq);
}

/* RECEIVE (RFC 9293 §3.10.3) */
int __atcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		   int flags)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 peek_seq, *seq;
	struct sk_buff *skb, *last;
	int copied = 0, target, err;
	bool inq;
	long timeo;

	if (flags & MSG_ERRQUEUE)
		return atcp_recv_error(sk, msg, len);
	lock_sock(sk);
	err = -ENOTCONN;
	if (sk->sk_state == TCP_LISTEN)
		goto out;
	if (flags & MSG_OOB) {
		err = atcp_recv_urg(sk, msg, len, flags);
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	peek_seq = as->copied_seq;
	seq = (flags & MSG_PEEK) ? &peek_seq : &as->copied_seq;

	while (copied < len) {
		u32 offset, used;

		/* Stop at the urgent mark once something was read (the
		 * octet read out of band or not, as Linux).
		 */
		if (copied && as->urg_data && as->urg_seq == *seq)
			break;
		last = skb_peek_tail(&sk->sk_receive_queue);
		skb_queue_walk(&sk->sk_receive_queue, skb) {
			offset = *seq - ATCP_SKB_CB(skb)->seq;
			if (offset < skb->len)
				goto found;
		}
		if (copied >= target && !READ_ONCE(sk->sk_backlog.tail))
			break;
		if (copied) {
			if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
			    signal_pending(current))
				break;
		} else {
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				copied = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				copied = -ENOTCONN;
				break;
			}
			if (!timeo) {
				copied = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				copied = sock_intr_errno(timeo);
				break;
			}
		}
		atcp_cleanup_rbuf(sk);
		sk_wait_data(sk, &timeo, last);
		continue;

found:
		used = min_t(u32, skb->len - offset, len - copied);
		if (as->urg_data) {
			u32 urg_off = as->urg_seq - *seq;

			if (urg_off < used) {
				if (!urg_off && !sock_flag(sk, SOCK_URGINLINE)) {
					/* skip the out-of-band byte */
					(*seq)++;
					offset++;
					used--;
					if (!used)
						goto eat;
				} else if (urg_off) {
					used = urg_off;
				}
			}
		}
		if (skb_copy_datagram_msg(skb, offset, msg, used)) {
			if (!copied)
				copied = -EFAULT;
			break;
		}
		*seq += used;
		copied += used;
eat:
		if (as->urg_data && seq_gt(as->copied_seq, as->urg_seq))
			as->urg_data = 0;
		if (!(flags & MSG_PEEK) &&
		    *seq - ATCP_SKB_CB(skb)->seq >= skb->len) {
			__skb_unlink(skb, &sk->sk_receive_queue);
			__kfree_skb(skb);
		}
	}
	if (copied > 0) {
		if (!(flags & MSG_PEEK))
			atcp_rcv_space_update(sk);
		atcp_cleanup_rbuf(sk);
	}
	err = copied;
out:
	inq = as->recvmsg_inq && err >= 0;
	if (inq || (err >= 0 && msg->msg_get_inq))
		atcp_recv_inq(sk, msg, inq);
	release_sock(sk);
	return err;
}

/*
 * splice(2) from the socket: one pass over the receive queue, in order,
 * moving at most len octets to the pipe and never past the urgent mark
 * (the octet there is the out-of-band one; recv() steps over it).
 * Octets moved, or a negative errno from the pipe.
 */
static int atcp_splice_some(struct sock *sk, struct pipe_inode_info *pipe,
			    size_t len, unsigned int flags)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb;
	u32 offset, n;
	int copied = 0, used;

	while (copied < len && (skb = skb_peek(&sk->sk_receive_queue))) {
		offset = as->copied_seq - ATCP_SKB_CB(skb)->seq;
		if (offset < skb->len) {
			n = min_t(size_t, skb->len - offset, len - copied);
			if (as->urg_data) {
				u32 urg_off = as->urg_seq - as->copied_seq;

				if (urg_off < n)
					n = urg_off;
				if (!n)
					break;	/* at the mark */
			}
			used = skb_splice_bits(skb, sk, offset, pipe, n, flags);
			if (used <= 0) {
				if (!copied)
					copied = used;
				break;
			}
			WRITE_ONCE(as->copied_seq, as->copied_seq + used);
			copied += used;
			if (used < n)
				break;		/* the pipe is full */
			if (offset + used < skb->len)
				continue;
		}
		__skb_unlink(skb, &sk->sk_receive_queue);
		__kfree_skb(skb);
	}
	if (copied > 0)
		atcp_cleanup_rbuf(sk);
	return copied;
}

/*
 * proto_ops->splice_read, with the answers of Linux's tcp_splice_read():
 * it waits for data as recv() does, but not at the urgent mark, where the
 * queue holds only what the out-of-band rules keep back: there it returns
 * 0 (EAGAIN without blocking) instead of sleeping for data that is there.
 */
static ssize_t atcp_splice_read(struct socket *sock, loff_t *ppos,
				struct pipe_inode_info *pipe, size_t len,
				unsigned int flags)
{
	struct sock *sk = sock->sk;
	ssize_t spliced = 0;
	long timeo;
	int ret = 0;

	if (unlikely(*ppos))
		return -ESPIPE;
	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, sock->file->f_flags & O_NONBLOCK);
	while (len) {
		if (sk->sk_state == TCP_LISTEN) {
			ret = -ENOTCONN;
			break;
		}
		ret = atcp_splice_some(sk, pipe, len, flags);
		if (ret < 0)
			break;
		if (!ret) {
			if (spliced || sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				ret = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				ret = -ENOTCONN;
				break;
			}
			if (!timeo) {
				ret = -EAGAIN;
				break;
			}
			/* Data queued but none to move: the urgent mark. */
			if (!skb_queue_empty(&sk->sk_receive_queue))
				break;
			sk_wait_data(sk, &timeo, NULL);
			if (signal_pending(current)) {
				ret = sock_intr_errno(timeo);
				break;
			}
			continue;
		}
		len -= ret;
		spliced += ret;
		if (!len || !timeo)
			break;
		/* let the backlog in, then go on while the connection does */
		release_sock(sk);
		lock_sock(sk);
		if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
		    (sk->sk_shutdown & RCV_SHUTDOWN) || signal_pending(current))
			break;
	}
	release_sock(sk);
	return spliced ? spliced : ret;
}

/* ---- close and shutdown ------------------------------------------------------ */

/* Send our FIN for CLOSE or shutdown(SHUT_WR) (RFC 9293 §3.10.4). */
static bool atcp_close_state(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		atcp_set_state(sk, TCP_FIN_WAIT1);
		return true;
	case TCP_CLOSE_WAIT:
		atcp_set_state(sk, TCP_LAST_ACK);
		return true;
	}
	return false;
}

/* No memory for our FIN: abort rather than wait for nothing (as Linux's
 * tcp_close() under memory pressure; the user of a live socket sees
 * ENOMEM).
 */
static void atcp_abort_nomem(struct sock *sk)
{
	atcp_send_active_reset(sk, GFP_ATOMIC);
	if (!sock_flag(sk, SOCK_DEAD))
		WRITE_ONCE(sk->sk_err, ENOMEM);
	atcp_done(sk);
}

static void atcp_shutdown(struct sock *sk, int how)
{
	if (!(how & SEND_SHUTDOWN))
		return;
	if (atcp_close_state(sk) && !atcp_send_fin(sk))
		atcp_abort_nomem(sk);
}

static bool atcp_closing(const struct sock *sk)
{
	return (1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_CLOSING |
				      TCPF_LAST_ACK);
}

/* CLOSE (RFC 9293 §3.10.4), with RFC 1122 §4.2.2.13: a close that
 * discards unread data resets the connection.
 */
static void atcp_close(struct sock *sk, long timeout)
{
	struct atcp_sock *as = atcp_sk(sk);
	bool unread;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sk->sk_state == TCP_LISTEN) {
		atcp_listen_stop(sk);
		goto orphan;
	}
	unread = as->rcv_nxt - as->copied_seq >
		 (u32)!!sock_flag(sk, SOCK_DONE);
	__skb_queue_purge(&sk->sk_receive_queue);
	atcp_ooo_purge(sk);
	sk_mem_reclaim(sk);

	if (sk->sk_state == TCP_CLOSE) {
		goto orphan;
	} else if (sk->sk_state == TCP_SYN_SENT) {
		atcp_done(sk);
	} else if (unread || (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
		/* ABORT: <SEQ=SND.NXT><CTL=RST> */
		atcp_send_active_reset(sk, sk->sk_allocation);
		atcp_done(sk);
	} else if (atcp_close_state(sk) && !atcp_send_fin(sk)) {
		atcp_abort_nomem(sk);
	}

	if (timeout && atcp_closing(sk)) {
		/* SO_LINGER: wait until our FIN is acknowledged */
		DEFINE_WAIT_FUNC(wait, woken_wake_function);

		add_wait_queue(sk_sleep(sk), &wait);
		while (atcp_closing(sk) && timeout &&
		       !signal_pending(current))
			sk_wait_event(sk, &timeout, !atcp_closing(sk), &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
	}

orphan:
	sock_hold(sk);
	sock_orphan(sk);
	if (sk->sk_state == TCP_FIN_WAIT2 && !as->ka_timer.pending)
		atcp_arm_fin_wait2(sk);
	if (sk->sk_state == TCP_CLOSE) {
		atcp_destroy_sock(sk);
	} else {
		/* An orphan over max_orphans or net.atcp.mem[2] is reset
		 * at once, as Linux (tcp_close, tcp_check_oom).
		 */
		atcp_orphan_count(sk);
		if (atcp_check_oom(sk, 0)) {
			atcp_send_active_reset(sk, GFP_ATOMIC);
			atcp_inc(sock_net(sk), ATCP_MIB_ABORTONMEMORY);
			atcp_done(sk);
		}
	}
	release_sock(sk);
	sock_put(sk);
}

/* ---- options, status, poll, ioctl ------------------------------------------------ */

/* TCP_CONGESTION: an algorithm by name, as Linux (the name need not end
 * in NUL; loading its module takes CAP_NET_ADMIN).
 */
static int atcp_setsockopt_congestion(struct sock *sk, sockptr_t optval,
				      unsigned int optlen)
{
	char name[ATCP_CA_NAME_MAX];
	int err;

	if (optlen < 1)
		return -EINVAL;
	err = strncpy_from_sockptr(name, optval,
				   min_t(long, ATCP_CA_NAME_MAX - 1, optlen));
	if (err < 0)
		return -EFAULT;
	name[err] = 0;
	lock_sock(sk);
	err = atcp_set_congestion_control(sk, name,
					  ns_capable(sock_net(sk)->user_ns,
						     CAP_NET_ADMIN));
	release_sock(sk);
	return err;
}

/*
 * TCP_DEFER_ACCEPT is kept as Linux keeps it: as the number of SYN,ACK
 * timeouts whose sum first covers the seconds asked, counting from an
 * initial timeout of 1 s doubling up to 120 s (Linux's TCP_TIMEOUT_INIT
 * and TCP_RTO_MAX, whatever the sysctls say); read back, the sum of
 * those timeouts.  So 5 reads back as 7 (1 + 2 + 4).
 */
#define ATCP_DEFER_TIMEOUT_S	1
#define ATCP_DEFER_RTO_MAX_S	120

static u8 atcp_defer_secs_to_timeouts(int secs)
{
	int timeout = ATCP_DEFER_TIMEOUT_S, period = timeout;
	u8 n;

	if (secs <= 0)
		return 0;
	for (n = 1; secs > period && n < U8_MAX; n++) {
		timeout = min(timeout * 2, ATCP_DEFER_RTO_MAX_S);
		period += timeout;
	}
	return n;
}

static int atcp_defer_timeouts_to_secs(u8 n)
{
	int timeout = ATCP_DEFER_TIMEOUT_S, period = n ? timeout : 0;

	while (n-- > 1) {
		timeout = min(timeout * 2, ATCP_DEFER_RTO_MAX_S);
		period += timeout;
	}
	return period;
}

static int atcp_setsockopt(struct sock *sk, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	struct atcp_sock *as = atcp_sk(sk);
	int val, err = 0;

	if (level != SOL_TCP && level != SOL_ATCP)
		return ip_setsockopt(sk, level, optname, optval, optlen);
	if (optname == TCP_CONGESTION)
		return atcp_setsockopt_congestion(sk, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	switch (optname) {
	case TCP_NODELAY:
		/* weaker than TCP_CORK, but setting it pushes what is
		 * queued, corked or not (as Linux)
		 */
		as->nodelay = !!val;
		if (val) {
			as->push_queued = true;
			atcp_push(sk);
		}
		break;
	case TCP_CORK:
		/* uncorked, what waits goes as Nagle and TCP_NODELAY say */
		as->cork = !!val;
		if (!val) {
			if (as->nodelay)
				as->push_queued = true;
			atcp_push(sk);
		}
		break;
	case TCP_NOTSENT_LOWAT:
		WRITE_ONCE(as->notsent_lowat, val);
		sk->sk_write_space(sk);		/* a higher limit may wake */
		break;
	case TCP_INQ:
		if (val < 0 || val > 1)
			err = -EINVAL;
		else
			as->recvmsg_inq = val;
		break;
	case TCP_MAXSEG:
		if (val && (val < ATCP_MIN_MSS || val > 65535 - 40))
			err = -EINVAL;
		else
			as->user_mss = val;
		break;
	case TCP_SYNCNT:
		if (val < 1 || val > 127)
			err = -EINVAL;
		else
			as->syn_retries = val;
		break;
	case TCP_USER_TIMEOUT:
		if (val < 0)
			err = -EINVAL;
		else
			as->user_timeout_ms = val;
		break;
	case TCP_KEEPIDLE:
		if (val < 1 || val > 32767) {
			err = -EINVAL;
			break;
		}
		as->keepidle_s = val;
		if (sock_flag(sk, SOCK_KEEPOPEN))
			atcp_arm_keepalive(sk);
		break;
	case TCP_KEEPINTVL:
		if (val < 1 || val > 32767)
			err = -EINVAL;
		else
			as->keepintvl_s = val;
		break;
	case TCP_KEEPCNT:
		if (val < 1 || val > 127)
			err = -EINVAL;
		else
			as->keepcnt = val;
		break;
	case TCP_LINGER2:
		as->lingertime_ms = val > 0 ? min(val, 120) * 1000U : 0;
		break;
	case TCP_QUICKACK:
		as->quickack = val ? 16 : 0;
		break;
	case TCP_DEFER_ACCEPT:
		WRITE_ONCE(as->defer_accept, atcp_defer_secs_to_timeouts(val));
		break;
	case TCP_FASTOPEN:
	case TCP_FASTOPEN_CONNECT:
	case TCP_FASTOPEN_NO_COOKIE:
		err = atcp_fastopen_setsockopt(sk, optname, val);
		break;
	default:
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	return err;
}

/* STATUS (RFC 9293 §3.10.6): TCP_INFO, as Linux fills it. */
static void atcp_get_info(struct sock *sk, struct tcp_info *info)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct dst_entry *dst;
	u64 now = atcp_now_us();
	u32 mss = as->mss ? as->mss : ATCP_DEFAULT_MSS;

	memset(info, 0, sizeof(*info));
	info->tcpi_state = sk->sk_state;
	info->tcpi_retransmits = as->retransmits;
	info->tcpi_probes = as->probes;
	info->tcpi_backoff = as->backoff;
	info->tcpi_rto = min_t(u64, (u64)as->rto_us << as->backoff,
			       atcp_sysctl(sk)->rto_max_ms * 1000ULL);
	info->tcpi_ato = atcp_sysctl(sk)->delack_ms * 1000U;
	info->tcpi_snd_mss = mss;
	info->tcpi_rcv_mss = as->advmss;
	info->tcpi_unacked = as->packets_out;
	info->tcpi_sacked = as->sacked_out;
	info->tcpi_lost = as->lost_out;
	info->tcpi_retrans = as->retrans_out;
	info->tcpi_last_data_recv = div_u64(now - as->last_rcv_us, 1000);
	dst = __sk_dst_get(sk);
	info->tcpi_pmtu = dst ? dst_mtu(dst) : 0;
	info->tcpi_rtt = as->srtt_us;
	info->tcpi_rttvar = as->rttvar_us;
	info->tcpi_snd_ssthresh = as->snd_ssthresh;
	info->tcpi_snd_cwnd = as->snd_cwnd;
	info->tcpi_ca_state = as->ca_state;
	info->tcpi_advmss = as->advmss;
	info->tcpi_reordering = as->reordering;
	info->tcpi_rcv_space = as->rcvq_space;
	info->tcpi_options = atcp_tcpi_options(as);
	info->tcpi_fastopen_client_fail = as->fo_client_fail;
	if (as->wscale_ok) {
		info->tcpi_snd_wscale = as->snd_wscale;
		info->tcpi_rcv_wscale = as->rcv_wscale;
	}
	info->tcpi_total_retrans = as->total_retrans;
	info->tcpi_bytes_acked = as->bytes_acked;
	info->tcpi_bytes_received = as->bytes_received;
	info->tcpi_segs_out = as->segs_out;
	info->tcpi_segs_in = as->segs_in;
	info->tcpi_notsent_bytes = as->write_seq - as->snd_nxt;
	info->tcpi_data_segs_in = as->data_segs_in;
	info->tcpi_data_segs_out = as->data_segs_out;
	info->tcpi_bytes_sent = as->bytes_sent;
	info->tcpi_snd_wnd = as->snd_wnd;
}

static int atcp_getsockopt(struct sock *sk, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct tcp_info info;
	int len, val;

	if (level != SOL_TCP && level != SOL_ATCP)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	switch (optname) {
	case TCP_INFO:
		lock_sock(sk);
		atcp_get_info(sk, &info);
		release_sock(sk);
		len = min_t(unsigned int, len, sizeof(info));
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	case TCP_NODELAY:
		val = as->nodelay;
		break;
	case TCP_CORK:
		val = as->cork;
		break;
	case TCP_NOTSENT_LOWAT:
		val = READ_ONCE(as->notsent_lowat);
		break;
	case TCP_INQ:
		val = as->recvmsg_inq;
		break;
	case TCP_MAXSEG:
		val = (1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN) ?
		      (as->user_mss ? as->user_mss : ATCP_DEFAULT_MSS) : as->mss;
		break;
	case TCP_SYNCNT:
		val = as->syn_retries ? : atcp_sysctl(sk)->syn_retries;
		break;
	case TCP_USER_TIMEOUT:
		val = as->user_timeout_ms;
		break;
	case TCP_KEEPIDLE:
		val = as->keepidle_s ? :
		      atcp_sysctl(sk)->keepalive_time_ms / 1000;
		break;
	case TCP_KEEPINTVL:
		val = as->keepintvl_s ? :
		      atcp_sysctl(sk)->keepalive_intvl_ms / 1000;
		break;
	case TCP_KEEPCNT:
		val = as->keepcnt ? : atcp_sysctl(sk)->keepalive_probes;
		break;
	case TCP_LINGER2:
		val = as->lingertime_ms / 1000;
		break;
	case TCP_QUICKACK:
		val = !!as->quickack;
		break;
	case TCP_DEFER_ACCEPT:
		val = atcp_defer_timeouts_to_secs(READ_ONCE(as->defer_accept));
		break;
	case TCP_CC_INFO:
		return atcp_getsockopt_cc_info(sk, optval, optlen, len);
	case TCP_FASTOPEN:
	case TCP_FASTOPEN_CONNECT:
	case TCP_FASTOPEN_NO_COOKIE:
		atcp_fastopen_getsockopt(sk, optname, &val);
		break;
	case TCP_CONGESTION:
		/* the name, NUL-padded to len (as Linux) */
		len = min_t(unsigned int, len, ATCP_CA_NAME_MAX);
		if (put_user(len, optlen) ||
		    copy_to_user(optval, as->ca_ops->name, len))
			return -EFAULT;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
	len = min_t(unsigned int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

static void atcp_keepalive(struct sock *sk, int valbool)
{
	if (valbool)
		atcp_arm_keepalive(sk);
	else
		atcp_timer_stop(sk, &atcp_sk(sk)->ka_timer);
}

/* poll: readiness as Linux TCP reports it (tcp_poll's rules). */
static __poll_t atcp_poll(struct file *file, struct socket *sock,
			  poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct atcp_sock *as = atcp_sk(sk);
	int state = inet_sk_state_load(sk);
	u8 shutdown;
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);
	if (state == TCP_LISTEN)
		return READ_ONCE(as->lq.acc_len) ? EPOLLIN | EPOLLRDNORM : 0;
	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	/* a passive TFO child reads and writes in SYN-RECEIVED (as Linux) */
	if (state != TCP_SYN_SENT &&
	    (state != TCP_SYN_RECV || atcp_fastopen_passive(sk))) {
		int avail = READ_ONCE(as->rcv_nxt) - READ_ONCE(as->copied_seq);

		/* At the urgent mark the out-of-band octet alone is not
		 * readable (SO_OOBINLINE off), as tcp_poll() counts it.
		 */
		if (READ_ONCE(as->urg_data) && !sock_flag(sk, SOCK_URGINLINE) &&
		    READ_ONCE(as->urg_seq) == READ_ONCE(as->copied_seq))
			avail--;
		if (avail > 0 && !skb_queue_empty_lockless(&sk->sk_receive_queue))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			/* wake: 1, the TCP_NOTSENT_LOWAT test as tcp_poll */
			if (__sk_stream_is_writeable(sk, 1)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sock->flags);
				/* NOSPACE before the re-check: pairs with the
				 * writer-space wakeup after an ACK frees memory
				 */
				smp_mb__after_atomic();
				if (__sk_stream_is_writeable(sk, 1))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
		if (READ_ONCE(as->urg_data) & ATCP_URG_VALID)
			mask |= EPOLLPRI;
	}
	/* TCP_FASTOPEN_CONNECT: writable, the write sends the SYN */
	if (state == TCP_SYN_SENT && atcp_defer_connect(sk))
		mask |= EPOLLOUT | EPOLLWRNORM;
	/* sk_err after the state: pairs with sk_error_report() */
	smp_rmb();
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

static int atcp_ioctl(struct socket *sock, unsigned int cmd,
		      unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct atcp_sock *as = atcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = as->rcv_nxt - as->copied_seq;
		if (answ && sock_flag(sk, SOCK_DONE))
			answ--;		/* the FIN */
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_CLOSE) &&
		    skb_queue_empty(&sk->sk_receive_queue))
			answ = 0;
		release_sock(sk);
		break;
	case SIOCATMARK:
		/* at the mark, the octet read out of band or not (as Linux) */
		answ = as->urg_data && as->urg_seq == as->copied_seq;
		break;
	case SIOCOUTQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
			answ = 0;
		else
			answ = READ_ONCE(as->write_seq) - READ_ONCE(as->snd_una);
		break;
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
			answ = 0;
		else
			answ = READ_ONCE(as->write_seq) - READ_ONCE(as->snd_nxt);
		break;
	default:
		return inet_ioctl(sock, cmd, arg);
	}
	return put_user(answ, (int __user *)arg);
}

/* ---- the protocol ------------------------------------------------------------ */

struct proto atcp_prot = {
	.name			= "ATCP",
	.owner			= THIS_MODULE,
	.close			= atcp_close,
	.connect		= atcp_connect,
	.disconnect		= atcp_disconnect,
	.init			= atcp_init_sock,
	.shutdown		= atcp_shutdown,
	.setsockopt		= atcp_setsockopt,
	.getsockopt		= atcp_getsockopt,
	.keepalive		= atcp_keepalive,
	.sendmsg		= atcp_sendmsg,
	.recvmsg		= atcp_recvmsg,
	.backlog_rcv		= atcp_backlog_rcv,
	.release_cb		= atcp_release_cb,
	.get_port		= atcp_get_port,
	.enter_memory_pressure	= atcp_enter_memory_pressure,
	.leave_memory_pressure	= atcp_leave_memory_pressure,
	.stream_memory_free	= atcp_stream_memory_free,
	.memory_allocated	= &atcp_memory_allocated,
	.per_cpu_fw_alloc	= &atcp_fw_alloc,
	.memory_pressure	= &atcp_memory_pressure,
	.sysctl_mem		= atcp_mem,
	.sysctl_wmem		= atcp_wmem_init,	/* init_net's, at load */
	.sysctl_rmem		= atcp_rmem_init,
	.max_header		= ATCP_MAX_HEADER,
	.obj_size		= sizeof(struct atcp_sock),
	.slab_flags		= SLAB_TYPESAFE_BY_RCU,
	.no_autobind		= true,
};

const struct proto_ops atcp_stream_ops = {
	.family		= PF_INET,
	.owner		= THIS_MODULE,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= inet_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= atcp_accept,
	.getname	= inet_getname,
	.poll		= atcp_poll,
	.ioctl		= atcp_ioctl,
	.listen		= atcp_listen,
	.shutdown	= inet_shutdown,
	.setsockopt	= atcp_sock_setsockopt,	/* SO_ZEROCOPY */
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
	.splice_read	= atcp_splice_read,
	.mmap		= sock_no_mmap,
};
