/* SPDX-License-Identifier: MIT */
/*
 * The sub-commands. Each takes its own argv (argv[0] is the sub-command's
 * name) and returns the process exit status; lr_cmd_run returns only on error.
 * Exit status 2 always means bad input, and then nothing was changed.
 */
#ifndef MPTCP_RUN_LAUNCHER_COMMANDS_H
#define MPTCP_RUN_LAUNCHER_COMMANDS_H

#define LR_EXIT_OK       0
#define LR_EXIT_FAIL     1
#define LR_EXIT_USAGE    2
#define LR_EXIT_NOEXEC   126
#define LR_EXIT_NOTFOUND 127

int lr_cmd_run(int argc, char **argv);
int lr_cmd_check(int argc, char **argv);
int lr_cmd_explain(int argc, char **argv);
int lr_cmd_enable(int argc, char **argv);
int lr_cmd_disable(int argc, char **argv);
int lr_cmd_preload(int argc, char **argv);
int lr_cmd_report(int argc, char **argv);
int lr_cmd_pathd(int argc, char **argv);
int lr_cmd_paths(int argc, char **argv);
int lr_cmd_top(int argc, char **argv);
int lr_cmd_mark(int argc, char **argv);

/* Prints the usage to stdout (--help) or a pointer to it to stderr. */
void lr_usage(void);
void lr_usage_hint(void);

/* An option getopt rejected, in our words. */
void lr_bad_option(int argc, char **argv, int opt);

#endif
