//! What a call did, for operators: one [`CallEvent`] per call (to a listener and as a `tracing`
//! span with OpenTelemetry HTTP-client field names) and cheap counters ([`ClientStats`]).
//!
//! An event never holds a secret, a full phone number or a code: the phone is masked with
//! [`mask_phone`] and the request's parameters are not kept.
//!
//! Cost: the counters take no allocation. The event's strings (masked phone, host, service code,
//! request id) are built only when someone will read them — a listener is registered, a
//! `tracing` subscriber enabled the span, or the call runs inside [`crate::observe::observed`] —
//! so a call nobody observes pays for neither.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::api::{CheckSmsVerifyCodeResponse, SendSmsVerifyCodeResponse, mask_phone};
use crate::error::{Delivery, Error, ErrorKind};
use crate::sign::SignatureVersion;

/// What the abuse guard decided about a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardDecision {
    /// No guard was consulted (none configured, or a raw `send_sms_verify_code`/`check_sms_verify_code`).
    NotGuarded,
    /// The guard let the call through.
    Allowed,
    /// The guard refused the call; nothing was sent ([`CallEvent::guard_rule`] names the rule).
    Denied,
}

impl GuardDecision {
    /// `not_guarded`, `allowed` or `denied`: the spelling every binding's events use.
    pub const fn as_str(self) -> &'static str {
        match self {
            GuardDecision::NotGuarded => "not_guarded",
            GuardDecision::Allowed => "allowed",
            GuardDecision::Denied => "denied",
        }
    }
}

/// One finished call (successful or not), as given to the listener set with
/// [`crate::ClientBuilder::on_event`]. Holds no secret, no full phone number and no code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallEvent {
    /// `SendSmsVerifyCode` or `CheckSmsVerifyCode`.
    pub action: &'static str,
    /// The signature scheme the client uses.
    pub signature_version: SignatureVersion,
    /// The endpoint's host (OpenTelemetry `server.address`).
    pub server_address: String,
    /// The endpoint's port, when given explicitly (`server.port`).
    pub server_port: Option<u16>,
    /// HTTP attempts made (0 when the call failed before sending, e.g. bad input or a guard denial).
    pub attempts: u32,
    /// Why each retry happened, one entry per retry: the error kind that caused it and, when the
    /// service answered, its `Code` (`network`, `throttled:Throttling.User`, `service:InternalError`).
    pub retry_reasons: Vec<String>,
    /// The HTTP status of the last answer, when one came back.
    pub http_status: Option<u16>,
    /// The service's `Code` (`OK` on success), when an answer came back.
    pub service_code: Option<String>,
    /// The service's request id, when an answer came back.
    pub request_id: Option<String>,
    /// Wall time of the whole call, guard and retries included.
    pub elapsed: Duration,
    /// Whether the request reached the service: `Answered` for every answer, success included.
    pub delivery: Delivery,
    /// What the abuse guard decided.
    pub guard: GuardDecision,
    /// The guard rule that refused the call (e.g. `phone:60s`).
    pub guard_rule: Option<String>,
    /// The phone number masked with [`mask_phone`] (`138****8000`; `***` when unknown).
    pub phone: String,
    /// For a successful check: whether the code passed.
    pub passed: Option<bool>,
    /// The error kind when the call failed.
    pub error: Option<ErrorKind>,
}

impl CallEvent {
    /// Whether the call succeeded (a check with a wrong code succeeds, with `passed == Some(false)`).
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }
}

/// The listener type: called once per finished call, on the thread that finished it. Keep it
/// quick; it must not block.
pub type EventListener = Arc<dyn Fn(&CallEvent) + Send + Sync>;

/// An optional listener with a `Debug` that does not try to print a closure.
#[derive(Clone, Default)]
pub(crate) struct Listener(pub(crate) Option<EventListener>);

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "Some(<listener>)" } else { "None" })
    }
}

/// The upper bounds (inclusive, milliseconds) of the latency histogram's buckets; one more
/// bucket counts everything slower.
pub const LATENCY_BUCKETS_MS: [u64; 11] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/// A snapshot of a client's counters since it was built (clones share them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// `SendSmsVerifyCode` calls, whatever their outcome (guard denials included).
    pub sends: u64,
    /// `CheckSmsVerifyCode` calls, whatever their outcome.
    pub checks: u64,
    /// Checks whose code passed.
    pub passes: u64,
    /// Guard denials by rule name.
    pub guard_denials: BTreeMap<String, u64>,
    /// Failed calls by [`ErrorKind::name`] (kinds never seen are absent).
    pub errors: BTreeMap<&'static str, u64>,
    /// Call latency: `latency_buckets[i]` counts calls that took at most
    /// [`LATENCY_BUCKETS_MS`]`[i]` ms and more than the bucket before (not cumulative); the last
    /// entry counts the slower ones.
    pub latency_buckets: Vec<u64>,
    /// Sum of all call latencies, in milliseconds.
    pub latency_sum_ms: u64,
}

/// The live counters: atomics, plus a mutex only for the rare guard denial.
#[derive(Default)]
pub(crate) struct Counters {
    sends: AtomicU64,
    checks: AtomicU64,
    passes: AtomicU64,
    errors: [AtomicU64; ErrorKind::ALL.len()],
    buckets: [AtomicU64; LATENCY_BUCKETS_MS.len() + 1],
    latency_sum_ms: AtomicU64,
    denials: Mutex<BTreeMap<String, u64>>,
}

/// What the counters need to know about a finished call: nothing that has to be allocated.
struct Tally<'a> {
    action: &'static str,
    passed: Option<bool>,
    error: Option<ErrorKind>,
    guard_rule: Option<&'a str>,
    elapsed: Duration,
}

impl Counters {
    fn record(&self, e: &Tally<'_>) {
        let counter = if e.action == "SendSmsVerifyCode" { &self.sends } else { &self.checks };
        counter.fetch_add(1, Ordering::Relaxed);
        if e.passed == Some(true) {
            self.passes.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(kind) = e.error
            && let Some(i) = ErrorKind::ALL.iter().position(|k| *k == kind)
        {
            self.errors[i].fetch_add(1, Ordering::Relaxed);
        }
        if let Some(rule) = e.guard_rule {
            let mut denials = self.denials.lock().unwrap_or_else(|p| p.into_inner());
            *denials.entry(rule.to_owned()).or_default() += 1;
        }
        let ms = u64::try_from(e.elapsed.as_millis()).unwrap_or(u64::MAX);
        let bucket = LATENCY_BUCKETS_MS.iter().position(|b| ms <= *b).unwrap_or(LATENCY_BUCKETS_MS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_ms.fetch_add(ms, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> ClientStats {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ClientStats {
            sends: load(&self.sends),
            checks: load(&self.checks),
            passes: load(&self.passes),
            guard_denials: self.denials.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            errors: ErrorKind::ALL
                .iter()
                .zip(&self.errors)
                .filter(|(_, n)| load(n) > 0)
                .map(|(k, n)| (k.name(), load(n)))
                .collect(),
            latency_buckets: self.buckets.iter().map(load).collect(),
            latency_sum_ms: load(&self.latency_sum_ms),
        }
    }
}

/// What a typed answer tells the event.
pub(crate) trait Summarize {
    /// The service's `Code`.
    fn code(&self) -> &str;
    fn request_id(&self) -> &str;
    fn passed(&self) -> Option<bool>;
    fn http_status(&self) -> u16;
}

impl Summarize for SendSmsVerifyCodeResponse {
    fn code(&self) -> &str {
        &self.code
    }
    fn request_id(&self) -> &str {
        &self.request_id
    }
    fn passed(&self) -> Option<bool> {
        None
    }
    fn http_status(&self) -> u16 {
        self.http_status
    }
}

impl Summarize for CheckSmsVerifyCodeResponse {
    fn code(&self) -> &str {
        &self.code
    }
    fn request_id(&self) -> &str {
        &self.request_id
    }
    fn passed(&self) -> Option<bool> {
        Some(self.passed())
    }
    fn http_status(&self) -> u16 {
        self.http_status
    }
}

/// The attempts of one call, filled in by the retry loop.
#[derive(Default)]
pub(crate) struct Attempts {
    pub(crate) count: u32,
    pub(crate) retry_reasons: Vec<String>,
}

impl Attempts {
    pub(crate) fn retried_after(&mut self, err: &Error) {
        self.retry_reasons.push(match err.service_code() {
            Some(code) => format!("{}:{code}", err.kind().name()),
            None => err.kind().name().to_owned(),
        });
    }
}

/// One call in progress: its span, its start time, and what it learned so far.
pub(crate) struct CallScope {
    pub(crate) span: tracing::Span,
    started: std::time::Instant,
    action: &'static str,
    version: SignatureVersion,
    guard: GuardDecision,
    /// The masked phone, only when an event or an enabled span will show it.
    phone: Option<String>,
    attempts: Attempts,
}

impl CallScope {
    /// Start a call: the span opens now (fields filled in by [`CallScope::finish`]). `observed`
    /// says whether a listener will receive the event.
    pub(crate) fn start(
        action: &'static str,
        version: SignatureVersion,
        endpoint: &super::Endpoint,
        phone: &str,
        guard: GuardDecision,
        observed: bool,
    ) -> CallScope {
        let (host, port) = split_authority(&endpoint.authority);
        // Without a subscriber interested in it the macro evaluates none of these fields.
        let span = tracing::info_span!(
            target: "smsauth",
            "smsauth.call",
            otel.name = action,
            otel.kind = "client",
            http.request.method = "POST",
            server.address = host,
            server.port = port,
            url.scheme = endpoint.scheme.as_str(),
            rpc.system = "alibaba_cloud",
            rpc.method = action,
            smsauth.action = action,
            smsauth.signature_version = version.as_str(),
            smsauth.phone = tracing::field::Empty,
            smsauth.attempts = tracing::field::Empty,
            smsauth.retry_reasons = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            smsauth.code = tracing::field::Empty,
            smsauth.request_id = tracing::field::Empty,
            smsauth.delivery = tracing::field::Empty,
            smsauth.guard.decision = guard.as_str(),
            smsauth.guard.rule = tracing::field::Empty,
            smsauth.passed = tracing::field::Empty,
            smsauth.elapsed_ms = tracing::field::Empty,
            error.type = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
        );
        let observed = observed || crate::observe::wanted();
        let phone = (observed || !span.is_disabled()).then(|| mask_phone(phone));
        if let Some(masked) = &phone {
            span.record("smsauth.phone", masked.as_str());
        }
        CallScope {
            span,
            started: std::time::Instant::now(),
            action,
            version,
            guard,
            phone,
            attempts: Attempts::default(),
        }
    }

    /// Record the attempts the retry loop made.
    pub(crate) fn attempts(&mut self, attempts: Attempts) {
        self.attempts = attempts;
    }

    /// Close the call: count it, and — only when someone reads them — fill the span and hand the
    /// event to the listener.
    pub(crate) fn finish<R: Summarize>(
        mut self,
        result: Result<&R, &Error>,
        endpoint: &super::Endpoint,
        counters: &Counters,
        listener: &Listener,
    ) {
        let elapsed = self.started.elapsed();
        let span_on = !self.span.is_disabled();
        if span_on || listener.0.is_some() || crate::observe::wanted() {
            let span = std::mem::replace(&mut self.span, tracing::Span::none());
            let event = self.event(result, endpoint, elapsed);
            if span_on {
                record_span(&span, &event);
            }
            counters.record(&Tally {
                action: event.action,
                passed: event.passed,
                error: event.error,
                guard_rule: event.guard_rule.as_deref(),
                elapsed,
            });
            if let Some(listener) = &listener.0 {
                listener(&event);
            }
            crate::observe::deliver(event);
        } else {
            counters.record(&Tally {
                action: self.action,
                passed: result.ok().and_then(Summarize::passed),
                error: result.err().map(Error::kind),
                guard_rule: result.err().and_then(Error::guard_rule),
                elapsed,
            });
        }
    }

    /// The event of this call (allocates its strings).
    fn event<R: Summarize>(
        self,
        result: Result<&R, &Error>,
        endpoint: &super::Endpoint,
        elapsed: Duration,
    ) -> CallEvent {
        let (host, port) = split_authority(&endpoint.authority);
        let mut e = CallEvent {
            action: self.action,
            signature_version: self.version,
            server_address: host.to_owned(),
            server_port: port,
            attempts: self.attempts.count,
            retry_reasons: self.attempts.retry_reasons,
            http_status: None,
            service_code: None,
            request_id: None,
            elapsed,
            delivery: Delivery::NotReceived,
            guard: self.guard,
            guard_rule: None,
            phone: self.phone.unwrap_or_else(|| "***".to_owned()),
            passed: None,
            error: None,
        };
        match result {
            Ok(r) => {
                e.http_status = Some(r.http_status());
                e.service_code = Some("OK".to_owned());
                e.request_id = Some(r.request_id().to_owned()).filter(|s| !s.is_empty());
                e.delivery = Delivery::Answered;
                e.passed = r.passed();
            }
            Err(err) => {
                e.http_status = err.http_status();
                e.service_code = err.service_code().map(str::to_owned);
                e.request_id = err.request_id().map(str::to_owned);
                e.delivery = err.delivery();
                e.error = Some(err.kind());
                if let Some(rule) = err.guard_rule() {
                    e.guard = GuardDecision::Denied;
                    e.guard_rule = Some(rule.to_owned());
                }
            }
        }
        e
    }
}

/// Fill the span's closing fields from the event.
fn record_span(span: &tracing::Span, e: &CallEvent) {
    span.record("smsauth.attempts", e.attempts);
    if !e.retry_reasons.is_empty() {
        span.record("smsauth.retry_reasons", e.retry_reasons.join(",").as_str());
    }
    if let Some(s) = e.http_status {
        span.record("http.response.status_code", s);
    }
    if let Some(c) = &e.service_code {
        span.record("smsauth.code", c.as_str());
    }
    if let Some(r) = &e.request_id {
        span.record("smsauth.request_id", r.as_str());
    }
    span.record("smsauth.delivery", e.delivery.as_str());
    span.record("smsauth.guard.decision", e.guard.as_str());
    if let Some(rule) = &e.guard_rule {
        span.record("smsauth.guard.rule", rule.as_str());
    }
    if let Some(p) = e.passed {
        span.record("smsauth.passed", p);
    }
    span.record("smsauth.elapsed_ms", u64::try_from(e.elapsed.as_millis()).unwrap_or(u64::MAX));
    if let Some(kind) = e.error {
        span.record("error.type", kind.name());
        span.record("otel.status_code", "ERROR");
    }
    tracing::debug!(target: "smsauth", parent: span, "call finished");
}

/// `host[:port]` → host and explicit port (IPv6 literals keep their brackets off).
fn split_authority(authority: &str) -> (&str, Option<u16>) {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, tail) = rest.split_once(']').unwrap_or((rest, ""));
        return (host, tail.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => match port.parse() {
            Ok(p) => (host, Some(p)),
            Err(_) => (authority, None),
        },
        None => (authority, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_split_into_host_and_port() {
        assert_eq!(split_authority("dypnsapi.aliyuncs.com"), ("dypnsapi.aliyuncs.com", None));
        assert_eq!(split_authority("127.0.0.1:8080"), ("127.0.0.1", Some(8080)));
        assert_eq!(split_authority("[::1]:9"), ("::1", Some(9)));
        assert_eq!(split_authority("[::1]"), ("::1", None));
    }

    #[test]
    fn latency_lands_in_its_bucket() {
        let c = Counters::default();
        let mut e = Tally {
            action: "CheckSmsVerifyCode",
            passed: None,
            error: None,
            guard_rule: None,
            elapsed: Duration::ZERO,
        };
        for ms in [0, 5, 6, 10_000, 10_001] {
            e.elapsed = Duration::from_millis(ms);
            c.record(&e);
        }
        let s = c.snapshot();
        assert_eq!(s.checks, 5);
        assert_eq!(s.latency_buckets[0], 2, "0 and 5 ms");
        assert_eq!(s.latency_buckets[1], 1, "6 ms");
        assert_eq!(s.latency_buckets[10], 1, "10 s");
        assert_eq!(s.latency_buckets[11], 1, "slower");
        assert_eq!(s.latency_sum_ms, 20_012);
    }
}
