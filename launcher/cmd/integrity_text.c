/* SPDX-License-Identifier: MIT */
/* The kernel integrity texts of `check` and `explain` (cmd/integrity_text.h). */
#include "cmd/integrity_text.h"

#include <stdio.h>
#include <time.h>

#define SECTION "README, \"The kernel's multi-path data fault\""

const char *lr_integrity_verdict(enum mr_kernel_integrity state,
                                 const struct mr_integrity_record *rec, const char *why, char *buf,
                                 size_t size)
{
	char when[32] = "";
	if (state != MR_KI_UNKNOWN) {
		time_t t = (time_t)rec->time;
		struct tm tm;
		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	}
	if (state == MR_KI_MISORDERS) {
		snprintf(
		    buf, size,
		    "kernel %s MISORDERS data received on joined subflows: %d of %d "
		    "join-while-reading tests and %d of %d transfers of 16 MiB over two paths "
		    "(first wrong byte %lld, shift %+lld; probed %s in %d s). What it means: a "
		    "program that receives data on a second subflow (a server taking an upload "
		    "from a client with two paths) can get bytes at the wrong place, silently; "
		    "its own downloads on joins it makes are not affected. What protects you: "
		    "listeners under mptcp-run stay TCP here (unless integrity = "
		    "\"accept-risk\"), and mptcp-run pathd makes each join a backup until the "
		    "peer has surely finished it (" SECTION ")",
		    rec->release, rec->held_misordered, rec->held_runs,
		    rec->misordered - rec->held_misordered, rec->runs - rec->held_runs,
		    rec->first_wrong, rec->shift, when, rec->seconds);
		return "warn";
	}
	if (state == MR_KI_INTACT) {
		snprintf(buf, size,
		         "kernel %s delivered every byte: %d join-while-reading tests and %d "
		         "transfers of 16 MiB over two paths intact (probed %s in %d s): listeners "
		         "under mptcp-run may be MPTCP",
		         rec->release, rec->held_runs, rec->runs - rec->held_runs, when,
		         rec->seconds);
		return "ok";
	}
	snprintf(buf, size,
	         "not probed on this kernel and boot (%s): until it is, listeners under mptcp-run "
	         "stay TCP, since some kernels misplace data received on joined subflows (" SECTION
	         ")",
	         why);
	return "warn";
}

void lr_integrity_protection(const struct mr_program *prog, enum mr_kernel_integrity state,
                             char *buf, size_t size)
{
	char from[64];
	if (prog->integrity_origin == MR_FROM_BUILTIN)
		snprintf(from, sizeof(from), "built in");
	else
		snprintf(from, sizeof(from), "%s, line %d",
		         prog->integrity_origin == MR_FROM_SECTION ? "its section" : "defaults",
		         prog->integrity_line);
	if (prog->integrity == MR_INTEGRITY_ACCEPT_RISK) {
		snprintf(buf, size,
		         "accept-risk (%s): its listeners may be MPTCP and its joins carry data at "
		         "once, whatever the kernel%s",
		         from,
		         state == MR_KI_MISORDERS ? " (this one misorders data on joins)" : "");
		return;
	}
	snprintf(buf, size,
	         "protect (%s): %s; joins the path daemon makes for it are backup until the peer "
	         "has finished them",
	         from,
	         state == MR_KI_INTACT
	             ? "its listeners may be MPTCP (this kernel was probed intact)"
	         : state == MR_KI_MISORDERS
	             ? "its listeners stay TCP (this kernel misorders data on joins)"
	             : "its listeners stay TCP until `mptcp-run check` probes this kernel as root");
}
