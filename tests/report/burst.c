/* SPDX-License-Identifier: MIT */
/*
 * burst N START [closefrom FILE]: opens N connections to a listener of its own
 * on 127.0.0.1, sends a byte on each, waits until the wall clock reaches START
 * (seconds since the epoch, so several processes close at the same moment)
 * and closes every client socket with close().
 *
 * With "closefrom FILE" it then calls closefrom(3), which also closes the
 * report's descriptor, puts FILE where that descriptor was (512, see
 * shim/report.c) and opens and closes one more connection: the library must
 * stop reporting rather than write into the program's file.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int connect_to(const struct sockaddr_in *a)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (const struct sockaddr *)a, sizeof(*a)) < 0) {
		perror("burst: connect");
		exit(1);
	}
	return c;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int n = atoi(argv[1]);
	double start = atof(argv[2]);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, n + 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) < 0) {
		perror("burst: listen");
		return 1;
	}
	int *c = calloc((size_t)n, sizeof(int)), *s = calloc((size_t)n, sizeof(int));
	for (int i = 0; i < n; i++) {
		c[i] = connect_to(&a);
		s[i] = accept(l, NULL, NULL);
		if (s[i] < 0 || write(c[i], "x", 1) != 1) {
			perror("burst: accept/write");
			return 1;
		}
	}
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		if ((double)now.tv_sec + now.tv_nsec / 1e9 >= start)
			break;
		usleep(1000);
	}
	for (int i = 0; i < n; i++)
		close(c[i]);
	if (argc >= 5 && strcmp(argv[3], "closefrom") == 0) {
		closefrom(3);
		int f = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (f < 0 || dup2(f, 512) < 0) {
			perror("burst: file");
			return 1;
		}
		int extra = socket(AF_INET, SOCK_STREAM, 0);
		close(extra);
	}
	printf("burst done\n");
	return 0;
}
