/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * atcp: TCP (RFC 9293) as a second, independent transport over IP protocol
 * 253 (RFC 3692 experimental).  This is the user-visible ABI.
 *
 *	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP);
 *
 * Socket options are accepted at level SOL_ATCP and at level SOL_TCP
 * (IPPROTO_TCP), so code written for TCP (TCP_NODELAY, TCP_MAXSEG,
 * TCP_INFO, ...) works unchanged.
 */
#ifndef _UAPI_LINUX_ATCP_H
#define _UAPI_LINUX_ATCP_H

#include <linux/types.h>

/* IP protocol number used on the wire and in socket(2) (RFC 3692). */
#define IPPROTO_ATCP	253

/* Option level of atcp's own options; SOL_TCP is accepted as well. */
#define SOL_ATCP	IPPROTO_ATCP

#endif /* _UAPI_LINUX_ATCP_H */
