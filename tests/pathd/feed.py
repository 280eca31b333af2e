#!/usr/bin/env python3
"""Test source: writes random bytes to stdout until the file STOP exists,
then writes the sha256 and length of all it wrote to SUM and exits (stdout
closes last, so a reader that saw EOF finds SUM complete). A case that must
watch a transfer through events (a link down and back up) uses it in place of
a fixed payload: the transfer lasts until the case has seen what it waits for,
however fast or slow the machine. Bounded: it stops by itself after LIMIT
seconds (default 60), so a case that never creates STOP cannot hang. With
FEED_KEEP=1 in the environment it also keeps what it wrote in SUM.data, so a
payload that arrives otherwise can be classified (tests/lib/misorder.py).
With RATE (bytes a second, after LIMIT) it writes at that steady pace in 16 KiB
pieces instead of as fast as it can: a handover's gap shows as silence at the
receiver only if the sender never pauses, hence a pace below one path's rate.
Usage: feed.py STOP SUM [LIMIT [RATE]]"""
import hashlib
import os
import sys
import time

stop, out = sys.argv[1], sys.argv[2]
limit = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
rate = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
keep = open(out + ".data", "wb") if os.environ.get("FEED_KEEP") == "1" else None
h = hashlib.sha256()
n = 0
t0 = time.monotonic()
t_end = t0 + limit
w = sys.stdout.buffer
try:
    while not os.path.exists(stop) and time.monotonic() < t_end:
        # Random bytes: a misplaced region of the stream names where it was sent.
        piece = os.urandom(16384 if rate else 1 << 20)
        w.write(piece)
        w.flush()
        h.update(piece)
        if keep:
            keep.write(piece)
        n += len(piece)
        if rate:
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
