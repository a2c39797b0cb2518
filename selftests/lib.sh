# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # $port, $lpid, nginx_cmd: the caller's
# Shared by the shell selftests (sourced; selftests/run does not run lib*.sh):
# TAP output, the protocol of a variant, veth between namespaces, a
# listener that reports its port on a fifo, and "key value" output files.

# tap_plan CASE...: the TAP header for these cases
tap_plan()
{
	echo "TAP version 13"
	echo "1..$#"
}

# TAP results: tap RESULT NAME prints "ok N NAME" if RESULT is 0, else
# "not ok N NAME" and counts it in $fails.
n=0 fails=0
tap()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

# tap_done: the summary line; returns 0 if every result was ok
tap_done()
{
	echo "# $((n - fails)) passed, $fails failed"
	[ "$fails" = 0 ]
}

# run_tests TEST...: t_TEST for each, one TAP result each, then the summary
run_tests()
{
	local t

	for t in "$@"; do
		"t_$t"
		tap $? "$t"
	done
	tap_done
}

# proto_of tcp|atcp: the IP protocol number of the variant
proto_of()
{
	if [ "$1" = atcp ]; then echo 253; else echo 6; fi
}

# run_variants NAME FUNC VARIANT...: the whole TAP output of a test with
# one case per variant (tcp, atcp): "FUNC PROTO" decides "NAME.VARIANT",
# its time is reported.  Returns 0 if every case passed.
run_variants()
{
	local name=$1 fn=$2 v rc start

	shift 2
	tap_plan "$@"
	for v in "$@"; do
		start=$(date +%s)
		"$fn" "$(proto_of "$v")"
		rc=$?
		echo "# $v: $(($(date +%s) - start)) s"
		tap "$rc" "$name.$v"
	done
	[ "$fails" = 0 ]
}

# only_case ARG...: CASE of the options "-t CASE" (the last), if any
only_case()
{
	local c=""

	while [ $# -gt 0 ]; do
		[ "$1" = -t ] && [ $# -gt 1 ] && { c=$2; shift; }
		shift
	done
	echo "$c"
}

# atcp_snmp NS NAME: atcp's counter NAME (/proc/net/atcp_snmp) in
# namespace NS
atcp_snmp()
{
	ip netns exec "$1" awk -v k="$2" '$1 == k || $1 == k":" { print $2 }' \
		/proc/net/atcp_snmp
}

# netns_del NS...: delete these namespaces, if they exist
netns_del()
{
	local ns

	for ns in "$@"; do
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# veth_pair NS_A DEV_A ADDR_A NS_B DEV_B ADDR_B [NETEM-ARGS...]: new
# namespaces NS_A and NS_B joined by veth DEV_A - DEV_B (ADDR: a/len),
# loopback and both ends up; with NETEM-ARGS, a netem qdisc of them on
# both ends.
veth_pair()
{
	local na=$1 da=$2 aa=$3 nb=$4 db=$5 ab=$6

	shift 6
	ip netns add "$na" && ip netns add "$nb" &&
	ip -n "$na" link add name "$da" type veth peer name "$db" netns "$nb" &&
	ip -n "$na" addr add "$aa" dev "$da" &&
	ip -n "$nb" addr add "$ab" dev "$db" &&
	ip -n "$na" link set lo up && ip -n "$nb" link set lo up &&
	ip -n "$na" link set "$da" up && ip -n "$nb" link set "$db" up ||
		return 1
	[ $# = 0 ] && return 0
	ip netns exec "$na" tc qdisc add dev "$da" root netem "$@" &&
	ip netns exec "$nb" tc qdisc add dev "$db" root netem "$@"
}

# start_listener FIFO CMD...: runs CMD in the background, $lpid, and waits
# for its line "port N" on the fifo FIFO (made anew); sets $port ("" if
# none).  Returns 1 if CMD ends or says nothing within 120 s.
start_listener()
{
	local fifo=$1 i line got=""

	shift
	port=""
	rm -f "$fifo" && mkfifo "$fifo" || return 1
	exec 3<>"$fifo"
	"$@" &
	lpid=$!
	for ((i = 0; i < 120; i++)); do
		# a read that times out keeps what it read of the line: the
		# rest comes with the next (a port of "345" from "port 12345"
		# sent a connection to the wrong port)
		if read -r -t 1 -u 3 line; then
			got+=$line
			port=${got#port }
			exec 3<&-
			[[ $port =~ ^[0-9]+$ ]] && return 0
			echo "# the listener said \"$got\", not its port"
			port=""
			return 1
		fi
		got+=$line
		kill -0 "$lpid" 2>/dev/null || break
	done
	exec 3<&-
	return 1
}

# field FILE KEY: the value of the line "KEY value" of FILE
field()
{
	sed -n "s/^$2 //p" "$1"
}

# tap_skip NAME REASON: "ok N NAME # SKIP REASON" (not counted as a pass by
# the TAP reader)
tap_skip()
{
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

# listener_wait NS PROTO ADDR PORT PID: until NS has a listener of PROTO's
# stack (253: /proc/net/atcp, 6: ss) on ADDR:PORT, 20 s at most or until
# PID (the server) ends
listener_wait()
{
	local ns=$1 proto=$2 a=$3 port=$4 pid=$5 i

	for ((i = 0; i < 100; i++)); do
		if [ "$proto" = 253 ]; then
			ip netns exec "$ns" awk -v a="$a:$port" \
				'$2 == a && $4 == "LISTEN" { f = 1 } END { exit !f }' \
				/proc/net/atcp && return 0
		else
			[ -n "$(ip netns exec "$ns" ss -Hltn "src $a:$port")" ] &&
				return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	echo "# no listener ($proto) on $a:$port"
	return 1
}

# nginx_conf PREFIX ADDR:PORT ROOT: PREFIX/nginx.conf for one nginx process
# (master_process off, daemon off, every path under PREFIX) serving ROOT on
# ADDR:PORT with sendfile and tcp_nopush (nginx's TCP_CORK path); sets
# the array nginx_cmd to the command that runs it
nginx_conf()
{
	local p=$1

	mkdir -p "$p"
	cat >"$p/nginx.conf" <<-EOF
		daemon off;
		master_process off;
		pid $p/nginx.pid;
		error_log $p/error.log notice;
		events { worker_connections 1024; }
		http {
			access_log off;
			sendfile on;
			tcp_nopush on;
			tcp_nodelay on;
			keepalive_requests 100000;
			client_body_temp_path $p/body;
			proxy_temp_path $p/proxy;
			fastcgi_temp_path $p/fastcgi;
			uwsgi_temp_path $p/uwsgi;
			scgi_temp_path $p/scgi;
			server {
				listen $2 backlog=1024;
				root $3;
			}
		}
	EOF
	nginx_cmd=(nginx -e "$p/error.log" -p "$p" -c "$p/nginx.conf")
}

# nginx_errors PREFIX: print nginx's alert/crit/emerg/error lines (5 at
# most) as TAP comments; returns 0 if there were any
nginx_errors()
{
	grep -E "\[(alert|crit|emerg|error)\]" "$1/error.log" 2>/dev/null |
		head -5 | sed 's/^/# nginx: /' | grep .
}
