# shellcheck shell=bash
# Sourced by tests/pathd/run.sh (its helpers and testbed): path modes and
# retries on the wire. Handover: an idle second path carries nothing (nft
# counters, bytes and packets), a link cut and a silent blackhole move the
# data to it, the data comes back when the first path does, and the join
# that takes over carries no data before its MP_PRIO (tshark on the capture).
# Interactive: the active flag moves to the faster path when one is made slow
# (tbf with a deep queue under load), and never when both are equal. Retry: a
# firewall that resets one subflow (and then each new one) mid-transfer: the
# subflow comes back with a doubling wait, the path shows as unreachable in
# `mptcp-run paths` meanwhile. Every payload is checked whole (tap_payload:
# the kernel's misorder is named and the case tried again, at most twice).
# Expects no pathd running and pm = kernel.

cat >"$W/modes.conf" <<'CONF'
paths = {
  wired    = { dev = "c1"; };
  wifi     = { dev = "c2"; };
  cellular = { dev = "c3"; };
};
programs = (
  { match = "ho"; paths = [ "wifi", "cellular" ]; path_mode = "handover";
    handover = { stall_ms = 1000; }; },
  { match = "ia"; paths = [ "wifi", "cellular" ]; path_mode = "interactive";
    interactive = { every_ms = 200; better_pct = 20; hold_ms = 1000; }; },
  { match = "rt"; paths = [ "wifi", "wired" ]; }
);
defaults = { paths = [ "wired" ]; };
CONF
for n in ho ia rt; do cp "$(command -v ncat)" "$W/bin/$n"; done

# packets IF PORT: both directions on interface IF for connections to PORT.
packets() {
	inc nft list table inet pdcount | awk -v tag="\"$1-$2\"" '
		index($0, tag) { for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) }
		END { print s + 0 }'
}
# shellcheck disable=SC2317 # called through tap_wait
log_has() { tail -n +"$(($1 + 1))" "$W/pathd.log" | grep -q "$2"; }

# mode_send NAME PORT RATE: NAME (an ncat copy) sends RATE bytes/s from feed.py to sink.py
# (both keep every byte), until mode_wait PORT.
mode_send() {
	local name=$1 port=$2 rate=$3
	rm -f "$W/gsink.$port" "$W/gsink.$port".* "$W/stop.$port" "$W/sent.$port" "$W/sent.$port.data"
	SINK_KEEP=1 ins "$B/mptcp-run" "$PY" "$T/sink.py" "$TB_SERVER_ADDR" "$port" "$W/gsink.$port" &
	MODE_SINK=$!
	tap_wait 5 test -e "$W/gsink.$port.ready"
	FEED_KEEP=1 "$PY" "$T/feed.py" "$W/stop.$port" "$W/sent.$port" 90 "$rate" |
		inc env MPTCP_RUN_CONF="$W/modes.conf" MPTCP_RUN_PATHD_SOCKET="$W/pathd.sock" \
			"$B/mptcp-run" "$W/bin/$name" --send-only "$TB_SERVER_ADDR" "$port" 2>>"$W/client.log" &
	MODE_CLIENT=$!
}
# mode_wait PORT: ends the source and waits; tap_payload's verdict (0 intact, 2 the kernel's
# misorder, named, 1 anything else).
mode_wait() {
	touch "$W/stop.$1"
	wait "$MODE_CLIENT"
	wait "$MODE_SINK"
	tap_payload "$W/sent.$1.data" "$W/gsink.$1.data"
}
mode_clean() { rm -f "$W/sent.$1.data" "$W/gsink.$1.data"; }
# The token of the connection NAME opened last (its registration in the daemon's log).
token_of() {
	grep -o "token [0-9a-f]* registered by pid [0-9]* uid [0-9]* (.*/$1)" "$W/pathd.log" |
		tail -1 | cut -d' ' -f2
}
wifi_up() {
	inc ip link set c2 up
	# A link down drops the routes through it; the per-path table comes back by hand.
	inc ip route replace 198.18.2.0/24 dev c2 table 102 2>/dev/null
	inc ip route replace 198.18.0.0/15 via 198.18.2.2 dev c2 table 102 2>/dev/null
}

# explain: the mode and each value of its tuning, with the key that gives it.
e=$("$B/mptcp-run" explain -c "$W/modes.conf" "$W/bin/ho" 2>&1)
e2=$("$B/mptcp-run" explain -c "$W/modes.conf" "$W/bin/rt" 2>&1)
if grep -qx 'path mode: handover (programs\[0\], line 7): one path carries data, the next only when it fails' <<<"$e" &&
	grep -qx '  handover.stall_ms: 1000 (programs\[0\], line 8)' <<<"$e" &&
	grep -qx '  handover.rtt_ms: not used (built in)' <<<"$e" &&
	grep -qx 'path mode: aggregate (built in): every listed path carries data' <<<"$e2"; then
	ok "explain names a program's path mode and where each of its values comes from"
else
	not_ok "explain: path mode" "$e"$'\n'"$e2"
fi

pathd_start "$W/modes.conf" || not_ok "pathd for the modes" "$(tail -5 "$W/pathd.log")"

# ---- handover: wifi first, cellular second ----
# ho_case PORT link|blackhole: one try. Sets HO_WHY (empty: every step happened), HO_NOTE, and
# returns tap_payload's verdict (2: the kernel's misorder, worth another try).
ho_case() {
	local port=$1 kind=$2 mark c3b c3p t0 t1 t2 c3_at c2_at first_prio first_data syn_b
	HO_WHY="" HO_NOTE=""
	count_port "$port"
	mark=$(wc -l <"$W/pathd.log")
	# The cellular side, captured: the join's SYN, its MP_PRIO and its first data, in order.
	rm -f "$W/c3.$port.pcap"
	ip netns exec "$C" tcpdump -i c3 -U -s 128 -w "$W/c3.$port.pcap" "tcp port $port" 2>/dev/null &
	local cap=$!
	tap_wait 5 test -s "$W/c3.$port.pcap"
	mode_send ho "$port" 2000000
	tap_wait 15 above "$port" 3000000 c2 || HO_WHY="no data on wifi before the cut"
	# Two seconds of wifi alone: the idle handover path has nothing, not even a SYN.
	sleep 2
	c3b=$(bytes c3 "$port") c3p=$(packets c3 "$port")
	if [ -z "$HO_WHY" ] && { [ "$c3b" -ne 0 ] || [ "$c3p" -ne 0 ]; }; then
		HO_WHY="cellular carried $c3b bytes in $c3p packets while wifi worked"
	fi
	t0=$EPOCHREALTIME
	if [ "$kind" = link ]; then inc ip link set c2 down; else "$ROOT/scripts/testbed" cut "$TB_STATE" 2; fi
	[ -n "$HO_WHY" ] || tap_wait 15 above "$port" 500000 c3 || HO_WHY="cellular carried under 500 kB in 15 s after the cut"
	t1=$EPOCHREALTIME
	[ -n "$HO_WHY" ] || tap_wait 5 log_has "$mark" "handover: data on cellular (was on wifi)" ||
		HO_WHY="no 'data on cellular' in the log"
	sleep 1
	mark=$(wc -l <"$W/pathd.log")
	if [ "$kind" = link ]; then wifi_up; else "$ROOT/scripts/testbed" restore "$TB_STATE" 2; fi
	# Back on wifi: at once after a link cut, at the next retry after a blackhole (1 s, 2 s,
	# 4 s... after the stall; a join that does not come up is given 2.5 s).
	[ -n "$HO_WHY" ] || tap_wait 30 log_has "$mark" "handover: data on wifi (was on cellular)" ||
		HO_WHY="not back on wifi 30 s after it recovered"
	t2=$EPOCHREALTIME
	c3_at=$(bytes c3 "$port") c2_at=$(bytes c2 "$port")
	[ -n "$HO_WHY" ] || tap_wait 15 above "$port" $((c2_at + 2000000)) c2 ||
		HO_WHY="wifi carried under 2 MB in 15 s once back"
	[ -n "$HO_WHY" ] || [ $(($(bytes c3 "$port") - c3_at)) -lt 20000 ] ||
		HO_WHY="cellular kept carrying data once wifi was back ($c3_at -> $(bytes c3 "$port") bytes)"
	mode_wait "$port"
	local verdict=$?
	kill "$cap" 2>/dev/null
	wait "$cap" 2>/dev/null
	# The join on cellular: created backup (B flag in its SYN), no data of ours on it before
	# its MP_PRIO (backup off), which comes promote_ms after it is established. After a link
	# cut it holds. After a stall the kernel itself sends the stalled data again on any
	# established subflow, backup or not (its stale-subflow rule, its retransmission at the
	# MPTCP level), so the order is shown there, not required (README, "Path modes").
	first_prio=$(tshark -r "$W/c3.$port.pcap" -Y "ip.src == 198.18.3.1 && tcp.options.mptcp.subtype == 5" \
		-T fields -e frame.number 2>/dev/null | head -1)
	first_data=$(tshark -r "$W/c3.$port.pcap" -Y "ip.src == 198.18.3.1 && tcp.len > 0" \
		-T fields -e frame.number 2>/dev/null | head -1)
	syn_b=$(tshark -r "$W/c3.$port.pcap" -Y "ip.src == 198.18.3.1 && tcp.flags.syn == 1 && tcp.options.mptcp.subtype == 1" \
		-T fields -e tcp.options.mptcp.backup.flag 2>/dev/null | head -1)
	local ordered=0
	[ -n "$first_prio" ] && [ -n "$first_data" ] && [ "$first_prio" -lt "$first_data" ] && ordered=1
	if [ -z "$HO_WHY" ] && { [ "$syn_b" != 1 ] || { [ "$kind" = link ] && [ "$ordered" = 0 ]; }; }; then
		HO_WHY="the cellular join: SYN backup flag '$syn_b', first MP_PRIO frame '$first_prio', first data frame '$first_data'"
	fi
	HO_NOTE="cellular 0 bytes and 0 packets before the cut; data on cellular $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s after it (longest silence at the receiver $(cut -d' ' -f1 "$W/gsink.$port.gap") ms); back on wifi $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }') s after it recovered; the cellular join's SYN backup, its MP_PRIO (frame $first_prio) $([ "$ordered" = 1 ] && echo before || echo after) its first data (frame $first_data)"
	mode_clean "$port"
	return $verdict
}
port=5201
for kind in link blackhole; do
	for try in 1 2 3; do
		ho_case "$port" "$kind"
		verdict=$?
		port=$((port + 1))
		if [ "$verdict" != 2 ] || [ "$try" -ge 3 ]; then break; fi
	done
	if [ -z "$HO_WHY" ] && [ "$verdict" = 0 ]; then
		ok "handover ($kind cut on wifi): payload intact; $HO_NOTE"
	else
		not_ok "handover ($kind cut on wifi)" "${HO_WHY:-payload differs (verdict $verdict)}"$'\n'"$HO_NOTE"$'\n'"$(grep -E 'handover|again|closed' "$W/pathd.log" | tail -12)"
	fi
done
inc ip link set c2 up 2>/dev/null
"$ROOT/scripts/testbed" restore "$TB_STATE" 2 >/dev/null 2>&1

# ---- interactive: the faster path carries the data, equal paths never flap ----
# ia_case PORT: one try; IA_WHY, IA_NOTE; returns tap_payload's verdict.
ia_case() {
	local port=$1 mark tok n_eq t0 t1 switched
	IA_WHY="" IA_NOTE=""
	count_port "$port"
	mark=$(wc -l <"$W/pathd.log")
	mode_send ia "$port" 1000000
	tap_wait 10 log_has "$mark" "subflow on cellular (c3) backup" || IA_WHY="no backup subflow on cellular"
	tok=$(token_of ia)
	# Both equal (the testbed's 200 Mbit/s, 1 MB/s offered) for 6 s: 30 samples, no switch.
	sleep 6
	n_eq=$(tail -n +"$((mark + 1))" "$W/pathd.log" | grep -c "token $tok: interactive: data on")
	[ -n "$IA_WHY" ] || [ "$n_eq" = 0 ] || IA_WHY="$n_eq switches while both paths were equal"
	# Wifi made slow: 4 Mbit/s with a 2 s queue, under 8 Mbit/s offered.
	mark=$(wc -l <"$W/pathd.log")
	inc tc qdisc replace dev c2 root tbf rate 4mbit burst 32768 latency 2000ms
	t0=$EPOCHREALTIME
	[ -n "$IA_WHY" ] || tap_wait 10 log_has "$mark" "token $tok: interactive: data on cellular" ||
		IA_WHY="the active flag did not move to cellular in 10 s"
	t1=$EPOCHREALTIME
	switched=$(tail -n +"$((mark + 1))" "$W/pathd.log" | grep "token $tok: interactive: data on" | head -1)
	local c3_at
	c3_at=$(bytes c3 "$port")
	[ -n "$IA_WHY" ] || tap_wait 10 above "$port" $((c3_at + 2000000)) c3 || IA_WHY="cellular carried under 2 MB once active"
	# Not back and forth: wifi's RTT is the one it showed, until cellular gets worse than it.
	sleep 3
	local n_sw
	n_sw=$(tail -n +"$((mark + 1))" "$W/pathd.log" | grep -c "token $tok: interactive: data on")
	[ -n "$IA_WHY" ] || [ "$n_sw" = 1 ] || IA_WHY="$n_sw switches after wifi was made slow"
	# The testbed's own (--rate 200: a burst of 10 ms of data).
	inc tc qdisc replace dev c2 root tbf rate 200mbit burst 250000 latency 50ms
	mode_wait "$port"
	local verdict=$?
	IA_NOTE="0 switches in 6 s on equal paths; wifi slowed: '${switched#*: interactive: }' $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s later (hold_ms 1000, every_ms 200), then no other switch in 3 s"
	mode_clean "$port"
	return $verdict
}
port=5221
for try in 1 2 3; do
	ia_case "$port"
	verdict=$?
	port=$((port + 1))
	if [ "$verdict" != 2 ] || [ "$try" -ge 3 ]; then break; fi
done
if [ -z "$IA_WHY" ] && [ "$verdict" = 0 ]; then
	ok "interactive: payload intact; $IA_NOTE"
else
	not_ok "interactive" "${IA_WHY:-payload differs (verdict $verdict)}"$'\n'"$IA_NOTE"$'\n'"$(grep -E 'interactive|again' "$W/pathd.log" | tail -8)"
fi

# ---- retry: a firewall resets the wifi subflow, then every new one, then lets them be ----
# rt starts on wifi (at this pace the scheduler keeps the data on the first subflow), with a
# join on wired: the reset takes wifi's initial subflow, the connection goes on over wired,
# and wifi comes back as a join.
# shellcheck disable=SC2317 # called through tap_wait
wifi_unreachable() {
	"$B/mptcp-run" paths --state "$W/pathd.json" | grep -q "wifi .*unreachable: 3 failures in a row"
}
# shellcheck disable=SC2317 # called through tap_wait
wifi_established() { [ -n "$(inc ss -tnH state established "dport = :$1" src 198.18.2.1)" ]; }
# rt_case PORT: one try; RT_WHY, RT_NOTE; returns tap_payload's verdict.
rt_case() {
	local port=$1 mark lines unreach=""
	RT_WHY="" RT_NOTE=""
	count_port "$port"
	mark=$(wc -l <"$W/pathd.log")
	mode_send rt "$port" 2000000
	tap_wait 15 above "$port" 1000000 c2 || RT_WHY="no data on wifi first"
	# Every packet of this connection leaving by wifi gets a reset back: the established
	# subflow is reset (ECONNRESET), each new join refused.
	inc nft add table inet pdrst
	inc nft add chain inet pdrst out '{ type filter hook output priority 0; }'
	inc nft add rule inet pdrst out oifname c2 tcp dport "$port" reject with tcp reset
	[ -n "$RT_WHY" ] || tap_wait 15 log_has "$mark" "subflow on wifi again (retry 2, after 2 s)" ||
		RT_WHY="no second retry of wifi in 15 s"
	# Three failures in a row: `mptcp-run paths` calls wifi unreachable.
	[ -n "$RT_WHY" ] || tap_wait 10 wifi_unreachable ||
		RT_WHY="mptcp-run paths did not show wifi unreachable"
	unreach=$("$B/mptcp-run" paths --state "$W/pathd.json" | grep 'unreachable' | head -1)
	local mark2
	mark2=$(wc -l <"$W/pathd.log")
	inc nft delete table inet pdrst
	[ -n "$RT_WHY" ] || tap_wait 15 log_has "$mark" "subflow on wifi again (retry 3, after 4 s)" ||
		RT_WHY="no third retry of wifi"
	[ -n "$RT_WHY" ] || tap_wait 5 log_has "$mark2" "subflow on wifi from port [0-9]* promoted to active" ||
		RT_WHY="the third retry's join was not established"
	[ -n "$RT_WHY" ] || tap_wait 5 wifi_established "$port" ||
		RT_WHY="no established wifi subflow after the third retry"
	lines=$(tail -n +"$((mark + 1))" "$W/pathd.log" | grep -o 'subflow on wifi again.*' | head -3 | paste -sd ';')
	mode_wait "$port"
	local verdict=$?
	RT_NOTE="$lines; paths showed: ${unreach#"${unreach%%[! ]*}"}"
	mode_clean "$port"
	return $verdict
}
port=5241
for try in 1 2 3; do
	rt_case "$port"
	verdict=$?
	port=$((port + 1))
	if [ "$verdict" != 2 ] || [ "$try" -ge 3 ]; then break; fi
done
if [ -z "$RT_WHY" ] && [ "$verdict" = 0 ]; then
	ok "retry: wifi reset mid-transfer comes back after 1 s, 2 s, 4 s, unreachable meanwhile, established again; payload intact ($RT_NOTE)"
else
	not_ok "retry" "${RT_WHY:-payload differs (verdict $verdict)}"$'\n'"$RT_NOTE"$'\n'"$(grep -E 'again|closed|SUBFLOW' "$W/pathd.log" | tail -10)"
fi
inc nft delete table inet pdrst 2>/dev/null
pathd_stop
