#!/usr/bin/env bash
# `mptcp-run top` and `--timeline` on the real thing: a two-path testbed
# (scripts/testbed, 50 Mbit/s per path), ncat under mptcp-run on both ends, the client's
# second path made by mptcp-run pathd under the integrity protection.
#  - top under tmux during the transfer: both interfaces with non-zero rates;
#    the bytes it counted per interface match the nft counters (client, per
#    interface, data direction) within 10 %; --json parses and gives the same
#    figures; keys s (sort), p (pause), f (filter), q (quit); a narrow
#    terminal keeps the rates; without root the owners are said unknown.
#  - a timeline of a transfer with path 1 cut (and marked): the report's SVG
#    parses (xmllint), has one series per interface, path 1's rate is 0 from
#    one interval after the mark, the cumulative bytes equal the payload.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$ROOT/build
TB=$ROOT/scripts/testbed
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
# shellcheck source=tests/matrix/lib.sh
. "$ROOT/tests/matrix/lib.sh"

[ "$(id -u)" = 0 ] || tap_skip_all "needs root (network namespaces)"
for c in nft ncat tmux xmllint python3 setpriv; do
	command -v "$c" >/dev/null || tap_skip_all "needs $c (scripts/setup-deps)"
done
if [ ! -x "$B/mptcp-run" ] || [ ! -f "$B/libmptcp-run.so" ]; then tap_bail "build first (make)"; fi
CHECK=$ROOT/tests/live/check.py

W=$(mktemp -d /tmp/mptcp-run-live.XXXXXX)
chmod 755 "$W"
SESSION=mptcp-run-live-$$
TB_STATE="" PIDS=() HOLD="" HOLDC=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	tmux kill-session -t "$SESSION" 2>/dev/null
	mx_kill "${PIDS[@]}"
	[ -n "$HOLD" ] && exec {HOLD}>&-
	[ -n "$HOLDC" ] && exec {HOLDC}>&-
	[ -n "$TB_STATE" ] && "$TB" down "$TB_STATE" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$("$TB" up --paths 2 --rate 50 --prefix live 2>"$W/up.err")" || tap_bail "testbed: $(cat "$W/up.err")"
# The server's listener accepts joins whatever the kernel (integrity = "accept-risk"); the client's
# join is made by the path daemon under the protection (a backup until the server has surely
# finished it), so the payloads must arrive intact: a difference of any kind fails.
printf 'defaults = { mode = "mptcp"; integrity = "accept-risk"; };\n' >"$W/server.conf"
export MPTCP_RUN_CONF=$W/server.conf
cat >"$W/client.conf" <<-'CONF'
	paths = { p1 = { dev = "c1"; }; p2 = { dev = "c2"; }; };
	programs = ( { match = "ncat"; paths = [ "p1", "p2" ]; } );
	defaults = { mode = "mptcp"; };
CONF
cns() { ip netns exec "$TB_CLIENT" "$@"; }
cns "$B/mptcp-run" pathd -c "$W/client.conf" -f --socket "$W/pathd.sock" --state "$W/pathd.json" \
	>"$W/pathd.log" 2>&1 &
PIDS+=($!)
tap_wait 5 test -S "$W/pathd.sock" || tap_bail "the path daemon did not start: $(cat "$W/pathd.log")"
# cli CMD...: in the client namespace, as a program with paths registered with the daemon.
cli() { cns env MPTCP_RUN_CONF="$W/client.conf" MPTCP_RUN_PATHD_SOCKET="$W/pathd.sock" "$@"; }

# Bytes leaving each client interface towards the server's port (the data direction).
cns nft -f - <<-'NFT'
	table inet live {
		chain out { type filter hook postrouting priority 0;
			oifname "c1" tcp dport 5000 counter comment "c1"
			oifname "c2" tcp dport 5000 counter comment "c2"
		}
	}
NFT
nft_bytes() { # IFACE
	cns nft list table inet live | awk -v c="\"$1\"" '$0 ~ "comment " c { for (i = 1; i < NF; i++) if ($i == "bytes") print $(i + 1) }'
}

mkfifo "$W/hold"
exec {HOLD}<>"$W/hold"
"$TB" exec "$TB_STATE" server "$B/mptcp-run" ncat -l -k --recv-only "$TB_SERVER_ADDR" 5000 \
	<"$W/hold" >"$W/received" 2>"$W/server.err" &
PIDS+=($!)
mx_wait_listen "$TB_SERVER" 5000 10 "${PIDS[0]}" || tap_bail "the server did not start: $(cat "$W/server.err")"

# ---- top under tmux during a transfer ----
tmux new-session -d -s "$SESSION" -x 170 -y 40 \
	"ip netns exec $TB_CLIENT $B/mptcp-run top -i 0.5; echo top exited \$?; sleep 30"
screen() { tmux capture-pane -p -t "$SESSION" >"$W/screen"; }
# shellcheck disable=SC2317 # called through tap_wait
screen_has() { screen && grep -q -- "$1" "$W/screen"; }
if tap_wait 10 screen_has "^  IFACE "; then
	ok "top starts in a terminal (tmux) and draws its tables"
else
	not_ok "top did not draw" "$(cat "$W/screen")"
fi

SIZE=$((24 * 1024 * 1024))
head -c "$SIZE" /dev/urandom >"$W/sent"
# The client keeps its connection open after the data until the checks of top are done
# (its input ends when HOLDC is closed), so the last bytes are sampled.
mkfifo "$W/hold_c"
exec {HOLDC}<>"$W/hold_c"
{
	exec {HOLDC}>&- # only this shell holds the FIFO open
	cat "$W/sent"
	cat "$W/hold_c"
} | cli "$B/mptcp-run" ncat --send-only "$TB_SERVER_ADDR" 5000 \
	2>"$W/client.err" {HOLDC}>&- &
CLIENT=$!
PIDS+=("$CLIENT")
# shellcheck disable=SC2317 # called through tap_wait
both_rates() {
	screen && "$CHECK" screen "$W/screen" >"$W/ifaces" &&
		[ "$(awk '($1 == "c1" || $1 == "c2") && $3 > 100000' "$W/ifaces" | wc -l)" = 2 ]
}
if tap_wait 15 both_rates; then
	ok "top shows c1 and c2 with non-zero rates during the transfer: $(awk '{ printf "%s %.1f MB/s  ", $1, $3 / 1e6 }' "$W/ifaces")"
else
	not_ok "top: both interfaces with rates" "$(cat "$W/screen")"
fi
if grep -Eq '^ +[0-9]+ ncat ' "$W/screen" && grep -q '198.18.1.2:5000' "$W/screen"; then
	ok "the connection's owner (pid, ncat) and remote endpoint are shown"
else
	not_ok "owner and remote" "$(cat "$W/screen")"
fi

# The data is through; the connection idles: top's totals against the nft counters.
mx_wait_size "$W/received" "$SIZE" 30 || true
sleep 1.2 # two refreshes of top after the last byte
screen
"$CHECK" screen "$W/screen" >"$W/ifaces"
cmp_nft() { # FILE: lines "IFACE TX_BYTES ..." -> 0 when both within 10 % of nft
	local f=$1 i top n bad=0
	for i in c1 c2; do
		top=$(awk -v i="$i" '$1 == i { print $2 }' "$f")
		n=$(nft_bytes "$i")
		echo "$i: top ${top:-none}, nft ${n:-none}"
		if [ -z "$top" ] || [ -z "$n" ] || [ "$n" -le 0 ]; then
			bad=1
			continue
		fi
		awk -v a="$top" -v b="$n" 'BEGIN { d = (a - b) / b; exit !(d < 0.1 && d > -0.1) }' || bad=1
	done
	return $bad
}
if cmp_nft "$W/ifaces" >"$W/cmp"; then
	ok "top's bytes per interface match the nft counters within 10 % ($(tr '\n' ' ' <"$W/cmp"))"
else
	not_ok "top's bytes per interface vs nft" "$(cat "$W/cmp" "$W/screen")"
fi
if cns "$B/mptcp-run" top --json -i 0.5 >"$W/top.json" && python3 -m json.tool "$W/top.json" >/dev/null &&
	"$CHECK" json "$W/top.json" >"$W/json-ifaces" && grep -q '^conn ncat 2$' "$W/json-ifaces"; then
	ok "top --json parses: the connection of ncat with 2 subflows"
else
	not_ok "top --json" "$(cat "$W/top.json" "$W/json-ifaces" 2>&1)"
fi
same_as_screen() {
	local i a b bad=0
	for i in c1 c2; do
		a=$(awk -v i="$i" '$1 == i { print $2 }' "$W/json-ifaces")
		b=$(awk -v i="$i" '$1 == i { print $2 }' "$W/ifaces")
		echo "$i: json $a, screen $b"
		# The screen rounds to 3 digits.
		awk -v a="$a" -v b="$b" 'BEGIN { exit !(b > 0 && (a - b) / b < 0.01 && (a - b) / b > -0.01) }' || bad=1
	done
	return $bad
}
if same_as_screen >"$W/cmp2" && cmp_nft "$W/json-ifaces" >>"$W/cmp2"; then
	ok "--json has the screen's numbers and matches nft ($(tr '\n' ' ' <"$W/cmp2"))"
else
	not_ok "--json vs screen vs nft" "$(cat "$W/cmp2")"
fi

# Without root: the connections are there, their owners are not, and top says why.
if cns setpriv --reuid 65534 --regid 65534 --clear-groups \
	"$B/mptcp-run" top --once -i 0.2 >"$W/nonroot" 2>&1 &&
	grep -q '? uid 0' "$W/nonroot" && grep -q 'owner unknown: 1 connection' "$W/nonroot" &&
	grep -q 'not readable: [1-9][0-9]* process(es) (other users' "$W/nonroot"; then
	ok "without root: the connection is shown, its owner unknown, and top says what it cannot read"
else
	not_ok "top without root" "$(cat "$W/nonroot")"
fi

# Keys.
tmux send-keys -t "$SESSION" s
if tap_wait 5 screen_has "sort: bytes"; then ok "key s: the next sort order (bytes)"; else not_ok "key s" "$(head -3 "$W/screen")"; fi
tmux send-keys -t "$SESSION" p
if tap_wait 5 screen_has "\[paused\]"; then ok "key p: paused"; else not_ok "key p" "$(head -3 "$W/screen")"; fi
tmux send-keys -t "$SESSION" p f nosuch Enter
if tap_wait 5 screen_has "no MPTCP connection of that program" && grep -q "program: nosuch" "$W/screen"; then
	ok "key f: a program filter that matches nothing hides the connection"
else
	not_ok "key f" "$(cat "$W/screen")"
fi
tmux send-keys -t "$SESSION" f Enter
if tap_wait 5 screen_has '^ *[0-9]* ncat '; then ok "key f, empty: every program again"; else not_ok "filter cleared" "$(cat "$W/screen")"; fi
tmux resize-window -t "$SESSION" -x 60 -y 40 2>/dev/null || tmux resize-pane -t "$SESSION" -x 60
# shellcheck disable=SC2317 # called through tap_wait
narrow() { screen && grep -q 'TX/s' "$W/screen" && [ "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$W/screen")" -le 60 ] && ! grep -q 'REMOTE/LOCAL' "$W/screen"; }
if tap_wait 5 narrow; then
	ok "a 60-column terminal: the rates stay, the address column goes, no line is wider"
else
	not_ok "narrow terminal" "$(cat "$W/screen")"
fi
tmux send-keys -t "$SESSION" q
# The pane's command says so once top has quit.
if tap_wait 5 screen_has "^top exited 0"; then ok "key q: top quits (status 0)"; else not_ok "key q" "$(cat "$W/screen")"; fi
tmux kill-session -t "$SESSION" 2>/dev/null
exec {HOLDC}>&-
HOLDC=""
wait "$CLIENT" 2>/dev/null
# Under the protection a difference of any kind fails; tap_payload names it (a kernel misorder
# here would mean the protection did not hold).
payload() { # NAME SENT RECEIVED
	if tap_payload "$2" "$3"; then ok "$1 arrived intact"; else not_ok "$1 arrived intact" "$(stat -c %s "$2" "$3")"; fi
}
payload "the payload" "$W/sent" "$W/received"

# ---- a timeline with a path cut (another server: the first one's file is done) ----
"$TB" exec "$TB_STATE" server "$B/mptcp-run" ncat -l -k --recv-only "$TB_SERVER_ADDR" 5001 \
	<"$W/hold" >"$W/received2" 2>"$W/server2.err" &
PIDS+=($!)
mx_wait_listen "$TB_SERVER" 5001 10 "$!" || tap_bail "the second server did not start: $(cat "$W/server2.err")"
SIZE2=$((30 * 1024 * 1024))
head -c "$SIZE2" /dev/urandom >"$W/sent2"
cli "$B/mptcp-run" --timeline "$W/tl.json" ncat --send-only "$TB_SERVER_ADDR" 5001 <"$W/sent2" \
	2>"$W/client2.err" &
CLIENT=$!
PIDS+=("$CLIENT")
# shellcheck disable=SC2317 # called through tap_wait
over_8mb() { [ "$(stat -c %s "$W/received2" 2>/dev/null || echo 0)" -gt 8000000 ]; }
tap_wait 20 over_8mb || true
"$B/mptcp-run" mark "$W/tl.json" "path 1 cut"
"$TB" cut "$TB_STATE" 1
wait "$CLIENT"
rc=$?
"$TB" restore "$TB_STATE" 1
if [ "$rc" = 0 ] && tail -1 "$W/tl.json" | grep -q '"type":"end".*"status":0'; then
	ok "--timeline: the command's exit status passes through and the file ends with it"
else
	not_ok "--timeline exit" "rc $rc; $(tail -2 "$W/tl.json")"
fi
mx_wait_size "$W/received2" "$SIZE2" 10 || true
payload "the payload of the cut transfer" "$W/sent2" "$W/received2"
if "$B/mptcp-run" report "$W/tl.json" --svg "$W/tl.svg" >"$W/report.txt" && xmllint --noout "$W/tl.svg" 2>"$W/xmllint.err"; then
	ok "report --svg of the timeline: the SVG parses (xmllint)"
else
	not_ok "report --svg" "$(cat "$W/report.txt" "$W/xmllint.err")"
fi
if grep -q 'mark  *path 1 cut' "$W/report.txt" && grep -q 'DATA_FIN sent by this end' "$W/report.txt"; then
	ok "the report lists the mark and who sent the DATA_FIN"
else
	not_ok "report text" "$(cat "$W/report.txt")"
fi
while read -r verdict rest; do
	if [ "$verdict" = ok ]; then ok "figure: $rest"; else not_ok "figure: ${rest#ok }"; fi
done < <("$CHECK" svg "$W/tl.svg" "$W/tl.json" c1 "$SIZE2" 2>&1 || echo "not ok check.py failed")
tap_done
