/* SPDX-License-Identifier: MIT */
/*
 * What the library adds to connect() (scripts/bench-pathd):
 *   connect-cost ADDR PORT N [GAP_US [THREADS]]
 * N non-blocking connect() calls to ADDR:PORT, each timed alone with
 * CLOCK_MONOTONIC, the socket closed after it and GAP_US (default 200) slept;
 * with THREADS, each of that many threads makes N / THREADS of them at once.
 * Prints the median and the mean in ns. Run under mptcp-run with a config that
 * lists paths for it and one that does not, interleaved: the difference is the
 * registration (pinning and hand-over).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in sa = {.sin_family = AF_INET};
static int per_thread, gap_us = 200;
static long long *t;

static long long ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static void *run(void *arg)
{
	long long *mine = t + (long)arg * per_thread;
	for (int i = 0; i < per_thread; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		long long a = ns();
		int rc = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		long long b = ns();
		if (rc < 0 && errno != EINPROGRESS) {
			perror("connect");
			exit(1);
		}
		mine[i] = b - a;
		close(s);
		if (gap_us)
			usleep((useconds_t)gap_us);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 6)
		return 2;
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	int n = atoi(argv[3]), threads = argc > 5 ? atoi(argv[5]) : 1;
	if (argc > 4)
		gap_us = atoi(argv[4]);
	if (n < 1 || threads < 1 || threads > 64)
		return 2;
	per_thread = n / threads;
	n = per_thread * threads;
	long long sum = 0;
	pthread_t th[64];
	if (!(t = calloc((size_t)n, sizeof(*t))))
		return 1;
	for (long i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, run, (void *)i) != 0)
			return 1;
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%lld %lld\n", t[n / 2], sum / n);
	return 0;
}
