/* SPDX-License-Identifier: MIT */
/*
 * Paths of a program: which named interfaces its connections may use, and
 * which one carries the initial subflow. Pure, like the rest of the engine:
 * the caller says which interfaces are usable; nothing here looks at the
 * system. The daemon, the library and `mptcp-run explain` share it, so a
 * program's paths mean the same thing everywhere.
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

void mr_program_paths(const struct mr_policy *p, const struct mr_program *prog,
                      struct mr_program_paths *out)
{
	memset(out, 0, sizeof(*out));
	if (p->n_paths == 0) {
		out->origin = MR_PATHS_NONE;
		return;
	}
	if (prog && prog->section && prog->section->paths.set) {
		out->list = prog->section->paths;
		out->origin = MR_PATHS_SECTION;
	} else if (p->default_paths.set) {
		out->list = p->default_paths;
		out->origin = MR_PATHS_DEFAULTS;
	} else {
		for (size_t i = 0; i < p->n_paths; i++)
			out->list.idx[out->list.n++] = (uint8_t)i;
		out->list.set = true;
		out->list.line = p->paths_line;
		out->origin = MR_PATHS_ALL;
	}
}

int mr_path_by_dev(const struct mr_policy *p, const char *dev)
{
	for (size_t i = 0; i < p->n_paths; i++)
		if (strcmp(p->paths[i].dev, dev) == 0)
			return (int)i;
	return -1;
}

bool mr_paths_lists(const struct mr_program_paths *pp, int idx)
{
	for (size_t i = 0; i < pp->list.n; i++)
		if (pp->list.idx[i] == idx)
			return true;
	return false;
}

int mr_paths_initial(const struct mr_policy *p, const struct mr_program_paths *pp,
                     const bool usable[MR_PATHS_MAX])
{
	int backup = -1;
	for (size_t i = 0; i < pp->list.n; i++) {
		int k = pp->list.idx[i];
		if ((size_t)k >= p->n_paths || !usable[k])
			continue;
		if (!p->paths[k].backup)
			return k;
		if (backup < 0)
			backup = k;
	}
	return backup;
}

const char *mr_paths_pin_device(const struct mr_policy *p, const struct mr_program_paths *pp,
                                const bool usable[MR_PATHS_MAX], int routed)
{
	if (pp->origin == MR_PATHS_NONE)
		return NULL;
	int k = mr_paths_initial(p, pp, usable);
	if (k < 0 || k == routed)
		return NULL;
	return p->paths[k].dev;
}

size_t mr_format_paths(const struct mr_policy *p, const struct mr_path_list *l, char *buf,
                       size_t size)
{
	size_t off = 0;
	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < l->n && off < size; i++) {
		const struct mr_path *x = &p->paths[l->idx[i]];
		int n = snprintf(buf + off, size - off, "%s%s%s", i ? ", " : "", x->name,
		                 x->backup ? " (backup)" : "");
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return off < size ? off : (size ? size - 1 : 0);
}
