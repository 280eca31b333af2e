/* SPDX-License-Identifier: MIT */
/*
 * What the two figures (svg.c, the report's; timeline_svg.c, the
 * timeline's) write alike: the document's head, the XML escaping of every
 * text they carry, and one palette, so a path keeps its colour from one
 * figure to the other.
 */
#ifndef MPTCP_RUN_LAUNCHER_REPORT_SVG_DOC_H
#define MPTCP_RUN_LAUNCHER_REPORT_SVG_DOC_H

#include <stddef.h>
#include <stdio.h>

/* The <svg> element of a width x height drawing, on a white background. */
void lr_svg_begin(FILE *out, int width, int height);
/* s as XML character data or attribute value: escaped, control bytes as '?'. */
void lr_svg_text(FILE *out, const char *s);
/* The i-th colour of the palette (it repeats). */
const char *lr_svg_colour(size_t i);

#endif
