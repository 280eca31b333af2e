#!/usr/bin/env python3
"""Many registration channels from one uid (tests/pathd/channel.sh): opens N
channels to the daemon at SOCK, one every 5 ms, waits a moment, and writes to
OUT how many the daemon still holds open (the others read as closed)."""
import select
import socket
import sys
import time

sock, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
chans = []
for _ in range(n):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(sock)
    chans.append(c)
    time.sleep(0.005)
time.sleep(0.5)
# A channel the daemon closed is readable (end of file); an open one is not.
closed, _, _ = select.select(chans, [], [], 0)
with open(out, "w") as f:
    f.write(f"{n - len(closed)}\n")
