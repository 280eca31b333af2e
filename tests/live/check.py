#!/usr/bin/env python3
"""Readers for tests/live/run.sh: what `mptcp-run top` shows, and the timeline's figure.

  check.py screen FILE            -> "IFACE TX_BYTES TX_RATE" per interface row of a captured screen
  check.py json FILE              -> the same from `top --json`, plus "conn PROGRAM SUBFLOWS"
  check.py svg SVG TIMELINE IFACE PAYLOAD
                                  -> judges the figure of a transfer whose IFACE was cut at the
                                     "mark" event: prints lines "ok|not ok DESCRIPTION"
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

UNITS = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def human(num, unit):
    """'17.4', 'MB' -> 17400000."""
    return float(num) * UNITS[unit[:-1] if unit.endswith("B") else unit]


def screen(path):
    # "  c1                             1   5.87 MB/s       0 B/s    17.4 MB        0 B"
    row = re.compile(r"^  (\S+)\s+(\S*)\s+(\d+)\s+([\d.]+) (\S*)B/s\s+([\d.]+) (\S*)B/s"
                     r"\s+([\d.]+) (\S*)B\s+([\d.]+) (\S*)B\s*$")
    in_ifaces = False
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("  IFACE "):
            in_ifaces = True
            continue
        if in_ifaces and not line.strip():
            break
        m = row.match(line) if in_ifaces else None
        if m:
            print(m.group(1), int(float(m.group(8)) * UNITS[m.group(9)]),
                  int(float(m.group(4)) * UNITS[m.group(5)]))


def from_json(path):
    d = json.load(open(path))
    for i in d["interfaces"]:
        print(i["ifname"], i["tx_bytes"], i["tx_rate"])
    for c in d["connections"]:
        print("conn", c["program"] or "?", len(c["subflows"]))


def svg(path, timeline, cut_if, payload):
    results = []

    def check(ok, what):
        results.append(("ok" if ok else "not ok") + " " + what)

    tree = ET.parse(path)
    ns = {"s": "http://www.w3.org/2000/svg"}
    root = tree.getroot()
    panels = root.findall(".//s:g[@class='panel']", ns)
    kinds = [p.get("data-kind") for p in panels]
    check(kinds[:3] == ["bytes", "rate", "rtt"], f"three panels bytes/rate/rtt ({kinds})")
    ifaces = {}
    for p in panels[:2]:
        names = [s.get("data-ifname") for s in p.findall("s:polyline[@class='series']", ns)]
        ifaces[p.get("data-kind")] = names
    lines = [l for l in open(timeline)]
    samples = [json.loads(l) for l in lines if '"type":"sample"' in l]
    seen = sorted({i["ifname"] for s in samples for i in s["snapshot"]["interfaces"]})
    check(sorted(ifaces.get("bytes", [])) == seen and sorted(ifaces.get("rate", [])) == seen,
          f"one series per interface in the bytes and rate panels ({ifaces}, interfaces {seen})")
    interval = json.loads(lines[0])["interval"]
    marks = [e for e in root.findall(".//s:line[@class='event']", ns)
             if e.get("data-what") == "mark"]
    check(len(marks) == 1, f"the cut is marked once ({len(marks)} marks)")
    if not marks:
        return results
    t_cut = float(marks[0].get("data-t"))
    rate = [p for p in panels if p.get("data-kind") == "rate"][0]
    x0, xs = float(rate.get("data-x0")), float(rate.get("data-xs"))
    y0, ys = float(rate.get("data-y0")), float(rate.get("data-ys"))
    series = [s for s in rate.findall("s:polyline[@class='series']", ns)
              if s.get("data-ifname") == cut_if]
    pts = []
    for s in series:
        for xy in s.get("points").split():
            x, y = map(float, xy.split(","))
            pts.append(((x - x0) / xs, (y0 - y) / ys))  # (s, Mbit/s)
    before = [v for t, v in pts if t <= t_cut - interval]
    after = [v for t, v in pts if t >= t_cut + interval]
    peak = max(before) if before else 0
    check(peak > 5, f"{cut_if} carried data before the cut (peak {peak:.1f} Mbit/s)")
    check(after and max(after) < 0.1 * peak,
          f"{cut_if}'s rate is 0 from one interval after the cut on (after: "
          f"{[round(v, 2) for v in after[:5]]} Mbit/s, cut at {t_cut:.2f} s, interval {interval})")
    # Cumulative: the last sample that had the connection, all interfaces.
    last = [s for s in samples if s["snapshot"]["connections"]][-1]["snapshot"]
    total = sum(i["tx_bytes"] + i["rx_bytes"] for i in last["interfaces"])
    err = abs(total - payload) / payload
    check(err < 0.05, f"cumulative bytes {total} = payload {payload} within 5 % ({err:.2%})")
    return results


def main():
    if sys.argv[1] == "screen":
        screen(sys.argv[2])
    elif sys.argv[1] == "json":
        from_json(sys.argv[2])
    else:
        for r in svg(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])):
            print(r)


if __name__ == "__main__":
    main()
