"""Bad input: a TypeError naming the argument for a wrong type, an InvalidInputError naming the
API field for a bad value — before anything is sent."""

from __future__ import annotations

import pytest

import smsauth
from smsauth.testing import Emulator

from conftest import PHONE


@pytest.fixture
def client(smsauth_emulator: Emulator) -> smsauth.Client:
    return smsauth_emulator.client()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.send_code(13800138000), "send_code() argument 'phone' must be str, not int"),
        (lambda c: c.send_code(None), "send_code() argument 'phone' must be str, not NoneType"),
        (lambda c: c.check_code(PHONE, 4232), "check_code() argument 'code' must be str, not int"),
        (lambda c: c.send_code(PHONE, code_length="6"), "send_code() argument 'code_length' must be int, not str"),
        (lambda c: c.send_code(PHONE, code_length=6.0), "send_code() argument 'code_length' must be int, not float"),
        (lambda c: c.send_code(PHONE, valid_time=True), "send_code() argument 'valid_time' must be int, not bool"),
        (lambda c: c.send_code(PHONE, return_verify_code=1), "argument 'return_verify_code' must be bool, not int"),
        (lambda c: c.send_code(PHONE, sign_name=b"x"), "argument 'sign_name' must be str, not bytes"),
        (lambda c: c.send_code(PHONE, template_param=["x"]), "argument 'template_param' must be str (JSON) or dict"),
        (lambda c: c.check_code(PHONE, "1234", case_auth_policy="2"), "argument 'case_auth_policy' must be int"),
        (lambda c: c.send_code(PHONE, colour="red"), "send_code() got an unexpected keyword argument 'colour'"),
        (lambda c: c.check_code(PHONE, "1234", code_length=4), "check_code() got an unexpected keyword argument 'code_length'"),
        (lambda c: c.send_code(PHONE, phone_number=PHONE), "unexpected keyword argument 'phone_number'"),
        (lambda c: c.send_sms_verify_code({"PhoneNumber": PHONE}), "argument 'request' must be smsauth.SendSmsVerifyCodeRequest, not dict"),
        (
            lambda c: c.check_sms_verify_code(smsauth.SendSmsVerifyCodeRequest(PHONE)),
            "argument 'request' must be smsauth.CheckSmsVerifyCodeRequest, not SendSmsVerifyCodeRequest",
        ),
    ],
)
def test_wrong_types_name_the_argument(
    client: smsauth.Client, smsauth_emulator: Emulator, call, message: str
) -> None:
    with pytest.raises(TypeError) as info:
        call(client)
    assert message in str(info.value)
    assert not isinstance(info.value, smsauth.SmsAuthError)
    assert smsauth_emulator.request_count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code_length": 3}, "CodeLength"),
        ({"code_length": 9}, "CodeLength"),
        ({"code_length": -1}, "CodeLength"),
        ({"code_length": 2**70}, "CodeLength"),
        ({"valid_time": 0}, "ValidTime"),
        ({"interval": -5}, "Interval"),
        ({"code_type": 8}, "CodeType"),
        ({"duplicate_policy": 3}, "DuplicatePolicy"),
        ({"template_param": "not json"}, "TemplateParam"),
        ({"template_param": "[1, 2]"}, "TemplateParam"),
        ({"scheme_name": "方" * 21}, "SchemeName"),
        ({"country_code": "cn"}, "CountryCode"),
        ({"sign_name": "  "}, "SignName"),
    ],
)
def test_bad_values_name_the_field(
    client: smsauth.Client, smsauth_emulator: Emulator, kwargs: dict, field: str
) -> None:
    with pytest.raises(smsauth.InvalidInputError) as info:
        client.send_code(PHONE, **kwargs)
    assert info.value.field == field, info.value.message
    assert field in info.value.message
    assert smsauth_emulator.request_count() == 0


@pytest.mark.parametrize(
    ("phone", "code"),
    [("", "1234"), ("1380013800", "1234"), ("138-0013-800O", "1234"), (PHONE, "12"), (PHONE, "12 34"), (PHONE, "123456789")],
)
def test_bad_check_inputs(client: smsauth.Client, phone: str, code: str) -> None:
    with pytest.raises(smsauth.InvalidInputError) as info:
        client.check_code(phone, code)
    assert info.value.field in ("PhoneNumber", "VerifyCode")


def test_check_rejects_out_of_range_case_policy(client: smsauth.Client) -> None:
    with pytest.raises(ValueError) as info:
        client.check_code(PHONE, "1234", case_auth_policy=0)
    assert isinstance(info.value, smsauth.InvalidInputError) and info.value.field == "CaseAuthPolicy"


@pytest.mark.parametrize(
    ("options", "exc", "text"),
    [
        ({"timeout": 0}, smsauth.InvalidInputError, "timeout"),
        ({"timeout": -1.0}, smsauth.InvalidInputError, "timeout"),
        ({"read_timeout": float("nan")}, smsauth.InvalidInputError, "read_timeout"),
        ({"connect_timeout": "5"}, TypeError, "Client() argument 'connect_timeout' must be int or float"),
        ({"endpoint": "ftp://example.com"}, smsauth.InvalidInputError, "endpoint"),
        ({"endpoint": "http://127.0.0.1:1/path"}, smsauth.InvalidInputError, "endpoint"),
        ({"endpoint": 8080}, TypeError, "Client() argument 'endpoint' must be str, not int"),
        ({"signature_version": "v2"}, smsauth.InvalidInputError, "signature_version"),
        ({"max_attempts": 0}, smsauth.InvalidInputError, "max_attempts"),
        ({"proxy": "::not a url::"}, smsauth.InvalidInputError, "proxy"),
        ({"code_type": 0}, smsauth.InvalidInputError, "CodeType"),
        ({"colour": "red"}, TypeError, "Client() got an unexpected keyword argument 'colour'"),
    ],
)
def test_bad_client_options(options: dict, exc: type, text: str) -> None:
    with pytest.raises(exc) as info:
        smsauth.Client("testid", "testsecret", **options)
    assert text in str(info.value)


def test_keys_must_be_strings() -> None:
    with pytest.raises(TypeError, match="Client\\(\\) argument 'access_key_secret' must be str, not bytes"):
        smsauth.Client("testid", b"secret")
    with pytest.raises(TypeError, match="AsyncClient\\(\\) argument 'access_key_id' must be str, not int"):
        smsauth.AsyncClient(1, "secret")


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        smsauth.Client("testid", "testsecret", None, "http://127.0.0.1:1")  # type: ignore[misc]


def test_request_constructors_check_types() -> None:
    with pytest.raises(TypeError, match="SendSmsVerifyCodeRequest\\(\\) argument 'interval' must be int, not str"):
        smsauth.SendSmsVerifyCodeRequest(PHONE, interval="60")
    with pytest.raises(TypeError, match="unexpected keyword argument 'verify_code'"):
        smsauth.SendSmsVerifyCodeRequest(PHONE, verify_code="1234")
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth.CheckSmsVerifyCodeRequest(PHONE, "1234", case_auth_policy=3)
    assert info.value.field == "CaseAuthPolicy"
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth.CheckSmsVerifyCodeRequest("", "1234").to_params()
    assert info.value.field == "PhoneNumber"


def test_enums_and_plain_ints_are_equivalent() -> None:
    a = smsauth.SendSmsVerifyCodeRequest(PHONE, code_type=smsauth.CodeType.ALPHANUMERIC, duplicate_policy=2)
    b = smsauth.SendSmsVerifyCodeRequest(PHONE, code_type=7, duplicate_policy=smsauth.DuplicatePolicy.KEEP)
    assert a == b and a.code_type == 7


def test_floats_and_out_of_range_ints_are_refused_where_an_int_is_read() -> None:
    req = smsauth.SendSmsVerifyCodeRequest(PHONE)
    with pytest.raises(TypeError, match="replace\\(\\) argument 'code_length' must be int, not float"):
        req.replace(code_length=6.0)
    with pytest.raises(TypeError, match="Client\\(\\) argument 'max_attempts' must be int, not float"):
        smsauth.Client("testid", "testsecret", max_attempts=3.0)
    with pytest.raises(smsauth.InvalidInputError, match="must be a non-negative integer, got -2") as info:
        smsauth.SendSmsVerifyCodeRequest(PHONE, code_length=-2)
    assert info.value.field == "CodeLength"
    with pytest.raises(smsauth.InvalidInputError, match="is too large") as info:
        smsauth.Guard(max_keys=2**70)
    assert info.value.field == "guard.max_keys"
    # `None` unsets a field in `replace`; an int is still an int.
    assert req.replace(code_length=6).replace(code_length=None) == req


def test_signing_pairs_take_any_iterable_of_str_pairs() -> None:
    params = {"Action": "SendSmsVerifyCode", "PhoneNumber": PHONE}
    expected = smsauth.explain_v1("GET", params, "secret").signature
    assert smsauth.explain_v1("GET", params.items(), "secret").signature == expected
    assert smsauth.explain_v1("GET", (kv for kv in params.items()), "secret").signature == expected
    assert smsauth.explain_v1("GET", list(params.items()), "secret").signature == expected
    with pytest.raises(TypeError, match="explain_v1\\(\\) argument 'params' must be a dict or a list of \\(str, str\\) pairs"):
        smsauth.explain_v1("GET", {"PhoneNumber": 13800138000}, "secret")  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="argument 'params' must be a dict or a list of \\(str, str\\) pairs, not int"):
        smsauth.explain_v1("GET", 5, "secret")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="verify\\(\\) argument 'body' must be str or bytes, not int"):
        smsauth.verify("POST", body=5, secrets={"id": "secret"})  # type: ignore[arg-type]


def test_sign_reads_the_usual_call_as_the_core_reader_does() -> None:
    """`sign`'s usual call (a dict of str, str keywords) is read without the value tree; the same
    inputs in a shape only the core's reader takes (a list of pairs) sign the same request, and a
    value the core refuses is refused the same way."""
    params = {"PhoneNumber": "13800138000", "VerifyCode": "123456"}
    fresh = {"Timestamp", "SignatureNonce", "Signature", "x-acs-date", "x-acs-signature-nonce", "authorization"}

    def parts(signed: smsauth.SignedRequest) -> tuple[object, ...]:
        query = [p for p in signed.query_pairs() if p[0] not in fresh]
        return signed.method, signed.path, query, [h for h in signed.headers if h[0].lower() not in fresh]

    for extra in ({}, {"security_token": "tok", "api_version": "2020-01-01", "method": "GET", "host": "h:1"}):
        for version in ("v1", "v3"):
            keys = dict(access_key_id="testid", access_key_secret="testsecret", signature_version=version, **extra)
            usual = smsauth.sign("CheckSmsVerifyCode", params, **keys)
            assert parts(usual) == parts(smsauth.sign("CheckSmsVerifyCode", list(params.items()), **keys))
    usual = smsauth.sign("CheckSmsVerifyCode", params, access_key_id="testid", access_key_secret="testsecret")
    verified = smsauth.verify(usual.method, usual.path, usual.query, usual.headers, secrets={"testid": "testsecret"})
    assert (verified.action, verified.params) == ("CheckSmsVerifyCode", list(params.items()))
    for bad in (dict(signature_version="v9"),):
        with pytest.raises(smsauth.InvalidInputError):
            smsauth.sign("CheckSmsVerifyCode", params, access_key_id="i", access_key_secret="s", **bad)


def test_signing_helpers_read_their_arguments_through_the_core() -> None:
    """`sign`, `explain_v3`, `Verifier` and `verify` read their arguments with the core's signing
    readers: Python's wording of a wrong type, bytes or text bodies alike, `window` in seconds."""
    keys = dict(access_key_id="testid", access_key_secret="testsecret")
    with pytest.raises(TypeError, match="^sign\\(\\) argument 'access_key_id' must be str, not int$"):
        smsauth.sign("SendSmsVerifyCode", access_key_id=5, access_key_secret="s")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^sign\\(\\) got an unexpected keyword argument 'version'$"):
        smsauth.sign("SendSmsVerifyCode", version="2017-05-25", **keys)  # type: ignore[call-arg]
    signed = smsauth.sign("SendSmsVerifyCode", api_version="2020-01-01", **keys)
    assert signed.header("x-acs-version") == "2020-01-01"
    parts = ("POST", "/", {}, {"host": "h"})
    text, _ = smsauth.explain_v3(*parts, "body", "testid", "testsecret")
    data, _ = smsauth.explain_v3(*parts, b"body", "testid", "testsecret")
    assert text.signature == data.signature
    with pytest.raises(TypeError, match="^explain_v3\\(\\) argument 'body' must be str or bytes, not int$"):
        smsauth.explain_v3(*parts, 5, "testid", "testsecret")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^Verifier\\(\\) argument 'window' must be int or float, not str$"):
        smsauth.Verifier({}, window="60")  # type: ignore[arg-type]
    with pytest.raises(smsauth.InvalidInputError, match="non-negative") as info:
        smsauth.Verifier({}, nonce_capacity=-1)
    assert info.value.field == "nonce_capacity"
    t = 1735787045
    signed = smsauth.sign("SendSmsVerifyCode", timestamp=t, **keys)
    args = (signed.method, signed.path, signed.query, signed.headers)
    assert smsauth.verify(*args, secrets={"testid": "testsecret"}, now=t + 30, window=30.5).action == "SendSmsVerifyCode"
    with pytest.raises(smsauth.AuthenticationError):
        smsauth.verify(*args, secrets={"testid": "testsecret"}, now=t + 31, window=30.5)
    with pytest.raises(smsauth.InvalidInputError) as info:
        smsauth.verify(*args, secrets={"testid": "testsecret"}, now=-1)
    assert info.value.field == "now"


def test_ca_certificates_take_a_list_read_item_by_item() -> None:
    # Each PEM of a list reaches the core, which refuses one without a certificate.
    pem_like = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    for value in (["no pem here"], [pem_like], ("no pem here",)):
        with pytest.raises(smsauth.InvalidInputError) as info:
            smsauth.Client("testid", "testsecret", ca_certificates=value)
        assert info.value.field == "root_certificates"
    with pytest.raises(TypeError, match="Client\\(\\) argument 'ca_certificates' item \\[1\\] must be str, not int"):
        smsauth.Client("testid", "testsecret", ca_certificates=[pem_like, 5])  # type: ignore[list-item]


@pytest.mark.parametrize("value", [6.0, float("nan"), float("inf")])
def test_no_float_is_read_as_an_int(value: float) -> None:
    with pytest.raises(TypeError, match="Guard\\(\\) argument 'max_keys' must be int, not float"):
        smsauth.Guard(max_keys=value)  # type: ignore[arg-type]
