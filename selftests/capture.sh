#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Captures decode as TCP: a clean transfer over veth (two namespaces, no
# loss, transmit checksum offload off so the capture holds the checksums
# that go on the wire), captured by tcpdump on the receiving end, then read
# by tshark's TCP analysis:
#
#   decode_as    tshark -d ip.proto==253,tcp (the documented line) decodes
#                every atcp packet as TCP: the SYN's MSS, one stream, the
#                data bytes the transfer sent;
#   analysis     tools/atcp-pcap-to-tcp rewrites the capture as protocol 6
#                (the TCP checksum updated by the pseudo-header's protocol
#                word only), and tshark with checksum validation finds no
#                bad checksum, no malformed segment, no lost-segment or
#                zero-window event (the run had no loss); the
#                retransmissions it flags (out-of-order arrivals included)
#                are exactly those the sender counted (RetransSegs: a
#                timer may fire early on a slow VM, and then it is the
#                run's own); duplicate ACKs are reported, not judged
#                (Linux TCP repeated an ACK in a clean run: RFC 9293
#                allows an ACK that carries nothing new).  Both ends run
#                on one vCPU: veth queues a segment to the backlog of the
#                CPU that sent it, and two CPUs' backlogs reorder segments
#                (Linux TCP's run on 6.12, 2 VMs on the host: ten segments
#                flagged as retransmissions that its sender never sent).
#
# Each runs for Linux TCP (protocol 6, no rewriting needed) and atcp: the
# Linux run proves the check.
#
# timeout: 600
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
top=$PWD
XFER=$top/build/selftests-helpers/xfer
TOTCP=$top/tools/atcp-pcap-to-tcp
MB=2
[ "${ATCP_REDUCED:-0}" = 1 ] && MB=1
variants="tcp atcp"
[ "${ATCP_REDUCED:-0}" = 1 ] && variants=atcp

echo "TAP version 13"
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	# tshark is user space: the debug kernel adds nothing but minutes
	echo "1..1"
	echo "ok 1 capture # SKIP tshark's passes take 5 minutes under the debug kernel's TCG; run on 6.1 and 6.12"
	exit 0
fi
echo "1..$((2 * $(echo $variants | wc -w)))"
if ! command -v tshark >/dev/null || ! command -v tcpdump >/dev/null; then
	for v in $variants; do
		tap 1 "decode_as/$v # tshark or tcpdump missing (scripts/setup)"
		tap 1 "analysis/$v # tshark or tcpdump missing (scripts/setup)"
	done
	exit 1
fi

a=atcp-cap-$$-a
b=atcp-cap-$$-b
dir=$(mktemp -d)
cleanup() {
	netns_del "$a" "$b"
	rm -rf "$dir"
}
trap cleanup EXIT
veth_pair "$a" va 10.54.0.1/24 "$b" vb 10.54.0.2/24
ip netns exec "$a" ethtool -K va tx off tso off gso off gro off >/dev/null 2>&1
ip netns exec "$b" ethtool -K vb tx off tso off gso off gro off >/dev/null 2>&1

TSHARK="tshark -n -o tcp.relative_sequence_numbers:TRUE"

retrans() {	# retrans tcp|atcp: the sender namespace's RetransSegs
	if [ "$1" = atcp ]; then
		atcp_snmp "$a" RetransSegs
	else
		ip netns exec "$a" awk '$1 == "Tcp:" && $13 ~ /^[0-9]+$/ \
			{ print $13 }' /proc/net/snmp
	fi
}

for v in $variants; do
	proto=$(proto_of "$v")
	cap=$dir/$v.pcap
	r0=$(retrans $v)
	ip netns exec "$b" tcpdump -i vb -U -s 0 -B 32768 -w "$cap" "ip proto $proto" \
		2>"$dir/tcpdump.log" &
	tpid=$!
	sleep 1
	fifo=$dir/ready.$v
	# both ends on one vCPU: a sender woken on either CPU would queue
	# segments to two CPUs' backlogs on veth, which reorders them
	start_listener "$fifo" ip netns exec "$b" taskset -c 0 "$XFER" --proto "$proto" \
		--listen 10.54.0.2:0 --ready "$fifo" --bytes 0 --seed 1 \
		>"$dir/srv.$v" 2>&1
	spid=$lpid
	ip netns exec "$a" taskset -c 0 "$XFER" --proto "$proto" --connect 10.54.0.2:"$port" \
		--bytes $((MB * 1024 * 1024)) --seed 7 >"$dir/cli.$v" 2>&1
	crc=$?
	wait "$spid"
	src=$?
	sleep 1
	kill -INT "$tpid"
	wait "$tpid"
	rtx=$(($(retrans $v) - r0))
	sent=$(awk '$1 == "sent_sha256" { print $2 }' "$dir/cli.$v")
	got=$(awk '$1 == "recv_sha256" { print $2 }' "$dir/srv.$v")
	echo "# $v: $MB MB, xfer status $crc/$src, sha256 equal: \
$([ "$sent" = "$got" ] && echo yes || echo no); $(tail -n1 "$dir/tcpdump.log")"

	# decode_as: the raw capture, decoded as TCP by port-less decode-as
	dec=$dir/$v.rawpcap
	if [ "$v" = atcp ]; then
		$TSHARK -r "$cap" -d ip.proto==253,tcp -T fields -e tcp.stream \
			-e tcp.flags.syn -e tcp.options.mss_val -e tcp.len \
			-e tcp.seq >"$dec" 2>/dev/null
	else
		$TSHARK -r "$cap" -T fields -e tcp.stream -e tcp.flags.syn \
			-e tcp.options.mss_val -e tcp.len -e tcp.seq \
			>"$dec" 2>/dev/null
	fi
	# (no process substitution: the guest has no /dev/fd)
	read -r frames streams mss bytes <<<"$(awk -F'\t' '
		{ f++; s[$1] = 1; if ($2 == 1 && $3 != "") m = $3
		  if ($4 > 0 && $5 + $4 - 1 > b) b = $5 + $4 - 1 }
		END { printf "%d %d %s %d\n", f, length(s), m ? m : "none", b }' "$dec")"
	echo "# $v decode_as: $frames frames as TCP, $streams stream(s), SYN MSS $mss, data to octet $bytes"
	ok=1
	[ "$crc" = 0 ] && [ "$src" = 0 ] && [ -n "$sent" ] && [ "$sent" = "$got" ] &&
		[ "$frames" -gt 10 ] && [ "$streams" = 1 ] && [ "$mss" != none ] &&
		[ "$bytes" = $((MB * 1024 * 1024)) ] && ok=0
	tap $ok "decode_as/$v"

	# analysis: as protocol 6, checksums validated
	tcpcap=$cap
	if [ "$v" = atcp ]; then
		tcpcap=$dir/$v.tcp.pcap
		"$TOTCP" "$cap" "$tcpcap" 2>&1 | sed 's/^/# /'
	fi
	# one pass of tshark (it is slow in the VM): checksum status and the
	# expert messages of each frame
	$TSHARK -r "$tcpcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
		-T fields -E separator='|' -e frame.number -e tcp.checksum.status \
		-e ip.checksum.status -e _ws.expert.message \
		>"$dir/an.$v" 2>/dev/null
	read -r good nbad nrtx ndup <<<"$(awk -F'|' '
		$2 == 1 { good++ }
		{ m = tolower($4); flag = 0 }
		$2 == 0 || $3 == 0 || m ~ /malformed|checksum/ { flag = 1 }
		m ~ /not captured|wasn.t captured|zero window|reused/ {
			flag = 1 }
		flag { bad++; print "#   " $0 > "/dev/stderr" }
		# a resent segment that arrives after later data is
		# "out-of-order" to tshark: a retransmission as well
		m ~ /retransmission|out-of-order/ { rtx++ }
		m ~ /duplicate ack/ { dup++ }
		END { printf "%d %d %d %d\n", good, bad, rtx, dup }' \
		"$dir/an.$v" 2>"$dir/bad.$v")"
	echo "# $v analysis: $good frames with a good TCP checksum, $nbad flagged;"
	echo "#   retransmissions seen $nrtx, counted by the sender $rtx; duplicate ACKs $ndup"
	head -n 5 "$dir/bad.$v"
	ok=1
	[ "$nbad" = 0 ] && [ "$good" = "$frames" ] && [ "$nrtx" = "$rtx" ] &&
		ok=0
	tap $ok "analysis/$v"
done
tap_done
