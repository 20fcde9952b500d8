"""Exiting the interpreter while asyncio completions are in flight is clean (no crash at exit).

A runtime thread that is inside Python when the interpreter finalizes would be terminated by
CPython and crash the exiting process; the module's atexit hook stops and drains those calls.
"""

from __future__ import annotations

import subprocess
import sys

from smsauth.testing import Emulator

SCRIPT = r"""
import asyncio, sys, smsauth
client = smsauth.AsyncClient("testid", "testsecret", endpoint=sys.argv[1])

async def main():
    done = [asyncio.ensure_future(client.check_code("13800138000", "1234")) for _ in range(100)]
    await asyncio.gather(*done[:20])
    # Leave the rest in flight: asyncio.run cancels them, their answers still arrive.

asyncio.run(main())
print("exiting", flush=True)
"""


def test_exit_with_requests_in_flight(smsauth_emulator: Emulator) -> None:
    smsauth_emulator.add_fault("latency", ms=1, action="CheckSmsVerifyCode")
    failures = []
    for _ in range(25):
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT, smsauth_emulator.endpoint], capture_output=True, text=True, timeout=60
        )
        if proc.returncode != 0 or "exiting" not in proc.stdout:
            failures.append((proc.returncode, proc.stderr[-500:]))
    assert not failures, failures
