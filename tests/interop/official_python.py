"""The official Python SDK (alibabacloud-dypnsapi20170525) against the smsauth emulator.

Usage: official_python.py ENDPOINT_URL   (e.g. http://127.0.0.1:41237)

Prints one line per case, "ok - name" or "not ok - name: why", then "N passed, M failed";
exits non-zero when a case failed. Codes are read from the emulator's outbox over HTTP.
"""

import json
import sys
import traceback
import urllib.request

from alibabacloud_dypnsapi20170525 import models as dypns_models
from alibabacloud_dypnsapi20170525.client import Client
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi import utils as openapi_utils

BASE = sys.argv[1].rstrip("/")
HOST = BASE.split("://", 1)[1]
SIGN_NAME = "速通互联验证码"
TEMPLATE = "100001"
results = []


def hook(method, path):
    req = urllib.request.Request(BASE + path, method=method)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read().decode("utf-8"))


def last_code(phone):
    return hook("GET", "/_emulator/last-code?phone=" + phone)["code"]


def client(key_id="testid", secret="testsecret", token=None, v1=False):
    config = open_api_models.Config(
        access_key_id=key_id,
        access_key_secret=secret,
        security_token=token,
        endpoint=HOST,
        protocol="http",
    )
    if v1:
        config.signature_algorithm = "v2"
    return Client(config)


def send(c, phone, **extra):
    return c.send_sms_verify_code(
        dypns_models.SendSmsVerifyCodeRequest(
            phone_number=phone,
            sign_name=SIGN_NAME,
            template_code=TEMPLATE,
            template_param='{"code":"##code##","min":"5"}',
            **extra,
        )
    )


def check(c, phone, code, **extra):
    return c.check_sms_verify_code(
        dypns_models.CheckSmsVerifyCodeRequest(phone_number=phone, verify_code=code, **extra)
    )


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def case(fn):
    try:
        fn()
        results.append(True)
        print("ok - python: " + fn.__name__, flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is reported, never swallowed
        results.append(False)
        detail = "".join(traceback.format_exception_only(type(e), e)).strip().replace("\n", " | ")
        print("not ok - python: {}: {}".format(fn.__name__, detail), flush=True)
    return fn


def error_of(call):
    """Run call, which must raise an SDK error; return it."""
    try:
        call()
    except Exception as e:  # noqa: BLE001
        return e
    raise AssertionError("expected an error, the SDK returned normally")


def flow(c, phone):
    """Send, read the code from the outbox, reject a wrong code, accept the right one once."""
    sent = send(c, phone)
    expect(sent.status_code == 200, "send status {}".format(sent.status_code))
    body = sent.body
    expect(body.code == "OK" and body.success is True, "send answer {}".format(body.to_map()))
    expect(body.model.biz_id.endswith("^0"), "BizId {!r}".format(body.model.biz_id))
    expect(len(body.request_id) == 36, "RequestId {!r}".format(body.request_id))
    code = last_code(phone)
    expect(code and len(code) == 4 and code.isdigit(), "code in the outbox: {!r}".format(code))
    wrong = "1111" if code == "0000" else "0000"
    r = check(c, phone, wrong)
    expect(r.body.code == "OK" and r.body.model.verify_result == "UNKNOWN", "wrong code: {}".format(r.body.to_map()))
    r = check(c, phone, code)
    expect(r.body.model.verify_result == "PASS", "right code: {}".format(r.body.to_map()))
    r = check(c, phone, code)
    expect(r.body.model.verify_result == "UNKNOWN", "a code passes once: {}".format(r.body.to_map()))


def sts(ttl=3600):
    return hook("POST", "/_emulator/sts?ttl={}".format(ttl))


@case
def v3_send_then_check():
    flow(client(), "13800138001")


@case
def v1_send_then_check():
    flow(client(v1=True), "13800138002")


@case
def v3_send_then_check_with_sts_token():
    s = sts()
    flow(client(s["access_key_id"], s["access_key_secret"], s["security_token"]), "13800138003")


@case
def v1_send_then_check_with_sts_token():
    s = sts()
    flow(client(s["access_key_id"], s["access_key_secret"], s["security_token"], v1=True), "13800138004")


@case
def wrong_secret_is_signature_does_not_match():
    for v1 in (False, True):
        e = error_of(lambda: check(client(secret="wrong", v1=v1), "13800138005", "1234"))
        expect(getattr(e, "code", None) == "SignatureDoesNotMatch", "v1={} got {!r}".format(v1, e))
        expect(getattr(e, "status_code", None) == 400, "status {}".format(getattr(e, "status_code", None)))
        expect("server string to sign is:" in str(e.data.get("Message")), "message {!r}".format(e.data))


def replay(v1, phone):
    """Freeze the SDK's nonce and timestamp so two calls send byte-identical requests."""
    nonce, stamp = openapi_utils.Utils.get_nonce, openapi_utils.Utils.get_timestamp
    fixed_nonce, fixed_time = nonce(), stamp()
    openapi_utils.Utils.get_nonce = staticmethod(lambda: fixed_nonce)
    openapi_utils.Utils.get_timestamp = staticmethod(lambda: fixed_time)
    try:
        c = client(v1=v1)
        first = check(c, phone, "1234")
        expect(first.body.code == "OK", "first: {}".format(first.body.to_map()))
        e = error_of(lambda: check(c, phone, "1234"))
        expect(getattr(e, "code", None) == "SignatureNonceUsed", "replay got {!r}".format(e))
        expect(getattr(e, "status_code", None) == 400, "status {}".format(getattr(e, "status_code", None)))
    finally:
        openapi_utils.Utils.get_nonce, openapi_utils.Utils.get_timestamp = nonce, stamp


@case
def v3_replay_is_signature_nonce_used():
    replay(False, "13800138006")


@case
def v1_replay_is_signature_nonce_used():
    replay(True, "13800138007")


@case
def unknown_key_is_invalid_access_key_id_not_found():
    e = error_of(lambda: check(client(key_id="nobody"), "13800138008", "1234"))
    expect((e.code, e.status_code) == ("InvalidAccessKeyId.NotFound", 404), repr(e))


@case
def expired_sts_token_is_invalid_security_token():
    s = sts(ttl=1)
    hook("POST", "/_emulator/clock/advance?seconds=2")
    e = error_of(lambda: check(client(s["access_key_id"], s["access_key_secret"], s["security_token"]), "13800138009", "1234"))
    expect(e.code == "InvalidSecurityToken.Expired", repr(e))


@case
def frequency_is_a_200_with_success_false():
    c = client()
    send(c, "13800138010")
    r = send(c, "13800138010")  # the official SDK returns business failures as successes
    expect(r.status_code == 200, "status {}".format(r.status_code))
    expect(r.body.code == "biz.FREQUENCY" and r.body.success is False, repr(r.body.to_map()))


@case
def return_verify_code_and_out_id():
    c = client()
    r = send(c, "13800138011", return_verify_code=True, out_id="order-1", code_length=6, code_type=7)
    code = last_code("13800138011")
    expect(r.body.model.verify_code == code and len(code) == 6, repr(r.body.to_map()))
    expect(r.body.model.out_id == "order-1", repr(r.body.to_map()))
    r = check(c, "13800138011", code.lower(), case_auth_policy=1, out_id="order-1")
    expect(r.body.model.verify_result == "PASS" and r.body.model.out_id == "order-1", repr(r.body.to_map()))


@case
def injected_throttling_looks_real():
    hook_body = json.dumps({"kind": "throttle", "retry_after_ms": 1000, "times": 1}).encode()
    req = urllib.request.Request(BASE + "/_emulator/faults", data=hook_body, method="POST")
    urllib.request.urlopen(req, timeout=10).read()
    e = error_of(lambda: check(client(), "13800138012", "1234"))
    expect(type(e).__name__ == "ThrottlingException", repr(e))
    expect((e.code, e.status_code) == ("Throttling.User", 400), repr(e))


def send_as(c, phone, sign_name=SIGN_NAME, template_code=TEMPLATE, template_param='{"code":"##code##","min":"5"}', **extra):
    return c.send_sms_verify_code(
        dypns_models.SendSmsVerifyCodeRequest(
            phone_number=phone, sign_name=sign_name, template_code=template_code, template_param=template_param, **extra
        )
    )


def refused(r, code):
    """A business refusal: the official SDK returns it (HTTP 200), it raises nothing."""
    expect(r.status_code == 200, "status {}".format(r.status_code))
    expect(r.body.code == code and r.body.success is False, repr(r.body.to_map()))


@case
def custom_signature_template_and_missing_variable_are_refused():
    c = client()
    refused(send_as(c, "13800138013", sign_name="我的应用"), "isv.SMS_SIGNATURE_ILLEGAL")
    refused(send_as(c, "13800138013", template_code="SMS_12345"), "isv.SMS_TEMPLATE_ILLEGAL")
    refused(send_as(c, "13800138013", template_param='{"code":"##code##"}'), "isv.TEMPLATE_MISSING_PARAMETERS")
    refused(send_as(c, "13800138013", code_length=9), "isv.INVALID_PARAMETERS")
    expect(last_code("13800138013") is None, "nothing was sent")
    expect(send_as(c, "13800138013", sign_name="云渚科技验证平台", template_code="100003").body.code == "OK", "a preset pair")


@case
def flow_control_is_business_limit_control():
    c = client()
    send_as(c, "13800138014", interval=1)
    hook("POST", "/_emulator/clock/advance?seconds=1")
    r = send_as(c, "13800138014", interval=1)
    refused(r, "isv.BUSINESS_LIMIT_CONTROL")
    expect(r.body.message.startswith("触发分钟级流控Permits:1"), repr(r.body.to_map()))


@case
def an_86_prefixed_phone_number_is_accepted():
    c = client()
    expect(send(c, "8613800138015").body.code == "OK", "send")
    expect(check(c, "13800138015", last_code("13800138015")).body.model.verify_result == "PASS", "check")


passed = sum(results)
failed = len(results) - passed
print("python: {} passed, {} failed".format(passed, failed))
sys.exit(1 if failed else 0)
