/* SPDX-License-Identifier: MIT */
/*
 * The two ends of the probe's transfers, each running inside its namespace's
 * holder process (integrity/netns.h) and driven over the command channel: one
 * request, one reply, fixed-size messages. The server checks every byte it
 * receives against the stream (integrity/stream.h); the client sends it.
 */
#ifndef MPTCP_RUN_INTEGRITY_PEER_H
#define MPTCP_RUN_INTEGRITY_PEER_H

#include <stdbool.h>
#include <stdint.h>

enum lr_peer_cmd {
	/* server */
	LR_PEER_LISTEN = 1, /* a = port: an MPTCP listener on every address */
	LR_PEER_RECV_HELD,  /* a = total, b = pre: accept, read pre bytes, then read into memory
	                     * that faults (userfaultfd): the reply comes once the reading thread
	                     * is inside recvmsg() holding the socket, with a = 1 (or a = 0 and
	                     * text: not possible here) */
	LR_PEER_RELEASE,    /* let that read finish, read the rest: the reply is the check */
	LR_PEER_RECV,       /* a = total: accept one connection, read all: the reply is the check */
	/* client */
	LR_PEER_CONNECT,  /* a = port, text = address, b = 1: TCP_CONGESTION cubic */
	LR_PEER_SEND,     /* a = offset, b = length: send stream bytes; returns at once, a thread
	                   * sends (the receiver may not read for a while) */
	LR_PEER_SUBFLOWS, /* reply: a = subflows, b = bytes sent on the second one, c = on the
	                   * first */
	LR_PEER_FINISH,   /* wait for the sends, shut down writing, wait for the server's close */
	LR_PEER_TRANSFER, /* a = total, b = port, text = address: one whole transfer */
};

struct lr_peer_msg {
	int32_t cmd;
	int32_t ok;      /* replies: 1 done, 0 failed (text says why) */
	int64_t a, b, c; /* checks: a = bytes, b = first wrong (-1), c = shift */
	char text[160];
};

/* The holder's loop: serves requests until the channel closes. */
void lr_peer_serve(int ctl);

/* The launcher's side: one request, then its reply within timeout_ms. false on timeout or
 * a broken channel (why in reply->text). */
bool lr_peer_call(int ctl, const struct lr_peer_msg *req, struct lr_peer_msg *reply,
                  int timeout_ms);
/* A request whose reply is read later with lr_peer_wait. */
bool lr_peer_send(int ctl, const struct lr_peer_msg *req);
bool lr_peer_wait(int ctl, struct lr_peer_msg *reply, int timeout_ms);

#endif
