#!/usr/bin/env bash
# Differential test: every scenario of tests/differential/seq.c runs three ways,
#   tcp    plain, no library (the program's socket(..., 0) is TCP);
#   lib    under libmptcp-run.so with a policy that makes it replace sockets;
#   mptcp  no library, the program asks for IPPROTO_MPTCP itself;
# and every transcript line of lib and mptcp is compared with tcp's. The
# "#proto" line is not compared: it must show what the mode implies (lib: the
# predicted protocol after socket(), the policy's verdict at the end), which
# proves the replacement happened. A difference fails the case unless
# tests/differential/known.txt lists it (scenario, mode, line, reason); an
# entry that matches nothing fails too, so the list stays exact.
#
# Runs in a private network namespace (root): loopback carries 198.18.0.1 (the
# policy says MPTCP) and 127.0.0.1 (the policy says TCP).
#
#   tests/differential/run.sh [SCENARIO.DIR...]    default: every scenario, up and down
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
SEQ=$ROOT/build/tests/differential/seq
LIB=${MR_FUNC_PRELOAD:-$ROOT/build/libmptcp-run.so}
KNOWN=${MR_DIFF_KNOWN:-$ROOT/tests/differential/known.txt}

if [ "${1:-}" != --inside ]; then
	# tap.sh prints the TAP header: sourced here only to skip or bail, else inside.
	tap_skip_all() { . "$ROOT/tests/lib/tap.sh"; tap_skip_all "$@"; }
	tap_bail() { . "$ROOT/tests/lib/tap.sh"; tap_bail "$@"; }
	[ "$(id -u)" = 0 ] || tap_skip_all "needs root for a private network namespace (unshare -n)"
	unshare -n true 2>/dev/null || tap_skip_all "unshare -n does not work here"
	[ -e "$LIB" ] || tap_bail "$LIB missing: run make first"
	# The Makefile builds tests/shim/*.c only: the driver is built here, like the other tests.
	if [ ! -x "$SEQ" ] || [ "$ROOT/tests/differential/seq.c" -nt "$SEQ" ] ||
		[ "$ROOT/shim/kernel/uapi.h" -nt "$SEQ" ]; then
		mkdir -p "${SEQ%/*}"
		${CC:-cc} -std=gnu11 -D_GNU_SOURCE -iquote shim -Wall -Wextra -Werror -Wshadow \
			-Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -O2 -g \
			-o "$SEQ" tests/differential/seq.c || tap_bail "cannot build $SEQ"
	fi
	exec unshare -n bash "$0" --inside "$@"
fi
shift
. "$ROOT/tests/lib/tap.sh"

TMP=$(mktemp -d /tmp/mptcp-run-diff.XXXXXX)
pids=()
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! ip link set lo up || ! ip addr add 198.18.0.1/32 dev lo; then
	tap_bail "cannot configure loopback in the namespace"
fi
[ "$(cat /proc/sys/net/mptcp/enabled 2>/dev/null)" = 1 ] || tap_skip_all "MPTCP is not enabled in this kernel"
for a in 198.18.0.1 127.0.0.1; do
	"$SEQ" serve "$a:7001" "$TMP/ready.$a" >"$TMP/serve.$a.log" 2>&1 &
	pids+=($!)
done
for _ in $(seq 50); do
	[ -e "$TMP/ready.198.18.0.1" ] && [ -e "$TMP/ready.127.0.0.1" ] && break
	sleep 0.1
done
if [ ! -e "$TMP/ready.198.18.0.1" ] || [ ! -e "$TMP/ready.127.0.0.1" ]; then
	tap_bail "echo servers did not start: $(cat "$TMP"/serve.*.log)"
fi

# The policy: MPTCP for every endpoint but loopback, so the verdict depends on the
# endpoint (plan DECIDE) and the library predicts, then replaces at connect().
CONF=$TMP/diff.conf
printf '%s\n' 'defaults = { mode = "mptcp"; exclude = [ "127.0.0.0/8", "::1/128" ]; integrity = "accept-risk"; };' >"$CONF"

# known.txt: "SCENARIO | MODE | LINE | REASON"; SCENARIO, MODE and LINE are shell globs.
k_scen=() k_mode=() k_line=() k_why=() k_used=()
while IFS= read -r l; do
	[[ $l =~ ^[[:space:]]*(#|$) ]] && continue
	IFS='|' read -r s m ln why <<<"$l"
	trim() { local x=$1; x=${x#"${x%%[![:space:]]*}"}; echo "${x%"${x##*[![:space:]]}"}"; }
	k_scen+=("$(trim "$s")") k_mode+=("$(trim "$m")") k_line+=("$(trim "$ln")") k_why+=("$(trim "$why")") k_used+=(0)
done <"$KNOWN"

# known SCENARIO MODE LINE: prints the reason and marks the entry used, or fails.
known() {
	local i found=1
	for i in "${!k_scen[@]}"; do
		# shellcheck disable=SC2053 # the fields are globs
		if [[ $1 == ${k_scen[i]} && $2 == ${k_mode[i]} && $3 == ${k_line[i]} ]]; then
			k_used[i]=1
			[ $found = 1 ] && reason=${k_why[i]}
			found=0
		fi
	done
	return $found
}

run_mode() { # run_mode MODE CASE: the transcript on stdout of $TMP/CASE.MODE
	local envs=()
	[ "$1" = lib ] && envs=(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_LOG=info)
	env "${envs[@]}" timeout 30 "$SEQ" "$1" "$2" >"$TMP/$2.$1" 2>"$TMP/$2.$1.err"
	echo "exit: $?" >>"$TMP/$2.$1"
}

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	while read -r s; do cases+=("$s.up" "$s.down"); done < <("$SEQ" list)
fi

for c in "${cases[@]}"; do
	for m in tcp lib mptcp; do run_mode "$m" "$c"; done
	report="" n_known=0 n_new=0
	for m in lib mptcp tcp; do
		items=()
		if [ "$m" != tcp ]; then
			# Line by line against tcp; the "#" lines are compared separately below.
			# The third mode's line is shown for context: lib like mptcp means MPTCP's semantics.
			o=mptcp; [ "$m" = mptcp ] && o=lib
			mapfile -t Tc < <(grep -v '^#' "$TMP/$c.tcp")
			mapfile -t Mc < <(grep -v '^#' "$TMP/$c.$m")
			mapfile -t Oc < <(grep -v '^#' "$TMP/$c.$o")
			n=${#Tc[@]}; [ ${#Mc[@]} -gt "$n" ] && n=${#Mc[@]}
			for ((i = 0; i < n; i++)); do
				[ "${Tc[i]-<none>}" = "${Mc[i]-<none>}" ] && continue
				items+=("${Mc[i]-<no line>}"$'\x1f'"(tcp: ${Tc[i]-<no line>}; $o: ${Oc[i]-<no line>})")
			done
		fi
		p=$(grep '^#proto' "$TMP/$c.$m")
		if [[ $p =~ before=([0-9-]+)\ after=([0-9-]+)\ want_before=([0-9-]+)\ want_after=([0-9-]+) ]]; then
			[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[3]}" ] && [ "${BASH_REMATCH[2]}" = "${BASH_REMATCH[4]}" ] ||
				items+=("$p"$'\x1f'"(SO_PROTOCOL: not what this mode must give)")
		else
			items+=("#proto missing"$'\x1f'"(the driver did not get to the end)")
		fi
		for it in "${items[@]}"; do
			line=${it%%$'\x1f'*} ctx=${it#*$'\x1f'}
			reason=""
			if known "$c" "$m" "$line"; then
				n_known=$((n_known + 1))
				report+="  known  $m: $line"$'\n'"         $ctx"$'\n'"         why: $reason"$'\n'
			else
				n_new=$((n_new + 1))
				report+="  NEW    $m: $line"$'\n'"         $ctx"$'\n'
			fi
		done
	done
	if [ $n_new -eq 0 ]; then
		if [ $n_known -eq 0 ]; then ok "$c: lib and mptcp match tcp"
		else ok "$c: lib and mptcp match tcp but for $n_known known difference(s)"; fi
		if [ $n_known -gt 0 ] && [ -n "${MR_DIFF_VERBOSE:-}" ]; then
			while IFS= read -r l; do echo "# $l"; done <<<"${report%$'\n'}"
		fi
	else
		details="$n_new difference(s) not in tests/differential/known.txt:"$'\n'"$report"
		[ -s "$TMP/$c.lib.err" ] && details+="stderr (lib): $(head -5 "$TMP/$c.lib.err")"
		not_ok "$c: lib and mptcp match tcp" "${details%$'\n'}" 80
	fi
done

# Stale entries: only when every case ran (a subset cannot tell).
if [ $# -eq 0 ]; then
	stale=""
	for i in "${!k_scen[@]}"; do
		[ "${k_used[i]}" = 1 ] || stale+="${stale:+$'\n'}${k_scen[i]} | ${k_mode[i]} | ${k_line[i]}"
	done
	if [ -z "$stale" ]; then ok "every known.txt entry still describes a difference"
	else not_ok "known.txt entries that no longer differ (delete them)" "$stale"; fi
fi
tap_done
