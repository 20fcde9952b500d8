//! The fault matrix (issue #8): every failure a caller can meet, driven through the real client
//! against the real emulator on loopback. For each row and each action it asserts the error kind,
//! whether the request may have been received, that the call returned within its deadline plus
//! 10 % (at least 250 ms of slack: `support::deadline`), how many requests the emulator saw, and
//! how many SMS went out — never two.
//!
//! The client uses small timeouts (connect 400 ms, read 400 ms, whole call 800 ms) and a 10 ms
//! initial backoff, with the default three attempts, so the matrix runs in a few seconds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smsauth::{Delivery, ErrorKind, RetryPolicy, blocking};
use smsauth_emulator::{Emulator, Fault, FaultKind};
use support::PHONE;

const CONNECT_TIMEOUT: Duration = Duration::from_millis(400);
const READ_TIMEOUT: Duration = Duration::from_millis(400);
const TIMEOUT: Duration = Duration::from_millis(800);
const SEND: &str = "SendSmsVerifyCode";
const CHECK: &str = "CheckSmsVerifyCode";

fn client(endpoint: &str) -> blocking::Client {
    blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key(smsauth_emulator::DEFAULT_ACCESS_KEY_ID, smsauth_emulator::DEFAULT_ACCESS_KEY_SECRET)
            .endpoint(endpoint)
            .no_proxy()
            .sign_name("速通互联验证码")
            .template_code("100001")
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .timeout(TIMEOUT)
            .retry(RetryPolicy { initial_backoff: Duration::from_millis(10), ..Default::default() })
            .build()
            .unwrap(),
    )
}

/// How a row sets up the failure.
#[derive(Clone, Debug)]
enum Setup {
    /// Nothing listens on the port.
    Refused,
    /// The host does not resolve (`.invalid` is reserved, RFC 6761).
    Dns,
    /// This fault on every request of the action under test.
    Fault(FaultKind),
    /// This fault on the first request of the action under test only.
    FaultOnce(FaultKind),
    /// A first send succeeds; the measured one is within its `Interval`.
    Frequency,
    /// The emulated clock is 16 minutes ahead of the client's.
    ClockSkew,
    /// A proxy replays the bytes of an earlier request (same nonce) instead of the new one.
    NonceReplay,
}

/// What one action must produce under a row.
#[derive(Clone, Copy, Debug)]
struct Expect {
    /// `None`: the call succeeds.
    kind: Option<ErrorKind>,
    delivery: Delivery,
    /// API requests the emulator saw during the measured call.
    requests: usize,
    /// For sends: SMS in the outbox once the call returned.
    sent: usize,
    /// The deadline this row runs into (the read timeout or the whole-call timeout).
    limit: Duration,
}

const fn err(kind: ErrorKind, delivery: Delivery, requests: usize, sent: usize) -> Expect {
    Expect { kind: Some(kind), delivery, requests, sent, limit: TIMEOUT }
}

const fn ok(requests: usize, sent: usize) -> Expect {
    Expect { kind: None, delivery: Delivery::Answered, requests, sent, limit: TIMEOUT }
}

const fn within(mut e: Expect, limit: Duration) -> Expect {
    e.limit = limit;
    e
}

struct Row {
    name: &'static str,
    setup: Setup,
    send: Option<Expect>,
    check: Option<Expect>,
    /// An extra assertion on the error (service code, message, retry-after).
    detail: fn(&smsauth::Error) -> bool,
}

fn any(_: &smsauth::Error) -> bool {
    true
}

fn rows() -> Vec<Row> {
    use Delivery::{Answered, NotReceived, Unknown};
    use ErrorKind::{Authentication, Network, Protocol, Service, Throttled, Timeout};
    let server = |status, plain| FaultKind::ServerError { status, plain };
    vec![
        Row {
            name: "connect refused",
            setup: Setup::Refused,
            // Never connected: retried up to three attempts, nothing can have arrived.
            send: Some(err(Network, NotReceived, 0, 0)),
            check: Some(err(Network, NotReceived, 0, 0)),
            detail: |e| e.message().contains("could not connect"),
        },
        Row {
            name: "DNS failure",
            setup: Setup::Dns,
            send: Some(err(Network, NotReceived, 0, 0)),
            check: Some(err(Network, NotReceived, 0, 0)),
            detail: |e| e.message().contains("could not connect"),
        },
        Row {
            name: "latency beyond the read timeout",
            setup: Setup::Fault(FaultKind::Latency { ms: 2_000 }),
            // The service runs after the delay, so nothing is in the outbox yet.
            send: Some(within(err(Timeout, Unknown, 1, 0), READ_TIMEOUT)),
            check: Some(within(err(Timeout, Unknown, 1, 0), READ_TIMEOUT)),
            detail: |e| e.message().contains("timed out"),
        },
        Row {
            name: "connection dropped before the response",
            setup: Setup::Fault(FaultKind::Drop),
            send: Some(err(Network, Unknown, 1, 1)),
            check: Some(err(Network, Unknown, 1, 0)),
            detail: any,
        },
        Row {
            name: "connection dropped during the response",
            setup: Setup::Fault(FaultKind::DropMidResponse),
            send: Some(err(Network, Unknown, 1, 1)),
            check: Some(err(Network, Unknown, 1, 0)),
            detail: any,
        },
        Row {
            name: "HTTP 500 JSON",
            setup: Setup::Fault(server(500, false)),
            // A send is never retried after a 5xx; a check is (three attempts).
            send: Some(err(Service, Answered, 1, 0)),
            check: Some(err(Service, Answered, 3, 0)),
            detail: |e| e.service_code() == Some("InternalError") && e.http_status() == Some(500),
        },
        Row {
            name: "HTTP 502 JSON",
            setup: Setup::Fault(server(502, false)),
            send: Some(err(Service, Answered, 1, 0)),
            check: Some(err(Service, Answered, 3, 0)),
            detail: |e| e.service_code() == Some("ServiceUnavailable") && e.http_status() == Some(502),
        },
        Row {
            name: "HTTP 503 JSON",
            setup: Setup::Fault(server(503, false)),
            send: Some(err(Service, Answered, 1, 0)),
            check: Some(err(Service, Answered, 3, 0)),
            detail: |e| e.service_code() == Some("ServiceUnavailable") && e.http_status() == Some(503),
        },
        Row {
            name: "HTTP 500 plain text",
            setup: Setup::Fault(server(500, true)),
            send: Some(err(Protocol, Unknown, 1, 0)),
            check: Some(err(Protocol, Unknown, 3, 0)),
            detail: |e| e.http_status() == Some(500) && e.message().contains("Internal Server Error"),
        },
        Row {
            name: "HTTP 502 plain text",
            setup: Setup::Fault(server(502, true)),
            send: Some(err(Protocol, Unknown, 1, 0)),
            check: Some(err(Protocol, Unknown, 3, 0)),
            detail: |e| e.http_status() == Some(502) && e.message().contains("Bad Gateway"),
        },
        Row {
            name: "HTTP 503 plain text",
            setup: Setup::Fault(server(503, true)),
            send: Some(err(Protocol, Unknown, 1, 0)),
            check: Some(err(Protocol, Unknown, 3, 0)),
            detail: |e| e.http_status() == Some(503) && e.message().contains("Service Unavailable"),
        },
        Row {
            name: "HTML error page",
            setup: Setup::Fault(FaultKind::Html),
            send: Some(err(Protocol, Unknown, 1, 0)),
            check: Some(err(Protocol, Unknown, 3, 0)),
            detail: |e| e.http_status() == Some(502) && e.message().contains("not valid Dypnsapi JSON"),
        },
        Row {
            name: "truncated JSON",
            setup: Setup::Fault(FaultKind::Truncated),
            send: Some(err(Protocol, Unknown, 1, 1)),
            check: Some(err(Protocol, Unknown, 1, 0)),
            detail: |e| e.message().contains("not valid Dypnsapi JSON"),
        },
        Row {
            name: "50 MB body",
            setup: Setup::Fault(FaultKind::Oversized { bytes: 50 * 1024 * 1024 }),
            send: Some(err(Protocol, Unknown, 1, 1)),
            check: Some(err(Protocol, Unknown, 1, 0)),
            detail: |e| e.message().contains("larger than 1 MiB"),
        },
        Row {
            name: "slow-drip body",
            setup: Setup::Fault(FaultKind::SlowDrip { chunk_bytes: 16, interval_ms: 200 }),
            // Every read succeeds within the read timeout; the whole-call deadline stops it.
            send: Some(err(Timeout, Unknown, 1, 1)),
            check: Some(err(Timeout, Unknown, 1, 0)),
            detail: |e| e.message().contains("deadline"),
        },
        Row {
            name: "gateway throttling with retry-after, persistent",
            setup: Setup::Fault(FaultKind::Throttle { retry_after_ms: Some(100) }),
            // The gateway refused before the service ran: retried (send too) after 100 ms each.
            send: Some(err(Throttled, NotReceived, 3, 0)),
            check: Some(err(Throttled, NotReceived, 3, 0)),
            detail: |e| {
                e.service_code() == Some("Throttling.User") && e.retry_after() == Some(Duration::from_millis(100))
            },
        },
        Row {
            name: "gateway throttling with retry-after, once",
            setup: Setup::FaultOnce(FaultKind::Throttle { retry_after_ms: Some(100) }),
            send: Some(ok(2, 1)),
            check: Some(ok(2, 0)),
            detail: any,
        },
        Row {
            name: "gateway throttling with a retry-after beyond the policy",
            setup: Setup::Fault(FaultKind::Throttle { retry_after_ms: Some(10_000) }),
            // Not waited for: returned at once with the server's wish.
            send: Some(err(Throttled, NotReceived, 1, 0)),
            check: Some(err(Throttled, NotReceived, 1, 0)),
            detail: |e| e.retry_after() == Some(Duration::from_secs(10)),
        },
        Row {
            name: "biz.FREQUENCY",
            setup: Setup::Frequency,
            // The first send's SMS is the only one.
            send: Some(err(Throttled, Answered, 1, 1)),
            check: None,
            detail: |e| e.service_code() == Some("biz.FREQUENCY"),
        },
        Row {
            name: "clock skew",
            setup: Setup::ClockSkew,
            send: Some(err(Authentication, NotReceived, 1, 0)),
            check: Some(err(Authentication, NotReceived, 1, 0)),
            detail: |e| e.service_code() == Some("InvalidTimeStamp.Expired") && e.message().contains("NTP"),
        },
        Row {
            name: "nonce replay",
            setup: Setup::NonceReplay,
            // The replayed send is refused: still the one SMS of the original request.
            send: Some(err(Authentication, NotReceived, 1, 1)),
            check: Some(err(Authentication, NotReceived, 1, 0)),
            detail: |e| e.service_code() == Some("SignatureNonceUsed"),
        },
    ]
}

/// Run `row` for one action and return a description of every mismatch.
fn run(row: &Row, action: &str, expect: Expect) -> Vec<String> {
    let emu = Emulator::start().unwrap();
    let mut _proxy = None;
    let endpoint = match &row.setup {
        Setup::Refused => format!("http://127.0.0.1:{}", closed_port()),
        Setup::Dns => "http://dypnsapi.smsauth-test.invalid".to_owned(),
        Setup::NonceReplay => {
            let proxy = ReplayProxy::start(emu.port());
            let endpoint = format!("http://127.0.0.1:{}", proxy.port);
            _proxy = Some(proxy);
            endpoint
        }
        _ => emu.endpoint(),
    };
    let client = client(&endpoint);
    let call = |c: &blocking::Client| -> Result<(), smsauth::Error> {
        if action == SEND { c.send_code(PHONE).map(drop) } else { c.check_code(PHONE, "1234").map(drop) }
    };
    match &row.setup {
        Setup::Fault(kind) => emu.add_fault(Fault::new(kind.clone()).action(action)),
        Setup::FaultOnce(kind) => emu.add_fault(Fault::new(kind.clone()).action(action).times(1)),
        Setup::Frequency => client.send_code(PHONE).map(drop).unwrap(),
        Setup::ClockSkew => emu.advance_clock(16 * 60),
        // The first call goes through as it is; the proxy replays it for every later one.
        Setup::NonceReplay => call(&client).unwrap(),
        Setup::Refused | Setup::Dns => {}
    }
    let before = emu.request_count();
    let started = Instant::now();
    let result = call(&client);
    let elapsed = started.elapsed();
    let requests = emu.request_count() - before;
    let sent = emu.messages().len();
    println!(
        "{:<55} {action:<18} {:<28} {elapsed:>8.1?} requests={requests} sent={sent}",
        row.name,
        result.as_ref().err().map_or("ok".to_owned(), |e| format!("{:?}/{:?}", e.kind(), e.delivery())),
    );

    let mut problems = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(format!("{} / {action}: {what}", row.name));
        }
    };
    match (&result, expect.kind) {
        (Ok(()), None) => {}
        (Ok(()), Some(kind)) => check(false, format!("succeeded, expected {kind:?}")),
        (Err(e), None) => check(false, format!("expected success, got {e}")),
        (Err(e), Some(kind)) => {
            check(e.kind() == kind, format!("kind {:?}, expected {kind:?}: {e}", e.kind()));
            check(
                e.delivery() == expect.delivery,
                format!("delivery {:?}, expected {:?}", e.delivery(), expect.delivery),
            );
            check((row.detail)(e), format!("detail check failed on: {e} ({e:?})"));
        }
    }
    let limit = support::deadline::limit(expect.limit);
    check(elapsed <= limit, format!("took {elapsed:?}, limit {limit:?}"));
    check(requests == expect.requests, format!("emulator saw {requests} requests, expected {}", expect.requests));
    if action == SEND {
        check(sent == expect.sent, format!("{sent} SMS sent, expected {}", expect.sent));
    }
    check(sent <= 1, format!("{sent} SMS sent: never two"));
    problems
}

#[test]
fn every_failure_is_typed_in_time_and_never_sends_twice() {
    let mut problems = Vec::new();
    let mut cases = 0;
    for row in rows() {
        for (action, expect) in [(SEND, row.send), (CHECK, row.check)] {
            if let Some(expect) = expect {
                cases += 1;
                problems.extend(run(&row, action, expect));
            }
        }
    }
    assert!(problems.is_empty(), "{} of {cases} cases failed:\n{}", problems.len(), problems.join("\n"));
    assert_eq!(cases, 41);
}

/// A port on loopback that nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A loopback HTTP/1.1 proxy that forwards the first request it sees as it is and then, in
/// place of every later request, the bytes of that first one: a replay with the same nonce.
struct ReplayProxy {
    port: u16,
}

impl ReplayProxy {
    fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let first: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let first = Arc::clone(&first);
                std::thread::spawn(move || {
                    let _ = serve(conn, upstream, &first);
                });
            }
        });
        ReplayProxy { port }
    }
}

fn serve(conn: TcpStream, upstream: u16, first: &Mutex<Option<Vec<u8>>>) -> std::io::Result<()> {
    let mut client = conn.try_clone()?;
    let mut reader = BufReader::new(conn);
    while let Some(request) = support::read_message(&mut reader)? {
        let request = first.lock().unwrap().get_or_insert(request).clone();
        let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
        up.write_all(&request)?;
        let answer = support::read_message(&mut BufReader::new(up))?.unwrap_or_default();
        client.write_all(&answer)?;
    }
    Ok(())
}
