/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the policy matcher. The first byte picks what the rest of
 * the input feeds:
 *   0  mr_entry_parse(): invariants and format/parse round trip
 *   1  mr_ports_parse(): invariants and round trip
 *   2  mr_endpoint_from_sockaddr() on raw bytes with a fuzzed length
 *   3  decisions of a fixed policy for fuzzed endpoints, against the reference
 *   4  a list built from fuzzed entries (one per line), lookups against the reference
 */
#include <arpa/inet.h>
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

static const char fixed_conf[] =
    "defaults = { exclude = [ \"127.0.0.0/8\", \"[::1]\", \"10.0.0.0/8:22\" ];\n"
    "  include = [ \"10.0.0.0/8\", \"198.18.0.0/15\", \"198.18.1.0/24:443\", \"*:8000-8100\",\n"
    "              \"2001:db8::/32\", \"[2001:db8:1::]/48:1-1024\", \"[::ffff:192.0.2.0]/120\" ]; "
    "};\n"
    "programs = (\n"
    "  { match = \"curl\"; ports = ( 80, 443, \"8000-9000\" );\n"
    "    connect = { exclude = [ \"198.18.0.0/16\", \"*:8080\" ]; };\n"
    "    listen = { mode = \"tcp\"; }; },\n"
    "  { match = \"/usr/sbin/*\"; include = [ ]; },\n"
    "  { match = [ \"ssh*\", \"scp\" ]; mode = \"mptcp\"; exclude = [ \"0.0.0.0/0:22\", \"::/0\" "
    "];\n"
    "    listen = { include = [ \"*\" ]; exclude = [ \"*:22\" ]; }; }\n"
    ");\n";

static struct mr_policy fixed;
static struct mr_program progs[5];
static const char *const exes[5] = {"/usr/bin/curl", "/usr/sbin/nginx", "/usr/bin/ssh", "scp",
                                    "/bin/other"};

static void init(void)
{
	struct mr_config_error err;
	if (mr_config_parse(mr_libconfig_linked, fixed_conf, strlen(fixed_conf), "fixed", &fixed,
	                    &err) != 0) {
		char msg[700];
		mr_config_format_error(&err, msg, sizeof(msg));
		fprintf(stderr, "fixed policy does not parse: %s\n", msg);
		abort();
	}
	for (int i = 0; i < 5; i++)
		mr_resolve(&fixed, exes[i], i == 4, &progs[i]);
}

static char *cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static void check_entry(const char *text)
{
	struct mr_entry e, back;
	char buf[128];
	if (mr_entry_parse(text, &e) != NULL)
		return;
	int alen = ref_addr_len(e.family);
	if ((e.family != AF_INET && e.family != AF_INET6 && e.family != AF_UNSPEC) ||
	    e.prefix > alen * 8 || e.port_lo > e.port_hi ||
	    ((e.port_lo == 0) != (e.port_lo == 0 && e.port_hi == 65535))) {
		fprintf(stderr, "entry \"%s\": bad fields\n", text);
		abort();
	}
	for (int bit = e.prefix; bit < 128; bit++)
		if (e.addr[bit / 8] & (0x80 >> (bit % 8))) {
			fprintf(stderr, "entry \"%s\": host bits set\n", text);
			abort();
		}
	mr_format_entry(&e, buf, sizeof(buf));
	if (mr_entry_parse(buf, &back) != NULL || back.family != e.family ||
	    back.prefix != e.prefix || memcmp(back.addr, e.addr, 16) != 0 ||
	    back.port_lo != e.port_lo || back.port_hi != e.port_hi) {
		fprintf(stderr, "entry \"%s\" formats as \"%s\", which does not parse back\n", text,
		        buf);
		abort();
	}
}

static void check_ports(const char *text)
{
	struct mr_port_range r, back;
	char buf[32];
	if (mr_ports_parse(text, &r) != NULL)
		return;
	if (r.lo < 1 || r.lo > r.hi)
		abort();
	snprintf(buf, sizeof(buf), "%u-%u", r.lo, r.hi);
	if (mr_ports_parse(buf, &back) != NULL || back.lo != r.lo || back.hi != r.hi)
		abort();
}

static void check_sockaddr(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss;
	struct mr_endpoint ep;
	char buf[96];
	if (size < 1)
		return;
	socklen_t len = data[0];
	data++, size--;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, data, size < sizeof(ss) ? size : sizeof(ss));
	if (len > sizeof(ss))
		len = sizeof(ss);
	if (!mr_endpoint_from_sockaddr((const struct sockaddr *)&ss, len, &ep))
		return;
	if (ep.family != AF_INET && ep.family != AF_INET6)
		abort();
	if (ep.family == AF_INET6 && memcmp(ep.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		abort(); /* v4-mapped must have become IPv4 */
	mr_format_endpoint(&ep, buf, sizeof(buf));
	for (int i = 0; i < 5; i++)
		for (int r = 0; r < MR_ROLE_COUNT; r++)
			ref_check_decision(&progs[i], (enum mr_role)r, &ep, r == 0);
}

static void endpoint_from_bytes(const uint8_t *d, struct mr_endpoint *ep)
{
	/* 19 bytes: family bit, 16 address bytes, 2 port bytes. Biased towards the
	 * fixed policy's networks so that matches are common. */
	memset(ep, 0, sizeof(*ep));
	ep->family = d[0] & 1 ? AF_INET6 : AF_INET;
	memcpy(ep->addr, d + 1, 16);
	switch ((d[0] >> 1) & 7) {
	case 1:
		ep->addr[0] = 10;
		break;
	case 2:
		ep->addr[0] = 198, ep->addr[1] = 18 | (d[0] >> 7);
		break;
	case 3:
		ep->addr[0] = 127;
		break;
	case 4:
		ep->addr[0] = 0x20, ep->addr[1] = 0x01, ep->addr[2] = 0x0d, ep->addr[3] = 0xb8;
		break;
	}
	if (ep->family == AF_INET)
		memset(ep->addr + 4, 0, 12);
	ep->port = (uint16_t)(d[17] << 8 | d[18]);
	if (d[0] & 0x40)
		ep->port = (uint16_t)(d[18] % 8 == 0   ? 22
		                      : d[18] % 8 == 1 ? 443
		                                       : 8000 + d[17] % 200);
}

static void check_decisions(const uint8_t *data, size_t size)
{
	for (; size >= 19; data += 19, size -= 19) {
		struct mr_endpoint ep;
		endpoint_from_bytes(data, &ep);
		for (int i = 0; i < 5; i++)
			for (int r = 0; r < MR_ROLE_COUNT; r++)
				ref_check_decision(&progs[i], (enum mr_role)r, &ep, r == 0);
	}
}

static void check_list(const uint8_t *data, size_t size)
{
	/* Lines of entries, then (after a NUL) endpoint bytes. */
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	char *text = cstr(data, tlen);
	struct mr_list l = {0};
	size_t cap = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (l.n == cap) {
			cap = cap ? cap * 2 : 8;
			struct mr_entry *v = realloc(l.v, cap * sizeof(*l.v));
			if (!v)
				abort();
			l.v = v;
		}
		if (mr_entry_parse(line, &l.v[l.n]) == NULL) {
			l.v[l.n].index = (uint32_t)l.n;
			l.n++;
		}
	}
	l.set = true;
	if (mr_list_finish(&l) < 0)
		abort();
	/* Every entry is reachable: trie runs and "*" entries partition the sorted array. */
	size_t covered = l.any_count;
	for (size_t k = 1; k < l.n_nodes; k++)
		covered += l.nodes[k].count;
	if (covered != l.n)
		abort();
	const uint8_t *eps = nul ? nul + 1 : data + size;
	size_t left = nul ? size - tlen - 1 : 0;
	for (; left >= 19; eps += 19, left -= 19) {
		struct mr_endpoint ep;
		endpoint_from_bytes(eps, &ep);
		ref_check_lookup(&l, &ep);
	}
	/* And every entry's own network address matches itself or something more specific. */
	for (size_t i = 0; i < l.n; i++) {
		struct mr_endpoint ep = {.family = l.v[i].family == AF_INET6 ? AF_INET6 : AF_INET,
		                         .port = l.v[i].port_hi};
		memcpy(ep.addr, l.v[i].addr, 16);
		ref_check_lookup(&l, &ep);
		if (!mr_list_lookup(&l, &ep))
			abort();
	}
	mr_list_free(&l);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		init();
		ready = 1;
	}
	if (size < 1)
		return 0;
	uint8_t sel = data[0] % 5;
	data++, size--;
	if (sel == 0 || sel == 1) {
		if (size > 256)
			return 0;
		char *s = cstr(data, size);
		if (sel == 0)
			check_entry(s);
		else
			check_ports(s);
		free(s);
	} else if (sel == 2) {
		check_sockaddr(data, size);
	} else if (sel == 3) {
		check_decisions(data, size);
	} else {
		check_list(data, size);
	}
	return 0;
}
