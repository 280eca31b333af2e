#!/usr/bin/env python3
"""Test server: accepts one connection on ADDR PORT, reads to EOF, writes the
sha256 of what it got to OUT, and keeps its listener open until then (a
server that closes its listener refuses MP_JOINs to that port). With a fourth
argument "close", it closes its listener right after the accept, as `nc -l`
does: joins then need an address announced with the path manager's port.
With SINK_KEEP=1 in the environment it also keeps the bytes in OUT.data, so
a payload that differs can be told apart (tests/lib/misorder.py). Before OUT it
writes the longest silence between two reads to OUT.gap ("MS AT", AT in
seconds of CLOCK_MONOTONIC when the silence ended): the receiver's view of a
handover."""
import hashlib
import os
import socket
import sys
import time

addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
ls = socket.socket(fam, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((addr, port))
ls.listen(8)
# Bounded: a client that never comes or stalls fails the case instead of hanging the suite.
ls.settimeout(60)
open(out + ".ready", "w").close()
c, _ = ls.accept()
c.settimeout(60)
if len(sys.argv) > 4 and sys.argv[4] == "close":
    ls.close()
h = hashlib.sha256()
n = 0
keep = open(out + ".data", "wb") if os.environ.get("SINK_KEEP") == "1" else None
last = None
gap, gap_end = 0.0, 0.0
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
    if keep:
        keep.write(b)
if keep:
    keep.close()
with open(out + ".gap", "w") as f:
    f.write(f"{gap * 1e3:.1f} {gap_end:.3f}\n")
with open(out, "w") as f:
    f.write(f"{h.hexdigest()} {n}\n")
c.close()
ls.close()
