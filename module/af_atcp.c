// SPDX-License-Identifier: GPL-2.0
/*
 * atcp module life: registration of IP protocol 253 with the inet layer and
 * of the SOCK_STREAM socket protocol, per-netns state (sysctls, counters,
 * /proc), and their removal on unload.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/inet_common.h>
#include <net/netns/generic.h>
#include <net/protocol.h>

#include "atcp.h"
#include "atcp_cong.h"
#include "compat.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

int atcp_ipproto = IPPROTO_ATCP;
module_param_named(ipproto, atcp_ipproto, int, 0444);
MODULE_PARM_DESC(ipproto, "IP protocol number: 253 (default) or 254 (RFC 3692)");

static unsigned int atcp_net_id __read_mostly;

struct atcp_net *atcp_pernet(const struct net *net)
{
	return net_generic(net, atcp_net_id);
}

/* Defaults, as Linux TCP's where Linux has one (Documentation/sysctl.rst) */
static const struct atcp_sysctl atcp_sysctl_defaults = {
	.msl_ms			= 30000,	/* TIME-WAIT 60 s, as Linux */
	.syn_retries		= 6,
	.synack_retries		= 5,
	.retries2		= 15,
	.orphan_retries		= 8,		/* Linux's 0 means 8 */
	.rto_min_ms		= 200,
	.rto_max_ms		= 120000,
	.rto_init_ms		= 1000,		/* RFC 6298 §2.1 */
	.fin_timeout_ms		= 60000,
	.keepalive_time_ms	= 7200000,
	.keepalive_intvl_ms	= 75000,
	.keepalive_probes	= 9,
	.challenge_ack_limit	= INT_MAX,	/* off, as Linux since 6.0 */
	.invalid_ratelimit_ms	= 500,
	.delack_ms		= 40,
	.syncookies		= 1,		/* RFC 4987 §3.6, as Linux */
	.max_syn_backlog	= 4096,
	.sack			= 1,		/* RFC 2018, as Linux */
	.window_scaling		= 1,		/* RFC 7323, as Linux */
	.timestamps		= 1,
	.moderate_rcvbuf	= 1,
	.dsack			= 1,		/* RFC 2883, as Linux */
	.ecn			= 2,		/* accept only, as Linux */
	.notsent_lowat		= UINT_MAX,	/* no limit, as Linux */
	.fastopen		= ATCP_TFO_CLIENT_ENABLE, /* as Linux */
	/* half the connection table's buckets, as Linux's defaults (half
	 * the ehash entries); rmem and wmem are init_net's (mem.c)
	 */
	.max_orphans		= (1 << ATCP_EHASH_BITS) / 2,
	.max_tw_buckets		= (1 << ATCP_EHASH_BITS) / 2,
};

static int one = 1;
static int two = 2;
static int max_retries = 255;

#define ATCP_CTL(name, lo, hi) {					\
	.procname	= #name,					\
	.data		= (void *)offsetof(struct atcp_sysctl, name),	\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,				\
	.extra1		= lo,						\
	.extra2		= hi,						\
}

/* min, default, max (bytes), as tcp_rmem; and one of them by name */
#define ATCP_VEC(name, field, len) {					\
	.procname	= #name,					\
	.data		= (void *)offsetof(struct atcp_sysctl, field),	\
	.maxlen		= (len) * sizeof(int),				\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,				\
	.extra1		= SYSCTL_ONE,					\
}

static const struct ctl_table atcp_sysctl_template[] = {
	ATCP_CTL(msl_ms, &one, NULL),
	ATCP_CTL(syn_retries, &one, &max_retries),
	ATCP_CTL(synack_retries, &one, &max_retries),
	ATCP_CTL(retries2, &one, &max_retries),
	ATCP_CTL(orphan_retries, &one, &max_retries),
	ATCP_CTL(rto_min_ms, &one, NULL),
	ATCP_CTL(rto_max_ms, &one, NULL),
	ATCP_CTL(rto_init_ms, &one, NULL),
	ATCP_CTL(fin_timeout_ms, &one, NULL),
	ATCP_CTL(keepalive_time_ms, &one, NULL),
	ATCP_CTL(keepalive_intvl_ms, &one, NULL),
	ATCP_CTL(keepalive_probes, &one, &max_retries),
	ATCP_CTL(challenge_ack_limit, SYSCTL_ZERO, NULL),
	ATCP_CTL(invalid_ratelimit_ms, SYSCTL_ZERO, NULL),
	ATCP_CTL(delack_ms, &one, NULL),
	ATCP_CTL(syncookies, SYSCTL_ZERO, &two),
	ATCP_CTL(max_syn_backlog, &one, NULL),
	ATCP_CTL(sack, SYSCTL_ZERO, SYSCTL_ONE),
	ATCP_CTL(window_scaling, SYSCTL_ZERO, SYSCTL_ONE),
	ATCP_CTL(timestamps, SYSCTL_ZERO, SYSCTL_ONE),
	ATCP_CTL(moderate_rcvbuf, SYSCTL_ZERO, SYSCTL_ONE),
	ATCP_CTL(dsack, SYSCTL_ZERO, SYSCTL_ONE),
	ATCP_CTL(ecn, SYSCTL_ZERO, &two),
	{	/* unsigned, as Linux's tcp_notsent_lowat */
		.procname	= "notsent_lowat",
		.data		= (void *)offsetof(struct atcp_sysctl,
						   notsent_lowat),
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= proc_douintvec,
	},
	ATCP_VEC(rmem, rmem, 3),
	ATCP_VEC(wmem, wmem, 3),
	ATCP_VEC(rmem_default, rmem[1], 1),	/* rmem's default, by name */
	ATCP_VEC(wmem_default, wmem[1], 1),
	ATCP_CTL(max_orphans, SYSCTL_ZERO, NULL),
	ATCP_CTL(max_tw_buckets, SYSCTL_ZERO, NULL),
	ATCP_CTL(fastopen, SYSCTL_ZERO, NULL),	/* RFC 7413: ATCP_TFO_* */
	{	/* the server cookies' key, as tcp_fastopen_key */
		.procname	= "fastopen_key",
		.data		= (void *)offsetof(struct atcp_sysctl,
						   fastopen_key),
		.maxlen		= 4 * 9,
		.mode		= 0600,
		.proc_handler	= atcp_fastopen_key_sysctl,
	},
	{	/* the default algorithm of new sockets, by name */
		.procname	= "congestion_control",
		.data		= (void *)offsetof(struct atcp_sysctl, ca_default),
		.maxlen		= ATCP_CA_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= atcp_ca_default_sysctl,
	},
	{	/* the registered algorithms */
		.procname	= "available_congestion_control",
		.data		= (void *)offsetof(struct atcp_sysctl, ca_default),
		.maxlen		= 16 * ATCP_CA_NAME_MAX,
		.mode		= 0444,
		.proc_handler	= atcp_ca_available_sysctl,
	},
	/* init_net only, as tcp_mem: the protocol's pages, all netns */
	{
		.procname	= "mem",
		.data		= atcp_mem,
		.maxlen		= sizeof(atcp_mem),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	{ }	/* sentinel for kernels before 6.6 */
};

#define ATCP_NCTL (ARRAY_SIZE(atcp_sysctl_template) - 1)
#define ATCP_NCTL_NET (ATCP_NCTL - 1)	/* all but mem */

static int __net_init atcp_net_init(struct net *net)
{
	struct atcp_net *an = atcp_pernet(net);
	struct ctl_table *t;
	int i, n, err = -ENOMEM;

	an->sysctl = atcp_sysctl_defaults;
	/* a new netns takes init_net's buffer sizes, as Linux */
	if (net_eq(net, &init_net)) {
		memcpy(an->sysctl.rmem, atcp_rmem_init, sizeof(atcp_rmem_init));
		memcpy(an->sysctl.wmem, atcp_wmem_init, sizeof(atcp_wmem_init));
	} else {
		struct atcp_sysctl *init = &atcp_pernet(&init_net)->sysctl;

		memcpy(an->sysctl.rmem, init->rmem, sizeof(init->rmem));
		memcpy(an->sysctl.wmem, init->wmem, sizeof(init->wmem));
	}
	atomic_set(&an->orphans, 0);
	atomic_set(&an->tw_count, 0);
	spin_lock_init(&an->challenge_lock);
	atcp_ca_net_init(net);
	atcp_fastopen_net_init(net);
	an->mib = __alloc_percpu(sizeof(u64) * ATCP_MIB_MAX, sizeof(u64));
	if (!an->mib)
		goto out_ca;
	t = kmemdup(atcp_sysctl_template, sizeof(atcp_sysctl_template),
		    GFP_KERNEL);
	if (!t)
		goto out_mib;
	for (i = 0; i < ATCP_NCTL_NET; i++)
		t[i].data = (char *)&an->sysctl + (uintptr_t)t[i].data;
	n = ATCP_NCTL;
	if (!net_eq(net, &init_net)) {
		memset(&t[ATCP_NCTL_NET], 0, sizeof(t[0]));	/* no mem */
		n = ATCP_NCTL_NET;
	}
	an->sysctl_hdr = atcp_register_sysctl(net, "net/atcp", t, n);
	if (!an->sysctl_hdr)
		goto out_table;
	err = atcp_proc_init_net(net);
	if (err)
		goto out_sysctl;
	return 0;

out_sysctl:
	unregister_net_sysctl_table(an->sysctl_hdr);
out_table:
	kfree(t);
out_mib:
	free_percpu(an->mib);
out_ca:
	atcp_ca_net_exit(net);
	return err;
}

static void __net_exit atcp_net_exit(struct net *net)
{
	struct atcp_net *an = atcp_pernet(net);
	const struct ctl_table *t = an->sysctl_hdr->ctl_table_arg;

	atcp_tw_purge_net(net);
	/* A TIME-WAIT timer that unhashed its entry before the purge saw
	 * it may still be counting it out of an->tw_count: soft hrtimers
	 * run with BHs off, which a grace period waits for.
	 */
	synchronize_rcu();
	atcp_proc_exit_net(net);
	unregister_net_sysctl_table(an->sysctl_hdr);
	kfree(t);
	free_percpu(an->mib);
	atcp_ca_net_exit(net);
}

static struct pernet_operations atcp_net_ops = {
	.init	= atcp_net_init,
	.exit	= atcp_net_exit,
	.id	= &atcp_net_id,
	.size	= sizeof(struct atcp_net),
};

static const struct net_protocol atcp_protocol = {
	.handler	= atcp_v4_rcv,
	.err_handler	= atcp_v4_err,
	.no_policy	= 1,
};

static struct inet_protosw atcp_protosw = {
	.type		= SOCK_STREAM,
	.prot		= &atcp_prot,
	.ops		= &atcp_stream_ops,
};

static int __init atcp_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct atcp_skb_cb) > sizeof_field(struct sk_buff, cb));
	if (atcp_ipproto != 253 && atcp_ipproto != 254) {
		pr_err("atcp: ipproto must be 253 or 254\n");
		return -EINVAL;
	}
	atcp_protosw.protocol = atcp_ipproto;
	atcp_mem_init();
	atcp_ts_init();

	err = atcp_hash_init();
	if (err)
		return err;
	err = atcp_reqsk_init();
	if (err)
		goto out_hash;
	err = atcp_tw_init();
	if (err)
		goto out_reqsk;
	err = atcp_cong_init();
	if (err)
		goto out_tw;
	err = proto_register(&atcp_prot, 1);
	if (err)
		goto out_cong;
	err = register_pernet_subsys(&atcp_net_ops);
	if (err)
		goto out_proto;
	/* The buffer minimum the core guarantees under pressure is
	 * init_net's (a module cannot give it per-netns offsets).
	 */
	atcp_prot.sysctl_rmem = atcp_pernet(&init_net)->sysctl.rmem;
	atcp_prot.sysctl_wmem = atcp_pernet(&init_net)->sysctl.wmem;
	err = inet_add_protocol(&atcp_protocol, atcp_ipproto);
	if (err) {
		pr_err("atcp: IP protocol %d is taken\n", atcp_ipproto);
		goto out_pernet;
	}
	err = atcp_offload_init();
	if (err) {
		pr_err("atcp: no GSO for IP protocol %d\n", atcp_ipproto);
		goto out_protocol;
	}
	inet_register_protosw(&atcp_protosw);
	pr_info("atcp: TCP over IP protocol %d\n", atcp_ipproto);
	return 0;

out_protocol:
	inet_del_protocol(&atcp_protocol, atcp_ipproto);
	synchronize_net();
out_pernet:
	unregister_pernet_subsys(&atcp_net_ops);
out_proto:
	proto_unregister(&atcp_prot);
out_cong:
	atcp_cong_exit();
out_tw:
	atcp_tw_exit();
out_reqsk:
	atcp_reqsk_exit();
out_hash:
	atcp_hash_exit();
	return err;
}

static void __exit atcp_exit(void)
{
	inet_unregister_protosw(&atcp_protosw);
	inet_del_protocol(&atcp_protocol, atcp_ipproto);
	atcp_offload_exit();
	synchronize_net();
	unregister_pernet_subsys(&atcp_net_ops);
	atcp_tw_exit();
	rcu_barrier();
	proto_unregister(&atcp_prot);
	atcp_cong_exit();
	atcp_reqsk_exit();
	atcp_hash_exit();
}

module_init(atcp_init);
module_exit(atcp_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The atcp developers");
MODULE_DESCRIPTION("atcp: TCP (RFC 9293) over IP protocol 253");
/* socket(AF_INET, SOCK_STREAM, IPPROTO_ATCP) loads atcp: the kernel asks
 * for "net-pf-2-proto-253-type-1", and the macro pastes its arguments as
 * written (SOCK_STREAM is an enum, not a number the preprocessor sees)
 */
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET, IPPROTO_ATCP, 1);
