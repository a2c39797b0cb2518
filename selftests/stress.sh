#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress, for atcp (and, as the proof of the checks, Linux TCP): the
# helper build/selftests-helpers/stress (selftests/helpers/stress.c) runs
# connect/request/response/close with graceful and abortive closes,
# request/response on long-lived connections, checked bulk transfers, a
# listener closed under load, shutdown racing with reads and writes, and
# close racing with connect, all at once, in three runs:
#
#   lo      over 127.0.0.1 in one network namespace
#   veth    client and server in two namespaces joined by veth
#           (10.54.0.1/24 - 10.54.0.2/24)
#   netem   as veth, netem on the client's end: 5 ms delay, 1 % loss
#
# Each run is one TAP result (stress.RUN.PROTO: the helper reports PASS:
# no failed request, no wrong octet, no stuck call, every thread ended),
# and for atcp two more:
#   rmmod_refused.RUN  delete_module("atcp") is refused while the run's
#                      sockets live (the helper tries it at a third and
#                      at two thirds of the run: a shell would be starved
#                      of CPU by the run)
#   settle.RUN         afterwards the in-use objects of the slabs ATCP,
#                      atcp_bind_bucket and atcp_tw and the module refcount
#                      come back to their baseline (msl_ms and
#                      fin_timeout_ms are lowered in the namespaces so that
#                      TIME-WAIT and FIN-WAIT-2 end within the wait)
# and at the end rmmod_clean: `rmmod atcp` succeeds (it is loaded again
# for what follows).  A kernel splat during a run fails that run.
#
#   STRESS_SECONDS   the whole duration of the atcp runs, split between
#                    them (default 45; 30 under ATCP_REDUCED=1); Linux
#                    TCP's runs take a third of that
#   STRESS_PROTOS    "tcp atcp" (default) or "atcp" (the default under
#                    ATCP_REDUCED=1 and for make stress)
#   STRESS_RUNS      "lo veth netem" (default)
#
# timeout: 900
set -u
cd "$(dirname "$0")/.." || exit 1
STRESS=$PWD/build/selftests-helpers/stress
reduced=${ATCP_REDUCED:-0}

total=${STRESS_SECONDS:-45}
protos=${STRESS_PROTOS:-tcp atcp}
io_timeout=30
bulk_kb=1024
if [ "$reduced" = 1 ]; then
	total=${STRESS_SECONDS:-30}
	protos=${STRESS_PROTOS:-atcp}
	io_timeout=120
	bulk_kb=128
fi
runs=${STRESS_RUNS:-lo veth netem}
nruns=$(echo $runs | wc -w)
settle_s=180

ns_s=atcp-stress-$$-s
ns_c=atcp-stress-$$-c
splat_re='WARNING:|BUG:|Oops|KASAN:|UBSAN:|general protection|circular locking'
splat_re+='|possible recursive locking|inconsistent lock state|lock inversion'
splat_re+='|suspicious RCU usage|blocked for more than [0-9]+ seconds'
splat_re+='|rcu: INFO|self-detected stall|refcount_t:'

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $*"; }

cleanup()
{
	ip netns del "$ns_s" 2>/dev/null
	ip netns del "$ns_c" 2>/dev/null
}
trap cleanup EXIT

# In-use objects of a slab (per-CPU slabs flushed first); 0 if absent.
slab()
{
	echo 1 >"/sys/kernel/slab/$1/shrink" 2>/dev/null
	awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print 0 }' /proc/slabinfo
}

usage()
{
	echo "$(slab ATCP) $(slab atcp_bind_bucket) $(slab atcp_tw) $(cat /sys/module/atcp/refcnt 2>/dev/null || echo 0)"
}

# Each count of usage string $1 at most the one of $2.
usage_le()
{
	local a=($1) b=($2) i

	for i in 0 1 2 3; do
		[ "${a[$i]}" -le "${b[$i]}" ] || return 1
	done
}

splats() { dmesg | grep -cE "$splat_re"; }

# Namespaces for run $1 of protocol $2; prints the helper's options.
make_ns()
{
	cleanup
	ip netns add "$ns_s" && ip -n "$ns_s" link set lo up || return 1
	if [ "$1" = lo ]; then
		echo "-S $ns_s -C $ns_s -a 127.0.0.1"
	else
		ip netns add "$ns_c" && ip -n "$ns_c" link set lo up &&
			ip link add veth0 netns "$ns_c" type veth peer name veth1 netns "$ns_s" &&
			ip -n "$ns_c" addr add 10.54.0.1/24 dev veth0 &&
			ip -n "$ns_s" addr add 10.54.0.2/24 dev veth1 &&
			ip -n "$ns_c" link set veth0 up &&
			ip -n "$ns_s" link set veth1 up || return 1
		if [ "$1" = netem ]; then
			ip netns exec "$ns_c" tc qdisc add dev veth0 root netem \
				delay 5ms loss 1% limit 100000 || return 1
		fi
		echo "-S $ns_s -C $ns_c -a 10.54.0.2"
	fi
	for ns in "$ns_s" "$ns_c"; do
		[ -e "/run/netns/$ns" ] || continue
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
		if [ "$2" = atcp ]; then
			ip netns exec "$ns" sysctl -qw net.atcp.msl_ms=500 \
				net.atcp.fin_timeout_ms=1000 || return 1
		fi
	done
}

echo "TAP version 13"
for proto in $protos; do
	for run in $runs; do
		secs=$((total / nruns))
		[ "$proto" = tcp ] && secs=$((secs / 3))
		[ "$secs" -ge 3 ] || secs=3
		name=$run.$proto
		echo "# $name: $secs s"
		s0=$(splats)
		if ! opts=$(make_ns "$run" "$proto"); then
			not_ok "stress.$name # namespace setup failed"
			continue
		fi
		base=$(usage)
		out=$(mktemp)
		rflag=""
		[ "$proto" = atcp ] && rflag=-r
		# shellcheck disable=SC2086
		"$STRESS" -p "$proto" -d "$secs" -T "$io_timeout" -b "$bulk_kb" \
			-s "$RANDOM" $rflag $opts >"$out" 2>&1
		rc=$?
		sed 's/^/# /' "$out"
		refused=$(grep -c '^stress: rmmod at .*refused' "$out")
		rm -f "$out"
		if ! grep -q '^atcp ' /proc/modules; then
			echo "# atcp was unloaded during the run: loading it again"
			insmod module/atcp.ko
		fi
		if [ "$rc" = 0 ] && [ "$(splats)" = "$s0" ]; then
			ok "stress.$name"
		else
			not_ok "stress.$name # status $rc, $(($(splats) - s0)) splats"
		fi
		if [ "$proto" = atcp ]; then
			if [ "$refused" = 2 ]; then
				ok "rmmod_refused.$run"
			else
				not_ok "rmmod_refused.$run # refused $refused times of 2"
			fi
			t0=$(date +%s)
			while ! usage_le "$(usage)" "$base" &&
			      [ $(($(date +%s) - t0)) -lt $settle_s ]; do
				sleep 1
			done
			now_u=$(usage)
			echo "# ATCP atcp_bind_bucket atcp_tw refcnt: before $base," \
			     "after $now_u ($(($(date +%s) - t0)) s)"
			if usage_le "$now_u" "$base"; then
				ok "settle.$run"
			else
				not_ok "settle.$run # $base -> $now_u after ${settle_s} s"
				for ns in "$ns_s" "$ns_c"; do
					[ -e "/run/netns/$ns" ] || continue
					echo "# /proc/net/atcp in $ns:"
					ip netns exec "$ns" cat /proc/net/atcp |
						head -n 20 | sed 's/^/# /'
				done
			fi
		fi
		cleanup
	done
done

if [ "${protos#*atcp}" != "$protos" ]; then
	# Namespaces go on being torn down after ip netns del.
	for _ in $(seq 60); do
		[ "$(cat /sys/module/atcp/refcnt)" = 0 ] && break
		sleep 1
	done
	if rmmod atcp; then
		ok "rmmod_clean"
	else
		not_ok "rmmod_clean # refcnt $(cat /sys/module/atcp/refcnt)"
	fi
	grep -q '^atcp ' /proc/modules || insmod module/atcp.ko
fi
echo "1..$n"
[ "$failed" = 0 ]
