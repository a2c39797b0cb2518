#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every byte arrives through a hostile path: transfers in both directions
# at once over one connection (xfer, SHA-256 of each direction checked)
# between two namespaces joined by veth, with netem on both ends:
#
#   loss1      1 % loss                 reorder25  25 % reordering (5 ms)
#   loss5      5 % loss                 dup5       5 % duplication
#   loss20     20 % loss                corrupt1   1 % corruption
#   delay50    50 ms delay, 10 ms jitter (each way)
#   all        5 % loss, 25 % reordering, 1 % duplication, 1 % corruption,
#              5 +- 2 ms (each way)
#
# Loss recovery (RFC 6675, 8985, 6582), PAWS and timestamps (RFC 7323),
# SACK (RFC 2018) and the checksum (corrupted segments dropped) must keep
# the streams intact.  NETEM_MB (default 1) is the size each way; on the
# debug kernel (ATCP_REDUCED=1) atcp runs loss5 and all only.  `make
# netem` runs every case with 100 MB for both stacks on 6.1
# (Documentation/testing.rst).  Times are reported, never asserted.
#
#   netem.sh [-t CASE] [-v tcp|atcp]
#
# timeout: 1800
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
XFER=$PWD/build/selftests-helpers/xfer
MB=${NETEM_MB:-1}
variants="tcp atcp"
cases="loss1 loss5 loss20 reorder25 dup5 corrupt1 delay50 all"
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	variants=atcp
	cases="loss5 all"
fi
only_t="" only_v=""
while [ $# -gt 0 ]; do
	case $1 in
	-t) only_t=$2; shift 2 ;;
	-v) only_v=$2; shift 2 ;;
	*) shift ;;
	esac
done
declare -A NETEM=(
	[loss1]="delay 5ms loss 1%"
	[loss5]="delay 5ms loss 5%"
	[loss20]="delay 5ms loss 20%"
	[reorder25]="delay 5ms reorder 25% 50%"
	[dup5]="delay 5ms duplicate 5%"
	[corrupt1]="delay 5ms corrupt 1%"
	[delay50]="delay 50ms 10ms distribution normal"
	[all]="delay 5ms 2ms loss 5% reorder 25% 50% duplicate 1% corrupt 1%"
)
[ -n "$only_t" ] && cases=$only_t
[ -n "$only_v" ] && variants=$only_v

echo "TAP version 13"
echo "1..$(($(echo $cases | wc -w) * $(echo $variants | wc -w)))"
a=atcp-netem-$$-a
b=atcp-netem-$$-b
tmp=$(mktemp -d)
cap_pid=""
cleanup() {
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	netns_del "$a" "$b"
	rm -rf "$tmp"
}
trap cleanup EXIT

# One pair of namespaces for every case (each set-up costs seconds under
# TCG); a case replaces the netem qdisc of both ends.
veth_pair "$a" va 10.56.0.1/24 "$b" vb 10.56.0.2/24 || exit 1
# The control segments (SYN, FIN, RST) on A's end, to explain a failure.
ip netns exec "$a" tcpdump -i va -U -s 96 -w "$tmp/ctl.pcap" \
	'(ip proto 253 or ip proto 6) and ip[33] & 7 != 0' 2>/dev/null &
cap_pid=$!
# shellcheck disable=SC2086 # NETEM-ARGS are words
setup() {	# setup NETEM-ARGS
	ip netns exec "$a" tc qdisc replace dev va root netem $1 limit 100000 &&
	ip netns exec "$b" tc qdisc replace dev vb root netem $1 limit 100000
}

# explain PROTO: what the ends said, the control segments of the port,
# and the counters that differ from zero
explain() {
	tail -n 3 "$tmp/cli" "$tmp/srv" | sed 's/^/#   /'
	sleep 1
	tshark -r "$tmp/ctl.pcap" -d ip.proto==253,tcp \
		-o tcp.relative_sequence_numbers:FALSE \
		-Y "ip.proto == $1 && tcp.port == ${port:-0}" 2>/dev/null |
		tail -n 20 | sed 's/^/#   /'
	if [ "$1" = 253 ]; then
		# shellcheck disable=SC2016 # awk's fields
		for ns in "$a" "$b"; do
			echo "#   $ns: $(ip netns exec "$ns" awk '$2 != 0 {
				printf "%s %s ", $1, $2 }' /proc/net/atcp_snmp)"
		done
	fi
}

for c in $cases; do
	for v in $variants; do
		proto=$(proto_of "$v")
		if ! setup "${NETEM[$c]}"; then
			tap 1 "$c/$v # set-up failed"
			continue
		fi
		start_listener "$tmp/ready" ip netns exec "$b" timeout 900 \
			"$XFER" --proto "$proto" --listen 10.56.0.2:0 \
			--ready "$tmp/ready" --bytes $((MB << 20)) --seed 21 \
			--timeout 300 >"$tmp/srv" 2>&1
		spid=$lpid
		ip netns exec "$a" timeout 900 "$XFER" --proto "$proto" \
			--connect 10.56.0.2:"$port" --bytes $((MB << 20)) \
			--seed 22 --timeout 300 >"$tmp/cli" 2>&1
		crc=$?
		wait "$spid"
		src=$?
		ok=1
		if [ "$crc" = 0 ] && [ "$src" = 0 ] &&
		   [ -n "$(field "$tmp/cli" sent_sha256)" ] &&
		   [ "$(field "$tmp/cli" sent_sha256)" = "$(field "$tmp/srv" recv_sha256)" ] &&
		   [ "$(field "$tmp/srv" sent_sha256)" = "$(field "$tmp/cli" recv_sha256)" ] &&
		   [ "$(field "$tmp/cli" recv_bytes)" = $((MB << 20)) ]; then
			ok=0
		fi
		echo "# $c/$v (${NETEM[$c]}): $MB MB each way, status $crc/$src," \
		     "$(field "$tmp/cli" seconds) s"
		tap $ok "$c/$v"
		[ $ok = 0 ] || explain "$proto"
	done
done
tap_done
