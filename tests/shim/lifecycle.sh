#!/usr/bin/env bash
# The library's socket lifecycle, one mechanism per case, in a private network
# namespace: which recorded options a replacement replays, the options emulated
# on MPTCP (SO_OOBINLINE), a shutdown() before connect, when a connect() makes a
# socket live, and sockets handed to another process with SCM_RIGHTS.
# Each case runs build/tests/shim/probe under the library and checks what the
# kernel says (SO_PROTOCOL, TCP_IS_MPTCP, errno, echoed bytes).
# shellcheck disable=SC2317 # run(), expect(), cases() run in the namespace's bash (export -f)
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
P=${MR_FUNC_PROBE:-$ROOT/build/tests/shim/probe}
LIB_FILE=${MR_FUNC_LIB:-$ROOT/build/libmptcp-run.so}
LIB=${MR_FUNC_PRELOAD:-$LIB_FILE} # what LD_PRELOAD gets (a sanitizer's runtime goes first there)
if [ ! -x "$P" ] || [ ! -e "$LIB_FILE" ]; then tap_bail "$P or $LIB_FILE not built (make tests)"; fi
[ "$(id -u)" = 0 ] || tap_skip_all "needs root for a private network namespace (CI runs it as root)"
unshare -n true 2>/dev/null || tap_skip_all "unshare -n is not permitted here"
[ "$(cat /proc/sys/net/mptcp/enabled 2>/dev/null)" = 1 ] || tap_skip_all "MPTCP is not enabled"
TMP=$(mktemp -d /tmp/mptcp-run-lifecycle.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# run [ENV=V…] -- OPS…: the probe's output (stdout and stderr) under the library.
run() {
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	env LD_PRELOAD="$LIB" "${envs[@]}" "$P" "$@" 2>&1
}

# expect NAME "want1 want2…" [ENV=V…] -- OPS…: every wanted line appears.
expect() {
	local name=$1 want=$2 out w; shift 2
	out=$(run "$@")
	for w in $want; do
		if ! grep -qxF -- "$w" <<<"$out"; then
			not_ok "$name (missing '$w')" "$out"
			return
		fi
	done
	ok "$name"
}

conf() { printf '%s\n' "$2" >"$TMP/$1.conf"; echo "$TMP/$1.conf"; }
ALL=$(conf all 'defaults = { mode = "mptcp"; exclude = []; integrity = "accept-risk"; };')
# The built-in policy with listeners allowed MPTCP whatever the kernel (tests/integrity tests
# the guard): the default of every case below.
MPTCP_RUN_CONF=$(conf builtin 'defaults = { integrity = "accept-risk"; };')
export MPTCP_RUN_CONF
NOFB=$(conf nofb 'defaults = { sockopt_fallback = false; integrity = "accept-risk"; };')
OPTIN=$(conf optin 'defaults = { mode = "mptcp"; include = [ "198.18.0.0/15" ]; integrity = "accept-risk"; };')
export -f run expect ok not_ok skipped tap_line_ tap_desc_
export P LIB ALL NOFB OPTIN tap_n pass fail skip

cases() {
	set -u
	ip link set lo up
	ip addr add 198.18.0.1/32 dev lo
	"$P" serve 198.18.0.1:5000 mptcp >/dev/null & local s1=$!
	"$P" serve 127.0.0.1:5000 mptcp >/dev/null & local s2=$!
	trap 'kill $s1 $s2 2>/dev/null' RETURN
	sleep 0.3

	# --- recorded options: only values that matter are replayed ---
	expect "listener: TCP_USER_TIMEOUT=0 and TCP_DEFER_ACCEPT=0 (the defaults) before listen: MPTCP" \
		"opt_user_timeout=ok opt_defer_accept=ok listen=ok proto=262" -- \
		socket4 bind 198.18.0.1:7200 opt user_timeout 0 opt defer_accept 0 listen proto
	local out
	out=$(run MPTCP_RUN_LOG=info -- socket4 bind 198.18.0.1:7201 opt user_timeout 5000 listen proto getopt user_timeout)
	if grep -qx 'proto=6' <<<"$out" && grep -qx 'user_timeout=5000' <<<"$out" &&
		[ "$(grep -c 'info: .*TCP_USER_TIMEOUT' <<<"$out")" = 1 ]; then
		ok "listener: TCP_USER_TIMEOUT=5000 keeps it TCP, one info line names the option"
	else not_ok "listener: TCP_USER_TIMEOUT=5000 keeps it TCP, one info line names the option" "$out"; fi
	expect "the same with sockopt_fallback = false (the option wins either way)" \
		"proto=6 user_timeout=5000" MPTCP_RUN_CONF="$NOFB" -- \
		socket4 bind 198.18.0.1:7202 opt user_timeout 5000 listen proto getopt user_timeout
	expect "client: TCP_USER_TIMEOUT=0 before connect: replaced by MPTCP all the same" \
		"opt_user_timeout=ok connect=ok proto=262 ismptcp=1 echoed=1000" -- \
		socket4 opt user_timeout 0 connect 198.18.0.1:5000 proto ismptcp send 1000

	# --- SO_OOBINLINE: no urgent data under MPTCP, so it is emulated ---
	out=$("$P" socket4 proto=262 opt oobinline 1 2>&1)
	if grep -qx 'opt_oobinline=err:EOPNOTSUPP' <<<"$out"; then
		ok "without the library the kernel refuses SO_OOBINLINE on MPTCP (why it is emulated)"
	else not_ok "without the library the kernel refuses SO_OOBINLINE on MPTCP (why it is emulated)" "$out"; fi
	expect "SO_OOBINLINE on an unconnected MPTCP socket: success, reads back 1" \
		"opt_oobinline=ok oobinline=1 proto=262" MPTCP_RUN_CONF="$ALL" -- \
		socket4 opt oobinline 1 getopt oobinline proto
	expect "SO_OOBINLINE on a connected MPTCP socket: success, the connection works" \
		"opt_oobinline=ok oobinline=1 ismptcp=1 echoed=1000" MPTCP_RUN_CONF="$ALL" -- \
		socket4 connect 198.18.0.1:5000 opt oobinline 1 getopt oobinline ismptcp send 1000
	expect "SO_OOBINLINE on an accepted MPTCP connection (the FTP server pattern)" \
		"selfaccept=ok proto=262 opt_oobinline=ok oobinline=1" MPTCP_RUN_CONF="$ALL" -- \
		socket4 bind 198.18.0.1:7300 listen selfaccept proto opt oobinline 1 getopt oobinline
	expect "SO_OOBINLINE set back to 0 reads 0" "oobinline=0" MPTCP_RUN_CONF="$ALL" -- \
		socket4 opt oobinline 1 opt oobinline 0 getopt oobinline
	expect "replaced by TCP (loopback): SO_OOBINLINE set for real" "proto=6 oobinline=1" -- \
		socket4 connect 198.18.0.1:5000 socket4 opt oobinline 1 connect 127.0.0.1:5000 proto getopt oobinline
	expect "an option with a real effect still fails after connect (IP_TTL)" \
		"opt_ttl=err:EOPNOTSUPP" MPTCP_RUN_CONF="$ALL" -- socket4 connect 198.18.0.1:5000 opt ttl 32

	# --- shutdown() before connect is kept across a replacement ---
	expect "shutdown(SHUT_WR) before connect: send fails with EPIPE after the replacement" \
		"shutwr=err:ENOTCONN connect=ok proto=262 write1=err:EPIPE" -- \
		socket4 shutwr connect 198.18.0.1:5000 proto write1

	# --- the verdict is final only once a connect() started ---
	expect "connect(AF_UNSPEC) first: the next connect still decides (MPTCP)" \
		"connect_unspec=ok connect=ok proto=262" -- \
		socket4 connect-unspec connect 198.18.0.1:5000 proto
	expect "refused connect, then a peer with the other verdict: TCP" \
		"connect=err:ECONNREFUSED connect=ok proto=6" -- \
		socket4 connect 198.18.0.1:5999 connect 127.0.0.1:5000 proto
	expect "connect with a bad length, then a good one: decided (MPTCP)" \
		"connect_badlen=err:EINVAL connect=ok proto=262" -- \
		socket4 connect-badlen 198.18.0.1:5000 connect 198.18.0.1:5000 proto

	# --- sockets handed to another process before connect ---
	expect "SCM_RIGHTS to a process under the library: decided before it leaves (MPTCP)" \
		"sendfd=ok child_connect=ok child_proto=262" -- receiver 198.18.0.1:5000 socket4 sendfd
	expect "SCM_RIGHTS to a process not under the library: MPTCP all the same" \
		"sendfd=ok child_connect=ok child_proto=262" -- receiver 198.18.0.1:5000 plain socket4 sendfd
	out=$(PROBE_LIB="$LIB" "$P" receiver 198.18.0.1:5000 lib socket4 sendfd 2>&1)
	if grep -qx 'child_proto=6' <<<"$out" && grep -qx 'child_connect=ok' <<<"$out"; then
		ok "a socket from a process not under the library is left as it came (TCP)"
	else not_ok "a socket from a process not under the library is left as it came (TCP)" "$out"; fi
	expect "opt-in policy: a socket leaving before connect stays TCP" \
		"sendfd=ok child_connect=ok child_proto=6" MPTCP_RUN_CONF="$OPTIN" -- receiver 198.18.0.1:5000 socket4 sendfd
	expect "fork before connect: not replaced, the connection works" \
		"fork=ok connect=ok proto=6 echoed=100" -- socket4 fork-wait connect 198.18.0.1:5000 proto send 100
	expect "posix_spawn before connect: not replaced, the connection works" \
		"spawn=ok connect=ok proto=6 echoed=100" -- socket4 spawn connect 198.18.0.1:5000 proto send 100
	echo "@@ $tap_n $pass $fail $skip"
}
export -f cases
res=$(unshare -n bash -c cases)
grep -v '^@@' <<<"$res"
read -r _ tap_n pass fail skip < <(grep '^@@' <<<"$res")
[ -n "${tap_n:-}" ] || { tap_n=0 pass=0 skip=0; not_ok "the namespace cases ran to the end" "$res"; }
tap_done
