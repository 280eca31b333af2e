#!/usr/bin/env bash
# Runs every cmocka unit test binary in build/tests/ and sums their results.
set -u
cd "$(dirname "$0")/.." || exit 2
pass=0 fail=0
for t in build/tests/unit/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | sed 's/^/  /'
	p=$(printf '%s\n' "$out" | sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	pass=$((pass + ${p:-0}))
	if [ "$rc" -ne 0 ]; then fail=$((fail + ${f:-1})); fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
