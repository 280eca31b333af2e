/* SPDX-License-Identifier: MIT */
#include "cmd/config_arg.h"

#include "kernel/libconfig_linked.h"

#include "os/msg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool lr_conf_abs_path(const char *arg, char *out, size_t size)
{
	char buf[PATH_MAX];

	if (!realpath(arg, buf)) {
		lr_err("%s: %s", arg, strerror(errno));
		return false;
	}
	if (strlen(buf) >= size) {
		lr_err("%s: path too long", arg);
		return false;
	}
	memcpy(out, buf, strlen(buf) + 1);
	return true;
}

bool lr_conf_load(const char *path, bool named, struct mr_policy *p, bool *builtin, char *msg,
                  size_t size)
{
	struct mr_config_error err;
	enum mr_load_result r;

	memset(&err, 0, sizeof(err));
	*builtin = false;
	/* The same trust check the library applies (shim/core/runtime.c), so we agree with it. */
	r = mr_config_load(mr_libconfig_linked, path, MR_CONF_REFUSE_WORLD_WRITABLE, p, &err);
	if (r == MR_LOAD_OK)
		return true;
	if (r == MR_LOAD_MISSING && !named) {
		mr_policy_builtin(p);
		*builtin = true;
		return true;
	}
	if (r == MR_LOAD_MISSING)
		snprintf(msg, size, "%s: %s", path, strerror(ENOENT));
	else
		mr_config_format_error(&err, msg, size);
	return false;
}

const char *lr_conf_default(bool *named)
{
	const char *v = getenv("MPTCP_RUN_CONF");

	*named = v && *v && strcmp(v, MR_SYSTEM_CONF) != 0;
	return v && *v ? v : MR_SYSTEM_CONF;
}

bool lr_conf_open(const char *conf_arg, struct mr_policy *p, bool *builtin, char *path, size_t size)
{
	char msg[600];
	bool named = true;
	if (conf_arg) {
		if (!lr_conf_abs_path(conf_arg, path, size))
			return false;
	} else {
		snprintf(path, size, "%s", lr_conf_default(&named));
	}
	if (!lr_conf_load(path, named, p, builtin, msg, sizeof(msg))) {
		lr_err("%s", msg);
		return false;
	}
	return true;
}
