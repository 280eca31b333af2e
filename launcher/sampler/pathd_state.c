/* SPDX-License-Identifier: MIT */
#include "sampler/pathd_state.h"

#include "pathd/pathd.h"
#include "pathd/state_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ls_pathd_merge(const char *path, struct lv_sample *s)
{
	const char *env = getenv("MPTCP_RUN_PATHD_STATE");
	struct pd_state st;
	char why[200];

	s->pathd = false;
	/* The file's one reader (pathd/state_file.h), as `mptcp-run paths` reads it. */
	if (pd_state_read(path          ? path
	                  : env && *env ? env
	                                : PD_DEFAULT_STATE,
	                  &st, why, sizeof(why)) < 0)
		return false;
	s->pathd = true;
	/* Path names by interface: "c2" -> "wifi"; a path of a kind, by each of its interfaces. */
	for (size_t i = 0; i < st.n_paths; i++) {
		const char *dev = st.paths[i].dev, *name = st.paths[i].name;
		for (size_t k = 0; k < s->n_sfs; k++) {
			bool mine = *dev && strcmp(s->sfs[k].ifname, dev) == 0;
			for (size_t j = 0; !mine && j < st.paths[i].n_ifaces; j++)
				mine = strcmp(s->sfs[k].ifname, st.paths[i].ifaces[j]) == 0;
			if (mine)
				snprintf(s->sfs[k].pathname, LV_IFNAME, "%s", name);
		}
	}
	for (size_t i = 0; i < st.n_conns; i++) {
		const struct pd_state_conn *x = &st.conns[i];
		for (size_t k = 0; k < s->n_conns; k++) {
			struct lv_conn *c = &s->conns[k];
			if (c->token != x->token)
				continue;
			/* cut to the screen's column, as before */
			snprintf(c->paths, sizeof(c->paths), "%.*s", (int)sizeof(c->paths) - 1,
			         x->paths);
			const char *b = strrchr(x->exe, '/');
			if (!c->pid && x->pid > 0 && *x->exe) {
				c->pid = (pid_t)x->pid;
				snprintf(c->prog, sizeof(c->prog), "%s", b ? b + 1 : x->exe);
				if (c->inode && s->lim.owners_unknown)
					s->lim.owners_unknown--;
			}
		}
	}
	pd_state_free(&st);
	return true;
}
