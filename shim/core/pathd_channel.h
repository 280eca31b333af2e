/* SPDX-License-Identifier: MIT */
/*
 * The process's registration channel to the path daemon: one connection per
 * process, opened on first need, opened again when the daemon restarted (or let
 * it go), closed in a fork() child, never inherited across exec (close-on-exec).
 * Every thread shares it without a lock: the descriptor's number never changes
 * while the process has it (a new connection replaces the old one under the same
 * number with dup3()), and a SOCK_SEQPACKET message is sent whole whichever
 * thread sends it. Opening takes a mutex, held for non-blocking calls only.
 * With no daemon, the process tries again at most once per MR_CHAN_RETRY_MS.
 */
#ifndef MPTCP_RUN_CORE_PATHD_CHANNEL_H
#define MPTCP_RUN_CORE_PATHD_CHANNEL_H

#include <stdbool.h>

#include "kernel/pathd_sock.h"

#define MR_CHAN_RETRY_MS 1000

/* The library's socket calls for the channel and the pinning: the real ones. */
extern const struct mr_sockcalls mr_pathd_real_calls;

/*
 * Whether a daemon will manage this process's next connection: the channel is
 * connected to a daemon whose uid was checked, and its end is still open (one
 * recv(MSG_PEEK)). Opens the channel when it is time to. Never waits for the
 * daemon. False in a vfork() child (it shares our memory, not our descriptors).
 */
bool mr_pathd_chan_ready(void);

/*
 * Hands the MPTCP socket fd to the daemon over a ready channel: one sendmsg().
 * A daemon gone since mr_pathd_chan_ready(): the channel is opened again and the
 * message sent once more. A full queue drops this registration (counted).
 */
void mr_pathd_chan_register(int fd);

/* The channel's descriptor, -1 when there is none (close_range()/closefrom() keep it). */
int mr_pathd_chan_fd(void);

/* Before the program closes fd or makes it a copy of another (dup2): if fd is the
 * channel, the number is the program's from now on. Async-signal-safe. */
void mr_pathd_chan_release(int fd);

/* Registrations dropped because the daemon had not read the previous ones yet. */
unsigned long mr_pathd_chan_dropped(void);

#endif
