//! Fault injection, seen through the real client: what it retries, what it reports, and that an
//! answer fault still sends the SMS.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use smsauth::{Delivery, ErrorKind, RetryPolicy, blocking};
use smsauth_emulator::{Config, Emulator, Fault, FaultKind};
use support::PHONE;

fn client(emu: &Emulator) -> blocking::Client {
    blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key(emu.access_key_id(), emu.access_key_secret())
            .endpoint(emu.endpoint())
            .sign_name("速通互联验证码")
            .template_code("100001")
            .read_timeout(Duration::from_secs(2))
            .retry(RetryPolicy { initial_backoff: Duration::from_millis(5), ..Default::default() })
            .build()
            .unwrap(),
    )
}

#[test]
fn throttling_once_is_retried_after_x_acs_retry_after() {
    let emu = Emulator::start().unwrap();
    emu.add_fault(Fault::new(FaultKind::Throttle { retry_after_ms: Some(150) }).action("SendSmsVerifyCode").times(1));
    let started = Instant::now();
    client(&emu).send_code(PHONE).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(emu.request_count(), 2);
    assert_eq!(emu.messages().len(), 1, "the throttled attempt sent nothing");
}

#[test]
fn persistent_throttling_is_a_throttled_error() {
    let emu = Emulator::start().unwrap();
    emu.add_fault(Fault::new(FaultKind::Throttle { retry_after_ms: None }));
    let err = client(&emu).check_code(PHONE, "1234").unwrap_err();
    assert_eq!(
        (err.kind(), err.service_code(), err.http_status()),
        (ErrorKind::Throttled, Some("Throttling.User"), Some(400))
    );
    assert_eq!(emu.request_count(), 3, "three attempts");
    let r = support::http(emu.port(), "POST", "/", &[], "").unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.header("x-acs-retry-after"), None);
    emu.clear_faults();
    emu.add_fault(Fault::new(FaultKind::Throttle { retry_after_ms: Some(2500) }));
    let r = support::http(emu.port(), "POST", "/", &[], "").unwrap();
    assert_eq!(r.header("x-acs-retry-after"), Some("2500"));
    assert_eq!(r.json()["HostId"], "dypnsapi.aliyuncs.com");
}

#[test]
fn server_errors_are_retried_for_checks_only() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    emu.add_fault(Fault::new(FaultKind::ServerError { status: 503, plain: false }).times(2));
    assert!(!c.check_code(PHONE, "1234").unwrap().passed());
    assert_eq!(emu.request_count(), 3);
    emu.add_fault(Fault::new(FaultKind::ServerError { status: 500, plain: false }).action("SendSmsVerifyCode"));
    let err = c.send_code(PHONE).unwrap_err();
    assert_eq!((err.service_code(), err.http_status()), (Some("InternalError"), Some(500)));
    assert_eq!(emu.request_count(), 4, "a send is never retried after a 5xx");
    assert!(emu.messages().is_empty());
}

#[test]
fn spoiled_answers_are_protocol_errors_and_the_sms_was_sent() {
    for (i, kind) in
        [FaultKind::Malformed, FaultKind::Truncated, FaultKind::Html, FaultKind::Oversized { bytes: 2 << 20 }]
            .into_iter()
            .enumerate()
    {
        let emu = Emulator::start().unwrap();
        emu.add_fault(Fault::new(kind.clone()).action("SendSmsVerifyCode").times(1));
        let err = client(&emu).send_code(PHONE).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol, "{kind:?}: {err}");
        assert!(err.may_have_been_received());
        let sent = emu.messages().len();
        assert_eq!(sent, usize::from(!kind.preempts_service()), "{i} {kind:?}");
        assert_eq!(emu.request_count(), 1, "{kind:?} is not retried for a send");
    }
}

#[test]
fn oversized_answers_have_the_requested_size() {
    let emu = Emulator::start().unwrap();
    emu.add_fault(Fault::new(FaultKind::Oversized { bytes: 100_000 }));
    let r = support::call(
        &emu,
        &support::rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]),
        smsauth::SignatureVersion::V3,
    );
    assert_eq!(r.body.len(), 100_000);
    assert_eq!(r.json()["Code"], "OK", "still valid JSON");
}

#[test]
fn dropped_connections_are_network_errors_of_unknown_delivery() {
    for kind in [FaultKind::Drop, FaultKind::DropMidResponse] {
        let emu = Emulator::start().unwrap();
        emu.add_fault(Fault::new(kind.clone()).action("SendSmsVerifyCode").times(1));
        let err = client(&emu).send_code(PHONE).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Network, "{kind:?}: {err}");
        assert_eq!(err.delivery(), Delivery::Unknown, "{kind:?}");
        assert_eq!(emu.messages().len(), 1, "{kind:?}: the service ran");
        assert_eq!(emu.request_count(), 1, "{kind:?}: never resent");
    }
    // Mid-response really sends part of the answer.
    let emu = Emulator::start().unwrap();
    emu.add_fault(Fault::new(FaultKind::DropMidResponse));
    let req = support::rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
    let r = support::call(&emu, &req, smsauth::SignatureVersion::V3);
    let declared: usize = r.header("content-length").unwrap().parse().unwrap();
    assert!(!r.body.is_empty() && r.body.len() < declared, "{} of {declared}", r.body.len());
}

#[test]
fn latency_delays_and_can_time_out() {
    let emu = Emulator::start().unwrap();
    emu.add_fault(Fault::new(FaultKind::Latency { ms: 300 }).times(1));
    let started = Instant::now();
    client(&emu).check_code(PHONE, "1234").unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    emu.add_fault(Fault::new(FaultKind::Latency { ms: 3000 }).action("SendSmsVerifyCode"));
    let err = client(&emu).send_code(PHONE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.delivery(), Delivery::Unknown);
}

#[test]
fn rules_match_by_action_and_phone() {
    let emu = Emulator::start().unwrap();
    emu.add_fault(
        Fault::new(FaultKind::ServerError { status: 500, plain: false })
            .action("SendSmsVerifyCode")
            .phone("13900000000"),
    );
    let c = client(&emu);
    c.send_code(PHONE).unwrap();
    c.check_code("13900000000", "1234").unwrap();
    assert_eq!(c.send_code("13900000000").unwrap_err().service_code(), Some("InternalError"));
}

#[test]
fn probabilities_are_reproducible_with_a_seed() {
    let hits = |seed| {
        let emu = Emulator::start_with(Config { seed: Some(seed), ..Default::default() }).unwrap();
        emu.add_fault(Fault::new(FaultKind::ServerError { status: 500, plain: false }).probability(0.3));
        let req = support::rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
        (0..200).map(|_| support::call(&emu, &req, smsauth::SignatureVersion::V3).status == 500).collect::<Vec<_>>()
    };
    let a = hits(9);
    assert_eq!(a, hits(9));
    let n = a.iter().filter(|h| **h).count();
    assert!((30..=90).contains(&n), "{n} of 200 at p=0.3");
    assert_ne!(a, hits(10));
}

#[test]
fn new_fault_kinds_have_the_documented_json() {
    let drip: Fault = serde_json::from_str(r#"{"kind":"slow_drip"}"#).unwrap();
    assert_eq!(drip.kind, FaultKind::SlowDrip { chunk_bytes: 16, interval_ms: 200 });
    let drip: Fault = serde_json::from_str(r#"{"kind":"slow_drip","chunk_bytes":4,"interval_ms":50}"#).unwrap();
    assert_eq!(drip.kind, FaultKind::SlowDrip { chunk_bytes: 4, interval_ms: 50 });
    let plain: Fault = serde_json::from_str(r#"{"kind":"server_error","status":503,"plain":true}"#).unwrap();
    assert_eq!(plain.kind, FaultKind::ServerError { status: 503, plain: true });
    let json: Fault = serde_json::from_str(r#"{"kind":"server_error"}"#).unwrap();
    assert_eq!(json.kind, FaultKind::ServerError { status: 500, plain: false });
    assert_eq!(
        serde_json::to_value(&plain.kind).unwrap(),
        serde_json::json!({"kind":"server_error","status":503,"plain":true})
    );
    // And over the HTTP hook, as the bindings add them.
    let emu = Emulator::start().unwrap();
    let r = support::hook(&emu, "POST", "/_emulator/faults", r#"{"kind":"slow_drip","interval_ms":10,"times":1}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["faults"][0]["chunk_bytes"], 16);
}

#[test]
fn plain_server_errors_are_text_and_not_the_gateway_json() {
    let emu = Emulator::start().unwrap();
    let req = support::rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
    for (status, reason) in [(503, "Service Unavailable"), (500, "Internal Server Error"), (502, "Bad Gateway")] {
        emu.clear_faults();
        emu.add_fault(Fault::new(FaultKind::ServerError { status, plain: true }));
        let r = support::call(&emu, &req, smsauth::SignatureVersion::V3);
        assert_eq!((r.status, r.body.as_str()), (status, reason));
        assert_eq!(r.header("content-type"), Some("text/plain"));
    }
    // A client sees the status as a service error, not a protocol failure, and a send is not retried.
    emu.clear_faults();
    emu.add_fault(Fault::new(FaultKind::ServerError { status: 503, plain: true }).action("SendSmsVerifyCode"));
    let err = client(&emu).send_code(PHONE).unwrap_err();
    assert_eq!(err.http_status(), Some(503), "{err}");
    assert!(emu.messages().is_empty(), "the gateway answered: nothing was sent");
}

#[test]
fn slow_drip_sends_the_whole_answer_slowly() {
    let emu = Emulator::start().unwrap();
    emu.add_fault(Fault::new(FaultKind::SlowDrip { chunk_bytes: 32, interval_ms: 20 }));
    let req = support::rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
    let started = Instant::now();
    let r = support::call(&emu, &req, smsauth::SignatureVersion::V3);
    let took = started.elapsed();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["Code"], "OK", "the complete, valid answer");
    let declared: usize = r.header("content-length").unwrap().parse().unwrap();
    assert_eq!(declared, r.body.len());
    let pauses = r.body.len().div_ceil(32) - 1;
    assert!(took >= Duration::from_millis(20 * pauses as u64), "{took:?} for {pauses} pauses");
}

#[test]
fn slow_drip_runs_the_service_and_times_out_a_client_deadline() {
    let emu = Emulator::start().unwrap();
    emu.add_fault(Fault::new(FaultKind::SlowDrip { chunk_bytes: 8, interval_ms: 100 }).action("SendSmsVerifyCode"));
    let c = blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key(emu.access_key_id(), emu.access_key_secret())
            .endpoint(emu.endpoint())
            .sign_name("速通互联验证码")
            .template_code("100001")
            .timeout(Duration::from_millis(400))
            .build()
            .unwrap(),
    );
    let started = Instant::now();
    let err = c.send_code(PHONE).unwrap_err();
    let limit = support::deadline::limit(Duration::from_millis(400));
    assert!(started.elapsed() <= limit, "{:?}, limit {limit:?}", started.elapsed());
    assert_eq!((err.kind(), err.delivery()), (ErrorKind::Timeout, Delivery::Unknown), "{err}");
    assert_eq!(emu.messages().len(), 1, "the SMS went out before the answer dripped");
    assert_eq!(emu.request_count(), 1);
}

#[test]
fn a_50_mb_answer_is_streamed_and_refused_early() {
    use std::io::{Read, Write};
    let emu = Emulator::start().unwrap();
    emu.add_fault(Fault::new(FaultKind::Oversized { bytes: 50 * 1024 * 1024 }));
    let err = client(&emu).check_code(PHONE, "1234").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(err.message().contains("larger than"), "{err}");
    // The emulator declares the full size and starts streaming at once.
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    sock.write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n").unwrap();
    let mut head = vec![0u8; 4096];
    let n = sock.read(&mut head).unwrap();
    let head = String::from_utf8_lossy(&head[..n]).to_lowercase();
    assert!(head.contains("content-length: 52428800"), "{head}");
}
