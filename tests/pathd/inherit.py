#!/usr/bin/env python3
"""A registration channel that reaches another process (tests/pathd/channel.sh),
outside the library: opens a channel to the daemon at SOCK, forks; the child
sends its own connected MPTCP socket (to ADDR PORT) over the parent's channel,
then the parent sends one of its own. Writes "PARENT_PID CHILD_PID" to OUT. The
daemon must register the parent's and refuse the child's: SO_PEERCRED names the
parent, and the kernel stamps each message with its real sender."""
import os
import socket
import sys
import time

sock, addr, port, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def mptcp():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
    s.connect((addr, port))
    s.sendall(b"x" * 4096)
    return s


ch = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
ch.connect(sock)
pid = os.fork()
if pid == 0:
    s = mptcp()
    socket.send_fds(ch, [b"\x01"], [s.fileno()])
    time.sleep(1)
    os._exit(0)
os.waitpid(pid, 0)
s = mptcp()
socket.send_fds(ch, [b"\x01"], [s.fileno()])
with open(out, "w") as f:
    f.write(f"{os.getpid()} {pid}\n")
time.sleep(1)
