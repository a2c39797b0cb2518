/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4) and the segment
 * acceptability test (§3.10.7.4, first).  No kernel dependencies: this file
 * also builds in user space for unit tests.
 */
#ifndef _ATCP_SEQ_H
#define _ATCP_SEQ_H

#ifdef __KERNEL__
#include <linux/types.h>
#endif
/* In user space the includer provides bool, u32 and s32. */

/* a < b, a <= b, a > b, a >= b in sequence space (RFC 9293 §3.4). */
static inline bool seq_lt(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool seq_leq(u32 a, u32 b)
{
	return (s32)(a - b) <= 0;
}

static inline bool seq_gt(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

static inline bool seq_geq(u32 a, u32 b)
{
	return (s32)(a - b) >= 0;
}

/*
 * lo <= x < hi: x's offset from lo is below the range's size.  (Not
 * seq_leq(lo, x) && seq_lt(x, hi), which holds for an empty range when x is
 * 2^31 away from lo.)
 */
static inline bool seq_in(u32 x, u32 lo, u32 hi)
{
	return x - lo < hi - lo;
}

/*
 * RFC 9293 §3.10.7.4, first, the four cases:
 *
 *   SEG.LEN RCV.WND  test
 *   0       0        SEG.SEQ = RCV.NXT
 *   0       >0       RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
 *   >0      0        not acceptable
 *   >0      >0       RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
 *                 or RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
 */
static inline bool seq_acceptable(u32 seg_seq, u32 seg_len, u32 rcv_nxt,
				  u32 rcv_wnd)
{
	if (!seg_len) {
		if (!rcv_wnd)
			return seg_seq == rcv_nxt;
		return seq_in(seg_seq, rcv_nxt, rcv_nxt + rcv_wnd);
	}
	if (!rcv_wnd)
		return false;
	return seq_in(seg_seq, rcv_nxt, rcv_nxt + rcv_wnd) ||
	       seq_in(seg_seq + seg_len - 1, rcv_nxt, rcv_nxt + rcv_wnd);
}

#endif /* _ATCP_SEQ_H */
