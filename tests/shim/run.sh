#!/usr/bin/env bash
# Functional tests of the preload library: small programs under LD_PRELOAD,
# asserting what the kernel reports (SO_PROTOCOL, TCP_IS_MPTCP, bytes echoed).
# Cases that need a private network namespace (root) run inside `unshare -n`,
# where loopback also carries 198.18.0.1 and fd00::1 as "remote" addresses.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
# Overridable so scripts/check-asan can run the suite against a sanitizer build.
P=${MR_FUNC_PROBE:-$ROOT/build/tests/shim/probe}
LIB_FILE=${MR_FUNC_LIB:-$ROOT/build/libmptcp-run.so}
LIB=${MR_FUNC_PRELOAD:-$LIB_FILE} # what LD_PRELOAD gets (ASan's runtime goes first there)
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
TMP=$(mktemp -d /tmp/mptcp-run-func.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# expect NAME "want1 want2…" [env…] -- probe ops…: every wanted line must appear in the output.
expect() {
	local name=$1 want=$2; shift 2
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	local out
	out=$(env LD_PRELOAD="$LIB" "${envs[@]}" "$P" "$@" 2>&1)
	local w
	for w in $want; do
		if ! grep -qwF -- "$w" <<<"$out"; then
			not_ok "$name (missing '$w')" "$out"
			return
		fi
	done
	ok "$name"
}

conf() { # conf NAME TEXT: writes a config file, prints its path
	printf '%s\n' "$2" >"$TMP/$1.conf"
	echo "$TMP/$1.conf"
}

ALL=$(conf all 'defaults = { mode = "mptcp"; exclude = []; integrity = "accept-risk"; };')
TCP=$(conf tcp 'defaults = { mode = "tcp"; exclude = []; };')
# The built-in policy, its listeners allowed MPTCP whatever the kernel: the cases test the
# library's mechanics, not the integrity guard (tests/integrity does).
BI=$(conf builtin 'defaults = { integrity = "accept-risk"; };')
export MPTCP_RUN_CONF=$BI

# --- socket(): which sockets are upgraded (no network needed) ---
if [ "$(cat /proc/sys/net/mptcp/enabled 2>/dev/null)" = 1 ]; then
	for fam in socket4 socket6; do
		for flags in "" "nonblock" "cloexec" "nonblock cloexec" "proto=6" "nonblock proto=6"; do
			# shellcheck disable=SC2086
			expect "$fam $flags -> MPTCP" "proto=262" MPTCP_RUN_CONF="$ALL" -- $fam $flags proto
		done
	done
	expect "flags kept on upgrade" "proto=262 nonblock=1 cloexec=1" MPTCP_RUN_CONF="$ALL" -- socket4 nonblock cloexec proto flags
	expect "AF_UNIX stream untouched" "proto=0" MPTCP_RUN_CONF="$ALL" -- socket4 family=unix proto
	expect "UDP untouched" "proto=17" MPTCP_RUN_CONF="$ALL" -- socket4 type=dgram proto
	expect "IPv6 UDP untouched" "proto=17" MPTCP_RUN_CONF="$ALL" -- socket6 type=dgram proto
	out=$(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" "$P" socket4 proto=132 proto 2>&1)
	if grep -qx 'proto=132' <<<"$out" || grep -q 'socket=err:EPROTONOSUPPORT' <<<"$out"; then ok "SCTP untouched"; else not_ok "SCTP untouched" "$out"; fi
	expect "explicit IPPROTO_MPTCP untouched" "proto=262" MPTCP_RUN_CONF="$TCP" -- socket4 proto=262 proto
	expect "mode tcp: no upgrade" "proto=6" MPTCP_RUN_CONF="$TCP" -- socket4 proto
	expect "MPTCP_RUN_FORCE beats defaults.mode tcp" "proto=262" MPTCP_RUN_CONF="$TCP" MPTCP_RUN_FORCE=1 -- socket4 proto
	SEC=$(conf sec 'defaults = { mode = "tcp"; }; programs = ( { match = "probe"; mode = "tcp"; } );')
	expect "FORCE never beats the program's own mode tcp" "proto=6" MPTCP_RUN_CONF="$SEC" MPTCP_RUN_FORCE=1 -- socket4 proto
	expect "MPTCP_RUN_DISABLE=1 leaves sockets alone" "proto=6" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_DISABLE=1 -- socket4 proto
	BAD=$(conf bad 'defaults = { mode = "mptcp"; };
programs = ( { match = "probe"; ports = [ "0" ]; } );')
	out=$(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$BAD" "$P" socket4 proto 2>&1)
	if grep -qx 'proto=6' <<<"$out" && grep -q "error: $BAD:2: ports entry \"0\"" <<<"$out"; then
		ok "invalid config: error with file:line, socket stays TCP"
	else not_ok "invalid config: error with file:line, socket stays TCP" "$out"; fi
	out=$(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$TMP/missing.conf" "$P" socket4 proto 2>&1)
	if grep -qx 'proto=6' <<<"$out" && grep -q "missing.conf: no such file" <<<"$out"; then
		ok "missing MPTCP_RUN_CONF file: error, socket stays TCP"
	else not_ok "missing MPTCP_RUN_CONF file: error, socket stays TCP" "$out"; fi
	out=$(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" "$ROOT/build/tests/shim/clash" 2>&1)
	if nm -D "$LIB_FILE" 2>/dev/null | grep -q __asan_init; then
		skipped "a program exporting config_init is not broken by the config load" "ASan's runtime refuses RTLD_DEEPBIND, so sanitizer builds cannot isolate libconfig"
	elif grep -qx 'proto=262' <<<"$out"; then
		ok "a program exporting config_init (as lighttpd does) is not broken by the config load"
	else not_ok "a program exporting config_init (as lighttpd does) is not broken by the config load" "$out"; fi
	JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
	if [ -e "$JEMALLOC" ] && ! nm -D "$LIB_FILE" 2>/dev/null | grep -q __asan_init; then
		out=$(LD_PRELOAD="$JEMALLOC $LIB" MPTCP_RUN_CONF="$ALL" "$P" socket4 proto 2>&1)
		if grep -qx 'proto=262' <<<"$out"; then ok "a program using jemalloc loads the config (redis-server's case)"
		else not_ok "a program using jemalloc loads the config (redis-server's case)" "$out"; fi
		out=$(LD_PRELOAD="$JEMALLOC $LIB" MPTCP_RUN_CONF="$ALL" "$ROOT/build/tests/shim/clash" 2>&1)
		if grep -qx 'proto=6' <<<"$out" && grep -q "replaces malloc: libconfig cannot be loaded into it safely" <<<"$out"; then
			ok "jemalloc and clashing names: config refused with one error, socket stays TCP"
		else not_ok "jemalloc and clashing names: config refused with one error, socket stays TCP" "$out"; fi
	else
		skipped "programs using jemalloc" "libjemalloc2 not installed, or a sanitizer build"
	fi
	chmod o+w "$ALL"
	out=$(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" "$P" socket4 proto 2>&1)
	if grep -qx 'proto=6' <<<"$out" && grep -q "writable by everyone" <<<"$out"; then
		ok "world-writable config refused"
	else not_ok "world-writable config refused" "$out"; fi
	chmod o-w "$ALL"
	out=$(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_LOG=off "$P" socket4 opt bogus 1 proto 2>&1)
	if grep -qx 'proto=262' <<<"$out" && grep -qx 'opt_bogus=err:ENOPROTOOPT' <<<"$out" && ! grep -q mptcp-run <<<"$out"; then
		ok "an option TCP refuses too keeps MPTCP and the error; log off is silent"
	else not_ok "an option TCP refuses too keeps MPTCP and the error; log off is silent" "$out"; fi
else
	skipped "socket() upgrade cases" "MPTCP is not enabled in this network namespace"
fi

exports=$(nm -D --defined-only "$LIB_FILE" | awk '{print $3}' | sort | tr '\n' ' ')
want="accept accept4 bind close close_range closefrom connect dup dup2 dup3 epoll_ctl fcntl fcntl64 getsockopt listen popen posix_spawn posix_spawnp recvmsg sendmsg sendto setsockopt shutdown socket system "
if [ "$exports" = "$want" ]; then ok "exports only the interposed functions"; else not_ok "exports only the interposed functions" "$exports"; fi

# --- endpoint decisions, fallbacks, replacement: in a private network namespace ---
# shellcheck disable=SC2317 # run by the bash inside unshare -n (export -f)
netns_cases() {
	set -u
	ip link set lo up
	ip addr add 198.18.0.1/32 dev lo
	ip addr add fd00::1/128 dev lo nodad
	"$P" serve 198.18.0.1:5000 mptcp >/dev/null & local s1=$!
	"$P" serve 127.0.0.1:5000 mptcp >/dev/null & local s2=$!
	"$P" serve "[fd00::1]:5000" mptcp >/dev/null & local s3=$!
	"$P" serve 198.18.0.1:5002 mptcp >/dev/null & local s4=$!
	"$P" serve "[::]:5003" >/dev/null & local s5=$! # plain TCP server, dual stack
	trap 'kill $s1 $s2 $s3 $s4 $s5 2>/dev/null' RETURN
	sleep 0.3

	expect "built-in policy: remote peer gets MPTCP end to end" "proto=262 ismptcp=1 echoed=100000" -- socket4 connect 198.18.0.1:5000 proto ismptcp send 100000
	expect "built-in policy: loopback stays TCP" "proto=6 ismptcp=0 echoed=1000" -- socket4 connect 127.0.0.1:5000 proto ismptcp send 1000
	expect "IPv6 remote gets MPTCP" "proto=262 ismptcp=1 echoed=5000" -- socket6 connect "[fd00::1]:5000" proto ismptcp send 5000
	expect "IPv6 loopback stays TCP" "proto=6" -- socket6 connect "[::1]:5003" proto
	expect "v4-mapped loopback matches the IPv4 exclude" "proto=6" -- socket6 connect "[::ffff:127.0.0.1]:5003" proto
	expect "v4-mapped remote gets MPTCP" "proto=262 echoed=100" -- socket6 connect "[::ffff:198.18.0.1]:5000" proto send 100
	expect "plain TCP server: connection works (fallback)" "proto=262 ismptcp=0 echoed=70000" -- socket4 connect 198.18.0.1:5003 proto ismptcp send 70000

	local INC EXC LST NOFB
	INC=$(conf inc 'programs = ( { match = "probe"; connect = { include = [ "198.18.0.1/32:5000" ]; }; } );')
	expect "connect.include: listed endpoint gets MPTCP" "proto=262" MPTCP_RUN_CONF="$INC" -- socket4 connect 198.18.0.1:5000 proto
	expect "connect.include: other port stays TCP" "proto=6 echoed=10" MPTCP_RUN_CONF="$INC" -- socket4 connect 198.18.0.1:5002 proto send 10
	EXC=$(conf exc 'defaults = { exclude = [ "198.18.0.0/15" ]; };')
	expect "defaults.exclude: excluded peer stays TCP" "proto=6" MPTCP_RUN_CONF="$EXC" -- socket4 connect 198.18.0.1:5000 proto
	expect "defaults.exclude replaces the built-in list (loopback now MPTCP)" "proto=262 ismptcp=1" MPTCP_RUN_CONF="$EXC" -- socket4 connect 127.0.0.1:5000 proto ismptcp
	LST=$(conf lst 'programs = ( { match = "probe"; listen = { ports = [ "6000", "6100-6200" ]; }; connect = { mode = "tcp"; }; integrity = "accept-risk"; } );')
	expect "listen.ports: listed port listens MPTCP" "proto=262 reuseaddr=1" MPTCP_RUN_CONF="$LST" -- socket4 opt reuseaddr 1 bind 198.18.0.1:6000 listen proto getopt reuseaddr
	expect "listen.ports: range" "proto=262" MPTCP_RUN_CONF="$LST" -- socket4 bind 198.18.0.1:6150 listen proto
	expect "listen.ports: other port stays TCP" "proto=6" MPTCP_RUN_CONF="$LST" -- socket4 bind 198.18.0.1:6001 listen proto
	expect "connect mode tcp with listen rules" "proto=6" MPTCP_RUN_CONF="$LST" -- socket4 connect 198.18.0.1:5000 proto
	expect "listen without bind uses the wildcard endpoint" "listen=ok proto=262" -- socket4 listen proto

	expect "epoll registration carried over a replacement" "connect=inprogress epoll=1 data=0x1234 proto=262 ismptcp=1 nonblock=1 cloexec=0" -- socket4 nonblock epoll connect 198.18.0.1:5000 epollwait proto ismptcp flags
	expect "options and FD_CLOEXEC carried over" "proto=262 nodelay=1 keepalive=1 nonblock=0 cloexec=1" -- socket4 cloexec opt nodelay 1 opt keepalive 1 connect 198.18.0.1:5000 proto getopt nodelay getopt keepalive flags
	expect "bind port 0 then connect: replaced, keeps the port it got" "bind=ok proto=262 ismptcp=1 port_same=1 echoed=10" -- socket4 bind 127.0.0.1:0 port connect 198.18.0.1:5000 proto ismptcp port send 10
	expect "bind fixed port then connect: replaced on the same port, no EADDRINUSE" "bind=ok connect=ok proto=262 port_same=1 echoed=10 reuseaddr=0" -- socket4 bind 127.0.0.1:6301 port connect 198.18.0.1:5000 proto port send 10 getopt reuseaddr
	expect "client bound to a fixed port is judged by the connect rules (loopback stays TCP)" "proto=6 opt_user_timeout=ok" MPTCP_RUN_CONF="$ALL" -- socket4 bind 0.0.0.0:6302 opt user_timeout 100 proto
	expect "bound listener: option fallback on the same port" "opt_user_timeout=ok listen=ok proto=6 port_same=1" -- socket4 bind 198.18.0.1:7100 port opt user_timeout 1000 listen proto port
	expect "signal owner (F_SETOWN) carried over" "setowner=ok proto=262 owner=1" -- socket4 setowner connect 198.18.0.1:5000 proto owner
	expect "duplicated socket is not replaced" "dup=ok connect=ok proto=6" -- socket4 dup connect 198.18.0.1:5000 proto
	expect "socket shared with a forked child is not replaced" "fork=ok connect=ok proto=6" -- socket4 fork-wait connect 198.18.0.1:5000 proto
	expect "socket created after fork in the child's program is upgraded" "proto=262" MPTCP_RUN_CONF="$ALL" -- fork-wait socket4 proto
	out=$(LD_PRELOAD="$LIB" sh -c "\"$P\" socket4 connect 198.18.0.1:5000 proto" 2>&1)
	if grep -qx 'proto=262' <<<"$out"; then ok "exec'd program inherits the library"; else not_ok "exec'd program inherits the library" "$out"; fi

	# A socket created MPTCP only because the last connect() said so goes back to the TCP it
	# asked for when it is duplicated before its own verdict; sharing is seen through
	# posix_spawn and vfork too.
	expect "predicted MPTCP socket duplicated before connect: back to TCP" "dup=ok opt_user_timeout=ok proto=6" -- socket4 connect 198.18.0.1:5000 socket4 dup connect 127.0.0.1:5000 opt user_timeout 1000 proto
	expect "sendto(MSG_FASTOPEN) without connect takes the connect verdict" "proto=6" -- socket4 connect 198.18.0.1:5000 socket4 tfo 127.0.0.1:5000 proto
	expect "posix_spawn shares the socket: not replaced in the parent alone" "spawn=ok connect=ok proto=6" -- socket4 spawn connect 198.18.0.1:5000 proto
	expect "a vfork child's close does not wipe the parent's state" "vforkclose=ok opt_user_timeout=ok proto=6" MPTCP_RUN_CONF="$ALL" -- socket4 vforkclose opt user_timeout 1000 proto
	expect "process moved to another netns: socket kept, connection works" "unshare=ok connect=ok proto=6 echoed=10" -- socket4 unshare connect 198.18.0.1:5000 proto send 10

	# Options MPTCP rejects, before connect: the socket becomes TCP and the option applies.
	expect "TCP_USER_TIMEOUT before connect: fallback to TCP" "opt_user_timeout=ok proto=6 user_timeout=1000 echoed=10" MPTCP_RUN_CONF="$ALL" -- socket4 opt nodelay 1 opt user_timeout 1000 connect 198.18.0.1:5000 proto getopt user_timeout send 10
	expect "TCP_MD5SIG before connect: fallback to TCP" "opt_md5=ok proto=6" MPTCP_RUN_CONF="$ALL" -- socket4 opt md5 1 proto
	expect "IP_TTL before connect: fallback to TCP" "opt_ttl=ok proto=6 ttl=32" MPTCP_RUN_CONF="$ALL" -- socket4 opt ttl 32 connect 198.18.0.1:5000 proto getopt ttl
	expect "IPV6_TCLASS before connect: fallback to TCP" "opt_tclass=ok proto=6" MPTCP_RUN_CONF="$ALL" -- socket6 opt tclass 16 proto
	expect "option after connect: kernel's answer unchanged" "connect=ok opt_ttl=err:EOPNOTSUPP proto=262" MPTCP_RUN_CONF="$ALL" -- socket4 connect 198.18.0.1:5000 opt ttl 32 proto
	NOFB=$(conf nofb 'defaults = { exclude = []; sockopt_fallback = false; };')
	expect "sockopt_fallback = false: error returned" "opt_user_timeout=err:ENOPROTOOPT proto=262" MPTCP_RUN_CONF="$NOFB" -- socket4 opt user_timeout 1000 proto
	out=$(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_LOG=info "$P" socket4 opt ttl 32 2>&1)
	if grep -q 'info: fd 3 setsockopt(level 0, option 2): MPTCP refused it, socket is now TCP' <<<"$out"; then
		ok "option fallback logged at info"
	else not_ok "option fallback logged at info" "$out"; fi
	out=$(LD_PRELOAD="$LIB" MPTCP_RUN_LOG=debug "$P" socket4 connect 198.18.0.1:5000 2>&1)
	if grep -q 'debug: fd 3 connect 198.18.0.1:5000: mptcp, replaced TCP socket by MPTCP (rule: built-in mode "mptcp")' <<<"$out"; then
		ok "debug log names fd, call, endpoint, outcome and rule"
	else not_ok "debug log names fd, call, endpoint, outcome and rule" "$out"; fi

	# A peer that answered with plain TCP is remembered: the next connection skips MPTCP.
	expect "fallen-back peer remembered: second connection is TCP" "proto=262 ismptcp=0 proto=6 echoed=10" -- socket4 connect 198.18.0.1:5003 proto ismptcp socket4 connect 198.18.0.1:5003 proto send 10
	expect "fallen-back peer remembered after a non-blocking connect" "connect=inprogress epoll=1 proto=6" -- socket4 nonblock epoll connect 198.18.0.1:5003 epollwait close socket4 connect 198.18.0.1:5003 proto
	expect "an MPTCP peer is not remembered as fallen back" "proto=262" -- socket4 connect 198.18.0.1:5000 proto socket4 connect 198.18.0.1:5000 proto
	FBM=$(conf fbm 'defaults = { fallback_memory = 0; };')
	expect "fallback_memory = 0 disables the memory" "proto=262 ismptcp=0" MPTCP_RUN_CONF="$FBM" -- socket4 connect 198.18.0.1:5003 socket4 connect 198.18.0.1:5003 proto ismptcp

	# MPTCP disabled in this namespace: plain TCP, one failed MPTCP socket() per process.
	echo 0 >/proc/sys/net/mptcp/enabled
	expect "net.mptcp.enabled=0: TCP, connection works" "proto=6 echoed=1000" MPTCP_RUN_CONF="$ALL" -- socket4 connect 198.18.0.1:5000 proto send 1000
	expect "net.mptcp.enabled=0, per-endpoint policy" "proto=6 echoed=10" -- socket4 connect 198.18.0.1:5000 proto send 10
	if command -v strace >/dev/null; then
		LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" strace -f -e trace=socket -o "$TMP/strace" "$P" socket4 proto socket6 proto socket4 proto >/dev/null 2>&1
		n=$(grep -c 'IPPROTO_MPTCP\|, 262)' "$TMP/strace")
		if [ "$n" = 1 ]; then ok "disabled MPTCP costs one failed call per process"; else not_ok "disabled MPTCP costs one failed call per process" "$(cat "$TMP/strace")"; fi
	else
		skipped "disabled MPTCP costs one failed call per process" "strace not installed"
	fi
	echo 1 >/proc/sys/net/mptcp/enabled
}

if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	# The namespace cases are a TAP stream of their own, folded into this one.
	export -f expect conf netns_cases
	export ROOT P LIB LIB_FILE TMP ALL TCP
	# shellcheck disable=SC2016 # expanded by the inner bash
	tap_include netns unshare -n bash -c '. "$ROOT/tests/lib/tap.sh"; netns_cases; tap_done'
	if command -v ncat >/dev/null; then
		tap_include ncat bash tests/shim/ncat-netns.sh
	else
		skipped "ncat across two namespaces" "ncat not installed (scripts/setup-deps)"
	fi
else
	skipped "network namespace cases" "need root and unshare -n (CI runs them as root)"
fi

# The lifecycle mechanisms (options, SO_OOBINLINE, SCM_RIGHTS, shutdown, connect): their own file.
tap_include lifecycle bash tests/shim/lifecycle.sh

tap_done
