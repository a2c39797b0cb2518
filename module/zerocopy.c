// SPDX-License-Identifier: GPL-2.0
/*
 * SO_ZEROCOPY and MSG_ZEROCOPY (Linux's
 * Documentation/networking/msg_zerocopy.rst), answered as Linux TCP
 * answers them when it cannot send from the user's pages: atcp copies
 * every write, and each send with MSG_ZEROCOPY on a socket with
 * SO_ZEROCOPY is reported complete on the error queue, its notification
 * marked SO_EE_CODE_ZEROCOPY_COPIED (as Linux's for a route without
 * scatter-gather).  The buffer may be reused as soon as send() returns.
 *
 * The kernel itself answers SOL_SOCKET options; it lets a protocol take
 * them only where it has SOCK_CUSTOM_SOCKOPT (6.12; compat.h).  Without
 * it, SO_ZEROCOPY on an atcp socket fails with EOPNOTSUPP (the kernel's
 * answer for a protocol other than TCP and UDP), and MSG_ZEROCOPY is
 * ignored, the data copied, as for any socket without SO_ZEROCOPY.
 *
 * The error queue is read as Linux's ip_recv_error() reads it.
 */
#include <linux/errqueue.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/sock.h>

#include "atcp.h"
#include "compat.h"

/* SO_ZEROCOPY: 0 or 1 (as Linux's sk_setsockopt) */
static int atcp_set_zerocopy(struct sock *sk, sockptr_t optval,
			     unsigned int optlen)
{
	int val;

	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	if (val < 0 || val > 1)
		return -EINVAL;
	lock_sock(sk);
	sock_valbool_flag(sk, SOCK_ZEROCOPY, val);
	release_sock(sk);
	return 0;
}

/*
 * proto_ops->setsockopt: SOL_SOCKET reaches atcp only on a socket with
 * SOCK_CUSTOM_SOCKOPT; all but SO_ZEROCOPY go to the kernel's handler.
 */
int atcp_sock_setsockopt(struct socket *sock, int level, int optname,
			 sockptr_t optval, unsigned int optlen)
{
	if (level != SOL_SOCKET)
		return sock_common_setsockopt(sock, level, optname, optval,
					      optlen);
	if (optname == SO_ZEROCOPY)
		return atcp_set_zerocopy(sock->sk, optval, optlen);
	return sock_setsockopt(sock, level, optname, optval, optlen);
}

/* A new or accepted socket: SOL_SOCKET options come to atcp first. */
void atcp_sock_custom_sockopt(struct socket *sock)
{
	if (sock)
		atcp_set_custom_sockopt(sock);
}

/*
 * A send with MSG_ZEROCOPY: its notification, to be put by
 * atcp_zerocopy_end(), or NULL if none is due; ERR_PTR(-ENOBUFS) over
 * the option memory limit (as Linux).
 */
struct ubuf_info *atcp_zerocopy_begin(struct sock *sk, size_t size,
				      int flags)
{
	struct ubuf_info *uarg;

	if (!(flags & MSG_ZEROCOPY) || !size || !sock_flag(sk, SOCK_ZEROCOPY))
		return NULL;
	uarg = atcp_msg_zerocopy_alloc(sk, size);
	if (!uarg)
		return ERR_PTR(-ENOBUFS);
	uarg_to_msgzc(uarg)->zerocopy = 0;	/* copied */
	return uarg;
}

/* The send ends: notify if it took data, else take the number back. */
void atcp_zerocopy_end(struct ubuf_info *uarg, bool sent)
{
	if (!uarg)
		return;
	if (sent)
		net_zcopy_put(uarg);
	else
		net_zcopy_put_abort(uarg, true);
}

/* recvmsg(MSG_ERRQUEUE), as Linux's ip_recv_error(): IP_RECVERR. */
int atcp_recv_error(struct sock *sk, struct msghdr *msg, int len)
{
	struct {
		struct sock_extended_err ee;
		struct sockaddr_in offender;
	} errhdr;
	struct sk_buff *skb;
	int copied, err;

	skb = sock_dequeue_err_skb(sk);
	if (!skb)
		return -EAGAIN;
	copied = skb->len;
	if (copied > len) {
		msg->msg_flags |= MSG_TRUNC;
		copied = len;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (err) {
		kfree_skb(skb);
		return err;
	}
	sock_recv_timestamp(msg, sk, skb);
	memcpy(&errhdr.ee, &SKB_EXT_ERR(skb)->ee, sizeof(errhdr.ee));
	/* no offender: atcp queues no ICMP errors here */
	memset(&errhdr.offender, 0, sizeof(errhdr.offender));
	put_cmsg(msg, SOL_IP, IP_RECVERR, sizeof(errhdr), &errhdr);
	msg->msg_flags |= MSG_ERRQUEUE;
	consume_skb(skb);
	return copied;
}
