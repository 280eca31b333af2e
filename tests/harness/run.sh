#!/usr/bin/env bash
# Self-test of the test harness: tests/lib/tap.sh (tap_include) and
# tests/run-all.sh read TAP and count it right. Fake suites in a temporary
# directory: one passes with a skip, one dies without its plan, one bails out,
# one exits non-zero after passing cases; the runner's last line must count
# each and its exit status must say "failed". Output: TAP.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
T=$(mktemp -d /tmp/mptcp-run-harness.XXXXXX)
trap 'rm -rf "$T"' EXIT

fake() { # NAME BODY: a suite sourcing tap.sh
	printf '. "%s/tests/lib/tap.sh"\n%s\n' "$ROOT" "$2" >"$T/$1.sh"
}
fake good 'ok one; skipped two "not here"; ok three; tap_done'
fake noplan 'ok one; exit 0'
fake bail 'ok one; tap_bail "no build"'
fake died 'ok one; echo "1..1"; exit 3'
fake skipall 'tap_skip_all "not root"'
fake bad 'ok one; not_ok two "why"; tap_done'

run() { # EXPECTED-LAST-LINE EXPECTED-RC SUITES…
	local want=$1 wrc=$2 out rc last
	shift 2
	out=$(MR_CHECK_SUITES="$*" tests/run-all.sh 2>&1)
	rc=$?
	last=$(tail -1 <<<"$out")
	if [ "$last" = "$want" ] && [ $((wrc != 0)) = $((rc != 0)) ]; then
		ok "run-all: ${*//$T\//} -> '$want', exit $rc"
	else
		not_ok "run-all: ${*//$T\//}: want '$want' (exit $wrc), got '$last' (exit $rc)" "$out" 60
	fi
}
run "total: 2 passed, 0 failed, 2 skipped" 0 "$T/good.sh" "$T/skipall.sh"
run "total: 1 passed, 1 failed, 0 skipped" 1 "$T/noplan.sh"
run "total: 1 passed, 1 failed, 0 skipped" 1 "$T/bail.sh"
run "total: 1 passed, 1 failed, 0 skipped" 1 "$T/died.sh"
run "total: 1 passed, 1 failed, 0 skipped" 1 "$T/bad.sh"
run "total: 0 passed, 1 failed, 0 skipped" 1 "$T/missing.sh"

# make check runs every suite there is.
listed=$(MR_CHECK_LIST=1 tests/run-all.sh | sort)
present=$( (echo unit; find tests -mindepth 2 -maxdepth 2 -name run.sh) | sort)
if [ "$listed" = "$present" ]; then
	ok "run-all runs the unit tests and every tests/*/run.sh ($(wc -l <<<"$present"))"
else
	not_ok "run-all's list differs from the suites there are" "$(diff <(echo "$listed") <(echo "$present"))"
fi

# tap_include: the same streams folded into one.
out=$(bash -c '. tests/lib/tap.sh
	for s in good noplan bail died skipall bad; do tap_include "$s" bash "$1/$s.sh"; done
	tap_done' _ "$T" 2>&1)
plan=$(grep -c '^ok\|^not ok' <<<"$out")
fails=$(grep '^not ok' <<<"$out" | sed 's/^not ok [0-9]* - //' | tr '\n' '|')
want='noplan: its TAP stream ended without a plan (exit 0)|bail: bailed out: no build|died: exited 3 without a failing case|bad: two|'
if [ "$fails" = "$want" ] && grep -q "^1\.\.$plan\$" <<<"$out" && grep -q '^ok [0-9]* - skipall # SKIP not root$' <<<"$out" &&
	grep -q '^ok [0-9]* - good: two # SKIP not here$' <<<"$out"; then
	ok "tap_include: skips kept, a missing plan, a bail-out and a bare non-zero exit are failures"
else
	not_ok "tap_include folds sub-suites" "$out" 60
fi
if prove -e cat /dev/stdin <<<"$out" >/dev/null 2>&1; then
	not_ok "prove rejects the folded stream with failures"
elif prove -e cat /dev/stdin <<<"$(bash -c '. tests/lib/tap.sh; tap_include g bash "$1/good.sh"; tap_done' _ "$T")" >/dev/null 2>&1; then
	ok "prove reads tap.sh and tap_include output as valid TAP"
else
	not_ok "prove reads tap.sh and tap_include output as valid TAP"
fi
# tests/lib/misorder.py: what the matrix retries as the kernel's misordered
# data (a region that is sent data from another offset), and what it does not.
# Seeded, not /dev/urandom: a region's edges are where bytes happen to differ,
# and the expected line names them.
seeded() { python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(int(sys.argv[1])).randbytes(int(sys.argv[2])))' "$@"; }
seeded 7 200000 >"$T/sent"
mis() { python3 tests/lib/misorder.py "$1" "${2:-$T/sent}" >"$T/mis.out" 2>&1; echo $?; }
{ head -c 73728 "$T/sent"; tail -c +74901 "$T/sent" | head -c 7020; tail -c +80749 "$T/sent"; } >"$T/shifted"
{ head -c 73728 "$T/sent"; seeded 8 7020; tail -c +80749 "$T/sent"; } >"$T/garbage"
head -c 199000 "$T/sent" >"$T/short"
# A copy from 2.2 MB away: not the kernel's misorder, which stays within a window (1 MiB).
seeded 9 2300000 >"$T/far-sent"
{ head -c 2200000 "$T/far-sent"; tail -c +101 "$T/far-sent" | head -c 10000; tail -c +2210001 "$T/far-sent"; } >"$T/far"
r_shift=$(mis "$T/shifted"); o_shift=$(cat "$T/mis.out")
r_garb=$(mis "$T/garbage"); r_short=$(mis "$T/short"); r_same=$(mis "$T/sent"); r_far=$(mis "$T/far" "$T/far-sent")
if [ "$r_shift" = 0 ] && [ "$(head -1 <<<"$o_shift")" = "received[73728:80748) = sent[74900:81920)" ] &&
	[[ $(tail -1 <<<"$o_shift") == "kernel misorder: 1 region(s) misplaced, first wrong byte 73728, shift +1172"* ]] &&
	[ "$r_garb" = 1 ] && [ "$r_short" = 1 ] && [ "$r_same" = 1 ] && [ "$r_far" = 1 ]; then
	ok "misorder.py: a shifted copy is misordered data (exit 0); garbage, a short file, identical data, a copy from 2.2 MB away are not (exit 1)"
else
	not_ok "misorder.py" "shifted $r_shift ($o_shift), garbage $r_garb, short $r_short, identical $r_same, far $r_far"
fi

# tap_payload: the one classifier, three verdicts; a named misorder is counted in the
# suite's summary and in run-all's closing lines.
head -c 5000 "$T/garbage" >"$T/g5k"
fake mis "tap_payload '$T/sent' '$T/shifted'; r1=\$?; tap_payload '$T/sent' '$T/garbage'; r2=\$?
tap_payload '$T/sent' '$T/sent'; r3=\$?; [ \$r1\$r2\$r3 = 210 ] && ok verdicts || not_ok verdicts \"\$r1\$r2\$r3\"; tap_done"
out=$(MR_CHECK_SUITES="$T/mis.sh" tests/run-all.sh 2>&1)
if grep -q '^ok 1 - verdicts' <<<"$out" && grep -q '^# kernel misorders named, each retried: 1$' <<<"$out" &&
	grep -q '^kernel misorders: 1 (a known kernel fault' <<<"$out" &&
	grep -q '^# not the kernel.s shape: ' <<<"$out" && [ "$(tail -1 <<<"$out")" = "total: 1 passed, 0 failed, 0 skipped" ]; then
	ok "tap_payload: misorder 2, garbage 1, identical 0; the misorder counted in the suite and in run-all's closing lines"
else
	not_ok "tap_payload verdicts and counts" "$out"
fi

tap_done
