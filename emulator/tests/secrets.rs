//! Secret hygiene (issue #8): the AccessKey secret and the STS token never appear in
//! `Debug`/`Display` of credentials, builders, clients and errors, nor in anything logged at the
//! most verbose level (every `tracing` event and span field at TRACE, and every `log` record),
//! through successful calls and every error path the emulator can produce — including the
//! gateway's `SignatureDoesNotMatch`, whose V1 string-to-sign echoes the STS token.
//!
//! One test in this binary: it installs the process-wide tracing subscriber and logger.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::sync::Mutex;
use std::time::Duration;

use smsauth::{Credentials, RetryPolicy, SignatureVersion, StaticProvider, blocking};
use smsauth_emulator::{Config, Emulator, Fault, FaultKind};

const ID: &str = "LTAI5tHygieneKeyId0001";
const SECRET: &str = "hygiene-SECRET-q8Zr2vW7nB3xK9";
const PHONE: &str = "13800138000";

// ---- capture everything that is logged ------------------------------------------------------

static LOGGED: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push_str(&format!("{}={value} ", field.name()));
    }
}

/// Every span and event, at every level, from every target.
struct Capture;

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Fields(format!("span {} ", span.metadata().name()));
        span.record(&mut fields);
        LOGGED.lock().unwrap().push(fields.0);
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = Fields("record ".into());
        values.record(&mut fields);
        LOGGED.lock().unwrap().push(fields.0);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let m = event.metadata();
        let mut fields = Fields(format!("{} {} ", m.level(), m.target()));
        event.record(&mut fields);
        LOGGED.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

struct Logger;

impl log::Log for Logger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        LOGGED.lock().unwrap().push(format!("log {} {}: {}", record.level(), record.target(), record.args()));
    }
    fn flush(&self) {}
}

// ---- the test -------------------------------------------------------------------------------

fn builder(emu_endpoint: &str, id: &str, secret: &str, token: Option<&str>) -> smsauth::ClientBuilder {
    let mut b = smsauth::Client::builder()
        .access_key(id, secret)
        .endpoint(emu_endpoint)
        .no_proxy()
        .sign_name("速通互联验证码")
        .template_code("100001")
        .read_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(2))
        .retry(RetryPolicy { initial_backoff: Duration::from_millis(5), ..Default::default() });
    if let Some(t) = token {
        b = b.security_token(t);
    }
    b
}

/// Everything a user could print about an error: Display, Debug (plain and pretty), the
/// message, the service detail and the whole source chain.
fn shown_error(e: &smsauth::Error) -> String {
    let mut s = format!("{e}\n{e:?}\n{e:#?}\n{}\n{:?}\n", e.message(), e.service());
    let mut source = std::error::Error::source(e);
    while let Some(c) = source {
        s.push_str(&format!("{c}\n{c:?}\n"));
        source = c.source();
    }
    s
}

#[test]
fn secrets_and_tokens_never_show_in_debug_display_errors_or_trace_logs() {
    tracing::subscriber::set_global_default(Capture).unwrap();
    log::set_logger(&Logger).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let emu =
        Emulator::start_with(Config { accounts: vec![(ID.into(), SECRET.into())], ..Default::default() }).unwrap();
    let sts = emu.issue_sts(Duration::from_secs(3600));
    let (sts_secret, token) = (sts.access_key_secret.clone(), sts.security_token.clone());
    let secrets = [SECRET, sts_secret.as_str(), token.as_str()];
    let mut shown: Vec<String> = Vec::new();
    let mut errors: Vec<smsauth::Error> = Vec::new();
    let endpoint = emu.endpoint();

    // Successful calls with long-term and temporary keys, V1 and V3, at TRACE.
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        for (id, secret, token) in
            [(ID, SECRET, None), (sts.access_key_id.as_str(), sts_secret.as_str(), Some(token.as_str()))]
        {
            emu.reset();
            let b = builder(&endpoint, id, secret, token).signature_version(version);
            shown.push(format!("{b:?}"));
            let c = b.build().unwrap();
            let bc = blocking::Client::from_async(c.clone());
            shown.push(format!("{c:?} {c:#?} {bc:?}"));
            let sent = bc.send_code(PHONE).unwrap();
            shown.push(format!("{sent:?}"));
            let code = emu.last_code(PHONE).unwrap();
            let checked = bc.check_code(PHONE, &code).unwrap();
            assert!(checked.passed());
            shown.push(format!("{checked:?}"));
        }
    }
    let creds = Credentials::new(&sts.access_key_id, &sts_secret).unwrap().with_security_token(&token).unwrap();
    shown.push(format!("{creds:?} {creds:#?} {:?} {sts:?}", StaticProvider::new(creds.clone())));
    shown.push(format!("{} {:?}", creds.access_key_secret(), creds.security_token()));

    // Error paths. Wrong secret with the right token: the V1 answer echoes the string-to-sign,
    // token included.
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let wrong = builder(&endpoint, &sts.access_key_id, "not-the-secret", Some(&token)).signature_version(version);
        let e = blocking::Client::from_async(wrong.build().unwrap()).send_code(PHONE).unwrap_err();
        assert_eq!(e.service_code(), Some("SignatureDoesNotMatch"), "{e}");
        errors.push(e);
        // Right secret, another token; a token on a long-term key.
        let other =
            builder(&endpoint, &sts.access_key_id, &sts_secret, Some("CAIS-other-token")).signature_version(version);
        errors.push(blocking::Client::from_async(other.build().unwrap()).check_code(PHONE, "1234").unwrap_err());
        let on_long_term = builder(&endpoint, ID, SECRET, Some(&token)).signature_version(version);
        errors.push(blocking::Client::from_async(on_long_term.build().unwrap()).check_code(PHONE, "1234").unwrap_err());
    }
    let v1_echo = shown_error(&errors[0]);
    assert!(v1_echo.contains("SecurityToken%3D***"), "the echo is there, with the token redacted: {v1_echo}");

    // Faults, timeouts, refused connections, expired tokens, bad input.
    let sts_client = blocking::Client::from_async(
        builder(&endpoint, &sts.access_key_id, &sts_secret, Some(&token)).build().unwrap(),
    );
    for kind in [
        FaultKind::ServerError { status: 503, plain: false },
        FaultKind::ServerError { status: 502, plain: true },
        FaultKind::Html,
        FaultKind::Truncated,
        FaultKind::Malformed,
        FaultKind::Drop,
        FaultKind::DropMidResponse,
        FaultKind::Latency { ms: 600 },
        FaultKind::Throttle { retry_after_ms: Some(60_000) },
    ] {
        emu.clear_faults();
        emu.add_fault(Fault::new(kind));
        errors.push(sts_client.send_code(PHONE).unwrap_err());
    }
    emu.clear_faults();
    emu.advance_clock(2 * 3600);
    errors.push(sts_client.check_code(PHONE, "1234").unwrap_err());
    emu.advance_clock(3600);
    errors.push(sts_client.check_code(PHONE, "1234").unwrap_err());
    errors.push(sts_client.send_code("not a phone").unwrap_err());
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let refused = builder(&format!("http://127.0.0.1:{closed}"), &sts.access_key_id, &sts_secret, Some(&token));
    errors.push(blocking::Client::from_async(refused.build().unwrap()).send_code(PHONE).unwrap_err());
    errors.push(smsauth::Client::builder().access_key(ID, "").build().unwrap_err());
    errors.push(smsauth::Client::builder().credentials(creds.clone()).access_key(ID, SECRET).build().unwrap_err());
    errors.push(Credentials::new(ID, SECRET).unwrap().with_security_token("").unwrap_err());
    shown.extend(errors.iter().map(shown_error));

    let logged = LOGGED.lock().unwrap().clone();
    assert!(
        logged.iter().any(|l| l.contains("DEBUG smsauth") && l.contains("answer")),
        "the capture works and sees the client's own events: {logged:?}"
    );
    let mut leaks = Vec::new();
    for text in shown.iter().chain(&logged) {
        for secret in secrets {
            let encoded = smsauth::sign::percent_encode(secret);
            if text.contains(secret) || text.contains(&encoded) {
                leaks.push(format!("{secret:?} in: {text}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
    println!("{} texts and {} log records checked, {} errors", shown.len(), logged.len(), errors.len());
}
