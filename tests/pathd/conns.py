#!/usr/bin/env python3
"""A program with paths that connects on cue (tests/pathd/channel.sh), run
under the library as a copy of python3 named for the config. It runs the
commands DIR/go.1, DIR/go.2, ... in turn (each waited for at most 60 s) and
writes what each did to DIR/out.N:

  connect PORT          a connection to ADDR PORT, 64 kB sent, closed:
                        "dev=DEVICE ms=CONNECT_MS" (DEVICE: SO_BINDTODEVICE, - if none)
  fork PORT             a child makes that connection: "pid=CHILD dev=DEVICE"; the
                        child then waits for DIR/release (at most 30 s) and exits
  threads PORT K N      K threads at once, N connections each: "n=TOTAL failed=F"
  burst PORT N          N non-blocking connections, closed at once: "n=N ms=TOTAL_MS"
  exec SECS             writes "pid=PID", then becomes sleep SECS
"""
import os
import socket
import sys
import threading
import time

d, addr = sys.argv[1], sys.argv[2]
payload = os.urandom(65536)


def device(s):
    v = s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16)
    return v.split(b"\0")[0].decode() or "-"


def one(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t = time.monotonic()
    s.connect((addr, port))
    ms = (time.monotonic() - t) * 1e3
    dev = device(s)
    s.sendall(payload)
    s.close()
    return dev, ms


def wait_for(path, secs):
    end = time.monotonic() + secs
    while not os.path.exists(path):
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


def answer(n, text):
    with open(f"{d}/out.{n}.tmp", "w") as f:
        f.write(text + "\n")
    os.rename(f"{d}/out.{n}.tmp", f"{d}/out.{n}")


n = 0
while True:
    n += 1
    if not wait_for(f"{d}/go.{n}", 60):
        sys.exit(1)
    cmd = open(f"{d}/go.{n}").read().split()
    if cmd[0] == "connect":
        dev, ms = one(int(cmd[1]))
        answer(n, f"dev={dev} ms={ms:.1f}")
    elif cmd[0] == "fork":
        pid = os.fork()
        if pid == 0:
            dev, _ = one(int(cmd[1]))
            answer(n, f"pid={os.getpid()} dev={dev}")
            wait_for(f"{d}/release", 30)
            os._exit(0)
    elif cmd[0] == "threads":
        port, k, per = int(cmd[1]), int(cmd[2]), int(cmd[3])
        failed = []
        start = threading.Barrier(k)

        def run():
            start.wait()
            for _ in range(per):
                try:
                    one(port)
                except OSError:
                    failed.append(1)

        ts = [threading.Thread(target=run) for _ in range(k)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        answer(n, f"n={k * per} failed={len(failed)}")
    elif cmd[0] == "burst":
        port, count = int(cmd[1]), int(cmd[2])
        t = time.monotonic()
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect((addr, port))
            except BlockingIOError:
                pass
            s.close()
        answer(n, f"n={count} ms={(time.monotonic() - t) * 1e3:.1f}")
    elif cmd[0] == "exec":
        answer(n, f"pid={os.getpid()}")
        os.execv("/bin/sleep", ["sleep", cmd[1]])
