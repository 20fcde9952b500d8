//! Fault injection: rules that change how matching API requests are answered.

use serde::{Deserialize, Serialize};

/// What a fault does to the answer.
///
/// Gateway faults ([`ServerError`](Self::ServerError), [`Throttle`](Self::Throttle),
/// [`Html`](Self::Html)) answer *instead of* the service: nothing is sent or checked. Answer
/// faults ([`Malformed`](Self::Malformed), [`Truncated`](Self::Truncated),
/// [`Oversized`](Self::Oversized), [`Drop`](Self::Drop), [`DropMidResponse`](Self::DropMidResponse),
/// [`SlowDrip`](Self::SlowDrip)) let the service run — the SMS *is* sent — and then spoil the answer, which is exactly the case
/// where a client must not resend blindly. [`Latency`](Self::Latency) delays a normal answer.
///
/// Over HTTP a kind is written as JSON with a `kind` tag, e.g.
/// `{"kind":"throttle","retry_after_ms":1000}`, `{"kind":"latency","ms":500}`,
/// `{"kind":"server_error","status":503,"plain":true}` or
/// `{"kind":"slow_drip","chunk_bytes":16,"interval_ms":200}`; omitted fields take their defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Wait `ms` milliseconds, then answer normally.
    Latency {
        /// Added delay in milliseconds.
        ms: u64,
    },
    /// An HTTP 5xx gateway error (`InternalError` for 500, `ServiceUnavailable` otherwise).
    ServerError {
        /// The status, 500 by default.
        #[serde(default = "default_5xx")]
        status: u16,
        /// Answer with a `text/plain` reason phrase (e.g. `Service Unavailable`), as a load
        /// balancer would, instead of the gateway's JSON error (`false` by default).
        #[serde(default)]
        plain: bool,
    },
    /// HTTP 429 `Throttling.User`, with `x-acs-retry-after` (milliseconds) when given.
    Throttle {
        /// The `x-acs-retry-after` header value in milliseconds.
        #[serde(default)]
        retry_after_ms: Option<u64>,
    },
    /// HTTP 200 with a body that is not JSON.
    Malformed,
    /// HTTP 200 with the real answer cut in half (the HTTP message itself is complete).
    Truncated,
    /// HTTP 502 with an HTML error page, as a proxy in front of the service would send.
    Html,
    /// HTTP 200 with a valid JSON answer padded to `bytes` bytes (2 MiB by default). The padding
    /// is streamed in 64 KiB pieces, so even a 50 MB body costs the emulator no memory.
    Oversized {
        /// Body size in bytes.
        #[serde(default = "default_oversized")]
        bytes: usize,
    },
    /// Close the connection without answering.
    Drop,
    /// Send the status line, the headers (with the full `Content-Length`) and half of the body,
    /// then close the connection.
    DropMidResponse,
    /// Send the real answer's status line and headers (with its full `Content-Length`) at once,
    /// then its body `chunk_bytes` at a time every `interval_ms` milliseconds: a client with a
    /// deadline on the whole answer times out while every single read still succeeds.
    SlowDrip {
        /// Bytes per write (16 by default; 0 counts as 1).
        #[serde(default = "default_drip_chunk")]
        chunk_bytes: usize,
        /// Pause between writes in milliseconds (200 by default).
        #[serde(default = "default_drip_interval")]
        interval_ms: u64,
    },
}

fn default_drip_chunk() -> usize {
    16
}

fn default_drip_interval() -> u64 {
    200
}

fn default_5xx() -> u16 {
    500
}

fn default_oversized() -> usize {
    2 << 20
}

fn one() -> f64 {
    1.0
}

impl FaultKind {
    /// Does the gateway answer instead of the service (nothing is sent or checked)?
    pub fn preempts_service(&self) -> bool {
        matches!(self, FaultKind::ServerError { .. } | FaultKind::Throttle { .. } | FaultKind::Html)
    }
}

/// A fault rule: which requests it applies to, how often, and what it does.
///
/// Rules are tried in the order they were added; the first that matches fires.
///
/// ```
/// use smsauth_emulator::{Fault, FaultKind};
/// // The next send is throttled once, asking the client to wait 200 ms.
/// let rule = Fault::new(FaultKind::Throttle { retry_after_ms: Some(200) })
///     .action("SendSmsVerifyCode")
///     .times(1);
/// // A third of all checks fail with HTTP 503 (reproducibly with Config::seed).
/// let flaky = Fault::new(FaultKind::ServerError { status: 503, plain: false }).action("CheckSmsVerifyCode").probability(1.0 / 3.0);
/// let json = serde_json::to_string(&rule).unwrap();
/// assert_eq!(json, r#"{"kind":"throttle","retry_after_ms":200,"action":"SendSmsVerifyCode","phone":null,"probability":1.0,"times":1}"#);
/// assert_eq!(serde_json::from_str::<Fault>(&json).unwrap(), rule);
/// # let _ = flaky;
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Only requests for this action (`SendSmsVerifyCode` / `CheckSmsVerifyCode`); `None`: all.
    #[serde(default)]
    pub action: Option<String>,
    /// Only requests for this `PhoneNumber`; `None`: all.
    #[serde(default)]
    pub phone: Option<String>,
    /// Chance that a matching request is hit, 0.0–1.0 (1.0 by default). Draws come from the
    /// emulator's random source, so [`Config::seed`](crate::Config::seed) makes them repeatable.
    #[serde(default = "one")]
    pub probability: f64,
    /// Fire this many times, then remove the rule; `None` (the default): forever.
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    /// A rule hitting every API request, every time.
    pub fn new(kind: FaultKind) -> Self {
        Fault { kind, action: None, phone: None, probability: 1.0, times: None }
    }

    /// Only for this action.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Only for this phone number.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    /// Hit matching requests with this probability (clamped to 0.0–1.0).
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        self
    }

    /// Fire `n` times, then disappear.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    pub(crate) fn matches(&self, action: Option<&str>, phone: Option<&str>) -> bool {
        self.action.as_deref().is_none_or(|a| Some(a) == action)
            && self.phone.as_deref().is_none_or(|p| Some(p) == phone)
    }
}
