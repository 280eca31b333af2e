#!/usr/bin/env python3
"""misorder.py RECEIVED SENT [--json]: is a corrupted payload the kernel's misordered data?

The one classifier of payload mismatches for every suite, the demo and the
measurement scripts (README, "The kernel's multi-path data fault"). On the
affected kernels a passive join finished late makes the receiver place the
join's first data at the wrong stream offset: the stream has the right length
and a few regions hold sent bytes from a nearby offset (received[A:B) =
sent[A+X:B+X), X bytes lost and as many delivered twice). Garbage, a wrong
length, many regions or a copy from far away are not that shape: they are a
bug of ours until proven otherwise.

Prints one line per region,
    received[A:B) = sent[C:D)      or      received[A:B) is not a copy
then a summary line starting with "kernel misorder:", "identical" or "not the
kernel's shape:". Exit 0 when the payload is misordered in the kernel's shape,
1 otherwise (identical or another corruption), 2 on a usage error. With
--json, one JSON object instead. Suites retry such a transfer at most twice
and count it; a corruption that repeats still fails.

As a module: classify(got, sent) -> dict(kind, regions, first_wrong, shift, text)."""
import json
import re
import sys

GAP = 64  # differing bytes closer than this are one region (a copy may match by chance)
PROBE = 64  # bytes of a region looked up in the sent stream
MIN_REGION = 16  # shorter regions are ambiguous: not a copy
MAX_REGIONS = 8  # the fault moves one or two windows' worth; more is something else
NEAR = 1 << 20  # a copy from further away than a receive window is not this fault
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


def classify(got, sent):
    """kind: "identical", "misorder" (the kernel's shape) or "other"; regions: [(a, b, c)]
    with c = -1 for a region that is not a copy; first_wrong and shift of the first region."""
    out = {"kind": "other", "regions": [], "first_wrong": None, "shift": None,
           "received": len(got), "sent": len(sent)}
    if len(got) != len(sent):
        out["text"] = f"lengths differ: received {len(got)}, sent {len(sent)}"
        return out
    rs = regions(got, sent)
    if not rs:
        out.update(kind="identical", text="identical")
        return out
    out["first_wrong"] = rs[0][0]
    if len(rs) > MAX_REGIONS:
        out["text"] = f"more than {MAX_REGIONS} differing regions, from byte {rs[0][0]}"
        return out
    for a, b in rs:
        c = copy_of(got, sent, a, b)
        out["regions"].append((a, b, c))
        if c < 0:
            out["text"] = f"received[{a}:{b}) is not a copy"
            return out
    out["shift"] = out["regions"][0][2] - out["regions"][0][0]
    out["kind"] = "misorder"
    out["text"] = (f"{len(rs)} region(s) misplaced, first wrong byte {rs[0][0]}, "
                   f"shift {out['shift']:+d}")
    return out


def summary(r):
    """The one line a suite prints for a classified payload."""
    if r["kind"] == "identical":
        return "identical"
    if r["kind"] == "misorder":
        return ("kernel misorder: " + r["text"] +
                " (a known kernel fault: README, \"The kernel's multi-path data fault\")")
    return "not the kernel's shape: " + r["text"]


def main(argv):
    args = [a for a in argv if a != "--json"]
    if len(args) != 2:
        print("usage: misorder.py RECEIVED SENT [--json]", file=sys.stderr)
        return 2
    try:
        with open(args[0], "rb") as f:
            got = f.read()
        with open(args[1], "rb") as f:
            sent = f.read()
    except OSError as e:
        print(f"misorder.py: {e}", file=sys.stderr)
        return 2
    r = classify(got, sent)
    if "--json" in argv:
        print(json.dumps(r))
    else:
        for a, b, c in r["regions"]:
            print(f"received[{a}:{b}) = sent[{c}:{c + b - a})" if c >= 0 else f"received[{a}:{b}) is not a copy")
        print(summary(r))
    return 0 if r["kind"] == "misorder" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
