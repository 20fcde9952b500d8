"""``Client``: the official ``alibabacloud_dypnsapi20170525.client.Client`` calls for SMS Auth,
running on smsauth."""

from __future__ import annotations

import threading
from typing import Any, Dict, Optional, Tuple, Union

from .. import _native
from .._async import AsyncClient
from .._native import CheckResult, Client as _Client, SendResult
from . import models

__all__ = ["Client"]

# The optional fields (the required ones are positional arguments of the native requests).
_SEND_FIELDS = tuple(name for name, _, _, required in _native.SendSmsVerifyCodeRequest._fields if not required)
_CHECK_FIELDS = tuple(name for name, _, _, required in _native.CheckSmsVerifyCodeRequest._fields if not required)

# (read_timeout ms, connect_timeout ms) of a RuntimeOptions; (None, None) means the Config's.
_Timeouts = Tuple[Optional[int], Optional[int]]


def _ms(value: Any, name: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of milliseconds, not {type(value).__name__}")
    return value / 1000.0


class Client:
    """``Dypnsapi20170525Client(config)`` with ``send_sms_verify_code[_with_options][_async]``
    and ``check_sms_verify_code[_with_options][_async]``.

    The underlying :class:`smsauth.Client` is built on first use, so a missing credential is
    raised by the call (inside your ``try``), not by the constructor.
    """

    def __init__(self, config: models.Config) -> None:
        if not isinstance(config, models.Config):
            raise TypeError(
                f"Client() argument 'config' must be smsauth.compat.models.Config, not {type(config).__name__}"
            )
        self._config = config
        self._lock = threading.Lock()
        self._clients: Dict[Tuple[str, _Timeouts], Union[_Client, AsyncClient]] = {}

    def _options(self, runtime: Optional[models.RuntimeOptions]) -> Dict[str, Any]:
        c = self._config
        # The default endpoint and the scheme of a bare host are the client's own options.
        options: Dict[str, Any] = {}
        if c.endpoint:
            options["endpoint"] = c.endpoint
        if c.protocol:
            options["scheme"] = c.protocol
        if c.signature_algorithm is not None and str(c.signature_algorithm).lower() == "v2":
            options["signature_version"] = "v1"
        read = runtime.read_timeout if runtime is not None and runtime.read_timeout is not None else c.read_timeout
        connect = (
            runtime.connect_timeout if runtime is not None and runtime.connect_timeout is not None else c.connect_timeout
        )
        if read is not None:
            options["read_timeout"] = _ms(read, "read_timeout")
        if connect is not None:
            options["connect_timeout"] = _ms(connect, "connect_timeout")
        proxy = c.https_proxy or c.http_proxy
        if proxy:
            options["proxy"] = proxy
        if c.ca:
            options["ca_certificates"] = c.ca
        return options

    def _client(self, kind: str, runtime: Optional[models.RuntimeOptions]) -> Any:
        timeouts: _Timeouts = (
            (runtime.read_timeout, runtime.connect_timeout) if runtime is not None else (None, None)
        )
        key = (kind, timeouts)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                c = self._config
                cls = _Client if kind == "sync" else AsyncClient
                client = cls(c.access_key_id, c.access_key_secret, c.security_token, **self._options(runtime))
                self._clients[key] = client
            return client

    # -- request / response conversion ----------------------------------------------------
    @staticmethod
    def _send_request(request: models.SendSmsVerifyCodeRequest) -> _native.SendSmsVerifyCodeRequest:
        if not isinstance(request, models.SendSmsVerifyCodeRequest):
            raise TypeError(
                "send_sms_verify_code() argument 'request' must be SendSmsVerifyCodeRequest, "
                f"not {type(request).__name__}"
            )
        fields = {name: getattr(request, name) for name in _SEND_FIELDS if getattr(request, name) is not None}
        phone = request.phone_number if request.phone_number is not None else ""
        return _native.SendSmsVerifyCodeRequest(phone, **fields)

    @staticmethod
    def _check_request(request: models.CheckSmsVerifyCodeRequest) -> _native.CheckSmsVerifyCodeRequest:
        if not isinstance(request, models.CheckSmsVerifyCodeRequest):
            raise TypeError(
                "check_sms_verify_code() argument 'request' must be CheckSmsVerifyCodeRequest, "
                f"not {type(request).__name__}"
            )
        fields = {name: getattr(request, name) for name in _CHECK_FIELDS if getattr(request, name) is not None}
        phone = request.phone_number if request.phone_number is not None else ""
        code = request.verify_code if request.verify_code is not None else ""
        return _native.CheckSmsVerifyCodeRequest(phone, code, **fields)

    @staticmethod
    def _send_response(r: SendResult) -> models.SendSmsVerifyCodeResponse:
        body = models.SendSmsVerifyCodeResponseBody(
            access_denied_detail=r.access_denied_detail,
            code=r.code,
            message=r.message,
            model=models.SendSmsVerifyCodeResponseBodyModel(
                biz_id=r.biz_id, out_id=r.out_id, verify_code=r.verify_code
            ),
            request_id=r.request_id,
            success=True,
        )
        return models.SendSmsVerifyCodeResponse(headers={}, status_code=r.http_status, body=body)

    @staticmethod
    def _check_response(r: CheckResult) -> models.CheckSmsVerifyCodeResponse:
        body = models.CheckSmsVerifyCodeResponseBody(
            access_denied_detail=r.access_denied_detail,
            code=r.code,
            message=r.message,
            model=models.CheckSmsVerifyCodeResponseBodyModel(out_id=r.out_id, verify_result=r.verify_result),
            request_id=r.request_id,
            success=True,
        )
        return models.CheckSmsVerifyCodeResponse(headers={}, status_code=r.http_status, body=body)

    # -- SendSmsVerifyCode ----------------------------------------------------------------
    def send_sms_verify_code_with_options(
        self, request: models.SendSmsVerifyCodeRequest, runtime: Optional[models.RuntimeOptions] = None
    ) -> models.SendSmsVerifyCodeResponse:
        """Send a code. A non-``OK`` answer raises a typed :class:`smsauth.SmsAuthError`."""
        req = self._send_request(request)
        return self._send_response(self._client("sync", runtime).send_sms_verify_code(req))

    async def send_sms_verify_code_with_options_async(
        self, request: models.SendSmsVerifyCodeRequest, runtime: Optional[models.RuntimeOptions] = None
    ) -> models.SendSmsVerifyCodeResponse:
        """Send a code (asyncio)."""
        req = self._send_request(request)
        return self._send_response(await self._client("async", runtime).send_sms_verify_code(req))

    def send_sms_verify_code(self, request: models.SendSmsVerifyCodeRequest) -> models.SendSmsVerifyCodeResponse:
        """Send a code with default runtime options."""
        return self.send_sms_verify_code_with_options(request, None)

    async def send_sms_verify_code_async(
        self, request: models.SendSmsVerifyCodeRequest
    ) -> models.SendSmsVerifyCodeResponse:
        """Send a code with default runtime options (asyncio)."""
        return await self.send_sms_verify_code_with_options_async(request, None)

    # -- CheckSmsVerifyCode ---------------------------------------------------------------
    def check_sms_verify_code_with_options(
        self, request: models.CheckSmsVerifyCodeRequest, runtime: Optional[models.RuntimeOptions] = None
    ) -> models.CheckSmsVerifyCodeResponse:
        """Check a code. A wrong code is ``body.model.verify_result == "UNKNOWN"``, not an error."""
        req = self._check_request(request)
        return self._check_response(self._client("sync", runtime).check_sms_verify_code(req))

    async def check_sms_verify_code_with_options_async(
        self, request: models.CheckSmsVerifyCodeRequest, runtime: Optional[models.RuntimeOptions] = None
    ) -> models.CheckSmsVerifyCodeResponse:
        """Check a code (asyncio)."""
        req = self._check_request(request)
        return self._check_response(await self._client("async", runtime).check_sms_verify_code(req))

    def check_sms_verify_code(self, request: models.CheckSmsVerifyCodeRequest) -> models.CheckSmsVerifyCodeResponse:
        """Check a code with default runtime options."""
        return self.check_sms_verify_code_with_options(request, None)

    async def check_sms_verify_code_async(
        self, request: models.CheckSmsVerifyCodeRequest
    ) -> models.CheckSmsVerifyCodeResponse:
        """Check a code with default runtime options (asyncio)."""
        return await self.check_sms_verify_code_with_options_async(request, None)

    def __repr__(self) -> str:
        return f"smsauth.compat.client.Client(endpoint={self._config.endpoint!r})"
