#!/usr/bin/env bash
# Hardening suite (`make check` runs it through tests/run-all.sh):
#   1. fuzz regressions and seed corpora replayed under gcc + ASan + UBSan;
#   2. stress: 8 threads, 100k socket lifecycles, concurrent fork+exec (netns, root);
#   3. a real /etc/ld.so.preload in a private mount namespace (root);
#   4. the bad-input catalogue (tests/hardening/badconf/) through the library and
#      the launcher.
# Output: TAP (tests/lib/tap.sh); exit status non-zero on failure.
# Environment: STRESS_OPS (default 100000), STRESS_THREADS (8), STRESS_TIMEOUT (120 s).
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
LIB=$ROOT/build/libmptcp-run.so
PROBE=$ROOT/build/tests/shim/probe
LAUNCHER=$ROOT/build/mptcp-run
TMP=$(mktemp -d /tmp/mptcp-run-hardening.XXXXXX)
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	chmod -R u+rwx "$TMP" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
is_root() { [ "$(id -u)" = 0 ]; }

for f in "$LIB" "$PROBE"; do
	[ -e "$f" ] || tap_bail "prerequisite $f missing (run make tests first)"
done
# What runs as nobody (the ld.so.preload cases, the unreadable config) loads copies of the
# library and the probe from NB: the checkout may be in a folder nobody cannot enter (a clone
# in /root, mode 0700).
NB=$TMP/bin
chmod 0755 "$TMP"
if ! { mkdir -m 0755 "$NB" && cp "$LIB" "$PROBE" "$NB/" && chmod 0755 "$NB"/*; }; then
	tap_bail "cannot copy the library and the probe to $NB"
fi

# --- 1. fuzz regressions ---
export LSAN_OPTIONS="suppressions=$ROOT/tests/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# shellcheck disable=SC2054 # the commas are in -fsanitize=address,undefined
SAN=(-std=gnu11 -D_GNU_SOURCE -iquote shim -iquote tests/fuzz -O1 -g -Wall -Wextra -Werror
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
for t in config policy; do
	bin=$TMP/replay-$t
	read -r -a policy_srcs <<<"$(make -s --no-print-directory print-policy-srcs)"
	if ! out=$(gcc "${SAN[@]}" -o "$bin" tests/fuzz/replay.c "tests/fuzz/fuzz_$t.c" tests/fuzz/ref.c \
		"${policy_srcs[@]}" -lconfig 2>&1); then
		not_ok "fuzz replay driver for $t builds" "$out"
		continue
	fi
	regs=(tests/fuzz/regressions/"$t"/*)
	[ -e "${regs[0]}" ] || regs=()
	seeds=(tests/fuzz/corpus/"$t"/*)
	if out=$(ASAN_OPTIONS=detect_leaks=1 "$bin" "${regs[@]}" "${seeds[@]}" 2>&1); then
		ok "fuzz $t: ${#regs[@]} regression input(s) and ${#seeds[@]} seed(s) replay clean under ASan+UBSan+LSan"
	else
		not_ok "fuzz $t: replay of regressions and seeds" "$out"
	fi
done

# --- 2. stress ---
if ! is_root || ! unshare -n true 2>/dev/null; then
	skipped "stress" "needs root and unshare -n (a private network namespace with 198.18.0.1 on lo)"
elif [ "$(cat /proc/sys/net/mptcp/enabled 2>/dev/null)" != 1 ]; then
	skipped "stress" "MPTCP is not enabled (net.mptcp.enabled)"
elif ! out=$(gcc -std=gnu11 -D_GNU_SOURCE -iquote shim -O2 -g -Wall -Wextra -Werror -pthread -o "$TMP/stress" \
	tests/hardening/stress.c 2>&1); then
	not_ok "stress test builds" "$out"
else
	# The built-in policy, written out: loopback excluded, everything else MPTCP.
	printf 'defaults = { exclude = [ "127.0.0.0/8", "[::1]" ]; };\n' >"$TMP/builtin.conf"
	start=$(date +%s)
	# shellcheck disable=SC2016 # expanded by the inner bash, from its arguments
	out=$(timeout -k 5 "${STRESS_TIMEOUT:-120}" unshare -n bash -c '
		ip link set lo up && ip addr add 198.18.0.1/32 dev lo || exit 3
		# Private namespace: 100k short connections need port reuse, not TIME_WAIT.
		sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="1024 65000"
		exec env LD_PRELOAD="$1" MPTCP_RUN_CONF="$2" "$3" "$4" "$5"' _ \
		"$LIB" "$TMP/builtin.conf" "$TMP/stress" "${STRESS_OPS:-100000}" "${STRESS_THREADS:-8}" 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		not_ok "stress: no deadlock (killed after ${STRESS_TIMEOUT:-120} s)" "$out"
	elif [ "$rc" -ne 0 ]; then
		not_ok "stress (exit $rc)" "$out"
	else
		ok "$(grep '^stress:' <<<"$out" | head -1) [${secs}s wall]"
	fi
fi

# --- 3. /etc/ld.so.preload ---
if ! is_root || ! unshare -m true 2>/dev/null; then
	skipped "ld.so.preload" "needs root and unshare -m (a private mount namespace)"
elif ! command -v setpriv >/dev/null; then
	skipped "ld.so.preload" "setpriv (util-linux) not installed"
else
	tap_include "" timeout -k 5 120 unshare -m --propagation private bash tests/hardening/ldpreload.sh "$ROOT" "$NB"
fi

# --- 4. bad-input catalogue ---
# NAME:LINE — LINE is the line the error must name, "-" when the error is about the whole file.
cases=(syntax-error:6 wrong-type:3 bad-cidr:4 port-zero:4 port-65536:4 inverted-range:3
	empty-match:3 non-utf8:3 deeply-nested:4 huge:- unreadable:- directory:-)
B=$TMP/badconf
mkdir -p "$B"
chmod 0755 "$B"
cp tests/hardening/badconf/*.conf "$B/"
# > 1 MiB, valid text: refused for its size, before parsing.
{
	echo 'defaults = { exclude = ['
	for _ in $(seq 40000); do echo '  "198.18.0.0/15", "[2001:db8::]/32:443",'; done
	echo '  "10.0.0.0/8" ]; };'
} >"$B/huge.conf"
cp tests/hardening/badconf/wrong-type.conf "$B/unreadable.conf"
chmod 000 "$B/unreadable.conf"
mkdir "$B/directory.conf"
AS=()
if is_root; then
	# root reads a mode-000 file anyway: the unreadable case runs as nobody (from NB).
	if command -v setpriv >/dev/null; then
		AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	else
		AS=(SKIP)
	fi
fi
[ -x "$LAUNCHER" ] || launcher_missing=1
ncases=0
for c in "${cases[@]}"; do
	name=${c%%:*} line=${c#*:} file=$B/$name.conf
	ncases=$((ncases + 1))
	runner=()
	if [ "$name" = unreadable ]; then
		if [ "${AS[0]:-}" = SKIP ]; then
			skipped "badconf $name (library)" "root can read a mode-000 file and setpriv is missing"
			skipped "badconf $name (launcher)" "root can read a mode-000 file and setpriv is missing"
			continue
		fi
		runner=("${AS[@]}")
	fi
	want=$file
	[ "$line" != - ] && want="$file:$line:"
	# Through the library: the socket stays TCP, exactly one error line naming the file.
	lib=$LIB probe=$PROBE
	[ ${#runner[@]} -eq 0 ] || lib=$NB/libmptcp-run.so probe=$NB/probe
	out=$("${runner[@]}" env LD_PRELOAD="$lib" MPTCP_RUN_CONF="$file" "$probe" socket4 proto 2>"$TMP/err")
	err=$(cat "$TMP/err")
	nerr=$(grep -c 'error:' <<<"$err")
	if grep -qx 'proto=6' <<<"$out" && [ "$nerr" = 1 ] && grep -qF -- "error: $want" <<<"$err"; then
		# shellcheck disable=SC2001 # a regular expression, not a fixed string
		ok "badconf $name (library): TCP, one error line: $(sed 's/^mptcp-run\[[0-9]*\]: //' <<<"$err" | cut -c1-150)"
	else
		not_ok "badconf $name (library): want proto=6 and one 'error: $want' line, got $nerr" "$out"$'\n'"$err"
	fi
	# Through the launcher: exit 2 and a message naming the file.
	if [ -n "${launcher_missing:-}" ]; then
		skipped "badconf $name (launcher)" "$LAUNCHER not built yet"
		continue
	fi
	out=$("${runner[@]}" "$LAUNCHER" -c "$file" true 2>&1)
	rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$want" <<<"$out" && [ "$(wc -l <<<"$out")" -le 3 ]; then
		ok "badconf $name (launcher): exit 2: $(head -1 <<<"$out" | cut -c1-150)"
	else
		not_ok "badconf $name (launcher): want exit 2 and a message naming $want, got exit $rc" "$out"
	fi
done
echo "# bad-input catalogue: $ncases cases, each through the library and the launcher"
tap_done
