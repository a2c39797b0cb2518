#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Receive offload (GRO) of atcp's segments (module/offload.c), against
# Linux TCP's in the same setting.  Namespace A sends to namespace B over
# veth (10.54.0.1 - 10.54.0.2).  A's end has TSO off and no segmentation
# offload for SKB_GSO_SCTP, atcp's GSO type (tx-sctp-segmentation off):
# both stacks still build GSO skbs (software GSO is on), which the stack
# cuts into segments just before veth, so every segment crosses the pair
# as a packet of its own, in bursts.  B's end has GRO on (`ethtool -K veth1
# gro on`: veth then receives through NAPI, which merges).  One connection,
# A sends, B receives; a packet socket on veth1 sees the skbs after GRO, as
# the stack receives them.
#
#   tcp          Linux TCP: SHA-256 of the transfer; merged skbs (longer
#                than the MTU) seen on veth1 (GRO works in this setting)
#   atcp         the same for atcp, and its counters GROPackets and
#                GROSegments (/proc/net/atcp_snmp in B) moved, with more
#                segments than skbs
#   atcp_reorder atcp with GSO off on A's end and atcp's module parameter
#                gso=1 (no GSO skbs for a device without GSO: a segment a
#                packet from the sender, as netem must see them) and
#                netem there (1 ms delay, 25 % of the packets sent at
#                once, out of order, and 1 % lost): GRO
#                merges only contiguous segments, the data arrives intact
#                (a quarter of the size: the losses make it slow)
#   atcp_off     module parameter gro=0: SHA-256 checked, no atcp skb
#                longer than the MTU on veth1, the counters unchanged
#
# 16 MB per transfer (2 MB with ATCP_REDUCED=1, which runs atcp and
# atcp_off only).
#
#   gro.sh [-t CASE]
#
# timeout: 600
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
XFER=$PWD/build/selftests-helpers/xfer
PARAM=/sys/module/atcp/parameters/gro
GSO_PARAM=/sys/module/atcp/parameters/gso
gso_was=$(cat "$GSO_PARAM" 2>/dev/null)
MB=$((1024 * 1024))
SW_GSO="tso off tx-sctp-segmentation off"
SIZE=$((16 * MB))
cases="tcp atcp atcp_reorder atcp_off"
# ATCP_REDUCED=1 (the debug kernel, where each case costs minutes): 2 MB,
# atcp's merging and its switch only.
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	SIZE=$((2 * MB))
	cases="atcp atcp_off"
fi
only=$(only_case "$@")
sel=()
for c in $cases; do
	[ -z "$only" ] || [ "$only" = "$c" ] && sel+=("$c")
done

tmp=$(mktemp -d)
ns_a=atcp-gro-$$-a
ns_b=atcp-gro-$$-b
gro0=$(cat "$PARAM" 2>/dev/null)
pids=()

cleanup()
{
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	[ -n "$gro0" ] && echo "$gro0" >"$PARAM"
	netns_del "$ns_a" "$ns_b"
	rm -rf "$tmp"
}
trap cleanup EXIT

# The packet tap on veth1: counts the IPv4 packets of protocol $1 that
# arrive there and those longer than the MTU (merged by GRO), until
# SIGTERM; prints "packets N" and "merged N".
tap_script='
import signal, socket, sys
proto, ready = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind(("veth1", 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
n = merged = 0
def done(*_):
    print("packets %d\nmerged %d" % (n, merged), flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
open(ready, "w").close()
buf = bytearray(64)
while True:
    # MSG_TRUNC: the length of the whole packet, its first 64 bytes read
    size, addr = s.recvfrom_into(buf, 64, socket.MSG_TRUNC)
    if addr[2] == socket.PACKET_OUTGOING or buf[14 + 9] != proto:
        continue
    n += 1
    if size - 14 > 1500:
        merged += 1
'

# make_pair FEATURES [NETEM-ARGS...]: the namespaces, veth0 with these
# features (ethtool -K) and the netem qdisc, veth1 with GRO on
make_pair()
{
	local features=$1

	shift
	netns_del "$ns_a" "$ns_b"
	# shellcheck disable=SC2086 # the features are words
	veth_pair "$ns_a" veth0 10.54.0.1/24 "$ns_b" veth1 10.54.0.2/24 &&
	ip netns exec "$ns_a" ethtool -K veth0 $features >/dev/null &&
	ip netns exec "$ns_b" ethtool -K veth1 gro on >/dev/null || return 1
	[ $# = 0 ] && return 0
	ip netns exec "$ns_a" tc qdisc add dev veth0 root netem "$@"
}

# transfer PROTO: $size bytes from A to B, with the tap on veth1 ($tmp/tap);
# 0 if both sides finished and the digests match.
transfer()
{
	local proto=$1 tpid rc=0 i

	rm -f "$tmp"/l.* "$tmp"/c.* "$tmp/tap" "$tmp/tap.ready"
	ip netns exec "$ns_b" python3 -c "$tap_script" "$proto" \
		"$tmp/tap.ready" >"$tmp/tap" &
	tpid=$!
	pids=("$tpid")
	for ((i = 0; i < 100; i++)); do
		[ -e "$tmp/tap.ready" ] && break
		sleep 0.2
	done
	start_listener "$tmp/ready" ip netns exec "$ns_b" "$XFER" \
		--proto "$proto" --listen 10.54.0.2:0 --ready "$tmp/ready" \
		--bytes 0 --seed 1 >"$tmp/l.out" 2>"$tmp/l.err" || rc=1
	pids+=("$lpid")
	[ "$rc" = 0 ] &&
	{ ip netns exec "$ns_a" "$XFER" --proto "$proto" \
		--connect "10.54.0.2:$port" --bytes "$size" --seed 2 \
		>"$tmp/c.out" 2>"$tmp/c.err" || rc=1; }
	[ "$rc" = 0 ] || kill "$lpid" 2>/dev/null
	wait "$lpid" || rc=1
	kill "$tpid"
	wait "$tpid"
	pids=()
	if [ "$rc" != 0 ]; then
		echo "# transfer failed: $(cat "$tmp/l.err" "$tmp/c.err")"
		return 1
	fi
	if [ "$(field "$tmp/l.out" recv_bytes)" != "$size" ] ||
	   [ "$(field "$tmp/l.out" recv_sha256)" != \
	     "$(field "$tmp/c.out" sent_sha256)" ]; then
		echo "# received $(field "$tmp/l.out" recv_bytes) bytes," \
			"sha256 $(field "$tmp/l.out" recv_sha256); sent $size," \
			"$(field "$tmp/c.out" sent_sha256)"
		return 1
	fi
	echo "# $((size / MB)) MB in $(field "$tmp/c.out" seconds) s;" \
		"veth1 took $(field "$tmp/tap" packets) packets," \
		"$(field "$tmp/tap" merged) of them merged"
}

# run_case CASE
run_case()
{
	local proto=6 want_merged=1 p0 s0 p1 s1

	size=$SIZE

	case $1 in
	tcp | atcp) make_pair "$SW_GSO" ;;
	atcp_reorder) make_pair "tso off gso off" \
		delay 1ms reorder 25% loss 1% limit 100000 &&
		echo 1 >"$GSO_PARAM"
		size=$((SIZE / 4)) ;;
	atcp_off) make_pair "$SW_GSO"; want_merged=0 ;;
	esac || { echo "# no veth pair"; return 1; }
	if [ "$1" != tcp ]; then
		proto=253
		echo "$want_merged" >"$PARAM" || return 1
		p0=$(atcp_snmp "$ns_b" GROPackets)
		s0=$(atcp_snmp "$ns_b" GROSegments)
	fi
	transfer "$proto" || return 1
	if [ "$want_merged" = 1 ] && [ "$(field "$tmp/tap" merged)" -lt 1 ]; then
		echo "# no skb longer than the MTU on veth1: nothing merged"
		return 1
	fi
	if [ "$want_merged" = 0 ] && [ "$(field "$tmp/tap" merged)" != 0 ]; then
		echo "# GRO is off, yet merged skbs arrived"
		return 1
	fi
	[ "$proto" = 6 ] && return 0
	p1=$(atcp_snmp "$ns_b" GROPackets)
	s1=$(atcp_snmp "$ns_b" GROSegments)
	echo "# GROPackets $p0 -> $p1, GROSegments $s0 -> $s1"
	if [ "$want_merged" = 0 ]; then
		[ "$p1" = "$p0" ] && [ "$s1" = "$s0" ] && return 0
		echo "# GRO counters moved with gro=0"
		return 1
	fi
	# every merged skb holds two segments at least
	[ "$p1" -gt "$p0" ] && [ $((s1 - s0)) -ge $((2 * (p1 - p0))) ] &&
		return 0
	echo "# the GRO counters did not move as they should"
	return 1
}

tap_plan "${sel[@]}"
for c in "${sel[@]}"; do
	start=$(date +%s)
	if [ ! -x "$XFER" ] || [ ! -w "$PARAM" ]; then
		echo "# $XFER or $PARAM missing"
		rc=1
	else
		run_case "$c"
		rc=$?
		echo "$gso_was" >"$GSO_PARAM"
	fi
	echo "# $c: $(($(date +%s) - start)) s"
	tap "$rc" "gro.$c"
done
tap_done
