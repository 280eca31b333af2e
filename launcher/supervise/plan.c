/* SPDX-License-Identifier: MIT */
/*
 * The supervisor's plan: pure decisions, unit-tested (tests/unit/launcher/test_sv_plan.c).
 *
 * connect()/listen() on a socket the policy already made MPTCP need no answer
 * when the verdict cannot depend on the endpoint: a constant MPTCP verdict
 * for every program. Only the defaults can promise that (a program section
 * may say otherwise, and a socket may cross an exec into it), so the filter
 * lets those calls through only when the policy has no program section. The
 * report wants each verdict in words and the remote end: with it, they are
 * always sent.
 */
#include "supervise/plan.h"

#include <string.h>

static const struct {
	const char *name;
	size_t off;
} levers[] = {
    {"sync", offsetof(struct lr_sv_levers, sync)},
    {"nswatch", offsetof(struct lr_sv_levers, nswatch)},
    {"pool", offsetof(struct lr_sv_levers, pool)},
    {"bpf", offsetof(struct lr_sv_levers, bpf)},
};

const char *lr_sv_levers_parse(const char *s, struct lr_sv_levers *out)
{
	size_t i;

	for (i = 0; i < sizeof(levers) / sizeof(levers[0]); i++)
		*(bool *)((char *)out + levers[i].off) = true;
	while (s && *s) {
		size_t len = strcspn(s, ", ");
		bool known = false;

		for (i = 0; len && i < sizeof(levers) / sizeof(levers[0]); i++)
			if (strlen(levers[i].name) == len && strncmp(levers[i].name, s, len) == 0) {
				*(bool *)((char *)out + levers[i].off) = false;
				known = true;
			}
		if (len && !known)
			return s;
		s += len;
		s += strspn(s, ", ");
	}
	return NULL;
}

static bool always_mptcp(const struct mr_effective *e)
{
	return e->constant && e->constant_verdict == MR_MPTCP;
}

void lr_sv_plan_make(const struct mr_program *defaults, size_t n_sections, bool report,
                     enum mr_kernel_integrity kernel, const struct lr_sv_levers *lv,
                     struct lr_sv_plan *out)
{
	bool pass = lv->bpf && !report && n_sections == 0;

	out->connect = !(pass && always_mptcp(&defaults->role[MR_ROLE_CONNECT]));
	/* A listener the integrity guard keeps TCP is replaced: the call must be seen. */
	out->listen = !(pass && always_mptcp(&defaults->role[MR_ROLE_LISTEN]) &&
	                mr_integrity_listener_may_be_mptcp(defaults->integrity, kernel, false));
	out->nswatch = lv->nswatch;
}
