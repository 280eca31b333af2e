/* SPDX-License-Identifier: MIT */
/*
 * The policy engine: program selection, rule inheritance and endpoint
 * decisions. Pure: no system calls, no allocation outside mr_list_finish()
 * and mr_policy_free().
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

/*
 * The built-in exclude list: loopback, where MPTCP only costs. Constant data
 * with no trie: a list without one is searched linearly (two entries here).
 */
static const struct mr_entry builtin_loopback[2] = {
    {.family = AF_INET, .addr = {127}, .prefix = 8, .port_lo = 0, .port_hi = 65535, .index = 0},
    {.family = AF_INET6,
     .addr = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
     .prefix = 128,
     .port_lo = 0,
     .port_hi = 65535,
     .index = 1},
};
static const struct mr_list builtin_exclude = {
    /* Never written: lookups only read a list, and mr_policy_free() never sees this one. */
    .v = (struct mr_entry *)builtin_loopback,
    .n = 2,
    .set = true,
};

const char *mr_role_name(enum mr_role r)
{
	return r == MR_ROLE_LISTEN ? "listen" : "connect";
}

const char *mr_verdict_name(enum mr_verdict v)
{
	return v == MR_MPTCP ? "mptcp" : "tcp";
}

const char *mr_integrity_name(enum mr_integrity i)
{
	return i == MR_INTEGRITY_ACCEPT_RISK ? "accept-risk" : "protect";
}

static void rules_init(struct mr_rules *r)
{
	memset(r, 0, sizeof(*r));
	r->mode = -1;
}

void mr_policy_builtin(struct mr_policy *p)
{
	memset(p, 0, sizeof(*p));
	rules_init(&p->defaults);
	/* mode stays unset: mr_resolve() then reports the built-in "mptcp" as such. */
	p->sockopt_fallback = 1;
	p->fallback_memory = -1;
	p->integrity = -1;
	p->over_budget = -1;
}

/* ---- lists ---- */

static int entry_width(const struct mr_entry *e)
{
	return e->port_hi - e->port_lo;
}

static int group_prefix(const struct mr_entry *e)
{
	return e->family == AF_UNSPEC ? -1 : e->prefix;
}

static int addr_len(int family)
{
	return family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
}

/* "*" entries sort after both families: they are the least specific. */
static int family_rank(int family)
{
	return family == AF_UNSPEC ? 1000 : family;
}

/* Order: family, prefix (longest first), address, narrowest port range first. */
static int entry_cmp(const void *a, const void *b)
{
	const struct mr_entry *x = a, *y = b;
	if (x->family != y->family)
		return family_rank(x->family) < family_rank(y->family) ? -1 : 1;
	if (group_prefix(x) != group_prefix(y))
		return group_prefix(x) > group_prefix(y) ? -1 : 1;
	int c = memcmp(x->addr, y->addr, (size_t)addr_len(x->family));
	if (c)
		return c;
	if (entry_width(x) != entry_width(y))
		return entry_width(x) < entry_width(y) ? -1 : 1;
	if (x->port_lo != y->port_lo)
		return x->port_lo < y->port_lo ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void mr_list_free(struct mr_list *l)
{
	free(l->v);
	free(l->nodes);
	memset(l, 0, sizeof(*l));
}

static int addr_bit(const uint8_t *addr, unsigned i)
{
	return (addr[i >> 3] >> (7 - (i & 7))) & 1;
}

int mr_list_finish(struct mr_list *l)
{
	free(l->nodes);
	l->nodes = NULL;
	l->n_nodes = 0;
	l->root4 = l->root6 = 0;
	l->any_start = l->any_count = 0;
	if (l->n == 0)
		return 0;
	qsort(l->v, l->n, sizeof(*l->v), entry_cmp);

	/* Upper bound: a dummy node 0, two roots, one node per prefix bit of every entry. */
	size_t cap = 3;
	for (size_t i = 0; i < l->n; i++)
		cap += l->v[i].family == AF_UNSPEC ? 0 : l->v[i].prefix;
	l->nodes = calloc(cap, sizeof(*l->nodes));
	if (!l->nodes)
		return -1;
	size_t used = 1;
	for (size_t i = 0; i < l->n; i++) {
		const struct mr_entry *e = &l->v[i];
		if (e->family == AF_UNSPEC) {
			if (!l->any_count)
				l->any_start = (uint32_t)i;
			l->any_count++;
			continue;
		}
		uint32_t *root = e->family == AF_INET6 ? &l->root6 : &l->root4;
		if (!*root)
			*root = (uint32_t)used++;
		uint32_t node = *root;
		for (unsigned b = 0; b < e->prefix; b++) {
			int bit = addr_bit(e->addr, b);
			if (!l->nodes[node].child[bit])
				l->nodes[node].child[bit] = (uint32_t)used++;
			node = l->nodes[node].child[bit];
		}
		/* Equal (family, prefix, address) entries are adjacent in the sorted array. */
		if (!l->nodes[node].count)
			l->nodes[node].start = (uint32_t)i;
		l->nodes[node].count++;
	}
	l->n_nodes = used;
	return 0;
}

/* First entry of v[start, start + count) whose port range holds port (the narrowest). */
static const struct mr_entry *port_match(const struct mr_list *l, uint32_t start, uint32_t count,
                                         uint16_t port)
{
	for (uint32_t i = start; i < start + count; i++)
		if (port >= l->v[i].port_lo && port <= l->v[i].port_hi)
			return &l->v[i];
	return NULL;
}

static bool entry_matches(const struct mr_entry *e, const struct mr_endpoint *ep)
{
	if (ep->port < e->port_lo || ep->port > e->port_hi)
		return false;
	if (e->family == AF_UNSPEC)
		return true;
	if (e->family != ep->family)
		return false;
	for (unsigned i = 0; i < e->prefix; i++)
		if (addr_bit(e->addr, i) != addr_bit(ep->addr, i))
			return false;
	return true;
}

/* The same answer as the trie walk (longest prefix, then narrowest range), for small lists. */
static const struct mr_entry *linear_lookup(const struct mr_list *l, const struct mr_endpoint *ep)
{
	const struct mr_entry *best = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct mr_entry *e = &l->v[i];
		if (!entry_matches(e, ep))
			continue;
		if (!best || group_prefix(e) > group_prefix(best) ||
		    (group_prefix(e) == group_prefix(best) && entry_width(e) < entry_width(best)))
			best = e;
	}
	return best;
}

const struct mr_entry *mr_list_lookup(const struct mr_list *l, const struct mr_endpoint *ep)
{
	if (!l || !l->n)
		return NULL;
	if (!l->nodes)
		return linear_lookup(l, ep);
	const struct mr_entry *best = NULL;
	uint32_t node = ep->family == AF_INET6 ? l->root6 : ep->family == AF_INET ? l->root4 : 0;
	unsigned bits = ep->family == AF_INET6 ? 128 : 32;
	/* The deepest node on the address's path with a port match is the longest prefix. */
	for (unsigned depth = 0; node; depth++) {
		const struct mr_trie_node *n = &l->nodes[node];
		const struct mr_entry *e;
		if (n->count && (e = port_match(l, n->start, n->count, ep->port)))
			best = e;
		if (depth == bits)
			break;
		node = n->child[addr_bit(ep->addr, depth)];
	}
	if (!best && l->any_count)
		best = port_match(l, l->any_start, l->any_count, ep->port);
	return best;
}

/* ---- program selection and inheritance ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static bool section_matches(const struct mr_section *s, const char *exe)
{
	if (!exe || !*exe)
		return false;
	for (size_t i = 0; i < s->n_match; i++) {
		const char *pat = s->match[i];
		const char *subject = strchr(pat, '/') ? exe : base_name(exe);
		if (fnmatch(pat, subject, 0) == 0)
			return true;
	}
	return false;
}

/* Specificity of an entry, for include vs exclude: prefix, then narrower port range. */
static long specificity(const struct mr_entry *e)
{
	return (long)(group_prefix(e) + 1) * 65536L + (65535 - entry_width(e));
}

static void compute_constant(struct mr_effective *e)
{
	e->constant = false;
	/* Mode tcp, or an include list that is set and empty: nothing gets MPTCP. */
	if (e->mode == MR_TCP || (e->include && e->include->set && e->include->n == 0)) {
		e->constant = true;
		e->constant_verdict = MR_TCP;
	} else if ((!e->ports || !e->ports->set) && (!e->include || !e->include->set) &&
	           (!e->exclude || e->exclude->n == 0)) {
		e->constant = true;
		e->constant_verdict = MR_MPTCP;
	}
}

void mr_resolve(const struct mr_policy *p, const char *exe, bool force_mptcp,
                struct mr_program *out)
{
	memset(out, 0, sizeof(*out));
	out->section_index = -1;
	for (size_t i = 0; i < p->n_sections; i++) {
		if (section_matches(&p->sections[i], exe)) {
			out->section = &p->sections[i];
			out->section_index = (ptrdiff_t)i;
			break;
		}
	}
	const struct mr_section *s = out->section;
	out->sockopt_fallback =
	    (s && s->sockopt_fallback >= 0) ? s->sockopt_fallback : p->sockopt_fallback != 0;
	if (s && s->integrity >= 0) {
		out->integrity = (enum mr_integrity)s->integrity;
		out->integrity_origin = MR_FROM_SECTION;
		out->integrity_line = s->integrity_line;
	} else if (p->integrity >= 0) {
		out->integrity = (enum mr_integrity)p->integrity;
		out->integrity_origin = MR_FROM_DEFAULTS;
		out->integrity_line = p->integrity_line;
	} else {
		out->integrity = MR_INTEGRITY_PROTECT;
		out->integrity_origin = MR_FROM_BUILTIN;
	}

	for (int r = 0; r < MR_ROLE_COUNT; r++) {
		struct mr_effective *e = &out->role[r];
		const struct mr_rules *levels[3] = {s ? &s->role[r] : NULL, s ? &s->rules : NULL,
		                                    &p->defaults};
		const enum mr_origin origins[3] = {MR_FROM_ROLE, MR_FROM_SECTION, MR_FROM_DEFAULTS};

		e->mode = -1;
		for (int k = 0; k < 3; k++) {
			const struct mr_rules *lv = levels[k];
			if (!lv)
				continue;
			if (e->mode < 0 && lv->mode >= 0) {
				e->mode = lv->mode;
				e->mode_origin = origins[k];
				e->mode_line = lv->line;
			}
			if (!e->include && lv->include.set) {
				e->include = &lv->include;
				e->include_origin = origins[k];
				e->include_line = lv->line;
			}
			if (!e->exclude && lv->exclude.set) {
				e->exclude = &lv->exclude;
				e->exclude_origin = origins[k];
				e->exclude_line = lv->line;
			}
			if (!e->ports && lv->ports.set) {
				e->ports = &lv->ports;
				e->ports_origin = origins[k];
				e->ports_line = lv->line;
			}
		}
		if (e->mode < 0) {
			e->mode = MR_MPTCP;
			e->mode_origin = MR_FROM_BUILTIN;
		}
		/* The launcher's request beats the defaults, never the program's own section. */
		if (force_mptcp &&
		    (e->mode_origin == MR_FROM_DEFAULTS || e->mode_origin == MR_FROM_BUILTIN)) {
			e->mode = MR_MPTCP;
			e->mode_origin = MR_FROM_FORCE;
			e->mode_line = 0;
		}
		if (!e->exclude) {
			e->exclude = &builtin_exclude;
			e->exclude_origin = MR_FROM_BUILTIN;
		}
		compute_constant(e);
	}
}

void mr_decide(const struct mr_effective *e, const struct mr_endpoint *ep, struct mr_decision *d)
{
	memset(d, 0, sizeof(*d));
	if (e->mode == MR_TCP) {
		d->verdict = MR_TCP;
		d->reason = MR_BY_MODE;
		d->origin = e->mode_origin;
		d->line = e->mode_line;
		return;
	}
	if (e->ports && e->ports->set) {
		bool in = false;
		for (size_t i = 0; i < e->ports->n && !in; i++)
			in = ep->port >= e->ports->v[i].lo && ep->port <= e->ports->v[i].hi;
		if (!in) {
			d->verdict = MR_TCP;
			d->reason = MR_BY_PORTS;
			d->origin = e->ports_origin;
			d->line = e->ports_line;
			return;
		}
	}
	const struct mr_entry *inc = mr_list_lookup(e->include, ep);
	const struct mr_entry *exc = mr_list_lookup(e->exclude, ep);
	if (exc && (!inc || specificity(exc) >= specificity(inc))) {
		d->verdict = MR_TCP;
		d->reason = MR_BY_EXCLUDE;
		d->entry = exc;
		d->origin = e->exclude_origin;
		d->line = e->exclude_line;
	} else if (inc) {
		d->verdict = MR_MPTCP;
		d->reason = MR_BY_INCLUDE;
		d->entry = inc;
		d->origin = e->include_origin;
		d->line = e->include_line;
	} else if (e->include && e->include->set) {
		d->verdict = MR_TCP;
		d->reason = MR_BY_NO_INCLUDE;
		d->origin = e->include_origin;
		d->line = e->include_line;
	} else {
		d->verdict = MR_MPTCP;
		d->reason = MR_BY_MODE;
		d->origin = e->mode_origin;
		d->line = e->mode_line;
	}
}

void mr_decide_unnamed(const struct mr_effective *e, struct mr_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->verdict = MR_TCP;
	if (e->mode == MR_TCP) {
		d->reason = MR_BY_MODE;
		d->origin = e->mode_origin;
		d->line = e->mode_line;
	} else if (e->ports && e->ports->set) {
		d->reason = MR_BY_PORTS; /* only listed ports get MPTCP, and the port is unknown */
		d->origin = e->ports_origin;
		d->line = e->ports_line;
	} else if (e->include && e->include->set) {
		d->reason = MR_BY_NO_INCLUDE; /* only listed endpoints get MPTCP */
		d->origin = e->include_origin;
		d->line = e->include_line;
	} else {
		d->verdict = MR_MPTCP;
		d->reason = MR_BY_MODE;
		d->origin = e->mode_origin;
		d->line = e->mode_line;
	}
}

/* ---- formatting ---- */

size_t mr_format_decision(const struct mr_program *prog, enum mr_role role,
                          const struct mr_decision *d, char *buf, size_t size)
{
	char where[160], entry[96] = "";
	const char *key = "mode";
	const char *prefix = "";
	int n;

	switch (d->origin) {
	case MR_FROM_BUILTIN:
		snprintf(where, sizeof(where), "built-in");
		break;
	case MR_FROM_FORCE:
		snprintf(where, sizeof(where), "launcher (MPTCP_RUN_FORCE)");
		break;
	case MR_FROM_DEFAULTS:
		snprintf(where, sizeof(where), "defaults (line %d)", d->line);
		break;
	case MR_FROM_SECTION:
	case MR_FROM_ROLE:
		snprintf(where, sizeof(where), "programs[%td] (match \"%s\", line %d)",
		         prog->section_index,
		         prog->section && prog->section->n_match ? prog->section->match[0] : "?",
		         d->line);
		break;
	}
	if (d->origin == MR_FROM_ROLE)
		prefix = role == MR_ROLE_LISTEN ? "listen." : "connect.";
	switch (d->reason) {
	case MR_BY_MODE:
		key = "mode";
		break;
	case MR_BY_EXCLUDE:
		key = "exclude";
		break;
	case MR_BY_INCLUDE:
		key = "include";
		break;
	case MR_BY_NO_INCLUDE:
		key = "include";
		snprintf(entry, sizeof(entry), "(no entry matches)");
		break;
	case MR_BY_PORTS:
		key = "ports";
		snprintf(entry, sizeof(entry), "(port not listed)");
		break;
	}
	if (d->entry)
		mr_format_entry(d->entry, entry, sizeof(entry));
	if (d->reason == MR_BY_MODE)
		snprintf(entry, sizeof(entry), "\"%s\"", mr_verdict_name(d->verdict));
	n = snprintf(buf, size, "%s %s%s %s", where, prefix, key, entry);
	return n < 0 ? 0 : (size_t)n;
}

/* ---- freeing ---- */

static void rules_free(struct mr_rules *r)
{
	mr_list_free(&r->include);
	mr_list_free(&r->exclude);
	free(r->ports.v);
	rules_init(r);
}

void mr_policy_free(struct mr_policy *p)
{
	rules_free(&p->defaults);
	for (size_t i = 0; i < p->n_sections; i++) {
		struct mr_section *s = &p->sections[i];
		for (size_t j = 0; j < s->n_match; j++)
			free(s->match[j]);
		free(s->match);
		rules_free(&s->rules);
		for (int r = 0; r < MR_ROLE_COUNT; r++)
			rules_free(&s->role[r]);
	}
	free(p->sections);
	p->sections = NULL;
	p->n_sections = 0;
	for (size_t i = 0; i < p->n_paths; i++)
		free(p->paths[i].name);
	p->n_paths = 0;
	memset(&p->default_paths, 0, sizeof(p->default_paths));
	memset(&p->default_budgets, 0, sizeof(p->default_budgets));
	memset(&p->default_path_modes, 0, sizeof(p->default_path_modes));
}
