/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences atcp meets between its target kernels (Debian
 * 12's 6.1 and 6.12, and the newest), in one place.  Protocol code never
 * tests LINUX_VERSION_CODE itself.
 */
#ifndef _ATCP_COMPAT_H
#define _ATCP_COMPAT_H

#include <linux/version.h>
#include <linux/hrtimer.h>
#include <linux/net.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/inet_sock.h>
#include <net/sock.h>
/* sk_memory_allocated() and friends moved to their own header in 6.10. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#include <net/proto_memory.h>
#endif
/* The GSO helpers (gso_make_checksum()) moved to net/gso.h in 6.5. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

/*
 * GRO (offload.c).  Up to 6.9 inet_gro_receive() checks the IP header
 * fields a flow's datagrams must share into the held skb's flush, and
 * leaves the IP ID rule to the transport (flush_id, is_atomic); since
 * 6.10 the transport asks gro_receive_network_flush() for both.  The rule
 * itself: the IDs of a flow's datagrams grow by one a segment, or, for
 * datagrams with DF set, may stay fixed (RFC 6864 §4.1), which the
 * second segment of a flow decides.
 */
#include <net/gro.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
static inline int atcp_gro_network_flush(const void *th, const void *th2,
					 struct sk_buff *p)
{
	return gro_receive_network_flush(th, th2, p);
}
#else
static inline int atcp_gro_network_flush(const void *th, const void *th2,
					 struct sk_buff *p)
{
	struct napi_gro_cb *cb = NAPI_GRO_CB(p);

	/* flush_id: the ID's distance from the expected one, or for a
	 * held DF datagram (is_atomic) the raw difference of the IDs
	 */
	if (cb->is_atomic && cb->count == 1 && cb->flush_id == 1) {
		cb->is_atomic = false;	/* the flow's IDs increase */
		return cb->flush;
	}
	return cb->flush | cb->flush_id;
}
#endif

/* GRO's size limit for IPv4: its own device attribute since 6.3 (6.1: the
 * one limit for both families).
 */
static inline unsigned int atcp_gro_max_size(const struct sk_buff *p)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return netif_get_gro_max_size(p->dev, p);
#else
	return READ_ONCE(p->dev->gro_max_size);
#endif
}

/* skb_frag_unref() moved to linux/skbuff_ref.h in 6.11. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#include <linux/skbuff_ref.h>
#endif

/* hrtimer_setup() replaced hrtimer_init() + ->function in 6.13. */
static inline void atcp_hrtimer_setup(struct hrtimer *t,
				      enum hrtimer_restart (*fn)(struct hrtimer *))
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(t, fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
#else
	hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	t->function = fn;
#endif
}

/* bind/connect callbacks take struct sockaddr_unsized since 6.19. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define atcp_sockaddr sockaddr_unsized
#else
#define atcp_sockaddr sockaddr
#endif

/*
 * proto->recvmsg lost its addr_len argument after 6.12 (7.2 has the short
 * form); 6.19 is assumed here, as for sockaddr_unsized.
 */
int __atcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		   int flags);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
static inline int atcp_recvmsg(struct sock *sk, struct msghdr *msg,
			       size_t len, int flags)
{
	return __atcp_recvmsg(sk, msg, len, flags);
}
#else
static inline int atcp_recvmsg(struct sock *sk, struct msghdr *msg,
			       size_t len, int flags, int *addr_len)
{
	return __atcp_recvmsg(sk, msg, len, flags);
}
#endif

/* proto_ops->accept takes struct proto_accept_arg since 6.10. */
int __atcp_accept(struct socket *sock, struct socket *newsock, int flags,
		  bool kern);

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
static inline int atcp_accept(struct socket *sock, struct socket *newsock,
			      struct proto_accept_arg *arg)
{
	return __atcp_accept(sock, newsock, arg->flags, arg->kern);
}
#else
static inline int atcp_accept(struct socket *sock, struct socket *newsock,
			      int flags, bool kern)
{
	return __atcp_accept(sock, newsock, flags, kern);
}
#endif

/* proc_handler takes a const table since 6.11. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define ATCP_CTL_TABLE const struct ctl_table
#else
#define ATCP_CTL_TABLE struct ctl_table
#endif

/* Sysctl tables lost their terminating sentinel in 6.6 (sized register). */
static inline struct ctl_table_header *
atcp_register_sysctl(struct net *net, const char *path, struct ctl_table *t,
		     size_t n)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return register_net_sysctl_sz(net, path, t, n);
#else
	return register_net_sysctl(net, path, t);	/* t[n] is {} */
#endif
}

/*
 * SOL_SOCKET options reach a protocol's own setsockopt only on a socket
 * with SOCK_CUSTOM_SOCKOPT (6.12 has it, 6.1 only MPTCP's special case):
 * without it atcp cannot take SO_ZEROCOPY (zerocopy.c).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
static inline void atcp_set_custom_sockopt(struct socket *sock)
{
	set_bit(SOCK_CUSTOM_SOCKOPT, &sock->flags);
}
#else
static inline void atcp_set_custom_sockopt(struct socket *sock)
{
}
#endif

/* msg_zerocopy_realloc() took a devmem argument in 6.15. */
static inline struct ubuf_info *atcp_msg_zerocopy_alloc(struct sock *sk,
							size_t size)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
	return msg_zerocopy_realloc(sk, size, NULL, false);
#else
	return msg_zerocopy_realloc(sk, size, NULL);
#endif
}

/*
 * TCP_FASTOPEN_CONNECT's deferred connect: a bit field of inet_sock
 * until 6.6, a bit of inet_flags since.
 */
static inline bool atcp_defer_connect(const struct sock *sk)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return inet_test_bit(DEFER_CONNECT, sk);
#else
	return inet_sk(sk)->defer_connect;
#endif
}

static inline void atcp_set_defer_connect(struct sock *sk, bool on)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	inet_assign_bit(DEFER_CONNECT, sk, on);
#else
	inet_sk(sk)->defer_connect = on;
#endif
}

/* tcp_info's TFO child bit, of kernels newer than 6.12 (atcp sets it on all) */
#ifndef TCPI_OPT_TFO_CHILD
#define TCPI_OPT_TFO_CHILD	128
#endif

#endif /* _ATCP_COMPAT_H */
