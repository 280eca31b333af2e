#!/usr/bin/env python3
"""A program outside the library: connects with IPPROTO_MPTCP to ADDR PORT,
sends random data for SECS seconds, and registers its socket with the daemon
at SOCK only after REG_AT seconds (past the grace period), the way the library
would (SCM_RIGHTS over SOCK_SEQPACKET). Writes the sha256 of what it sent to
OUT, and OUT.registered once it registered."""
import hashlib
import os
import socket
import sys
import time

addr, port, secs, reg_at, sock, out = (sys.argv[1], int(sys.argv[2]), float(sys.argv[3]),
                                       float(sys.argv[4]), sys.argv[5], sys.argv[6])
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
c.connect((addr, port))
h = hashlib.sha256()
t0 = time.monotonic()
registered = False
while time.monotonic() - t0 < secs:
    b = os.urandom(40000)
    c.sendall(b)
    h.update(b)
    if not registered and time.monotonic() - t0 >= reg_at:
        u = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        u.connect(sock)
        socket.send_fds(u, [b"\x01"], [c.fileno()])
        u.close()
        registered = True
        open(out + ".registered", "w").close()
    time.sleep(0.02)
c.shutdown(socket.SHUT_WR)
c.recv(1)
c.close()
with open(out, "w") as f:
    f.write(h.hexdigest() + "\n")
