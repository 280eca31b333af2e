/* SPDX-License-Identifier: MIT */
/*
 * The config keys of metered paths, data budgets and interface kinds
 * (policy/config_budget.h): `kind`, `metered` and `budget` in a path
 * definition, `budgets` and `over_budget` in a program section and in
 * defaults. Strict like the rest of the loader: a budget that does not parse
 * is refused with its line, never read as "no budget".
 */
#include <stdio.h>
#include <string.h>

#include "policy/config_budget.h"

/* The group form: { bytes = "5G"; per = "month"; start = 1; }. */
static int budget_group(struct mr_cfg *c, const config_setting_t *s, const char *what,
                        struct mr_budget *out)
{
	bool have_bytes = false, have_start = false;
	long long start = 0;
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < c->lc->length(s); i++) {
		const config_setting_t *m = c->lc->get_elem(s, (unsigned)i);
		const char *k = config_setting_name(m);
		int t = config_setting_type(m);
		if (strcmp(k, "bytes") == 0) {
			const char *why;
			if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
				long long v = c->lc->get_int64(m);
				if (v < 1)
					return mr_cfg_fail(c, m, "%s: bytes must be above 0", what);
				out->bytes = (uint64_t)v;
			} else {
				const char *v = mr_cfg_string(c, m, "bytes");
				if (!v)
					return -1;
				if ((why = mr_bytes_parse(v, &out->bytes)))
					return mr_cfg_fail(c, m, "%s: bytes \"%s\" %s", what, v,
					                   why);
			}
			have_bytes = true;
		} else if (strcmp(k, "per") == 0) {
			const char *v = mr_cfg_string(c, m, "per");
			if (!v)
				return -1;
			if (strcmp(v, "day") == 0)
				out->per = MR_PER_DAY;
			else if (strcmp(v, "month") == 0)
				out->per = MR_PER_MONTH;
			else
				return mr_cfg_fail(
				    c, m, "%s: per must be \"day\" or \"month\", not \"%s\"", what,
				    v);
		} else if (strcmp(k, "start") == 0) {
			if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
				return mr_cfg_fail(c, m, "%s: start must be a number, not %s", what,
				                   mr_cfg_type_name(t));
			start = c->lc->get_int64(m);
			have_start = true;
		} else {
			return mr_cfg_fail(
			    c, m, "unknown key \"%s\" in %s (expected bytes, per, start)", k, what);
		}
	}
	if (!have_bytes)
		return mr_cfg_fail(c, s, "%s without bytes (like bytes = \"5G\";)", what);
	if (!have_start)
		start = out->per == MR_PER_DAY ? 0 : 1;
	if (out->per == MR_PER_DAY && (start < 0 || start > 23))
		return mr_cfg_fail(
		    c, s, "%s: start must be an hour of the day (0-23) for per = \"day\"", what);
	if (out->per == MR_PER_MONTH && (start < 1 || start > 31))
		return mr_cfg_fail(
		    c, s, "%s: start must be a day of the month (1-31) for per = \"month\"", what);
	out->start = (uint8_t)start;
	return 0;
}

/* A budget: "500M/day" or the group form. */
static int budget_value(struct mr_cfg *c, const config_setting_t *s, const char *what,
                        struct mr_budget *out)
{
	int t = config_setting_type(s);
	if (t == CONFIG_TYPE_GROUP) {
		if (budget_group(c, s, what, out) < 0)
			return -1;
	} else if (t == CONFIG_TYPE_STRING) {
		const char *v = mr_cfg_string(c, s, what), *why;
		if (!v)
			return -1;
		if ((why = mr_budget_parse(v, out)))
			return mr_cfg_fail(c, s, "%s \"%s\" %s", what, v, why);
	} else {
		return mr_cfg_fail(c, s,
		                   "%s must be a string like \"500M/day\" or a group "
		                   "{ bytes = \"5G\"; per = \"month\"; start = 1; }, not %s",
		                   what, mr_cfg_type_name(t));
	}
	out->line = (int)config_setting_source_line(s);
	return 0;
}

int mr_cfg_path_key(struct mr_cfg *c, const config_setting_t *m, const char *path,
                    struct mr_path *x, bool *handled)
{
	const char *k = config_setting_name(m);
	char what[96];
	*handled = true;
	if (strcmp(k, "kind") == 0) {
		const char *v = mr_cfg_string(c, m, "kind");
		if (!v)
			return -1;
		x->kind = (uint8_t)mr_kind_parse(v);
		if (x->kind == MR_KIND_NONE)
			return mr_cfg_fail(c, m,
			                   "path \"%s\": kind must be \"wifi\", \"cellular\" (or "
			                   "\"wwan\") or \"ethernet\", not \"%s\"",
			                   path, v);
		return 0;
	}
	if (strcmp(k, "metered") == 0) {
		int b = 0;
		if (mr_cfg_bool(c, m, "metered", &b) < 0)
			return -1;
		x->metered = b;
		return 0;
	}
	if (strcmp(k, "budget") == 0) {
		snprintf(what, sizeof(what), "path \"%s\": budget", path);
		return budget_value(c, m, what, &x->budget);
	}
	*handled = false;
	return 0;
}

int mr_cfg_path_done(struct mr_cfg *c, const config_setting_t *s, const struct mr_policy *p,
                     const struct mr_path *x)
{
	if (!x->dev[0] && x->kind == MR_KIND_NONE)
		return mr_cfg_fail(c, s,
		                   "path \"%s\" without dev or kind (the interface it uses, or "
		                   "its kind: kind = \"wifi\";)",
		                   x->name);
	for (size_t i = 0; i < p->n_paths; i++) {
		const struct mr_path *o = &p->paths[i];
		if (o != x && x->kind != MR_KIND_NONE && o->kind == x->kind)
			return mr_cfg_fail(c, s, "paths \"%s\" and \"%s\" both use kind \"%s\"",
			                   o->name, x->name, mr_kind_name((enum mr_kind)x->kind));
	}
	return 0;
}

int mr_cfg_budgets(struct mr_cfg *c, const config_setting_t *s, const struct mr_policy *p,
                   struct mr_budgets *out)
{
	if (mr_cfg_group(c, s, "budgets") < 0)
		return -1;
	if (p->n_paths == 0)
		return mr_cfg_fail(c, s,
		                   "budgets names paths, but none are defined (add a top-level "
		                   "paths = { NAME = { kind = \"cellular\"; }; })");
	out->set = true;
	out->line = (int)config_setting_source_line(s);
	for (int i = 0; i < c->lc->length(s); i++) {
		const config_setting_t *m = c->lc->get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);
		char what[96];
		size_t k;
		for (k = 0; k < p->n_paths; k++)
			if (strcmp(p->paths[k].name, name) == 0)
				break;
		if (k == p->n_paths)
			return mr_cfg_fail(c, m, "budgets: unknown path \"%s\"", name);
		snprintf(what, sizeof(what), "budgets.%s", name);
		if (budget_value(c, m, what, &out->b[k]) < 0)
			return -1;
	}
	return 0;
}

int mr_cfg_over_budget(struct mr_cfg *c, const config_setting_t *s, int *out, int *line)
{
	const char *v = mr_cfg_string(c, s, "over_budget");
	if (!v)
		return -1;
	if (strcmp(v, "leave") == 0)
		*out = MR_OVER_LEAVE;
	else if (strcmp(v, "stay") == 0)
		*out = MR_OVER_STAY;
	else
		return mr_cfg_fail(c, s, "over_budget must be \"leave\" or \"stay\", not \"%s\"",
		                   v);
	*line = (int)config_setting_source_line(s);
	return 0;
}
