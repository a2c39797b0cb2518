/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atcp options (RFC 9293 §3.1, §3.2): what a parsed option list holds, and
 * the parser and writer of options.c.  No kernel dependencies: options.c
 * also builds in user space, where tools/fuzz fuzzes the parser.
 */
#ifndef _ATCP_OPTIONS_H
#define _ATCP_OPTIONS_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#endif
/* In user space the includer provides bool, u8, u16 and EINVAL. */

struct atcp_opts {
	u16 mss;	/* MSS option value, 0 if absent */
	bool mss_seen;
};

int atcp_parse_options(const u8 *opt, int len, struct atcp_opts *o);
int atcp_write_syn_options(u8 *p, u16 mss);

#endif /* _ATCP_OPTIONS_H */
