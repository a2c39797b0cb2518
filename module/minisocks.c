// SPDX-License-Identifier: GPL-2.0
/*
 * atcp minisocks: the SYN-RECEIVED entries of a passive OPEN (RFC 9293
 * §3.10.7.2).  A SYN to a listener makes a small struct atcp_request_sock
 * (4-tuple, ISS, IRS, the peer's MSS and window, the SYN,ACK's
 * retransmission state) that sits in the connection table and in the
 * listener's SYN queue.  It answers the handshake's segments as
 * SYN-RECEIVED does (§3.10.7.4) and retransmits the SYN,ACK; the full
 * socket is made only by the handshake's valid ACK, and takes the entry's
 * place in the table.  When the SYN queue is full, a SYN cookie (RFC 4987
 * §3.6, syncookies.c) answers instead, and its ACK makes the socket.
 *
 * References on an entry: its creator's while it is set up, the table's
 * while it is in ehash (and so in the SYN queue), the timer's while the
 * timer is armed, and a lookup's.  Whoever takes it out of ehash takes it
 * out of the SYN queue too and drops the table's reference.
 */
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>

#include "atcp.h"
#include "compat.h"
#include "trace.h"

static struct kmem_cache *reqsk_cachep;

void atcp_reqsk_put(struct atcp_request_sock *req)
{
	if (refcount_dec_and_test(&req->c.skc_refcnt)) {
		sock_put(req->listener);
		kmem_cache_free(reqsk_cachep, req);
	}
}

/* The MSS we announce on the route to the peer (RFC 9293 §3.7.1). */
static u16 atcp_reqsk_advmss(struct sock *sk, __be32 laddr, __be32 raddr,
			     __be16 lport, __be16 rport)
{
	struct flowi4 fl4;
	struct rtable *rt;
	u16 user_mss = READ_ONCE(atcp_sk(sk)->user_mss);
	u32 mss;

	rt = ip_route_output_ports(sock_net(sk), &fl4, NULL, raddr, laddr,
				   rport, lport, atcp_ipproto,
				   READ_ONCE(inet_sk(sk)->tos),
				   READ_ONCE(sk->sk_bound_dev_if));
	if (IS_ERR(rt))
		return 0;
	mss = clamp_t(u32, dst_mtu(&rt->dst) - sizeof(struct iphdr) -
		      ATCP_HDR_LEN, ATCP_MIN_MSS, 65535 - 40);
	ip_rt_put(rt);
	if (user_mss)
		mss = min_t(u32, mss, user_mss);
	return mss;
}

/* The window of the SYN,ACK: what a fresh child's buffer offers, never
 * scaled (RFC 7323 §2.2).
 */
static u32 atcp_reqsk_window(const struct sock *sk)
{
	return min_t(u32, READ_ONCE(sk->sk_rcvbuf) / 2, ATCP_MAX_SYN_WINDOW);
}

/* What a SYN-RECEIVED entry keeps of the SYN in skb (§3.10.7.2). */
static void atcp_reqsk_fill(struct atcp_request_sock *req, struct sock *sk,
			    struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);

	req->c.skc_daddr = iph->saddr;
	req->c.skc_rcv_saddr = iph->daddr;
	req->c.skc_dport = th->source;
	req->c.skc_num = ntohs(th->dest);
	req->c.skc_family = AF_INET;
	req->c.skc_state = TCP_NEW_SYN_RECV;
	req->c.skc_bound_dev_if = READ_ONCE(sk->sk_bound_dev_if);
	write_pnet(&req->c.skc_net, sock_net(sk));
	req->listener = sk;
	req->irs = cb->seq;
	req->snd_wnd = cb->wnd;
	req->peer_mss = cb->opt_mss ? cb->opt_mss : ATCP_DEFAULT_MSS;
	req->sack_ok = (cb->opt_flags & ATCP_CBO_SACK_PERM) &&
		       READ_ONCE(atcp_sysctl(sk)->sack);
	/* RFC 7323 §2.2, §3.2: answered only if the SYN offered them; a
	 * shift over 14 is used as 14 (§2.3)
	 */
	req->wscale_ok = (cb->opt_flags & ATCP_CBO_WSCALE) &&
			 READ_ONCE(atcp_sysctl(sk)->window_scaling);
	req->snd_wscale = req->wscale_ok ?
			  min_t(u8, cb->opt_wscale, ATCP_MAX_WSCALE) : 0;
	req->rcv_wscale = req->wscale_ok ? atcp_rcv_wscale(sk) : 0;
	req->tstamp_ok = (cb->opt_flags & ATCP_CBO_TS) &&
			 READ_ONCE(atcp_sysctl(sk)->timestamps);
	req->ts_recent = cb->tsval;
	req->ts_offset = atcp_ts_offset(iph->daddr, iph->saddr);
	req->rcv_wnd = atcp_reqsk_window(sk);
	req->tos = READ_ONCE(inet_sk(sk)->tos);
	req->ecn_ok = atcp_ecn_rcv_syn_request(sk, skb);
}

static enum hrtimer_restart atcp_reqsk_timer_fn(struct hrtimer *h);

static struct atcp_request_sock *atcp_reqsk_alloc(struct sock *sk)
{
	struct atcp_request_sock *req;

	req = kmem_cache_alloc(reqsk_cachep, GFP_ATOMIC | __GFP_NOWARN);
	if (!req)
		return NULL;
	/* RCU readers may still walk a freed entry's chain link (the
	 * cache is SLAB_TYPESAFE_BY_RCU): clear all but skc_nulls_node.next.
	 */
	memset((char *)req, 0, offsetof(struct atcp_request_sock,
					c.skc_nulls_node.next));
	memset((char *)req + offsetof(struct atcp_request_sock,
				      c.skc_nulls_node.pprev), 0,
	       sizeof(*req) - offsetof(struct atcp_request_sock,
				       c.skc_nulls_node.pprev));
	INIT_LIST_HEAD(&req->q_node);
	atcp_hrtimer_setup(&req->timer, atcp_reqsk_timer_fn);
	sock_hold(sk);
	req->listener = sk;
	refcount_set(&req->c.skc_refcnt, 1);
	return req;
}

/* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; fo: a TFO cookie (RFC 7413), on
 * the first SYN,ACK only (as Linux)
 */
static void atcp_reqsk_send_synack(struct atcp_request_sock *req,
				   const struct atcp_fastopen_cookie *fo)
{
	struct atcp_syn_opts so = {
		.mss = req->advmss,
		.sack_ok = req->sack_ok,
		.wscale_ok = req->wscale_ok,
		.wscale = req->rcv_wscale,
		.ts_ok = req->tstamp_ok,
		.tsval = atcp_ts_now() + req->ts_offset,
		.tsecr = req->ts_recent,
		.ecn = req->ecn_ok,
	};

	if (fo)
		so.fo = *fo;
	atcp_send_synack(read_pnet(&req->c.skc_net), req->c.skc_rcv_saddr,
			 req->c.skc_daddr, htons(req->c.skc_num),
			 req->c.skc_dport, req->iss, req->irs + 1,
			 req->rcv_wnd, &so, req->c.skc_bound_dev_if,
			 req->tos);
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
static void atcp_reqsk_send_ack(struct atcp_request_sock *req)
{
	if (req->tstamp_ok) {
		atcp_send_reply_ts(read_pnet(&req->c.skc_net),
				   req->c.skc_rcv_saddr, req->c.skc_daddr,
				   htons(req->c.skc_num), req->c.skc_dport,
				   req->iss + 1, req->irs + 1, ATCP_ACK,
				   req->rcv_wnd >> req->rcv_wscale,
				   req->c.skc_bound_dev_if, req->tos,
				   atcp_ts_now() + req->ts_offset,
				   req->ts_recent);
		return;
	}
	atcp_send_reply(read_pnet(&req->c.skc_net), req->c.skc_rcv_saddr,
			req->c.skc_daddr, htons(req->c.skc_num),
			req->c.skc_dport, req->iss + 1, req->irs + 1, ATCP_ACK,
			req->rcv_wnd >> req->rcv_wscale,
			req->c.skc_bound_dev_if, req->tos);
}

/* Out of the listener's SYN queue (a no-op if it is out already). */
static void atcp_reqsk_dequeue(struct atcp_request_sock *req)
{
	struct atcp_listen_queue *lq = &atcp_sk(req->listener)->lq;

	spin_lock_bh(&lq->lock);
	if (!list_empty(&req->q_node)) {
		list_del_init(&req->q_node);
		lq->syn_len--;
	}
	spin_unlock_bh(&lq->lock);
}

/*
 * The entry goes: a RST or SYN returned the connection to LISTEN, its
 * retransmissions ran out, or the listener closed.  Only one caller
 * takes it out of ehash; that one finishes the job.  With sync, wait for
 * a running timer (process context only).
 */
static void atcp_reqsk_drop(struct atcp_request_sock *req, bool sync)
{
	if (!atcp_ehash_del_req(req))
		return;
	atcp_reqsk_dequeue(req);
	trace_atcp_state_change((struct sock *)req, TCP_SYN_RECV, TCP_CLOSE);
	if (sync ? hrtimer_cancel(&req->timer) :
	    hrtimer_try_to_cancel(&req->timer) == 1)
		atcp_reqsk_put(req);		/* the timer's */
	atcp_reqsk_put(req);			/* the table's */
}

static u64 atcp_reqsk_rto_us(const struct atcp_request_sock *req)
{
	struct atcp_sysctl *sc = atcp_sysctl(req->listener);
	u64 rto = (u64)READ_ONCE(sc->rto_init_ms) * 1000 <<
		  min_t(u8, req->timeouts, 20);

	return min_t(u64, rto, READ_ONCE(sc->rto_max_ms) * 1000ULL);
}

/*
 * TCP_DEFER_ACCEPT, as Linux's listener answers it: once a bare ACK was
 * dropped (acked), the entry waits for data without resending, until
 * the last timeout of the period; it then sends the SYN,ACK again, whose
 * ACK completes the connection.  It goes after synack_retries timeouts
 * as usual, or, acked, no sooner than the period's end.
 */
static void atcp_reqsk_expiry(const struct atcp_request_sock *req,
			      bool *expire, bool *resend)
{
	struct sock *sk = req->listener;
	u8 max = READ_ONCE(atcp_sysctl(sk)->synack_retries);
	u8 defer = READ_ONCE(atcp_sk(sk)->defer_accept);

	*expire = req->timeouts >= max;
	*resend = true;
	if (!defer)
		return;
	*expire &= !req->acked || req->timeouts >= defer;
	*resend = !req->acked || req->timeouts + 1 >= defer;
}

/* The SYN,ACK's retransmission timer (RFC 6298 §5, synack_retries). */
static enum hrtimer_restart atcp_reqsk_timer_fn(struct hrtimer *h)
{
	struct atcp_request_sock *req =
		container_of(h, struct atcp_request_sock, timer);
	struct sock *sk = req->listener;
	bool expire, resend;

	if (!sk_hashed((struct sock *)req))
		goto out;
	atcp_reqsk_expiry(req, &expire, &resend);
	if (expire) {
		atcp_reqsk_drop(req, false);	/* back to LISTEN */
		goto out;
	}
	if (resend) {
		req->retrans++;
		req->sent_us = 0;		/* Karn: no RTT sample */
		atcp_inc(sock_net(sk), ATCP_MIB_RETRANSSEGS);
		atcp_reqsk_send_synack(req, NULL);
	}
	req->timeouts++;
	hrtimer_forward_now(h, ns_to_ktime(atcp_reqsk_rto_us(req) * NSEC_PER_USEC));
	return HRTIMER_RESTART;
out:
	atcp_reqsk_put(req);			/* the timer's */
	return HRTIMER_NORESTART;
}

/* Is the SYN queue full?  As Linux: more than the backlog, and never
 * more than max_syn_backlog.
 */
static bool atcp_synq_full(struct sock *sk)
{
	int len = READ_ONCE(atcp_sk(sk)->lq.syn_len);

	return len > READ_ONCE(sk->sk_max_ack_backlog) ||
	       len >= READ_ONCE(atcp_sysctl(sk)->max_syn_backlog);
}

static bool atcp_acceptq_full(struct sock *sk)
{
	return READ_ONCE(atcp_sk(sk)->lq.acc_len) >=
	       max_t(int, READ_ONCE(sk->sk_max_ack_backlog), 1);
}

/* A SYN cookie SYN,ACK for the SYN in skb (RFC 4987 §3.6). */
static void atcp_send_cookie(struct sock *sk, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	struct atcp_listen_queue *lq = &atcp_sk(sk)->lq;
	u16 mss = cb->opt_mss ? cb->opt_mss : ATCP_DEFAULT_MSS;
	struct atcp_syn_opts so = {};
	struct atcp_request_sock opt;
	unsigned long now = jiffies;
	u16 advmss;
	u32 iss;

	advmss = atcp_reqsk_advmss(sk, iph->daddr, iph->saddr, th->dest,
				   th->source);
	if (!advmss)
		return;
	iss = atcp_cookie_make(iph->saddr, iph->daddr, th->source, th->dest,
			       cb->seq, &mss);
	/* cookies are taken back for two minutes after the last one sent */
	if (READ_ONCE(lq->overflow_stamp) != now)
		WRITE_ONCE(lq->overflow_stamp, now);
	atcp_inc(sock_net(sk), ATCP_MIB_SYNCOOKIESSENT);
	/* The MSS is in the ISS; with timestamps, window scale and
	 * SACK-permitted are in TSval (as Linux); without, none of them.
	 */
	so.mss = advmss;
	memset(&opt, 0, sizeof(opt));
	atcp_reqsk_fill(&opt, sk, skb);
	if (opt.tstamp_ok) {
		so.ts_ok = true;
		so.tsval = atcp_cookie_tsval(opt.wscale_ok, opt.snd_wscale,
					     opt.sack_ok) + opt.ts_offset;
		so.tsecr = opt.ts_recent;
		so.sack_ok = opt.sack_ok;
		so.wscale_ok = opt.wscale_ok;
		so.wscale = opt.rcv_wscale;
	}
	atcp_send_synack(sock_net(sk), iph->daddr, iph->saddr, th->dest,
			 th->source, iss, cb->seq + 1, atcp_reqsk_window(sk),
			 &so, READ_ONCE(sk->sk_bound_dev_if),
			 READ_ONCE(inet_sk(sk)->tos));
}

/*
 * §3.10.7.2 LISTEN, third, a SYN: "ISS should be selected and a SYN
 * segment sent of the form <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>".  The
 * listener is locked; the SYN stays the caller's.
 */
void atcp_conn_request(struct sock *sk, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	struct atcp_listen_queue *lq = &atcp_sk(sk)->lq;
	int cookies = READ_ONCE(atcp_sysctl(sk)->syncookies);
	struct net *net = sock_net(sk);
	struct atcp_fastopen_cookie fo;
	struct atcp_request_sock *req;
	bool queued = false;

	/* A SYN that reopens TIME-WAIT has its ISS already (RFC 6191). */
	if (!cb->tw_isn && (cookies == 2 || atcp_synq_full(sk))) {
		if (!cookies) {
			atcp_inc(net, ATCP_MIB_REQQFULLDROP);
			atcp_inc(net, ATCP_MIB_LISTENOVERFLOWS);
			return;
		}
		if (cookies == 1)
			atcp_inc(net, ATCP_MIB_REQQFULLDOCOOKIES);
		if (atcp_acceptq_full(sk)) {
			atcp_inc(net, ATCP_MIB_LISTENOVERFLOWS);
			return;
		}
		atcp_send_cookie(sk, skb);
		return;
	}
	if (atcp_acceptq_full(sk)) {
		atcp_inc(net, ATCP_MIB_LISTENOVERFLOWS);
		return;
	}

	req = atcp_reqsk_alloc(sk);
	if (!req)
		return;
	atcp_reqsk_fill(req, sk, skb);
	req->iss = cb->tw_isn ? cb->tw_isn :
		   atcp_isn(iph->daddr, iph->saddr, th->dest, th->source);
	req->advmss = atcp_reqsk_advmss(sk, iph->daddr, iph->saddr, th->dest,
					th->source);
	/* RFC 7413: a TFO cookie, request or SYN data (fastopen.c); a TFO
	 * child takes the SYN itself
	 */
	if (req->advmss && atcp_fastopen_conn_request(sk, req, skb, &fo))
		goto out;
	/* A retransmitted SYN that raced the first finds the 4-tuple
	 * taken: it is a duplicate, drop it.
	 */
	if (!req->advmss || atcp_ehash_add((struct sock *)req))
		goto out;
	spin_lock_bh(&lq->lock);
	if (lq->open) {
		list_add_tail(&req->q_node, &lq->syn_q);
		lq->syn_len++;
		queued = true;
	}
	spin_unlock_bh(&lq->lock);
	if (!queued) {
		if (atcp_ehash_del_req(req))
			atcp_reqsk_put(req);
		goto out;
	}
	trace_atcp_state_change((struct sock *)req, TCP_LISTEN, TCP_SYN_RECV);
	atcp_inc(net, ATCP_MIB_PASSIVEOPENS);
	refcount_inc(&req->c.skc_refcnt);	/* the timer's */
	req->sent_us = atcp_now_us();
	hrtimer_start(&req->timer, ns_to_ktime(atcp_reqsk_rto_us(req) * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_SOFT);
	atcp_reqsk_send_synack(req, &fo);
out:
	atcp_reqsk_put(req);			/* the creator's */
}

/* A child never hashed nor queued: undo the clone. */
void atcp_child_discard(struct sock *child)
{
	__acquire(&child->sk_lock.slock);	/* sk_clone_lock() locked it */
	atcp_child_unlink(child);
	atcp_put_port(child);
	child->sk_state = TCP_CLOSE;
	sock_set_flag(child, SOCK_DEAD);
	bh_unlock_sock(child);
	sk_free(child);
}

/*
 * The full socket for the handshake req describes, locked, in
 * SYN-RECEIVED with SND.NXT = ISS+1, as the listener's clone (its
 * options); NULL without memory or route.
 */
struct sock *atcp_create_child(struct sock *sk,
			       const struct atcp_request_sock *req)
{
	struct inet_sock *newinet;
	struct atcp_sock *as;
	struct flowi4 *fl4;
	struct rtable *rt;
	struct sock *child;

	child = sk_clone_lock(sk, GFP_ATOMIC);
	if (!child)
		return NULL;
	atcp_ca_clone(child);
	as = atcp_sk(child);
	atcp_lq_init(&as->lq);
	as->defer_accept = 0;	/* the listener's, not its children's */
	newinet = inet_sk(child);
	newinet->inet_daddr = req->c.skc_daddr;
	newinet->inet_rcv_saddr = req->c.skc_rcv_saddr;
	newinet->inet_saddr = req->c.skc_rcv_saddr;
	newinet->inet_dport = req->c.skc_dport;
	newinet->inet_sport = htons(req->c.skc_num);
	RCU_INIT_POINTER(newinet->inet_opt, NULL);
	newinet->mc_list = NULL;
	atomic_set(&newinet->inet_id, get_random_u16());
	child->sk_userlocks &= ~SOCK_BINDPORT_LOCK;
	atcp_init_tcb(child);

	fl4 = &newinet->cork.fl.u.ip4;
	rt = ip_route_output_ports(sock_net(sk), fl4, child,
				   req->c.skc_daddr, req->c.skc_rcv_saddr,
				   req->c.skc_dport, htons(req->c.skc_num),
				   atcp_ipproto, newinet->tos,
				   child->sk_bound_dev_if);
	if (IS_ERR(rt)) {
		atcp_child_discard(child);
		return NULL;
	}
	atcp_setup_caps(child, &rt->dst);

	/* RFC 9293 §3.10.7.2: RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ; the
	 * SYN,ACK sent: SND.UNA = ISS, SND.NXT = ISS+1.
	 */
	as->irs = req->irs;
	as->rcv_nxt = req->irs + 1;
	as->copied_seq = as->rcv_nxt;
	as->rcv_wnd = req->rcv_wnd;
	as->rcv_adv = as->rcv_nxt + req->rcv_wnd;
	as->rcv_acked = as->rcv_nxt;
	as->iss = req->iss;
	as->snd_una = req->iss;
	as->snd_nxt = req->iss + 1;
	as->write_seq = req->iss + 1;
	as->snd_wnd = req->snd_wnd;
	as->snd_max_wnd = req->snd_wnd;
	as->snd_wl1 = req->irs;
	as->snd_wl2 = req->iss;
	as->peer_mss = req->peer_mss;
	as->advmss = req->advmss;
	as->sack_ok = req->sack_ok;
	/* RFC 7323: what the handshake agreed, fixed from here on */
	as->wscale_ok = req->wscale_ok;
	as->snd_wscale = req->snd_wscale;
	as->rcv_wscale = req->rcv_wscale;
	as->tstamp_ok = req->tstamp_ok;
	as->ts_recent = req->ts_recent;
	as->ts_recent_stamp = atcp_now_us();
	as->ts_offset = req->ts_offset;
	as->ecn_flags = req->ecn_ok ? ATCP_ECN_OK : 0;
	atcp_sync_mss(child);
	as->segs_out = 1 + req->retrans;
	as->total_retrans = req->retrans;
	as->last_rcv_us = atcp_now_us();
	if (req->sent_us)		/* RFC 6298 §2.2, Karn's rule */
		atcp_rtt_sample(child, as->last_rcv_us - req->sent_us);
	/* The entry has traced LISTEN -> SYN-RECEIVED already. */
	child->sk_state = TCP_SYN_RECV;
	return child;
}

/* The child joins its listener (port, reference), unless it closed. */
bool atcp_child_adopt(struct sock *sk, struct sock *child)
{
	struct atcp_listen_queue *lq = &atcp_sk(sk)->lq;
	bool open;

	spin_lock_bh(&lq->lock);
	open = lq->open;
	if (open) {
		atcp_inherit_port(sk, child);
		sock_hold(sk);
		atcp_sk(child)->parent = sk;
	}
	spin_unlock_bh(&lq->lock);
	return open;
}

/* The child, locked and hashed, takes the segment (§3.10.7.4 on). */
static void atcp_child_rcv(struct sock *child, struct sk_buff *skb)
{
	__acquire(&child->sk_lock.slock);	/* sk_clone_lock() locked it */
	atcp_do_rcv(child, skb);
	bh_unlock_sock(child);
	sock_put(child);		/* the clone's extra reference */
}

/*
 * The handshake's valid ACK: the child replaces the entry in ehash (one
 * winner if segments race) and processes the ACK, which makes it
 * ESTABLISHED and puts it on the accept queue.  True, with skb kept, if
 * another segment's child won: the caller looks the socket up again and
 * gives skb to that child (as Linux's req_stolen), for it may be the
 * first data, sent right behind the ACK from another CPU.
 */
static bool atcp_reqsk_complete(struct atcp_request_sock *req,
				struct sk_buff *skb)
{
	struct sock *sk = req->listener;
	struct sock *child;

	if (atcp_acceptq_full(sk)) {
		/* as Linux: the entry stays, the peer's ACK comes again */
		atcp_inc(sock_net(sk), ATCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	child = atcp_create_child(sk, req);
	if (!child)
		goto drop;
	if (!atcp_child_adopt(sk, child)) {
		atcp_child_discard(child);
		goto drop;
	}
	if (!atcp_ehash_replace(req, child)) {
		atcp_child_discard(child);	/* another segment won */
		return true;
	}
	atcp_reqsk_dequeue(req);
	if (hrtimer_try_to_cancel(&req->timer) == 1)
		atcp_reqsk_put(req);		/* the timer's */
	atcp_reqsk_put(req);			/* the table's */
	atcp_child_rcv(child, skb);
	return false;
drop:
	kfree_skb(skb);
	return false;
}

/*
 * §3.10.7.4 for a SYN-RECEIVED entry, up to the ACK that completes it:
 * the same checks and replies as a socket in SYN-RECEIVED from a passive
 * OPEN.  Consumes skb unless it returns true (another segment made the
 * child: look up again); the caller holds a reference on req.
 */
bool atcp_reqsk_rcv(struct atcp_request_sock *req, struct sk_buff *skb)
{
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	struct net *net = sock_net(req->listener);
	u32 rcv_nxt = req->irs + 1;
	u32 seq = cb->seq, len;
	u8 flags = cb->flags;

	if ((flags & ATCP_SYN) && seq == req->irs) {
		if (!(flags & ATCP_ACK)) {
			/* the peer's SYN again: the SYN,ACK again */
			req->sent_us = 0;		/* Karn */
			atcp_inc(net, ATCP_MIB_RETRANSSEGS);
			atcp_reqsk_send_synack(req, NULL);
			goto drop;
		}
		/* its SYN a duplicate: judged by its ACK (the socket then
		 * takes it as a simultaneous open's SYN,ACK)
		 */
		flags &= ~ATCP_SYN;
		seq++;
	}
	len = cb->end_seq - seq;

	/* first, check sequence number */
	if (!seq_acceptable(seq, len, rcv_nxt, req->rcv_wnd) &&
	    (req->rcv_wnd || seq != rcv_nxt)) {
		if (flags & ATCP_RST) {
			atcp_inc(net, ATCP_MIB_RSTIGNORED);
			goto drop;
		}
		atcp_inc(net, len && seq_leq(cb->end_seq, rcv_nxt) ?
			 ATCP_MIB_DUPDATA : ATCP_MIB_UNACCEPTABLE);
		atcp_reqsk_send_ack(req);
		goto drop;
	}
	/* second, check the RST bit (RFC 5961 §3.2), on SEG.SEQ as it
	 * arrived; the child trims the text to the window
	 */
	if (flags & ATCP_RST) {
		if (seq != rcv_nxt) {
			if (atcp_challenge_ack_allowed(net, NULL))
				atcp_reqsk_send_ack(req);
		} else {
			atcp_reqsk_drop(req, false);	/* back to LISTEN */
		}
		goto drop;
	}

	/* fourth, check the SYN bit: a passive OPEN returns to LISTEN */
	if (flags & ATCP_SYN) {
		if (flags & ATCP_ACK)
			atcp_send_reset(net, skb, cb->ack_seq, 0, ATCP_RST);
		atcp_reqsk_drop(req, false);
		goto drop;
	}

	/* fifth, check the ACK field: SND.UNA < SEG.ACK =< SND.NXT */
	if (!(flags & ATCP_ACK)) {
		atcp_inc(net, ATCP_MIB_BADHEADER);
		goto drop;
	}
	if (cb->ack_seq != req->iss + 1) {
		atcp_send_reset(net, skb, cb->ack_seq, 0, ATCP_RST);
		goto drop;
	}
	/* TCP_DEFER_ACCEPT: the handshake's ACK without data (nor FIN) is
	 * dropped until the period ends (as Linux)
	 */
	if (req->timeouts < READ_ONCE(atcp_sk(req->listener)->defer_accept) &&
	    cb->end_seq == rcv_nxt) {
		req->acked = true;
		atcp_inc(net, ATCP_MIB_DEFERACCEPTDROP);
		goto drop;
	}
	return atcp_reqsk_complete(req, skb);
drop:
	kfree_skb(skb);
	return false;
}

/* Did the listener send a cookie in the last two minutes (as Linux)? */
static bool atcp_cookies_recent(struct sock *sk)
{
	unsigned long last = READ_ONCE(atcp_sk(sk)->lq.overflow_stamp);

	return time_in_range(jiffies, last, last + 120 * HZ);
}

/*
 * LISTEN, an ACK (RFC 4987 §3.6): if it returns one of our SYN cookies,
 * make the child it stands for.  True if the segment was taken (the
 * listener is locked); false if it is no cookie's (the caller resets).
 */
bool atcp_cookie_ack(struct sock *sk, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	struct net *net = sock_net(sk);
	struct atcp_request_sock req;
	struct sock *child;
	u16 mss;

	if (!READ_ONCE(atcp_sysctl(sk)->syncookies) ||
	    (cb->flags & (ATCP_SYN | ATCP_RST)) || !atcp_cookies_recent(sk))
		return false;
	mss = atcp_cookie_check(iph->saddr, iph->daddr, th->source, th->dest,
				cb->seq - 1, cb->ack_seq - 1);
	if (!mss) {
		atcp_inc(net, ATCP_MIB_SYNCOOKIESFAILED);
		return false;
	}
	atcp_inc(net, ATCP_MIB_SYNCOOKIESRECV);
	if (atcp_acceptq_full(sk)) {
		atcp_inc(net, ATCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}

	/* The entry the cookie stands for, rebuilt from its ACK. */
	memset(&req, 0, sizeof(req));
	atcp_reqsk_fill(&req, sk, skb);
	/* the options the cookie's TSval holds, echoed (RFC 7323 §3.2), or
	 * none but the MSS
	 */
	req.sack_ok = false;
	req.wscale_ok = false;
	req.snd_wscale = 0;
	req.rcv_wscale = 0;
	req.tstamp_ok = false;
	if ((cb->opt_flags & ATCP_CBO_TS) &&
	    READ_ONCE(atcp_sysctl(sk)->timestamps) &&
	    atcp_cookie_tsecr(cb->tsecr - req.ts_offset, &req.wscale_ok,
			      &req.snd_wscale, &req.sack_ok)) {
		req.tstamp_ok = true;
		req.ts_recent = cb->tsval;
		req.sack_ok &= !!READ_ONCE(atcp_sysctl(sk)->sack);
		req.wscale_ok &= !!READ_ONCE(atcp_sysctl(sk)->window_scaling);
		if (req.wscale_ok)
			req.rcv_wscale = atcp_rcv_wscale(sk);
		else
			req.snd_wscale = 0;
	}
	req.irs = cb->seq - 1;
	req.iss = cb->ack_seq - 1;
	req.peer_mss = mss;
	req.advmss = atcp_reqsk_advmss(sk, iph->daddr, iph->saddr, th->dest,
				       th->source);
	if (!req.advmss)
		goto drop;
	child = atcp_create_child(sk, &req);
	if (!child)
		goto drop;
	if (!atcp_child_adopt(sk, child) || atcp_ehash_add(child)) {
		atcp_child_discard(child);
		goto drop;
	}
	trace_atcp_state_change(child, TCP_LISTEN, TCP_SYN_RECV);
	atcp_inc(net, ATCP_MIB_PASSIVEOPENS);
	atcp_child_rcv(child, skb);
	return true;
drop:
	kfree_skb(skb);
	return true;
}

/* The listener closes (locked, process context): its entries vanish. */
void atcp_listen_purge_requests(struct sock *sk)
{
	struct atcp_listen_queue *lq = &atcp_sk(sk)->lq;
	struct atcp_request_sock *req;

	for (;;) {
		spin_lock_bh(&lq->lock);
		req = list_first_entry_or_null(&lq->syn_q,
					       struct atcp_request_sock, q_node);
		if (req) {
			/* queued, so the table's reference is still held */
			refcount_inc(&req->c.skc_refcnt);
			list_del_init(&req->q_node);
			lq->syn_len--;
		}
		spin_unlock_bh(&lq->lock);
		if (!req)
			break;
		atcp_reqsk_drop(req, true);
		atcp_reqsk_put(req);
	}
}

int atcp_reqsk_init(void)
{
	reqsk_cachep = kmem_cache_create("atcp_request_sock",
					 sizeof(struct atcp_request_sock), 0,
					 SLAB_TYPESAFE_BY_RCU, NULL);
	return reqsk_cachep ? 0 : -ENOMEM;
}

void atcp_reqsk_exit(void)
{
	kmem_cache_destroy(reqsk_cachep);
}
