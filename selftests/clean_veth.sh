#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Retransmissions on a clean path (issue 9): iperf3 between two namespaces
# over veth, default offloads, no netem, nothing lost on the wire, for
# Linux TCP and atcp (tools/atcp-run) in the same boot, one after the
# other.  On such a path a retransmission is either spurious or a drop in
# the receiving host; Linux TCP has a handful per run.  For each stack:
# the sender's retransmissions (iperf3's, from TCP_INFO's
# tcpi_total_retrans) and the receiver's backlog drops (atcp's
# BacklogDrop, Linux's TcpExtTCPBacklogDrop).  A case passes when atcp
# has no more backlog drops than Linux TCP and at most 4 times Linux's
# retransmissions plus 20 (TCG's jitter makes a few loss probes
# either way); the figures and throughput are printed.
#
#   forward   A's client sends to B's server
#   reverse   the same with iperf3 -R (the server sends)
#
# 3 s per run, about 50 s in all on 6.1.  ATCP_REDUCED=1 (the debug
# kernel): every case reported as a skip unless -t CASE names it (then
# 1 s per run): iperf3 alone takes minutes under the debug kernel's TCG
# (apps.sh), and its rates there are too low to fill a receive buffer.
#
#   clean_veth.sh [-t CASE]
#
# timeout: 300
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
RUN=$PWD/tools/atcp-run
A=atcp-cv-$$-a B=atcp-cv-$$-b SA=10.57.0.2
T=3
cases="forward reverse"
only=$(only_case "$@")
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	T=1
	if [ -z "$only" ]; then
		# shellcheck disable=SC2086 # the case names are words
		tap_plan $cases
		for c in $cases; do
			echo "ok $((++n)) clean_veth.$c # SKIP under ATCP_REDUCED=1 (iperf3 takes minutes under the debug kernel): -t $c runs it"
		done
		exit 0
	fi
fi
sel=()
for c in $cases; do
	[ -z "$only" ] || [ "$only" = "$c" ] && sel+=("$c")
done
tmp=$(mktemp -d)
spid=""

cleanup()
{
	[ -n "$spid" ] && kill "$spid" 2>/dev/null
	netns_del "$A" "$B"
	rm -rf "$tmp"
}
trap cleanup EXIT

command -v iperf3 >/dev/null || { echo "# iperf3 is not installed"; exit 1; }

# linux_mib NS NAME: Linux's counter NAME (nstat's name) in namespace NS
linux_mib()
{
	ip netns exec "$1" nstat -asz "$2" 2>/dev/null |
		awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'
}

# backlog_drops VARIANT NS: the backlog drops of the stack in NS
backlog_drops()
{
	if [ "$1" = atcp ]; then
		atcp_snmp "$2" BacklogDrop
	else
		linux_mib "$2" TcpExtTCPBacklogDrop
	fi
}

# run VARIANT DIR: one iperf3 run; sets rtx (the sender's retransmissions),
# drops (the receiver's backlog drops), mbit; 0 if the run worked and
# went over VARIANT's stack
run()
{
	local v=$1 dir=$2 r="" rns=$B pre=() d0 s0 s1 out i

	[ "$v" = atcp ] && pre=("$RUN")
	[ "$dir" = reverse ] && { r=-R; rns=$A; }
	d0=$(backlog_drops "$v" "$rns")
	s0=$(atcp_snmp "$A" OutSegs)
	ip netns exec "$B" "${pre[@]}" iperf3 -s -1 -B "$SA" \
		>"$tmp/srv" 2>&1 &
	spid=$!
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$B" ss -Hltn "sport = :5201" | grep -q . && break
		# shellcheck disable=SC2016 # awk's fields
		[ "$v" = atcp ] && ip netns exec "$B" awk -v a="$SA:5201" \
			'$2 == a && $4 == "LISTEN" { f = 1 } END { exit !f }' \
			/proc/net/atcp && break
		sleep 0.1
	done
	ip netns exec "$A" "${pre[@]}" iperf3 -c "$SA" -t "$T" $r -J \
		>"$tmp/cli.json" 2>"$tmp/cli.err"
	wait "$spid"
	spid=""
	s1=$(atcp_snmp "$A" OutSegs)
	drops=$(($(backlog_drops "$v" "$rns") - d0))
	out=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
if "error" in r:
    sys.exit("error: " + r["error"])
s = r["end"]["sum_sent"]
print(s["retransmits"], int(s["bits_per_second"] / 1e6), s["bytes"])
' "$tmp/cli.json") || { echo "# $v $dir: iperf3: $out $(cat "$tmp/cli.err")"; return 1; }
	read -r rtx mbit bytes <<<"$out"
	echo "# $v $dir: $mbit Mbit/s, $bytes bytes, $rtx retransmissions," \
		"$drops backlog drops at the receiver"
	# atcp's segments went out of A for atcp only (both ways: data or ACKs)
	if [ "$v" = atcp ]; then
		[ $((s1 - s0)) -gt 100 ] ||
			{ echo "# atcp sent $((s1 - s0)) segments"; return 1; }
	else
		[ "$s1" = "$s0" ] ||
			{ echo "# atcp sent $((s1 - s0)) segments"; return 1; }
	fi
	[ "$bytes" -gt 0 ]
}

t_case()
{
	local dir=$1 trtx tdrops

	run tcp "$dir" || return 1
	trtx=$rtx tdrops=$drops
	run atcp "$dir" || return 1
	if [ "$drops" -gt "$tdrops" ]; then
		echo "# atcp's receiver dropped $drops segments from its backlog, Linux TCP's $tdrops"
		return 1
	fi
	if [ "$rtx" -gt $((4 * trtx + 20)) ]; then
		echo "# atcp retransmitted $rtx segments, Linux TCP $trtx (bound $((4 * trtx + 20)))"
		return 1
	fi
}

veth_pair "$A" va 10.57.0.1/24 "$B" vb "$SA/24" || exit 1
tap_plan "${sel[@]}"
for c in "${sel[@]}"; do
	t_case "$c"
	tap $? "clean_veth.$c"
done
tap_done
