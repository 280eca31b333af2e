#!/usr/bin/env bash
# A real /etc/ld.so.preload, in a private mount namespace: run by run.sh as
#   unshare -m --propagation private bash tests/hardening/ldpreload.sh ROOT NB
# NB: the folder of run.sh's copies of the library and the probe, which nobody can read
# whatever the checkout's folder (a clone in /root, mode 0700).
# The host's /etc is never written: an overlay whose upper layer is a tmpfs
# private to this namespace is mounted on /etc, the two files the test needs are
# created in it, and test files are bind-mounted over them. Everything vanishes
# with the namespace. A TAP stream (tests/lib/tap.sh) that run.sh folds into
# its own with tap_include.
set -u
ROOT=$1
LIB=$2/libmptcp-run.so
PROBE=$2/probe
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"

mount --make-rprivate / || tap_bail "ld.so.preload: mount --make-rprivate / failed"
# A mount namespace of our own: double-check before touching /etc.
if [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ]; then
	tap_bail "ld.so.preload: not in a private mount namespace, refusing to mount on /etc"
fi
T=$(mktemp -d /tmp/mptcp-run-ldso.XXXXXX)
trap 'umount -R /etc 2>/dev/null; umount -R "$T" 2>/dev/null; rm -rf "$T"' EXIT
mount -t tmpfs -o mode=0755 mptcp-run-test "$T" || tap_bail "ld.so.preload: cannot mount a tmpfs on $T"
mkdir -p "$T/upper" "$T/work" "$T/files"
if ! mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/upper,workdir=$T/work" /etc; then
	tap_skip_all "ld.so.preload cases: overlayfs on /etc not possible here"
fi
touch /etc/ld.so.preload /etc/mptcp-run.conf

F=$T/files
printf '%s\n' "$LIB" >"$F/preload"
printf 'defaults = { mode = "mptcp"; exclude = []; integrity = "accept-risk"; };\n' >"$F/mptcp.conf"
printf 'defaults = { mode = "tcp"; };\n' >"$F/tcp.conf"
cp "$F/mptcp.conf" "$F/nobody.conf"
cp "$F/mptcp.conf" "$F/world.conf"
chown nobody "$F/nobody.conf"
chmod 0666 "$F/world.conf"
chmod 0644 "$F/preload" "$F/mptcp.conf" "$F/tcp.conf" "$F/nobody.conf"
cp "$PROBE" "$F/probe-suid"
chown root:root "$F/probe-suid"
chmod 4755 "$F/probe-suid"
chmod 0755 "$T" "$F"

sysconf() { # bind FILE over /etc/mptcp-run.conf (replacing the previous one)
	while umount /etc/mptcp-run.conf 2>/dev/null; do :; done
	mount --bind "$1" /etc/mptcp-run.conf
}
sysconf "$F/mptcp.conf"
# From here on every new process loads the library.
mount --bind "$F/preload" /etc/ld.so.preload

AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
run() { # NAME CMD…: must exit 0 with the library mapped in (checked through /proc/PID/maps)
	local name=$1; shift
	local out rc
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq 0 ]; then ok "ld.so.preload: $name exits 0"; else not_ok "ld.so.preload: $name exits $rc" "$out" 20; fi
}
maps=$(cat /proc/self/maps)
if grep -q "$LIB" <<<"$maps"; then ok "ld.so.preload: the library is mapped into every new process (cat)"
else not_ok "ld.so.preload: the library is mapped into every new process" "$(grep -v '^ *$' /etc/ld.so.preload)"; fi
run "ls" ls -la /
run "sh" sh -c 'grep -q libmptcp-run /proc/$$/maps && echo hi >/dev/null'
run "python3 import socket" /usr/bin/python3 -c 'import socket; socket.socket().close()'
run "passwd --help (setuid root, run as nobody)" "${AS_NOBODY[@]}" passwd --help
run "su --help (setuid root, run as nobody)" "${AS_NOBODY[@]}" su --help
run "mount (the namespace's own tools)" mount --bind "$F/mptcp.conf" "$F/mptcp.conf"
umount "$F/mptcp.conf" 2>/dev/null

# The library acts in every process: python's socket is MPTCP under the system config.
out=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); print("proto=%d" % s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))' 2>&1)
if grep -qx 'proto=262' <<<"$out"; then ok "ld.so.preload: python3 socket upgraded by the system config"
else not_ok "ld.so.preload: python3 socket upgraded by the system config" "$out"; fi

# expect_probe NAME WANT_PROTO STDERR_MUST STDERR_MUST_NOT [env…] -- cmd…
expect_probe() {
	local name=$1 want=$2 must=$3 mustnot=$4; shift 4
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	local out err
	out=$(env "${envs[@]}" "$@" socket4 proto 2>"$T/err"); err=$(cat "$T/err")
	if ! grep -qx "proto=$want" <<<"$out"; then
		not_ok "$name (want proto=$want)" "$out"$'\n'"$err"
	elif [ -n "$must" ] && ! grep -q -- "$must" <<<"$err"; then
		not_ok "$name (stderr lacks '$must')" "$err"
	elif [ -n "$mustnot" ] && grep -q -- "$mustnot" <<<"$err"; then
		not_ok "$name (stderr has '$mustnot')" "$err"
	else
		ok "$name"
	fi
}
SUID=("${AS_NOBODY[@]}" "$F/probe-suid")
# Sanity: the copy is setuid and runs in secure-execution mode (AT_SECURE).
if "${AS_NOBODY[@]}" "$F/probe-suid" fd >/dev/null 2>&1 && [ -u "$F/probe-suid" ]; then
	ok "setuid probe runs as nobody"
else
	not_ok "setuid probe runs as nobody (is $T mounted nosuid?)"
fi

expect_probe "setuid: root-owned system config applies (MPTCP)" 262 "" "mptcp-run" -- "${SUID[@]}"
sysconf "$F/tcp.conf"
expect_probe "non-setuid: MPTCP_RUN_CONF honoured" 262 "" "" MPTCP_RUN_CONF="$F/mptcp.conf" -- "${AS_NOBODY[@]}" "$PROBE"
expect_probe "setuid: MPTCP_RUN_CONF (permissive) and MPTCP_RUN_LOG=debug ignored" 6 "" "mptcp-run" \
	MPTCP_RUN_CONF="$F/mptcp.conf" MPTCP_RUN_LOG=debug -- "${SUID[@]}"
expect_probe "setuid: MPTCP_RUN_FORCE=1 ignored" 6 "" "mptcp-run" MPTCP_RUN_FORCE=1 MPTCP_RUN_LOG=debug -- "${SUID[@]}"
expect_probe "setuid: MPTCP_RUN_CONF pointing to a missing file ignored" 6 "" "mptcp-run" \
	MPTCP_RUN_CONF=/nonexistent/x.conf -- "${SUID[@]}"
sysconf "$F/mptcp.conf"
expect_probe "setuid: MPTCP_RUN_DISABLE=1 ignored" 262 "" "mptcp-run" MPTCP_RUN_DISABLE=1 -- "${SUID[@]}"
expect_probe "setuid: MPTCP_RUN_REPORT ignored" 262 "" "mptcp-run" MPTCP_RUN_REPORT="$F/report.json" -- "${SUID[@]}"
if [ -e "$F/report.json" ]; then not_ok "setuid: MPTCP_RUN_REPORT wrote $F/report.json"; fi

# A system config not owned by root: refused in the setuid program only.
sysconf "$F/nobody.conf"
expect_probe "setuid: config not owned by root refused" 6 "error: /etc/mptcp-run.conf: not owned by root" "" -- "${SUID[@]}"
expect_probe "setuid: MPTCP_RUN_LOG=off ignored (the refusal is still logged)" 6 "not owned by root" "" \
	MPTCP_RUN_LOG=off -- "${SUID[@]}"
expect_probe "non-setuid: config not owned by root accepted" 262 "" "mptcp-run" -- "${AS_NOBODY[@]}" "$PROBE"

# A world-writable system config: refused everywhere, with a log line at the default level.
sysconf "$F/world.conf"
expect_probe "non-setuid: world-writable config refused, logged at the default level" 6 \
	"error: /etc/mptcp-run.conf: writable by everyone" "" -- "${AS_NOBODY[@]}" "$PROBE"
expect_probe "setuid: world-writable config refused" 6 "writable by everyone" "" -- "${SUID[@]}"

# Back to a sane config: nothing left behind by the cases above.
sysconf "$F/mptcp.conf"
run "ls after the config cases" ls /
tap_done
