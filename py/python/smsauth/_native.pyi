# Hand-written stubs for the compiled module `smsauth._native` (checked against the module by
# mypy's stubtest in py/tests/run.sh). The public names are re-exported by `smsauth`.

from typing import Any, Awaitable, Callable, ClassVar, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Tuple, Union, final, overload

from typing_extensions import Unpack, TypedDict

__all__ = [
    "__version__",
    "Client",
    "AsyncClient",
    "Guard",
    "SendSmsVerifyCodeRequest",
    "CheckSmsVerifyCodeRequest",
    "SendResult",
    "CheckResult",
    "SignedRequest",
    "Explanation",
    "Verified",
    "Verifier",
    "sign",
    "explain_v1",
    "explain_v3",
    "verify",
    "percent_encode",
    "format_timestamp",
    "parse_timestamp",
    "error_kinds",
    "_error_for_kind",
    "_drain_async_completions",
    "Emulator",
    "EMULATOR_ACCESS_KEY_ID",
    "EMULATOR_ACCESS_KEY_SECRET",
]

__version__: str
EMULATOR_ACCESS_KEY_ID: str
EMULATOR_ACCESS_KEY_SECRET: str

_Pairs = Union[Mapping[str, str], Iterable[Tuple[str, str]]]

class _SendFields(TypedDict, total=False):
    country_code: Optional[str]
    sign_name: Optional[str]
    template_code: Optional[str]
    template_param: Optional[Union[str, Mapping[str, Any]]]
    scheme_name: Optional[str]
    sms_up_extend_code: Optional[str]
    out_id: Optional[str]
    code_length: Optional[int]
    valid_time: Optional[int]
    duplicate_policy: Optional[int]
    interval: Optional[int]
    code_type: Optional[int]
    return_verify_code: Optional[bool]
    auto_retry: Optional[int]
    duplicate_check: Optional[bool]
    early_warn: Optional[bool]
    owner_id: Optional[int]
    resource_owner_account: Optional[str]
    resource_owner_id: Optional[int]

class _SendReplace(_SendFields, total=False):
    phone_number: str

class _CheckFields(TypedDict, total=False):
    country_code: Optional[str]
    scheme_name: Optional[str]
    out_id: Optional[str]
    case_auth_policy: Optional[int]
    owner_id: Optional[int]
    resource_owner_account: Optional[str]
    resource_owner_id: Optional[int]

class _CheckReplace(_CheckFields, total=False):
    phone_number: str
    verify_code: str

class _ClientOptions(TypedDict, total=False):
    profile: Optional[str]
    role_arn: Optional[str]
    role_session_name: Optional[str]
    role_duration: Optional[int]
    role_policy: Optional[str]
    role_external_id: Optional[str]
    sts_endpoint: Optional[str]
    sts_region: Optional[str]
    endpoint: str
    scheme: Optional[str]
    signature_version: str
    timeout: Optional[float]
    connect_timeout: Optional[float]
    read_timeout: Optional[float]
    max_attempts: Optional[int]
    initial_backoff: Optional[float]
    max_backoff: Optional[float]
    max_retry_after: Optional[float]
    proxy: Optional[str]
    no_proxy: Optional[bool]
    ca_certificates: Optional[Union[str, bytes, Sequence[Union[str, bytes]]]]
    sign_name: Optional[str]
    template_code: Optional[str]
    template_param: Optional[Union[str, Mapping[str, Any]]]
    scheme_name: Optional[str]
    country_code: Optional[str]
    code_type: Optional[int]
    code_length: Optional[int]
    valid_time: Optional[int]
    interval: Optional[int]
    duplicate_policy: Optional[int]
    case_auth_policy: Optional[int]
    guard: Optional[Guard]
    on_event: Optional[Callable[[_CallEvent], object]]

class _CallEvent(TypedDict):
    """One finished call, as logged (``extra``) and given to ``on_event``: no secret, no full
    phone number, no code."""

    action: str
    signature_version: str
    server_address: str
    server_port: Optional[int]
    attempts: int
    retry_reasons: List[str]
    http_status: Optional[int]
    service_code: Optional[str]
    request_id: Optional[str]
    elapsed_ms: float
    delivery: str
    guard_decision: str
    guard_rule: Optional[str]
    phone: str
    passed: Optional[bool]
    error_kind: Optional[str]

class _ClientStats(TypedDict):
    """``Client.stats()``: counters since the client was built."""

    sends: int
    checks: int
    passes: int
    guard_denials: Dict[str, int]
    errors: Dict[str, int]
    latency_bounds_ms: List[int]
    latency_buckets: List[int]
    latency_sum_ms: int

class _EmulatorOptions(TypedDict, total=False):
    port: int
    accounts: Sequence[Tuple[str, str]]
    access_key_id: str
    access_key_secret: str
    max_wrong_tries: int
    daily_limit: int
    timestamp_window: int
    timestamp_window_seconds: int
    consume_on_pass: bool
    seed: Optional[int]
    start_time: Optional[int]
    verify_with_emulated_clock: bool
    templates: Mapping[str, str]
    max_messages: int
    log_requests: bool
    lenient: bool

@final
class SendResult:
    """A code was sent (the service answered ``Code: OK``)."""

    @property
    def request_id(self) -> str: ...
    @property
    def biz_id(self) -> Optional[str]: ...
    @property
    def out_id(self) -> Optional[str]: ...
    @property
    def verify_code(self) -> Optional[str]: ...
    @property
    def model_request_id(self) -> Optional[str]: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def success(self) -> bool: ...
    @property
    def http_status(self) -> int: ...
    @property
    def access_denied_detail(self) -> Optional[str]: ...
    def __bool__(self) -> bool: ...

@final
class CheckResult:
    """The answer to a check; ``bool(result)`` is ``result.passed``."""

    @property
    def passed(self) -> bool: ...
    @property
    def verify_result(self) -> str: ...
    @property
    def out_id(self) -> Optional[str]: ...
    @property
    def request_id(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def success(self) -> bool: ...
    @property
    def http_status(self) -> int: ...
    @property
    def access_denied_detail(self) -> Optional[str]: ...
    def __bool__(self) -> bool: ...

@final
class SendSmsVerifyCodeRequest:
    """``SendSmsVerifyCode`` parameters for :meth:`Client.send_sms_verify_code`."""

    _fields: ClassVar[List[Tuple[str, str, str, bool]]]
    def __new__(cls, phone_number: str, **fields: Unpack[_SendFields]) -> SendSmsVerifyCodeRequest: ...
    def replace(self, **fields: Unpack[_SendReplace]) -> SendSmsVerifyCodeRequest: ...
    def to_params(self) -> list[Tuple[str, str]]: ...
    @property
    def phone_number(self) -> str: ...
    @property
    def country_code(self) -> Optional[str]: ...
    @property
    def sign_name(self) -> Optional[str]: ...
    @property
    def template_code(self) -> Optional[str]: ...
    @property
    def template_param(self) -> Optional[str]: ...
    @property
    def scheme_name(self) -> Optional[str]: ...
    @property
    def sms_up_extend_code(self) -> Optional[str]: ...
    @property
    def out_id(self) -> Optional[str]: ...
    @property
    def code_length(self) -> Optional[int]: ...
    @property
    def valid_time(self) -> Optional[int]: ...
    @property
    def duplicate_policy(self) -> Optional[int]: ...
    @property
    def interval(self) -> Optional[int]: ...
    @property
    def code_type(self) -> Optional[int]: ...
    @property
    def return_verify_code(self) -> Optional[bool]: ...
    @property
    def auto_retry(self) -> Optional[int]: ...
    @property
    def duplicate_check(self) -> Optional[bool]: ...
    @property
    def early_warn(self) -> Optional[bool]: ...
    @property
    def owner_id(self) -> Optional[int]: ...
    @property
    def resource_owner_account(self) -> Optional[str]: ...
    @property
    def resource_owner_id(self) -> Optional[int]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class CheckSmsVerifyCodeRequest:
    """``CheckSmsVerifyCode`` parameters for :meth:`Client.check_sms_verify_code`."""

    _fields: ClassVar[List[Tuple[str, str, str, bool]]]
    def __new__(cls, phone_number: str, verify_code: str, **fields: Unpack[_CheckFields]) -> CheckSmsVerifyCodeRequest: ...
    def replace(self, **fields: Unpack[_CheckReplace]) -> CheckSmsVerifyCodeRequest: ...
    def to_params(self) -> list[Tuple[str, str]]: ...
    @property
    def phone_number(self) -> str: ...
    @property
    def verify_code(self) -> str: ...
    @property
    def country_code(self) -> Optional[str]: ...
    @property
    def scheme_name(self) -> Optional[str]: ...
    @property
    def out_id(self) -> Optional[str]: ...
    @property
    def case_auth_policy(self) -> Optional[int]: ...
    @property
    def owner_id(self) -> Optional[int]: ...
    @property
    def resource_owner_account(self) -> Optional[str]: ...
    @property
    def resource_owner_id(self) -> Optional[int]: ...
    def __eq__(self, other: object, /) -> bool: ...

_Limits = Optional[Sequence[Tuple[int, int]]]

@final
class Guard:
    """The abuse guard (per-phone, per-client, per-prefix and daily limits; wrong-code lock)."""

    def __new__(
        cls,
        *,
        phone: _Limits = ...,
        client: _Limits = ...,
        prefix: _Limits = ...,
        prefix_digits: int = ...,
        daily_budget: Optional[int] = ...,
        price_per_sms: Optional[float] = ...,
        daily_money_cap: Optional[float] = ...,
        wrong_code: Optional[Tuple[int, int, int]] = ...,
        require_client_key: bool = ...,
        dry_run: bool = ...,
        on_store_error: Literal["closed", "open"] = ...,
        max_keys: int = ...,
        redis_key_prefix: str = ...,
        store_timeout_ms: int = ...,
    ) -> Guard: ...
    def stats(self) -> dict[str, int]: ...

@final
class Client:
    """The blocking client (the GIL is released while a request runs)."""

    def __new__(
        cls,
        access_key_id: Optional[str] = None,
        access_key_secret: Optional[str] = None,
        security_token: Optional[str] = None,
        **options: Unpack[_ClientOptions],
    ) -> Client: ...
    def send_code(
        self, phone: str, *, client_key: Optional[str] = None, **overrides: Unpack[_SendFields]
    ) -> SendResult: ...
    def check_code(self, phone: str, code: str, **overrides: Unpack[_CheckFields]) -> CheckResult: ...
    def send_sms_verify_code(self, request: SendSmsVerifyCodeRequest) -> SendResult: ...
    def check_sms_verify_code(self, request: CheckSmsVerifyCodeRequest) -> CheckResult: ...
    def stats(self) -> _ClientStats: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def user_agent(self) -> str: ...

@final
class AsyncClient:
    """The asyncio client: the same calls as :class:`Client`, as awaitables."""

    def __new__(
        cls,
        access_key_id: Optional[str] = None,
        access_key_secret: Optional[str] = None,
        security_token: Optional[str] = None,
        **options: Unpack[_ClientOptions],
    ) -> AsyncClient: ...
    def send_code(
        self, phone: str, *, client_key: Optional[str] = None, **overrides: Unpack[_SendFields]
    ) -> Awaitable[SendResult]: ...
    def check_code(self, phone: str, code: str, **overrides: Unpack[_CheckFields]) -> Awaitable[CheckResult]: ...
    def send_sms_verify_code(self, request: SendSmsVerifyCodeRequest) -> Awaitable[SendResult]: ...
    def check_sms_verify_code(self, request: CheckSmsVerifyCodeRequest) -> Awaitable[CheckResult]: ...
    def stats(self) -> _ClientStats: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def user_agent(self) -> str: ...

@final
class Explanation:
    """How a signature was computed."""

    @property
    def canonical_request(self) -> str: ...
    @property
    def string_to_sign(self) -> str: ...
    @property
    def signature(self) -> str: ...

@final
class SignedRequest:
    """A signed request, ready to send."""

    @property
    def version(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def path_and_query(self) -> str: ...
    @property
    def headers(self) -> list[Tuple[str, str]]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def explanation(self) -> Explanation: ...
    def query_pairs(self) -> list[Tuple[str, str]]: ...
    def header(self, name: str) -> Optional[str]: ...

@final
class Verified:
    """A request whose signature checked out."""

    @property
    def version(self) -> str: ...
    @property
    def access_key_id(self) -> str: ...
    @property
    def security_token(self) -> Optional[str]: ...
    @property
    def action(self) -> str: ...
    @property
    def api_version(self) -> str: ...
    @property
    def params(self) -> list[Tuple[str, str]]: ...
    @property
    def timestamp(self) -> int: ...
    @property
    def nonce(self) -> str: ...
    def param(self, name: str) -> Optional[str]: ...

@final
class Verifier:
    """Checks signatures, timestamps and nonces as the gateway does."""

    def __new__(
        cls,
        secrets: _Pairs,
        *,
        window: Optional[float] = None,
        check_nonces: Optional[bool] = None,
        nonce_capacity: Optional[int] = None,
        per_key_quota: Optional[int] = None,
        expected_hosts: Optional[list[str]] = None,
        nonce_redis_url: Optional[str] = None,
        nonce_redis_fail_open: Optional[bool] = None,
    ) -> Verifier: ...
    def verify(
        self,
        method: str,
        path: str = "/",
        query: str = "",
        headers: Optional[_Pairs] = None,
        body: Optional[Union[str, bytes]] = None,
        *,
        now: Optional[int] = None,
    ) -> Verified: ...

def sign(
    action: str,
    params: Optional[_Pairs] = None,
    *,
    access_key_id: str,
    access_key_secret: str,
    security_token: Optional[str] = None,
    host: Optional[str] = None,
    api_version: Optional[str] = None,
    signature_version: Optional[str] = None,
    timestamp: Optional[int] = None,
    nonce: Optional[str] = None,
    method: Optional[str] = None,
    headers: Optional[_Pairs] = None,
) -> SignedRequest: ...
def explain_v1(method: str, params: _Pairs, access_key_secret: str) -> Explanation: ...
def explain_v3(
    method: str,
    path: str,
    query: _Pairs,
    headers: _Pairs,
    body: Union[str, bytes],
    access_key_id: str,
    access_key_secret: str,
) -> Tuple[Explanation, str]: ...
def verify(
    method: str,
    path: str = "/",
    query: str = "",
    headers: Optional[_Pairs] = None,
    body: Optional[Union[str, bytes]] = None,
    *,
    secrets: _Pairs,
    now: Optional[int] = None,
    window: Optional[float] = None,
) -> Verified: ...
def percent_encode(value: str) -> str: ...
def format_timestamp(unix: int) -> str: ...
def parse_timestamp(value: str) -> Optional[int]: ...
def error_kinds() -> list[Tuple[str, int, str]]: ...
def _error_for_kind(kind: str, message: str) -> BaseException: ...
def _drain_async_completions() -> None: ...

@final
class Emulator:
    """Native half of :class:`smsauth.testing.Emulator`."""

    def __new__(cls, options: Optional[str] = None) -> Emulator: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def running(self) -> bool: ...
    @property
    def sts_endpoint(self) -> str: ...
    # One operation of the running emulator: the `smsauth.testing.Emulator` method of that name.
    @overload
    def call(self, op: Literal["access_key_id", "access_key_secret"], arg: None = None) -> str: ...
    @overload
    def call(self, op: Literal["now", "request_count"], arg: None = None) -> int: ...
    @overload
    def call(self, op: Literal["reset", "clear_faults"], arg: None = None) -> None: ...
    @overload
    def call(self, op: Literal["last_code"], arg: str) -> Optional[str]: ...
    @overload
    def call(self, op: Literal["messages"], arg: Optional[str] = None) -> str: ...
    @overload
    def call(self, op: Literal["issue_sts"], arg: int) -> str: ...
    @overload
    def call(self, op: Literal["advance_clock"], arg: int) -> None: ...
    @overload
    def call(self, op: Literal["add_fault"], arg: Dict[str, Any]) -> None: ...
    def stop(self) -> None: ...

