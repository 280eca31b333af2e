/* SPDX-License-Identifier: MIT */
/*
 * One sample of the namespace: sock_diag, interface names, owners from /proc
 * and, when the path daemon runs, what its state file says. The thin,
 * kernel-facing side of `top` and `--timeline`; all decisions are in
 * launcher/live/.
 */
#ifndef MPTCP_RUN_SAMPLER_SAMPLER_H
#define MPTCP_RUN_SAMPLER_SAMPLER_H

#include "live/sample.h"
#include "sampler/ifaces.h"

struct ls_sampler;

/* state_path: the path daemon's state file (NULL: the default). NULL when out of memory. */
struct ls_sampler *ls_sampler_new(const char *state_path);
void ls_sampler_free(struct ls_sampler *sp);

/*
 * Fills s (cleared first). root > 0: owners are looked for only in root and
 * its descendants (a command's tree), and s->lim counts nothing else; root
 * < 0: no owner is looked for.
 * Returns 0, or -errno when sock_diag failed (s->lim.no_diag is then set and
 * s holds no connection).
 */
int ls_sample(struct ls_sampler *sp, struct lv_sample *s, pid_t root);

/* The processes of the command's tree as of the last sample with a root. */
size_t ls_sampler_tree(const struct ls_sampler *sp, const pid_t **pids);

/* The interfaces as of the last sample (link states for events). */
const struct ls_ifaces *ls_sampler_ifaces(const struct ls_sampler *sp);

#endif
