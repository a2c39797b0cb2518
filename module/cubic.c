// SPDX-License-Identifier: GPL-2.0
/*
 * CUBIC (RFC 9438) with HyStart++ (RFC 9406): atcp's default congestion
 * control, as Linux's.  Windows are in segments; time in units of 1/1024 s
 * ("ticks") for the cubic function, microseconds for RTTs.
 *
 * Congestion avoidance (RFC 9438 §4.2-4.5): after a reduction, cwnd follows
 *   W_cubic(t) = C * (t - K)^3 + W_max,   K = cbrt((W_max - cwnd_epoch) / C)
 * towards target = W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd], growing by
 * (target - cwnd) / cwnd per segment acknowledged; where the Reno-friendly
 * estimate W_est (§4.3) is above W_cubic(t), cwnd follows W_est instead.
 * A loss sets ssthresh = 0.7 cwnd (§4.6) and, with fast convergence (§4.7),
 * W_max below the last one when the window keeps shrinking.
 *
 * Slow start (RFC 9406): the first slow start (ssthresh still infinite)
 * grows by at most L = 8 segments per ACK and watches the minimum RTT of
 * each round; when it rises by RttThresh, Conservative Slow Start (CSS)
 * grows four times slower for up to CSS_ROUNDS rounds, then congestion
 * avoidance begins (ssthresh = cwnd), unless the RTT falls back first.
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>

#include "atcp_cong.h"

/* RFC 9438 §5: C = 0.4, beta_cubic = 0.7 (in 1/1024) */
#define CUBIC_BETA		717			/* 0.7 * 1024 */
#define CUBIC_TICKS		1024			/* ticks per second */
/* alpha_cubic = 3 (1 - beta) / (1 + beta) = 0.529 (§4.3), in 1/65536 */
#define CUBIC_ALPHA		34695
#define CUBIC_ONE		65536
#define CUBIC_MAX_TICKS		BIT(20)			/* 1024 s */

/* RFC 9406 §4.3 */
#define HSPP_MIN_RTT_THRESH	4000U			/* us */
#define HSPP_MAX_RTT_THRESH	16000U
#define HSPP_MIN_RTT_DIVISOR	8
#define HSPP_N_RTT_SAMPLE	8
#define HSPP_CSS_GROWTH_DIVISOR	4
#define HSPP_CSS_ROUNDS		5
#define HSPP_L			8			/* not paced */

enum hspp_phase {
	HSPP_OFF,		/* not the first slow start, or done */
	HSPP_SS,		/* standard slow start, watching the RTT */
	HSPP_CSS,		/* conservative slow start */
};

struct atcp_cubic {
	u64 epoch_start;	/* us, start of this avoidance epoch; 0: none */
	u64 w_est;		/* W_est, in 1/65536 segments (§4.3) */
	u32 w_max;		/* W_max: cwnd at the last reduction (§4.6) */
	u32 cwnd_prior;		/* cwnd before the last reduction */
	u32 cwnd_epoch;		/* cwnd when the epoch started */
	u32 k;			/* K, in ticks */
	/* HyStart++ (RFC 9406 §4.2) */
	u32 window_end;		/* the round ends when this is acked */
	u32 last_round_min_rtt;	/* us, U32_MAX: infinity */
	u32 cur_round_min_rtt;
	u32 css_baseline_min_rtt;
	u16 rtt_samples;	/* rttSampleCount */
	u8 css_rounds;		/* CSS rounds begun */
	u8 phase;		/* enum hspp_phase */
	u32 css_acked;		/* acked segments not yet turned into cwnd */
};

/* The integer cube root of x < 2^54 (binary search: at a reduction only). */
static u32 cubic_cbrt(u64 x)
{
	u32 r = 0;
	int bit;

	for (bit = 17; bit >= 0; bit--) {
		u64 c = r | (1U << bit);

		if (c * c * c <= x)
			r = c;
	}
	return r;
}

/* W_cubic(t) (RFC 9438 §4.2, Figure 1), t in ticks since the epoch. */
static u32 cubic_w(const struct atcp_cubic *c, u32 t)
{
	u64 d = t > c->k ? t - c->k : c->k - t;
	u64 delta;

	d = min_t(u64, d, CUBIC_MAX_TICKS);
	/* C * (d / 1024)^3 = d^3 * 2 / (5 * 2^30) segments */
	delta = div64_u64(d * d * d * 2, 5ULL << 30);
	if (t > c->k)
		return min_t(u64, c->w_max + delta, U32_MAX / 2);
	return delta < c->w_max ? c->w_max - delta : 0;
}

static u32 cubic_ticks(u64 us)
{
	us = min_t(u64, us, (u64)CUBIC_MAX_TICKS * USEC_PER_SEC / CUBIC_TICKS);
	return div_u64(us * CUBIC_TICKS, USEC_PER_SEC);
}

/* The first ACK of congestion avoidance after a reduction: t = 0. */
static void cubic_epoch_begin(struct sock *sk, struct atcp_cubic *c, u64 now)
{
	struct atcp_sock *as = atcp_sk(sk);

	c->epoch_start = now ? : 1;
	c->cwnd_epoch = as->snd_cwnd;
	c->w_est = (u64)as->snd_cwnd * CUBIC_ONE;	/* §4.3 */
	if (c->w_max > as->snd_cwnd) {
		/* K = cbrt((W_max - cwnd_epoch) / C), in ticks: (K*1024)^3 =
		 * (W_max - cwnd_epoch) * 2.5 * 2^30
		 */
		c->k = cubic_cbrt((u64)(c->w_max - as->snd_cwnd) * (5ULL << 29));
	} else {
		/* above the last W_max (or none yet): convex from here */
		c->k = 0;
		c->w_max = as->snd_cwnd;
	}
}

/* RFC 9438 §4.2-4.5: segments per one-segment increase of cwnd. */
static u32 cubic_update(struct sock *sk, struct atcp_cubic *c, u32 acked)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 cwnd = as->snd_cwnd, target, w_t, w_est, cnt;
	u64 now = as->clock_us, alpha;	/* the ACK's arrival */

	if (!c->epoch_start)
		cubic_epoch_begin(sk, c, now);
	/* §4.2: the window one RTT from now */
	target = cubic_w(c, cubic_ticks(now - c->epoch_start + as->srtt_us));
	target = clamp(target, cwnd, cwnd + cwnd / 2);
	cnt = target > cwnd ? max(cwnd / (target - cwnd), 1U) : 100 * cwnd;

	/* §4.3: the Reno-friendly region; alpha 1 once past cwnd_prior */
	alpha = c->w_est >= (u64)c->cwnd_prior * CUBIC_ONE ? CUBIC_ONE :
		CUBIC_ALPHA;
	c->w_est += div_u64(alpha * acked, max(cwnd, 1U));
	w_est = c->w_est >> 16;
	w_t = cubic_w(c, cubic_ticks(now - c->epoch_start));
	if (w_est > w_t && w_est > cwnd)
		cnt = min(cnt, max(cwnd / (w_est - cwnd), 1U));
	return cnt;
}

/* ---- HyStart++ (RFC 9406 §4.2) ------------------------------------------- */

static void hspp_round_begin(struct sock *sk, struct atcp_cubic *c)
{
	c->window_end = atcp_sk(sk)->snd_nxt;
	c->last_round_min_rtt = c->cur_round_min_rtt;
	c->cur_round_min_rtt = U32_MAX;
	c->rtt_samples = 0;
}

static void hspp_enter_ca(struct sock *sk, struct atcp_cubic *c)
{
	struct atcp_sock *as = atcp_sk(sk);

	as->snd_ssthresh = as->snd_cwnd;	/* ssthresh = cwnd */
	c->phase = HSPP_OFF;
}

/* Rounds and RTT samples; the exit to CSS, back to slow start, or to CA. */
static void hspp_on_ack(struct sock *sk, struct atcp_cubic *c, s32 rtt_us)
{
	struct atcp_sock *as = atcp_sk(sk);
	u32 thresh;

	if (c->phase == HSPP_OFF)
		return;
	if (as->snd_ssthresh != ATCP_INFINITE_SSTHRESH) {
		c->phase = HSPP_OFF;	/* a loss ended the first slow start */
		return;
	}
	if (!seq_lt(as->snd_una, c->window_end)) {
		hspp_round_begin(sk, c);
		/* a partial first round counts towards CSS_ROUNDS */
		if (c->phase == HSPP_CSS && ++c->css_rounds >= HSPP_CSS_ROUNDS) {
			hspp_enter_ca(sk, c);
			return;
		}
	}
	if (rtt_us <= 0)
		return;
	c->cur_round_min_rtt = min_t(u32, c->cur_round_min_rtt, rtt_us);
	if (c->rtt_samples < U16_MAX)
		c->rtt_samples++;
	if (c->rtt_samples < HSPP_N_RTT_SAMPLE)
		return;
	if (c->phase == HSPP_SS) {
		if (c->last_round_min_rtt == U32_MAX)
			return;
		thresh = clamp(c->last_round_min_rtt / HSPP_MIN_RTT_DIVISOR,
			       HSPP_MIN_RTT_THRESH, HSPP_MAX_RTT_THRESH);
		if (c->cur_round_min_rtt >= c->last_round_min_rtt + thresh) {
			c->css_baseline_min_rtt = c->cur_round_min_rtt;
			c->phase = HSPP_CSS;
			c->css_rounds = 1;
			c->css_acked = 0;
		}
	} else if (c->cur_round_min_rtt < c->css_baseline_min_rtt) {
		/* the exit was spurious: resume slow start */
		c->css_baseline_min_rtt = U32_MAX;
		c->phase = HSPP_SS;
	}
}

/* Slow start growth: L-limited, and a quarter of it in CSS. */
static u32 hspp_slow_start(struct atcp_sock *as, struct atcp_cubic *c,
			   u32 acked)
{
	u32 n = min_t(u32, acked, HSPP_L);

	if (c->phase == HSPP_CSS) {
		c->css_acked += n;
		as->snd_cwnd += c->css_acked / HSPP_CSS_GROWTH_DIVISOR;
		c->css_acked %= HSPP_CSS_GROWTH_DIVISOR;
		return 0;
	}
	return atcp_slow_start(as, n);
}

/* ---- the ops --------------------------------------------------------------- */

static void cubic_init(struct sock *sk)
{
	struct atcp_cubic *c = atcp_ca(sk);

	BUILD_BUG_ON(sizeof(struct atcp_cubic) > ATCP_CA_PRIV_SIZE);
	memset(c, 0, sizeof(*c));
	c->last_round_min_rtt = U32_MAX;
	c->cur_round_min_rtt = U32_MAX;
	c->css_baseline_min_rtt = U32_MAX;
	c->window_end = atcp_sk(sk)->snd_nxt;
	if (atcp_sk(sk)->snd_ssthresh == ATCP_INFINITE_SSTHRESH)
		c->phase = HSPP_SS;
}

static void cubic_pkts_acked(struct sock *sk, const struct atcp_ack_sample *s)
{
	hspp_on_ack(sk, atcp_ca(sk), s->rtt_us);
}

static void cubic_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_cubic *c = atcp_ca(sk);

	if (atcp_in_slow_start(as)) {
		if (c->phase != HSPP_OFF)
			acked = hspp_slow_start(as, c, acked);
		else
			acked = atcp_slow_start(as, acked);
		if (!acked)
			return;
	}
	atcp_cong_avoid_ai(as, cubic_update(sk, c, acked), acked);
}

/* RFC 9438 §4.6 and §4.7 (fast convergence); Linux's choice of cwnd
 * rather than the flight size.
 */
static u32 cubic_ssthresh(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_cubic *c = atcp_ca(sk);
	u32 cwnd = as->snd_cwnd;

	c->epoch_start = 0;
	c->cwnd_prior = cwnd;
	if (cwnd < c->w_max)
		c->w_max = cwnd * (1024 + CUBIC_BETA) / 2048;
	else
		c->w_max = cwnd;
	c->phase = HSPP_OFF;
	return max(cwnd * CUBIC_BETA / 1024, 2U);
}

static void cubic_cwnd_event(struct sock *sk, enum atcp_ca_event ev)
{
	struct atcp_cubic *c = atcp_ca(sk);

	/* after idle or a timeout, a new epoch (RFC 9438 §5.8, §4.8) */
	if (ev == ATCP_CA_EVENT_TX_START || ev == ATCP_CA_EVENT_LOSS)
		c->epoch_start = 0;
}

static u32 cubic_undo_cwnd(struct sock *sk)
{
	return atcp_reno_undo_cwnd(sk);
}

struct atcp_congestion_ops atcp_cubic = {
	.init		= cubic_init,
	.ssthresh	= cubic_ssthresh,
	.cong_avoid	= cubic_cong_avoid,
	.pkts_acked	= cubic_pkts_acked,
	.cwnd_event	= cubic_cwnd_event,
	.undo_cwnd	= cubic_undo_cwnd,
	.name		= "cubic",
	/* built into atcp.ko, like Reno */
};
