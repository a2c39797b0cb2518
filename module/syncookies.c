// SPDX-License-Identifier: GPL-2.0
/*
 * atcp SYN cookies (RFC 4987 §3.6): when a listener's SYN queue is full
 * (or net.atcp.syncookies is 2), the SYN,ACK's ISS encodes what the
 * SYN-RECEIVED entry would have kept, and no state stays behind.  The ACK
 * that returns ISS+1 recreates it.
 *
 * The ISS is, as Linux TCP's cookie_v4:
 *
 *   H0(4-tuple) + SEG.SEQ + (minute << 24) + ((H1(4-tuple, minute) + index)
 *   mod 2^24)
 *
 * H0 and H1 siphash with two secret keys, minute a counter of minutes,
 * index the position of the MSS in a small table.  A cookie is valid for
 * two minutes.  When the SYN had timestamps, the other options (window
 * scale, SACK-permitted) go, as Linux's, into the low 6 bits of the
 * SYN,ACK's TSval, which the ACK echoes (atcp_cookie_tsval()).
 */
#include <linux/jiffies.h>
#include <linux/net.h>
#include <linux/siphash.h>

#include "atcp.h"

#define COOKIE_COUNT_SHIFT	24
#define COOKIE_DATA_MASK	((1U << COOKIE_COUNT_SHIFT) - 1)
#define COOKIE_PERIOD		(60 * HZ)
#define COOKIE_MAX_AGE		2	/* minutes */

/* The MSS values a cookie can carry (Linux's msstab: the common ones). */
static const u16 cookie_mss_table[] = { 536, 1300, 1440, 1460 };

static siphash_aligned_key_t cookie_key[2];

static u32 cookie_hash(__be32 saddr, __be32 daddr, __be16 sport,
		       __be16 dport, u32 count, int k)
{
	net_get_random_once(cookie_key, sizeof(cookie_key));
	return siphash_4u32((__force u32)saddr, (__force u32)daddr,
			    (u32)(__force u16)sport << 16 | (__force u16)dport,
			    count, &cookie_key[k]);
}

static u32 cookie_minute(void)
{
	u64 now = get_jiffies_64();

	do_div(now, COOKIE_PERIOD);
	return (u32)now;
}

/*
 * The ISS of a cookie SYN,ACK for a SYN from saddr:sport to daddr:dport
 * with SEG.SEQ sseq; *mss (the peer's) becomes the largest table value
 * not above it.
 */
u32 atcp_cookie_make(__be32 saddr, __be32 daddr, __be16 sport,
		     __be16 dport, u32 sseq, u16 *mss)
{
	u32 count = cookie_minute();
	u32 idx;

	for (idx = ARRAY_SIZE(cookie_mss_table) - 1; idx; idx--)
		if (*mss >= cookie_mss_table[idx])
			break;
	*mss = cookie_mss_table[idx];
	return cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq +
	       (count << COOKIE_COUNT_SHIFT) +
	       ((cookie_hash(saddr, daddr, sport, dport, count, 1) + idx) &
		COOKIE_DATA_MASK);
}

/*
 * The MSS a cookie carries, or 0 if it is not one of ours or too old.
 * sseq is the SYN's SEG.SEQ (the ACK's SEG.SEQ - 1), cookie the ISS
 * (SEG.ACK - 1).
 */
u16 atcp_cookie_check(__be32 saddr, __be32 daddr, __be16 sport,
		      __be16 dport, u32 sseq, u32 cookie)
{
	u32 count = cookie_minute();
	u32 age, idx;

	cookie -= cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq;
	age = (count - (cookie >> COOKIE_COUNT_SHIFT)) &
	      ((u32)-1 >> COOKIE_COUNT_SHIFT);
	if (age >= COOKIE_MAX_AGE)
		return 0;
	idx = (cookie - cookie_hash(saddr, daddr, sport, dport, count - age,
				    1)) & COOKIE_DATA_MASK;
	if (idx >= ARRAY_SIZE(cookie_mss_table))
		return 0;
	return cookie_mss_table[idx];
}

/*
 * A cookie SYN,ACK's TSval (RFC 7323 §3.2, as Linux's
 * cookie_init_timestamp()): the timestamp clock with its low 6 bits
 * replaced by the options to remember (the peer's shift, or 0xf for no
 * window scale; SACK-permitted), never ahead of the clock.  Without the
 * offset: the caller adds the connection's.
 */
u32 atcp_cookie_tsval(bool wscale_ok, u8 snd_wscale, bool sack_ok)
{
	u32 now = atcp_ts_now(), ts;
	u32 opts = (wscale_ok ? snd_wscale : ATCP_COOKIE_NO_WS) |
		   (sack_ok ? ATCP_COOKIE_SACK : 0);

	ts = (now & ~ATCP_COOKIE_TS_MASK) | opts;
	if ((s32)(ts - now) > 0)
		ts -= ATCP_COOKIE_TS_MASK + 1;
	return ts;
}

/* Its echo in the ACK (less the offset): the options, false if it is
 * none of ours (ahead of the clock).
 */
bool atcp_cookie_tsecr(u32 tsecr, bool *wscale_ok, u8 *snd_wscale,
		       bool *sack_ok)
{
	u32 ws = tsecr & ATCP_COOKIE_NO_WS;

	if ((s32)(tsecr - atcp_ts_now()) > 0)
		return false;
	*wscale_ok = ws != ATCP_COOKIE_NO_WS;
	*snd_wscale = *wscale_ok ? min_t(u32, ws, ATCP_MAX_WSCALE) : 0;
	*sack_ok = tsecr & ATCP_COOKIE_SACK;
	return true;
}
