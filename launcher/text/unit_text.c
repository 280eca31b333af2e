/* SPDX-License-Identifier: MIT */
#include "text/unit_text.h"

#include "text/env.h"
#include "text/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const unit_types[] = {
    "service", "socket", "device", "mount", "automount", "swap",
    "target",  "path",   "timer",  "slice", "scope",
};

/* The unit type suffix ("service") or NULL when the name has none systemd knows. */
static const char *unit_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (!dot)
		return NULL;
	for (i = 0; i < sizeof(unit_types) / sizeof(unit_types[0]); i++)
		if (strcmp(dot + 1, unit_types[i]) == 0)
			return unit_types[i];
	return NULL;
}

const char *lr_unit_name_check(const char *in, char *out, size_t size)
{
	const char *type, *at;
	size_t n, i;
	int len;

	n = strlen(in);
	if (n == 0)
		return "empty unit name";
	if (in[0] == '-' || in[0] == '.')
		return "a unit name cannot start with '-' or '.'";
	for (i = 0; i < n; i++) {
		char c = in[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ':' || c == '_' || c == '.' || c == '@' || c == '-'))
			return "a unit name may only contain letters, digits and \":_.@-\" "
			       "(a name, not a path)";
	}
	at = strchr(in, '@');
	if (at && (at == in || strchr(at + 1, '@')))
		return "a unit name has at most one '@', after the unit's own name";
	type = unit_type(in);
	if (type && strcmp(type, "service") != 0)
		return "only .service units run programs (Environment= is a [Service] setting)";
	len = snprintf(out, size, "%s%s", in, type ? "" : ".service");
	if (len < 0 || (size_t)len >= size || (size_t)len >= LR_UNIT_NAME_MAX)
		return "unit name too long";
	/* "foo." would become "foo..service", and a bare ".service" names nothing. */
	if (len <= 8 || out[len - 9] == '.')
		return "a unit name cannot end with '.'";
	return NULL;
}

bool lr_unit_template(const char *unit, char *out, size_t size)
{
	const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
	int len;

	if (!at || !dot || dot < at || dot == at + 1)
		return false;
	len = snprintf(out, size, "%.*s%s", (int)(at - unit + 1), unit, dot);
	return len > 0 && (size_t)len < size;
}

void lr_env_value_free(struct lr_env_value *v)
{
	free(v->value);
	v->value = NULL;
	v->set = false;
}

/*
 * One word of an Environment= line, unquoted like systemd's
 * extract_first_word(EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE): quotes may appear
 * anywhere in the word, backslash escapes are C escapes. Specifiers (%i…)
 * are left as written.
 */
static bool next_word(const char **pos, const char *end, struct lr_buf *w)
{
	const char *p = *pos;
	char quote = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end)
		return false;
	for (; p < end; p++) {
		char c = *p;

		if (!quote && (c == ' ' || c == '\t'))
			break;
		if (c == '\\' && p + 1 < end) {
			static const char from[] = "abfnrtvs", to[] = "\a\b\f\n\r\t\v ";
			const char *m = strchr(from, p[1]);

			p++;
			char out = *p;
			if (m && *m)
				out = to[m - from];
			lr_buf_addc(w, out);
			continue;
		}
		if (quote && c == quote) {
			quote = 0;
			continue;
		}
		if (!quote && (c == '"' || c == '\'')) {
			quote = c;
			continue;
		}
		lr_buf_addc(w, c);
	}
	*pos = p;
	return true;
}

static bool apply_environment(const char *val, const char *end, const char *var,
                              struct lr_env_value *v)
{
	size_t k = strlen(var);
	struct lr_buf w;
	bool any = false;

	for (;;) {
		lr_buf_init(&w);
		if (!next_word(&val, end, &w)) {
			lr_buf_free(&w);
			break;
		}
		any = true;
		if (w.oom) {
			lr_buf_free(&w);
			return false;
		}
		if (w.s && w.len > k && memcmp(w.s, var, k) == 0 && w.s[k] == '=') {
			char *s = strdup(w.s + k + 1);

			if (!s) {
				lr_buf_free(&w);
				return false;
			}
			free(v->value);
			v->value = s;
			v->set = true;
		}
		lr_buf_free(&w);
	}
	if (!any)
		lr_env_value_free(v); /* "Environment=" resets the list */
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

typedef bool (*key_fn)(const char *key, size_t klen, const char *val, const char *end, void *ctx);

/* Calls fn for each "Key=value" line of [Service], continuation lines joined. */
static bool for_each_service_key(const char *text, size_t len, key_fn fn, void *ctx)
{
	const char *p = text, *end = text + len;
	bool in_service = false, ok = true;
	struct lr_buf line;

	while (ok && p < end) {
		const char *s, *e, *eq;

		/* Join continuation lines (a trailing backslash), as systemd does. */
		lr_buf_init(&line);
		for (;;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;

			while (le > p && is_blank(le[-1]))
				le--;
			if (le > p && le[-1] == '\\' && nl) {
				lr_buf_add(&line, p, (size_t)(le - 1 - p));
				lr_buf_addc(&line, ' ');
				p = nl + 1;
				continue;
			}
			lr_buf_add(&line, p, (size_t)(le - p));
			p = nl ? nl + 1 : end;
			break;
		}
		if (line.oom) {
			lr_buf_free(&line);
			return false;
		}
		s = line.s ? line.s : "";
		e = s + line.len;
		while (s < e && is_blank(*s))
			s++;
		if (s < e && *s == '[') {
			in_service = e - s == 9 && memcmp(s, "[Service]", 9) == 0;
		} else if (in_service && s < e && *s != '#' && *s != ';' &&
		           (eq = memchr(s, '=', (size_t)(e - s)))) {
			const char *ke = eq, *v = eq + 1;

			while (ke > s && is_blank(ke[-1]))
				ke--;
			while (v < e && is_blank(*v))
				v++;
			ok = fn(s, (size_t)(ke - s), v, e, ctx);
		}
		lr_buf_free(&line);
	}
	return ok;
}

struct env_ctx {
	const char *var;
	struct lr_env_value *v;
};

static bool env_key(const char *key, size_t klen, const char *val, const char *end, void *ctx)
{
	struct env_ctx *c = ctx;

	if (klen != 11 || memcmp(key, "Environment", 11) != 0)
		return true;
	return apply_environment(val, end, c->var, c->v);
}

bool lr_unit_env_scan(const char *text, size_t len, const char *var, struct lr_env_value *v)
{
	struct env_ctx c = {.var = var, .v = v};

	return for_each_service_key(text, len, env_key, &c);
}

static bool exec_key(const char *key, size_t klen, const char *val, const char *end, void *ctx)
{
	struct lr_env_value *v = ctx;
	struct lr_buf w;

	if (klen != 9 || memcmp(key, "ExecStart", 9) != 0)
		return true;
	/* "ExecStart=" resets the list; with several, the first command starts the service,
	 * but a drop-in that resets and sets again replaces it: keep the first after a reset. */
	if (val >= end) {
		lr_env_value_free(v);
		return true;
	}
	if (v->set)
		return true;
	/* Prefixes: @ (argv[0] given), - (failure ignored), : + ! !! (privileges). */
	while (val < end && strchr("@-:+!|", *val))
		val++;
	lr_buf_init(&w);
	if (!next_word(&val, end, &w) || w.oom) {
		bool oom = w.oom;

		lr_buf_free(&w);
		return !oom;
	}
	v->value = lr_buf_take(&w);
	v->set = v->value != NULL;
	return v->set;
}

bool lr_unit_exec_scan(const char *text, size_t len, struct lr_env_value *v)
{
	return for_each_service_key(text, len, exec_key, v);
}

/* Quotes an Environment= assignment when systemd would otherwise split or unescape it. */
static void add_assignment(struct lr_buf *b, const char *var, const char *value)
{
	bool quote = strpbrk(value, " \t\"'\\") != NULL;
	const char *p;

	lr_buf_adds(b, "Environment=");
	if (quote)
		lr_buf_addc(b, '"');
	lr_buf_adds(b, var);
	lr_buf_addc(b, '=');
	for (p = value; *p; p++) {
		if (quote && (*p == '"' || *p == '\\'))
			lr_buf_addc(b, '\\');
		lr_buf_addc(b, *p);
	}
	if (quote)
		lr_buf_addc(b, '"');
	lr_buf_addc(b, '\n');
}

char *lr_dropin_text(const char *lib, const char *their_preload, const char *godebug)
{
	struct lr_buf b, esc;
	char *lib_esc, *merged;
	const char *p;

	/* '%' starts a specifier in unit files; our path is literal. Theirs is kept as written. */
	lr_buf_init(&esc);
	for (p = lib; *p; p++) {
		if (*p == '%')
			lr_buf_addc(&esc, '%');
		lr_buf_addc(&esc, *p);
	}
	lib_esc = lr_buf_take(&esc);
	if (!lib_esc)
		return NULL;
	merged = lr_preload_merge(their_preload, lib_esc);
	free(lib_esc);
	if (!merged)
		return NULL;
	lr_buf_init(&b);
	lr_buf_adds(&b, "# Written by `mptcp-run enable`; `mptcp-run disable` removes this file.\n"
	                "# It makes the service use Multipath TCP (see mptcp-run(1)).\n"
	                "[Service]\n");
	add_assignment(&b, "LD_PRELOAD", merged);
	add_assignment(&b, "MPTCP_RUN_FORCE", "1");
	if (godebug)
		add_assignment(&b, "GODEBUG", godebug);
	free(merged);
	return lr_buf_take(&b);
}

struct exec_line_ctx {
	struct lr_env_value *v;
	int *count;
};

static bool exec_line_key(const char *key, size_t klen, const char *val, const char *end, void *ctx)
{
	struct exec_line_ctx *c = ctx;
	char *s;

	if (klen != 9 || memcmp(key, "ExecStart", 9) != 0)
		return true;
	if (val >= end) {
		lr_env_value_free(c->v);
		*c->count = 0;
		return true;
	}
	if (++*c->count > 1)
		return true;
	s = strndup(val, (size_t)(end - val));
	if (!s)
		return false;
	c->v->value = s;
	c->v->set = true;
	return true;
}

bool lr_unit_exec_line_scan(const char *text, size_t len, struct lr_env_value *v, int *count)
{
	struct exec_line_ctx c = {.v = v, .count = count};

	return for_each_service_key(text, len, exec_line_key, &c);
}

char *lr_dropin_supervise_text(const char *launcher, const char *exec_line, int count,
                               const char **why)
{
	const char *p = exec_line, *rest;
	struct lr_buf b;

	*why = NULL;
	if (count > 1) {
		*why = "the unit has several ExecStart= lines; mptcp-run wraps only one";
		return NULL;
	}
	/* Prefixes: - (failure ignored), : (no expansion), + ! !! (privileges): all still apply
	 * to mptcp-run, which passes the command on. @ and | change what runs. */
	while (*p && strchr("-:+!@|", *p)) {
		if (*p == '@') {
			*why =
			    "its ExecStart= has the '@' prefix (it sets argv[0]), which mptcp-run "
			    "cannot pass on";
			return NULL;
		}
		if (*p == '|') {
			*why = "its ExecStart= has the '|' prefix (a shell command line)";
			return NULL;
		}
		p++;
	}
	rest = p;
	if (!*rest) {
		*why = "its ExecStart= names no command";
		return NULL;
	}
	lr_buf_init(&b);
	lr_buf_adds(&b, "# Written by `mptcp-run enable`; `mptcp-run disable` removes this file.\n"
	                "# It runs the service under the mptcp-run supervisor (see mptcp-run(1)):\n"
	                "# (its binary is out of the preload library's reach).\n"
	                "[Service]\n"
	                "ExecStart=\n"
	                "ExecStart=");
	lr_buf_add(&b, exec_line, (size_t)(rest - exec_line));
	for (p = launcher; *p; p++) {
		if (*p == '%')
			lr_buf_addc(&b, '%');
		lr_buf_addc(&b, *p);
	}
	lr_buf_adds(&b, " --supervise ");
	lr_buf_adds(&b, rest);
	lr_buf_addc(&b, '\n');
	return lr_buf_take(&b);
}
