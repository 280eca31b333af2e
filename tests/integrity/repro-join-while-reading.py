#!/usr/bin/env python3
"""repro-join-while-reading.py: the kernel's multi-path data fault on demand.

Plain IPPROTO_MPTCP sockets (build/tests/integrity/join-while-reading), no
mptcp-run, two network namespaces joined by two 100 Mbit/s paths
(scripts/testbed), the in-kernel path manager:

 1. the client sends 96 KiB; the server reads 64 KiB, then reads into memory
    that faults (userfaultfd), so its thread waits inside recvmsg() holding
    the MPTCP socket, as a receiver does while it copies a large read;
 2. path 1 slows to 100 kbit/s and carries the next 32 KiB alone;
 3. a client endpoint on path 2 is added: a join completes while the server
    holds its socket (the kernel defers finishing it to the socket's release);
 4. the client sends the rest over both paths; after --hold-ms the server lets
    go and reads everything.

On an affected kernel the join's first data is placed at the server's
in-order position (its DATA_ACK when the join finished) instead of where it
was sent: "misordered ... shift +S" where S is about the 32 KiB still on
path 1. The protection the path daemon uses can be tried here too: --backup
makes the join a backup (no data on it), --promote-ms T makes it active T ms
after it is established (ip mptcp endpoint change ... nobackup sends MP_PRIO).

Usage: tests/integrity/repro-join-while-reading.py [--runs N] [--hold-ms H]
         [--backup] [--promote-ms T] [--control]
  --control   the server lets go before the join: the same steps, intact
Prints one line per run and a summary; exit 0 when it ran (1 on set-up error).
Needs root (network namespaces, userfaultfd for kernel copies).
"""
import argparse
import os
import re
import subprocess as sp
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TB = os.path.join(ROOT, "scripts", "testbed")
PROG = os.path.join(ROOT, "build", "tests", "integrity", "join-while-reading")


def run(*a):
    return sp.run(a, check=True, capture_output=True, text=True).stdout


def joined(c):
    return bool(run("ip", "netns", "exec", c, "ss", "-tnH", "state", "established", "src", "198.18.2.1").strip())


def one(args, port):
    env = run(TB, "up", "--paths", "2", "--rate", "100", "--prefix", "jwr")
    v = dict(re.findall(r"^(\w+)=['\"]?([^'\"\n]*)", env, re.M))
    c, s, state = v["TB_CLIENT"], v["TB_SERVER"], v["TB_STATE"]
    srv = cli = None
    try:
        run("ip", "-n", c, "mptcp", "endpoint", "flush")
        srv = sp.Popen(["ip", "netns", "exec", s, PROG, "server", "0.0.0.0", str(port)],
                       stdin=sp.PIPE, stdout=sp.PIPE, text=True)
        assert srv.stdout.readline().strip() == "listening"
        cli = sp.Popen(["ip", "netns", "exec", c, PROG, "client", "198.18.1.2", str(port)],
                       stdin=sp.PIPE, stdout=sp.PIPE, text=True)
        assert cli.stdout.readline().strip() == "ready"
        line = srv.stdout.readline().strip()
        if line != "held":
            raise SystemExit(f"the server could not hold its socket: {line}")
        if args.control:
            srv.stdin.write("go\n")
            srv.stdin.flush()
            time.sleep(0.05)
        run("tc", "-n", c, "qdisc", "replace", "dev", "c1", "root", "tbf", "rate", "100kbit",
            "burst", "3200", "limit", "8000000")
        cli.stdin.write("go\n")
        cli.stdin.flush()
        assert cli.stdout.readline().strip() == "lag"
        time.sleep(0.05)  # the 32 KiB leave on path 1 before the join exists
        ep = ["ip", "-n", c, "mptcp", "endpoint", "add", "198.18.2.1", "id", "9", "dev", "c2", "subflow"]
        run(*(ep + (["backup"] if args.backup else [])))
        t0 = time.monotonic()
        while not joined(c) and time.monotonic() - t0 < 3:
            time.sleep(0.001)
        t_join = time.monotonic()
        cli.stdin.write("go\n")
        cli.stdin.flush()
        promoted = not args.backup or args.promote_ms < 0
        while True:
            now = (time.monotonic() - t_join) * 1000
            if not promoted and now >= args.promote_ms:
                run("ip", "-n", c, "mptcp", "endpoint", "change", "id", "9", "nobackup")
                promoted = True
            if now >= args.hold_ms:
                break
            time.sleep(0.0005)
        run("tc", "-n", c, "qdisc", "replace", "dev", "c1", "root", "tbf", "rate", "100mbit",
            "burst", "125000", "latency", "50ms")
        if not args.control:
            srv.stdin.write("go\n")
            srv.stdin.flush()
        while not promoted:
            if (time.monotonic() - t_join) * 1000 >= args.promote_ms:
                run("ip", "-n", c, "mptcp", "endpoint", "change", "id", "9", "nobackup")
                promoted = True
            time.sleep(0.0005)
        out = srv.communicate(timeout=60)[0].strip().splitlines()
        cli.communicate(timeout=30)
        return out[-1] if out else "no result"
    finally:
        for p in (srv, cli):
            if p and p.poll() is None:
                p.kill()
        sp.run([TB, "down", state], capture_output=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--hold-ms", type=float, default=300)
    ap.add_argument("--backup", action="store_true")
    ap.add_argument("--promote-ms", type=float, default=-1)
    ap.add_argument("--control", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root", file=sys.stderr)
        return 1
    if not os.access(PROG, os.X_OK):
        print(f"{PROG} missing: make tests", file=sys.stderr)
        return 1
    what = ("control (released before the join)" if args.control else
            f"held {args.hold_ms:g} ms after the join") + \
        (f", join backup{f', promoted after {args.promote_ms:g} ms' if args.promote_ms >= 0 else ', never promoted'}"
         if args.backup else ", plain join")
    bad = 0
    for i in range(args.runs):
        r = one(args, 6100 + i)
        bad += r.startswith("misordered")
        print(f"run {i + 1}: {r}", flush=True)
    print(f"{what}: {bad} of {args.runs} misordered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
