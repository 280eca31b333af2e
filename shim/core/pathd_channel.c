/* SPDX-License-Identifier: MIT */
/* The process's registration channel (core/pathd_channel.h). */
#include "core/pathd_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/process.h"
#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/pathd_sock.h"
#include "kernel/real.h"

enum {
	CH_NONE, /* never opened, or to be opened again at once (the daemon let it go) */
	CH_LIVE, /* connected to a daemon whose uid was checked */
	CH_DOWN, /* no daemon (or an untrusted one): tried again after ch_retry_ms */
};

/* The channel's number: -1 until the first connection, then the same for the process's
 * life (dup3() puts a new connection there), unless the program takes the number. */
static _Atomic int ch_fd = -1;
static _Atomic int ch_state = CH_NONE;
static _Atomic int64_t ch_retry_ms;
static _Atomic unsigned long ch_dropped;
/* One line per process for each of these (reset in a fork() child: a new process). */
static atomic_bool said_absent, said_untrusted, said_full;
static pthread_mutex_t ch_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool fork_hook;

const struct mr_sockcalls mr_pathd_real_calls = {
    .socket = real_socket,
    .connect = real_connect,
    .bind = real_bind,
    .setsockopt = real_setsockopt,
    .getsockopt = real_getsockopt,
    .sendmsg = real_sendmsg,
    .close = real_close,
};

static const char *socket_path(void)
{
	/* secure_getenv: a setuid program does not take the path from its caller. */
	const char *p = secure_getenv("MPTCP_RUN_PATHD_SOCKET");
	return p && *p ? p : MR_PATHD_SOCKET;
}

static uid_t allowed_uid(void)
{
	const char *t = secure_getenv("MPTCP_RUN_PATHD_UID");
	return t && *t ? (uid_t)strtoul(t, NULL, 10) : 0;
}

/*
 * The child of fork() is another process: the daemon must see its own connection
 * (SO_PEERCRED names the process that connected), so the parent's is closed here,
 * where only one thread runs. A thread of the parent may have held the mutex at
 * fork(): the child's copy is made new.
 */
static void in_child(void)
{
	int fd = atomic_exchange(&ch_fd, -1);
	if (fd >= 0)
		real_close(fd);
	atomic_store(&ch_state, CH_NONE);
	atomic_store(&ch_retry_ms, 0);
	atomic_store(&said_absent, false);
	atomic_store(&said_untrusted, false);
	atomic_store(&said_full, false);
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	ch_lock = fresh;
}

static void note_failure(enum mr_chan_open why, const char *path, uid_t peer)
{
	atomic_store(&ch_retry_ms, mr_coarse_ms() + MR_CHAN_RETRY_MS);
	atomic_store_explicit(&ch_state, CH_DOWN, memory_order_release);
	if (why == MR_CHAN_UNTRUSTED) {
		if (!atomic_exchange(&said_untrusted, true))
			mr_log(MR_LOG_ERROR,
			       "%s is served by uid %u, not root: no socket handed over, paths not "
			       "applied",
			       path, (unsigned)peer);
	} else if (!atomic_exchange(&said_absent, true)) {
		mr_log(MR_LOG_INFO,
		       "no path daemon at %s%s: this program's paths are not applied, its "
		       "sockets are left to routing",
		       path, why == MR_CHAN_BUSY ? " (its queue is full)" : "");
	}
}

/* Connects again (or for the first time), under the lock. */
static bool open_channel(void)
{
	if (mr_in_vfork_child())
		return false;
	pthread_mutex_lock(&ch_lock);
	int st = atomic_load_explicit(&ch_state, memory_order_acquire);
	int fd = atomic_load(&ch_fd);
	bool ok = false;
	if (st == CH_LIVE && fd >= 0 && mr_pathd_chan_alive(fd)) {
		ok = true; /* another thread did it meanwhile */
		goto out;
	}
	if (st == CH_DOWN && mr_coarse_ms() < atomic_load(&ch_retry_ms))
		goto out;
	if (!atomic_exchange(&fork_hook, true))
		pthread_atfork(NULL, NULL, in_child);
	const char *path = socket_path();
	uid_t peer;
	enum mr_chan_open why;
	int s = mr_pathd_chan_connect(&mr_pathd_real_calls, path, allowed_uid(), &peer, &why);
	if (s < 0) {
		note_failure(why, path, peer);
		goto out;
	}
	/* Under the old number: a thread that read it a moment ago sends on a channel of
	 * ours either way, never on a descriptor the program got since. */
	if (fd >= 0 && real_dup3(s, fd, O_CLOEXEC) == fd)
		real_close(s);
	else
		atomic_store(&ch_fd, s);
	if (atomic_exchange(&said_absent, false))
		mr_log(MR_LOG_INFO, "path daemon at %s: this program's paths apply again", path);
	atomic_store_explicit(&ch_state, CH_LIVE, memory_order_release);
	ok = true;
out:
	pthread_mutex_unlock(&ch_lock);
	return ok;
}

/*
 * No getpid() here: in a child that shares the channel without having run our fork
 * handler (vfork(), _Fork(), a raw clone()), a live channel is used as it is and the
 * daemon refuses the message (its sender is not the channel's process); only opening
 * one, which writes the state, is kept from a vfork() child, which shares our memory.
 */
bool mr_pathd_chan_ready(void)
{
	int st = atomic_load_explicit(&ch_state, memory_order_acquire);
	if (st == CH_LIVE &&
	    mr_pathd_chan_alive(atomic_load_explicit(&ch_fd, memory_order_relaxed)))
		return true;
	if (st == CH_DOWN && mr_coarse_ms() < atomic_load(&ch_retry_ms))
		return false;
	return open_channel();
}

void mr_pathd_chan_register(int fd)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (atomic_load_explicit(&ch_state, memory_order_acquire) != CH_LIVE)
			return;
		int chan = atomic_load_explicit(&ch_fd, memory_order_relaxed);
		switch (mr_pathd_chan_send(&mr_pathd_real_calls, chan, fd)) {
		case MR_CHAN_SENT:
			return;
		case MR_CHAN_FULL: {
			unsigned long n = atomic_fetch_add(&ch_dropped, 1) + 1;
			if (!atomic_exchange(&said_full, true))
				mr_log(
				    MR_LOG_INFO,
				    "the path daemon has not read this process's registrations "
				    "yet: a connection was not registered and gets the defaults");
			mr_log(MR_LOG_DEBUG, "registration dropped (%lu in this process)", n);
			return;
		}
		case MR_CHAN_GONE: {
			/* Since mr_pathd_chan_ready(): the daemon restarted, or let this
			 * channel go. Opened again at once, and sent once more. */
			int live = CH_LIVE;
			atomic_compare_exchange_strong(&ch_state, &live, CH_NONE);
			if (!open_channel())
				return;
			break;
		}
		}
	}
}

int mr_pathd_chan_fd(void)
{
	return atomic_load_explicit(&ch_fd, memory_order_relaxed);
}

void mr_pathd_chan_release(int fd)
{
	int mine = fd;
	/* One load for every close() of the program; the rest only for the channel. */
	if (fd < 0 || fd != atomic_load_explicit(&ch_fd, memory_order_relaxed) ||
	    mr_in_vfork_child())
		return;
	if (atomic_compare_exchange_strong(&ch_fd, &mine, -1))
		atomic_store(&ch_state, CH_NONE);
}

unsigned long mr_pathd_chan_dropped(void)
{
	return atomic_load(&ch_dropped);
}
