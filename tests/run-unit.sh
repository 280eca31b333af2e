#!/usr/bin/env bash
# `make check-unit`: every cmocka unit test binary in build/tests/unit, run by
# prove(1) as TAP (CMOCKA_MESSAGE_OUTPUT=TAP). tests/run-all.sh runs them too.
set -u
cd "$(dirname "$0")/.." || exit 2
units=()
for t in build/tests/unit/test_*; do [ -x "$t" ] && units+=("$t"); done
[ ${#units[@]} -gt 0 ] || { echo "no unit test binaries in build/tests/unit (make tests)" >&2; exit 1; }
CMOCKA_MESSAGE_OUTPUT=TAP exec prove -v --exec '' "${units[@]}"
