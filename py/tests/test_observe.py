"""One event per call: an INFO record on the ``smsauth`` logger with the fields as ``extra``
attributes, the ``on_event`` callable, and ``stats()`` — for a send, a wrong check, a throttled
send (``biz.FREQUENCY``) and a guard denial against the emulator. No secret, full phone number or
code may show."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, Dict, List

import pytest

import smsauth
from smsauth.testing import Emulator

from conftest import PHONE, send_wrong_check_and_throttled_send

MASKED = PHONE[:3] + "****" + PHONE[-4:]


def _leaks(shown: str, emulator: Emulator, codes: List[str]) -> None:
    for secret in [emulator.access_key_secret, PHONE, *codes]:
        assert secret not in shown, f"{secret!r} leaked: {shown}"


def test_send_wrong_check_and_throttled_send(smsauth_emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    events: List[Dict[str, Any]] = []
    client = smsauth_emulator.client(code_length=8, on_event=events.append)
    with caplog.at_level(logging.INFO, logger="smsauth"):
        code, wrong = send_wrong_check_and_throttled_send(client, smsauth_emulator)

    assert [e["action"] for e in events] == ["SendSmsVerifyCode", "CheckSmsVerifyCode", "SendSmsVerifyCode"]
    send, check, throttled = events
    assert send["attempts"] == 1 and send["retry_reasons"] == []
    assert send["http_status"] == 200 and send["service_code"] == "OK" and send["request_id"]
    assert send["delivery"] == "answered" and send["error_kind"] is None
    assert send["guard_decision"] == "not_guarded" and send["guard_rule"] is None
    assert send["phone"] == MASKED
    assert send["server_address"] == "127.0.0.1" and send["server_port"] == smsauth_emulator.port
    assert send["signature_version"] == "v3"
    assert send["elapsed_ms"] > 0
    assert check["passed"] is False and check["error_kind"] is None
    assert throttled["error_kind"] == "throttled" and throttled["service_code"] == "biz.FREQUENCY"
    assert throttled["delivery"] == "answered"

    records = [r for r in caplog.records if r.name == "smsauth" and r.levelno == logging.INFO]
    assert len(records) == 3, [r.getMessage() for r in records]
    for record, event in zip(records, events):
        for field, value in event.items():
            assert getattr(record, field) == value, field
    assert "SendSmsVerifyCode 138****" in records[0].getMessage()
    shown = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records) + repr(events)
    _leaks(shown, smsauth_emulator, [code, wrong])

    stats = client.stats()
    assert (stats["sends"], stats["checks"], stats["passes"]) == (2, 1, 0)
    assert stats["errors"] == {"throttled": 1}
    assert sum(stats["latency_buckets"]) == 3
    assert len(stats["latency_buckets"]) == len(stats["latency_bounds_ms"]) + 1


def test_guard_denial(smsauth_emulator: Emulator) -> None:
    events: List[Dict[str, Any]] = []
    guard = smsauth.Guard(phone=[(1, 60)], client=None, prefix=[], daily_budget=None, wrong_code=None)
    client = smsauth_emulator.client(guard=guard, on_event=events.append)
    client.send_code(PHONE)
    with pytest.raises(smsauth.GuardDeniedError) as info:
        client.send_code(PHONE)
    allowed, denied = events
    assert allowed["guard_decision"] == "allowed"
    assert denied["guard_decision"] == "denied" and denied["guard_rule"] == info.value.guard_rule
    assert denied["error_kind"] == "guard_denied" and denied["attempts"] == 0
    assert denied["http_status"] is None and denied["delivery"] == "not_received"
    assert denied["phone"] == MASKED
    assert client.stats()["guard_denials"] == {info.value.guard_rule: 1}


def test_async_client_events_and_stats(smsauth_emulator: Emulator) -> None:
    events: List[Dict[str, Any]] = []
    client = smsauth_emulator.async_client(on_event=events.append)

    async def flow() -> None:
        await client.send_code(PHONE)
        await client.check_code(PHONE, smsauth_emulator.last_code(PHONE) or "")

    asyncio.run(flow())
    assert [e["passed"] for e in events] == [None, True]
    stats = client.stats()
    assert (stats["sends"], stats["checks"], stats["passes"]) == (1, 1, 1)


def test_a_failing_on_event_does_not_fail_the_call(smsauth_emulator: Emulator, monkeypatch: Any) -> None:
    def broken(event: Dict[str, Any]) -> None:
        raise RuntimeError("listener bug")

    reported: List[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    client = smsauth_emulator.client(on_event=broken)
    assert client.send_code(PHONE).request_id, "a sent code is never reported as a failure"
    assert [str(r.exc_value) for r in reported] == ["listener bug"]


def test_on_event_must_be_callable(smsauth_emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="on_event"):
        smsauth_emulator.client(on_event=42)


def test_observation_is_decided_per_call(smsauth_emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    """A call nobody observes logs nothing; turning INFO on later gives the next call its whole
    event, though the client was built while nothing listened."""
    client = smsauth_emulator.client()
    with caplog.at_level(logging.WARNING, logger="smsauth"):
        client.send_code(PHONE)
    assert not [r for r in caplog.records if r.name == "smsauth"]
    with caplog.at_level(logging.INFO, logger="smsauth"):
        assert not client.check_code(PHONE, "0000")
    records = [r for r in caplog.records if r.name == "smsauth"]
    assert len(records) == 1, records
    fields: Dict[str, Any] = records[0].__dict__
    assert fields["action"] == "CheckSmsVerifyCode" and fields["attempts"] == 1 and fields["passed"] is False
    assert fields["phone"] == MASKED and fields["request_id"]
    assert client.stats()["sends"] == 1 and client.stats()["checks"] == 1
