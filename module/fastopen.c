// SPDX-License-Identifier: GPL-2.0
/*
 * atcp TCP Fast Open (RFC 7413), answered as Linux TCP answers it:
 *
 *   server  a listener with TCP_FASTOPEN (its queue of TFO children) and
 *           net.atcp.fastopen & 0x2 gives a cookie to a SYN that asks for
 *           one (siphash of the addresses under the netns' key, 8
 *           octets); a SYN with a valid cookie makes the child at once, in
 *           SYN-RECEIVED, its data queued for the reader and acknowledged
 *           by the SYN,ACK, and on the accept queue (§4.2.2)
 *   client  sendto(MSG_FASTOPEN) or TCP_FASTOPEN_CONNECT with connect()
 *           and write(), net.atcp.fastopen & 0x1: with a cookie cached for
 *           the server the data rides on the SYN; without, the SYN asks
 *           for one and the data follows the handshake (§4.2.1); SYN data
 *           the SYN,ACK does not acknowledge is sent again at once
 *
 * Cookies and their cache are per network namespace (struct atcp_net).
 */
#include <linux/siphash.h>
#include <linux/uio.h>
#include <crypto/algapi.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/sock.h>

#include "atcp.h"
#include "compat.h"
#include "trace.h"

/* ---- the key and the cookie (RFC 7413 §4.1.2) ---------------------------- */

void atcp_fastopen_net_init(struct net *net)
{
	struct atcp_net *an = atcp_pernet(net);

	spin_lock_init(&an->fo_lock);
	memset(an->fo_cache, 0, sizeof(an->fo_cache));
	get_random_bytes(&an->sysctl.fastopen_key,
			 sizeof(an->sysctl.fastopen_key));
}

/*
 * The server's cookie for the SYN in skb: siphash over the client's and
 * our address (the source and destination of the SYN's IP header), the
 * same function and key layout as Linux, so one key gives both stacks
 * the same cookies.
 */
static void atcp_fastopen_cookie_gen(struct net *net, const struct sk_buff *skb,
				     struct atcp_fastopen_cookie *c)
{
	struct atcp_net *an = atcp_pernet(net);
	const struct iphdr *iph = ip_hdr(skb);
	__be32 addrs[2] = { iph->saddr, iph->daddr };
	siphash_key_t key;
	__le64 v;

	spin_lock_bh(&an->fo_lock);
	key = an->sysctl.fastopen_key;
	spin_unlock_bh(&an->fo_lock);
	v = cpu_to_le64(siphash(addrs, sizeof(addrs), &key));
	memzero_explicit(&key, sizeof(key));
	c->present = true;
	c->len = ATCP_FASTOPEN_COOKIE_SIZE;
	memcpy(c->val, &v, sizeof(v));
}

/*
 * net.atcp.fastopen_key: "%08x-%08x-%08x-%08x" as Linux's tcp_fastopen_key
 * (each word little-endian in the 16-octet key).
 */
int atcp_fastopen_key_sysctl(ATCP_CTL_TABLE *table, int write, void *buffer,
			     size_t *lenp, loff_t *ppos)
{
	struct atcp_net *an = container_of(table->data, struct atcp_net,
					   sysctl.fastopen_key);
	char buf[4 * 9 + 1];
	struct ctl_table tbl = { .data = buf, .maxlen = sizeof(buf) };
	u32 w[4];
	int err;

	spin_lock_bh(&an->fo_lock);
	w[0] = (u32)an->sysctl.fastopen_key.key[0];
	w[1] = an->sysctl.fastopen_key.key[0] >> 32;
	w[2] = (u32)an->sysctl.fastopen_key.key[1];
	w[3] = an->sysctl.fastopen_key.key[1] >> 32;
	spin_unlock_bh(&an->fo_lock);
	snprintf(buf, sizeof(buf), "%08x-%08x-%08x-%08x", w[0], w[1], w[2],
		 w[3]);
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (err || !write)
		goto out;
	if (sscanf(buf, "%x-%x-%x-%x", &w[0], &w[1], &w[2], &w[3]) != 4) {
		err = -EINVAL;
		goto out;
	}
	spin_lock_bh(&an->fo_lock);
	an->sysctl.fastopen_key.key[0] = w[0] | (u64)w[1] << 32;
	an->sysctl.fastopen_key.key[1] = w[2] | (u64)w[3] << 32;
	spin_unlock_bh(&an->fo_lock);
out:
	memzero_explicit(w, sizeof(w));
	memzero_explicit(buf, sizeof(buf));
	return err;
}

/* ---- socket options ------------------------------------------------------ */

int atcp_fastopen_setsockopt(struct sock *sk, int optname, int val)
{
	struct atcp_sock *as = atcp_sk(sk);

	switch (optname) {
	case TCP_FASTOPEN:
		/* the listener's queue of TFO children, as Linux: at most
		 * somaxconn
		 */
		if (val < 0 || !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
			return -EINVAL;
		WRITE_ONCE(as->fastopen_max_qlen,
			   min_t(u32, val,
				 READ_ONCE(sock_net(sk)->core.sysctl_somaxconn)));
		return 0;
	case TCP_FASTOPEN_CONNECT:
		if (val < 0 || val > 1)
			return -EINVAL;
		if (!(READ_ONCE(atcp_sysctl(sk)->fastopen) &
		      ATCP_TFO_CLIENT_ENABLE))
			return -EOPNOTSUPP;
		if (sk->sk_state != TCP_CLOSE)
			return -EINVAL;
		as->fastopen_connect = val;
		return 0;
	case TCP_FASTOPEN_NO_COOKIE:
		if (val < 0 || val > 1 ||
		    !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
			return -EINVAL;
		as->fastopen_no_cookie = val;
		return 0;
	}
	return -ENOPROTOOPT;
}

int atcp_fastopen_getsockopt(struct sock *sk, int optname, int *val)
{
	struct atcp_sock *as = atcp_sk(sk);

	switch (optname) {
	case TCP_FASTOPEN:
		*val = READ_ONCE(as->fastopen_max_qlen);
		return 0;
	case TCP_FASTOPEN_CONNECT:
		*val = as->fastopen_connect;
		return 0;
	case TCP_FASTOPEN_NO_COOKIE:
		*val = as->fastopen_no_cookie;
		return 0;
	}
	return -ENOPROTOOPT;
}

static bool atcp_fastopen_no_cookie(const struct sock *sk, int flag)
{
	return (READ_ONCE(atcp_sysctl(sk)->fastopen) & flag) ||
	       atcp_sk(sk)->fastopen_no_cookie;
}

/* ---- client: the cookie cache (RFC 7413 §4.1.3) -------------------------- */

static struct atcp_fo_entry *atcp_fo_find(struct atcp_net *an, __be32 saddr,
					  __be32 daddr)
{
	int i;

	for (i = 0; i < ATCP_FO_CACHE_SIZE; i++)
		if (an->fo_cache[i].daddr == daddr &&
		    an->fo_cache[i].saddr == saddr)
			return &an->fo_cache[i];
	return NULL;
}

static void atcp_fo_cache_get(struct sock *sk, struct atcp_fastopen_cookie *c,
			      u16 *mss)
{
	struct atcp_net *an = atcp_pernet(sock_net(sk));
	struct atcp_fo_entry *e;

	memset(c, 0, sizeof(*c));
	*mss = 0;
	spin_lock_bh(&an->fo_lock);
	e = atcp_fo_find(an, sk->sk_rcv_saddr, sk->sk_daddr);
	if (e) {
		*c = e->cookie;
		*mss = e->mss;
		e->stamp = jiffies;
	}
	spin_unlock_bh(&an->fo_lock);
}

/* The SYN,ACK's MSS and cookie, if it gave one, for the next connection;
 * the least recently used entry makes room.
 */
static void atcp_fo_cache_set(struct sock *sk, u16 mss,
			      const struct atcp_fastopen_cookie *c)
{
	struct atcp_net *an = atcp_pernet(sock_net(sk));
	struct atcp_fo_entry *e, *old;
	int i;

	spin_lock_bh(&an->fo_lock);
	e = atcp_fo_find(an, sk->sk_rcv_saddr, sk->sk_daddr);
	if (!e) {
		old = &an->fo_cache[0];
		for (i = 1; i < ATCP_FO_CACHE_SIZE; i++)
			if (time_before(an->fo_cache[i].stamp, old->stamp))
				old = &an->fo_cache[i];
		e = old;
		memset(e, 0, sizeof(*e));
		e->saddr = sk->sk_rcv_saddr;
		e->daddr = sk->sk_daddr;
	}
	e->stamp = jiffies;
	if (mss)
		e->mss = mss;
	if (c->present && c->len)
		e->cookie = *c;
	spin_unlock_bh(&an->fo_lock);
}

/*
 * May the SYN carry data?  With a cookie for the server (returned in c),
 * or without one when no cookie is needed (c then absent: no option).
 */
static bool atcp_fastopen_cookie_check(struct sock *sk,
				       struct atcp_fastopen_cookie *c, u16 *mss)
{
	atcp_fo_cache_get(sk, c, mss);
	if (atcp_fastopen_no_cookie(sk, ATCP_TFO_CLIENT_NO_COOKIE)) {
		c->present = false;
		return true;
	}
	if (c->present && c->len)
		return true;
	atcp_sk(sk)->fo_client_fail = 1;	/* TFO_COOKIE_UNAVAILABLE */
	return false;
}

/* ---- client: connect, sendmsg, the SYN ------------------------------------ */

/*
 * connect() with TCP_FASTOPEN_CONNECT (in atcp_connect(), SYN-SENT, port
 * and route set): with a cookie the SYN waits for the first write(), which
 * carries its data (connect returns 0 at once); without, the SYN goes now,
 * asking for a cookie.  True: the SYN waits.
 */
bool atcp_fastopen_defer_connect(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_fastopen_cookie c;
	u16 mss;

	if (!as->fastopen_connect || as->fo_msg)
		return false;
	if (atcp_fastopen_cookie_check(sk, &c, &mss)) {
		atcp_set_defer_connect(sk, true);
		return true;
	}
	as->fo_syn.present = true;		/* a cookie request */
	as->fo_syn.len = 0;
	return false;
}

/*
 * sendmsg() with MSG_FASTOPEN, or the first write after a deferred
 * connect: the connection opens with this write's data (as Linux's
 * tcp_sendmsg_fastopen).  *copied: octets the SYN carried.  Returns 0
 * once connected, -EINPROGRESS (non-blocking) or an error.
 */
int atcp_sendmsg_fastopen(struct sock *sk, struct msghdr *msg, int *copied,
			  size_t size)
{
	struct sockaddr *uaddr = msg->msg_name;
	struct atcp_sock *as = atcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	int err, flags;

	if (!(READ_ONCE(atcp_sysctl(sk)->fastopen) & ATCP_TFO_CLIENT_ENABLE) ||
	    (uaddr && msg->msg_namelen >= sizeof(uaddr->sa_family) &&
	     uaddr->sa_family == AF_UNSPEC))
		return -EOPNOTSUPP;
	if (as->fo_msg)
		return -EALREADY;
	as->fo_msg = msg;
	as->fo_size = size;
	as->fo_copied = 0;
	if (atcp_defer_connect(sk)) {
		atcp_inc(sock_net(sk), ATCP_MIB_ACTIVEOPENS);
		err = atcp_send_syn(sk);
		if (err) {
			/* as a failed connect() */
			atcp_set_state(sk, TCP_CLOSE);
			inet->inet_dport = 0;
			sk->sk_route_caps = 0;
		}
	}
	flags = (msg->msg_flags & MSG_DONTWAIT) ? O_NONBLOCK : 0;
	err = __inet_stream_connect(sk->sk_socket,
				    (struct atcp_sockaddr *)uaddr,
				    msg->msg_namelen, flags, 1);
	/* a reset or timeout inside may have cleared the TCB already */
	*copied = as->fo_msg ? as->fo_copied : 0;
	as->fo_msg = NULL;
	atcp_set_defer_connect(sk, false);
	return err;
}

/*
 * SYN data (RFC 7413 §4.2.1): as much of the write as one segment takes,
 * queued as a segment of its own (SEQ ISS+1) and sent with the SYN, so
 * that a retransmitted SYN carries none and data the SYN,ACK does not
 * acknowledge goes again after it, as Linux does.  False: none sent.
 */
static bool atcp_fastopen_syn_data(struct sock *sk, struct sk_buff *syn,
				   u16 mss)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_skb_cb *cb, saved;
	struct sk_buff *d;
	int space;

	/* the cached MSS, less room for any SYN's options, as Linux */
	space = min_t(int, mss ? mss : as->advmss, as->advmss) -
		ATCP_MAX_OPT_LEN;
	space = min_t(size_t, max(space, 0), as->fo_size);
	if (!space)
		return false;
	d = alloc_skb(ATCP_MAX_HEADER + space, sk->sk_allocation);
	if (!d)
		return false;
	if (!sk_wmem_schedule(sk, d->truesize)) {
		kfree_skb(d);
		return false;
	}
	skb_reserve(d, ATCP_MAX_HEADER);
	if (!copy_from_iter_full(skb_put(d, space), space,
				 &as->fo_msg->msg_iter)) {
		kfree_skb(d);
		return false;
	}
	d->ip_summed = CHECKSUM_PARTIAL;
	cb = ATCP_SKB_CB(d);
	memset(cb, 0, sizeof(*cb));
	cb->seq = as->write_seq;
	cb->end_seq = cb->seq + space;
	cb->flags = ATCP_ACK | ATCP_PSH;
	as->write_seq += space;
	sk_wmem_queued_add(sk, d->truesize);
	sk_mem_charge(sk, d->truesize);
	__skb_queue_tail(&sk->sk_write_queue, d);
	as->fo_copied = space;

	/* one segment: <SEQ=ISS><CTL=SYN> with the text */
	atcp_sent_new_skb(sk, syn);
	saved = *cb;
	cb->seq = as->iss;
	cb->flags = ATCP_SYN;
	atcp_transmit_skb(sk, d, true);
	*cb = saved;
	atcp_sent_new_skb(sk, d);
	as->syn_data = true;
	atcp_loss_on_send(sk);
	return true;
}

/*
 * The first SYN of a connection (atcp_send_syn() in SYN-SENT, the SYN
 * queued): with TFO, its option, a cookie request or the cookie and data.
 * Retransmitted SYNs carry neither (as Linux).  False: not a TFO SYN, the
 * caller sends it.
 */
bool atcp_fastopen_send_syn(struct sock *sk, struct sk_buff *syn)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_fastopen_cookie c;
	bool sent = false;
	u16 mss;

	if (!as->fo_msg && !as->fo_syn.present)
		return false;
	if (as->fo_msg) {
		if (atcp_fastopen_cookie_check(sk, &c, &mss)) {
			as->fo_syn = c;
			sent = atcp_fastopen_syn_data(sk, syn, mss);
		} else {
			as->fo_syn.present = true;	/* ask for a cookie */
			as->fo_syn.len = 0;
		}
	}
	if (!sent)
		atcp_write_xmit(sk);
	as->syn_fastopen = as->fo_syn.present;
	memset(&as->fo_syn, 0, sizeof(as->fo_syn));
	return true;
}

/*
 * SYN-SENT, the SYN,ACK acknowledged our SYN (ESTABLISHED now): keep its
 * cookie and MSS for the server; SYN data it did not acknowledge goes
 * again at once, carrying the ACK of the SYN,ACK (as Linux's
 * tcp_rcv_fastopen_synack).  True if it did (no separate ACK then).
 */
bool atcp_fastopen_synack(struct sock *sk, struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct tcphdr *th = tcp_hdr(skb);
	struct sk_buff *head;
	struct atcp_opts o;

	if (!as->syn_fastopen && !as->syn_data)
		return false;
	if (atcp_parse_options((const u8 *)(th + 1), th->doff * 4 -
			       ATCP_HDR_LEN, &o) || !as->syn_fastopen)
		o.fo.present = false;	/* an unsolicited cookie is ignored */
	atcp_fo_cache_set(sk, ATCP_SKB_CB(skb)->opt_mss, &o.fo);

	head = skb_peek(&as->rtx_queue);
	if (as->syn_data && head) {
		as->fo_client_fail = as->total_retrans ? 3 : 2;
		atcp_inc(sock_net(sk), ATCP_MIB_TCPFASTOPENACTIVEFAIL);
		if (!(ATCP_SKB_CB(head)->sacked & ATCP_SKB_RETRANS) &&
		    !atcp_retransmit_skb(sk, head)) {
			atcp_arm_rtx(sk);
			return true;
		}
		return false;
	}
	as->syn_data_acked = as->syn_data;
	if (as->syn_data_acked)
		atcp_inc(sock_net(sk), ATCP_MIB_TCPFASTOPENACTIVE);
	return false;
}

/* ---- server (RFC 7413 §4.2.2) ---------------------------------------------- */

/* Room for one more TFO child (the listener is locked)? */
static bool atcp_fastopen_queue_check(struct sock *sk)
{
	u32 max = READ_ONCE(atcp_sk(sk)->fastopen_max_qlen);

	if (!max)
		return false;
	if (READ_ONCE(atcp_sk(sk)->lq.fo_qlen) >= max) {
		atcp_inc(sock_net(sk), ATCP_MIB_TCPFASTOPENLISTENOVERFLOW);
		return false;
	}
	return true;
}

/* The SYN's text, for the reader before the handshake ends. */
static void atcp_fastopen_add_data(struct sock *child, struct sk_buff *syn)
{
	struct atcp_sock *as = atcp_sk(child);
	struct atcp_skb_cb *cb;
	struct sk_buff *skb;

	if (!syn->len)
		return;
	skb = skb_clone(syn, GFP_ATOMIC);
	if (!skb)
		return;		/* not acknowledged: the client sends it again */
	cb = ATCP_SKB_CB(skb);
	cb->seq = as->rcv_nxt;
	cb->end_seq = cb->seq + skb->len;	/* a FIN on it comes again */
	cb->flags &= ~(ATCP_SYN | ATCP_FIN);
	if (!atcp_rmem_admit(child, skb, true)) {
		kfree_skb(skb);
		return;
	}
	skb_dst_drop(skb);
	skb_set_owner_r(skb, child);
	__skb_queue_tail(&child->sk_receive_queue, skb);
	as->rcv_nxt = cb->end_seq;
	as->bytes_received = skb->len;
	as->data_segs_in = 1;
	as->syn_data_acked = true;
}

/* A TFO child: SYN-RECEIVED with the SYN's data, its SYN,ACK sent, on the
 * accept queue.  The listener is locked.  False without memory or route.
 */
static bool atcp_fastopen_create_child(struct sock *sk,
				       struct atcp_request_sock *req,
				       struct sk_buff *skb)
{
	struct atcp_listen_queue *lq = &atcp_sk(sk)->lq;
	struct sock *child;
	struct atcp_sock *as;

	child = atcp_create_child(sk, req);
	if (!child)
		return false;
	if (!atcp_child_adopt(sk, child) || atcp_ehash_add(child)) {
		atcp_child_discard(child);
		return false;
	}
	__acquire(&child->sk_lock.slock);	/* sk_clone_lock() locked it */
	as = atcp_sk(child);
	spin_lock_bh(&lq->lock);
	lq->fo_qlen++;
	spin_unlock_bh(&lq->lock);
	sock_hold(sk);
	WRITE_ONCE(as->fo_listener, sk);
	as->fo_child = true;
	trace_atcp_state_change(child, TCP_LISTEN, TCP_SYN_RECV);
	atcp_inc(sock_net(sk), ATCP_MIB_PASSIVEOPENS);
	atcp_fastopen_add_data(child, skb);
	as->segs_in = 1;
	as->segs_out = 0;		/* the SYN,ACK is the child's own */
	/* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, RCV.NXT past the data; the
	 * child's own timer retransmits it
	 */
	atcp_send_syn(child);
	if (!atcp_accept_enqueue(child)) {
		atcp_send_active_reset(child, GFP_ATOMIC);
		atcp_abort_child(child);
	}
	bh_unlock_sock(child);
	sock_put(child);		/* the clone's extra reference */
	return true;
}

/*
 * LISTEN, a SYN (atcp_conn_request(), req filled but not hashed), as
 * Linux's tcp_try_fastopen: a cookie request gets a cookie on the
 * SYN,ACK (*synack_fo); a valid cookie (or none, when none is needed)
 * makes the child here (true: the SYN is taken, req unused); an invalid
 * one gets a fresh cookie and the data is not acknowledged.
 */
bool atcp_fastopen_conn_request(struct sock *sk, struct atcp_request_sock *req,
				struct sk_buff *skb,
				struct atcp_fastopen_cookie *synack_fo)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct net *net = sock_net(sk);
	struct atcp_fastopen_cookie valid;
	struct atcp_opts o;
	bool syn_data = skb->len > 0;

	memset(synack_fo, 0, sizeof(*synack_fo));
	if (atcp_parse_options((const u8 *)(th + 1), th->doff * 4 -
			       ATCP_HDR_LEN, &o))
		return false;
	if (o.fo.present && !o.fo.len)
		atcp_inc(net, ATCP_MIB_TCPFASTOPENCOOKIEREQD);
	if (!(READ_ONCE(atcp_sysctl(sk)->fastopen) & ATCP_TFO_SERVER_ENABLE) ||
	    !(syn_data || o.fo.present) || !atcp_fastopen_queue_check(sk))
		return false;
	memset(&valid, 0, sizeof(valid));
	if (o.fo.present) {
		atcp_fastopen_cookie_gen(net, skb, &valid);
		valid.exp = o.fo.exp;	/* answered in the SYN's format */
	}
	if (atcp_fastopen_no_cookie(sk, ATCP_TFO_SERVER_NO_COOKIE))
		goto fastopen;
	if (!o.fo.present)
		return false;
	if (!o.fo.len) {
		*synack_fo = valid;		/* the cookie asked for */
		return false;
	}
	if (o.fo.len != valid.len ||
	    crypto_memneq(o.fo.val, valid.val, valid.len)) {
		atcp_inc(net, ATCP_MIB_TCPFASTOPENPASSIVEFAIL);
		*synack_fo = valid;		/* a fresh one */
		return false;
	}
fastopen:
	if (atcp_fastopen_create_child(sk, req, skb)) {
		atcp_inc(net, ATCP_MIB_TCPFASTOPENPASSIVE);
		return true;
	}
	atcp_inc(net, ATCP_MIB_TCPFASTOPENPASSIVEFAIL);
	*synack_fo = valid;		/* the same cookie, as Linux */
	return false;
}

/* A TFO child leaves SYN-RECEIVED: it no longer counts against its
 * listener's TCP_FASTOPEN queue (atcp_set_state()).
 */
void atcp_fastopen_synrecv_done(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sock *lsk = as->fo_listener;
	struct atcp_listen_queue *lq;

	if (!lsk)
		return;
	lq = &atcp_sk(lsk)->lq;
	spin_lock_bh(&lq->lock);
	lq->fo_qlen--;
	spin_unlock_bh(&lq->lock);
	WRITE_ONCE(as->fo_listener, NULL);
	sock_put(lsk);
}
