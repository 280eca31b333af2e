#!/usr/bin/env python3
"""Test source: writes random bytes to stdout until the file STOP exists,
then writes the sha256 and length of all it wrote to SUM and exits (stdout
closes last, so a reader that saw EOF finds SUM complete). A case that must
watch a transfer through events (a link down and back up) uses it in place of
a fixed payload: the transfer lasts until the case has seen what it waits for,
however fast or slow the machine. Bounded: it stops by itself after LIMIT
seconds (default 60), so a case that never creates STOP cannot hang. With
FEED_KEEP=1 in the environment it also keeps what it wrote in SUM.data, so a
payload that arrives otherwise can be classified (tests/lib/misorder.py)."""
import hashlib
import os
import sys
import time

stop, out = sys.argv[1], sys.argv[2]
limit = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
keep = open(out + ".data", "wb") if os.environ.get("FEED_KEEP") == "1" else None
h = hashlib.sha256()
n = 0
t_end = time.monotonic() + limit
w = sys.stdout.buffer
try:
    while not os.path.exists(stop) and time.monotonic() < t_end:
        # Random megabytes: a misplaced region of the stream names where it was sent.
        piece = os.urandom(1 << 20)
        w.write(piece)
        w.flush()
        h.update(piece)
        if keep:
            keep.write(piece)
        n += len(piece)
except BrokenPipeError:
    pass
if keep:
    keep.close()
with open(out + ".tmp", "w") as f:
    f.write(f"{h.hexdigest()} {n}\n")
os.rename(out + ".tmp", out)
