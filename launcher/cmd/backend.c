/* SPDX-License-Identifier: MIT */
#include "cmd/backend.h"

#include <stdio.h>
#include <string.h>

#include "text/elfinfo.h"

const char *lr_backend_name(enum lr_backend k)
{
	switch (k) {
	case LR_BACKEND_PRELOAD:
		return "preload library";
	case LR_BACKEND_GODEBUG:
		return "GODEBUG";
	case LR_BACKEND_SUPERVISOR:
		return "supervisor";
	case LR_BACKEND_NONE:
		break;
	}
	return "none";
}

enum lr_backend lr_backend_of(const struct lr_binary *b, bool sys_admin, char *why, size_t size)
{
	char scratch[8];
	const char *problem;
	bool setid = b->setuid || b->setgid || b->filecaps;

	if (!why) {
		why = scratch;
		size = sizeof(scratch);
	}
	if (b->err) {
		snprintf(why, size, "cannot inspect it: %s", strerror(b->err));
		return LR_BACKEND_NONE;
	}
	if (b->elf.go) {
		const char *v = !b->elf.go_version[0]                      ? "(version unknown)"
		                : strncmp(b->elf.go_version, "go", 2) == 0 ? b->elf.go_version + 2
		                                                           : b->elf.go_version;
		int n = lr_go_version_number(b->elf.go_version);

		if (n >= LR_GO_MPTCP_VERSION || (n == 0 && b->elf.go_version[0])) {
			snprintf(why, size, "Go %s reads GODEBUG=multipathtcp", v);
			return LR_BACKEND_GODEBUG;
		}
		snprintf(why, size, "Go %s ignores GODEBUG=multipathtcp", v);
		return LR_BACKEND_SUPERVISOR;
	}
	problem = lr_binary_problem(b);
	if (!problem) {
		snprintf(why, size, "dynamically linked with libc");
		return LR_BACKEND_PRELOAD;
	}
	if ((b->elf.kind == LR_ELF_STATIC && !setid) || sys_admin) {
		snprintf(why, size, "%s", problem);
		return LR_BACKEND_SUPERVISOR;
	}
	snprintf(why, size, "%s%s", problem,
	         setid ? "; the supervisor would run it without its privileges" : "");
	return LR_BACKEND_NONE;
}
