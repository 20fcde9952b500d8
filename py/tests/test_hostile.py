"""The hostile corpus (tests/vectors/hostile.json) through the Python Verifier: the same verdict
(gateway code and error kind) as in Rust, C, Node and the emulator."""

import json
import pathlib

import pytest

import smsauth
from smsauth import errors

CORPUS = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "hostile.json").read_text("utf-8")
)


def _request(r):
    body = bytes.fromhex(r["body_hex"]) if "body_hex" in r else r.get("body", "").encode("utf-8")
    return dict(method=r["method"], path=r["path"], query=r["query"], headers=[tuple(h) for h in r["headers"]], body=body)


@pytest.mark.parametrize("scenario", CORPUS["scenarios"], ids=lambda s: s["name"][:60])
def test_hostile_request_gets_its_verdict(scenario):
    opts = scenario["verifier"]
    verifier = smsauth.Verifier(
        CORPUS["keys"],
        window=CORPUS["window_seconds"],
        expected_hosts=CORPUS["expected_hosts"],
        nonce_capacity=opts.get("nonce_capacity"),
        per_key_quota=opts.get("per_key_quota"),
    )
    for i, step in enumerate(scenario["steps"]):
        req = _request(step["request"])
        if step["expect"] == "OK":
            verifier.verify(**req, now=step["now"])
            continue
        with pytest.raises(errors.SmsAuthError) as info:
            verifier.verify(**req, now=step["now"])
        assert (info.value.code, info.value.kind) == (step["expect"], step["kind"]), f"step {i}: {info.value}"


def test_window_and_store_bounds_are_typed_errors():
    with pytest.raises(errors.InvalidInputError) as info:
        smsauth.Verifier({}, window=86401)
    assert info.value.field == "window"
    with pytest.raises(errors.InvalidInputError):
        smsauth.Verifier({}, nonce_capacity=0)
    # The wheel is built without the `guard-redis` feature: a clear error, not a silent memory store.
    with pytest.raises(errors.InvalidInputError) as info:
        smsauth.Verifier({}, nonce_redis_url="redis://127.0.0.1:6379/")
    assert info.value.field == "nonce_redis_url"


def test_the_signer_refuses_what_http_would_change():
    for kwargs, field in [
        (dict(host="evil.example\r\nx: y"), "host"),
        (dict(method="GE T"), "method"),
        (dict(headers=[("x-acs-a", "v\n")]), "headers"),
    ]:
        with pytest.raises(errors.InvalidInputError) as info:
            smsauth.sign("SendSmsVerifyCode", access_key_id="testid", access_key_secret="testsecret", **kwargs)
        assert info.value.field == field
