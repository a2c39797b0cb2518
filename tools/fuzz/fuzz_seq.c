// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for module/seq.h: sequence-number comparisons modulo
 * 2^32 (RFC 9293 §3.4) and the acceptability test (§3.10.7.4, first).
 * The input gives SEG.SEQ, SEG.LEN, RCV.NXT, RCV.WND and a shift k; the
 * checks:
 *   - the comparisons agree with each other and are unchanged by adding k
 *     to both sides (for a distance other than 2^31, where RFC 1982 leaves
 *     the order undefined);
 *   - seq_in(x, lo, hi) is "x - lo < hi - lo" (windows up to 2^31);
 *   - seq_acceptable() is RFC 9293's four-case table, restated with the
 *     offsets from RCV.NXT (windows and lengths up to 2^30: RFC 7323's
 *     largest window);
 *   - a segment no longer than the window that shares an octet with the
 *     window is acceptable (no in-window data is refused).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seq.h"

static u32 get(const uint8_t *d, size_t size, size_t i)
{
	u32 v = 0;

	if (i + 4 <= size)
		memcpy(&v, d + i, 4);
	return v;
}

static void check_order(u32 a, u32 b, u32 k)
{
	bool lt = seq_lt(a, b), gt = seq_gt(a, b);

	if (seq_leq(a, b) != (lt || a == b) || seq_geq(a, b) != (gt || a == b))
		abort();
	if (seq_lt(a + k, b + k) != lt || seq_gt(a + k, b + k) != gt)
		abort();
	if (a - b == 0x80000000u)
		return;
	if (seq_lt(b, a) != gt || seq_gt(b, a) != lt)
		abort();
	if (lt + gt + !(a - b) != 1)
		abort();
}

static bool ref_acceptable(u32 seq, u32 len, u32 nxt, u32 wnd)
{
	u32 off = seq - nxt, last = off + len - 1;

	if (!len)
		return wnd ? off < wnd : off == 0;
	if (!wnd)
		return false;
	return off < wnd || last < wnd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u32 seq = get(data, size, 0), len = get(data, size, 4);
	u32 nxt = get(data, size, 8), wnd = get(data, size, 12);
	u32 k = get(data, size, 16);
	int64_t start;
	bool acc;

	check_order(seq, nxt, k);
	check_order(seq + len, nxt + wnd, k);
	if (wnd <= 0x80000000u &&
	    seq_in(seq, nxt, nxt + wnd) != (seq - nxt < wnd))
		abort();

	wnd &= 0x3fffffff;
	len &= (size > 20 && data[20] & 1) ? 0xffff : 0x3fffffff;
	acc = seq_acceptable(seq, len, nxt, wnd);
	if (acc != ref_acceptable(seq, len, nxt, wnd))
		abort();
	/* Translation: the same segment and window anywhere in the space. */
	if (seq_acceptable(seq + k, len, nxt + k, wnd) != acc)
		abort();
	/* No in-window octet is refused when the segment fits the window. */
	start = (int32_t)(seq - nxt);
	if (len && len <= wnd && start < (int64_t)wnd &&
	    start + (int64_t)len > 0 && !acc)
		abort();
	return 0;
}
