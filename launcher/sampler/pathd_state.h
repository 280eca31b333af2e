/* SPDX-License-Identifier: MIT */
/*
 * What the path daemon knows, read from the state file it rewrites while it
 * runs (`mptcp-run pathd --state`, default /run/mptcp-run/pathd.json): the
 * owner it registered for each connection, the connection's path list, and
 * the path name of each interface. The one place `top` and the timeline read
 * that file: when the daemon's state moves to a module of its own, only this
 * file changes.
 */
#ifndef MPTCP_RUN_SAMPLER_PATHD_STATE_H
#define MPTCP_RUN_SAMPLER_PATHD_STATE_H

#include "live/sample.h"

/*
 * Merges the state file at path (NULL: $MPTCP_RUN_PATHD_STATE, else the daemon's
 * default) into s (owners the daemon registered
 * win over /proc guesses only where /proc found none). Sets s->pathd. false when there is no
 * readable state file (no daemon).
 */
bool ls_pathd_merge(const char *path, struct lv_sample *s);

#endif
