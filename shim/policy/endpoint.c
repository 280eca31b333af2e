/* SPDX-License-Identifier: MIT */
/*
 * Endpoints and list entries: parsing, conversion from sockaddr, formatting.
 * Pure code (inet_pton/inet_ntop are table-driven, no system calls).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool mr_endpoint_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct mr_endpoint *ep)
{
	if (!sa || len < (socklen_t)sizeof(sa_family_t))
		return false;
	memset(ep, 0, sizeof(*ep));
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		ep->family = AF_INET;
		memcpy(ep->addr, &in->sin_addr, 4);
		ep->port = ntohs(in->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		ep->port = ntohs(in6->sin6_port);
		/* A v4-mapped address is an IPv4 peer: IPv4 rules must match it. */
		if (memcmp(in6->sin6_addr.s6_addr, v4mapped_prefix, 12) == 0) {
			ep->family = AF_INET;
			memcpy(ep->addr, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			ep->family = AF_INET6;
			memcpy(ep->addr, in6->sin6_addr.s6_addr, 16);
		}
		return true;
	}
	return false;
}

const char *mr_ports_parse(const char *text, struct mr_port_range *out)
{
	unsigned long v[2] = {0, 0};
	int n = 0;
	const char *p = text;

	if (!text || !*text)
		return "empty port";
	for (;;) {
		if (*p < '0' || *p > '9')
			return "port must be a number or a range like 8000-8100";
		unsigned long x = 0;
		while (*p >= '0' && *p <= '9') {
			x = x * 10 + (unsigned long)(*p - '0');
			if (x > 65535)
				return "port out of range (1-65535)";
			p++;
		}
		v[n++] = x;
		if (*p == '\0')
			break;
		if (*p != '-' || n == 2)
			return "port must be a number or a range like 8000-8100";
		p++;
	}
	if (n == 1)
		v[1] = v[0];
	if (v[0] == 0 || v[1] == 0)
		return "port 0 is not a port (use 1-65535)";
	if (v[0] > v[1])
		return "inverted port range (low-high)";
	out->lo = (uint16_t)v[0];
	out->hi = (uint16_t)v[1];
	return NULL;
}

/* Copies [s, e) into buf (size bytes); false if it does not fit. */
static bool copy_span(char *buf, size_t size, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);
	if (n >= size)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

static const char *parse_prefix(const char *s, unsigned max, uint8_t *out)
{
	unsigned long v = 0;
	if (!*s)
		return "missing prefix length after '/'";
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return "prefix length must be a number";
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return max == 32 ? "IPv4 prefix length must be 0-32"
			                 : "IPv6 prefix length must be 0-128";
	}
	*out = (uint8_t)v;
	return NULL;
}

static void mask_addr(uint8_t *addr, unsigned bytes, unsigned prefix)
{
	for (unsigned i = 0; i < bytes; i++) {
		unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;
		if (bits < 8)
			addr[i] &= (uint8_t)(0xff << (8 - bits));
	}
}

/*
 * Accepted forms:
 *   "198.18.0.0/15"  "198.18.1.2"  "198.18.0.0/15:443"  "10.0.0.1:8000-8100"
 *   "[2001:db8::]/32:443"  "[::1]:22"  "2001:db8::/32" (no port without brackets)
 *   "*"  "*:22"  (any address of either family)
 */
const char *mr_entry_parse(const char *text, struct mr_entry *out)
{
	char host[64], pfx[8];
	const char *p = text, *port = NULL, *slash = NULL;
	const char *err;

	memset(out, 0, sizeof(*out));
	out->port_lo = 0;
	out->port_hi = 65535;
	if (!text || !*text)
		return "empty address";

	if (*p == '*') {
		out->family = AF_UNSPEC;
		p++;
		if (*p == ':')
			port = p + 1;
		else if (*p)
			return "'*' may only be followed by :PORT";
	} else if (*p == '[') {
		const char *close = strchr(p, ']');
		if (!close)
			return "missing ']' after IPv6 address";
		if (!copy_span(host, sizeof(host), p + 1, close))
			return "address too long";
		p = close + 1;
		if (*p == '/') {
			slash = p + 1;
			const char *c = strchr(slash, ':');
			if (!copy_span(pfx, sizeof(pfx), slash, c ? c : slash + strlen(slash)))
				return "prefix length too long";
			p = c ? c : slash + strlen(slash);
		}
		if (*p == ':')
			port = p + 1;
		else if (*p)
			return "unexpected text after ']' (expected /LEN or :PORT)";
		out->family = AF_INET6;
	} else if (strchr(p, '.') && (!strchr(p, ':') || strchr(p, '.') < strchr(p, ':'))) {
		/* A ':' before the first '.' is IPv6 with an IPv4 tail (::ffff:1.2.3.4): below. */
		/* IPv4, possibly with /LEN and :PORT. IPv6 with dots (::ffff:1.2.3.4) must use [].
		 */
		const char *colon = strchr(p, ':');
		const char *sl = strchr(p, '/');
		if (colon && sl && sl > colon)
			return "write the prefix before the port (ADDR/LEN:PORT)";
		const char *host_end = sl ? sl : (colon ? colon : p + strlen(p));
		if (!copy_span(host, sizeof(host), p, host_end))
			return "address too long";
		if (sl) {
			slash = sl + 1;
			if (!copy_span(pfx, sizeof(pfx), slash,
			               colon ? colon : slash + strlen(slash)))
				return "prefix length too long";
		}
		if (colon)
			port = colon + 1;
		out->family = AF_INET;
	} else {
		/* Bare IPv6, no port possible. */
		const char *sl = strchr(p, '/');
		if (!copy_span(host, sizeof(host), p, sl ? sl : p + strlen(p)))
			return "address too long";
		if (sl) {
			slash = sl + 1;
			if (!copy_span(pfx, sizeof(pfx), slash, slash + strlen(slash)))
				return "prefix length too long";
		}
		if (!strchr(host, ':'))
			return "not an IPv4 or IPv6 address (hostnames are not allowed)";
		out->family = AF_INET6;
	}

	if (out->family == AF_INET) {
		if (inet_pton(AF_INET, host, out->addr) != 1)
			return "invalid IPv4 address";
		out->prefix = 32;
		if (slash && (err = parse_prefix(pfx, 32, &out->prefix)))
			return err;
		mask_addr(out->addr, 4, out->prefix);
	} else if (out->family == AF_INET6) {
		uint8_t a6[16];
		if (inet_pton(AF_INET6, host, a6) != 1)
			return "invalid IPv6 address";
		out->prefix = 128;
		if (slash && (err = parse_prefix(pfx, 128, &out->prefix)))
			return err;
		if (memcmp(a6, v4mapped_prefix, 12) == 0 && out->prefix >= 96) {
			/* A v4-mapped entry is an IPv4 entry, as v4-mapped endpoints are. */
			out->family = AF_INET;
			memcpy(out->addr, a6 + 12, 4);
			out->prefix = (uint8_t)(out->prefix - 96);
			mask_addr(out->addr, 4, out->prefix);
		} else {
			memcpy(out->addr, a6, 16);
			mask_addr(out->addr, 16, out->prefix);
		}
	}

	if (port) {
		struct mr_port_range r;
		if ((err = mr_ports_parse(port, &r)))
			return err;
		out->port_lo = r.lo;
		out->port_hi = r.hi;
	}
	return NULL;
}

size_t mr_format_entry(const struct mr_entry *e, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "*", pr[16] = "", po[16] = "";
	bool any_port = e->port_lo == 0 && e->port_hi == 65535;
	int n;

	if (e->family == AF_INET || e->family == AF_INET6)
		inet_ntop(e->family, e->addr, a, sizeof(a));
	if (e->family == AF_INET && e->prefix != 32)
		snprintf(pr, sizeof(pr), "/%u", e->prefix);
	if (e->family == AF_INET6 && e->prefix != 128)
		snprintf(pr, sizeof(pr), "/%u", e->prefix);
	if (!any_port) {
		if (e->port_lo == e->port_hi)
			snprintf(po, sizeof(po), ":%u", e->port_lo);
		else
			snprintf(po, sizeof(po), ":%u-%u", e->port_lo, e->port_hi);
	}
	if (e->family == AF_INET6 && !any_port)
		n = snprintf(buf, size, "[%s]%s%s", a, pr, po);
	else
		n = snprintf(buf, size, "%s%s%s", a, pr, po);
	return n < 0 ? 0 : (size_t)n;
}

/* "198.18.1.1:443" or "[fd00::1]:443" (v4-mapped stays "[::ffff:198.18.1.1]:443"). */
static size_t format_addr_port(int family, const void *addr, unsigned port, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";
	int n;
	inet_ntop(family, addr, a, sizeof(a));
	if (family == AF_INET6)
		n = snprintf(buf, size, "[%s]:%u", a, port);
	else
		n = snprintf(buf, size, "%s:%u", a, port);
	return n < 0 ? 0 : (size_t)n;
}

size_t mr_format_endpoint(const struct mr_endpoint *ep, char *buf, size_t size)
{
	return format_addr_port(ep->family, ep->addr, ep->port, buf, size);
}

size_t mr_format_sockaddr(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		return format_addr_port(AF_INET, &a->sin_addr, ntohs(a->sin_port), buf, size);
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		return format_addr_port(AF_INET6, &a->sin6_addr, ntohs(a->sin6_port), buf, size);
	}
	if (size)
		buf[0] = '\0';
	return 0;
}

void mr_endpoint_to_sockaddr(const struct mr_endpoint *ep, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(ep->port);
		memcpy(&a->sin_addr, ep->addr, 4);
	} else if (ep->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(ep->port);
		memcpy(&a->sin6_addr, ep->addr, 16);
	}
}
