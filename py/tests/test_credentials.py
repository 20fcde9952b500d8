"""Credentials the binding can select: explicit keys, STS keys, a named profile, a RAM role
(assumed through the emulated STS), the default chain."""

from __future__ import annotations

from pathlib import Path

import pytest

import smsauth
from smsauth.testing import Emulator

from conftest import PHONE


@pytest.mark.usefixtures("no_credentials")
def test_named_profile_from_the_credentials_file(
    smsauth_emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "credentials"
    path.write_text(
        "[default]\ntype = access_key\naccess_key_id = nobody\naccess_key_secret = wrong\n\n"
        f"[sms]\ntype = access_key\naccess_key_id = {smsauth_emulator.access_key_id}\n"
        f"access_key_secret = {smsauth_emulator.access_key_secret}\n"
    )
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(path))
    client = smsauth_emulator.client(access_key_id=None, access_key_secret=None, profile="sms")
    assert "profile='sms'" in repr(client)
    assert client.send_code(PHONE)
    with pytest.raises(smsauth.CredentialsError, match="missing"):
        smsauth_emulator.client(access_key_id=None, access_key_secret=None, profile="missing").send_code(PHONE)


def test_role_arn_through_the_emulated_sts(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(
        role_arn="acs:ram::1234567890123456:role/sms-sender",
        role_session_name="signup",
        sts_endpoint=smsauth_emulator.sts_endpoint,
    )
    assert "role_arn='acs:ram::1234567890123456:role/sms-sender'" in repr(client)
    sent = client.send_code(PHONE, return_verify_code=True)
    assert sent.verify_code and client.check_code(PHONE, sent.verify_code)


def test_role_arn_with_wrong_source_keys_is_a_typed_error(smsauth_emulator: Emulator) -> None:
    client = smsauth_emulator.client(
        access_key_secret="not-the-secret",
        role_arn="acs:ram::1234567890123456:role/sms-sender",
        sts_endpoint=smsauth_emulator.sts_endpoint,
    )
    with pytest.raises(smsauth.SmsAuthError) as info:
        client.send_code(PHONE)
    assert "not-the-secret" not in str(info.value)
    assert smsauth_emulator.messages() == []


def test_conflicting_credential_options() -> None:
    # The core's CredentialsConfig rules (the same in every language; tests/behaviour/client.json).
    with pytest.raises(smsauth.InvalidInputError, match="not both") as info:
        smsauth.Client("id", "secret", profile="prod")
    assert info.value.field == "profile"
    with pytest.raises(smsauth.InvalidInputError, match="role ARN is empty") as info:
        smsauth.Client("id", "secret", role_session_name="x")
    assert info.value.field == "role_arn"
    with pytest.raises(smsauth.InvalidInputError, match="role ARN is empty"):
        smsauth.Client("id", "secret", role_arn="")
    # None leaves an option unset, as everywhere in the API.
    assert "access_key_id='id'" in repr(smsauth.Client("id", "secret", role_arn=None, role_session_name=None))
    with pytest.raises(smsauth.InvalidInputError):
        smsauth.Client("id", "secret", role_arn="acs:ram::1:role/x", role_duration=60)
    with pytest.raises(TypeError, match="argument 'profile' must be str"):
        smsauth.Client(profile=1)
