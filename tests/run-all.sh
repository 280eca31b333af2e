#!/usr/bin/env bash
# `make check`: the unit tests, then every functional suite, each run by
# prove(1) as the TAP stream it prints (the suites through tests/lib/tap.sh,
# the cmocka binaries with CMOCKA_MESSAGE_OUTPUT=TAP). prove shows every case
# and judges each stream (plan, numbering, exit status); tests/lib/tap-count
# adds up the same streams. Last line:
#   total: N passed, N failed, N skipped
# (skips are not passes); the exit status is non-zero if a case failed or a
# stream died without its plan.
set -u
cd "$(dirname "$0")/.." || exit 2
TAP_LOG_DIR=$(mktemp -d /tmp/mptcp-run-check.XXXXXX)
export TAP_LOG_DIR CMOCKA_MESSAGE_OUTPUT=TAP
trap 'rm -rf "$TAP_LOG_DIR"' EXIT
bad=()

SUITES=(unit tests/harness/run.sh tests/deps/run.sh tests/structure/run.sh tests/version/run.sh
	tests/shim/run.sh
	tests/install/run.sh
	tests/launcher/run.sh tests/integrity/run.sh tests/testbed/run.sh tests/supervise/run.sh tests/matrix/run.sh tests/report/run.sh tests/hardening/run.sh
	tests/differential/run.sh tests/pathd/run.sh tests/live/run.sh tests/package/run.sh)
# MR_CHECK_SUITES="unit tests/x/run.sh …": another list (the harness self-test uses it);
# MR_CHECK_LIST=1: print the list and stop.
[ -z "${MR_CHECK_SUITES:-}" ] || read -r -a SUITES <<<"$MR_CHECK_SUITES"
if [ -n "${MR_CHECK_LIST:-}" ]; then
	printf '%s\n' "${SUITES[@]}"
	exit 0
fi

# run_prove NAME TEST…
run_prove() {
	local name=$1
	shift
	echo "=== $name"
	prove -v --merge --exec tests/lib/tap-tee "$@" || bad+=("$name")
}

unit() {
	local t units=()
	for t in build/tests/unit/test_*; do [ -x "$t" ] && units+=("$t"); done
	if [ ${#units[@]} -gt 0 ]; then
		run_prove unit "${units[@]}"
	else
		echo "=== unit"
		echo "no unit test binaries in build/tests/unit (make tests)"
		bad+=(unit)
	fi
}

for suite in "${SUITES[@]}"; do
	if [ "$suite" = unit ]; then
		unit
	elif [ -f "$suite" ]; then
		run_prove "${suite%.sh}" "$suite"
	else
		echo "=== ${suite%/run.sh}: $suite missing"
		bad+=("${suite%/run.sh}")
	fi
done

echo
echo "=== counts"
logs=("$TAP_LOG_DIR"/*.tap)
if [ -e "${logs[0]}" ] && counts=$(tests/lib/tap-count "${logs[@]}"); then
	sed '$d' <<<"$counts"
	read -r p f s < <(tail -1 <<<"$counts")
else
	p=0 f=0 s=0
fi
# Transfers the kernel's multi-path data fault corrupted (tests/lib/misorder.py named them;
# each was tried again): counted apart, never hidden.
mis=$(cat "${logs[@]}" 2>/dev/null | grep -c '^# kernel misorder:')
if [ "${mis:-0}" -gt 0 ]; then
	echo "kernel misorders: $mis (a known kernel fault: README, \"The kernel's multi-path data fault\"):"
	grep -h '^# kernel misorder:' "${logs[@]}" | sed 's/^# /  /' | head -20
fi
# A suite prove failed that counted no failure (missing, unreadable) is one more.
[ ${#bad[@]} -eq 0 ] || { echo "failed suites: ${bad[*]}"; [ "$f" -gt 0 ] || f=${#bad[@]}; }
echo "total: $p passed, $f failed, $s skipped"
[ ${#bad[@]} -eq 0 ] && [ "$f" -eq 0 ]
