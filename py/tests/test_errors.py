"""Every error class, raised by a real failure where one can be provoked, with its attributes,
its builtin bases and pickling."""

from __future__ import annotations

import builtins
import pickle

import pytest

import smsauth
from smsauth import _native, errors
from smsauth.testing import Emulator

from conftest import PHONE, CannedServer

ALL_CLASSES = [
    errors.InvalidInputError,
    errors.CredentialsError,
    errors.NetworkError,
    errors.TimeoutError,
    errors.AuthenticationError,
    errors.ThrottledError,
    errors.ServiceError,
    errors.ProtocolError,
    errors.InternalError,
    errors.GuardDeniedError,
]


def test_one_class_per_core_error_kind() -> None:
    kinds = _native.error_kinds()
    assert [(cls.kind, cls.kind_code, cls.__name__) for cls in ALL_CLASSES] == kinds
    for name, code, class_name in kinds:
        exc = _native._error_for_kind(name, f"a {name} error")
        assert type(exc) is getattr(errors, class_name) is errors.error_class(name)
        assert isinstance(exc, smsauth.SmsAuthError) and exc.kind == name and exc.kind_code == code
        assert str(exc) == exc.message == f"a {name} error"
        assert getattr(smsauth, class_name) is type(exc)


def test_builtin_bases() -> None:
    assert issubclass(errors.InvalidInputError, ValueError)
    assert issubclass(errors.TimeoutError, builtins.TimeoutError)
    assert issubclass(errors.NetworkError, ConnectionError)
    assert errors.TimeoutError is not builtins.TimeoutError
    assert "TimeoutError" not in smsauth.__all__, "star-import must not shadow the builtin"


def test_invalid_input(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    with pytest.raises(ValueError) as info:
        client.send_code("23800138000")
    exc = info.value
    assert isinstance(exc, smsauth.InvalidInputError)
    assert exc.field == "PhoneNumber" and "23800138000" in exc.message
    assert exc.code is None and exc.http_status is None and not exc.may_have_been_received
    assert smsauth_emulator.request_count() == 0, "nothing was sent"


@pytest.mark.usefixtures("no_credentials")
def test_credentials() -> None:
    with pytest.raises(smsauth.CredentialsError, match="no credentials found") as info:
        smsauth.Client()
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in info.value.message and "ecs_ram_role" in info.value.message
    # Half a key pair or a lone token is a mistake in the options (the core's rule, in every
    # language): invalid input naming the missing one.
    with pytest.raises(smsauth.InvalidInputError, match="both") as bad:
        smsauth.Client("testid")
    assert bad.value.field == "access_key_secret"
    with pytest.raises(smsauth.InvalidInputError, match="security token") as bad:
        smsauth.AsyncClient(security_token="tok")
    assert bad.value.field == "security_token"


def test_network_error_when_nothing_listens(closed_endpoint: str) -> None:
    client = smsauth.Client("testid", "testsecret", endpoint=closed_endpoint, sign_name="s", template_code="1")
    with pytest.raises(ConnectionError) as info:
        client.send_code(PHONE)
    exc = info.value
    assert isinstance(exc, smsauth.NetworkError) and exc.kind == "network"
    assert exc.delivery == "not_received" and not exc.may_have_been_received
    assert "nothing was sent" in exc.message


def test_timeout_when_the_server_never_answers(silent_endpoint: str) -> None:
    client = smsauth.Client(
        "testid", "testsecret", endpoint=silent_endpoint, sign_name="s", template_code="1", timeout=0.5
    )
    with pytest.raises(builtins.TimeoutError) as info:
        client.send_code(PHONE)
    exc = info.value
    assert isinstance(exc, smsauth.TimeoutError) and exc.kind_code == 4
    assert exc.may_have_been_received and exc.delivery == "unknown"
    assert "do not resend blindly" in exc.message


def test_timeout_from_emulated_latency(smsauth_emulator: Emulator) -> None:
    smsauth_emulator.add_fault("latency", ms=1500, action="CheckSmsVerifyCode")
    client = smsauth_emulator.client(read_timeout=0.2, timeout=0.6)
    with pytest.raises(smsauth.TimeoutError) as info:
        client.check_code(PHONE, "1234")
    assert "timed out" in info.value.message and info.value.delivery == "unknown"


def test_authentication_wrong_secret(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(access_key_secret="not-the-secret")
    with pytest.raises(smsauth.AuthenticationError) as info:
        client.send_code(PHONE)
    exc = info.value
    assert exc.code == "SignatureDoesNotMatch" and exc.http_status == 400
    assert exc.request_id and exc.recommend and exc.host_id
    assert exc.service_message and "server string to sign is:" in exc.service_message
    assert exc.delivery == "not_received"
    assert smsauth_emulator.messages() == []


def test_authentication_unknown_key(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(access_key_id="nobody")
    with pytest.raises(smsauth.AuthenticationError) as info:
        client.check_code(PHONE, "1234")
    assert info.value.code == "InvalidAccessKeyId.NotFound" and info.value.http_status == 404


def test_throttled_frequency(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    client.send_code(PHONE)
    with pytest.raises(smsauth.ThrottledError) as info:
        client.send_code(PHONE)
    exc = info.value
    assert exc.code == "biz.FREQUENCY" and exc.http_status == 200 and exc.request_id
    assert exc.delivery == "answered" and "wait for the Interval" in exc.message
    assert len(smsauth_emulator.messages()) == 1


def test_throttled_daily_limit() -> None:
    with Emulator(daily_limit=2) as emu:
        client = emu.client()
        for _ in range(2):
            client.send_code(PHONE)
            emu.advance_clock(61)
        with pytest.raises(smsauth.ThrottledError) as info:
            client.send_code(PHONE)
        assert info.value.code == "isv.BUSINESS_LIMIT_CONTROL"


def test_throttled_by_the_gateway_with_retry_after(smsauth_emulator: Emulator) -> None:
    smsauth_emulator.add_fault("throttle", retry_after_ms=60_000, action="SendSmsVerifyCode")
    client = smsauth_emulator.client()
    with pytest.raises(smsauth.ThrottledError) as info:
        client.send_code(PHONE)
    exc = info.value
    assert exc.code == "Throttling.User" and exc.http_status == 400 and exc.retry_after == 60.0
    assert not exc.may_have_been_received and smsauth_emulator.messages() == []


def test_a_foreign_number_is_refused_before_sending(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    before = smsauth_emulator.request_count()
    with pytest.raises(smsauth.InvalidInputError) as info:
        client.send_code("+1 415 555 0100", country_code="1")
    exc = info.value
    assert exc.field == "CountryCode" and not exc.may_have_been_received
    assert "mainland China" in exc.message
    assert smsauth_emulator.request_count() == before


def test_service_error_after_5xx_retries_on_check(smsauth_emulator: Emulator) -> None:
    smsauth_emulator.add_fault("server_error", status=503, action="CheckSmsVerifyCode")
    client = smsauth_emulator.client()
    before = smsauth_emulator.request_count()
    with pytest.raises(smsauth.ServiceError) as info:
        client.check_code(PHONE, "1234")
    assert info.value.http_status == 503
    assert smsauth_emulator.request_count() - before == 3, "checks are retried (3 attempts)"


def test_send_is_never_retried_after_a_5xx(smsauth_emulator: Emulator) -> None:
    smsauth_emulator.add_fault("server_error", status=500, action="SendSmsVerifyCode")
    client = smsauth_emulator.client()
    before = smsauth_emulator.request_count()
    with pytest.raises(smsauth.ServiceError):
        client.send_code(PHONE)
    assert smsauth_emulator.request_count() - before == 1


@pytest.mark.parametrize("kind", ["malformed", "truncated", "html", "oversized"])
def test_protocol_errors(smsauth_emulator: Emulator, kind: str) -> None:
    smsauth_emulator.add_fault(kind, action="SendSmsVerifyCode")
    client = smsauth_emulator.client()
    with pytest.raises(smsauth.ProtocolError) as info:
        client.send_code(PHONE)
    exc = info.value
    assert exc.http_status in (200, 502)
    assert exc.may_have_been_received, "the answer was spoilt after the request arrived"


def test_connection_dropped_mid_response_is_a_network_error(smsauth_emulator: Emulator) -> None:
    smsauth_emulator.add_fault("drop_mid_response", action="SendSmsVerifyCode")
    client = smsauth_emulator.client()
    with pytest.raises(smsauth.NetworkError) as info:
        client.send_code(PHONE)
    assert info.value.delivery == "unknown", "the SMS may have been sent"
    assert len(smsauth_emulator.messages()) == 1


def test_html_from_a_proxy(canned: CannedServer) -> None:
    canned.reply(502, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"})
    with pytest.raises(smsauth.ProtocolError) as info:
        canned.client().send_code(PHONE)
    assert "Bad Gateway" in info.value.message and info.value.http_status == 502


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_every_class_pickles_with_its_attributes(cls: type) -> None:
    exc = cls(
        "boom",
        code="biz.FREQUENCY",
        service_message="check frequency failed",
        request_id="R-1",
        http_status=200,
        recommend="https://api.aliyun.com/troubleshoot?q=biz.FREQUENCY",
        host_id="dypnsapi.aliyuncs.com",
        access_denied_detail='{"A":1}',
        field="PhoneNumber",
        delivery="answered",
        retry_after=1.5,
        guard_rule="phone:60s",
    )
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is cls and str(back) == "boom" and back.args == ("boom",)
    for name in (
        "message",
        "code",
        "service_message",
        "request_id",
        "http_status",
        "recommend",
        "host_id",
        "access_denied_detail",
        "field",
        "delivery",
        "retry_after",
        "guard_rule",
    ):
        assert getattr(back, name) == getattr(exc, name), name
    assert back.may_have_been_received


def test_a_raised_error_pickles(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    client.send_code(PHONE)
    with pytest.raises(smsauth.ThrottledError) as info:
        client.send_code(PHONE)
    back = pickle.loads(pickle.dumps(info.value))
    assert (back.code, back.request_id, back.message) == (info.value.code, info.value.request_id, info.value.message)
    assert repr(back) == repr(info.value)
