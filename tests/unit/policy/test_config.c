/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the config loader (shim/config.c): the documented contract,
 * every fixture in tests/unit/fixtures/ (valid and invalid, with the line and
 * message of each error), the file checks of mr_config_load(), the error
 * formatting, and the shipped example conf/mptcp-run.conf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/config_file.h"
#include "kernel/libconfig_linked.h"
#include "policy/config_text.h"
#include "policy/policy.h"

/* ---- helpers ---- */

static char repo_root[1024];

/* Tests run from the repo root (tests/run-unit.sh); fall back to the path of this file. */
static void find_root(void)
{
	const char *self = __FILE__, *suffix = "tests/unit/policy/test_config.c";
	size_t n = strlen(self), m = strlen(suffix);
	if (access("tests/unit/policy/fixtures", R_OK) == 0 || n < m ||
	    strcmp(self + n - m, suffix) != 0) {
		snprintf(repo_root, sizeof(repo_root), ".");
		return;
	}
	snprintf(repo_root, sizeof(repo_root), "%.*s", (int)(n - m), self);
	if (!repo_root[0])
		snprintf(repo_root, sizeof(repo_root), ".");
}

static const char *repo_path(const char *rel)
{
	static char buf[4][1400];
	static int i;
	char *p = buf[i++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", repo_root, rel);
	return p;
}

static const char *fixture(const char *name)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "tests/unit/policy/fixtures/%s", name);
	return repo_path(rel);
}

static struct mr_endpoint ep(const char *addr, uint16_t port)
{
	struct mr_endpoint e;
	memset(&e, 0, sizeof(e));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
		assert_int_equal(inet_pton(AF_INET6, addr, &s6.sin6_addr), 1);
		assert_true(mr_endpoint_from_sockaddr((struct sockaddr *)&s6, sizeof(s6), &e));
	} else {
		struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(port)};
		assert_int_equal(inet_pton(AF_INET, addr, &s4.sin_addr), 1);
		assert_true(mr_endpoint_from_sockaddr((struct sockaddr *)&s4, sizeof(s4), &e));
	}
	return e;
}

/* Verdict for program exe, role, endpoint; the reason too if asked. */
static enum mr_verdict judge(const struct mr_policy *p, const char *exe, bool force,
                             enum mr_role role, const char *addr, uint16_t port,
                             enum mr_reason *reason)
{
	struct mr_program prog;
	struct mr_decision d;
	struct mr_endpoint e = ep(addr, port);
	mr_resolve(p, exe, force, &prog);
	mr_decide(&prog.role[role], &e, &d);
	if (reason)
		*reason = d.reason;
	return d.verdict;
}

static const char *fmt_entry(const struct mr_entry *e)
{
	static char buf[128];
	if (!e)
		return "(null)";
	mr_format_entry(e, buf, sizeof(buf));
	return buf;
}

/* The policy left behind by a failed parse or load: nothing from the file. */
static void assert_empty_policy(const struct mr_policy *p)
{
	assert_int_equal(p->n_sections, 0);
	assert_null(p->sections);
	assert_false(p->defaults.include.set);
	assert_false(p->defaults.exclude.set);
	assert_false(p->defaults.ports.set);
	assert_int_equal(p->sockopt_fallback, 1);
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mptcp-run-test.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	/* A fixed command on the mkdtemp() directory this fixture made. */
	return system(cmd) == 0 ? 0 : -1; // NOLINT(cert-env33-c)
}

static const char *tmp_file(const char *name, const char *text, size_t len, mode_t mode)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* ---- the contract ---- */

static const char contract[] =
    "defaults = {\n"
    "  mode = \"mptcp\";                          # \"mptcp\" or \"tcp\": programs without a "
    "section\n"
    "  exclude = [ \"127.0.0.0/8\", \"::1/128\" ];  # endpoints that stay TCP\n"
    "  sockopt_fallback = true;\n"
    "};\n"
    "programs = (\n"
    "  { match = [ \"ncat\", \"socat\" ]; },                                  # defaults "
    "apply\n"
    "  { match = \"/usr/sbin/nginx\"; listen = { ports = [ \"80\", \"443\", \"8000-8100\" ]; "
    "}; connect = { mode = \"tcp\"; }; },\n"
    "  { match = \"curl\"; connect = { include = [ \"198.18.0.0/15\", "
    "\"[2001:db8::]/32:443\" ]; }; },\n"
    "  { match = \"postgres\"; mode = \"tcp\"; }\n"
    ");\n";

/* The contract's meaning; `first` is the line of `defaults` (fixtures have a header line). */
static void check_contract(const struct mr_policy *p, int first)
{
	enum mr_reason why;

	assert_int_equal(p->defaults.mode, MR_MPTCP);
	assert_int_equal(p->defaults.line, first);
	assert_true(p->defaults.exclude.set);
	assert_int_equal(p->defaults.exclude.n, 2);
	assert_false(p->defaults.include.set);
	assert_false(p->defaults.ports.set);
	assert_int_equal(p->sockopt_fallback, 1);
	assert_int_equal(p->n_sections, 4);
	assert_int_equal(p->sections[0].n_match, 2);
	assert_string_equal(p->sections[0].match[0], "ncat");
	assert_string_equal(p->sections[0].match[1], "socat");
	assert_int_equal(p->sections[0].line, first + 6);
	assert_int_equal(p->sections[1].n_match, 1);
	assert_string_equal(p->sections[1].match[0], "/usr/sbin/nginx");
	assert_int_equal(p->sections[1].line, first + 7);
	assert_int_equal(p->sections[1].role[MR_ROLE_LISTEN].ports.n, 3);
	assert_int_equal(p->sections[1].role[MR_ROLE_LISTEN].ports.v[2].lo, 8000);
	assert_int_equal(p->sections[1].role[MR_ROLE_LISTEN].ports.v[2].hi, 8100);
	assert_int_equal(p->sections[1].role[MR_ROLE_CONNECT].mode, MR_TCP);
	assert_int_equal(p->sections[1].rules.mode, -1);
	assert_int_equal(p->sections[2].role[MR_ROLE_CONNECT].include.n, 2);
	assert_int_equal(p->sections[3].rules.mode, MR_TCP);
	assert_int_equal(p->sections[3].line, first + 9);
	for (size_t i = 0; i < p->n_sections; i++)
		assert_int_equal(p->sections[i].sockopt_fallback, -1);

	/* ncat, socat: defaults. */
	assert_int_equal(judge(p, "/usr/bin/ncat", false, MR_ROLE_CONNECT, "8.8.8.8", 80, &why),
	                 MR_MPTCP);
	assert_int_equal(judge(p, "/usr/bin/socat", false, MR_ROLE_CONNECT, "127.0.0.1", 80, &why),
	                 MR_TCP);
	assert_int_equal(why, MR_BY_EXCLUDE);
	assert_int_equal(judge(p, "/usr/bin/socat", false, MR_ROLE_LISTEN, "::1", 80, &why),
	                 MR_TCP);
	assert_int_equal(judge(p, "/usr/bin/socat", false, MR_ROLE_LISTEN, "::", 80, &why),
	                 MR_MPTCP);
	/* nginx: listen on the listed ports only, connect as TCP. */
	assert_int_equal(judge(p, "/usr/sbin/nginx", false, MR_ROLE_LISTEN, "0.0.0.0", 80, &why),
	                 MR_MPTCP);
	assert_int_equal(judge(p, "/usr/sbin/nginx", false, MR_ROLE_LISTEN, "::", 443, &why),
	                 MR_MPTCP);
	assert_int_equal(judge(p, "/usr/sbin/nginx", false, MR_ROLE_LISTEN, "0.0.0.0", 8100, &why),
	                 MR_MPTCP);
	assert_int_equal(judge(p, "/usr/sbin/nginx", false, MR_ROLE_LISTEN, "0.0.0.0", 8101, &why),
	                 MR_TCP);
	assert_int_equal(why, MR_BY_PORTS);
	assert_int_equal(judge(p, "/usr/sbin/nginx", false, MR_ROLE_LISTEN, "127.0.0.1", 80, &why),
	                 MR_TCP);
	assert_int_equal(why, MR_BY_EXCLUDE);
	assert_int_equal(judge(p, "/usr/sbin/nginx", true, MR_ROLE_CONNECT, "8.8.8.8", 80, &why),
	                 MR_TCP);
	assert_int_equal(why, MR_BY_MODE);
	/* Another nginx binary is not /usr/sbin/nginx. */
	assert_int_equal(
	    judge(p, "/usr/local/sbin/nginx", false, MR_ROLE_CONNECT, "8.8.8.8", 80, &why),
	    MR_MPTCP);
	/* curl: only the listed destinations. */
	assert_int_equal(
	    judge(p, "/usr/bin/curl", false, MR_ROLE_CONNECT, "198.19.255.1", 80, &why), MR_MPTCP);
	assert_int_equal(why, MR_BY_INCLUDE);
	assert_int_equal(judge(p, "/usr/bin/curl", false, MR_ROLE_CONNECT, "8.8.8.8", 80, &why),
	                 MR_TCP);
	assert_int_equal(why, MR_BY_NO_INCLUDE);
	assert_int_equal(
	    judge(p, "/usr/bin/curl", false, MR_ROLE_CONNECT, "2001:db8::5", 443, &why), MR_MPTCP);
	assert_int_equal(judge(p, "/usr/bin/curl", false, MR_ROLE_CONNECT, "2001:db8::5", 80, &why),
	                 MR_TCP);
	assert_int_equal(
	    judge(p, "/usr/bin/curl", false, MR_ROLE_CONNECT, "::ffff:198.18.0.9", 80, &why),
	    MR_MPTCP);
	assert_int_equal(judge(p, "/usr/bin/curl", false, MR_ROLE_LISTEN, "0.0.0.0", 8080, &why),
	                 MR_MPTCP);
	/* postgres: TCP everywhere, also under force. */
	struct mr_program prog;
	mr_resolve(p, "/usr/lib/postgresql/15/bin/postgres", true, &prog);
	assert_int_equal(prog.section_index, 3);
	for (int r = 0; r < MR_ROLE_COUNT; r++) {
		assert_true(prog.role[r].constant);
		assert_int_equal(prog.role[r].constant_verdict, MR_TCP);
	}
	assert_true(prog.sockopt_fallback);
	/* Anything else: defaults. */
	mr_resolve(p, "/usr/bin/wget", false, &prog);
	assert_null(prog.section);
	assert_int_equal(judge(p, "/usr/bin/wget", false, MR_ROLE_CONNECT, "8.8.8.8", 80, &why),
	                 MR_MPTCP);
}

static void test_contract_text(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	int rc = mr_config_parse(mr_libconfig_linked, contract, strlen(contract), "contract.conf",
	                         &p, &err);
	if (rc)
		fail_msg("line %d: %s", err.line, err.text);
	check_contract(&p, 1);
	mr_policy_free(&p);
	assert_empty_policy(&p);
}

static void test_contract_fixture(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	const char *path = fixture("valid-contract.conf");
	enum mr_load_result r =
	    mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err);
	if (r != MR_LOAD_OK)
		fail_msg("%s: %d: line %d: %s", path, r, err.line, err.text);
	check_contract(&p, 2);
	mr_policy_free(&p);
}

/* integrity: protect unless written; a section's value beats defaults'; where it came from. */
static void test_integrity_key(void **state)
{
	(void)state;
	static const char text[] = "defaults = { integrity = \"accept-risk\"; };\n"
	                           "programs = (\n"
	                           "  { match = \"nginx\"; integrity = \"protect\"; },\n"
	                           "  { match = \"curl\"; }\n"
	                           ");\n";
	struct mr_policy p;
	struct mr_config_error err;
	struct mr_program prog;
	if (mr_config_parse(mr_libconfig_linked, text, strlen(text), "t.conf", &p, &err))
		fail_msg("line %d: %s", err.line, err.text);
	mr_resolve(&p, "/usr/sbin/nginx", false, &prog);
	assert_int_equal(prog.integrity, MR_INTEGRITY_PROTECT);
	assert_int_equal(prog.integrity_origin, MR_FROM_SECTION);
	assert_int_equal(prog.integrity_line, 3);
	mr_resolve(&p, "/usr/bin/curl", false, &prog);
	assert_int_equal(prog.integrity, MR_INTEGRITY_ACCEPT_RISK);
	assert_int_equal(prog.integrity_origin, MR_FROM_DEFAULTS);
	assert_int_equal(prog.integrity_line, 1);
	assert_string_equal(mr_integrity_name(prog.integrity), "accept-risk");
	mr_policy_free(&p);
	mr_policy_builtin(&p);
	mr_resolve(&p, "/usr/bin/curl", false, &prog);
	assert_int_equal(prog.integrity, MR_INTEGRITY_PROTECT);
	assert_int_equal(prog.integrity_origin, MR_FROM_BUILTIN);
	assert_string_equal(mr_integrity_name(prog.integrity), "protect");
	mr_policy_free(&p);
}

/* The text is taken by length: no NUL terminator needed, trailing bytes ignored. */
static void test_parse_by_length(void **state)
{
	(void)state;
	static const char text[] = "defaults = { mode = \"tcp\"; };GARBAGE {{{";
	struct mr_policy p;
	struct mr_config_error err;
	size_t len = strlen("defaults = { mode = \"tcp\"; };");
	assert_int_equal(mr_config_parse(mr_libconfig_linked, text, len, "t.conf", &p, &err), 0);
	assert_int_equal(p.defaults.mode, MR_TCP);
	mr_policy_free(&p);
	assert_int_equal(
	    mr_config_parse(mr_libconfig_linked, text, sizeof(text) - 1, "t.conf", &p, &err), -1);
	assert_int_equal(err.line, 1);
	assert_string_equal(err.file, "t.conf");
	assert_empty_policy(&p);
	/* An empty text is the built-in policy; a NULL name has a placeholder. */
	assert_int_equal(mr_config_parse(mr_libconfig_linked, "", 0, NULL, &p, &err), 0);
	assert_empty_policy(&p);
	assert_int_equal(mr_config_parse(mr_libconfig_linked, "x = 1;", 6, NULL, &p, &err), -1);
	assert_string_equal(err.file, "(config)");
}

/* ---- fixtures ---- */

static void test_fixture_valid_forms(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	struct mr_program prog;
	enum mr_reason why;
	const char *path = fixture("valid-forms.conf");
	if (mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err) !=
	    MR_LOAD_OK)
		fail_msg("%s:%d: %s", path, err.line, err.text);

	/* defaults: a single string is a one-entry list, a single number a one-port list. */
	assert_int_equal(p.defaults.mode, MR_TCP);
	assert_int_equal(p.defaults.include.n, 1);
	assert_int_equal(p.defaults.exclude.n, 8);
	assert_int_equal(p.defaults.ports.n, 1);
	assert_int_equal(p.defaults.ports.v[0].lo, 8080);
	assert_int_equal(p.defaults.ports.v[0].hi, 8080);
	assert_int_equal(p.sockopt_fallback, 0);
	struct mr_endpoint e = ep("::ffff:198.18.7.9", 80);
	assert_string_equal(fmt_entry(mr_list_lookup(&p.defaults.exclude, &e)), "198.18.7.0/24");
	e = ep("2001:db8::1", 22);
	assert_string_equal(fmt_entry(mr_list_lookup(&p.defaults.exclude, &e)), "2001:db8::/32");
	e = ep("2001:db8::1", 443);
	assert_string_equal(fmt_entry(mr_list_lookup(&p.defaults.exclude, &e)),
	                    "[2001:db8::]/32:443");
	e = ep("10.0.0.1", 8050);
	assert_string_equal(fmt_entry(mr_list_lookup(&p.defaults.exclude, &e)),
	                    "10.0.0.1:8000-8100");
	e = ep("10.0.0.2", 22);
	assert_string_equal(fmt_entry(mr_list_lookup(&p.defaults.exclude, &e)), "*:22");

	assert_int_equal(p.n_sections, 2);
	/* Section 0: "*sh", ports as a list of numbers (int and int64), empty exclude. */
	const struct mr_section *s = &p.sections[0];
	assert_int_equal(s->sockopt_fallback, 1);
	assert_int_equal(s->rules.ports.n, 2);
	assert_int_equal(s->rules.ports.v[1].lo, 2222);
	assert_true(s->rules.exclude.set);
	assert_int_equal(s->rules.exclude.n, 0);
	mr_resolve(&p, "/bin/bash", false, &prog);
	assert_int_equal(prog.section_index, 0);
	assert_true(prog.sockopt_fallback);
	assert_int_equal(judge(&p, "/bin/bash", false, MR_ROLE_CONNECT, "8.8.8.8", 22, &why),
	                 MR_TCP); /* mode tcp from defaults */
	assert_int_equal(why, MR_BY_MODE);
	assert_int_equal(judge(&p, "/bin/bash", true, MR_ROLE_CONNECT, "127.0.0.1", 22, &why),
	                 MR_MPTCP); /* forced; loopback not excluded here */
	assert_int_equal(judge(&p, "/bin/bash", true, MR_ROLE_CONNECT, "8.8.8.8", 80, &why),
	                 MR_TCP);
	assert_int_equal(why, MR_BY_PORTS);

	/* Section 1: a list of globs, role blocks, an empty listen block. */
	s = &p.sections[1];
	assert_int_equal(s->n_match, 2);
	assert_int_equal(s->role[MR_ROLE_CONNECT].ports.n, 3);
	assert_true(s->role[MR_ROLE_CONNECT].include.set);
	assert_int_equal(s->role[MR_ROLE_LISTEN].line, s->line + 2);
	mr_resolve(&p, "/usr/bin/python3.12", false, &prog);
	assert_int_equal(prog.section_index, 1);
	assert_false(prog.sockopt_fallback);
	assert_true(prog.role[MR_ROLE_CONNECT].constant);
	assert_int_equal(prog.role[MR_ROLE_CONNECT].constant_verdict, MR_TCP);
	mr_resolve(&p, "/usr/local/bin/node", false, &prog);
	assert_int_equal(prog.section_index, 1);
	assert_int_equal(judge(&p, "node", false, MR_ROLE_LISTEN, "198.18.1.1", 8080, &why),
	                 MR_MPTCP);
	assert_int_equal(why, MR_BY_INCLUDE);
	assert_int_equal(judge(&p, "node", false, MR_ROLE_LISTEN, "198.18.7.1", 8080, &why),
	                 MR_TCP);
	assert_int_equal(why, MR_BY_EXCLUDE);
	assert_int_equal(judge(&p, "node", false, MR_ROLE_LISTEN, "198.18.1.1", 443, &why), MR_TCP);
	assert_int_equal(why, MR_BY_PORTS);
	mr_policy_free(&p);

	/* Comments only: the built-in policy. */
	path = fixture("valid-empty.conf");
	assert_int_equal(
	    mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err),
	    MR_LOAD_OK);
	assert_empty_policy(&p);
	assert_int_equal(judge(&p, "curl", false, MR_ROLE_CONNECT, "127.0.0.1", 80, &why), MR_TCP);
	assert_int_equal(judge(&p, "curl", false, MR_ROLE_CONNECT, "8.8.8.8", 80, &why), MR_MPTCP);
	mr_policy_free(&p);
}

struct bad_fixture {
	const char *name;
	int line;
	const char *text;
};

static const struct bad_fixture bad_fixtures[] = {
    {"syntax-error.conf", 4, "syntax error"},
    {"duplicate-key.conf", 4, "duplicate setting name"},
    {"type-defaults.conf", 2, "defaults must be a group { ... }, not a string"},
    {"type-mode.conf", 3, "mode must be a string, not a number"},
    {"type-include.conf", 4, "include must be a list of addresses"},
    {"type-exclude-entry.conf", 4, "exclude must be a string, not a number"},
    {"type-sockopt.conf", 3, "sockopt_fallback must be true or false, not a string"},
    {"type-role.conf", 4, "connect must be a group { ... }, not an array"},
    {"type-ports.conf", 3, "ports entry must be a string, not a float"},
    {"type-match.conf", 3, "match must be a program name, a path, or a list of them"},
    {"type-program-entry.conf", 2, "each entry of programs must be a group"},
    {"programs-not-list.conf", 2, "programs must be a list"},
    {"bad-mode.conf", 3, "mode must be \"mptcp\" or \"tcp\", not \"multipath\""},
    {"bad-integrity.conf", 3, "integrity must be \"protect\" or \"accept-risk\", not \"off\""},
    {"type-integrity.conf", 3, "integrity must be a string, not a boolean"},
    {"bad-cidr.conf", 3, "include entry \"10.0.0.0/33\": IPv4 prefix length must be 0-32"},
    {"bad-cidr6.conf", 4, "exclude entry \"2001:db8::/129\": IPv6 prefix length must be 0-128"},
    {"bad-hostname.conf", 3, "exclude entry \"localhost\": not an IPv4 or IPv6 address"},
    {"bad-port-order.conf", 3, "write the prefix before the port"},
    {"port-zero.conf", 5, "ports entry 0: port out of range (1-65535)"},
    {"port-zero-string.conf", 3, "ports entry \"0\": port 0 is not a port"},
    {"port-zero-entry.conf", 3, "include entry \"*:0\": port 0 is not a port"},
    {"port-65536.conf", 3, "ports entry 65536: port out of range (1-65535)"},
    {"port-65536-string.conf", 3, "ports entry \"1-65536\": port out of range (1-65535)"},
    {"port-65536-entry.conf", 3, "exclude entry \"10.0.0.1:65536\": port out of range"},
    {"inverted-range.conf", 3, "ports entry \"8100-8000\": inverted port range"},
    {"inverted-range-entry.conf", 3, "include entry \"*:90-80\": inverted port range"},
    {"empty-match.conf", 3, "match is empty"},
    {"empty-match-string.conf", 3, "match entry is empty"},
    {"relative-match.conf", 3, "match \"bin/wget\": a path must be absolute"},
    {"missing-match.conf", 4, "program section without match"},
    {"unknown-top.conf", 2, "unknown top-level key \"default\""},
    {"unknown-defaults.conf", 4, "unknown key \"mdoe\" in defaults"},
    {"unknown-section.conf", 4, "unknown key \"listn\" in a program section"},
    {"unknown-connect.conf", 5, "unknown key \"sockopt_fallback\" in connect"},
    {"unknown-listen.conf", 5, "unknown key \"match\" in listen"},
    {"non-utf8.conf", 3, "match is not valid UTF-8"},
    {"non-utf8-escape.conf", 3, "mode is not valid UTF-8"},
    {"nul-byte.conf", 0, "contains a NUL byte"},
};

/* Loads one invalid fixture; returns false (and prints why) if the result is not the expected. */
static bool check_bad_fixture(const struct bad_fixture *f)
{
	struct mr_policy p;
	struct mr_config_error err;
	char msg[700], want[400];
	const char *path = fixture(f->name);
	enum mr_load_result r =
	    mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err);
	bool ok = true;

	if (r != MR_LOAD_ERROR) {
		print_error("%s: load result %d, want MR_LOAD_ERROR\n", f->name, r);
		mr_policy_free(&p);
		return false;
	}
	mr_config_format_error(&err, msg, sizeof(msg));
	if (f->line > 0)
		snprintf(want, sizeof(want), "%s:%d: ", path, f->line);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	if (err.line != f->line || strcmp(err.file, path) != 0 ||
	    strncmp(msg, want, strlen(want)) != 0 || !strstr(err.text, f->text)) {
		print_error("%s: got \"%s\", want \"%s...%s...\"\n", f->name, msg, want, f->text);
		ok = false;
	}
	if (p.n_sections != 0 || p.defaults.include.set || p.defaults.exclude.set ||
	    p.defaults.ports.set) {
		print_error("%s: the failed load left a policy behind\n", f->name);
		ok = false;
	}
	mr_policy_free(&p);

	/* mr_config_parse on the same bytes says the same. */
	FILE *fp = fopen(path, "rb");
	char buf[4096];
	size_t n = fp ? fread(buf, 1, sizeof(buf), fp) : 0;
	if (fp)
		fclose(fp);
	struct mr_config_error err2;
	if (mr_config_parse(mr_libconfig_linked, buf, n, path, &p, &err2) != -1 ||
	    err2.line != err.line || strcmp(err2.text, err.text) != 0) {
		print_error("%s: mr_config_parse disagrees with mr_config_load\n", f->name);
		ok = false;
	}
	mr_policy_free(&p);
	return ok;
}

static void test_fixtures_invalid(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(bad_fixtures) / sizeof(bad_fixtures[0]); i++)
		bad += !check_bad_fixture(&bad_fixtures[i]);
	if (bad)
		fail_msg("%d invalid fixture(s) not rejected as expected", bad);
}

/*
 * Byte sequences that are not UTF-8 although they look like it: a UTF-16
 * surrogate (ED A0 80), an overlong '/' (E0 80 AF), a code point above
 * U+10FFFF (F4 90 80 80). (Accepted by the first valid_utf8(); fixed in e730c18.)
 */
static void test_fixtures_invalid_utf8(void **state)
{
	(void)state;
	static const struct bad_fixture f[] = {
	    {"utf8-surrogate.conf", 3, "match is not valid UTF-8"},
	    {"utf8-overlong.conf", 3, "match is not valid UTF-8"},
	    {"utf8-above-max.conf", 3, "match is not valid UTF-8"},
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		bad += !check_bad_fixture(&f[i]);
	if (bad)
		fail_msg("%d non-UTF-8 fixture(s) accepted", bad);
}

/*
 * libconfig would process `@include "path"` inside config_read_string(), reading
 * a file that none of mr_config_load()'s checks (regular file, owner, mode,
 * size, NUL byte) ever saw; the fixture includes /dev/null, not even a regular
 * file. (Accepted before e730c18.)
 */
static void test_fixture_include_directive(void **state)
{
	(void)state;
	static const struct bad_fixture f = {"include-directive.conf", 2, "@include"};
	if (!check_bad_fixture(&f))
		fail_msg("an @include directive was accepted");

	/* Indented, and on a later line: still refused, with that line. */
	struct mr_policy p;
	struct mr_config_error err;
	static const char text[] =
	    "defaults = {\n  mode = \"tcp\";\n};\n \t@include \"/dev/null\"\n";
	assert_int_equal(
	    mr_config_parse(mr_libconfig_linked, text, strlen(text), "inc.conf", &p, &err), -1);
	assert_int_equal(err.line, 4);
	assert_non_null(strstr(err.text, "@include"));
	assert_empty_policy(&p);
	/* The word inside a string is just text. */
	static const char quoted[] = "programs = ( { match = \"@include\"; } );\n";
	assert_int_equal(
	    mr_config_parse(mr_libconfig_linked, quoted, strlen(quoted), "inc.conf", &p, &err), 0);
	assert_string_equal(p.sections[0].match[0], "@include");
	mr_policy_free(&p);
}

/* The valid texts stay valid when parsed from memory under any name. */
static void test_fixtures_valid_parse(void **state)
{
	(void)state;
	static const char *const names[] = {"valid-contract.conf", "valid-forms.conf",
	                                    "valid-empty.conf"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct mr_policy p;
		struct mr_config_error err;
		enum mr_load_result r =
		    mr_config_load(mr_libconfig_linked, fixture(names[i]), 0, &p, &err);
		if (r != MR_LOAD_OK)
			fail_msg("%s: line %d: %s", names[i], err.line, err.text);
		mr_policy_free(&p);
	}
}

/* ---- mr_config_load: the file checks ---- */

static void test_load_missing(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	char path[128];
	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	assert_int_equal(mr_config_load(mr_libconfig_linked, path,
	                                MR_CONF_REFUSE_WORLD_WRITABLE | MR_CONF_REQUIRE_ROOT, &p,
	                                &err),
	                 MR_LOAD_MISSING);
	assert_empty_policy(&p);
	/* A path through a regular file is an error, not "missing". */
	const char *f = tmp_file("plain.conf", "", 0, 0644);
	snprintf(path, sizeof(path), "%s/sub.conf", f);
	assert_int_equal(mr_config_load(mr_libconfig_linked, path, 0, &p, &err), MR_LOAD_ERROR);
	assert_non_null(strstr(err.text, "cannot open"));
	assert_string_equal(err.file, path);
}

static void test_load_not_regular(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	char buf[300], want[300];
	assert_int_equal(mr_config_load(mr_libconfig_linked, tmpdir, 0, &p, &err), MR_LOAD_ERROR);
	assert_int_equal(err.line, 0);
	mr_config_format_error(&err, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	assert_string_equal(buf, want);
	assert_empty_policy(&p);

	/* A FIFO is refused without blocking on it. */
	char fifo[128];
	snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(mr_config_load(mr_libconfig_linked, fifo, 0, &p, &err), MR_LOAD_ERROR);
	assert_non_null(strstr(err.text, "not a regular file"));
	unlink(fifo);
}

static void test_load_world_writable(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	static const char text[] = "defaults = { mode = \"tcp\"; };\n";
	const char *path = tmp_file("ww.conf", text, strlen(text), 0666);
	assert_int_equal(
	    mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err),
	    MR_LOAD_ERROR);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.text, "writable by everyone"));
	assert_empty_policy(&p);
	/* Without the flag the same file loads. */
	assert_int_equal(mr_config_load(mr_libconfig_linked, path, 0, &p, &err), MR_LOAD_OK);
	assert_int_equal(p.defaults.mode, MR_TCP);
	mr_policy_free(&p);
	/* Group-writable is not world-writable. */
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(
	    mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err),
	    MR_LOAD_OK);
	mr_policy_free(&p);
}

static void test_load_require_root(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	static const char text[] = "defaults = { mode = \"tcp\"; };\n";
	const char *path = tmp_file("owner.conf", text, strlen(text), 0644);
	if (geteuid() == 0) {
		assert_int_equal(
		    mr_config_load(mr_libconfig_linked, path, MR_CONF_REQUIRE_ROOT, &p, &err),
		    MR_LOAD_OK);
		mr_policy_free(&p);
		assert_int_equal(chown(path, 65534, 65534), 0);
	}
	assert_int_equal(mr_config_load(mr_libconfig_linked, path, MR_CONF_REQUIRE_ROOT, &p, &err),
	                 MR_LOAD_ERROR);
	assert_non_null(strstr(err.text, "not owned by root"));
	assert_empty_policy(&p);
	assert_int_equal(mr_config_load(mr_libconfig_linked, path, 0, &p, &err), MR_LOAD_OK);
	mr_policy_free(&p);
}

static void test_load_size_limit(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	size_t max = (size_t)MR_CONF_MAX_SIZE;
	char *text = malloc(max + 1);
	assert_non_null(text);
	/* One valid setting, then comment lines up to the last byte. */
	static const char head[] = "defaults = { mode = \"tcp\"; };\n";
	memset(text, ' ', max + 1);
	/* The text goes on after the head: no NUL wanted here. */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(text, head, strlen(head));
	for (size_t i = strlen(head); i < max; i += 64) {
		text[i] = '#';
		text[i + 63 < max ? i + 63 : max - 1] = '\n';
	}
	const char *path = tmp_file("max.conf", text, max, 0644);
	enum mr_load_result r =
	    mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err);
	if (r != MR_LOAD_OK)
		fail_msg("exactly %zu bytes: line %d: %s", max, err.line, err.text);
	assert_int_equal(p.defaults.mode, MR_TCP);
	mr_policy_free(&p);

	/* One byte more is refused, not truncated. */
	text[max] = '\n';
	path = tmp_file("big.conf", text, max + 1, 0644);
	assert_int_equal(
	    mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err),
	    MR_LOAD_ERROR);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.text, "larger than"));
	assert_empty_policy(&p);
	free(text);
}

static void test_load_error_has_file_and_line(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	char buf[512], want[512];
	static const char text[] = "defaults = {\n  mode = \"tcp\";\n};\nprograms = (\n"
	                           "  { match = \"curl\"; connect = { include = [ \"10.0.0.0/8\", "
	                           "\"10.0.0.0/40\" ]; }; }\n);\n";
	const char *path = tmp_file("line.conf", text, strlen(text), 0644);
	assert_int_equal(mr_config_load(mr_libconfig_linked, path, 0, &p, &err), MR_LOAD_ERROR);
	mr_config_format_error(&err, buf, sizeof(buf));
	snprintf(want, sizeof(want),
	         "%s:5: include entry \"10.0.0.0/40\": IPv4 prefix length must be 0-32", path);
	assert_string_equal(buf, want);
	assert_empty_policy(&p);
}

/* ---- mr_config_format_error ---- */

static void test_format_error(void **state)
{
	(void)state;
	struct mr_config_error err;
	char buf[64];
	memset(&err, 0, sizeof(err));
	snprintf(err.file, sizeof(err.file), "/etc/mptcp-run.conf");
	snprintf(err.text, sizeof(err.text), "unknown key \"x\" in defaults");
	err.line = 12;
	assert_int_equal(mr_config_format_error(&err, buf, sizeof(buf)),
	                 strlen("/etc/mptcp-run.conf:12: unknown key \"x\" in defaults"));
	assert_string_equal(buf, "/etc/mptcp-run.conf:12: unknown key \"x\" in defaults");
	err.line = 0;
	snprintf(err.text, sizeof(err.text), "not a regular file");
	mr_config_format_error(&err, buf, sizeof(buf));
	assert_string_equal(buf, "/etc/mptcp-run.conf: not a regular file");
	/* Truncated, still terminated; the full length is returned. */
	char small[10];
	assert_int_equal(mr_config_format_error(&err, small, sizeof(small)),
	                 strlen("/etc/mptcp-run.conf: not a regular file"));
	assert_string_equal(small, "/etc/mptc");
}

/* ---- the shipped example ---- */

static void test_example_conf(void **state)
{
	(void)state;
	struct mr_policy p;
	struct mr_config_error err;
	enum mr_reason why;
	const char *path = repo_path("conf/mptcp-run.conf");
	enum mr_load_result r =
	    mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, &p, &err);
	if (r != MR_LOAD_OK) {
		char msg[600];
		mr_config_format_error(&err, msg, sizeof(msg));
		fail_msg("%s (result %d)", msg, r);
	}
	/* What the comments promise. */
	assert_int_equal(p.defaults.mode, MR_MPTCP);
	assert_int_equal(p.sockopt_fallback, 1);
	assert_true(p.n_sections >= 4);
	assert_int_equal(judge(&p, "/usr/bin/wget", false, MR_ROLE_CONNECT, "127.0.0.1", 80, &why),
	                 MR_TCP);
	assert_int_equal(judge(&p, "/usr/bin/wget", false, MR_ROLE_CONNECT, "::1", 80, &why),
	                 MR_TCP);
	assert_int_equal(judge(&p, "/usr/bin/wget", false, MR_ROLE_CONNECT, "192.0.2.1", 80, &why),
	                 MR_MPTCP);
	assert_int_equal(judge(&p, "/usr/bin/ncat", false, MR_ROLE_LISTEN, "0.0.0.0", 5000, &why),
	                 MR_MPTCP);
	assert_int_equal(judge(&p, "/usr/sbin/nginx", false, MR_ROLE_LISTEN, "::", 443, &why),
	                 MR_MPTCP);
	assert_int_equal(judge(&p, "/usr/sbin/nginx", false, MR_ROLE_LISTEN, "::", 22, &why),
	                 MR_TCP);
	assert_int_equal(
	    judge(&p, "/usr/sbin/nginx", false, MR_ROLE_CONNECT, "192.0.2.1", 80, &why), MR_TCP);
	assert_int_equal(judge(&p, "/usr/bin/curl", false, MR_ROLE_CONNECT, "198.18.0.1", 80, &why),
	                 MR_MPTCP);
	assert_int_equal(judge(&p, "/usr/bin/curl", false, MR_ROLE_CONNECT, "192.0.2.1", 80, &why),
	                 MR_TCP);
	assert_int_equal(judge(&p, "/usr/lib/postgresql/15/bin/postgres", true, MR_ROLE_LISTEN,
	                       "::", 5432, &why),
	                 MR_TCP);
	mr_policy_free(&p);
}

int main(void)
{
	find_root();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_contract_text),
	    cmocka_unit_test(test_integrity_key),
	    cmocka_unit_test(test_contract_fixture),
	    cmocka_unit_test(test_parse_by_length),
	    cmocka_unit_test(test_fixture_valid_forms),
	    cmocka_unit_test(test_fixtures_valid_parse),
	    cmocka_unit_test(test_fixtures_invalid),
	    cmocka_unit_test(test_fixtures_invalid_utf8),
	    cmocka_unit_test(test_fixture_include_directive),
	    cmocka_unit_test(test_load_missing),
	    cmocka_unit_test(test_load_not_regular),
	    cmocka_unit_test(test_load_world_writable),
	    cmocka_unit_test(test_load_require_root),
	    cmocka_unit_test(test_load_size_limit),
	    cmocka_unit_test(test_load_error_has_file_and_line),
	    cmocka_unit_test(test_format_error),
	    cmocka_unit_test(test_example_conf),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
