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
#   nginx_atcp_to_linux  applications across the translator: curl under
#                    tools/atcp-run in A fetches a 100 MB file from a Linux
#                    TCP nginx in B, SHA-256 checked; A's atcp ActiveOpens
#                    grew (curl's connection was atcp's)
#   nginx_linux_to_atcp  nginx under atcp-run in A (sendfile, tcp_nopush)
#                    serves 100 MB to a Linux TCP curl in B, SHA-256
#                    checked; A's atcp PassiveOpens grew
#   nginx_netem_atcp_to_linux, nginx_netem_linux_to_atcp  the same, 12 MB,
#                    with netem on both veth ends: 5 ms delay, 1 % loss,
#                    25 % reordering
#   simclose         simultaneous close: atcp client, Linux server, 150 ms
#                    of netem delay each way; both shutdown(SHUT_WR) at
#                    once (a barrier), so the FINs cross.  Each side reads
#                    the other's FIN (recv returns 0), passes through
#                    CLOSING (TCP_INFO, sampled every ms: RFC 9293
#                    §3.10.7.4, FIN-WAIT-1 receiving a FIN that does not
#                    acknowledge ours) and leaves a TIME-WAIT entry (A:
#                    /proc/net/atcp, B: ss state time-wait)
#   reset_from_atcp  atcp (A) aborts mid-transfer (SO_LINGER {1, 0} and
#                    close) with its send buffer full, Linux (B) not yet
#                    reading: B then reads less than A wrote and its recv
#                    ends in ECONNRESET; B's capture holds an RST from A
#   reset_from_linux the same with Linux TCP aborting, atcp receiving
#
# ATCP_REDUCED=1 (the debug kernel, where every process start costs
# seconds): 1 MB instead of 100 MB for atcp_to_linux and linux_to_atcp;
# netem_loss, options and the nginx cases skipped (saying so); the reset
# cases without their capture (the receiver's ECONNRESET and short read
# are checked); refused and simclose as on 6.1.
# The options case reads the handshakes of atcp_to_linux and
# linux_to_atcp (a capture from the start), or makes its own with -t.
#
#   interop.sh [-t CASE]
#
# timeout: 900
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
top=$PWD
XFER=$top/build/selftests-helpers/xfer
PEER=$top/build/selftests-helpers/iop_peer
XLATE=$top/tools/atcp-xlate
RUN=$top/tools/atcp-run
MB=$((1024 * 1024))
reduced=${ATCP_REDUCED:-0}
declare -A skip_why=(
	[netem_loss]="runs on 6.1"
	[options]="runs on 6.1 (the handshakes do not depend on the kernel; tshark alone takes a minute here)"
	[nginx_atcp_to_linux]="runs on 6.1"
	[nginx_linux_to_atcp]="runs on 6.1 (atcp_to_linux and linux_to_atcp cross the translator here)"
	[nginx_netem_atcp_to_linux]="runs on 6.1"
	[nginx_netem_linux_to_atcp]="runs on 6.1"
)
BIG=100
SMALL=4
NETEM_MB=12
RST_MB=2
only=$(only_case "$@")
tests="atcp_to_linux linux_to_atcp netem_loss options refused
	nginx_atcp_to_linux nginx_linux_to_atcp
	nginx_netem_atcp_to_linux nginx_netem_linux_to_atcp
	simclose reset_from_atcp reset_from_linux"
skip=""
if [ "$reduced" = 1 ]; then
	# the debug kernel moves some 40 times less a second: 1 MB, no netem
	BIG=1
	skip="netem_loss options nginx_atcp_to_linux nginx_linux_to_atcp"
	skip+=" nginx_netem_atcp_to_linux nginx_netem_linux_to_atcp"
fi
[ -n "$only" ] && { tests=$only; skip=""; }

# shellcheck disable=SC2086
tap_plan $tests

a=atcp-iop-$$-a
b=atcp-iop-$$-b
dir=$(mktemp -d)
chmod 755 "$dir"
# atcp-xlate attach lowers atcp's gso from 2 to 1: put it back afterwards
gso_param=/sys/module/atcp/parameters/gso
gso_was=$(cat "$gso_param" 2>/dev/null)
cleanup() {
	netns_del "$a" "$b"
	rm -rf "$dir"
	[ -z "$gso_was" ] || echo "$gso_was" >"$gso_param"
}
trap cleanup EXIT
# nsx NS CMD...: CMD in NS's network namespace (nsenter: ip netns exec
# also remounts /sys, some 1.5 s a call under the debug kernel's TCG)
nsx() {
	nsenter --net="/run/netns/$1" "${@:2}"
}

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
	start_listener "$fifo" nsx "$sns" "$XFER" --proto "$sp" \
		--listen "$sa":0 --ready "$fifo" --bytes "$bytes" --seed 11 \
		>"$dir/srv.$name" 2>&1
	local spid=$lpid
	nsx "$cns" "$XFER" --proto "$cp" --connect "$sa:$port" \
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
	if [ "$crc" = 0 ] && [ "$src" = 0 ] && [ -n "$c_sent" ] &&
	   [ -n "$s_sent" ] && [ "$c_sent" = "$s_recv" ] &&
	   [ "$s_sent" = "$c_recv" ]; then
		return 0
	fi
	tail -n 3 "$dir/cli.$name" "$dir/srv.$name" | sed 's/^/#   /'
	for ns in "$a" "$b"; do
		echo "#   $ns: $(nstat_all "$ns")"
	done
	return 1
}

# nstat_all NS: the non-zero atcp counters of NS (atcp's side) and
# Linux TCP's retransmission and drop counters
nstat_all() {
	# shellcheck disable=SC2016 # awk's fields
	ip netns exec "$1" awk '$2 != 0 { printf "%s %s ", $1, $2 }' \
		/proc/net/atcp_snmp
	ip netns exec "$1" nstat -az TcpRetransSegs TcpExtTCPBacklogDrop \
		TcpExtTCPRcvQDrop 2>/dev/null | awk 'NR > 1 { printf "%s %s ", $1, $2 }'
}

# capture_start FILE FILTER: tcpdump in B on vb into FILE, once it listens
# (--immediate-mode: each packet is written at once, not after libpcap's
# 1 s buffer timeout, which capture_stop's SIGINT would cut short)
capture_start() {
	local i

	ip netns exec "$b" tcpdump -i vb --immediate-mode -U -s 200 \
		-w "$1" "$2" 2>"$1.err" &
	cap_pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q "listening on" "$1.err" 2>/dev/null && return 0
		kill -0 "$cap_pid" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/# tcpdump: /' "$1.err"
	return 1
}

capture_stop() {
	sleep 0.5
	kill -INT "$cap_pid" 2>/dev/null
	wait "$cap_pid" 2>/dev/null
}

# netem_both ARGS...: a netem qdisc of ARGS on both veth ends; netem_clear
netem_both() {
	tc -n "$a" qdisc add dev va root netem "$@" &&
	tc -n "$b" qdisc add dev vb root netem "$@"
}

netem_clear() {
	tc -n "$a" qdisc del dev va root
	tc -n "$b" qdisc del dev vb root
}

t_atcp_to_linux() {
	xfer_pair a2l "$b" 6 10.55.0.2 "$a" 253 $((BIG * MB))
}

t_linux_to_atcp() {
	xfer_pair l2a "$a" 253 10.55.0.1 "$b" 6 $((BIG * MB))
}

# lossy CMD...: CMD with 5 ms, 1 % loss and 25 % reordering on both
# veth ends (netem), its status
lossy() {
	local rc

	netem_both delay 5ms loss 1% reorder 25% 50% limit 10000
	"$@"
	rc=$?
	netem_clear
	return $rc
}

t_netem_loss() {
	lossy xfer_pair loss "$b" 6 10.55.0.2 "$a" 253 $((SMALL * MB))
}

# One line per SYN seen in B: src flags mss sack_perm wscale tsval (tshark
# once, then its answer again: it starts slowly under TCG)
syn_options() {
	if [ -f "$dir/syn.txt" ]; then
		cat "$dir/syn.txt"
		return
	fi
	tshark -n -r "$dir/syn.pcap" -T fields -E separator=' ' -E occurrence=f \
		-e ip.src -e tcp.flags.ack -e tcp.options.mss_val \
		-e tcp.options.sack_perm -e tcp.options.wscale.shift \
		-e tcp.options.timestamp.tsval 2>/dev/null |
		awk '{ printf "%s ack=%s mss=%s sack=%s ws=%s ts=%s\n", $1, $2,
		       $3 != "" ? $3 : "-", $4 != "" ? "y" : "-",
		       $5 != "" ? $5 : "-", $6 != "" ? "y" : "-" }' >"$dir/syn.txt"
	cat "$dir/syn.txt"
}

# check_handshake SYN_SRC: the SYN from SYN_SRC and the SYN,ACK after it
check_handshake() {
	local syn synack
	syn=$(syn_options | awk -v s="$1" '$1 == s && $2 == "ack=0"' | head -n1)
	synack=$(syn_options | awk -v s="$1" '$1 != s && $2 == "ack=1"' | head -n1)
	echo "#   SYN     $syn"
	echo "#   SYN,ACK $synack"
	[ -n "$syn" ] && [ -n "$synack" ] || return 1
	# fields: src ack= mss= sack= ws= ts=; "-" where absent
	local -a o1 o2
	local i rc=0
	read -ra o1 <<<"$syn"
	read -ra o2 <<<"$synack"
	[ "${o1[2]}" != mss=- ] && [ "${o2[2]}" != mss=- ] || rc=1
	for i in 3 4 5; do
		if [ "${o2[i]#*=}" != - ] && [ "${o1[i]#*=}" = - ]; then
			echo "#   ${o2[i]%=*} in the SYN,ACK but not in the SYN"
			rc=1
		fi
	done
	return $rc
}

t_options() {
	local rc=0 sack
	sack=$(nsx "$a" cat /proc/sys/net/atcp/sack)
	# the capture started before the first case; the handshakes of
	# atcp_to_linux and linux_to_atcp if they ran, else two of its own
	[ -n "$cap_pid" ] || return 1
	if [[ " $ran " != *" atcp_to_linux "* ]]; then
		xfer_pair opt_a2l "$b" 6 10.55.0.2 "$a" 253 4096 >/dev/null || rc=1
	fi
	if [[ " $ran " != *" linux_to_atcp "* ]]; then
		xfer_pair opt_l2a "$a" 253 10.55.0.1 "$b" 6 4096 >/dev/null || rc=1
	fi
	capture_stop
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
	nsx "$1" "$PEER" connect --proto "$2" --connect "$3:9" --timeout 10 |
		sed -n 's/^result //p'
}

t_refused() {
	local r1 r2
	r1=$(connect_9 "$a" 253 10.55.0.2)
	r2=$(connect_9 "$b" 6 10.55.0.1)
	echo "# atcp -> Linux port 9: $r1; Linux -> atcp port 9: $r2"
	[ "$r1" = ECONNREFUSED ] && [ "$r2" = ECONNREFUSED ]
}

# on_stack NS PROTO CMD...: CMD in NS, under atcp-run for 253
on_stack() {
	local ns=$1 proto=$2

	shift 2
	if [ "$proto" = 253 ]; then
		nsx "$ns" "$RUN" "$@"
	else
		nsx "$ns" "$@"
	fi
}

# nginx_fetch NAME SRV_NS SRV_PROTO SRV_ADDR CLI_NS CLI_PROTO MB: nginx
# serves a file of MB MiB, curl fetches it; SHA-256 compared, and A's atcp
# counter of the atcp end's opens grew
nginx_fetch() {
	local name=$1 sns=$2 sp=$3 sa=$4 cns=$5 cp=$6 mb=$7
	local p=$dir/nginx.$1 www=$dir/www.$1 want got out pid rc=0
	local ctr before after pre

	mkdir -p "$www"
	head -c $((mb * MB)) /dev/urandom >"$www/f"
	want=$(sha256sum "$www/f" | cut -d' ' -f1)
	ctr=PassiveOpens
	[ "$cp" = 253 ] && ctr=ActiveOpens
	before=$(atcp_snmp "$a" "$ctr")
	nginx_conf "$p" "$sa:8080" "$www"
	# not on_stack in the background: $! would be a subshell's, and
	# nginx would outlive the kill
	pre=(nsenter --net="/run/netns/$sns")
	[ "$sp" = 253 ] && pre+=("$RUN")
	"${pre[@]}" "${nginx_cmd[@]}" >"$p.out" 2>&1 &
	pid=$!
	if ! listener_wait "$sns" "$sp" "$sa" 8080 "$pid"; then
		sed 's/^/# /' "$p.out" "$p/error.log"
		kill "$pid" 2>/dev/null
		wait "$pid"
		return 1
	fi
	out=$(on_stack "$cns" "$cp" curl -sS --fail --max-time 600 \
		-o "$dir/got" -w '%{size_download} %{speed_download}' \
		"http://$sa:8080/f" 2>&1) || rc=1
	got=$(sha256sum "$dir/got" 2>/dev/null | cut -d' ' -f1)
	rm -rf "$dir/got" "$www"
	kill "$pid" 2>/dev/null
	wait "$pid"
	after=$(atcp_snmp "$a" "$ctr")
	if [[ "$out" =~ ^[0-9]+\ ([0-9]+) ]]; then
		echo "# $name: curl ($cp) from nginx ($sp): $mb MB at" \
		     "$((BASH_REMATCH[1] / 1024)) KB/s"
	else
		echo "# $name: curl ($cp) from nginx ($sp): $out" | head -5
		rc=1
	fi
	echo "#   sha256 served $want"
	echo "#          fetched ${got:-nothing}"
	echo "#   atcp $ctr in A: $before -> $after"
	nginx_errors "$p" && rc=1
	[ "$got" = "$want" ] && [ "$after" -gt "$before" ] || rc=1
	return $rc
}

t_nginx_atcp_to_linux() {
	nginx_fetch n_a2l "$b" 6 10.55.0.2 "$a" 253 "$BIG"
}

t_nginx_linux_to_atcp() {
	nginx_fetch n_l2a "$a" 253 10.55.0.1 "$b" 6 "$BIG"
}

t_nginx_netem_atcp_to_linux() {
	lossy nginx_fetch nn_a2l "$b" 6 10.55.0.2 "$a" 253 "$NETEM_MB"
}

t_nginx_netem_linux_to_atcp() {
	lossy nginx_fetch nn_l2a "$a" 253 10.55.0.1 "$b" 6 "$NETEM_MB"
}

# Simultaneous close (RFC 9293 §3.6 case 2, figure 13): atcp client in A,
# Linux server in B, the FINs crossing in 150 ms of delay each way
t_simclose() {
	local sync=$dir/sync spid cpid i rc=0 sa sb tw_a tw_b

	rm -rf "$sync"
	mkdir "$sync"
	netem_both delay 150ms
	start_listener "$dir/ready.sc" nsx "$b" "$PEER" close \
		--proto 6 --listen 10.55.0.2:0 --ready "$dir/ready.sc" \
		--sync "$sync" --role b >"$dir/sc.b" 2>&1
	spid=$lpid
	nsx "$a" "$PEER" close --proto 253 \
		--connect "10.55.0.2:$port" --sync "$sync" --role a \
		>"$dir/sc.a" 2>&1 &
	cpid=$!
	for ((i = 0; i < 600; i++)); do
		[ -e "$sync/ready.a" ] && [ -e "$sync/ready.b" ] && break
		sleep 0.1
	done
	touch "$sync/go"
	wait "$cpid" || rc=1
	wait "$spid" || rc=1
	netem_clear
	sa=$(field "$dir/sc.a" states)
	sb=$(field "$dir/sc.b" states)
	tw_a=$(nsx "$a" awk -v r="10.55.0.2:$port" \
		'$3 == r && $4 == "TIME-WAIT"' /proc/net/atcp | wc -l)
	tw_b=$(ss -N "$b" -Htan state time-wait "sport = :$port" | wc -l)
	echo "# atcp (A):  ${sa:-?}; FIN read: $(field "$dir/sc.a" eof);" \
	     "TIME-WAIT entries: $tw_a"
	echo "# Linux (B): ${sb:-?}; FIN read: $(field "$dir/sc.b" eof);" \
	     "TIME-WAIT entries: $tw_b"
	grep -v "^states \|^eof " "$dir/sc.a" "$dir/sc.b" | sed 's/^/#   /'
	[ "$(field "$dir/sc.a" eof)" = 1 ] && [ "$(field "$dir/sc.b" eof)" = 1 ] &&
		[[ " $sa " == *" CLOSING "* ]] && [[ " $sb " == *" CLOSING "* ]] &&
		[ "$tw_a" = 1 ] && [ "$tw_b" = 1 ] || rc=1
	return $rc
}

# reset_case NAME ABORT_NS ABORT_PROTO ABORT_ADDR RECV_NS RECV_PROTO
# RECV_ADDR: the receiver listens and reads nothing until the abort; the
# aborter connects, writes until its send buffer stays full (RST_MB MiB
# at most) and aborts.  The receiver must read less than was written (the
# rest died with the connection), then ECONNRESET; B's capture must hold
# an RST from ABORT_ADDR
reset_case() {
	local name=$1 ans=$2 ap=$3 aa=$4 rns=$5 rp=$6 ra=$7 rc=0 rpid rst sent got

	rm -rf "$dir/sync.$name"
	mkdir "$dir/sync.$name"
	# the RST on the wire: on 6.1 (tcpdump's start and read cost some
	# 20 s under the debug kernel's TCG)
	if [ "$reduced" != 1 ]; then
		capture_start "$dir/rst.$name.pcap" \
			'tcp[tcpflags] & tcp-rst != 0' || return 1
	fi
	start_listener "$dir/ready.$name" nsx "$rns" "$PEER" \
		recv --proto "$rp" --listen "$ra:0" --ready "$dir/ready.$name" \
		--sync "$dir/sync.$name" --role r >"$dir/r.$name" 2>&1
	rpid=$lpid
	nsx "$ans" "$PEER" abort --proto "$ap" \
		--connect "$ra:$port" --bytes $((RST_MB * MB)) \
		--sync "$dir/sync.$name" >"$dir/a.$name" 2>&1 ||
		rc=1
	wait "$rpid" || rc=1
	rst="not captured (reduced)"
	if [ "$reduced" != 1 ]; then
		capture_stop
		rst=$(tcpdump -n -r "$dir/rst.$name.pcap" "src host $aa and \
			(tcp[tcpflags] & tcp-rst != 0)" 2>/dev/null | wc -l)
		if [ "$rst" = 0 ]; then
			sed 's/^/#   capture: /' "$dir/rst.$name.pcap.err"
			tcpdump -n -r "$dir/rst.$name.pcap" 2>&1 | head -5 |
				sed 's/^/#   capture: /'
		fi
	fi
	echo "# $name: aborter ($ap) $(field "$dir/a.$name" sent) bytes sent;" \
	     "receiver ($rp) read $(field "$dir/r.$name" received)," \
	     "then $(field "$dir/r.$name" end); RSTs from $aa on the wire: $rst"
	grep -v "^sent \|^received \|^end " "$dir/a.$name" "$dir/r.$name" |
		sed 's/^/#   /'
	sent=$(field "$dir/a.$name" sent)
	got=$(field "$dir/r.$name" received)
	[ "$(field "$dir/r.$name" end)" = ECONNRESET ] &&
		{ [ "$reduced" = 1 ] || [ "$rst" -ge 1 ]; } &&
		[ "${got:-0}" -lt "${sent:-0}" ] || rc=1
	return $rc
}

t_reset_from_atcp() {
	reset_case from_atcp "$a" 253 10.55.0.1 "$b" 6 10.55.0.2
}

t_reset_from_linux() {
	reset_case from_linux "$b" 6 10.55.0.2 "$a" 253 10.55.0.1
}

cap_pid=""
ran=""
if [[ " $tests " == *" options "* ]] && [[ " $skip " != *" options "* ]]; then
	capture_start "$dir/syn.pcap" 'tcp[tcpflags] & tcp-syn != 0' ||
		cap_pid=""
fi
for t in $tests; do
	if [[ " $skip " == *" $t "* ]]; then
		tap_skip "$t" "under ATCP_REDUCED=1: the debug kernel's TCG moves some 40 times less a second; ${skip_why[$t]}"
		continue
	fi
	start=$(date +%s)
	"t_$t"
	rc=$?
	echo "# $t: $(($(date +%s) - start)) s"
	tap "$rc" "$t"
	ran="$ran $t"
done
tap_done
