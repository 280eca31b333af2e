#!/usr/bin/env bash
# `make check`: unit tests, then every functional suite. Each suite prints
# "N passed, N failed[, N skipped]" as its last line; this script adds them up
# and fails if any suite failed.
set -u
cd "$(dirname "$0")/.." || exit 2
total_p=0 total_f=0 total_s=0 bad=()

run_suite() {
	local name=$1; shift
	echo "=== $name"
	local log; log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local last; last=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	rm -f "$log"
	local p f s
	p=$(sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p' <<<"$last")
	f=$(sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p' <<<"$last")
	s=$(sed -n 's/.* \([0-9][0-9]*\) skipped.*/\1/p' <<<"$last")
	total_p=$((total_p + ${p:-0})); total_f=$((total_f + ${f:-0})); total_s=$((total_s + ${s:-0}))
	if [ "$rc" -ne 0 ] || [ -z "$last" ]; then
		bad+=("$name")
		[ "${f:-0}" -gt 0 ] || total_f=$((total_f + 1))
	fi
}

run_suite unit tests/run-unit.sh
for suite in tests/shim/run.sh tests/install/run.sh tests/launcher/run.sh tests/testbed/run.sh tests/supervise/run.sh tests/matrix/run.sh \
	tests/report/run.sh tests/hardening/run.sh; do
	[ -f "$suite" ] && run_suite "${suite%/run.sh}" bash "$suite"
done

echo
[ ${#bad[@]} -eq 0 ] || echo "failed suites: ${bad[*]}"
echo "total: $total_p passed, $total_f failed, $total_s skipped"
[ ${#bad[@]} -eq 0 ]
