#!/usr/bin/env python3
"""Test source: writes random bytes to stdout until the file STOP exists,
then writes the sha256 and length of all it wrote to SUM and exits (stdout
closes last, so a reader that saw EOF finds SUM complete). A case that must
watch a transfer through events (a link down and back up) uses it in place of
a fixed payload: the transfer lasts until the case has seen what it waits for,
however fast or slow the machine. Bounded: it stops by itself after LIMIT
seconds (default 60), so a case that never creates STOP cannot hang."""
import hashlib
import os
import sys
import time

stop, out = sys.argv[1], sys.argv[2]
limit = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
chunk = os.urandom(1 << 20)
h = hashlib.sha256()
n = 0
t_end = time.monotonic() + limit
w = sys.stdout.buffer
try:
    while not os.path.exists(stop) and time.monotonic() < t_end:
        # Shift the chunk so no two megabytes on the wire are the same.
        piece = chunk[n % 4093 :] + chunk[: n % 4093]
        w.write(piece)
        w.flush()
        h.update(piece)
        n += len(piece)
except BrokenPipeError:
    pass
with open(out + ".tmp", "w") as f:
    f.write(f"{h.hexdigest()} {n}\n")
os.rename(out + ".tmp", out)
