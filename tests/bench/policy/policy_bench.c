/* SPDX-License-Identifier: MIT */
/*
 * policy_bench: time of one mr_decide() with a 1,000-entry policy.
 *
 * Not a top-level bench/ source on purpose: it links build/libmptcp-policy.a and -lconfig,
 * which the generic bench rule does not; scripts/bench compiles it.
 *
 *   policy_bench [ENTRIES] [DECISIONS] [random|common]
 * Writes a config with ENTRIES (default 1000) include/exclude entries (IPv4
 * and IPv6 prefixes of random lengths, some with ports), loads it with the
 * library's own loader, resolves it, then times DECISIONS (default 2,000,000)
 * decisions over 4,096 random endpoints. "random" (default) draws prefix
 * lengths uniformly (IPv4 /8../32, IPv6 /16../128); "common" only uses
 * /8 /16 /24 /32 and /32 /48 /64 /128, as hand-written configs do. Timed (a quarter drawn inside
 * the entries so both hits and misses are measured). Prints "ns_per_decision=X min_batch=Y
 * entries=N mptcp=K/DECISIONS load_ms=L".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/config_file.h"
#include "kernel/libconfig_linked.h"
#include "policy/config_text.h"
#include "policy/policy.h"

#define N_EP 4096

static uint64_t rng = 0x243f6a8885a308d3ULL;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	long decisions = argc > 2 ? atol(argv[2]) : 2000000;
	bool common = argc > 3 && strcmp(argv[3], "common") == 0;
	static const int pf4[4] = {8, 16, 24, 32}, pf6[4] = {32, 48, 64, 128};
	static uint8_t v4[4096][4], v6[4096][16];
	char path[] = "/tmp/mptcp-run-policy-bench.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || n < 2 || n > 4096 || decisions < 1) {
		fprintf(stderr, "usage: policy_bench [ENTRIES 2..4096] [DECISIONS]\n");
		return 2;
	}
	FILE *f = fdopen(fd, "w");
	fprintf(f, "defaults = {\n  mode = \"mptcp\";\n");
	for (int list = 0; list < 2; list++) {
		fprintf(f, "  %s = [\n", list ? "exclude" : "include");
		for (int i = list; i < n; i += 2) {
			char a[INET6_ADDRSTRLEN], port[16] = "";
			if (rnd() % 4 == 0)
				snprintf(port, sizeof(port), ":%u", 1 + rnd() % 65535);
			if (rnd() % 4 == 0) { /* IPv6 */
				for (int k = 0; k < 16; k++)
					v6[i][k] = (uint8_t)rnd();
				v6[i][0] = 0xfd;
				int pfx = common ? pf6[rnd() % 4] : 16 + (int)(rnd() % 113);
				inet_ntop(AF_INET6, v6[i], a, sizeof(a));
				/* the loader wants a clean prefix: mask the host bits */
				uint8_t m[16];
				memcpy(m, v6[i], 16);
				for (int b = pfx; b < 128; b++)
					m[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
				inet_ntop(AF_INET6, m, a, sizeof(a));
				fprintf(f, "    \"[%s]/%d%s\"%s\n", a, pfx, port,
				        i + 2 < n ? "," : "");
				v4[i][0] = 0;
			} else {
				for (int k = 0; k < 4; k++)
					v4[i][k] = (uint8_t)rnd();
				if (v4[i][0] == 0 || v4[i][0] == 127)
					v4[i][0] = 10;
				int pfx = common ? pf4[rnd() % 4] : 8 + (int)(rnd() % 25);
				uint32_t x, mask = pfx == 32 ? ~0u : ~(~0u >> pfx);
				memcpy(&x, v4[i], 4);
				x = htonl(ntohl(x) & mask);
				inet_ntop(AF_INET, &x, a, sizeof(a));
				fprintf(f, "    \"%s/%d%s\"%s\n", a, pfx, port,
				        i + 2 < n ? "," : "");
				v6[i][0] = 0;
			}
		}
		fprintf(f, "  ];\n");
	}
	fprintf(f, "};\n");
	fclose(f);

	struct mr_policy pol;
	struct mr_config_error err;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (mr_config_load(mr_libconfig_linked, path, 0, &pol, &err) != MR_LOAD_OK) {
		char msg[600];
		mr_config_format_error(&err, msg, sizeof(msg));
		fprintf(stderr, "policy_bench: %s\n", msg);
		unlink(path);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	unlink(path);
	struct mr_program prog;
	mr_resolve(&pol, "/usr/bin/policy_bench", false, &prog);
	const struct mr_effective *eff = &prog.role[MR_ROLE_CONNECT];

	static struct mr_endpoint eps[N_EP];
	for (int i = 0; i < N_EP; i++) {
		struct mr_endpoint *ep = &eps[i];
		int src = (int)(rnd() % (unsigned)n);
		bool near = rnd() % 4 == 0;
		memset(ep, 0, sizeof(*ep));
		ep->port = (uint16_t)(1 + rnd() % 65535);
		if (rnd() % 4 == 0) {
			ep->family = AF_INET6;
			for (int k = 0; k < 16; k++)
				ep->addr[k] = (uint8_t)rnd();
			if (near && v6[src][0])
				memcpy(ep->addr, v6[src], 12);
		} else {
			ep->family = AF_INET;
			for (int k = 0; k < 4; k++)
				ep->addr[k] = (uint8_t)rnd();
			if (near && v4[src][0])
				memcpy(ep->addr, v4[src], 3);
		}
	}
	struct mr_decision d;
	long mptcp = 0;
	/* warm-up */
	for (int i = 0; i < N_EP; i++)
		mr_decide(eff, &eps[i], &d);
	double best = 1e30;
	int batches = 20;
	long per = decisions / batches;
	if (per < N_EP)
		per = N_EP;
	double t0 = now_ns();
	for (int bt = 0; bt < batches; bt++) {
		double bs = now_ns();
		for (long i = 0; i < per; i++) {
			mr_decide(eff, &eps[i & (N_EP - 1)], &d);
			mptcp += d.verdict == MR_MPTCP;
		}
		double t = (now_ns() - bs) / (double)per;
		if (t < best)
			best = t;
	}
	double t1 = now_ns();
	/* Per family: IPv6 endpoints walk more prefix-length groups than IPv4 ones. */
	double fam_ns[2] = {0, 0};
	for (int fi = 0; fi < 2; fi++) {
		int want = fi ? AF_INET6 : AF_INET;
		long cnt = 0;
		double fs = now_ns();
		for (int r = 0; r < 50; r++)
			for (int i = 0; i < N_EP; i++)
				if (eps[i].family == want) {
					mr_decide(eff, &eps[i], &d);
					cnt++;
				}
		fam_ns[fi] = cnt ? (now_ns() - fs) / (double)cnt : 0;
	}
	size_t groups = pol.defaults.include.n_nodes + pol.defaults.exclude.n_nodes;
	printf("ns_per_decision=%.1f min_batch=%.1f v4_ns=%.1f v6_ns=%.1f entries=%d nodes=%zu "
	       "mptcp=%ld/%ld load_ms=%.2f\n",
	       (t1 - t0) / (double)(per * batches), best, fam_ns[0], fam_ns[1], n, groups, mptcp,
	       per * batches,
	       ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6));
	mr_policy_free(&pol);
	return 0;
}
