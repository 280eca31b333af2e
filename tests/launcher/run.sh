#!/usr/bin/env bash
# Functional tests of the launcher, build/mptcp-run: the run path (environment,
# exit status, signals, warnings), explain, check, enable/disable and preload,
# all against temporary roots. Output: TAP (tests/lib/tap.sh).
# The cases are conditions in single quotes that check() evals: the variables
# they read and the helpers they call are invisible to shellcheck.
# shellcheck disable=SC2016,SC2034,SC2317
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
# MPTCP_RUN_TEST_LAUNCHER: test another build of the launcher (e.g. with sanitizers).
BUILD_LAUNCHER=${MPTCP_RUN_TEST_LAUNCHER:-$ROOT/build/mptcp-run}
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
[ -x "$BUILD_LAUNCHER" ] || tap_bail "$BUILD_LAUNCHER not built (make)"
TMP=$(mktemp -d /tmp/mptcp-run-launcher.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# A private launcher next to a trivial library of its own: the launcher uses the
# libmptcp-run.so in its own directory, so these tests do not depend on the real
# library's behaviour (it has its own suite).
mkdir -p "$TMP/bin" "$TMP/libs"
cp "$BUILD_LAUNCHER" "$TMP/bin/mptcp-run"
cc -shared -fPIC -o "$TMP/bin/libmptcp-run.so" -x c /dev/null
cc -shared -fPIC -o "$TMP/libs/a.so" -x c /dev/null
cc -shared -fPIC -o "$TMP/libs/b.so" -x c /dev/null
chmod 0755 "$TMP/bin/libmptcp-run.so"
B=$TMP/bin/mptcp-run
LIB=$TMP/bin/libmptcp-run.so

# run_it CMD…: runs with stdout in $out, stderr in $err, status in $rc.
run_it() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

# check NAME COND-CMD…: ok when the condition holds, else shows the last run.
check() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "rc=$rc
stdout: $out
stderr: $err"
	fi
}
has_out() { grep -qF -- "$1" <<<"$out"; }
has_err() { grep -qF -- "$1" <<<"$err"; }
rc_is() { [ "$rc" -eq "$1" ]; }

# A fingerprint of a whole tree (names, types, modes, link targets, contents), to
# prove that bad input changed nothing.
snapshot() {
	(cd "$1" && find . -printf '%p %y %m %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0r sha256sum) | sha256sum
}

############################################################################
# run: usage and options

run_it "$B"
check "no command: usage, exit 2" eval 'rc_is 2 && has_err "Usage:"'
run_it "$B" --help
check "--help shows examples, exit 0" eval 'rc_is 0 && has_out "Examples:" && has_out "mptcp-run check"'
run_it "$B" --version
check "--version" eval 'rc_is 0 && has_out "mptcp-run "'
run_it "$B" -Z true
check "unknown short option: exit 2" eval 'rc_is 2 && has_err "unknown option"'
run_it "$B" --bogus true
check "unknown long option: exit 2" eval 'rc_is 2 && has_err "--bogus"'
run_it "$B" -c
check "-c without argument: exit 2" eval 'rc_is 2 && has_err "needs an argument"'
run_it "$B" --report-sample 0 --report "$TMP/r.jsonl" true
check "--report-sample 0: exit 2" eval 'rc_is 2 && has_err "expected a number from 1 to 1000000"'
run_it env -u MPTCP_RUN_REPORT "$B" --report-sample 10 true
check "--report-sample without --report: exit 2" eval 'rc_is 2 && has_err "needs --report"'
run_it "$B" --report-sample 10 --report "$TMP/r.jsonl" env
check "--report-sample 10 sets MPTCP_RUN_REPORT_SAMPLE" eval 'rc_is 0 && has_out "MPTCP_RUN_REPORT_SAMPLE=10"'
run_it "$B" -l loud true
check "bad log level: exit 2" eval 'rc_is 2 && has_err "invalid log level"'

############################################################################
# run: --report

run_it sh -c "cd '$TMP' && '$B' --report rep.json sh -c 'printf \"%s\\n\" \"\$MPTCP_RUN_REPORT\"'"
check "--report FILE: absolute path in MPTCP_RUN_REPORT, file created" eval '[ "$out" = "$TMP/rep.json" ] && [ -f "$TMP/rep.json" ]'
run_it "$B" --report "$TMP/no/such/dir/rep.json" true
check "--report to an unwritable path: exit 2, clear message" eval 'rc_is 2 && has_err "no/such/dir/rep.json"'
run_it "$B" report "$TMP/absent.json"
check "report FILE that does not exist: exit 1" eval 'rc_is 1 && has_err "absent.json"'

############################################################################
# run: environment

run_it env -u LD_PRELOAD "$B" sh -c 'printf "%s\n" "$LD_PRELOAD"'
check "LD_PRELOAD set to the library's absolute path" eval '[ "$out" = "$LIB" ]'
run_it env LD_PRELOAD="$TMP/libs/a.so $TMP/libs/b.so" "$B" sh -c 'printf "%s\n" "$LD_PRELOAD"'
check "existing LD_PRELOAD kept, library first" eval '[ "$out" = "$LIB:$TMP/libs/a.so $TMP/libs/b.so" ]'
run_it env LD_PRELOAD="$TMP/libs/a.so:$LIB" "$B" sh -c 'printf "%s\n" "$LD_PRELOAD"'
check "library already in LD_PRELOAD: not added twice" eval '[ "$out" = "$TMP/libs/a.so:$LIB" ]'
run_it env -u LD_PRELOAD "$B" "$B" "$B" sh -c 'printf "%s\n" "$LD_PRELOAD"'
check "nested launchers: library once" eval '[ "$out" = "$LIB" ]'
run_it env -u MPTCP_RUN_FORCE -u MPTCP_RUN_LOG "$B" env
check "MPTCP_RUN_FORCE=1 set, no MPTCP_RUN_LOG by default" \
	eval 'has_out "MPTCP_RUN_FORCE=1" && ! has_out "MPTCP_RUN_LOG="'
run_it "$B" -d env
check "-d: MPTCP_RUN_LOG=debug" eval 'has_out "MPTCP_RUN_LOG=debug"'
run_it "$B" -q env
check "-q: MPTCP_RUN_LOG=off" eval 'has_out "MPTCP_RUN_LOG=off"'
run_it "$B" --log info env
check "--log info" eval 'has_out "MPTCP_RUN_LOG=info"'
run_it "$B" -l warn env
check "-l warn" eval 'has_out "MPTCP_RUN_LOG=warn"'
run_it "$B" printf '%s\n' -l -d --help
check "options stop at the command (its -l/-d/--help are its own)" \
	eval 'rc_is 0 && [ "$out" = "$(printf -- "-l\n-d\n--help")" ]'
run_it "$B" -- sh -c 'exit 3'
check "-- before the command" eval 'rc_is 3'

# Configs for -c, explain and check.
cat >"$TMP/good.conf" <<'CONF'
defaults = { mode = "tcp"; };
programs = (
  { match = "mrtestprog"; mode = "mptcp"; connect = { include = [ "198.18.0.0/15" ]; }; },
  { match = [ "mrlistener" ]; listen = { mode = "mptcp"; ports = [ "80", "8000-8100" ]; }; }
);
CONF
printf 'defaults = { mode = "tcp"; };\nprograms = (\n  { match = "x" ; mode = "fast"; }\n);\n' >"$TMP/bad.conf"
printf 'defaults = {\n' >"$TMP/syntax.conf"

run_it sh -c "cd '$TMP' && '$B' -c good.conf env"
check "-c relative: MPTCP_RUN_CONF is absolute" eval 'has_out "MPTCP_RUN_CONF=$TMP/good.conf"'
run_it "$B" -c "$TMP/bad.conf" true
check "-c with a bad value: file:line, exit 2" eval 'rc_is 2 && has_err "bad.conf:3"'
run_it "$B" -c "$TMP/syntax.conf" true
check "-c with a syntax error: file:line, exit 2" eval 'rc_is 2 && has_err "syntax.conf:"'
run_it "$B" -c "$TMP/missing.conf" true
check "-c with a missing file: exit 2" eval 'rc_is 2 && has_err "missing.conf"'

############################################################################
# run: exit status, signals, not found

run_it "$B" sh -c 'exit 7'
check "exit status passed through (7)" eval 'rc_is 7'
# Through a shell, as a user sees it (and so bash does not print "Terminated" here).
run_it sh -c '"$@"; echo "status=$?"' _ "$B" sh -c 'kill -TERM $$'
check "death by SIGTERM seen as 143 by the shell" eval 'has_out "status=143"'
run_it "$B" no-such-command-mptcp-run
check "command not found: 127" eval 'rc_is 127 && has_err "command not found"'
printf 'not executable\n' >"$TMP/noexec"
chmod 0644 "$TMP/noexec"
run_it "$B" "$TMP/noexec"
check "not executable: 126" eval 'rc_is 126'
run_it sh -c 'echo $$; exec "$0" sh -c "echo \$\$"' "$B"
check "same pid: exec, not fork" eval '[ "$(sed -n 1p "$TMP/out")" = "$(sed -n 2p "$TMP/out")" ] && [ -n "$out" ]'

############################################################################
# run: programs the library cannot reach

if [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; then
	run_it "$B" /bin/busybox true
	check "static binary: runs under the supervisor, no warning" eval 'rc_is 0 && [ -z "$err" ]'
	run_it "$B" --no-supervise /bin/busybox true
	check "static binary, --no-supervise: one-line warning, still runs" eval 'rc_is 0 && has_err "mptcp-run: warning: /bin/busybox: static binary (no dynamic loader): sockets will stay TCP" && [ $(wc -l <"$TMP/err") -eq 1 ]'
	run_it "$B" -q --no-supervise /bin/busybox true
	check "-q silences the warning" eval 'rc_is 0 && [ -z "$err" ]'
	printf '#!/bin/busybox sh\nexit 4\n' >"$TMP/bbscript"
	chmod 0755 "$TMP/bbscript"
	run_it "$B" --no-supervise "$TMP/bbscript"
	check "script with a static interpreter: warning names it" eval 'rc_is 4 && has_err "interpreter /bin/busybox: static binary"'
	ln -sf /bin/busybox "$TMP/bin/bbtrue"
	run_it env PATH="$TMP/bin:$PATH" "$B" --no-supervise bbtrue
	check "command found through PATH is inspected" eval 'has_err "static binary"'
else
	skipped "static binary warning" "/bin/busybox (busybox-static) not installed"
fi
run_it "$B" true
check "dynamic binary: no warning" eval 'rc_is 0 && ! has_err "warning: $(command -v true)"'

if [ "$(id -u)" = 0 ] && ! findmnt -no OPTIONS -T "$TMP" | grep -qw nosuid; then
	mkdir -p "$TMP/suid"
	chmod 0755 "$TMP" "$TMP/suid"
	cp /bin/true "$TMP/suid/true"
	chmod u+s "$TMP/suid/true"
	run_it "$B" "$TMP/suid/true"
	check "set-user-ID of our own uid: ids do not change, no warning" eval 'rc_is 0 && ! has_err "set-user-ID"'
	chown nobody "$TMP/suid/true" && chmod u+s "$TMP/suid/true"
	run_it "$B" "$TMP/suid/true"
	check "set-user-ID binary, as root: the supervisor (privileges kept), no warning" eval 'rc_is 0 && [ -z "$err" ]'
	run_it "$B" --no-supervise "$TMP/suid/true"
	check "set-user-ID binary: warning, still runs" eval 'rc_is 0 && has_err "set-user-ID binary (the loader ignores LD_PRELOAD): sockets will stay TCP"'
	cp /bin/true "$TMP/suid/gtrue"
	chgrp nogroup "$TMP/suid/gtrue" 2>/dev/null || chgrp 65534 "$TMP/suid/gtrue"
	chmod g+s "$TMP/suid/gtrue"
	run_it "$B" --no-supervise "$TMP/suid/gtrue"
	check "set-group-ID binary: warning" eval 'rc_is 0 && has_err "set-group-ID binary"'
	cp /bin/true "$TMP/suid/captrue"
	if command -v setcap >/dev/null && setcap cap_net_bind_service+ep "$TMP/suid/captrue" 2>/dev/null; then
		run_it "$B" --no-supervise "$TMP/suid/captrue"
		check "file capabilities: warning" eval 'rc_is 0 && has_err "file capabilities"'
	else
		skipped "file capabilities warning" "setcap unavailable or not permitted here"
	fi
else
	skipped "set-ID warnings" "needs root and a file system without nosuid"
fi

# A Go-looking binary: a C program that prints GODEBUG, with a .go.buildinfo section
# laid out as Go 1.18+ writes it (magic, pointer size, flags 2, the version inline at 32).
cat >"$TMP/godebug.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(void) { const char *v = getenv("GODEBUG"); printf("%s\n", v ? v : "<unset>"); return 0; }
C
if cc -o "$TMP/plain" "$TMP/godebug.c" &&
	printf '\377 Go buildinf:\010\002%016d\006go1.22\000' 0 >"$TMP/bi" &&
	printf '\377 Go buildinf:\010\002%016d\010go1.19.8\000' 0 >"$TMP/bi19" &&
	objcopy --add-section .go.buildinfo="$TMP/bi" "$TMP/plain" "$TMP/gofake" &&
	objcopy --add-section .go.buildinfo="$TMP/bi19" "$TMP/plain" "$TMP/gofake19"; then
	run_it env -u GODEBUG "$B" "$TMP/gofake19"
	check "Go 1.19 binary: the supervisor, no GODEBUG (1.19 ignores it)" eval 'rc_is 0 && [ "$out" = "<unset>" ] && ! has_err GODEBUG'
	run_it env -u GODEBUG "$B" --no-supervise "$TMP/gofake19"
	check "Go 1.19 binary, --no-supervise: says it stays TCP, no GODEBUG" eval '[ "$out" = "<unset>" ] && has_err "ignores GODEBUG=multipathtcp"'

	run_it "$B" explain "$TMP/gofake19"
	check "explain names the backend: supervisor for Go 1.19, and why" eval 'rc_is 0 && has_out "backend: supervisor (Go 1.19.8 ignores GODEBUG=multipathtcp)"'
	run_it "$B" explain "$TMP/gofake"
	check "explain: GODEBUG for Go 1.22" eval 'has_out "backend: GODEBUG (Go 1.22 reads GODEBUG=multipathtcp)"'
	run_it "$B" explain "$TMP/plain"
	check "explain: preload library for a dynamic libc program" eval 'has_out "backend: preload library (dynamically linked with libc)"'
	run_it "$B" check --no-probe "$TMP/gofake19"
	check "check PROGRAM: a backend line" eval 'has_out "backend: $TMP/gofake19: supervisor (Go 1.19.8 ignores GODEBUG=multipathtcp)"'
	run_it env -u GODEBUG "$B" "$TMP/gofake"
	check "Go binary: GODEBUG=multipathtcp=1 and a warning" eval 'rc_is 0 && [ "$out" = "multipathtcp=1" ] && has_err "Go program"'
	run_it env GODEBUG=http2client=0 "$B" "$TMP/gofake"
	check "Go binary: GODEBUG merged, comma-joined" eval '[ "$out" = "http2client=0,multipathtcp=1" ]'
	run_it env GODEBUG=multipathtcp=0,x=1 "$B" "$TMP/gofake"
	check "Go binary: the user's multipathtcp= wins" eval '[ "$out" = "multipathtcp=0,x=1" ]'
	run_it env -u GODEBUG "$B" "$TMP/plain"
	check "non-Go binary: GODEBUG untouched" eval '[ "$out" = "<unset>" ] && [ -z "$err" ]'
else
	skipped "Go binary GODEBUG" "cannot build the fake Go binary (cc/objcopy)"
fi

############################################################################
# build tree: the launcher uses the library next to it

if [ -f "$ROOT/build/libmptcp-run.so" ] && [ -x "$ROOT/build/mptcp-run" ]; then
	run_it env -u LD_PRELOAD "$ROOT/build/mptcp-run" -q sh -c 'printf "%s\n" "$LD_PRELOAD"'
	check "build/mptcp-run uses build/libmptcp-run.so" eval '[ "$out" = "$ROOT/build/libmptcp-run.so" ]'
else
	skipped "build tree library" "build/libmptcp-run.so not built"
fi
mkdir -p "$TMP/nolib"
cp "$BUILD_LAUNCHER" "$TMP/nolib/mptcp-run"
if [ ! -e /usr/local/lib/mptcp-run/libmptcp-run.so ]; then
	run_it env -u LD_PRELOAD "$TMP/nolib/mptcp-run" sh -c 'printf "%s\n" "$LD_PRELOAD"'
	check "no library anywhere: warning, LD_PRELOAD untouched, still runs" eval 'rc_is 0 && [ -z "$out" ] && has_err "not found"'
else
	skipped "missing library" "a library is installed in /usr/local/lib/mptcp-run"
fi

############################################################################
# explain

run_it "$B" explain -c "$TMP/good.conf" mrtestprog connect 198.18.1.2:80
check "explain: include decides (IPv4)" eval 'rc_is 0 && has_out "section: programs[0], line 3, match \"mrtestprog\"" && has_out "connect 198.18.1.2:80: mptcp, by programs[0] (match \"mrtestprog\", line 3) connect.include 198.18.0.0/15"'
run_it "$B" explain -c "$TMP/good.conf" mrtestprog connect '[fd00::2]:443'
check "explain: IPv6 outside include is tcp" eval 'rc_is 0 && has_out "connect [fd00::2]:443: tcp, by programs[0] (match \"mrtestprog\", line 3) connect.include (no entry matches)"'
run_it "$B" explain -c "$TMP/good.conf" mrtestprog connect 127.0.0.1:80
check "explain: loopback excluded by the built-in rule" eval 'has_out "connect 127.0.0.1:80: tcp"'
run_it "$B" explain -c "$TMP/good.conf" mrlistener
check "explain without endpoint: per-role summary" eval 'rc_is 0 && has_out "connect: depends on the endpoint" && has_out "listen: depends on the endpoint" && has_out "ports    80, 8000-8100"'
run_it "$B" explain -c "$TMP/good.conf" --preload mrlistener
check "explain --preload: defaults.mode applies, constant" eval 'has_out "connect: tcp for every endpoint, by defaults (line 1) mode \"tcp\""'
run_it "$B" explain -c "$TMP/good.conf" otherprog
check "explain: no section matches" eval 'has_out "section: none matches: defaults apply"'
run_it "$B" explain -c "$TMP/good.conf" mrlistener listen 0.0.0.0:8050
# The rule says mptcp; on a kernel not recorded intact the integrity guard keeps it TCP.
check "explain listen in port range" eval 'has_out "listen 0.0.0.0:8050: mptcp, by programs[1]" || { has_out "listen 0.0.0.0:8050: tcp, by programs[1]" && has_out "kept TCP by integrity"; }'
run_it "$B" explain -c "$TMP/good.conf" mrlistener listen 0.0.0.0:9000
check "explain listen outside port range" eval 'has_out "listen 0.0.0.0:9000: tcp" && has_out "ports (port not listed)"'
for bad in "mrtestprog connect 1.2.3:80" "mrtestprog connect 198.18.1.2" "mrtestprog connect 198.18.1.2:99999" \
	"mrtestprog connect [fd00::2]443" "mrtestprog accept 1.2.3.4:80" "mrtestprog connect" ""; do
	# shellcheck disable=SC2086
	run_it "$B" explain -c "$TMP/good.conf" $bad
	check "explain bad input '$bad': exit 2" eval 'rc_is 2 && [ -n "$err" ]'
done
run_it "$B" explain -c "$TMP/bad.conf" mrtestprog
check "explain with a bad config: file:line, exit 2" eval 'rc_is 2 && has_err "bad.conf:3"'

############################################################################
# check

enabled=$(cat /proc/sys/net/mptcp/enabled 2>/dev/null || echo 0)
run_it "$B" check --no-probe -c "$TMP/good.conf"
check "check: one verdict per line" eval '! grep -vqE "^(ok|warn|fail) |^MPTCP can" <<<"$out"'
check "check: config parses" eval 'has_out "ok   config: $TMP/good.conf parses: 2 program sections"'
check "check: library found" eval 'grep -qE "^(ok|warn) +library: $LIB" <<<"$out"'
if [ "$enabled" = 1 ]; then
	check "check: exit 0 when MPTCP works here" eval 'rc_is 0 && has_out "ok   kernel: MPTCP sockets can be created"'
else
	check "check: exit 1 when MPTCP is off here" eval 'rc_is 1'
fi
run_it "$B" check --no-probe -c "$TMP/bad.conf"
check "check: bad config is a failure with file:line" eval 'rc_is 1 && has_out "fail config: $TMP/bad.conf:3:"'
run_it "$B" check prog extra
check "check: a second argument: exit 2" eval 'rc_is 2'
run_it "$B" check --nope
check "check: unknown option: exit 2" eval 'rc_is 2'

if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null && [ -e /proc/sys/net/mptcp/enabled ]; then
	run_it unshare -n sh -c "ip link set lo up; '$B' check --no-probe -c '$TMP/good.conf'"
	# The fix on a kernel not recorded intact: the path daemon (its joins are safe), not endpoints.
	check "check in a fresh netns: no subflow endpoint warned, with the fix" eval 'has_out "warn endpoints: no subflow endpoint" && has_out "fix: mptcp-run pathd with a path for each interface"'
	run_it unshare -n sh -c "ip link set lo up; ip addr add 10.9.9.9/32 dev lo; ip mptcp endpoint add 10.9.9.9 dev lo subflow; '$B' check --no-probe -c '$TMP/good.conf'"
	check "check with a subflow endpoint: the path daemon offered instead (kernel not recorded intact)" eval 'has_out "warn endpoints: 1 subflow endpoint makes joins that carry data at once" && has_out "paths = { p1 = { dev = \"lo\"; }; }; then mptcp-run pathd"'
	run_it unshare -n sh -c "sysctl -qw net.mptcp.enabled=0 && '$B' check --no-probe -c '$TMP/good.conf'"
	check "check with net.mptcp.enabled=0: fail, fix, exit 1" eval 'rc_is 1 && has_out "fail net.mptcp.enabled: 0" && has_out "fix: sysctl -w net.mptcp.enabled=1" && has_out "fail kernel: MPTCP is disabled"'
	run_it unshare -n sh -c "sysctl -qw net.mptcp.enabled=0 && '$B' true"
	check "run with MPTCP disabled: warning, still runs" eval 'rc_is 0 && has_err "MPTCP is disabled"'
else
	skipped "check in a private netns" "needs root, unshare -n and an MPTCP kernel"
fi

############################################################################
# enable / disable

R=$TMP/root
mkdir -p "$R/etc" "$R/usr/lib/systemd/system" "$R/etc/systemd/system/foo.service.d"
cat >"$R/usr/lib/systemd/system/foo.service" <<'UNIT'
[Unit]
Description=foo

[Service]
Environment=FOO=1 "BAR=2 3"
Environment="LD_PRELOAD=/opt/x.so /opt/y.so"
ExecStart=/usr/bin/foo
UNIT
printf '[Service]\nEnvironment=A=1\n' >"$R/etc/systemd/system/foo.service.d/10-site.conf"
printf '[Service]\nExecStart=/usr/bin/bar\n' >"$R/usr/lib/systemd/system/bar.service"
printf '[Service]\nExecStart=/sbin/agetty %%I\n' >"$R/usr/lib/systemd/system/getty@.service"
vendor_sum=$(sha256sum <"$R/usr/lib/systemd/system/foo.service")
site_sum=$(sha256sum <"$R/etc/systemd/system/foo.service.d/10-site.conf")
D=$R/etc/systemd/system/foo.service.d/mptcp-run.conf

run_it "$B" enable --root "$R" foo
dropin=$(cat "$D" 2>/dev/null)
check "enable: drop-in written, default .service suffix" eval 'rc_is 0 && [ -f "$D" ] && has_out "not reloading systemd (--root)"'
check "enable: merges the unit's LD_PRELOAD, ours first, once" eval 'grep -qxF "Environment=\"LD_PRELOAD=$LIB:/opt/x.so /opt/y.so\"" "$D" && [ $(grep -o "libmptcp-run.so" "$D" | wc -l) -eq 1 ]'
check "enable: MPTCP_RUN_FORCE=1 in [Service]" eval 'grep -qx "\[Service\]" "$D" && grep -qx "Environment=MPTCP_RUN_FORCE=1" "$D"'
check "enable: vendor unit byte-identical, its Environment= lines kept" eval '[ "$(sha256sum <"$R/usr/lib/systemd/system/foo.service")" = "$vendor_sum" ] && grep -qF "Environment=FOO=1 \"BAR=2 3\"" "$R/usr/lib/systemd/system/foo.service"'
check "enable: other drop-ins untouched" eval '[ "$(sha256sum <"$R/etc/systemd/system/foo.service.d/10-site.conf")" = "$site_sum" ]'
check "enable: no temp files left" eval '[ $(ls -A "$R/etc/systemd/system/foo.service.d" | wc -l) -eq 2 ]'
dropin_sum=$(sha256sum <"$D")
run_it "$B" enable --root "$R" foo.service
check "enable again: idempotent" eval 'rc_is 0 && has_out "already enabled" && [ "$(sha256sum <"$D")" = "$dropin_sum" ]'
run_it "$B" disable --root "$R" foo
check "disable: our drop-in removed, the directory kept for 10-site.conf" eval 'rc_is 0 && [ ! -e "$D" ] && [ -f "$R/etc/systemd/system/foo.service.d/10-site.conf" ]'
check "disable: vendor unit still byte-identical" eval '[ "$(sha256sum <"$R/usr/lib/systemd/system/foo.service")" = "$vendor_sum" ] && [ "$(sha256sum <"$R/etc/systemd/system/foo.service.d/10-site.conf")" = "$site_sum" ]'
run_it "$B" disable --root "$R" foo
check "disable again: idempotent" eval 'rc_is 0 && has_out "not enabled"'

run_it "$B" enable --root "$R" bar
check "enable a unit without LD_PRELOAD: only ours" eval 'rc_is 0 && grep -qxF "Environment=LD_PRELOAD=$LIB" "$R/etc/systemd/system/bar.service.d/mptcp-run.conf"'
run_it "$B" disable --root "$R" bar
check "disable removes the .d directory it emptied" eval 'rc_is 0 && [ ! -e "$R/etc/systemd/system/bar.service.d" ]'
run_it "$B" enable --root "$R" getty@tty1
check "enable an instance of a template unit" eval 'rc_is 0 && [ -f "$R/etc/systemd/system/getty@tty1.service.d/mptcp-run.conf" ]'
"$B" disable --root "$R" getty@tty1 >/dev/null

# The service's program is inspected like a command: Go gets GODEBUG, static a warning.
if [ -x "$TMP/gofake" ]; then
	mkdir -p "$R/usr/bin"
	cp "$TMP/gofake" "$R/usr/bin/gosvc"
	printf '[Service]\nEnvironment=GODEBUG=http2client=0\nExecStart=-/usr/bin/gosvc --serve\n' >"$R/usr/lib/systemd/system/gosvc.service"
	run_it "$B" enable --root "$R" gosvc
	check "enable a Go service: GODEBUG merged into the drop-in" eval 'rc_is 0 && grep -qx "Environment=GODEBUG=http2client=0,multipathtcp=1" "$R/etc/systemd/system/gosvc.service.d/mptcp-run.conf" && has_err "Go program"'
	"$B" disable --root "$R" gosvc >/dev/null
	# Go before 1.21 ignores GODEBUG: the drop-in resets ExecStart= and runs the unit's
	# command line under the supervisor, its "-" prefix kept in front; '@' is refused.
	cp "$TMP/gofake19" "$R/usr/bin/gosvc19"
	printf '[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=-/usr/bin/gosvc19 --serve "a b"\n' >"$R/usr/lib/systemd/system/gosvc19.service"
	printf '[Service]\nExecStart=@/usr/bin/gosvc19 argv0\n' >"$R/usr/lib/systemd/system/goat19.service"
	v19=$(sha256sum <"$R/usr/lib/systemd/system/gosvc19.service")
	D19=$R/etc/systemd/system/gosvc19.service.d/mptcp-run.conf
	run_it "$B" enable --root "$R" gosvc19
	check "enable a Go 1.19 service: ExecStart= reset, the command under mptcp-run --supervise, no GODEBUG" eval 'rc_is 0 && has_out "Go 1.19.8 ignores GODEBUG=multipathtcp" && [ "$(grep -c "^ExecStart=" "$D19")" -eq 2 ] && grep -qx "ExecStart=" "$D19" && grep -qxF "ExecStart=-/usr/bin/mptcp-run --supervise /usr/bin/gosvc19 --serve \"a b\"" "$D19" && ! grep -q "GODEBUG\|LD_PRELOAD" "$D19" && [ "$(sha256sum <"$R/usr/lib/systemd/system/gosvc19.service")" = "$v19" ]'
	if command -v systemd-analyze >/dev/null; then
		mkdir -p "$R/usr/bin" && cp "$B" "$R/usr/bin/mptcp-run"
		run_it systemd-analyze verify --root="$R" gosvc19.service
		check "systemd-analyze verify --root accepts the unit with our drop-in" rc_is 0
		rm -f "$R/usr/bin/mptcp-run"
	else
		skipped "systemd-analyze verify" "systemd-analyze not installed"
	fi
	run_it "$B" enable --root "$R" goat19
	check "enable a Go 1.19 service with an '@' ExecStart=: refused, says why, nothing written" eval 'rc_is 1 && has_err "prefix" && [ ! -e "$R/etc/systemd/system/goat19.service.d/mptcp-run.conf" ]'
	run_it "$B" disable --root "$R" gosvc19
	check "disable a supervised service: drop-in removed" eval 'rc_is 0 && [ ! -e "$D19" ]'
else
	skipped "enable a Go service" "no fake Go binary"
	skipped "enable a Go 1.19 service" "no fake Go binary"
fi
if [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; then
	mkdir -p "$R/usr/bin"
	cp /bin/busybox "$R/usr/bin/bbsvc"
	printf '[Service]\nExecStart=/usr/bin/bbsvc httpd -f\n' >"$R/usr/lib/systemd/system/bbsvc.service"
	run_it "$B" enable --root "$R" bbsvc
	check "enable a static service: ExecStart= under the supervisor, no GODEBUG" eval 'rc_is 0 && has_out "/usr/bin/bbsvc: static binary" && grep -qxF "ExecStart=/usr/bin/mptcp-run --supervise /usr/bin/bbsvc httpd -f" "$R/etc/systemd/system/bbsvc.service.d/mptcp-run.conf" && ! grep -q GODEBUG "$R/etc/systemd/system/bbsvc.service.d/mptcp-run.conf"'
	"$B" disable --root "$R" bbsvc >/dev/null
else
	skipped "enable a static service" "/bin/busybox (busybox-static) not installed"
fi

# A drop-in that sorts after ours and sets LD_PRELOAD would override it: warn.
printf '[Service]\nEnvironment=LD_PRELOAD=/opt/z.so\n' >"$R/etc/systemd/system/foo.service.d/zz-late.conf"
run_it "$B" enable --root "$R" foo
check "enable warns about a later drop-in overriding LD_PRELOAD" eval 'rc_is 0 && has_err "zz-late.conf sets LD_PRELOAD"'
"$B" disable --root "$R" foo >/dev/null
rm -f "$R/etc/systemd/system/foo.service.d/zz-late.conf"

before=$(snapshot "$R")
for bad in 'foo;rm -rf /' '../../etc/passwd' 'a/b' '-foo' '.foo' 'foo.socket' '' 'foo bar' '$(id)' 'a@b@c'; do
	run_it "$B" enable --root "$R" -- "$bad"
	check "enable invalid unit name '$bad': exit 2" eval 'rc_is 2 && has_err "invalid unit name"'
	run_it "$B" disable --root "$R" -- "$bad"
	check "disable invalid unit name '$bad': exit 2" eval 'rc_is 2'
done
run_it "$B" enable --root "$R" nosuchunit
check "enable a unit that does not exist: exit 2" eval 'rc_is 2 && has_err "unit not found"'
run_it "$B" enable --root "$TMP/nonexistent" foo
check "enable --root missing dir: exit 2" eval 'rc_is 2'
run_it "$B" enable --root "$R"
check "enable without a unit: exit 2" eval 'rc_is 2'
run_it "$B" enable --root "$R" foo bar
check "enable with two units: exit 2" eval 'rc_is 2'
run_it "$B" enable --bogus foo
check "enable unknown option: exit 2" eval 'rc_is 2'
check "bad input changed nothing under the root" eval '[ "$(snapshot "$R")" = "$before" ]'

############################################################################
# preload

# install wants a root-owned library; ours is root's only when the tests run as root.
P=$TMP/proot
mkdir -p "$P/etc"
if [ "$(id -u)" = 0 ]; then
	printf '/opt/other.so\n# site comment\n/opt/second.so' >"$P/etc/ld.so.preload"
	orig_sum=$(sha256sum <"$P/etc/ld.so.preload")
	run_it "$B" preload status --root "$P"
	check "preload status when not installed: exit 1" eval 'rc_is 1 && has_out "not installed"'
	run_it "$B" preload install --root "$P"
	check "preload install: added, other lines kept" eval 'rc_is 0 && [ "$(head -3 "$P/etc/ld.so.preload")" = "$(printf "/opt/other.so\n# site comment\n/opt/second.so")" ] && [ "$(tail -1 "$P/etc/ld.so.preload")" = "$LIB" ]'
	check "preload install warns: built-in policy upgrades every program" eval 'has_err "every program on this machine will use MPTCP"'
	run_it "$B" preload status --root "$P"
	check "preload status when installed: exit 0" eval 'rc_is 0 && has_out "installed: $LIB"'
	inst_sum=$(sha256sum <"$P/etc/ld.so.preload")
	run_it "$B" preload install --root "$P"
	check "preload install again: idempotent" eval 'rc_is 0 && has_out "already installed" && [ "$(sha256sum <"$P/etc/ld.so.preload")" = "$inst_sum" ]'
	run_it "$B" preload uninstall --root "$P"
	check "preload uninstall: only our line removed" eval 'rc_is 0 && [ "$(sha256sum <"$P/etc/ld.so.preload")" != "$inst_sum" ] && grep -qxF /opt/other.so "$P/etc/ld.so.preload" && ! grep -qF "$LIB" "$P/etc/ld.so.preload"'
	run_it "$B" preload uninstall --root "$P"
	check "preload uninstall again: idempotent" eval 'rc_is 0 && has_out "not installed"'
	check "no temp files left in etc" eval '[ "$(ls -A "$P/etc")" = "ld.so.preload" ]'

	P2=$TMP/proot2
	mkdir -p "$P2/etc"
	printf 'defaults = { mode = "tcp"; };\nprograms = ( { match = "curl"; mode = "mptcp"; } );\n' >"$P2/etc/mptcp-run.conf"
	run_it "$B" preload install --root "$P2"
	check "preload install creates the file; no warning with a selective config" eval 'rc_is 0 && [ "$(cat "$P2/etc/ld.so.preload")" = "$LIB" ] && ! has_err "every program"'
	check "preload install --root: warns that the library is not in that tree" eval 'has_err "is not in $P2 yet"'
	run_it "$B" preload uninstall --root "$P2"
	check "preload uninstall removes a file that held only our line" eval 'rc_is 0 && [ ! -e "$P2/etc/ld.so.preload" ]'

else
	skipped "preload install/uninstall/status" "needs root (install refuses a library not owned by root)"
fi

# Bad input: nothing changes.
P3=$TMP/proot3
mkdir -p "$P3/etc" "$P3/real"
printf '/opt/other.so\n' >"$P3/real/preload"
ln -s ../real/preload "$P3/etc/ld.so.preload"
before=$(snapshot "$P3")
for action in install uninstall status; do
	run_it "$B" preload "$action" --root "$P3"
	check "preload $action with a symlinked ld.so.preload: exit 2" eval 'rc_is 2 && has_err "symbolic link"'
done
check "symlinked ld.so.preload: nothing changed" eval '[ "$(snapshot "$P3")" = "$before" ]'
P4=$TMP/proot4
mkdir -p "$P4/etc/ld.so.preload"
run_it "$B" preload install --root "$P4"
check "preload with a directory as ld.so.preload: exit 2" eval 'rc_is 2 && has_err "not a regular file"'
mkdir -p "$TMP/proot5"
run_it "$B" preload install --root "$TMP/proot5"
check "preload into a root without /etc: exit 2" eval 'rc_is 2 && [ ! -e "$TMP/proot5/etc" ]'
for args in "" "frobnicate" "install extra" "--bogus install"; do
	# shellcheck disable=SC2086
	run_it "$B" preload $args --root "$P"
	check "preload bad arguments '$args': exit 2" eval 'rc_is 2'
done

# A library anyone in its group may write is not put in every process.
mkdir -p "$TMP/wbin" "$TMP/proot6/etc"
cp "$B" "$TMP/wbin/mptcp-run"
cp "$LIB" "$TMP/wbin/libmptcp-run.so"
chmod 0775 "$TMP/wbin/libmptcp-run.so"
run_it "$TMP/wbin/mptcp-run" preload install --root "$TMP/proot6"
check "preload install refuses a group-writable library: exit 1, nothing written" eval 'rc_is 1 && has_err "refusing" && [ ! -e "$TMP/proot6/etc/ld.so.preload" ]'

############################################################################

tap_done
