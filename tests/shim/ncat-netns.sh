#!/usr/bin/env bash
# Unmodified ncat under LD_PRELOAD: a peer in another network namespace gets
# MPTCP (seen by the kernel in `ss -M`), a loopback peer of the same program
# stays TCP, and the bytes arrive intact. A TAP stream (tests/lib/tap.sh) that
# tests/shim/run.sh folds into its own; runs alone too. Needs root.
set -u
cd "$(dirname "$0")/../.." || exit 2
LIB=$PWD/build/libmptcp-run.so
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=tests/matrix/lib.sh
. tests/matrix/lib.sh
[ "$(id -u)" = 0 ] || tap_skip_all "needs root (ip netns)"
command -v ncat >/dev/null || tap_skip_all "ncat not installed (scripts/setup-deps)"
A=mrf-a-$$-$RANDOM B=mrf-b-$$-$RANDOM
TMP=$(mktemp -d /tmp/mptcp-run-ncat.XXXXXX)
# The built-in policy, the server's listener allowed MPTCP whatever the kernel (tests/integrity
# tests the guard that otherwise keeps it TCP).
printf 'defaults = { integrity = "accept-risk"; };\n' >"$TMP/conf"
export MPTCP_RUN_CONF=$TMP/conf
pids=()
# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

{ ip netns add "$A" && ip netns add "$B"; } || tap_bail "ip netns add failed"
ip link add va netns "$A" type veth peer name vb netns "$B"
ip -n "$A" addr add 198.18.100.1/24 dev va
ip -n "$B" addr add 198.18.100.2/24 dev vb
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set va up
ip -n "$B" link set vb up

head -c 2000000 /dev/urandom >"$TMP/data"
want=$(sha256sum <"$TMP/data" | cut -d' ' -f1)

ip netns exec "$B" env LD_PRELOAD="$LIB" ncat -l 198.18.100.2 7000 >"$TMP/got" &
pids+=($!)
ip netns exec "$A" ncat -lk 127.0.0.1 7001 >/dev/null &
pids+=($!)
mx_wait_listen "$B" 7000 5
mx_wait_listen "$A" 7001 5
# Clients stay open a moment after sending so the sockets can be observed.
(cat "$TMP/data"; sleep 1.5) | ip netns exec "$A" env LD_PRELOAD="$LIB" ncat 198.18.100.2 7000 &
pids+=($!)
(echo hello; sleep 1.5) | ip netns exec "$A" env LD_PRELOAD="$LIB" ncat 127.0.0.1 7001 &
pids+=($!)
# shellcheck disable=SC2317 # called through tap_wait
both_up() { ip netns exec "$A" ss -Mn | grep -q '198.18.100.2:7000' && ip netns exec "$A" ss -tn | grep -q '127.0.0.1:7001'; }
tap_wait 5 both_up
ssa=$(ip netns exec "$A" ss -Mn)
ssb=$(ip netns exec "$B" ss -Mn)
sst=$(ip netns exec "$A" ss -tn)
if grep -q '198.18.100.2:7000' <<<"$ssa"; then ok "client's connection to the other namespace is MPTCP (ss -M)"; else not_ok "client's connection to the other namespace is MPTCP (ss -M)" "$ssa"; fi
if grep -q '198.18.100.2:7000' <<<"$ssb"; then ok "server's listener/connection is MPTCP (ss -M)"; else not_ok "server's listener/connection is MPTCP (ss -M)" "$ssb"; fi
if ! grep -q ':7001' <<<"$ssa" && grep -q '127.0.0.1:7001' <<<"$sst"; then ok "loopback connection of the same program stays TCP"; else not_ok "loopback connection of the same program stays TCP" "$ssa
$sst"; fi
wait "${pids[2]}" 2>/dev/null
# shellcheck disable=SC2317 # called through tap_wait
arrived() { [ "$(sha256sum <"$TMP/got" | cut -d' ' -f1)" = "$want" ]; }
tap_wait 5 arrived # the server writes the tail after the client has gone
got=$(sha256sum <"$TMP/got" | cut -d' ' -f1)
if [ "$got" = "$want" ]; then ok "2 MB arrived intact over MPTCP (sha256)"; else not_ok "2 MB arrived intact over MPTCP (sha256)" "got $(stat -c %s "$TMP/got") bytes"; fi
tap_done
