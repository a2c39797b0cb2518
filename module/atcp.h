/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atcp internals: the socket, the protocol handles shared between files.
 */
#ifndef _ATCP_H
#define _ATCP_H

#include <net/inet_sock.h>
#include <uapi/linux/atcp.h>

/* The atcp socket: the inet socket plus the TCB (RFC 9293 §3.3.1). */
struct atcp_sock {
	struct inet_sock inet;		/* must be first */
};

static inline struct atcp_sock *atcp_sk(const struct sock *sk)
{
	return (struct atcp_sock *)sk;
}

/* af_atcp.c */
extern int atcp_ipproto;

/* socket.c */
extern struct proto atcp_prot;
extern const struct proto_ops atcp_stream_ops;

#endif /* _ATCP_H */
