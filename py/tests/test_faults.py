"""The fault matrix: every way the network or the service can fail, for sends and checks, from the
blocking client and from asyncio. For each failure: the exception class (and service code), the
delivery verdict, the call returns within its configured ``timeout`` + 10 %, and the number of
requests the emulator saw — 0 or 1 for a send (more only when the gateway refused the earlier
attempts, so they provably never reached the service), and exactly what the retry policy allows
for a check (5xx are retried for checks only: 3 attempts).

Faults come from the emulator's fault injection (``Emulator.add_fault``), on an emulator of this
module's own, so a delayed answer still being served cannot disturb the other tests' outbox."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import pytest

import smsauth
from smsauth.testing import Emulator

from conftest import deadline_limit, refused_endpoint

SEND = "SendSmsVerifyCode"
CHECK = "CheckSmsVerifyCode"
# Small deadlines keep the matrix fast: the read timeout fires before the whole-call deadline.
TIMEOUT = 0.5
READ_TIMEOUT = 0.3
CONNECT_TIMEOUT = 0.3


@dataclass(frozen=True)
class Case:
    """One row of the matrix."""

    id: str
    #: The fault rule (``kind`` + its parameters), or None.
    fault: Optional[Dict[str, Any]] = None
    #: "refused" (a closed port) or "dns" (a ``.invalid`` host) instead of the emulator.
    endpoint: Optional[str] = None
    #: Expected exception class, or None when the call must succeed.
    error: Optional[type] = None
    #: Expected service ``Code`` on the exception (None: no service answer).
    code: Optional[str] = None
    http_status: Optional[int] = None
    delivery: Optional[str] = None
    #: Requests the emulator must see: (for a send, for a check); None = not applicable.
    requests: Tuple[Optional[int], Optional[int]] = (1, 1)
    #: SMS in the outbox after a send (did the service run?).
    sent: int = 0
    timeout: float = TIMEOUT
    #: The failure must take at least this long (a deadline really fired, not an early error).
    min_elapsed: float = 0.0
    #: Text the message must contain.
    message: Optional[str] = None
    #: Set the emulated clock this far ahead of real time first.
    skew: int = 0
    #: Send once to the number first (for biz.FREQUENCY); not counted.
    presend: bool = False
    extra: Dict[str, Any] = field(default_factory=dict)


def _5xx(status: int, plain: bool) -> Case:
    fault: Dict[str, Any] = {"kind": "server_error", "status": status}
    if plain:
        fault["plain"] = True
        # A load balancer's text/plain page is not a service answer: not JSON.
        return Case(
            f"http_{status}_plain",
            fault,
            error=smsauth.ProtocolError,
            http_status=status,
            delivery="unknown",
            requests=(1, 3),
            timeout=1.0,
        )
    return Case(
        f"http_{status}_json",
        fault,
        error=smsauth.ServiceError,
        code="InternalError" if status == 500 else "ServiceUnavailable",
        http_status=status,
        delivery="answered",
        requests=(1, 3),
        timeout=1.0,
    )


CASES = [
    Case(
        "connect_refused",
        endpoint="refused",
        error=smsauth.NetworkError,
        delivery="not_received",
        requests=(0, 0),
        message="nothing was sent",
    ),
    Case(
        "dns_failure",
        endpoint="dns",
        error=smsauth.NetworkError,
        delivery="not_received",
        requests=(0, 0),
        message="dns",
    ),
    Case(
        "latency_beyond_read_timeout",
        {"kind": "latency", "ms": 2000},
        error=smsauth.TimeoutError,
        delivery="unknown",
        min_elapsed=READ_TIMEOUT * 0.9,
        message="timed out",
    ),
    Case("dropped_before_response", {"kind": "drop"}, error=smsauth.NetworkError, delivery="unknown", sent=1),
    Case(
        "dropped_during_response",
        {"kind": "drop_mid_response"},
        error=smsauth.NetworkError,
        delivery="unknown",
        sent=1,
    ),
    *[_5xx(status, plain) for plain in (False, True) for status in (500, 502, 503)],
    Case(
        "html_error_page",
        {"kind": "html"},
        error=smsauth.ProtocolError,
        http_status=502,
        delivery="unknown",
        requests=(1, 3),
        timeout=1.0,
        message="502 Bad Gateway",
    ),
    Case(
        "truncated_json",
        {"kind": "truncated"},
        error=smsauth.ProtocolError,
        http_status=200,
        delivery="unknown",
        sent=1,
        message="not valid Dypnsapi JSON",
    ),
    Case(
        "malformed_json",
        {"kind": "malformed"},
        error=smsauth.ProtocolError,
        http_status=200,
        delivery="unknown",
        sent=1,
    ),
    Case(
        "body_50_mb",
        {"kind": "oversized", "bytes": 50 * 1024 * 1024},
        error=smsauth.ProtocolError,
        http_status=200,
        delivery="unknown",
        sent=1,
        message="larger than 1 MiB",
    ),
    Case(
        "slow_drip_body",
        # Every read succeeds within READ_TIMEOUT (a chunk each 200 ms); only the deadline on the
        # whole call can stop it (the ~200-byte answer would take > 2 s).
        {"kind": "slow_drip", "chunk_bytes": 16, "interval_ms": 200},
        error=smsauth.TimeoutError,
        delivery="unknown",
        sent=1,
        min_elapsed=TIMEOUT * 0.9,
        message="deadline",
    ),
    Case(
        "gateway_throttle_long_retry_after",
        {"kind": "throttle", "retry_after_ms": 60_000},
        error=smsauth.ThrottledError,
        code="Throttling.User",
        http_status=400,
        delivery="not_received",
        extra={"retry_after": 60.0},
    ),
    Case(
        # Within max_retry_after: waited out and retried — for a send too, since the gateway
        # refused the first attempt (it provably never reached the service).
        "gateway_throttle_short_retry_after_once",
        {"kind": "throttle", "retry_after_ms": 100, "times": 1},
        requests=(2, 2),
        sent=1,
        timeout=1.0,
        min_elapsed=0.1,
    ),
    Case(
        "gateway_throttle_every_attempt",
        {"kind": "throttle", "retry_after_ms": 100},
        error=smsauth.ThrottledError,
        code="Throttling.User",
        http_status=400,
        delivery="not_received",
        requests=(3, 3),
        timeout=1.0,
        min_elapsed=0.2,
    ),
    Case(
        "biz_frequency",
        presend=True,
        error=smsauth.ThrottledError,
        code="biz.FREQUENCY",
        http_status=200,
        delivery="answered",
        requests=(1, None),
        sent=1,
    ),
    Case(
        "clock_skew",
        skew=16 * 60,
        error=smsauth.AuthenticationError,
        code="InvalidTimeStamp.Expired",
        http_status=400,
        delivery="not_received",
    ),
]


@pytest.fixture
def fresh(emu: Emulator) -> Emulator:
    emu.reset()
    return emu


_phones = iter(range(10**6))


def _phone() -> str:
    return f"135{next(_phones):08d}"


def _options(emu: Emulator, case: Case) -> Dict[str, Any]:
    options: Dict[str, Any] = {
        "timeout": case.timeout,
        "read_timeout": READ_TIMEOUT,
        "connect_timeout": CONNECT_TIMEOUT,
    }
    if case.endpoint == "refused":
        options["endpoint"] = refused_endpoint()
    elif case.endpoint == "dns":
        options["endpoint"] = "http://smsauth-fault-matrix.invalid"
    return options


def _arrange(emu: Emulator, case: Case, action: str, phone: str) -> None:
    if case.presend:
        emu.client().send_code(phone)
    if case.skew:
        emu.advance_clock(case.skew)
    if case.fault is not None:
        fault = dict(case.fault)
        kind = fault.pop("kind")
        emu.add_fault(kind, action=action, **fault)


def _check_outcome(
    emu: Emulator, case: Case, action: str, phone: str, before: int, elapsed: float, outcome: Any
) -> None:
    requests = emu.request_count() - before
    limit = deadline_limit(case.timeout)
    assert elapsed <= limit, f"{case.id}: took {elapsed:.3f}s, deadline {case.timeout}s (limit {limit:.3f}s)"
    assert elapsed >= case.min_elapsed, f"{case.id}: returned after {elapsed:.3f}s, too early"
    if case.error is None:
        assert not isinstance(outcome, BaseException), f"{case.id}: {outcome!r}"
    else:
        assert isinstance(outcome, case.error), f"{case.id}: expected {case.error.__name__}, got {outcome!r}"
        assert isinstance(outcome, smsauth.SmsAuthError)
        assert outcome.code == case.code, outcome
        assert outcome.http_status == case.http_status, outcome
        assert outcome.delivery == case.delivery, outcome
        assert outcome.may_have_been_received == (case.delivery != "not_received")
        if case.message:
            assert case.message.lower() in outcome.message.lower(), outcome.message
        for name, value in case.extra.items():
            assert getattr(outcome, name) == value, (name, outcome)
    expected = case.requests[0 if action == SEND else 1]
    assert requests == expected, f"{case.id} {action}: the emulator saw {requests} requests, expected {expected}"
    if action == SEND:
        assert len(emu.messages(phone)) == case.sent, f"{case.id}: outbox {emu.messages(phone)}"


def _params(actions: Tuple[str, ...] = (SEND, CHECK)) -> list:
    out = []
    for case in CASES:
        for action in actions:
            if case.requests[0 if action == SEND else 1] is None:
                continue
            out.append(pytest.param(case, action, id=f"{case.id}-{'send' if action == SEND else 'check'}"))
    return out


@pytest.mark.parametrize(("case", "action"), _params())
def test_fault_sync(fresh: Emulator, case: Case, action: str) -> None:
    phone = _phone()
    _arrange(fresh, case, action, phone)
    client = fresh.client(**_options(fresh, case))
    before = fresh.request_count()
    outcome: Any
    started = time.monotonic()
    try:
        outcome = client.send_code(phone) if action == SEND else client.check_code(phone, "1234")
    except Exception as exc:  # noqa: BLE001 - the class is what is being tested
        outcome = exc
    elapsed = time.monotonic() - started
    _check_outcome(fresh, case, action, phone, before, elapsed, outcome)


@pytest.mark.parametrize(("case", "action"), _params())
def test_fault_asyncio(fresh: Emulator, case: Case, action: str) -> None:
    phone = _phone()
    _arrange(fresh, case, action, phone)
    client = fresh.async_client(**_options(fresh, case))
    before = fresh.request_count()

    async def call() -> Tuple[Any, float]:
        started = time.monotonic()
        try:
            if action == SEND:
                result: Any = await client.send_code(phone)
            else:
                result = await client.check_code(phone, "1234")
        except Exception as exc:  # noqa: BLE001
            result = exc
        return result, time.monotonic() - started

    outcome, elapsed = asyncio.run(call())
    _check_outcome(fresh, case, action, phone, before, elapsed, outcome)


def test_a_send_after_a_timeout_is_not_retried_by_the_library(fresh: Emulator) -> None:
    """After the deadline passes on a send the request is not repeated, even later in the
    background: the emulator still counts exactly one request once the slow answer is served."""
    fresh.add_fault("latency", ms=600, action=SEND)
    client = fresh.client(timeout=0.3, read_timeout=0.2)
    phone = _phone()
    with pytest.raises(smsauth.TimeoutError) as info:
        client.send_code(phone)
    assert "do not resend blindly" in info.value.message or "may have been received" in info.value.message
    time.sleep(0.8)
    assert fresh.request_count() == 1
    # (The emulator drops the delayed answer when the client hangs up, so 0 or 1 SMS.)
    assert len(fresh.messages(phone)) <= 1, "never two SMS"


# -- nonce replay ------------------------------------------------------------------------------
# The clients draw a fresh nonce for every request and attempt, so a replay cannot be provoked
# through them; the signing helpers (exported for debugging and for services that accept signed
# requests) can replay one, and both the emulator and smsauth.Verifier refuse it.


def _post(emu: Emulator, signed: smsauth.SignedRequest) -> Tuple[int, Dict[str, Any]]:
    url = f"{emu.endpoint}{signed.path}?{signed.query}" if signed.query else f"{emu.endpoint}{signed.path}"
    req = urllib.request.Request(url, data=signed.body or None, method=signed.method)
    for name, value in signed.headers:
        if name.lower() != "host":
            req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_nonce_replay_is_refused_by_the_emulator(fresh: Emulator, version: str) -> None:
    host = fresh.endpoint.split("://", 1)[1]
    signed = smsauth.sign(
        CHECK,
        [("PhoneNumber", "13800138000"), ("VerifyCode", "1234")],
        access_key_id=fresh.access_key_id,
        access_key_secret=fresh.access_key_secret,
        host=host,
        signature_version=version,
        nonce=f"replayed-nonce-{version}",
    )
    first = _post(fresh, signed)
    assert first[0] == 200 and first[1]["Code"] == "OK", first
    replay = _post(fresh, signed)
    assert replay[0] == 400 and replay[1]["Code"] == "SignatureNonceUsed", replay
    assert fresh.request_count() == 2


def test_nonce_replay_is_refused_by_the_verifier() -> None:
    signed = smsauth.sign(
        CHECK,
        [("PhoneNumber", "13800138000"), ("VerifyCode", "1234")],
        access_key_id="testid",
        access_key_secret="testsecret",
        nonce="once-only",
    )
    verifier = smsauth.Verifier({"testid": "testsecret"})
    assert verifier.verify(signed.method, signed.path, signed.query, signed.headers, signed.body).nonce == "once-only"
    with pytest.raises(smsauth.AuthenticationError) as info:
        verifier.verify(signed.method, signed.path, signed.query, signed.headers, signed.body)
    assert info.value.code == "SignatureNonceUsed"


def test_clients_never_reuse_a_nonce(fresh: Emulator) -> None:
    """Retried attempts and concurrent calls each carry a fresh nonce: 3 attempts of a check that
    meets 503 twice, then 64 concurrent checks — none is refused as a replay."""
    fresh.add_fault("server_error", status=503, action=CHECK, times=2)
    client = fresh.client(timeout=2.0)
    assert client.check_code(_phone(), "1234").verify_result == "UNKNOWN"
    assert fresh.request_count() == 3

    async def many() -> list:
        aclient = fresh.async_client()
        return await asyncio.gather(*(aclient.check_code(_phone(), "1234") for _ in range(64)))

    assert all(r.code == "OK" for r in asyncio.run(many()))
