/* SPDX-License-Identifier: MIT */
/*
 * Option parsing for the sub-commands, from a table: each sub-command says
 * which options it takes and where their values go; the parsing, -h/--help
 * and the messages for bad options (exit status 2) are the same everywhere.
 */
#ifndef MPTCP_RUN_LAUNCHER_CMD_OPTIONS_H
#define MPTCP_RUN_LAUNCHER_CMD_OPTIONS_H

#include <stdbool.h>

struct lr_option {
	const char *name; /* --name */
	char letter;      /* -x, or 0 when only the long form exists */
	const char **arg; /* takes an argument, stored here; NULL for a flag */
	bool *given;      /* set when the option appears (may be NULL for arguments) */
};

enum {
	LR_OPTS_HELP = -1, /* -h/--help: the usage was printed, exit 0 */
	LR_OPTS_BAD = -2,  /* unknown option or missing argument: a message was printed, exit 2 */
};

#define LR_MAX_OPTIONS 15

/*
 * Parses argv (argv[0] is the command's name) against opts, terminated by an
 * entry with a NULL name. stop_at_operand ends the options at the first operand,
 * as `mptcp-run ncat -l 5000` needs. Returns the index of the first operand,
 * or LR_OPTS_HELP / LR_OPTS_BAD.
 */
int lr_parse_options(int argc, char **argv, const struct lr_option *opts, bool stop_at_operand);

/*
 * An option's value as a number from min to max: the whole text, in decimal
 * (leading blanks and a sign allowed, as strtol/strtod take them). *out is
 * set only when it is one; the caller says what was expected (exit 2).
 */
bool lr_opt_integer(const char *text, long min, long max, long *out);
bool lr_opt_decimal(const char *text, double min, double max, double *out);

#endif
