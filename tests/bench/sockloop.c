/* SPDX-License-Identifier: MIT */
/*
 * sockloop: N x (socket(AF_INET, SOCK_STREAM, 0) + close()), prints ns per pair.
 * Measures what an LD_PRELOAD library adds to the socket()/close() path.
 *
 *   sockloop [N] [family: 4|6] [batches]
 * The N pairs run in B batches (default 20); the VM's noise (steal, RCU frees
 * landing in one batch) inflates some batches, so the batch minimum and median
 * are reported next to the overall mean. Times are thread CPU time.
 * Output: "ns_per_op=<mean> min=<best batch> med=<median batch> n=<N> proto=<p>"
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_time.h"

/* CPU time of this thread (user + system): the machine is shared, and a
 * competing process inflates wall time but not the work this loop does. */
static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int fam = (argc > 2 && atoi(argv[2]) == 6) ? AF_INET6 : AF_INET;
	int nb = argc > 3 ? atoi(argv[3]) : 20;
	int proto = -1;

	if (n <= 0 || nb < 1 || nb > 256 || n < nb) {
		fprintf(stderr, "usage: sockloop [N] [4|6] [batches 1..256]\n");
		return 2;
	}
	/* Warm-up: the first socket() may load the library's config and map its tables. */
	for (int i = 0; i < 1000; i++) {
		int fd = socket(fam, SOCK_STREAM, 0);
		if (fd < 0) {
			fprintf(stderr, "socket: %s\n", strerror(errno));
			return 1;
		}
		if (i == 0) {
			socklen_t len = sizeof(proto);
			getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
		}
		close(fd);
	}
	double batch[256], wall[256], t0 = now_ns();
	long per = n / nb;
	for (int b = 0; b < nb; b++) {
		double bs = now_ns(), ws = bench_wall_ns();
		for (long i = 0; i < per; i++) {
			int fd = socket(fam, SOCK_STREAM, 0);
			if (fd < 0) {
				fprintf(stderr, "socket: %s\n", strerror(errno));
				return 1;
			}
			close(fd);
		}
		batch[b] = (now_ns() - bs) / (double)per;
		wall[b] = (bench_wall_ns() - ws) / (double)per;
	}
	double t1 = now_ns();
	qsort(batch, (size_t)nb, sizeof(batch[0]), bench_cmp_double);
	qsort(wall, (size_t)nb, sizeof(wall[0]), bench_cmp_double);
	printf("ns_per_op=%.1f min=%.1f med=%.1f n=%ld proto=%d wall_min=%.1f wall_med=%.1f\n",
	       (t1 - t0) / (double)(per * nb), batch[0], batch[nb / 2], per * nb, proto, wall[0],
	       wall[nb / 2]);
	return 0;
}
