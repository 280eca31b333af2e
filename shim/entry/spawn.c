/* SPDX-License-Identifier: MIT */
/*
 * posix_spawn(), posix_spawnp(), system(), popen(): glibc creates these
 * children with clone(CLONE_VFORK), which runs no pthread_atfork handler. The
 * child inherits every descriptor without FD_CLOEXEC, so the sockets existing
 * now are shared, exactly as across fork().
 */
#include <errno.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/fdtable.h"
#include "entry/export.h"
#include "kernel/real.h"

typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);

static _Atomic(void *) slot_spawn, slot_spawnp, slot_system, slot_popen;

MR_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                          const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	spawn_fn f = (spawn_fn)real_lookup(&slot_spawn, "posix_spawn");
	if (!f)
		return ENOSYS;
	mr_fd_share_all();
	return f(pid, path, fa, attr, argv, envp);
}

MR_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	spawn_fn f = (spawn_fn)real_lookup(&slot_spawnp, "posix_spawnp");
	if (!f)
		return ENOSYS;
	mr_fd_share_all();
	return f(pid, file, fa, attr, argv, envp);
}

MR_EXPORT int system(const char *command)
{
	int (*f)(const char *) = (int (*)(const char *))real_lookup(&slot_system, "system");
	if (!f)
		return -1;
	mr_fd_share_all();
	return f(command);
}

MR_EXPORT FILE *popen(const char *command, const char *type)
{
	FILE *(*f)(const char *, const char *) =
	    (FILE * (*)(const char *, const char *)) real_lookup(&slot_popen, "popen");
	if (!f)
		return NULL;
	mr_fd_share_all();
	return f(command, type);
}
