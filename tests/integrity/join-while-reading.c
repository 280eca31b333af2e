/* SPDX-License-Identifier: MIT */
/*
 * join-while-reading: the two ends of the kernel fault's reproducer (README, "The kernel's
 * multi-path data fault"), plain IPPROTO_MPTCP sockets, no mptcp-run. Driven line by line
 * on stdin/stdout by tests/integrity/repro-join-while-reading.py.
 *
 *   join-while-reading server ADDR PORT
 *     accepts one connection, reads the first 64 KiB, then reads into memory registered
 *     with userfaultfd: the copy faults and the reading thread waits inside recvmsg()
 *     holding the MPTCP socket; prints "held". On a line from stdin lets it go, reads
 *     the rest and prints "intact BYTES" or "misordered BYTES FIRST_WRONG SHIFT"
 *     (the wrong bytes were sent at FIRST_WRONG + SHIFT).
 *   join-while-reading client ADDR PORT
 *     connects, sends 96 KiB, prints "ready"; on a line sends 32 KiB, prints "lag"; on a
 *     line sends the rest (8 MiB in all), shuts down writing, waits for the server's
 *     close and prints "done".
 *
 * The payload is a byte stream computed from its offset (a 64-bit hash per 8-byte word),
 * so the server checks every byte and tells where misplaced ones came from.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#define TOTAL (8u << 20)
#define FIRST (96u * 1024) /* the server reads 64 KiB; 32 KiB wait for the held read */
#define PRE   (64u * 1024)
#define LAG   (32u * 1024)
#define HELD  (1u << 20)

static uint8_t stream_byte(uint64_t off)
{
	uint64_t z = (off / 8) * 0x9e3779b97f4a7c15ull + 0x6d7074637275ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (uint8_t)(z >> (8 * (off % 8)));
}

static void fill(uint8_t *b, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = stream_byte(off + i);
}

static void die(const char *what)
{
	printf("error %s: %s\n", what, strerror(errno));
	exit(1);
}

static void wait_line(void)
{
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		exit(1);
}

/* ---- server ---- */

static uint8_t *got;
static uint64_t n_got;
static int fd, uffd;

static void *resolve_faults(void *arg)
{
	(void)arg;
	long pg = sysconf(_SC_PAGESIZE);
	for (int first = 1;; first = 0) {
		struct pollfd p = {uffd, POLLIN, 0};
		struct uffd_msg m;
		if (poll(&p, 1, -1) < 0 || read(uffd, &m, sizeof(m)) != sizeof(m))
			continue;
		if (m.event != UFFD_EVENT_PAGEFAULT)
			continue;
		if (first) {
			printf("held\n");
			fflush(stdout);
			wait_line();
		}
		struct uffdio_zeropage z = {
		    .range = {m.arg.pagefault.address & ~(uint64_t)(pg - 1), (uint64_t)pg}};
		ioctl(uffd, UFFDIO_ZEROPAGE, &z);
	}
	return NULL;
}

static void take(int s, uint8_t *buf, size_t max)
{
	ssize_t n = recv(s, buf, max, 0);
	if (n <= 0)
		return;
	memcpy(got + n_got, buf, (size_t)n);
	n_got += (uint64_t)n;
}

static int server(struct sockaddr_in *a)
{
	int one = 1, l = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	if (l < 0)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)a, sizeof(*a)) < 0 || listen(l, 4) < 0)
		die("listen");
	printf("listening\n");
	fflush(stdout);
	if ((fd = accept(l, NULL, NULL)) < 0)
		die("accept");
	got = malloc(TOTAL + HELD);
	uint8_t *buf = malloc(HELD);
	while (n_got < PRE)
		take(fd, buf, PRE - n_got);
	struct uffdio_api api = {.api = UFFD_API};
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) < 0)
		die("userfaultfd (root needed for faults in kernel copies)");
	uint8_t *held =
	    mmap(NULL, HELD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_register reg = {.range = {(uint64_t)(uintptr_t)held, HELD},
	                              .mode = UFFDIO_REGISTER_MODE_MISSING};
	if (held == MAP_FAILED || ioctl(uffd, UFFDIO_REGISTER, &reg) < 0)
		die("userfaultfd register");
	pthread_t t;
	pthread_create(&t, NULL, resolve_faults, NULL);
	take(fd, held, HELD); /* holds the socket until stdin says so */
	while (n_got < TOTAL) {
		uint64_t before = n_got;
		take(fd, buf, HELD);
		if (n_got == before)
			break;
	}
	for (uint64_t i = 0; i < n_got; i++) {
		if (got[i] == stream_byte(i))
			continue;
		/* Where the bytes from here were sent: within 1 MiB. */
		long long shift = 0;
		for (long long d = -(1 << 20); d <= (1 << 20) && !shift; d++) {
			if (d == 0 || (long long)i + d < 0)
				continue;
			int k = 0;
			while (k < 64 && i + (uint64_t)k < n_got &&
			       got[i + (uint64_t)k] ==
			           stream_byte((uint64_t)((long long)i + d + k)))
				k++;
			if (k == 64)
				shift = d;
		}
		printf("misordered %llu %llu %+lld\n", (unsigned long long)n_got,
		       (unsigned long long)i, shift);
		return 0;
	}
	printf("intact %llu\n", (unsigned long long)n_got);
	return 0;
}

/* ---- client ---- */

static void send_stream(int s, uint64_t off, uint64_t len)
{
	uint8_t buf[65536];
	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		fill(buf, off, n);
		for (size_t done = 0; done < n;) {
			ssize_t k = send(s, buf + done, n - done, MSG_NOSIGNAL);
			if (k <= 0)
				die("send");
			done += (size_t)k;
		}
		off += n;
		len -= n;
	}
}

static int client(struct sockaddr_in *a)
{
	int s = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	char b[64];
	if (s < 0 || connect(s, (struct sockaddr *)a, sizeof(*a)) < 0)
		die("connect");
	send_stream(s, 0, FIRST);
	printf("ready\n");
	fflush(stdout);
	wait_line();
	send_stream(s, FIRST, LAG);
	printf("lag\n");
	fflush(stdout);
	wait_line();
	send_stream(s, FIRST + LAG, TOTAL - FIRST - LAG);
	shutdown(s, SHUT_WR);
	while (recv(s, b, sizeof(b), 0) > 0)
		;
	printf("done\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	if (argc != 4 || inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) {
		fprintf(stderr, "usage: join-while-reading server|client ADDR PORT\n");
		return 2;
	}
	a.sin_port = htons((uint16_t)atoi(argv[3]));
	setvbuf(stdout, NULL, _IOLBF, 0);
	return strcmp(argv[1], "server") == 0 ? server(&a) : client(&a);
}
