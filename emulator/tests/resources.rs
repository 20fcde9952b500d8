//! Resource checks (issue #8): 10 000 failing calls through the real client against the real
//! emulator leave the process's file-descriptor and thread counts where they were after a
//! warm-up. Client and emulator share this process, so leaks on either side show.
//!
//! This file holds a single test on purpose: tests of one binary run on parallel threads of
//! one process and would move the counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::time::{Duration, Instant};

use smsauth::{ErrorKind, RetryPolicy, blocking};
use smsauth_emulator::{Emulator, Fault, FaultKind};

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

fn fds() -> usize {
    count("/proc/self/fd")
}

fn threads() -> usize {
    count("/proc/self/task")
}

fn client(endpoint: &str, secret: &str, read_timeout: Duration) -> blocking::Client {
    blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key(smsauth_emulator::DEFAULT_ACCESS_KEY_ID, secret)
            .endpoint(endpoint)
            .no_proxy()
            .sign_name("速通互联验证码")
            .template_code("100001")
            .read_timeout(read_timeout)
            .timeout(Duration::from_secs(2))
            // One attempt per call, so that 10 000 calls are 10 000 failures (retries are
            // covered by the fault matrix).
            .retry(RetryPolicy::none())
            .build()
            .unwrap(),
    )
}

/// One kind of failure: which phone number triggers it, through which client, and the kind
/// it must produce.
struct Failure {
    phone: &'static str,
    client: usize,
    send: bool,
    kind: ErrorKind,
}

const FAILURES: &[Failure] = &[
    Failure { phone: "13800000001", client: 0, send: true, kind: ErrorKind::Service }, // 503 JSON
    Failure { phone: "13800000002", client: 0, send: false, kind: ErrorKind::Protocol }, // HTML 502
    Failure { phone: "13800000003", client: 0, send: true, kind: ErrorKind::Network }, // dropped
    Failure { phone: "13800000005", client: 0, send: false, kind: ErrorKind::Protocol }, // 50 MB answer
    Failure { phone: "13800000006", client: 0, send: false, kind: ErrorKind::Protocol }, // truncated
    Failure { phone: "13800000007", client: 0, send: true, kind: ErrorKind::Throttled }, // Throttling.User (400)
    Failure { phone: "13800000008", client: 1, send: false, kind: ErrorKind::Authentication }, // wrong secret
    Failure { phone: "13800000009", client: 2, send: true, kind: ErrorKind::Network }, // refused
];

/// Every this many calls, one runs into the read timeout or is cut mid-answer instead (they
/// wait 20 ms each, the rest take about a millisecond).
const SLOW_EVERY: usize = 50;
/// Threads, each with its own clients used one call at a time (so each client pools at most
/// one idle connection, before and after).
const THREADS: usize = 4;
const CALLS: usize = 10_000;

fn install_faults(emu: &Emulator) {
    let faults = [
        ("13800000001", FaultKind::ServerError { status: 503, plain: false }),
        ("13800000002", FaultKind::Html),
        ("13800000003", FaultKind::Drop),
        ("13800000004", FaultKind::DropMidResponse),
        ("13800000005", FaultKind::Oversized { bytes: 50 * 1024 * 1024 }),
        ("13800000006", FaultKind::Truncated),
        ("13800000007", FaultKind::Throttle { retry_after_ms: None }),
        ("13800000010", FaultKind::Latency { ms: 60 }),
    ];
    for (phone, kind) in faults {
        emu.add_fault(Fault::new(kind).phone(phone));
    }
}

fn fail(clients: &[blocking::Client], i: usize) {
    if i % SLOW_EVERY == SLOW_EVERY - 1 {
        // The short-read-timeout client against a 60 ms delay, or a cut answer.
        let (c, phone, kind) = if (i / SLOW_EVERY).is_multiple_of(2) {
            (3, "13800000010", ErrorKind::Timeout)
        } else {
            (0, "13800000004", ErrorKind::Network)
        };
        let err = clients[c].check_code(phone, "1234").unwrap_err();
        assert_eq!(err.kind(), kind, "call {i}: {err}");
        return;
    }
    let f = &FAILURES[i % FAILURES.len()];
    let c = &clients[f.client];
    let err = if f.send { c.send_code(f.phone).map(drop) } else { c.check_code(f.phone, "1234").map(drop) }
        .expect_err("every call fails");
    assert_eq!(err.kind(), f.kind, "call {i} ({}): {err}", f.phone);
}

/// Poll until the counts come back to at most `fds`/`threads` (closing sockets and ending
/// request handlers is asynchronous), or give up after `patience`.
fn settled(fds_limit: usize, threads_limit: usize, patience: Duration) -> (usize, usize) {
    let until = Instant::now() + patience;
    loop {
        let now = (fds(), threads());
        if (now.0 <= fds_limit && now.1 <= threads_limit) || Instant::now() > until {
            return now;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn clients(emu: &Emulator, closed: u16) -> [blocking::Client; 4] {
    [
        client(&emu.endpoint(), &emu.access_key_secret(), Duration::from_secs(1)),
        client(&emu.endpoint(), "not-the-secret", Duration::from_secs(1)),
        client(&format!("http://127.0.0.1:{closed}"), &emu.access_key_secret(), Duration::from_secs(1)),
        client(&emu.endpoint(), &emu.access_key_secret(), Duration::from_millis(20)),
    ]
}

#[test]
fn ten_thousand_failing_calls_leak_no_file_descriptors_or_threads() {
    let emu = Emulator::start().unwrap();
    install_faults(&emu);
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sets: Vec<_> = (0..THREADS).map(|_| clients(&emu, closed)).collect();
    let run = |calls: std::ops::Range<usize>| {
        std::thread::scope(|s| {
            for set in &sets {
                let calls = calls.clone();
                s.spawn(move || calls.for_each(|i| fail(set, i)));
            }
        });
    };

    // Warm-up: every failure kind a few times on every thread, so that the runtimes' worker
    // threads exist and each client holds its one pooled keep-alive connection.
    run(0..4 * SLOW_EVERY);
    // Let the warm-up's last handlers and sockets finish, then take the baseline.
    std::thread::sleep(Duration::from_millis(300));
    let (fds_before, threads_before) = settled(usize::MAX, usize::MAX, Duration::ZERO);

    let started = Instant::now();
    run(0..CALLS / THREADS);
    let took = started.elapsed();
    let (fds_after, threads_after) = settled(fds_before, threads_before, Duration::from_secs(3));
    println!(
        "{CALLS} failing calls in {took:?}: fds {fds_before} -> {fds_after}, threads {threads_before} -> {threads_after}"
    );
    assert!(fds_after <= fds_before, "file descriptors grew from {fds_before} to {fds_after}");
    assert!(threads_after <= threads_before, "threads grew from {threads_before} to {threads_after}");
    // Every call that reached the emulator was one request (no retries): all but the refused ones.
    let refused = (0..CALLS / THREADS).filter(|i| i % SLOW_EVERY != SLOW_EVERY - 1 && i % FAILURES.len() == 7).count();
    let warm = (0..4 * SLOW_EVERY).filter(|i| i % SLOW_EVERY != SLOW_EVERY - 1 && i % FAILURES.len() == 7).count();
    let expected = THREADS * (CALLS / THREADS + 4 * SLOW_EVERY - refused - warm);
    // A request the 20 ms client gave up on may still be in its handler, not yet counted: wait
    // for the count (at most 3 s), never for more than it.
    let until = Instant::now() + Duration::from_secs(3);
    while emu.request_count() < expected && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(emu.request_count(), expected);
}
