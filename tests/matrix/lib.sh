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
