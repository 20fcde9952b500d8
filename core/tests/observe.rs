//! One event per call: the listener's `CallEvent`, the `smsauth.call` tracing span with its
//! OpenTelemetry field names, and the client's counters — for a send, a wrong check, a throttled
//! send, a retried send and a guard denial. None of them may show a secret, the full phone
//! number or a code.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use smsauth::{
    CallEvent, Client, Delivery, ErrorKind, Guard, GuardConfig, GuardDecision, Limit, RetryPolicy, SignatureVersion,
};
use support::{Reply, Server};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const SECRET: &str = "obs-secret-Zq9";
const PHONE: &str = "13800138000";
const CODE_SENT: &str = "Kq7Z4x";
const CODE_TRIED: &str = "Wm3Pz8";
const OK_SEND: &str = r#"{"Code":"OK","Message":"成功","Model":{"BizId":"1^0","VerifyCode":"Kq7Z4x"},"RequestId":"R-SEND","Success":true}"#;
const WRONG_CHECK: &str =
    r#"{"Code":"OK","Message":"成功","Model":{"VerifyResult":"UNKNOWN"},"RequestId":"R-CHECK","Success":true}"#;
const FREQUENCY: &str =
    r#"{"Code":"biz.FREQUENCY","Message":"check frequency failed","RequestId":"R-FREQ","Success":false}"#;

/// Field name → value, as text.
type Fields = BTreeMap<String, String>;

/// Spans (name and fields) and event fields seen by the process-wide subscriber: the calls run
/// on the crate's runtime threads, so a thread-local subscriber would miss their events.
#[derive(Default)]
struct Capture {
    next: AtomicU64,
    spans: Mutex<BTreeMap<u64, (String, Fields)>>,
    events: Mutex<Vec<Fields>>,
}

struct Visitor<'a>(&'a mut Fields);

impl Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

struct Collector(&'static Capture);

impl Subscriber for Collector {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.0.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = BTreeMap::new();
        attrs.record(&mut Visitor(&mut fields));
        self.0.spans.lock().unwrap().insert(id, (attrs.metadata().name().to_owned(), fields));
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some((_, fields)) = self.0.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Visitor(fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Visitor(&mut fields));
        self.0.events.lock().unwrap().push(fields);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// The shared capture, cleared, and a lock so tests read only their own spans.
fn capture() -> (&'static Capture, std::sync::MutexGuard<'static, ()>) {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let lock = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let cap = *CAPTURE.get_or_init(|| {
        let cap: &'static Capture = Box::leak(Box::default());
        tracing::subscriber::set_global_default(Collector(cap)).unwrap();
        cap
    });
    cap.spans.lock().unwrap().clear();
    cap.events.lock().unwrap().clear();
    (cap, lock)
}

fn call_spans(cap: &Capture) -> Vec<Fields> {
    cap.spans.lock().unwrap().values().filter(|(name, _)| name == "smsauth.call").map(|(_, f)| f.clone()).collect()
}

/// Everything the observer could see, as text.
fn everything(cap: &Capture, events: &[CallEvent]) -> String {
    format!("{:?} {:?} {events:?}", cap.spans.lock().unwrap(), cap.events.lock().unwrap())
}

fn assert_no_secrets(text: &str) {
    for secret in [SECRET, PHONE, CODE_SENT, CODE_TRIED] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(text.contains("138****8000"), "the masked phone is shown: {text}");
}

fn client(server: &Server) -> (smsauth::ClientBuilder, Arc<Mutex<Vec<CallEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let builder = Client::builder()
        .access_key("testid", SECRET)
        .endpoint(&server.url)
        .signature_version(SignatureVersion::V1)
        .sign_name("速通互联验证码")
        .template_code("100001")
        .retry(RetryPolicy { initial_backoff: Duration::from_millis(10), ..Default::default() })
        .on_event(move |e| sink.lock().unwrap().push(e.clone()));
    (builder, events)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn port(server: &Server) -> u16 {
    server.url.rsplit(':').next().unwrap().parse().unwrap()
}

#[test]
fn a_send_and_a_wrong_check_make_one_event_and_span_each() {
    let (cap, _lock) = capture();
    let server = Server::start(|req, _| {
        if req.query.contains("SendSmsVerifyCode") { Reply::json(200, OK_SEND) } else { Reply::json(200, WRONG_CHECK) }
    });
    let (builder, events) = client(&server);
    let c = builder.build().unwrap();
    rt().block_on(c.send_code(PHONE)).unwrap();
    let checked = rt().block_on(c.check_code(PHONE, CODE_TRIED)).unwrap();
    assert!(!checked.passed());

    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 2);
    let (send, check) = (&events[0], &events[1]);
    assert_eq!(send.action, "SendSmsVerifyCode");
    assert_eq!(send.signature_version, SignatureVersion::V1);
    assert_eq!((send.server_address.as_str(), send.server_port), ("127.0.0.1", Some(port(&server))));
    assert_eq!(send.attempts, 1);
    assert!(send.retry_reasons.is_empty());
    assert_eq!(send.http_status, Some(200));
    assert_eq!(send.service_code.as_deref(), Some("OK"));
    assert_eq!(send.request_id.as_deref(), Some("R-SEND"));
    assert_eq!(send.delivery, Delivery::Answered);
    assert_eq!(send.guard, GuardDecision::NotGuarded);
    assert_eq!(send.phone, "138****8000");
    assert_eq!((send.passed, send.error), (None, None));
    assert_eq!(check.action, "CheckSmsVerifyCode");
    assert_eq!(check.passed, Some(false), "a wrong code is a successful call that did not pass");
    assert_eq!(check.request_id.as_deref(), Some("R-CHECK"));
    assert!(check.is_ok());

    let spans = call_spans(cap);
    assert_eq!(spans.len(), 2, "{spans:?}");
    let s = &spans[0];
    assert_eq!(s["http.request.method"], "POST");
    assert_eq!(s["server.address"], "127.0.0.1");
    assert_eq!(s["server.port"], port(&server).to_string());
    assert_eq!(s["http.response.status_code"], "200");
    assert_eq!(s["smsauth.action"], "SendSmsVerifyCode");
    assert_eq!(s["smsauth.signature_version"], "v1");
    assert_eq!(s["smsauth.code"], "OK");
    assert_eq!(s["smsauth.request_id"], "R-SEND");
    assert_eq!(s["smsauth.attempts"], "1");
    assert_eq!(s["smsauth.delivery"], "answered");
    assert_eq!(s["smsauth.phone"], "138****8000");
    assert!(!s.contains_key("error.type"), "{s:?}");
    assert_eq!(spans[1]["smsauth.passed"], "false");
    assert_no_secrets(&everything(cap, &events));

    let stats = c.stats();
    assert_eq!((stats.sends, stats.checks, stats.passes), (1, 1, 0));
    assert!(stats.errors.is_empty());
    assert_eq!(stats.latency_buckets.iter().sum::<u64>(), 2);
    assert_eq!(c.clone().stats(), stats, "clones share the counters");
}

#[test]
fn a_throttled_send_is_an_error_event_and_a_retried_one_says_why() {
    let (cap, _lock) = capture();
    let server = Server::start(|_, n| match n {
        1 => Reply::json(200, FREQUENCY),
        2 => Reply::json(429, r#"{"Code":"Throttling.User","Message":"flow control","RequestId":"R-T"}"#),
        _ => Reply::json(200, OK_SEND),
    });
    let (builder, events) = client(&server);
    let c = builder.build().unwrap();
    let err = rt().block_on(c.send_code(PHONE)).unwrap_err();
    assert_eq!(err.service_code(), Some("biz.FREQUENCY"));
    rt().block_on(c.send_code(PHONE)).unwrap();

    let events = events.lock().unwrap().clone();
    let (freq, retried) = (&events[0], &events[1]);
    assert_eq!(freq.error, Some(ErrorKind::Throttled));
    assert_eq!(freq.service_code.as_deref(), Some("biz.FREQUENCY"));
    assert_eq!(freq.request_id.as_deref(), Some("R-FREQ"));
    assert_eq!((freq.attempts, freq.http_status), (1, Some(200)));
    assert_eq!(freq.delivery, Delivery::Answered);
    assert_eq!(retried.attempts, 2);
    assert_eq!(retried.retry_reasons, ["throttled:Throttling.User"]);
    assert!(retried.is_ok());

    let spans = call_spans(cap);
    assert_eq!(spans[0]["error.type"], "throttled");
    assert_eq!(spans[0]["otel.status_code"], "ERROR");
    assert_eq!(spans[0]["smsauth.code"], "biz.FREQUENCY");
    assert_eq!(spans[1]["smsauth.retry_reasons"], "throttled:Throttling.User");
    assert_eq!(spans[1]["smsauth.attempts"], "2");
    assert_no_secrets(&everything(cap, &events));

    let stats = c.stats();
    assert_eq!(stats.sends, 2);
    assert_eq!(stats.errors.get("throttled"), Some(&1));
}

#[test]
fn a_guard_denial_is_an_event_with_its_rule_and_nothing_sent() {
    let (cap, _lock) = capture();
    let server = Server::start(|_, _| Reply::json(200, OK_SEND));
    let guard = Guard::new(GuardConfig { phone: vec![Limit::per_minute(1)], ..GuardConfig::empty() }).unwrap();
    let (builder, events) = client(&server);
    let c = builder.guard(guard).build().unwrap();
    rt().block_on(c.send_code(PHONE)).unwrap();
    let err = rt().block_on(c.send_code(PHONE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::GuardDenied);
    assert_eq!(server.count(), 1);

    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].guard, GuardDecision::Allowed);
    let denied = &events[1];
    assert_eq!(denied.guard, GuardDecision::Denied);
    assert_eq!(denied.guard_rule.as_deref(), err.guard_rule());
    assert_eq!(denied.error, Some(ErrorKind::GuardDenied));
    assert_eq!((denied.attempts, denied.http_status, denied.delivery), (0, None, Delivery::NotReceived));
    assert_eq!(denied.phone, "138****8000");

    let spans = call_spans(cap);
    assert_eq!(spans[1]["smsauth.guard.decision"], "denied");
    assert_eq!(spans[1]["smsauth.guard.rule"], err.guard_rule().unwrap());
    assert_eq!(spans[1]["error.type"], "guard_denied");
    assert_no_secrets(&everything(cap, &events));

    let stats = c.stats();
    assert_eq!(stats.sends, 2);
    assert_eq!(stats.guard_denials.get(err.guard_rule().unwrap()), Some(&1));
    assert_eq!(stats.errors.get("guard_denied"), Some(&1));
}

#[test]
fn bad_input_is_an_event_too() {
    let (_cap, _lock) = capture();
    let server = Server::start(|_, _| Reply::json(200, OK_SEND));
    let (builder, events) = client(&server);
    let c = builder.build().unwrap();
    rt().block_on(c.send_code("not a phone")).unwrap_err();
    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].error, events[0].attempts), (Some(ErrorKind::InvalidInput), 0));
    assert_eq!(events[0].phone, "***");
    assert_eq!(server.count(), 0);
}
