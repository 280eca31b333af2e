#!/usr/bin/env python3
"""misorder.py RECEIVED SENT: is a corrupted payload misordered data?

The kernel issue that tests/matrix/repro-misorder.sh shows with plain
IPPROTO_MPTCP sockets (no mptcp-run) delivers a stream of the right length
in which a few regions hold sent bytes from a nearby offset: data placed at
the wrong stream position (in the case seen in CI, received bytes
73728-80748 were sent bytes 74900-81920, so 1172 bytes were missing and as
many came twice). Garbage, a wrong length, many regions or a copy from far
away are not that shape. Prints one line per region,
    received[A:B) = sent[C:D)      or      received[A:B) is not a copy
and exits 0 when the lengths match and every region is a copy from within
NEAR bytes and no longer than that (misordered), 1 otherwise, 2 on a usage error. The matrix
retries such a row at most twice and writes why into the row's notes: a
corruption that repeats still fails."""
import re
import sys

GAP = 64  # differing bytes closer than this are one region (a copy may match by chance)
PROBE = 64  # bytes of a region looked up in the sent stream
MIN_REGION = 16  # shorter regions are ambiguous: not a copy
MAX_REGIONS = 8  # the issue moves one or two windows' worth; more is something else
NEAR = 1 << 20  # a copy from further away than a receive window is not this issue
NONZERO = re.compile(rb"[^\x00]")
ZEROS = b"\x00" * GAP


def regions(got, sent):
    """[start, end) of each differing region, at most MAX_REGIONS + 1 of them.
    The scans are bytes.find and one regex step per region: C speed on 48 MiB."""
    x = (int.from_bytes(got, "little") ^ int.from_bytes(sent, "little")).to_bytes(len(got), "little")
    out = []
    pos = 0
    while len(out) <= MAX_REGIONS:
        m = NONZERO.search(x, pos)
        if not m:
            break
        end = x.find(ZEROS, m.start())
        end = len(x) if end < 0 else end
        out.append((m.start(), end))
        pos = end
    return out


def copy_of(got, sent, a, b):
    """The offset in sent of a verbatim copy of got[a:b) within NEAR bytes, or -1."""
    if b - a < MIN_REGION or b - a > NEAR:
        return -1
    lo = max(0, a - NEAR)
    hi = min(len(sent), b + NEAR)
    piece = got[a:b]
    c = sent.find(piece[:PROBE], lo, hi)
    while c >= 0:
        if c != a and sent[c : c + len(piece)] == piece:
            return c
        c = sent.find(piece[:PROBE], c + 1, hi)
    return -1


def main():
    if len(sys.argv) != 3:
        print("usage: misorder.py RECEIVED SENT", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], "rb") as f:
            got = f.read()
        with open(sys.argv[2], "rb") as f:
            sent = f.read()
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
    if len(rs) > MAX_REGIONS:
        print(f"more than {MAX_REGIONS} differing regions, from byte {rs[0][0]}")
        return 1
    for a, b in rs:
        c = copy_of(got, sent, a, b)
        if c < 0:
            print(f"received[{a}:{b}) is not a copy")
            return 1
        print(f"received[{a}:{b}) = sent[{c}:{c + b - a})")
    return 0


sys.exit(main())
