#!/usr/bin/env bash
# Connection report (MPTCP_RUN_REPORT=FILE and `mptcp-run report`):
#  - the summariser on hand-made input (malformed and truncated lines);
#  - failures of the report file never reach the program;
#  - as root, in two network namespaces of our own joined by two veth pairs:
#    an MPTCP transfer over both paths, a fallback to a plain TCP server, a
#    loopback connection that stays TCP by policy, and several processes
#    closing many sockets at once into one file (only whole lines).
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
LIB=$ROOT/build/libmptcp-run.so
P=$ROOT/build/tests/shim/probe
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
TMP=$(mktemp -d /tmp/mptcp-run-report.XXXXXX)
NS_C="" NS_S="" PIDS=()

# shellcheck disable=SC2317 # invoked by the trap
cleanup() {
	local p ns more
	# Our background jobs, and anything still running inside our own namespaces.
	for ns in $NS_C $NS_S; do
		mapfile -t more < <(ip netns pids "$ns" 2>/dev/null)
		PIDS+=("${more[@]}")
	done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "$NS_C" ] && ip netns del "$NS_C" 2>/dev/null
	[ -n "$NS_S" ] && ip netns del "$NS_S" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP


# The summariser: the launcher's own sub-command once main.c dispatches to it,
# else the same function through a tiny driver.
CFLAGS_T=(-std=gnu11 -D_GNU_SOURCE -iquote shim -iquote launcher -O1 -g)
if ! cc "${CFLAGS_T[@]}" -o "$TMP/report" tests/report/report_main.c build/liblauncher.a \
	build/libmptcp-config.a build/libmptcp-policy.a -lconfig -ljansson -lm 2>"$TMP/cc.err" ||
	! cc "${CFLAGS_T[@]}" -o "$TMP/burst" tests/report/burst.c 2>>"$TMP/cc.err"; then
	not_ok "build the test helpers (run make tests first)" "$(cat "$TMP/cc.err")"
	tap_done
fi
REPORT=("$TMP/report")
if [ -x build/mptcp-run ] && build/mptcp-run report --help 2>/dev/null | grep -q '^Usage: mptcp-run report'; then
	REPORT=("$ROOT/build/mptcp-run" report)
fi

# --- the summariser on hand-written input ---
SF1='{"local":"198.18.1.1:40000","remote":"198.18.1.2:5000","dev":"c1","bytes_sent":3000,"bytes_acked":3000,"bytes_received":0,"retrans":0,"rtt_us":100,"backup":null}'
SF2='{"local":"198.18.2.1:40001","remote":"198.18.1.2:5000","dev":"c2","bytes_sent":1000,"bytes_acked":1000,"bytes_received":0,"retrans":1,"rtt_us":120,"backup":false}'
HEAD='"v":1,"time":1,"program":"/usr/bin/ncat","pid":7,"fd":3,"at":"close","role":"connect"'
MP="{$HEAD,\"local\":\"198.18.1.1:40000\",\"remote\":\"198.18.1.2:5000\",\"socket\":\"mptcp\",\"conn\":\"mptcp\",\"policy\":\"mptcp\",\"rule\":\"built-in mode \\\"mptcp\\\"\",\"kept\":null,\"pinned\":false,\"shared\":false,\"bytes_sent\":4000,\"bytes_acked\":4000,\"bytes_received\":0,\"retrans\":1,\"subflows_total\":2,\"subflows\":[$SF1,$SF2]}"
LO='{"v":1,"time":1,"program":"/usr/bin/curl","pid":8,"fd":4,"at":"exit","role":"connect","local":"127.0.0.1:40002","remote":"127.0.0.1:80","socket":"tcp","conn":"tcp","policy":"tcp","rule":"built-in exclude 127.0.0.0/8","kept":null,"pinned":false,"shared":false,"subflows_total":1,"subflows":[{"local":"127.0.0.1:40002","remote":"127.0.0.1:80","dev":"lo","backup":null}]}'
{
	echo "$MP"
	echo "$LO"
	echo 'not json at all'
	echo "${MP:0:200}"                      # truncated mid-line
	echo "${MP%\}},\"extra\":1}"             # a key we never write
	echo ''                                 # blank lines are ignored
	printf '%s' "${LO:0:50}"                # last line cut short, no newline
} >"$TMP/hand.jsonl"
out=$("${REPORT[@]}" "$TMP/hand.jsonl" --svg "$TMP/hand.svg" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q '^connections: 2 (MPTCP 1, fallback to TCP 0, TCP by policy 1)' <<<"$out" &&
	grep -q '^skipped 4 malformed lines' <<<"$out" &&
	grep -Eq '^198\.18\.1\.1 +3000 +75\.0%' <<<"$out" && grep -Eq '^198\.18\.2\.1 +1000 +25\.0%' <<<"$out"; then
	ok "summary: counts, shares per local address, malformed lines skipped and counted"
else not_ok "summary: counts, shares per local address, malformed lines skipped and counted" "$out"; fi
if grep -q '^<svg ' "$TMP/hand.svg" && grep -q '</svg>' "$TMP/hand.svg" &&
	grep -q '198.18.2.1 — 1000 bytes (25.0%)' "$TMP/hand.svg" &&
	{ ! command -v xmllint >/dev/null || xmllint --noout "$TMP/hand.svg" 2>/dev/null; }; then
	ok "--svg writes a well-formed drawing with the per-path shares"
else not_ok "--svg writes a well-formed drawing with the per-path shares" "$(head -c 2000 "$TMP/hand.svg")"; fi
out=$("${REPORT[@]}" "$TMP/missing.jsonl" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q 'missing.jsonl' <<<"$out"; then ok "missing report file: error, status 1"; else not_ok "missing report file: error, status 1" "rc=$rc $out"; fi
out=$("${REPORT[@]}" 2>&1); rc=$?
if [ $rc -eq 2 ]; then ok "no FILE: usage, status 2"; else not_ok "no FILE: usage, status 2" "rc=$rc $out"; fi

# --- report file failures cost the program nothing ---
ALL="$TMP/all.conf"
printf 'defaults = { mode = "mptcp"; exclude = []; integrity = "accept-risk"; };\n' >"$ALL"
out=$(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_REPORT=/nonexistent/dir/report "$P" socket4 proto 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -qx 'socket=ok' <<<"$out"; then
	ok "unwritable report file: the program runs normally"
else not_ok "unwritable report file: the program runs normally" "$out"; fi
if [ -w /dev/full ]; then
	out=$(LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_REPORT=/dev/full "$P" socket4 proto socket4 proto 2>&1); rc=$?
	if [ $rc -eq 0 ] && [ "$(grep -c 'socket=ok' <<<"$out")" = 2 ]; then
		ok "full disk (/dev/full): writes fail silently"
	else not_ok "full disk (/dev/full): writes fail silently" "$out"; fi
fi

# --- in network namespaces ---
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
	skipped "two-path, fallback, loopback and concurrency cases" "need root and ip netns"
	tap_done
fi
if ! command -v ncat >/dev/null; then
	skipped "two-path, fallback, loopback and concurrency cases" "ncat not installed"
	tap_done
fi
NS_C=mrrep-c-$$ NS_S=mrrep-s-$$
C() { ip netns exec "$NS_C" "$@"; }
S() { ip netns exec "$NS_S" "$@"; }
setup() {
	set -e
	ip netns add "$NS_C"
	ip netns add "$NS_S"
	local i
	for i in 1 2; do
		ip -n "$NS_C" link add c$i type veth peer name s$i netns "$NS_S"
		ip -n "$NS_C" addr add 198.18.$i.1/24 dev c$i
		ip -n "$NS_S" addr add 198.18.$i.2/24 dev s$i
		ip -n "$NS_C" link set c$i up
		ip -n "$NS_S" link set s$i up
		# Path 2's subflow leaves from 198.18.2.1 towards the server's path-1 address
		# (a gateway route: with a plain "dev" route the join SYN never left).
		ip -n "$NS_C" route add 198.18.0.0/15 via 198.18.$i.2 dev c$i table $((100 + i))
		ip -n "$NS_C" rule add from 198.18.$i.1 table $((100 + i))
	done
	ip -n "$NS_C" link set lo up
	ip -n "$NS_S" link set lo up
	C sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	S sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	C sysctl -qw net.mptcp.enabled=1
	S sysctl -qw net.mptcp.enabled=1
	ip -n "$NS_C" mptcp limits set subflows 2 add_addr_accepted 2
	ip -n "$NS_S" mptcp limits set subflows 2 add_addr_accepted 2
	ip -n "$NS_C" mptcp endpoint add 198.18.2.1 dev c2 subflow
	# Resolve both paths' neighbours first: on 6.18 a join whose next hop is not
	# resolved yet failed (TcpAttemptFails) instead of waiting for ARP.
	C ping -c1 -W2 -I 198.18.1.1 198.18.1.2 >/dev/null
	C ping -c1 -W2 -I 198.18.2.1 198.18.1.2 >/dev/null
	set +e
}
if ! (setup) 2>"$TMP/setup.err"; then
	skipped "two-path, fallback, loopback and concurrency cases" "namespace setup failed: $(head -3 "$TMP/setup.err" | tr '\n' ' ')"
	tap_done
fi
# Both paths at the same modest rate, so the transfer lasts long enough for
# the second subflow to carry its share (tbf may be missing: then unshaped).
for i in 1 2; do
	C tc qdisc add dev c$i root tbf rate 40mbit burst 64kb latency 200ms 2>/dev/null
	S tc qdisc add dev s$i root tbf rate 40mbit burst 64kb latency 200ms 2>/dev/null
done

wait_listen() { # wait_listen NS PORT
	local i
	for i in $(seq 50); do
		ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

CONF="$TMP/client.conf" # the built-in policy, spelled out: MPTCP except loopback
printf 'defaults = { mode = "mptcp"; integrity = "accept-risk"; };\n' >"$CONF"
R="$TMP/client.jsonl" SR="$TMP/server.jsonl"
head -c 4000000 /dev/zero >"$TMP/data"

# Two paths: an MPTCP server (ncat under the library with an all-MPTCP config).
# --keep-open: joins arrive through the listener, and a plain `ncat -l` closes
# it after the first accept (the join is then refused).
ip netns exec "$NS_S" env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" \
	ncat -l -k 198.18.1.2 5000 --recv-only >"$TMP/received" &
PIDS+=($!)
# A plain TCP server (no library): the client's MPTCP connection falls back.
ip netns exec "$NS_S" ncat -l 198.18.1.2 5001 --recv-only >/dev/null &
PIDS+=($!)
# A loopback server in the client namespace: the policy keeps it TCP.
ip netns exec "$NS_C" ncat -l 127.0.0.1 5002 --recv-only >/dev/null &
PIDS+=($!)
if ! { wait_listen "$NS_S" 5000 && wait_listen "$NS_S" 5001 && wait_listen "$NS_C" 5002; }; then
	not_ok "servers listening" "$(S ss -ltn; C ss -ltn)"
fi

# MPTCP events of the client, shown if the two-path case fails.
ip netns exec "$NS_C" ip mptcp monitor >"$TMP/events" 2>&1 &
PIDS+=($!)
sleep 0.2
# The client keeps the connection a moment after its data (so the join has
# completed and carried data) and then closes it without shutdown(): the
# report is taken at close(), while the subflows still exist.
# The server rejects a join that arrives before its side of the connection is
# fully established (MPTcpExtMPJoinRejected, a race with the in-kernel PM's
# immediate join): only then the transfer is tried again, up to 3 times.
joins_rejected() { S nstat -az MPTcpExtMPJoinRejected | awk '/MPJoinRejected/ {print $2}'; }
for attempt in 1 2 3; do
	rejected_before=$(joins_rejected)
	rm -f "$R"
	{ cat "$TMP/data"; sleep 1; } | C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_REPORT="$R" \
		ncat --send-only --no-shutdown 198.18.1.2 5000
	sleep 0.3
	[ "$(joins_rejected)" = "$rejected_before" ] && break
	echo "# attempt $attempt: the server rejected the join (kernel race), trying again"
done
line=$(grep '"remote":"198.18.1.2:5000"' "$R" | grep '"role":"connect"')
summary=$("${REPORT[@]}" "$R" 2>&1)
if grep -q '"conn":"mptcp"' <<<"$line" && grep -q '"subflows_total":2' <<<"$line" &&
	grep -q '"dev":"c1"' <<<"$line" && grep -q '"dev":"c2"' <<<"$line"; then
	ok "two paths: the client's line shows an MPTCP connection with 2 subflows, on c1 and c2"
else
	not_ok "two paths: the client's line shows an MPTCP connection with 2 subflows, on c1 and c2" \
		"$line"$'\n'"$(cat "$TMP/events")"$'\n'"$(C nstat -az | grep -E 'Join|AttemptFails' | grep -v ' 0 ')"
fi
share1=$(awk '$1 == "198.18.1.1" {print int($3)}' <<<"$summary")
share2=$(awk '$1 == "198.18.2.1" {print int($3)}' <<<"$summary")
if [ "${share1:-0}" -ge 5 ] && [ "${share2:-0}" -ge 5 ]; then
	ok "two paths: bytes on both paths (shares ${share1}% / ${share2}%)"
else not_ok "two paths: bytes on both paths" "$summary"$'\n'"$line"; fi
if grep -q '"program":"[^"]*ncat"' <<<"$line" && grep -q '"policy":"mptcp"' <<<"$line" &&
	grep -q '"rule":"defaults (line 1) mode \\"mptcp\\""' <<<"$line"; then
	ok "two paths: program, decision and rule recorded"
else not_ok "two paths: program, decision and rule recorded" "$line"; fi
# The server side: the listeners the library created.
S env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_REPORT="$SR" "$P" socket4 bind 198.18.1.2:5009 listen >/dev/null
sline=$(cat "$SR" 2>/dev/null)
if grep -q '"role":"listen"' <<<"$sline" &&
	grep -q '"socket":"mptcp"' <<<"$sline" && grep -q '"local":"198.18.1.2:5009"' <<<"$sline"; then
	ok "server side: the MPTCP listener is reported"
else not_ok "server side: the MPTCP listener is reported" "$sline"; fi

# --- the paths are kept whatever order the ends close in ---
# paths_ok FILE FILTER ROLE: the line is MPTCP with two subflows that both carried data
# (sent or received), the client's on c1 and c2.
paths_ok() {
	local line sfs
	line=$(grep -- "$2" "$1" | grep "\"role\":\"$3\"" | tail -1)
	PATHS_LINE=$line
	sfs=${line#*\"subflows\":}
	grep -q '"conn":"mptcp"' <<<"$line" || return 1
	[ "$3" != connect ] || { grep -q '"dev":"c1"' <<<"$sfs" && grep -q '"dev":"c2"' <<<"$sfs"; } || return 1
	[ "$(grep -Eo '"bytes_sent":[1-9][0-9]*|"bytes_received":[1-9][0-9]*' <<<"$sfs" | wc -l)" -ge 2 ]
}
# with_join CMD…: runs a transfer again (at most 3 times) when the server refused the join
# (a kernel race: the join SYN overtook the first data) and the line has one path only.
with_join() {
	local attempt
	for attempt in 1 2 3; do
		"$@"
		[ "$(grep -c '"dev":"c2"' "$R2" 2>/dev/null)" -gt "${JOINED:-0}" ] && break
		echo "# attempt $attempt: no second path in the line (join refused?), trying again"
	done
	JOINED=$(grep -c '"dev":"c2"' "$R2")
}
head -c 12000000 /dev/zero >"$TMP/data12"
# A server that reads until EOF, then closes (-k keeps the listener for the join).
ip netns exec "$NS_S" env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_REPORT="$SR" \
	ncat -l -k 198.18.1.2 5003 --recv-only >/dev/null &
PIDS+=($!)
# A server that sends the data, then closes.
ip netns exec "$NS_S" env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" \
	ncat -l -k 198.18.1.2 5004 --send-only <"$TMP/data12" &
PIDS+=($!)
wait_listen "$NS_S" 5003 && wait_listen "$NS_S" 5004
R2="$TMP/orders.jsonl"
# 1. The client sends, shuts down writing, the server closes first (ncat --send-only).
# shellcheck disable=SC2317 # run through with_join
send_shut() {
	C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_REPORT="$R2" \
		ncat --send-only 198.18.1.2 5003 <"$TMP/data12"
}
with_join send_shut
if paths_ok "$R2" '"remote":"198.18.1.2:5003"' connect; then
	ok "send, shutdown, the server closes first: both paths with their bytes ($(grep -o '"paths_at":"[a-z]*"' <<<"$PATHS_LINE"))"
else not_ok "send, shutdown, the server closes first: both paths with their bytes" "$PATHS_LINE"; fi
summary=$("${REPORT[@]}" "$R2" 2>&1)
if grep -Eq '^198\.18\.1\.1 +[0-9]+ +[0-9.]+%' <<<"$summary" &&
	grep -Eq '^198\.18\.2\.1 +[0-9]+ +[0-9.]+%' <<<"$summary" && ! grep -q 'path unknown' <<<"$summary"; then
	ok "send, shutdown: the summary names both local addresses with a share"
else not_ok "send, shutdown: the summary names both local addresses with a share" "$summary"; fi
# 2. The client reads until the server closes.
# shellcheck disable=SC2317 # run through with_join
recv_all() {
	C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_REPORT="$R2" \
		ncat --recv-only 198.18.1.2 5004 >"$TMP/got"
}
with_join recv_all
if paths_ok "$R2" '"remote":"198.18.1.2:5004"' connect && cmp -s "$TMP/data12" "$TMP/got"; then
	ok "read until the server closes: both paths with their bytes ($(grep -o '"paths_at":"[a-z]*"' <<<"$PATHS_LINE"))"
else not_ok "read until the server closes: both paths with their bytes" "$PATHS_LINE"; fi
# 3. Both close at once: the client closes without shutdown as soon as its data is out.
# shellcheck disable=SC2317 # run through with_join
send_close() {
	C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_REPORT="$R2" \
		ncat --send-only --no-shutdown 198.18.1.2 5003 <"$TMP/data12"
}
with_join send_close
if paths_ok "$R2" '"remote":"198.18.1.2:5003"' connect; then
	ok "both close at once: both paths with their bytes"
else not_ok "both close at once: both paths with their bytes" "$PATHS_LINE"; fi
# 4. A long-lived connection that ends in the process's exit (no close).
R2="$TMP/exit.jsonl"
# shellcheck disable=SC2317 # run through with_join
to_exit() {
	C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_REPORT="$R2" \
		"$P" socket4 connect 198.18.1.2:5003 write 12000000 pause 500 >/dev/null
}
JOINED=0 with_join to_exit
if paths_ok "$R2" '"remote":"198.18.1.2:5003"' connect && grep -q '"at":"exit"' <<<"$PATHS_LINE" &&
	grep -q '"paths_at":"exit"' <<<"$PATHS_LINE"; then
	ok "a connection still open at exit: reported at exit with both paths"
else not_ok "a connection still open at exit: reported at exit with both paths" "$PATHS_LINE"; fi
# 5. A short exchange closed by both ends before the client's close(): the kernel has
# usually dropped the subflow by then; its figures were recorded at shutdown().
R2="$TMP/orderly.jsonl"
C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_REPORT="$R2" \
	ncat --send-only 198.18.1.2 5003 <<<"hello, orderly close"
line=$(cat "$R2")
summary=$("${REPORT[@]}" "$R2" 2>&1)
if grep -q '"conn":"mptcp"' <<<"$line" && grep -q '"bytes_sent":21,' <<<"$line" &&
	grep -Eq '"paths_at":"(shutdown|close)","subflows":\[\{"local":"198\.18\.1\.1:[0-9]+"' <<<"$line" &&
	! grep -q 'path unknown' <<<"$summary"; then
	ok "orderly close by both ends: the path is known ($(grep -o '"paths_at":"[a-z]*"' <<<"$line"))"
else not_ok "orderly close by both ends: the path is known" "$line"$'\n'"$summary"; fi
if ! grep -q '"paths_at":"shutdown"' <<<"$line" || grep -q '^per-path bytes taken at shutdown() .*: 1 connection$' <<<"$summary"; then
	ok "the summary says when per-path figures were taken at shutdown()"
else not_ok "the summary says when per-path figures were taken at shutdown()" "$summary"; fi

# The server's side of these: accepted connections, reported with the client's address.
sleep 0.5
srv_ok=0
while IFS= read -r sl; do
	printf '%s\n' "$sl" >"$TMP/one.jsonl"
	if paths_ok "$TMP/one.jsonl" '"local":"198.18.1.2:5003"' accepted &&
		grep -q '"remote":"198.18.1.1:' <<<"$PATHS_LINE" &&
		grep -q '"remote":"198.18.2.1:' <<<"${PATHS_LINE#*\"subflows\":}" &&
		grep -q '"policy":"mptcp"' <<<"$PATHS_LINE"; then
		srv_ok=1
	fi
done < <(grep '"role":"accepted"' "$SR")
summary=$("${REPORT[@]}" "$SR" 2>&1)
if [ $srv_ok = 1 ] && grep -Eq '^ncat +(198\.18\.1\.2:5003|port 5003) +[1-9][0-9]* +[1-9][0-9]* +0 +0 ' <<<"$summary"; then
	ok "server side: accepted connections reported (MPTCP, both paths, the client's address), server view"
else not_ok "server side: accepted connections reported (MPTCP, both paths, the client's address), server view" "$(cat "$SR")"$'\n'"$summary"; fi

# A busy server's sampling: one accepted connection in 3 gets a line, and says so.
SS="$TMP/sampled.jsonl"
ip netns exec "$NS_S" env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_REPORT="$SS" \
	MPTCP_RUN_REPORT_SAMPLE=3 ncat -l -k 198.18.1.2 5008 --recv-only >/dev/null &
PIDS+=($!)
wait_listen "$NS_S" 5008
for _ in 1 2 3 4 5 6; do
	C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" ncat --send-only 198.18.1.2 5008 <<<"sample"
done
sleep 0.5
summary=$("${REPORT[@]}" "$SS" 2>&1)
if [ "$(grep -c '"role":"accepted"' "$SS")" = 2 ] && [ "$(grep -c '"sampled":3' "$SS")" = 2 ] &&
	grep -Eq '^ncat .* 2 +2 +0 +0 .*\(1 in 3 connections sampled\)' <<<"$summary"; then
	ok "MPTCP_RUN_REPORT_SAMPLE=3: 2 lines for 6 accepted connections, marked, and the summary says so"
else not_ok "MPTCP_RUN_REPORT_SAMPLE=3: 2 lines for 6 accepted connections" "$(cat "$SS")"$'\n'"$summary"; fi

C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_REPORT="$R" \
	ncat --send-only 198.18.1.2 5001 <<<"hello"
line=$(grep '"remote":"198.18.1.2:5001"' "$R")
if grep -q '"socket":"mptcp"' <<<"$line" && grep -q '"conn":"fallback"' <<<"$line"; then
	ok "plain TCP server: the report shows a fallback"
else not_ok "plain TCP server: the report shows a fallback" "$line"; fi

C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_REPORT="$R" \
	ncat --send-only 127.0.0.1 5002 <<<"hello"
line=$(grep '"remote":"127.0.0.1:5002"' "$R")
if grep -q '"conn":"tcp"' <<<"$line" && grep -q '"policy":"tcp"' <<<"$line" &&
	grep -q '"kept":null' <<<"$line" && grep -q 'exclude 127.0.0.0/8' <<<"$line"; then
	ok "loopback: TCP by policy, with the exclude entry that decided"
else not_ok "loopback: TCP by policy, with the exclude entry that decided" "$line"; fi

summary=$("${REPORT[@]}" "$R" 2>&1)
if grep -q '^connections: 3 (MPTCP 1, fallback to TCP 1, TCP by policy 1)' <<<"$summary" &&
	! grep -q malformed <<<"$summary"; then
	ok "summary of the real report: 3 connections, one of each kind"
else not_ok "summary of the real report: 3 connections, one of each kind" "$summary"; fi

# Concurrent writers: several processes close many MPTCP sockets at the same instant.
W="$TMP/burst.jsonl" procs=6 per=60
start=$(($(date +%s) + 2))
bpids=()
for i in $(seq $procs); do
	ip netns exec "$NS_C" env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_REPORT="$W" \
		"$TMP/burst" $per $start >/dev/null &
	bpids+=($!)
done
PIDS+=("${bpids[@]}")
bad=0
for p in "${bpids[@]}"; do wait "$p" || bad=1; done
n=$(wc -l <"$W")
want=$((procs * (2 * per + 1))) # each process: its connections, their accepted ends, its listener
summary=$("${REPORT[@]}" "$W" 2>&1)
jq_ok=1
if command -v jq >/dev/null; then jq -c . "$W" >/dev/null 2>&1 || jq_ok=0; fi
if [ $bad = 0 ] && [ "$n" = "$want" ] && [ $jq_ok = 1 ] &&
	grep -q "^connections: $((2 * procs * per)) (MPTCP $((2 * procs * per))," <<<"$summary" &&
	! grep -q malformed <<<"$summary"; then
	ok "$procs processes closing $per sockets each at once: $n whole lines, every one parses"
else not_ok "concurrent writers: only whole lines" "lines=$n want=$want jq=$jq_ok"$'\n'"$summary"; fi

# A server whose standard input is at end of file (as in a script: `ncat -l ... </dev/null`)
# half-closes at once; the client (ncat --send-only, the report on its side only) then ends
# the connection with shutdown(): once its DATA_FIN is acknowledged the kernel resets the
# subflows, on a fast path before shutdown() has returned. Unshaped paths, 10 runs: every
# line must still have its paths.
for i in 1 2; do C tc qdisc del dev c$i root 2>/dev/null; S tc qdisc del dev s$i root 2>/dev/null; done
ip netns exec "$NS_S" env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" \
	ncat -l -k 198.18.1.2 5011 </dev/null >/dev/null &
PIDS+=($!)
wait_listen "$NS_S" 5011 || not_ok "stdin-EOF server listening" "$(S ss -ltn)"
head -c 2000000 /dev/urandom >"$TMP/eof-data"
W3="$TMP/eof.jsonl" missing=0 lines=0
for run in $(seq 10); do
	rm -f "$W3"
	C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$CONF" MPTCP_RUN_REPORT="$W3" \
		ncat --send-only 198.18.1.2 5011 <"$TMP/eof-data"
	line=$(grep '"role":"connect"' "$W3" 2>/dev/null)
	lines=$((lines + $(grep -c . <<<"$line")))
	if ! grep -q '"subflows":\[{' <<<"$line" || grep -q '"paths_at":null' <<<"$line"; then
		missing=$((missing + 1))
		echo "# run $run: $line"
	fi
done
if [ "$lines" = 10 ] && [ "$missing" = 0 ]; then
	ok "a server with its stdin at end of file, ncat --send-only: 10 of 10 lines keep their paths"
else
	not_ok "a server with its stdin at end of file, ncat --send-only: lines keep their paths" \
		"$missing of $lines lines without paths"
fi

# The program closes the report's descriptor (closefrom) and reuses its number.
W2="$TMP/cf.jsonl"
C env LD_PRELOAD="$LIB" MPTCP_RUN_CONF="$ALL" MPTCP_RUN_REPORT="$W2" \
	"$TMP/burst" 3 0 closefrom "$TMP/program-file" >/dev/null
rc=$?
if [ $rc = 0 ] && [ ! -s "$TMP/program-file" ] && [ "$(grep -c '"role":"connect"' "$W2")" = 3 ]; then
	ok "report descriptor closed by closefrom: reporting stops, the program's new file is untouched"
else not_ok "report descriptor closed by closefrom" "rc=$rc program-file: $(head -c 300 "$TMP/program-file")"$'\n'"$(cat "$W2")"; fi

tap_done
