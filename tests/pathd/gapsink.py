#!/usr/bin/env python3
"""Test server for handovers: accepts one connection on ADDR PORT, reads to
EOF, keeps every byte in OUT.data, writes the sha256 and length to OUT, and
the longest silence between two reads to OUT.gap ("MS AT", AT in seconds of
CLOCK_MONOTONIC when the silence ended), the receiver's view of a handover.
Its listener stays open until then (joins to that port need it). Bounded:
60 s without a client or without data fails instead of hanging."""
import hashlib
import socket
import sys
import time

addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
ls = socket.socket(fam, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((addr, port))
ls.listen(8)
ls.settimeout(60)
open(out + ".ready", "w").close()
c, _ = ls.accept()
c.settimeout(60)
h = hashlib.sha256()
n = 0
last = None
gap, gap_end = 0.0, 0.0
with open(out + ".data", "wb") as keep:
    while True:
        b = c.recv(1 << 16)
        now = time.monotonic()
        if not b:
            break
        if last is not None and now - last > gap:
            gap, gap_end = now - last, now
        last = now
        h.update(b)
        n += len(b)
        keep.write(b)
with open(out + ".gap", "w") as f:
    f.write(f"{gap * 1e3:.1f} {gap_end:.3f}\n")
with open(out, "w") as f:
    f.write(f"{h.hexdigest()} {n}\n")
c.close()
ls.close()
