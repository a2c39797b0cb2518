// SPDX-License-Identifier: GPL-2.0
/*
 * atcp options (RFC 9293 §3.1, §3.2): parsing, defensively, and writing.
 * A malformed option list (a length below 2 or past the header) makes the
 * segment's options invalid; parsing never reads past the header.  No
 * kernel dependencies (options.h): tools/fuzz fuzzes it in user space.
 */
#include "options.h"

#define OPT_EOL	0
#define OPT_NOP	1
#define OPT_MSS	2

/* Returns 0, or -EINVAL for a malformed option list (RFC 9293 §3.1). */
int atcp_parse_options(const u8 *opt, int len, struct atcp_opts *o)
{
	int i = 0, olen;

	o->mss = 0;
	o->mss_seen = false;
	while (i < len) {
		switch (opt[i]) {
		case OPT_EOL:
			return 0;
		case OPT_NOP:
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;		/* kind without length */
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			return -EINVAL;		/* RFC 9293 §3.1: bad length */
		if (opt[i] == OPT_MSS) {
			/* RFC 9293 §3.2: MSS, length 4, only on SYNs */
			if (olen != 4)
				return -EINVAL;
			o->mss = (opt[i + 2] << 8) | opt[i + 3];
			o->mss_seen = true;
		}
		/* Unknown options are skipped by their length (§3.2). */
		i += olen;
	}
	return 0;
}

/* The options of a SYN or SYN,ACK: MSS (RFC 9293 §3.7.1). */
int atcp_write_syn_options(u8 *p, u16 mss)
{
	p[0] = OPT_MSS;
	p[1] = 4;
	p[2] = mss >> 8;
	p[3] = mss & 0xff;
	return 4;
}
