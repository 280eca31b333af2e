/* SPDX-License-Identifier: MIT */
/*
 * The probe's two ends (integrity/peer.h).
 *
 * The held read is what makes the kernel fault happen on demand: the server's
 * reading thread copies into memory registered with userfaultfd, so the copy
 * faults and the thread waits inside recvmsg() with the MPTCP socket held,
 * exactly as a receiver does while it copies a large read. A join that
 * completes then is finished later, at the socket's release; on the affected
 * kernels that late finish places the join's first data at the connection's
 * acknowledged position instead of where it was sent.
 */
#include "integrity/peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "integrity/stream.h"
#include "kernel/uapi.h"

#define CHUNK     (1u << 20)  /* a reader's read size: large reads hold the socket longest */
#define HELD_SIZE (1u << 20)  /* the faulting region */
#define IO_SECS   30          /* no socket call of the probe waits longer */
#define XFER_MAX  (16u << 20) /* the largest whole transfer */

/* ---- the channel ---- */

bool lr_peer_send(int ctl, const struct lr_peer_msg *req)
{
	return send(ctl, req, sizeof(*req), MSG_NOSIGNAL) == (ssize_t)sizeof(*req);
}

bool lr_peer_wait(int ctl, struct lr_peer_msg *reply, int timeout_ms)
{
	struct pollfd p = {ctl, POLLIN, 0};
	int n;
	while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (n == 1 && recv(ctl, reply, sizeof(*reply), 0) == (ssize_t)sizeof(*reply))
		return true;
	memset(reply, 0, sizeof(*reply));
	snprintf(reply->text, sizeof(reply->text), "%s",
	         n == 0 ? "no answer in time" : "the probe's helper process died");
	return false;
}

bool lr_peer_call(int ctl, const struct lr_peer_msg *req, struct lr_peer_msg *reply, int timeout_ms)
{
	if (!lr_peer_send(ctl, req)) {
		memset(reply, 0, sizeof(*reply));
		snprintf(reply->text, sizeof(reply->text), "the probe's helper process died");
		return false;
	}
	return lr_peer_wait(ctl, reply, timeout_ms);
}

static void reply_ok(int ctl, int ok, int64_t a, int64_t b, int64_t c, const char *text)
{
	struct lr_peer_msg m = {.cmd = 0, .ok = ok, .a = a, .b = b, .c = c};
	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	lr_peer_send(ctl, &m);
}

static void reply_errno(int ctl, const char *what)
{
	char t[160];
	snprintf(t, sizeof(t), "%s: %s", what, strerror(errno));
	reply_ok(ctl, 0, 0, 0, 0, t);
}

static void timeouts(int fd)
{
	struct timeval tv = {.tv_sec = IO_SECS};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* ---- the server ---- */

struct server {
	int lfd, fd;
	uint8_t *buf, *scratch;
	struct lr_stream_check chk;
	int64_t total;
	/* the held read */
	int uffd;
	uint8_t *held;
	int faulted[2], release[2], stop[2];
	pthread_t fault_thread, reader;
	bool threads;
};

static int accept_one(struct server *s)
{
	struct pollfd p = {s->lfd, POLLIN, 0};
	if (poll(&p, 1, IO_SECS * 1000) != 1)
		return -1;
	int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		timeouts(fd);
	return fd;
}

/* Reads and checks until total bytes or the peer's end; the bytes read. */
static int64_t read_rest(struct server *s)
{
	while ((int64_t)s->chk.checked < s->total) {
		size_t want = CHUNK;
		ssize_t n = recv(s->fd, s->buf, want, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		lr_stream_check(&s->chk, s->buf, (size_t)n, s->scratch);
	}
	return (int64_t)s->chk.checked;
}

static void *fault_main(void *arg)
{
	struct server *s = arg;
	bool first = true;
	for (;;) {
		struct pollfd p[2] = {{s->uffd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
		if (poll(p, 2, -1) < 0 && errno == EINTR)
			continue;
		if (p[1].revents)
			return NULL;
		struct uffd_msg m;
		if (!(p[0].revents & POLLIN) || read(s->uffd, &m, sizeof(m)) != sizeof(m) ||
		    m.event != UFFD_EVENT_PAGEFAULT)
			continue;
		if (first) {
			char c = 1, r;
			first = false;
			if (write(s->faulted[1], &c, 1) != 1)
				return NULL;
			struct pollfd q[2] = {{s->release[0], POLLIN, 0}, {s->stop[0], POLLIN, 0}};
			poll(q, 2, -1);
			if (q[1].revents || read(s->release[0], &r, 1) != 1)
				return NULL;
		}
		long pg = sysconf(_SC_PAGESIZE);
		struct uffdio_zeropage z = {
		    .range = {.start = m.arg.pagefault.address & ~(uint64_t)(pg - 1),
		              .len = (uint64_t)pg}};
		ioctl(s->uffd, UFFDIO_ZEROPAGE, &z);
	}
}

static void *reader_main(void *arg)
{
	struct server *s = arg;
	ssize_t n;
	while ((n = recv(s->fd, s->held, HELD_SIZE, 0)) < 0 && errno == EINTR)
		;
	if (n > 0)
		lr_stream_check(&s->chk, s->held, (size_t)n, s->scratch);
	if (n > 0)
		read_rest(s);
	return NULL;
}

static void held_cleanup(struct server *s)
{
	if (s->threads) {
		char c = 1;
		if (write(s->stop[1], &c, 1) != 1) {
			/* the pipe is ours and empty: cannot fail */
		}
		pthread_join(s->fault_thread, NULL);
		s->threads = false;
	}
	for (int i = 0; i < 2; i++) {
		int *p[] = {s->faulted, s->release, s->stop};
		for (int k = 0; k < 3; k++)
			if (p[k][i] >= 0) {
				close(p[k][i]);
				p[k][i] = -1;
			}
	}
	if (s->held)
		munmap(s->held, HELD_SIZE);
	s->held = NULL;
	if (s->uffd >= 0)
		close(s->uffd);
	s->uffd = -1;
}

static bool held_setup(struct server *s, char *why, size_t wsize)
{
	struct uffdio_api api = {.api = UFFD_API};
	s->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (s->uffd < 0 || ioctl(s->uffd, UFFDIO_API, &api) < 0) {
		snprintf(why, wsize, "userfaultfd: %s", strerror(errno));
		return false;
	}
	s->held = mmap(NULL, HELD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->held == MAP_FAILED) {
		s->held = NULL;
		snprintf(why, wsize, "mmap: %s", strerror(errno));
		return false;
	}
	struct uffdio_register reg = {
	    .range = {.start = (uint64_t)(uintptr_t)s->held, .len = HELD_SIZE},
	    .mode = UFFDIO_REGISTER_MODE_MISSING};
	if (ioctl(s->uffd, UFFDIO_REGISTER, &reg) < 0 || pipe2(s->faulted, O_CLOEXEC) < 0 ||
	    pipe2(s->release, O_CLOEXEC) < 0 || pipe2(s->stop, O_CLOEXEC) < 0) {
		snprintf(why, wsize, "userfaultfd register: %s", strerror(errno));
		return false;
	}
	if (pthread_create(&s->fault_thread, NULL, fault_main, s) != 0) {
		snprintf(why, wsize, "cannot start a thread");
		return false;
	}
	s->threads = true;
	return true;
}

static void server_recv_held(struct server *s, int ctl, int64_t total, int64_t pre)
{
	char why[160] = "";
	s->total = total;
	lr_stream_check_init(&s->chk);
	if ((s->fd = accept_one(s)) < 0) {
		reply_errno(ctl, "accept");
		return;
	}
	/* The first bytes as any reader takes them: the connection is then established. */
	while ((int64_t)s->chk.checked < pre) {
		ssize_t n = recv(s->fd, s->buf, (size_t)(pre - (int64_t)s->chk.checked), 0);
		if (n <= 0) {
			reply_errno(ctl, "recv");
			return;
		}
		lr_stream_check(&s->chk, s->buf, (size_t)n, s->scratch);
	}
	if (!held_setup(s, why, sizeof(why))) {
		held_cleanup(s);
		reply_ok(ctl, 0, 0, 0, 0, why);
		return;
	}
	if (pthread_create(&s->reader, NULL, reader_main, s) != 0) {
		held_cleanup(s);
		reply_ok(ctl, 0, 0, 0, 0, "cannot start a thread");
		return;
	}
	struct pollfd p = {s->faulted[0], POLLIN, 0};
	if (poll(&p, 1, 5000) != 1) {
		/* No data came to copy: let the reader go, the test did not happen. */
		char c = 1;
		if (write(s->release[1], &c, 1) != 1) {
			/* ours, empty: cannot fail */
		}
		shutdown(s->fd, SHUT_RDWR);
		pthread_join(s->reader, NULL);
		held_cleanup(s);
		close(s->fd);
		s->fd = -1;
		reply_ok(ctl, 0, 0, 0, 0, "the reader never held the socket (no data came)");
		return;
	}
	reply_ok(ctl, 1, 0, 0, 0, NULL);
}

static void server_release(struct server *s, int ctl)
{
	char c = 1;
	if (s->fd < 0 || write(s->release[1], &c, 1) != 1) {
		reply_ok(ctl, 0, 0, 0, 0, "nothing held");
		return;
	}
	pthread_join(s->reader, NULL);
	held_cleanup(s);
	close(s->fd);
	s->fd = -1;
	reply_ok(ctl, 1, (int64_t)s->chk.checked, s->chk.first_wrong, s->chk.shift, NULL);
}

static void server_recv(struct server *s, int ctl, int64_t total)
{
	s->total = total;
	lr_stream_check_init(&s->chk);
	if ((s->fd = accept_one(s)) < 0) {
		reply_errno(ctl, "accept");
		return;
	}
	read_rest(s);
	close(s->fd);
	s->fd = -1;
	reply_ok(ctl, 1, (int64_t)s->chk.checked, s->chk.first_wrong, s->chk.shift, NULL);
}

static void server_listen(struct server *s, int ctl, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1;
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (s->lfd < 0) {
		reply_errno(ctl, "socket(IPPROTO_MPTCP)");
		return;
	}
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* cubic on both ends: the probe's worst case (README's table); refused: the default. */
	setsockopt(s->lfd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
	if (bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s->lfd, 16) < 0) {
		reply_errno(ctl, "listen");
		return;
	}
	reply_ok(ctl, 1, 0, 0, 0, NULL);
}

/* ---- the client ---- */

struct client {
	int fd;
	pthread_t sender;
	bool sending;
	uint64_t off, len;
	uint8_t *buf;
	int err;
};

/*
 * Sends stream bytes [off, off + len) in writes of up to CHUNK bytes, or, with one_write,
 * in a single write of the whole (a program's sendall() of a file: the fault's worst case).
 */
static void send_stream(struct client *c, bool one_write)
{
	uint64_t done = 0;
	size_t step = one_write ? XFER_MAX : CHUNK;
	while (done < c->len) {
		size_t n = c->len - done < step ? (size_t)(c->len - done) : step;
		lr_stream_fill(c->buf, c->off + done, n);
		size_t sent = 0;
		while (sent < n) {
			ssize_t k = send(c->fd, c->buf + sent, n - sent, MSG_NOSIGNAL);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				c->err = errno ? errno : EPIPE;
				return;
			}
			sent += (size_t)k;
		}
		done += n;
	}
}

static void *sender_main(void *arg)
{
	send_stream(arg, false);
	return NULL;
}

static void client_join_sender(struct client *c)
{
	if (c->sending)
		pthread_join(c->sender, NULL);
	c->sending = false;
}

static int client_connect(const char *addr, int port, bool cubic)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (fd < 0)
		return -1;
	timeouts(fd);
	if (cubic)
		setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Shut down writing and wait until the server closed: all of it was read. */
static bool client_end(int fd)
{
	char b[64];
	ssize_t n;
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, b, sizeof(b), 0)) > 0 || (n < 0 && errno == EINTR))
		;
	return n == 0;
}

static void client_subflows(struct client *c, int ctl)
{
	struct {
		struct mr_mptcp_subflow_data h;
		struct tcp_info ti[8];
	} d;
	memset(&d, 0, sizeof(d));
	d.h.size_subflow_data = sizeof(d.h);
	d.h.size_user = sizeof(d.ti[0]);
	socklen_t l = sizeof(d);
	if (getsockopt(c->fd, SOL_MPTCP, MPTCP_TCPINFO, &d, &l) < 0) {
		reply_errno(ctl, "MPTCP_TCPINFO");
		return;
	}
	uint32_t n = d.h.num_subflows < 8 ? d.h.num_subflows : 8;
	reply_ok(ctl, 1, n, n > 1 ? (int64_t)d.ti[1].tcpi_bytes_sent : 0,
	         n > 0 ? (int64_t)d.ti[0].tcpi_bytes_sent : 0, NULL);
}

/* ---- the loop ---- */

void lr_peer_serve(int ctl)
{
	struct server s = {.lfd = -1,
	                   .fd = -1,
	                   .uffd = -1,
	                   .faulted = {-1, -1},
	                   .release = {-1, -1},
	                   .stop = {-1, -1}};
	struct client c = {.fd = -1};
	struct lr_peer_msg m;
	s.buf = malloc(CHUNK);
	c.buf = malloc(XFER_MAX);
	s.scratch = malloc((size_t)2 * LR_STREAM_NEAR + HELD_SIZE + CHUNK);
	if (!s.buf || !c.buf || !s.scratch)
		goto out;
	while (recv(ctl, &m, sizeof(m), 0) == (ssize_t)sizeof(m)) {
		m.text[sizeof(m.text) - 1] = '\0';
		switch (m.cmd) {
		case LR_PEER_LISTEN:
			server_listen(&s, ctl, (int)m.a);
			break;
		case LR_PEER_RECV_HELD:
			server_recv_held(&s, ctl, m.a, m.b);
			break;
		case LR_PEER_RELEASE:
			server_release(&s, ctl);
			break;
		case LR_PEER_RECV:
			server_recv(&s, ctl, m.a);
			break;
		case LR_PEER_CONNECT:
			if (c.fd >= 0)
				close(c.fd);
			c.fd = client_connect(m.text, (int)m.a, m.b != 0);
			if (c.fd < 0)
				reply_errno(ctl, "connect");
			else
				reply_ok(ctl, 1, 0, 0, 0, NULL);
			break;
		case LR_PEER_SEND:
			client_join_sender(&c);
			c.off = (uint64_t)m.a;
			c.len = (uint64_t)m.b;
			c.sending =
			    c.fd >= 0 && pthread_create(&c.sender, NULL, sender_main, &c) == 0;
			reply_ok(ctl, c.sending, 0, 0, 0, c.sending ? NULL : "cannot send");
			break;
		case LR_PEER_SUBFLOWS:
			client_subflows(&c, ctl);
			break;
		case LR_PEER_FINISH: {
			client_join_sender(&c);
			bool ok = c.fd >= 0 && !c.err && client_end(c.fd);
			if (c.fd >= 0)
				close(c.fd);
			c.fd = -1;
			reply_ok(ctl, ok, 0, 0, 0, ok ? NULL : "the transfer did not end cleanly");
			break;
		}
		case LR_PEER_TRANSFER: {
			c.fd = client_connect(m.text, (int)m.b, true);
			c.off = 0;
			c.len = (uint64_t)m.a;
			c.err = 0;
			bool ok = c.fd >= 0 && m.a <= XFER_MAX;
			if (ok) {
				send_stream(&c, true);
				ok = !c.err && client_end(c.fd);
				close(c.fd);
			}
			c.fd = -1;
			reply_ok(ctl, ok, 0, 0, 0, ok ? NULL : "the transfer failed");
			break;
		}
		default:
			reply_ok(ctl, 0, 0, 0, 0, "unknown request");
		}
	}
out:
	free(s.buf);
	free(c.buf);
	free(s.scratch);
}
