/* SPDX-License-Identifier: MIT */
/*
 * The timeline's sampling side (cmd/timeline.h). The launcher stays the
 * parent: signals sent to it are passed on to the command (those the
 * terminal sends to the whole process group reach the command by
 * themselves), and it exits with the command's status or dies of its
 * signal. A sample costs the command nothing: sock_diag, /proc and the
 * interface list are read from here. After the command exits, sampling goes
 * on (at most 1 s) while its connections are still closing, so the close is
 * recorded too.
 */
#include "cmd/timeline.h"

#include "cmd/commands.h"
#include "cmd/options.h"
#include "live/timeline.h"
#include "os/child_relay.h"
#include "os/msg.h"
#include "sampler/sampler.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TOKENS 4096
#define TAIL_S     1.0
#define MAX_EVENTS 64

bool lr_timeline_interval(const char *s, double *out)
{
	return lr_opt_decimal(s, 0.01, 60, out);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct tl {
	int fd;
	double interval, t0;
	pid_t child;
	struct ls_sampler *sp;
	struct lv_sample prev, cur;
	struct lv_totals tot;
	struct lv_links lprev, lcur;
	bool have_prev;
	uint32_t tokens[MAX_TOKENS];
	size_t n_tokens;
	bool write_failed;
};

/* One line, one write: lines from `mptcp-run mark` interleave whole. */
static void emit(struct tl *x, struct lr_buf *b)
{
	char *s = lr_buf_take(b);
	if (!s)
		return;
	size_t n = strlen(s);
	ssize_t w = write(x->fd, s, n);
	if ((w < 0 || (size_t)w != n) && !x->write_failed) {
		x->write_failed = true;
		lr_warn("--timeline: cannot write: %s (the command goes on)",
		        w < 0 ? strerror(errno) : "short write");
	}
	free(s);
}

static void links_of(const struct ls_ifaces *ifs, struct lv_links *l)
{
	l->n = 0;
	for (size_t i = 0; i < ifs->n_links && l->n < LV_MAX_LINKS; i++) {
		memcpy(l->e[l->n].name, ifs->link[i].name, LV_IFNAME);
		l->e[l->n++].up = ifs->link[i].up;
	}
}

/* The connections of the command's processes join the set, and stay in it until gone. */
static void adopt(struct tl *x)
{
	const pid_t *tree;
	size_t n_tree = ls_sampler_tree(x->sp, &tree);
	for (size_t i = 0; i < x->cur.n_conns; i++) {
		const struct lv_conn *c = &x->cur.conns[i];
		size_t k;
		for (k = 0; k < n_tree && tree[k] != c->pid; k++)
			;
		if (!c->pid || k == n_tree)
			continue;
		for (k = 0; k < x->n_tokens && x->tokens[k] != c->token; k++)
			;
		if (k == x->n_tokens && x->n_tokens < MAX_TOKENS)
			x->tokens[x->n_tokens++] = c->token;
	}
}

/* Takes and writes one sample with its events; returns how many of the command's remain. */
static size_t tick(struct tl *x, pid_t root)
{
	struct lr_buf b;
	struct lv_event ev[MAX_EVENTS];

	if (x->cur.t > 0) {
		lv_sample_move(&x->prev, &x->cur);
		x->lprev = x->lcur;
		x->have_prev = true;
	}
	ls_sample(x->sp, &x->cur, root);
	links_of(ls_sampler_ifaces(x->sp), &x->lcur);
	if (root > 0)
		adopt(x);
	lv_sample_retain(&x->cur, x->tokens, x->n_tokens);
	if (x->have_prev)
		lv_totals_update(&x->tot, &x->prev, &x->cur);
	double t = x->cur.t - x->t0;
	size_t n = lv_events(x->have_prev ? &x->prev : NULL, &x->cur,
	                     x->have_prev ? &x->lprev : NULL, &x->lcur, ev, MAX_EVENTS);
	lr_buf_init(&b);
	for (size_t i = 0; i < n; i++)
		lv_tl_event(&b, t, x->cur.wall, &ev[i]);
	emit(x, &b);
	struct lv_view v;
	if (lv_view_build(&v, x->have_prev ? &x->prev : NULL, &x->cur, &x->tot, LV_SORT_PID,
	                  NULL) == 0) {
		lr_buf_init(&b);
		lv_tl_sample(&b, &v, x->interval, t);
		emit(x, &b);
		lv_view_free(&v);
	}
	return x->cur.n_conns;
}

static void command_line(char **argv, struct lr_buf *b)
{
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			lr_buf_addc(b, ' ');
		lr_buf_adds(b, argv[i]);
	}
}

static int parent(struct tl *x, int sfd, const sigset_t *old, char **argv)
{
	struct lr_buf b;
	int status = 0;
	bool done = false;
	double next, tail_end = 0;

	lr_buf_init(&b);
	struct lr_buf cmd;
	lr_buf_init(&cmd);
	command_line(argv, &cmd);
	char *c = lr_buf_take(&cmd);
	lv_tl_start(&b, wall(), x->interval, (int)x->child, c ? c : "");
	free(c);
	emit(x, &b);
	tick(x, x->child);
	next = mono() + x->interval;
	for (;;) {
		double left = next - mono();
		struct pollfd pf = {.fd = sfd, .events = POLLIN};
		int n = poll(&pf, 1, left > 0 ? (int)(left * 1000) + 1 : 0);
		if (n > 0 && (pf.revents & POLLIN)) {
			/* Once reaped, the child's pid may be another process's: nothing is passed
			 * on. */
			if (lr_relay_read(sfd, done ? -1 : x->child, &status)) {
				done = true;
				tail_end = mono() + TAIL_S;
				next = mono(); /* a sample right at the exit */
			}
			continue;
		}
		if (mono() < next)
			continue;
		next += x->interval;
		if (next < mono())
			next = mono() + x->interval; /* late: no burst of catch-up samples */
		size_t left_conns = tick(x, done ? -1 : x->child);
		if (done && (left_conns == 0 || mono() >= tail_end))
			break;
	}
	lr_buf_init(&b);
	lv_tl_end(&b, mono() - x->t0, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	          WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	emit(x, &b);
	close(x->fd);
	lv_sample_free(&x->prev);
	lv_sample_free(&x->cur);
	ls_sampler_free(x->sp);
	return lr_relay_exit_status(status, old);
}

int lr_timeline_start(const char *file, double interval, char **cmd_argv)
{
	static struct tl x; /* about 40 KiB: not on the stack */
	sigset_t old;

	memset(&x, 0, sizeof(x));
	x.interval = interval;
	x.fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
	if (x.fd < 0) {
		lr_err("--timeline %s: %s", file, strerror(errno));
		return -2;
	}
	x.sp = ls_sampler_new(NULL);
	if (!x.sp) {
		lr_err("--timeline: out of memory");
		close(x.fd);
		return -1;
	}
	int sfd = lr_relay_open(&old);
	if (sfd < 0) {
		lr_err("--timeline: signalfd: %s", strerror(-sfd));
		close(x.fd);
		return -1;
	}
	fflush(NULL);
	x.t0 = mono();
	x.child = fork();
	if (x.child < 0) {
		lr_err("--timeline: fork: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sfd);
		close(x.fd);
		return -1;
	}
	if (x.child == 0) {
		close(sfd);
		close(x.fd);
		ls_sampler_free(x.sp);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	/* A closed stderr must not kill the launcher while the command runs. */
	signal(SIGPIPE, SIG_IGN);
	exit(parent(&x, sfd, &old, cmd_argv));
}
