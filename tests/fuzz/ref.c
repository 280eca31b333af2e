/* SPDX-License-Identifier: MIT */
/* The brute-force reference (see ref.h). Built without coverage instrumentation:
 * the fuzzer should steer by the code under test, and the loops here would
 * otherwise cost most of the time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

int ref_addr_len(int family)
{
	return family == AF_INET6 ? 16 : family == AF_INET ? 4 : 0;
}

bool ref_matches(const struct mr_entry *e, const struct mr_endpoint *ep)
{
	if (ep->port < e->port_lo || ep->port > e->port_hi)
		return false;
	if (e->family == AF_UNSPEC)
		return true;
	if (e->family != ep->family)
		return false;
	int full = e->prefix / 8, rest = e->prefix % 8;
	if (memcmp(e->addr, ep->addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	int m = (0xff << (8 - rest)) & 0xff;
	return (e->addr[full] & m) == (ep->addr[full] & m);
}

long ref_specificity(const struct mr_entry *e)
{
	int prefix = e->family == AF_UNSPEC ? -1 : e->prefix;
	return (long)(prefix + 1) * 65536L + (65535 - (e->port_hi - e->port_lo));
}

/* The best specificity among matching entries, -1 if none matches. */
long ref_best(const struct mr_list *l, const struct mr_endpoint *ep)
{
	long best = -1;
	if (!l)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (ref_matches(&l->v[i], ep) && ref_specificity(&l->v[i]) > best)
			best = ref_specificity(&l->v[i]);
	return best;
}

/* Checks mr_list_lookup() against the brute force; aborts on a mismatch. */
void ref_check_lookup(const struct mr_list *l, const struct mr_endpoint *ep)
{
	const struct mr_entry *got = mr_list_lookup(l, ep);
	long want = ref_best(l, ep);
	if ((got == NULL) != (want < 0) || (got && !ref_matches(got, ep)) ||
	    (got && ref_specificity(got) != want)) {
		char a[96] = "-", b[96];
		if (got)
			mr_format_entry(got, a, sizeof(a));
		mr_format_endpoint(ep, b, sizeof(b));
		fprintf(stderr, "lookup mismatch for %s: got %s, want specificity %ld\n", b, a,
		        want);
		abort();
	}
}

enum mr_verdict ref_decide(const struct mr_effective *e, const struct mr_endpoint *ep)
{
	if (e->mode == MR_TCP)
		return MR_TCP;
	if (e->ports && e->ports->set) {
		bool in = false;
		for (size_t i = 0; i < e->ports->n; i++)
			in |= ep->port >= e->ports->v[i].lo && ep->port <= e->ports->v[i].hi;
		if (!in)
			return MR_TCP;
	}
	long inc = ref_best(e->include, ep), exc = ref_best(e->exclude, ep);
	if (exc >= 0 && exc >= inc)
		return MR_TCP;
	if (inc >= 0)
		return MR_MPTCP;
	return e->include && e->include->set ? MR_TCP : MR_MPTCP;
}

/* Decides (formatting the decision if asked) and checks the verdict against the
 * reference and the `constant` flag, and the deciding entry against the most
 * specific match the brute force finds. */
void ref_check_decision(const struct mr_program *prog, enum mr_role role,
                        const struct mr_endpoint *ep, bool format)
{
	const struct mr_effective *e = &prog->role[role];
	struct mr_decision d;
	char buf[512];
	mr_decide(e, ep, &d);
	if (format)
		mr_format_decision(prog, role, &d, buf, sizeof(buf));
	enum mr_verdict want = ref_decide(e, ep);
	bool bad = d.verdict != want || (e->constant && d.verdict != e->constant_verdict);
	if (d.reason == MR_BY_INCLUDE || d.reason == MR_BY_EXCLUDE) {
		const struct mr_list *l = d.reason == MR_BY_INCLUDE ? e->include : e->exclude;
		bad |= !d.entry || !ref_matches(d.entry, ep) ||
		       ref_specificity(d.entry) != ref_best(l, ep);
	}
	if (bad) {
		mr_format_endpoint(ep, buf, sizeof(buf));
		fprintf(stderr,
		        "decision mismatch for %s role %d: got %d (reason %d), reference %d\n", buf,
		        (int)role, (int)d.verdict, (int)d.reason, (int)want);
		abort();
	}
}
