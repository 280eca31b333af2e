/* SPDX-License-Identifier: MIT */
/*
 * Stand-alone `mptcp-run report` for the tests, so the summariser can be
 * exercised whether or not the launcher's main() dispatches to it yet.
 */
#include "cmd/commands.h"

int main(int argc, char **argv)
{
	return lr_cmd_report(argc, argv);
}
