//! The one error type of the crate.
//!
//! Every failure — bad input, a missing credential, a network fault, a gateway refusal or a
//! business answer whose `Code` is not `OK` — is an [`Error`] with an [`ErrorKind`]. The bindings
//! map the kinds 1:1 to C status codes, Python exception classes and JS error codes, so the kind
//! list is the contract: kinds are only ever added, never renumbered or removed.

use std::fmt;
use std::time::Duration;

/// What went wrong, in the categories a caller acts on.
///
/// The numeric value ([`ErrorKind::code`]) is stable and shared with the C ABI.
///
/// ```
/// use smsauth::{Error, ErrorKind};
/// let err = Error::invalid_input("PhoneNumber", "must not be empty");
/// assert_eq!(err.kind(), ErrorKind::InvalidInput);
/// assert_eq!(err.kind().name(), "invalid_input");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A request field or option is missing or malformed. Nothing was sent.
    InvalidInput,
    /// No usable credentials (none configured, or a provider failed). Nothing was sent.
    Credentials,
    /// The connection could not be made or broke. See [`Error::may_have_been_received`].
    Network,
    /// A connect, read or total deadline passed. See [`Error::may_have_been_received`].
    Timeout,
    /// The gateway rejected the signature, AccessKey, timestamp, nonce or token.
    Authentication,
    /// Too many requests: gateway flow control (`Throttling*`) or the service's own frequency
    /// limits (`biz.FREQUENCY`, `FREQUENCY_FAIL`, `BUSINESS_LIMIT_CONTROL`).
    Throttled,
    /// The service answered with a business or gateway error not covered above.
    Service,
    /// The answer could not be understood (not JSON, truncated, too large).
    Protocol,
    /// A bug or an impossible state inside this library.
    Internal,
    /// The abuse guard refused the call before anything was sent (a per-phone, per-client,
    /// per-prefix or budget limit); [`Error::guard_rule`] names the rule and
    /// [`Error::retry_after`] says when it allows again.
    GuardDenied,
}

impl ErrorKind {
    /// Every kind, in code order (for bindings and docs tables).
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::InvalidInput,
        ErrorKind::Credentials,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Authentication,
        ErrorKind::Throttled,
        ErrorKind::Service,
        ErrorKind::Protocol,
        ErrorKind::Internal,
        ErrorKind::GuardDenied,
    ];

    /// Stable snake_case name, used in logs, JSON output and binding error codes.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Credentials => "credentials",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Authentication => "authentication",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Service => "service",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Internal => "internal",
            ErrorKind::GuardDenied => "guard_denied",
        }
    }

    /// Stable number, shared with the C ABI's `smsauth_status` (0 is success there).
    pub const fn code(self) -> u32 {
        match self {
            ErrorKind::InvalidInput => 1,
            ErrorKind::Credentials => 2,
            ErrorKind::Network => 3,
            ErrorKind::Timeout => 4,
            ErrorKind::Authentication => 5,
            ErrorKind::Throttled => 6,
            ErrorKind::Service => 7,
            ErrorKind::Protocol => 8,
            ErrorKind::Internal => 9,
            ErrorKind::GuardDenied => 10,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind named by [`ErrorKind::name`], so tables and bindings never spell kinds themselves.
///
/// ```
/// use smsauth::ErrorKind;
/// assert_eq!("guard_denied".parse::<ErrorKind>().unwrap(), ErrorKind::GuardDenied);
/// assert!("GuardDenied".parse::<ErrorKind>().is_err());
/// ```
impl std::str::FromStr for ErrorKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        ErrorKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            let names: Vec<_> = ErrorKind::ALL.iter().map(|k| k.name()).collect();
            Error::invalid_input("kind", format_args!("{s:?} is not an error kind; use one of {}", names.join(", ")))
        })
    }
}

/// What the service (or its gateway) said, kept verbatim so nothing is lost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceDetail {
    /// The raw `Code`, e.g. `biz.FREQUENCY` or `SignatureDoesNotMatch`.
    pub code: String,
    /// The raw `Message`.
    pub message: String,
    /// The `RequestId`, to quote when asking Alibaba Cloud support.
    pub request_id: Option<String>,
    /// The HTTP status of the answer.
    pub http_status: u16,
    /// The gateway's `Recommend` link, when given.
    pub recommend: Option<String>,
    /// The gateway's `HostId`, when given.
    pub host_id: Option<String>,
    /// `AccessDeniedDetail` as raw JSON text, when present and not empty.
    pub access_denied_detail: Option<String>,
}

/// Whether a failed call may have reached the service — the question that decides whether
/// resending could deliver a second SMS. The numbers are stable: the C header exports this
/// declaration (`smsauth_delivery`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Delivery {
    /// 1: provably not received: failed before sending (validation, credentials, DNS, connect)
    /// or refused by the gateway before the service ran. Safe to resend.
    NotReceived = 1,
    /// 2: received and answered by the service (an error code came back).
    Answered = 2,
    /// 3: unknown: the request may have been received (timeout or connection lost after
    /// sending). Check the outcome, or wait for the sending interval, before resending.
    Unknown = 3,
}

/// `url` as messages, logs and `Debug` show it: any user info (`user:password@`) becomes `***@`,
/// a query becomes `?…` and a fragment is dropped, since a proxy, endpoint, Redis or credentials
/// URL may carry a password or a token there. Text that is not a URL is treated the same way
/// (anything before an `@` in what would be its authority is masked), so nothing depends on
/// parsing. The one redaction every URL in this crate goes through.
///
/// ```
/// use smsauth::error::redact_url;
/// assert_eq!(redact_url("http://u:hunter2@proxy:3128"), "http://***@proxy:3128");
/// assert_eq!(redact_url("redis://:pw@127.0.0.1:6379/0"), "redis://***@127.0.0.1:6379/0");
/// assert_eq!(redact_url("http://127.0.0.1:8080/creds?token=abc#x"), "http://127.0.0.1:8080/creds?…");
/// assert_eq!(redact_url("u:hunter2@host"), "***@host");
/// assert_eq!(redact_url("https://dypnsapi.aliyuncs.com"), "https://dypnsapi.aliyuncs.com");
/// ```
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
    let (path, after) = tail.split_at(path_end);
    let query = if after.starts_with('?') { "?…" } else { "" };
    match authority.rfind('@') {
        Some(at) => format!("{scheme}***{}{path}{query}", &authority[at..]),
        None => format!("{scheme}{authority}{path}{query}"),
    }
}

impl Delivery {
    /// `"not_received"`, `"answered"` or `"unknown"`: the name every binding shows.
    pub const fn as_str(self) -> &'static str {
        match self {
            Delivery::NotReceived => "not_received",
            Delivery::Answered => "answered",
            Delivery::Unknown => "unknown",
        }
    }
}

/// The error returned by every fallible function of this crate.
///
/// Its `Display` says what went wrong and what to do; [`Error::service`] keeps what the service
/// said. It never contains an AccessKey secret or an STS token.
pub struct Error {
    kind: ErrorKind,
    message: String,
    field: Option<&'static str>,
    guard_rule: Option<String>,
    service: Option<Box<ServiceDetail>>,
    retry_after: Option<Duration>,
    status: Option<u16>,
    delivery: Delivery,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind` with a message for the user. Delivery defaults to
    /// [`Delivery::NotReceived`].
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            field: None,
            guard_rule: None,
            service: None,
            retry_after: None,
            status: None,
            delivery: Delivery::NotReceived,
            source: None,
        }
    }

    /// An [`ErrorKind::InvalidInput`] error naming the offending field.
    ///
    /// ```
    /// let err = smsauth::Error::invalid_input("CodeLength", "must be between 4 and 8, got 9");
    /// assert_eq!(err.field(), Some("CodeLength"));
    /// assert_eq!(err.to_string(), "invalid CodeLength: must be between 4 and 8, got 9");
    /// ```
    pub fn invalid_input(field: &'static str, problem: impl fmt::Display) -> Self {
        let mut err = Error::new(ErrorKind::InvalidInput, format!("invalid {field}: {problem}"));
        err.field = Some(field);
        err
    }

    /// An [`ErrorKind::Internal`] error about a call that was under way when it failed (a panic,
    /// a lost task, an interrupt): whether its request left is not known, so its delivery is
    /// [`Delivery::Unknown`] — never "safe to resend".
    ///
    /// ```
    /// let err = smsauth::Error::lost_in_flight("the smsauth task panicked");
    /// assert!(err.may_have_been_received());
    /// ```
    pub fn lost_in_flight(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal, message).with_delivery(Delivery::Unknown)
    }

    /// An [`ErrorKind::GuardDenied`] error: `rule` names the limit, `retry_after` when it allows
    /// again.
    pub fn guard_denied(rule: impl Into<String>, message: impl Into<String>, retry_after: Option<Duration>) -> Self {
        let mut err = Error::new(ErrorKind::GuardDenied, message);
        err.guard_rule = Some(rule.into());
        err.retry_after = retry_after;
        err
    }

    /// For [`ErrorKind::GuardDenied`]: the rule that refused the call, e.g. `phone:60s`.
    pub fn guard_rule(&self) -> Option<&str> {
        self.guard_rule.as_deref()
    }

    pub(crate) fn with_service(mut self, detail: ServiceDetail) -> Self {
        self.service = Some(Box::new(detail));
        self
    }

    pub(crate) fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    /// Rewrite the message and what the service said with `scrub` (used to mask a secret the
    /// service echoed back; see `client::transport::redact_token`).
    pub(crate) fn scrubbed(mut self, scrub: impl Fn(&mut String)) -> Self {
        scrub(&mut self.message);
        if let Some(service) = self.service.as_mut() {
            scrub(&mut service.message);
        }
        self
    }

    pub(crate) fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The category, for matching.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human message (same as `Display`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For [`ErrorKind::InvalidInput`]: the API name of the field at fault.
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }

    /// The message with the field spelt `name` instead — a binding's own name for the option
    /// the user wrote (`timeoutMs` for `timeout`) — so bindings rename fields without editing
    /// message text. Other errors' messages are returned as they are.
    ///
    /// ```
    /// let err = smsauth::Error::invalid_input("timeout", "must be greater than zero");
    /// assert_eq!(err.message_naming("timeoutMs"), "invalid timeoutMs: must be greater than zero");
    /// ```
    pub fn message_naming(&self, name: &str) -> String {
        let problem = self.field.and_then(|f| {
            self.message.strip_prefix("invalid ").and_then(|m| m.strip_prefix(f)).and_then(|m| m.strip_prefix(": "))
        });
        match problem {
            Some(problem) => format!("invalid {name}: {problem}"),
            None => self.message.clone(),
        }
    }

    /// What the service said, when it answered.
    pub fn service(&self) -> Option<&ServiceDetail> {
        self.service.as_deref()
    }

    /// The raw service `Code`, when the service answered.
    pub fn service_code(&self) -> Option<&str> {
        self.service.as_ref().map(|s| s.code.as_str())
    }

    /// The `RequestId` of the answer, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        self.service.as_ref().and_then(|s| s.request_id.as_deref())
    }

    /// The HTTP status of the answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.status.or_else(|| self.service.as_ref().map(|s| s.http_status).filter(|s| *s != 0))
    }

    /// For throttling: how long the server asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Whether the request may have reached the service (see [`Delivery`]).
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// `true` unless the request provably never reached the service. Resending a
    /// `SendSmsVerifyCode` after such an error may deliver a second SMS.
    pub fn may_have_been_received(&self) -> bool {
        self.delivery != Delivery::NotReceived
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(field) = self.field {
            d.field("field", &field);
        }
        if let Some(rule) = &self.guard_rule {
            d.field("guard_rule", rule);
        }
        if let Some(service) = &self.service {
            d.field("service", service);
        }
        if let Some(status) = self.status {
            d.field("http_status", &status);
        }
        if let Some(after) = self.retry_after {
            d.field("retry_after", &after);
        }
        d.field("delivery", &self.delivery);
        if let Some(source) = &self.source {
            d.field("source", &source.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Classify a service `Code` into the kind a caller acts on.
///
/// ```
/// use smsauth::{error::kind_for_service_code, ErrorKind};
/// assert_eq!(kind_for_service_code("biz.FREQUENCY"), ErrorKind::Throttled);
/// assert_eq!(kind_for_service_code("SignatureDoesNotMatch"), ErrorKind::Authentication);
/// assert_eq!(kind_for_service_code("MOBILE_NUMBER_ILLEGAL"), ErrorKind::Service);
/// ```
pub fn kind_for_service_code(code: &str) -> ErrorKind {
    if is_throttling_code(code)
        || matches!(code, "biz.FREQUENCY" | "FREQUENCY_FAIL" | "BUSINESS_LIMIT_CONTROL" | "isv.BUSINESS_LIMIT_CONTROL")
    {
        return ErrorKind::Throttled;
    }
    if code == "SignatureDoesNotMatch"
        || code == "IncompleteSignature"
        || code == "SignatureNonceUsed"
        || code.starts_with("InvalidAccessKeyId")
        || code.starts_with("InvalidTimeStamp")
        || code.starts_with("InvalidSecurityToken")
        || code == "MissingSecurityToken"
    {
        return ErrorKind::Authentication;
    }
    ErrorKind::Service
}

/// Gateway flow control (`Throttling`, `Throttling.User`, `Throttling.Api`, …): refused before
/// the service ran, so the request may be retried.
pub(crate) fn is_throttling_code(code: &str) -> bool {
    code.starts_with("Throttling")
}

/// What to do about a service code, appended to error messages.
pub(crate) fn advice_for_service_code(code: &str) -> &'static str {
    match code {
        "biz.FREQUENCY" | "FREQUENCY_FAIL" => {
            "a code was sent to this number too recently; wait for the Interval (60 s by default) before sending again"
        }
        "BUSINESS_LIMIT_CONTROL" | "isv.BUSINESS_LIMIT_CONTROL" => {
            "this number reached its sending cap; try again later (the cap is set in the console)"
        }
        "SignatureDoesNotMatch" => {
            "check the AccessKey secret; `smsauth verify` shows how the server built its string-to-sign"
        }
        "IncompleteSignature" => "the request was not fully signed; check the signing configuration",
        "SignatureNonceUsed" => "a request was replayed; every request needs a fresh nonce",
        "MOBILE_NUMBER_ILLEGAL" | "isv.MOBILE_NUMBER_ILLEGAL" => {
            "only mainland China numbers (CountryCode 86) are supported"
        }
        "isv.SMS_SIGNATURE_ILLEGAL" | "isv.SMS_SIGN_ILLEGAL" => {
            "use one of the console's preset signatures (e.g. 速通互联验证码); custom signatures are not supported"
        }
        "isv.SMS_TEMPLATE_ILLEGAL" => {
            "use one of the console's preset templates (100001–100005) with a preset signature"
        }
        "isv.TEMPLATE_MISSING_PARAMETERS" => {
            "give every variable the template uses in TemplateParam, e.g. {\"code\":\"##code##\",\"min\":\"5\"}"
        }
        "INVALID_PARAMETERS" | "isv.INVALID_PARAMETERS" => "a parameter value was refused; see the service message",
        _ if code.starts_with("InvalidAccessKeyId") => {
            "check the AccessKey ID, and that the key is enabled in the RAM console"
        }
        _ if code.starts_with("InvalidTimeStamp") => "the local clock is off by more than 15 minutes; sync it with NTP",
        _ if code.starts_with("InvalidSecurityToken") => {
            "the STS token is invalid or expired; refresh the temporary credentials"
        }
        _ if is_throttling_code(code) => "the gateway is limiting requests; retry later",
        _ => "see the service message and the Recommend link",
    }
}
