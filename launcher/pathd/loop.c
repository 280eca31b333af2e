/* SPDX-License-Identifier: MIT */
/*
 * The path daemon's start, loop and exit (pathd/pathd.h). One thread, one
 * poll(): path-manager events, link and address changes, registrations,
 * signals, and the wake-ups the planner asked for; between them it sleeps
 * and costs nothing per connection.
 */
#include "pathd/pathd.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "os/msg.h"
#include "os/state_dir.h"
#include "pathd/adopt.h"
#include "pathd/clock.h"
#include "pathd/daemon.h"
#include "pathd/events.h"
#include "pathd/live.h"
#include "pathd/samples.h"
#include "pathd/takeover.h"
#include "pathd/usage.h"

static double earliest(double a, double b)
{
	return !a || (b && b < a) ? b : a;
}

/* poll()'s timeout: until the next wake-up, registration deadline, state-file write or
 * measurement. */
static int poll_timeout(const struct pd_daemon *d, double now)
{
	double t = earliest(pd_wake_next(&d->wakes), pd_reg_next_deadline(d->reg));
	t = earliest(t, pd_live_next(d));
	t = earliest(t, pd_samples_next(d));
	t = earliest(t, pd_usage_next(d));
	if (!t)
		return -1;
	if (t <= now)
		return 0;
	return (int)(t - now) + 1;
}

/* Events were lost (ENOBUFS): what is still open comes back from sock_diag. */
static void resync(struct pd_daemon *d)
{
	lr_warn("path-manager events were lost; resynchronising");
	pd_adopt(d);
	pd_plan_all(d, pd_now_ms());
}

/* The folders of the socket and of the state file: checked (make false) before anything can
 * refuse the start, made (make true) once nothing can, so that a refusal leaves none behind. */
static bool folders_ok(const struct pd_options *o, bool make)
{
	char why[PATH_MAX + 128];
	/* Whoever can write in them can replace the socket the library trusts. */
	if (!lr_state_dir_of(o->socket_path, make, why, sizeof(why)) ||
	    (o->state_path && !lr_state_dir_of(o->state_path, make, why, sizeof(why)))) {
		lr_err("%s", why);
		return false;
	}
	return true;
}

/* Everything the loop needs, in the order that keeps the namespace unchanged on a refusal. */
static bool start(struct pd_daemon *d, const struct pd_options *o)
{
	const char *why = "";
	struct pd_genl *probe;
	if ((d->lockfd = pd_instance_lock()) < 0) {
		lr_err("another pathd runs in this network namespace: refusing to start");
		return false;
	}
	if (!folders_ok(o, false))
		return false;
	/* Resets of subflows on paths a connection may not use (budgets): not worth a refusal. */
	d->pm.diag = pd_diag_open();
	if (!(d->pm.cmd = pd_genl_open(false, &why)) || !(probe = pd_genl_open(false, &why))) {
		lr_err("%s", why);
		return false;
	}
	/* Checked before we join the group ourselves. */
	bool taken = pd_take_pm(pd_genl_events_group(probe));
	pd_genl_close(probe);
	if (!taken)
		return false;
	if (!(d->ev = pd_genl_open(true, &why)) || !(d->rt = pd_rtnl_open(&why))) {
		lr_err("%s", why);
		return false;
	}
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		lr_err("signalfd: %s", strerror(errno));
		return false;
	}
	if (pd_rtnl_dump(d->rt, pd_on_link, d) < 0) {
		lr_err("cannot list links and addresses: %s", strerror(errno));
		return false;
	}
	/* Run by hand, nothing made /run/mptcp-run (the unit's RuntimeDirectory= does). */
	if (!folders_ok(o, true))
		return false;
	if (!(d->reg = pd_reg_open(o->socket_path))) {
		lr_err("cannot listen on %s: %s", o->socket_path, strerror(errno));
		return false;
	}
	return true;
}

/* Runs until a signal; false when poll() fails. */
static bool loop(struct pd_daemon *d)
{
	for (;;) {
		struct pollfd pf[4] = {
		    {pd_genl_fd(d->ev), POLLIN, 0},
		    {pd_rtnl_fd(d->rt), POLLIN, 0},
		    {pd_reg_fd(d->reg), POLLIN, 0},
		    {d->sigfd, POLLIN, 0},
		};
		int n = poll(pf, 4, poll_timeout(d, pd_now_ms()));
		double now = pd_now_ms();
		if (n < 0 && errno != EINTR) {
			lr_err("poll: %s", strerror(errno));
			return false;
		}
		if (pf[3].revents) {
			struct signalfd_siginfo si;
			if (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
				lr_dbg("signal %u: exiting", si.ssi_signo);
				return true;
			}
		}
		if (pf[1].revents) {
			pd_rtnl_read(d->rt, pd_on_link, d);
			pd_plan_all(d, now);
		}
		if (pf[0].revents && pd_genl_read(d->ev, pd_on_event, d) < 0 && errno == ENOBUFS)
			resync(d);
		/* After every wake-up (pathd/reg.h): registrations come without waking us. */
		pd_reg_handle(d->reg, now, pd_on_registration, d);
		pd_on_wakeups(d, now);
		pd_samples_take(d, now);
		/* A budget spent or renewed: what every connection may use changed. */
		if (pd_usage_tick(d, now))
			pd_plan_all(d, now);
		pd_live_write(d, now, false);
	}
}

int pd_run(const struct pd_options *o)
{
	struct pd_daemon *d = calloc(1, sizeof(*d));
	int status = 1;

	lr_msg_component("pathd");
	lr_debug = o->debug;
	if (!d || !pd_conns_init(&d->conns) || !pd_wakes_init(&d->wakes)) {
		lr_err("out of memory");
		if (d) {
			pd_conns_free(&d->conns);
			free(d);
		}
		return 1;
	}
	d->o = o;
	d->sigfd = d->lockfd = -1;
	d->pm.policy = o->policy;
	d->pm.ifs = &d->ifs;
	d->world = (struct pl_world){
	    .policy = o->policy, .ifs = &d->ifs, .grace_ms = o->grace_ms, .drain_ms = PD_DRAIN_MS};
	d->kinds = mr_policy_has_kinds(o->policy);
	for (size_t i = 0; i < o->policy->n_sections; i++)
		if (o->policy->sections[i].paths.set)
			d->world.wait_registration = true;

	/* The usage file's folder is checked before the namespace changes. */
	if (pd_usage_start(d) && start(d, o)) {
		pd_adopt(d);
		pd_usage_adopted(d);
		lr_info(
		    "managing paths (%zu defined) with the userspace path manager; registrations "
		    "on %s",
		    o->policy->n_paths, o->socket_path);
		pd_plan_all(d, pd_now_ms());
		pd_live_write(d, pd_now_ms(), true);
		if (o->ready_fd >= 0) {
			/* The launcher's parent waits for this before it exits (cmd/pathd.c). */
			ssize_t w = write(o->ready_fd, "1", 1);
			(void)w;
			close(o->ready_fd);
		}
		status = loop(d) ? 0 : 1;
	}
	pd_usage_stop(d, pd_now_ms());
	pd_restore_pm();
	if (d->reg)
		pd_reg_close(d->reg);
	pd_pm_close(&d->pm);
	if (o->state_path && d->reg)
		unlink(o->state_path);
	pd_rtnl_close(d->rt);
	pd_genl_close(d->ev);
	pd_genl_close(d->pm.cmd);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->lockfd >= 0)
		close(d->lockfd);
	pd_wakes_free(&d->wakes);
	pd_conns_free(&d->conns);
	free(d);
	return status;
}
