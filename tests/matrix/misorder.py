#!/usr/bin/env python3
"""misorder.py RECEIVED SENT: is a corrupted payload misordered data?

The kernel issue that tests/matrix/repro-misorder.sh shows with plain
IPPROTO_MPTCP sockets (no mptcp-run) delivers every byte, but some of them
at the wrong stream offset: each region that differs is a verbatim copy of
the sent stream from another offset. Garbage, lost or extra bytes are not
that shape. Prints one line per region,
    received[A:B) = sent[C:D)      or      received[A:B) is not a copy
and exits 0 when the lengths match and every region is a copy (misordered),
1 otherwise, 2 on a usage error. The matrix retries such a row at most twice
and writes why into the row's notes: a corruption that repeats still fails."""
import sys

BLOCK = 1 << 16
GAP = 64  # differing bytes closer than this are one region (a copy may match by chance)
PROBE = 64


def regions(a, b):
    out = []
    for off in range(0, len(a), BLOCK):
        x, y = a[off : off + BLOCK], b[off : off + BLOCK]
        if x == y:
            continue
        for i in range(len(x)):
            if x[i] != y[i]:
                p = off + i
                if out and p - out[-1][1] < GAP:
                    out[-1][1] = p + 1
                else:
                    out.append([p, p + 1])
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n")[0], file=sys.stderr)
        return 2
    try:
        got = open(sys.argv[1], "rb").read()
        sent = open(sys.argv[2], "rb").read()
    except OSError as e:
        print(f"misorder.py: {e}", file=sys.stderr)
        return 2
    if len(got) != len(sent):
        print(f"lengths differ: received {len(got)}, sent {len(sent)}")
        return 1
    rs = regions(got, sent)
    if not rs:
        print("identical")
        return 1
    copies = True
    for a, b in rs:
        piece = got[a:b]
        probe = piece[: max(PROBE, 16)]
        c = sent.find(probe) if len(probe) >= 16 else -1
        if c >= 0 and c != a and sent[c : c + len(piece)] == piece:
            print(f"received[{a}:{b}) = sent[{c}:{c + len(piece)})")
        else:
            print(f"received[{a}:{b}) is not a copy")
            copies = False
    return 0 if copies else 1


sys.exit(main())
