"""Resource checks, each in a child Python process that holds only the client (the emulator runs in
this pytest process, so its sockets, threads and memory are not in the measured process):

- 10,000 failing calls (connection refused, and 400 ``SignatureDoesNotMatch`` from the emulator;
  blocking and asyncio) leave the child's open file descriptors (``/proc/self/fd``) and threads
  (``/proc/self/task``) where they were after warm-up;
- 100,000 successful calls (checks answered ``UNKNOWN``) grow the child's RSS by less than 20 MB
  after a 10,000-call warm-up.

Each child prints one JSON line with its measurements; a watchdog timeout turns a hang into a
failure."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Dict

import pytest

from smsauth.testing import Emulator

from conftest import refused_endpoint

_COMMON = r"""
import asyncio, json, os, sys, time
import smsauth

ARGS = json.loads(sys.argv[1])
PHONE = "13800138000"

def counts():
    return len(os.listdir("/proc/self/fd")), len(os.listdir("/proc/self/task"))

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")

def settled(before, limit=5.0):
    # Closed sockets and finished threads are reaped asynchronously: wait (bounded) for them.
    deadline = time.monotonic() + limit
    now = counts()
    while now != before and time.monotonic() < deadline:
        time.sleep(0.05)
        now = counts()
    return now
"""

_FAILING = (
    _COMMON
    + r"""
opts = dict(sign_name="s", template_code="1", max_attempts=1, timeout=5.0)
refused = ARGS["refused"]
emu = ARGS["emulator"]
clients = {
    "refused": (smsauth.Client("testid", "testsecret", endpoint=refused, **opts),
                smsauth.AsyncClient("testid", "testsecret", endpoint=refused, **opts),
                smsauth.NetworkError),
    "rejected": (smsauth.Client("testid", "not-the-secret", endpoint=emu, **opts),
                 smsauth.AsyncClient("testid", "not-the-secret", endpoint=emu, **opts),
                 smsauth.AuthenticationError),
}
failures = 0

def run_sync(name, n):
    global failures
    client, _, exc = clients[name]
    for i in range(n):
        try:
            client.send_code(PHONE) if i % 2 else client.check_code(PHONE, "1234")
        except exc:
            failures += 1

async def run_async(name, n, concurrency=8):
    global failures
    _, client, exc = clients[name]
    async def worker(k):
        global failures
        for i in range(k):
            try:
                await (client.send_code(PHONE) if i % 2 else client.check_code(PHONE, "1234"))
            except exc:
                failures += 1
    per, extra = divmod(n, concurrency)
    await asyncio.gather(*(worker(per + (i < extra)) for i in range(concurrency)))

async def main():
    for name in clients:                      # warm-up: runtime, completion thread, pool
        run_sync(name, 50)
        await run_async(name, 64)
    warm = failures
    before = counts()
    plan = ARGS["plan"]
    started = time.monotonic()
    for name, mode, n in plan:
        if mode == "sync":
            run_sync(name, n)
        else:
            await run_async(name, n)
    elapsed = time.monotonic() - started
    return warm, before, elapsed

loop = asyncio.new_event_loop()
warm, before, elapsed = loop.run_until_complete(main())
after = settled(before)
print(json.dumps({"failures": failures - warm, "before": before, "after": after,
                  "elapsed": elapsed}))
"""
)

_RSS = (
    _COMMON
    + r"""
client = smsauth.AsyncClient("testid", "testsecret", endpoint=ARGS["emulator"])
sync_client = smsauth.Client("testid", "testsecret", endpoint=ARGS["emulator"])
done = 0

async def batch(n, concurrency=64):
    global done
    async def worker(k):
        global done
        for _ in range(k):
            r = await client.check_code(PHONE, "1234")
            if r.verify_result != "UNKNOWN":
                raise AssertionError(r)
            done += 1
    per, extra = divmod(n, concurrency)
    await asyncio.gather(*(worker(per + (i < extra)) for i in range(concurrency)))

async def main():
    samples = []
    # warm-up: the pool, the runtime, allocator arenas, both APIs
    for _ in range(64):
        sync_client.check_code(PHONE, "1234")
    await batch(ARGS["warmup"])
    base = rss_mb()
    started = time.monotonic()
    step = ARGS["total"] // 10
    for _ in range(10):
        await batch(step)
        samples.append(round(rss_mb(), 1))
    return base, samples, time.monotonic() - started

loop = asyncio.new_event_loop()
base, samples, elapsed = loop.run_until_complete(main())
print(json.dumps({"calls": done - ARGS["warmup"], "base": round(base, 1), "samples": samples,
                  "elapsed": round(elapsed, 1)}))
"""
)


def _run_child(source: str, args: Dict[str, Any], timeout: float) -> Dict[str, Any]:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", source, json.dumps(args)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:  # a hang is a failure, not a stuck suite
        pytest.fail(f"the child did not finish within {timeout}s (deadlock?): {e.stderr!r}")
    assert proc.returncode == 0, proc.stderr
    result: Dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_10000_failing_calls_leave_fds_and_threads_as_they_were(emu: Emulator) -> None:
    plan = [
        ["refused", "sync", 4000],
        ["refused", "async", 4000],
        ["rejected", "sync", 1000],
        ["rejected", "async", 1000],
    ]
    out = _run_child(_FAILING, {"refused": refused_endpoint(), "emulator": emu.endpoint, "plan": plan}, 150)
    print(f"10,000 failing calls in {out['elapsed']:.1f}s: (fds, threads) {out['before']} -> {out['after']}")
    assert out["failures"] == 10_000, "every call failed with the expected class"
    assert out["after"] == out["before"], "file descriptors and threads are back where they started"


def test_100000_successful_calls_grow_rss_by_less_than_20_mb(emu: Emulator) -> None:
    out = _run_child(_RSS, {"emulator": emu.endpoint, "total": 100_000, "warmup": 10_000}, 240)
    growth = max(out["samples"]) - out["base"]
    print(
        f"100,000 checks in {out['elapsed']}s: RSS {out['base']} MB after warm-up, "
        f"then {out['samples']} (max growth {growth:.1f} MB)"
    )
    assert out["calls"] == 100_000
    assert growth < 20, out
