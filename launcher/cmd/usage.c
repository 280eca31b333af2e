/* SPDX-License-Identifier: MIT */
#include "cmd/commands.h"
#include "os/msg.h"

#include <getopt.h>
#include <stdio.h>

void lr_usage(void)
{
	fputs(
	    "Usage: mptcp-run [OPTIONS] [--] COMMAND [ARGS...]\n"
	    "       mptcp-run check [-c FILE] [--probe|--no-probe|--probe-control]\n"
	    "                       [--probe-seconds S] [PROGRAM]\n"
	    "       mptcp-run explain [-c FILE] [--preload] [--state FILE] PROGRAM\n"
	    "                       [connect|listen ADDRESS:PORT]\n"
	    "       mptcp-run enable|disable [--root DIR] UNIT\n"
	    "       mptcp-run preload install|uninstall|status [--root DIR]\n"
	    "       mptcp-run report FILE [--svg OUT]\n"
	    "       mptcp-run pathd [-c FILE] [-f] [-d] [--socket PATH] [--state PATH] [--usage "
	    "PATH]\n"
	    "                       [--grace MS] [--promote-ms MS]\n"
	    "       mptcp-run paths [--state FILE] [--json]\n"
	    "       mptcp-run top [-i SECONDS] [-s ORDER] [-p PROGRAM] [--state FILE] "
	    "[--once|--json]\n"
	    "       mptcp-run mark FILE TEXT...\n"
	    "\n"
	    "Runs COMMAND with its TCP sockets upgraded to Multipath TCP by the preload\n"
	    "library, as the per-program policy in the config says. Programs the library\n"
	    "cannot reach (static, Go before 1.21) run under the supervisor instead.\n"
	    "\n"
	    "Options:\n"
	    "  -c, --config FILE   use FILE as the policy (must parse; passed as MPTCP_RUN_CONF)\n"
	    "  -d, --debug         library log level debug (MPTCP_RUN_LOG=debug)\n"
	    "  -q, --quiet         no launcher warnings, library log off\n"
	    "  -l, --log LEVEL     library log level: off, error, warn, info, debug\n"
	    "  -r, --report FILE   append one JSON line per connection to FILE\n"
	    "                      (MPTCP_RUN_REPORT); summarise with mptcp-run report FILE\n"
	    "      --report-sample N  one accepted connection in N gets a line (busy servers)\n"
	    "      --supervise     always use the supervisor (seccomp user notification)\n"
	    "      --no-supervise  never: unreachable programs stay TCP\n"
	    "      --timeline FILE  sample the command's MPTCP connections from the outside\n"
	    "                      into FILE (JSON lines); draw with mptcp-run report FILE --svg\n"
	    "      --timeline-interval SECONDS  between samples (default 0.2)\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       the version\n"
	    "\n"
	    "Sub-commands:\n"
	    "  check               is MPTCP usable here; what to fix if not; PROGRAM: its "
	    "backend;\n"
	    "                      as root, whether the kernel delivers multi-path data intact\n"
	    "  explain             the backend and the config rule for a program and endpoint;\n"
	    "                      its paths now: interfaces (by kind too), budgets and their use\n"
	    "  enable UNIT         systemd drop-in that runs UNIT with MPTCP\n"
	    "  disable UNIT        remove that drop-in\n"
	    "  preload ...         add/remove the library in /etc/ld.so.preload (all programs)\n"
	    "  report FILE         summarise a --report file: MPTCP, fallback, TCP; bytes per "
	    "path;\n"
	    "                      or a --timeline file: bytes per interface, events\n"
	    "  pathd               the per-program paths daemon (userspace path manager)\n"
	    "  paths               what the paths daemon does now; use of metered paths against\n"
	    "                      their budgets, per path and per program\n"
	    "  top                 live view of every MPTCP connection and subflow of this\n"
	    "                      network namespace: rates per interface, owners, RTT;\n"
	    "                      keys: s sort, f filter by program, p pause, q quit;\n"
	    "                      -i SECONDS, -s rate|bytes|program|pid|remote, -p PROGRAM,\n"
	    "                      --once / --json: one snapshot, no terminal needed\n"
	    "  mark FILE TEXT      add an event (\"wifi down\") to a --timeline FILE\n"
	    "  pathd options: -f foreground, -d a line per decision, --grace MS before an\n"
	    "      unregistered connection gets the defaults (50), --promote-ms MS a join stays\n"
	    "      backup after it is established (20: protects against misordered data),\n"
	    "      --usage FILE byte counts on metered paths across restarts\n"
	    "      (/var/lib/mptcp-run/pathd-usage.json; \"\" for none); per program,\n"
	    "      path_mode = \"aggregate\" (all paths), \"handover\" (the next\n"
	    "      path only when the first fails) or \"interactive\" (the fastest path) in\n"
	    "      the config; a failed subflow comes back after 1 s, 2 s, 4 s... (60 s)\n"
	    "\n"
	    "Examples:\n"
	    "  mptcp-run --report conn.json curl http://198.18.1.2:8000/\n"
	    "  mptcp-run report conn.json\n"
	    "  mptcp-run top\n"
	    "  mptcp-run top --json -i 0.5\n"
	    "  mptcp-run --timeline run.json ncat 198.18.1.2 5000 < file\n"
	    "  mptcp-run mark run.json \"wifi down\"    (from another shell, meanwhile)\n"
	    "  mptcp-run report run.json --svg run.svg\n"
	    "  mptcp-run -d ncat -l 5000\n"
	    "  mptcp-run -c ./mptcp-run.conf iperf3 -c 198.18.1.2\n"
	    "  mptcp-run check\n"
	    "  sudo mptcp-run check --probe --probe-seconds 120   # a longer, surer probe\n"
	    "  mptcp-run explain curl connect 198.18.1.2:443\n"
	    "  mptcp-run enable nginx && systemctl restart nginx\n"
	    "  mptcp-run pathd -f -d --promote-ms 50\n"
	    "  mptcp-run paths\n"
	    "  mptcp-run explain ssh    (its paths now, its path mode, its budgets and their\n"
	    "                            use, and where each value comes from)\n"
	    "\n"
	    "Exit status: the command's own; 2 for bad usage, 126 when COMMAND cannot be\n"
	    "run, 127 when it is not found. See mptcp-run(1).\n",
	    stdout);
}

void lr_usage_hint(void)
{
	fputs("Usage: mptcp-run [OPTIONS] [--] COMMAND [ARGS...]  (mptcp-run --help for more)\n",
	      stderr);
}

void lr_bad_option(int argc, char **argv, int opt)
{
	const char *word = optind > 0 && optind - 1 < argc ? argv[optind - 1] : "?";

	/* getopt leaves optopt for short options; for long ones only the word tells. */
	if (opt == ':')
		lr_err("option '%s' needs an argument", word);
	else if (optopt)
		lr_err("unknown option '-%c'", optopt);
	else
		lr_err("unknown option '%s'", word);
	lr_usage_hint();
}
