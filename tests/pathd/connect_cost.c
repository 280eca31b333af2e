/* SPDX-License-Identifier: MIT */
/*
 * What the library adds to connect() (scripts/bench-pathd): N non-blocking
 * connect() calls to ADDR:PORT, each timed alone with CLOCK_MONOTONIC, the
 * socket closed after it; prints the median and the mean in ns. Run under
 * mptcp-run with a config that lists paths for it and one that does not,
 * interleaved: the difference is the registration (pinning and hand-over).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	int n = atoi(argv[3]);
	long long *t = calloc((size_t)n, sizeof(*t)), sum = 0;
	if (!t)
		return 1;
	for (int i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		long long a = ns();
		int rc = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		long long b = ns();
		if (rc < 0 && errno != EINPROGRESS) {
			perror("connect");
			return 1;
		}
		t[i] = b - a;
		sum += t[i];
		close(s);
		usleep(200); /* below 5,000 connections per second: the daemon keeps up */
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%lld %lld\n", t[n / 2], sum / n);
	return 0;
}
