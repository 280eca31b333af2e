/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the config loader on arbitrary bytes. A parsed policy is
 * resolved for a few programs and decides a few endpoints (cross-checked
 * against the brute-force reference), then freed: ASan reports any leak, UBSan
 * any undefined behaviour, the reference any wrong verdict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/config_file.h"
#include "kernel/libconfig_linked.h"
#include "policy/config_text.h"
#include "policy/policy.h"
#include "ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const exes[] = {"/usr/bin/curl", "iperf3", NULL};

static void endpoint4(struct mr_endpoint *ep, uint8_t a, uint8_t b, uint8_t c, uint8_t d,
                      uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	ep->family = AF_INET;
	ep->addr[0] = a;
	ep->addr[1] = b;
	ep->addr[2] = c;
	ep->addr[3] = d;
	ep->port = port;
}

static void check_policy(const struct mr_policy *p, const uint8_t *data, size_t size)
{
	struct mr_endpoint eps[6];
	endpoint4(&eps[0], 127, 0, 0, 1, 80);
	endpoint4(&eps[1], 198, 18, 0, 1, 443);
	endpoint4(&eps[2], 10, 1, 2, 3, 22);
	memset(&eps[3], 0, sizeof(eps[3]));
	eps[3].family = AF_INET6;
	eps[3].addr[15] = 1; /* ::1 */
	eps[3].port = 8080;
	memset(&eps[4], 0, sizeof(eps[4]));
	eps[4].family = AF_INET6;
	eps[4].addr[0] = 0x20;
	eps[4].addr[1] = 0x01;
	eps[4].addr[2] = 0x0d;
	eps[4].addr[3] = 0xb8;
	eps[4].port = 65535;
	/* One endpoint taken from the input itself, so entries in it can match. */
	memset(&eps[5], 0, sizeof(eps[5]));
	eps[5].family = size & 1 ? AF_INET6 : AF_INET;
	memcpy(eps[5].addr, data + (size > 18 ? size - 18 : 0), size < 16 ? size : 16);
	if (eps[5].family == AF_INET)
		memset(eps[5].addr + 4, 0, 12);
	eps[5].port = size > 1 ? (uint16_t)(data[0] << 8 | data[1]) : 0;

	for (size_t x = 0; x < sizeof(exes) / sizeof(exes[0]); x++) {
		struct mr_program prog;
		mr_resolve(p, exes[x], x == 1, &prog);
		for (int r = 0; r < MR_ROLE_COUNT; r++)
			for (size_t i = 0; i < sizeof(eps) / sizeof(eps[0]); i++)
				ref_check_decision(&prog, (enum mr_role)r, &eps[i], i == 5);
	}
	/* Every parsed entry formats without overflow and re-parses to itself. */
	for (size_t s = 0; s <= p->n_sections; s++) {
		const struct mr_rules *rs[3];
		if (s == p->n_sections) {
			rs[0] = &p->defaults;
			rs[1] = rs[2] = NULL;
		} else {
			rs[0] = &p->sections[s].rules;
			rs[1] = &p->sections[s].role[0];
			rs[2] = &p->sections[s].role[1];
		}
		for (int k = 0; k < 3; k++) {
			if (!rs[k])
				continue;
			const struct mr_list *ls[2] = {&rs[k]->include, &rs[k]->exclude};
			for (int j = 0; j < 2; j++) {
				for (size_t i = 0; i < ls[j]->n; i++) {
					char buf[128];
					struct mr_entry back;
					mr_format_entry(&ls[j]->v[i], buf, sizeof(buf));
					if (mr_entry_parse(buf, &back) != NULL ||
					    back.family != ls[j]->v[i].family ||
					    back.prefix != ls[j]->v[i].prefix ||
					    memcmp(back.addr, ls[j]->v[i].addr, 16) != 0 ||
					    back.port_lo != ls[j]->v[i].port_lo ||
					    back.port_hi != ls[j]->v[i].port_hi) {
						fprintf(stderr, "entry does not round-trip: %s\n",
						        buf);
						abort();
					}
				}
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mr_policy p;
	struct mr_config_error err;
	char msg[700];

	if (size > MR_CONF_MAX_SIZE)
		return 0; /* mr_config_load refuses these before parsing */
	int rc =
	    mr_config_parse(mr_libconfig_linked, (const char *)data, size, "fuzz.conf", &p, &err);
	mr_config_format_error(&err, msg, sizeof(msg));
	if (rc < 0) {
		/* A refusal always says why, and leaves the built-in policy. */
		if (!err.text[0] || p.n_sections != 0 || p.defaults.mode != -1 ||
		    p.defaults.include.set || p.defaults.exclude.set || p.defaults.ports.set) {
			fprintf(stderr, "bad refusal: rc %d, \"%s\"\n", rc, msg);
			abort();
		}
	} else if (rc != 0) {
		abort();
	}
	check_policy(&p, data, size);
	mr_policy_free(&p);
	return 0;
}
