/* SPDX-License-Identifier: MIT */
#include "policy/config_modes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A tuning key: its group, its name, its range (0 always allowed when zero_ok). */
struct tuning_key {
	enum mr_mode_key k;
	const char *group, *name;
	int lo, hi;
	bool zero_ok;
};

static const struct tuning_key tuning[] = {
    {MR_MK_STALL, "handover", "stall_ms", 50, 600000, true},
    {MR_MK_RTT, "handover", "rtt_ms", 1, 600000, true},
    {MR_MK_LOSS, "handover", "loss_pct", 1, 100, true},
    {MR_MK_EVERY, "interactive", "every_ms", 50, 600000, false},
    {MR_MK_BETTER, "interactive", "better_pct", 1, 99, false},
    {MR_MK_HOLD, "interactive", "hold_ms", 0, 600000, false},
};

__attribute__((format(printf, 3, 4))) static int
fail(struct mr_config_error *err, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	err->line = (int)config_setting_source_line(s);
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

static void set(struct mr_mode_keys *k, enum mr_mode_key key, int v, const config_setting_t *s)
{
	k->v[key] = v;
	k->line[key] = (int)config_setting_source_line(s);
	if (k->line[key] <= 0)
		k->line[key] = 1; /* set, whatever libconfig says of its line */
}

static int parse_mode(const struct mr_libconfig *lc, const config_setting_t *s,
                      struct mr_mode_keys *k, struct mr_config_error *err)
{
	static const enum mr_path_mode modes[] = {MR_PATH_AGGREGATE, MR_PATH_HANDOVER,
	                                          MR_PATH_INTERACTIVE};
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(err, s,
		            "path_mode must be a string (\"aggregate\", \"handover\" or "
		            "\"interactive\")");
	const char *v = lc->get_string(s);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(v, mr_path_mode_name(modes[i])) == 0) {
			set(k, MR_MK_MODE, (int)modes[i], s);
			return 0;
		}
	/* Said back only when it is plain ASCII: the message goes to logs. */
	for (const char *q = v; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
			return fail(err, s,
			            "path_mode must be \"aggregate\", \"handover\" or "
			            "\"interactive\"");
	return fail(err, s,
	            "path_mode must be \"aggregate\", \"handover\" or \"interactive\", not \"%s\"",
	            v);
}

static int parse_tuning(const struct mr_libconfig *lc, const config_setting_t *s, const char *group,
                        struct mr_mode_keys *k, struct mr_config_error *err)
{
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return fail(err, s, "%s must be a group { ... }", group);
	for (int i = 0; i < lc->length(s); i++) {
		const config_setting_t *m = lc->get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);
		const struct tuning_key *t = NULL;
		char known[96] = "";
		for (size_t j = 0; j < sizeof(tuning) / sizeof(tuning[0]); j++) {
			if (strcmp(tuning[j].group, group) != 0)
				continue;
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			         known[0] ? ", " : "", tuning[j].name);
			if (strcmp(tuning[j].name, name) == 0)
				t = &tuning[j];
		}
		if (!t)
			return fail(err, m, "unknown key \"%s\" in %s (expected %s)", name, group,
			            known);
		int type = config_setting_type(m);
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
			return fail(err, m, "%s.%s must be a whole number", group, name);
		long long v = lc->get_int64(m);
		if (!(t->zero_ok && v == 0) && (v < t->lo || v > t->hi))
			return fail(err, m, "%s.%s must be %s%d-%d, not %lld", group, name,
			            t->zero_ok ? "0 (not used) or " : "", t->lo, t->hi, v);
		set(k, t->k, (int)v, m);
	}
	return 0;
}

int mr_config_mode_key(const struct mr_libconfig *lc, const config_setting_t *m,
                       struct mr_mode_keys *k, bool *handled, struct mr_config_error *err)
{
	const char *name = config_setting_name(m);
	*handled = true;
	if (strcmp(name, "path_mode") == 0)
		return parse_mode(lc, m, k, err);
	if (strcmp(name, "handover") == 0 || strcmp(name, "interactive") == 0)
		return parse_tuning(lc, m, name, k, err);
	*handled = false;
	return 0;
}
