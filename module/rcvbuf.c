// SPDX-License-Identifier: GPL-2.0
/*
 * atcp receive-buffer auto-tuning, Linux's dynamic right-sizing
 * (tcp_rcv_space_adjust()): once per receiver RTT, compare what the user
 * read in that RTT with the last measure; when it grew, grow sk_rcvbuf
 * so that the window (half the buffer, atcp_free_window()) lets the
 * sender double its rate, up to net.atcp.rmem[2].  Not when the user set
 * SO_RCVBUF, nor with net.atcp.moderate_rcvbuf 0.
 *
 * The receiver's RTT: from the TSecr of arriving data with timestamps
 * (RFC 7323 §4.1), else the time one window of data takes to arrive.
 */
#include <net/sock.h>

#include "atcp.h"

/* At ESTABLISHED: the first measure is one initial window (as Linux). */
void atcp_rcv_space_init(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	as->rcvq_space = min_t(u32, max_t(u32, as->rcv_wnd, 1),
			       10U * as->advmss);
	as->rcvq_seq = as->copied_seq;
	as->rcvq_time_us = atcp_now_us();
	as->rcv_rtt_us = 0;
	as->rcv_rtt_time_us = 0;
}

static void atcp_rcv_rtt_update(struct atcp_sock *as, u32 sample, bool min)
{
	if (!sample)
		sample = 1;
	if (!as->rcv_rtt_us)
		as->rcv_rtt_us = sample;
	else if (min)				/* a window's time: an upper bound */
		as->rcv_rtt_us = min(as->rcv_rtt_us, sample);
	else
		as->rcv_rtt_us = (7ULL * as->rcv_rtt_us + sample) / 8;
}

/* A data segment arrived in order: a receiver RTT sample, maybe. */
void atcp_rcv_rtt_measure(struct sock *sk, const struct sk_buff *skb)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct atcp_skb_cb *cb = ATCP_SKB_CB(skb);
	u64 now = atcp_now_us();
	u32 delta;

	if (as->tstamp_ok) {
		/* the echo of our TSval: an RTT, if a full segment came */
		if (!(cb->opt_flags & ATCP_CBO_TS) || !cb->tsecr ||
		    skb->len < as->rcv_mss)
			return;
		delta = atcp_tsval(as) - cb->tsecr;
		if ((s32)delta >= 0 && delta < 60 * ATCP_TS_HZ)
			atcp_rcv_rtt_update(as, delta * (USEC_PER_SEC / ATCP_TS_HZ),
					    false);
		return;
	}
	if (as->rcv_rtt_time_us && seq_lt(as->rcv_nxt, as->rcv_rtt_seq))
		return;
	if (as->rcv_rtt_time_us)
		atcp_rcv_rtt_update(as, now - as->rcv_rtt_time_us, true);
	as->rcv_rtt_seq = as->rcv_nxt + max_t(u32, as->rcv_wnd, 1);
	as->rcv_rtt_time_us = now;
}

/* After the user read (RECEIVE, RFC 9293 §3.10.3): grow the buffer. */
void atcp_rcv_space_update(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u64 now = atcp_now_us();
	u32 rtt = as->rcv_rtt_us ? as->rcv_rtt_us : as->srtt_us;
	u64 rcvwin, grow;
	int copied, rcvbuf;

	if (!rtt || !as->rcvq_time_us || now - as->rcvq_time_us < rtt)
		return;
	/* what the user read in that RTT, less what still waits */
	copied = (int)(as->copied_seq - as->rcvq_seq) -
		 (int)(as->rcv_nxt - as->copied_seq);
	if (copied <= (int)as->rcvq_space)
		goto new_measure;
	if (READ_ONCE(atcp_sysctl(sk)->moderate_rcvbuf) &&
	    !(sk->sk_userlocks & SOCK_RCVBUF_LOCK)) {
		/* room for twice what was read (slow start doubles the
		 * rate each RTT), plus the growth seen, plus 16 segments
		 */
		rcvwin = ((u64)copied << 1) + 16ULL * as->advmss;
		grow = div_u64(rcvwin * (copied - as->rcvq_space),
			       as->rcvq_space);
		rcvwin += grow << 1;
		/* the window is half the buffer (atcp_free_window()) */
		rcvbuf = min_t(u64, rcvwin << 1,
			       READ_ONCE(atcp_sysctl(sk)->rmem[2]));
		if (rcvbuf > READ_ONCE(sk->sk_rcvbuf))
			WRITE_ONCE(sk->sk_rcvbuf, rcvbuf);
	}
	as->rcvq_space = copied;
new_measure:
	as->rcvq_seq = as->copied_seq;
	as->rcvq_time_us = now;
}
