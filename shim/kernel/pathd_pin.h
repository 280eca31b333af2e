/* SPDX-License-Identifier: MIT */
/*
 * Pinning a fresh socket to the first usable path a program lists, before
 * connect(): SO_BINDTODEVICE keeps the initial subflow on that interface, and a
 * bind() to the interface's address (IP_BIND_ADDRESS_NO_PORT: the port is still
 * chosen at connect()) selects the interface's routing table. The interfaces'
 * addresses and the routing probes are kept for a second: a program opening
 * many connections pays one setsockopt() pair and one bind() per connection.
 * The library and the supervisor pin alike.
 */
#ifndef MPTCP_RUN_KERNEL_PATHD_PIN_H
#define MPTCP_RUN_KERNEL_PATHD_PIN_H

#include <net/if.h>
#include <sys/socket.h>

#include "kernel/pathd_sock.h"
#include "policy/policy.h"

/*
 * Pins fd for a connection to sa (AF_INET or AF_INET6) to the first path of pp
 * (paths of policy p) that is up with an address of that family and that routing
 * can use to reach sa, with the calls of k (the library: its real calls; the
 * supervisor: libc's). A path may name a kind: its interfaces are those of that kind
 * (kernel/ifkind.h, read only for a config that names one). Returns the device pinned
 * to (written into dev_out), or NULL with *err: 0 when no
 * listed path is usable (the socket is left to routing), else the errno of the
 * SO_BINDTODEVICE that failed. A bind() that fails (the address went away since
 * it was kept) leaves the device pinned and drops what is kept.
 */
const char *mr_pathd_pin(const struct mr_sockcalls *k, int fd, const struct mr_policy *p,
                         const struct mr_program_paths *pp, const struct sockaddr *sa,
                         socklen_t len, char dev_out[IFNAMSIZ], int *err);

#endif
