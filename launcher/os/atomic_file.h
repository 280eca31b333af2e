/* SPDX-License-Identifier: MIT */
/*
 * File I/O for the files we edit (/etc/ld.so.preload, drop-ins): bounded
 * reads that refuse symlinks, and replacement by temp file + fsync + rename +
 * directory fsync, so a crash leaves either the old or the new file, never a
 * truncated one (mptcpize truncates the vendor unit in place).
 */
#ifndef MPTCP_RUN_LAUNCHER_ATOMIC_FILE_H
#define MPTCP_RUN_LAUNCHER_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/stat.h>

#define LR_FILE_MAX (1024L * 1024) /* long: compared with st_size */

/*
 * Reads a regular file of at most LR_FILE_MAX bytes into malloc'd *text
 * (NUL-terminated). The last path component must not be a symlink. Returns 0,
 * or a negative errno (-ENOENT, -ELOOP for a symlink, -EFBIG, -EINVAL when not
 * a regular file). st, if not NULL, receives the file's status.
 */
int lr_read_file(const char *path, char **text, size_t *len, struct stat *st);

/* The same, following symlinks: for files we only read (units). */
int lr_read_file_follow(const char *path, char **text, size_t *len);

/*
 * Replaces (or creates) path with data. The new file gets `mode`, and the
 * owner of `like` when not NULL. Returns 0 or a negative errno; on failure
 * the old file is untouched and no temp file is left behind.
 */
int lr_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
                    const struct stat *like);

/*
 * The same replacement without the fsyncs, for a file rewritten several times a second whose
 * loss in a crash costs nothing (the path daemon's live view): readers see the old or the new
 * file, never a partial one. Returns 0 or a negative errno.
 */
int lr_replace_file(const char *path, const char *data, size_t len, mode_t mode);

/* unlink + fsync of the directory. Returns 0 or a negative errno (-ENOENT too). */
int lr_unlink_durable(const char *path);

/* fsync of the directory holding path. */
int lr_fsync_parent(const char *path);

#endif
