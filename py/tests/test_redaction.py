"""Secrets (AccessKey secret, STS token) never appear in repr, str(exc), exception attributes or
the DEBUG log — checked on real calls, successful and failing, V1 and V3."""

from __future__ import annotations

import logging
import pickle

import pytest

import smsauth
from smsauth.compat import models as compat_models
from smsauth.testing import Emulator

from conftest import PHONE


def _everything_shown(obj: object) -> str:
    parts = [repr(obj), str(obj)]
    if isinstance(obj, BaseException):
        parts.extend(repr(v) for v in vars(obj).values())
        parts.extend(repr(a) for a in obj.args)
        parts.append(repr(pickle.dumps(obj)))
    return "\n".join(parts)


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_no_secret_anywhere(
    smsauth_emulator: Emulator, caplog: pytest.LogCaptureFixture, version: str
) -> None:
    sts = smsauth_emulator.issue_sts(3600)
    secrets = [sts.access_key_secret, sts.security_token]
    seen: list = [sts]
    with caplog.at_level(logging.DEBUG, logger="smsauth"):
        good = smsauth.Client(
            sts.access_key_id,
            sts.access_key_secret,
            sts.security_token,
            endpoint=smsauth_emulator.endpoint,
            signature_version=version,
            sign_name="速通互联验证码",
            template_code="100001",
        )
        seen.append(good)
        seen.append(good.send_code(PHONE, return_verify_code=True))
        seen.append(good.check_code(PHONE, "0000"))
        for bad_secret in ("wrong-" + sts.access_key_secret, sts.access_key_secret):
            bad = smsauth.Client(
                sts.access_key_id,
                bad_secret,
                sts.security_token + "x" if bad_secret == sts.access_key_secret else sts.security_token,
                endpoint=smsauth_emulator.endpoint,
                signature_version=version,
                sign_name="速通互联验证码",
                template_code="100001",
            )
            seen.append(bad)
            with pytest.raises(smsauth.AuthenticationError) as info:
                bad.send_code("13900000000")
            seen.append(info.value)
        with pytest.raises(smsauth.ThrottledError) as info:
            good.send_code(PHONE)
        seen.append(info.value)
    records = [r.getMessage() for r in caplog.records if r.name == "smsauth"]
    assert any("SendSmsVerifyCode 138****8000 -> OK" in r for r in records), records
    assert any("authentication error" in r for r in records), records
    assert any("created smsauth.Client(" in r for r in records), records
    shown = "\n".join(_everything_shown(o) for o in seen) + "\n".join(records)
    for secret in secrets:
        assert secret not in shown
    assert "13800138000" not in "\n".join(records), "phone numbers are masked in logs"


def test_sign_helpers_do_not_show_secrets() -> None:
    req = smsauth.sign(
        "SendSmsVerifyCode",
        {"PhoneNumber": PHONE},
        access_key_id="testid",
        access_key_secret="the-secret",
        security_token="the-token",
        signature_version="v1",
    )
    assert "the-token" in req.query, "it is sent…"
    assert "the-token" not in repr(req) and "the-secret" not in repr(req), "…but not shown"
    verified = smsauth.verify(req.method, req.path, req.query, req.headers, secrets={"testid": "the-secret"})
    assert verified.security_token == "the-token"
    assert "the-token" not in repr(verified)
    verifier = smsauth.Verifier({"testid": "the-secret"})
    assert "the-secret" not in repr(verifier) and "testid" in repr(verifier)


def test_compat_config_hides_secrets() -> None:
    config = compat_models.Config(access_key_id="id", access_key_secret="the-secret", security_token="the-token")
    for shown in (repr(config), str(config)):
        assert "the-secret" not in shown and "the-token" not in shown and "id" in shown
    assert config.to_map()["accessKeySecret"] == "the-secret", "to_map keeps the value (as the SDK does)"


def test_emulator_sts_repr_hides_secrets(smsauth_emulator: Emulator) -> None:
    sts = smsauth_emulator.issue_sts()
    assert sts.access_key_secret not in repr(sts) and sts.security_token not in repr(sts)
    assert sts.access_key_id in repr(sts)
