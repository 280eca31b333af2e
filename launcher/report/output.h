/* SPDX-License-Identifier: MIT */
/*
 * The two renderings of a summary: the text table (table.c) and the SVG
 * drawing (svg.c). Both write to a stream the caller owns and checks.
 */
#ifndef MPTCP_RUN_LAUNCHER_REPORT_OUTPUT_H
#define MPTCP_RUN_LAUNCHER_REPORT_OUTPUT_H

#include <stdio.h>

#include "report/summary.h"

/* The counts, then bytes and share per local address, largest first. */
void lr_report_print(const struct lr_report_summary *s, const char *name, FILE *out);
/* A stand-alone SVG: the shares per local address and the largest connections by subflow. */
void lr_report_svg(const struct lr_report_summary *s, FILE *out);

#endif
