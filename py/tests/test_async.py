"""AsyncClient: native asyncio awaitables running on the library's runtime."""

from __future__ import annotations

import asyncio
import os

import pytest

import smsauth
from smsauth.testing import Emulator

from conftest import PHONE


def test_send_and_check(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.async_client()

    async def flow() -> None:
        sent = await client.send_code(PHONE)
        assert isinstance(sent, smsauth.SendResult)
        code = smsauth_emulator.last_code(PHONE)
        assert code is not None
        assert not await client.check_code(PHONE, "0000" if code != "0000" else "1111")
        result = await client.check_code(PHONE, code)
        assert result.passed and isinstance(result, smsauth.CheckResult)

    asyncio.run(flow())


def test_gather_200_concurrent_calls(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.async_client()
    phones = [f"139{i:08d}" for i in range(200)]

    async def many() -> list:
        return await asyncio.gather(*(client.send_code(p) for p in phones))

    results = asyncio.run(many())
    assert len(results) == 200 and all(isinstance(r, smsauth.SendResult) for r in results)
    assert len({r.request_id for r in results}) == 200
    assert sorted(m.phone_number for m in smsauth_emulator.messages()) == phones

    async def checks() -> list:
        return await asyncio.gather(
            *(client.check_code(p, smsauth_emulator.last_code(p) or "") for p in phones)
        )

    assert all(r.passed for r in asyncio.run(checks()))


def test_errors_raise_at_await_and_mixed_gather(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.async_client()

    async def run() -> list:
        await client.send_code(PHONE)
        return await asyncio.gather(
            client.send_code(PHONE),  # biz.FREQUENCY
            client.send_code("13900000001"),
            client.check_code("12", "1234"),  # bad phone
            return_exceptions=True,
        )

    throttled, ok, invalid = asyncio.run(run())
    assert isinstance(throttled, smsauth.ThrottledError) and throttled.code == "biz.FREQUENCY"
    assert isinstance(ok, smsauth.SendResult)
    assert isinstance(invalid, smsauth.InvalidInputError) and invalid.field == "PhoneNumber"


def test_wrong_types_raise_type_error(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.async_client()
    with pytest.raises(TypeError, match="send_code\\(\\) argument 'phone' must be str, not int"):
        asyncio.run(client.send_code(13800138000))  # type: ignore[arg-type]
    assert smsauth_emulator.request_count() == 0


def test_the_event_loop_is_never_blocked(smsauth_emulator: Emulator) -> None:
    """While 4 slow calls are in flight, the loop keeps ticking."""
    smsauth_emulator.add_fault("latency", ms=400, action="CheckSmsVerifyCode")
    client = smsauth_emulator.async_client()
    ticks = 0

    async def ticker(stop: asyncio.Event) -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(ticker(stop))
        await asyncio.gather(*(client.check_code(PHONE, "1234") for _ in range(4)))
        stop.set()
        await task

    asyncio.run(run())
    assert ticks >= 10, ticks


def test_cancellation_does_not_break_the_client(smsauth_emulator: Emulator) -> None:
    smsauth_emulator.add_fault("latency", ms=2000, action="CheckSmsVerifyCode", times=1)
    client = smsauth_emulator.async_client()

    async def run() -> bool:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.check_code(PHONE, "1234"), 0.2)
        return (await client.check_code(PHONE, "1234")).passed

    assert asyncio.run(run()) is False


def test_methods_are_coroutines(smsauth_emulator: Emulator) -> None:
    import inspect

    client = smsauth_emulator.async_client()
    coro = client.check_code(PHONE, "1234")
    assert inspect.iscoroutine(coro)
    assert asyncio.run(coro).passed is False  # asyncio.run accepts it directly
    assert repr(client).startswith("smsauth.AsyncClient(endpoint=")
    with pytest.raises(AttributeError):
        client.endpoint = "x"  # type: ignore[misc]


def test_one_runtime_for_the_process(smsauth_emulator: Emulator) -> None:
    """Async calls share the core's runtime, whatever loop calls them, and the Python binding
    starts one `smsauth-rt` worker (every asyncio call comes from a loop's thread: a second
    worker only added its own allocator arena, issue #19); no other tokio runtime is created."""
    smsauth_emulator.client().check_code(PHONE, "1234")
    client = smsauth_emulator.async_client()
    for _ in range(3):  # three separate event loops
        asyncio.run(client.check_code(PHONE, "1234"))
    # Native threads are not in threading.enumerate(): read the kernel's list of this process's.
    task_names = []
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/comm") as f:
            task_names.append(f.read().strip())
    assert not any(n.startswith("tokio-runtime") for n in task_names), task_names
    workers = [n for n in task_names if n.startswith("smsauth-rt")]
    assert len(workers) == 1, task_names
