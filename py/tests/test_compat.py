"""smsauth.compat: the product's official sample code runs with only its imports changed, and
the official SDK's shapes (Config, models, responses, errors) work."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List
from urllib.parse import parse_qsl

import pytest

import smsauth
from smsauth.compat import models
from smsauth.compat.client import Client as CompatClient
from smsauth.compat.util import Client as UtilClient
from smsauth.testing import Emulator

from conftest import PHONE, CannedServer

SAMPLES = Path(__file__).parent / "seed_sample"
OFFICIAL_IMPORTS = [
    "from smsauth.compat.client import Client as Dypnsapi20170525Client",
    "from smsauth.compat import models as open_api_models",
    "from smsauth.compat import models as dypnsapi_20170525_models",
    "from smsauth.compat import models as util_models",
    "from smsauth.compat.util import Client as UtilClient",
]


def _load(source: str, name: str, tmp_path: Path) -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source, "utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Recorder(UtilClient):
    """Records what the samples' `except` blocks see (the exception being handled)."""

    seen: List[BaseException] = []

    @staticmethod
    def assert_as_string(value: Any) -> str:
        exc = sys.exc_info()[1]
        assert exc is not None
        _Recorder.seen.append(exc)
        return UtilClient.assert_as_string(value)


def _run_both(module: ModuleType) -> None:
    module.UtilClient = _Recorder
    module.main([])
    asyncio.run(module.main_async([]))


def test_samples_differ_from_the_seed_only_in_imports() -> None:
    for name in ("send_sample.py", "check_sample.py"):
        text = (SAMPLES / name).read_text("utf-8")
        imports = [line.split("#")[0].strip() for line in text.splitlines() if "smsauth" in line]
        assert imports == OFFICIAL_IMPORTS, name
        assert "alibabacloud" not in text


def test_samples_run_unchanged(
    smsauth_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As published, the samples carry placeholders ('your_value', CountryCode 'cn',
    CaseAuthPolicy 0): validation rejects them with a typed error before anything is sent, and the
    samples' own `except` blocks handle it."""
    for k, v in smsauth_emulator.env().items():
        monkeypatch.setenv(k, v)
    _Recorder.seen = []
    _run_both(_load((SAMPLES / "send_sample.py").read_text("utf-8"), "send_sample_asis", tmp_path))
    _run_both(_load((SAMPLES / "check_sample.py").read_text("utf-8"), "check_sample_asis", tmp_path))
    assert len(_Recorder.seen) == 4
    fields = [getattr(e, "field", None) for e in _Recorder.seen]
    assert all(isinstance(e, smsauth.InvalidInputError) for e in _Recorder.seen), _Recorder.seen
    assert fields[:2] == ["CountryCode", "CountryCode"] and fields[2:] == ["CaseAuthPolicy"] * 2, fields
    assert smsauth_emulator.request_count() == 0


def _fill(source: str, values: Dict[str, str], endpoint: str) -> str:
    """Replace the samples' placeholder values (the only change besides the imports)."""
    for name, value in values.items():
        source, n = re.subn(rf"\b{name}=('[^']*'|\d+|False|True)", f"{name}={value}", source)
        assert n, name
    return source.replace("f'dypnsapi.aliyuncs.com'", repr(endpoint))


def test_samples_send_and_check_with_real_values(
    smsauth_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    for k, v in smsauth_emulator.env().items():
        monkeypatch.setenv(k, v)
    _Recorder.seen = []
    send_source = _fill(
        (SAMPLES / "send_sample.py").read_text("utf-8"),
        {
            "phone_number": repr(PHONE),
            "sign_name": repr("速通互联验证码"),
            "template_code": repr("100001"),
            "scheme_name": repr("默认方案"),
            "template_param": repr('{"code":"##code##","min":"5"}'),
            "country_code": repr("86"),
            "sms_up_extend_code": repr("1234"),
            "out_id": repr("order-7"),
            "valid_time": "300",
        },
        smsauth_emulator.endpoint,
    )
    send = _load(send_source, "send_sample_filled", tmp_path)
    send.UtilClient = _Recorder
    send.main([])
    smsauth_emulator.advance_clock(60)  # the sample's Interval is 1 s; the flow control allows 1 a minute
    asyncio.run(send.main_async([]))
    assert _Recorder.seen == []
    messages = smsauth_emulator.messages(PHONE)
    assert [m.out_id for m in messages] == ["order-7", "order-7"]
    assert all(m.expires_at - m.sent_at == 300 for m in messages)

    check_source = _fill(
        (SAMPLES / "check_sample.py").read_text("utf-8"),
        {
            "case_auth_policy": "1",
            "country_code": repr("86"),
            "out_id": repr("order-7"),
            "phone_number": repr(PHONE),
            "verify_code": repr(messages[-1].code),
        },
        smsauth_emulator.endpoint,
    )
    check = _load(check_source, "check_sample_filled", tmp_path)
    check.UtilClient = _Recorder
    capsys.readouterr()
    check.main([])
    first = capsys.readouterr().out
    asyncio.run(check.main_async([]))
    second = capsys.readouterr().out
    assert _Recorder.seen == []
    assert "'statusCode': 200" in first and "'VerifyResult': 'PASS'" in first and "'OutId': 'order-7'" in first
    assert "'VerifyResult': 'UNKNOWN'" in second, "a code passes once"


def test_duplicate_check_and_early_warn_are_sent(canned: CannedServer) -> None:
    config = models.Config(access_key_id="testid", access_key_secret="testsecret")
    config.endpoint = canned.endpoint.replace("http://", "")
    config.protocol = "http"
    client = CompatClient(config)
    request = models.SendSmsVerifyCodeRequest(
        phone_number=PHONE,
        sign_name="速通互联验证码",
        template_code="100001",
        template_param='{"code":"##code##"}',
        duplicate_check=False,
        early_warn=True,
    )
    response = client.send_sms_verify_code_with_options(request, models.RuntimeOptions())
    [captured] = canned.requests
    params = dict(parse_qsl(captured.query))
    assert params["DuplicateCheck"] == "false" and params["EarlyWarn"] == "true"
    # What reached the server is correctly signed.
    verified = smsauth.verify(
        captured.method, captured.path, captured.query, captured.headers, captured.body,
        secrets={"testid": "testsecret"},
    )
    assert verified.param("DuplicateCheck") == "false"
    assert response.status_code == 200 and response.headers == {}
    assert response.body.code == "OK" and response.body.request_id == "CANNED-0000-0001"
    assert response.body.model.biz_id == "112233445566^0" and response.body.model.verify_code == "4232"
    assert response.body.success is True


def test_official_shapes_against_the_emulator(smsauth_emulator: Emulator) -> None:
    config = models.Config(
        access_key_id=smsauth_emulator.access_key_id,
        access_key_secret=smsauth_emulator.access_key_secret,
        endpoint=smsauth_emulator.endpoint.replace("http://", ""),
        protocol="HTTP",
        signature_algorithm="v2",  # the official name of V1 signing
    )
    client = CompatClient(config)
    sent = client.send_sms_verify_code(
        models.SendSmsVerifyCodeRequest(
            phone_number=PHONE,
            sign_name="速通互联验证码",
            template_code="100001",
            template_param='{"code":"##code##","min":"5"}',
            return_verify_code=True,
        )
    )
    code = sent.body.model.verify_code
    assert code == smsauth_emulator.last_code(PHONE)
    # A business failure is an exception with .code and .message (not a "successful" response).
    with pytest.raises(smsauth.ThrottledError) as info:
        client.send_sms_verify_code(
            models.SendSmsVerifyCodeRequest(
                phone_number=PHONE,
                sign_name="速通互联验证码",
                template_code="100001",
                template_param='{"code":"##code##","min":"5"}',
            )
        )
    assert info.value.code == "biz.FREQUENCY" and isinstance(info.value.message, str)
    checked = client.check_sms_verify_code(models.CheckSmsVerifyCodeRequest(phone_number=PHONE, verify_code=code))
    assert checked.body.model.verify_result == "PASS" and checked.status_code == 200
    assert checked.body.request_id
    # to_map / from_map round-trip with the API's names.
    as_map = checked.to_map()
    assert as_map["body"]["Model"]["VerifyResult"] == "PASS"
    assert models.CheckSmsVerifyCodeResponse().from_map(as_map) == checked
    assert UtilClient.to_jsonstring(checked).startswith('{"headers": {}, "statusCode": 200')


def test_async_variants_and_runtime_timeouts(smsauth_emulator: Emulator) -> None:
    config = models.Config(
        access_key_id=smsauth_emulator.access_key_id,
        access_key_secret=smsauth_emulator.access_key_secret,
        endpoint=smsauth_emulator.endpoint,
    )
    client = CompatClient(config)
    smsauth_emulator.add_fault("latency", ms=1500, action="CheckSmsVerifyCode", times=1)
    request = models.CheckSmsVerifyCodeRequest(phone_number=PHONE, verify_code="1234")

    async def run() -> Any:
        with pytest.raises(smsauth.TimeoutError):
            await client.check_sms_verify_code_with_options_async(
                request, models.RuntimeOptions(read_timeout=200, connect_timeout=200)
            )
        return await client.check_sms_verify_code_async(request)

    assert asyncio.run(run()).body.model.verify_result == "UNKNOWN"


@pytest.mark.usefixtures("no_credentials")
def test_missing_credentials_surface_at_the_call() -> None:
    client = CompatClient(models.Config())  # like the official SDK, constructing does not fail
    with pytest.raises(smsauth.CredentialsError) as info:
        client.check_sms_verify_code(models.CheckSmsVerifyCodeRequest(phone_number=PHONE, verify_code="1234"))
    assert isinstance(info.value.message, str)


def test_models_behave_like_tea_models() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'phone'"):
        models.SendSmsVerifyCodeRequest(phone="1")
    req = models.SendSmsVerifyCodeRequest(phone_number=PHONE, interval=60)
    assert req.sign_name is None and req.to_map() == {"PhoneNumber": PHONE, "Interval": 60}
    assert models.SendSmsVerifyCodeRequest().from_map({"PhoneNumber": PHONE, "Interval": 60}) == req
    req.validate()
    with pytest.raises(TypeError, match="Config"):
        CompatClient({"access_key_id": "x"})  # type: ignore[arg-type]
    assert UtilClient.assert_as_string("x") == "x"
    with pytest.raises(ValueError):
        UtilClient.assert_as_string(None)
    assert UtilClient.is_unset(None) and UtilClient.default_string("", "d") == "d"
