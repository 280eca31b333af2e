# shellcheck shell=bash
# Sourced by tests/pathd/run.sh (its helpers and testbed): data budgets and
# interface kinds on the wire. Bytes per interface from nft counters (what
# crossed cellular: counted where it arrives, in the server namespace for the
# data and in the client's for the rest, after the shaping queue that may
# drop), the daemon's own counts from `mptcp-run paths --json`, its lines from
# its log, payloads by sha256 (tap_payload).
#   - a 5 MB budget on cellular (shaped to 20 Mbit/s) for a program that sends
#     20 MB and has only cellular left after wifi goes down: cellular carries
#     no more than the budget plus one window, the log says the budget is
#     spent and that the program's only usable path is over budget;
#   - the counts survive a restart of the daemon (the README's default usage
#     file, in a private mount namespace whose /var/lib starts empty): a new
#     connection of that program gets no subflow on cellular;
#   - over_budget = "stay": a program's own budget spent on its only path, it
#     keeps its connection there and the transfer completes intact;
#   - kinds: veths renamed like a laptop's (wlp2s0, wwan0) are used by the kind
#     the daemon reads (the interface's alias, as an administrator names a
#     tethered phone), not by their names.
# Expects no pathd running and pm = kernel; leaves the testbed as it found it.

BUD_PORT=5180
BUDGET=5000000
CELL_MBIT=20
CELL_QUEUE_MS=100
# One window: what the daemon cannot stop once it sees the budget spent. It counts what the
# peer acknowledged (tcp_info), so what is in flight (the shaping queue, 100 ms at cellular's
# rate) is on its way already, and so is what left between two of its fastest samples
# (50 ms); nft also counts the headers and the ACKs (5 %): 20 Mbit/s x 0.15 s + 5 %.
BUD_WINDOW=$((CELL_MBIT * 1000000 * (CELL_QUEUE_MS + 50) / 8000 + BUDGET * 5 / 100))

mkdir -p "$W/varlib" && chmod 755 "$W/varlib"
cat >"$W/budgets.conf" <<'CONF'
paths = {
  wifi     = { dev = "c2"; };
  cellular = { dev = "c3"; backup = true; budget = "5M/month"; };
};
programs = (
  { match = "ssh";   paths = [ "wifi", "cellular" ]; },
  { match = "rsync"; paths = [ "wifi", "cellular" ]; over_budget = "stay";
    budgets = { cellular = "3M/day"; }; }
);
CONF

# The daemon with the budgets config and the README's default usage file, /var/lib being
# $W/varlib (a bind mount in a private mount namespace: the host's /var/lib is not touched).
# Other usage files: pathd_start (run.sh) with --usage.
# shellcheck disable=SC2016 # expanded by the inner sh
pathd_budgets_default() {
	rm -f "$W/pathd.sock"
	ip netns exec "$C" unshare -m sh -c 'mount --bind "$1" /var/lib && shift && exec "$@"' sh \
		"$W/varlib" "$B/mptcp-run" pathd -c "$W/budgets.conf" -f -d --socket "$W/pathd.sock" \
		--state "$W/pathd.json" >>"$W/pathd.log" 2>&1 &
	# shellcheck disable=SC2034 # read by pathd_stop (run.sh)
	PATHD_PID=$!
	tap_wait 5 test -S "$W/pathd.sock"
}
# send_file NAME PORT FILE: NAME sends FILE to a sink that keeps what it gets, NAME under
# the config SEND_CONF. Not through inc/ins: $! must be the processes themselves, to end them.
SEND_CONF=$W/budgets.conf
send_file() {
	local name=$1 port=$2 file=$3
	rm -f "$W/sink.$port" "$W/sink.$port.ready" "$W/sink.$port.data"
	ip netns exec "$S" env MPTCP_RUN_CONF="$W/sink.conf" SINK_KEEP=1 "$B/mptcp-run" "$PY" \
		"$T/sink.py" "$TB_SERVER_ADDR" "$port" "$W/sink.$port" &
	TRANSFER_SINK=$!
	tap_wait 5 test -e "$W/sink.$port.ready"
	ip netns exec "$C" env MPTCP_RUN_CONF="$SEND_CONF" MPTCP_RUN_PATHD_SOCKET="$W/pathd.sock" \
		"$B/mptcp-run" "$W/bin/$name" --send-only "$TB_SERVER_ADDR" "$port" <"$file" \
		2>>"$W/client.log" &
	CLIENT_PID=$!
}
# The daemon's count of path PATH (all programs) in its live view, bytes.
used_of() {
	"$B/mptcp-run" paths --state "$W/pathd.json" --json 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(next((p.get("used", 0) for p in d["paths"] if p["name"] == sys.argv[1]), 0))' "$1"
}
# shellcheck disable=SC2317 # called through tap_wait
logged_since() { tail -n +"$(($1 + 1))" "$W/pathd.log" | grep -q "$2"; }
# shellcheck disable=SC2317 # called through tap_wait
stalled() { # PORT IF: the bytes on IF for PORT stopped growing (two looks 0.3 s apart)
	local a b
	a=$(bytes "$2" "$1")
	sleep 0.3
	b=$(bytes "$2" "$1")
	[ "$a" = "$b" ]
}
# link_back IF N: IF (path N) up again with what a link down took (the per-path routes, the
# IPv6 address).
link_back() {
	inc ip link set "$1" up
	inc ip route replace 198.18.0.0/15 via "198.18.$2.2" dev "$1" table $((100 + $2))
	inc ip -6 addr replace "fd00:0:0:$2::1/64" dev "$1" nodad
	inc ip -6 route replace fd00::/16 via "fd00:0:0:$2::2" dev "$1" table $((100 + $2))
}
restore_c2() { link_back c2 2; }

# What crossed cellular for PORT: data arriving on s3 (server side), the rest arriving on c3.
ins nft -f - <<'NFT'
table inet pdbudget {
	chain in { type filter hook prerouting priority 0; }
}
NFT
wire_port() { ins nft add rule inet pdbudget in iifname s3 tcp dport "$1" counter comment "\"s3-$1\""; }
wire() {
	local s
	s=$(ins nft list table inet pdbudget | awk -v tag="\"s3-$1\"" 'index($0, tag) { for (i = 1; i < NF; i++) if ($i == "bytes") print $(i + 1) }')
	echo $((${s:-0} + $(inc nft list table inet pdcount | awk -v tag="\"c3-$1\"" '/iifname/ && index($0, tag) { for (i = 1; i < NF; i++) if ($i == "bytes") print $(i + 1) }')))
}
head -c 20000000 /dev/urandom >"$W/twenty"
# A cellular link: 20 Mbit/s with a modem's deep queue.
inc tc qdisc replace dev c3 root tbf rate "${CELL_MBIT}mbit" burst 65536 latency "${CELL_QUEUE_MS}ms"

# ---- a 5 MB budget on cellular, spent while it is the only path ----
count_port $BUD_PORT
wire_port $BUD_PORT
pathd_budgets_default
mark=$(wc -l <"$W/pathd.log")
send_file ssh $BUD_PORT "$W/twenty"
step=""
tap_wait 15 above $BUD_PORT 1000000 c2 || step="no data on wifi first"
inc ip link set c2 down
[ -n "$step" ] || tap_wait 20 logged_since "$mark" "budget spent: path cellular" ||
	step="no 'budget spent' line in 20 s"
[ -n "$step" ] || tap_wait 5 stalled $BUD_PORT c3 || step="cellular still carries data"
c3=$(wire $BUD_PORT)
sleep 1
c3_later=$(wire $BUD_PORT)
used=$(used_of cellular)
log=$(tail -n +"$((mark + 1))" "$W/pathd.log")
kill "$CLIENT_PID" 2>/dev/null; wait "$CLIENT_PID" 2>/dev/null
kill "$TRANSFER_SINK" 2>/dev/null; wait "$TRANSFER_SINK" 2>/dev/null
over=$((c3 - BUDGET))
echo "# measured: budget $BUDGET bytes on cellular at ${CELL_MBIT} Mbit/s: $c3 bytes crossed it (overshoot $over, bound $BUD_WINDOW), the daemon counted $used"
if [ -z "$step" ] && [ "$c3" -le $((BUDGET + BUD_WINDOW)) ] && [ "$c3" -ge $((BUDGET * 9 / 10)) ] &&
	[ "$c3_later" -le $((c3 + 2000)) ] && [ "$used" -ge "$BUDGET" ] &&
	grep -q 'budget spent: path cellular carried [0-9.]* MB of its 5.00 MB per month' <<<"$log" &&
	grep -q 'ssh (pid [0-9]*): its only usable path, cellular, is over the path.s budget: its connection is left without a path' <<<"$log" &&
	grep -q 'subflow from port [0-9]* reset (its path is not to be used now)' <<<"$log"; then
	ok "budget: 5 MB on cellular, its only path after wifi went down: cellular carried $c3 bytes (overshoot $over <= $BUD_WINDOW), then nothing; the log says the budget is spent and the program is left without a path"
else
	not_ok "budget on the only path" "${step:-c3=$c3 later=$c3_later used=$used bound=$((BUDGET + BUD_WINDOW))}"$'\n'"$(grep -E 'budget|usage|only usable|reset|c3' <<<"$log" | tail -12)"
fi
pathd_stop
restore_c2

# ---- the counts survive a restart (the default usage file, under an empty /var/lib) ----
# The daemon of the case above wrote it at SIGTERM; a new one reads it back: cellular is
# still spent, and a new connection of the program gets no subflow there.
first=$(cat "$W/varlib/mptcp-run/pathd-usage.json" 2>/dev/null)
mark=$(wc -l <"$W/pathd.log")
pathd_budgets_default
tap_wait 5 test -e "$W/pathd.json"
for try in 1 2 3; do
	count_port $((BUD_PORT + try))
	wire_port $((BUD_PORT + try))
	send_file ssh $((BUD_PORT + try)) "$W/payload"
	wait "$CLIENT_PID"; wait "$TRANSFER_SINK"
	tap_payload "$W/payload" "$W/sink.$((BUD_PORT + try)).data"; pay=$?
	[ "$pay" = 2 ] && [ "$try" -lt 3 ] && continue
	break
done
c3_new=$(wire $((BUD_PORT + try)))
sleep 0.3 # the live view is rewritten every 200 ms
used=$(used_of cellular)
log=$(tail -n +"$((mark + 1))" "$W/pathd.log")
perm=$(stat -c '%a %U' "$W/varlib/mptcp-run" "$W/varlib/mptcp-run/pathd-usage.json" 2>&1 | paste -sd' ')
paths_out=$("$B/mptcp-run" paths --state "$W/pathd.json" 2>&1)
if grep -q '"path":"cellular"' <<<"$first" && grep -q 'counters of this period read back from /var/lib/mptcp-run/pathd-usage.json' <<<"$log" &&
	[ "$used" -ge "$BUDGET" ] && [ "$c3_new" -eq 0 ] && [ "$perm" = "755 root 644 root" ] && [ "$pay" = 0 ] &&
	grep -qE '^cellular +[0-9.]+ MB of 5.00 MB per month from day 1 \(since .*, resets .*\)  SPENT' <<<"$paths_out"; then
	ok "restart: the counts come back from /var/lib/mptcp-run/pathd-usage.json (root's, 0644, in the 0755 folder it made); cellular stays spent ($used bytes, 'mptcp-run paths' says SPENT): a new connection gets no subflow there (0 bytes), its payload intact on wifi"
else
	not_ok "counts across a restart" "used=$used c3_new=$c3_new perm=$perm payload=$pay file: ${first:0:300}"$'\n'"$(grep -E 'usage|budget' <<<"$log" | tail -5)"$'\n'"$paths_out"
fi
pathd_stop

# ---- over_budget = "stay": a program's own budget spent on its only path ----
rm -rf "$W/usage"
for try in 1 2 3; do
	count_port $((BUD_PORT + 10 + try))
	wire_port $((BUD_PORT + 10 + try))
	pathd_start "$W/budgets.conf" --usage "$W/usage/pathd-usage.json"
	mark=$(wc -l <"$W/pathd.log")
	send_file rsync $((BUD_PORT + 10 + try)) "$W/twenty"
	tap_wait 15 above $((BUD_PORT + 10 + try)) 1000000 c2
	inc ip link set c2 down
	rc=0
	wait "$CLIENT_PID" || rc=$?
	wait "$TRANSFER_SINK"
	tap_payload "$W/twenty" "$W/sink.$((BUD_PORT + 10 + try)).data"; pay=$?
	c3=$(wire $((BUD_PORT + 10 + try)))
	log=$(tail -n +"$((mark + 1))" "$W/pathd.log")
	pathd_stop
	restore_c2
	rm -rf "$W/usage"
	[ "$pay" = 2 ] && [ "$try" -lt 3 ] && continue # the kernel's misorder: named, tried again
	break
done
if [ "$pay" = 0 ] && [ "$rc" = 0 ] && [ "$c3" -gt 3000000 ] &&
	grep -q 'budget spent: .*rsync carried [0-9.]* MB on path cellular of its 3.00 MB per day' <<<"$log" &&
	grep -q 'rsync (pid [0-9]*): its only usable path, cellular, is over its budget: its connection stays there' <<<"$log"; then
	ok "over_budget = \"stay\": rsync's own 3 MB per day spent on cellular, its only path: the log says so, the connection stays and 20 MB arrive intact ($c3 bytes on c3)"
else
	not_ok "over_budget stay" "rc=$rc payload=$pay c3=$c3"$'\n'"$(grep -E 'budget|only usable' <<<"$log" | tail -6)"
fi
inc tc qdisc replace dev c3 root tbf rate "$TB_RATE"mbit burst $((TB_RATE * 1000000 / 8 / 100)) latency 50ms
ins nft delete table inet pdbudget

# ---- kinds: interfaces named like a laptop's, used by the kind the daemon reads ----
cat >"$W/kinds.conf" <<'CONF'
paths = {
  wired    = { dev = "c1"; };
  wifi     = { kind = "wifi"; };
  cellular = { kind = "cellular"; backup = true; };
};
programs = ( { match = "ssh"; paths = [ "wifi", "cellular" ]; } );
CONF
SEND_CONF=$W/kinds.conf
kind_if() { # OLD NEW N: renames the client veth of path N (down, renamed, up)
	inc ip link set "$1" down
	inc ip link set "$1" name "$2"
	link_back "$2" "$3"
}
kind_if c2 wlp2s0 2
kind_if c3 wwan0 3
inc nft add rule inet pdcount out oifname wlp2s0 tcp dport "$((BUD_PORT + 20))-$((BUD_PORT + 29))" counter comment '"wlp-out"'
inc nft add rule inet pdcount out oifname wwan0 tcp dport "$((BUD_PORT + 20))-$((BUD_PORT + 29))" counter comment '"wwan-out"'
kbytes() { inc nft list table inet pdcount | awk -v tag="\"$1\"" 'index($0, tag) { for (i = 1; i < NF; i++) if ($i == "bytes") print $(i + 1) }'; }
pathd_start "$W/kinds.conf"
# Their names are a laptop's, but a veth is no Wi-Fi card: no kind, no path.
w0=$(kbytes wlp-out) m0=$(kbytes wwan-out)
send_file ssh $((BUD_PORT + 20)) "$W/payload"
wait "$CLIENT_PID"; wait "$TRANSFER_SINK"
w1=$(kbytes wlp-out) m1=$(kbytes wwan-out)
no_kind=$((w1 - w0 + m1 - m0))
# The administrator's word, as for a phone tethered over USB: the alias names the kind.
mark=$(wc -l <"$W/pathd.log")
inc ip link set wlp2s0 alias "test uplink mptcp-run-kind=wifi"
inc ip link set wwan0 alias "mptcp-run-kind=wwan"
tap_wait 5 logged_since "$mark" "link wwan0 is cellular"
ex=$(inc "$B/mptcp-run" explain -c "$W/kinds.conf" ssh 2>&1)
for try in 1 2 3; do
	w1=$(kbytes wlp-out) m1=$(kbytes wwan-out)
	send_file ssh $((BUD_PORT + 20 + try)) "$W/payload"
	ss_k=""
	for _ in $(seq 40); do
		ss_k=$(inc ss -tniM "dport = :$((BUD_PORT + 20 + try))")
		grep -q '198.18.3.1' <<<"$ss_k" && break
		sleep 0.05
	done
	wait "$CLIENT_PID"; wait "$TRANSFER_SINK"
	tap_payload "$W/payload" "$W/sink.$((BUD_PORT + 20 + try)).data"; pay=$?
	[ "$pay" = 2 ] && [ "$try" -lt 3 ] && continue
	break
done
w2=$(kbytes wlp-out) m2=$(kbytes wwan-out)
log=$(tail -n +"$((mark + 1))" "$W/pathd.log")
if [ "$no_kind" -eq 0 ] && [ "$pay" = 0 ] && [ $((w2 - w1)) -gt "$(stat -c %s "$W/payload")" ] && [ $((m2 - m1)) -gt 0 ] &&
	grep -q 'link wlp2s0 is wifi' <<<"$log" && grep -q 'subflow on cellular (wwan0) backup' <<<"$log" &&
	grep -A1 '198.18.3.1' <<<"$ss_k" | grep -qE 'tcp-ulp-mptcp flags:[A-Za-z]*b' &&
	grep -q '^  wifi .*wlp2s0' <<<"$ex" && grep -q '^  cellular .*wwan0' <<<"$ex"; then
	ok "kinds: veths named wlp2s0 and wwan0 carry nothing while the kernel gives them no kind ($no_kind bytes); once their alias names it, wifi carries the payload intact ($((w2 - w1)) bytes) and cellular has a backup subflow; explain shows each path's interfaces"
else
	not_ok "kinds" "no_kind=$no_kind payload=$pay wlp=$((w2 - w1)) wwan=$((m2 - m1))"$'\n'"$(grep -E 'link|subflow on' <<<"$log" | tail -6)"$'\n'"$ex"$'\n'"$ss_k"
fi
pathd_stop
inc ip link set wlp2s0 alias ""
inc ip link set wwan0 alias ""
kind_if wlp2s0 c2 2
kind_if wwan0 c3 3
SEND_CONF=$W/budgets.conf
