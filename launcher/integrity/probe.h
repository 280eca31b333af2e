/* SPDX-License-Identifier: MIT */
/*
 * The kernel integrity probe of `mptcp-run check` (README, "The kernel's
 * multi-path data fault"): does this kernel deliver MPTCP data intact when a
 * second subflow carries it? In two network namespaces of its own, joined by
 * two veth paths, it runs
 *  - the join-while-reading test: a join completes while the receiver is
 *    inside recvmsg() holding its socket (made certain with userfaultfd), and
 *    data is on both paths; the affected kernels misplace the join's first
 *    data every time;
 *  - then 16 MiB transfers over both paths in the conditions that trigger the
 *    fault most (tbf 100 Mbit/s, TCP_CONGESTION cubic, an early writer) until
 *    the time budget is spent;
 * and checks every byte. Needs root. The namespaces die with the launcher.
 */
#ifndef MPTCP_RUN_INTEGRITY_PROBE_H
#define MPTCP_RUN_INTEGRITY_PROBE_H

#include <stdbool.h>
#include <stdio.h>

#include "format/integrity_record.h"

struct lr_probe_options {
	int seconds;      /* time budget for the timing transfers (the whole probe stays under it
	                   * plus about 10 s of set-up and join-while-reading tests) */
	int held_tests;   /* join-while-reading tests (3) */
	bool single_path; /* the negative control: one path, no join; must find nothing */
	FILE *progress;   /* one line per test, or NULL */
};

/*
 * Runs the probe. true with *rec filled (the verdict, counts, shape, the running
 * kernel's identity) when it ran; false with why filled when it could not (not
 * root, no veth, ...).
 */
bool lr_probe_run(const struct lr_probe_options *o, struct mr_integrity_record *rec, char *why,
                  size_t wsize);

#endif
