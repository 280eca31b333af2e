# shellcheck shell=bash
# The one TAP helper of the shell suites. Source it, call ok / not_ok / skipped
# per case and tap_done last:
#
#   . "$ROOT/tests/lib/tap.sh"
#   ok "the socket is MPTCP"
#   not_ok "bytes on path 2" "$details"      # details become "#" diagnostics
#   skipped "IPv6 rows" "no IPv6 on this kernel"
#   tap_done                                 # plan line, summary, exit status
#
# Output is TAP version 13 with the plan at the end ("1..N": the suites learn
# their case count as they go), read by prove(1) in tests/run-all.sh. A skip is
# "ok N - name # SKIP reason", never a pass in the summary.

tap_n=0 pass=0 fail=0 skip=0
echo "TAP version 13"

ok() {
	tap_n=$((tap_n + 1)) pass=$((pass + 1))
	echo "ok $tap_n - $1"
}

# not_ok NAME [DETAILS [MAX_LINES]]
not_ok() {
	tap_n=$((tap_n + 1)) fail=$((fail + 1))
	echo "not ok $tap_n - $1"
	if [ -n "${2:-}" ]; then sed 's/^/#   /' <<<"$2" | head -"${3:-40}"; fi
	return 0
}

# skipped NAME REASON: a case that could not run here, and why.
skipped() {
	tap_n=$((tap_n + 1)) skip=$((skip + 1))
	echo "ok $tap_n - $1 # SKIP ${2:-no reason given}"
}

# A whole suite that cannot run here (not root, no netns): one skip, the plan, exit 0.
tap_skip_all() {
	echo "1..0 # SKIP $1"
	echo "# 0 passed, 0 failed, 1 skipped"
	exit 0
}

# Bails out: the suite cannot go on (build missing…); counts as a failure.
tap_bail() {
	echo "Bail out! $1"
	echo "# 0 passed, 1 failed"
	exit 1
}

# The plan, the suite's summary as a TAP comment, and its exit status.
tap_done() {
	echo "1..$tap_n"
	echo "# $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
}
