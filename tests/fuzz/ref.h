/* SPDX-License-Identifier: MIT */
/*
 * Brute-force reference of the policy decision, written from the contract in
 * shim/policy.h (not from policy.c): the most specific matching entry among
 * include and exclude decides (longest prefix, "*" below /0, then narrowest
 * port range); on a tie exclude wins. Used by the fuzz targets to cross-check
 * mr_list_lookup() and mr_decide().
 */
#ifndef MPTCP_RUN_FUZZ_REF_H
#define MPTCP_RUN_FUZZ_REF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int ref_addr_len(int family);
bool ref_matches(const struct mr_entry *e, const struct mr_endpoint *ep);
long ref_specificity(const struct mr_entry *e);
long ref_best(const struct mr_list *l, const struct mr_endpoint *ep);
void ref_check_lookup(const struct mr_list *l, const struct mr_endpoint *ep);
enum mr_verdict ref_decide(const struct mr_effective *e, const struct mr_endpoint *ep);
void ref_check_decision(const struct mr_program *prog, enum mr_role role,
                        const struct mr_endpoint *ep, bool format);

#endif
