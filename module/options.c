// SPDX-License-Identifier: GPL-2.0
/*
 * atcp options (RFC 9293 §3.1, §3.2): parsing, defensively, and writing.
 * A malformed option list (a length below 2 or past the header) makes the
 * segment's options invalid; parsing never reads past the header.  No
 * kernel dependencies (options.h): tools/fuzz fuzzes it in user space.
 */
#include "options.h"

static u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static u8 *put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return p + 4;
}

/*
 * RFC 7413 §4.1.1: a cookie request (no cookie) or a cookie of 4 to 16
 * octets; an odd or other length is no TFO option at all (as Linux).
 * Whether the segment is a SYN is the caller's concern.
 */
static void atcp_parse_fastopen(const u8 *p, int n, bool exp,
				struct atcp_opts *o)
{
	int i;

	if (n & 1 || (n && (n < ATCP_FASTOPEN_COOKIE_MIN ||
			    n > ATCP_FASTOPEN_COOKIE_MAX)))
		return;
	o->fo.present = true;
	o->fo.exp = exp;
	o->fo.len = n;
	for (i = 0; i < n; i++)
		o->fo.val[i] = p[i];
}

/*
 * Returns 0, or -EINVAL for a malformed option list (RFC 9293 §3.1) or an
 * MSS option whose length is not 4.  A window scale, SACK-permitted,
 * timestamps or SACK option of a wrong length is ignored, as Linux does;
 * which segments may carry which option is the caller's concern.
 */
int atcp_parse_options(const u8 *opt, int len, struct atcp_opts *o)
{
	int i = 0, olen, n;

	o->mss = 0;
	o->mss_seen = false;
	o->wscale_seen = false;
	o->wscale = 0;
	o->sack_perm = false;
	o->ts_seen = false;
	o->tsval = 0;
	o->tsecr = 0;
	o->num_sacks = 0;
	o->fo.present = false;
	while (i < len) {
		switch (opt[i]) {
		case ATCP_OPT_EOL:
			return 0;
		case ATCP_OPT_NOP:
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;		/* kind without length */
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			return -EINVAL;		/* RFC 9293 §3.1: bad length */
		switch (opt[i]) {
		case ATCP_OPT_MSS:
			/* RFC 9293 §3.2: MSS, length 4 */
			if (olen != ATCP_OLEN_MSS)
				return -EINVAL;
			o->mss = (opt[i + 2] << 8) | opt[i + 3];
			o->mss_seen = true;
			break;
		case ATCP_OPT_WSCALE:
			if (olen == ATCP_OLEN_WSCALE) {
				o->wscale_seen = true;
				o->wscale = opt[i + 2];
			}
			break;
		case ATCP_OPT_SACK_PERM:
			if (olen == ATCP_OLEN_SACK_PERM)
				o->sack_perm = true;
			break;
		case ATCP_OPT_TS:
			if (olen == ATCP_OLEN_TS) {
				o->ts_seen = true;
				o->tsval = get_be32(opt + i + 2);
				o->tsecr = get_be32(opt + i + 6);
			}
			break;
		case ATCP_OPT_SACK:
			/* RFC 2018 §3: 2 + 8n octets, n from 1 to 4 */
			if (olen < ATCP_OLEN_SACK_BASE + ATCP_OLEN_SACK_BLOCK ||
			    (olen - ATCP_OLEN_SACK_BASE) % ATCP_OLEN_SACK_BLOCK)
				break;
			/* more than four blocks need more than the 40
			 * octets of a header: only the parser's callers in
			 * user space (tools/fuzz) can give them
			 */
			o->num_sacks = 0;
			for (n = 0; n < (olen - 2) / 8 && n < ATCP_MAX_SACKS;
			     n++) {
				const u8 *b = opt + i + 2 + 8 * n;

				o->sacks[n].start = get_be32(b);
				o->sacks[n].end = get_be32(b + 4);
				o->num_sacks++;
			}
			break;
		case ATCP_OPT_FASTOPEN:
			atcp_parse_fastopen(opt + i + 2, olen - 2, false, o);
			break;
		case ATCP_OPT_EXP:
			if (olen >= ATCP_OLEN_EXP_FASTOPEN_BASE &&
			    ((opt[i + 2] << 8) | opt[i + 3]) == ATCP_FASTOPEN_MAGIC)
				atcp_parse_fastopen(opt + i + 4, olen - 4, true, o);
			break;
		}
		/* Unknown options are skipped by their length (§3.2). */
		i += olen;
	}
	return 0;
}

/*
 * The options of a SYN or SYN,ACK, laid out as Linux lays them out (so
 * captures of both stacks compare): MSS; SACK-permitted and timestamps
 * (or NOP,NOP before either alone); NOP and window scale; a TFO option
 * last (RFC 7413).  At most 40.
 */
int atcp_write_syn_options(u8 *p, const struct atcp_syn_opts *o)
{
	u8 *s = p;

	*p++ = ATCP_OPT_MSS;
	*p++ = ATCP_OLEN_MSS;
	*p++ = o->mss >> 8;
	*p++ = o->mss & 0xff;
	if (o->ts_ok) {
		if (o->sack_ok) {
			*p++ = ATCP_OPT_SACK_PERM;
			*p++ = ATCP_OLEN_SACK_PERM;
		} else {
			*p++ = ATCP_OPT_NOP;
			*p++ = ATCP_OPT_NOP;
		}
		*p++ = ATCP_OPT_TS;
		*p++ = ATCP_OLEN_TS;
		p = put_be32(p, o->tsval);
		p = put_be32(p, o->tsecr);
	} else if (o->sack_ok) {
		*p++ = ATCP_OPT_NOP;
		*p++ = ATCP_OPT_NOP;
		*p++ = ATCP_OPT_SACK_PERM;
		*p++ = ATCP_OLEN_SACK_PERM;
	}
	if (o->wscale_ok) {
		*p++ = ATCP_OPT_NOP;
		*p++ = ATCP_OPT_WSCALE;
		*p++ = ATCP_OLEN_WSCALE;
		*p++ = o->wscale;
	}
	if (o->fo.present) {
		/* RFC 7413 §4.1.1, padded with NOPs as Linux pads it */
		int n = o->fo.len, olen, i;

		if (o->fo.exp) {
			olen = ATCP_OLEN_EXP_FASTOPEN_BASE + n;
			*p++ = ATCP_OPT_EXP;
			*p++ = olen;
			*p++ = ATCP_FASTOPEN_MAGIC >> 8;
			*p++ = ATCP_FASTOPEN_MAGIC & 0xff;
		} else {
			olen = ATCP_OLEN_FASTOPEN_BASE + n;
			*p++ = ATCP_OPT_FASTOPEN;
			*p++ = olen;
		}
		for (i = 0; i < n; i++)
			*p++ = o->fo.val[i];
		if ((olen & 3) == 2) {
			*p++ = ATCP_OPT_NOP;
			*p++ = ATCP_OPT_NOP;
		}
	}
	return p - s;
}

/* Octets the options of a synchronized segment take (a multiple of 4). */
int atcp_options_len(bool ts, int num_sacks)
{
	int len = ts ? 12 : 0;

	if (num_sacks > 0)
		len += 4 + ATCP_OLEN_SACK_BLOCK * num_sacks;
	return len;
}

/*
 * The options of a synchronized segment: NOP,NOP,timestamps; NOP,NOP,SACK
 * with up to four blocks (three beside timestamps: 40 octets in all).
 * The caller limits num_sacks so that they fit.
 */
int atcp_write_options(u8 *p, bool ts, u32 tsval, u32 tsecr,
		       const struct atcp_sack_block *sacks, int num_sacks)
{
	u8 *s = p;
	int n;

	if (ts) {
		*p++ = ATCP_OPT_NOP;
		*p++ = ATCP_OPT_NOP;
		*p++ = ATCP_OPT_TS;
		*p++ = ATCP_OLEN_TS;
		p = put_be32(p, tsval);
		p = put_be32(p, tsecr);
	}
	if (num_sacks > 0) {
		*p++ = ATCP_OPT_NOP;
		*p++ = ATCP_OPT_NOP;
		*p++ = ATCP_OPT_SACK;
		*p++ = ATCP_OLEN_SACK_BASE + ATCP_OLEN_SACK_BLOCK * num_sacks;
		for (n = 0; n < num_sacks; n++) {
			p = put_be32(p, sacks[n].start);
			p = put_be32(p, sacks[n].end);
		}
	}
	return p - s;
}
