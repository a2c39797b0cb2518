// SPDX-License-Identifier: GPL-2.0
/*
 * HighSpeed TCP (RFC 3649) for atcp, as a module of its own: an example of
 * a congestion-control algorithm loaded beside atcp.ko (Documentation/
 * congestion.rst walks through it).
 *
 *   insmod atcp_highspeed.ko
 *   setsockopt(fd, SOL_TCP, TCP_CONGESTION, "highspeed", 9);
 *   (or: sysctl net.atcp.congestion_control=highspeed)
 *
 * Below Low_Window = 38 segments it is Reno.  Above, each window w grows
 * by a(w) segments per round trip and a loss cuts it by the fraction b(w)
 * (RFC 3649 §5), so that a large window recovers in far fewer round trips.
 */
#include <linux/module.h>

#include "atcp_cong.h"

/*
 * RFC 3649 §5 with its parameters Low_Window = 38, High_Window = 83000,
 * High_Decrease = 0.1:
 *   b(w) = (0.1 - 0.5) (log w - log 38) / (log 83000 - log 38) + 0.5
 *   a(w) = w^2 p(w) 2 b(w) / (2 - b(w)),  p(w) = 0.078 / w^1.2
 * One row per integer value of a(w) (rounded): from window w on, the
 * increase a(w) segments per round trip, the decrease b(w) in 1/256.
 */
struct hs_row {
	u32 w;		/* from this cwnd (segments) */
	u8 a;		/* a(w): segments added per round trip */
	u8 b;		/* b(w) * 256: the fraction of cwnd a loss takes */
};

static const struct hs_row hs_table[] = {
	{    38,  1, 128 }, {    76,  2, 119 }, {   166,  3, 108 },
	{   281,  4, 101 }, {   418,  5,  96 }, {   576,  6,  92 },
	{   753,  7,  88 }, {   950,  8,  85 }, {  1167,  9,  82 },
	{  1402, 10,  80 }, {  1656, 11,  78 }, {  1930, 12,  76 },
	{  2222, 13,  74 }, {  2533, 14,  72 }, {  2863, 15,  70 },
	{  3213, 16,  69 }, {  3582, 17,  67 }, {  3971, 18,  66 },
	{  4380, 19,  65 }, {  4809, 20,  64 }, {  5260, 21,  62 },
	{  5731, 22,  61 }, {  6224, 23,  60 }, {  6739, 24,  59 },
	{  7276, 25,  58 }, {  7837, 26,  57 }, {  8421, 27,  56 },
	{  9029, 28,  55 }, {  9661, 29,  54 }, { 10319, 30,  53 },
	{ 11003, 31,  53 }, { 11714, 32,  52 }, { 12452, 33,  51 },
	{ 13219, 34,  50 }, { 14015, 35,  49 }, { 14841, 36,  49 },
	{ 15698, 37,  48 }, { 16587, 38,  47 }, { 17510, 39,  46 },
	{ 18467, 40,  46 }, { 19460, 41,  45 }, { 20491, 42,  44 },
	{ 21560, 43,  44 }, { 22670, 44,  43 }, { 23821, 45,  42 },
	{ 25017, 46,  42 }, { 26258, 47,  41 }, { 27548, 48,  40 },
	{ 28888, 49,  40 }, { 30281, 50,  39 }, { 31730, 51,  38 },
	{ 33238, 52,  38 }, { 34808, 53,  37 }, { 36445, 54,  37 },
	{ 38151, 55,  36 }, { 39932, 56,  35 }, { 41794, 57,  35 },
	{ 43740, 58,  34 }, { 45779, 59,  34 }, { 47918, 60,  33 },
	{ 50164, 61,  32 }, { 52527, 62,  32 }, { 55020, 63,  31 },
	{ 57654, 64,  30 }, { 60445, 65,  30 }, { 63413, 66,  29 },
	{ 66579, 67,  29 }, { 69972, 68,  28 }, { 73628, 69,  27 },
	{ 77590, 70,  26 }, { 81921, 71,  26 },
};

/* The socket's private state: where in the table its cwnd is. */
struct hs_state {
	u32 row;	/* hs_table[row].w <= cwnd < hs_table[row + 1].w */
};

/* Move to the row of the current cwnd (it changes by a little at a time). */
static const struct hs_row *hs_lookup(struct sock *sk)
{
	struct hs_state *hs = atcp_ca(sk);
	u32 cwnd = atcp_sk(sk)->snd_cwnd;

	while (hs->row + 1 < ARRAY_SIZE(hs_table) &&
	       cwnd >= hs_table[hs->row + 1].w)
		hs->row++;
	while (hs->row > 0 && cwnd < hs_table[hs->row].w)
		hs->row--;
	return &hs_table[hs->row];
}

static void hs_init(struct sock *sk)
{
	struct hs_state *hs = atcp_ca(sk);

	BUILD_BUG_ON(sizeof(struct hs_state) > ATCP_CA_PRIV_SIZE);
	hs->row = 0;
}

/* Per ACK of acked segments, when cwnd limited what was sent (RFC 7661). */
static void hs_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct hs_row *r;

	/* slow start as RFC 5681, by segments acked (RFC 3465) */
	if (atcp_in_slow_start(as)) {
		acked = atcp_slow_start(as, acked);
		if (!acked)
			return;
	}
	if (as->snd_cwnd < hs_table[0].w) {
		atcp_reno_cong_avoid(sk, ack, acked);	/* Reno below 38 */
		return;
	}
	/* cwnd += a(w) / cwnd per segment acked: a(w) per round trip */
	r = hs_lookup(sk);
	as->snd_cwnd_cnt += acked * r->a;
	while (as->snd_cwnd_cnt >= as->snd_cwnd) {
		as->snd_cwnd_cnt -= as->snd_cwnd;
		as->snd_cwnd++;
	}
}

/* A loss: cwnd becomes (1 - b(w)) cwnd (RFC 3649 §5). */
static u32 hs_ssthresh(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	const struct hs_row *r;

	if (as->snd_cwnd < hs_table[0].w)
		return atcp_reno_ssthresh(sk);
	r = hs_lookup(sk);
	return max(as->snd_cwnd - ((as->snd_cwnd * r->b) >> 8), 2U);
}

static struct atcp_congestion_ops atcp_highspeed = {
	.init		= hs_init,
	.ssthresh	= hs_ssthresh,
	.cong_avoid	= hs_cong_avoid,
	.undo_cwnd	= atcp_reno_undo_cwnd,
	.name		= "highspeed",
	.owner		= THIS_MODULE,
};

static int __init hs_register(void)
{
	return atcp_register_congestion_control(&atcp_highspeed);
}

static void __exit hs_unregister(void)
{
	atcp_unregister_congestion_control(&atcp_highspeed);
}

module_init(hs_register);
module_exit(hs_unregister);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The atcp developers");
MODULE_DESCRIPTION("atcp: HighSpeed TCP congestion control (RFC 3649)");
MODULE_ALIAS("atcp-cc-highspeed");
