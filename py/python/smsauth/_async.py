"""``smsauth.AsyncClient``: coroutine methods over the native asyncio bridge."""

from __future__ import annotations

from . import _native

TYPE_CHECKING = False  # no `typing` import at run time (see errors.py)
if TYPE_CHECKING:
    from typing import Any, Optional

    from typing_extensions import Unpack

    from ._native import (
        CheckResult,
        CheckSmsVerifyCodeRequest,
        SendResult,
        SendSmsVerifyCodeRequest,
        _CheckFields,
        _ClientOptions,
        _ClientStats,
        _SendFields,
    )

__all__ = ["AsyncClient"]


class AsyncClient:
    """The asyncio client: the same calls and options as :class:`smsauth.Client`, as coroutines.

    Requests run on the library's own runtime (no thread pool); the event loop is never
    blocked. Works with ``asyncio.run``, ``gather``, ``create_task`` and ``wait_for``
    (cancelling an awaiting call abandons the request; a send may still have been delivered)::

        client = smsauth.AsyncClient(sign_name="速通互联验证码", template_code="100001")
        await client.send_code("13800138000")
        if await client.check_code("13800138000", code):
            ...
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        access_key_id: Optional[str] = None,
        access_key_secret: Optional[str] = None,
        security_token: Optional[str] = None,
        **options: Unpack[_ClientOptions],
    ) -> None:
        self._native = _native.AsyncClient(access_key_id, access_key_secret, security_token, **options)

    async def send_code(
        self, phone: str, *, client_key: Optional[str] = None, **overrides: Unpack[_SendFields]
    ) -> SendResult:
        """Send a code to ``phone``, with the client's defaults and these overrides.

        ``client_key`` (the caller's IP address, device or session id) feeds the per-client
        limits of the client's :class:`smsauth.Guard`."""
        return await self._native.send_code(phone, client_key=client_key, **overrides)

    async def check_code(self, phone: str, code: str, **overrides: Unpack[_CheckFields]) -> CheckResult:
        """Check ``code`` for ``phone``; a wrong code is a result with ``passed == False``."""
        return await self._native.check_code(phone, code, **overrides)

    async def send_sms_verify_code(self, request: SendSmsVerifyCodeRequest) -> SendResult:
        """``SendSmsVerifyCode`` exactly as given: the client's defaults are not applied."""
        return await self._native.send_sms_verify_code(request)

    async def check_sms_verify_code(self, request: CheckSmsVerifyCodeRequest) -> CheckResult:
        """``CheckSmsVerifyCode`` exactly as given: the client's defaults are not applied."""
        return await self._native.check_sms_verify_code(request)

    def stats(self) -> _ClientStats:
        """The client's counters since it was built (see :meth:`smsauth.Client.stats`)."""
        return self._native.stats()

    @property
    def endpoint(self) -> str:
        """Where requests go, e.g. ``"https://dypnsapi.aliyuncs.com/"``."""
        return self._native.endpoint

    @property
    def user_agent(self) -> str:
        """The user agent sent with every request."""
        return self._native.user_agent

    def __repr__(self) -> str:
        return repr(self._native)

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_native"):
            raise AttributeError(f"'AsyncClient' object attribute '{name}' is read-only")
        object.__setattr__(self, name, value)


def _set_outcome(future: Any, value: Any, failed: bool) -> None:
    """Called on the event loop by the native bridge: an asyncio call's answer (or exception),
    unless its future was cancelled meanwhile."""
    if not future.done():
        if failed:
            future.set_exception(value)
        else:
            future.set_result(value)
