// SPDX-License-Identifier: GPL-2.0
/*
 * Path MTU discovery (RFC 1191 §6) for atcp connections.  atcp sends with
 * DF set (IP_MTU_DISCOVER, default IP_PMTUDISC_WANT as for TCP); a router
 * that cannot forward a segment that large answers with ICMP "fragmentation
 * needed and DF set" carrying its next-hop MTU.  atcp_v4_err() checks the
 * segment the ICMP quotes (RFC 5927 §4.1: its sequence number must lie in
 * SND.UNA..SND.NXT) and hands the MTU here, at once or, if the user owns
 * the socket, from release_cb.  The route learns the MTU, SMSS follows it
 * and what was sent too large to pass is sent again in segments that fit.
 */
#include <net/dst.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>

#include "atcp.h"
#include "recovery.h"

/* The socket's route, looked up again if the cached one went stale. */
static struct dst_entry *atcp_route_get(struct sock *sk)
{
	struct dst_entry *dst = __sk_dst_check(sk, 0);
	struct inet_sock *inet = inet_sk(sk);
	struct rtable *rt;

	if (dst)
		return dst;
	rt = ip_route_output_ports(sock_net(sk), &inet->cork.fl.u.ip4, sk,
				   inet->inet_daddr, inet->inet_saddr,
				   inet->inet_dport, inet->inet_sport,
				   sk->sk_protocol, ip_sock_rt_tos(sk),
				   sk->sk_bound_dev_if);
	if (IS_ERR(rt))
		return NULL;
	atcp_setup_caps(sk, &rt->dst);
	return &rt->dst;
}

/*
 * RFC 1191 §6.2: record the reported MTU in the route (the route code keeps
 * it as a per-destination exception and never raises an MTU this way); the
 * update may replace the route, so return the one the socket uses now.
 */
static struct dst_entry *atcp_route_update_pmtu(struct sock *sk, u32 mtu)
{
	struct dst_entry *dst = atcp_route_get(sk);

	if (!dst)
		return NULL;
	dst->ops->update_pmtu(dst, sk, NULL, mtu, true);
	return atcp_route_get(sk);
}

/*
 * RFC 1191 §6.4: segments already sent larger than the new SMSS were
 * dropped on the path.  Send each again now, cut into SMSS-sized segments
 * (as Linux's tcp_simple_retransmit: the data in flight does not grow, so
 * the congestion window is left alone).  Those that fit are untouched.
 */
static void atcp_resend_oversized(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct sk_buff *skb = skb_peek(&as->rtx_queue);
	u32 end;

	while (skb) {
		if (skb->len <= atcp_payload_max(as)) {
			skb = skb_peek_next(skb, &as->rtx_queue);
			continue;
		}
		end = ATCP_SKB_CB(skb)->end_seq;
		do {
			if (atcp_retransmit_skb(sk, skb))
				return;		/* no memory: the RTO resends */
			skb = skb_peek_next(skb, &as->rtx_queue);
		} while (skb && !seq_gt(ATCP_SKB_CB(skb)->end_seq, end));
	}
}

/* ICMP fragmentation needed (RFC 1191 §6.2): as->mtu_info is its MTU. */
void atcp_mtu_reduced(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 mtu = READ_ONCE(as->mtu_info);
	struct dst_entry *dst;
	u16 old_mss = as->mss;

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	dst = atcp_route_update_pmtu(sk, mtu);
	if (!dst)
		return;
	/* below the route's floor (min_pmtu): fragments will be sent, but
	 * tell the user if DF still stops us (as Linux: a soft error)
	 */
	if (mtu < dst_mtu(dst) && ip_dont_fragment(sk, dst))
		WRITE_ONCE(sk->sk_err_soft, EMSGSIZE);
	if (READ_ONCE(inet_sk(sk)->pmtudisc) == IP_PMTUDISC_DONT ||
	    !ip_sk_accept_pmtu(sk))
		return;
	atcp_sync_mss(sk);
	if (as->mss < old_mss)
		atcp_resend_oversized(sk);
}
