"""fork(): a client created (and used) in the parent works in the child — the core rebuilds its
runtime and HTTP connections there, and the asyncio bridge follows."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

import smsauth
from smsauth.testing import Emulator


def _in_child(body) -> int:
    """Run `body` in a forked child; return its exit status (a hang is killed after 20 s)."""
    pid = os.fork()
    if pid == 0:  # child
        status = 1
        try:
            signal.alarm(20)
            body()
            status = 0
        except BaseException as exc:  # report anything, never return into pytest
            print(f"child failed: {exc!r}", flush=True)
        finally:
            os._exit(status)
    _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_clients_work_in_a_forked_child(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    async_client = smsauth_emulator.async_client()
    # Use both in the parent first, so the runtime, its threads and pooled connections exist.
    assert client.send_code("13800138000")
    assert not asyncio.run(async_client.check_code("13800138000", "0000"))

    def child() -> None:
        # The emulator's thread lives in the parent (which answers); the child's copy of its
        # outbox is a stale snapshot, so the code comes back in the answer instead.
        code = client.send_code("13900139000", return_verify_code=True).verify_code
        assert code and client.check_code("13900139000", code)

        async def run() -> None:
            results = await asyncio.gather(*(async_client.check_code("13900139000", "0000") for _ in range(20)))
            assert not any(results)
            assert await async_client.send_code("13700137000")

        asyncio.run(run())
        # A client created in the child works too.
        fresh = smsauth_emulator.client()
        code = fresh.send_code("13600136000", return_verify_code=True).verify_code
        assert code and fresh.check_code("13600136000", code)

    assert _in_child(child) == 0
    # The parent is unaffected and sees what the child sent.
    assert {m.phone_number for m in smsauth_emulator.messages()} == {
        "13800138000",
        "13900139000",
        "13700137000",
        "13600136000",
    }
    code = smsauth_emulator.last_code("13800138000")
    assert code and client.check_code("13800138000", code)
    assert asyncio.run(async_client.check_code("13800138000", "0000")).passed is False


def test_child_errors_are_still_typed(closed_endpoint: str) -> None:
    client = smsauth.Client("testid", "testsecret", endpoint=closed_endpoint, sign_name="s", template_code="1")

    def child() -> None:
        try:
            client.send_code("13800138000")
        except smsauth.NetworkError:
            return
        raise AssertionError("expected NetworkError")

    assert _in_child(child) == 0
