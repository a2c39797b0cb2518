#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connections aborted in loss recovery are freed, for Linux TCP (protocol
# 6) and atcp (protocol 253).  Two namespaces joined by veth, netem on
# both ends (5 ms, 20 % loss): a client connects ROUNDS times, sends
# 200 KB without blocking, waits 0.15 s (SACK recovery, RACK's reordering
# timer and tail loss probes are running) and closes with SO_LINGER {1, 0}
# (RFC 9293 §3.10.4 ABORT); the server reads each connection until it
# ends.  Under the debug kernel's TCG the hold is 0.5 s; where no
# connection of a batch reached recovery (20 % loss is random), up to two
# more batches run.  Checks, per protocol:
#   - the scenario happened: the client's TCPSackRecovery counter rose
#     (nstat for Linux TCP, /proc/net/atcp_snmp for atcp);
#   - every socket is freed within 60 s of the end: Linux TCP's allocated
#     count (/proc/net/sockstat "alloc") and atcp's module refcount (each
#     atcp socket holds one) come back to their baseline.
# A timer re-armed twice in one run of its handler once kept a reference
# on such sockets: they were never freed and atcp could not be unloaded.
#
#   ROUNDS (default 30)
#
# timeout: 600
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
rounds=${ROUNDS:-30}
variants="tcp atcp"
[ "${ATCP_REDUCED:-0}" = 1 ] && variants=atcp
[ "${1:-}" = -v ] && variants=$2

ns_c=atcp-abrec-$$-c
ns_s=atcp-abrec-$$-s
spid=""

cleanup()
{
	[ -n "$spid" ] && kill "$spid" 2>/dev/null
	netns_del "$ns_c" "$ns_s"
}
trap cleanup EXIT

make_link()
{
	veth_pair "$ns_c" va 10.54.7.1/24 "$ns_s" vb 10.54.7.2/24 \
		delay 5ms loss 20%
}

# live sockets of protocol $1: Linux TCP's allocated count, atcp's
# module refcount
live()
{
	if [ "$1" = 6 ]; then
		awk '$1 == "TCP:" { for (i = 2; i < NF; i++)
			if ($i == "alloc") print $(i + 1) }' /proc/net/sockstat
	else
		cat /sys/module/atcp/refcnt
	fi
}

sack_recoveries()
{
	if [ "$1" = 6 ]; then
		ip netns exec "$ns_c" nstat -az TcpExtTCPSackRecovery |
			awk '$1 == "TcpExtTCPSackRecovery" { print $2 }'
	else
		atcp_snmp "$ns_c" TCPSackRecovery
	fi
}

run_one()
{
	local proto=$1 base now rec=0 i ok=0 batch hold=0.15

	make_link || { echo "# cannot build the link"; return 1; }
	base=$(live "$proto")
	ip netns exec "$ns_s" python3 -c '
import socket, sys, threading
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, int(sys.argv[1]))
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.54.7.2", 7000))
s.listen(64)
def serve(c):
    try:
        while c.recv(65536):
            pass
    except OSError:
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
' "$proto" &
	spid=$!
	sleep 1
	[ "${ATCP_REDUCED:-0}" = 1 ] && hold=0.5
	for ((batch = 1; batch <= 3; batch++)); do
		ip netns exec "$ns_c" python3 -c '
import socket, struct, sys, time
for i in range(int(sys.argv[2])):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, int(sys.argv[1]))
    c.settimeout(5)
    try:
        c.connect(("10.54.7.2", 7000))
        c.setblocking(False)
        try:
            c.send(b"x" * 200000)
        except OSError:
            pass
        time.sleep(float(sys.argv[3]))
    except OSError:
        pass
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
' "$proto" "$rounds" "$hold"
		rec=$(sack_recoveries "$proto")
		[ "${rec:-0}" -ge 1 ] && break
		echo "# batch $batch of $rounds: no connection reached SACK recovery"
	done
	kill "$spid"
	wait "$spid" 2>/dev/null
	spid=""
	for ((i = 0; i < 60; i++)); do
		now=$(live "$proto")
		[ "$now" -le "$base" ] && break
		sleep 1
	done
	echo "# $((rounds * (batch > 3 ? 3 : batch))) aborts: TCPSackRecovery ${rec:-?}; live sockets" \
		"$base before, $now after ${i} s"
	[ "${rec:-0}" -ge 1 ] || { echo "# no connection was in SACK recovery"; ok=1; }
	[ "$now" -le "$base" ] || { echo "# $((now - base)) sockets were not freed"; ok=1; }
	netns_del "$ns_c" "$ns_s"
	return $ok
}

run_variants abort_recovery run_one $variants
