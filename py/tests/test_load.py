"""Load: blocking calls from threads and asyncio tasks at the same time, on one shared client each,
against one emulator — every call answered correctly, no error, no deadlock (a watchdog bounds
the run), and the emulator saw exactly one request per call (nothing retried, nothing lost)."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from smsauth.testing import Emulator

THREADS = 8
TASKS = 64
SECONDS = 3.0
#: Far beyond SECONDS: only a deadlock (or a pathologically slow machine) reaches it.
WATCHDOG = 60.0


def test_threads_and_asyncio_share_clients_without_errors_or_deadlock(emu: Emulator) -> None:
    blocking = emu.client()
    concurrent = emu.async_client()
    numbers = itertools.count()  # every cycle its own number: no biz.FREQUENCY by design
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def next_phone() -> str:
        with lock:
            return f"139{next(numbers):08d}"

    def blocking_loop() -> int:
        """send → wrong code → right code → the used code again: 4 calls, 4 known answers."""
        done = 0
        while time.monotonic() < deadline:
            phone = next_phone()
            blocking.send_code(phone)
            code = emu.last_code(phone)
            assert code is not None
            wrong = "0000" if code != "0000" else "1111"
            assert not blocking.check_code(phone, wrong).passed
            assert blocking.check_code(phone, code).passed
            assert not blocking.check_code(phone, code).passed, "a code passes once"
            done += 4
        return done

    async def task_loop() -> int:
        """send → wrong code → right code: 3 calls, each awaited on the shared AsyncClient."""
        done = 0
        while time.monotonic() < deadline:
            phone = next_phone()
            await concurrent.send_code(phone)
            code = emu.last_code(phone)
            assert code is not None
            wrong = "0000" if code != "0000" else "1111"
            assert not (await concurrent.check_code(phone, wrong)).passed
            assert (await concurrent.check_code(phone, code)).passed
            done += 3
        return done

    async def tasks() -> int:
        return sum(await asyncio.gather(*(task_loop() for _ in range(TASKS))))

    before = emu.request_count()
    pool = ThreadPoolExecutor(THREADS + 1)
    try:
        threaded = [pool.submit(blocking_loop) for _ in range(THREADS)]
        in_asyncio = pool.submit(asyncio.run, tasks())
        total = sum(f.result(timeout=WATCHDOG) for f in threaded) + in_asyncio.result(timeout=WATCHDOG)
    finally:
        pool.shutdown(wait=False)  # after a watchdog timeout, fail instead of joining a deadlock

    print(f"{THREADS} threads + {TASKS} asyncio tasks, {SECONDS:.0f} s: {total} calls, 0 errors")
    assert total > THREADS * 4 + TASKS * 3, f"too little load to mean anything: {total} calls"
    assert emu.request_count() - before == total, "exactly one request per call: none retried, none lost"
    sends = next(numbers)  # every number handed out was sent to exactly once
    assert len(emu.messages()) == sends, "one SMS per send, none doubled"
