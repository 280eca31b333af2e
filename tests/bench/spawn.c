/* SPDX-License-Identifier: MIT */
/*
 * spawn: process start cost. Runs PROGRAM N times (fork + execve + wait) with
 * the given extra environment, e.g. LD_PRELOAD=..., so only the children are
 * preloaded, never this loop.
 *
 *   spawn N PROGRAM [VAR=VALUE...]
 * Prints "us_per_spawn=<mean wall> med_batch=<median of 10 batches> child_cpu_us=<user+sys>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_time.h"

extern char **environ;

static double mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	if (argc < 3 || atoi(argv[1]) < 10) {
		fprintf(stderr, "usage: spawn N(>=10) PROGRAM [VAR=VALUE...]\n");
		return 2;
	}
	int n = atoi(argv[1]);
	char *prog = argv[2];
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **envp = calloc(ne + (size_t)argc, sizeof(char *));
	size_t k = 0;
	for (int i = 3; i < argc; i++)
		envp[k++] = argv[i];
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			envp[k++] = environ[i];
	char *cargv[] = {prog, NULL};
	double batch[10];
	int per = n / 10;
	double t0 = mono_us();
	for (int b = 0; b < 10; b++) {
		double bs = mono_us();
		for (int i = 0; i < per; i++) {
			pid_t p = fork();
			if (p == 0) {
				execve(prog, cargv, envp);
				_exit(127);
			}
			int st;
			if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 0) {
				fprintf(stderr, "spawn: %s failed\n", prog);
				return 1;
			}
		}
		batch[b] = (mono_us() - bs) / per;
	}
	double total = mono_us() - t0;
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	double cpu = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec +
	             (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
	qsort(batch, 10, sizeof(batch[0]), bench_cmp_double);
	printf("us_per_spawn=%.1f med_batch=%.1f child_cpu_us=%.1f n=%d\n", total / (per * 10),
	       batch[5], cpu / (per * 10), per * 10);
	free(envp);
	return 0;
}
