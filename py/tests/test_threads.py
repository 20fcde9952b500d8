"""The blocking client shared by threads: the GIL is released while a request runs."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import smsauth
from smsauth.testing import Emulator


def test_eight_threads_share_one_client(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    phones = [f"137{i:08d}" for i in range(8 * 25)]

    def work(chunk: list) -> list:
        out = []
        for phone in chunk:
            client.send_code(phone)
            code = smsauth_emulator.last_code(phone)
            out.append(client.check_code(phone, code or "").passed)
        return out

    chunks = [phones[i::8] for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        results = [r for chunk in pool.map(work, chunks) for r in chunk]
    assert results == [True] * len(phones)
    assert len(smsauth_emulator.messages()) == len(phones)


def test_blocking_calls_overlap_across_threads(smsauth_emulator: Emulator) -> None:
    """8 calls that each wait 400 ms on the server finish together, not one after another —
    which they would if the GIL were held while waiting."""
    smsauth_emulator.add_fault("latency", ms=400, action="CheckSmsVerifyCode")
    client = smsauth_emulator.client()
    barrier = threading.Barrier(8)

    def one(_: int) -> bool:
        barrier.wait()
        return client.check_code("13800138000", "1234").passed

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(one, range(8))) == [False] * 8
    elapsed = time.monotonic() - started
    assert elapsed < 8 * 0.4 / 2, f"calls were serialised: {elapsed:.2f}s"


def test_other_python_threads_run_during_a_call(smsauth_emulator: Emulator) -> None:
    smsauth_emulator.add_fault("latency", ms=500, action="CheckSmsVerifyCode")
    client = smsauth_emulator.client()
    stop = threading.Event()
    counter = 0

    def spin() -> None:
        nonlocal counter
        while not stop.is_set():
            counter += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        before = counter
        client.check_code("13800138000", "1234")
        during = counter - before
    finally:
        stop.set()
        t.join()
    assert during > 10_000, during


def test_sync_client_inside_asyncio_still_works(smsauth_emulator: Emulator) -> None:
    """Calling the blocking client from a coroutine blocks that loop (as any blocking call does)
    but works — it is not the core's 'blocking inside a runtime' case."""
    import asyncio

    client = smsauth_emulator.client()

    async def run() -> bool:
        return client.check_code("13800138000", "1234").passed

    assert asyncio.run(run()) is False
    assert isinstance(client, smsauth.Client)
