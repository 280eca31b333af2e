/* SPDX-License-Identifier: MIT */
/*
 * Metered paths, data budgets and interface kinds as the config states them:
 * names, byte counts, budget text, and which budget applies to a program.
 * Pure, like the rest of the engine; counting and periods are the path
 * daemon's (launcher/planner/budget.h).
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

static const char *const kind_names[MR_KIND_COUNT] = {"", "wifi", "cellular", "ethernet"};

const char *mr_kind_name(enum mr_kind k)
{
	return (unsigned)k < MR_KIND_COUNT ? kind_names[k] : "";
}

enum mr_kind mr_kind_parse(const char *text)
{
	if (strcmp(text, "wwan") == 0)
		return MR_KIND_CELLULAR;
	for (int k = 1; k < MR_KIND_COUNT; k++)
		if (strcmp(text, kind_names[k]) == 0)
			return (enum mr_kind)k;
	return MR_KIND_NONE;
}

int mr_path_of_iface(const struct mr_policy *p, const char *name, enum mr_kind kind)
{
	for (size_t i = 0; i < p->n_paths; i++)
		if (p->paths[i].dev[0] && strcmp(p->paths[i].dev, name) == 0)
			return (int)i;
	if (kind == MR_KIND_NONE)
		return -1;
	for (size_t i = 0; i < p->n_paths; i++)
		if (p->paths[i].kind == kind)
			return (int)i;
	return -1;
}

bool mr_policy_has_kinds(const struct mr_policy *p)
{
	for (size_t i = 0; i < p->n_paths; i++)
		if (p->paths[i].kind != MR_KIND_NONE)
			return true;
	return false;
}

#define KIND_WORD "mptcp-run-kind="

enum mr_kind mr_kind_classify(const struct mr_iface_facts *f)
{
	/* The alias's words: "uplink mptcp-run-kind=cellular" names cellular. */
	for (const char *q = f->alias; *q;) {
		while (*q == ' ' || *q == '\t' || *q == ',')
			q++;
		const char *end = q;
		while (*end && *end != ' ' && *end != '\t' && *end != ',')
			end++;
		size_t n = (size_t)(end - q), w = sizeof(KIND_WORD) - 1;
		if (n > w && n - w < 16 && strncmp(q, KIND_WORD, w) == 0) {
			char name[16];
			snprintf(name, sizeof(name), "%.*s", (int)(n - w), q + w);
			enum mr_kind k = mr_kind_parse(name);
			if (k != MR_KIND_NONE)
				return k;
		}
		q = end;
	}
	if (f->wireless || strcmp(f->devtype, "wlan") == 0)
		return MR_KIND_WIFI;
	if (strcmp(f->devtype, "wwan") == 0)
		return MR_KIND_CELLULAR;
	if (f->type == 1 && f->physical && !f->devtype[0])
		return MR_KIND_ETHERNET;
	return MR_KIND_NONE;
}

/* ---- byte counts ---- */

#define BYTES_MAX ((uint64_t)1 << 60) /* an exabyte: beyond any budget, far from overflow */

const char *mr_bytes_parse(const char *text, uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {
	    {"", 1},
	    {"B", 1},
	    {"k", 1000},
	    {"K", 1000},
	    {"kB", 1000},
	    {"KB", 1000},
	    {"M", 1000000},
	    {"MB", 1000000},
	    {"G", 1000000000},
	    {"GB", 1000000000},
	    {"T", 1000000000000},
	    {"TB", 1000000000000},
	    {"KiB", (uint64_t)1 << 10},
	    {"MiB", (uint64_t)1 << 20},
	    {"GiB", (uint64_t)1 << 30},
	    {"TiB", (uint64_t)1 << 40},
	};
	uint64_t whole = 0, frac = 0, frac_div = 1;
	const char *q = text;
	if (*q < '0' || *q > '9')
		return "is not a size like \"500M\", \"5G\" or \"5GiB\"";
	for (; *q >= '0' && *q <= '9'; q++) {
		whole = whole * 10 + (uint64_t)(*q - '0');
		if (whole > BYTES_MAX)
			return "is too large";
	}
	if (*q == '.') {
		q++;
		if (*q < '0' || *q > '9')
			return "is not a size like \"500M\", \"5G\" or \"5GiB\"";
		for (; *q >= '0' && *q <= '9'; q++)
			if (frac_div < 1000000) {
				frac = frac * 10 + (uint64_t)(*q - '0');
				frac_div *= 10;
			}
	}
	while (*q == ' ')
		q++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(q, units[i].suffix) != 0)
			continue;
		if (whole > BYTES_MAX / units[i].mult)
			return "is too large";
		*out = whole * units[i].mult + frac * units[i].mult / frac_div;
		if (*out == 0)
			return "is zero (to keep a program off a path, leave the path out of its "
			       "list)";
		return NULL;
	}
	return "has an unknown unit (B, k, M, G, T: powers of 1000; KiB, MiB, GiB, TiB: of 1024)";
}

const char *mr_budget_parse(const char *text, struct mr_budget *out)
{
	char size[32];
	const char *slash = strchr(text, '/');
	if (!slash || (size_t)(slash - text) >= sizeof(size))
		return "is not a budget like \"500M/day\" or \"5G/month\"";
	snprintf(size, sizeof(size), "%.*s", (int)(slash - text), text);
	memset(out, 0, sizeof(*out));
	if (strcmp(slash + 1, "day") == 0) {
		out->per = MR_PER_DAY;
		out->start = 0;
	} else if (strcmp(slash + 1, "month") == 0) {
		out->per = MR_PER_MONTH;
		out->start = 1;
	} else {
		return "has an unknown period (expected /day or /month)";
	}
	return mr_bytes_parse(size, &out->bytes);
}

size_t mr_format_bytes(uint64_t bytes, char *buf, size_t size)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	int n;
	if (bytes < 1000) {
		n = snprintf(buf, size, "%llu B", (unsigned long long)bytes);
	} else {
		size_t u = 0;
		uint64_t div = 1;
		while (u + 1 < sizeof(unit) / sizeof(unit[0]) && bytes / div >= 1000) {
			div *= 1000;
			u++;
		}
		/* Two decimals below 10, one below 100, none above: "4.99 MB", "52.4 MB". */
		uint64_t hundredths = bytes / (div / 100);
		if (hundredths < 1000)
			n = snprintf(buf, size, "%llu.%02llu %s",
			             (unsigned long long)(hundredths / 100),
			             (unsigned long long)(hundredths % 100), unit[u]);
		else if (hundredths < 10000)
			n = snprintf(buf, size, "%llu.%llu %s",
			             (unsigned long long)(hundredths / 100),
			             (unsigned long long)(hundredths % 100 / 10), unit[u]);
		else
			n = snprintf(buf, size, "%llu %s", (unsigned long long)(hundredths / 100),
			             unit[u]);
	}
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : (size ? size - 1 : 0);
}

size_t mr_format_budget(const struct mr_budget *b, char *buf, size_t size)
{
	char bytes[32];
	int n;
	mr_format_bytes(b->bytes, bytes, sizeof(bytes));
	if (b->per == MR_PER_DAY)
		n = snprintf(buf, size, "%s per day from %02u:00", bytes, b->start);
	else
		n = snprintf(buf, size, "%s per month from day %u", bytes, b->start);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : (size ? size - 1 : 0);
}

/* ---- which budget applies ---- */

void mr_program_budget(const struct mr_policy *p, const struct mr_program *prog, int path,
                       struct mr_budget *out, enum mr_origin *origin)
{
	memset(out, 0, sizeof(*out));
	*origin = MR_FROM_BUILTIN;
	if (path < 0 || (size_t)path >= p->n_paths)
		return;
	const struct mr_budgets *bs = NULL;
	if (prog && prog->section && prog->section->budgets.set) {
		bs = &prog->section->budgets;
		*origin = MR_FROM_SECTION;
	} else if (p->default_budgets.set) {
		bs = &p->default_budgets;
		*origin = MR_FROM_DEFAULTS;
	}
	if (!bs || !bs->b[path].bytes) {
		*origin = MR_FROM_BUILTIN;
		return;
	}
	*out = bs->b[path];
}

enum mr_over mr_program_over(const struct mr_policy *p, const struct mr_program *prog,
                             enum mr_origin *origin)
{
	if (prog && prog->section && prog->section->over_budget >= 0) {
		*origin = MR_FROM_SECTION;
		return (enum mr_over)prog->section->over_budget;
	}
	if (p->over_budget >= 0) {
		*origin = MR_FROM_DEFAULTS;
		return (enum mr_over)p->over_budget;
	}
	*origin = MR_FROM_BUILTIN;
	return MR_OVER_LEAVE;
}

bool mr_path_counted(const struct mr_policy *p, int path)
{
	if (path < 0 || (size_t)path >= p->n_paths)
		return false;
	if (p->paths[path].metered || p->paths[path].budget.bytes)
		return true;
	if (p->default_budgets.b[path].bytes)
		return true;
	for (size_t i = 0; i < p->n_sections; i++)
		if (p->sections[i].budgets.b[path].bytes)
			return true;
	return false;
}

const char *mr_over_name(enum mr_over o)
{
	return o == MR_OVER_STAY ? "stay" : "leave";
}
