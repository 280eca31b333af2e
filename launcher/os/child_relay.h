/* SPDX-License-Identifier: MIT */
/*
 * The launcher staying the parent of the command it runs (`--timeline`, the
 * supervisor): the signals sent to the launcher are passed on to the
 * command, its exit is seen through the same signalfd, and the launcher
 * then exits with the command's status or dies of its signal.
 */
#ifndef MPTCP_RUN_LAUNCHER_CHILD_RELAY_H
#define MPTCP_RUN_LAUNCHER_CHILD_RELAY_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/*
 * Blocks SIGCHLD and the signals passed on, the previous mask in *old, and
 * returns a close-on-exec signalfd for them; -errno with the mask restored.
 * The child restores *old after fork (and closes the fd).
 */
int lr_relay_open(sigset_t *old);

/*
 * Reads one signal from sfd (readable). SIGCHLD: true when child has exited
 * (reaped, its status in *status). Another signal is passed on to child,
 * unless the kernel sent it (a terminal's signal reaches the child's process
 * group by itself). child <= 0 (already reaped): the signal is dropped.
 */
bool lr_relay_read(int sfd, pid_t child, int *status);

/*
 * Dies of the child's signal, with the mask old restored, or returns its exit
 * status (128 + the signal when raising it did not end us).
 */
int lr_relay_exit_status(int status, const sigset_t *old);

#endif
