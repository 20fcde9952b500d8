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
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
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
    /// HTTP 400 `Throttling.User` (the status the gateway answers flow control with), with
    /// `x-acs-retry-after` (milliseconds) when given.
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
///
/// Read from JSON (the HTTP hook, Python's `add_fault`, Node's `addFault`, C's
/// `smsauth_emulator_add_fault`) a rule is strict: an unknown or misspelt key (`"tims"`,
/// `"status_code"`), an action other than the two API actions (exact case), a probability
/// outside 0–1 or a `server_error` status outside 500–599 is refused, never ignored.
///
/// ```
/// use smsauth_emulator::Fault;
/// assert!(Fault::from_json(r#"{"kind":"latency","ms":5,"tims":1}"#).unwrap_err().contains("tims"));
/// assert!(Fault::from_json(r#"{"kind":"drop","action":"sendsmsverifycode"}"#).is_err());
/// assert!(Fault::from_json(r#"{"kind":"drop","probability":5}"#).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fault {
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Only requests for this action (`SendSmsVerifyCode` / `CheckSmsVerifyCode`); `None`: all.
    pub action: Option<String>,
    /// Only requests for this `PhoneNumber`; `None`: all.
    pub phone: Option<String>,
    /// Chance that a matching request is hit, 0.0–1.0 (1.0 by default). Draws come from the
    /// emulator's random source, so [`Config::seed`](crate::Config::seed) makes them repeatable.
    pub probability: f64,
    /// Fire this many times, then remove the rule; `None` (the default): forever.
    pub times: Option<u32>,
}

/// The API actions a rule may name.
pub const FAULT_ACTIONS: [&str; 2] = ["SendSmsVerifyCode", "CheckSmsVerifyCode"];

/// The keys of a rule besides its kind's own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Matching {
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default = "one")]
    probability: f64,
    #[serde(default)]
    times: Option<u32>,
}

impl<'de> Deserialize<'de> for Fault {
    /// serde cannot refuse unknown keys through `flatten`, so the rule's own keys are taken
    /// out first and the rest must be exactly one kind's fields.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let mut own = serde_json::Map::new();
        for key in ["action", "phone", "probability", "times"] {
            if let Some(v) = map.remove(key) {
                own.insert(key.to_owned(), v);
            }
        }
        let m = Matching::deserialize(serde_json::Value::Object(own)).map_err(D::Error::custom)?;
        let kind = FaultKind::deserialize(serde_json::Value::Object(map.clone())).map_err(D::Error::custom)?;
        // serde lets unit kinds (`malformed`, `drop`, …) through with extra keys: a kind's keys
        // are exactly those it serialises to.
        if let Ok(serde_json::Value::Object(known)) = serde_json::to_value(&kind)
            && let Some(extra) = map.keys().find(|k| !known.contains_key(*k))
        {
            return Err(D::Error::custom(format!("unknown field `{extra}` for kind {:?}", known["kind"])));
        }
        let fault = Fault { kind, action: m.action, phone: m.phone, probability: m.probability, times: m.times };
        fault.check().map_err(D::Error::custom)?;
        Ok(fault)
    }
}

impl Fault {
    /// Parse a rule from its JSON (see the strictness rules above); the error says what is wrong.
    pub fn from_json(json: &str) -> Result<Fault, String> {
        serde_json::from_str(json).map_err(|e| {
            format!(
                "{e}; a fault is e.g. {{\"kind\":\"latency\",\"ms\":500,\"action\":\"SendSmsVerifyCode\",\"times\":1}}"
            )
        })
    }

    /// The value checks of a rule read from JSON.
    fn check(&self) -> Result<(), String> {
        if let Some(a) = &self.action
            && !FAULT_ACTIONS.contains(&a.as_str())
        {
            return Err(format!("unknown action {a:?}: use \"SendSmsVerifyCode\" or \"CheckSmsVerifyCode\""));
        }
        if !(0.0..=1.0).contains(&self.probability) {
            return Err(format!("probability must be between 0 and 1, got {}", self.probability));
        }
        if let FaultKind::ServerError { status, .. } = self.kind
            && !(500..=599).contains(&status)
        {
            return Err(format!("server_error status must be between 500 and 599, got {status}"));
        }
        Ok(())
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rules_are_strict() {
        for bad in [
            r#"{"kind":"server_error","status_code":503}"#,
            r#"{"kind":"latency","msec":5}"#,
            r#"{"kind":"latency","ms":5,"tims":1}"#,
            r#"{"kind":"drop","probability":5}"#,
            r#"{"kind":"drop","probability":-0.1}"#,
            r#"{"kind":"drop","action":"sendSmsVerifyCode"}"#,
            r#"{"kind":"malformed","ms":5}"#,
            r#"{"kind":"server_error","status":404}"#,
            r#"{"kind":"Latency","ms":5}"#,
            r#"{"ms":5}"#,
        ] {
            assert!(Fault::from_json(bad).is_err(), "{bad}");
        }
        let ok = Fault::from_json(
            r#"{"kind":"throttle","retry_after_ms":5,"action":"CheckSmsVerifyCode","times":2,"phone":null}"#,
        )
        .unwrap();
        assert_eq!(
            ok,
            Fault::new(FaultKind::Throttle { retry_after_ms: Some(5) }).action("CheckSmsVerifyCode").times(2)
        );
        // What a rule serialises to reads back.
        assert_eq!(Fault::from_json(&serde_json::to_string(&ok).unwrap()).unwrap(), ok);
    }
}
