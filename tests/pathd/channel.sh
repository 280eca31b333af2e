# shellcheck shell=bash
# Sourced by tests/pathd/run.sh (its helpers and testbed), last: the library's
# registration channel. Without a daemon a program with paths is left to
# routing, and a path going away does not stall it; one channel per process,
# shared by its threads, opened again when the daemon comes back, never
# inherited by a fork() child or across exec; a full queue drops a registration
# and blocks nothing; the daemon refuses a channel's messages from another
# process and bounds the channels of one uid. Expects no pathd running, the
# client's in-kernel endpoints flushed (one subflow without a daemon), pm kernel.

# The channels PID holds to the daemon's socket: the inodes of its sockets whose peer is
# a socket bound to $W/pathd.sock (ss -xp: local, inode, peer, peer inode).
chans() {
	inc ss -xpH | awk -v sock="$W/pathd.sock" -v pid="pid=$1," '
		{ path[$6] = $5 }
		index($0, pid) && $5 == "*" { peer[$6] = $8 }
		END { for (i in peer) if (path[peer[i]] == sock) print i }' | sort
}
# step CMD: the next command for conns.py; waits for its answer, into $out.
CS=$W/cs
step() {
	CS_N=$((CS_N + 1))
	echo "$*" >"$CS/go.$CS_N.tmp" && mv "$CS/go.$CS_N.tmp" "$CS/go.$CS_N"
	out="(no answer to: $*)"
	if tap_wait 30 test -e "$CS/out.$CS_N"; then out=$(cat "$CS/out.$CS_N"); fi
}
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }
registrations() { "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["counters"]; print(c["registrations"], c["refused"])' "$W/pathd.json"; }
# shellcheck disable=SC2317 # called through tap_wait
registered_at_least() { local r; read -r r _ <<<"$(registrations)"; [ "$r" -ge "$1" ]; }
# shellcheck disable=SC2317 # called through tap_wait
logged() { grep -q "$1" "$2"; }

cp "$(readlink -f "$PY")" "$W/bin/chanpy"
sed 's/^programs = (/programs = (\n  { match = [ "chanpy", "gocli" ]; paths = [ "wifi", "cellular" ]; },/' \
	"$W/paths.conf" >"$W/chan.conf"

# ---- no daemon: a path that goes away does not stall a program with paths ----
count_port 5141
rm -f "$W/pathd.sock" "$W/sink.5141" "$W/sink.5141.ready"
ins "$B/mptcp-run" "$PY" "$T/sink.py" "$TB_SERVER_ADDR" 5141 "$W/sink.5141" &
# shellcheck disable=SC2034 # read by feed_wait (run.sh)
TRANSFER_SINK=$!
tap_wait 5 test -e "$W/sink.5141.ready"
log0=$(wc -l <"$W/client.log")
feed_start 5141 env MPTCP_RUN_CONF="$W/paths.conf" MPTCP_RUN_PATHD_SOCKET="$W/pathd.sock" \
	MPTCP_RUN_LOG=info "$B/mptcp-run" "$W/bin/ssh" --send-only "$TB_SERVER_ADDR" 5141
step=""
tap_wait 15 above 5141 1000000 c1 c2 c3 || step="under 1 MB moved in 15 s"
"$ROOT/scripts/testbed" cut "$TB_STATE" 2 >/dev/null
at_cut=$(($(bytes c1 5141) + $(bytes c2 5141) + $(bytes c3 5141)))
[ -n "$step" ] || tap_wait 20 above 5141 $((at_cut + 4000000)) c1 c2 c3 ||
	step="under 4 MB moved in 20 s after wifi was cut"
"$ROOT/scripts/testbed" restore "$TB_STATE" 2 >/dev/null
feed_wait 5141 && sha=1 || sha=0
n_info=$(tail -n +"$((log0 + 1))" "$W/client.log" | grep -c "no path daemon at $W/pathd.sock: .* left to routing")
if [ -z "$step" ] && [ "$sha" = 1 ] && [ "$(bytes c2 5141)" -eq 0 ] && [ "$n_info" -eq 1 ]; then
	ok "no daemon: ssh (wifi, cellular) is left to routing (0 bytes on wifi, one info line); wifi cut mid-transfer, $(sent_bytes 5141) bytes intact"
else
	not_ok "no daemon: left to routing" "${step:-payload differs (sha256)} $(show 5141), info lines: $n_info"$'\n'"$(tail -n +"$((log0 + 1))" "$W/client.log" | tail -5)"
fi

# ---- one channel per process: a program's connections, the daemon killed and back ----
rm -f "$W/srv.5150.ready"
ins "$B/mptcp-run" "$PY" "$T/loadgen.py" server "$TB_SERVER_ADDR" 5150 "$W/srv.5150.ready" >/dev/null 2>&1 &
SRV_5150=$!
tap_wait 5 test -e "$W/srv.5150.ready"
mkdir -p "$CS"
CS_N=0
pathd_start "$W/chan.conf"
log0=$(wc -l <"$W/client.log")
inc env MPTCP_RUN_CONF="$W/chan.conf" MPTCP_RUN_PATHD_SOCKET="$W/pathd.sock" MPTCP_RUN_LOG=info \
	"$B/mptcp-run" "$W/bin/chanpy" "$T/conns.py" "$CS" "$TB_SERVER_ADDR" 2>>"$W/client.log" &
CONNS=$!
devs=""
for _ in 1 2 3 4 5; do
	step connect 5150
	devs+="$(field dev "$out") "
done
cpid=$(pgrep -f "chanpy $T/conns.py" | head -1)
n_ch=$(chans "$cpid" | grep -c .)
tap_wait 5 test "$(grep -c "registered by pid $cpid " "$W/pathd.log")" -ge 5
n_reg=$(grep -c "registered by pid $cpid " "$W/pathd.log")
if [ "$devs" = "c2 c2 c2 c2 c2 " ] && [ "$n_ch" -eq 1 ] && [ "$n_reg" -eq 5 ]; then
	ok "a program with paths: 5 connections pinned to wifi and registered over one channel (ss -xp)"
else
	not_ok "one channel per process" "devices: $devs channels of pid $cpid: $n_ch, registered: $n_reg"
fi
kill -KILL "$PATHD_PID"; wait "$PATHD_PID" 2>/dev/null; PATHD_PID=""
step connect 5150
if [ "$(field dev "$out")" = "-" ] && awk -v ms="$(field ms "$out")" 'BEGIN { exit !(ms < 200) }' &&
	tail -n +"$((log0 + 1))" "$W/client.log" | grep -q "no path daemon at $W/pathd.sock"; then
	ok "pathd killed while the program runs: its next connect() is not pinned and does not wait ($out)"
else
	not_ok "next connect after the kill" "$out"$'\n'"$(tail -3 "$W/client.log")"
fi
pathd_start "$W/chan.conf"
mark=$(wc -l <"$W/pathd.log")
# The library asks again at most once a second after a failed attempt.
dev=-
for _ in $(seq 10); do
	step connect 5150
	dev=$(field dev "$out")
	[ "$dev" = c2 ] && break
	sleep 0.3
done
if [ "$dev" = c2 ] && tap_wait 5 logged_since "$mark" "registered by pid $cpid "; then
	ok "pathd started again: the program's channel is opened again, its connections pinned and registered"
else
	not_ok "channel opened again after a restart" "dev=$dev"$'\n'"$(tail -5 "$W/pathd.log")"
fi

# ---- threads share the channel ----
sleep 0.3 # the live view is written at most every 200 ms
read -r r0 _ <<<"$(registrations)"
step threads 5150 8 25
tap_wait 10 registered_at_least $((r0 + 200))
sleep 0.3
read -r r1 _ <<<"$(registrations)"
n_ch=$(chans "$cpid" | grep -c .)
if [ "$(field failed "$out")" = 0 ] && [ $((r1 - r0)) -eq 200 ] && [ "$n_ch" -eq 1 ]; then
	ok "8 threads, 25 connections each at once: 200 registrations over the process's one channel"
else
	not_ok "threads" "$out registrations $r0 -> $r1, channels $n_ch"
fi

# ---- a full queue drops registrations, never blocks ----
kill -STOP "$PATHD_PID"
log0=$(wc -l <"$W/client.log")
step burst 5150 600
kill -CONT "$PATHD_PID"
if [ "$(field n "$out")" = 600 ] && awk -v ms="$(field ms "$out")" 'BEGIN { exit !(ms < 3000) }' &&
	tail -n +"$((log0 + 1))" "$W/client.log" | grep -q "has not read this process's registrations yet"; then
	ok "the daemon stopped (SIGSTOP): 600 connect() calls return ($(field ms "$out") ms), what does not fit its queue is dropped and said once"
else
	not_ok "full queue" "$out"$'\n'"$(tail -3 "$W/client.log")"
fi

# ---- fork: the child has its own channel; exec: none inherited ----
step fork 5150
child=$(field pid "$out")
tap_wait 5 logged "registered by pid $child " "$W/pathd.log"
parent_ch=$(chans "$cpid") child_ch=$(chans "$child")
touch "$CS/release"
if [ "$(field dev "$out")" = c2 ] && grep -q "registered by pid $child " "$W/pathd.log" &&
	[ "$(grep -c . <<<"$child_ch")" -eq 1 ] && [ -n "$parent_ch" ] && [ "$child_ch" != "$parent_ch" ]; then
	ok "fork(): the child's connection is pinned and registered as its own (pid $child), over a channel of its own"
else
	not_ok "fork" "$out parent channels: $parent_ch child channels: $child_ch"
fi
step exec 5
# shellcheck disable=SC2317 # called through tap_wait
is_sleep() { [ "$(readlink "/proc/$cpid/exe")" = "$(readlink -f /bin/sleep)" ]; }
tap_wait 5 is_sleep
if is_sleep && [ -z "$(chans "$cpid")" ]; then
	ok "exec: the process that was the program holds no channel after exec (close-on-exec)"
else
	not_ok "exec" "exe=$(readlink "/proc/$cpid/exe") channels: $(chans "$cpid")"
fi
kill "$CONNS" 2>/dev/null; wait "$CONNS" 2>/dev/null

# ---- the supervisor registers too: a Go 1.19 client, where the library cannot go ----
GO_OK=""
if command -v go >/dev/null; then
	mkdir -p "$W/go" && cp "$ROOT/tests/supervise/goprog/main.go" "$W/go/"
	(cd "$W/go" && env GOPATH="$W/gopath" GOCACHE="$W/gocache" GOPROXY=off GOFLAGS=-mod=mod \
		GOTOOLCHAIN=local GO111MODULE=on CGO_ENABLED=1 go build -o "$W/bin/gocli" main.go) \
		>"$W/go.err" 2>&1 && GO_OK=1
fi
if [ -n "$GO_OK" ]; then
	count_port 5160
	rm -f "$W/sink.5160" "$W/sink.5160.ready"
	ins "$B/mptcp-run" "$PY" "$T/sink.py" "$TB_SERVER_ADDR" 5160 "$W/sink.5160" &
	sp=$!
	tap_wait 5 test -e "$W/sink.5160.ready"
	mark=$(wc -l <"$W/pathd.log")
	out=$(inc env MPTCP_RUN_CONF="$W/chan.conf" MPTCP_RUN_PATHD_SOCKET="$W/pathd.sock" \
		timeout 60 "$B/mptcp-run" -d "$W/bin/gocli" client "$TB_SERVER_ADDR:5160" 24 2>"$W/gocli.err")
	wait "$sp"
	c1=$(bytes c1 5160) c2=$(bytes c2 5160) c3=$(bytes c3 5160)
	sent=$(sed -n 's/^sha256 //p' <<<"$out") got=$(cut -d' ' -f1 "$W/sink.5160" 2>/dev/null)
	if grep -q "^conn 262" <<<"$out" && grep -q "using the supervisor" "$W/gocli.err" &&
		[ -n "$sent" ] && [ "$sent" = "$got" ] && [ "$c1" -eq 0 ] && [ "$c2" -gt $((24 << 20)) ] &&
		[ "$c3" -gt 0 ] && logged_since "$mark" "registered by pid [0-9]* uid 0 ($W/bin/gocli)"; then
		ok "Go 1.19 client under the supervisor, paths wifi and cellular: pinned to wifi and registered as gocli; 0 bytes on wired, data on wifi, a subflow on cellular ($(show 5160))"
	else
		not_ok "Go client under the supervisor with paths" "$out $(show 5160) sent=$sent got=$got"$'\n'"$(grep -E 'pinned|registered|supervis' "$W/gocli.err" | tail -5)"$'\n'"$(tail -n +"$((mark + 1))" "$W/pathd.log" | grep -E 'registered|paths' | tail -5)"
	fi
else
	skipped "Go client under the supervisor with paths" "golang-go missing or go build failed"
fi

# ---- the daemon's side: another process's message, one uid's channels ----
sleep 0.3
read -r r0 f0 <<<"$(registrations)"
mark=$(wc -l <"$W/pathd.log")
inc "$PY" "$T/inherit.py" "$W/pathd.sock" "$TB_SERVER_ADDR" 5150 "$W/inherit.out"
read -r ppid_ cpid_ <"$W/inherit.out"
tap_wait 5 registered_at_least $((r0 + 1))
sleep 0.3 # the live view is written every 200 ms at most
read -r r1 f1 <<<"$(registrations)"
if [ $((r1 - r0)) -eq 1 ] && [ $((f1 - f0)) -eq 1 ] && logged_since "$mark" "registered by pid $ppid_ " &&
	! logged_since "$mark" "registered by pid $cpid_ "; then
	ok "a channel used by a forked child: the child's message refused (SCM_CREDENTIALS), the opener's registered"
else
	not_ok "channel used by another process" "registrations $r0 -> $r1, refused $f0 -> $f1, pids $ppid_ $cpid_"
fi
inc setpriv --reuid 65534 --regid 65534 --clear-groups "$PY" "$TN/channels.py" "$W/pathd.sock" 60 "$W/sq/chans.out"
if [ "$(cat "$W/sq/chans.out")" = 48 ]; then
	ok "one uid opening 60 channels: the daemon keeps its 48 most recent"
else
	not_ok "channels per uid" "kept $(cat "$W/sq/chans.out") of 60"
fi
pathd_stop
kill "$SRV_5150" 2>/dev/null; wait "$SRV_5150" 2>/dev/null
