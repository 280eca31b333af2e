/* SPDX-License-Identifier: MIT */
/*
 * The sockets the supervisor makes for a supervised thread (supervise/sockets.c):
 * in the thread's network namespace, ahead of time when it can.
 */
#ifndef MPTCP_RUN_LAUNCHER_SUPERVISE_SOCKETS_H
#define MPTCP_RUN_LAUNCHER_SUPERVISE_SOCKETS_H

#include <stdbool.h>
#include <sys/types.h>

struct lr_sv_sockets {
	dev_t own_dev;
	ino_t own_ino;
	int own_fd; /* our network namespace, to come back after setns */
	/*
	 * nswatch: the filter sends every call that can move a thread to another
	 * network namespace; until one came, every supervised thread is in ours
	 * and no /proc look-up is needed.
	 */
	bool watch;
	bool moved; /* such a call came: look the namespace up for each socket */
	bool pool;  /* keep one MPTCP socket of each kind made ahead */
	/* [AF_INET, AF_INET6][blocking, SOCK_NONBLOCK]: a socket made ahead, or -1 */
	int ready[2][2];
	bool want[2][2]; /* that kind was asked for: make the next one after the answer */
	bool warned;
};

/* Our namespace; levers: watch and pool. */
void lr_sv_sockets_init(struct lr_sv_sockets *s, bool watch, bool pool);
void lr_sv_sockets_close(struct lr_sv_sockets *s);

/*
 * THE place where the supervisor creates a socket for thread tid:
 * socket(domain, type, protocol) in tid's network namespace. Returns our
 * descriptor (close-on-exec here; the flags the child gets are its own), or
 * -errno when it cannot be made (setns refused: said once).
 */
int lr_sv_socket(struct lr_sv_sockets *s, pid_t tid, int domain, int type, int protocol);

/* After an answer: makes the sockets of the kinds handed out ahead (pool lever). */
void lr_sv_sockets_refill(struct lr_sv_sockets *s);

#endif
