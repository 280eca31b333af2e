#!/usr/bin/env python3
"""A registration flood from one uid: for SECS seconds, connects to the daemon's
socket SOCK as fast as it can; every other connection sends a pipe (not an
MPTCP socket), the rest stay silent and are held open (up to 900 at once).
Writes "CONNECTS REFUSED_BY_BACKLOG" to OUT."""
import os
import socket
import sys
import time

sock, secs, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
r, w = os.pipe()
held = []
n = busy = 0
end = time.monotonic() + secs
while time.monotonic() < end:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_NONBLOCK)
    try:
        s.connect(sock)
    except (BlockingIOError, ConnectionRefusedError, OSError):
        busy += 1
        s.close()
        continue
    n += 1
    if n % 2:
        try:
            socket.send_fds(s, [b"\x01"], [r])
        except OSError:
            pass
        s.close()
    else:
        held.append(s)
        if len(held) > 900:
            held.pop(0).close()
for s in held:
    s.close()
with open(out, "w") as f:
    f.write(f"{n} {busy}\n")
