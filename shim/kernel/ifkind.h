/* SPDX-License-Identifier: MIT */
/*
 * The kind of an interface (Wi-Fi, cellular, Ethernet) from what the kernel
 * publishes in /sys/class/net/IF (the wireless folder, uevent's DEVTYPE, the
 * device link, the type, the alias): read here, judged by the policy engine
 * (mr_kind_classify). The path daemon reads it when a link appears; the
 * library when it scans the interfaces to pin a socket (at most once a
 * second, and only for a config that names a kind).
 */
#ifndef MPTCP_RUN_KERNEL_IFKIND_H
#define MPTCP_RUN_KERNEL_IFKIND_H

#include "policy/policy.h"

/* The facts of interface name from sysfs (an unreadable one: all empty). */
void mr_iface_facts_read(const char *name, struct mr_iface_facts *f);
/* Its kind: mr_kind_classify() of those facts. */
enum mr_kind mr_iface_kind(const char *name);

#endif
