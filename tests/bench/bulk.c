/* SPDX-License-Identifier: MIT */
/*
 * bulk: one-connection bulk transfer with an end-to-end integrity check and a
 * receive-side time series, for the multi-path and path-failure benchmarks.
 *
 *   bulk server [-m] [-t SECONDS] [-b BINS_FILE] ADDR PORT
 *       Accepts one connection and reads until EOF, checking every byte against
 *       the sender's pattern. Bytes received are counted in 10 ms bins (epoch
 *       time of bin 0 first) and written to BINS_FILE. Then sends back a
 *       summary and prints "bytes=N bad=B first_bad=OFF max_gap_ms=G secs=S".
 *       -m: listener with IPPROTO_MPTCP; otherwise plain TCP code (a
 *       preloaded library decides). -t: give up after SECONDS (default 120).
 *   bulk client ADDR PORT SECONDS
 *       Plain TCP code. Sends the pattern for SECONDS, shuts down the write
 *       side, waits for the summary and prints
 *       "sent=N received=N bad=B mbit_s=R proto=P is_mptcp=M".
 * The pattern: byte i of the stream is byte (i % 8) of splitmix64(i / 8), so
 * loss, duplication or reordering at any offset is detected.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_net.h"

#define BIN_MS   10
#define MAX_BINS 60000 /* 600 s */
#define BUF      (128 * 1024)

static double now_rt(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Fills buf with the pattern bytes [off, off + len). */
static void pattern(uint64_t off, unsigned char *buf, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint64_t w = splitmix64((off + i) >> 3);
		for (unsigned b = (unsigned)((off + i) & 7); b < 8 && i < len; b++, i++)
			buf[i] = (unsigned char)(w >> (8 * b));
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: bulk server [-m] [-t SECONDS] [-b BINS_FILE] ADDR PORT\n"
	                "       bulk client ADDR PORT SECONDS\n");
	return 2;
}

struct summary {
	uint64_t bytes, bad;
};

static int server(int argc, char **argv)
{
	int opt, mptcp = 0, one = 1;
	double limit = 120;
	const char *bins_file = NULL;
	struct sockaddr_storage ss;
	socklen_t len;
	static uint64_t bins[MAX_BINS];
	static unsigned char buf[BUF], want[BUF];

	while ((opt = getopt(argc, argv, "mt:b:")) != -1) {
		if (opt == 'm')
			mptcp = 1;
		else if (opt == 't')
			limit = atof(optarg);
		else if (opt == 'b')
			bins_file = optarg;
		else
			return usage();
	}
	if (argc - optind != 2 ||
	    bench_parse_addr("bulk", argv[optind], argv[optind + 1], &ss, &len) < 0)
		return usage();
	int lfd = socket(ss.ss_family, SOCK_STREAM, mptcp ? IPPROTO_MPTCP : 0);
	if (lfd < 0) {
		perror("bulk server: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, 16) < 0) {
		perror("bulk server: bind/listen");
		return 1;
	}
	alarm((unsigned)limit);
	printf("ready\n");
	fflush(stdout);
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("bulk server: accept");
		return 1;
	}
	double t0 = now_rt(), last = t0, max_gap = 0;
	uint64_t total = 0, bad = 0, first_bad = UINT64_MAX;
	size_t nbins = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		double t = now_rt();
		if (t - last > max_gap)
			max_gap = t - last;
		last = t;
		size_t bin = (size_t)((t - t0) * 1000.0 / BIN_MS);
		if (bin < MAX_BINS) {
			bins[bin] += (uint64_t)r;
			if (bin + 1 > nbins)
				nbins = bin + 1;
		}
		pattern(total, want, (size_t)r);
		if (memcmp(buf, want, (size_t)r) != 0) {
			for (ssize_t i = 0; i < r; i++)
				if (buf[i] != want[i]) {
					if (first_bad == UINT64_MAX)
						first_bad = total + (uint64_t)i;
					bad++;
				}
		}
		total += (uint64_t)r;
	}
	double secs = last - t0;
	struct summary s = {total, bad};
	if (write(fd, &s, sizeof(s)) != (ssize_t)sizeof(s))
		perror("bulk server: summary");
	close(fd);
	if (bins_file) {
		FILE *f = fopen(bins_file, "w");
		if (f) {
			fprintf(f, "# t0_epoch=%.6f bin_ms=%d\n", t0, BIN_MS);
			for (size_t i = 0; i < nbins; i++)
				fprintf(f, "%.6f %llu\n", t0 + (double)i * BIN_MS / 1000.0,
				        (unsigned long long)bins[i]);
			fclose(f);
		}
	}
	printf("bytes=%llu bad=%llu first_bad=%lld max_gap_ms=%.1f secs=%.3f t0=%.6f\n",
	       (unsigned long long)total, (unsigned long long)bad,
	       first_bad == UINT64_MAX ? -1LL : (long long)first_bad, max_gap * 1000.0, secs, t0);
	return 0;
}

static int client(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	static unsigned char buf[BUF];

	if (argc != 4 || bench_parse_addr("bulk", argv[1], argv[2], &ss, &len) < 0)
		return usage();
	double secs = atof(argv[3]);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("bulk client: connect");
		return 1;
	}
	int proto = -1, ism = -1;
	socklen_t pl = sizeof(proto);
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &pl);
	pl = sizeof(ism);
	getsockopt(fd, IPPROTO_TCP, TCP_IS_MPTCP, &ism, &pl);
	double t0 = now_rt(), end = t0 + secs;
	uint64_t sent = 0;
	while (now_rt() < end) {
		/* The pattern depends on the offset: fill from where the last write stopped. */
		pattern(sent, buf, sizeof(buf));
		ssize_t w = write(fd, buf, sizeof(buf));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror("bulk client: write");
			return 1;
		}
		sent += (uint64_t)w;
	}
	double el = now_rt() - t0;
	shutdown(fd, SHUT_WR);
	struct summary s = {0, 0};
	size_t got = 0;
	while (got < sizeof(s)) {
		ssize_t r = read(fd, (char *)&s + got, sizeof(s) - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	printf("sent=%llu received=%llu bad=%llu mbit_s=%.2f proto=%d is_mptcp=%d t0=%.6f\n",
	       (unsigned long long)sent, (unsigned long long)s.bytes, (unsigned long long)s.bad,
	       (double)sent * 8 / el / 1e6, proto, ism, t0);
	return got == sizeof(s) && s.bytes == sent && s.bad == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "server") == 0)
		return server(argc - 1, argv + 1);
	if (strcmp(argv[1], "client") == 0)
		return client(argc - 1, argv + 1);
	return usage();
}
