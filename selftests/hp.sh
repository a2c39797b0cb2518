#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Header prediction (module/input.c, atcp_rcv_established_fast()): a bulk
# transfer over loopback (in its own namespace) and back, SHA-256 checked.
#
#   on    module parameter header_prediction=1: the data segments and the
#         ACKs advancing SND.UNA take the fast path (TCPHPHits and
#         TCPHPAcks in /proc/net/atcp_snmp move)
#   off   header_prediction=0: the same transfer, the counters unchanged
#
# That every reply is the full steps' is what the pkt scenarios and the
# state matrix check (they run with the fast path on).  Linux TCP has no
# such switch: atcp only.  8 MB each way (2 MB with ATCP_REDUCED=1).
#
#   hp.sh [-t CASE]
#
# timeout: 300
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
XFER=$PWD/build/selftests-helpers/xfer
PARAM=/sys/module/atcp/parameters/header_prediction
MB=$((1024 * 1024))
SIZE=$((8 * MB))
[ "${ATCP_REDUCED:-0}" = 1 ] && SIZE=$((2 * MB))
only=$(only_case "$@")
sel=()
for c in on off; do
	[ -z "$only" ] || [ "$only" = "$c" ] && sel+=("$c")
done

tmp=$(mktemp -d)
ns=atcp-hp-$$
hp0=$(cat "$PARAM" 2>/dev/null)
lpid=""

cleanup()
{
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	[ -n "$hp0" ] && echo "$hp0" >"$PARAM"
	netns_del "$ns"
	rm -rf "$tmp"
}
trap cleanup EXIT

# transfer: SIZE bytes each way over 127.0.0.1 in $ns, digests compared
transfer()
{
	local rc=0

	start_listener "$tmp/ready" ip netns exec "$ns" "$XFER" --proto 253 \
		--listen 127.0.0.1:0 --ready "$tmp/ready" --bytes "$SIZE" \
		--seed 1 >"$tmp/l.out" 2>"$tmp/l.err" || rc=1
	[ "$rc" = 0 ] &&
	{ ip netns exec "$ns" "$XFER" --proto 253 --connect "127.0.0.1:$port" \
		--bytes "$SIZE" --seed 2 >"$tmp/c.out" 2>"$tmp/c.err" || rc=1; }
	[ "$rc" = 0 ] || kill "$lpid" 2>/dev/null
	wait "$lpid" || rc=1
	lpid=""
	if [ "$rc" != 0 ]; then
		echo "# transfer failed: $(cat "$tmp/l.err" "$tmp/c.err")"
		return 1
	fi
	same "$tmp/l.out" "$tmp/c.out" && same "$tmp/c.out" "$tmp/l.out"
}

# same RECEIVER SENDER: the receiver got SIZE bytes, the sender's digest
same()
{
	[ "$(field "$1" recv_bytes)" = "$SIZE" ] &&
	[ "$(field "$1" recv_sha256)" = "$(field "$2" sent_sha256)" ] &&
		return 0
	echo "# $1: $(field "$1" recv_bytes) bytes received, not what was sent"
	return 1
}

run_case()
{
	local on=1 h0 a0 h1 a1

	[ "$1" = off ] && on=0
	netns_del "$ns"
	ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
	echo "$on" >"$PARAM" || return 1
	h0=$(atcp_snmp "$ns" TCPHPHits)
	a0=$(atcp_snmp "$ns" TCPHPAcks)
	transfer || return 1
	h1=$(atcp_snmp "$ns" TCPHPHits)
	a1=$(atcp_snmp "$ns" TCPHPAcks)
	echo "# TCPHPHits $h0 -> $h1, TCPHPAcks $a0 -> $a1," \
		"InSegs $(atcp_snmp "$ns" InSegs)"
	if [ "$on" = 1 ]; then
		[ "$h1" -gt "$h0" ] && [ "$a1" -gt "$a0" ] && return 0
		echo "# the fast path was not taken"
		return 1
	fi
	[ "$h1" = "$h0" ] && [ "$a1" = "$a0" ] && return 0
	echo "# the fast path ran with header_prediction=0"
	return 1
}

tap_plan "${sel[@]}"
for c in "${sel[@]}"; do
	if [ ! -x "$XFER" ] || [ ! -w "$PARAM" ]; then
		echo "# $XFER or $PARAM missing"
		rc=1
	else
		run_case "$c"
		rc=$?
	fi
	tap "$rc" "hp.$c"
done
tap_done
