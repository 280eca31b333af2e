/* SPDX-License-Identifier: MIT */
#include "pathd/protection.h"

struct pl_protection pd_protection_for(const struct pl_conn *c, int promote_ms)
{
	/*
	 * Whatever this kernel's own verdict: a join this host makes is received by the peer,
	 * whose kernel is unknown, and one the peer makes is received here. Protection costs
	 * only promote_ms without aggregation on each new join, so every connection has it
	 * unless its program says integrity = "accept-risk" (known once its paths are decided;
	 * before that the planner makes no join).
	 */
	bool on = !c->decided || c->integrity != MR_INTEGRITY_ACCEPT_RISK;
	return (struct pl_protection){.on = on, .promote_ms = promote_ms};
}
