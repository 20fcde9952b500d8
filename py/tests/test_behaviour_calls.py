"""The shared behaviour table's call rows (tests/behaviour/calls.json) through the Python API:
sends and checks against a fresh emulator, asserted the Python way (exception classes and their
``kind``, ``field``, ``code``, ``delivery``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

import smsauth
from smsauth.testing import Emulator

ROWS: List[Dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[2] / "tests" / "behaviour" / "calls.json").read_text(encoding="utf-8")
)["cases"]


def outcome(call: Any, expect: Dict[str, Any]) -> Any:
    """Run `call`; an error must be the one `expect` names, key by key."""
    if "kind" not in expect:
        return call()
    with pytest.raises(smsauth.SmsAuthError) as info:
        call()
    exc = info.value
    assert exc.kind == expect["kind"], repr(exc)
    for key, attribute in (("field", "field"), ("service_code", "code"), ("delivery", "delivery")):
        if key in expect:
            assert getattr(exc, attribute) == expect[key], f"{key}: {exc!r}"
    return None


@pytest.mark.parametrize("row", [pytest.param(row, id=row["name"]) for row in ROWS])
def test_call_row(row: Dict[str, Any]) -> None:
    assert len(ROWS) >= 10
    with Emulator(**row.get("emulator", {})) as emu:
        client = emu.client(**row.get("client", {}))
        for step in row["steps"]:
            op, phone, expect = step["op"], step.get("phone", ""), step.get("expect")
            if op == "send":
                result = outcome(lambda: client.send_code(phone), expect)
                assert result is not None or "kind" in expect, step
            elif op == "check":
                code = emu.last_code(phone) if step["code"] == "last" else step["code"]
                result = outcome(lambda: client.check_code(phone, code), expect)
                assert result is None or result.passed == expect["passed"], step
            elif op == "fault":
                emu.add_fault(**step["fault"])
            elif op == "advance_clock":
                emu.advance_clock(step["seconds"])
            elif op == "outbox":
                assert len(emu.messages(phone)) == expect, step
            elif op == "request_count":
                assert emu.request_count() == expect, step
            else:
                raise AssertionError(f"unknown step {op!r}: add it to every runner")
