"""smsauth — Alibaba Cloud SMS Auth (Dypnsapi 2017-05-25) for Python.

Send and check SMS verification codes for sign-up, login and password reset::

    import smsauth

    client = smsauth.Client(              # keys from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET
        sign_name="速通互联验证码",         # a preset signature from the console
        template_code="100001",           # a preset template from the console
    )
    client.send_code("+86 138 0013 8000")
    if client.check_code("13800138000", "4232"):
        ...  # the code is right

A business failure (``biz.FREQUENCY``, …) raises a typed :class:`SmsAuthError`; a wrong code is
a :class:`CheckResult` whose ``passed`` is ``False``. :class:`AsyncClient` has the same methods
as coroutines. :mod:`smsauth.testing` runs an offline emulator; :mod:`smsauth.compat` runs code
written for the official ``alibabacloud_dypnsapi20170525`` SDK.
"""

from __future__ import annotations

from . import errors
from ._async import AsyncClient
from ._native import (
    CheckResult,
    CheckSmsVerifyCodeRequest,
    Client,
    Explanation,
    Guard,
    SendResult,
    SendSmsVerifyCodeRequest,
    SignedRequest,
    Verified,
    Verifier,
    __version__,
    explain_v1,
    explain_v3,
    sign,
    verify,
)
from .errors import (
    AuthenticationError,
    CredentialsError,
    GuardDeniedError,
    InternalError,
    InvalidInputError,
    NetworkError,
    ProtocolError,
    ServiceError,
    SmsAuthError,
    ThrottledError,
    TimeoutError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._enums import CaseAuthPolicy, CodeType, DuplicatePolicy


def __getattr__(name: str) -> object:
    # The enums load on first use: `enum` is not imported by `import smsauth`.
    if name in ("CaseAuthPolicy", "CodeType", "DuplicatePolicy"):
        from . import _enums

        value = getattr(_enums, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'smsauth' has no attribute {name!r}")


# `TimeoutError` is importable (``smsauth.TimeoutError``) but left out of ``__all__`` so that
# ``from smsauth import *`` never shadows the builtin.
__all__ = [
    "AsyncClient",
    "AuthenticationError",
    "CaseAuthPolicy",
    "CheckResult",
    "CheckSmsVerifyCodeRequest",
    "Client",
    "CodeType",
    "CredentialsError",
    "DuplicatePolicy",
    "Explanation",
    "Guard",
    "GuardDeniedError",
    "InternalError",
    "InvalidInputError",
    "NetworkError",
    "ProtocolError",
    "SendResult",
    "SendSmsVerifyCodeRequest",
    "ServiceError",
    "SignedRequest",
    "SmsAuthError",
    "ThrottledError",
    "Verified",
    "Verifier",
    "__version__",
    "errors",
    "explain_v1",
    "explain_v3",
    "sign",
    "verify",
]
