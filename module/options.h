/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atcp options (RFC 9293 §3.1, §3.2, RFC 7323, RFC 2018): what a parsed
 * option list holds, and the parser and writers of options.c.  No kernel
 * dependencies: options.c also builds in user space, where tools/fuzz
 * fuzzes the parser.
 */
#ifndef _ATCP_OPTIONS_H
#define _ATCP_OPTIONS_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#endif
/* In user space the includer provides bool, u8, u16, u32 and EINVAL. */

#define ATCP_OPT_EOL		0
#define ATCP_OPT_NOP		1
#define ATCP_OPT_MSS		2	/* RFC 9293 §3.2 */
#define ATCP_OPT_WSCALE		3	/* RFC 7323 §2 */
#define ATCP_OPT_SACK_PERM	4	/* RFC 2018 §2 */
#define ATCP_OPT_SACK		5	/* RFC 2018 §3 */
#define ATCP_OPT_TS		8	/* RFC 7323 §3 */
#define ATCP_OPT_FASTOPEN	34	/* RFC 7413 §4.1.1 */
#define ATCP_OPT_EXP		254	/* RFC 6994: Linux's first TFO option */

#define ATCP_OLEN_MSS		4
#define ATCP_OLEN_WSCALE	3
#define ATCP_OLEN_SACK_PERM	2
#define ATCP_OLEN_TS		10
#define ATCP_OLEN_SACK_BASE	2
#define ATCP_OLEN_SACK_BLOCK	8
#define ATCP_OLEN_FASTOPEN_BASE	2	/* kind, length */
#define ATCP_OLEN_EXP_FASTOPEN_BASE 4	/* kind, length, 16-bit magic */
#define ATCP_FASTOPEN_MAGIC	0xF989	/* the ExID of TFO in option 254 */
#define ATCP_FASTOPEN_COOKIE_MIN 4	/* RFC 7413 §4.1.1: 4 to 16 octets */
#define ATCP_FASTOPEN_COOKIE_MAX 16
#define ATCP_FASTOPEN_COOKIE_SIZE 8	/* what atcp's servers give, as Linux */

#define ATCP_MAX_WSCALE		14	/* RFC 7323 §2.3 */
#define ATCP_MAX_SACKS		4	/* blocks in one option (40 octets) */

/* A SACK block as it came: left and right edge (RFC 2018 §3). */
struct atcp_sack_block {
	u32 start;
	u32 end;
};

/*
 * A TFO option (RFC 7413 §4.1.1): absent, a cookie request (len 0) or a
 * cookie of 4 to 16 octets, in option 34 or in Linux's experimental 254.
 */
struct atcp_fastopen_cookie {
	bool present;
	bool exp;		/* option 254 with the magic 0xF989 */
	u8 len;
	u8 val[ATCP_FASTOPEN_COOKIE_MAX];
};

struct atcp_opts {
	u16 mss;		/* MSS option value, 0 if absent */
	bool mss_seen;
	bool wscale_seen;
	u8 wscale;		/* shift as sent (not yet capped at 14) */
	bool sack_perm;		/* SACK-permitted seen */
	bool ts_seen;
	u32 tsval;		/* TSval, TSecr (RFC 7323 §3.2) */
	u32 tsecr;
	u8 num_sacks;		/* SACK blocks, in the order sent */
	struct atcp_sack_block sacks[ATCP_MAX_SACKS];
	struct atcp_fastopen_cookie fo;	/* TFO option (RFC 7413) */
};

/* What a SYN or SYN,ACK offers (written by atcp_write_syn_options()). */
struct atcp_syn_opts {
	u16 mss;
	bool wscale_ok;
	u8 wscale;
	bool sack_ok;
	bool ts_ok;
	u32 tsval;
	u32 tsecr;
	bool ecn;	/* SYN,ACK: ECE (RFC 3168 §6.1.1); not an option */
	struct atcp_fastopen_cookie fo;	/* TFO option, RFC 7413 §4.1.1 */
};

int atcp_parse_options(const u8 *opt, int len, struct atcp_opts *o);
int atcp_write_syn_options(u8 *p, const struct atcp_syn_opts *o);
int atcp_write_options(u8 *p, bool ts, u32 tsval, u32 tsecr,
		       const struct atcp_sack_block *sacks, int num_sacks);
int atcp_options_len(bool ts, int num_sacks);

#endif /* _ATCP_OPTIONS_H */
