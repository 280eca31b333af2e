#!/usr/bin/env bash
# Reproducer (not part of `make check`), no mptcp-run involved: plain
# IPPROTO_MPTCP sockets (python3, protocol 262) upload 16 MiB over a fresh
# 2-path testbed with tbf rate limits, once per run, and compare the sha256
# the receiver computed. It isolates the kernel's misordered-data issue that
# tests/matrix/repro-redis-corruption.sh shows through redis, from the
# launcher and from redis, and runs it with DSS checksums off, on, or both
# (net.mptcp.checksum_enabled in both namespaces).
#
# Seen on 6.18.44: with checksums on it still misorders about 1 run in 30,
# always from stream byte 65,537 (the first byte after the first 64 KiB);
# with checksums off more often. A corrupted run prints the first differing
# byte and the receiver's MPTcpExt error counters.
#
# Usage: tests/matrix/repro-misorder.sh [RUNS] [--csum 0|1|both] [--rate MBIT|--no-rate]
#   RUNS per checksum setting, 1..10 (default 10); --csum both (default) runs
#   RUNS with checksums off, then RUNS with them on.
# Prints one line per run and a summary line per setting. Needs root.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/matrix/lib.sh
. "$ROOT/tests/matrix/lib.sh"
TB=$ROOT/scripts/testbed
RUNS=10 CSUM=both RATE=100
usage() { echo "usage: $0 [RUNS(1..10)] [--csum 0|1|both] [--rate MBIT|--no-rate]" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--csum) [[ $# -ge 2 ]] || usage; CSUM=$2; shift 2 ;;
	--rate) [[ $# -ge 2 ]] || usage; RATE=$2; shift 2 ;;
	--no-rate) RATE=""; shift ;;
	[0-9]*) RUNS=$1; shift ;;
	*) usage ;;
	esac
done
{ [[ $RUNS =~ ^[0-9]+$ ]] && ((RUNS >= 1 && RUNS <= 10)); } || usage
case $CSUM in 0 | 1) SETTINGS=("$CSUM") ;; both) SETTINGS=(0 1) ;; *) usage ;; esac
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 1; }

D=$(mktemp -d /tmp/mptcp-misorder.XXXXXX)
TB_STATE="" SRV=""
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	[[ -n $SRV ]] && kill "$SRV" 2>/dev/null
	[[ -n $TB_STATE && -f $TB_STATE ]] && "$TB" down "$TB_STATE"
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$D/srv.py" <<'PY'
import socket, sys
addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(8)          # kept open: joins need the listener
c, _ = s.accept()
with open(out, "wb") as f:
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        f.write(b)
c.close()
PY
cat >"$D/cli.py" <<'PY'
import socket, sys
addr, port, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
c.connect((addr, port))
with open(src, "rb") as f:
    c.sendall(f.read())
c.shutdown(socket.SHUT_WR)
while c.recv(4096):
    pass
PY
head -c $((16 * 1024 * 1024)) /dev/urandom >"$D/payload"
want=$(sha256sum <"$D/payload" | cut -d' ' -f1)
rc=0
for csum in "${SETTINGS[@]}"; do
	bad=0
	for ((i = 1; i <= RUNS; i++)); do
		eval "$("$TB" up --paths 2 ${RATE:+--rate "$RATE"} --prefix misord 2>/dev/null)"
		for ns in "$TB_CLIENT" "$TB_SERVER"; do ip netns exec "$ns" sysctl -qw net.mptcp.checksum_enabled="$csum"; done
		rm -f "$D/got"
		"$TB" exec "$TB_STATE" server python3 "$D/srv.py" "$TB_SERVER_ADDR" 7200 "$D/got" &
		SRV=$!
		mx_wait_listen "$TB_SERVER" 7200 5 # a server that never listens fails the checks below
		"$TB" exec "$TB_STATE" client timeout 60 python3 "$D/cli.py" "$TB_SERVER_ADDR" 7200 "$D/payload"
		wait "$SRV" 2>/dev/null
		SRV=""
		got=$(sha256sum <"$D/got" | cut -d' ' -f1)
		st=$(ip netns exec "$TB_SERVER" nstat -asz | awk '/MPTcpExt(DuplicateData|DataCsumErr|MPFailRx|MPFailTx|OFOQueue)/ && $2 > 0 { printf "%s=%s ", $1, $2 }')
		if [[ $got == "$want" ]]; then
			r=ok
		else
			r="MISORDERED ($(cmp "$D/payload" "$D/got" 2>&1 | head -1 | sed 's/.*differ: //'); size $(stat -c %s "$D/got"))"
			# the shape the matrix retries: regions of sent data at the wrong offset
			r+=" misorder.py: $(python3 "$ROOT/tests/lib/misorder.py" "$D/got" "$D/payload" 2>&1 | head -3 | paste -sd, -)"
			bad=$((bad + 1))
		fi
		echo "checksum $csum run $i: $r  server: ${st:-no MPTCP counters}"
		"$TB" down "$TB_STATE"
		TB_STATE=""
	done
	echo "checksum $csum: $bad misordered of $RUNS (rate ${RATE:-none})"
	((bad == 0)) || rc=1
done
exit "$rc"
