"""The measuring half of `bench/run` (which installs and builds first, then runs this in
bench/.venv): start ONE local upstream, measure every client over several rounds, and write
bench/results/{results.md,results.json,*.png}.

Every figure of a client comes from fresh worker processes (bench/python/worker.py,
bench/node/worker.js, the Rust and C binaries), one per client per round; clients take turns
within a round (the order rotates each round), so slow drift in the machine's load spreads
over all of them. A cell is the median of the rounds, with the min–max range next to it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BUILD = BENCH / "build"
RESULTS = BENCH / "results"
VENV_PY = sys.executable
CONCURRENCY = 64

# The canned answer (nginx): what the service says to a CheckSmsVerifyCode with a wrong code.
CANNED = (
    '{"AccessDeniedDetail":"","Code":"OK","Message":"OK",'
    '"Model":{"OutId":"","VerifyResult":"UNKNOWN"},'
    '"RequestId":"C0FFEE00-0000-4000-8000-000000000001","Success":true}'
)

METRICS = [
    # key, column title, unit, higher is better, decimals
    ("import_ms", "import / require (ms)", "ms", False, 1),
    ("seq", "sequential calls/s", "calls/s", True, 0),
    ("p50_ms", "p50 latency (ms)", "ms", False, 3),
    ("p99_ms", "p99 latency (ms)", "ms", False, 3),
    ("conc", f"concurrency {CONCURRENCY} calls/s", "calls/s", True, 0),
    ("rss_mb", "peak RSS (MB)", "MB", False, 1),
    ("sign", "signatures/s", "sign/s", True, 0),
]


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def sh(*argv: str) -> str:
    """First line of a command's output (stdout or stderr), or '' if it cannot run."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    out = (p.stdout or p.stderr).strip().splitlines()
    return out[0].strip() if out else ""


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --------------------------------------------------------------------------------------------
# the upstream
# --------------------------------------------------------------------------------------------
class Upstream:
    kind: str
    short: str
    description: str
    endpoint: str

    def stop(self) -> None:
        raise NotImplementedError


class Nginx(Upstream):
    def __init__(self) -> None:
        self.kind = "nginx"
        prefix = BUILD / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        port = free_port()
        conf = prefix / "nginx.conf"
        # One worker: the clients need the other core. Keep-alive for as long as a run lasts.
        conf.write_text(
            f"""worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      default_type "application/json;charset=utf-8";
      add_header x-acs-request-id C0FFEE00-0000-4000-8000-000000000001;
      return 200 '{CANNED}';
    }}
  }}
}}
"""
        )
        self.proc = subprocess.Popen(
            ["nginx", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        self.endpoint = f"http://127.0.0.1:{port}"
        self.version = sh("nginx", "-v").split("/")[-1]
        self.description = (
            f"nginx {self.version} (1 worker) answering every request with a canned CheckSmsVerifyCode "
            "reply (`Code: OK`, `VerifyResult: UNKNOWN`) on 127.0.0.1"
        )
        self.short = f"nginx {self.version} with a canned reply"
        wait_ready(self.endpoint, self.proc)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Emulator(Upstream):
    def __init__(self, reason: str) -> None:
        self.kind = "emulator"
        code = (
            "import sys\nfrom smsauth.testing import Emulator\n"
            "emu = Emulator()\nprint(emu.endpoint, flush=True)\nsys.stdin.read()\n"
        )
        self.proc = subprocess.Popen(
            [VENV_PY, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent
        )
        assert self.proc.stdout is not None
        self.endpoint = self.proc.stdout.readline().strip()
        if not self.endpoint.startswith("http://"):
            raise SystemExit(f"bench: the emulator did not start ({self.endpoint!r})")
        self.description = (
            f"the smsauth emulator (release build, its own process, every signature verified) on 127.0.0.1 "
            f"— nginx was not available: {reason}"
        )
        self.short = "the smsauth emulator (nginx was not available)"
        wait_ready(self.endpoint, self.proc)

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


def die_with_parent() -> None:
    """In the upstream's child process: get SIGTERM when the driver dies, however it dies."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(endpoint: str, proc: "subprocess.Popen[Any]") -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise SystemExit(f"bench: the upstream exited with {proc.returncode}")
        try:
            urllib.request.urlopen(urllib.request.Request(endpoint + "/", method="POST", data=b""), timeout=1).read()
            return
        except urllib.error.HTTPError:
            return  # it answers (the emulator refuses an unsigned request)
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: the upstream at {endpoint} did not answer")


def start_upstream(force_emulator: bool) -> Upstream:
    if force_emulator:
        return Emulator("BENCH_UPSTREAM=emulator was set")
    if not shutil.which("nginx"):
        return Emulator("`nginx` is not installed and `apt-get install -y nginx` did not work")
    try:
        return Nginx()
    except (OSError, SystemExit) as exc:
        return Emulator(f"nginx did not start ({exc})")


# --------------------------------------------------------------------------------------------
# clients
# --------------------------------------------------------------------------------------------
class Client:
    def __init__(
        self,
        key: str,
        label: str,
        run: Optional[Callable[[str, float], Dict[str, Any]]],
        import_cmd: Optional[List[str]],
        na: Dict[str, str],
    ) -> None:
        self.key, self.label, self.run, self.import_cmd, self.na = key, label, run, import_cmd, na


def run_json(argv: List[str], cwd: Optional[Path] = None, timeout: float = 300) -> Dict[str, Any]:
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} … exited with {p.returncode}: {p.stderr.strip()[-600:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def clients(args: argparse.Namespace) -> List[Client]:
    py_worker = str(BENCH / "python" / "worker.py")
    node_worker = str(BENCH / "node" / "worker.js")
    node_dir = BENCH / "node"
    conc = str(CONCURRENCY)
    lib = os.environ["SMSAUTH_LIBDIR"]
    compiled = "linked at build time: nothing to import"
    return [
        Client(
            "rust",
            "Rust `smsauth::Client` (async)",
            lambda ep, s: run_json([args.rust_bin, "--endpoint", ep, "--seconds", str(s), "--concurrency", conc]),
            None,
            {"import_ms": compiled},
        ),
        Client(
            "c",
            "C `libsmsauth.so`",
            lambda ep, s: run_json([args.c_bin, ep, str(s), conc]),
            [args.c_load_bin, os.path.join(lib, "libsmsauth.so")],
            {},
        ),
        Client(
            "py",
            "Python `smsauth`",
            lambda ep, s: run_json([VENV_PY, py_worker, "run", "smsauth", ep, str(s), conc]),
            [VENV_PY, py_worker, "import", "smsauth"],
            {},
        ),
        Client(
            "py-official",
            "Python official SDK",
            lambda ep, s: run_json([VENV_PY, py_worker, "run", "official", ep, str(s), conc]),
            [VENV_PY, py_worker, "import", "official"],
            {},
        ),
        Client(
            "node",
            "Node `smsauth`",
            lambda ep, s: run_json(["node", node_worker, "run", "smsauth", ep, str(s), conc], cwd=node_dir),
            ["node", node_worker, "import", "smsauth"],
            {},
        ),
        Client(
            "node-official",
            "Node official SDK",
            lambda ep, s: run_json(["node", node_worker, "run", "official", ep, str(s), conc], cwd=node_dir),
            ["node", node_worker, "import", "official"],
            {},
        ),
    ]


def wrk_client(seconds_hint: float) -> Optional[Client]:
    if not shutil.which("wrk"):
        return None
    script = str(BENCH / "wrk-post.lua")

    def latency_ms(text: str, pct: str) -> Optional[float]:
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if not m:
            return None
        return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]

    def rate(text: str) -> float:
        m = re.search(r"^Requests/sec:\s*([\d.]+)", text, re.M)
        if not m:
            raise RuntimeError(f"wrk printed no Requests/sec:\n{text}")
        return float(m.group(1))

    def run(ep: str, s: float) -> Dict[str, Any]:
        secs = f"{max(1, round(s))}s"
        one = subprocess.run(
            ["wrk", "-t1", "-c1", f"-d{secs}", "--latency", "-s", script, ep + "/"],
            capture_output=True, text=True, check=True,
        ).stdout
        many = subprocess.run(
            ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{secs}", "-s", script, ep + "/"],
            capture_output=True, text=True, check=True,
        ).stdout
        out: Dict[str, Any] = {
            "seq": rate(one),
            "p50_ms": latency_ms(one, "50"),
            "p99_ms": latency_ms(one, "99"),
            "conc": rate(many),
        }
        bad = re.findall(r"Non-2xx or 3xx responses:\s*(\d+)", one + many)
        if bad:
            out["non_2xx"] = sum(int(b) for b in bad)
        return out

    na = "a load generator, not a client library"
    return Client(
        "wrk",
        "wrk (floor: no client library)",
        run,
        None,
        {"import_ms": na, "rss_mb": na, "sign": "sends one unsigned request over and over"},
    )


# --------------------------------------------------------------------------------------------
# measuring
# --------------------------------------------------------------------------------------------
def median_of_processes(argv: List[str], runs: int, cwd: Optional[Path]) -> float:
    return statistics.median(run_json(argv, cwd=cwd)["import_ms"] for _ in range(runs))


def measure(all_clients: List[Client], upstream: Upstream, args: argparse.Namespace) -> Dict[str, Dict[str, Any]]:
    data: Dict[str, Dict[str, Any]] = {
        c.key: {"label": c.label, "rounds": {m[0]: [] for m in METRICS}, "errors": {}, "na": dict(c.na)}
        for c in all_clients
    }
    for r in range(args.rounds):
        order = all_clients[r % len(all_clients):] + all_clients[: r % len(all_clients)]
        log(f"round {r + 1}/{args.rounds} (load average {loadavg()})")
        for c in order:
            d = data[c.key]
            if c.import_cmd:
                cwd = BENCH / "node" if c.import_cmd[0] == "node" else None
                try:
                    d["rounds"]["import_ms"].append(median_of_processes(c.import_cmd, args.import_runs, cwd))
                except Exception as exc:  # noqa: BLE001 - recorded and shown
                    d["errors"]["import_ms"] = str(exc)[:300]
            if c.run is None:
                continue
            t = time.perf_counter()
            try:
                out = c.run(upstream.endpoint, args.seconds)
            except Exception as exc:  # noqa: BLE001 - recorded and shown
                d["errors"]["run"] = str(exc)[:600]
                log(f"  {c.key}: FAILED: {str(exc)[:300]}")
                continue
            for key, value in out.items():
                if key in d["rounds"] and value is not None:
                    d["rounds"][key].append(value)
            for key, err in out.get("errors", {}).items():
                d["errors"][key] = err
            if "non_2xx" in out:
                d["non_2xx"] = d.get("non_2xx", 0) + out["non_2xx"]
            brief = ", ".join(f"{k} {v:,.1f}" for k, v in out.items() if isinstance(v, (int, float)))
            log(f"  {c.key:<14} {brief}  ({time.perf_counter() - t:.1f} s)")
    for d in data.values():
        d["summary"] = {}
        for key, values in d["rounds"].items():
            if values:
                d["summary"][key] = {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}
    return data


# --------------------------------------------------------------------------------------------
# reporting
# --------------------------------------------------------------------------------------------
def fmt(v: float, decimals: int) -> str:
    if decimals == 0:
        return f"{v:,.0f}"
    if decimals == 3 and v >= 10:
        return f"{v:,.1f}"
    if decimals == 3 and v >= 1:
        return f"{v:,.2f}"
    return f"{v:,.{decimals}f}"


def cell(d: Dict[str, Any], key: str, decimals: int, na_marks: Dict[str, int]) -> str:
    s = d["summary"].get(key)
    if s is None:
        reason = d["na"].get(key) or d["errors"].get(key) or d["errors"].get("run") or "not measured"
        mark = na_marks.setdefault(reason, len(na_marks) + 1)
        return f"N/A [{mark}]"
    if s["n"] == 1 or s["min"] == s["max"]:
        return fmt(s["median"], decimals)
    return f"{fmt(s['median'], decimals)} ({fmt(s['min'], decimals)}–{fmt(s['max'], decimals)})"


def ratio_line(data: Dict[str, Dict[str, Any]], ours: str, theirs: str, lang: str) -> Optional[str]:
    a, b = data[ours]["summary"], data[theirs]["summary"]
    parts = []
    for key, title, _unit, higher, _d in METRICS:
        if key in a and key in b and a[key]["median"] and b[key]["median"]:
            x = a[key]["median"] / b[key]["median"] if higher else b[key]["median"] / a[key]["median"]
            word = {"import_ms": "faster import", "p50_ms": "lower p50", "p99_ms": "lower p99", "rss_mb": "less memory"}
            parts.append(f"{x:.1f}× {word.get(key, title)}" if not higher else f"{x:.1f}× the {title}")
    return f"- **{lang}**: `smsauth` vs the official SDK: " + "; ".join(parts) + "." if parts else None


def machine(args: argparse.Namespace, upstream: Upstream, load_measure: str) -> Dict[str, str]:
    cpu = next(
        (l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
    os_name = "unknown"
    if Path("/etc/os-release").exists():
        m = re.search(r'^PRETTY_NAME="?([^"\n]*)', Path("/etc/os-release").read_text(), re.M)
        os_name = m.group(1) if m else os_name
    node_pkg = lambda name: json.loads((BENCH / "node" / "node_modules" / name / "package.json").read_text())["version"]  # noqa: E731
    py_ver = lambda name: sh(VENV_PY, "-c", f"import importlib.metadata as m; print(m.version('{name}'))")  # noqa: E731
    commit = sh("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD")
    dirty = sh("git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "os": os_name,
        "kernel": f"{platform.system()} {platform.release()} {platform.machine()}",
        "load_start": os.environ.get("BENCH_LOAD_START", "?"),
        "load_measure": load_measure,
        "load_end": loadavg(),
        "upstream": upstream.description,
        "upstream_short": upstream.short,
        "rustc": sh("rustc", "-V"),
        "gcc": sh("gcc", "--version"),
        "python": sh(VENV_PY, "-VV"),
        "node": sh("node", "--version"),
        "wrk": sh("wrk", "-v") or "not installed",
        "smsauth": f"{py_ver('smsauth')} (git {commit}{' + uncommitted changes' if dirty else ''}), release builds",
        "official_python": f"alibabacloud-dypnsapi20170525 {py_ver('alibabacloud-dypnsapi20170525')}, "
        f"alibabacloud-tea-openapi {py_ver('alibabacloud-tea-openapi')}",
        "official_node": f"@alicloud/dypnsapi20170525 {node_pkg('@alicloud/dypnsapi20170525')}, "
        f"@alicloud/openapi-core {node_pkg('@alicloud/openapi-core')}",
    }


def write_markdown(data: Dict[str, Dict[str, Any]], m: Dict[str, str], args: argparse.Namespace, wall: float) -> str:
    na_marks: Dict[str, int] = {}
    head = "| client | " + " | ".join(t for _k, t, _u, _h, _d in METRICS) + " |"
    lines = [head, "|" + " --- |" + " ---: |" * len(METRICS)]
    for d in data.values():
        lines.append(f"| {d['label']} | " + " | ".join(cell(d, k, dec, na_marks) for k, _t, _u, _h, dec in METRICS) + " |")
    table = "\n".join(lines)
    notes = [f"[{n}] {reason}" for reason, n in na_marks.items()]
    ratios = [x for x in (ratio_line(data, "py", "py-official", "Python"), ratio_line(data, "node", "node-official", "Node")) if x]
    extra = []
    if data.get("wrk", {}).get("non_2xx"):
        extra.append(f"- wrk got {data['wrk']['non_2xx']:,} non-2xx answers (its requests are unsigned).")
    if args.quick:
        mode = "**Quick smoke run** (`bench/run --quick`): one short round, indicative only."
    else:
        mode = f"Full run (`bench/run`): {args.rounds} rounds."
    md = f"""# smsauth vs the official SDKs — benchmark

{mode} {m['date']}; {args.seconds:g} s per throughput phase; import time = median of
{args.import_runs} fresh processes per round. Each cell is the **median over the rounds
(min–max)**. Wall time of `bench/run`, builds included: {wall / 60:.1f} min. Upstream: {m['upstream_short']}.

{table}

{chr(10).join(notes)}

{chr(10).join(ratios + extra)}

Charts: `throughput.png`, `latency.png`, `import.png`, `memory.png`, `signing.png` (bars are
medians, whiskers the min–max over the rounds). Raw per-round values: `results.json`.

## What is measured

- **Upstream**: {m['upstream']}. Every client talks plain HTTP/1.1 with keep-alive to it; the
  official SDKs use their own `protocol: "http"` setting with `endpoint` = `127.0.0.1:PORT`.
- **Call**: `CheckSmsVerifyCode(13800138000, "1234")`, V3 (ACS3-HMAC-SHA256) signed; every answer is
  checked (`Code` OK, `VerifyResult` UNKNOWN), and a wrong answer fails the run.
- **import / require**: in a fresh process, the time to import what one call needs (Python:
  `import smsauth` vs the SDK's client and model modules; Node: `require('smsauth')` vs
  `@alicloud/dypnsapi20170525` + `@alicloud/openapi-core`; C: `dlopen("libsmsauth.so")`).
- **Rust** calls from a task on the client's runtime, as a server's request handler would; **C**
  calls the blocking `smsauth_check_code` (sequential) and `smsauth_check_code_async` (concurrent).
- **sequential**: one call at a time for {args.seconds:g} s after 200 warm-up calls; p50/p99 over
  every call of that phase (wrk: `-t1 -c1`, its latency distribution).
- **concurrency {CONCURRENCY}**: {CONCURRENCY} calls in flight for {args.seconds:g} s — Rust: tasks;
  C: `smsauth_check_code_async` callbacks; Python: asyncio (`AsyncClient` / the SDK's `_async`
  methods); Node: `Promise.all` over {CONCURRENCY} loops; wrk: `-t2 -c{CONCURRENCY}`.
- **peak RSS**: `VmHWM` of the worker process after all its phases (interpreter included).
- **signatures/s**: a sign-only loop signing the same call as the client does (fresh timestamp and
  nonce each time). `smsauth`: its `sign` helper (Rust `sign::sign`, C `smsauth_sign`, Python
  `smsauth.sign`, Node `sign`); official SDKs: the same steps as their request code (x-acs-*
  headers, payload hash, `get_authorization` / `getAuthorization` of `alibabacloud_tea_openapi` /
  `@alicloud/openapi-core`), called through their public utility classes.
- The clients and the upstream share the machine ({m['cores']} cores); the load generator and the
  server compete for CPU, so concurrency figures are the machine's, not the library's alone.

## Machine

| | |
| --- | --- |
| CPU | {m['cpu']} |
| cores | {m['cores']} |
| RAM | {m['ram']} |
| OS | {m['os']} |
| kernel | {m['kernel']} |
| load average (1/5/15 min) | {m['load_start']} at the start of `bench/run`; {m['load_measure']} when measuring began; {m['load_end']} at the end |
| rustc | {m['rustc']} |
| gcc | {m['gcc']} |
| Python | {m['python']} |
| Node | {m['node']} |
| wrk | {m['wrk']} |
| smsauth | {m['smsauth']} |
| official Python SDK | {m['official_python']} |
| official Node SDK | {m['official_node']} |
"""
    return md


def charts(data: Dict[str, Dict[str, Any]], out: Path) -> List[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"rust": "#b7410e", "c": "#555555", "py": "#3776ab", "py-official": "#9fc2e0",
              "node": "#3c873a", "node-official": "#a8d5a2", "wrk": "#cccccc"}
    written = []

    def bars(name: str, title: str, groups: List[tuple], ylabel: str, log: bool) -> None:
        keys = [k for k in data if any(g[0] in data[k]["summary"] for g in groups)]
        if not keys:
            return
        fig, ax = plt.subplots(figsize=(10, 5.2), dpi=110)
        width = 0.8 / len(groups)
        for gi, (metric, glabel, hatch) in enumerate(groups):
            for i, k in enumerate(keys):
                s = data[k]["summary"].get(metric)
                if not s:
                    continue
                x = i + (gi - (len(groups) - 1) / 2) * width
                ax.bar(x, s["median"], width * 0.92, color=colors.get(k, "#888"), hatch=hatch, edgecolor="black",
                       linewidth=0.5, label=glabel if i == 0 else None)
                ax.errorbar(x, s["median"], yerr=[[s["median"] - s["min"]], [s["max"] - s["median"]]], fmt="none",
                            ecolor="black", capsize=3, linewidth=0.8)
                v = s["median"]
                ax.annotate(f"{v:,.0f}" if v >= 100 else f"{v:.2g}" if v < 1 else f"{v:.1f}", (x, s["max"]),
                            textcoords="offset points", xytext=(0, 3), ha="center", fontsize=7)
        ax.set_xticks(range(len(keys)))
        ax.set_xticklabels([data[k]["label"].replace(" (", "\n(").replace("`", "") for k in keys], fontsize=8)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if log:
            ax.set_yscale("log")
        if len(groups) > 1:
            ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        fig.savefig(out / name)
        plt.close(fig)
        written.append(name)

    bars("throughput.png", "CheckSmsVerifyCode calls/s (higher is better)",
         [("seq", "sequential", ""), ("conc", f"concurrency {CONCURRENCY}", "//")], "calls/s (log scale)", True)
    bars("latency.png", "Sequential call latency (lower is better)",
         [("p50_ms", "p50", ""), ("p99_ms", "p99", "//")], "ms (log scale)", True)
    bars("import.png", "Import / require time in a fresh process (lower is better)", [("import_ms", "import", "")],
         "ms (log scale)", True)
    bars("memory.png", "Peak RSS of the worker process (lower is better)", [("rss_mb", "peak RSS", "")], "MB", False)
    bars("signing.png", "Signatures/s, sign-only loop (higher is better)", [("sign", "signatures/s", "")],
         "signatures/s (log scale)", True)
    return written


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=3.0, help="seconds per throughput phase")
    p.add_argument("--import-runs", type=int, default=5, help="fresh processes per import figure per round")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rust-bin", required=True)
    p.add_argument("--c-bin", required=True)
    p.add_argument("--c-load-bin", required=True)
    args = p.parse_args()
    started = float(os.environ.get("BENCH_STARTED", time.time()))

    RESULTS.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally` that stops the upstream
    upstream = start_upstream(os.environ.get("BENCH_UPSTREAM") == "emulator")
    log(f"upstream: {upstream.kind} at {upstream.endpoint}")
    print(f"upstream: {upstream.description}", flush=True)
    try:
        all_clients = clients(args)
        w = wrk_client(args.seconds)
        if w:
            all_clients.append(w)
        load_measure = loadavg()
        data = measure(all_clients, upstream, args)
    finally:
        upstream.stop()
    if not w:
        data["wrk"] = {"label": "wrk (floor)", "rounds": {}, "errors": {}, "summary": {},
                       "na": {k: "wrk is not installed (`apt-get install -y wrk` did not work)" for k, *_ in METRICS}}
    m = machine(args, upstream, load_measure)
    wall = time.time() - started
    md = write_markdown(data, m, args, wall)
    (RESULTS / "results.md").write_text(md)
    (RESULTS / "results.json").write_text(
        json.dumps(
            {
                "settings": {"rounds": args.rounds, "seconds": args.seconds, "import_runs": args.import_runs,
                             "concurrency": CONCURRENCY, "quick": args.quick, "upstream": upstream.kind},
                "machine": m,
                "wall_seconds": wall,
                "metrics": {k: {"title": t, "unit": u, "higher_is_better": h} for k, t, u, h, _d in METRICS},
                "clients": data,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    pngs = charts(data, RESULTS)
    print(md)
    print(f"written: {', '.join(str((RESULTS / f).relative_to(ROOT)) for f in ['results.md', 'results.json'] + pngs)}")
    failed = [k for k, d in data.items() if "run" in d["errors"]]
    if failed:
        print(f"bench: these clients failed: {', '.join(failed)} (see results.md)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
