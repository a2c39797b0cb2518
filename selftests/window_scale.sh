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
#                   (auto-tuning).  Every byte arrives.  With
#                   ATCP_REDUCED=1 the flight is reported, not judged: the
#                   debug kernel sends ~0.4 MB/s, bound by CPU, a flight of
#                   ~13 KB at 10 ms whatever the window.
#
#   window_scale.sh [-t TEST] [-v tcp|atcp]
#
# timeout: 900 (the debug kernel: minutes)
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
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
	netns_del "$ns_a" "$ns_b"
	rm -rf "$tmp"
}
trap cleanup EXIT

# want NAME CONDITION-TEXT WHY: evaluates the condition, reports WHY if false
want()
{
	if ! eval "$2"; then
		echo "# $1: $3"
		bad=1
	fi
}

# shellcheck disable=SC2086
tap_plan $variants
veth_pair "$ns_a" veth0 10.54.0.1/24 "$ns_b" veth1 10.54.0.2/24 \
	delay 5ms limit 100000 || { echo "# cannot set up veth and netem"; }
for v in $variants; do
	proto=$(proto_of "$v")
	bad=0
	rm -f "$tmp"/*.out
	if ! start_listener "$tmp/ready" ip netns exec "$ns_b" python3 "$HELPER" \
		recv --proto "$proto" --listen 10.54.0.2:0 --ready "$tmp/ready" \
		>"$tmp/r.out" 2>&1; then
		echo "# receiver did not start: $(cat "$tmp/r.out")"
		kill "$lpid" 2>/dev/null
		tap 1 "window_scale.bulk_10ms_rtt.$v"
		continue
	fi
	rpid=$lpid
	ip netns exec "$ns_a" python3 "$HELPER" send --proto "$proto" \
		--connect 10.54.0.2:"$port" --bytes $BYTES --sample $SAMPLE \
		>"$tmp/s.out" 2>&1
	src=$?
	wait "$rpid"
	rrc=$?
	sed 's/^/# sender: /' "$tmp/s.out"
	sed 's/^/# receiver: /' "$tmp/r.out"
	want "$v" "[ $src = 0 ] && [ $rrc = 0 ]" "a helper failed"
	got=$(field "$tmp/r.out" recv_bytes)
	want "$v" "[ '${got:-0}' = $BYTES ]" "received ${got:-0} of $BYTES bytes"
	# TCPI_OPT_TIMESTAMPS 1 | TCPI_OPT_WSCALE 4
	o=$(field "$tmp/s.out" options)
	want "$v" "[ \$(( ${o:-0} & 5 )) = 5 ]" "sender's tcpi_options ${o:-?}: no timestamps or window scale"
	o=$(field "$tmp/r.out" options)
	want "$v" "[ \$(( ${o:-0} & 5 )) = 5 ]" "receiver's tcpi_options ${o:-?}: no timestamps or window scale"
	x=$(field "$tmp/s.out" snd_wscale)
	want "$v" "[ ${x:-0} -gt 0 ]" "sender's tcpi_snd_wscale ${x:-?}"
	x=$(field "$tmp/r.out" rcv_wscale)
	want "$v" "[ ${x:-0} -gt 0 ]" "receiver's tcpi_rcv_wscale ${x:-?}"
	x=$(field "$tmp/s.out" max_flight)
	if [ "${ATCP_REDUCED:-0}" = 1 ]; then
		# the debug kernel's sender is bound by CPU, not by the window
		echo "# $v: at most ${x:-?} bytes in flight (not judged on the debug kernel)"
	else
		want "$v" "[ ${x:-0} -gt 65536 ]" "at most ${x:-?} bytes in flight"
	fi
	x=$(field "$tmp/s.out" max_snd_wnd)
	want "$v" "[ ${x:-0} -gt 65535 ]" "send window at most ${x:-?}"
	a=$(field "$tmp/r.out" rcvbuf_start)
	b=$(field "$tmp/r.out" rcvbuf_end)
	want "$v" "[ ${b:-0} -gt ${a:-0} ]" "SO_RCVBUF ${a:-?} -> ${b:-?}: not auto-tuned"
	tap $bad "window_scale.bulk_10ms_rtt.$v"
done
