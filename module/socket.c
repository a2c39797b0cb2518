// SPDX-License-Identifier: GPL-2.0
/*
 * atcp socket calls: struct proto and proto_ops, the user interface of
 * RFC 9293 §3.9.1 as Linux programmers know it.
 */
#include <linux/module.h>
#include <net/sock.h>
#include <net/inet_common.h>

#include "atcp.h"

static int atcp_init_sock(struct sock *sk)
{
	return 0;
}

static void atcp_close(struct sock *sk, long timeout)
{
	sk_common_release(sk);
}

static int atcp_hash(struct sock *sk)
{
	return 0;
}

static void atcp_unhash(struct sock *sk)
{
}

struct proto atcp_prot = {
	.name		= "ATCP",
	.owner		= THIS_MODULE,
	.init		= atcp_init_sock,
	.close		= atcp_close,
	.hash		= atcp_hash,
	.unhash		= atcp_unhash,
	.obj_size	= sizeof(struct atcp_sock),
};

const struct proto_ops atcp_stream_ops = {
	.family		= PF_INET,
	.owner		= THIS_MODULE,
	.release	= inet_release,
	.bind		= sock_no_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= inet_getname,
	.poll		= datagram_poll,
	.ioctl		= inet_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
};
