/* SPDX-License-Identifier: MIT */
#include "sampler/pathd_state.h"

#include "pathd/pathd.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

bool ls_pathd_merge(const char *path, struct lv_sample *s)
{
	json_error_t err;
	const char *env = getenv("MPTCP_RUN_PATHD_STATE");
	json_t *root = json_load_file(path ? path : env && *env ? env : PD_DEFAULT_STATE, 0, &err);
	json_t *x;
	size_t i;

	s->pathd = false;
	if (!json_is_object(root)) {
		json_decref(root);
		return false;
	}
	s->pathd = true;
	/* Path names by interface: "c2" -> "wifi". */
	json_array_foreach(json_object_get(root, "paths"), i, x)
	{
		const char *dev = str(x, "dev"), *name = str(x, "name");
		for (size_t k = 0; *dev && k < s->n_sfs; k++)
			if (strcmp(s->sfs[k].ifname, dev) == 0)
				snprintf(s->sfs[k].pathname, LV_IFNAME, "%s", name);
	}
	json_array_foreach(json_object_get(root, "connections"), i, x)
	{
		unsigned long token = strtoul(str(x, "token"), NULL, 16);
		for (size_t k = 0; k < s->n_conns; k++) {
			struct lv_conn *c = &s->conns[k];
			if (c->token != token)
				continue;
			snprintf(c->paths, sizeof(c->paths), "%s", str(x, "paths"));
			json_int_t pid = json_integer_value(json_object_get(x, "pid"));
			const char *exe = str(x, "exe"), *b = strrchr(exe, '/');
			if (!c->pid && pid > 0 && *exe) {
				c->pid = (pid_t)pid;
				snprintf(c->prog, sizeof(c->prog), "%s", b ? b + 1 : exe);
				if (c->inode && s->lim.owners_unknown)
					s->lim.owners_unknown--;
			}
		}
	}
	json_decref(root);
	return true;
}
