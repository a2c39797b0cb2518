#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bulk data transfer, for Linux TCP (protocol 6) and atcp (protocol 253):
# every byte arrives, once, in order (RFC 9293 3.4 sequence numbers, 3.8.6
# flow control), checked by SHA-256 of what each side sent and received.
#
#   bidir_veth_100M        two network namespaces joined by veth
#                          (10.53.0.1/24 - 10.53.0.2/24); over ONE connection
#                          each side sends 100 MB while receiving the other's
#                          100 MB, then half-closes (RFC 9293 3.6).
#   oneway_loopback_100M   100 MB one way over 127.0.0.1 (in its own
#                          namespace); the receiver half-closes at once, so
#                          the data also flows into a half-closed connection.
#   bidir_veth_netem_10M   as bidir_veth, 10 MB each way, with netem adding
#                          5 ms of delay on both veth ends (10 ms RTT); no
#                          loss (netem's queue is made large enough).
#
# The helper build/selftests-helpers/xfer (selftests/helpers/xfer.c) does
# the transfer and prints the byte counts and SHA-256 digests of both
# directions, which must match the peer's; the helper's SHA-256 is first
# checked against sha256sum(1).  One TAP result per test and protocol.
#
#   netns_transfer.sh [-t TEST] [-v tcp|atcp]
#
# timeout: 900
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
XFER=$PWD/build/selftests-helpers/xfer
MB=$((1024 * 1024))
# ATCP_REDUCED=1 (the debug kernel's run: KASAN and lockdep make the
# network path some 40x slower under TCG): 4 MB instead of 100 and 10.
BIG=100
SMALL=10
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	BIG=4
	SMALL=4
fi

only_test=""
only_variant=""
while [ $# -gt 0 ]; do
	case $1 in
	-t) only_test=$2; shift 2 ;;
	-v) only_variant=$2; shift 2 ;;
	*) echo "usage: $0 [-t TEST] [-v tcp|atcp]" >&2; exit 2 ;;
	esac
done

tests="bidir_veth_100M oneway_loopback_100M bidir_veth_netem_10M"
variants="tcp atcp"
# ATCP_REDUCED=1 (the debug kernel): atcp only (see selftests/run), and
# no loopback case (each namespace costs the debug kernel ~2 minutes;
# scale and sockapi move data over loopback there).
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	variants=atcp
	tests="bidir_veth_100M bidir_veth_netem_10M"
fi
sel=()
for t in $tests; do
	[ -z "$only_test" ] || [ "$only_test" = "$t" ] || continue
	for v in $variants; do
		[ -z "$only_variant" ] || [ "$only_variant" = "$v" ] || continue
		sel+=("$t.$v")
	done
done

tmp=$(mktemp -d)
ns_a=atcp-xfer-$$-a
ns_b=atcp-xfer-$$-b
pids=()

cleanup()
{
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	netns_del "$ns_a" "$ns_b"
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "TAP version 13"
echo "1..${#sel[@]}"
if [ ! -x "$XFER" ]; then
	echo "# $XFER is not built (make selftests)"
	for c in "${sel[@]}"; do
		tap 1 "netns_transfer.$c"
	done
	exit 1
fi

# Two namespaces, A (10.53.0.1) and B (10.53.0.2), joined by veth; $1 is
# the netem delay to add on both ends ("" for none).
make_veth()
{
	netns_del "$ns_a" "$ns_b"
	if [ -z "$1" ]; then
		veth_pair "$ns_a" veth0 10.53.0.1/24 "$ns_b" veth1 10.53.0.2/24
	else
		# limit: room for a full window in the delay line, so no drop.
		veth_pair "$ns_a" veth0 10.53.0.1/24 "$ns_b" veth1 10.53.0.2/24 \
			delay "$1" limit 100000
	fi
}

# One namespace A with only the loopback up.
make_lo()
{
	netns_del "$ns_a" "$ns_b"
	ip netns add "$ns_a" && ip -n "$ns_a" link set lo up
}

# The helper's SHA-256 against sha256sum(1), on a stream of an odd size
# hashed in irregular pieces: the digests the tests compare are right.
check_sha()
{
	local a b

	a=$("$XFER" --gen --sha256 --bytes 1048583 --seed 3)
	b=$("$XFER" --gen --bytes 1048583 --seed 3 | sha256sum | cut -c1-64)
	[ -n "$a" ] && [ "$a" = "$b" ] && return 0
	echo "# xfer's SHA-256 $a, sha256sum $b"
	return 1
}

# run_xfer PROTO NS_LISTEN LISTEN_ADDR NS_CONNECT BYTES_L BYTES_C
# Listener sends BYTES_L (seed 1), connector BYTES_C (seed 2).  Returns 0
# when both sides finished and all digests and counts match.
run_xfer()
{
	local proto=$1 nsl=$2 laddr=$3 nsc=$4 bl=$5 bc=$6
	local lpid port rc_l rc_c ok=0 s

	rm -f "$tmp"/l.* "$tmp"/c.*
	start_listener "$tmp/ready" ip netns exec "$nsl" "$XFER" --proto "$proto" \
		--listen "$laddr:0" --ready "$tmp/ready" --bytes "$bl" --seed 1 \
		>"$tmp/l.out" 2>"$tmp/l.err"
	rc_l=$?
	pids=("$lpid")
	if [ "$rc_l" != 0 ]; then
		wait "$lpid"
		echo "# listener failed: $(cat "$tmp/l.err")"
		return 1
	fi
	ip netns exec "$nsc" "$XFER" --proto "$proto" --connect "$laddr:$port" \
		--bytes "$bc" --seed 2 >"$tmp/c.out" 2>"$tmp/c.err"
	rc_c=$?
	# A connector that failed may leave the listener waiting in accept.
	[ "$rc_c" = 0 ] || kill "$lpid" 2>/dev/null
	wait "$lpid"
	rc_l=$?
	pids=()
	[ "$rc_l" = 0 ] || { echo "# listener: exit $rc_l: $(cat "$tmp/l.err")"; ok=1; }
	[ "$rc_c" = 0 ] || { echo "# connector: exit $rc_c: $(cat "$tmp/c.err")"; ok=1; }
	[ "$ok" = 0 ] || return 1

	# Each side sent what it was asked to and received exactly what the
	# other sent: same byte count, same SHA-256.
	check "$tmp/l.out" sent "$bl" "" listener || ok=1
	check "$tmp/c.out" sent "$bc" "" connector || ok=1
	check "$tmp/c.out" recv "$bl" "$(field "$tmp/l.out" sent_sha256)" connector || ok=1
	check "$tmp/l.out" recv "$bc" "$(field "$tmp/c.out" sent_sha256)" listener || ok=1
	for s in l c; do
		echo "# $([ $s = l ] && echo listener || echo connector):" \
			"$(field "$tmp/$s.out" seconds) s" \
			"(hashing $(field "$tmp/$s.out" hash_seconds) s)," \
			"send $(field "$tmp/$s.out" send_MBps) MB/s," \
			"recv $(field "$tmp/$s.out" recv_MBps) MB/s;" \
			"without the hashing: send $(field "$tmp/$s.out" send_MBps_excl_hash)," \
			"recv $(field "$tmp/$s.out" recv_MBps_excl_hash) MB/s"
	done
	return $ok
}

# check OUTFILE sent|recv BYTES SHA WHO: the byte count is BYTES and the
# digest is SHA (any well-formed digest if SHA is "").
check()
{
	local n h

	n=$(field "$1" "$2_bytes")
	h=$(field "$1" "$2_sha256")
	if [ "$n" != "$3" ] || [ ${#h} != 64 ] || { [ -n "$4" ] && [ "$h" != "$4" ]; }; then
		echo "# $5 $2 $n bytes, sha256 $h; expected $3 bytes${4:+, sha256 $4}"
		return 1
	fi
}

sha_ok=1
check_sha || sha_ok=0
for c in "${sel[@]}"; do
	t=${c%.*}
	v=${c##*.}
	proto=$(proto_of "$v")
	start=$(date +%s)
	[ "$sha_ok" = 1 ] &&
	case $t in
	bidir_veth_100M)
		make_veth "" &&
		run_xfer "$proto" "$ns_a" 10.53.0.1 "$ns_b" $((BIG * MB)) $((BIG * MB))
		;;
	oneway_loopback_100M)
		make_lo &&
		run_xfer "$proto" "$ns_a" 127.0.0.1 "$ns_a" 0 $((BIG * MB))
		;;
	bidir_veth_netem_10M)
		make_veth 5ms &&
		run_xfer "$proto" "$ns_a" 10.53.0.1 "$ns_b" $((SMALL * MB)) $((SMALL * MB))
		;;
	esac
	rc=$?
	echo "# $c: $(($(date +%s) - start)) s"
	tap "$rc" "netns_transfer.$c"
done
[ "$fails" = 0 ]
