#!/usr/bin/env python3
"""CPU time per call, and flame graphs, of one sequential `CheckSmsVerifyCode` (issue #19).

    bench/profile.py [--calls N] [--runs R] [--record] [--pin-upstream 0 --pin-client 1] WHAT...

WHAT: rust-async, rust-blocking, c, py, node (smsauth through each language), reqwest, hyper
(the raw Rust HTTP floors, `bench/rust/src/bin/smsauth-calls.rs`), wrk (the load generator).
Run `bench/run --only rust,c,py,node` (or with `--no-build` after one) first: it builds what is
measured here. nginx is started as `bench/run` starts it (`driver.Nginx`, the canned reply).

For each WHAT, `perf stat -e task-clock,context-switches` counts the client process over N and
2N sequential calls (each after 200 warm-up calls, same process shape); the difference divided
by N is the cost of one call, start-up and warm-up excluded. R runs each; medians printed, the
range beside them. nginx's own CPU per call is counted the same way (its process, over the 2N
run minus the N run). `--record` also writes `bench/results/profile-WHAT.svg` (py: python; the floors: floor-WHAT) (perf record
`--call-graph dwarf` at 1999 Hz over 2N calls, folded and drawn by inferno) and prints the
leaf-most frames with their share of the samples.
"""

import argparse
import collections
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import driver  # noqa: E402  (the bench's nginx)

TRIPLE = os.environ.get("CARGO_BUILD_TARGET") or "x86_64-unknown-linux-gnu"
REL = ROOT / "target" / TRIPLE / "release"
VENV_PY = BENCH / ".venv" / "bin" / "python"

PY_LOOP = """
import sys, smsauth
c = smsauth.Client("testid", "testsecret", endpoint=sys.argv[1])
for _ in range(200 + int(sys.argv[2])):
    if c.check_code("13800138000", "1234").verify_result != "UNKNOWN":
        raise SystemExit("unexpected answer")
"""

NODE_LOOP = """
const smsauth = require('smsauth')
const [endpoint, n] = process.argv.slice(1)
const c = new smsauth.Client({ endpoint, accessKeyId: 'testid', accessKeySecret: 'testsecret' })
;(async () => {
  for (let i = 0; i < 200 + Number(n); i++) {
    const r = await c.checkCode('13800138000', '1234')
    if (r.verifyResult !== 'UNKNOWN') throw new Error('unexpected answer')
  }
})().catch((e) => { console.error(e); process.exit(1) })
"""


def command(what: str, endpoint: str, n: int):
    """(argv, cwd) of N sequential calls by WHAT."""
    calls = str(REL / "smsauth-calls")
    if what in ("rust-async", "rust-blocking", "reqwest", "hyper"):
        mode = {"rust-async": "async", "rust-blocking": "blocking"}.get(what, what)
        return [calls, mode, endpoint, str(n)], None
    if what == "c":
        return [str(BENCH / "build" / "smsauth-calls-c"), endpoint, str(n)], None
    if what == "py":
        return [str(VENV_PY), "-c", PY_LOOP, endpoint, str(n)], None
    if what == "node":
        return ["node", "--perf-basic-prof", "--no-logfile-per-isolate", "--logfile=/dev/null", "-e", NODE_LOOP, endpoint, str(n)], BENCH / "node"
    raise SystemExit(f"unknown WHAT {what}")


def perf_stat(argv, cwd, cpu, nginx_pid):
    """(task-clock ms, context switches) of argv's process tree, and nginx's task-clock ms."""
    with tempfile.NamedTemporaryFile("r", suffix=".csv") as out, tempfile.NamedTemporaryFile("r", suffix=".csv") as ng:
        upstream = subprocess.Popen(
            ["perf", "stat", "-x,", "-o", ng.name, "-e", "task-clock", "-p", str(nginx_pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["perf", "stat", "-x,", "-o", out.name, "-e", "task-clock,context-switches", "--",
                        "taskset", "-c", cpu, *argv], cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        upstream.send_signal(2)
        upstream.wait()
        vals = {}
        for line in out.read().splitlines() + ng.read().splitlines():
            parts = line.split(",")
            if len(parts) > 2 and parts[0] and not line.startswith("#"):
                key = parts[2] if parts[2] in ("task-clock", "context-switches") else parts[2]
                vals.setdefault(key, []).append(float(parts[0]))
        tc = vals["task-clock"]
        return tc[0], vals["context-switches"][0], tc[1] if len(tc) > 1 else float("nan")


def wrk_stat(endpoint, cpu, nginx_pid, seconds=2):
    """wrk -t1 -c1 for SECONDS: CPU µs and context switches per request, nginx µs per request."""
    with tempfile.NamedTemporaryFile("r", suffix=".csv") as out, tempfile.NamedTemporaryFile("r", suffix=".csv") as ng:
        upstream = subprocess.Popen(["perf", "stat", "-x,", "-o", ng.name, "-e", "task-clock", "-p", str(nginx_pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = subprocess.run(["perf", "stat", "-x,", "-o", out.name, "-e", "task-clock,context-switches", "--",
                               "taskset", "-c", cpu, "wrk", "-t1", "-c1", f"-d{round(seconds)}s", "-s",
                               str(BENCH / "wrk-post.lua"), endpoint + "/"], check=True, capture_output=True, text=True).stdout
        upstream.send_signal(2)
        upstream.wait()
        requests = next(int(l.split()[0]) for l in text.splitlines() if "requests in" in l)
        rows = [l.split(",") for l in out.read().splitlines() if l and not l.startswith("#")]
        ngx = [l.split(",") for l in ng.read().splitlines() if l and not l.startswith("#")]
        tc = float(rows[0][0])
        cs = float(rows[1][0])
        return tc * 1000 / requests, cs / requests, float(ngx[0][0]) * 1000 / requests


def record(what, argv, cwd, cpu, out_svg: Path):
    """perf record + inferno: the flame graph, and the top leaf frames."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "perf.data"
        subprocess.run(["perf", "record", "-q", "-D", "700", "-F", "1999", "--call-graph", "dwarf,32768", "-o", str(data), "--",
                        "taskset", "-c", cpu, *argv], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        script = subprocess.run(["perf", "script", "-i", str(data)], check=True, capture_output=True, text=True).stdout
        folded = subprocess.run(["inferno-collapse-perf"], input=script, check=True, capture_output=True,
                                text=True).stdout
        svg = subprocess.run(["inferno-flamegraph", "--title", f"one sequential CheckSmsVerifyCode: {what}"],
                             input=folded, check=True, capture_output=True, text=True).stdout
        out_svg.write_text(svg)
        # The folded stacks (large) stay in bench/build, for --summarize.
        (BENCH / "build" / out_svg.with_suffix(".folded").name).write_text(folded)
    print(f"  {out_svg.relative_to(ROOT)}:")
    summarize(folded)


def summarize(folded: str) -> None:
    """Print the samples' shares by category and the top leaf-most frames."""
    leaves = collections.Counter()
    kinds = collections.Counter()
    threads = collections.Counter()
    total = 0
    for line in folded.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        leaves[frames[-1]] += int(count)
        kinds[category(frames)] += int(count)
        threads[frames[0]] += int(count)
        total += int(count)
    print(f"  {total} samples, by where they are:")
    for name, count in kinds.most_common():
        print(f"    {100 * count / total:5.1f} %  {name}")
    print("  by thread: " + ", ".join(f"{name} {100 * n / total:.1f} %" for name, n in threads.most_common(6)))
    print("  leaf-most frames:")
    for name, count in leaves.most_common(12):
        print(f"    {100 * count / total:5.1f} %  {name[:140]}")


# A kernel stack is counted under its system call; a user one under the leaf-most frame that
# matches (most specific first).
SYSCALLS = [
    ("futex", "kernel: futex (a thread waking or waiting for another)"),
    ("epoll", "kernel: epoll (waiting for the socket)"),
    ("send|write", "kernel: socket write (incl. loopback delivery to nginx)"),
    ("recv|read", "kernel: socket read"),
    ("sched_yield|nanosleep|clock_nanosleep", "kernel: sleep/yield"),
]
USER = [
    ("sha1::|sha2::|hmac::|smsauth::sign", "signing (smsauth::sign, SHA, HMAC)"),
    ("serde_json|serde::", "JSON"),
    ("malloc|free|realloc|calloc|tcache|_int_|cfree", "malloc/free"),
    ("memcpy|memmove|memset|memcmp", "memcpy/memset"),
    ("hyper|reqwest|http::|http_body|h2::|bytes::", "hyper + reqwest (request, pool, dispatch, parse)"),
    ("tokio::", "tokio (scheduler, timers, I/O driver)"),
    ("pyo3|smsauth_py|_smsauth", "pyo3 + the Python binding"),
    ("_PyEval|Py[A-Z_]|_Py|python3", "CPython interpreter"),
    ("napi::|smsauth_node|napi_", "napi + the Node binding"),
    ("uv_|libuv", "libuv (Node's event loop)"),
    ("v8::|node::|Builtins|LazyCompile|JS:|Interpreter|^~|\\.js", "V8 / Node (JavaScript)"),
    ("smsauth", "smsauth client (other)"),
]


def category(frames):
    import re

    if "do_syscall_64" in frames:
        i = frames.index("do_syscall_64")
        name = re.sub(r"^(__x64_sys_|__se_sys_|__do_sys_|do_|ksys_|__)", "", frames[i + 1]) if i + 1 < len(frames) else "?"
        for pattern, label in SYSCALLS:
            if re.search(pattern, name):
                return label
        return f"kernel: {name}"
    if any(re.match(r"(asm_|entry_|ret_from_fork|irq_|sysvec_)", f) for f in frames):
        return "kernel: other (interrupts, scheduler)"
    for frame in reversed(frames):
        for pattern, label in USER:
            if re.search(pattern, frame):
                return label
    return "other"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="*")
    ap.add_argument("--summarize", metavar="FOLDED", help="only summarize a folded perf profile (inferno)")
    ap.add_argument("--calls", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--suffix", default="", help="appended to the flame graph's name (e.g. -before)")
    ap.add_argument("--pin-upstream", default="0")
    ap.add_argument("--pin-client", default="1")
    a = ap.parse_args()
    if a.summarize:
        summarize(Path(a.summarize).read_text())
        return
    upstream = driver.Nginx(a.pin_upstream)
    try:
        ngx_workers = subprocess.run(["pgrep", "-P", str(upstream.proc.pid)], capture_output=True, text=True).stdout.split()
        # taskset execs nginx, whose master forks the one worker.
        nginx_pid = int(ngx_workers[0]) if ngx_workers else upstream.proc.pid
        for what in a.what:
            if what == "wrk":
                rows = [wrk_stat(upstream.endpoint, a.pin_client, nginx_pid) for _ in range(a.runs)]
                us, cs, ngx = (statistics.median(r[i] for r in rows) for i in range(3))
                print(f"{what}: {us:.1f} µs CPU/request ({min(r[0] for r in rows):.1f}–{max(r[0] for r in rows):.1f}), "
                      f"{cs:.2f} context switches/request, nginx {ngx:.1f} µs/request")
                continue
            per = []
            for _ in range(a.runs):
                argv1, cwd = command(what, upstream.endpoint, a.calls)
                argv2, _ = command(what, upstream.endpoint, 2 * a.calls)
                t1, c1, n1 = perf_stat(argv1, cwd, a.pin_client, nginx_pid)
                t2, c2, n2 = perf_stat(argv2, cwd, a.pin_client, nginx_pid)
                per.append(((t2 - t1) * 1000 / a.calls, (c2 - c1) / a.calls, (n2 - n1) * 1000 / a.calls))
            us, cs, ngx = (statistics.median(p[i] for p in per) for i in range(3))
            print(f"{what}: {us:.1f} µs CPU/call ({min(p[0] for p in per):.1f}–{max(p[0] for p in per):.1f}), "
                  f"{cs:.2f} context switches/call, nginx {ngx:.1f} µs/call", flush=True)
            if a.record:
                argv, cwd = command(what, upstream.endpoint, 2 * a.calls)
                name = {"py": "python", "reqwest": "floor-reqwest", "hyper": "floor-hyper"}.get(what, what)
                record(what, argv, cwd, a.pin_client, BENCH / "results" / f"profile-{name}{a.suffix}.svg")
    finally:
        upstream.stop()


if __name__ == "__main__":
    if not shutil.which("perf"):
        raise SystemExit("bench/profile.py needs perf (Debian: linux-perf)")
    main()
