#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 900 (the debug kernel: minutes)
#
# tools/atcp-ladder against atcp's own tracepoints (atcp only: the tool
# reads atcp's trace events, Linux TCP has none of them).
#
#   self_test          tools/atcp-ladder --self-test: its sample traces give
#                      the ladders expected (no VM needed for this one).
#   loopback_trace     a connection over 127.0.0.1 (in a namespace of its
#                      own) with the atcp tracepoints on: the exchange works
#                      and the trace holds the connection's segments.
#   handshake          its ladder opens with the three-way handshake of RFC
#                      9293 3.5 Figure 6, line after line:
#                        SYN-SENT    --> <SEQ=100><CTL=SYN>         --> SYN-RECEIVED
#                        ESTABLISHED <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED
#                        ESTABLISHED --> <SEQ=101><ACK=301><CTL=ACK> --> ESTABLISHED
#   data               the data, each byte once: 2 bytes B to A, 5 bytes A to
#                      B, 5 bytes B to A, sequence numbers advancing by them.
#   close              the close of Figure 12 (A closes first), after the
#                      data: A's FIN (FIN-WAIT-1 --> CLOSE-WAIT), B's FIN
#                      (TIME-WAIT <-- LAST-ACK), A's last ACK (--> CLOSED),
#                      then (2 MSL); no RST.
#   options            with --opts, the handshake shows the options of RFC
#                      7323 and 2018 (the sysctls' defaults offer them):
#                      <MSS=><WS=><SACKOK><TS=v,0> on the SYN, <TS=w,v> on
#                      the SYN,ACK (echoing the SYN's TSval) and <TS=x,w>
#                      on the ACK (echoing the SYN,ACK's).
#   trace_cmd_report   the same from `trace-cmd record -e atcp` and
#                      `trace-cmd report` (SKIP without trace-cmd).
#
# Needs atcp loaded (selftests/run does it) and tracefs.  Leaves tracing
# off and the trace buffer empty.
set -u
cd "$(dirname "$0")/.." || exit 1
LADDER=$PWD/tools/atcp-ladder
T=/sys/kernel/tracing
ns=atcp-ladder-$$
tmp=$(mktemp -d)
n=0
failed=0

cleanup()
{
	if [ -d "$T/events/atcp" ]; then
		echo 0 >"$T/tracing_on"
		echo 0 >"$T/events/atcp/enable"
		echo >"$T/trace"
		echo 1 >"$T/tracing_on"
	fi
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# result NAME STATUS [WHY]
result()
{
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n ladder.$1"
	else
		echo "not ok $n ladder.$1${3:+ # $3}"
		failed=1
	fi
}

skip()
{
	n=$((n + 1))
	echo "ok $n ladder.$1 # SKIP $2"
}

# Show a file as TAP diagnostics.
diag()
{
	sed 's/^/# /' "$1"
}

# One connection, one thread, every step a blocking call: B (the listener)
# greets "hi", A sends "hello", B answers "HELLO"; A shuts down its side,
# B reads the end and closes, A reads B's end and closes.  A ends in
# TIME-WAIT, B's socket is gone once A's last ACK arrives.  Run in the
# namespace as "$tmp/converse.sh PORT", which then waits (up to 20 s) for
# B's socket to go, so that the trace holds the whole close.
cat >"$tmp/converse.py" <<'EOF_PY'
import socket, sys
P = 253
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, P)
s.bind(("127.0.0.1", port))
s.listen(1)
a = socket.socket(socket.AF_INET, socket.SOCK_STREAM, P)
a.connect(("127.0.0.1", port))
b, _ = s.accept()
s.close()
b.sendall(b"hi")
assert a.recv(100) == b"hi"
a.sendall(b"hello")
assert b.recv(100) == b"hello"
b.sendall(b"HELLO")
assert a.recv(100) == b"HELLO"
a.shutdown(socket.SHUT_WR)
assert b.recv(100) == b""
b.close()
assert a.recv(100) == b""
a.close()
print("conversation done")
EOF_PY
cat >"$tmp/converse.sh" <<EOF_SH
ip netns exec $ns python3 $tmp/converse.py "\$1" || exit 1
for i in \$(seq 200); do
	ip netns exec $ns grep -q "127.0.0.1:\$1 127.0.0.1:[0-9]* LAST-ACK" \\
		/proc/net/atcp || exit 0
	sleep 0.1
done
exit 1
EOF_SH

# The first line (number) of FILE matching the extended regex RE after
# line AFTER, or nothing.
line_of()
{
	# The regex through the environment: awk -v would eat its backslashes.
	RE=$2 awk -v after="$3" 'NR > after && $0 ~ ENVIRON["RE"] { print NR; exit }' "$1"
}

# check_ladder FILE: the handshake, data and close results for one ladder
# (atcp-ladder --relative --states output).  Prints nothing; sets hs, data,
# close to 0 (good) or 1.
check_ladder()
{
	local f=$1 l1 l2 l3 d1 d2 d3 f1 f2 f3 end
	local N='^ *([0-9]+\.)? +'

	hs=1 data=1 close=1
	l1=$(line_of "$f" "${N}SYN-SENT +--> <SEQ=100><CTL=SYN> +--> SYN-RECEIVED$" 0)
	[ -n "$l1" ] &&
	l2=$(line_of "$f" "${N}ESTABLISHED +<-- <SEQ=300><ACK=101><CTL=SYN,ACK> +<-- SYN-RECEIVED$" 0) &&
	l3=$(line_of "$f" "${N}ESTABLISHED +--> <SEQ=101><ACK=301><CTL=ACK> +--> ESTABLISHED$" 0) &&
	[ -n "$l2" ] && [ -n "$l3" ] &&
	[ "$l2" = $((l1 + 1)) ] && [ "$l3" = $((l2 + 1)) ] && hs=0

	# B's 2 bytes from 301, A's 5 from 101, B's 5 from 303.
	d1=$(line_of "$f" "${N}ESTABLISHED +<-- <SEQ=301><ACK=101><CTL=[A-Z,]*ACK[A-Z,]*><DATA=2 bytes> +<-- ESTABLISHED$" "${l3:-0}")
	[ -n "$d1" ] &&
	d2=$(line_of "$f" "${N}ESTABLISHED +--> <SEQ=101><ACK=303><CTL=[A-Z,]*ACK[A-Z,]*><DATA=5 bytes> +--> ESTABLISHED$" "$d1") &&
	[ -n "$d2" ] &&
	d3=$(line_of "$f" "${N}ESTABLISHED +<-- <SEQ=303><ACK=106><CTL=[A-Z,]*ACK[A-Z,]*><DATA=5 bytes> +<-- ESTABLISHED$" "$d2") &&
	[ -n "$d3" ] && [ "$(grep -c '<DATA=' "$f")" = 3 ] && data=0

	# A's FIN is sequence number 106, B's 308.
	f1=$(line_of "$f" "FIN-WAIT-1 +--> <SEQ=106><ACK=308><CTL=FIN,ACK> +--> CLOSE-WAIT$" "${d3:-0}")
	[ -n "$f1" ] &&
	f2=$(line_of "$f" "TIME-WAIT +<-- <SEQ=308><ACK=107><CTL=FIN,ACK> +<-- LAST-ACK$" "$f1") &&
	[ -n "$f2" ] &&
	f3=$(line_of "$f" "TIME-WAIT +--> <SEQ=107><ACK=309><CTL=ACK> +--> CLOSED$" "$f2") &&
	[ -n "$f3" ] &&
	end=$(line_of "$f" "^ *[0-9]+\.  \(2 MSL\)$" "$f3") && [ -n "$end" ] &&
	! grep -q 'RST' "$f" && ! grep -q '(lost)\|(retransmission)' "$f" &&
	close=0
}

echo "TAP version 13"
echo "1..7"

# -- self_test ------------------------------------------------------------
"$LADDER" --self-test >"$tmp/self" 2>&1
rc=$?
diag "$tmp/self"
result self_test "$rc"

# -- a traced connection over loopback -------------------------------------
ok=1
if [ ! -d "$T/events/atcp" ]; then
	echo "# no atcp tracepoints in $T/events (atcp not loaded, or no tracefs)"
elif ! ip netns add "$ns" || ! ip -n "$ns" link set lo up; then
	echo "# cannot create the namespace $ns"
else
	echo 0 >"$T/tracing_on"
	echo >"$T/trace"
	echo 1 >"$T/events/atcp/enable"
	echo 1 >"$T/tracing_on"
	if bash "$tmp/converse.sh" 5000 >"$tmp/conv" 2>&1; then
		ok=0
	else
		diag "$tmp/conv"
	fi
	echo 0 >"$T/tracing_on"
	cat "$T/trace" >"$tmp/trace"
	echo 0 >"$T/events/atcp/enable"
	echo >"$T/trace"
	segs=$(grep -c 'atcp_segment: .* 127\.0\.0\.1:5000 ' "$tmp/trace")
	echo "# $segs atcp_segment events of the connection"
	[ "$segs" -ge 12 ] || ok=1
fi
result loopback_trace "$ok"

hs=1 data=1 close=1
if [ "$ok" = 0 ] && "$LADDER" --relative --states --conn 127.0.0.1:5000 \
	"$tmp/trace" >"$tmp/ladder" 2>&1; then
	diag "$tmp/ladder"
	check_ladder "$tmp/ladder"
elif [ -f "$tmp/ladder" ]; then
	diag "$tmp/ladder"
fi
result handshake "$hs"
result data "$data"
result close "$close"

# -- the options of the handshake (--opts) ----------------------------------
ok=1
if [ -f "$tmp/trace" ] && "$LADDER" --relative --opts --conn 127.0.0.1:5000 \
	"$tmp/trace" >"$tmp/opts" 2>&1; then
	syn=$(grep -m1 -- '--> <SEQ=100><MSS=[0-9]*><WS=[0-9]*><SACKOK><TS=[0-9]*,0><CTL=SYN>' "$tmp/opts")
	sa=$(grep -m1 -- '<-- <SEQ=300><ACK=101><MSS=[0-9]*><WS=[0-9]*><SACKOK><TS=[0-9]*,[0-9]*><CTL=SYN,ACK>' "$tmp/opts")
	ack=$(grep -m1 -- '--> <SEQ=101><ACK=301><TS=[0-9]*,[0-9]*><CTL=ACK>' "$tmp/opts")
	v=$(echo "$syn" | sed -n 's/.*<TS=\([0-9]*\),0>.*/\1/p')
	w=$(echo "$sa" | sed -n 's/.*<TS=\([0-9]*\),\([0-9]*\)>.*/\1 \2/p')
	x=$(echo "$ack" | sed -n 's/.*<TS=\([0-9]*\),\([0-9]*\)>.*/\2/p')
	[ -n "$v" ] && [ "${w#* }" = "$v" ] && [ -n "$x" ] &&
		[ "$x" = "${w% *}" ] && ok=0
	[ "$ok" = 0 ] || diag "$tmp/opts"
fi
result options "$ok"

# -- the same through trace-cmd --------------------------------------------
if ! command -v trace-cmd >/dev/null; then
	skip trace_cmd_report "no trace-cmd"
elif [ "$ok" != 0 ]; then
	result trace_cmd_report 1 "no traced connection"
else
	ok=1
	if trace-cmd record -q -o "$tmp/tc.dat" -e atcp \
		bash "$tmp/converse.sh" 5001 >"$tmp/tc.log" 2>&1 &&
	   trace-cmd report -i "$tmp/tc.dat" >"$tmp/tc.txt" 2>>"$tmp/tc.log" &&
	   "$LADDER" --relative --states --conn 127.0.0.1:5001 <"$tmp/tc.txt" \
		>"$tmp/tc.ladder" 2>&1; then
		check_ladder "$tmp/tc.ladder"
		[ "$hs$data$close" = 000 ] && ok=0
		[ "$ok" = 0 ] || diag "$tmp/tc.ladder"
	else
		diag "$tmp/tc.log"
		[ -f "$tmp/tc.ladder" ] && diag "$tmp/tc.ladder"
	fi
	result trace_cmd_report "$ok"
fi

exit "$failed"
