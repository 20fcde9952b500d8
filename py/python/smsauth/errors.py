"""Exceptions raised by smsauth: one class per error kind of the core.

Every exception is an :class:`SmsAuthError` with the same attributes:

- ``message``: what went wrong and what to do (also ``str(exc)``);
- ``code``: the service's ``Code`` (``"biz.FREQUENCY"``, ``"SignatureDoesNotMatch"``, …) when the
  service answered, else ``None``;
- ``request_id``, ``http_status``, ``recommend``: what the service sent back, when it answered;
- ``service_message``, ``host_id``, ``access_denied_detail``: the rest of the service's answer;
- ``field``: for :class:`InvalidInputError`, the API field at fault (``"PhoneNumber"``, …);
- ``delivery``: ``"not_received"``, ``"answered"`` or ``"unknown"``; and
  ``may_have_been_received`` (``delivery != "not_received"``): after a send failed this way,
  resending could deliver a second SMS;
- ``retry_after``: seconds the server (throttling) or the abuse guard asked us to wait, when
  it said;
- ``guard_rule``: for :class:`GuardDeniedError`, the guard's rule that refused the call (also
  ``rule``).

No attribute and no message ever contains an AccessKey secret or an STS token. The exceptions
pickle (for multiprocessing and task queues) with every attribute.

=====================  =========================  ==========================================
core kind (C status)   class                      also a
=====================  =========================  ==========================================
invalid_input (1)      InvalidInputError          ValueError
credentials (2)        CredentialsError
network (3)            NetworkError               ConnectionError
timeout (4)            TimeoutError               builtins.TimeoutError
authentication (5)     AuthenticationError
throttled (6)          ThrottledError
service (7)            ServiceError
protocol (8)           ProtocolError
internal (9)           InternalError
guard_denied (10)      GuardDeniedError
=====================  =========================  ==========================================
"""

from __future__ import annotations

import builtins

# `typing` is not imported at run time: importing it (and `re`, `collections`, … with it) would
# triple the cost of `import smsauth`. Type checkers read the guarded import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Dict, Optional, Type

__all__ = [
    "SmsAuthError",
    "InvalidInputError",
    "CredentialsError",
    "NetworkError",
    "TimeoutError",
    "AuthenticationError",
    "ThrottledError",
    "ServiceError",
    "ProtocolError",
    "InternalError",
    "GuardDeniedError",
    "error_class",
]


class SmsAuthError(Exception):
    """Base class of every error raised by smsauth."""

    #: The core's error kind, e.g. ``"throttled"``.
    kind: ClassVar[str] = "error"
    #: The kind's stable number, shared with the C ABI's status codes.
    kind_code: ClassVar[int] = 0

    message: str
    code: Optional[str]
    service_message: Optional[str]
    request_id: Optional[str]
    http_status: Optional[int]
    recommend: Optional[str]
    host_id: Optional[str]
    access_denied_detail: Optional[str]
    field: Optional[str]
    delivery: str
    retry_after: Optional[float]
    guard_rule: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        service_message: Optional[str] = None,
        request_id: Optional[str] = None,
        http_status: Optional[int] = None,
        recommend: Optional[str] = None,
        host_id: Optional[str] = None,
        access_denied_detail: Optional[str] = None,
        field: Optional[str] = None,
        delivery: str = "not_received",
        retry_after: Optional[float] = None,
        guard_rule: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.service_message = service_message
        self.request_id = request_id
        self.http_status = http_status
        self.recommend = recommend
        self.host_id = host_id
        self.access_denied_detail = access_denied_detail
        self.field = field
        self.delivery = delivery
        self.retry_after = retry_after
        self.guard_rule = guard_rule

    @property
    def may_have_been_received(self) -> bool:
        """``True`` unless the request provably never reached the service.

        Resending a ``SendSmsVerifyCode`` after such an error may deliver a second SMS.
        """
        return self.delivery != "not_received"

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        for name in ("code", "request_id", "http_status", "field"):
            value = getattr(self, name, None)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> Any:
        # (class, args, state): the attributes travel in the state, so every subclass pickles
        # the same way, whatever its builtin base (ValueError, OSError, …) does by default.
        return (type(self), (self.message,), dict(self.__dict__))


class InvalidInputError(SmsAuthError, ValueError):
    """A request field or option is missing or malformed; nothing was sent. ``field`` names it."""

    kind = "invalid_input"
    kind_code = 1


class CredentialsError(SmsAuthError):
    """No usable credentials (none given and none in the environment); nothing was sent."""

    kind = "credentials"
    kind_code = 2


class NetworkError(SmsAuthError, ConnectionError):
    """The connection could not be made or broke. See ``may_have_been_received``."""

    kind = "network"
    kind_code = 3


class TimeoutError(SmsAuthError, builtins.TimeoutError):
    """A connect, read or total deadline passed. See ``may_have_been_received``.

    Also a :class:`builtins.TimeoutError`, so ``except TimeoutError`` code keeps working.
    """

    kind = "timeout"
    kind_code = 4


class AuthenticationError(SmsAuthError):
    """The gateway rejected the signature, AccessKey, timestamp, nonce or STS token."""

    kind = "authentication"
    kind_code = 5


class ThrottledError(SmsAuthError):
    """Too many requests: ``biz.FREQUENCY`` (a code was sent to this number too recently),
    ``BUSINESS_LIMIT_CONTROL`` (daily cap) or gateway flow control (``Throttling*``)."""

    kind = "throttled"
    kind_code = 6


class ServiceError(SmsAuthError):
    """The service answered with another business or gateway error (``code`` says which)."""

    kind = "service"
    kind_code = 7


class ProtocolError(SmsAuthError):
    """The answer could not be understood (not JSON, truncated, too large)."""

    kind = "protocol"
    kind_code = 8


class InternalError(SmsAuthError):
    """A bug or an impossible state inside smsauth; please report it."""

    kind = "internal"
    kind_code = 9


class GuardDeniedError(SmsAuthError):
    """The abuse guard refused the call before anything was sent; ``guard_rule`` names the
    rule and ``retry_after`` says when it allows again."""

    kind = "guard_denied"
    kind_code = 10

    @property
    def rule(self) -> Optional[str]:
        """The rule that refused the call: ``"phone:1/60s"``, ``"client:10/3600s"``,
        ``"prefix:30/3600s"``, ``"budget:daily"``, ``"check:locked"`` or ``"store:unavailable"``
        (the same as ``guard_rule``)."""
        return self.guard_rule


_BY_KIND: Dict[str, Type[SmsAuthError]] = {
    cls.kind: cls
    for cls in (
        InvalidInputError,
        CredentialsError,
        NetworkError,
        TimeoutError,
        AuthenticationError,
        ThrottledError,
        ServiceError,
        ProtocolError,
        InternalError,
        GuardDeniedError,
    )
}


def error_class(kind: str) -> Type[SmsAuthError]:
    """The exception class for a core error kind name (``"throttled"`` → :class:`ThrottledError`)."""
    return _BY_KIND.get(kind, SmsAuthError)
