// SPDX-License-Identifier: GPL-2.0
/*
 * atcp_xlate: a tc BPF protocol translator, so that an atcp host talks to
 * an unmodified Linux TCP host.  On the atcp host's device:
 *
 *	egress  (section xlate_out): IPv4 protocol 253 -> 6
 *	ingress (section xlate_in):  IPv4 protocol 6 -> 253
 *
 * atcp's segments are TCP segments (RFC 9293 §3.1); only the IP protocol
 * field and the checksums that cover it change: the IP header checksum,
 * and the transport checksum by the pseudo-header's protocol word (an
 * incremental update with BPF_F_PSEUDO_HDR, right for every ip_summed
 * state, CHECKSUM_PARTIAL included).  Non-first fragments carry no
 * transport header: only their IP header changes.  ICMP errors that quote
 * a translated packet are not rewritten.
 *
 * Built with clang -target bpf (make tools); loaded by tools/atcp-xlate.
 * Every IPv4 TCP packet on the device is taken for atcp: give the atcp
 * host a device (or a namespace) of its own.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>

#define SEC(name) __attribute__((section(name), used))

static long (*skb_load_bytes)(const void *skb, __u32 off, void *to,
			      __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*skb_store_bytes)(void *skb, __u32 off, const void *from,
			       __u32 len, __u64 flags) =
	(void *)BPF_FUNC_skb_store_bytes;
static long (*l3_csum_replace)(void *skb, __u32 off, __u64 from, __u64 to,
			       __u64 size) = (void *)BPF_FUNC_l3_csum_replace;
static long (*l4_csum_replace)(void *skb, __u32 off, __u64 from, __u64 to,
			       __u64 flags) = (void *)BPF_FUNC_l4_csum_replace;

#define ATCP_PROTO	253
#define TCP_CSUM_OFF	16	/* the checksum's offset in the TCP header */

static __u16 be16(__u16 v)
{
	return __builtin_bswap16(v);
}

static __attribute__((always_inline)) int xlate(struct __sk_buff *skb, __u8 from, __u8 to)
{
	struct iphdr iph;
	__u16 oldw, neww;
	__u32 l4;

	if (skb->protocol != be16(ETH_P_IP))
		return TC_ACT_OK;
	if (skb_load_bytes(skb, ETH_HLEN, &iph, sizeof(iph)) ||
	    iph.version != 4 || iph.protocol != from)
		return TC_ACT_OK;
	l4 = ETH_HLEN + iph.ihl * 4;
	/* the transport checksum: only the first fragment has the header */
	if (!(be16(iph.frag_off) & 0x1fff) &&
	    l4_csum_replace(skb, l4 + TCP_CSUM_OFF, be16(from), be16(to),
			    BPF_F_PSEUDO_HDR | sizeof(__u16)))
		return TC_ACT_SHOT;
	/* the IP header checksum: the 16-bit word of TTL and protocol */
	oldw = be16((__u16)iph.ttl << 8 | from);
	neww = be16((__u16)iph.ttl << 8 | to);
	if (l3_csum_replace(skb, ETH_HLEN + 10, oldw, neww, sizeof(__u16)) ||
	    skb_store_bytes(skb, ETH_HLEN + 9, &to, 1, 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("xlate_out")
int atcp_xlate_out(struct __sk_buff *skb)
{
	return xlate(skb, ATCP_PROTO, IPPROTO_TCP);
}

SEC("xlate_in")
int atcp_xlate_in(struct __sk_buff *skb)
{
	return xlate(skb, IPPROTO_TCP, ATCP_PROTO);
}

char _license[] SEC("license") = "GPL";
