/* SPDX-License-Identifier: MIT */
#include "os/binary.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The kernel follows at most this many nested interpreters (BINPRM_MAX_RECURSION). */
#define MAX_INTERP_DEPTH 4

static bool executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int lr_find_command(const char *cmd, char *out, size_t size)
{
	const char *path, *p, *end;
	char cs_path[256];
	bool denied = false;
	int n;

	if (!*cmd)
		return ENOENT;
	if (strchr(cmd, '/')) {
		n = snprintf(out, size, "%s", cmd);
		if (n < 0 || (size_t)n >= size)
			return ENAMETOOLONG;
		return 0;
	}
	path = getenv("PATH");
	if (!path) {
		/* glibc's execvp uses the confstr default when PATH is unset. */
		if (confstr(_CS_PATH, cs_path, sizeof(cs_path)) == 0 ||
		    strlen(cs_path) >= sizeof(cs_path) - 1)
			snprintf(cs_path, sizeof(cs_path), "/bin:/usr/bin");
		path = cs_path;
	}
	for (p = path;; p = end + 1) {
		size_t dlen;

		end = strchrnul(p, ':');
		dlen = (size_t)(end - p);
		/* An empty PATH element means the current directory. */
		n = dlen ? snprintf(out, size, "%.*s/%s", (int)dlen, p, cmd)
		         : snprintf(out, size, "%s", cmd);
		if (n > 0 && (size_t)n < size) {
			if (executable_file(out))
				return 0;
			if (access(out, F_OK) == 0)
				denied = true;
		}
		if (!*end)
			break;
	}
	out[0] = '\0';
	return denied ? EACCES : ENOENT;
}

static int fd_read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
	int fd = *(int *)ctx;
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/*
 * Parses a "#!" line into the interpreter path (resolving "/usr/bin/env NAME"
 * through PATH, as env will). Returns false when there is no usable one.
 */
static bool shebang_interp(const char *head, size_t len, char *out, size_t size)
{
	char line[256], *p, *arg, *interp;
	size_t n;

	n = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
	memcpy(line, head, n);
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	p = line + 2;
	p += strspn(p, " \t");
	interp = p;
	p += strcspn(p, " \t");
	if (*p)
		*p++ = '\0';
	arg = p + strspn(p, " \t");
	arg[strcspn(arg, " \t")] = '\0';
	if (!*interp)
		return false;
	if (strcmp(strrchr(interp, '/') ? strrchr(interp, '/') + 1 : interp, "env") == 0 && *arg &&
	    arg[0] != '-' && !strchr(arg, '='))
		return lr_find_command(arg, out, size) == 0;
	n = (size_t)snprintf(out, size, "%s", interp);
	return n < size;
}

static bool setid_applies(const char *path, const struct stat *st)
{
	struct statvfs vfs;

	/* nosuid mounts ignore set-ID bits and file capabilities alike. */
	return !(statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) &&
	       ((st->st_mode & (S_ISUID | S_ISGID)) ||
	        getxattr(path, "security.capability", NULL, 0) > 0);
}

void lr_binary_inspect(const char *cmd, struct lr_binary *b)
{
	char cur[PATH_MAX];
	int depth;

	memset(b, 0, sizeof(*b));
	b->err = lr_find_command(cmd, b->path, sizeof(b->path));
	if (b->err)
		return;
	snprintf(cur, sizeof(cur), "%s", b->path);
	for (depth = 0; depth <= MAX_INTERP_DEPTH; depth++) {
		char head[256];
		struct lr_reader r;
		struct stat st;
		ssize_t n;
		int fd;

		fd = open(cur, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			return;
		}
		n = pread(fd, head, sizeof(head), 0);
		if (n >= 2 && head[0] == '#' && head[1] == '!') {
			close(fd);
			b->script = true;
			if (!shebang_interp(head, (size_t)n, cur, sizeof(cur)))
				return;
			continue;
		}
		r = (struct lr_reader){
		    .read_at = fd_read_at, .ctx = &fd, .size = (uint64_t)st.st_size};
		lr_elf_inspect(&r, &b->elf);
		close(fd);
		if (b->elf.kind == LR_NOT_ELF && depth == 0) {
			/* execvp runs files the kernel rejects (ENOEXEC) with /bin/sh. */
			b->script = true;
			snprintf(cur, sizeof(cur), "/bin/sh");
			continue;
		}
		snprintf(b->exe, sizeof(b->exe), "%s", cur);
		b->exe_ok = true;
		if (setid_applies(cur, &st)) {
			/* ld.so goes into secure mode only when the IDs really change. */
			b->setuid = (st.st_mode & S_ISUID) && st.st_uid != getuid();
			b->setgid = (st.st_mode & S_ISGID) && st.st_gid != getgid();
			b->filecaps = getxattr(cur, "security.capability", NULL, 0) > 0;
		}
		return;
	}
}

const char *lr_binary_problem(const struct lr_binary *b)
{
	if (!b->exe_ok || b->elf.go)
		return NULL;
	if (b->setuid)
		return "set-user-ID binary (the loader ignores LD_PRELOAD)";
	if (b->setgid)
		return "set-group-ID binary (the loader ignores LD_PRELOAD)";
	if (b->filecaps)
		return "binary with file capabilities (the loader ignores LD_PRELOAD)";
	if (b->elf.kind == LR_ELF_STATIC)
		return "static binary (no dynamic loader)";
	return NULL;
}
