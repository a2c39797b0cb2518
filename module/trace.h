/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atcp tracepoints: every state change and every segment in and out, for
 * trace-cmd, /sys/kernel/tracing and tools/atcp-ladder.
 *
 *   atcp:atcp_state_change  sk=... 10.0.0.1:5000 > 10.0.0.2:80 SYN-SENT -> ESTABLISHED
 *   atcp:atcp_segment       out 10.0.0.1:5000 > 10.0.0.2:80 seq=.. ack=.. len=..
 *                           wnd=.. up=.. flags=SYN,ACK mss=1460
 *   atcp:atcp_probe         10.0.0.1:5000 > 10.0.0.2:80 snd_una=.. snd_nxt=..
 *                           cwnd=.. ssthresh=.. snd_wnd=.. srtt=.. ...
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM atcp

#if !defined(_ATCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ATCP_TRACE_H

#include <linux/tcp.h>
#include <linux/tracepoint.h>
#include <net/sock.h>

#include "atcp.h"

TRACE_DEFINE_ENUM(TCP_ESTABLISHED);
TRACE_DEFINE_ENUM(TCP_SYN_SENT);
TRACE_DEFINE_ENUM(TCP_SYN_RECV);
TRACE_DEFINE_ENUM(TCP_FIN_WAIT1);
TRACE_DEFINE_ENUM(TCP_FIN_WAIT2);
TRACE_DEFINE_ENUM(TCP_TIME_WAIT);
TRACE_DEFINE_ENUM(TCP_CLOSE);
TRACE_DEFINE_ENUM(TCP_CLOSE_WAIT);
TRACE_DEFINE_ENUM(TCP_LAST_ACK);
TRACE_DEFINE_ENUM(TCP_LISTEN);
TRACE_DEFINE_ENUM(TCP_CLOSING);
TRACE_DEFINE_ENUM(TCP_CA_Open);
TRACE_DEFINE_ENUM(TCP_CA_Disorder);
TRACE_DEFINE_ENUM(TCP_CA_CWR);
TRACE_DEFINE_ENUM(TCP_CA_Recovery);
TRACE_DEFINE_ENUM(TCP_CA_Loss);

#define atcp_show_state(s)						\
	__print_symbolic(s,						\
		{ TCP_ESTABLISHED, "ESTABLISHED" },			\
		{ TCP_SYN_SENT, "SYN-SENT" },				\
		{ TCP_SYN_RECV, "SYN-RECEIVED" },			\
		{ TCP_FIN_WAIT1, "FIN-WAIT-1" },			\
		{ TCP_FIN_WAIT2, "FIN-WAIT-2" },			\
		{ TCP_TIME_WAIT, "TIME-WAIT" },				\
		{ TCP_CLOSE, "CLOSED" },				\
		{ TCP_CLOSE_WAIT, "CLOSE-WAIT" },			\
		{ TCP_LAST_ACK, "LAST-ACK" },				\
		{ TCP_LISTEN, "LISTEN" },				\
		{ TCP_CLOSING, "CLOSING" })

TRACE_EVENT(atcp_state_change,
	    TP_PROTO(const struct sock *sk, int oldstate, int newstate),
	TP_ARGS(sk, oldstate, newstate),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(u8, saddr, 4)
		__array(u8, daddr, 4)
		__field(u16, sport)
		__field(u16, dport)
		__field(int, oldstate)
		__field(int, newstate)
	),
	TP_fast_assign(
		__entry->skaddr = sk;
		memcpy(__entry->saddr, &sk->sk_rcv_saddr, 4);
		memcpy(__entry->daddr, &sk->sk_daddr, 4);
		__entry->sport = sk->sk_num;
		__entry->dport = ntohs(sk->sk_dport);
		__entry->oldstate = oldstate;
		__entry->newstate = newstate;
	),
	TP_printk("sk=%p %pI4:%u > %pI4:%u %s -> %s", __entry->skaddr,
		  __entry->saddr, __entry->sport, __entry->daddr,
		  __entry->dport, atcp_show_state(__entry->oldstate),
		  atcp_show_state(__entry->newstate))
);

TRACE_EVENT(atcp_segment,
	    TP_PROTO(int out, __be32 saddr, __be32 daddr,
		     const struct tcphdr *th, u32 len),
	TP_ARGS(out, saddr, daddr, th, len),
	TP_STRUCT__entry(
		__field(int, out)
		__array(u8, saddr, 4)
		__array(u8, daddr, 4)
		__field(u16, sport)
		__field(u16, dport)
		__field(u32, seq)
		__field(u32, ack)
		__field(u32, len)
		__field(u16, wnd)
		__field(u16, up)
		__field(u8, flags)
		__field(u16, mss)
		__field(s8, ws)
		__field(u8, sackok)
		__field(u8, ts)
		__field(u32, tsval)
		__field(u32, tsecr)
	),
	TP_fast_assign(
		const u8 *opt = (const u8 *)(th + 1);
		struct atcp_opts o;

		__entry->out = out;
		memcpy(__entry->saddr, &saddr, 4);
		memcpy(__entry->daddr, &daddr, 4);
		__entry->sport = ntohs(th->source);
		__entry->dport = ntohs(th->dest);
		__entry->seq = ntohl(th->seq);
		__entry->ack = ntohl(th->ack_seq);
		__entry->len = len;
		__entry->wnd = ntohs(th->window);
		__entry->up = ntohs(th->urg_ptr);
		__entry->flags = ((const u8 *)th)[13] & 0x3f;
		__entry->mss = (th->doff >= 6 && opt[0] == 2 && opt[1] == 4) ?
			       (opt[2] << 8 | opt[3]) : 0;
		/* RFC 7323, RFC 2018 options, for the ladder */
		if (atcp_parse_options(opt, th->doff * 4 - sizeof(*th), &o))
			memset(&o, 0, sizeof(o));
		__entry->ws = o.wscale_seen ? o.wscale : -1;
		__entry->sackok = o.sack_perm;
		__entry->ts = o.ts_seen;
		__entry->tsval = o.tsval;
		__entry->tsecr = o.tsecr;
	),
	TP_printk("%s %pI4:%u > %pI4:%u seq=%u ack=%u len=%u wnd=%u up=%u flags=%s mss=%u ws=%d sackok=%u ts=%u tsval=%u tsecr=%u",
		  __entry->out ? "out" : "in", __entry->saddr,
		  __entry->sport, __entry->daddr, __entry->dport,
		  __entry->seq, __entry->ack, __entry->len, __entry->wnd,
		  __entry->up,
		  __print_flags(__entry->flags, ",",
				{ 0x02, "SYN" }, { 0x01, "FIN" },
				{ 0x04, "RST" }, { 0x08, "PSH" },
				{ 0x10, "ACK" }, { 0x20, "URG" }),
		  __entry->mss, __entry->ws, __entry->sackok, __entry->ts,
		  __entry->tsval, __entry->tsecr)
);

/*
 * After each ACK that acknowledged data (and at a retransmission
 * timeout): the congestion state of the connection, as tcp:tcp_probe
 * shows Linux's; cwnd and ssthresh in segments, srtt in us.
 */
TRACE_EVENT(atcp_probe,
	    TP_PROTO(const struct sock *sk),
	TP_ARGS(sk),
	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__array(u8, saddr, 4)
		__array(u8, daddr, 4)
		__field(u16, sport)
		__field(u16, dport)
		__field(u32, snd_nxt)
		__field(u32, snd_una)
		__field(u32, snd_cwnd)
		__field(u32, ssthresh)
		__field(u32, snd_wnd)
		__field(u32, srtt)
		__field(u32, in_flight)
		__field(u32, flight_bytes)
		__field(u32, sacked_out)
		__field(u32, lost_out)
		__field(u32, mss)
		__field(u8, ca_state)
	),
	TP_fast_assign(
		const struct atcp_sock *as = atcp_sk(sk);

		__entry->skaddr = sk;
		memcpy(__entry->saddr, &sk->sk_rcv_saddr, 4);
		memcpy(__entry->daddr, &sk->sk_daddr, 4);
		__entry->sport = sk->sk_num;
		__entry->dport = ntohs(sk->sk_dport);
		__entry->snd_nxt = as->snd_nxt;
		__entry->snd_una = as->snd_una;
		__entry->snd_cwnd = as->snd_cwnd;
		__entry->ssthresh = as->snd_ssthresh;
		__entry->snd_wnd = as->snd_wnd;
		__entry->srtt = as->srtt_us;
		__entry->in_flight = atcp_packets_in_flight(as);
		__entry->flight_bytes = as->snd_nxt - as->snd_una;
		__entry->sacked_out = as->sacked_out;
		__entry->lost_out = as->lost_out;
		__entry->mss = as->mss;
		__entry->ca_state = as->ca_state;
	),
	TP_printk("%pI4:%u > %pI4:%u snd_una=%u snd_nxt=%u cwnd=%u ssthresh=%u snd_wnd=%u srtt=%u in_flight=%u flight_bytes=%u sacked=%u lost=%u mss=%u ca_state=%s",
		  __entry->saddr, __entry->sport, __entry->daddr,
		  __entry->dport, __entry->snd_una, __entry->snd_nxt,
		  __entry->snd_cwnd, __entry->ssthresh, __entry->snd_wnd,
		  __entry->srtt, __entry->in_flight, __entry->flight_bytes,
		  __entry->sacked_out, __entry->lost_out, __entry->mss,
		  __print_symbolic(__entry->ca_state,
				   { TCP_CA_Open, "Open" },
				   { TCP_CA_Disorder, "Disorder" },
				   { TCP_CA_CWR, "CWR" },
				   { TCP_CA_Recovery, "Recovery" },
				   { TCP_CA_Loss, "Loss" }))
);

#endif /* _ATCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
