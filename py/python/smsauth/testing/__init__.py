"""Offline testing: an in-process emulator of the SMS Auth service, and a pytest fixture.

The emulator is the ``smsauth-emulator`` crate running inside this process on
``127.0.0.1:<ephemeral port>``. It verifies V1 and V3 signatures like the real gateway, keeps an
outbox of the messages it "sent", has a clock you move by hand, and injects faults::

    from smsauth.testing import Emulator

    with Emulator() as emu:
        client = emu.client()                 # a smsauth.Client pointed at the emulator
        client.send_code("13800138000")
        code = emu.last_code("13800138000")   # read the SMS
        assert client.check_code("13800138000", code)
        emu.advance_clock(301)                # codes expire after ValidTime (300 s)

With pytest, the ``smsauth_emulator`` fixture (registered automatically when smsauth is
installed) gives each test a freshly reset emulator shared by the session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Type

from .. import _native
from .._async import AsyncClient
from .._native import Client

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._native import _EmulatorOptions

__all__ = ["DEFAULT_SIGN_NAME", "DEFAULT_TEMPLATE_CODE", "Emulator", "Message", "StsCredentials"]

#: The signature :meth:`Emulator.client` uses unless told otherwise (a console preset).
DEFAULT_SIGN_NAME = "速通互联验证码"
#: The template :meth:`Emulator.client` uses unless told otherwise (a console preset).
DEFAULT_TEMPLATE_CODE = "100001"


@dataclass(frozen=True)
class Message:
    """One SMS the emulator "sent" (the emulator's ``Message``, read from its JSON)."""

    #: The 11-digit number it went to.
    phone_number: str
    #: ``CountryCode`` (``86``).
    country_code: str
    #: ``SchemeName``.
    scheme_name: str
    #: ``SignName``.
    sign_name: str
    #: ``TemplateCode``.
    template_code: str
    #: The generated code (empty if the template had no ``##code##``).
    code: str
    #: The rendered text, ``【SignName】…``.
    text: str
    #: ``BizId`` of the send.
    biz_id: str
    #: ``OutId``, when given.
    out_id: Optional[str]
    #: Emulated Unix seconds when it was sent.
    sent_at: int
    #: Emulated Unix seconds when the code expires.
    expires_at: int


@dataclass(frozen=True)
class StsCredentials:
    """Temporary credentials issued by the emulator; ``repr`` hides the secret and the token."""

    #: The temporary AccessKey ID (``STS.…``).
    access_key_id: str
    #: Its secret.
    access_key_secret: str = field(repr=False)
    #: The STS token.
    security_token: str = field(repr=False)
    #: Emulated Unix seconds after which the token is expired.
    expires_at: int


class Emulator:
    """A running emulator. Starts when created; :meth:`stop` (or leaving a ``with`` block) stops it.

    Keyword options (all optional, the same in every language; an unknown name or a value of
    the wrong type raises :class:`smsauth.InvalidInputError` naming the option): ``port``
    (0 = ephemeral), ``accounts`` (list of ``(access_key_id, access_key_secret)``; default
    ``testid`` / ``testsecret``), or ``access_key_id`` / ``access_key_secret`` for the first
    pair, ``max_wrong_tries`` (5), ``daily_limit`` (10 codes per number per day),
    ``timestamp_window`` or ``timestamp_window_seconds`` (900 s), ``consume_on_pass`` (True: a
    code passes once), ``seed`` (reproducible codes), ``start_time`` (Unix seconds of the
    emulated clock), ``verify_with_emulated_clock`` (True), ``templates`` (template code → text
    with ``${code}``), ``max_messages`` (10 000), ``log_requests`` (False), ``lenient`` (False:
    only the preset signatures and templates, with the service's flow control; True accepts any
    and limits nothing, for tests that only want a code back).
    """

    def __init__(self, **options: Unpack[_EmulatorOptions]) -> None:
        self._native = _native.Emulator(json.dumps(options))

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> "Emulator":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        self._native.stop()

    @property
    def running(self) -> bool:
        """Whether the server is still running."""
        return self._native.running

    # -- where and who ---------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self._native.endpoint

    @property
    def port(self) -> int:
        """The TCP port."""
        return self._native.port

    @property
    def access_key_id(self) -> str:
        """The AccessKey ID it accepts (``testid`` by default)."""
        return self._native.call("access_key_id")

    @property
    def access_key_secret(self) -> str:
        """Its secret (``testsecret`` by default)."""
        return self._native.call("access_key_secret")

    def env(self) -> Dict[str, str]:
        """The environment variables the default credentials read, for code that takes no keys."""
        return {
            "ALIBABA_CLOUD_ACCESS_KEY_ID": self.access_key_id,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": self.access_key_secret,
        }

    def _client_options(self, options: Mapping[str, Any]) -> Dict[str, Any]:
        merged: Dict[str, Any] = {
            "endpoint": self.endpoint,
            "sign_name": DEFAULT_SIGN_NAME,
            "template_code": DEFAULT_TEMPLATE_CODE,
        }
        merged.update(options)
        return merged

    def client(self, **options: Any) -> Client:
        """A :class:`smsauth.Client` for this emulator (its keys, endpoint and a preset
        signature and template); ``options`` are passed on and win."""
        merged = self._client_options(options)
        key_id = merged.pop("access_key_id", self.access_key_id)
        secret = merged.pop("access_key_secret", self.access_key_secret)
        return Client(key_id, secret, **merged)

    def async_client(self, **options: Any) -> AsyncClient:
        """Like :meth:`client`, for asyncio."""
        merged = self._client_options(options)
        key_id = merged.pop("access_key_id", self.access_key_id)
        secret = merged.pop("access_key_secret", self.access_key_secret)
        return AsyncClient(key_id, secret, **merged)

    @property
    def sts_endpoint(self) -> str:
        """An emulated STS (``AssumeRole``) for this emulator, started on first use — for
        ``smsauth.Client(role_arn=…, sts_endpoint=emu.sts_endpoint)``. Any
        ``acs:ram::<account>:role/<name>`` exists; it accepts this emulator's key pair."""
        return self._native.sts_endpoint

    def issue_sts(self, ttl: int = 3600) -> StsCredentials:
        """Temporary credentials valid for ``ttl`` seconds (at least 1) of emulated time."""
        return StsCredentials(**json.loads(self._native.call("issue_sts", ttl)))

    # -- the outbox ------------------------------------------------------------------------
    def messages(self, phone: Optional[str] = None) -> List[Message]:
        """Messages sent (to ``phone``, written any way the client accepts), oldest first."""
        return [Message(**m) for m in json.loads(self._native.call("messages", phone))]

    def last_code(self, phone: str) -> Optional[str]:
        """The newest code sent to ``phone``, or ``None``."""
        return self._native.call("last_code", phone)

    def request_count(self) -> int:
        """API requests received since the start or the last :meth:`reset` (valid or not)."""
        return self._native.call("request_count")

    # -- time ------------------------------------------------------------------------------
    def advance_clock(self, seconds: int) -> None:
        """Move the emulated clock forward (expiry, intervals, daily caps). Nothing sleeps."""
        self._native.call("advance_clock", seconds)

    def now(self) -> int:
        """Emulated Unix seconds."""
        return self._native.call("now")

    def reset(self) -> None:
        """Forget the outbox, codes, limits, faults and nonces; set the clock back; count
        requests from zero again."""
        self._native.call("reset")

    # -- faults ----------------------------------------------------------------------------
    def add_fault(
        self,
        kind: str,
        *,
        action: Optional[str] = None,
        phone: Optional[str] = None,
        probability: float = 1.0,
        times: Optional[int] = None,
        **params: Any,
    ) -> None:
        """Change how matching requests are answered.

        ``kind`` is one of ``latency`` (``ms=``), ``server_error`` (``status=``, 500;
        ``plain=True``: a text/plain page instead of the JSON error), ``throttle``
        (``retry_after_ms=``), ``malformed``, ``truncated``, ``html``, ``oversized``
        (``bytes=``), ``drop``, ``drop_mid_response``, ``slow_drip`` (``chunk_bytes=``,
        ``interval_ms=``: the answer trickles in, each read succeeding). ``action`` limits it to
        ``"SendSmsVerifyCode"`` or ``"CheckSmsVerifyCode"``, ``phone`` to one number;
        ``times`` removes it after firing that often; ``probability`` (0–1) makes it flaky.
        An unknown kind or key (``status_code=``, ``msec=``), an action in the wrong case or a
        probability outside 0–1 raises :class:`smsauth.InvalidInputError` (``field == "fault"``).
        """
        rule: Dict[str, Any] = {"kind": kind, **params}
        rule.update(action=action, phone=phone, probability=probability, times=times)
        self._native.call("add_fault", rule)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self._native.call("clear_faults")

    def __repr__(self) -> str:
        return f"smsauth.testing.Emulator(endpoint={self.endpoint!r}, running={self.running})"
