/* SPDX-License-Identifier: MIT */
/*
 * The config loader: libconfig text -> struct mr_policy, strictly validated.
 * Unknown keys and wrong types are errors with file:line, because a typo that
 * silently changes which program gets MPTCP is worse than a refusal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/config_budget.h"
#include "policy/config_check.h"
#include "policy/config_modes.h"
#include "policy/config_text.h"

/*
 * libconfig would read the file an @include names with none of the checks the
 * main file gets (owner, mode, size): a root-owned config could pull in a
 * user-writable one. Refused, with its line.
 */
static int find_include(const char *text)
{
	int line = 1;
	for (const char *p = text; *p; line++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "@include", 8) == 0)
			return line;
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

static int parse_mode(struct mr_cfg *c, const config_setting_t *s, int *out)
{
	const char *v = mr_cfg_string(c, s, "mode");
	if (!v)
		return -1;
	if (strcmp(v, "mptcp") == 0)
		*out = MR_MPTCP;
	else if (strcmp(v, "tcp") == 0)
		*out = MR_TCP;
	else
		return mr_cfg_fail(c, s, "mode must be \"mptcp\" or \"tcp\", not \"%s\"", v);
	return 0;
}

static int parse_integrity(struct mr_cfg *c, const config_setting_t *s, int *out, int *line)
{
	const char *v = mr_cfg_string(c, s, "integrity");
	if (!v)
		return -1;
	if (strcmp(v, "protect") == 0)
		*out = MR_INTEGRITY_PROTECT;
	else if (strcmp(v, "accept-risk") == 0)
		*out = MR_INTEGRITY_ACCEPT_RISK;
	else
		return mr_cfg_fail(
		    c, s, "integrity must be \"protect\" or \"accept-risk\", not \"%s\"", v);
	*line = (int)config_setting_source_line(s);
	return 0;
}

static int parse_list(struct mr_cfg *c, const config_setting_t *s, const char *key,
                      struct mr_list *l)
{
	int n = mr_cfg_is_seq(s) ? c->lc->length(s) : 1;
	if (!mr_cfg_is_seq(s) && config_setting_type(s) != CONFIG_TYPE_STRING)
		return mr_cfg_fail(
		    c, s, "%s must be a list of addresses like [ \"198.18.0.0/15\" ]", key);
	l->set = true;
	l->v = calloc((size_t)(n ? n : 1), sizeof(*l->v));
	if (!l->v)
		return mr_cfg_fail(c, s, "out of memory");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = mr_cfg_is_seq(s) ? c->lc->get_elem(s, (unsigned)i) : s;
		const char *v = mr_cfg_string(c, e, key);
		if (!v)
			return -1;
		const char *why = mr_entry_parse(v, &l->v[i]);
		if (why)
			return mr_cfg_fail(c, e, "%s entry \"%s\": %s", key, v, why);
		l->v[i].index = (uint32_t)i;
		l->n++;
	}
	if (mr_list_finish(l) < 0)
		return mr_cfg_fail(c, s, "out of memory");
	return 0;
}

static int parse_ports(struct mr_cfg *c, const config_setting_t *s, struct mr_ports *p)
{
	int n = mr_cfg_is_seq(s) ? c->lc->length(s) : 1;
	p->set = true;
	p->v = calloc((size_t)(n ? n : 1), sizeof(*p->v));
	if (!p->v)
		return mr_cfg_fail(c, s, "out of memory");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = mr_cfg_is_seq(s) ? c->lc->get_elem(s, (unsigned)i) : s;
		char buf[32];
		const char *v;
		int t = config_setting_type(e);
		if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
			long long x = c->lc->get_int64(e);
			if (x < 1 || x > 65535)
				return mr_cfg_fail(
				    c, e, "ports entry %lld: port out of range (1-65535)", x);
			snprintf(buf, sizeof(buf), "%lld", x);
			v = buf;
		} else if (!(v = mr_cfg_string(c, e, "ports entry"))) {
			return -1;
		}
		const char *why = mr_ports_parse(v, &p->v[i]);
		if (why)
			return mr_cfg_fail(c, e, "ports entry \"%s\": %s", v, why);
		p->n++;
	}
	return 0;
}

static int parse_seconds(struct mr_cfg *c, const config_setting_t *s, const char *key, int *out)
{
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return mr_cfg_fail(c, s, "%s must be a number of seconds, not %s", key,
		                   mr_cfg_type_name(t));
	long long v = c->lc->get_int64(s);
	if (v < 0 || v > 86400)
		return mr_cfg_fail(c, s, "%s must be between 0 and 86400 seconds", key);
	*out = (int)v;
	return 0;
}

/* Parses the rule keys of one group; keys it does not own are left to the caller. */
static int parse_rule_key(struct mr_cfg *c, const config_setting_t *m, struct mr_rules *r,
                          bool *handled)
{
	const char *k = config_setting_name(m);
	*handled = true;
	if (strcmp(k, "mode") == 0)
		return parse_mode(c, m, &r->mode);
	if (strcmp(k, "include") == 0)
		return parse_list(c, m, "include", &r->include);
	if (strcmp(k, "exclude") == 0)
		return parse_list(c, m, "exclude", &r->exclude);
	if (strcmp(k, "ports") == 0)
		return parse_ports(c, m, &r->ports);
	*handled = false;
	return 0;
}

static int parse_role(struct mr_cfg *c, const config_setting_t *s, const char *role,
                      struct mr_rules *r)
{
	if (mr_cfg_group(c, s, role) < 0)
		return -1;
	r->line = (int)config_setting_source_line(s);
	for (int i = 0; i < c->lc->length(s); i++) {
		const config_setting_t *m = c->lc->get_elem(s, (unsigned)i);
		bool handled;
		if (parse_rule_key(c, m, r, &handled) < 0)
			return -1;
		if (!handled)
			return mr_cfg_fail(c, m,
			                   "unknown key \"%s\" in %s (expected mode, include, "
			                   "exclude, ports)",
			                   config_setting_name(m), role);
	}
	return 0;
}

static int parse_match(struct mr_cfg *c, const config_setting_t *s, struct mr_section *sec)
{
	int n = mr_cfg_is_seq(s) ? c->lc->length(s) : 1;
	if (!mr_cfg_is_seq(s) && config_setting_type(s) != CONFIG_TYPE_STRING)
		return mr_cfg_fail(c, s, "match must be a program name, a path, or a list of them");
	if (n == 0)
		return mr_cfg_fail(c, s, "match is empty: name at least one program");
	sec->match = calloc((size_t)n, sizeof(char *));
	if (!sec->match)
		return mr_cfg_fail(c, s, "out of memory");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = mr_cfg_is_seq(s) ? c->lc->get_elem(s, (unsigned)i) : s;
		const char *v = mr_cfg_string(c, e, "match");
		if (!v)
			return -1;
		if (!*v)
			return mr_cfg_fail(c, e, "match entry is empty");
		if (strchr(v, '/') && v[0] != '/' && v[0] != '*')
			return mr_cfg_fail(c, e, "match \"%s\": a path must be absolute", v);
		if (!(sec->match[i] = strdup(v)))
			return mr_cfg_fail(c, e, "out of memory");
		sec->n_match++;
	}
	return 0;
}

/* ---- paths ---- */

/* An interface name the kernel could have: 1-15 bytes, no '/', no whitespace, not . or .. */
static const char *dev_problem(const char *v)
{
	size_t n = strlen(v);
	if (n == 0)
		return "is empty";
	if (n >= MR_PATH_DEV_MAX)
		return "is longer than 15 bytes (IFNAMSIZ)";
	if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return "is not an interface name";
	for (const char *q = v; *q; q++)
		if (*q == '/' || *q == ':' || *q == ' ' || *q == '\t' || *q == '\n')
			return "contains a character interface names cannot have";
	return NULL;
}

static int parse_path_def(struct mr_cfg *c, const config_setting_t *s, struct mr_policy *p)
{
	const char *name = config_setting_name(s);
	struct mr_path *x = &p->paths[p->n_paths];
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return mr_cfg_fail(c, s,
		                   "path \"%s\" must be a group { dev = \"IFNAME\"; }, not %s",
		                   name, mr_cfg_type_name(config_setting_type(s)));
	if (p->n_paths >= MR_PATHS_MAX)
		return mr_cfg_fail(c, s, "more than %d paths", MR_PATHS_MAX);
	memset(x, 0, sizeof(*x));
	x->line = (int)config_setting_source_line(s);
	if (!(x->name = strdup(name)))
		return mr_cfg_fail(c, s, "out of memory");
	p->n_paths++;
	for (int i = 0; i < c->lc->length(s); i++) {
		const config_setting_t *m = c->lc->get_elem(s, (unsigned)i);
		const char *k = config_setting_name(m);
		bool handled;
		if (mr_cfg_path_key(c, m, name, x, &handled) < 0)
			return -1;
		if (handled)
			continue;
		if (strcmp(k, "dev") == 0) {
			const char *v = mr_cfg_string(c, m, "dev");
			const char *why;
			if (!v)
				return -1;
			if ((why = dev_problem(v)))
				return mr_cfg_fail(c, m, "path \"%s\": dev \"%s\" %s", name, v,
				                   why);
			snprintf(x->dev, sizeof(x->dev), "%s", v);
		} else if (strcmp(k, "backup") == 0) {
			int b = 0;
			if (mr_cfg_bool(c, m, "backup", &b) < 0)
				return -1;
			x->backup = b;
		} else {
			return mr_cfg_fail(c, m,
			                   "unknown key \"%s\" in path \"%s\" (expected dev, kind, "
			                   "backup, metered, budget)",
			                   k, name);
		}
	}
	if (mr_cfg_path_done(c, s, p, x) < 0)
		return -1;
	for (size_t i = 0; x->dev[0] && i + 1 < p->n_paths; i++)
		if (strcmp(p->paths[i].dev, x->dev) == 0)
			return mr_cfg_fail(c, s, "paths \"%s\" and \"%s\" both use dev \"%s\"",
			                   p->paths[i].name, name, x->dev);
	return 0;
}

static int parse_paths_def(struct mr_cfg *c, const config_setting_t *s, struct mr_policy *p)
{
	if (mr_cfg_group(c, s, "paths") < 0)
		return -1;
	if (c->lc->length(s) == 0)
		return mr_cfg_fail(
		    c, s, "paths is empty: define at least one, like wifi = { dev = \"wlan0\"; }");
	p->paths_line = (int)config_setting_source_line(s);
	for (int i = 0; i < c->lc->length(s); i++)
		if (parse_path_def(c, c->lc->get_elem(s, (unsigned)i), p) < 0)
			return -1;
	return 0;
}

/* `paths = [ "wifi", "cellular" ]` in a program section or in defaults. */
static int parse_path_list(struct mr_cfg *c, const config_setting_t *s, const struct mr_policy *p,
                           struct mr_path_list *l)
{
	int n = mr_cfg_is_seq(s) ? c->lc->length(s) : 1;
	if (!mr_cfg_is_seq(s) && config_setting_type(s) != CONFIG_TYPE_STRING)
		return mr_cfg_fail(c, s, "paths must be a list of path names like [ \"wifi\" ]");
	if (n == 0)
		return mr_cfg_fail(c, s, "paths is empty: name at least one path");
	if (p->n_paths == 0)
		return mr_cfg_fail(c, s,
		                   "paths names paths, but none are defined (add a top-level "
		                   "paths = { NAME = { dev = \"IFNAME\"; }; })");
	l->set = true;
	l->line = (int)config_setting_source_line(s);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = mr_cfg_is_seq(s) ? c->lc->get_elem(s, (unsigned)i) : s;
		const char *v = mr_cfg_string(c, e, "paths entry");
		size_t k;
		if (!v)
			return -1;
		for (k = 0; k < p->n_paths; k++)
			if (strcmp(p->paths[k].name, v) == 0)
				break;
		if (k == p->n_paths) {
			char known[256];
			size_t off = 0;
			known[0] = '\0';
			for (size_t j = 0; j < p->n_paths && off < sizeof(known); j++) {
				int w = snprintf(known + off, sizeof(known) - off, "%s%s",
				                 j ? ", " : "", p->paths[j].name);
				off += w > 0 ? (size_t)w : 0;
			}
			return mr_cfg_fail(c, e, "unknown path \"%s\" (defined: %s)", v, known);
		}
		for (size_t j = 0; j < l->n; j++)
			if (l->idx[j] == k)
				return mr_cfg_fail(c, e, "path \"%s\" is listed twice", v);
		l->idx[l->n++] = (uint8_t)k;
	}
	return 0;
}

static int parse_section(struct mr_cfg *c, const config_setting_t *s, const struct mr_policy *p,
                         struct mr_section *sec)
{
	const config_setting_t *match = NULL;
	if (mr_cfg_group(c, s, "each entry of programs") < 0)
		return -1;
	sec->line = (int)config_setting_source_line(s);
	sec->rules.line = sec->line;
	for (int i = 0; i < c->lc->length(s); i++) {
		const config_setting_t *m = c->lc->get_elem(s, (unsigned)i);
		const char *k = config_setting_name(m);
		bool handled;
		if (parse_rule_key(c, m, &sec->rules, &handled) < 0)
			return -1;
		if (handled)
			continue;
		if (mr_config_mode_key(c->lc, m, &sec->path_modes, &handled, c->err) < 0)
			return -1;
		if (handled)
			continue;
		if (strcmp(k, "match") == 0) {
			match = m;
			if (parse_match(c, m, sec) < 0)
				return -1;
		} else if (strcmp(k, "connect") == 0) {
			if (parse_role(c, m, "connect", &sec->role[MR_ROLE_CONNECT]) < 0)
				return -1;
		} else if (strcmp(k, "listen") == 0) {
			if (parse_role(c, m, "listen", &sec->role[MR_ROLE_LISTEN]) < 0)
				return -1;
		} else if (strcmp(k, "sockopt_fallback") == 0) {
			if (mr_cfg_bool(c, m, k, &sec->sockopt_fallback) < 0)
				return -1;
		} else if (strcmp(k, "paths") == 0) {
			if (parse_path_list(c, m, p, &sec->paths) < 0)
				return -1;
		} else if (strcmp(k, "integrity") == 0) {
			if (parse_integrity(c, m, &sec->integrity, &sec->integrity_line) < 0)
				return -1;
		} else if (strcmp(k, "budgets") == 0) {
			if (mr_cfg_budgets(c, m, p, &sec->budgets) < 0)
				return -1;
		} else if (strcmp(k, "over_budget") == 0) {
			if (mr_cfg_over_budget(c, m, &sec->over_budget, &sec->over_budget_line) < 0)
				return -1;
		} else {
			return mr_cfg_fail(
			    c, m,
			    "unknown key \"%s\" in a program section (expected match, mode, "
			    "include, exclude, ports, sockopt_fallback, integrity, paths, "
			    "path_mode, handover, interactive, budgets, over_budget, connect, "
			    "listen)",
			    k);
		}
	}
	if (!match)
		return mr_cfg_fail(c, s, "program section without match");
	return 0;
}

static void section_init(struct mr_section *s)
{
	memset(s, 0, sizeof(*s));
	s->rules.mode = -1;
	s->role[0].mode = -1;
	s->role[1].mode = -1;
	s->sockopt_fallback = -1;
	s->integrity = -1;
	s->over_budget = -1;
}

static int parse_root(struct mr_cfg *c, const config_setting_t *root, struct mr_policy *p)
{
	/* Path definitions first: programs and defaults may name them from anywhere in the file. */
	for (int i = 0; i < c->lc->length(root); i++) {
		const config_setting_t *m = c->lc->get_elem(root, (unsigned)i);
		if (strcmp(config_setting_name(m), "paths") == 0 && parse_paths_def(c, m, p) < 0)
			return -1;
	}
	for (int i = 0; i < c->lc->length(root); i++) {
		const config_setting_t *m = c->lc->get_elem(root, (unsigned)i);
		const char *k = config_setting_name(m);
		if (strcmp(k, "defaults") == 0) {
			if (mr_cfg_group(c, m, "defaults") < 0)
				return -1;
			p->defaults.line = (int)config_setting_source_line(m);
			for (int j = 0; j < c->lc->length(m); j++) {
				const config_setting_t *d = c->lc->get_elem(m, (unsigned)j);
				bool handled;
				if (parse_rule_key(c, d, &p->defaults, &handled) < 0)
					return -1;
				if (handled)
					continue;
				if (mr_config_mode_key(c->lc, d, &p->default_path_modes, &handled,
				                       c->err) < 0)
					return -1;
				if (handled)
					continue;
				if (strcmp(config_setting_name(d), "sockopt_fallback") == 0) {
					if (mr_cfg_bool(c, d, "sockopt_fallback",
					                &p->sockopt_fallback) < 0)
						return -1;
				} else if (strcmp(config_setting_name(d), "fallback_memory") == 0) {
					if (parse_seconds(c, d, "fallback_memory",
					                  &p->fallback_memory) < 0)
						return -1;
				} else if (strcmp(config_setting_name(d), "paths") == 0) {
					if (parse_path_list(c, d, p, &p->default_paths) < 0)
						return -1;
				} else if (strcmp(config_setting_name(d), "integrity") == 0) {
					if (parse_integrity(c, d, &p->integrity,
					                    &p->integrity_line) < 0)
						return -1;
				} else if (strcmp(config_setting_name(d), "budgets") == 0) {
					if (mr_cfg_budgets(c, d, p, &p->default_budgets) < 0)
						return -1;
				} else if (strcmp(config_setting_name(d), "over_budget") == 0) {
					if (mr_cfg_over_budget(c, d, &p->over_budget,
					                       &p->over_budget_line) < 0)
						return -1;
				} else {
					return mr_cfg_fail(
					    c, d,
					    "unknown key \"%s\" in defaults (expected mode, "
					    "include, exclude, ports, sockopt_fallback, "
					    "fallback_memory, integrity, paths, path_mode, "
					    "handover, interactive, budgets, over_budget)",
					    config_setting_name(d));
				}
			}
		} else if (strcmp(k, "programs") == 0) {
			if (!mr_cfg_is_seq(m))
				return mr_cfg_fail(
				    c, m, "programs must be a list ( { match = ...; }, ... )");
			int n = c->lc->length(m);
			p->sections = calloc((size_t)(n ? n : 1), sizeof(*p->sections));
			if (!p->sections)
				return mr_cfg_fail(c, m, "out of memory");
			for (int j = 0; j < n; j++) {
				section_init(&p->sections[j]);
				p->n_sections++;
				if (parse_section(c, c->lc->get_elem(m, (unsigned)j), p,
				                  &p->sections[j]) < 0)
					return -1;
			}
		} else if (strcmp(k, "paths") == 0) {
			continue; /* parsed above */
		} else {
			return mr_cfg_fail(
			    c, m,
			    "unknown top-level key \"%s\" (expected defaults, programs, paths)", k);
		}
	}
	return 0;
}

int mr_config_parse(mr_libconfig_get get, const char *text, size_t len, const char *name,
                    struct mr_policy *out, struct mr_config_error *err)
{
	struct mr_cfg c = {.name = name, .err = err};
	config_t cfg;
	char *copy;
	int rc;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name ? name : "(config)");
	mr_policy_builtin(out);
	if (memchr(text, '\0', len)) {
		snprintf(err->text, sizeof(err->text), "contains a NUL byte (not a text file)");
		return -1;
	}
	if (!(copy = malloc(len + 1))) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		return -1;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';

	/* Asked for only now: a process whose config is missing never loads libconfig. */
	const char *why_lc = "libconfig is not available";
	if (!(c.lc = get(&why_lc))) {
		snprintf(err->text, sizeof(err->text), "%s", why_lc);
		free(copy);
		return -1;
	}
	int inc = find_include(copy);
	if (inc) {
		err->line = inc;
		snprintf(err->text, sizeof(err->text),
		         "@include is not supported (included files would escape the owner and "
		         "mode checks)");
		free(copy);
		return -1;
	}
	c.lc->init(&cfg);
	if (c.lc->read_string(&cfg, copy) != CONFIG_TRUE) {
		const char *why = config_error_text(&cfg) ? config_error_text(&cfg) : "unreadable";
		err->line = config_error_line(&cfg);
		/* libconfig says "syntax error" itself for most errors: not twice. Its bison
		 * stack overflow on deep nesting reads "memory exhausted". */
		if (strncmp(why, "syntax error", 12) == 0)
			snprintf(err->text, sizeof(err->text), "%s", why);
		else if (strcmp(why, "memory exhausted") == 0)
			snprintf(err->text, sizeof(err->text), "syntax error: nested too deeply");
		else
			snprintf(err->text, sizeof(err->text), "syntax error: %s", why);
		rc = -1;
	} else {
		rc = parse_root(&c, config_root_setting(&cfg), out);
	}
	c.lc->destroy(&cfg);
	free(copy);
	if (rc < 0) {
		mr_policy_free(out);
		mr_policy_builtin(out);
	}
	return rc;
}

size_t mr_config_format_error(const struct mr_config_error *err, char *buf, size_t size)
{
	int n = err->line > 0 ? snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->text)
	                      : snprintf(buf, size, "%s: %s", err->file, err->text);
	return n < 0 ? 0 : (size_t)n;
}
