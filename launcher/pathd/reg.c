/* SPDX-License-Identifier: MIT */
/*
 * The registration channels (pathd/reg.h): the listener, the open channels,
 * the budgets and the order in which channels are read. What one message
 * proves is checked in reg_msg.c.
 *
 * Channels are read round-robin, at most PD_BATCH messages per turn and
 * PD_PER_CALL per call, each message taking one unit of its uid's budget; a
 * uid out of budget has its channels left unread until the budget refills
 * (their senders' queues fill, and the library drops what does not fit rather
 * than wait), while the other uids' channels are read. A new channel costs one
 * unit too, and is refused after SO_PEERCRED alone when there is none: cheap
 * enough to drain a flood of connections faster than it comes, so the shared
 * backlog keeps room for others.
 */
#include "pathd/reg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pathd/reg_budget.h"
#include "pathd/reg_msg.h"

#define PD_ACCEPT_BURST 4096 /* per wake-up: a flood is drained as fast as it comes */
#define PD_BACKLOG      4096
#define PD_CHANNELS     1024 /* open channels: one per registering process */
#define PD_CHANNELS_UID 48   /* of which one uid may hold; its least recently used goes */
#define PD_PER_CALL     1024 /* messages per pd_reg_handle(): events do not wait long */
/*
 * A message wakes the daemon only when it waits for one (pd_reg_expect), or when none was
 * read for PD_ACTIVE_MS: the wake-up of a daemon asleep on another CPU is most of what
 * a registration would cost connect(). Otherwise channels are read at the loop's other
 * wake-ups: a client's registration, sent in connect(), at its connection's first event
 * (CREATED, when the handshake completes); one whose connection has no event (a peer
 * without MPTCP: only CLOSED, which waits for the descriptor in flight to be closed) at
 * most PD_SWEEP_MS later.
 */
#define PD_SWEEP_MS 100.
/* Sockets registered before their connect() ran (the supervisor registers at the
 * notification, before the call continues): held until they have a token, read again
 * after every wake-up (the connection's CREATED is one). */
#define PD_HELD     64
#define PD_HELD_UID 8
#define PD_HELD_MS  1000.
#define EP_LISTENER 0
#define EP_CHANNELS 1
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* 6.5 */
#endif

struct chan {
	struct pd_slot s; /* used (fd open), uid, last accepted or read: pd_slot_choose() */
	int fd;           /* -1: free */
	int pidfd;        /* the process that connected (SO_PEERPIDFD), -1 before 6.5 */
	pid_t pid;
	bool queued; /* its slot is on the ring (stays so when the slot is reused) */
};

struct held {
	int fd; /* -1: free */
	double deadline;
	struct pd_registration reg; /* all but the token */
};

struct pd_reg {
	int fd;      /* the listener */
	int ep;      /* what the loop polls: the listener, and the channels while armed */
	int chan_ep; /* the channels, edge-triggered */
	bool armed;
	double last_run, last_msg, refill_at, expect_until;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t netns_cookie;
	struct pd_budgets budgets;
	struct chan c[PD_CHANNELS];
	unsigned ring[PD_CHANNELS]; /* channels that may have messages waiting, in turn */
	unsigned ring_head, ring_len;
	struct held held[PD_HELD];
	int n_held;
	unsigned long ok, refused, limited;
};

int pd_reg_fd(const struct pd_reg *r)
{
	return r->ep;
}

void pd_reg_stats(const struct pd_reg *r, unsigned long *ok, unsigned long *refused,
                  unsigned long *limited)
{
	*ok = r->ok;
	*refused = r->refused;
	*limited = r->limited;
}

static bool set_armed(struct pd_reg *r, bool on)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = EP_CHANNELS};
	if (r->armed == on)
		return true;
	if (epoll_ctl(r->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, r->chan_ep, &ev) < 0)
		return false;
	r->armed = on;
	return true;
}

struct pd_reg *pd_reg_open(const char *path)
{
	struct pd_reg *r = calloc(1, sizeof(*r));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	socklen_t l = sizeof(r->netns_cookie);
	int one = 1;
	if (!r)
		return NULL;
	r->ep = r->chan_ep = -1;
	for (int i = 0; i < PD_CHANNELS; i++)
		r->c[i].fd = r->c[i].pidfd = -1;
	for (int i = 0; i < PD_HELD; i++)
		r->held[i].fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		free(r);
		errno = ENAMETOOLONG;
		return NULL;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		goto fail;
	/* The namespace whose tokens we manage: a descriptor from another one is refused. */
	if (getsockopt(r->fd, SOL_SOCKET, SO_NETNS_COOKIE, &r->netns_cookie, &l) < 0)
		r->netns_cookie = 0;
	/* A stale socket from a previous run (we hold the instance lock): replaced. Anything
	 * else at that path is left alone. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(r->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		goto fail;
	/* Every local process may register; what it can claim is checked by the kernel.
	 * SO_PASSCRED passes to the accepted channels: each message says who sent it. */
	if (chmod(path, 0666) < 0 ||
	    setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    listen(r->fd, PD_BACKLOG) < 0)
		goto fail;
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = EP_LISTENER};
	if ((r->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (r->chan_ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(r->ep, EPOLL_CTL_ADD, r->fd, &ev) < 0 || !set_armed(r, true))
		goto fail;
	return r;
fail : {
	int e = errno;
	if (r->fd >= 0)
		close(r->fd);
	if (r->ep >= 0)
		close(r->ep);
	if (r->chan_ep >= 0)
		close(r->chan_ep);
	free(r);
	errno = e;
	return NULL;
}
}

static void chan_close(struct chan *ch)
{
	close(ch->fd); /* leaves the epoll set with it */
	if (ch->pidfd >= 0)
		close(ch->pidfd);
	ch->fd = ch->pidfd = -1;
	ch->s.used = false;
}

void pd_reg_close(struct pd_reg *r)
{
	if (!r)
		return;
	for (int i = 0; i < PD_CHANNELS; i++)
		if (r->c[i].fd >= 0)
			chan_close(&r->c[i]);
	for (int i = 0; i < PD_HELD; i++)
		if (r->held[i].fd >= 0)
			close(r->held[i].fd);
	close(r->fd);
	close(r->ep);
	close(r->chan_ep);
	unlink(r->path);
	free(r);
}

static void ring_push(struct pd_reg *r, unsigned i)
{
	if (r->c[i].queued)
		return;
	r->c[i].queued = true;
	r->ring[(r->ring_head + r->ring_len++) % PD_CHANNELS] = i;
}

static unsigned ring_pop(struct pd_reg *r)
{
	unsigned i = r->ring[r->ring_head];
	r->ring_head = (r->ring_head + 1) % PD_CHANNELS;
	r->ring_len--;
	r->c[i].queued = false;
	return i;
}

/* The slot for a new channel of uid (pathd/reg_budget.h); its channel, if any, is closed:
 * its process opens a new one at its next connection. */
static struct chan *slot_for(struct pd_reg *r, uid_t uid)
{
	struct chan *ch =
	    &r->c[pd_slot_choose(r->c, sizeof(r->c[0]), PD_CHANNELS, uid, PD_CHANNELS_UID)];
	if (ch->fd >= 0)
		chan_close(ch);
	return ch;
}

static bool add_channel(struct pd_reg *r, int fd, const struct ucred *cred, double now_ms)
{
	struct chan *ch = slot_for(r, cred->uid);
	int pidfd = -1;
	socklen_t l = sizeof(pidfd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &l) < 0)
		pidfd = -1;
	/* Edge-triggered: reported once per arrival; what a turn leaves stays on the ring. */
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET,
	                         .data.u32 = (uint32_t)(ch - r->c)};
	if (epoll_ctl(r->chan_ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		if (pidfd >= 0)
			close(pidfd);
		return false;
	}
	ch->fd = fd;
	ch->pidfd = pidfd;
	ch->pid = cred->pid;
	ch->s = (struct pd_slot){.used = true, .uid = cred->uid, .last = now_ms};
	return true;
}

static void accept_burst(struct pd_reg *r, double now_ms)
{
	for (int i = 0; i < PD_ACCEPT_BURST; i++) {
		struct ucred cred;
		socklen_t l = sizeof(cred);
		int c = accept4(r->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (c < 0)
			return;
		bool known = getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &l) == 0;
		if (known && !pd_budget_take(&r->budgets, cred.uid, now_ms, 1)) {
			r->limited++; /* closed before anything is read */
		} else if (!known || !add_channel(r, c, &cred, now_ms)) {
			r->refused++;
		} else {
			continue;
		}
		close(c);
	}
}

/* The channels with new messages (or a closed end), onto the ring. */
static void collect(struct pd_reg *r)
{
	struct epoll_event evs[256];
	int n;
	do {
		n = epoll_wait(r->chan_ep, evs, 256, 0);
		for (int i = 0; i < n; i++)
			if (evs[i].data.u32 < PD_CHANNELS && r->c[evs[i].data.u32].fd >= 0)
				ring_push(r, evs[i].data.u32);
	} while (n == 256);
}

struct ctx {
	struct pd_reg *r;
	double now_ms;
	void (*cb)(const struct pd_registration *, void *);
	void *arg;
};

static void registered(const struct pd_registration *reg, void *arg)
{
	struct ctx *x = arg;
	x->cb(reg, x->arg);
}

/* Keeps a socket with no token yet, within the bounds (all, and one uid's). */
static bool keep(int fd, const struct pd_registration *owner, void *arg)
{
	struct ctx *x = arg;
	struct held *free_slot = NULL;
	int mine = 0;
	for (int i = 0; i < PD_HELD; i++) {
		struct held *h = &x->r->held[i];
		if (h->fd < 0)
			free_slot = free_slot ? free_slot : h;
		else if (h->reg.uid == owner->uid)
			mine++;
	}
	if (!free_slot || mine >= PD_HELD_UID)
		return false;
	*free_slot = (struct held){.fd = fd, .deadline = x->now_ms + PD_HELD_MS, .reg = *owner};
	x->r->n_held++;
	return true;
}

/* The sockets held: registered once they have a token, refused when it does not come. */
static void recheck_held(struct pd_reg *r, double now_ms,
                         void (*cb)(const struct pd_registration *, void *), void *arg)
{
	for (int i = 0; i < PD_HELD && r->n_held; i++) {
		struct held *h = &r->held[i];
		if (h->fd < 0)
			continue;
		int64_t token = pd_reg_token(r->netns_cookie, h->fd);
		if (token == 0 && now_ms < h->deadline)
			continue;
		close(h->fd);
		h->fd = -1;
		r->n_held--;
		if (token > 0) {
			h->reg.token = (uint32_t)token;
			r->ok++;
			cb(&h->reg, arg);
		} else {
			r->refused++;
		}
	}
}

/* Each channel on the ring gets one turn. Returns the messages read. */
static unsigned serve(struct pd_reg *r, double now_ms,
                      void (*cb)(const struct pd_registration *, void *), void *arg)
{
	struct ctx x = {.r = r, .now_ms = now_ms, .cb = cb, .arg = arg};
	const struct pd_reg_sink sink = {.registered = registered, .keep = keep, .arg = &x};
	unsigned total = 0, turns = r->ring_len;
	r->refill_at = 0;
	while (turns-- && total < PD_PER_CALL) {
		unsigned i = ring_pop(r);
		struct chan *ch = &r->c[i];
		if (ch->fd < 0)
			continue;
		unsigned want = PD_PER_CALL - total < PD_BATCH ? PD_PER_CALL - total : PD_BATCH;
		unsigned granted = pd_budget_take(&r->budgets, ch->s.uid, now_ms, want);
		if (!granted) {
			/* Left unread until the uid's budget has a batch again. */
			r->limited++;
			ring_push(r, i);
			double t = now_ms + PD_BATCH * 1000. / PD_RATE;
			if (!r->refill_at || t < r->refill_at)
				r->refill_at = t;
			continue;
		}
		struct pd_reg_sender who = {.uid = ch->s.uid, .pid = ch->pid, .pidfd = ch->pidfd};
		struct pd_reg_tally t = {0};
		bool open = pd_reg_read(ch->fd, granted, r->netns_cookie, &who, &t, &sink);
		r->ok += t.ok;
		r->refused += t.refused;
		pd_budget_give_back(&r->budgets, ch->s.uid, now_ms, granted - t.read);
		total += t.read;
		if (t.read)
			ch->s.last = now_ms;
		if (!open)
			chan_close(ch);
		else if (t.read == granted)
			ring_push(r, i); /* more may be waiting: next turn */
	}
	if (r->ring_len && !r->refill_at && total >= PD_PER_CALL)
		r->refill_at = now_ms; /* this call's share is used: at once, after the events */
	return total;
}

void pd_reg_handle(struct pd_reg *r, double now_ms,
                   void (*cb)(const struct pd_registration *, void *), void *arg)
{
	struct epoll_event evs[2];
	bool channels = !r->armed;
	int n = epoll_wait(r->ep, evs, 2, 0);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u32 == EP_LISTENER)
			accept_burst(r, now_ms);
		else
			channels = true;
	}
	if (channels)
		collect(r);
	if (serve(r, now_ms, cb, arg))
		r->last_msg = now_ms;
	if (r->n_held)
		recheck_held(r, now_ms, cb, arg);
	r->last_run = now_ms;
	/* A failed epoll_ctl keeps the mode: a later call tries again. */
	set_armed(r, pd_reg_wake_on_message(now_ms, r->expect_until, r->last_msg));
}

void pd_reg_expect(struct pd_reg *r, double until_ms)
{
	if (until_ms > r->expect_until)
		r->expect_until = until_ms;
}

double pd_reg_next_deadline(const struct pd_reg *r)
{
	double t = r->armed ? 0 : r->last_run + PD_SWEEP_MS;
	if (r->refill_at && (!t || r->refill_at < t))
		t = r->refill_at;
	for (int i = 0; i < PD_HELD && r->n_held; i++)
		if (r->held[i].fd >= 0 && (!t || r->held[i].deadline < t))
			t = r->held[i].deadline;
	return t;
}
