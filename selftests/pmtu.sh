#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Path MTU discovery (RFC 1191) through a real router, for Linux TCP
# (protocol 6) and atcp (protocol 253):
#
#   A 10.54.1.1 --veth (1500)-- 10.54.1.2 R 10.54.2.1 --veth (1500)-- 10.54.2.2 B
#
# R forwards, and its route to B's subnet has MTU 1280 (the far link of a
# path).  Both ends announce MSS 1460, so A starts with 1460-octet
# segments; R cannot forward them (DF) and answers ICMP "fragmentation
# needed", MTU 1280; A must lower its MSS and send everything again in
# segments that fit.  The transfer (A -> B, SHA-256 checked by the xfer
# helper) must complete with TCP_INFO tcpi_pmtu 1280 and tcpi_snd_mss at
# most 1240, having started above 1240.
#
#   pmtu.sh [-v tcp|atcp]
#
# timeout: 600
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
XFER=$PWD/build/selftests-helpers/xfer
MB=$((1024 * 1024))
BYTES=$((8 * MB))
# the debug kernel (ATCP_REDUCED=1): less data, atcp only
variants="tcp atcp"
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	BYTES=$((1 * MB))
	variants=atcp
fi
[ "${1:-}" = -v ] && variants=$2

tmp=$(mktemp -d)
ns_a=atcp-pmtu-$$-a
ns_r=atcp-pmtu-$$-r
ns_b=atcp-pmtu-$$-b
lpid=""

cleanup()
{
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	netns_del "$ns_a" "$ns_r" "$ns_b"
	rm -rf "$tmp"
}
trap cleanup EXIT

make_path()
{
	local n

	for n in "$ns_a" "$ns_r" "$ns_b"; do
		ip netns del "$n" 2>/dev/null
		ip netns add "$n" && ip -n "$n" link set lo up || return 1
	done
	ip -n "$ns_a" link add name ar0 type veth peer name ra0 netns "$ns_r" &&
	ip -n "$ns_r" link add name rb0 type veth peer name br0 netns "$ns_b" &&
	ip -n "$ns_a" addr add 10.54.1.1/24 dev ar0 &&
	ip -n "$ns_r" addr add 10.54.1.2/24 dev ra0 &&
	ip -n "$ns_r" addr add 10.54.2.1/24 dev rb0 &&
	ip -n "$ns_b" addr add 10.54.2.2/24 dev br0 &&
	ip -n "$ns_a" link set ar0 up && ip -n "$ns_r" link set ra0 up &&
	ip -n "$ns_r" link set rb0 up && ip -n "$ns_b" link set br0 up &&
	ip -n "$ns_r" route replace 10.54.2.0/24 dev rb0 mtu 1280 &&
	ip -n "$ns_a" route add default via 10.54.1.2 &&
	ip -n "$ns_b" route add default via 10.54.2.1 &&
	ip netns exec "$ns_r" sysctl -qw net.ipv4.ip_forward=1
}

# One transfer of BYTES from A to B over protocol $1; 0 if all checks hold.
run_one()
{
	local proto=$1 rc_c rc_l ok=0 mss0 mss pmtu

	make_path || { echo "# cannot build the path"; return 1; }
	rm -f "$tmp"/* || return 1
	if ! start_listener "$tmp/ready" ip netns exec "$ns_b" "$XFER" \
		--proto "$proto" --listen 10.54.2.2:0 --ready "$tmp/ready" \
		--bytes 0 --seed 1 >"$tmp/l.out" 2>"$tmp/l.err"; then
		echo "# listener failed: $(cat "$tmp/l.err")"
		return 1
	fi
	ip netns exec "$ns_a" "$XFER" --proto "$proto" --timeout 60 \
		--connect "10.54.2.2:$port" --bytes "$BYTES" --seed 2 \
		>"$tmp/c.out" 2>"$tmp/c.err"
	rc_c=$?
	[ "$rc_c" = 0 ] || kill "$lpid" 2>/dev/null
	wait "$lpid"
	rc_l=$?
	lpid=""
	[ "$rc_l" = 0 ] || { echo "# listener: exit $rc_l: $(cat "$tmp/l.err")"; ok=1; }
	[ "$rc_c" = 0 ] || { echo "# connector: exit $rc_c: $(cat "$tmp/c.err")"; ok=1; }
	[ "$ok" = 0 ] || return 1
	if [ "$(field "$tmp/l.out" recv_bytes)" != "$BYTES" ] ||
	   [ "$(field "$tmp/l.out" recv_sha256)" != "$(field "$tmp/c.out" sent_sha256)" ]; then
		echo "# B received $(field "$tmp/l.out" recv_bytes) bytes," \
			"sha256 $(field "$tmp/l.out" recv_sha256); A sent $BYTES," \
			"sha256 $(field "$tmp/c.out" sent_sha256)"
		ok=1
	fi
	mss0=$(field "$tmp/c.out" snd_mss_start)
	mss=$(field "$tmp/c.out" snd_mss)
	pmtu=$(field "$tmp/c.out" pmtu)
	echo "# A: tcpi_snd_mss $mss0 at the start, $mss at the end;" \
		"tcpi_pmtu $pmtu; $(field "$tmp/c.out" seconds) s"
	[ "${mss0:-0}" -gt 1240 ] || { echo "# the MSS started at ${mss0:-?}, not above 1240"; ok=1; }
	[ "${mss:-9999}" -le 1240 ] || { echo "# tcpi_snd_mss ${mss:-?} > 1240"; ok=1; }
	[ "${pmtu:-0}" = 1280 ] || { echo "# tcpi_pmtu ${pmtu:-?}, expected 1280"; ok=1; }
	ip netns exec "$ns_r" nstat -az IcmpOutDestUnreachs 2>/dev/null |
		sed -n 's/^\(IcmpOutDestUnreachs *[0-9]*\).*/# R: \1/p'
	return $ok
}

run_variants pmtu run_one $variants
