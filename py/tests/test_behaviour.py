"""The shared behaviour table (tests/behaviour/*.json) through the Python API: the same rows the
Rust, C and Node suites run, asserted the Python way (keyword options, exception classes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

import smsauth
from smsauth.testing import Emulator

TABLE = Path(__file__).resolve().parents[2] / "tests" / "behaviour"


def cases(name: str) -> List[Dict[str, Any]]:
    rows: List[Dict[str, Any]] = json.loads((TABLE / name).read_text(encoding="utf-8"))["cases"]
    return [pytest.param(row, id=row["name"], marks=skip(row)) for row in rows]  # type: ignore[misc]


def skip(row: Dict[str, Any]) -> List[Any]:
    why = row.get("skip", {}).get("python")
    return [pytest.mark.skip(reason=why)] if why else []


def keyword(name: str, value: Any) -> tuple[str, Any]:
    """The table's option name as the Python keyword (durations in seconds)."""
    if name.endswith("_ms"):
        return name[: -len("_ms")], value / 1000
    if name == "role_duration_seconds":
        return "role_duration", value
    return name, value


def assert_error(exc: smsauth.SmsAuthError, expect: Dict[str, Any]) -> None:
    assert exc.kind == expect["kind"], repr(exc)
    if "field" in expect:
        assert exc.field == expect["field"], repr(exc)


def guard_options(options: Dict[str, Any]) -> Dict[str, Any]:
    """The row's guard parts (`guard.phone.max`, `guard.wrong_code.lockout_seconds`, …) as the
    keywords of smsauth.Guard: one `(max, window_seconds)` limit, or the wrong-code tuple."""
    parts: Dict[str, Dict[str, int]] = {}
    for key, value in options.items():
        _, rule, part = key.split(".")
        parts.setdefault(rule, {})[part] = value
    order = {"wrong_code": ("max_wrong", "window_seconds", "lockout_seconds")}
    return {
        rule: tuple(p[k] for k in order[rule]) if rule in order else [(p["max"], p["window_seconds"])]
        for rule, p in parts.items()
    }


@pytest.mark.usefixtures("no_credentials")
@pytest.mark.parametrize("row", cases("client.json"))
def test_client_row(row: Dict[str, Any]) -> None:
    guard = {k: v for k, v in row["options"].items() if k.startswith("guard.")}
    options = dict(keyword(k, v) for k, v in row["options"].items() if k not in guard)
    expect = row["expect"]
    build = lambda: smsauth.Client(  # noqa: E731
        **options, guard=smsauth.Guard(**guard_options(guard)) if guard else None
    )
    if "kind" in expect:
        with pytest.raises(smsauth.SmsAuthError) as info:
            build()
        assert_error(info.value, expect)
    else:
        assert build().endpoint == expect["endpoint"]


@pytest.mark.parametrize("row", cases("emulator.json"))
def test_emulator_row(row: Dict[str, Any]) -> None:
    with Emulator() as emu:
        client = emu.client()
        for step in row["steps"]:
            op = step["op"]
            if op == "check":
                assert not client.check_code("13800138000", "1234").passed
            elif op == "reset":
                emu.reset()
            elif op == "request_count":
                assert emu.request_count() == step["expect"], step
            elif op == "issue_sts" and "expect" in step:
                with pytest.raises(smsauth.SmsAuthError) as info:
                    emu.issue_sts(step["ttl_seconds"])
                assert_error(info.value, step["expect"])
            elif op == "issue_sts":
                assert emu.issue_sts(step["ttl_seconds"]).access_key_id
            else:
                raise AssertionError(f"unknown step {op!r}: add it to this runner")
