"""Bad input never lies (issue 22): signals during blocking calls, ranges, sizes, proxies,
placeholders and surrogates get clear, typed errors — and nothing is sent by accident."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any, Dict

import pytest

import smsauth
from smsauth.testing import Emulator

PHONE = "13800138000"

# A child blocked in a send against a slow endpoint; the parent signals it.
CHILD = r"""
import signal, sys, smsauth
client = smsauth.Client("testid", "testsecret", endpoint=sys.argv[1], sign_name="s", template_code="100001")
def on_term(signum, frame):
    raise SystemExit(7)
signal.signal(signal.SIGTERM, on_term)
print("sending", flush=True)
try:
    client.send_code("13800138000")
except BaseException as e:
    print("raised", type(e).__name__, getattr(e, "delivery", None), getattr(e, "may_have_been_received", None), flush=True)
    print("notes", getattr(e, "__notes__", ["(no notes before 3.11)"]), flush=True)
    raise
print("carried on", flush=True)
"""


@pytest.mark.parametrize(
    "signum, exc, code", [(signal.SIGINT, "KeyboardInterrupt", -signal.SIGINT), (signal.SIGTERM, "SystemExit", 7)]
)
def test_a_signal_interrupts_a_blocking_call_promptly_and_states_the_delivery(
    smsauth_emulator: Emulator, signum: int, exc: str, code: int
) -> None:
    smsauth_emulator.add_fault("latency", ms=20_000, action="SendSmsVerifyCode")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, smsauth_emulator.endpoint],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "sending"
        deadline = time.monotonic() + 10
        while smsauth_emulator.request_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert smsauth_emulator.request_count() == 1, "the send is in flight"
        sent_at = time.monotonic()
        child.send_signal(signum)
        out, err = child.communicate(timeout=10)
        waited = time.monotonic() - sent_at
    finally:
        child.kill()
    # KeyboardInterrupt at the top level: Python exits by the signal (or 130 / 1 by version).
    assert child.returncode in (code, 130, 1), (child.returncode, err)
    assert waited < 3, f"the signal took {waited:.1f} s to interrupt the call (the fault holds it for 20 s)"
    assert f"raised {exc} unknown True" in out, out + err
    assert "carried on" not in out
    if sys.version_info >= (3, 11):
        assert "SendSmsVerifyCode was interrupted while in flight; delivery: unknown" in out, out
    if exc == "KeyboardInterrupt":
        assert "KeyboardInterrupt" in err, err


def test_logging_errors_are_raised_not_swallowed(smsauth_emulator: Emulator, monkeypatch: Any) -> None:
    import logging

    logger = logging.getLogger("smsauth")

    def broken(level: int) -> bool:
        raise RuntimeError("isEnabledFor failed")

    client = smsauth_emulator.client()
    monkeypatch.setattr(logger, "isEnabledFor", broken)
    with pytest.raises(RuntimeError, match="isEnabledFor failed"):
        client.check_code(PHONE, "1234")
    with pytest.raises(RuntimeError, match="isEnabledFor failed"):
        smsauth_emulator.client()


@pytest.mark.parametrize(
    "option, value, field",
    [
        ("read_timeout", float(sys.maxsize), "read_timeout"),
        ("timeout", float(sys.maxsize), "timeout"),
        ("connect_timeout", 1e30, "connect_timeout"),
        ("timeout", 86_400.5, "timeout"),
        ("max_attempts", 11, "retry.max_attempts"),
    ],
)
def test_huge_durations_and_counts_are_refused_when_configured(
    smsauth_emulator: Emulator, option: str, value: Any, field: str
) -> None:
    kwargs: Dict[str, Any] = {option: value}
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth.Client("testid", "testsecret", endpoint=smsauth_emulator.endpoint, **kwargs)
    assert info.value.field == field and not info.value.may_have_been_received
    assert smsauth_emulator.request_count() == 0


def test_the_longest_timeout_still_sends(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(timeout=86_400, read_timeout=86_400)
    assert client.send_code(PHONE).biz_id


@pytest.mark.parametrize("proxy", ["ftp://proxy:21", "gopher://proxy:70", "socks5://proxy:1080"])
def test_unsupported_proxy_schemes_are_refused(proxy: str) -> None:
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth.Client("testid", "testsecret", proxy=proxy)
    assert info.value.field == "proxy" and "only http:// and https://" in str(info.value)


@pytest.mark.parametrize(
    "options", [{"endpoint": "http://u:hunter2@127.0.0.1:9/x"}, {"proxy": "socks5://u:hunter2@proxy:1080"}]
)
def test_userinfo_never_appears_in_errors(options: Dict[str, str]) -> None:
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth.Client("testid", "testsecret", **options)
    shown = f"{info.value} {info.value!r} {info.value.args}"
    assert "hunter2" not in shown and "***@" in shown, shown


BIG = "x" * (100 * 1024)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"out_id": BIG}, "OutId"),
        ({"sign_name": BIG}, "SignName"),
        ({"template_param": '{"code":"##code##","p":"%s"}' % BIG}, "TemplateParam"),
        ({"template_param": "{}"}, "TemplateParam"),
        ({"template_param": {"min": "5"}}, "TemplateParam"),
        ({"country_code": "1"}, "CountryCode"),
        ({"country_code": "086"}, "CountryCode"),
        ({"country_code": "00000"}, "CountryCode"),
        ({"valid_time": 10**15}, "ValidTime"),
        ({"interval": 10**15}, "Interval"),
    ],
)
def test_bad_fields_are_refused_before_sending(smsauth_emulator: Emulator, overrides: Dict[str, Any], field: str) -> None:
    client = smsauth_emulator.client()
    with pytest.raises(smsauth.InvalidInputError) as info:
        client.send_code(PHONE, **overrides)
    assert info.value.field == field, info.value
    assert info.value.delivery == "not_received" and not info.value.may_have_been_received
    assert len(str(info.value)) < 400
    assert smsauth_emulator.request_count() == 0 and smsauth_emulator.messages() == []


SURROGATE = "\ud800"


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda e: smsauth.Client("testid", "s3cret-" + SURROGATE + "-tail", endpoint=e), "access_key_secret"),
        (lambda e: smsauth.Client("testid", "testsecret", endpoint=e).send_code("138" + SURROGATE), "PhoneNumber"),
        (lambda e: smsauth.Client("testid", "testsecret", endpoint=e).check_code(PHONE, "12" + SURROGATE), "VerifyCode"),
        (
            lambda e: smsauth.Client("testid", "testsecret", endpoint=e).send_code(PHONE, sign_name="s" + SURROGATE),
            "SignName",
        ),
        (
            lambda e: smsauth.Client("testid", "testsecret", endpoint=e).send_code(
                PHONE, template_param={"code": "##code##", "x": SURROGATE}
            ),
            "TemplateParam",
        ),
    ],
)
def test_lone_surrogates_are_invalid_input_naming_the_field_without_the_value(
    smsauth_emulator: Emulator, call: Any, field: str
) -> None:
    with pytest.raises(smsauth.InvalidInputError) as info:
        call(smsauth_emulator.endpoint)
    exc = info.value
    assert exc.field == field, exc
    shown = f"{exc} {exc!r} {exc.args}"
    assert SURROGATE not in shown and "s3cret" not in shown, shown
    assert exc.__cause__ is None and exc.__context__ is None, "no UnicodeEncodeError holding the value is chained"
    assert smsauth_emulator.request_count() == 0


@pytest.mark.parametrize(
    "kind, params",
    [
        ("server_error", {"status_code": 503}),
        ("latency", {"msec": 5}),
        ("latency", {"ms": 5, "probability": 5}),
        ("latency", {"ms": 5, "action": "sendsmsverifycode"}),
        ("malformed", {"ms": 5}),
        ("no_such_kind", {}),
    ],
)
def test_unknown_or_misspelt_fault_keys_are_refused(smsauth_emulator: Emulator, kind: str, params: Dict[str, Any]) -> None:
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth_emulator.add_fault(kind, **params)
    assert info.value.field == "fault"
    client = smsauth_emulator.client()
    client.send_code(PHONE)  # no rule was added: the send goes through untouched


def test_advance_clock_refuses_negative_seconds_with_a_typed_error(smsauth_emulator: Emulator) -> None:
    now = smsauth_emulator.now()
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth_emulator.advance_clock(-1)
    assert info.value.field == "seconds" and "non-negative" in str(info.value)
    with pytest.raises(smsauth.InvalidInputError, match="too large"):
        smsauth_emulator.advance_clock(2**64)
    with pytest.raises(TypeError, match="advance_clock\\(\\) argument 'seconds' must be int, not NoneType"):
        smsauth_emulator.advance_clock(None)  # type: ignore[arg-type]
    assert smsauth_emulator.now() == now


def test_messages_agree_with_the_input() -> None:
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth.Client("testid", "testsecret", max_attempts=8589934592)
    assert "non-negative" not in str(info.value) and "8589934592" in str(info.value)
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth.Client("testid", "testsecret", timeout=1e30)
    assert "positive" not in str(info.value) and "at most 86400" in str(info.value)
