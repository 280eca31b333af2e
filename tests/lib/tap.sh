# shellcheck shell=bash
# The one TAP helper of the shell suites. Source it, call ok / not_ok / skipped
# per case and tap_done last:
#
#   . "$ROOT/tests/lib/tap.sh"
#   ok "the socket is MPTCP"
#   not_ok "bytes on path 2" "$details"      # details become "#" diagnostics
#   skipped "IPv6 rows" "no IPv6 on this kernel"
#   tap_include "ncat" bash sub-suite.sh     # a sub-suite's TAP, re-emitted here
#   tap_done                                 # plan line, summary, exit status
#
# Output is TAP version 13 with the plan at the end ("1..N": the suites learn
# their case count as they go), read by prove(1) in tests/run-all.sh. A skip is
# "ok N - name # SKIP reason", never a pass in the summary. The counters are
# the globals tap_n, pass, fail and skip.

tap_n=0 pass=0 fail=0 skip=0 tap_misorders=0
TAP_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
echo "TAP version 13"

# TAP descriptions are one line; in a name "#" would start a directive.
tap_line_() { printf '%s' "${1//$'\n'/ }"; }
tap_desc_() {
	local d
	d=$(tap_line_ "$1")
	printf '%s' "${d//#/\\#}"
}

ok() {
	tap_n=$((tap_n + 1)) pass=$((pass + 1))
	echo "ok $tap_n - $(tap_desc_ "$1")"
}

# not_ok NAME [DETAILS [MAX_LINES]]
not_ok() {
	tap_n=$((tap_n + 1)) fail=$((fail + 1))
	echo "not ok $tap_n - $(tap_desc_ "$1")"
	# shellcheck disable=SC2001 # a prefix on every line of a multi-line text
	if [ -n "${2:-}" ]; then sed 's/^/#   /' <<<"$2" | head -"${3:-40}"; fi
	return 0
}

# skipped NAME REASON: a case that could not run here, and why.
skipped() {
	tap_n=$((tap_n + 1)) skip=$((skip + 1))
	echo "ok $tap_n - $(tap_desc_ "$1") # SKIP $(tap_line_ "${2:-no reason given}")"
}

# A whole suite that cannot run here (not root, no netns): call it before any
# case. One skip, the plan, exit 0.
tap_skip_all() {
	echo "1..0 # SKIP $(tap_line_ "$1")"
	echo "# 0 passed, 0 failed, 1 skipped"
	exit 0
}

# Bails out: the suite cannot go on (build missing…); counts as a failure.
tap_bail() {
	echo "Bail out! $(tap_line_ "$1")"
	echo "# $pass passed, $((fail + 1)) failed, $skip skipped"
	exit 1
}

# tap_include PREFIX CMD…: runs CMD, a sub-suite printing a TAP stream of its
# own (tap.sh in a namespace, a child script), and re-emits each of its cases
# here as "PREFIX: name" (PREFIX "": the names as they are), with its diagnostics; its other output becomes "#"
# comments. A sub-suite that bails out, ends without a plan, runs another
# number of cases than it planned or exits non-zero without a failing case is
# one more failure here. Its "1..0 # SKIP why" is one skip.
tap_include() {
	local prefix=${1:+$1: } what=${1:-$2} line desc reason plan="" bail="" rc=0 seen=0 bad=0 skipall=""
	shift
	while IFS= read -r line; do
		case $line in
		"@@tap_include_rc "*) rc=${line#@@tap_include_rc } ;;
		"TAP version "*) ;;
		"Bail out!"*) bail=${line#Bail out!} ;;
		"ok"* | "not ok"*)
			if ! [[ $line =~ ^(not )?ok([[:space:]]+[0-9]+)?([[:space:]]+-)?[[:space:]]*(.*)$ ]]; then
				echo "# $line"
				continue
			fi
			seen=$((seen + 1))
			desc=${BASH_REMATCH[4]}
			if [ -n "${BASH_REMATCH[1]}" ]; then
				bad=1
				not_ok "$prefix${desc//\\#/#}"
			elif [[ $desc =~ ^(.*[^\\])?[[:space:]]*#[[:space:]]*[Ss][Kk][Ii][Pp][^[:space:]]*[[:space:]]*(.*)$ ]]; then
				desc=${BASH_REMATCH[1]} reason=${BASH_REMATCH[2]}
				desc=${desc%"${desc##*[![:space:]]}"}
				skipped "$prefix${desc//\\#/#}" "${reason:-no reason given}"
			else
				ok "$prefix${desc//\\#/#}"
			fi
			;;
		1..*)
			plan=${line#1..}
			if [[ $plan =~ ^0[[:space:]]*#[[:space:]]*[Ss][Kk][Ii][Pp][^[:space:]]*[[:space:]]*(.*)$ ]]; then
				skipall=${BASH_REMATCH[1]:-no reason given} plan=0
			fi
			plan=${plan%%[!0-9]*}
			;;
		"# "[0-9]*" passed, "[0-9]*" failed"*) ;; # the sub-suite's own summary
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done < <(
		"$@" 2>&1
		echo "@@tap_include_rc $?"
	)
	if [ -n "$bail" ]; then
		not_ok "$what: bailed out:${bail:- (no reason)}"
	elif [ -z "$plan" ]; then
		not_ok "$what: its TAP stream ended without a plan (exit $rc)"
	elif [ -n "$skipall" ]; then
		skipped "$what" "$skipall"
	elif [ "$plan" != "$seen" ]; then
		not_ok "$what: planned $plan cases, ran $seen (exit $rc)"
	elif [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
		not_ok "$what: exited $rc without a failing case"
	fi
	return 0
}

# tap_payload SENT RECEIVED: whether a transfer's bytes arrived intact, and if not, why
# (tests/lib/misorder.py, the one classifier). 0: identical. 2: the kernel's misorder (README,
# "The kernel's multi-path data fault"), named on a "# kernel misorder:" line and counted;
# the caller may try the transfer again, at most twice. 1: another difference, a bug of ours
# until proven otherwise: the case fails. The classifier's line is printed either way.
tap_payload() {
	local line
	cmp -s "$1" "$2" && return 0
	line=$(python3 "$TAP_LIB/misorder.py" "$2" "$1" 2>&1 | tail -1)
	echo "# $line"
	case $line in
	"kernel misorder:"*)
		tap_misorders=$((tap_misorders + 1))
		return 2
		;;
	esac
	return 1
}

# tap_wait SECONDS CMD…: runs CMD every 0.1 s until it succeeds (0) or
# SECONDS of wall time have passed (1), the time CMD itself takes included
# (CMD must not block). Cases wait for the event they are about, not for a
# sleep that a slower or faster machine outruns.
tap_wait() {
	local now end=$((${EPOCHREALTIME//[!0-9]/} + $1 * 1000000))
	shift
	until "$@"; do
		now=${EPOCHREALTIME//[!0-9]/}
		[ "$now" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# The plan, the suite's summary as a TAP comment, and its exit status.
tap_done() {
	[ "$tap_misorders" -eq 0 ] || echo "# kernel misorders named, each retried: $tap_misorders"
	echo "1..$tap_n"
	echo "# $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
}
