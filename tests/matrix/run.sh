#!/usr/bin/env bash
# tests/matrix/run.sh - unmodified network tools under the mptcp-run launcher.
#
# For every tool: a fresh 2-path testbed (scripts/testbed, 100 Mbit/s per
# path), server and client started through the launcher, `ss -tniM` sampled in
# both namespaces while the transfer runs. A row passes when both ends had an
# MPTCP connection that did not fall back, with 2 subflows on each end, and
# the payload (16 MiB; 48 MiB for failover rows) arrived intact (sha256).
# Failover rows cut path 1 once a third of the data has arrived and expect the
# transfer to finish intact over path 2.
# Limitation rows (static binary, set-user-ID binary) expect the program to
# work as plain TCP and the launcher to say it could not upgrade it.
# Wire rows (ncat, curl-pyhttp, haproxy, vsftpd by default; --wire) also
# capture the row's port on both paths in the client namespace (tcpdump,
# snaplen 128, at most 200,000 packets per path) and decode the MPTCP options
# with tshark: MP_CAPABLE on the SYN, SYN/ACK and third ACK (path 1), MP_JOIN
# SYN, SYN/ACK and ACK on path 2, data segments with a DSS mapping on both
# paths, and a DATA_FIN. A wire row lacking any of them fails; the pcaps of a
# failed row are kept in build/matrix-wire/ROW/, the others are deleted.
#
# Usage: tests/matrix/run.sh [--quick] [--launcher CMD] [--keep] [--only REGEX]
#                            [--wire REGEX | --no-wire]
#   --quick          ncat rows only (smoke test)
#   --wire REGEX     capture and decode the rows whose id matches REGEX
#                    (default: see WIRE below); --no-wire: no captures
#   --launcher CMD   default: build/mptcp-run; e.g. --launcher "mptcpize run"
#                    (also MATRIX_LAUNCHER=...)
#   --only REGEX     run only rows whose id matches REGEX (ids: see --list)
#   --list           print row ids
#   --keep           keep the temporary directory (logs, ss samples)
# Output: TAP (tests/lib/tap.sh), one case per row, and the table in
# build/matrix.md (also on stdout, as TAP comments); exit 1 if any row failed.
# Needs root (namespaces); prints the reason and skips otherwise.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TB=$ROOT/scripts/testbed
# shellcheck source=tests/matrix/lib.sh
. "$ROOT/tests/matrix/lib.sh"

QUICK=0 KEEP=0 ONLY="" LIST=0
WIRE='^(ncat-up|ncat-down|ncat-ipv6|curl-pyhttp|haproxy|vsftpd-.*)$'
LAUNCHER=${MATRIX_LAUNCHER:-$ROOT/build/mptcp-run}
while [[ $# -gt 0 ]]; do
	case $1 in
	--quick) QUICK=1; shift ;;
	--keep) KEEP=1; shift ;;
	--list) LIST=1; shift ;;
	--launcher) [[ $# -ge 2 ]] || { echo "--launcher needs a value" >&2; exit 2; }; LAUNCHER=$2; shift 2 ;;
	--only) [[ $# -ge 2 ]] || { echo "--only needs a value" >&2; exit 2; }; ONLY=$2; shift 2 ;;
	--wire) [[ $# -ge 2 ]] || { echo "--wire needs a value" >&2; exit 2; }; WIRE=$2; shift 2 ;;
	--no-wire) WIRE='^$'; shift ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
	esac
done

ROWS=(ncat-up ncat-down ncat-ipv6 nc-openbsd socat curl-pyhttp wget-pyhttp curl-nginx wget-nginx
	curl-lighttpd haproxy vsftpd-passive vsftpd-active iperf3 redis-cli redis-benchmark ssh scp rsync
	rclone busybox-nc setuid-ncat)
((QUICK)) && ROWS=(ncat-up ncat-down)
if ((LIST)); then printf '%s\n' "${ROWS[@]}"; exit 0; fi

# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"
RESULTS=() # "tool|role|mptcp|subflows|bytes|integrity|failover|capable|join|dss|datafin|seconds|result|notes"
skip_rows() { # REASON: every row is one skip
	local row
	for row in "${ROWS[@]}"; do skipped "matrix $row" "$1"; done
	tap_done
}

[[ $(id -u) -eq 0 ]] || skip_rows "not root, network namespaces need CAP_NET_ADMIN"
ip netns list >/dev/null 2>&1 || skip_rows "no 'ip netns' support"

read -r -a LAUNCH <<<"$LAUNCHER"
command -v "${LAUNCH[0]}" >/dev/null 2>&1 ||
	tap_bail "matrix: launcher '${LAUNCH[0]}' not found (run 'make', or --launcher \"mptcpize run\")"
LAUNCH[0]=$(command -v "${LAUNCH[0]}")
OURS=0
[[ ${LAUNCH[0]##*/} == mptcp-run ]] && OURS=1

D=$(mktemp -d /tmp/mptcp-matrix.XXXXXX)
chmod 755 "$D" # the set-user-ID row runs as nobody
TB_STATE="" PIDS=() HOLD_FD="" MADE_RUN_SSHD=0 BAD_DATA=0
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	mx_kill "${PIDS[@]}"
	[[ -n $TB_STATE && -f $TB_STATE ]] && "$TB" down "$TB_STATE" 2>/dev/null
	[[ -n $HOLD_FD ]] && exec {HOLD_FD}>&-
	((MADE_RUN_SSHD)) && rmdir /run/sshd 2>/dev/null
	# keep the data of a failed integrity check (unless it was retried away)
	if ((KEEP || (BAD_DATA && fail > 0))); then echo "# kept $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# launcher config: force MPTCP (our launcher forces it anyway)
printf 'defaults = { mode = "mptcp"; integrity = "accept-risk"; };\n' >"$D/mptcp-run.conf"
chmod 644 "$D/mptcp-run.conf"
export MPTCP_RUN_CONF=$D/mptcp-run.conf

SIZE=$((16 * 1024 * 1024)) BIGSIZE=$((48 * 1024 * 1024))
head -c "$SIZE" /dev/urandom >"$D/payload"
head -c "$BIGSIZE" /dev/urandom >"$D/big"
mkdir -p "$D/www"
ln "$D/payload" "$D/www/payload"
ln "$D/big" "$D/www/big"
chmod 644 "$D/payload" "$D/big"
SUM=$(sha256sum <"$D/payload" | cut -d' ' -f1)
BIGSUM=$(sha256sum <"$D/big" | cut -d' ' -f1)
# A FIFO held open for writing: a program reading it as stdin never sees EOF,
# so it does not half-close the connection (the kernel refuses MP_JOINs for
# a connection that already sent its DATA_FIN).
mkfifo "$D/hold"
exec {HOLD_FD}<>"$D/hold"

# ------------------------------------------------------------------ rows --
# Per row: R (row dir), A (server address), port; results in ROW_* variables.
row_begin() { # id tool role [testbed up options...]
	ROW_ID=$1 ROW_TOOL=$2 ROW_ROLE=$3
	shift 3
	ROW_MPTCP="-" ROW_SUB="-" ROW_BYTES="-" ROW_INT="-" ROW_FO="-" ROW_RES="" ROW_NOTES=""
	ROW_LIMIT=0 ROW_FAILOVER=0 ROW_EXPECT_SUB=2 ROW_WARNED=0 ROW_DUP=0 ROW_MISORDER=""
	ROW_WIRE=0 ROW_W_CAP="-" ROW_W_JOIN="-" ROW_W_DSS="-" ROW_W_FIN="-" ROW_W_RES="-" CAP_PIDS=() WIRE_LEGS=() ROW_KNOWN="" ROW_SUB_OK=0
	[[ $ROW_ID =~ $WIRE ]] && ROW_WIRE=1
	R=$D/$ROW_ID${ATTEMPT_SUFFIX:-}
	mkdir -p "$R"
	local out
	if ! out=$("$TB" up --paths 2 --rate 100 --prefix mx "$@" 2>"$R/testbed.err"); then
		ROW_RES=fail ROW_NOTES="testbed up failed: $(tail -1 "$R/testbed.err")"
		return 1
	fi
	eval "$out"
	A=$TB_SERVER_ADDR
	return 0
}

note() { ROW_NOTES="${ROW_NOTES:+$ROW_NOTES; }$*"; }

# srv [--plain] CMD...: start a server in the server namespace under the
# launcher, stdin = held FIFO, stdout/stderr to $R/server.{out,err}.
srv() {
	"$TB" exec "$TB_STATE" server "${LAUNCH[@]}" "$@" <"$D/hold" >"$R/server.out" 2>"$R/server.err" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
}
# srv_at SIDE NAME CMD...: the same in namespace SIDE (client|server|router),
# output in $R/NAME.{out,err}; for rows with more than one server.
srv_at() {
	local side=$1 name=$2
	shift 2
	"$TB" exec "$TB_STATE" "$side" "${LAUNCH[@]}" "$@" <"$D/hold" >"$R/$name.out" 2>"$R/$name.err" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
}
# cli CMD...: run a client in the client namespace under the launcher (60 s
# limit); stdin/stdout are the caller's; stderr appended to $R/client.err.
cli() {
	"$TB" exec "$TB_STATE" client timeout 60 "${LAUNCH[@]}" "$@" 2>>"$R/client.err"
}

sample_start() { # port
	SAMPLE_PORT=$1
	wire_start "$1"
	mx_sampler_start "$TB_CLIENT" "$1" "$R/ss-client"
	SMP_C=$MX_SAMPLER_PID
	mx_sampler_start "$TB_SERVER" "$1" "$R/ss-server"
	SMP_S=$MX_SAMPLER_PID
	PIDS+=("$SMP_C" "$SMP_S")
}
sample_stop() {
	sleep 0.15
	mx_sampler_stop "$SMP_C"
	mx_sampler_stop "$SMP_S"
	wire_stop
}

# wire_start PORT [NS DEV_PREFIX TAG NEED]: capture PORT on both paths (by
# default in the client namespace, devices c1 and c2) for wire rows. Several
# legs per row are allowed (TAG names them). NEED: full (MP_CAPABLE, complete
# MP_JOIN on path 2, DSS on both paths, DATA_FIN), join (DSS on one path is
# enough), single (no join expected: MP_CAPABLE, DSS on path 1, DATA_FIN).
wire_start() {
	((ROW_WIRE)) || return 0
	local port=$1 ns=${2:-$TB_CLIENT} pfx=${3:-c} tag=${4:-} need=${5:-full} i f
	if ! command -v tcpdump >/dev/null 2>&1 || ! command -v tshark >/dev/null 2>&1; then
		ROW_W_RES=FAIL
		note "no wire evidence: tcpdump or tshark not installed (scripts/setup-deps)"
		return 0
	fi
	WIRE_LEGS+=("$port|$tag|$need")
	for i in 1 2; do
		f=$R/wire${tag:+-$tag}-p$i.pcap
		if mx_capture_start "$ns" "$pfx$i" "tcp port $port" "$f"; then
			CAP_PIDS+=("$MX_CAPTURE_PID")
			PIDS+=("$MX_CAPTURE_PID")
		else
			ROW_W_RES=FAIL
			note "capture on $pfx$i did not start: $(tail -1 "$f.err" 2>/dev/null)"
		fi
	done
}

# wire_stop: end the captures once the close (DATA_FIN, FIN) has passed: the
# client's MPTCP socket of each leg is gone (5 s at most; a DATA_FIN sent on a
# cut path waits for a retransmission on the other), then 0.4 s for the FINs
wire_stop() {
	((ROW_WIRE && ${#CAP_PIDS[@]})) || return 0
	local leg
	for leg in "${WIRE_LEGS[@]}"; do
		tap_wait 5 mx_closed "$TB_CLIENT" "${leg%%|*}" ||
			note "wire: the connection on port ${leg%%|*} was still open 5 s after the transfer"
	done
	sleep 0.4
	mx_kill "${CAP_PIDS[@]}"
	CAP_PIDS=()
}

# wire_eval: fill the wire columns from the pcaps of every leg
wire_eval() {
	((ROW_WIRE)) || return 0
	[[ $ROW_W_RES == FAIL ]] && return 0
	((${#WIRE_LEGS[@]})) || { ROW_W_RES=FAIL; note "wire row without a capture"; return 0; }
	local leg port tag need i w n base lbl bad=0 cap join dss fin
	local yn=(no yes)
	ROW_W_CAP="" ROW_W_JOIN="" ROW_W_DSS="" ROW_W_FIN=""
	for leg in "${WIRE_LEGS[@]}"; do
		IFS='|' read -r port tag need <<<"$leg"
		base=$R/wire${tag:+-$tag}
		lbl=${tag:+$tag: }
		for i in 1 2; do
			mx_wire_decode "$base-p$i.pcap" >"$base-p$i.txt"
			n=$(mx_capture_count "$base-p$i.pcap")
			((n < MX_CAP_MAX)) || note "wire: ${lbl}capture of path $i hit its limit of $MX_CAP_MAX packets (the end is missing)"
		done
		w=$(mx_wire_analyze "$port" "$base-p1.txt" "$base-p2.txt")
		echo "wire ${tag:-row} (port $port, $need): $w" >>"$R/analysis"
		local MX_W_CAP_SYN=0 MX_W_CAP_SYNACK=0 MX_W_CAP_ACK=0 MX_W_JOIN_SYN=0 MX_W_JOIN_SYNACK=0 MX_W_JOIN_ACK=0
		local MX_W_DSS1=0 MX_W_DSS2=0 MX_W_FIN_CS=0 MX_W_FIN_SC=0 MX_W_PKTS1=0 MX_W_PKTS2=0
		eval "$w"
		cap="${yn[MX_W_CAP_SYN > 0]}/${yn[MX_W_CAP_SYNACK > 0]}/${yn[MX_W_CAP_ACK > 0]}"
		join="${yn[MX_W_JOIN_SYN > 0]}/${yn[MX_W_JOIN_SYNACK > 0]}/${yn[MX_W_JOIN_ACK > 0]}"
		dss="$MX_W_DSS1/$MX_W_DSS2"
		fin=""
		((MX_W_FIN_CS)) && fin="c->s"
		((MX_W_FIN_SC)) && fin="${fin:+$fin+}s->c"
		[[ -n $fin ]] || fin=no
		[[ $cap == yes/yes/yes ]] || { bad=1; note "wire: ${lbl}MP_CAPABLE missing on SYN/SYN-ACK/ACK ($cap)"; }
		if [[ $need == single ]]; then
			[[ $join == no/no/no ]] || note "wire: ${lbl}MP_JOIN on path 2 ($join) although none was expected"
			((MX_W_DSS1 > 0)) || { bad=1; note "wire: ${lbl}no DSS mapping on path 1 ($dss)"; }
		else
			[[ $join == yes/yes/yes ]] || { bad=1; note "wire: ${lbl}no complete MP_JOIN handshake on path 2 ($join)"; }
			if [[ $need == full ]]; then
				((MX_W_DSS1 > 0 && MX_W_DSS2 > 0)) || { bad=1; note "wire: ${lbl}DSS mappings not on both paths ($dss)"; }
			else
				((MX_W_DSS1 + MX_W_DSS2 > 0)) || { bad=1; note "wire: ${lbl}no DSS mapping ($dss)"; }
			fi
		fi
		[[ $fin != no ]] || { bad=1; note "wire: ${lbl}no DATA_FIN"; }
		((MX_W_PKTS1 + MX_W_PKTS2 > 0)) || note "wire: ${lbl}no packet with an MPTCP option at all"
		ROW_W_CAP+="${ROW_W_CAP:+, }$lbl$cap"
		ROW_W_JOIN+="${ROW_W_JOIN:+, }$lbl$join"
		ROW_W_DSS+="${ROW_W_DSS:+, }$lbl$dss"
		ROW_W_FIN+="${ROW_W_FIN:+, }$lbl$fin"
	done
	if ((bad)); then ROW_W_RES=FAIL; else ROW_W_RES=ok; fi
}

# wire_files: after the verdict, delete a row's pcaps, or keep those of a
# failed row in build/matrix-wire/ROW/
wire_files() {
	compgen -G "$R/wire*" >/dev/null || return 0
	if [[ $ROW_RES == fail ]]; then
		local keep=$ROOT/build/matrix-wire/$ROW_ID
		rm -rf "$keep"
		mkdir -p "$keep"
		cp "$R"/wire* "$keep"/
		note "pcaps kept in build/matrix-wire/$ROW_ID/"
	fi
	rm -f "$R"/wire*
}

# cut_at FILE BYTES: in the background, cut path 1 once FILE has BYTES.
cut_at() {
	ROW_FAILOVER=1
	(
		if mx_wait_size "$1" "$2" 30; then
			"$TB" cut "$TB_STATE" 1 && echo "cut at $(stat -c %s "$1") bytes" >"$R/cut"
		fi
	) &
	CUT_PID=$!
	PIDS+=("$CUT_PID")
}

wait_listen() { # port [namespace [log name]]
	if ! mx_wait_listen "${2:-$TB_SERVER}" "$1" 15 "$SRV_PID"; then
		local st=""
		if ! kill -0 "$SRV_PID" 2>/dev/null; then
			wait "$SRV_PID"
			st=$?
			if ((st > 128)); then st=" (server died of SIG$(kill -l $((st - 128))))"; else st=" (server exited with status $st)"; fi
		fi
		note "server did not listen on :$1$st: $(head -c 300 "$R/${3:-server}.err" | tr '\n' ' ')"
		return 1
	fi
}

# check_sha FILE WANT_SUM SENT_FILE
check_sha() {
	local got
	ROW_BYTES=$(stat -c %s "$1" 2>/dev/null || echo 0)
	got=$({ sha256sum <"$1"; } 2>/dev/null | cut -d' ' -f1)
	if [[ $got == "$2" ]]; then
		ROW_INT=ok
	else
		ROW_INT=BAD
		local first ndiff
		first=$(cmp "$1" "$3" 2>&1 | head -1)
		ndiff=$(cmp -l "$1" "$3" 2>/dev/null | wc -l)
		note "received $ROW_BYTES bytes, sha256 differs ($first; $ndiff bytes differ); data in $R"
		BAD_DATA=1
		# signatures of the kernel issue in tests/matrix/repro-{redis-corruption,misorder}.sh:
		# the kernel counted duplicate data, or every differing byte is sent data from
		# another offset (misordered, nothing lost or made up)
		ROW_DUP=$(for ns in "$TB_CLIENT" "$TB_SERVER"; do ip netns exec "$ns" nstat -asz MPTcpExtDuplicateData; done |
			awk '$1 == "MPTcpExtDuplicateData" { n += $2 } END { print n + 0 }')
		# The one classifier (tests/lib/misorder.py): only the kernel's shape is retried.
		ROW_MISORDER=$(python3 "$ROOT/tests/lib/misorder.py" "$1" "$3" 2>&1 | tail -1)
		note "$ROW_MISORDER (MPTcpExtDuplicateData=$ROW_DUP)"
		[[ $ROW_MISORDER == "kernel misorder:"* ]] || ROW_MISORDER=""
	fi
}

# eval_leg CLIENT_SAMPLES SERVER_SAMPLES PORT: one connection (leg) as both
# ends saw it: LEG_MPTCP (yes / "no (c:.. s:..)"), LEG_SUB ("c/s"), LEG_CM
# (client samples with MPTCP), LEG_NOTES.
eval_leg() {
	local c s
	c=$(mx_analyze "$1" "$3")
	s=$(mx_analyze "$2" "$3")
	echo "port $3 client: $c" >>"$R/analysis"
	echo "port $3 server: $s" >>"$R/analysis"
	local C_SAMPLES=0 C_MPTCP=0 C_FB=0 C_PLAIN=0 C_SUB=0 S_SAMPLES=0 S_MPTCP=0 S_FB=0 S_PLAIN=0 S_SUB=0
	c=${c//MX_FALLBACK/MX_FB} s=${s//MX_FALLBACK/MX_FB}
	c=${c//MX_SUBFLOWS/MX_SUB} s=${s//MX_SUBFLOWS/MX_SUB}
	eval "${c//MX_/C_}"
	eval "${s//MX_/S_}"
	local side_c=no side_s=no
	((C_MPTCP > 0 && C_FB == 0 && C_PLAIN == 0)) && side_c=yes
	((S_MPTCP > 0 && S_FB == 0 && S_PLAIN == 0)) && side_s=yes
	LEG_SUB="${C_SUB:-0}/${S_SUB:-0}" LEG_CM=${C_MPTCP:-0} LEG_NOTES=""
	if [[ $side_c == yes && $side_s == yes ]]; then
		LEG_MPTCP=yes
	else
		LEG_MPTCP="no (c:$side_c s:$side_s)"
		((C_FB + S_FB > 0)) && LEG_NOTES+="; fallback seen (c:$C_FB s:$S_FB samples)"
		((C_PLAIN + S_PLAIN > 0)) && LEG_NOTES+="; plain TCP seen (c:$C_PLAIN s:$S_PLAIN samples)"
		((C_MPTCP + S_MPTCP == 0)) && LEG_NOTES+="; no MPTCP socket seen (samples c:${C_SAMPLES:-0} s:${S_SAMPLES:-0})"
	fi
	LEG_NOTES=${LEG_NOTES#; }
}

# evaluate [LABEL|CLIENT_SAMPLES|SERVER_SAMPLES|PORT|EXPECT_SUB ...]: fill
# ROW_MPTCP/ROW_SUB/ROW_SUB_OK/ROW_FO and the wire columns. Without
# arguments: the row's one connection ($R/ss-client, $R/ss-server,
# SAMPLE_PORT, ROW_EXPECT_SUB subflows). With legs: every leg must be MPTCP on
# both ends with its expected subflows.
evaluate() {
	: >"$R/analysis"
	if (($# == 0)); then
		eval_leg "$R/ss-client" "$R/ss-server" "$SAMPLE_PORT"
		ROW_SUB=$LEG_SUB
		[[ $ROW_SUB == "$ROW_EXPECT_SUB/$ROW_EXPECT_SUB" ]] && ROW_SUB_OK=1
		# "N+": at least N on each end (a join that may lose a race).
		if [[ $ROW_EXPECT_SUB == *+ && $ROW_SUB =~ ^([0-9]+)/([0-9]+)$ ]] &&
			((BASH_REMATCH[1] >= ${ROW_EXPECT_SUB%+} && BASH_REMATCH[2] >= ${ROW_EXPECT_SUB%+})); then
			ROW_SUB_OK=1
		fi
		if ((ROW_LIMIT)); then
			ROW_MPTCP="no (expected)"
			((LEG_CM == 0)) || { ROW_MPTCP="client MPTCP?"; note "client got MPTCP although the launcher cannot upgrade it"; }
		else
			ROW_MPTCP=$LEG_MPTCP
			[[ -z $LEG_NOTES ]] || note "$LEG_NOTES"
		fi
		((ROW_SUB_OK)) || [[ $ROW_LIMIT == 1 || $ROW_SUB == 0/0 ]] || note "expected $ROW_EXPECT_SUB subflows on each end"
	else
		local leg lbl fc fs port want all=1 suball=1 m="" sub=""
		for leg in "$@"; do
			IFS='|' read -r lbl fc fs port want <<<"$leg"
			eval_leg "$fc" "$fs" "$port"
			m+="${m:+, }$lbl: $LEG_MPTCP"
			sub+="${sub:+, }$lbl $LEG_SUB"
			[[ $LEG_MPTCP == yes ]] || all=0
			[[ -z $LEG_NOTES ]] || note "$lbl: $LEG_NOTES"
			# "N+": at least N on each end (a join that may or may not win a race).
			local sc=${LEG_SUB%%/*} ss=${LEG_SUB##*/}
			if [[ $want == *+ ]] && [[ $sc =~ ^[0-9]+$ && $ss =~ ^[0-9]+$ ]] && ((sc >= ${want%+} && ss >= ${want%+})); then
				:
			elif [[ $LEG_SUB != "$want/$want" ]]; then
				suball=0
				note "$lbl: expected $want subflows on each end"
			fi
		done
		if ((all)); then ROW_MPTCP=yes; else ROW_MPTCP=$m; fi
		ROW_SUB=$sub ROW_SUB_OK=$suball
	fi
	wire_eval
	if ((ROW_FAILOVER)); then
		if [[ -f $R/cut ]]; then
			if [[ $ROW_INT == ok ]]; then ROW_FO=ok; else ROW_FO=FAIL; fi
		else
			ROW_FO="not cut"
			note "the transfer ended before path 1 could be cut"
		fi
	fi
}

row_teardown() {
	mx_kill "${PIDS[@]}"
	PIDS=()
	if [[ -n $TB_STATE && -f $TB_STATE ]]; then "$TB" down "$TB_STATE" 2>/dev/null; fi
	TB_STATE=""
}

row_end() {
	local secs
	secs=$(awk -v a="$ROW_T_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	row_teardown
	[[ -z $RETRY_NOTES ]] || ROW_NOTES="$RETRY_NOTES${ROW_NOTES:+; $ROW_NOTES}"
	if [[ -z $ROW_RES ]]; then
		if ((ROW_LIMIT)); then
			if [[ $ROW_INT == ok && $ROW_MPTCP == "no (expected)" && ($ROW_WARNED == 1 || $OURS == 0) ]]; then
				ROW_RES=limitation
				((ROW_WARNED)) || note "launcher printed no warning (not mptcp-run: tolerated)"
			else
				ROW_RES=fail
				((ROW_WARNED || !OURS)) || note "no 'static'/'setuid' warning from the launcher on stderr"
			fi
		elif [[ $ROW_MPTCP == yes && $ROW_SUB_OK == 1 && $ROW_INT != BAD && $ROW_INT != "-" &&
			($ROW_FO == "-" || $ROW_FO == ok) && $ROW_W_RES != FAIL && ($ROW_WIRE == 0 || $ROW_W_RES == ok) ]]; then
			ROW_RES=pass
		else
			ROW_RES=fail
		fi
	fi
	((ROW_WIRE)) && wire_files
	[[ $ROW_RES != fail || -z $ROW_KNOWN ]] || ROW_NOTES="known: $ROW_KNOWN${ROW_NOTES:+; $ROW_NOTES}"
	local what="matrix $ROW_ID: $ROW_TOOL, $ROW_ROLE: subflows $ROW_SUB, ${secs}s"
	case $ROW_RES in
	pass) ok "$what" ;;
	limitation) ok "$what, known limitation${ROW_NOTES:+ ($ROW_NOTES)}" ;;
	skip) skipped "matrix $ROW_ID" "${ROW_NOTES:-no reason given}" ;;
	*) not_ok "$what" "MPTCP both ends: $ROW_MPTCP; bytes: $ROW_BYTES; integrity: $ROW_INT; failover: $ROW_FO${ROW_NOTES:+
$ROW_NOTES}" ;;
	esac
	RESULTS+=("$ROW_TOOL|$ROW_ROLE|$ROW_MPTCP|$ROW_SUB|$ROW_BYTES|$ROW_INT|$ROW_FO|$ROW_W_CAP|$ROW_W_JOIN|$ROW_W_DSS|$ROW_W_FIN|$secs|$ROW_RES|$ROW_NOTES")
}

need() { # cmd...: skip the row (with the reason) if a program is missing
	local c
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			ROW_RES=skip
			note "$c not installed (apt-get install it)"
			return 1
		fi
	done
}

# receiver waits: client finished; server-side file must reach SIZE
finish_upload() { # file size
	if ! mx_wait_size "$1" "$2" 30; then note "receiver got $(stat -c %s "$1" 2>/dev/null || echo 0) of $2 bytes"; fi
}

# ----------------------------------------------------------- row bodies --
r_ncat_up() {
	row_begin ncat-up ncat "upload c->s, cut path 1" || return
	need ncat || return
	srv ncat -l -k --recv-only "$A" 5001
	wait_listen 5001 || return
	sample_start 5001
	cut_at "$R/server.out" $((BIGSIZE / 3))
	cli ncat --send-only "$A" 5001 <"$D/big" || note "client exit $?"
	finish_upload "$R/server.out" "$BIGSIZE"
	sample_stop
	check_sha "$R/server.out" "$BIGSUM" "$D/big"
	evaluate
}

r_ncat_down() {
	row_begin ncat-down ncat "download s->c (--sh-exec cat)" || return
	need ncat || return
	srv ncat -l -k --sh-exec "cat $D/payload" "$A" 5002
	wait_listen 5002 || return
	sample_start 5002
	cli ncat --recv-only "$A" 5002 <"$D/hold" >"$R/got" || note "client exit $?"
	sample_stop
	check_sha "$R/got" "$SUM" "$D/payload"
	evaluate
}

r_ncat_ipv6() {
	row_begin ncat-ipv6 ncat "upload over IPv6" || return
	need ncat || return
	local a6=$TB_SERVER_ADDR6
	srv ncat -6 -l -k --recv-only "$a6" 5003
	wait_listen 5003 || return
	sample_start 5003
	cli ncat -6 --send-only "$a6" 5003 <"$D/payload" || note "client exit $?"
	finish_upload "$R/server.out" "$SIZE"
	sample_stop
	check_sha "$R/server.out" "$SUM" "$D/payload"
	evaluate
}

r_nc_openbsd() {
	row_begin nc-openbsd netcat-openbsd "upload c->s (nc -N / nc -lk)" || return
	need nc.openbsd || return
	srv nc.openbsd -l -k "$A" 5004
	wait_listen 5004 || return
	sample_start 5004
	cli nc.openbsd -N "$A" 5004 <"$D/payload" || note "client exit $?"
	finish_upload "$R/server.out" "$SIZE"
	sample_stop
	check_sha "$R/server.out" "$SUM" "$D/payload"
	evaluate
}

r_socat() {
	row_begin socat socat "upload c->s (TCP-LISTEN,fork)" || return
	need socat || return
	srv socat -u "TCP-LISTEN:5005,bind=$A,reuseaddr,fork" "OPEN:$R/got,creat,trunc"
	wait_listen 5005 || return
	sample_start 5005
	cli socat -u "OPEN:$D/payload" "TCP:$A:5005" || note "client exit $?"
	finish_upload "$R/got" "$SIZE"
	sample_stop
	check_sha "$R/got" "$SUM" "$D/payload"
	evaluate
}

http_get() { # tool url out
	case $1 in
	curl) cli curl -sS -o "$3" "$2" || note "curl exit $?" ;;
	wget) cli wget -q -O "$3" "$2" || note "wget exit $?" ;;
	esac
}

r_pyhttp() { # curl|wget
	local tool=$1
	row_begin "$tool-pyhttp" "$tool" "GET from python3 -m http.server" || return
	need "$tool" python3 || return
	srv python3 -m http.server --bind "$A" --directory "$D/www" 8001
	wait_listen 8001 || return
	sample_start 8001
	http_get "$tool" "http://$A:8001/payload" "$R/got"
	sample_stop
	check_sha "$R/got" "$SUM" "$D/payload"
	evaluate
}

nginx_conf() {
	cat >"$R/nginx.conf" <<EOF
daemon off; master_process on; worker_processes 1; user root;
pid $R/nginx.pid; error_log $R/nginx.err;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $R/t1; proxy_temp_path $R/t2; fastcgi_temp_path $R/t3;
	uwsgi_temp_path $R/t4; scgi_temp_path $R/t5;
	server { listen $A:8002; root $D/www; }
}
EOF
}

r_nginx() { # curl|wget [cut]
	local tool=$1 cut=${2:-} role="GET from nginx" file=payload sum=$SUM
	[[ -n $cut ]] && role="GET from nginx, cut path 1" file=big sum=$BIGSUM
	row_begin "$tool-nginx" "$tool" "$role" || return
	need "$tool" nginx || return
	nginx_conf
	srv nginx -c "$R/nginx.conf" -p "$R" -e "$R/nginx.err"
	wait_listen 8002 || return
	sample_start 8002
	[[ -n $cut ]] && cut_at "$R/got" $((BIGSIZE / 3))
	http_get "$tool" "http://$A:8002/$file" "$R/got"
	sample_stop
	check_sha "$R/got" "$sum" "$D/$file"
	evaluate
}

r_lighttpd() {
	row_begin curl-lighttpd curl "GET from lighttpd" || return
	need curl lighttpd || return
	cat >"$R/lighttpd.conf" <<EOF
server.document-root = "$D/www"
server.bind = "$A"
server.port = 8003
server.errorlog = "$R/lighttpd.err"
mimetype.assign = ( "" => "application/octet-stream" )
EOF
	srv lighttpd -D -f "$R/lighttpd.conf"
	wait_listen 8003 || return
	sample_start 8003
	http_get curl "http://$A:8003/payload" "$R/got"
	sample_stop
	check_sha "$R/got" "$SUM" "$D/payload"
	evaluate
}

# haproxy in the router namespace: a frontend on the router's client-side
# address 198.18.1.254, a backend on the server's 198.19.1.2. Both legs must
# be MPTCP on both ends with a join on path 2: the client has its usual
# endpoint; the router gets one on its server-side path-2 address (and a rule
# that sends that address's packets out through path 2).
r_haproxy() {
	row_begin haproxy haproxy "GET via haproxy (router) from python3 http.server" --router || return
	need haproxy curl python3 || return
	local rt=$TB_ROUTER fe=198.18.1.254 be=$TB_SERVER_ADDR
	if ! { ip -n "$rt" mptcp limits set subflows 1 add_addr_accepted 1 &&
		ip -n "$rt" mptcp endpoint add 198.19.2.254 dev rs2 subflow &&
		ip -n "$rt" rule add from 198.19.2.254 lookup 102 pref 900; }; then
		ROW_RES=fail
		note "router MPTCP set-up failed"
		return
	fi
	cat >"$R/haproxy.cfg" <<HAPROXY
global
	log stderr format short local0 info
defaults
	mode http
	log global
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend fe
	bind $fe:8080
	default_backend be
backend be
	server b1 $be:8081
HAPROXY
	srv_at server backend python3 -m http.server --bind "$be" --directory "$D/www" 8081
	wait_listen 8081 "$TB_SERVER" backend || return
	# -d: the library's decisions (why a socket stayed TCP) in haproxy.err
	local dbg=()
	((OURS)) && dbg=(-d)
	srv_at router haproxy "${dbg[@]}" haproxy -db -f "$R/haproxy.cfg"
	wait_listen 8080 "$rt" haproxy || return
	local smp=()
	mx_sampler_start "$TB_CLIENT" 8080 "$R/ss-client"
	smp+=("$MX_SAMPLER_PID")
	mx_sampler_start "$rt" 8080 "$R/ss-router-fe"
	smp+=("$MX_SAMPLER_PID")
	mx_sampler_start "$rt" 8081 "$R/ss-router-be"
	smp+=("$MX_SAMPLER_PID")
	mx_sampler_start "$TB_SERVER" 8081 "$R/ss-server"
	smp+=("$MX_SAMPLER_PID")
	PIDS+=("${smp[@]}")
	wire_start 8080 "$TB_CLIENT" c fe full
	wire_start 8081 "$rt" rs be full
	http_get curl "http://$fe:8080/payload" "$R/got"
	sleep 0.15
	mx_kill "${smp[@]}"
	wire_stop
	check_sha "$R/got" "$SUM" "$D/payload"
	if grep -q 'recorded socket option was refused' "$R/haproxy.err"; then
		ROW_KNOWN="option replay: haproxy's listener stayed TCP ($(grep -m1 'kept TCP' "$R/haproxy.err" | sed 's/^mptcp-run\[[0-9]*\]: //'))"
	fi
	evaluate "client-haproxy|$R/ss-client|$R/ss-router-fe|8080|2" "haproxy-backend|$R/ss-router-be|$R/ss-server|8081|2"
}

vsftpd_conf() {
	mkdir -p "$R/ftp" "$R/empty"
	ln "$D/payload" "$R/ftp/payload"
	cat >"$R/vsftpd.conf" <<VSFTPD
listen=YES
listen_ipv6=NO
listen_address=$A
listen_port=2121
background=NO
anonymous_enable=YES
local_enable=NO
write_enable=NO
anon_root=$R/ftp
no_anon_password=YES
# vsftpd changes into this user's home before using anon_root: nobody's is /nonexistent.
ftp_username=daemon
secure_chroot_dir=$R/empty
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=30000
port_enable=YES
connect_from_port_20=YES
ftp_data_port=2020
xferlog_enable=NO
vsftpd_log_file=$R/vsftpd.log
syslog_enable=NO
VSFTPD
}

# vsftpd (its Debian defaults, seccomp sandbox included) and curl, one RETR.
# Control connection: MPTCP both ends, a join (vsftpd keeps its listener).
# Data connection: MPTCP both ends, at least 1 subflow: in passive mode vsftpd
# closes the data listener after accept(), so a join gets in only when it is
# faster than that; in active mode the server opens it and has no path-manager
# endpoint.
r_vsftpd() { # passive|active
	local mode=$1 dport=30000 opt=(--ftp-pasv)
	[[ $mode == active ]] && dport=2020 opt=(-P -)
	row_begin "vsftpd-$mode" "curl + vsftpd" "FTP RETR, $mode mode (data: 1+ subflows)" || return
	need vsftpd curl || return
	vsftpd_conf
	srv vsftpd "$R/vsftpd.conf"
	wait_listen 2121 || return
	local smp=()
	mx_sampler_start "$TB_CLIENT" 2121 "$R/ss-client"
	smp+=("$MX_SAMPLER_PID")
	mx_sampler_start "$TB_SERVER" 2121 "$R/ss-server"
	smp+=("$MX_SAMPLER_PID")
	mx_sampler_start "$TB_CLIENT" "$dport" "$R/ss-client-data"
	smp+=("$MX_SAMPLER_PID")
	mx_sampler_start "$TB_SERVER" "$dport" "$R/ss-server-data"
	smp+=("$MX_SAMPLER_PID")
	PIDS+=("${smp[@]}")
	wire_start 2121 "$TB_CLIENT" c ctl join
	wire_start "$dport" "$TB_CLIENT" c data single
	# -v: the FTP dialogue (server replies) in client.err
	cli curl -sSv "${opt[@]}" -o "$R/got" "ftp://$A:2121/payload" || note "curl exit $?"
	sleep 0.15
	mx_kill "${smp[@]}"
	wire_stop
	check_sha "$R/got" "$SUM" "$D/payload"
	if grep -q 'oobinline' "$R/client.err"; then
		ROW_KNOWN="SO_OOBINLINE: vsftpd answered '$(grep -m1 -o '500 OOPS.*oobinline' "$R/client.err")'"
	fi
	evaluate "control|$R/ss-client|$R/ss-server|2121|2" "data|$R/ss-client-data|$R/ss-server-data|$dport|1+"
}

r_iperf3() {
	row_begin iperf3 iperf3 "-c -n 16M (no payload check)" || return
	need iperf3 || return
	srv iperf3 -s -1 -B "$A" -p 5201
	wait_listen 5201 || return
	sample_start 5201
	cli iperf3 -c "$A" -p 5201 -n 16M -J >"$R/iperf3.json" || note "iperf3 client exit $?"
	sample_stop
	ROW_BYTES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_sent"]["bytes"])' "$R/iperf3.json" 2>/dev/null || echo 0)
	if ((ROW_BYTES >= SIZE)); then ROW_INT="n/a"; else ROW_INT=BAD; note "iperf3 sent $ROW_BYTES bytes"; fi
	evaluate
}

redis_srv() {
	srv redis-server --bind "$A" --port 6390 --save "" --appendonly no --protected-mode no --dir "$R" --logfile "$R/redis.log"
	wait_listen 6390
}

r_redis_cli() {
	row_begin redis-cli redis-cli "SET then GET a 16 MiB value" || return
	need redis-server redis-cli || return
	redis_srv || return
	sample_start 6390
	cli redis-cli -h "$A" -p 6390 -x SET k <"$D/payload" >"$R/set.out" || note "SET exit $?"
	cli redis-cli -h "$A" -p 6390 --raw GET k >"$R/get.out" || note "GET exit $?"
	sample_stop
	head -c -1 "$R/get.out" >"$R/got" # --raw adds a newline
	check_sha "$R/got" "$SUM" "$D/payload"
	evaluate
}

r_redis_bench() {
	row_begin redis-benchmark redis-benchmark "-c 2 -n 10000 SET/GET 1 KiB" || return
	need redis-server redis-benchmark || return
	redis_srv || return
	sample_start 6390
	cli redis-benchmark -h "$A" -p 6390 -c 2 -n 10000 -d 1024 -t set,get -q >"$R/bench.out" || note "redis-benchmark exit $?"
	sample_stop
	if grep -q 'GET: .*requests per second' "$R/bench.out"; then
		ROW_INT="n/a" ROW_BYTES=$((10000 * 1024))
	else
		ROW_INT=BAD
		note "redis-benchmark output: $(tr '\r\n' '  ' <"$R/bench.out" | tail -c 200)"
	fi
	evaluate
}

SSHO=()
ssh_setup() {
	[[ -d /run/sshd ]] || { mkdir -p /run/sshd && MADE_RUN_SSHD=1; }
	ssh-keygen -q -t ed25519 -N '' -f "$R/hostkey" && ssh-keygen -q -t ed25519 -N '' -f "$R/id" || return 1
	cp "$R/id.pub" "$R/authorized_keys"
	cat >"$R/sshd_config" <<EOF
Port 2222
ListenAddress $A
HostKey $R/hostkey
AuthorizedKeysFile $R/authorized_keys
PidFile none
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
EOF
	SSHO=(-F none -i "$R/id" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR)
	srv "$(command -v sshd)" -D -e -f "$R/sshd_config"
	wait_listen 2222
}

r_ssh() {
	row_begin ssh ssh "ssh 'cat > file' upload to sshd" || return
	need ssh sshd ssh-keygen || return
	ssh_setup || return
	sample_start 2222
	cli ssh "${SSHO[@]}" -p 2222 "root@$A" "cat > $R/got" <"$D/payload" || note "ssh exit $?"
	sample_stop
	check_sha "$R/got" "$SUM" "$D/payload"
	evaluate
}

r_scp() {
	row_begin scp scp "scp download from sshd (sftp)" || return
	need scp sshd ssh-keygen || return
	ssh_setup || return
	sample_start 2222
	cli scp "${SSHO[@]}" -P 2222 "root@$A:$D/payload" "$R/got" </dev/null || note "scp exit $?"
	sample_stop
	check_sha "$R/got" "$SUM" "$D/payload"
	evaluate
}

r_rsync() {
	row_begin rsync rsync "upload to rsync daemon" || return
	need rsync || return
	mkdir -p "$R/mod"
	cat >"$R/rsyncd.conf" <<EOF
pid file =
use chroot = no
[m]
path = $R/mod
read only = no
uid = root
gid = root
EOF
	srv rsync --daemon --no-detach "--config=$R/rsyncd.conf" "--address=$A" --port=8730 "--log-file=$R/rsyncd.log"
	wait_listen 8730 || return
	sample_start 8730
	cli rsync "$D/payload" "rsync://$A:8730/m/got" </dev/null || note "rsync exit $?"
	sample_stop
	check_sha "$R/mod/got" "$SUM" "$D/payload"
	evaluate
}

warned() { # kind-regex: did the launcher warn on stderr?
	grep -qiE "$1" "$R/server.err" "$R/client.err" 2>/dev/null
}

# Debian's rclone is a Go 1.19 program: no libc socket(), so the launcher runs it under
# its supervisor, server and client alike (a preload-only launcher leaves it TCP).
r_rclone() {
	row_begin rclone rclone "Go 1.19 (supervisor): copyurl from rclone serve http" || return
	need rclone || return
	ROW_LIMIT=$((OURS ? 0 : 1))
	srv rclone serve http "$D/www" --addr "$A:8005" --config /dev/null
	wait_listen 8005 || return
	sample_start 8005
	cli rclone copyurl "http://$A:8005/payload" "$R/got" --config /dev/null || note "client exit $?"
	sample_stop
	check_sha "$R/got" "$SUM" "$D/payload"
	evaluate
}

r_busybox() {
	row_begin busybox-nc "busybox nc" "static binary, both ends (supervisor)" || return
	need busybox || return
	# mptcp-run runs static binaries under its supervisor; a preload-only launcher cannot.
	ROW_LIMIT=$((OURS ? 0 : 1)) ROW_WARNED=0
	# busybox nc closes its listening socket after accept(): a client MP_JOIN that
	# arrives later gets a RST, so 1 or 2 subflows, depending on that race.
	# busybox nc cannot bind to an address: it listens on all of the
	# server namespace's addresses (only the testbed's).
	srv busybox nc -l -p 5006
	wait_listen 5006 || return
	sample_start 5006
	cli busybox nc "$A" 5006 <"$D/payload" || note "client exit $?"
	finish_upload "$R/server.out" "$SIZE"
	sample_stop
	check_sha "$R/server.out" "$SUM" "$D/payload"
	warned 'static' && ROW_WARNED=1
	((OURS)) && ROW_EXPECT_SUB=1+
	evaluate
	if ((OURS)) && [[ $ROW_SUB == 1/1 ]]; then
		note "1 subflow: busybox nc closed its listener before the join"
	fi
}

r_setuid() {
	row_begin setuid-ncat "ncat (set-user-ID copy)" "setuid client run by nobody" || return
	need ncat setpriv || return
	ROW_LIMIT=1 ROW_WARNED=0
	cp "$(command -v ncat)" "$D/ncat-suid"
	chown root:root "$D/ncat-suid"
	chmod 4755 "$D/ncat-suid"
	srv ncat -l -k --recv-only "$A" 5007
	wait_listen 5007 || return
	sample_start 5007
	"$TB" exec "$TB_STATE" client timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		"${LAUNCH[@]}" "$D/ncat-suid" --send-only "$A" 5007 <"$D/payload" 2>>"$R/client.err" || note "client exit $?"
	finish_upload "$R/server.out" "$SIZE"
	sample_stop
	check_sha "$R/server.out" "$SUM" "$D/payload"
	warned 'setuid|set-user-id' && ROW_WARNED=1
	evaluate
}

# A row whose payload arrives corrupted in the shape of the kernel's fault (README, "The
# kernel's multi-path data fault": every differing region is sent data from a nearby offset,
# tests/lib/misorder.py) is named on a "# kernel misorder:" line, counted, and retried at
# most twice; the table says so. Any other corruption, or one that repeats three times,
# fails the row.
run_row() {
	local attempt why
	ROW_T_START=$EPOCHREALTIME RETRY_NOTES=""
	for attempt in 1 2 3; do
		ATTEMPT_SUFFIX=""
		((attempt == 1)) || ATTEMPT_SUFFIX=".try$attempt"
		run_row_once "$1"
		why=""
		if [[ $ROW_INT == BAD && -n $ROW_MISORDER ]]; then
			echo "# $ROW_MISORDER (row $1, attempt $attempt)"
			((attempt < 3)) && why=$ROW_MISORDER
		fi
		[[ -n $why ]] || break
		RETRY_NOTES="${RETRY_NOTES:+$RETRY_NOTES; }attempt $attempt: $why, retried"
		row_teardown
	done
	row_end
}

run_row_once() {
	case $1 in
	ncat-up) r_ncat_up ;;
	ncat-down) r_ncat_down ;;
	ncat-ipv6) r_ncat_ipv6 ;;
	nc-openbsd) r_nc_openbsd ;;
	socat) r_socat ;;
	curl-pyhttp) r_pyhttp curl ;;
	wget-pyhttp) r_pyhttp wget ;;
	curl-nginx) r_nginx curl cut ;;
	wget-nginx) r_nginx wget ;;
	curl-lighttpd) r_lighttpd ;;
	haproxy) r_haproxy ;;
	vsftpd-passive) r_vsftpd passive ;;
	vsftpd-active) r_vsftpd active ;;
	iperf3) r_iperf3 ;;
	redis-cli) r_redis_cli ;;
	redis-benchmark) r_redis_bench ;;
	ssh) r_ssh ;;
	scp) r_scp ;;
	rsync) r_rsync ;;
	rclone) r_rclone ;;
	busybox-nc) r_busybox ;;
	setuid-ncat) r_setuid ;;
	esac
}

START=$EPOCHREALTIME
echo "# matrix: launcher '${LAUNCH[*]}', 2 paths x 100 Mbit/s, payload 16 MiB (48 MiB with a cut)" >&2
for row in "${ROWS[@]}"; do
	[[ -z $ONLY || $row =~ $ONLY ]] || continue
	run_row "$row"
done
TOTAL=$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

# ----------------------------------------------------------------- table --
mkdir -p "$ROOT/build"
{
	echo "# mptcp-run tool matrix"
	echo
	echo "Launcher: \`${LAUNCH[*]}\`; kernel $(uname -r); 2 paths x 100 Mbit/s (tbf); $(date -u '+%Y-%m-%d %H:%M UTC'); ${TOTAL}s."
	echo "MPTCP both ends = \`ss -tniM\` in both namespaces showed MPTCP sockets, no \`fallback\`, no plain TCP;"
	echo "subflows = most subflows of one connection seen at once (client/server)."
	echo "Wire columns (captured rows; tcpdump on both paths in the client namespace, decoded by tshark):"
	echo "MP_CAPABLE on SYN/SYN-ACK/third ACK (path 1); MP_JOIN SYN/SYN-ACK/ACK on path 2; data segments"
	echo "with a DSS mapping on path 1/path 2; DATA_FIN seen and its direction. \`-\` = not captured."
	echo
	echo "| tool | role | MPTCP both ends | subflows | bytes | integrity (sha256) | failover | MP_CAPABLE | MP_JOIN p2 | DSS p1/p2 | DATA_FIN | seconds | result | notes |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for r in "${RESULTS[@]}"; do
		IFS='|' read -r t ro m s b i f wc wj wd wf sec res n <<<"$r"
		echo "| $t | $ro | $m | $s | $b | $i | $f | $wc | $wj | $wd | $wf | $sec | $res | ${n//|//} |"
	done
	echo
	echo "$pass passed, $fail failed, $skip skipped"
} >"$ROOT/build/matrix.md"
sed 's/^/# /' "$ROOT/build/matrix.md"
tap_done
