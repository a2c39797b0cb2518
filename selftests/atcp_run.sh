#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/atcp-run: unmodified programs over atcp by LD_PRELOAD.
#
#   protocols    the protocol each kind of socket gets (SO_PROTOCOL) from
#                a Python program: AF_INET stream sockets (protocol 0,
#                IPPROTO_TCP, with SOCK_NONBLOCK|SOCK_CLOEXEC) become atcp
#                (253); AF_INET6 stream, AF_INET datagram and AF_UNIX stay
#                as they are.  The same program without atcp-run gets 6:
#                that proves the check.
#   http_sha     python3 -m http.server under atcp-run serves a file that a
#                Python client under atcp-run fetches; SHA-256 equal; the
#                server's connections were atcp's (PassiveOpens in
#                /proc/net/atcp_snmp), and a client without atcp-run (Linux
#                TCP) is refused by the atcp-only server.
#   sol_tcp      TCP_NODELAY, TCP_MAXSEG and TCP_INFO through SOL_TCP on a
#                turned socket, as a program written for TCP sets them.
#
# timeout: 300
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
top=$PWD
RUN=$top/tools/atcp-run
MB=8
only=$(only_case "$@")

tests="protocols http_sha sol_tcp"
[ -n "$only" ] && tests=$only
if [ "${ATCP_REDUCED:-0}" = 1 ]; then
	echo "TAP version 13"
	echo "1..1"
	echo "ok 1 atcp_run # SKIP the preload library is user space: run on 6.1 (2 minutes under the debug kernel's TCG)"
	exit 0
fi
# shellcheck disable=SC2086
tap_plan $tests

if [ ! -f "$top/build/libatcp-run.so" ]; then
	echo "# build/libatcp-run.so is missing (make tools)"
fi

protos_py='
import socket
def p(*a):
    s = socket.socket(*a)
    v = s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)
    s.close()
    return v
print(p(socket.AF_INET, socket.SOCK_STREAM),
      p(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP),
      p(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK |
        socket.SOCK_CLOEXEC),
      p(socket.AF_INET6, socket.SOCK_STREAM),
      p(socket.AF_INET, socket.SOCK_DGRAM),
      p(socket.AF_UNIX, socket.SOCK_STREAM))
'

t_protocols() {
	local with without
	with=$("$RUN" python3 -c "$protos_py" 2>&1)
	without=$(python3 -c "$protos_py" 2>&1)
	echo "# with atcp-run:    $with"
	echo "# without atcp-run: $without"
	[ "$with" = "253 253 253 6 17 0" ] && [ "$without" = "6 6 6 6 17 0" ]
}

t_http_sha() {
	local ns=atcp-run-$$ dir rc=1 pid want got p0 p1 port=8642
	dir=$(mktemp -d)
	head -c $((MB * 1024 * 1024)) /dev/urandom >"$dir/blob"
	want=$(sha256sum "$dir/blob" | cut -d' ' -f1)
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	p0=$(atcp_snmp "$ns" PassiveOpens)
	ip netns exec "$ns" "$RUN" python3 -m http.server --bind 127.0.0.1 \
		--directory "$dir" "$port" >"$dir/server.log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		ip netns exec "$ns" "$RUN" python3 -c "
import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" \
			2>/dev/null && break
		sleep 0.2
	done
	got=$(ip netns exec "$ns" "$RUN" python3 -c "
import hashlib, urllib.request
d = urllib.request.urlopen('http://127.0.0.1:$port/blob', timeout=60).read()
print(hashlib.sha256(d).hexdigest())" 2>&1)
	p1=$(atcp_snmp "$ns" PassiveOpens)
	echo "# $MB MB: sha256 sent $want"
	echo "#         received $got; atcp PassiveOpens $p0 -> $p1"
	# Linux TCP finds no listener there: refused
	if ip netns exec "$ns" python3 -c "
import socket; socket.create_connection(('127.0.0.1', $port), 2)" 2>/dev/null
	then
		echo "# a Linux TCP client reached the server: it is not atcp's"
	elif [ "$got" = "$want" ] && [ "$((p1 - p0))" -ge 2 ]; then
		rc=0
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ip netns del "$ns"
	rm -rf "$dir"
	return $rc
}

t_sol_tcp() {
	local out
	out=$("$RUN" python3 -c '
import socket, struct
s = socket.socket()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1000)
info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL),
      s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
      s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG), info[0])
' 2>&1)
	echo "# protocol, TCP_NODELAY, TCP_MAXSEG, tcpi_state: $out"
	# state 7: TCP_CLOSE
	[ "$out" = "253 1 1000 7" ]
}

# shellcheck disable=SC2086
run_tests $tests
