"""The blocking client against the emulator: send, check, wrong and expired codes, overrides,
typed calls and result objects."""

from __future__ import annotations

import dataclasses
import json

import pytest

import smsauth
from smsauth.testing import Emulator

from conftest import PHONE


def test_send_then_check_passes_once(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    sent = client.send_code("+86 138-0013-8000")
    assert isinstance(sent, smsauth.SendResult)
    assert sent.code == "OK" and sent.http_status == 200 and sent
    assert sent.request_id and sent.biz_id and sent.biz_id.endswith("^0")
    assert sent.success and sent.model_request_id, "the fields Node's result has too"
    assert sent.out_id is None, "the service's empty OutId is absent, in every language"

    [message] = smsauth_emulator.messages(PHONE)
    assert message.phone_number == PHONE  # normalised before sending
    assert message.code in message.text and message.sign_name == "速通互联验证码"
    assert message.biz_id == sent.biz_id

    result = client.check_code(PHONE, message.code)
    assert result.passed and bool(result) and result.verify_result == "PASS"
    assert result.request_id and result.request_id != sent.request_id
    assert result.success and result.out_id is None
    again = client.check_code(PHONE, message.code)
    assert not again and again.verify_result == "UNKNOWN", "a code passes once"


def test_wrong_code_is_a_result_not_an_error(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    client.send_code(PHONE)
    code = smsauth_emulator.last_code(PHONE)
    assert code is not None
    wrong = "0000" if code != "0000" else "1111"
    result = client.check_code(PHONE, wrong)
    assert result.passed is False and not result and result.verify_result == "UNKNOWN"
    assert client.check_code(PHONE, code).passed


def test_expired_code_fails_after_valid_time(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    client.send_code(PHONE, valid_time=120)
    [message] = smsauth_emulator.messages(PHONE)
    assert message.expires_at - message.sent_at == 120
    smsauth_emulator.advance_clock(121)
    assert not client.check_code(PHONE, message.code), "expired"


def test_code_still_valid_just_before_expiry(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    client.send_code(PHONE, valid_time=120)
    smsauth_emulator.advance_clock(119)
    code = smsauth_emulator.last_code(PHONE)
    assert code and client.check_code(PHONE, code)


def test_interval_then_resend_after_clock_moves(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    client.send_code(PHONE)
    with pytest.raises(smsauth.ThrottledError):
        client.send_code(PHONE)
    smsauth_emulator.advance_clock(61)
    client.send_code(PHONE)
    assert len(smsauth_emulator.messages(PHONE)) == 2


def test_faithful_by_default_and_lenient_on_request() -> None:
    with Emulator() as faithful, Emulator(lenient=True) as lenient:
        with pytest.raises(smsauth.SmsAuthError) as info:
            faithful.client().send_code(PHONE, sign_name="我的自定义签名")
        assert info.value.code == "isv.SMS_SIGNATURE_ILLEGAL"
        assert faithful.messages(PHONE) == []
        lenient.client().send_code(PHONE, sign_name="我的自定义签名")
        assert lenient.messages(PHONE)[0].sign_name == "我的自定义签名"


def test_overrides_reach_the_service(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    sent = client.send_code(
        PHONE,
        code_length=6,
        code_type=smsauth.CodeType.UPPER,
        out_id="order-42",
        return_verify_code=True,
        template_param={"code": "##code##", "min": "9"},
        scheme_name="登录",
        duplicate_check=False,
        early_warn=True,
    )
    [message] = smsauth_emulator.messages(PHONE)
    assert len(message.code) == 6 and message.code.isalpha() and message.code.isupper()
    assert message.out_id == "order-42" and sent.out_id == "order-42"
    assert message.scheme_name == "登录" and "9分钟" in message.text
    assert sent.verify_code == message.code
    # The scheme scopes the code: checking under the default scheme does not find it.
    assert not client.check_code(PHONE, message.code)
    assert client.check_code(PHONE, message.code.lower(), scheme_name="登录", out_id="order-42")


def test_client_defaults_apply_and_overrides_win(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(code_length=8, scheme_name="默认方案", valid_time=600)
    client.send_code(PHONE)
    [first] = smsauth_emulator.messages(PHONE)
    assert len(first.code) == 8 and first.expires_at - first.sent_at == 600
    assert "10分钟" in first.text, "TemplateParam min follows ValidTime"
    smsauth_emulator.advance_clock(61)
    client.send_code(PHONE, code_length=4)
    assert len(smsauth_emulator.messages(PHONE)[-1].code) == 4


def test_typed_requests_are_sent_exactly_as_given(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(code_length=8)  # not applied to typed calls
    request = smsauth.SendSmsVerifyCodeRequest(
        PHONE,
        sign_name="速通互联验证码",
        template_code="100001",
        template_param=json.dumps({"code": "##code##", "min": "5"}),
    )
    assert request.code_length is None and request.phone_number == PHONE
    assert client.send_sms_verify_code(request)
    code = smsauth_emulator.last_code(PHONE)
    assert code is not None and len(code) == 4
    check = smsauth.CheckSmsVerifyCodeRequest(PHONE, code, case_auth_policy=smsauth.CaseAuthPolicy.INSENSITIVE)
    assert client.check_sms_verify_code(check).passed
    # A typed request without the required fields fails validation, naming the field.
    with pytest.raises(smsauth.InvalidInputError) as info:
        client.send_sms_verify_code(smsauth.SendSmsVerifyCodeRequest(PHONE))
    assert info.value.field == "SignName"


def test_request_objects_are_frozen_values() -> None:
    req = smsauth.SendSmsVerifyCodeRequest(PHONE, sign_name="s", code_length=6, early_warn=True)
    with pytest.raises(AttributeError):
        req.sign_name = "other"  # type: ignore[misc]
    changed = req.replace(code_length=None, out_id="x")
    assert changed.code_length is None and changed.out_id == "x" and req.code_length == 6
    assert req == smsauth.SendSmsVerifyCodeRequest(PHONE, sign_name="s", code_length=6, early_warn=True)
    assert req != changed
    assert repr(req) == "SendSmsVerifyCodeRequest(phone_number='13800138000', sign_name='s', code_length=6, early_warn=True)"
    params = dict(
        smsauth.SendSmsVerifyCodeRequest(
            PHONE, sign_name="s", template_code="t", template_param='{"code":"##code##"}', duplicate_check=False, early_warn=True
        ).to_params()
    )
    assert params["DuplicateCheck"] == "false" and params["EarlyWarn"] == "true"
    check = smsauth.CheckSmsVerifyCodeRequest(PHONE, "4232")
    assert "4232" not in repr(check), "the code the user typed is not shown"


def test_results_are_frozen_with_readable_reprs(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    sent = client.send_code(PHONE, return_verify_code=True, out_id="o-1")
    code = sent.verify_code
    assert code and code not in repr(sent)
    assert repr(sent) == (
        f"SendResult(request_id={sent.request_id!r}, biz_id={sent.biz_id!r}, out_id='o-1', verify_code='***')"
    )
    result = client.check_code(PHONE, code)
    assert repr(result) == f"CheckResult(passed=True, verify_result='PASS', out_id=None, request_id={result.request_id!r})"
    for obj, attr in ((sent, "request_id"), (result, "passed")):
        with pytest.raises(AttributeError):
            setattr(obj, attr, "x")
    assert not dataclasses.is_dataclass(result)


def test_client_repr_and_endpoint(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(signature_version="v1")
    assert client.endpoint == smsauth_emulator.endpoint + "/"
    assert repr(client) == (
        f"smsauth.Client(endpoint='{smsauth_emulator.endpoint}/', access_key_id='testid', "
        "signature_version='v1', sign_name='速通互联验证码', template_code='100001')"
    )
    assert client.user_agent.startswith(f"smsauth/{smsauth.__version__} (python;")


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_both_signature_versions_and_sts(smsauth_emulator: Emulator, version: str) -> None:
    sts = smsauth_emulator.issue_sts(600)
    client = smsauth.Client(
        sts.access_key_id,
        sts.access_key_secret,
        sts.security_token,
        endpoint=smsauth_emulator.endpoint,
        signature_version=version,
        sign_name="速通互联验证码",
        template_code="100001",
    )
    client.send_code(PHONE)
    code = smsauth_emulator.last_code(PHONE)
    assert code and client.check_code(PHONE, code)
    smsauth_emulator.advance_clock(601)
    with pytest.raises(smsauth.AuthenticationError) as info:
        client.check_code(PHONE, code)
    # The emulated clock moved 10 minutes: the token expired (the timestamp is still in window).
    assert info.value.code == "InvalidSecurityToken.Expired"


def test_default_credentials_come_from_the_environment(
    smsauth_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in smsauth_emulator.env().items():
        monkeypatch.setenv(name, value)
    client = smsauth.Client(endpoint=smsauth_emulator.endpoint, sign_name="速通互联验证码", template_code="100001")
    assert "credentials='default chain'" in repr(client)
    assert client.send_code(PHONE)


def test_many_sends_count_as_requests(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client()
    before = smsauth_emulator.request_count()
    for i in range(5):
        client.send_code(f"1380013800{i}")
    assert smsauth_emulator.request_count() - before == 5
    assert [m.phone_number for m in smsauth_emulator.messages()] == [f"1380013800{i}" for i in range(5)]


def test_reprs_show_values_as_python_repr_does() -> None:
    """Every ``repr`` quotes its values with Python's own ``repr`` (quotes, escapes, lists)."""
    verifier = smsauth.Verifier({"it's": "s", "b": "t"})
    assert repr(verifier) == "Verifier(access_key_ids=['b', \"it's\"])"
    ex = smsauth.explain_v1("GET", {"Name": "x"}, "secret")
    assert repr(ex) == (
        f"Explanation(canonical_request={ex.canonical_request!r}, string_to_sign={ex.string_to_sign!r}, "
        f"signature={ex.signature!r})"
    )
