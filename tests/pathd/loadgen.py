#!/usr/bin/env python3
"""Load for the path daemon (scripts/bench-pathd).

  loadgen.py server ADDR PORT READY
      accepts connections and reads each to EOF (listener kept open)
  loadgen.py client ADDR PORT RATE SECS HOLD_MS
      opens RATE connections per second for SECS seconds, each sends 2 kB
      (a client's ESTABLISHED waits for data) and is closed after HOLD_MS;
      prints "opened N failed F late_ms L" (L: how far the schedule slipped)
"""
import selectors
import socket
import sys
import time

IPPROTO_MPTCP = 262


def server(addr, port, ready):
    sel = selectors.DefaultSelector()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(4096)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ)
    open(ready, "w").close()
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is ls:
                try:
                    while True:
                        c, _ = ls.accept()
                        c.setblocking(False)
                        sel.register(c, selectors.EVENT_READ)
                except BlockingIOError:
                    pass
                continue
            try:
                b = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                b = b""
            if not b:
                sel.unregister(s)
                s.close()


def client(addr, port, rate, secs, hold_ms):
    sel = selectors.DefaultSelector()
    n_total = int(rate * secs)
    t0 = time.monotonic()
    opened = failed = 0
    late = 0.0
    live = []  # (close_at, sock)
    payload = b"x" * 2000
    i = 0
    while i < n_total or live:
        now = time.monotonic()
        while i < n_total and t0 + i / rate <= now:
            late = max(late, (now - (t0 + i / rate)) * 1e3)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect((addr, port))
            except BlockingIOError:
                pass
            except OSError:
                failed += 1
                s.close()
                i += 1
                continue
            sel.register(s, selectors.EVENT_WRITE)
            live.append((now + hold_ms / 1e3, s))
            opened += 1
            i += 1
        while live and live[0][0] <= now:
            _, s = live.pop(0)
            try:
                sel.unregister(s)
            except (KeyError, ValueError):
                pass
            s.close()
        nxt = t0 + i / rate if i < n_total else now + 0.01
        if live:
            nxt = min(nxt, live[0][0])
        for key, _ in sel.select(max(0.0, nxt - time.monotonic())):
            s = key.fileobj
            sel.unregister(s)
            try:
                s.send(payload)
            except OSError:
                failed += 1
    print(f"opened {opened} failed {failed} late_ms {late:.1f}")


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]),
               float(sys.argv[6]))
