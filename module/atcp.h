/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atcp internals: the TCB (struct atcp_sock) with RFC 9293's variables, the
 * per-segment control block, per-netns state, and the functions each file
 * offers the others.
 */
#ifndef _ATCP_H
#define _ATCP_H

#include <linux/hrtimer.h>
#include <linux/rbtree.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/inet_sock.h>
#include <net/tcp_states.h>
#include <uapi/linux/atcp.h>

#include "compat.h"
#include "options.h"
#include "recovery.h"
#include "seq.h"

/* Header flags (RFC 9293 §3.1), as in the 13th byte of the header. */
#define ATCP_FIN	0x01
#define ATCP_SYN	0x02
#define ATCP_RST	0x04
#define ATCP_PSH	0x08
#define ATCP_ACK	0x10
#define ATCP_URG	0x20
#define ATCP_ECE	0x40	/* ECN-Echo (RFC 3168 §6.1) */
#define ATCP_CWR	0x80	/* Congestion Window Reduced */

#define ATCP_HDR_LEN		20	/* header without options */
#define ATCP_MAX_OPT_LEN	40
#define ATCP_MAX_HEADER		(ATCP_HDR_LEN + ATCP_MAX_OPT_LEN + MAX_HEADER)
/* The backlog's room beyond its share of the buffers: one GSO
 * super-segment (offload.c), as Linux's tcp_add_backlog() leaves 64 KB
 * for GRO's (input.c, atcp_backlog_limit()).
 */
#define ATCP_BACKLOG_SLACK	(64 * 1024)
#define ATCP_DEFAULT_MSS	536	/* RFC 9293 §3.7.1, SMSS when none given */
#define ATCP_MIN_MSS		88	/* TCP_MAXSEG floor, as Linux's TCP_MIN_MSS */
#define ATCP_MIN_SND_MSS	48	/* send MSS floor, as tcp_min_snd_mss */
#define ATCP_MAX_WINDOW		(65535U << ATCP_MAX_WSCALE) /* RFC 7323 §2.3 */
#define ATCP_MAX_SYN_WINDOW	65535U	/* a SYN's window is never scaled */
#define ATCP_TS_HZ		1000	/* TSval ticks a second (RFC 7323 §5.4) */

/* Per-segment control block in skb->cb (RFC 9293 §3.3.1 segment variables) */
struct atcp_skb_cb {
	u32 seq;		/* SEG.SEQ */
	u32 end_seq;		/* SEG.SEQ + SEG.LEN (SYN and FIN count) */
	u32 ack_seq;		/* SEG.ACK */
	u16 wnd;		/* SEG.WND */
	u16 up;			/* SEG.UP */
	u8 flags;		/* ATCP_SYN, ... */
	u8 rtx;			/* times this segment was retransmitted */
	u16 opt_mss;		/* MSS option of an arriving SYN, 0 if none */
	u8 opt_flags;		/* ATCP_CBO_*: options an arriving one had */
	u8 opt_wscale;		/* its window scale option's shift */
	u8 sacked;		/* sender: ATCP_SKB_* (recovery.h) */
	u8 eor;			/* sender: MSG_EOR, nothing joins it */
	u32 tw_isn;		/* ISS for a SYN reopening TIME-WAIT, or 0 */
	u64 sent_us;		/* when it was last sent (RTT, RACK) */
	u32 tsval;		/* an arriving one's TSval and TSecr */
	u32 tsecr;
};

/* Options an arriving segment carried (atcp_skb_cb.opt_flags); SACK
 * blocks are parsed again from its header (atcp_parse_options()).
 */
#define ATCP_CBO_SACK_PERM	0x01
#define ATCP_CBO_TS		0x02
#define ATCP_CBO_WSCALE		0x04
#define ATCP_CBO_SACK		0x08

#define ATCP_SKB_CB(skb) ((struct atcp_skb_cb *)&((skb)->cb[0]))

/* A timer of the TCB: hrtimer in softirq mode, plus the deadline it serves. */
struct atcp_timer {
	struct hrtimer t;
	ktime_t deadline;
	bool pending;
	bool ref;		/* holds a reference on the socket */
};

/* Work deferred by a timer or softirq while the user owned the socket:
 * a timer's bit keeps the timer's reference, MTU_REDUCED holds its own.
 */
enum {
	ATCP_DEFER_RTX,
	ATCP_DEFER_DELACK,
	ATCP_DEFER_KEEPALIVE,
	ATCP_DEFER_MTU_REDUCED,		/* an ICMP lowered the path MTU */
};

/*
 * The SYN and accept queues of a listener (RFC 9293 §3.9.1 LISTEN).  Kept
 * in the listener's own socket, so poll() and accept() may read it at any
 * time; the lists and counts change under the lock only.
 */
struct atcp_listen_queue {
	spinlock_t lock;		/* guards the lists and counts */
	struct list_head syn_q;		/* atcp_request_sock in SYN-RECEIVED */
	struct list_head acc_q;		/* children established, unaccepted */
	int syn_len;
	int acc_len;
	bool open;			/* false once the listener closes */
	unsigned long overflow_stamp;	/* jiffies of the last SYN cookie */
	int fo_qlen;			/* TFO children still in SYN-RECEIVED */
};

/*
 * The atcp socket: the inet socket plus the TCB (RFC 9293 §3.3.1).  The
 * connection state is sk->sk_state, with Linux's TCP_* values (which name
 * RFC 9293's states one for one).
 */
struct atcp_sock {
	struct inet_sock inet;		/* must be first */
	struct atcp_listen_queue lq;	/* listeners only (atcp_listen()) */

	/* From snd_una to nodelay: one connection (atcp_reset_tcb()). */

	/* Send sequence variables (RFC 9293 §3.3.1) */
	u32 snd_una;	/* SND.UNA: oldest unacknowledged sequence number */
	u32 snd_nxt;	/* SND.NXT: next sequence number to be sent */
	u32 snd_wnd;	/* SND.WND: send window the peer offers */
	u32 snd_up;	/* SND.UP: send urgent pointer */
	u32 snd_wl1;	/* SND.WL1: SEG.SEQ of the last window update */
	u32 snd_wl2;	/* SND.WL2: SEG.ACK of the last window update */
	u32 iss;	/* ISS: initial send sequence number */
	u32 snd_max_wnd; /* largest window the peer ever offered */
	u32 write_seq;	/* sequence number after the last byte queued */

	/* Receive sequence variables (RFC 9293 §3.3.1) */
	u32 rcv_nxt;	/* RCV.NXT: next sequence number expected */
	u32 rcv_wnd;	/* RCV.WND: receive window last advertised */
	u32 rcv_up;	/* RCV.UP: receive urgent pointer */
	u32 irs;	/* IRS: initial receive sequence number */
	u32 rcv_adv;	/* right edge advertised: RCV.NXT + RCV.WND then */
	u32 copied_seq;	/* next sequence number the user will read */
	u32 rcv_acked;	/* RCV.NXT as of the last ACK we sent */
	u32 rcv_mss;	/* largest segment received, for ACK pacing */

	/* Segment sizes (RFC 9293 §3.7.1, RFC 6691) */
	u16 mss;	/* SMSS: largest segment we send */
	u16 advmss;	/* the MSS we announced */
	u16 peer_mss;	/* the MSS the peer announced (536 if none) */

	/* Retransmission timer (RFC 6298) */
	u32 srtt_us;	/* SRTT, 0 before the first sample */
	u32 rttvar_us;	/* RTTVAR */
	u32 rto_us;	/* RTO */
	u32 rtt_seq;	/* sequence number being timed (Karn) */
	bool rtt_timing;
	u8 backoff;	/* exponential backoff count of the RTO */
	u8 retransmits;	/* consecutive retransmissions of SND.UNA */
	u8 probes;	/* zero-window or keep-alive probes sent */
	u32 total_retrans;

	/* Congestion control (RFC 5681; cong.c, atcp_cong.h), in segments */
	u32 snd_cwnd;		/* cwnd */
	u32 snd_ssthresh;	/* ssthresh */
	u32 snd_cwnd_cnt;	/* segments acked toward the next increase */
	u32 prior_cwnd;		/* cwnd and ssthresh before the last */
	u32 prior_ssthresh;	/* reduction, for undo */
	u32 high_seq;		/* SND.NXT when recovery began ("recover") */
	u8 ca_state;		/* enum atcp_ca_state */
	bool ca_initialized;	/* ca_ops->init() ran for this connection */
	bool cwnd_limited;	/* the last flight was limited by cwnd */
	u8 ecn_flags;		/* ATCP_ECN_* (ecn.c, RFC 3168) */

	/* Loss recovery scoreboard, in segments */
	u32 packets_out;	/* sent and not cumulatively acknowledged */
	u32 sacked_out;		/* of which SACKed */
	u32 lost_out;		/* of which marked lost */
	u32 retrans_out;	/* retransmissions in flight */
	u32 reordering;		/* reordering degree seen (segments) */
	struct atcp_loss loss;	/* SACK, RACK-TLP, PRR, undo: recovery.h */

	/* Options both sides offered on the handshake (RFC 7323, 2018) */
	bool sack_ok;		/* SACK-permitted both ways */
	bool tstamp_ok;		/* timestamps both ways */
	bool wscale_ok;		/* window scale both ways */
	u8 snd_wscale;		/* peer's shift: SND.WND = SEG.WND << it */
	u8 rcv_wscale;		/* our shift: SEG.WND = RCV.WND >> it */
	u32 ts_recent;		/* TS.Recent (RFC 7323 §4.3) */
	u64 ts_recent_stamp;	/* when TS.Recent was set, for PAWS, us */
	u32 ts_offset;		/* random offset of our TSval clock */
	u32 paws_ack_jiffies;	/* last ACK for a PAWS-rejected ACK */

	/* Receive-buffer auto-tuning (rcvbuf.c, Linux's DRS) */
	u32 rcvq_space;		/* bytes the user read in the last RTT */
	u32 rcvq_seq;		/* copied_seq at the start of the measure */
	u64 rcvq_time_us;	/* when that measure began */
	u32 rcv_rtt_us;		/* the receiver's RTT estimate */
	u32 rcv_rtt_seq;	/* without timestamps: RCV.NXT to reach */
	u64 rcv_rtt_time_us;	/* ... and when it was set */

	/* SACK blocks our ACKs carry (RFC 2018 §4, RFC 2883; sack.c) */
	u8 num_sacks;		/* selective_acks[] in use */
	bool dsack;		/* duplicate_sack goes first on the next ACK */
	struct atcp_sack_block duplicate_sack;	/* D-SACK (RFC 2883 §4) */
	struct atcp_sack_block selective_acks[ATCP_MAX_SACKS]; /* recent first */

	u64 ca_priv[13];	/* the algorithm's own state: atcp_ca() */

	/* Urgent data (RFC 9293 §3.8.5, RFC 1122 §4.2.2.4) */
	u32 urg_seq;	/* sequence number of the urgent byte */
	u16 urg_data;	/* ATCP_URG_VALID | byte, ATCP_URG_NOTYET, 0 */
	bool urg_pending;

	/* Queues */
	struct sk_buff_head rtx_queue;	/* sent, not yet acknowledged */
	struct rb_root ooo_queue;	/* received out of order, by SEG.SEQ */
	struct sk_buff *ooo_last_skb;	/* its last segment (highest seq) */
	/* sk->sk_write_queue holds what is not sent yet */

	/* Timer state of the connection (the hrtimers are below) */
	bool ack_pending;		/* an ACK is owed */
	bool persist;			/* rtx_timer is the persist timer */
	u8 quickack;			/* ACK the next segments at once */
	u64 probe0_start_us;		/* first zero-window probe, or 0 */

	/* Counters */
	u64 bytes_acked;		/* RFC 4898 tcpEStatsAppHCThruOctetsAcked */
	u64 bytes_received;		/* ... tcpEStatsAppHCThruOctetsReceived */
	u64 bytes_sent;
	u32 segs_in, segs_out;
	u32 data_segs_in, data_segs_out;
	u64 last_rcv_us;		/* for keep-alive idle time */
	u64 clock_us;		/* atcp_now_us() at this segment's arrival */
	u64 first_rtx_us;		/* start of the current retransmissions */
	u32 challenge_jiffies;		/* last challenge ACK sent (0: none) */

	/* TCP Fast Open (RFC 7413; fastopen.c) */
	struct atcp_fastopen_cookie fo_syn; /* TFO option of our first SYN */
	struct msghdr *fo_msg;		/* sendmsg's data for the SYN (during
					 * the call only)
					 */
	size_t fo_size;			/* its length */
	int fo_copied;			/* octets of it the SYN carried */
	struct sock *fo_listener;	/* a TFO child in SYN-RECEIVED: its
					 * listener, held (counts in fo_qlen)
					 */
	bool syn_fastopen;		/* our SYN carried a TFO option */
	bool syn_data;			/* our SYN carried data */
	bool syn_data_acked;		/* SYN data acked: TCPI_OPT_SYN_DATA */
	bool fo_child;			/* made by a TFO SYN, queued at once */
	u8 fo_client_fail;		/* tcpi_fastopen_client_fail */

	/*
	 * Up to here: one connection's state, cleared by atcp_reset_tcb()
	 * when a socket goes back to CLOSED for reuse (disconnect).  From
	 * nodelay on: the socket's own, which outlives a connection: the
	 * options the user set, the hrtimers (a callback may be running)
	 * and the work they deferred, and the port the socket holds.
	 */

	/* Options the user set (first field: the end of the TCB proper) */
	bool nodelay;			/* TCP_NODELAY */
	bool cork;			/* TCP_CORK: only full segments go */
	bool push_queued;		/* what is queued goes, corked or not,
					 * until the next new skb (as Linux's
					 * TCP_NAGLE_PUSH)
					 */
	bool recvmsg_inq;		/* TCP_INQ: recvmsg adds TCP_CM_INQ */
	u32 notsent_lowat;		/* TCP_NOTSENT_LOWAT, 0: the sysctl */
	bool fastopen_connect;		/* TCP_FASTOPEN_CONNECT */
	bool fastopen_no_cookie;	/* TCP_FASTOPEN_NO_COOKIE */
	u32 fastopen_max_qlen;		/* TCP_FASTOPEN: a listener's TFO
					 * children in SYN-RECEIVED, at most
					 */
	const struct atcp_congestion_ops *ca_ops; /* holds its module */
	u16 user_mss;			/* TCP_MAXSEG, 0 if unset */
	u8 syn_retries;			/* TCP_SYNCNT, 0 = sysctl */
	u32 user_timeout_ms;		/* TCP_USER_TIMEOUT */
	u32 keepidle_s, keepintvl_s;	/* TCP_KEEPIDLE, TCP_KEEPINTVL */
	u8 keepcnt;			/* TCP_KEEPCNT */
	u32 lingertime_ms;		/* FIN-WAIT-2 orphan time */
	u8 defer_accept;		/* TCP_DEFER_ACCEPT, in SYN,ACK
					 * timeouts (as Linux's
					 * rskq_defer_accept)
					 */
#define ATCP_DEFER_ACK_US	200000	/* Linux's TCP_DELACK_MAX */

	/* Timers */
	struct atcp_timer rtx_timer;	/* retransmit and persist */
	struct atcp_timer delack_timer;	/* delayed ACK */
	struct atcp_timer ka_timer;	/* keep-alive, FIN-WAIT-2 */
	unsigned long deferred;		/* ATCP_DEFER_* */
	u32 mtu_info;			/* next-hop MTU of the last ICMP */

	/* Lookup and the listener's queues */
	struct hlist_node bind_node;	/* in the port's bind bucket */
	struct atcp_bind_bucket *bb;
	struct hlist_node listen_node;	/* listeners, by port */
	struct sock *parent;		/* listener, until accepted */
	struct list_head q_node;	/* in parent's acc_q */
	bool in_ehash;
	bool autobound;			/* port chosen by connect() */
	bool orphan_counted;		/* counted in the netns' orphans */
};

/*
 * A SYN-RECEIVED entry of a passive OPEN (RFC 9293 §3.10.7.2): what the
 * handshake needs until its ACK creates the full socket (minisocks.c).
 * It begins with struct sock_common, so it sits in the connection table
 * beside the sockets, with skc_state TCP_NEW_SYN_RECV.
 */
struct atcp_request_sock {
	struct sock_common c;		/* the 4-tuple, state, refcount */
	struct sock *listener;		/* holds a reference */
	struct list_head q_node;	/* in the listener's syn_q */
	struct hrtimer timer;		/* SYN,ACK retransmission */
	u32 iss;			/* ISS */
	u32 irs;			/* IRS */
	u32 rcv_wnd;			/* RCV.WND offered by the SYN,ACK */
	u16 snd_wnd;			/* SEG.WND of the SYN */
	u16 peer_mss;			/* the peer's MSS (536 if none) */
	u16 advmss;			/* the MSS we announce */
	u8 retrans;			/* SYN,ACKs retransmitted */
	u8 timeouts;			/* expiries of the timer, which may
					 * not resend (TCP_DEFER_ACCEPT)
					 */
	bool acked;			/* a bare ACK was dropped, deferred */
	u8 tos;
	u64 sent_us;			/* when the first SYN,ACK left */
	/* The SYN's options that atcp will negotiate (RFC 2018, RFC 7323);
	 * also what a SYN cookie must carry then.
	 */
	bool sack_ok;
	bool tstamp_ok;
	bool wscale_ok;
	u8 snd_wscale;			/* the SYN's shift, capped at 14 */
	u8 rcv_wscale;			/* ours, offered on the SYN,ACK */
	u32 ts_recent;
	u32 ts_offset;			/* our TSval clock's offset */
	bool ecn_ok;			/* ECN-setup SYN accepted (RFC 3168) */
};

static inline struct atcp_request_sock *atcp_rsk(const struct sock *sk)
{
	return (struct atcp_request_sock *)sk;
}

#define ATCP_URG_VALID	0x0100
#define ATCP_URG_NOTYET	0x0200
#define ATCP_URG_READ	0x0400

static inline struct atcp_sock *atcp_sk(const struct sock *sk)
{
	return (struct atcp_sock *)sk;
}

/* RFC 9293 names of the states (TCP_* values index it). */
extern const char *const atcp_state_name[];

/* Per-netns settings: sysctls under net.atcp (Documentation/sysctl.rst) */
struct atcp_sysctl {
	int msl_ms;
	int syn_retries;
	int synack_retries;
	int retries2;
	int orphan_retries;
	int rto_min_ms;
	int rto_max_ms;
	int rto_init_ms;
	int fin_timeout_ms;
	int keepalive_time_ms;
	int keepalive_intvl_ms;
	int keepalive_probes;
	int challenge_ack_limit;
	int invalid_ratelimit_ms;
	int delack_ms;
	int rmem[3];		/* min, default, max receive buffer, bytes */
	int wmem[3];		/* min, default, max send buffer, bytes */
	int max_orphans;	/* closed sockets still sending, at most */
	int max_tw_buckets;	/* TIME-WAIT entries, at most */
	int syncookies;
	int max_syn_backlog;
	int sack;		/* offer SACK-permitted (RFC 2018) */
	int window_scaling;	/* offer window scale (RFC 7323 §2) */
	int timestamps;		/* offer timestamps (RFC 7323 §3) */
	int moderate_rcvbuf;	/* receive-buffer auto-tuning */
	int dsack;		/* send D-SACK blocks (RFC 2883) */
	int ecn;		/* RFC 3168: 0 off, 1 request, 2 accept */
	unsigned int notsent_lowat; /* writable below this many unsent */
	int fastopen;		/* RFC 7413: ATCP_TFO_* bits, as tcp_fastopen */
	siphash_key_t fastopen_key; /* server cookies' key (fastopen.c) */
	/* congestion_control: new sockets' algorithm, its module held */
	const struct atcp_congestion_ops *ca_default;
};

/* RFC 4022 MIB counters, plus atcp's drop reasons (/proc/net/atcp_snmp). */
enum atcp_mib {
	ATCP_MIB_ACTIVEOPENS,
	ATCP_MIB_PASSIVEOPENS,
	ATCP_MIB_ATTEMPTFAILS,
	ATCP_MIB_ESTABRESETS,
	ATCP_MIB_CURRESTAB,
	ATCP_MIB_INSEGS,
	ATCP_MIB_OUTSEGS,
	ATCP_MIB_RETRANSSEGS,
	ATCP_MIB_INERRS,
	ATCP_MIB_OUTRSTS,
	/* drop reasons and events */
	ATCP_MIB_CSUMERRORS,
	ATCP_MIB_BADHEADER,
	ATCP_MIB_BADOPTIONS,
	ATCP_MIB_NOSOCKET,
	ATCP_MIB_UNACCEPTABLE,
	ATCP_MIB_CHALLENGEACKS,
	ATCP_MIB_CHALLENGEACKLIMITED,
	ATCP_MIB_RSTIGNORED,
	ATCP_MIB_OLDACK,
	ATCP_MIB_FUTUREACK,
	ATCP_MIB_OOOQUEUED,
	ATCP_MIB_DUPDATA,
	ATCP_MIB_BACKLOGDROP,
	ATCP_MIB_LISTENOVERFLOWS,
	ATCP_MIB_RCVQDROP,
	ATCP_MIB_TIMEOUTS,
	ATCP_MIB_PERSISTPROBES,
	ATCP_MIB_KEEPALIVEPROBES,
	ATCP_MIB_TWRECYCLED,
	ATCP_MIB_TWKILLED,
	ATCP_MIB_ICMPERRORS,
	ATCP_MIB_ABORTONDATA,
	ATCP_MIB_SYNCOOKIESSENT,
	ATCP_MIB_SYNCOOKIESRECV,
	ATCP_MIB_SYNCOOKIESFAILED,
	ATCP_MIB_REQQFULLDOCOOKIES,
	ATCP_MIB_REQQFULLDROP,
	ATCP_MIB_DEFERACCEPTDROP,	/* TCP_DEFER_ACCEPT (minisocks.c) */
	/* memory limits (mem.c) */
	ATCP_MIB_MEMORYPRESSURES,
	ATCP_MIB_ABORTONMEMORY,
	ATCP_MIB_TWOVERFLOW,
	ATCP_MIB_PRUNECALLED,
	ATCP_MIB_RCVCOLLAPSED,
	ATCP_MIB_OFOPRUNED,
	/* RFC 7323 (ts.c) */
	ATCP_MIB_PAWSESTABREJECTED,
	ATCP_MIB_ACKSKIPPEDPAWS,
	ATCP_MIB_OUTOFWINDOWICMPS,
	/* receive offload (offload.c) */
	ATCP_MIB_GROPACKETS,
	ATCP_MIB_GROSEGMENTS,
	/* header prediction (input.c) */
	ATCP_MIB_HPHITS,
	ATCP_MIB_HPACKS,
	/* loss recovery (recovery.c, sack.c, rack.c), Linux's names */
	ATCP_MIB_TCPFASTRETRANS,
	ATCP_MIB_TCPSACKRECOVERY,
	ATCP_MIB_TCPRENORECOVERY,
	ATCP_MIB_TCPLOSSPROBES,
	ATCP_MIB_TCPLOSSPROBERECOVERY,
	ATCP_MIB_TCPSACKREORDER,
	ATCP_MIB_TCPDSACKUNDO,
	ATCP_MIB_TCPLOSSUNDO,
	ATCP_MIB_TCPSPURIOUSRTOS,
	ATCP_MIB_TCPFULLUNDO,
	ATCP_MIB_TCPLOSTRETRANSMIT,
	ATCP_MIB_TCPDSACKRECV,
	ATCP_MIB_TCPSACKDISCARD,
	/* TCP Fast Open (fastopen.c, RFC 7413), Linux's names */
	ATCP_MIB_TCPFASTOPENACTIVE,
	ATCP_MIB_TCPFASTOPENACTIVEFAIL,
	ATCP_MIB_TCPFASTOPENPASSIVE,
	ATCP_MIB_TCPFASTOPENPASSIVEFAIL,
	ATCP_MIB_TCPFASTOPENLISTENOVERFLOW,
	ATCP_MIB_TCPFASTOPENCOOKIEREQD,
	ATCP_MIB_MAX
};

extern const char *const atcp_mib_name[ATCP_MIB_MAX];

/* A client's TFO cookie for a server (RFC 7413 §4.1.3), and its MSS */
#define ATCP_FO_CACHE_SIZE	16
struct atcp_fo_entry {
	__be32 saddr, daddr;
	u16 mss;			/* the MSS its last SYN,ACK gave */
	unsigned long stamp;		/* jiffies of the last use */
	struct atcp_fastopen_cookie cookie;
};

struct atcp_net {
	struct atcp_sysctl sysctl;
	struct ctl_table_header *sysctl_hdr;
	u64 __percpu *mib;		/* ATCP_MIB_MAX counters per cpu */
	/* RFC 5961 §7 challenge ACK rate limit, per netns */
	spinlock_t challenge_lock;
	u64 challenge_stamp;		/* second of the current budget */
	u32 challenge_count;		/* challenge ACKs left this second */
	atomic_t orphans;		/* closed sockets not yet destroyed */
	atomic_t tw_count;		/* TIME-WAIT entries */
	/* TCP Fast Open: the key (sysctl) and the client's cookie cache */
	spinlock_t fo_lock;
	struct atcp_fo_entry fo_cache[ATCP_FO_CACHE_SIZE];
};

struct atcp_net *atcp_pernet(const struct net *net);

static inline struct atcp_sysctl *atcp_sysctl(const struct sock *sk)
{
	return &atcp_pernet(sock_net(sk))->sysctl;
}

/* Free a queued send-side skb, giving back what it was charged. */
static inline void atcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

static inline void atcp_inc(const struct net *net, enum atcp_mib f)
{
	this_cpu_inc(atcp_pernet(net)->mib[f]);
}

static inline void atcp_add(const struct net *net, enum atcp_mib f, int n)
{
	this_cpu_add(atcp_pernet(net)->mib[f], n);
}

static inline void atcp_dec(const struct net *net, enum atcp_mib f)
{
	this_cpu_dec(atcp_pernet(net)->mib[f]);
}

/* af_atcp.c */
extern int atcp_ipproto;

/* socket.c */
extern struct proto atcp_prot;
extern const struct proto_ops atcp_stream_ops;
void atcp_set_state(struct sock *sk, int state);
void atcp_done(struct sock *sk);
void atcp_init_tcb(struct sock *sk);
void atcp_write_space(struct sock *sk);
void atcp_lq_init(struct atcp_listen_queue *lq);
bool atcp_accept_enqueue(struct sock *child);
void atcp_child_unlink(struct sock *child);
void atcp_abort_child(struct sock *child);

/* input.c */
int atcp_v4_rcv(struct sk_buff *skb);
int atcp_v4_err(struct sk_buff *skb, u32 info);
int atcp_do_rcv(struct sock *sk, struct sk_buff *skb);
int atcp_backlog_rcv(struct sock *sk, struct sk_buff *skb);

/* mem.c */
extern atomic_long_t atcp_memory_allocated;
DECLARE_PER_CPU(int, atcp_fw_alloc);
extern unsigned long atcp_memory_pressure;
extern long atcp_mem[3];
extern int atcp_rmem_init[3], atcp_wmem_init[3];
void atcp_mem_init(void);
void atcp_enter_memory_pressure(struct sock *sk);
void atcp_leave_memory_pressure(struct sock *sk);
void atcp_orphan_count(struct sock *sk);
void atcp_orphan_uncount(struct sock *sk);
bool atcp_check_oom(struct sock *sk, int shift);
bool atcp_rmem_admit(struct sock *sk, struct sk_buff *skb, bool in_order);

/* sack.c: the out-of-order queue and the SACK blocks of our ACKs */
void atcp_ooo_link(struct sock *sk, struct sk_buff *skb,
		   struct rb_node *parent, struct rb_node **link);
void atcp_ooo_link_before(struct sock *sk, struct sk_buff *next,
			  struct sk_buff *skb);
void atcp_ooo_erase(struct sock *sk, struct sk_buff *skb);
void atcp_ooo_purge(struct sock *sk);
void atcp_sack_new_ofo(struct sock *sk, u32 seq, u32 end_seq);
void atcp_sack_remove(struct sock *sk);
void atcp_sack_reset(struct sock *sk);
void atcp_dsack_set(struct sock *sk, u32 seq, u32 end_seq);
void atcp_dsack_extend(struct sock *sk, u32 seq, u32 end_seq);
int atcp_sack_blocks(struct sock *sk, struct atcp_sack_block *out,
		     u32 payload);
int atcp_sack_opt_len(const struct sock *sk);

/* offload.c */
int atcp_offload_init(void);
void atcp_offload_exit(void);
void atcp_setup_caps(struct sock *sk, struct dst_entry *dst);
u32 atcp_gso_push_goal(const struct sock *sk);
bool atcp_gso_can_join(struct sock *sk, const struct sk_buff *first,
		       const struct sk_buff *last, int n,
		       const struct sk_buff *skb);
void atcp_gso_xmit(struct sock *sk, struct sk_buff *first, int n);

/* output.c */
int atcp_transmit_skb(struct sock *sk, struct sk_buff *skb, bool clone);
bool atcp_trim_acked(struct sock *sk, struct sk_buff *skb, u32 len);
/* How a push treats a short last segment (RFC 896, TCP_CORK, MSG_MORE) */
enum atcp_hold {
	ATCP_HOLD_SOCK,		/* as the socket's options say */
	ATCP_HOLD_CORK,		/* corked for this push (MSG_MORE) */
	ATCP_HOLD_NONE,		/* nothing waits (the persist timer) */
};

void __atcp_write_xmit(struct sock *sk, enum atcp_hold hold);
void atcp_write_xmit(struct sock *sk);
void __atcp_push(struct sock *sk, enum atcp_hold hold);
void atcp_push(struct sock *sk);
bool atcp_stream_memory_free(const struct sock *sk, int wake);
void atcp_send_ack(struct sock *sk);
void atcp_send_ack_seq(struct sock *sk, u32 seq);
int atcp_send_syn(struct sock *sk);
bool atcp_send_fin(struct sock *sk);
void atcp_send_active_reset(struct sock *sk, gfp_t gfp);
void atcp_send_reset(struct net *net, struct sk_buff *in, u32 seq, u32 ack,
		     u8 flags);
void atcp_send_reply(struct net *net, __be32 saddr, __be32 daddr,
		     __be16 sport, __be16 dport, u32 seq, u32 ack, u8 flags,
		     u16 wnd, int oif, u8 tos);
void atcp_send_reply_ts(struct net *net, __be32 saddr, __be32 daddr,
			__be16 sport, __be16 dport, u32 seq, u32 ack, u8 flags,
			u16 wnd, int oif, u8 tos, u32 tsval, u32 tsecr);
void atcp_send_synack(struct net *net, __be32 saddr, __be32 daddr,
		      __be16 sport, __be16 dport, u32 seq, u32 ack, u16 wnd,
		      const struct atcp_syn_opts *so, int oif, u8 tos);
void atcp_syn_options(struct sock *sk, struct atcp_syn_opts *so);
void atcp_retransmit_head(struct sock *sk);
int atcp_split_skb(struct sock *sk, struct sk_buff_head *q,
		   struct sk_buff *skb, u32 len);
void atcp_send_new_skb(struct sock *sk, struct sk_buff *skb);
void atcp_sent_new_skb(struct sock *sk, struct sk_buff *skb);
void atcp_send_probe(struct sock *sk);
u32 atcp_select_window(struct sock *sk);
u32 atcp_offered_window(const struct sock *sk);
u32 atcp_free_window(const struct sock *sk);
u16 atcp_route_mss(struct sock *sk);
void atcp_sync_mss(struct sock *sk);
u32 atcp_size_goal(struct sock *sk);
void atcp_init_cwnd(struct sock *sk);
void atcp_sndbuf_expand(struct sock *sk);
bool atcp_challenge_ack_allowed(struct net *net, u32 *last);

/* cong.c */
struct atcp_congestion_ops;
extern struct atcp_congestion_ops atcp_reno;
extern struct atcp_congestion_ops atcp_cubic;
void atcp_ca_net_init(struct net *net);
void atcp_ca_net_exit(struct net *net);
int atcp_ca_default_sysctl(ATCP_CTL_TABLE *table, int write, void *buffer,
			   size_t *lenp, loff_t *ppos);
int atcp_ca_available_sysctl(ATCP_CTL_TABLE *table, int write,
			     void *buffer, size_t *lenp, loff_t *ppos);
int atcp_set_congestion_control(struct sock *sk, const char *name, bool load);
/* zerocopy.c: SO_ZEROCOPY, MSG_ZEROCOPY and the error queue */
int atcp_sock_setsockopt(struct socket *sock, int level, int optname,
			 sockptr_t optval, unsigned int optlen);
void atcp_sock_custom_sockopt(struct socket *sock);
struct ubuf_info *atcp_zerocopy_begin(struct sock *sk, size_t size,
				      int flags);
void atcp_zerocopy_end(struct ubuf_info *uarg, bool sent);
int atcp_recv_error(struct sock *sk, struct msghdr *msg, int len);
int atcp_getsockopt_cc_info(struct sock *sk, char __user *optval,
			    int __user *optlen, int len);
int atcp_cong_init(void);
void atcp_cong_exit(void);
void atcp_ca_assign(struct sock *sk);
void atcp_ca_clone(struct sock *child);
void atcp_ca_destruct(struct sock *sk);
void atcp_ca_init(struct sock *sk);
void atcp_ca_release(struct sock *sk);
void atcp_ca_set_state(struct sock *sk, u8 state);
void atcp_ca_event(struct sock *sk, int ev);
void atcp_cong_on_ack(struct sock *sk, u32 ack, u32 acked_segs,
		      s32 rtt_us, u32 prior_in_flight);
void atcp_ca_enter_loss(struct sock *sk);
bool atcp_ca_enter_cwr(struct sock *sk);

/* ecn.c (RFC 3168) */
#define ATCP_ECN_OK		0x01	/* negotiated */
#define ATCP_ECN_REQUESTED	0x02	/* our SYN asked for it */
#define ATCP_ECN_QUEUE_CWR	0x04	/* next new data carries CWR */
#define ATCP_ECN_DEMAND_CWR	0x08	/* CE seen: ECE until CWR arrives */
u8 atcp_ecn_syn_flags(struct sock *sk, const struct sk_buff *skb);
void atcp_ecn_rcv_syn(struct sock *sk, const struct sk_buff *skb);
bool atcp_ecn_rcv_syn_request(struct sock *listener,
			      const struct sk_buff *skb);
void atcp_ecn_send(struct sock *sk, const struct sk_buff *skb, u8 *flags);
void atcp_ecn_rcv(struct sock *sk, const struct sk_buff *skb);
void atcp_ecn_ack(struct sock *sk, const struct sk_buff *skb);

/* The most data one segment may carry: SMSS less the timestamps option
 * every segment has once agreed (RFC 7323 §3.2, RFC 6691 §2); segments
 * queued or sent before the path MTU shrank are cut to it.
 */
static inline u32 atcp_payload_max(const struct atcp_sock *as)
{
	return as->mss - (as->tstamp_ok ? atcp_options_len(true, 0) : 0);
}

static inline u32 atcp_packets_in_flight(const struct atcp_sock *as)
{
	return as->packets_out - (as->sacked_out + as->lost_out) +
	       as->retrans_out;
}

/* timer.c */
void atcp_init_timers(struct sock *sk);
void atcp_timer_arm(struct sock *sk, struct atcp_timer *t, u64 delay_us);
void atcp_timer_stop(struct sock *sk, struct atcp_timer *t);
void atcp_timer_clear(struct atcp_timer *t);
void atcp_stop_all_timers(struct sock *sk);
void atcp_release_cb(struct sock *sk);

/* pmtu.c: path MTU discovery (RFC 1191, RFC 5927) */
void atcp_mtu_reduced(struct sock *sk);
void atcp_arm_rtx(struct sock *sk);
void atcp_arm_delack(struct sock *sk);
void atcp_arm_keepalive(struct sock *sk);
void atcp_arm_fin_wait2(struct sock *sk);
void atcp_rtt_sample(struct sock *sk, u32 rtt_us);
u64 atcp_now_us(void);

/* lookup.c */
#define ATCP_EHASH_BITS	14	/* connection table: 16384 buckets */
struct atcp_bind_bucket;
int atcp_hash_init(void);
void atcp_hash_exit(void);
int atcp_get_port(struct sock *sk, unsigned short snum);
void atcp_put_port(struct sock *sk);
void atcp_inherit_port(struct sock *parent, struct sock *child);
int atcp_connect_port(struct sock *sk);
int atcp_ehash_add(struct sock *sk);
bool atcp_ehash_del_req(struct atcp_request_sock *req);
bool atcp_ehash_replace(struct atcp_request_sock *req, struct sock *child);
void atcp_ehash_del(struct sock *sk);
void atcp_unhash(struct sock *sk);
struct sock *atcp_lookup_established(struct net *net, __be32 saddr,
				     __be16 sport, __be32 daddr,
				     __be16 dport, int dif);
struct sock *atcp_lookup_listener(struct net *net, __be32 saddr,
				  __be16 sport, __be32 daddr, __be16 dport,
				  int dif);
int atcp_listen_hash(struct sock *sk);
void atcp_listen_unhash(struct sock *sk);
struct atcp_visitor {
	void (*fn)(struct atcp_visitor *v, struct sock *sk);
};

void atcp_visit_socks(struct atcp_visitor *v);
u32 atcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);

/* timewait.c */
struct atcp_tw;
int atcp_tw_init(void);
void atcp_tw_exit(void);
void atcp_time_wait(struct sock *sk);
struct atcp_tw *atcp_tw_lookup(struct net *net, __be32 saddr, __be16 sport,
			       __be32 daddr, __be16 dport);
int atcp_tw_rcv(struct atcp_tw *tw, struct sk_buff *skb, u32 *isn);
void atcp_tw_put(struct atcp_tw *tw);
bool atcp_tw_port_used(struct net *net, __be32 addr, u16 port);
bool atcp_tw_tuple_used(struct net *net, __be32 saddr, __be16 sport,
			__be32 daddr, __be16 dport);
void atcp_tw_purge_net(struct net *net);
int atcp_tw_seq_show(struct seq_file *seq, struct net *net, int sl);
unsigned int atcp_tw_count(void);

/* minisocks.c */
int atcp_reqsk_init(void);
void atcp_reqsk_exit(void);
void atcp_conn_request(struct sock *sk, struct sk_buff *skb);
bool atcp_reqsk_rcv(struct atcp_request_sock *req, struct sk_buff *skb);
bool atcp_cookie_ack(struct sock *sk, struct sk_buff *skb);
struct sock *atcp_create_child(struct sock *sk,
			       const struct atcp_request_sock *req);
bool atcp_child_adopt(struct sock *sk, struct sock *child);
void atcp_child_discard(struct sock *child);
void atcp_reqsk_put(struct atcp_request_sock *req);
void atcp_listen_purge_requests(struct sock *sk);

/* ts.c: RFC 7323 window scale, timestamps, PAWS */
void atcp_ts_init(void);
u32 atcp_ts_offset(__be32 saddr, __be32 daddr);
u32 atcp_ts_now(void);
u8 atcp_rcv_wscale(const struct sock *sk);
void atcp_opts_connect(struct sock *sk);
void atcp_opts_synack(struct sock *sk, const struct sk_buff *skb);
u32 atcp_seg_wnd(const struct sock *sk, const struct sk_buff *skb);
bool atcp_paws_reject(struct sock *sk, struct sk_buff *skb);
void atcp_ts_store_recent(struct sock *sk, const struct sk_buff *skb);
void atcp_ts_rtt_sample(struct sock *sk, const struct sk_buff *skb);
u8 atcp_tcpi_options(const struct atcp_sock *as);

static inline u32 atcp_tsval(const struct atcp_sock *as)
{
	return atcp_ts_now() + as->ts_offset;
}

/* rcvbuf.c: receive-buffer auto-tuning (Linux's tcp_rcv_space_adjust) */
void atcp_rcv_space_init(struct sock *sk);
void atcp_rcv_rtt_measure(struct sock *sk, const struct sk_buff *skb);
void atcp_rcv_space_update(struct sock *sk);

/* syncookies.c */
u32 atcp_cookie_make(__be32 saddr, __be32 daddr, __be16 sport,
		     __be16 dport, u32 sseq, u16 *mss);
u16 atcp_cookie_check(__be32 saddr, __be32 daddr, __be16 sport,
		      __be16 dport, u32 sseq, u32 cookie);
#define ATCP_COOKIE_TS_MASK	0x3f	/* TSval bits holding options */
#define ATCP_COOKIE_NO_WS	0x0f	/* the shift's bits: no window scale */
#define ATCP_COOKIE_SACK	0x10
u32 atcp_cookie_tsval(bool wscale_ok, u8 snd_wscale, bool sack_ok);
bool atcp_cookie_tsecr(u32 tsecr, bool *wscale_ok, u8 *snd_wscale,
		       bool *sack_ok);

/* fastopen.c: TCP Fast Open (RFC 7413), net.atcp.fastopen's bits (Linux's) */
#define ATCP_TFO_CLIENT_ENABLE		0x1
#define ATCP_TFO_SERVER_ENABLE		0x2
#define ATCP_TFO_CLIENT_NO_COOKIE	0x4
#define ATCP_TFO_SERVER_NO_COOKIE	0x200
void atcp_fastopen_net_init(struct net *net);
int atcp_fastopen_key_sysctl(ATCP_CTL_TABLE *table, int write, void *buffer,
			     size_t *lenp, loff_t *ppos);
int atcp_fastopen_setsockopt(struct sock *sk, int optname, int val);
int atcp_fastopen_getsockopt(struct sock *sk, int optname, int *val);
bool atcp_fastopen_defer_connect(struct sock *sk);
int atcp_sendmsg_fastopen(struct sock *sk, struct msghdr *msg,
			  int *copied, size_t size);
bool atcp_fastopen_send_syn(struct sock *sk, struct sk_buff *syn);
bool atcp_fastopen_synack(struct sock *sk, struct sk_buff *skb);
bool atcp_fastopen_conn_request(struct sock *sk,
				struct atcp_request_sock *req,
				struct sk_buff *skb,
				struct atcp_fastopen_cookie *synack_fo);
void atcp_fastopen_synrecv_done(struct sock *sk);

/* A passive TFO child before its handshake's ACK: it reads and writes
 * already (RFC 7413 §4.2.2).
 */
static inline bool atcp_fastopen_passive(const struct sock *sk)
{
	return READ_ONCE(atcp_sk(sk)->fo_listener);
}

/* proc.c */
int atcp_proc_init_net(struct net *net);
void atcp_proc_exit_net(struct net *net);

#endif /* _ATCP_H */
