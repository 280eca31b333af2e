/* SPDX-License-Identifier: MIT */
#include "sampler/sampler.h"

#include "sampler/diag.h"
#include "sampler/owners.h"
#include "sampler/pathd_state.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#define MAX_TREE 4096

struct ls_sampler {
	const char *state_path;
	struct ls_owners owners;
	struct ls_ifaces ifs;
	struct ls_routes routes;
	pid_t tree[MAX_TREE];
	size_t n_tree;
};

struct ls_sampler *ls_sampler_new(const char *state_path)
{
	struct ls_sampler *sp = calloc(1, sizeof(*sp));
	if (sp)
		sp->state_path = state_path;
	return sp;
}

void ls_sampler_free(struct ls_sampler *sp)
{
	free(sp);
}

static double now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ls_sample(struct ls_sampler *sp, struct lv_sample *s, pid_t root)
{
	size_t n_tree = 0;

	lv_sample_clear(s);
	s->t = now(CLOCK_MONOTONIC);
	s->wall = now(CLOCK_REALTIME);
	int rc = ls_diag_read(s);
	if (rc < 0) {
		lv_sample_clear(s);
		s->t = now(CLOCK_MONOTONIC);
		s->wall = now(CLOCK_REALTIME);
		s->lim.no_diag = true;
		s->lim.diag_err = -rc;
		return rc;
	}
	if (ls_ifaces_load(&sp->ifs) == 0)
		ls_ifaces_name(&sp->ifs, &sp->routes, s->t, s);
	lv_sample_link(s);
	if (root > 0)
		n_tree = ls_descendants(root, sp->tree, MAX_TREE);
	sp->n_tree = n_tree;
	if (root >= 0)
		ls_owners_find(&sp->owners, s, sp->tree, n_tree);
	if (root != 0)
		s->lim.owners_unknown = 0; /* the others are not the command's: not a limit */
	ls_pathd_merge(sp->state_path, s);
	return 0;
}

size_t ls_sampler_tree(const struct ls_sampler *sp, const pid_t **pids)
{
	*pids = sp->tree;
	return sp->n_tree;
}

const struct ls_ifaces *ls_sampler_ifaces(const struct ls_sampler *sp)
{
	return &sp->ifs;
}
