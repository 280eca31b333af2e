#!/usr/bin/env python3
"""Test source at a steady pace: writes RATE bytes a second of random data to
stdout, in 16 KiB pieces, until the file STOP exists (or LIMIT seconds have
passed), then writes the sha256 and length of all it wrote to SUM. With KEEP,
also keeps every byte it wrote in that file, so a payload that differs can be
classified (tests/lib/tap.sh tap_payload). A handover's gap shows as silence
at the receiver only if the sender never pauses: hence the pace, below one
path's rate."""
import hashlib
import os
import sys
import time

stop, out, rate, limit = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
keep = open(sys.argv[5], "wb") if len(sys.argv) > 5 else None
piece_len = 16384
h = hashlib.sha256()
n = 0
t0 = time.monotonic()
w = sys.stdout.buffer
try:
    while not os.path.exists(stop) and time.monotonic() - t0 < limit:
        piece = os.urandom(piece_len)
        w.write(piece)
        w.flush()
        h.update(piece)
        if keep:
            keep.write(piece)
        n += len(piece)
        # The schedule, not a sleep per piece: a late piece does not shift the next ones.
        delay = t0 + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
except BrokenPipeError:
    pass
if keep:
    keep.close()
with open(out + ".tmp", "w") as f:
    f.write(f"{h.hexdigest()} {n}\n")
os.rename(out + ".tmp", out)
