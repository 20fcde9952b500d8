"""Benchmark: smsauth vs the official alibabacloud-dypnsapi20170525 SDK, in one run, against the
same local upstream in its own process: by default a canned-reply server (canned_server.py),
or with `--upstream emulator` the smsauth emulator (every signature verified; note that it
refuses the official SDK's *asyncio* requests, which send an unsigned `content-type`).

    python bench.py [--duration 3] [--upstream canned|emulator] [--out results.md]

Each library runs in its own fresh process (so peak RSS is its own); import time is the median
wall time of `python -c "import …"` processes. Calls are CheckSmsVerifyCode (a wrong code: the
service answers OK / UNKNOWN, so every call is a full signed round trip with no rate limit).
This is a measurement script, not a test: it fails only if a call fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Dict, List

PHONE = "13800138000"
UPSTREAM = {
    "canned": "canned-reply HTTP/1.1 server (bench/python/canned_server.py, separate process)",
    "emulator": "smsauth emulator (separate process, every signature verified)",
}
IMPORTS = {
    "smsauth": "import smsauth",
    "official": (
        "from alibabacloud_dypnsapi20170525.client import Client;"
        "from alibabacloud_tea_openapi import models;"
        "from alibabacloud_dypnsapi20170525 import models;"
        "from alibabacloud_tea_util import models"
    ),
}


# --------------------------------------------------------------------------------------------
# worker: one library, one process
# --------------------------------------------------------------------------------------------
def _ours(endpoint: str):
    import smsauth

    client = smsauth.Client("testid", "testsecret", endpoint=endpoint)
    aclient = smsauth.AsyncClient("testid", "testsecret", endpoint=endpoint)

    def call() -> None:
        r = client.check_code(PHONE, "1234")
        if r.verify_result != "UNKNOWN":
            raise AssertionError(r)

    async def acall() -> None:
        r = await aclient.check_code(PHONE, "1234")
        if r.verify_result != "UNKNOWN":
            raise AssertionError(r)

    return call, acall


def _official(endpoint: str):
    from alibabacloud_dypnsapi20170525 import models as dypns_models
    from alibabacloud_dypnsapi20170525.client import Client
    from alibabacloud_tea_openapi import models as open_api_models
    from alibabacloud_tea_util import models as util_models

    host = endpoint.split("://", 1)[1]
    config = open_api_models.Config(access_key_id="testid", access_key_secret="testsecret")
    config.endpoint = host
    config.protocol = "http"
    client = Client(config)
    runtime = util_models.RuntimeOptions()

    def check(resp: Any) -> None:
        # The official SDK returns business failures as successes: look inside.
        if resp.status_code != 200 or resp.body.code != "OK" or resp.body.model.verify_result != "UNKNOWN":
            raise AssertionError(resp.body)

    def call() -> None:
        req = dypns_models.CheckSmsVerifyCodeRequest(phone_number=PHONE, verify_code="1234")
        check(client.check_sms_verify_code_with_options(req, runtime))

    async def acall() -> None:
        req = dypns_models.CheckSmsVerifyCodeRequest(phone_number=PHONE, verify_code="1234")
        check(await client.check_sms_verify_code_with_options_async(req, runtime))

    return call, acall


def _peak_rss_mb() -> float:
    """Peak resident set of this process (VmHWM). Not ru_maxrss: after fork + exec that starts
    from the *parent's* size, which would credit the driver's memory to a small child."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sequential(call: Callable[[], None], duration: float) -> float:
    n = 0
    start = time.perf_counter()
    deadline = start + duration
    while True:
        call()
        n += 1
        if n % 16 == 0 and time.perf_counter() >= deadline:
            break
    return n / (time.perf_counter() - start)


def _threads(call: Callable[[], None], duration: float, threads: int = 8) -> float:
    counts = [0] * threads
    errors: List[BaseException] = []
    barrier = threading.Barrier(threads + 1)

    def worker(i: int) -> None:
        barrier.wait()
        deadline = time.perf_counter() + duration
        try:
            while time.perf_counter() < deadline:
                call()
                counts[i] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return sum(counts) / elapsed


def _asyncio(acall: Callable[[], Any], duration: float, concurrency: int = 64) -> float:
    async def main() -> float:
        count = 0

        async def worker(deadline: float) -> None:
            nonlocal count
            while time.perf_counter() < deadline:
                await acall()
                count += 1

        # warm-up: open connections
        await asyncio.gather(*(acall() for _ in range(concurrency)))
        start = time.perf_counter()
        await asyncio.gather(*(worker(start + duration) for _ in range(concurrency)))
        return count / (time.perf_counter() - start)

    return asyncio.run(main())


def worker(lib: str, endpoint: str, duration: float) -> Dict[str, Any]:
    call, acall = (_ours if lib == "smsauth" else _official)(endpoint)
    for _ in range(200):  # warm-up
        call()
    result: Dict[str, Any] = {
        "sequential": _sequential(call, duration),
        "threads8": _threads(call, duration),
    }
    try:
        result["asyncio64"] = _asyncio(acall, duration)
    except Exception as exc:  # noqa: BLE001 - reported in the table (the emulator refuses the
        # official SDK's asyncio requests: they carry an unsigned content-type)
        result["asyncio64"] = float("nan")
        result["errors"] = {"asyncio64": f"{type(exc).__name__}: {exc}"[:160]}
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------
def _median_wall(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _import_rss(code: str) -> float:
    # Inline (importing this module would add asyncio, subprocess … to the measurement).
    probe = "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0])"
    out = subprocess.run([sys.executable, "-c", f"{code}\n{probe}"], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[-1]) / 1024


def _start_upstream(kind: str) -> "tuple[subprocess.Popen[str], str]":
    # In its own process: the benchmarked clients share nothing with it but loopback.
    if kind == "emulator":
        # The emulator (crate smsauth-emulator, release build from the smsauth wheel), server mode.
        code = (
            "import sys; from smsauth.testing import Emulator\n"
            "emu = Emulator()\n"
            "print(emu.endpoint, flush=True)\n"
            "sys.stdin.read()\n"
        )
        argv = [sys.executable, "-c", code]
    else:
        argv = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "canned_server.py")]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    endpoint = proc.stdout.readline().strip()
    if not endpoint.startswith("http://"):
        raise SystemExit(f"the {kind} upstream did not start: {endpoint!r}")
    return proc, endpoint


def _fmt(x: float, unit: str = "") -> str:
    if unit == "ms":
        return f"{x * 1000:.1f} ms"
    if unit == "MB":
        return f"{x:.1f} MB"
    return f"{x:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per throughput measurement")
    parser.add_argument("--import-runs", type=int, default=15)
    parser.add_argument("--out", default=None, help="also write the Markdown table here")
    parser.add_argument("--upstream", choices=["canned", "emulator"], default="canned")
    parser.add_argument("--worker", choices=sorted(IMPORTS), help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.endpoint, args.duration)))
        return

    bare = _median_wall("pass", args.import_runs)
    harness_rss = _import_rss("import argparse, asyncio, json, os, resource, statistics, subprocess, sys, threading")
    results: Dict[str, Dict[str, Any]] = {}
    for lib, code in IMPORTS.items():
        wall = _median_wall(code, args.import_runs)
        results[lib] = {"import_wall": wall, "import_cost": wall - bare, "import_rss_mb": _import_rss(code)}

    emulator, endpoint = _start_upstream(args.upstream)
    try:
        for lib in IMPORTS:
            out = subprocess.run(
                [sys.executable, __file__, "--worker", lib, "--endpoint", endpoint, "--duration", str(args.duration)],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            ).stdout
            results[lib].update(json.loads(out.strip().splitlines()[-1]))
    finally:
        assert emulator.stdin is not None
        emulator.stdin.close()
        emulator.wait(10)

    ours, off = results["smsauth"], results["official"]
    rows = [
        ("import, whole process (`python -c \"import …\"`, median)", "import_wall", "ms", False),
        ("import cost (minus bare interpreter start-up)", "import_cost", "ms", False),
        ("sequential calls/s (1 thread)", "sequential", "", True),
        ("8 threads sharing one client, calls/s", "threads8", "", True),
        ("asyncio, 64 concurrent, calls/s", "asyncio64", "", True),
        ("peak RSS after the throughput runs", "peak_rss_mb", "MB", False),
        ("RSS after import only", "import_rss_mb", "MB", False),
    ]
    lines = [
        "| measure | smsauth | official SDK | smsauth vs official |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, key, unit, higher_better in rows:
        a, b = ours[key], off[key]
        cells = []
        for lib, value in (("smsauth", a), ("official", b)):
            err = results[lib].get("errors", {}).get(key)
            cells.append(f"failed ({err})" if err else _fmt(value, unit))
        if a != a or b != b:  # NaN: a phase failed
            verdict = "—"
        else:
            ratio = (a / b) if higher_better else (b / a if a else float("inf"))
            verdict = f"{ratio:.1f}× {'faster' if higher_better else ('less' if unit == 'MB' else 'faster')}"
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | {verdict} |")
    versions = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
    ).stdout.split()
    wanted = [v for v in versions if v.lower().startswith(("smsauth==", "alibabacloud-dypnsapi20170525=="))]
    footer = (
        f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.duration:g} s per throughput figure, "
        f"upstream: {UPSTREAM[args.upstream]}, CheckSmsVerifyCode (OK / UNKNOWN). "
        f"Bare interpreter start-up: {bare * 1000:.1f} ms. Peak RSS includes the harness "
        f"(the interpreter with asyncio, threading … imported: {harness_rss:.1f} MB). "
        f"Packages: {', '.join(wanted)}."
    )
    table = "\n".join(lines) + "\n" + footer + "\n"
    print(table)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(table)


if __name__ == "__main__":
    main()
