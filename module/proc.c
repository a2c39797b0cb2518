// SPDX-License-Identifier: GPL-2.0
/*
 * atcp in /proc: /proc/net/atcp lists every socket with its RFC 9293 state
 * and TCB variables; /proc/net/atcp_snmp the RFC 4022 MIB counters and
 * atcp's drop reasons.  Both are per network namespace.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "atcp.h"
#include "atcp_cong.h"
#include "compat.h"

const char *const atcp_mib_name[ATCP_MIB_MAX] = {
	[ATCP_MIB_ACTIVEOPENS]		= "ActiveOpens",
	[ATCP_MIB_PASSIVEOPENS]		= "PassiveOpens",
	[ATCP_MIB_ATTEMPTFAILS]		= "AttemptFails",
	[ATCP_MIB_ESTABRESETS]		= "EstabResets",
	[ATCP_MIB_CURRESTAB]		= "CurrEstab",
	[ATCP_MIB_INSEGS]		= "InSegs",
	[ATCP_MIB_OUTSEGS]		= "OutSegs",
	[ATCP_MIB_RETRANSSEGS]		= "RetransSegs",
	[ATCP_MIB_INERRS]		= "InErrs",
	[ATCP_MIB_OUTRSTS]		= "OutRsts",
	[ATCP_MIB_CSUMERRORS]		= "InCsumErrors",
	[ATCP_MIB_BADHEADER]		= "InBadHeader",
	[ATCP_MIB_BADOPTIONS]		= "InBadOptions",
	[ATCP_MIB_NOSOCKET]		= "InNoSocket",
	[ATCP_MIB_UNACCEPTABLE]		= "InUnacceptable",
	[ATCP_MIB_CHALLENGEACKS]	= "ChallengeACKs",
	[ATCP_MIB_CHALLENGEACKLIMITED]	= "ChallengeACKsLimited",
	[ATCP_MIB_RSTIGNORED]		= "InRstIgnored",
	[ATCP_MIB_OLDACK]		= "InOldAck",
	[ATCP_MIB_FUTUREACK]		= "InFutureAck",
	[ATCP_MIB_OOOQUEUED]		= "OfoQueued",
	[ATCP_MIB_DUPDATA]		= "InDupData",
	[ATCP_MIB_BACKLOGDROP]		= "BacklogDrop",
	[ATCP_MIB_LISTENOVERFLOWS]	= "ListenOverflows",
	[ATCP_MIB_RCVQDROP]		= "RcvQDrop",
	[ATCP_MIB_TIMEOUTS]		= "Timeouts",
	[ATCP_MIB_PERSISTPROBES]	= "PersistProbes",
	[ATCP_MIB_KEEPALIVEPROBES]	= "KeepAliveProbes",
	[ATCP_MIB_TWRECYCLED]		= "TWRecycled",
	[ATCP_MIB_TWKILLED]		= "TWKilled",
	[ATCP_MIB_ICMPERRORS]		= "InIcmpErrors",
	[ATCP_MIB_ABORTONDATA]		= "AbortOnData",
	[ATCP_MIB_SYNCOOKIESSENT]	= "SyncookiesSent",
	[ATCP_MIB_SYNCOOKIESRECV]	= "SyncookiesRecv",
	[ATCP_MIB_SYNCOOKIESFAILED]	= "SyncookiesFailed",
	[ATCP_MIB_REQQFULLDOCOOKIES]	= "ReqQFullDoCookies",
	[ATCP_MIB_REQQFULLDROP]		= "ReqQFullDrop",
	[ATCP_MIB_DEFERACCEPTDROP]	= "TCPDeferAcceptDrop",
	[ATCP_MIB_MEMORYPRESSURES]	= "MemoryPressures",
	[ATCP_MIB_ABORTONMEMORY]	= "AbortOnMemory",
	[ATCP_MIB_TWOVERFLOW]		= "TimeWaitOverflow",
	[ATCP_MIB_PRUNECALLED]		= "PruneCalled",
	[ATCP_MIB_RCVCOLLAPSED]		= "RcvCollapsed",
	[ATCP_MIB_OFOPRUNED]		= "OfoPruned",
	[ATCP_MIB_PAWSESTABREJECTED]	= "PAWSEstabRejected",
	[ATCP_MIB_ACKSKIPPEDPAWS]	= "TCPACKSkippedPAWS",
	[ATCP_MIB_OUTOFWINDOWICMPS]	= "OutOfWindowIcmps",
	[ATCP_MIB_GROPACKETS]		= "GROPackets",
	[ATCP_MIB_GROSEGMENTS]		= "GROSegments",
	[ATCP_MIB_HPHITS]		= "TCPHPHits",
	[ATCP_MIB_HPACKS]		= "TCPHPAcks",
	[ATCP_MIB_TCPFASTRETRANS]	= "TCPFastRetrans",
	[ATCP_MIB_TCPSACKRECOVERY]	= "TCPSackRecovery",
	[ATCP_MIB_TCPRENORECOVERY]	= "TCPRenoRecovery",
	[ATCP_MIB_TCPLOSSPROBES]	= "TCPLossProbes",
	[ATCP_MIB_TCPLOSSPROBERECOVERY]	= "TCPLossProbeRecovery",
	[ATCP_MIB_TCPSACKREORDER]	= "TCPSACKReorder",
	[ATCP_MIB_TCPDSACKUNDO]		= "TCPDSACKUndo",
	[ATCP_MIB_TCPLOSSUNDO]		= "TCPLossUndo",
	[ATCP_MIB_TCPSPURIOUSRTOS]	= "TCPSpuriousRTOs",
	[ATCP_MIB_TCPFULLUNDO]		= "TCPFullUndo",
	[ATCP_MIB_TCPLOSTRETRANSMIT]	= "TCPLostRetransmit",
	[ATCP_MIB_TCPDSACKRECV]		= "TCPDSACKRecv",
	[ATCP_MIB_TCPSACKDISCARD]	= "TCPSACKDiscard",
	[ATCP_MIB_TCPFASTOPENACTIVE]	= "TCPFastOpenActive",
	[ATCP_MIB_TCPFASTOPENACTIVEFAIL] = "TCPFastOpenActiveFail",
	[ATCP_MIB_TCPFASTOPENPASSIVE]	= "TCPFastOpenPassive",
	[ATCP_MIB_TCPFASTOPENPASSIVEFAIL] = "TCPFastOpenPassiveFail",
	[ATCP_MIB_TCPFASTOPENLISTENOVERFLOW] = "TCPFastOpenListenOverflow",
	[ATCP_MIB_TCPFASTOPENCOOKIEREQD] = "TCPFastOpenCookieReqd",
};

/* The options a connection agreed (RFC 2018, RFC 7323), "-" if none. */
static void atcp_show_opts(struct seq_file *seq, bool sack, bool ts, bool ws)
{
	if (!sack && !ts && !ws) {
		seq_puts(seq, " -");
		return;
	}
	seq_printf(seq, " %s%s%s%s%s", sack ? "sack" : "",
		   sack && (ts || ws) ? "," : "", ts ? "ts" : "",
		   ts && ws ? "," : "", ws ? "ws" : "");
}

struct atcp_show {
	struct atcp_visitor v;
	struct seq_file *seq;
	struct net *net;
	int sl;
};

/* A SYN-RECEIVED entry of a passive OPEN (minisocks.c), as its socket
 * would show: SND.NXT = ISS+1, RCV.NXT = IRS+1, no inode.
 */
static void atcp_show_request(struct atcp_show *s,
			      const struct atcp_request_sock *req)
{
	seq_printf(s->seq,
		   "%4d %pI4:%u %pI4:%u %s %u %u %u 0 %u %u %u %u %u 0 %u %llu 0 0 0",
		   s->sl++, &req->c.skc_rcv_saddr, req->c.skc_num,
		   &req->c.skc_daddr, ntohs(req->c.skc_dport),
		   atcp_state_name[TCP_SYN_RECV], req->iss, req->iss + 1,
		   req->snd_wnd, req->irs, req->iss, req->iss, req->irs + 1,
		   req->rcv_wnd, req->irs,
		   (unsigned long long)READ_ONCE(atcp_sysctl(req->listener)->rto_init_ms)
		   << min_t(u8, req->timeouts, 20));
	atcp_show_opts(s->seq, req->sack_ok, req->tstamp_ok, req->wscale_ok);
	/* no algorithm yet: "-" for ca */
	seq_printf(s->seq, " %u %u %u %u -\n", req->snd_wscale,
		   req->rcv_wscale, req->ts_recent,
		   READ_ONCE(req->listener->sk_rcvbuf));
}

static void atcp_show_sock(struct atcp_visitor *v, struct sock *sk)
{
	struct atcp_show *s = container_of(v, struct atcp_show, v);
	struct atcp_sock *as = atcp_sk(sk);

	if (!net_eq(sock_net(sk), s->net))
		return;
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		atcp_show_request(s, atcp_rsk(sk));
		return;
	}
	seq_printf(s->seq,
		   "%4d %pI4:%u %pI4:%u %s %u %u %u %u %u %u %u %u %u %u %u %u %u %u %llu",
		   s->sl++, &sk->sk_rcv_saddr, sk->sk_num, &sk->sk_daddr,
		   ntohs(sk->sk_dport), atcp_state_name[sk->sk_state],
		   as->snd_una, as->snd_nxt, as->snd_wnd, as->snd_up,
		   as->snd_wl1, as->snd_wl2, as->iss, as->rcv_nxt, as->rcv_wnd,
		   as->rcv_up, as->irs, as->rto_us / 1000, as->srtt_us,
		   as->snd_cwnd * as->mss, (unsigned long long)sock_i_ino(sk));
	/* RFC 7323 and auto-tuning: the columns after inode */
	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_LISTEN)
		atcp_show_opts(s->seq, false, false, false);
	else
		atcp_show_opts(s->seq, as->sack_ok, as->tstamp_ok,
			       as->wscale_ok);
	seq_printf(s->seq, " %u %u %u %u %s\n", as->snd_wscale,
		   as->rcv_wscale, as->ts_recent, READ_ONCE(sk->sk_rcvbuf),
		   as->ca_ops->name);
}

static int atcp_seq_show(struct seq_file *seq, void *v)
{
	struct atcp_show s = {
		.v.fn = atcp_show_sock,
		.seq = seq,
		.net = seq_file_single_net(seq),
	};

	seq_puts(seq, "  sl local remote state snd_una snd_nxt snd_wnd snd_up snd_wl1 snd_wl2 iss rcv_nxt rcv_wnd rcv_up irs rto srtt cwnd inode opts snd_wscale rcv_wscale ts_recent rcvbuf ca\n");
	atcp_visit_socks(&s.v);
	atcp_tw_seq_show(seq, s.net, s.sl);
	return 0;
}

static int atcp_snmp_show(struct seq_file *seq, void *v)
{
	struct atcp_net *an = atcp_pernet(seq_file_single_net(seq));
	int i, cpu;

	for (i = 0; i < ATCP_MIB_MAX; i++) {
		s64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += *(s64 *)per_cpu_ptr(&an->mib[i], cpu);
		seq_printf(seq, "%s %lld\n", atcp_mib_name[i], sum);
	}
	/* gauges: this netns' orphans and TIME-WAIT entries, and the
	 * protocol's memory in pages (all netns, as net.atcp.mem)
	 */
	seq_printf(seq, "CurrOrphans %d\n", atomic_read(&an->orphans));
	seq_printf(seq, "CurrTimeWait %d\n", atomic_read(&an->tw_count));
	seq_printf(seq, "MemPages %ld\n",
		   proto_memory_allocated(&atcp_prot));
	return 0;
}

int atcp_proc_init_net(struct net *net)
{
	if (!proc_create_net_single("atcp", 0444, net->proc_net,
				    atcp_seq_show, NULL))
		return -ENOMEM;
	if (!proc_create_net_single("atcp_snmp", 0444, net->proc_net,
				    atcp_snmp_show, NULL)) {
		remove_proc_entry("atcp", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void atcp_proc_exit_net(struct net *net)
{
	remove_proc_entry("atcp_snmp", net->proc_net);
	remove_proc_entry("atcp", net->proc_net);
}
