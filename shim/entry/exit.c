/* SPDX-License-Identifier: MIT */
/*
 * exit(): sockets still open then (not at _exit, not at a fatal signal) get
 * their report line. Each is forgotten once reported, so a later destructor
 * closing it reports nothing twice.
 */
#include "core/lifecycle.h"

__attribute__((destructor)) static void at_exit(void)
{
	mr_report_at_exit();
}
