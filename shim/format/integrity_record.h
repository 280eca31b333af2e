/* SPDX-License-Identifier: MIT */
/*
 * The kernel integrity record: what `mptcp-run check` found when it probed
 * whether the running kernel delivers multi-path data intact, read back by the
 * preload library, the path daemon, `explain` and `check` itself. The one
 * definition of that file's contents (README, "The kernel's multi-path data
 * fault"); reading and writing the file are the callers' (shim/kernel/
 * integrity_file.h reads, the launcher writes atomically).
 *
 * Text, one "key=value" per line, so that the library parses it with no
 * allocation and no JSON parser. A record belongs to one kernel (release and
 * version, as uname(2) gives them) and one boot (the kernel's boot id): a
 * record of another kernel or another boot is ignored.
 */
#ifndef MPTCP_RUN_FORMAT_INTEGRITY_RECORD_H
#define MPTCP_RUN_FORMAT_INTEGRITY_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

enum mr_kernel_integrity {
	MR_KI_UNKNOWN = 0, /* no record for this kernel and boot: not probed */
	MR_KI_INTACT,      /* probed, every byte arrived where it was sent */
	MR_KI_MISORDERS,   /* probed, data arrived at the wrong stream offset */
};

#define MR_KI_FIELD 72 /* uname's fields are 65 bytes; a boot id is 36 */

struct mr_integrity_record {
	enum mr_kernel_integrity verdict; /* MR_KI_INTACT or MR_KI_MISORDERS */
	char release[MR_KI_FIELD];        /* uname -r */
	char version[MR_KI_FIELD];        /* uname -v: tells two builds of one release apart */
	char boot_id[MR_KI_FIELD];        /* /proc/sys/kernel/random/boot_id */
	long long time;                   /* when, seconds since the epoch */
	char method[MR_KI_FIELD];         /* which tests ran, e.g. "join-while-reading,transfers" */
	int runs, misordered;             /* transfers compared, and of them misordered */
	int held_runs, held_misordered;   /* of which join-while-reading tests */
	long long first_wrong, shift;     /* of the first misordered one; -1 when none */
	int seconds;                      /* how long the probe took */
};

/* Writes the record as text (a comment line first); the length, or 0 when size is too small. */
size_t mr_integrity_format(const struct mr_integrity_record *r, char *buf, size_t size);
/* Parses text (not NUL-terminated, len bytes). NULL, or a static message saying what is wrong. */
const char *mr_integrity_parse(const char *text, size_t len, struct mr_integrity_record *out);
/*
 * Whether a record speaks for the running kernel: NULL when it does, else why not
 * ("recorded for another kernel: ...", "recorded in an earlier boot").
 */
const char *mr_integrity_applies(const struct mr_integrity_record *r, const char *release,
                                 const char *version, const char *boot_id);
/*
 * Whether a listener of a program may be MPTCP on a kernel in this state: the one rule of the
 * library, the supervisor and explain. A listener receives joins from clients mptcp-run does
 * not control, and the fault hits the receiver of a join, so it may only where the program
 * accepts the risk, the kernel was probed intact in this boot, or every join this host can
 * receive is one the path daemon protects (joins_protected: peers may join only addresses the
 * daemon announces as backup, and it makes each active once it has finished it).
 */
bool mr_integrity_listener_may_be_mptcp(enum mr_integrity program, enum mr_kernel_integrity kernel,
                                        bool joins_protected);
/* "intact", "misorders", "not probed". */
const char *mr_kernel_integrity_name(enum mr_kernel_integrity v);

#endif
