/* SPDX-License-Identifier: MIT */
/*
 * The checks every config key goes through (policy/config_check.h): a
 * mistake reported the same way whichever file of keys finds it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "policy/config_check.h"

int mr_cfg_fail(struct mr_cfg *c, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	c->err->line = s ? (int)config_setting_source_line(s) : 0;
	va_start(ap, fmt);
	vsnprintf(c->err->text, sizeof(c->err->text), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Strings in the config must be UTF-8: they end up in logs and in `explain`
 * output. Strict RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF.
 */
bool mr_utf8_valid(const char *str)
{
	const unsigned char *p = (const unsigned char *)str;
	while (*p) {
		unsigned char c = *p++;
		int n;
		unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the first continuation */
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0; /* overlong */
			if (c == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90; /* overlong */
			if (c == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
		} else {
			return false;
		}
		if (*p < lo || *p > hi)
			return false;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

const char *mr_cfg_type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP:
		return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "a number";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ]";
	case CONFIG_TYPE_LIST:
		return "a list ( )";
	default:
		return "something else";
	}
}

bool mr_cfg_is_seq(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
}

const char *mr_cfg_string(struct mr_cfg *c, const config_setting_t *s, const char *what)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		mr_cfg_fail(c, s, "%s must be a string, not %s", what,
		            mr_cfg_type_name(config_setting_type(s)));
		return NULL;
	}
	const char *v = c->lc->get_string(s);
	if (!mr_utf8_valid(v)) {
		mr_cfg_fail(c, s, "%s is not valid UTF-8", what);
		return NULL;
	}
	return v;
}

int mr_cfg_bool(struct mr_cfg *c, const config_setting_t *s, const char *key, int *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return mr_cfg_fail(c, s, "%s must be true or false, not %s", key,
		                   mr_cfg_type_name(config_setting_type(s)));
	*out = c->lc->get_bool(s);
	return 0;
}

int mr_cfg_group(struct mr_cfg *c, const config_setting_t *s, const char *what)
{
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return mr_cfg_fail(c, s, "%s must be a group { ... }, not %s", what,
		                   mr_cfg_type_name(config_setting_type(s)));
	return 0;
}
