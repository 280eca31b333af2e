#!/usr/bin/env bash
# Self-test of scripts/testbed: brings up 2 paths, pings both, checks that one
# MPTCP connection gets 2 subflows (ss -tiM in the client namespace), cuts path
# 1 in the middle of a transfer and checks the data still arrives intact, then
# checks that `down` removed everything. Also: usage errors, --router, --loss,
# `capture` (pcap of one path) and `monitor` (ip mptcp monitor).
# The MPTCP peers are python3 sockets with protocol 262 (IPPROTO_MPTCP), so the
# test needs neither mptcp-run nor mptcpize.
# Output: TAP (tests/lib/tap.sh). Needs root (skips otherwise).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TB=$ROOT/scripts/testbed
# shellcheck source=tests/matrix/lib.sh
. "$ROOT/tests/matrix/lib.sh"

# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"

[[ $(id -u) -eq 0 ]] || tap_skip_all "testbed self-test: not root, network namespaces need CAP_NET_ADMIN"
ip netns list >/dev/null 2>&1 || tap_skip_all "testbed self-test: no 'ip netns' support here"
PY=$(command -v python3 || true)
[[ -n $PY ]] || tap_skip_all "testbed self-test: python3 missing (scripts/setup-deps)"

TMP=$(mktemp -d /tmp/mptcp-tbtest.XXXXXX)
STATES=() PIDS=()
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	local s
	mx_kill "${PIDS[@]}"
	for s in "${STATES[@]}"; do [[ -f $s ]] && "$TB" down "$s" 2>/dev/null; done
	if [[ -n ${KEEP:-} ]]; then echo "# kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- usage errors exit 2 -----------------------------------------------------
"$TB" up --paths 9 >/dev/null 2>&1
rc=$?
"$TB" frobnicate >/dev/null 2>&1
rc2=$?
"$TB" cut >/dev/null 2>&1
rc3=$?
if [[ $rc -eq 2 && $rc2 -eq 2 && $rc3 -eq 2 ]]; then ok "usage errors exit 2"; else not_ok "usage errors exit 2" "got $rc $rc2 $rc3"; fi
if "$TB" --help | grep -q 'Addressing plan'; then ok "--help documents the addressing plan"; else not_ok "--help documents the addressing plan"; fi

# --- up ----------------------------------------------------------------------
if ! out=$("$TB" up --paths 2 --rate 100 --prefix tbtest 2>"$TMP/up.err"); then
	not_ok "testbed up --paths 2 --rate 100" "$(cat "$TMP/up.err")"
	tap_done
fi
eval "$out"
STATES+=("$TB_STATE")
if [[ -f $TB_STATE && $TB_PATHS == 2 && $TB_SERVER_ADDR == 198.18.1.2 ]] &&
	ip netns list | grep -qw -- "$TB_CLIENT" && ip netns list | grep -qw -- "$TB_SERVER"; then
	ok "up prints TB_* assignments, writes the state file, creates both namespaces"
else
	not_ok "up prints TB_* assignments, writes the state file, creates both namespaces" "$out"
fi
if [[ $TB_NETEM == 0 ]]; then
	if grep -q 'delay not available: sch_netem missing' "$TMP/up.err"; then ok "netem missing is detected and reported"; else not_ok "netem missing is detected and reported" "$(cat "$TMP/up.err")"; fi
else
	ok "netem available (TB_NETEM=1)"
fi

for i in 1 2; do
	if "$TB" exec "$TB_STATE" client ping -c1 -W2 "198.18.$i.2" >/dev/null 2>&1 &&
		"$TB" exec "$TB_STATE" client ping -c1 -W2 "fd00:0:0:$i::2" >/dev/null 2>&1; then
		ok "path $i pings (IPv4 and IPv6)"
	else
		not_ok "path $i pings (IPv4 and IPv6)"
	fi
done
# path 2's address reaches the server's path-1 address over path 2
if "$TB" exec "$TB_STATE" client ping -c1 -W2 -I 198.18.2.1 198.18.1.2 >/dev/null 2>&1; then
	ok "path-2 source reaches the server's path-1 address"
else
	not_ok "path-2 source reaches the server's path-1 address"
fi
eps=$("$TB" exec "$TB_STATE" client ip mptcp endpoint show)
lim=$("$TB" exec "$TB_STATE" server ip mptcp limits show)
if grep -q '198.18.2.1 .*subflow.*dev c2' <<<"$eps" && grep -q 'subflows 1' <<<"$lim"; then
	ok "client subflow endpoint for path 2, limits on the server"
else
	not_ok "client subflow endpoint for path 2, limits on the server" "$eps
$lim"
fi

# --- MPTCP transfer with 2 subflows, cut of path 1 ---------------------------
cat >"$TMP/srv.py" <<'EOF'
import socket, sys
addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)   # IPPROTO_MPTCP
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(8)      # stays open: MP_JOIN SYNs need the listener
c, _ = s.accept()
with open(out, "wb") as f:
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        f.write(b)
c.close()
EOF
cat >"$TMP/cli.py" <<'EOF'
import socket, sys
addr, port, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
c.connect((addr, port))
with open(src, "rb") as f:
    while True:
        b = f.read(1 << 16)
        if not b:
            break
        c.sendall(b)
c.shutdown(socket.SHUT_WR)
while c.recv(4096):
    pass
c.close()
EOF
SIZE=$((48 * 1024 * 1024))
head -c "$SIZE" /dev/urandom >"$TMP/payload"
want=$(sha256sum <"$TMP/payload" | cut -d' ' -f1)
# transfer_with_cut PORT: one 48 MiB transfer, path 1 cut once a quarter has arrived (the
# cut is undone first for a later attempt). Sets crc, snap, sfb, secs.
transfer_with_cut() {
	local port=$1 srv cli smp
	"$TB" restore "$TB_STATE" 1 2>/dev/null
	rm -f "$TMP/got"
	"$TB" exec "$TB_STATE" server "$PY" "$TMP/srv.py" "$TB_SERVER_ADDR" "$port" "$TMP/got" &
	srv=$!
	PIDS+=("$srv")
	if ! mx_wait_listen "$TB_SERVER" "$port" 10 "$srv"; then
		not_ok "MPTCP server listens" "$(ip netns exec "$TB_SERVER" ss -ltnM)"
		tap_done
	fi
	mx_sampler_start "$TB_CLIENT" "$port" "$TMP/ss-client"
	smp=$MX_SAMPLER_PID
	PIDS+=("$smp")
	SECONDS=0
	"$TB" exec "$TB_STATE" client timeout 60 "$PY" "$TMP/cli.py" "$TB_SERVER_ADDR" "$port" "$TMP/payload" &
	cli=$!
	PIDS+=("$cli")
	mx_wait_size "$TMP/got" $((SIZE / 4)) 20
	snap=$(ip netns exec "$TB_CLIENT" ss -tiMn "( dport = :$port )")
	"$TB" cut "$TB_STATE" 1
	wait "$cli"
	crc=$?
	wait "$srv" 2>/dev/null
	mx_sampler_stop "$smp"
	secs=$SECONDS
	sfb=$(mx_subflow_bytes "$TMP/ss-client")
}
PORT=7100
transfer_with_cut $PORT
nsub=$(grep -c 'tcp-ulp-mptcp' <<<"$snap")
if [[ $nsub -eq 2 ]] && grep -q '^mptcp' <<<"$snap"; then
	ok "one MPTCP connection has 2 subflows (ss -tiM in the client namespace)"
else
	not_ok "one MPTCP connection has 2 subflows (ss -tiM in the client namespace)" "$snap"
fi
if "$TB" exec "$TB_STATE" client ping -c1 -W1 198.18.1.2 >/dev/null 2>&1; then
	not_ok "cut: path 1 no longer passes traffic"
else
	ok "cut: path 1 no longer passes traffic"
fi
# The kernel's misorder (tests/lib/misorder.py) is named and tried again, at most twice: the
# in-kernel path manager's join carries data at once, unprotected, as on any MPTCP host.
for attempt in 1 2 3; do
	tap_payload "$TMP/payload" "$TMP/got"
	verdict=$?
	[[ $verdict -eq 2 && $attempt -lt 3 ]] || break
	echo "# attempt $attempt: retried"
	PORT=$((PORT + 1))
	transfer_with_cut $PORT
done
if [[ $crc -eq 0 && $verdict -eq 0 ]]; then
	ok "transfer of 48 MiB survives the cut of path 1, sha256 matches (${secs}s, attempt $attempt)"
else
	not_ok "transfer of 48 MiB survives the cut of path 1, sha256 matches" "client rc=$crc, got $(stat -c %s "$TMP/got" 2>/dev/null) of $SIZE bytes"
	KEEP=1
fi
p2=$(awk '$1 ~ /^198\.18\.2\.1/ { print $4 }' <<<"$sfb")
if [[ ${p2:-0} -gt $((SIZE / 2)) ]]; then
	ok "path 2 carried the rest after the cut ($p2 bytes acked)"
else
	not_ok "path 2 carried the rest after the cut" "$sfb"
fi
"$TB" restore "$TB_STATE" 1
if "$TB" exec "$TB_STATE" client ping -c1 -W2 198.18.1.2 >/dev/null 2>&1; then ok "restore: path 1 passes traffic again"; else not_ok "restore: path 1 passes traffic again"; fi

# --- capture / monitor -------------------------------------------------------
if ! command -v tcpdump >/dev/null 2>&1; then
	skipped "capture: pcap of one path" "tcpdump not installed (scripts/setup-deps)"
else
	"$TB" capture "$TB_STATE" --path 2 --out "$TMP/p2.pcap" --count 4 --filter icmp 2>"$TMP/cap.err" &
	cap=$!
	PIDS+=("$cap")
	sleep 0.5
	"$TB" exec "$TB_STATE" client ping -c3 -i 0.2 -W1 -I 198.18.2.1 "$TB_SERVER_ADDR" >/dev/null 2>&1
	"$TB" exec "$TB_STATE" client ping -c3 -i 0.2 -W1 -I 198.18.1.1 "$TB_SERVER_ADDR" >/dev/null 2>&1
	wait "$cap"
	crc=$?
	pk=$(tcpdump -r "$TMP/p2.pcap" -n 2>/dev/null)
	if [[ $crc -eq 0 ]] && [[ $(wc -l <<<"$pk") -eq 4 ]] && ! grep -q '198\.18\.1\.1' <<<"$pk" &&
		[[ $(grep -c '198\.18\.2\.1 > 198\.18\.1\.2: ICMP echo request' <<<"$pk") -eq 2 ]] &&
		grep -q 'capture: 4 packets' "$TMP/cap.err"; then
		ok "capture --path 2 --count 4: the pcap holds path 2's packets only, and ends after 4"
	else
		not_ok "capture --path 2 --count 4: the pcap holds path 2's packets only, and ends after 4" "rc=$crc
$pk
$(cat "$TMP/cap.err")"
	fi
	SECONDS=0
	"$TB" capture "$TB_STATE" --path 1 --out "$TMP/p1.pcap" --seconds 1 --filter "tcp port 9" 2>"$TMP/cap.err"
	crc=$?
	if [[ $crc -eq 0 && $SECONDS -le 3 ]] && tcpdump -r "$TMP/p1.pcap" -n >/dev/null 2>&1 && grep -q 'capture: 0 packets' "$TMP/cap.err"; then
		ok "capture --seconds 1 ends by itself with a valid (empty) pcap"
	else
		not_ok "capture --seconds 1 ends by itself with a valid (empty) pcap" "rc=$crc after ${SECONDS}s: $(cat "$TMP/cap.err")"
	fi
fi
"$TB" capture "$TB_STATE" --path 1 >/dev/null 2>&1
rc=$?
"$TB" capture "$TB_STATE" --path 3 --out "$TMP/x.pcap" >/dev/null 2>&1
rc2=$?
"$TB" capture "$TB_STATE" --path 1 --out "$TMP/x.pcap" --count 1 --seconds 1 >/dev/null 2>&1
rc3=$?
if [[ $rc -eq 2 && $rc2 -eq 2 && $rc3 -eq 2 && ! -e $TMP/x.pcap ]]; then
	ok "capture usage errors exit 2 (no --out, path out of range, --count with --seconds)"
else
	not_ok "capture usage errors exit 2" "got $rc $rc2 $rc3"
fi
"$TB" monitor "$TB_STATE" server --seconds 3 >"$TMP/monitor" 2>&1 &
mon=$!
PIDS+=("$mon")
sleep 0.5
"$TB" exec "$TB_STATE" server "$PY" "$TMP/srv.py" "$TB_SERVER_ADDR" 7102 "$TMP/mon-got" &
srv=$!
PIDS+=("$srv")
mx_wait_listen "$TB_SERVER" 7102 10 "$srv"
head -c 2000000 /dev/urandom >"$TMP/small"
"$TB" exec "$TB_STATE" client timeout 20 "$PY" "$TMP/cli.py" "$TB_SERVER_ADDR" 7102 "$TMP/small"
wait "$srv" 2>/dev/null
wait "$mon"
mrc=$?
if [[ $mrc -eq 0 ]] && grep -q 'CREATED.*sport=7102' "$TMP/monitor" && grep -q 'ESTABLISHED.*sport=7102' "$TMP/monitor" &&
	grep -q 'SF_ESTABLISHED.*daddr4=198\.18\.2\.1' "$TMP/monitor"; then
	ok "monitor server --seconds 3: CREATED, ESTABLISHED and the join from path 2 (SF_ESTABLISHED)"
else
	not_ok "monitor server --seconds 3: CREATED, ESTABLISHED and the join from path 2" "rc=$mrc
$(cat "$TMP/monitor")"
fi
if "$TB" --help | grep -q 'testbed capture STATE --path N --out FILE' && "$TB" --help | grep -q 'testbed monitor STATE'; then
	ok "--help documents capture and monitor"
else
	not_ok "--help documents capture and monitor"
fi

# --- down --------------------------------------------------------------------
"$TB" exec "$TB_STATE" server sleep 300 &
PIDS+=($!)
dir=$TB_DIR
"$TB" down "$TB_STATE"
if ! ip netns list | grep -qw -- "$TB_CLIENT" && ! ip netns list | grep -qw -- "$TB_SERVER" && [[ ! -e $dir ]]; then
	ok "down removes the namespaces and the state directory (and ends what ran inside)"
else
	not_ok "down removes the namespaces and the state directory" "$(ip netns list)"
fi

# --- router, loss, 3 paths ---------------------------------------------------
if out=$("$TB" up --paths 3 --router --loss 1 --prefix tbtest 2>/dev/null); then
	eval "$out"
	STATES+=("$TB_STATE")
	good=1
	for i in 1 2 3; do
		"$TB" exec "$TB_STATE" client ping -c1 -W2 -I "198.18.$i.1" "$TB_SERVER_ADDR" >/dev/null 2>&1 ||
			"$TB" exec "$TB_STATE" client ping -c2 -W2 -I "198.18.$i.1" "$TB_SERVER_ADDR" >/dev/null 2>&1 || good=0
	done
	rtables=$("$TB" exec "$TB_STATE" router ip rule)
	loss=$("$TB" exec "$TB_STATE" client nft list table inet testbed_loss 2>&1)
	if ((good)) && [[ $TB_SERVER_ADDR == 198.19.1.2 ]] && grep -q 'iif rc3' <<<"$rtables" && grep -q 'numgen random mod 100 < 1' <<<"$loss"; then
		ok "--router --paths 3 --loss 1: every path reaches the server through the router"
	else
		not_ok "--router --paths 3 --loss 1: every path reaches the server through the router" "$rtables
$loss"
	fi
	"$TB" down "$TB_STATE"
	if ip netns list | grep -qw -- "$TB_ROUTER"; then not_ok "down removes the router namespace"; else ok "down removes the router namespace"; fi
else
	not_ok "up --paths 3 --router --loss 1"
fi

tap_done
