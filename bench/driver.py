"""The measuring half of `bench/run` (which installs and builds first, then runs this in
bench/.venv): start ONE local upstream, measure every client over several rounds, and write
bench/results/{results.md,results.json,*.png}.

Every figure of a client comes from fresh worker processes (bench/python/worker.py,
bench/node/worker.js, the Rust and C binaries), one per client per round; clients take turns
within a round (the order rotates each round), so slow drift in the machine's load spreads
over all of them. A cell is the median of the rounds, with the min–max range next to it.

Honesty rules (issue #19): before the timed rounds every client makes a short verifying round
against the smsauth emulator, which checks every signature; nginx refuses any request without a
V3 `Authorization`; any error or wrong answer in any phase fails the run; a cell built from fewer
rounds says so; connections opened per client are counted (nginx `stub_status`); `--pin` puts
the upstream and the clients on separate cores; the medians are compared with the previous
committed `results.json` and a loss of more than 15 % is flagged.
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
# Sequential calls every worker makes before its timed phases (then, before the concurrency
# phase, CONCURRENCY calls at once so that every client has its connections open: one rule).
WARMUP = 200

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


# What nginx lets through: the shape of a V3 (ACS3-HMAC-SHA256) `Authorization` for the bench's
# key. It cannot check the signature (the verifying round against the emulator does); it proves
# that every timed request was V3-signed rather than sent bare.
V3_AUTH = r"^ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=[a-z0-9;-]+,Signature=[0-9a-f]{64}$"
REFUSED = '{"Code":"IncompleteSignature","Message":"bench nginx: no V3 Authorization header","RequestId":"bench"}'
STATUS_PATH = "/_bench/status"


def pin_prefix(cpus: Optional[str]) -> List[str]:
    """`taskset -c CPUS` in front of a command when pinning, else nothing."""
    return ["taskset", "-c", cpus] if cpus else []


class Nginx(Upstream):
    def __init__(self, cpus: Optional[str]) -> None:
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
    default_type "application/json;charset=utf-8";
    location = {STATUS_PATH} {{
      stub_status;
    }}
    location / {{
      if ($http_authorization !~ "{V3_AUTH}") {{
        return 401 '{REFUSED}';
      }}
      add_header x-acs-request-id C0FFEE00-0000-4000-8000-000000000001;
      return 200 '{CANNED}';
    }}
  }}
}}
"""
        )
        self.proc = subprocess.Popen(
            pin_prefix(cpus) + ["nginx", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        self.endpoint = f"http://127.0.0.1:{port}"
        self.version = sh("nginx", "-v").split("/")[-1]
        self.description = (
            f"nginx {self.version} (1 worker) answering every request that carries a V3 `Authorization` "
            "with a canned CheckSmsVerifyCode reply (`Code: OK`, `VerifyResult: UNKNOWN`) on 127.0.0.1, "
            "and any other with a 401"
        )
        self.short = f"nginx {self.version} with a canned reply"
        wait_ready(self.endpoint, self.proc)

    def counters(self) -> Optional[Dict[str, int]]:
        """nginx's accepted connections and requests so far (stub_status), this read included."""
        text = urllib.request.urlopen(self.endpoint + STATUS_PATH, timeout=5).read().decode()
        m = re.search(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s*$", text, re.M)
        if not m:
            raise RuntimeError(f"nginx stub_status said {text!r}")
        return {"connections": int(m.group(1)), "requests": int(m.group(3))}

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Emulator(Upstream):
    def __init__(self, reason: str, cpus: Optional[str] = None) -> None:
        self.kind = "emulator"
        code = (
            "import sys\nfrom smsauth.testing import Emulator\n"
            "emu = Emulator()\nprint(emu.endpoint, flush=True)\nsys.stdin.read()\n"
        )
        self.proc = subprocess.Popen(
            pin_prefix(cpus) + [VENV_PY, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent
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

    def counters(self) -> Optional[Dict[str, int]]:
        return None

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


class VerifyingEmulator:
    """The `smsauth emulator` CLI (release build): it verifies every signature, so a client whose
    signing is wrong fails the verifying round before anything is timed."""

    def __init__(self, cli: str, cpus: Optional[str]) -> None:
        self.proc = subprocess.Popen(
            pin_prefix(cpus) + [cli, "emulator", "--quiet", "--exit-on-stdin-eof", "--real-clock-signatures"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        try:
            self.endpoint = json.loads(line)["endpoint"]
        except (ValueError, KeyError):
            raise SystemExit(f"bench: the verifying emulator did not start ({line!r})") from None

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


def start_upstream(force_emulator: bool, cpus: Optional[str]) -> Upstream:
    if force_emulator:
        return Emulator("BENCH_UPSTREAM=emulator was set", cpus)
    if not shutil.which("nginx"):
        return Emulator("`nginx` is not installed and `apt-get install -y nginx` did not work", cpus)
    try:
        return Nginx(cpus)
    except (OSError, SystemExit) as exc:
        return Emulator(f"nginx did not start ({exc})", cpus)


# --------------------------------------------------------------------------------------------
# clients
# --------------------------------------------------------------------------------------------
class Client:
    """A measured client. `run(endpoint, seconds, warmup)` runs its worker once (all phases) and
    returns the worker's JSON; it raises on any error or wrong answer."""

    def __init__(
        self,
        key: str,
        label: str,
        run: Optional[Callable[[str, float, int], Dict[str, Any]]],
        import_cmd: Optional[List[str]],
        na: Dict[str, str],
        verifiable: bool = True,
    ) -> None:
        self.key, self.label, self.run, self.import_cmd, self.na = key, label, run, import_cmd, na
        self.verifiable = verifiable


# CPUs the client workers run on when pinning (`--pin`); set once by main().
CLIENT_CPUS: Optional[str] = None


def run_json(argv: List[str], cwd: Optional[Path] = None, timeout: float = 300,
             env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    argv = pin_prefix(CLIENT_CPUS) + argv
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, **env} if env else None)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} … exited with {p.returncode}: {p.stderr.strip()[-600:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def clients(args: argparse.Namespace) -> List[Client]:
    py_worker = str(BENCH / "python" / "worker.py")
    node_worker = str(BENCH / "node" / "worker.js")
    node_dir = BENCH / "node"
    conc = str(CONCURRENCY)
    lib = os.environ.get("SMSAUTH_LIBDIR", "")
    compiled = "linked at build time: nothing to import"
    # Python and Node read the warm-up count from the environment (their argv is positional).
    warm = lambda w: {"BENCH_WARMUP": str(w)}  # noqa: E731
    return [
        Client(
            "rust",
            "Rust `smsauth::Client` (async)",
            lambda ep, s, w: run_json([args.rust_bin, "--endpoint", ep, "--seconds", str(s), "--concurrency", conc,
                                       "--warmup", str(w)]),
            None,
            {"import_ms": compiled},
        ),
        Client(
            "c",
            "C `libsmsauth.so`",
            lambda ep, s, w: run_json([args.c_bin, ep, str(s), conc, str(w)]),
            [args.c_load_bin, os.path.join(lib, "libsmsauth.so")],
            {},
        ),
        Client(
            "py",
            "Python `smsauth`",
            lambda ep, s, w: run_json([VENV_PY, py_worker, "run", "smsauth", ep, str(s), conc], env=warm(w)),
            [VENV_PY, py_worker, "import", "smsauth"],
            {},
        ),
        Client(
            "py-official",
            "Python official SDK [a]",
            lambda ep, s, w: run_json([VENV_PY, py_worker, "run", "official", ep, str(s), conc], env=warm(w)),
            [VENV_PY, py_worker, "import", "official"],
            {},
        ),
        Client(
            "node",
            "Node `smsauth`",
            lambda ep, s, w: run_json(["node", node_worker, "run", "smsauth", ep, str(s), conc], cwd=node_dir,
                                      env=warm(w)),
            ["node", node_worker, "import", "smsauth"],
            {},
        ),
        Client(
            "node-official",
            "Node official SDK",
            lambda ep, s, w: run_json(["node", node_worker, "run", "official", ep, str(s), conc], cwd=node_dir,
                                      env=warm(w)),
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

    def run(ep: str, s: float, _warmup: int) -> Dict[str, Any]:
        secs = f"{max(1, round(s))}s"
        one = subprocess.run(
            pin_prefix(CLIENT_CPUS) + ["wrk", "-t1", "-c1", f"-d{secs}", "--latency", "-s", script, ep + "/"],
            capture_output=True, text=True, check=True,
        ).stdout
        many = subprocess.run(
            pin_prefix(CLIENT_CPUS) + ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{secs}", "-s", script, ep + "/"],
            capture_output=True, text=True, check=True,
        ).stdout
        out: Dict[str, Any] = {
            "seq": rate(one),
            "p50_ms": latency_ms(one, "50"),
            "p99_ms": latency_ms(one, "99"),
            "conc": rate(many),
        }
        bad = sum(int(b) for b in re.findall(r"Non-2xx or 3xx responses:\s*(\d+)", one + many))
        if bad:
            raise RuntimeError(f"wrk got {bad:,} non-2xx answers (is its Authorization still V3-shaped?)")
        return out

    na = "a load generator, not a client library"
    return Client(
        "wrk",
        "wrk (floor: no client library)",
        run,
        None,
        {"import_ms": na, "rss_mb": na, "sign": "sends one request with a fixed V3-shaped header over and over"},
        verifiable=False,
    )


# --------------------------------------------------------------------------------------------
# measuring
# --------------------------------------------------------------------------------------------
def median_of_processes(argv: List[str], runs: int, cwd: Optional[Path]) -> float:
    return statistics.median(run_json(argv, cwd=cwd)["import_ms"] for _ in range(runs))


def verify(all_clients: List[Client], cli: Optional[str], cpus: Optional[str]) -> Dict[str, str]:
    """The verifying round: every client's worker, all phases, briefly, against the emulator,
    which checks every signature. Any failure stops the run before anything is timed."""
    if not cli:
        raise SystemExit("bench: no smsauth CLI for the verifying round (bench/run builds it)")
    emu = VerifyingEmulator(cli, cpus)
    log(f"verifying round against the emulator at {emu.endpoint} (every signature checked)")
    verified: Dict[str, str] = {}
    try:
        for c in all_clients:
            if c.run is None or not c.verifiable:
                continue
            try:
                c.run(emu.endpoint, 0.2, 5)
            except Exception as exc:  # noqa: BLE001 - fatal, shown
                raise SystemExit(f"bench: {c.key} failed the verifying round against the emulator: {exc}") from None
            verified[c.key] = "ok"
            log(f"  {c.key:<14} verified")
    finally:
        emu.stop()
    return verified


def measure(all_clients: List[Client], upstream: Upstream, args: argparse.Namespace) -> Dict[str, Dict[str, Any]]:
    data: Dict[str, Dict[str, Any]] = {
        c.key: {"label": c.label, "rounds": {m[0]: [] for m in METRICS}, "errors": {}, "na": dict(c.na),
                "connections": [], "requests": []}
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
                except Exception as exc:  # noqa: BLE001 - recorded, shown, and fails the run
                    d["errors"]["import_ms"] = str(exc)[:300]
                    log(f"  {c.key}: import FAILED: {str(exc)[:300]}")
            if c.run is None:
                continue
            t = time.perf_counter()
            before = upstream.counters()
            try:
                out = c.run(upstream.endpoint, args.seconds, WARMUP)
            except Exception as exc:  # noqa: BLE001 - recorded, shown, and fails the run
                d["errors"]["run"] = str(exc)[:600]
                log(f"  {c.key}: FAILED: {str(exc)[:300]}")
                continue
            after = upstream.counters()
            if before and after:
                # Minus one: the `after` read's own connection and request.
                d["connections"].append(after["connections"] - before["connections"] - 1)
                d["requests"].append(after["requests"] - before["requests"] - 1)
            for key, value in out.items():
                if key in d["rounds"]:
                    if not isinstance(value, (int, float)) or value != value:  # None or NaN
                        d["errors"][key] = f"round {r + 1}: the worker gave no {key}"
                        continue
                    d["rounds"][key].append(value)
            brief = ", ".join(f"{k} {v:,.1f}" for k, v in out.items() if isinstance(v, (int, float)))
            conns = f", {d['connections'][-1]} connections" if before and after else ""
            log(f"  {c.key:<14} {brief}{conns}  ({time.perf_counter() - t:.1f} s)")
    for d in data.values():
        d["summary"] = {}
        for key, values in d["rounds"].items():
            if values:
                d["summary"][key] = {"median": statistics.median(values), "min": min(values), "max": max(values),
                                     "n": len(values)}
    return data


def previous_results() -> Optional[Dict[str, Any]]:
    """The last committed results.json (git HEAD), the baseline of the regression check."""
    try:
        p = subprocess.run(["git", "-C", str(ROOT), "show", "HEAD:bench/results/results.json"],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if p.returncode != 0:
        return None
    try:
        return json.loads(p.stdout)
    except ValueError:
        return None


# A client whose median falls more than this below the previous committed run is flagged.
REGRESSION = 0.15
COMPARED = [("seq", True), ("conc", True), ("sign", True), ("p50_ms", False)]


def compare(data: Dict[str, Dict[str, Any]], prev: Optional[Dict[str, Any]], upstream: str,
            pinned: bool) -> Dict[str, Any]:
    if not prev:
        return {"baseline": None, "flags": [], "note": "no committed bench/results/results.json to compare with"}
    base = prev.get("machine", {}).get("date", "?")
    if bool(prev.get("settings", {}).get("pin")) != pinned:
        base += " (pinned)" if not pinned else " (not pinned, unlike this run)"
    note = ""
    if prev.get("settings", {}).get("upstream") != upstream:
        note = f"the previous run used another upstream ({prev.get('settings', {}).get('upstream')}); not compared"
        return {"baseline": base, "flags": [], "note": note}
    flags = []
    for key, d in data.items():
        old = prev.get("clients", {}).get(key, {}).get("summary", {})
        for metric, higher in COMPARED:
            if metric not in d["summary"] or metric not in old or not old[metric]["median"]:
                continue
            new_v, old_v = d["summary"][metric]["median"], old[metric]["median"]
            change = new_v / old_v - 1 if higher else old_v / new_v - 1
            if change < -REGRESSION:
                flags.append({"client": key, "metric": metric, "previous": old_v, "now": new_v,
                              "change": round(change, 4)})
    return {"baseline": base, "flags": flags, "note": note}


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


def cell(d: Dict[str, Any], key: str, decimals: int, na_marks: Dict[str, int], rounds: int) -> str:
    s = d["summary"].get(key)
    if s is None:
        reason = d["na"].get(key) or d["errors"].get(key) or d["errors"].get("run") or "not measured"
        mark = na_marks.setdefault(reason, len(na_marks) + 1)
        return f"N/A [{mark}]"
    text = fmt(s["median"], decimals)
    if s["n"] > 1 and s["min"] != s["max"]:
        text += f" ({fmt(s['min'], decimals)}–{fmt(s['max'], decimals)})"
    if s["n"] < rounds:
        reason = d["errors"].get(key) or d["errors"].get("run") or "a round failed"
        mark = na_marks.setdefault(f"only {s['n']} of {rounds} rounds: {reason}", len(na_marks) + 1)
        text += f" **[{s['n']}/{rounds} rounds, {mark}]**"
    return text


def ratio_line(data: Dict[str, Dict[str, Any]], ours: str, theirs: str, lang: str) -> Optional[str]:
    if ours not in data or theirs not in data:
        return None
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
    def node_pkg(name: str) -> str:
        try:
            return json.loads((BENCH / "node" / "node_modules" / name / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            return "not installed"

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
        "smsauth": f"{py_ver('smsauth-sdk')} (git {commit}{' + uncommitted changes' if dirty else ''}), release builds",
        "official_python": f"alibabacloud-dypnsapi20170525 {py_ver('alibabacloud-dypnsapi20170525')}, "
        f"alibabacloud-tea-openapi {py_ver('alibabacloud-tea-openapi')}",
        "official_node": f"@alicloud/dypnsapi20170525 {node_pkg('@alicloud/dypnsapi20170525')}, "
        f"@alicloud/openapi-core {node_pkg('@alicloud/openapi-core')}",
    }


def connections_line(data: Dict[str, Dict[str, Any]]) -> Optional[str]:
    parts = []
    for d in data.values():
        if d.get("connections"):
            conns, reqs = statistics.median(d["connections"]), statistics.median(d["requests"])
            parts.append(f"{d['label']} {conns:,.0f} ({reqs / max(conns, 1):,.0f} requests each)")
    if not parts:
        return None
    return ("- **Connections opened** per worker run (median over the rounds; nginx `stub_status`, warm-up "
            "included): " + "; ".join(parts) + ".")


def comparison_lines(cmp: Dict[str, Any]) -> List[str]:
    if cmp.get("note") or not cmp.get("baseline"):
        return [f"- Against the previous committed run: {cmp.get('note') or 'none'}."]
    if not cmp["flags"]:
        return [f"- Against the previous committed run ({cmp['baseline']}): no client lost more than "
                f"{REGRESSION:.0%} on {', '.join(k for k, _ in COMPARED)}."]
    out = [f"- **Against the previous committed run ({cmp['baseline']}), more than {REGRESSION:.0%} worse:**"]
    for f in cmp["flags"]:
        out.append(f"  - {f['client']} {f['metric']}: {f['previous']:,.4g} → {f['now']:,.4g} ({f['change']:+.0%})")
    if any(f["client"] == "wrk" for f in cmp["flags"]):
        out.append("  - wrk, the floor, lost too: the machine changed (load, pinning), not only the code; "
                   "compare the ratios to wrk, or re-run on a quiet machine.")
    return out


def write_markdown(data: Dict[str, Dict[str, Any]], m: Dict[str, str], args: argparse.Namespace, wall: float,
                   cmp: Dict[str, Any]) -> str:
    na_marks: Dict[str, int] = {}
    head = "| client | " + " | ".join(t for _k, t, _u, _h, _d in METRICS) + " |"
    lines = [head, "|" + " --- |" + " ---: |" * len(METRICS)]
    for d in data.values():
        lines.append(f"| {d['label']} | "
                     + " | ".join(cell(d, k, dec, na_marks, args.rounds) for k, _t, _u, _h, dec in METRICS) + " |")
    table = "\n".join(lines)
    notes = [f"[{n}] {reason}" for reason, n in na_marks.items()]
    if "py-official" in data:
        notes.append(
            "[a] The official Python SDK's `_async` methods (darabonba-core) build a new aiohttp session and "
            "connector for every call, so each of its concurrent calls opens a new connection (see the "
            "connection counts below). That is the SDK's real behaviour, measured as it is; every other client "
            "keeps its HTTP/1.1 connections alive."
        )
    ratios = [x for x in (ratio_line(data, "py", "py-official", "Python"),
                          ratio_line(data, "node", "node-official", "Node")) if x]
    extra = [x for x in [connections_line(data)] if x] + comparison_lines(cmp)
    if args.pin:
        extra.append(f"- Pinned (`--pin`): the upstream on CPU {args.pin_upstream}, the clients (and wrk) on CPU "
                     f"{args.pin_clients}.")
    if args.quick:
        mode = "**Quick smoke run** (`bench/run --quick`): one short round, indicative only."
    else:
        mode = f"Full run (`bench/run`): {args.rounds} rounds."
    if args.only:
        mode += f" Only {', '.join(args.only)} (and wrk, the floor)."
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

- **Upstream**: {m['upstream']}. Every client talks plain HTTP/1.1 with keep-alive to it (except
  the official Python SDK's async path, note [a]); the official SDKs use their own
  `protocol: "http"` setting with `endpoint` = `127.0.0.1:PORT`.
- **Verifying round**: before anything is timed, every client runs all its phases briefly against
  the smsauth emulator, which verifies each signature; a refusal stops the run. nginx then
  refuses (401) any request without a V3 `Authorization`, so a client that stopped signing
  fails. wrk sends one fixed header of that shape (it cannot sign).
- **Call**: `CheckSmsVerifyCode(13800138000, "1234")`, V3 (ACS3-HMAC-SHA256) signed; every answer is
  checked (`Code` OK, `VerifyResult` UNKNOWN); a wrong answer or an error in any phase of any
  round fails the run (a cell built from fewer rounds says so).
- **import / require**: in a fresh process, the time to import what one call needs (Python:
  `import smsauth` vs the SDK's client and model modules; Node: `require('smsauth')` vs
  `@alicloud/dypnsapi20170525` + `@alicloud/openapi-core`; C: `dlopen("libsmsauth.so")`).
- **Rust** calls from a task on the client's runtime, as a server's request handler would; **C**
  calls the blocking `smsauth_check_code` (sequential) and `smsauth_check_code_async` (concurrent).
- **sequential**: one call at a time for {args.seconds:g} s after {WARMUP} warm-up calls; p50/p99 over
  every call of that phase (wrk: `-t1 -c1`, its latency distribution).
- **concurrency {CONCURRENCY}**: every client first makes {CONCURRENCY} calls at once (untimed, so its
  connections are open), then keeps {CONCURRENCY} calls in flight for {args.seconds:g} s — Rust: tasks;
  C: `smsauth_check_code_async` callbacks; Python: asyncio (`AsyncClient` / the SDK's `_async`
  methods); Node: `Promise.all` over {CONCURRENCY} loops; wrk: `-t2 -c{CONCURRENCY}` (wrk connects inside
  its own window: a floor at most a few connects lower).
- **peak RSS**: `VmHWM` of the worker process after all its phases (interpreter included).
- **signatures/s**: a sign-only loop signing the same call as the client does (the request built,
  and a fresh timestamp and nonce drawn, every iteration in every language). `smsauth`: its `sign` helper (Rust `sign::sign`, C `smsauth_sign`, Python
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
    global CLIENT_CPUS
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=3.0, help="seconds per throughput phase")
    p.add_argument("--import-runs", type=int, default=5, help="fresh processes per import figure per round")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", type=lambda v: [x for x in v.split(",") if x], default=None,
                   help="measure only these clients (rust,c,py,py-official,node,node-official); wrk always runs")
    p.add_argument("--pin", action="store_true", help="pin the upstream and the clients to separate CPUs")
    p.add_argument("--pin-upstream", default="0", help="CPU list for the upstream with --pin (default 0)")
    p.add_argument("--pin-clients", default=None, help="CPU list for the clients with --pin (default: the others)")
    p.add_argument("--fail-on-regression", action="store_true",
                   help=f"exit 3 when a client lost more than {REGRESSION:.0%} against the committed results.json")
    p.add_argument("--rust-bin", required=True)
    p.add_argument("--c-bin", default="")
    p.add_argument("--c-load-bin", default="")
    p.add_argument("--cli-bin", default="", help="the smsauth CLI, whose emulator the verifying round uses")
    args = p.parse_args()
    started = float(os.environ.get("BENCH_STARTED", time.time()))
    upstream_cpus = None
    if args.pin:
        if not shutil.which("taskset"):
            raise SystemExit("bench: --pin needs taskset (apt-get install -y util-linux)")
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            raise SystemExit("bench: --pin needs at least 2 CPUs")
        upstream_cpus = args.pin_upstream
        taken = {int(c) for c in upstream_cpus.split(",") if c.isdigit()}
        args.pin_clients = args.pin_clients or ",".join(str(c) for c in cpus if c not in taken)
        CLIENT_CPUS = args.pin_clients

    RESULTS.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally` that stops the upstream
    all_clients = clients(args)
    if args.only:
        unknown = set(args.only) - {c.key for c in all_clients}
        if unknown:
            raise SystemExit(f"bench: --only: unknown client {', '.join(sorted(unknown))}")
        all_clients = [c for c in all_clients if c.key in args.only]
    w = wrk_client(args.seconds)
    if w:
        all_clients.append(w)
    prev = previous_results()
    verified = verify(all_clients, args.cli_bin, upstream_cpus)
    upstream = start_upstream(os.environ.get("BENCH_UPSTREAM") == "emulator", upstream_cpus)
    log(f"upstream: {upstream.kind} at {upstream.endpoint}")
    print(f"upstream: {upstream.description}", flush=True)
    try:
        load_measure = loadavg()
        data = measure(all_clients, upstream, args)
    finally:
        upstream.stop()
    if not w:
        data["wrk"] = {"label": "wrk (floor)", "rounds": {}, "errors": {}, "summary": {},
                       "na": {k: "wrk is not installed (`apt-get install -y wrk` did not work)" for k, *_ in METRICS}}
    cmp = compare(data, prev, upstream.kind, args.pin)
    m = machine(args, upstream, load_measure)
    wall = time.time() - started
    md = write_markdown(data, m, args, wall, cmp)
    # A partial run (--only) never replaces the committed full results.
    stem = "results" if not args.only else "only-" + "-".join(args.only)
    (RESULTS / f"{stem}.md").write_text(md)
    (RESULTS / f"{stem}.json").write_text(
        json.dumps(
            {
                "settings": {"rounds": args.rounds, "seconds": args.seconds, "import_runs": args.import_runs,
                             "concurrency": CONCURRENCY, "warmup": WARMUP, "quick": args.quick,
                             "upstream": upstream.kind, "only": args.only,
                             "pin": {"upstream": upstream_cpus, "clients": CLIENT_CPUS} if args.pin else None},
                "machine": m,
                "wall_seconds": wall,
                "verified_against_emulator": verified,
                "comparison": cmp,
                "metrics": {k: {"title": t, "unit": u, "higher_is_better": h} for k, t, u, h, _d in METRICS},
                "clients": data,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    pngs = charts(data, RESULTS) if not args.only else []
    print(md)
    print(f"written: {', '.join(str((RESULTS / f).relative_to(ROOT)) for f in [stem + '.md', stem + '.json'] + pngs)}")
    failed = [k for k, d in data.items() if d["errors"]]
    if failed:
        print(f"bench: FAILED: errors in {', '.join(failed)} (see the N/A and round marks in {stem}.md)",
              file=sys.stderr)
        sys.exit(1)
    if cmp["flags"]:
        lost = ", ".join(f"{f['client']} {f['metric']} {f['change']:+.0%}" for f in cmp["flags"])
        print(f"bench: REGRESSION against the committed results.json: {lost}", file=sys.stderr)
        if args.fail_on_regression:
            sys.exit(3)


if __name__ == "__main__":
    main()
