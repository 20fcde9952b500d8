//! The abuse guard with the in-memory store: every rule on a hand-moved clock, memory bounds,
//! concurrency, store-failure policy, configuration errors, and the client over real HTTP on
//! loopback (a refusal sends nothing: the server counts the requests).

#![allow(clippy::unwrap_used)]

mod guard_scenarios;
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use guard_scenarios::{T, T0, expect_denied};
use smsauth::guard::{
    CheckBegin, CheckEnd, Counter, Denial, FailPolicy, Guard, GuardConfig, GuardStore, Limit, ManualClock, MemoryStore,
    StoreError, StoreFuture, WrongCodeLimit,
};
use smsauth::{Client, Delivery, ErrorKind, RetryPolicy, blocking};
use support::{Reply, Server};

fn memory(config: GuardConfig) -> Guard {
    Guard::new(config).unwrap()
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                guard_scenarios::$name(&memory);
            }
        )*
    };
}

scenarios!(
    phone_minute_window_edge,
    phone_hour_and_day_slide,
    the_longest_wait_is_reported,
    refusals_consume_nothing,
    numbers_are_normalized,
    client_key_limit,
    client_key_can_be_required,
    prefix_limit,
    daily_budget,
    money_cap,
    refund_gives_the_slot_back,
    defaults_apply,
    wrong_codes_lock_the_number,
    a_pass_resets,
    unanswered_checks_do_not_count,
    checks_in_flight_count,
    wrong_codes_age_out,
    dry_run_only_reports,
);

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

// ---------------------------------------------------------------- memory store bounds

#[test]
fn memory_is_bounded_by_max_keys_and_the_largest_class_pays() {
    let store = Arc::new(MemoryStore::new(64));
    let config =
        GuardConfig { phone: vec![Limit::per_hour(1)], wrong_code: WrongCodeLimit::default(), ..GuardConfig::empty() };
    let clock = ManualClock::new(T0);
    let guard = Guard::with_store(config, store.clone()).unwrap().with_clock(clock.clone());
    let rt = rt();
    // 10 numbers get a code …
    for i in 0..10 {
        drop(rt.block_on(guard.before_send(&format!("1380000{i:04}"), None)).unwrap());
    }
    // … then someone floods checks for 1000 random numbers.
    for i in 0..1000 {
        rt.block_on(guard.before_check(&format!("1390000{i:04}"))).unwrap().failed();
        assert!(store.len() <= 64, "{} keys", store.len());
    }
    assert!(store.evicted() >= 1000 - 64);
    // The flood evicted check keys, not the numbers' send limits.
    for i in 0..10 {
        let err = rt.block_on(guard.before_send(&format!("1380000{i:04}"), None)).unwrap_err();
        expect_denied(&err, "phone:1/3600s");
    }
}

#[test]
fn idle_keys_are_evicted_as_calls_go_by() {
    let store = Arc::new(MemoryStore::default());
    let config = GuardConfig { phone: vec![Limit::per_minute(1)], ..GuardConfig::empty() };
    let clock = ManualClock::new(T0);
    let guard = Guard::with_store(config, store.clone()).unwrap().with_clock(clock.clone());
    let rt = rt();
    for i in 0..200 {
        drop(rt.block_on(guard.before_send(&format!("1380000{i:04}"), None)).unwrap());
    }
    assert_eq!(store.len(), 200);
    clock.advance_secs(60);
    // Each call removes a few idle keys: 200 idle keys are gone after 50 more calls.
    for i in 0..50 {
        drop(rt.block_on(guard.before_send(&format!("1390000{i:04}"), None)).unwrap());
    }
    assert_eq!(store.len(), 50, "only the live keys remain");
    clock.advance_secs(60);
    for i in 0..13 {
        drop(rt.block_on(guard.before_send(&format!("1370000{i:04}"), None)).unwrap());
    }
    assert_eq!(store.len(), 13);
    // A refunded send leaves no key behind.
    let p = rt.block_on(guard.before_send("13600000000", None)).unwrap();
    assert_eq!(store.len(), 14);
    rt.block_on(p.refund());
    assert_eq!(store.len(), 13);
}

#[test]
fn a_locked_number_is_never_evicted_as_idle() {
    let store = Arc::new(MemoryStore::default());
    let config = GuardConfig {
        wrong_code: WrongCodeLimit { max_wrong: 1, window_seconds: 10, lockout_seconds: 600 },
        ..GuardConfig::empty()
    };
    let clock = ManualClock::new(T0);
    let guard = Guard::with_store(config, store.clone()).unwrap().with_clock(clock.clone());
    let rt = rt();
    rt.block_on(guard.before_check("13800138000")).unwrap().failed();
    clock.advance_secs(300);
    for i in 0..20 {
        rt.block_on(guard.before_check(&format!("1390000{i:04}"))).unwrap().failed();
    }
    let err = rt.block_on(guard.before_check("13800138000")).unwrap_err();
    assert_eq!(expect_denied(&err, "check:locked"), Duration::from_secs(300));
}

// ---------------------------------------------------------------- concurrency

#[test]
fn many_threads_never_exceed_a_limit() {
    let config = GuardConfig { phone: vec![Limit::new(100, 3600)], daily_budget: Some(1000), ..GuardConfig::empty() };
    let guard = Guard::new(config).unwrap().with_clock(ManualClock::new(T0));
    let allowed_same = AtomicUsize::new(0);
    let allowed_any = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..8 {
            let (guard, same, any) = (&guard, &allowed_same, &allowed_any);
            s.spawn(move || {
                let rt = rt();
                for i in 0..400 {
                    // Half the calls hit one number, half spread over many.
                    let phone = if i % 2 == 0 { "13800138000".to_owned() } else { format!("139{t:02}{i:06}") };
                    if let Ok(p) = rt.block_on(guard.before_send(&phone, None)) {
                        drop(p);
                        if i % 2 == 0 {
                            same.fetch_add(1, Ordering::Relaxed)
                        } else {
                            any.fetch_add(1, Ordering::Relaxed)
                        };
                    }
                }
            });
        }
    });
    assert_eq!(allowed_same.load(Ordering::Relaxed), 100, "the per-number limit is exact under contention");
    assert_eq!(allowed_same.load(Ordering::Relaxed) + allowed_any.load(Ordering::Relaxed), 1000, "the budget is exact");
    let s = guard.stats();
    assert_eq!((s.sends_allowed, s.sends_denied), (1000, 8 * 400 - 1000));
}

#[test]
fn parallel_guesses_cannot_exceed_the_wrong_code_limit() {
    let config = GuardConfig { wrong_code: WrongCodeLimit::default(), ..GuardConfig::empty() };
    let guard = Guard::new(config).unwrap().with_clock(ManualClock::new(T0));
    let allowed = AtomicUsize::new(0);
    let barrier = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let rt = rt();
                barrier.wait();
                // Permits are held (checks in flight) until the thread ends.
                let held: Vec<_> =
                    (0..20).filter_map(|_| rt.block_on(guard.before_check("13800138000")).ok()).collect();
                allowed.fetch_add(held.len(), Ordering::Relaxed);
            });
        }
    });
    assert_eq!(allowed.load(Ordering::Relaxed), 5);
}

// ---------------------------------------------------------------- store failures

/// A store that always fails (like an unreachable Redis), counting its calls.
#[derive(Debug, Default)]
struct Broken {
    calls: AtomicUsize,
}

impl Broken {
    fn fail<'a, T: Send + 'a>(&'a self) -> StoreFuture<'a, T> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Box::pin(async { Err(StoreError::timeout("test store did not answer within 5 ms")) })
    }
}

impl GuardStore for Broken {
    fn acquire<'a>(&'a self, _: Option<u64>, _: &'a [Counter<'a>], _: u64) -> StoreFuture<'a, Option<Denial>> {
        self.fail()
    }
    fn release<'a>(&'a self, _: Option<u64>, _: &'a [Counter<'a>], _: u64) -> StoreFuture<'a, ()> {
        self.fail()
    }
    fn check_begin<'a>(
        &'a self,
        _: Option<u64>,
        _: &'a str,
        _: &'a WrongCodeLimit,
        _: u64,
    ) -> StoreFuture<'a, CheckBegin> {
        self.fail()
    }
    fn check_end<'a>(
        &'a self,
        _: Option<u64>,
        _: &'a str,
        _: &'a WrongCodeLimit,
        _: u64,
        _: CheckEnd,
    ) -> StoreFuture<'a, ()> {
        self.fail()
    }
}

#[test]
fn a_failing_store_fails_closed_by_default() {
    let store = Arc::new(Broken::default());
    let guard = Guard::with_store(GuardConfig::default(), store.clone()).unwrap();
    let rt = rt();
    let err = rt.block_on(guard.before_send("13800138000", None)).unwrap_err();
    assert_eq!(expect_denied_no_wait(&err), "store:unavailable");
    assert!(err.to_string().contains("did not answer within 5 ms"), "{err}");
    assert!(err.to_string().contains("on_store_error"), "says how to change the policy: {err}");
    assert!(std::error::Error::source(&err).is_some());
    let err = rt.block_on(guard.before_check("13800138000")).unwrap_err();
    assert_eq!(expect_denied_no_wait(&err), "store:unavailable");
    assert_eq!(guard.stats().store_errors, 2);
}

fn expect_denied_no_wait(err: &smsauth::Error) -> String {
    assert_eq!(err.kind(), ErrorKind::GuardDenied, "{err:?}");
    assert_eq!(err.retry_after(), None);
    err.guard_rule().unwrap().to_owned()
}

#[test]
fn a_failing_store_can_fail_open() {
    let store = Arc::new(Broken::default());
    let config = GuardConfig { on_store_error: FailPolicy::Open, ..GuardConfig::default() };
    let guard = Guard::with_store(config, store.clone()).unwrap();
    let rt = rt();
    let permit = rt.block_on(guard.before_send("13800138000", None)).unwrap();
    assert!(!permit.is_recorded());
    rt.block_on(permit.refund()); // nothing to give back: no store call
    rt.block_on(guard.before_check("13800138000")).unwrap().failed();
    let s = guard.stats();
    assert_eq!((s.store_errors, s.failed_open), (2, 2));
    assert_eq!(store.calls.load(Ordering::Relaxed), 2);
}

// ---------------------------------------------------------------- configuration

#[test]
fn bad_settings_are_typed_errors_naming_the_field() {
    let bad = |c: GuardConfig| Guard::new(c).unwrap_err();
    let base = GuardConfig::default;
    let cases = [
        (GuardConfig { phone: vec![Limit::new(0, 60)], ..base() }, "guard.phone.max"),
        (GuardConfig { client: vec![Limit::new(1, 0)], ..base() }, "guard.client.window_seconds"),
        (GuardConfig { prefix: vec![Limit::new(1, 40 * 86_400)], ..base() }, "guard.prefix.window_seconds"),
        (GuardConfig { phone: vec![Limit::new(1, 60); 9], ..base() }, "guard.phone"),
        (GuardConfig { prefix_digits: 0, ..base() }, "guard.prefix_digits"),
        (GuardConfig { prefix_digits: 12, ..base() }, "guard.prefix_digits"),
        (GuardConfig { daily_budget: Some(0), ..base() }, "guard.daily_budget"),
        (GuardConfig { price_per_sms: Some(-1.0), ..base() }, "guard.price_per_sms"),
        (GuardConfig { price_per_sms: Some(f64::NAN), ..base() }, "guard.price_per_sms"),
        (GuardConfig { daily_money_cap: Some(10.0), ..base() }, "guard.daily_money_cap"),
        (GuardConfig { daily_money_cap: Some(0.01), price_per_sms: Some(0.045), ..base() }, "guard.daily_money_cap"),
        (
            GuardConfig {
                wrong_code: WrongCodeLimit { max_wrong: 5, window_seconds: 60, lockout_seconds: 0 },
                ..base()
            },
            "guard.wrong_code.lockout_seconds",
        ),
        (GuardConfig { max_keys: 1, ..base() }, "guard.max_keys"),
        (GuardConfig { store_timeout_ms: 0, ..base() }, "guard.store_timeout_ms"),
        (GuardConfig { redis_url: Some(" ".into()), ..base() }, "guard.redis_url"),
    ];
    for (config, field) in cases {
        let err = bad(config);
        assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some(field)), "{err}");
    }
    // The money cap's unit mistake is explained.
    let err = bad(GuardConfig { daily_money_cap: Some(0.01), price_per_sms: Some(0.045), ..base() });
    assert!(err.to_string().contains("same currency"), "{err}");
    // A rule is turned off by an empty list, not by zero.
    assert!(Guard::new(GuardConfig { phone: vec![], ..base() }).is_ok());
}

#[cfg(not(feature = "guard-redis"))]
#[test]
fn a_redis_url_without_the_feature_says_how_to_get_it() {
    let err = Guard::new(GuardConfig { redis_url: Some("redis://127.0.0.1:6379".into()), ..GuardConfig::default() })
        .unwrap_err();
    assert_eq!(err.field(), Some("guard.redis_url"));
    assert!(err.to_string().contains("guard-redis"), "{err}");
}

#[test]
fn an_empty_config_guards_nothing() {
    let t = T::new(&memory, GuardConfig::empty());
    for _ in 0..50 {
        let p = t.ok("13800138000", None);
        assert!(!p.is_recorded());
    }
    for _ in 0..50 {
        t.wrong("13800138000");
    }
}

// ---------------------------------------------------------------- the client, over loopback HTTP

const OK_SEND: &str =
    r#"{"Code":"OK","Message":"成功","Model":{"BizId":"1^0","VerifyCode":"4232"},"RequestId":"R-SEND","Success":true}"#;

fn check_reply(req: &smsauth::sign::HttpRequest) -> Reply {
    let passed =
        req.query.contains("VerifyCode=4232") || String::from_utf8_lossy(&req.body).contains("VerifyCode=4232");
    let result = if passed { "PASS" } else { "UNKNOWN" };
    Reply::json(
        200,
        &format!(r#"{{"Code":"OK","Model":{{"VerifyResult":"{result}"}},"RequestId":"R-C","Success":true}}"#),
    )
}

fn service() -> Server {
    Server::start(|req, _| {
        let action = req.header("x-acs-action").unwrap_or_default();
        if action == "CheckSmsVerifyCode" || req.query.contains("CheckSmsVerifyCode") {
            check_reply(req)
        } else {
            Reply::json(200, OK_SEND)
        }
    })
}

fn client(endpoint: &str, guard: Guard) -> Client {
    Client::builder()
        .access_key("testid", "testsecret")
        .endpoint(endpoint)
        .sign_name("速通互联验证码")
        .template_code("100001")
        .retry(RetryPolicy { initial_backoff: Duration::from_millis(5), ..Default::default() })
        .guard(guard)
        .build()
        .unwrap()
}

#[test]
fn the_client_refuses_before_any_request() {
    let server = service();
    let clock = ManualClock::new(T0);
    let guard = Guard::new(GuardConfig::default()).unwrap().with_clock(clock.clone());
    let c = client(&server.url, guard);
    let rt = rt();
    rt.block_on(c.send_code("+86 138 0013 8000")).unwrap();
    assert_eq!(server.count(), 1);
    let err = rt.block_on(c.send_code("13800138000")).unwrap_err();
    assert_eq!(expect_denied(&err, "phone:1/60s"), Duration::from_secs(60));
    assert_eq!(err.delivery(), Delivery::NotReceived);
    assert!(err.to_string().contains("try again in 60 s"), "{err}");
    assert_eq!(server.count(), 1, "nothing was sent");
    clock.advance_secs(60);
    rt.block_on(c.send_code("13800138000")).unwrap();
    assert_eq!(server.count(), 2);
    assert!(format!("{c:?}").contains("Guard"));
    assert_eq!(c.guard().unwrap().stats().sends_denied, 1);
}

#[test]
fn the_client_passes_client_keys_to_the_guard() {
    let server = service();
    let guard = Guard::new(GuardConfig { client: vec![Limit::per_hour(2)], ..GuardConfig::empty() }).unwrap();
    let c = client(&server.url, guard);
    let rt = rt();
    rt.block_on(c.send_code_for("13800138000", "203.0.113.7")).unwrap();
    rt.block_on(c.send_code_for("13800138001", "203.0.113.7")).unwrap();
    let err = rt.block_on(c.send_code_for("13800138002", "203.0.113.7")).unwrap_err();
    expect_denied(&err, "client:2/3600s");
    rt.block_on(c.send_code_for("13800138002", "198.51.100.1")).unwrap();
    let req = smsauth::SendSmsVerifyCodeRequest {
        out_id: Some("o-1".into()),
        ..smsauth::SendSmsVerifyCodeRequest::new("13800138003")
    };
    let err = rt.block_on(c.send_code_with_key(req, Some("203.0.113.7"))).unwrap_err();
    expect_denied(&err, "client:2/3600s");
    assert_eq!(server.count(), 3);
    // The blocking client too.
    let b = blocking::Client::from_async(c.clone());
    let err = b.send_code_for("13800138004", "203.0.113.7").unwrap_err();
    expect_denied(&err, "client:2/3600s");
    b.send_code_for("13800138004", "192.0.2.1").unwrap();
    assert_eq!(server.count(), 4);
}

#[test]
fn the_client_locks_checks_after_wrong_codes_and_a_pass_resets() {
    let server = service();
    let guard = Guard::new(GuardConfig::default()).unwrap().with_clock(ManualClock::new(T0));
    let c = client(&server.url, guard);
    let rt = rt();
    for _ in 0..4 {
        assert!(!rt.block_on(c.check_code("13800138000", "0000")).unwrap().passed());
    }
    assert!(rt.block_on(c.check_code("13800138000", "4232")).unwrap().passed());
    for _ in 0..5 {
        assert!(!rt.block_on(c.check_code("13800138000", "1111")).unwrap().passed());
    }
    assert_eq!(server.count(), 10);
    let err = rt.block_on(c.check_code("13800138000", "4232")).unwrap_err();
    assert_eq!(expect_denied(&err, "check:locked"), Duration::from_secs(900));
    assert_eq!(server.count(), 10, "a locked number's check is not sent");
    let b = blocking::Client::from_async(c);
    expect_denied(&b.check_code("13800138000", "4232").unwrap_err(), "check:locked");
    assert_eq!(server.count(), 10);
}

#[test]
fn sends_that_never_left_give_their_slot_back_and_uncertain_ones_do_not() {
    // Connection refused: provably not received, so the per-number limit is not used up.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let guard = Guard::new(GuardConfig::default()).unwrap();
    let c = client(&format!("http://127.0.0.1:{port}"), guard.clone());
    let rt = rt();
    for _ in 0..3 {
        let err = rt.block_on(c.send_code("13800138000")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Network, "{err}");
    }
    assert_eq!(guard.stats().refunds, 3);
    // A dropped connection after sending: the SMS may be out, so the slot stays used.
    let server = Server::start(|_, _| Reply::dropped());
    let c = client(&server.url, Guard::new(GuardConfig::default()).unwrap());
    let err = rt.block_on(c.send_code("13800138000")).unwrap_err();
    assert_eq!(err.delivery(), Delivery::Unknown);
    expect_denied(&rt.block_on(c.send_code("13800138000")).unwrap_err(), "phone:1/60s");
    assert_eq!(server.count(), 1);
}

#[test]
fn checks_without_an_answer_are_not_wrong_codes() {
    let server =
        Server::start(|_, _| Reply::json(503, r#"{"Code":"ServiceUnavailable","Message":"busy","RequestId":"R5"}"#));
    let guard = Guard::new(GuardConfig::default()).unwrap();
    let c = client(&server.url, guard.clone());
    let rt = rt();
    for _ in 0..8 {
        let err = rt.block_on(c.check_code("13800138000", "1234")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Service);
    }
    assert_eq!(guard.stats().checks_denied, 0);
}

#[test]
fn invalid_requests_are_refused_before_the_guard_counts_them() {
    let server = service();
    let guard = Guard::new(GuardConfig::default()).unwrap();
    let c = Client::builder()
        .access_key("testid", "testsecret")
        .endpoint(&server.url)
        .guard(guard.clone())
        .build()
        .unwrap();
    let rt = rt();
    let err = rt.block_on(c.send_code("13800138000")).unwrap_err();
    assert_eq!(err.field(), Some("SignName"), "no SignName default");
    let err = rt.block_on(c.send_code("12345")).unwrap_err();
    assert_eq!(err.field(), Some("PhoneNumber"));
    let err = rt.block_on(c.check_code("13800138000", "!")).unwrap_err();
    assert_eq!(err.field(), Some("VerifyCode"));
    assert_eq!(guard.stats(), smsauth::GuardStats::default());
    assert_eq!(server.count(), 0);
}

#[test]
fn dry_run_lets_the_client_send_and_counts() {
    let server = service();
    let guard = Guard::new(GuardConfig { dry_run: true, ..GuardConfig::default() }).unwrap();
    let c = client(&server.url, guard.clone());
    let rt = rt();
    for _ in 0..3 {
        rt.block_on(c.send_code("13800138000")).unwrap();
    }
    assert_eq!(server.count(), 3);
    assert_eq!(guard.stats().dry_run_denials, 2);
}

#[test]
fn one_guard_serves_several_clients() {
    let server = service();
    let guard = Guard::new(GuardConfig::default()).unwrap();
    let a = client(&server.url, guard.clone());
    let b = client(&server.url, guard.clone());
    let rt = rt();
    rt.block_on(a.send_code("13800138000")).unwrap();
    expect_denied(&rt.block_on(b.send_code("13800138000")).unwrap_err(), "phone:1/60s");
    assert_eq!(server.count(), 1);
}

// ---------------------------------------------------------------- logging

/// Collects `(level, target, fields)` of every event, to check what the guard logs.
#[derive(Default)]
struct Capture {
    events: std::sync::Mutex<Vec<(tracing::Level, String, String)>>,
}

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl tracing::Subscriber for &'static Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let m = event.metadata();
        self.events.lock().unwrap().push((*m.level(), m.target().to_owned(), fields.0));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn dry_run_logs_a_warning_naming_the_rule_with_the_number_masked() {
    let capture: &'static Capture = Box::leak(Box::default());
    let guard = Guard::new(GuardConfig { dry_run: true, ..GuardConfig::default() }).unwrap();
    let rt = rt();
    tracing::subscriber::with_default(capture, || {
        drop(rt.block_on(guard.before_send("13800138000", None)).unwrap());
        drop(rt.block_on(guard.before_send("13800138000", None)).unwrap());
    });
    let events = capture.events.lock().unwrap();
    let warnings: Vec<_> = events
        .iter()
        .filter(|(level, target, _)| *level == tracing::Level::WARN && target == "smsauth::guard")
        .collect();
    assert_eq!(warnings.len(), 1, "{events:?}");
    let fields = &warnings[0].2;
    assert!(fields.contains("rule=phone:1/60s"), "{fields}");
    assert!(fields.contains("138****8000"), "{fields}");
    assert!(!fields.contains("13800138000"), "the number is masked: {fields}");
    assert!(fields.contains("dry run"), "{fields}");
}
