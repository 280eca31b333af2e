/* SPDX-License-Identifier: MIT */
/*
 * The kernel interface mptcp-run uses, with the kernel's own names, defined
 * here when the installed headers predate them (Debian 12's are 6.1; MPTCP
 * grew most of this later). The one place the project spells out kernel ABI.
 *
 * The structures carry an mr_ prefix: <linux/mptcp.h> of 6.1 defines a shorter
 * struct mptcp_info, and the kernel copies min(ours, its own) bytes, so a
 * program built with these layouts works on older and newer kernels alike.
 */
#ifndef MPTCP_RUN_KERNEL_UAPI_H
#define MPTCP_RUN_KERNEL_UAPI_H

#include <fcntl.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262 /* 5.6 */
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif
#ifndef MPTCP_INFO
#define MPTCP_INFO 1
#endif
#ifndef MPTCP_TCPINFO
#define MPTCP_TCPINFO 2 /* 5.16 */
#endif
#ifndef MPTCP_SUBFLOW_ADDRS
#define MPTCP_SUBFLOW_ADDRS 3 /* 5.16 */
#endif
#ifndef MPTCP_FULL_INFO
#define MPTCP_FULL_INFO 4 /* 6.5 */
#endif
#ifndef MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED
#define MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED (1 << 1)
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* 6.9: pidfd_open() of a thread */
#endif
#ifndef TCP_IS_MPTCP
#define TCP_IS_MPTCP 43 /* 5.16, level IPPROTO_TCP */
#endif
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* 5.14 */
#endif
#ifndef TCP_CLOSE
#define TCP_CLOSE 7 /* tcpi_state of a closed (sub)flow */
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* 6.5 */
#endif
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16) /* <linux/if.h>; glibc's <net/if.h> stops before it */
#endif
/* 6.6+: the supervisor and the caller switch on one CPU instead of waking each other on two. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
/* Path-manager event flags (MPTCP_ATTR_FLAGS); older kernels send MPTCP_ATTR_SERVER_SIDE. */
#ifndef MPTCP_PM_EV_FLAG_SERVER_SIDE
#define MPTCP_PM_EV_FLAG_SERVER_SIDE (1 << 1) /* 6.7 */
#endif

/* struct mptcp_info as of 6.10 (96 bytes). */
struct mr_mptcp_info {
	uint8_t subflows, add_addr_signal, add_addr_accepted, subflows_max;
	uint8_t add_addr_signal_max, add_addr_accepted_max, pad1[2];
	uint32_t flags, token;
	uint64_t write_seq, snd_una, rcv_nxt;
	uint8_t local_addr_used, local_addr_max, csum_enabled, pad2;
	uint32_t retransmits;
	uint64_t bytes_retrans, bytes_sent, bytes_received, bytes_acked; /* 6.5+ */
	uint8_t subflows_total, endp_laminar_max, reserved[2];
	uint32_t last_data_sent, last_data_recv, last_ack_recv;
};
_Static_assert(sizeof(struct mr_mptcp_info) == 96, "struct mptcp_info layout");

/* struct mptcp_subflow_data: the header of MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS. */
struct mr_mptcp_subflow_data {
	uint32_t size_subflow_data, num_subflows, size_kernel, size_user;
} __attribute__((aligned(8)));

/* struct mptcp_subflow_addrs. */
struct mr_mptcp_subflow_addrs {
	struct sockaddr_storage local, remote;
};

/* struct mptcp_subflow_info. */
struct mr_mptcp_subflow_info {
	uint32_t id;
	struct mr_mptcp_subflow_addrs addrs;
};
_Static_assert(sizeof(struct mr_mptcp_subflow_info) == 264, "struct mptcp_subflow_info layout");

/* struct mptcp_full_info (MPTCP_FULL_INFO). */
struct mr_mptcp_full_info {
	uint32_t size_tcpinfo_kernel, size_tcpinfo_user, size_sfinfo_kernel, size_sfinfo_user;
	uint32_t num_subflows, size_arrays_user;
	uint64_t subflow_info, tcp_info;
	struct mr_mptcp_info mptcp_info;
};
_Static_assert(offsetof(struct mr_mptcp_full_info, mptcp_info) == 40,
               "struct mptcp_full_info layout");

#endif
