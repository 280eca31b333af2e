/* SPDX-License-Identifier: MIT */
#include "sampler/owners.h"

#include "os/proc_exe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool cached(const struct ls_owners *o, uint32_t inode, size_t *at)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->e[i].inode == inode) {
			*at = i;
			return true;
		}
	return false;
}

/* src into out, cut to fit. */
static void copy(char *out, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(out, src, n);
	out[n] = '\0';
}

/* The program's name: the basename of its executable, else its comm. */
static void prog_of(pid_t pid, char *out, size_t size)
{
	char exe[4096], path[64];
	if (lr_proc_exe(pid, exe, sizeof(exe))) {
		const char *b = strrchr(exe, '/');
		copy(out, size, b ? b + 1 : exe);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	FILE *f = fopen(path, "re");
	out[0] = '\0';
	if (f) {
		if (fgets(out, (int)size, f))
			out[strcspn(out, "\n")] = '\0';
		fclose(f);
	}
}

static bool wanted(const struct lv_sample *s, uint32_t inode)
{
	for (size_t i = 0; i < s->n_conns; i++)
		if (s->conns[i].inode == inode && !s->conns[i].pid)
			return true;
	return false;
}

static void remember(struct ls_owners *o, uint32_t inode, pid_t pid)
{
	size_t i;
	if (cached(o, inode, &i))
		return;
	if (o->n == LS_OWNER_CACHE) {
		/* Oldest out: the cache is a window on recent connections. */
		memmove(&o->e[0], &o->e[1], (LS_OWNER_CACHE - 1) * sizeof(o->e[0]));
		o->n--;
	}
	o->e[o->n].inode = inode;
	o->e[o->n].pid = pid;
	prog_of(pid, o->e[o->n].prog, sizeof(o->e[o->n].prog));
	o->n++;
}

/* Looks through one process's descriptors for the inodes s wants. */
static void scan_pid(struct ls_owners *o, const struct lv_sample *s, pid_t pid)
{
	char path[64], link[64];
	struct dirent *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == EACCES || errno == EPERM)
			o->unreadable++;
		return;
	}
	DIR *dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return;
	}
	while ((d = readdir(dir))) {
		ssize_t n = readlinkat(dfd, d->d_name, link, sizeof(link) - 1);
		unsigned long ino;
		if (n < 9 || memcmp(link, "socket:[", 8) != 0)
			continue;
		link[n] = '\0';
		ino = strtoul(link + 8, NULL, 10);
		if (ino && ino <= UINT32_MAX && wanted(s, (uint32_t)ino))
			remember(o, (uint32_t)ino, pid);
	}
	closedir(dir);
}

static bool all_known(const struct ls_owners *o, const struct lv_sample *s)
{
	size_t at;
	for (size_t i = 0; i < s->n_conns; i++)
		if (s->conns[i].inode && !cached(o, s->conns[i].inode, &at))
			return false;
	return true;
}

void ls_owners_find(struct ls_owners *o, struct lv_sample *s, const pid_t *only, size_t n_only)
{
	size_t at;

	if (!all_known(o, s)) {
		o->unreadable = 0;
		if (n_only) {
			for (size_t i = 0; i < n_only; i++)
				scan_pid(o, s, only[i]);
		} else {
			DIR *p = opendir("/proc");
			struct dirent *d;
			while (p && (d = readdir(p))) {
				char *end;
				long pid = strtol(d->d_name, &end, 10);
				if (*end == '\0' && pid > 0)
					scan_pid(o, s, (pid_t)pid);
			}
			if (p)
				closedir(p);
		}
	}
	s->lim.procs_unreadable = o->unreadable;
	s->lim.owners_unknown = 0;
	for (size_t i = 0; i < s->n_conns; i++) {
		struct lv_conn *c = &s->conns[i];
		if (c->pid)
			continue;
		if (c->inode && cached(o, c->inode, &at)) {
			c->pid = o->e[at].pid;
			memcpy(c->prog, o->e[at].prog, LV_PROG);
		} else if (c->inode) {
			s->lim.owners_unknown++;
		}
	}
}

size_t ls_descendants(pid_t root, pid_t *out, size_t max)
{
	size_t n = 0, next = 0;

	if (max == 0)
		return 0;
	out[n++] = root;
	while (next < n) {
		pid_t p = out[next++];
		char path[80];
		snprintf(path, sizeof(path), "/proc/%d/task", (int)p);
		DIR *t = opendir(path);
		struct dirent *d;
		while (t && (d = readdir(t))) {
			if (d->d_name[0] == '.')
				continue;
			char cpath[300];
			snprintf(cpath, sizeof(cpath), "/proc/%d/task/%s/children", (int)p,
			         d->d_name);
			/* "123 456 " */
			char list[16384]; /* a task with more children is cut: its first ones */
			int fd = open(cpath, O_RDONLY | O_CLOEXEC);
			ssize_t len = fd >= 0 ? read(fd, list, sizeof(list) - 1) : -1;
			if (fd >= 0)
				close(fd);
			list[len > 0 ? len : 0] = '\0';
			for (char *q = list, *end;; q = end) {
				long c = strtol(q, &end, 10);
				if (end == q)
					break;
				if (n < max && c > 0)
					out[n++] = (pid_t)c;
			}
		}
		if (t)
			closedir(t);
	}
	return n;
}
