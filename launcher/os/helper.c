/* SPDX-License-Identifier: MIT */
#include "os/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int lr_spawn_capture(char *const argv[], size_t max, char **out)
{
	posix_spawn_file_actions_t fa;
	size_t len = 0;
	char *buf, sink[512];
	int pipefd[2], status, err;
	ssize_t r;
	pid_t pid;

	*out = NULL;
	buf = malloc(max + 1);
	if (!buf)
		return -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(buf);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (err) {
		close(pipefd[0]);
		free(buf);
		return -1;
	}
	for (;;) {
		r = len < max ? read(pipefd[0], buf + len, max - len)
		              : read(pipefd[0], sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (len < max)
			len += (size_t)r;
	}
	close(pipefd[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			free(buf);
			return -1;
		}
	}
	*out = buf;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
