#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Windows past 64 KiB (RFC 7323 §2) and receive-buffer auto-tuning, for
# Linux TCP (protocol 6) and atcp (protocol 253), with their defaults (no
# SO_RCVBUF, no sysctl changed): one-way bulk over veth between two network
# namespaces with netem adding 5 ms each way (10 ms RTT).
#
#   bulk_10ms_rtt   8 MB (1 MB with ATCP_REDUCED=1) one way; both sides
#                   agreed window scaling and timestamps (tcpi_options,
#                   tcpi_snd_wscale / tcpi_rcv_wscale > 0), the sender had
#                   more than 64 KiB in flight at some point and saw a send
#                   window past 64 KiB, and the receiver's SO_RCVBUF grew
#                   (auto-tuning).  Every byte arrives.
#
#   window_scale.sh [-t TEST] [-v tcp|atcp]
#
# timeout: 900 (the debug kernel: minutes)
set -u
cd "$(dirname "$0")/.." || exit 1
HELPER=$PWD/selftests/helpers/bulk_info.py
BYTES=$((8 * 1024 * 1024))
SAMPLE=0.002
[ "${ATCP_REDUCED:-0}" = 1 ] && SAMPLE=0.01
[ "${ATCP_REDUCED:-0}" = 1 ] && BYTES=$((1024 * 1024))

only_variant=""
while [ $# -gt 0 ]; do
	case $1 in
	-t) shift 2 ;;		# one test only
	-v) only_variant=$2; shift 2 ;;
	*) echo "usage: $0 [-t TEST] [-v tcp|atcp]" >&2; exit 2 ;;
	esac
done
variants="tcp atcp"
[ "${ATCP_REDUCED:-0}" = 1 ] && variants=atcp
[ -n "$only_variant" ] && variants=$only_variant

tmp=$(mktemp -d)
ns_a=atcp-ws-$$-a
ns_b=atcp-ws-$$-b
cleanup()
{
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

make_veth()
{
	ip netns add "$ns_a" && ip netns add "$ns_b" &&
	ip -n "$ns_a" link add name veth0 type veth peer name veth1 netns "$ns_b" &&
	ip -n "$ns_a" addr add 10.54.0.1/24 dev veth0 &&
	ip -n "$ns_b" addr add 10.54.0.2/24 dev veth1 &&
	ip -n "$ns_a" link set lo up && ip -n "$ns_b" link set lo up &&
	ip -n "$ns_a" link set veth0 up && ip -n "$ns_b" link set veth1 up &&
	ip netns exec "$ns_a" tc qdisc add dev veth0 root netem delay 5ms limit 100000 &&
	ip netns exec "$ns_b" tc qdisc add dev veth1 root netem delay 5ms limit 100000
}

val()
{
	sed -n "s/^$2 //p" "$1"
}

# check NAME CONDITION-TEXT: evaluates the condition, reports it
fails=0
want()
{
	if ! eval "$2"; then
		echo "# $1: $3"
		fails=1
	fi
}

n=0
echo "TAP version 13"
echo "1..$(echo $variants | wc -w)"
make_veth || { echo "# cannot set up veth and netem"; }
for v in $variants; do
	n=$((n + 1))
	proto=6
	[ "$v" = atcp ] && proto=253
	fails=0
	rm -f "$tmp/ready" "$tmp"/*.out
	mkfifo "$tmp/ready"
	exec 3<>"$tmp/ready"
	ip netns exec "$ns_b" python3 "$HELPER" recv --proto $proto \
		--listen 10.54.0.2:0 --ready "$tmp/ready" >"$tmp/r.out" 2>&1 &
	rpid=$!
	port=""
	read -r -t 60 -u 3 line && port=${line#port }
	exec 3<&-
	if [ -z "$port" ]; then
		echo "# receiver did not start: $(cat "$tmp/r.out")"
		kill $rpid 2>/dev/null
		echo "not ok $n window_scale.bulk_10ms_rtt.$v"
		continue
	fi
	ip netns exec "$ns_a" python3 "$HELPER" send --proto $proto \
		--connect 10.54.0.2:"$port" --bytes $BYTES --sample $SAMPLE \
		>"$tmp/s.out" 2>&1
	src=$?
	wait $rpid
	rrc=$?
	sed 's/^/# sender: /' "$tmp/s.out"
	sed 's/^/# receiver: /' "$tmp/r.out"
	want "$v" "[ $src = 0 ] && [ $rrc = 0 ]" "a helper failed"
	got=$(val "$tmp/r.out" recv_bytes)
	want "$v" "[ '${got:-0}' = $BYTES ]" "received ${got:-0} of $BYTES bytes"
	# TCPI_OPT_TIMESTAMPS 1 | TCPI_OPT_WSCALE 4
	o=$(val "$tmp/s.out" options)
	want "$v" "[ \$(( ${o:-0} & 5 )) = 5 ]" "sender's tcpi_options ${o:-?}: no timestamps or window scale"
	o=$(val "$tmp/r.out" options)
	want "$v" "[ \$(( ${o:-0} & 5 )) = 5 ]" "receiver's tcpi_options ${o:-?}: no timestamps or window scale"
	x=$(val "$tmp/s.out" snd_wscale)
	want "$v" "[ ${x:-0} -gt 0 ]" "sender's tcpi_snd_wscale ${x:-?}"
	x=$(val "$tmp/r.out" rcv_wscale)
	want "$v" "[ ${x:-0} -gt 0 ]" "receiver's tcpi_rcv_wscale ${x:-?}"
	x=$(val "$tmp/s.out" max_flight)
	want "$v" "[ ${x:-0} -gt 65536 ]" "at most ${x:-?} bytes in flight"
	x=$(val "$tmp/s.out" max_snd_wnd)
	want "$v" "[ ${x:-0} -gt 65535 ]" "send window at most ${x:-?}"
	a=$(val "$tmp/r.out" rcvbuf_start)
	b=$(val "$tmp/r.out" rcvbuf_end)
	want "$v" "[ ${b:-0} -gt ${a:-0} ]" "SO_RCVBUF ${a:-?} -> ${b:-?}: not auto-tuned"
	if [ $fails = 0 ]; then
		echo "ok $n window_scale.bulk_10ms_rtt.$v"
	else
		echo "not ok $n window_scale.bulk_10ms_rtt.$v"
	fi
done
