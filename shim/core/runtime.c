/* SPDX-License-Identifier: MIT */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "core/peercache.h"
#include "core/process.h"
#include "core/report.h"
#include "core/runtime.h"
#include "kernel/config_file.h"
#include "kernel/libconfig_dl.h"
#include "kernel/log.h"
#include "kernel/real.h"

enum { RT_UNINIT, RT_LOADING, RT_READY };
static _Atomic int rt_state;
static struct mr_runtime rt;
/* Set while this thread initialises: a signal handler re-entering gets pass-through. */
static __thread int in_init __attribute__((tls_model("initial-exec")));

static const char *env(const char *name)
{
	/* In secure-execution mode (setuid, setgid, capabilities) the environment is the
	 * caller's, not the program owner's: it is ignored entirely. */
	return rt.secure ? NULL : getenv(name);
}

static void find_exe(void)
{
	ssize_t n = readlink("/proc/self/exe", rt.exe, sizeof(rt.exe) - 1);
	if (n > 0) {
		rt.exe[n] = '\0';
		return;
	}
	/* No /proc: the name the program was started with is the best we have. */
	extern char *program_invocation_name;
	const char *p = program_invocation_name ? program_invocation_name : "";
	strncpy(rt.exe, p, sizeof(rt.exe) - 1);
}

static enum mr_plan plan_for(const struct mr_program *p)
{
	const struct mr_effective *c = &p->role[MR_ROLE_CONNECT], *l = &p->role[MR_ROLE_LISTEN];
	if (c->constant && l->constant && c->constant_verdict == l->constant_verdict)
		return c->constant_verdict == MR_MPTCP ? MR_PLAN_MPTCP : MR_PLAN_PASS;
	return MR_PLAN_DECIDE;
}

static void load(void)
{
	const char *v;
	struct mr_config_error err;
	unsigned flags = MR_CONF_REFUSE_WORLD_WRITABLE;

	rt.secure = getauxval(AT_SECURE) != 0;
	mr_process_start();
	if ((v = env("MPTCP_RUN_LOG"))) {
		int lvl = mr_log_parse_level(v);
		if (lvl >= 0)
			mr_log_level = lvl;
	}
	find_exe();
	if ((v = env("MPTCP_RUN_DISABLE")) && strcmp(v, "1") == 0) {
		mr_policy_builtin(&rt.policy);
		rt.plan = MR_PLAN_PASS;
		mr_log(MR_LOG_DEBUG, "%s: MPTCP_RUN_DISABLE=1: every socket stays TCP", rt.exe);
		return;
	}
	if ((v = env("MPTCP_RUN_REPORT")) && *v) {
		const char *n = env("MPTCP_RUN_REPORT_SAMPLE");
		mr_report_open(v, n ? (unsigned)strtoul(n, NULL, 10) : 1);
	}
	rt.force = (v = env("MPTCP_RUN_FORCE")) && strcmp(v, "1") == 0;
	rt.conf_path = env("MPTCP_RUN_CONF");
	if (!rt.conf_path || !*rt.conf_path)
		rt.conf_path = MR_SYSTEM_CONF;
	if (rt.secure)
		flags |= MR_CONF_REQUIRE_ROOT;

	enum mr_load_result r =
	    mr_config_load(mr_libconfig_dl, rt.conf_path, flags, &rt.policy, &err);
	if (r == MR_LOAD_MISSING && strcmp(rt.conf_path, MR_SYSTEM_CONF) != 0) {
		snprintf(err.text, sizeof(err.text), "no such file (set by MPTCP_RUN_CONF)");
		r = MR_LOAD_ERROR;
	}
	if (r == MR_LOAD_ERROR) {
		char msg[600];
		mr_config_format_error(&err, msg, sizeof(msg));
		mr_log(MR_LOG_ERROR, "%s; every socket stays TCP", msg);
		mr_policy_builtin(&rt.policy);
		rt.plan = MR_PLAN_PASS;
		return;
	}
	if (rt.policy.fallback_memory >= 0)
		mr_peercache_seconds = (unsigned)rt.policy.fallback_memory;
	mr_resolve(&rt.policy, rt.exe, rt.force, &rt.prog);
	rt.plan = plan_for(&rt.prog);
	mr_log(MR_LOG_DEBUG, "mptcp-run " MR_VERSION " in %s: config %s%s, section %td, plan %s%s",
	       rt.exe, rt.conf_path, r == MR_LOAD_MISSING ? " (missing: built-in policy)" : "",
	       rt.prog.section_index,
	       rt.plan == MR_PLAN_PASS    ? "tcp"
	       : rt.plan == MR_PLAN_MPTCP ? "mptcp"
	                                  : "per endpoint",
	       rt.force ? " (forced by launcher)" : "");
}

const struct mr_runtime *mr_runtime(void)
{
	int s = atomic_load_explicit(&rt_state, memory_order_acquire);
	if (__builtin_expect(s == RT_READY, 1))
		return &rt;
	if (in_init)
		return NULL;
	int expected = RT_UNINIT;
	if (atomic_compare_exchange_strong(&rt_state, &expected, RT_LOADING)) {
		in_init = 1;
		load();
		in_init = 0;
		atomic_store_explicit(&rt_state, RT_READY, memory_order_release);
		return &rt;
	}
	/* Another thread is loading: wait a bounded time, then leave this socket alone. */
	for (int i = 0; i < 100000; i++) {
		if (atomic_load_explicit(&rt_state, memory_order_acquire) == RT_READY)
			return &rt;
		sched_yield();
	}
	return NULL;
}

__attribute__((constructor)) static void mr_init(void)
{
	/*
	 * Cheap work only: every process on the machine may run this. Resolving all
	 * thirteen symbols here cost 10 % of /bin/true's start; they are resolved on
	 * first use instead, except close(), the call signal handlers make, so that
	 * dlsym() never runs inside one.
	 */
	real_resolve_close();
}
