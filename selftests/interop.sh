#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# atcp against Linux's own TCP on the wire, through the protocol translator
# (tools/atcp-xlate: tc BPF on the atcp side's veth rewrites IP protocol
# 253 <-> 6 and the checksums).  Namespace A runs atcp (10.55.0.1), B runs
# Linux TCP (10.55.0.2); offloads off on both veth ends (a real-wire view).
#
#   atcp_to_linux    an atcp client and a Linux TCP server, data both ways
#                    at once over one connection (xfer), SHA-256 checked
#   linux_to_atcp    a Linux TCP client and an atcp server, likewise
#   netem_loss       atcp client, Linux server, 10 ms RTT, 1 % loss and 25 %
#                    reordering each way (netem on both ends), data both ways
#   options          the handshakes of atcp_to_linux and linux_to_atcp as
#                    captured in B: each side's SYN carries MSS; an option
#                    is in the SYN,ACK only if the SYN had it (RFC 7323
#                    §2.2, §3.2, RFC 2018 §2), and Linux TCP answers every
#                    option atcp offers (SACK-permitted always, net.atcp.sack
#                    being 1)
#   refused          each side connecting to a port without a listener is
#                    refused (the other's RST, translated): ECONNREFUSED
#
# timeout: 900
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
top=$PWD
XFER=$top/build/selftests-helpers/xfer
XLATE=$top/tools/atcp-xlate
MB=$((1024 * 1024))
BIG=100
SMALL=4
only=$(only_case "$@")
tests="atcp_to_linux linux_to_atcp netem_loss options refused"
[ -n "$only" ] && tests=$only
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	# the translator and Linux TCP are what it tests; atcp's paths under
	# KASAN are netns_transfer's and netem's
	echo "TAP version 13"
	echo "1..1"
	echo "ok 1 interop # SKIP 9 minutes under the debug kernel's TCG (2 MB transfers); run on 6.1"
	exit 0
fi

# shellcheck disable=SC2086
tap_plan $tests

a=atcp-iop-$$-a
b=atcp-iop-$$-b
dir=$(mktemp -d)
cleanup() {
	netns_del "$a" "$b"
	rm -rf "$dir"
}
trap cleanup EXIT
veth_pair "$a" va 10.55.0.1/24 "$b" vb 10.55.0.2/24
ip netns exec "$a" ethtool -K va tx off tso off gso off >/dev/null 2>&1
ip netns exec "$b" ethtool -K vb tx off tso off gso off >/dev/null 2>&1
if ! ip netns exec "$a" "$XLATE" attach va 2>"$dir/xlate.log"; then
	sed 's/^/# /' "$dir/xlate.log"
	for t in $tests; do tap 1 "$t # the translator did not load"; done
	exit 1
fi

# xfer_pair NAME SRV_NS SRV_PROTO SRV_ADDR CLI_NS CLI_PROTO BYTES
xfer_pair() {
	local name=$1 sns=$2 sp=$3 sa=$4 cns=$5 cp=$6 bytes=$7 fifo port lpid
	local s_sent s_recv c_sent c_recv crc src
	fifo=$dir/ready.$name
	start_listener "$fifo" ip netns exec "$sns" "$XFER" --proto "$sp" \
		--listen "$sa":0 --ready "$fifo" --bytes "$bytes" --seed 11 \
		>"$dir/srv.$name" 2>&1
	local spid=$lpid
	ip netns exec "$cns" "$XFER" --proto "$cp" --connect "$sa:$port" \
		--bytes "$bytes" --seed 12 >"$dir/cli.$name" 2>&1
	crc=$?
	wait "$spid"
	src=$?
	s_sent=$(field "$dir/srv.$name" sent_sha256)
	s_recv=$(field "$dir/srv.$name" recv_sha256)
	c_sent=$(field "$dir/cli.$name" sent_sha256)
	c_recv=$(field "$dir/cli.$name" recv_sha256)
	echo "# $name: $((bytes / MB)) MB each way; status client $crc, server $src;" \
	     "client $(field "$dir/cli.$name" seconds) s"
	echo "#   client->server $([ "$c_sent" = "$s_recv" ] && echo equal || echo DIFFERENT)," \
	     "server->client $([ "$s_sent" = "$c_recv" ] && echo equal || echo DIFFERENT)"
	[ "$crc" = 0 ] && [ "$src" = 0 ] && [ -n "$c_sent" ] && [ -n "$s_sent" ] &&
		[ "$c_sent" = "$s_recv" ] && [ "$s_sent" = "$c_recv" ]
}

syn_capture_start() {
	ip netns exec "$b" tcpdump -i vb -U -s 200 -w "$dir/syn.pcap" \
		'tcp[tcpflags] & tcp-syn != 0' 2>/dev/null &
	cap_pid=$!
	sleep 1
}

syn_capture_stop() {
	sleep 0.5
	kill -INT "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
}

t_atcp_to_linux() {
	xfer_pair a2l "$b" 6 10.55.0.2 "$a" 253 $((BIG * MB))
}

t_linux_to_atcp() {
	xfer_pair l2a "$a" 253 10.55.0.1 "$b" 6 $((BIG * MB))
}

t_netem_loss() {
	local rc
	ip netns exec "$a" tc qdisc add dev va root netem delay 5ms loss 1% \
		reorder 25% 50% limit 10000
	ip netns exec "$b" tc qdisc add dev vb root netem delay 5ms loss 1% \
		reorder 25% 50% limit 10000
	xfer_pair loss "$b" 6 10.55.0.2 "$a" 253 $((SMALL * MB))
	rc=$?
	ip netns exec "$a" tc qdisc del dev va root
	ip netns exec "$b" tc qdisc del dev vb root
	return $rc
}

# One line per SYN seen in B: src flags mss sack_perm wscale tsval
syn_options() {
	tshark -n -r "$dir/syn.pcap" -T fields -E separator=' ' -E occurrence=f \
		-e ip.src -e tcp.flags.ack -e tcp.options.mss_val \
		-e tcp.options.sack_perm -e tcp.options.wscale.shift \
		-e tcp.options.timestamp.tsval 2>/dev/null |
		awk '{ printf "%s ack=%s mss=%s sack=%s ws=%s ts=%s\n", $1, $2,
		       $3 != "" ? $3 : "-", $4 != "" ? "y" : "-",
		       $5 != "" ? $5 : "-", $6 != "" ? "y" : "-" }'
}

# check_handshake SYN_SRC: the SYN from SYN_SRC and the SYN,ACK after it
check_handshake() {
	local syn synack
	syn=$(syn_options | awk -v s="$1" '$1 == s && $2 == "ack=0"' | head -n1)
	synack=$(syn_options | awk -v s="$1" '$1 != s && $2 == "ack=1"' | head -n1)
	echo "#   SYN     $syn"
	echo "#   SYN,ACK $synack"
	[ -n "$syn" ] && [ -n "$synack" ] || return 1
	python3 - "$syn" "$synack" <<'PY'
import sys
def opts(line):
    return dict(f.split("=") for f in line.split()[2:])
syn, sa = opts(sys.argv[1]), opts(sys.argv[2])
ok = syn["mss"] != "-" and sa["mss"] != "-"
for k in ("sack", "ws", "ts"):
    if sa[k] != "-" and syn[k] == "-":
        print("#   %s in the SYN,ACK but not in the SYN" % k)
        ok = False
sys.exit(0 if ok else 1)
PY
}

t_options() {
	local rc=0 sack
	sack=$(ip netns exec "$a" cat /proc/sys/net/atcp/sack)
	syn_capture_start
	xfer_pair opt_a2l "$b" 6 10.55.0.2 "$a" 253 4096 >/dev/null || rc=1
	xfer_pair opt_l2a "$a" 253 10.55.0.1 "$b" 6 4096 >/dev/null || rc=1
	syn_capture_stop
	echo "# atcp's SYN (A 10.55.0.1), Linux's SYN,ACK:"
	check_handshake 10.55.0.1 || rc=1
	# Linux TCP offers all; atcp (net.atcp.sack=$sack) answers
	if [ "$sack" = 1 ]; then
		syn_options | awk '$1 == "10.55.0.2" && $2 == "ack=1"' |
			grep -q "sack=y" || { echo "#   Linux did not accept SACK"; rc=1; }
	fi
	echo "# Linux's SYN (B 10.55.0.2), atcp's SYN,ACK:"
	check_handshake 10.55.0.2 || rc=1
	return $rc
}

# connect_9 NS PROTO ADDR: from NS, connect to ADDR port 9 over PROTO;
# prints "connected" or the error's name
connect_9() {
	ip netns exec "$1" python3 -c '
import socket, errno, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, int(sys.argv[1]))
s.settimeout(10)
try:
    s.connect((sys.argv[2], 9))
    print("connected")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))' "$2" "$3" 2>&1
}

t_refused() {
	local r1 r2
	r1=$(connect_9 "$a" 253 10.55.0.2)
	r2=$(connect_9 "$b" 6 10.55.0.1)
	echo "# atcp -> Linux port 9: $r1; Linux -> atcp port 9: $r2"
	[ "$r1" = ECONNREFUSED ] && [ "$r2" = ECONNREFUSED ]
}

# shellcheck disable=SC2086
run_tests $tests
