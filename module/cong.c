// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control (RFC 5681) behind an ops table (atcp_cong.h): the
 * list of algorithms, a socket's choice of one, and the calls from the
 * ACK path and the timers into it.  Built in: Reno (RFC 5681 §3.1 with
 * RFC 3465's byte counting, in segments).  Other algorithms register with
 * atcp_register_congestion_control(), from their own module if they like.
 */
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysctl.h>

#include "atcp_cong.h"
#include "trace.h"

static DEFINE_SPINLOCK(atcp_ca_lock);
static LIST_HEAD(atcp_ca_list);

static struct atcp_congestion_ops *atcp_ca_find(const char *name)
{
	struct atcp_congestion_ops *ca;

	list_for_each_entry_rcu(ca, &atcp_ca_list, list,
				lockdep_is_held(&atcp_ca_lock))
		if (!strcmp(ca->name, name))
			return ca;
	return NULL;
}

int atcp_register_congestion_control(struct atcp_congestion_ops *ca)
{
	int err = 0;

	if (!ca->ssthresh || !ca->undo_cwnd ||
	    !(ca->cong_avoid || ca->cong_control) || !ca->name[0])
		return -EINVAL;
	spin_lock(&atcp_ca_lock);
	if (atcp_ca_find(ca->name))
		err = -EEXIST;
	else
		list_add_tail_rcu(&ca->list, &atcp_ca_list);
	spin_unlock(&atcp_ca_lock);
	if (!err)
		pr_debug("atcp: congestion control %s registered\n", ca->name);
	return err;
}
EXPORT_SYMBOL_GPL(atcp_register_congestion_control);

/* Sockets hold their algorithm's module: none uses it once it may unload. */
void atcp_unregister_congestion_control(struct atcp_congestion_ops *ca)
{
	spin_lock(&atcp_ca_lock);
	list_del_rcu(&ca->list);
	spin_unlock(&atcp_ca_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(atcp_unregister_congestion_control);

/*
 * The algorithm called name, with a reference on its module; if none is
 * registered and load is set, ask for module "atcp-cc-<name>" first (an
 * algorithm module declares MODULE_ALIAS("atcp-cc-<name>")).
 */
static const struct atcp_congestion_ops *
atcp_ca_get(const char *name, bool load)
{
	const struct atcp_congestion_ops *ca;

	rcu_read_lock();
	ca = atcp_ca_find(name);
	if (ca && !try_module_get(ca->owner))
		ca = NULL;
	rcu_read_unlock();
	if (ca || !load)
		return ca;
	request_module("atcp-cc-%s", name);
	return atcp_ca_get(name, false);
}

/*
 * A netns's default algorithm, sysctl net.atcp.congestion_control: the
 * netns holds its module (as Linux), so an algorithm that is some netns's
 * default cannot be unloaded.  A new netns starts with init_net's.
 */
void atcp_ca_net_init(struct net *net)
{
	const struct atcp_congestion_ops *ca, **dflt;

	dflt = &atcp_pernet(net)->sysctl.ca_default;
	*dflt = &atcp_cubic;
	if (net_eq(net, &init_net))
		return;
	rcu_read_lock();
	ca = READ_ONCE(atcp_pernet(&init_net)->sysctl.ca_default);
	if (try_module_get(ca->owner))
		*dflt = ca;
	rcu_read_unlock();
}

void atcp_ca_net_exit(struct net *net)
{
	module_put(atcp_pernet(net)->sysctl.ca_default->owner);
}

static DEFINE_MUTEX(atcp_ca_default_mutex);

static int atcp_ca_set_default(const struct atcp_congestion_ops **dflt,
			       const char *name)
{
	const struct atcp_congestion_ops *ca, *old;

	ca = atcp_ca_get(name, true);
	if (!ca)
		return -ENOENT;
	mutex_lock(&atcp_ca_default_mutex);
	old = *dflt;
	WRITE_ONCE(*dflt, ca);
	mutex_unlock(&atcp_ca_default_mutex);
	module_put(old->owner);
	return 0;
}

/* sysctl net.atcp.congestion_control: read or set the netns default. */
int atcp_ca_default_sysctl(ATCP_CTL_TABLE *table, int write, void *buffer,
			   size_t *lenp, loff_t *ppos)
{
	const struct atcp_congestion_ops **dflt = table->data;
	char name[ATCP_CA_NAME_MAX];
	struct ctl_table tbl = {
		.data	= name,
		.maxlen	= ATCP_CA_NAME_MAX,
	};
	int err;

	mutex_lock(&atcp_ca_default_mutex);
	strscpy(name, (*dflt)->name, sizeof(name));
	mutex_unlock(&atcp_ca_default_mutex);
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (write && !err)
		err = atcp_ca_set_default(dflt, name);
	return err;
}

/* sysctl net.atcp.available_congestion_control: the registered names. */
int atcp_ca_available_sysctl(ATCP_CTL_TABLE *table, int write,
			     void *buffer, size_t *lenp, loff_t *ppos)
{
	const struct atcp_congestion_ops *ca;
	size_t max = 16 * ATCP_CA_NAME_MAX, off = 0;
	struct ctl_table tbl = { .maxlen = max };
	int err;

	tbl.data = kmalloc(max, GFP_USER);
	if (!tbl.data)
		return -ENOMEM;
	*(char *)tbl.data = '\0';
	rcu_read_lock();
	list_for_each_entry_rcu(ca, &atcp_ca_list, list)
		off += scnprintf(tbl.data + off, max - off, "%s%s",
				 off ? " " : "", ca->name);
	rcu_read_unlock();
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	kfree(tbl.data);
	return err;
}

/* A new socket takes its netns's default algorithm (Reno if it is going). */
void atcp_ca_assign(struct sock *sk)
{
	const struct atcp_congestion_ops *ca;

	rcu_read_lock();
	ca = READ_ONCE(atcp_sysctl(sk)->ca_default);
	if (!try_module_get(ca->owner))
		ca = &atcp_reno;
	rcu_read_unlock();
	atcp_sk(sk)->ca_ops = ca;
}

/*
 * TCP_CONGESTION: the socket switches to the algorithm called name
 * (-ENOENT if there is none, as Linux).  On a running connection the old
 * algorithm's state is released and the new one starts from the current
 * cwnd and ssthresh; the old module is let go.
 */
int atcp_set_congestion_control(struct sock *sk, const char *name, bool load)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct atcp_congestion_ops *ca, *old = as->ca_ops;
	bool running = as->ca_initialized;

	ca = atcp_ca_get(name, load);
	if (!ca)
		return -ENOENT;
	if (ca == old) {
		module_put(ca->owner);
		return 0;
	}
	atcp_ca_release(sk);
	as->ca_ops = ca;
	module_put(old->owner);
	memset(as->ca_priv, 0, sizeof(as->ca_priv));
	if (running) {
		if (ca->init)
			ca->init(sk);
		as->ca_initialized = true;
	}
	return 0;
}

/*
 * TCP_CC_INFO: what the algorithm tells of itself (union tcp_cc_info,
 * e.g. struct tcpvegas_info), cut to len; an algorithm without get_info
 * answers with nothing (length 0), as Linux's Reno and CUBIC do.
 */
int atcp_getsockopt_cc_info(struct sock *sk, char __user *optval,
			    int __user *optlen, int len)
{
	const struct atcp_congestion_ops *ca;
	union tcp_cc_info info;
	size_t sz = 0;

	lock_sock(sk);
	ca = atcp_sk(sk)->ca_ops;
	if (ca->get_info)
		sz = ca->get_info(sk, &info);
	release_sock(sk);
	len = min_t(unsigned int, len, sz);
	if (put_user(len, optlen) || copy_to_user(optval, &info, len))
		return -EFAULT;
	return 0;
}

/* A listener's child shares the algorithm: it takes its own reference. */
void atcp_ca_clone(struct sock *child)
{
	struct atcp_sock *as = atcp_sk(child);

	if (!try_module_get(as->ca_ops->owner))
		as->ca_ops = &atcp_reno;
}

/* The socket is freed (sk_destruct): let go of the algorithm's module. */
void atcp_ca_destruct(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->ca_ops) {
		atcp_ca_release(sk);
		module_put(as->ca_ops->owner);
		as->ca_ops = NULL;
	}
}

/* At ESTABLISHED: the algorithm starts on this connection. */
void atcp_ca_init(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	as->ca_state = ATCP_CA_OPEN;
	memset(as->ca_priv, 0, sizeof(as->ca_priv));
	if (as->ca_ops->init)
		as->ca_ops->init(sk);
	as->ca_initialized = true;
}

/* The connection ends (or the algorithm changes): its state goes. */
void atcp_ca_release(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->ca_initialized && as->ca_ops->release)
		as->ca_ops->release(sk);
	as->ca_initialized = false;
}

void atcp_ca_set_state(struct sock *sk, u8 state)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->ca_ops->set_state)
		as->ca_ops->set_state(sk, state);
	as->ca_state = state;
}

void atcp_ca_event(struct sock *sk, int ev)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->ca_ops->cwnd_event)
		as->ca_ops->cwnd_event(sk, ev);
}

/*
 * An ACK acknowledged acked_segs new segments (RFC 3465: what was acked,
 * not one per ACK); the algorithm grows cwnd, when cwnd limited what was
 * sent (RFC 7661).
 */
void atcp_cong_on_ack(struct sock *sk, u32 ack, u32 acked_segs,
		      s32 rtt_us, u32 prior_in_flight)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct atcp_congestion_ops *ca = as->ca_ops;

	if (ca->pkts_acked) {
		struct atcp_ack_sample s = {
			.pkts_acked = acked_segs,
			.rtt_us = rtt_us,
			.in_flight = prior_in_flight,
		};

		ca->pkts_acked(sk, &s);
	}
	if (as->ca_state == ATCP_CA_LOSS && !seq_lt(ack, as->high_seq))
		atcp_ca_set_state(sk, ATCP_CA_OPEN);
	if (as->ca_state == ATCP_CA_CWR && !seq_lt(ack, as->high_seq)) {
		/* the window of data of the reduction is acknowledged */
		atcp_ca_set_state(sk, ATCP_CA_OPEN);
		atcp_ca_event(sk, ATCP_CA_EVENT_COMPLETE_CWR);
	}
	if (ca->cong_control) {
		struct atcp_rate_sample rs = {
			.acked_sacked = acked_segs,
			.prior_in_flight = prior_in_flight,
			.rtt_us = rtt_us,
		};

		ca->cong_control(sk, &rs);
	} else if (acked_segs &&
		   /* PRR sets cwnd in recovery and CWR (recovery.c, RFC 6937) */
		   as->ca_state != ATCP_CA_RECOVERY &&
		   as->ca_state != ATCP_CA_CWR &&
		   (atcp_is_cwnd_limited(sk) ||
		    /* slow start: while at least half of cwnd was used,
		     * as Linux's tcp_is_cwnd_limited()
		     */
		    (atcp_in_slow_start(as) &&
		     as->snd_cwnd < 2 * prior_in_flight))) {
		ca->cong_avoid(sk, ack, acked_segs);
	}
	atcp_sndbuf_expand(sk);
	trace_atcp_probe(sk);
}

/* RFC 5681 §3.1, RFC 6298 §5.5: a retransmission timeout. */
void atcp_ca_enter_loss(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->ca_state < ATCP_CA_CWR || as->high_seq == as->snd_una) {
		as->prior_ssthresh = as->snd_ssthresh;
		as->snd_ssthresh = as->ca_ops->ssthresh(sk);
		atcp_ca_event(sk, ATCP_CA_EVENT_LOSS);
	}
	as->prior_cwnd = as->snd_cwnd;
	as->snd_cwnd = 1;			/* the loss window */
	as->snd_cwnd_cnt = 0;
	as->high_seq = as->snd_nxt;
	atcp_ca_set_state(sk, ATCP_CA_LOSS);
	trace_atcp_probe(sk);
}

/*
 * RFC 3168 §6.1.2: an ECN-Echo.  As for a loss, ssthresh from the
 * algorithm and cwnd down to it, but no retransmission; at most once per
 * window of data (not again until what was sent by now is acked, nor in
 * recovery or loss, which reduced it already).  True if it reduced.
 */
bool atcp_ca_enter_cwr(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->ca_state >= ATCP_CA_CWR)
		return false;
	as->prior_ssthresh = as->snd_ssthresh;
	as->prior_cwnd = as->snd_cwnd;
	as->snd_ssthresh = as->ca_ops->ssthresh(sk);
	as->snd_cwnd = max(min(as->snd_cwnd, as->snd_ssthresh), 1U);
	as->snd_cwnd_cnt = 0;
	as->high_seq = as->snd_nxt;
	atcp_ca_set_state(sk, ATCP_CA_CWR);
	trace_atcp_probe(sk);
	return true;
}

/* ---- helpers for algorithms (atcp_cong.h) ------------------------------ */

/* RFC 5681 §3.1, RFC 3465 §2.2: grow by what was acked, up to ssthresh;
 * returns the segments left over for congestion avoidance.
 */
u32 atcp_slow_start(struct atcp_sock *as, u32 acked)
{
	u32 cwnd = min(as->snd_cwnd + acked, as->snd_ssthresh);

	acked -= cwnd - as->snd_cwnd;
	as->snd_cwnd = cwnd;
	return acked;
}
EXPORT_SYMBOL_GPL(atcp_slow_start);

/* Congestion avoidance: one segment more per w segments acked. */
void atcp_cong_avoid_ai(struct atcp_sock *as, u32 w, u32 acked)
{
	w = max(w, 1U);
	if (as->snd_cwnd_cnt >= w) {
		as->snd_cwnd_cnt = 0;
		as->snd_cwnd++;
	}
	as->snd_cwnd_cnt += acked;
	if (as->snd_cwnd_cnt >= w) {
		u32 delta = as->snd_cwnd_cnt / w;

		as->snd_cwnd_cnt -= delta * w;
		as->snd_cwnd += delta;
	}
	as->snd_cwnd = min(as->snd_cwnd, 1U << 20);
}
EXPORT_SYMBOL_GPL(atcp_cong_avoid_ai);

/* RFC 7661: no growth while the application, not cwnd, limits sending. */
bool atcp_is_cwnd_limited(const struct sock *sk)
{
	return atcp_sk(sk)->cwnd_limited;
}
EXPORT_SYMBOL_GPL(atcp_is_cwnd_limited);

/* RFC 5681 §3.1 equation (4), in segments: half the flight, at least 2. */
u32 atcp_reno_ssthresh(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 flight = DIV_ROUND_UP(as->snd_nxt - as->snd_una,
				  max_t(u32, as->mss, 1));

	return max(flight / 2, 2U);
}
EXPORT_SYMBOL_GPL(atcp_reno_ssthresh);

void atcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (atcp_in_slow_start(as)) {
		acked = atcp_slow_start(as, acked);
		if (!acked)
			return;
	}
	atcp_cong_avoid_ai(as, as->snd_cwnd, acked);
}
EXPORT_SYMBOL_GPL(atcp_reno_cong_avoid);

u32 atcp_reno_undo_cwnd(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	return max(as->snd_cwnd, as->prior_cwnd);
}
EXPORT_SYMBOL_GPL(atcp_reno_undo_cwnd);

struct atcp_congestion_ops atcp_reno = {
	.ssthresh	= atcp_reno_ssthresh,
	.cong_avoid	= atcp_reno_cong_avoid,
	.undo_cwnd	= atcp_reno_undo_cwnd,
	.name		= "reno",
	/* built into atcp.ko, which its sockets hold already: no owner */
};

int atcp_cong_init(void)
{
	int err;

	err = atcp_register_congestion_control(&atcp_cubic);
	if (err)
		return err;
	err = atcp_register_congestion_control(&atcp_reno);
	if (err)
		atcp_unregister_congestion_control(&atcp_cubic);
	return err;
}

void atcp_cong_exit(void)
{
	atcp_unregister_congestion_control(&atcp_reno);
	atcp_unregister_congestion_control(&atcp_cubic);
}
