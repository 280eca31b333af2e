# shellcheck shell=bash
# Helpers shared by tests/matrix/run.sh, tests/testbed/run.sh and scripts/demo:
# sample `ss -tniM` inside a namespace while a transfer runs, then summarise
# what the kernel saw for one server port.
#
# Sample file format: "@@ <time>" then the `ss -tniMH` records (a record is a
# socket line followed by its tab-indented info line).

# mx_sampler_start NS PORT FILE: start sampling in the background; the pid is
# left in MX_SAMPLER_PID (end it with mx_sampler_stop).
mx_sampler_start() {
	local ns=$1 port=$2 file=$3
	# shellcheck disable=SC2016  # expanded by the inner shell
	ip netns exec "$ns" bash -c '
		trap "exit 0" TERM
		while :; do
			echo "@@ $EPOCHREALTIME"
			ss -tniMH "( sport = :$1 or dport = :$1 )" 2>/dev/null
			sleep 0.1
		done' mx-sampler "$port" >"$file" 2>/dev/null &
	# shellcheck disable=SC2034  # read by the caller
	MX_SAMPLER_PID=$!
}

mx_sampler_stop() {
	mx_kill "$1"
}

# mx_analyze FILE PORT: prints one line of shell assignments about connections
# to/from PORT (listeners ignored):
#   MX_SAMPLES   samples taken
#   MX_MPTCP     samples with an established MPTCP socket (not fallen back)
#   MX_FALLBACK  samples with an MPTCP socket marked fallback
#   MX_PLAIN     samples with a TCP connection that is not an MPTCP subflow
#   MX_SUBFLOWS  most subflows seen at once for one MPTCP connection
mx_analyze() {
	awk -v port="$2" '
	function flush_sample(   t, n) {
		if (!insample) return
		if (has_mptcp) mptcp++
		if (has_fb) fb++
		if (has_plain) plain++
		for (t in sf) { n = sf[t]; if (n > maxsf) maxsf = n }
		delete sf; has_mptcp = has_fb = has_plain = 0
	}
	function record(   tok, a) {
		if (kind == "") return
		if (state != "LISTEN" && state != "TIME-WAIT") {
			if (kind == "mptcp") {
				if (info ~ /fallback/) has_fb = 1; else has_mptcp = 1
			} else if (info ~ /tcp-ulp-mptcp/) {
				tok = "?"
				if (match(info, /token:[0-9a-f]+\(id:[0-9]+\)\/[0-9a-f]+/)) {
					a = substr(info, RSTART, RLENGTH); sub(/.*\//, "", a); tok = a
				}
				sf[tok]++
			} else if (state == "ESTAB") has_plain = 1   # not SYN-RECV/TIME-WAIT
		}
		kind = ""; info = ""
	}
	/^@@/ { record(); flush_sample(); insample = 1; samples++; next }
	/^(tcp|mptcp)[ \t]/ { record(); kind = $1; state = $2; next }
	/^[ \t]/ { info = info " " $0; next }
	END {
		record(); flush_sample()
		printf "MX_SAMPLES=%d MX_MPTCP=%d MX_FALLBACK=%d MX_PLAIN=%d MX_SUBFLOWS=%d\n",
			samples, mptcp, fb, plain, maxsf
	}' "$1"
}

# mx_subflow_bytes FILE: one line per subflow seen (largest counters over all
# samples): "local remote bytes_sent bytes_acked bytes_received".
mx_subflow_bytes() {
	awk '
	function val(name,   a) {
		if (match(info, "[ \t]" name ":[0-9]+")) {
			a = substr(info, RSTART + 1, RLENGTH - 1); sub(/.*:/, "", a); return a + 0
		}
		return 0
	}
	function record(   k) {
		if (kind == "tcp" && info ~ /tcp-ulp-mptcp/) {
			k = loc " " rem
			if (!(k in seen)) { seen[k] = 1; order[++n] = k }
			if (val("bytes_sent") > sent[k]) sent[k] = val("bytes_sent")
			if (val("bytes_acked") > acked[k]) acked[k] = val("bytes_acked")
			if (val("bytes_received") > rcvd[k]) rcvd[k] = val("bytes_received")
		}
		kind = ""; info = ""
	}
	/^@@/ { record(); next }
	/^(tcp|mptcp)[ \t]/ { record(); kind = $1; loc = $5; rem = $6; next }
	/^[ \t]/ { info = info " " $0; next }
	END {
		record()
		for (i = 1; i <= n; i++) { k = order[i]; print k, sent[k] + 0, acked[k] + 0, rcvd[k] + 0 }
	}' "$1"
}

# mx_wait_listen NS PORT [TIMEOUT_S [PID]]: wait until something listens on
# PORT; gives up early when process PID (the server) has exited.
mx_wait_listen() {
	local ns=$1 port=$2 t=${3:-10} pid=${4:-} i
	for ((i = 0; i < t * 20; i++)); do
		if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		if ip netns exec "$ns" ss -ltnMH "sport = :$port" 2>/dev/null | grep -q LISTEN; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# mx_closed NS PORT: no MPTCP socket to or from PORT in NS is connected any more
# (both DATA_FINs have passed, or the connection was reset).
mx_closed() {
	! ip netns exec "$1" ss -MHn state connected "( sport = :$2 or dport = :$2 )" 2>/dev/null | grep -q .
}

# mx_wait_size FILE BYTES TIMEOUT_S: wait until FILE has at least BYTES.
mx_wait_size() {
	local f=$1 want=$2 t=$3 i sz
	for ((i = 0; i < t * 20; i++)); do
		sz=$(stat -c %s "$f" 2>/dev/null || echo 0)
		((sz >= want)) && return 0
		sleep 0.05
	done
	return 1
}

# mx_kill PID...: end processes we started (TERM, then KILL), by pid. Only
# pids that are still background jobs of this shell are signalled: a pid that
# was already waited for may have been reused by someone else's process.
mx_kill() {
	local p i live
	live=" $(jobs -p | tr '\n' ' ') "
	for p in "$@"; do
		[[ -n $p && $live == *" $p "* ]] || continue
		kill "$p" 2>/dev/null || continue
		for ((i = 0; i < 20; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	for p in "$@"; do [[ -n $p && $live == *" $p "* ]] && wait "$p" 2>/dev/null; done
	return 0
}

# ------------------------------------------------------------ wire level --
# Packet captures of a row's connection on each path (tcpdump, snaplen 128:
# headers and TCP options only), decoded with tshark.

MX_CAP_MAX=${MX_CAP_MAX:-200000} # packets per capture file (~30 MB at most)

# mx_capture_start NS DEV FILTER FILE: tcpdump in the background, returns
# once it is listening (or 1 after 5 s); the pid is left in MX_CAPTURE_PID.
# tcpdump's stderr goes to FILE.err. --immediate-mode: libpcap otherwise hands
# packets over a ring block at a time (up to about a second late), and those
# still in the ring when the capture is stopped never reach FILE (a row's
# DATA_FIN was lost that way: 3197 packets captured, 3304 received by filter).
mx_capture_start() {
	local ns=$1 dev=$2 filter=$3 file=$4 i
	ip netns exec "$ns" tcpdump -i "$dev" -s 128 -U --immediate-mode -n -Z root -c "$MX_CAP_MAX" -w "$file" "$filter" 2>"$file.err" &
	# shellcheck disable=SC2034  # read by the caller
	MX_CAPTURE_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$file.err" 2>/dev/null && return 0
		kill -0 "$MX_CAPTURE_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# mx_capture_count FILE: packets tcpdump said it captured (after it ended)
mx_capture_count() {
	awk '/packets captured/ { print $1; f = 1 } END { if (!f) print 0 }' "$1.err" 2>/dev/null
}

# mx_wire_decode FILE: one line per packet carrying an MPTCP option:
# "srcport dstport syn ack fin subtypes M-flags F-flags tcp.len" (tab
# separated; subtypes and flags comma separated when a packet has several
# MPTCP options). Field names are those of tshark 4.0 (Debian 12).
mx_wire_decode() {
	tshark -n -r "$1" -Y mptcp -T fields -E separator=/t -E occurrence=a -E aggregator=, \
		-e tcp.srcport -e tcp.dstport -e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.fin \
		-e tcp.options.mptcp.subtype -e tcp.options.mptcp.dseqnpresent.flag \
		-e tcp.options.mptcp.datafin.flag -e tcp.len 2>/dev/null
}

# mx_wire_analyze PORT P1_DECODED P2_DECODED: what the wire showed for the
# connection(s) to server port PORT, as shell assignments (packet counts):
#   MX_W_CAP_SYN MX_W_CAP_SYNACK MX_W_CAP_ACK  MP_CAPABLE on path 1's SYN
#       (client->server), SYN/ACK (server->client), third ACK (client->server)
#   MX_W_JOIN_SYN MX_W_JOIN_SYNACK MX_W_JOIN_ACK  the same for MP_JOIN on path 2
#   MX_W_DSS1 MX_W_DSS2  data segments with a DSS mapping (M flag) per path
#   MX_W_FIN_CS MX_W_FIN_SC  DSS with DATA_FIN, client->server / server->client
#   MX_W_PKTS1 MX_W_PKTS2  packets with an MPTCP option per path
mx_wire_analyze() {
	awk -F'\t' -v port="$1" '
	function b(v) { return (v == "1" || v == "True") }
	function has(list, want,   a, n, i) {
		n = split(list, a, ","); for (i = 1; i <= n; i++) if (a[i] == want) return 1
		return 0
	}
	FNR == 1 { path++ }
	{
		pk[path]++
		c2s = ($2 == port); s2c = ($1 == port)
		syn = b($3); ack = b($4)
		# Either end may open the connection (FTP active mode: the server does):
		# the third ACK is the one sent in the direction of the SYN.
		fwd = c2s ? "c" : "s"
		if (path == 1 && has($6, "0")) {
			if (syn && !ack) { capsyn++; if (!dir1) dir1 = fwd }
			if (syn && ack) capsynack++
			if (!syn && ack && fwd == dir1) capack++
		}
		if (path == 2 && has($6, "1")) {
			if (syn && !ack) { joinsyn++; if (!dir2) dir2 = fwd }
			if (syn && ack) joinsynack++
			if (!syn && ack && fwd == dir2) joinack++
		}
		if (has($6, "2") && has($7, "1") && $9 + 0 > 0) dss[path]++
		if (has($6, "2") && has($8, "1")) { if (c2s) fincs++; else finsc++ }
	}
	END {
		printf "MX_W_CAP_SYN=%d MX_W_CAP_SYNACK=%d MX_W_CAP_ACK=%d ", capsyn, capsynack, capack
		printf "MX_W_JOIN_SYN=%d MX_W_JOIN_SYNACK=%d MX_W_JOIN_ACK=%d ", joinsyn, joinsynack, joinack
		printf "MX_W_DSS1=%d MX_W_DSS2=%d MX_W_FIN_CS=%d MX_W_FIN_SC=%d MX_W_PKTS1=%d MX_W_PKTS2=%d\n",
			dss[1], dss[2], fincs, finsc, pk[1], pk[2]
	}' "$2" "$3"
}
