#!/usr/bin/env python3
"""A non-root process squatting on the registration socket path: accepts
connections for a few seconds and records whether any descriptor arrived."""
import array
import os
import socket
import sys
import time

path, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(path)
os.chmod(path, 0o666)
s.listen(16)
s.settimeout(0.2)
conns = fds = 0
end = time.time() + secs
open(out + ".ready", "w").close()
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    conns += 1
    c.settimeout(0.5)
    try:
        msg, anc, flags, addr = c.recvmsg(16, socket.CMSG_SPACE(4 * 4))
        for level, typ, data in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                fds += len(data) // 4
    except (socket.timeout, OSError):
        pass
    c.close()
with open(out, "w") as f:
    f.write(f"{conns} {fds}\n")
