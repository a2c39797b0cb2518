// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for atcp_parse_options() (module/options.c), built in
 * user space with ASan and UBSan.  The input is an option list of any
 * length; the parser must never read past it (ASan: libFuzzer's buffer is
 * exactly the input's size) and must agree with a reference written from
 * RFC 9293 §3.1-§3.2:
 *   - End of Option List (0) ends the list; No-Operation (1) is one octet;
 *   - any other kind has a length octet, at least 2 and not past the list,
 *     else the list is malformed (-EINVAL);
 *   - MSS (2) has length 4, else malformed; the last one counts.
 * A SYN's options as written by atcp_write_syn_options() parse back to the
 * same MSS.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

struct ref {
	int rc;
	unsigned int mss;
	bool mss_seen;
};

/* The reference: a walk over the list by pointers, not indices. */
static struct ref ref_parse(const u8 *p, const u8 *end)
{
	struct ref r = { 0, 0, false };

	while (p < end && *p != 0) {
		if (*p == 1) {
			p++;
			continue;
		}
		if (end - p < 2 || p[1] < 2 || p[1] > end - p) {
			r.rc = -EINVAL;
			return r;
		}
		if (*p == 2) {
			if (p[1] != 4) {
				r.rc = -EINVAL;
				return r;
			}
			r.mss = p[2] * 256u + p[3];
			r.mss_seen = true;
		}
		p += p[1];
	}
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct atcp_opts o;
	struct ref r;
	u8 syn[4];
	int rc;

	/* At most 40 octets fit the header; the parser takes any length. */
	if (size > 4096)
		return 0;
	memset(&o, 0xa5, sizeof(o));
	rc = atcp_parse_options(data, (int)size, &o);
	r = ref_parse(data, data + size);
	if (rc != r.rc)
		abort();
	if (rc == 0 && (o.mss_seen != r.mss_seen || o.mss != r.mss))
		abort();
	if (rc == 0 && !o.mss_seen && o.mss != 0)
		abort();

	/* Round trip: the first two octets as an MSS. */
	if (size >= 2) {
		u16 mss = data[0] << 8 | data[1];

		struct atcp_syn_opts so = { .mss = mss };

		if (atcp_write_syn_options(syn, &so) != 4)
			abort();
		if (atcp_parse_options(syn, 4, &o) || !o.mss_seen ||
		    o.mss != mss)
			abort();
	}
	return 0;
}
