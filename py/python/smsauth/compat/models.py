"""Models with the official SDK's names and snake_case fields: ``Config`` (from
``alibabacloud_tea_openapi.models``), ``RuntimeOptions`` (from ``alibabacloud_tea_util.models``)
and the Dypnsapi request and response models.

Like the official models they accept any value at construction; values are validated (with a
typed error naming the field) when the request is sent.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Optional, Tuple, Type, TypeVar

from .. import _native

__all__ = [
    "CheckSmsVerifyCodeRequest",
    "CheckSmsVerifyCodeResponse",
    "CheckSmsVerifyCodeResponseBody",
    "CheckSmsVerifyCodeResponseBodyModel",
    "Config",
    "RuntimeOptions",
    "SendSmsVerifyCodeRequest",
    "SendSmsVerifyCodeResponse",
    "SendSmsVerifyCodeResponseBody",
    "SendSmsVerifyCodeResponseBodyModel",
]

_M = TypeVar("_M", bound="_Model")

#: Fields never shown by ``repr``/``str`` (secrets).
_SECRET_FIELDS = frozenset({"access_key_secret", "security_token", "bearer_token", "key"})


class _Model:
    """A TeaModel look-alike: ``to_map()`` / ``from_map()`` with the API's PascalCase names."""

    # (python name, wire name, nested model class or None)
    _fields: ClassVar[Tuple[Tuple[str, str, Optional[Type["_Model"]]], ...]] = ()

    def __init__(self, **values: Any) -> None:
        names = {f[0] for f in self._fields}
        for name, _, _ in self._fields:
            setattr(self, name, None)
        for name, value in values.items():
            if name not in names:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument '{name}'")
            setattr(self, name, value)

    def validate(self) -> None:
        """Kept for compatibility: smsauth validates when the request is sent."""

    def to_map(self) -> Dict[str, Any]:
        """The set fields under their API names (nested models as dicts)."""
        out: Dict[str, Any] = {}
        for name, wire, nested in self._fields:
            value = getattr(self, name, None)
            if value is None:
                continue
            out[wire] = value.to_map() if nested is not None and isinstance(value, _Model) else value
        return out

    def from_map(self: _M, m: Optional[Dict[str, Any]] = None) -> _M:
        """Fill fields from a dict with the API's names; returns ``self``."""
        m = m or {}
        for name, wire, nested in self._fields:
            if m.get(wire) is None:
                continue
            value = m[wire]
            if nested is not None and isinstance(value, dict):
                value = nested().from_map(value)
            setattr(self, name, value)
        return self

    def _shown(self) -> Dict[str, Any]:
        shown = {}
        for name, _, _ in self._fields:
            value = getattr(self, name, None)
            if value is not None:
                shown[name] = "***" if name in _SECRET_FIELDS else value
        return shown

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._shown().items())
        return f"{type(self).__name__}({inner})"

    def __str__(self) -> str:
        shown = self.to_map()
        for name, wire, _ in self._fields:
            if name in _SECRET_FIELDS and wire in shown:
                shown[wire] = "***"
        return str(shown)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Model) and type(other) is type(self) and self.to_map() == other.to_map()

    __hash__ = None  # type: ignore[assignment]


class Config(_Model):
    """``alibabacloud_tea_openapi.models.Config``: credentials and endpoint.

    Used: ``access_key_id``, ``access_key_secret``, ``security_token``, ``endpoint``,
    ``protocol`` (``"https"`` by default, ``"http"`` for a local emulator), ``read_timeout`` and
    ``connect_timeout`` (milliseconds), ``https_proxy`` / ``http_proxy``, ``ca`` (extra root
    certificates, PEM), ``signature_algorithm`` (``"v2"`` = V1 HMAC-SHA1; default V3).
    The other official fields are accepted and ignored.
    """

    access_key_id: Optional[str]
    access_key_secret: Optional[str]
    security_token: Optional[str]
    bearer_token: Optional[str]
    protocol: Optional[str]
    method: Optional[str]
    region_id: Optional[str]
    read_timeout: Optional[int]
    connect_timeout: Optional[int]
    http_proxy: Optional[str]
    https_proxy: Optional[str]
    credential: Any
    endpoint: Optional[str]
    no_proxy: Optional[str]
    max_idle_conns: Optional[int]
    network: Optional[str]
    user_agent: Optional[str]
    suffix: Optional[str]
    socks_5proxy: Optional[str]
    socks_5net_work: Optional[str]
    endpoint_type: Optional[str]
    open_platform_endpoint: Optional[str]
    type: Optional[str]
    signature_version: Optional[str]
    signature_algorithm: Optional[str]
    global_parameters: Any
    key: Optional[str]
    cert: Optional[str]
    ca: Optional[str]
    disable_http_2: Optional[bool]
    retry_options: Any
    tls_min_version: Optional[str]

    _fields = tuple(
        (name, wire, None)
        for name, wire in (
            ("access_key_id", "accessKeyId"),
            ("access_key_secret", "accessKeySecret"),
            ("security_token", "securityToken"),
            ("bearer_token", "bearerToken"),
            ("protocol", "protocol"),
            ("method", "method"),
            ("region_id", "regionId"),
            ("read_timeout", "readTimeout"),
            ("connect_timeout", "connectTimeout"),
            ("http_proxy", "httpProxy"),
            ("https_proxy", "httpsProxy"),
            ("credential", "credential"),
            ("endpoint", "endpoint"),
            ("no_proxy", "noProxy"),
            ("max_idle_conns", "maxIdleConns"),
            ("network", "network"),
            ("user_agent", "userAgent"),
            ("suffix", "suffix"),
            ("socks_5proxy", "socks5Proxy"),
            ("socks_5net_work", "socks5NetWork"),
            ("endpoint_type", "endpointType"),
            ("open_platform_endpoint", "openPlatformEndpoint"),
            ("type", "type"),
            ("signature_version", "signatureVersion"),
            ("signature_algorithm", "signatureAlgorithm"),
            ("global_parameters", "globalParameters"),
            ("key", "key"),
            ("cert", "cert"),
            ("ca", "ca"),
            ("disable_http_2", "disableHttp2"),
            ("retry_options", "retryOptions"),
            ("tls_min_version", "tlsMinVersion"),
        )
    )


class RuntimeOptions(_Model):
    """``alibabacloud_tea_util.models.RuntimeOptions``. ``read_timeout`` and
    ``connect_timeout`` (milliseconds) are honoured; the rest is accepted and ignored (retries
    follow smsauth's policy, which never sends an SMS twice; certificates are always checked)."""

    autoretry: Optional[bool]
    ignore_ssl: Optional[bool]
    max_attempts: Optional[int]
    backoff_policy: Optional[str]
    backoff_period: Optional[int]
    read_timeout: Optional[int]
    connect_timeout: Optional[int]
    http_proxy: Optional[str]
    https_proxy: Optional[str]
    no_proxy: Optional[str]
    max_idle_conns: Optional[int]
    local_addr: Optional[str]
    socks_5proxy: Optional[str]
    socks_5net_work: Optional[str]
    keep_alive: Optional[bool]
    key: Optional[str]
    cert: Optional[str]
    ca: Optional[str]
    extends_parameters: Any

    _fields = tuple(
        (name, wire, None)
        for name, wire in (
            ("autoretry", "autoretry"),
            ("ignore_ssl", "ignoreSSL"),
            ("max_attempts", "max_attempts"),
            ("backoff_policy", "backoff_policy"),
            ("backoff_period", "backoff_period"),
            ("read_timeout", "readTimeout"),
            ("connect_timeout", "connectTimeout"),
            ("http_proxy", "httpProxy"),
            ("https_proxy", "httpsProxy"),
            ("no_proxy", "noProxy"),
            ("max_idle_conns", "maxIdleConns"),
            ("local_addr", "localAddr"),
            ("socks_5proxy", "socks5Proxy"),
            ("socks_5net_work", "socks5NetWork"),
            ("keep_alive", "keepAlive"),
            ("key", "key"),
            ("cert", "cert"),
            ("ca", "ca"),
            ("extends_parameters", "extendsParameters"),
        )
    )


class SendSmsVerifyCodeRequest(_Model):
    """``SendSmsVerifyCode`` parameters (official snake_case names, plus ``duplicate_check``
    and ``early_warn``, which are sent as ``DuplicateCheck`` / ``EarlyWarn``)."""

    auto_retry: Optional[int]
    code_length: Optional[int]
    code_type: Optional[int]
    country_code: Optional[str]
    duplicate_check: Optional[bool]
    duplicate_policy: Optional[int]
    early_warn: Optional[bool]
    interval: Optional[int]
    out_id: Optional[str]
    owner_id: Optional[int]
    phone_number: Optional[str]
    resource_owner_account: Optional[str]
    resource_owner_id: Optional[int]
    return_verify_code: Optional[bool]
    scheme_name: Optional[str]
    sign_name: Optional[str]
    sms_up_extend_code: Optional[str]
    template_code: Optional[str]
    template_param: Optional[str]
    valid_time: Optional[int]

    # The core's field table (checked against the annotations above by tests/test_fields.py).
    _fields = tuple((name, wire, None) for name, wire, _, _ in sorted(_native.SendSmsVerifyCodeRequest._fields))


class CheckSmsVerifyCodeRequest(_Model):
    """``CheckSmsVerifyCode`` parameters (official snake_case names)."""

    case_auth_policy: Optional[int]
    country_code: Optional[str]
    out_id: Optional[str]
    owner_id: Optional[int]
    phone_number: Optional[str]
    resource_owner_account: Optional[str]
    resource_owner_id: Optional[int]
    scheme_name: Optional[str]
    verify_code: Optional[str]

    # The core's field table (checked against the annotations above by tests/test_fields.py).
    _fields = tuple((name, wire, None) for name, wire, _, _ in sorted(_native.CheckSmsVerifyCodeRequest._fields))


class SendSmsVerifyCodeResponseBodyModel(_Model):
    """``Model`` of a send answer."""

    biz_id: Optional[str]
    out_id: Optional[str]
    request_id: Optional[str]
    verify_code: Optional[str]

    _fields = (
        ("biz_id", "BizId", None),
        ("out_id", "OutId", None),
        ("request_id", "RequestId", None),
        ("verify_code", "VerifyCode", None),
    )


class SendSmsVerifyCodeResponseBody(_Model):
    """The JSON body of a send answer."""

    access_denied_detail: Optional[str]
    code: Optional[str]
    message: Optional[str]
    model: Optional[SendSmsVerifyCodeResponseBodyModel]
    request_id: Optional[str]
    success: Optional[bool]

    _fields = (
        ("access_denied_detail", "AccessDeniedDetail", None),
        ("code", "Code", None),
        ("message", "Message", None),
        ("model", "Model", SendSmsVerifyCodeResponseBodyModel),
        ("request_id", "RequestId", None),
        ("success", "Success", None),
    )


class SendSmsVerifyCodeResponse(_Model):
    """What ``send_sms_verify_code*`` returns: ``headers``, ``status_code``, ``body``."""

    headers: Optional[Dict[str, str]]
    status_code: Optional[int]
    body: Optional[SendSmsVerifyCodeResponseBody]

    _fields = (
        ("headers", "headers", None),
        ("status_code", "statusCode", None),
        ("body", "body", SendSmsVerifyCodeResponseBody),
    )


class CheckSmsVerifyCodeResponseBodyModel(_Model):
    """``Model`` of a check answer."""

    out_id: Optional[str]
    verify_result: Optional[str]

    _fields = (
        ("out_id", "OutId", None),
        ("verify_result", "VerifyResult", None),
    )


class CheckSmsVerifyCodeResponseBody(_Model):
    """The JSON body of a check answer (``request_id`` is kept, unlike SDK 2.0.0)."""

    access_denied_detail: Optional[str]
    code: Optional[str]
    message: Optional[str]
    model: Optional[CheckSmsVerifyCodeResponseBodyModel]
    request_id: Optional[str]
    success: Optional[bool]

    _fields = (
        ("access_denied_detail", "AccessDeniedDetail", None),
        ("code", "Code", None),
        ("message", "Message", None),
        ("model", "Model", CheckSmsVerifyCodeResponseBodyModel),
        ("request_id", "RequestId", None),
        ("success", "Success", None),
    )


class CheckSmsVerifyCodeResponse(_Model):
    """What ``check_sms_verify_code*`` returns: ``headers``, ``status_code``, ``body``."""

    headers: Optional[Dict[str, str]]
    status_code: Optional[int]
    body: Optional[CheckSmsVerifyCodeResponseBody]

    _fields = (
        ("headers", "headers", None),
        ("status_code", "statusCode", None),
        ("body", "body", CheckSmsVerifyCodeResponseBody),
    )
