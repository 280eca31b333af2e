/* SPDX-License-Identifier: MIT */
/*
 * mptcp-run: dispatch. A sub-command name is only recognised as the very
 * first argument; `mptcp-run -- check` runs a program called "check".
 */
#include "cmd/commands.h"

#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} subcommands[] = {
    {"check", lr_cmd_check},
    {"explain", lr_cmd_explain},
    {"enable", lr_cmd_enable},
    {"disable", lr_cmd_disable},
    {"preload", lr_cmd_preload},
    {"report", lr_cmd_report},
    {"pathd", lr_cmd_pathd},
    {"paths", lr_cmd_paths},
    {"top", lr_cmd_top},
    {"mark", lr_cmd_mark},
    /* mptcpize's spelling, for muscle memory. */
    {"run", lr_cmd_run},
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc >= 2) {
		for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
			if (strcmp(argv[1], subcommands[i].name) == 0)
				return subcommands[i].fn(argc - 1, argv + 1);
	}
	/* argv[0] stays, so messages and getopt see "mptcp-run". */
	return lr_cmd_run(argc, argv);
}
