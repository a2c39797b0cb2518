// SPDX-License-Identifier: GPL-2.0
/*
 * atcp timers (RFC 9293 §3.8, RFC 6298, RFC 1122 §4.2.3): retransmission
 * (also SYN and SYN,ACK retries and the persist timer), delayed ACK,
 * keep-alive and the FIN-WAIT-2 timeout.  Each is an hrtimer run in
 * softirq; an armed timer holds a reference on the socket.  A timer that
 * finds the socket owned by the user leaves its work to release_cb.
 */
#include <linux/hrtimer.h>
#include <net/sock.h>

#include "atcp.h"
#include "compat.h"

u64 atcp_now_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/*
 * An armed timer holds one reference on the socket, marked by t->ref and
 * changed only by the socket's owner or under its spinlock: taken when
 * armed without one, dropped when the timer is cancelled or has run and
 * is not armed again.  A cancel's result cannot count references: while
 * the handler runs it says "running" even after the handler re-armed
 * its own timer (a loss timer re-armed twice in one run took two
 * references and dropped one: the socket leaked).
 */
void atcp_timer_arm(struct sock *sk, struct atcp_timer *t, u64 delay_us)
{
	t->deadline = ktime_add_us(ktime_get(), delay_us);
	t->pending = true;
	if (!t->ref) {
		sock_hold(sk);
		t->ref = true;
	}
	/* Queued to fire no later: it finds the new deadline and waits on
	 * (atcp_timer_due()), so an ACK moving the RTO costs no hrtimer
	 * operation.
	 */
	if (hrtimer_is_queued(&t->t) &&
	    !ktime_after(hrtimer_get_expires(&t->t), t->deadline))
		return;
	hrtimer_start(&t->t, t->deadline, HRTIMER_MODE_ABS_SOFT);
}

/* Stop a timer without cancelling it: if it fires, it finds nothing to do
 * and lets go of the socket.  For the hot paths (an ACK sent, all data
 * acknowledged); atcp_timer_stop() where the socket goes away.
 */
void atcp_timer_clear(struct atcp_timer *t)
{
	t->pending = false;
}

void atcp_timer_stop(struct sock *sk, struct atcp_timer *t)
{
	t->pending = false;
	/* a running handler, or release_cb after it, drops the reference */
	if (hrtimer_try_to_cancel(&t->t) == 1) {
		t->ref = false;
		__sock_put(sk);
	}
}

/* Neither queued nor running: the timer lets go of the socket. */
static bool atcp_timer_unref(struct atcp_timer *t)
{
	if (!t->ref || hrtimer_active(&t->t))
		return false;
	t->ref = false;
	return true;
}

void atcp_stop_all_timers(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_timer_stop(sk, &as->rtx_timer);
	atcp_timer_stop(sk, &as->delack_timer);
	atcp_timer_stop(sk, &as->ka_timer);
}

/* Is the timer's deadline reached (not stopped or re-armed meanwhile)? */
static bool atcp_timer_due(struct atcp_timer *t)
{
	if (!t->pending)
		return false;
	if (ktime_before(ktime_get(), t->deadline)) {
		/* moved later while queued (atcp_timer_arm()) */
		hrtimer_start(&t->t, t->deadline, HRTIMER_MODE_ABS_SOFT);
		return false;
	}
	t->pending = false;
	return true;
}

/* RFC 6298 §2: update SRTT, RTTVAR and RTO from a measurement. */
void atcp_rtt_sample(struct sock *sk, u32 r)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_sysctl *sc = atcp_sysctl(sk);
	u32 rto, delta;

	if (!r)
		r = 1;
	if (!as->srtt_us) {
		as->srtt_us = r;			/* (2.2) */
		as->rttvar_us = r / 2;
	} else {
		delta = as->srtt_us > r ? as->srtt_us - r : r - as->srtt_us;
		as->rttvar_us = (3 * as->rttvar_us + delta) / 4;  /* (2.3) */
		as->srtt_us = (7 * as->srtt_us + r) / 8;
	}
	rto = as->srtt_us + max_t(u32, 4 * as->rttvar_us, 1000);
	as->rto_us = clamp_t(u32, rto, sc->rto_min_ms * 1000U,
			     sc->rto_max_ms * 1000U);
}

static u64 atcp_backed_off_rto(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u64 rto = (u64)as->rto_us << min_t(u8, as->backoff, 20);

	return min_t(u64, rto, atcp_sysctl(sk)->rto_max_ms * 1000ULL);
}

void atcp_arm_rtx(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u64 delay = atcp_backed_off_rto(sk);
	u64 end, now;

	as->loss.timer = ATCP_TMR_RTO;
	/* A user timeout expires on time, not at the next retransmission
	 * (RFC 9293 §3.10.8; Linux clamps the RTO the same way).  The
	 * handshake states count SYN retries only (atcp_out_of_retries).
	 */
	if (as->user_timeout_ms && as->first_rtx_us && !as->persist &&
	    !((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))) {
		end = as->first_rtx_us + as->user_timeout_ms * 1000ULL;
		now = atcp_now_us();
		delay = min(delay, end > now ? end - now : 1);
	}
	atcp_timer_arm(sk, &as->rtx_timer, delay);
}

void atcp_arm_delack(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (!as->delack_timer.pending)
		atcp_timer_arm(sk, &as->delack_timer,
			       atcp_sysctl(sk)->delack_ms * 1000ULL);
}

static u64 keepalive_idle_us(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->keepidle_s)
		return as->keepidle_s * USEC_PER_SEC;
	return atcp_sysctl(sk)->keepalive_time_ms * 1000ULL;
}

static u64 keepalive_intvl_us(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (as->keepintvl_s)
		return as->keepintvl_s * USEC_PER_SEC;
	return atcp_sysctl(sk)->keepalive_intvl_ms * 1000ULL;
}

/* An orphan in FIN-WAIT-2 waits TCP_LINGER2 or fin_timeout_ms for the FIN. */
void atcp_arm_fin_wait2(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_timer_arm(sk, &as->ka_timer, as->lingertime_ms ?
		       as->lingertime_ms * 1000ULL :
		       atcp_sysctl(sk)->fin_timeout_ms * 1000ULL);
}

void atcp_arm_keepalive(struct sock *sk)
{
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				   TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2))
		atcp_timer_arm(sk, &atcp_sk(sk)->ka_timer,
			       keepalive_idle_us(sk));
}

/* The connection failed: report err to the user and close (RFC 9293 §3.8.3). */
static void atcp_write_err(struct sock *sk, int err)
{
	WRITE_ONCE(sk->sk_err, err);
	sk_error_report(sk);
	atcp_inc(sock_net(sk), ATCP_MIB_TIMEOUTS);
	atcp_done(sk);
}

static bool atcp_out_of_retries(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_sysctl *sc = atcp_sysctl(sk);
	int limit;

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		limit = as->syn_retries ? as->syn_retries : sc->syn_retries;
		break;
	case TCP_SYN_RECV:
		limit = sc->synack_retries;
		break;
	default:
		/* TCP_USER_TIMEOUT replaces the count, as Linux: time since
		 * the first retransmission.
		 */
		if (as->user_timeout_ms)
			return as->first_rtx_us &&
			       atcp_now_us() - as->first_rtx_us >=
			       as->user_timeout_ms * 1000ULL;
		/* a closed (orphaned) socket gives up sooner, as Linux */
		limit = sock_flag(sk, SOCK_DEAD) ?
			min(sc->orphan_retries, sc->retries2) : sc->retries2;
	}
	return as->retransmits >= limit;
}

/*
 * Zero-window probing (RFC 9293 §3.8.6.1): does the connection give up?
 * Probes go on while the receiver answers them (RFC 1122 §4.2.2.17), and
 * each answer resets the count of probes (input.c); as Linux's
 * tcp_probe_timer():
 *  - TCP_USER_TIMEOUT counts from the first probe, answered or not;
 *  - an orphan gives up once its backed-off probe interval reaches the
 *    largest RTO, answered or not (nobody will read what it holds back),
 *    or after orphan_retries unanswered probes;
 *  - any other socket after retries2 unanswered probes.
 */
static bool atcp_probe_give_up(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	struct atcp_sysctl *sc = atcp_sysctl(sk);
	u64 now = atcp_now_us();
	int max_probes = sc->retries2;

	if (!as->probe0_start_us)
		as->probe0_start_us = now;
	else if (as->user_timeout_ms &&
		 now - as->probe0_start_us >= as->user_timeout_ms * 1000ULL)
		return true;
	if (sock_flag(sk, SOCK_DEAD)) {
		if (atcp_backed_off_rto(sk) >= sc->rto_max_ms * 1000ULL)
			return true;
		max_probes = min(sc->orphan_retries, sc->retries2);
	}
	return as->probes >= max_probes;
}

/* The persist timer: the backed-off RTO, cut short by a user timeout. */
static void atcp_arm_probe(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u64 delay = atcp_backed_off_rto(sk), end, now;

	as->loss.timer = ATCP_TMR_RTO;
	if (as->user_timeout_ms && as->probe0_start_us) {
		end = as->probe0_start_us + as->user_timeout_ms * 1000ULL;
		now = atcp_now_us();
		delay = min(delay, end > now ? end - now : 1);
	}
	atcp_timer_arm(sk, &as->rtx_timer, delay);
}

/*
 * An orphan retransmitting while there are too many orphans (the limit
 * halved if it had an ICMP error) or no memory is reset, as Linux's
 * tcp_out_of_resources().
 */
static bool atcp_orphan_oom(struct sock *sk)
{
	if (!atcp_check_oom(sk, READ_ONCE(sk->sk_err_soft) ? 1 : 0))
		return false;
	atcp_send_active_reset(sk, GFP_ATOMIC);
	atcp_inc(sock_net(sk), ATCP_MIB_ABORTONMEMORY);
	atcp_done(sk);
	return true;
}

/* RFC 6298 §5.4-5.7: the retransmission timer expired. */
static void atcp_rtx_timer_handler(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (!atcp_timer_due(&as->rtx_timer))
		return;
	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	/* a tail loss probe or RACK's reordering timer (RFC 8985) */
	if (!as->persist && atcp_loss_timer(sk))
		return;
	if (as->persist) {
		/* RFC 9293 §3.8.6.1: probe the zero window */
		if (!skb_queue_empty(&as->rtx_queue) ||
		    skb_queue_empty(&sk->sk_write_queue)) {
			as->persist = false;
			return;
		}
		/* the window is open: send what waits, corked or not, as
		 * Linux's probe timer does (tcp(7): TCP_CORK's ceiling)
		 */
		if (as->snd_wnd) {
			as->persist = false;
			__atcp_write_xmit(sk, ATCP_HOLD_NONE);
			return;
		}
		if (sock_flag(sk, SOCK_DEAD) && atcp_orphan_oom(sk))
			return;
		if (atcp_probe_give_up(sk)) {
			atcp_write_err(sk, ETIMEDOUT);
			return;
		}
		atcp_send_probe(sk);
		as->probes++;
		if (as->backoff < min(atcp_sysctl(sk)->retries2, 20))
			as->backoff++;
		atcp_arm_probe(sk);
		return;
	}
	if (skb_queue_empty(&as->rtx_queue))
		return;
	if (sock_flag(sk, SOCK_DEAD) && atcp_orphan_oom(sk))
		return;
	if (atcp_out_of_retries(sk)) {
		if (sk->sk_state == TCP_SYN_SENT)
			atcp_inc(sock_net(sk), ATCP_MIB_ATTEMPTFAILS);
		atcp_write_err(sk, sk->sk_err_soft ? : ETIMEDOUT);
		return;
	}
	if (!as->retransmits)
		as->first_rtx_us = atcp_now_us();
	/* RFC 5681 §3.1: after an RTO, cwnd is the loss window, 1 SMSS;
	 * all in flight is lost, resent as slow start allows (recovery.c)
	 */
	atcp_enter_loss_marks(sk);
	atcp_ca_enter_loss(sk);
	atcp_retransmit_head(sk);
	if (as->retransmits < U8_MAX)
		as->retransmits++;
	if (as->backoff < 20)
		as->backoff++;			/* RFC 6298 §5.5 */
	atcp_arm_rtx(sk);
}

static void atcp_delack_handler(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	if (!atcp_timer_due(&as->delack_timer))
		return;
	if (as->ack_pending)
		atcp_send_ack(sk);
}

/* Keep-alive (RFC 1122 §4.2.3.6) and the FIN-WAIT-2 timeout. */
static void atcp_ka_handler(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);
	u64 idle, keepidle;
	int cnt;

	if (!atcp_timer_due(&as->ka_timer))
		return;
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		atcp_done(sk);
		return;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				     TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)))
		return;
	keepidle = keepalive_idle_us(sk);
	idle = atcp_now_us() - as->last_rcv_us;
	if (!skb_queue_empty(&as->rtx_queue) ||
	    !skb_queue_empty(&sk->sk_write_queue)) {
		/* Data in flight: the retransmission timer watches. */
		atcp_timer_arm(sk, &as->ka_timer, keepidle);
		return;
	}
	if (idle < keepidle) {
		as->probes = 0;
		atcp_timer_arm(sk, &as->ka_timer, keepidle - idle);
		return;
	}
	cnt = as->keepcnt ? as->keepcnt : atcp_sysctl(sk)->keepalive_probes;
	if (as->probes >= cnt) {
		atcp_send_active_reset(sk, GFP_ATOMIC);
		atcp_write_err(sk, ETIMEDOUT);
		return;
	}
	atcp_send_ack_seq(sk, as->snd_una - 1);	/* the probe */
	as->probes++;
	atcp_inc(sock_net(sk), ATCP_MIB_KEEPALIVEPROBES);
	atcp_timer_arm(sk, &as->ka_timer, keepalive_intvl_us(sk));
}

typedef void (*atcp_timer_handler_t)(struct sock *sk);

static enum hrtimer_restart atcp_timer_run(struct sock *sk,
					   struct atcp_timer *t, int bit,
					   atcp_timer_handler_t fn)
{
	bool put = false;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		fn(sk);
		/* re-armed meanwhile: the reference stays with the timer */
		put = !hrtimer_is_queued(&t->t);
		if (put) {
			WARN_ON_ONCE(!t->ref);
			t->ref = false;
		}
	} else {
		/* release_cb runs fn and drops the reference */
		set_bit(bit, &atcp_sk(sk)->deferred);
	}
	bh_unlock_sock(sk);
	if (put)
		sock_put(sk);
	return HRTIMER_NORESTART;
}

static enum hrtimer_restart atcp_rtx_timer_fn(struct hrtimer *h)
{
	struct atcp_sock *as = container_of(h, struct atcp_sock, rtx_timer.t);

	return atcp_timer_run((struct sock *)as, &as->rtx_timer, ATCP_DEFER_RTX,
			      atcp_rtx_timer_handler);
}

static enum hrtimer_restart atcp_delack_timer_fn(struct hrtimer *h)
{
	struct atcp_sock *as = container_of(h, struct atcp_sock,
					    delack_timer.t);

	return atcp_timer_run((struct sock *)as, &as->delack_timer,
			      ATCP_DEFER_DELACK,
			      atcp_delack_handler);
}

static enum hrtimer_restart atcp_ka_timer_fn(struct hrtimer *h)
{
	struct atcp_sock *as = container_of(h, struct atcp_sock, ka_timer.t);

	return atcp_timer_run((struct sock *)as, &as->ka_timer,
			      ATCP_DEFER_KEEPALIVE,
			      atcp_ka_handler);
}

/* A timer that fired while the user held the lock: its handler now, and
 * the timer's reference dropped unless it was armed again.
 */
static void atcp_timer_deferred(struct sock *sk, struct atcp_timer *t,
				int bit, atcp_timer_handler_t fn)
{
	if (!test_and_clear_bit(bit, &atcp_sk(sk)->deferred))
		return;
	fn(sk);
	if (atcp_timer_unref(t))
		__sock_put(sk);
}

/* proto->release_cb: the timer and ICMP work deferred while the user held
 * the lock.
 */
void atcp_release_cb(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_timer_deferred(sk, &as->rtx_timer, ATCP_DEFER_RTX,
			    atcp_rtx_timer_handler);
	atcp_timer_deferred(sk, &as->delack_timer, ATCP_DEFER_DELACK,
			    atcp_delack_handler);
	atcp_timer_deferred(sk, &as->ka_timer, ATCP_DEFER_KEEPALIVE,
			    atcp_ka_handler);
	if (test_and_clear_bit(ATCP_DEFER_MTU_REDUCED, &as->deferred)) {
		atcp_mtu_reduced(sk);
		__sock_put(sk);
	}
}

void atcp_init_timers(struct sock *sk)
{
	struct atcp_sock *as = atcp_sk(sk);

	atcp_hrtimer_setup(&as->rtx_timer.t, atcp_rtx_timer_fn);
	atcp_hrtimer_setup(&as->delack_timer.t, atcp_delack_timer_fn);
	atcp_hrtimer_setup(&as->ka_timer.t, atcp_ka_timer_fn);
	as->rtx_timer.pending = false;
	as->delack_timer.pending = false;
	as->ka_timer.pending = false;
	as->rtx_timer.ref = false;
	as->delack_timer.ref = false;
	as->ka_timer.ref = false;
}
