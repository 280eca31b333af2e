/* SPDX-License-Identifier: MIT */
/*
 * The integrity probe's payload: a byte stream regenerated from any offset
 * (one 64-bit hash per 8-byte word), so the receiver checks every byte with
 * no copy of what was sent, and a misplaced region names the offset it was
 * sent at. Pure: no system calls.
 */
#ifndef MPTCP_RUN_INTEGRITY_STREAM_H
#define MPTCP_RUN_INTEGRITY_STREAM_H

#include <stddef.h>
#include <stdint.h>

/* Bytes [off, off + len) of the stream into buf. */
void lr_stream_fill(uint8_t *buf, uint64_t off, size_t len);

/* How far a misplaced region may come from: about a receive window. */
#define LR_STREAM_NEAR (1u << 20)

struct lr_stream_check {
	uint64_t checked;    /* bytes compared so far */
	int64_t first_wrong; /* stream offset of the first wrong byte, -1: none */
	int64_t shift;       /* the wrong bytes were sent at first_wrong + shift; 0: not a copy */
};

void lr_stream_check_init(struct lr_stream_check *c);
/*
 * Compares the next len received bytes with the stream (call in order as data
 * arrives). On the first wrong byte, looks for where the bytes from there
 * were sent, within LR_STREAM_NEAR; scratch must hold 2 * LR_STREAM_NEAR + len
 * bytes (the caller's, so that nothing here allocates).
 */
void lr_stream_check(struct lr_stream_check *c, const uint8_t *got, size_t len, uint8_t *scratch);

#endif
