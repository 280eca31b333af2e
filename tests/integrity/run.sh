#!/usr/bin/env bash
# The kernel integrity probe and what protects users (README, "The kernel's
# multi-path data fault"). As the README writes it: `mptcp-run check` as root,
# its default record /var/lib/mptcp-run/kernel-integrity, each case in a
# private mount namespace whose /var/lib starts empty (the machine's own
# record is never read or written).
#  - the probe names this kernel's fault within 30 s (the join-while-reading
#    test misplaces data every time), records it, and a second `check`, root
#    or not, reads the record instead of probing again;
#  - the negative control: the same tests over one path find nothing and
#    record nothing;
#  - a record of another kernel, an earlier boot, not owned by root, writable
#    by others or garbled is ignored;
#  - the listener guard: a listener under the library stays TCP (one info
#    line) without a record, with a "misorders" record, and with an ignored
#    one; MPTCP with an "intact" record of this boot or integrity =
#    "accept-risk"; `explain` says which protection a program gets;
#  - the protection on the wire (20 uploads each, some with path 1 cut): the
#    path daemon's protected join, and a server set up as check advises;
#  - a probe interrupted (SIGINT, SIGTERM, SIGKILL) leaves no process and no
#    network namespace behind.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
B=$ROOT/build/mptcp-run
LIB=$ROOT/build/libmptcp-run.so
P=$ROOT/build/tests/shim/probe
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "needs root (network namespaces, a private mount namespace)"
{ [ -x "$B" ] && [ -x "$P" ]; } || tap_bail "build first: make tests"
[ "$(cat /proc/sys/net/mptcp/enabled 2>/dev/null)" = 1 ] || tap_skip_all "MPTCP is not enabled"
TMP=$(mktemp -d /tmp/mptcp-run-integrity.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
REC=/var/lib/mptcp-run/kernel-integrity

# in_private CMD...: CMD in a mount namespace of its own whose /var/lib is an empty tmpfs.
in_private() {
	unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /var/lib && exec "$@"' sh "$@"
}
# The state a case starts from, as a script run inside in_private before CMD.
# with_record TEXT|- CMD...: TEXT written as the record (root-owned, 0644) first; - for none.
with_record() {
	local text=$1
	shift
	printf '%s' "$text" >"$TMP/record"
	# shellcheck disable=SC2016 # the inner shell expands its own arguments
	in_private sh -c '[ "$1" = - ] || { mkdir -p /var/lib/mptcp-run && cp "$2" /var/lib/mptcp-run/kernel-integrity && chmod 0644 /var/lib/mptcp-run/kernel-integrity; }; shift 2; exec "$@"' \
		sh "$text" "$TMP/record" "$@"
}
record() { # record VERDICT [RELEASE [BOOT_ID]]: a record for the running kernel, or another
	printf 'verdict=%s\nrelease=%s\nversion=%s\nboot_id=%s\ntime=%s\nmethod=join-while-reading,transfers\nruns=4\nmisordered=%s\nheld_runs=3\nheld_misordered=%s\nfirst_wrong=%s\nshift=%s\nseconds=20\n' \
		"$1" "${2:-$(uname -r)}" "$(uname -v)" "${3:-$(cat /proc/sys/kernel/random/boot_id)}" "$(date +%s)" \
		"$([ "$1" = misorders ] && echo 3 || echo 0)" "$([ "$1" = misorders ] && echo 3 || echo 0)" \
		"$([ "$1" = misorders ] && echo 102576 || echo -1)" "$([ "$1" = misorders ] && echo 28496 || echo -1)"
}

# --- the probe, as the README writes it ---
t0=$EPOCHREALTIME
out=$(in_private sh -c "'$B' check; echo rc=\$?; echo ---; cat $REC 2>&1" 2>&1)
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
verdict=$(grep '^warn kernel integrity: ' <<<"$out")
if grep -q 'rc=0' <<<"$out" && grep -q 'MISORDERS data received on joined subflows: 3 of 3 join-while-reading tests' <<<"$verdict" &&
	grep -qx 'verdict=misorders' <<<"$out" && grep -qx 'held_misordered=3' <<<"$out" &&
	awk -v s="$secs" 'BEGIN { exit !(s <= 32) }'; then
	ok "mptcp-run check as root names the kernel fault in ${secs} s (3 of 3 join-while-reading tests) and records it"
	echo "# $verdict" | cut -c1-300
else
	not_ok "mptcp-run check as root names the kernel fault within 30 s (took ${secs} s)" "$out"
fi

# The record is read back: no second probe, and the same verdict for a user who is not root.
rec_ok=$(record misorders)
out=$(with_record "$rec_ok" sh -c "'$B' check -c /dev/null 2>&1 | grep 'kernel integrity'; echo ---; setpriv --reuid=65534 --regid=65534 --clear-groups '$B' check -c /dev/null 2>&1 | grep 'kernel integrity'" 2>&1)
if [ "$(grep -c 'MISORDERS data received on joined subflows: 3 of 3' <<<"$out")" = 2 ] &&
	! grep -q 'join while reading' <<<"$out"; then
	ok "a second check reads the record (no probe), root or not"
else
	not_ok "a second check reads the record (no probe), root or not" "$out"
fi

# --- the negative control: one path, no join ---
out=$(in_private sh -c "'$B' check --probe-control --probe-seconds 10; echo ---; ls /var/lib/mptcp-run 2>&1" 2>&1)
if grep -qE '^ok   probe control: one path, no join: 0 of [0-9]+ tests misordered' <<<"$out" &&
	grep -q 'No such file' <<<"$out"; then
	ok "the negative control (one path, no join) finds nothing and records nothing: $(grep -o '0 of [0-9]* tests' <<<"$out")"
else
	not_ok "the negative control (one path, no join) finds nothing and records nothing" "$out"
fi

# --- records that are not believed ---
ignored() { # NAME SETUP-SCRIPT EXPECT-REGEX: check --no-probe says "not probed" with the reason
	local out
	printf '%s' "$(record misorders)" >"$TMP/good"
	out=$(in_private sh -c "mkdir -p /var/lib/mptcp-run && $2; '$B' check --no-probe -c /dev/null 2>&1 | grep 'kernel integrity'" 2>&1)
	if grep -q 'not probed on this kernel and boot' <<<"$out" && grep -qE "$3" <<<"$out"; then
		ok "ignored: $1"
	else
		not_ok "ignored: $1" "$out"
	fi
}
printf '%s' "$(record misorders 5.10.0-99-amd64)" >"$TMP/foreign"
printf '%s' "$(record misorders "" 00000000-0000-0000-0000-000000000000)" >"$TMP/stale"
ignored "a record of another kernel" "cp '$TMP/foreign' $REC" "recorded for another kernel"
ignored "a record of an earlier boot" "cp '$TMP/stale' $REC" "recorded in an earlier boot"
ignored "a record not owned by root" "cp '$TMP/good' $REC && chown 65534 $REC" "not owned by root"
ignored "a record others may write" "cp '$TMP/good' $REC && chmod 0666 $REC" "writable by others"
ignored "a garbled record" "head -c 50 '$TMP/good' >$REC" "required key is missing|a line without"
ignored "a symbolic link" "ln -s '$TMP/good' $REC" "unreadable"
ignored "no record at all" "true" "not probed yet"

# --- the listener guard in the library ---
conf() { printf '%s\n' "$2" >"$TMP/$1.conf"; echo "$TMP/$1.conf"; }
BUILTIN=$(conf builtin '# the built-in policy')
ACCEPT=$(conf accept 'programs = ( { match = "probe"; integrity = "accept-risk"; } );')
listener() { # NAME RECORD|- CONF WANT-PROTO [INFO-REGEX]
	local out
	out=$(with_record "$2" env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$3" MPTCP_RUN_LOG=info "$P" socket4 listen proto 2>&1)
	if grep -qx "proto=$4" <<<"$out" && { [ -z "${5:-}" ] || grep -qE "$5" <<<"$out"; }; then
		ok "listener: $1"
	else
		not_ok "listener: $1" "$out"
	fi
}
listener "no record: stays TCP, one info line says why" - "$BUILTIN" 6 \
	'info: listeners stay TCP: this kernel has not been checked for the multi-path data fault'
listener "a misorders record: stays TCP" "$(record misorders)" "$BUILTIN" 6 \
	'info: listeners stay TCP: kernel .* misorders data received on joined subflows'
listener "a record of an earlier boot is ignored: stays TCP" \
	"$(record intact "" 00000000-0000-0000-0000-000000000000)" "$BUILTIN" 6 'recorded in an earlier boot'
listener "an intact record of this kernel and boot: MPTCP" "$(record intact)" "$BUILTIN" 262
listener "integrity = \"accept-risk\" on a misordering kernel: MPTCP" "$(record misorders)" "$ACCEPT" 262
# Connecting sockets are not concerned: their joins are active (the fault is on the passive side).
ALL=$(conf all 'defaults = { mode = "mptcp"; exclude = []; };')
out=$(with_record - env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" "$P" socket4 proto 2>&1)
if grep -qx 'proto=262' <<<"$out"; then ok "a socket that connects is MPTCP without a record"; else not_ok "a socket that connects is MPTCP without a record" "$out"; fi

# explain names the protection.
out=$(with_record "$(record misorders)" "$B" explain -c "$BUILTIN" nginx 2>&1)
if grep -qE '^ *integrity: protect \(built in\): its listeners stay TCP \(this kernel misorders data on joins\)' <<<"$out"; then
	ok "explain: the protection a program gets (protect, listeners TCP here)"
else
	not_ok "explain: the protection a program gets" "$out"
fi
out=$(with_record - "$B" explain -c "$ACCEPT" probe 2>&1)
if grep -qE '^ *integrity: accept-risk \(its section, line 1\)' <<<"$out"; then
	ok "explain: accept-risk and where it was set"
else
	not_ok "explain: accept-risk and where it was set" "$out"
fi

# --- the protection, on the wire: the short version of scripts/misorder-candidates ---
# 16 MiB uploads over two paths in the worst conditions, 20 per setup, path 1 cut in every
# fifth: the client's join made by the path daemon (protected), and a server set up as check
# advises (the daemon announces as backup; peers may join only that). 0 corrupted allowed,
# both paths carry data, every cut transfer completes intact. (bench row 16 has the rate with
# the protection off.)
if out=$(timeout 600 "$ROOT/scripts/misorder-candidates" --transfers 20 --variants pathd-protect,server-pathd \
	--cut-every 5 --launcher "$B" --out "$TMP/mc" 2>&1); then
	python3 - "$TMP/mc.jsonl" >"$TMP/mc.verdict" <<'PY'
import json, statistics, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
bad = []
for v in ("pathd-protect", "server-pathd"):
    x = [r for r in rs if r["variant"] == v]
    wrong = [r for r in x if r["kind"] != "identical"]
    cut = [r for r in x if r["cut"]]
    share = statistics.median([r["share2"] for r in x if not r["cut"]] or [0])
    print(f"{v}: {len(wrong)} of {len(x)} corrupted or short, {len(cut)} cut, path 2 share {share:.2f}")
    if wrong or len(x) != 20 or not 0.2 <= share <= 0.8:
        bad.append(v)
sys.exit(1 if bad else 0)
PY
	rc=$?
else
	rc=2
fi
if [ "${rc:-1}" = 0 ]; then
	ok "protection on the wire: $(tr '\n' ';' <"$TMP/mc.verdict")"
else
	not_ok "protection on the wire" "$(cat "$TMP/mc.verdict" 2>/dev/null)"$'\n'"$(tail -15 <<<"$out")"
fi

# --- an interrupted probe leaves nothing behind ---
# The network namespaces of the launcher's children (the probe's holders): "net:[N]" each.
holder_nets() { local c; for c in $(pgrep -P "$1"); do readlink "/proc/$c/ns/net"; done | sort -u | grep -vxF "$(readlink /proc/self/ns/net)"; }
# Whether any process still uses one of those namespaces.
in_use() { find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%l\n' 2>/dev/null | grep -qxF -f "$1"; }
# shellcheck disable=SC2317 # called through tap_wait
gone() { ! in_use "$1"; }
# shellcheck disable=SC2317 # called through tap_wait
have_holders() { [ "$(holder_nets "$1" | wc -l)" -ge 2 ]; }
for sig in INT TERM KILL; do
	# unshare, sh and env exec: $! is the launcher itself (not in_private: a function would
	# run in a subshell). SIGINT is not ignored in a background job (env resets it).
	unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /var/lib && exec "$@"' sh \
		env --default-signal=INT "$B" check --probe >"$TMP/probe.$sig" 2>&1 &
	pid=$!
	tap_wait 10 have_holders "$pid" || true
	holder_nets "$pid" >"$TMP/nets.$sig"
	kids=$(pgrep -P "$pid" | tr '\n' ' ')
	kill -"$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	tap_wait 5 gone "$TMP/nets.$sig" || true
	left=""
	# A zombie waiting for init to reap it holds nothing: only live processes count.
	for k in $kids; do [ -d "/proc/$k" ] && ! grep -q '^State:.*Z' "/proc/$k/status" 2>/dev/null && left+="$k "; done
	if [ "$(wc -l <"$TMP/nets.$sig")" -ge 2 ] && ! in_use "$TMP/nets.$sig" && [ -z "$left" ]; then
		ok "SIG$sig during the probe: its 2 namespaces and its helper processes are gone"
	else
		not_ok "SIG$sig during the probe leaves nothing behind" "namespaces seen: $(tr '\n' ' ' <"$TMP/nets.$sig"); still in use: $(in_use "$TMP/nets.$sig" && echo yes || echo no); processes left: $left; $(tail -3 "$TMP/probe.$sig")"
	fi
done

tap_done
