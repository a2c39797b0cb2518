#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified applications (Debian 12's packages, scripts/setup) over atcp
# through tools/atcp-run, and the same programs over Linux TCP in the same
# boot.  Server in namespace B (10.60.0.2), client in A (10.60.0.1), joined
# by veth.  Each run checks that its connections were the stack's it meant:
# for atcp, atcp's ActiveOpens (A) and PassiveOpens (B) in
# /proc/net/atcp_snmp grew and Linux TCP's (/proc/net/snmp) did not; for
# Linux TCP the other way round.  A program that silently made a Linux TCP
# socket (AF_INET6, a static helper) fails the atcp run.
#
#   iperf3        iperf3 -s and -c, both ways (-R), 3 s each: the JSON's
#                 byte counts (sent > 0, received > 0 and within the
#                 sender's count, no error); the figures are printed, not
#                 judged
#   nginx         nginx (sendfile, tcp_nopush, epoll, accept4) serves a
#                 100 MB file that curl fetches, SHA-256 checked; then wrk
#                 for 20 s on 50 keep-alive connections and ab with a
#                 connection per request: every request answered 200, no
#                 socket error
#   redis         redis-server and redis-benchmark (SET and GET, 50
#                 clients, 10,000 of each): the server counted every SET
#                 and GET (INFO commandstats), no error reply, no
#                 rejected connection
#   ssh           sshd (its own config, host key and authorized_keys) and
#                 scp of 100 MB to it, SHA-256 checked; then ssh -W through
#                 the sshd to its own atcp-only port: sshd's re-executed,
#                 privilege-separated session process kept LD_PRELOAD
#   http_server   python3 -m http.server serving 16 MB to curl, SHA-256
#
# Each for tcp and atcp ("-v tcp|atcp").  The sizes and times above are
# atcp's; Linux TCP's runs, which prove the test, move 16 MB (4 MB for
# http.server) with 4 s of wrk and 2,000 redis requests of each kind.
# ATCP_REDUCED=1 (the debug kernel): every case is reported as a skip
# unless -t CASE asks for it; then atcp only, 4 MB (2 MB), 5 s of load,
# 1,000 redis requests.
#
#   apps.sh [-t CASE] [-v tcp|atcp]
#
# timeout: 900
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/lib.sh
. selftests/lib.sh
top=$PWD
RUN=$top/tools/atcp-run
MB=$((1024 * 1024))

reduced=${ATCP_REDUCED:-0}
# sizes in MB, durations in s; Linux TCP's runs, which prove the test,
# move less (set_sizes)
IPERF_T=3
set_sizes()
{
	if [ "$reduced" = 1 ]; then
		BIG=4 PYMB=2 LOAD=5 REDIS_N=1000
	elif [ "$1" = atcp ]; then
		BIG=100 PYMB=16 LOAD=20 REDIS_N=10000
	else
		BIG=16 PYMB=4 LOAD=4 REDIS_N=2000
	fi
}
[ "$reduced" = 1 ] && IPERF_T=2

only_test=""
only_variant=""
while [ $# -gt 0 ]; do
	case $1 in
	-t) only_test=$2; shift 2 ;;
	-v) only_variant=$2; shift 2 ;;
	*) echo "usage: $0 [-t CASE] [-v tcp|atcp]" >&2; exit 2 ;;
	esac
done

tests="iperf3 nginx redis ssh http_server"
variants="tcp atcp"
skipped=""
if [ "$reduced" = 1 ]; then
	variants=atcp
	# the debug kernel: the applications are user space over paths the
	# other tests cover under KASAN, and iperf3 alone took 221 s (both
	# ways, 2 s each): each runs with -t CASE
	if [ -z "$only_test" ]; then
		skipped=$tests
		tests=""
	fi
fi
sel=()
for t in $tests; do
	[ -z "$only_test" ] || [ "$only_test" = "$t" ] || continue
	for v in $variants; do
		[ -z "$only_variant" ] || [ "$only_variant" = "$v" ] || continue
		sel+=("$t.$v")
	done
done

A=atcp-apps-$$-a
B=atcp-apps-$$-b
CA=10.60.0.1
SA=10.60.0.2
dir=$(mktemp -d)
chmod 755 "$dir"
spids=()

# ns_kill NS...: SIGKILL to every process left in these namespaces (sshd's
# per-connection children outlive their listener); their sockets would
# keep the module in use
ns_kill()
{
	local ns p

	for ns in "$@"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
	done
}

cleanup()
{
	local p

	for p in "${spids[@]}"; do
		kill "$p" 2>/dev/null
	done
	ns_kill "$A" "$B"
	netns_del "$A" "$B"
	rm -rf "$dir"
}
trap cleanup EXIT

set -- $skipped
echo "TAP version 13"
echo "1..$((${#sel[@]} + $#))"
for t in $skipped; do
	n=$((n + 1))
	echo "ok $n apps.$t.atcp # SKIP under ATCP_REDUCED=1 (user space; iperf3 alone takes ~4 minutes under the debug kernel's TCG): -t $t runs it"
done

# -- helpers -----------------------------------------------------------------

# tcp_snmp NS NAME: Linux TCP's counter NAME (the Tcp: lines of
# /proc/net/snmp) in namespace NS
tcp_snmp()
{
	ip netns exec "$1" awk -v k="$2" '
		$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Tcp:" && h { print $c[k]; exit }' /proc/net/snmp
}

# opens: "atcp-active atcp-passive tcp-active tcp-passive" (A's active
# opens, B's passive opens, for each stack)
opens()
{
	echo "$(atcp_snmp "$A" ActiveOpens) $(atcp_snmp "$B" PassiveOpens)" \
		"$(tcp_snmp "$A" ActiveOpens) $(tcp_snmp "$B" PassiveOpens)"
}

# stack_check VARIANT BEFORE MIN: the connections since BEFORE (opens)
# were VARIANT's, at least MIN of them each way, none of the other stack's
stack_check()
{
	local v=$1 min=$3 b a i d=()

	read -ra b <<<"$2"
	read -ra a <<<"$(opens)"
	for i in 0 1 2 3; do
		d[i]=$((a[i] - b[i]))
	done
	echo "# connections: atcp active ${d[0]} passive ${d[1]}," \
		"Linux TCP active ${d[2]} passive ${d[3]}"
	if [ "$v" = atcp ]; then
		[ "${d[0]}" -ge "$min" ] && [ "${d[1]}" -ge "$min" ] &&
			[ "${d[2]}" = 0 ] && [ "${d[3]}" = 0 ] && return 0
	else
		[ "${d[2]}" -ge "$min" ] && [ "${d[3]}" -ge "$min" ] &&
			[ "${d[0]}" = 0 ] && [ "${d[1]}" = 0 ] && return 0
	fi
	echo "# expected at least $min $v connections each way and no other"
	return 1
}

# in NS VARIANT CMD...: CMD in namespace NS, under atcp-run for atcp
in_ns()
{
	local ns=$1 v=$2

	shift 2
	if [ "$v" = atcp ]; then
		ip netns exec "$ns" "$RUN" "$@"
	else
		ip netns exec "$ns" "$@"
	fi
}

# start_srv VARIANT LOG CMD...: CMD in B in the background, its pid last in
# spids
start_srv()
{
	local v=$1 log=$2

	shift 2
	in_ns "$B" "$v" "$@" >"$log" 2>&1 &
	spids+=($!)
}

# stop_srv: SIGTERM to the last server started, wait for it (10 s, then
# SIGKILL, which is a failure: a server that does not end on SIGTERM is
# stuck, maybe in atcp)
stop_srv()
{
	local p=${spids[-1]} i

	unset 'spids[-1]'
	kill "$p" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$p" 2>/dev/null || { wait "$p"; return 0; }
		sleep 0.1
	done
	echo "# server $p did not end on SIGTERM within 10 s:" \
		"$(tr '\0' ' ' <"/proc/$p/cmdline")"
	grep State "/proc/$p/status" | sed 's/^/#   /'
	sed 's/^/#   /' "/proc/$p/stack" 2>/dev/null
	kill -9 "$p" 2>/dev/null
	wait "$p"
	return 1
}

# wait_listen VARIANT PORT: until B has a listener of the variant's stack
# on SA:PORT, 20 s at most
wait_listen()
{
	listener_wait "$B" "$(proto_of "$1")" "$SA" "$2" "${spids[-1]}"
}

# blob FILE MB: FILE of MB MiB of random bytes; prints its SHA-256
blob()
{
	head -c $(($2 * MB)) /dev/urandom >"$1"
	sha256sum "$1" | cut -d' ' -f1
}

# -- the applications ---------------------------------------------------------

# iperf3 both ways; JSON checks by python
iperf_check='
import json, sys
r = json.load(open(sys.argv[1]))
if "error" in r:
    sys.exit("error: " + r["error"])
s = r["end"]["sum_sent"]["bytes"]
v = r["end"]["sum_received"]["bytes"]
bps = r["end"]["sum_received"]["bits_per_second"]
print("# sent %d, received %d bytes: %.0f Mbit/s, %d retransmits" %
      (s, v, bps / 1e6, r["end"]["sum_sent"].get("retransmits", -1)))
if not (s > 0 and 0 < v <= s):
    sys.exit("byte counts out of range")
'

t_iperf3()
{
	local v=$1 port=5201 before rc=0 r

	before=$(opens)
	for r in "" -R; do
		start_srv "$v" "$dir/iperf3.s" iperf3 -s -1 -B "$SA" -p "$port"
		wait_listen "$v" "$port" || { stop_srv; return 1; }
		in_ns "$A" "$v" iperf3 -c "$SA" -p "$port" -t "$IPERF_T" $r -J \
			>"$dir/iperf3.json" 2>"$dir/iperf3.err"
		[ $? = 0 ] || { echo "# iperf3 -c $r: $(cat "$dir/iperf3.err")"; rc=1; }
		echo "# $v ${r:-client to server}${r:+ (server to client)}:"
		python3 -c "$iperf_check" "$dir/iperf3.json" || rc=1
		# iperf3 -s -1 ends by itself after one test
		local p=${spids[-1]} i
		for ((i = 0; i < 100; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		stop_srv || rc=1
	done
	stack_check "$v" "$before" 4 || rc=1
	return $rc
}

# nginx: the big file by curl, then wrk and ab
t_nginx()
{
	local v=$1 port=8080 before rc=0 want got out www=$dir/www n

	before=$(opens)
	mkdir -p "$www"
	want=$(blob "$www/big" "$BIG")
	head -c 4096 /dev/urandom | base64 >"$www/index.html"
	nginx_conf "$dir/nginx" "$SA:$port" "$www"
	start_srv "$v" "$dir/nginx.out" "${nginx_cmd[@]}"
	if ! wait_listen "$v" "$port"; then
		sed 's/^/# /' "$dir/nginx.out" "$dir/nginx/error.log"
		stop_srv
		return 1
	fi

	out=$(in_ns "$A" "$v" curl -sS --fail -o "$dir/got" \
		-w '%{size_download} %{speed_download}' "http://$SA:$port/big" 2>&1) || rc=1
	got=$(sha256sum "$dir/got" | cut -d' ' -f1)
	rm -f "$dir/got"
	read -r n speed <<<"$out"
	echo "# curl: $out (bytes, bytes/s): ${BIG} MB at $((${speed%.*} / MB)) MB/s"
	echo "# sha256 served $want"
	echo "#        fetched $got"
	[ "$got" = "$want" ] || rc=1

	# wrk: 50 keep-alive connections; it reports "Socket errors" and
	# "Non-2xx or 3xx responses" only when there are any
	out=$(in_ns "$A" "$v" wrk -t 2 -c 50 -d "${LOAD}s" --timeout 10s \
		"http://$SA:$port/index.html" 2>&1) || rc=1
	sed 's/^/#   /' <<<"$out"
	n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' <<<"$out")
	if [ "${n:-0}" -lt 1 ] || grep -qE "Socket errors|Non-2xx" <<<"$out"; then
		echo "# wrk: socket errors or failed requests"
		rc=1
	fi

	# ab: a connection per request (accept4 and close churn)
	n=$((LOAD * 50))
	out=$(in_ns "$A" "$v" ab -q -n "$n" -c 20 -s 10 \
		"http://$SA:$port/index.html" 2>&1) || rc=1
	grep -E "^(Complete|Failed|Non-2xx|Requests per|Write errors)" <<<"$out" |
		sed 's/^/#   ab: /'
	if ! grep -q "^Complete requests: *$n$" <<<"$out" ||
	   ! grep -q "^Failed requests: *0$" <<<"$out" ||
	   grep -qE "^(Non-2xx|Write errors)" <<<"$out"; then
		echo "# ab: failed requests"
		rc=1
	fi
	stop_srv || rc=1
	nginx_errors "$dir/nginx" && rc=1
	rm -rf "$www" "$dir/nginx"
	stack_check "$v" "$before" $((n + 1)) || rc=1
	return $rc
}

# redis-server and redis-benchmark, SET and GET, 50 clients
t_redis()
{
	local v=$1 port=6390 before rc=0 out info set get

	before=$(opens)
	start_srv "$v" "$dir/redis.log" redis-server --bind "$SA" --port "$port" \
		--save "" --appendonly no --protected-mode no --daemonize no \
		--dir "$dir"
	wait_listen "$v" "$port" || { stop_srv; sed 's/^/# /' "$dir/redis.log"; return 1; }
	out=$(in_ns "$A" "$v" redis-benchmark -h "$SA" -p "$port" -c 50 \
		-n "$REDIS_N" -t set,get --csv 2>&1) || rc=1
	sed 's/^/#   /' <<<"$out"
	info=$(in_ns "$A" "$v" redis-cli -h "$SA" -p "$port" info all 2>&1 | tr -d '\r')
	set=$(sed -n 's/^cmdstat_set:calls=\([0-9]*\),.*/\1/p' <<<"$info")
	get=$(sed -n 's/^cmdstat_get:calls=\([0-9]*\),.*/\1/p' <<<"$info")
	grep -E "^(total_connections_received|rejected_connections|total_error_replies):" \
		<<<"$info" | sed 's/^/# redis: /'
	echo "# redis: SET calls ${set:-none}, GET calls ${get:-none} (asked $REDIS_N each)"
	[ "${set:-0}" = "$REDIS_N" ] && [ "${get:-0}" = "$REDIS_N" ] &&
		grep -q "^rejected_connections:0$" <<<"$info" &&
		grep -q "^total_error_replies:0$" <<<"$info" || rc=1
	stop_srv || rc=1
	stack_check "$v" "$before" 50 || rc=1
	return $rc
}

# sshd and scp; then ssh -W through sshd to sshd's own port
t_ssh()
{
	local v=$1 port=2222 before rc=0 want got k=$dir/ssh out t0 t1 wtime
	local opts

	before=$(opens)
	rm -rf "$k"
	mkdir -p "$k" /run/sshd
	ssh-keygen -q -t ed25519 -N "" -f "$k/host" &&
	ssh-keygen -q -t ed25519 -N "" -f "$k/user" &&
	cp "$k/user.pub" "$k/authorized_keys" || return 1
	cat >"$k/sshd_config" <<-EOF
		ListenAddress $SA:$port
		HostKey $k/host
		AuthorizedKeysFile $k/authorized_keys
		PermitRootLogin prohibit-password
		StrictModes no
		UsePAM no
		PidFile $k/sshd.pid
		Subsystem sftp internal-sftp
		AllowTcpForwarding yes
	EOF
	# sshd needs its absolute path to re-execute itself
	start_srv "$v" "$dir/sshd.log" /usr/sbin/sshd -D -e -f "$k/sshd_config"
	wait_listen "$v" "$port" || { stop_srv; sed 's/^/# /' "$dir/sshd.log"; return 1; }
	want=$(blob "$dir/scp.src" "$BIG")
	opts=(-F /dev/null -i "$k/user" -o BatchMode=yes
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
		-o LogLevel=ERROR)
	t0=$(date +%s.%N)
	in_ns "$A" "$v" scp "${opts[@]}" -P "$port" "$dir/scp.src" \
		"root@$SA:$dir/scp.dst" 2>&1 | sed 's/^/# scp: /'
	t1=$(date +%s.%N)
	got=$(sha256sum "$dir/scp.dst" 2>/dev/null | cut -d' ' -f1)
	rm -f "$dir/scp.src" "$dir/scp.dst"
	echo "# scp: $BIG MB in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s"
	echo "# sha256 sent $want"
	echo "#        received ${got:-nothing}"
	[ "$got" = "$want" ] || rc=1
	# sshd's session process opens the forwarded connection: over atcp
	# only if LD_PRELOAD survived sshd's re-execution and privilege
	# separation (a Linux TCP socket finds no listener: atcp's sshd).
	# The banner is all it reads; ssh -W then waits on the inner sshd (as
	# much over Linux TCP): timeout ends it.
	wtime=15
	[ "$reduced" = 1 ] && wtime=60
	out=$(in_ns "$A" "$v" timeout "$wtime" ssh "${opts[@]}" -p "$port" \
		-W "$SA:$port" "root@$SA" </dev/null 2>&1 | head -c 16 | tr -d '\r\n')
	echo "# ssh -W $SA:$port through sshd: '$out'"
	[ "${out#SSH-2.0-}" != "$out" ] || rc=1
	stop_srv || rc=1
	ns_kill "$B"
	grep -iE "error|fatal" "$dir/sshd.log" | head -5 | sed 's/^/# sshd: /'
	stack_check "$v" "$before" 2 || rc=1
	return $rc
}

# python3 -m http.server and curl
t_http_server()
{
	local v=$1 port=8000 before rc=0 want got out

	before=$(opens)
	mkdir -p "$dir/www"
	want=$(blob "$dir/www/blob" "$PYMB")
	start_srv "$v" "$dir/http.log" python3 -m http.server --bind "$SA" \
		--directory "$dir/www" "$port"
	wait_listen "$v" "$port" || { stop_srv; sed 's/^/# /' "$dir/http.log"; return 1; }
	out=$(in_ns "$A" "$v" curl -sS --fail -o "$dir/got" \
		-w '%{size_download} %{speed_download}' "http://$SA:$port/blob" 2>&1) || rc=1
	got=$(sha256sum "$dir/got" | cut -d' ' -f1)
	echo "# curl: $out (bytes, bytes/s)"
	echo "# sha256 served $want"
	echo "#        fetched $got"
	[ "$got" = "$want" ] || rc=1
	stop_srv || rc=1
	rm -rf "$dir/www" "$dir/got"
	stack_check "$v" "$before" 1 || rc=1
	return $rc
}

main()
{
	local c t v start rc

	if ! veth_pair "$A" va "$CA/24" "$B" vb "$SA/24"; then
		for c in "${sel[@]}"; do
			tap 1 "apps.$c # no veth"
		done
		return 1
	fi
	for c in "${sel[@]}"; do
		t=${c%.*}
		v=${c##*.}
		start=$(date +%s)
		set_sizes "$v"
		"t_$t" "$v"
		rc=$?
		echo "# $c: $(($(date +%s) - start)) s"
		tap "$rc" "apps.$c"
	done
	[ "$fails" = 0 ]
}

[ ${#sel[@]} -gt 0 ] || exit 0
main
