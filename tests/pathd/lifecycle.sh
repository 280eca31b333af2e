# shellcheck shell=bash
# Sourced by tests/pathd/run.sh (its helpers and testbed): the daemon's life
# around connections it did not see start. A restarted pathd adopts what is
# open (sock_diag: connections, their subflows with ports, their owners from
# /proc) and applies its policy; a registration after the grace period
# corrects the defaults; a registration flood from one uid stays bounded
# while other uids are served. Expects no pathd running and pm = kernel.

# The client's established subflows to PORT, as the interfaces they leave by ("c1 c2").
sfs() {
	inc ss -tnH state established "dport = :$1" |
		awk '{ n = split($3, a, ":"); split(a[1], o, "."); print "c" o[3] }' | sort | tr '\n' ' ' | sed 's/ $//'
}
# slow_send NAME PORT SECS: NAME (an ncat copy) sends ~500 kB/s for SECS seconds, under the library.
slow_send() {
	local name=$1 port=$2 secs=$3
	rm -f "$W/sink.$port" "$W/sink.$port.ready"
	ins "$B/mptcp-run" "$PY" "$T/sink.py" "$TB_SERVER_ADDR" "$port" "$W/sink.$port" &
	SLOW_SINK=$!
	for _ in $(seq 50); do [ -e "$W/sink.$port.ready" ] && break; sleep 0.1; done
	{
		for _ in $(seq $((secs * 10))); do head -c 50000 /dev/urandom; sleep 0.1; done
	} | tee "$W/sent.$port" | inc env MPTCP_RUN_CONF="$W/paths.conf" MPTCP_RUN_PATHD_SOCKET="$W/pathd.sock" \
		"$B/mptcp-run" "$W/bin/$name" --send-only "$TB_SERVER_ADDR" "$port" 2>>"$W/client.log" &
	SLOW_PID=$!
}
slow_wait() { # PORT: the sha256 of what was sent arrived
	wait "$SLOW_PID"; wait "$SLOW_SINK"
	[ "$(cut -d' ' -f1 "$W/sink.$1" 2>/dev/null)" = "$(sha256sum <"$W/sent.$1" | cut -d' ' -f1)" ]
}
wait_sfs() { # PORT WANT [TRIES]: waits until the subflows are WANT
	for _ in $(seq "${3:-40}"); do [ "$(sfs "$1")" = "$2" ] && return 0; sleep 0.05; done
	return 1
}
pathd_kill() { kill -KILL "$PATHD_PID" 2>/dev/null; wait "$PATHD_PID" 2>/dev/null; PATHD_PID=""; }

# rsync on wifi only: the restarted daemon's policy for an existing connection.
sed 's/{ match = "rsync"; paths = \[ "wired", "wifi" \]; }/{ match = "rsync"; paths = [ "wifi" ]; }/' \
	"$W/paths.conf" >"$W/paths-rsync-wifi.conf"
printf '%s\n' 'programs = ( { match = "python3*"; paths = [ "wifi" ]; } );' \
	'paths = { wired = { dev = "c1"; }; wifi = { dev = "c2"; }; cellular = { dev = "c3"; backup = true; }; };' \
	'defaults = { paths = [ "wired", "wifi", "cellular" ]; };' >"$W/late.conf"

# ---- restart: a subflow removed per the new daemon's list ----
count_port 5131
pathd_start "$W/paths.conf"
slow_send rsync 5131 4
wait_sfs 5131 "c1 c2" && before=$(sfs 5131) || before="$(sfs 5131) (timeout)"
pathd_kill
pathd_start "$W/paths-rsync-wifi.conf"
wait_sfs 5131 "c2" 60 && after=$(sfs 5131) || after="$(sfs 5131) (timeout)"
c1_a=$(bytes c1 5131); sleep 0.5; c1_b=$(bytes c1 5131)
slow_wait 5131 && sha=1 || sha=0
if [ "$before" = "c1 c2" ] && [ "$after" = c2 ] && [ "$sha" = 1 ] && [ "$c1_b" -le $((c1_a + 2000)) ] &&
	grep -q "owner found, pid [0-9]* (.*/bin/rsync)" "$W/pathd.log"; then
	ok "restart (SIGKILL, new config): the open rsync connection is adopted with its owner; its wired subflow is closed (subflows $before -> $after), bytes intact"
else
	not_ok "restart removes a subflow" "sha=$sha subflows: $before -> $after c1: $c1_a -> $c1_b"$'\n'"$(grep -E 'adopted|owner|5131|unlisted' "$W/pathd.log" | tail -8)"
fi

# ---- restart: a subflow added to a connection opened while no daemon ran ----
pathd_kill # the path manager stays "userspace" with nobody to add subflows
count_port 5132
slow_send rsync 5132 4
sleep 1
before=$(sfs 5132)
c2_a=$(bytes c2 5132)
pathd_start "$W/paths.conf"
wait_sfs 5132 "c1 c2" 60 && after=$(sfs 5132) || after="$(sfs 5132) (timeout)"
slow_wait 5132 && sha=1 || sha=0
if [ "$before" = c1 ] && [ "$after" = "c1 c2" ] && [ "$c2_a" -eq 0 ] && [ "$sha" = 1 ]; then
	ok "restart: a connection opened while no daemon ran gets its wifi subflow once pathd is back (subflows $before -> $after), bytes intact"
else
	not_ok "restart adds a subflow" "sha=$sha subflows: $before -> $after c2 before: $c2_a"$'\n'"$(grep -E 'adopted|owner|5132' "$W/pathd.log" | tail -8)"
fi
pathd_stop

# ---- a registration after the grace period corrects the defaults ----
count_port 5133
pathd_start "$W/late.conf" --grace 200
rm -f "$W/sink.5133" "$W/sink.5133.ready" "$W/late.out"*
ins "$B/mptcp-run" "$PY" "$T/sink.py" "$TB_SERVER_ADDR" 5133 "$W/sink.5133" &
sp=$!
for _ in $(seq 50); do [ -e "$W/sink.5133.ready" ] && break; sleep 0.1; done
inc "$PY" "$T/late.py" "$TB_SERVER_ADDR" 5133 4 1.5 "$W/pathd.sock" "$W/late.out" &
lp=$!
for _ in $(seq 30); do [ "$(sfs 5133)" = "c1 c2 c3" ] && break; sleep 0.05; done
before=$(sfs 5133)
for _ in $(seq 60); do [ -e "$W/late.out.registered" ] && break; sleep 0.05; done
wait_sfs 5133 c2 60 && after=$(sfs 5133) || after="$(sfs 5133) (timeout)"
c13_a=$(( $(bytes c1 5133) + $(bytes c3 5133) )); sleep 0.5; c13_b=$(( $(bytes c1 5133) + $(bytes c3 5133) ))
wait $lp; wait $sp
if [ "$before" = "c1 c2 c3" ] && [ "$after" = c2 ] && [ "$c13_b" -le $((c13_a + 2000)) ] &&
	[ "$(cut -d' ' -f1 "$W/sink.5133")" = "$(cat "$W/late.out")" ]; then
	ok "a registration after the grace period: defaults (subflows $before) corrected to the program's list ($after), nothing more on wired and cellular, bytes intact"
else
	not_ok "late registration" "subflows: $before -> $after c1+c3: $c13_a -> $c13_b"$'\n'"$(grep -E 'registered|5133|paths' "$W/pathd.log" | tail -8)"
fi

# ---- a flood from one uid: memory and queues bounded, root still served ----
pathd_stop
pathd_start "$W/paths.conf"
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$PATHD_PID/status"; }
nfd() { find "/proc/$PATHD_PID/fd" -mindepth 1 2>/dev/null | wc -l; }
rss0=$(rss) fd0=$(nfd)
inc setpriv --reuid 65534 --regid 65534 --clear-groups "$PY" "$TN/flood.py" "$W/pathd.sock" 4 "$W/sq/flood.out" &
fp=$!
sleep 0.5
count_port 5134
transfer ssh 5134
fdmax=0
while kill -0 "$fp" 2>/dev/null; do f=$(nfd); [ "$f" -gt "$fdmax" ] && fdmax=$f; sleep 0.1; done
wait $fp
transfer_wait 5134 && sha=1 || sha=0
rss1=$(rss)
sleep 0.4 # the live view is written at most every 200 ms
limited=$("$PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["counters"]; print(c["rate_limited"], c["refused"])' "$W/pathd.json")
n_conn="?" n_busy="?"
read -r n_conn n_busy <"$W/sq/flood.out"
c1=$(bytes c1 5134) c3=$(bytes c3 5134)
if [ "$sha" = 1 ] && [ "$c1" -eq 0 ] && [ "$c3" -gt 0 ] && [ $((rss1 - rss0)) -le 512 ] && [ "$fdmax" -le $((fd0 + 130)) ] &&
	[ "${limited%% *}" -gt 0 ]; then
	ok "flood from uid 65534 ($n_conn connects, $n_busy refused by the backlog): rate-limited/refused $limited, RSS +$((rss1 - rss0)) kB, fds $fd0 -> at most $fdmax; root's ssh still registered (wired 0, cellular $c3 bytes)"
else
	not_ok "registration flood" "sha=$sha c1=$c1 c3=$c3 rss $rss0 -> $rss1 fds $fd0 -> $fdmax limited/refused=$limited flood=$n_conn/$n_busy"
fi
pathd_stop
