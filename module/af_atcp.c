// SPDX-License-Identifier: GPL-2.0
/*
 * atcp module life: registration of IP protocol 253 with the inet layer and
 * of the SOCK_STREAM socket protocol, and their removal on unload.
 */
#include <linux/module.h>
#include <net/protocol.h>
#include <net/inet_common.h>
#include <net/icmp.h>

#include "atcp.h"

int atcp_ipproto = IPPROTO_ATCP;
module_param_named(ipproto, atcp_ipproto, int, 0444);
MODULE_PARM_DESC(ipproto, "IP protocol number: 253 (default) or 254 (RFC 3692)");

/* Segment arrival from IP; the protocol machine comes with the lifecycle. */
static int atcp_v4_rcv(struct sk_buff *skb)
{
	kfree_skb(skb);
	return 0;
}

static int atcp_v4_err(struct sk_buff *skb, u32 info)
{
	return 0;
}

static const struct net_protocol atcp_protocol = {
	.handler	= atcp_v4_rcv,
	.err_handler	= atcp_v4_err,
	.no_policy	= 1,
};

static struct inet_protosw atcp_protosw = {
	.type		= SOCK_STREAM,
	.prot		= &atcp_prot,
	.ops		= &atcp_stream_ops,
	.flags		= INET_PROTOSW_ICSK,
};

static int __init atcp_init(void)
{
	int err;

	if (atcp_ipproto != 253 && atcp_ipproto != 254) {
		pr_err("atcp: ipproto must be 253 or 254\n");
		return -EINVAL;
	}
	atcp_protosw.protocol = atcp_ipproto;

	err = proto_register(&atcp_prot, 1);
	if (err)
		return err;

	err = inet_add_protocol(&atcp_protocol, atcp_ipproto);
	if (err) {
		pr_err("atcp: IP protocol %d is taken\n", atcp_ipproto);
		goto out_proto;
	}
	inet_register_protosw(&atcp_protosw);
	pr_info("atcp: TCP over IP protocol %d\n", atcp_ipproto);
	return 0;

out_proto:
	proto_unregister(&atcp_prot);
	return err;
}

static void __exit atcp_exit(void)
{
	inet_unregister_protosw(&atcp_protosw);
	inet_del_protocol(&atcp_protocol, atcp_ipproto);
	synchronize_net();
	proto_unregister(&atcp_prot);
}

module_init(atcp_init);
module_exit(atcp_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The atcp developers");
MODULE_DESCRIPTION("atcp: TCP (RFC 9293) over IP protocol 253");
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET, IPPROTO_ATCP, SOCK_STREAM);
