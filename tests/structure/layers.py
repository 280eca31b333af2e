#!/usr/bin/env python3
"""The architecture, checked on the sources and on the built objects (TAP).

1. Layer rules: every quoted #include of a folder names a folder that folder may
   use (the table below is the one in the Makefile's header and the README).
2. No include cycle between files, and no link cycle between the objects of the
   preload library or of the launcher (symbol references between .o files).
3. The preload library never calls a symbol it exports itself: no relocation
   in libmptcp-run.so names one of its exported functions (such a call would
   resolve to the library's own interposer: close() calling close()).
4. The policy engine and the report format are pure: the undefined symbols of its objects are libc
   string, memory, allocation and formatting functions from an allow-list. So are the live view's
   decisions (launcher/live: rates, totals, order, layout), which may also use launcher/text, and
   the path daemon's channel decisions (launcher/pathd/reg_budget).
5. The path daemon's planner is pure too: its objects call the same allow-list and the policy
   engine, nothing else (no clock, no netlink: it acts through its table of operations).

Each check also runs once on a small synthetic case that must fail, so a check
that can no longer fail shows up as a failed test.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.environ.get("B", os.path.join(ROOT, "build"))

# folder -> folders its files may include (besides itself).
LAYERS = {
    "shim/entry": {"shim/core", "shim/kernel"},
    "shim/core": {"shim/kernel", "shim/format", "shim/policy"},
    "shim/format": {"shim/policy"},
    "shim/kernel": {"shim/format", "shim/policy"},
    "shim/policy": set(),
    "launcher": {"launcher/cmd"},
    "launcher/cmd": {"launcher/pathd", "launcher/supervise", "launcher/integrity",
                     "launcher/sampler", "launcher/report", "launcher/live", "launcher/os",
                     "shim/format", "launcher/text", "shim/policy", "shim/kernel"},
    "launcher/supervise": {"launcher/os", "launcher/text", "shim/format", "shim/policy",
                           "shim/kernel"},
    "launcher/pathd": {"launcher/planner", "launcher/os", "launcher/text", "shim/format",
                       "shim/policy", "shim/kernel"},
    "launcher/planner": {"shim/policy"},
    "launcher/integrity": {"launcher/os", "launcher/text", "shim/format", "shim/policy",
                           "shim/kernel"},
    # The sampler reads the path daemon's state file (one file, sampler/pathd_state.c).
    "launcher/sampler": {"launcher/live", "launcher/pathd", "launcher/os", "launcher/text",
                         "shim/kernel"},
    "launcher/report": {"launcher/live", "launcher/os", "launcher/text"},
    "launcher/live": {"launcher/text"},
    "launcher/os": {"launcher/text", "shim/kernel"},
    "launcher/text": set(),
}
# The launcher may use only these files of shim/kernel: the config reader, the kernel integrity
# record's reader, the ABI names, and the path daemon's channel (its wire format; the
# supervisor's calls), pinning and interface kinds.
LAUNCHER_KERNEL_FILES = {"shim/kernel/config_file.h", "shim/kernel/libconfig_linked.h",
                         "shim/kernel/read_full.h", "shim/kernel/uapi.h",
                         "shim/kernel/integrity_file.h", "shim/kernel/pathd_sock.h",
                         "shim/kernel/pathd_pin.h", "shim/kernel/ifkind.h"}
# What the policy objects may call.
POLICY_ALLOWED = {
    "calloc", "malloc", "realloc", "free", "memchr", "memcmp", "memcpy", "memmove", "memset",
    "strchr", "strcmp", "strdup", "strlen", "strncmp", "strrchr", "strtoul", "qsort",
    "snprintf", "vsnprintf", "inet_ntop", "inet_pton", "fnmatch", "__stack_chk_fail",
}

# What the live view's objects may call besides POLICY_ALLOWED and launcher/text's functions.
LIVE_ALLOWED = POLICY_ALLOWED | {"qsort_r", "strstr"}

n = 0
failed = 0


def tap(ok, name, detail=""):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {name}")
    for line in ("" if ok else detail).splitlines()[:30]:
        print(f"#   {line}")


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources():
    out = []
    for top in ("shim", "launcher"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            out += [os.path.relpath(os.path.join(d, f), ROOT) for f in files
                    if f.endswith((".c", ".h"))]
    return sorted(out)


def resolve(inc, src):
    """A quoted include as a path from the top, searched like -iquote shim -iquote launcher."""
    for base in (os.path.dirname(src), "shim", "launcher"):
        p = os.path.normpath(os.path.join(base, inc))
        if os.path.exists(os.path.join(ROOT, p)):
            return p
    return None


def includes(files):
    graph = {}
    for f in files:
        text = open(os.path.join(ROOT, f), encoding="utf-8").read()
        graph[f] = [(i, resolve(i, f)) for i in INCLUDE.findall(text)]
    return graph


def layer_of(path):
    d = os.path.dirname(path)
    return d if d in LAYERS else None


def layer_violations(graph):
    bad = []
    for f, incs in graph.items():
        lay = layer_of(f)
        if lay is None:
            bad.append(f"{f}: not in a known layer folder")
            continue
        for text, target in incs:
            if target is None:
                if text.endswith("libconfig_syms.h"):  # generated into build/gen
                    continue
                bad.append(f"{f}: #include \"{text}\" not found")
                continue
            tl = os.path.dirname(target)
            if tl == lay:
                continue
            if tl not in LAYERS[lay]:
                bad.append(f"{f} -> {target}: {lay} may not use {tl}")
            elif lay.startswith("launcher") and tl == "shim/kernel" and \
                    target not in LAUNCHER_KERNEL_FILES:
                bad.append(f"{f} -> {target}: the launcher uses only {sorted(LAUNCHER_KERNEL_FILES)}")
    return bad


def find_cycle(edges):
    """A cycle in {node: set(nodes)} as a list, or None (iterative DFS)."""
    state = {}
    for start in sorted(edges):
        if start in state:
            continue
        stack = [(start, iter(sorted(edges.get(start, ()))))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(sorted(edges.get(nxt, ())))))
                path.append(nxt)
    return None


def module(path):
    """x.c and x.h are one module."""
    return os.path.splitext(path)[0]


def include_edges(graph):
    edges = {}
    for f, incs in graph.items():
        for _, t in incs:
            if t and module(t) != module(f):
                edges.setdefault(module(f), set()).add(module(t))
    return edges


def nm(args, obj):
    r = subprocess.run(["nm"] + args + [obj], capture_output=True, text=True, check=True)
    return r.stdout.splitlines()


def link_edges(objs):
    defined = {}
    for o in objs:
        for line in nm(["--defined-only", "-g"], o):
            parts = line.split()
            if len(parts) == 3:
                defined.setdefault(parts[2], o)
    edges = {}
    for o in objs:
        for line in nm(["-u"], o):
            sym = line.split()[-1]
            t = defined.get(sym)
            if t and t != o:
                edges.setdefault(o, set()).add(t)
    return edges


def objects(folders):
    out = []
    for fo in folders:
        d = os.path.join(B, "obj", fo)
        if os.path.isdir(d):
            out += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".o"))
    return out


def self_calls(so):
    exported = {l.split()[2] for l in nm(["-D", "--defined-only"], so) if len(l.split()) == 3}
    r = subprocess.run(["readelf", "-rW", so], capture_output=True, text=True, check=True)
    named = set()
    for line in r.stdout.splitlines():
        parts = line.split()
        # Offset Info Type Sym.Value Sym.Name[@version] + Addend
        if len(parts) >= 5 and re.fullmatch(r"[0-9a-f]{8,16}", parts[0]):
            named.add(parts[4].split("@")[0])
    return sorted(named & exported)


def defined(objs):
    out = set()
    for o in objs:
        out |= {l.split()[2] for l in nm(["--defined-only"], o) if len(l.split()) == 3}
    return out


def policy_impurities(objs, allowed=POLICY_ALLOWED, below=()):
    """Calls out of objs to anything but themselves, the allow-list and the objects below."""
    own = defined(objs) | defined(below)
    bad = []
    for o in objs:
        for line in nm(["-u"], o):
            sym = line.split()[-1]
            if sym not in own and sym not in allowed:
                bad.append(f"{os.path.relpath(o, B)}: {sym}")
    return bad


def cc(tmp, name, code, *flags):
    src = os.path.join(tmp, name + ".c")
    with open(src, "w") as f:
        f.write(code)
    out = os.path.join(tmp, name)
    subprocess.run(["cc", "-O2", "-fPIC", *flags, "-o", out, src], check=True,
                   capture_output=True)
    return out


def self_tests():
    """Each check on an input built to fail it."""
    with tempfile.TemporaryDirectory() as tmp:
        so = cc(tmp, "selfcall.so",
                "int close(int fd) { return fd; }\n"
                "__attribute__((visibility(\"default\"))) int reporter(int fd)"
                " { return close(fd) + 1; }\n", "-shared")
        tap(self_calls(so) == ["close"],
            "self-test: a library calling its own exported close() is caught",
            f"found {self_calls(so)}")
        pure = cc(tmp, "impure.o", "#include <unistd.h>\nint f(void) { return getpid(); }\n", "-c")
        tap(any("getpid" in b for b in policy_impurities([pure])),
            "self-test: a policy object calling getpid() is caught")
        clock = cc(tmp, "planner.o", "#include <time.h>\n"
                   "double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);"
                   " return t.tv_sec; }\n", "-c")
        pol = objects(["shim/policy"])
        tap(any("clock_gettime" in b for b in policy_impurities([clock], below=pol)),
            "self-test: a planner object reading the clock is caught")
    tap(find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"] and
        find_cycle({"a": {"b"}, "b": {"c"}}) is None,
        "self-test: the cycle finder finds a 3-cycle and passes a chain")
    fake = {"shim/policy/x.c": [("core/y.h", "shim/core/y.h")]}
    tap(layer_violations(fake) != [], "self-test: the policy engine including core/ is caught")
    fake = {"launcher/planner/x.c": [("pathd/genl.h", "launcher/pathd/genl.h")]}
    tap(layer_violations(fake) != [], "self-test: the planner including the daemon's netlink is caught")


def main():
    print("TAP version 13")
    self_tests()
    files = sources()
    graph = includes(files)
    bad = layer_violations(graph)
    tap(not bad, f"layers: {len(files)} files include only the folders their layer may use",
        "\n".join(bad))
    cyc = find_cycle(include_edges(graph))
    tap(cyc is None, "no include cycle between modules", " -> ".join(cyc or []))

    lib_objs = objects(["shim/entry", "shim/core", "shim/kernel", "shim/format", "shim/policy"])
    launcher_objs = objects(["launcher", "launcher/cmd", "launcher/pathd", "launcher/planner",
                             "launcher/supervise", "launcher/integrity", "launcher/sampler",
                             "launcher/report", "launcher/live", "launcher/os", "launcher/text",
                             "shim/format",
                             "shim/policy"]) + \
        [os.path.join(B, "obj/shim/kernel", f) for f in ("config_file.o", "libconfig_linked.o", "read_full.o",
                                                         "integrity_file.o")]
    so = os.path.join(B, "libmptcp-run.so")
    if not lib_objs or not os.path.exists(so):
        tap(False, "the library is built (run make first)")
    else:
        for name, objs in (("preload library", lib_objs), ("launcher", launcher_objs)):
            cyc = find_cycle(link_edges(objs))
            tap(cyc is None, f"no link cycle between the {name}'s {len(objs)} objects",
                " -> ".join(os.path.relpath(c, B) for c in cyc or []))
        calls = self_calls(so)
        tap(not calls, "the library never calls its own exported symbols (readelf -r)",
            "relocations naming exported functions: " + ", ".join(calls))
        pol = objects(["shim/policy", "shim/format"])
        bad = policy_impurities(pol)
        tap(pol and not bad, f"policy engine: {len(pol)} objects call only allow-listed libc",
            "\n".join(bad))
        plan = objects(["launcher/planner"])
        bad = policy_impurities(plan, below=objects(["shim/policy"]))
        tap(plan and not bad, f"planner: {len(plan)} objects call only allow-listed libc and the "
            "policy engine", "\n".join(bad))
        live = objects(["launcher/live"])
        text_syms = set()
        for o in objects(["launcher/text"]):
            text_syms |= {l.split()[2] for l in nm(["--defined-only", "-g"], o)
                          if len(l.split()) == 3}
        bad = policy_impurities(live, LIVE_ALLOWED | text_syms)
        tap(live and not bad, f"live view: {len(live)} objects call only allow-listed libc",
            "\n".join(bad))
        # The registration channels' decisions: pure too, with unit tests of their own.
        reg = [os.path.join(B, "obj", "launcher", "pathd", "reg_budget.o")]
        missing = [o for o in reg if not os.path.exists(o)]
        bad = policy_impurities([o for o in reg if o not in missing])
        tap(not missing and not bad, "pathd/reg_budget (the channels' decisions) calls only "
            "allow-listed libc", "\n".join(missing + bad))
    print(f"1..{n}")
    print(f"# {n - failed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
