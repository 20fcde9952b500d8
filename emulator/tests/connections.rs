//! The emulator's HTTP connection bounds (`Config::connections`), each at its edge: a connection
//! is not cut before its timeout and is cut within `support::deadline::limit` of it; at the
//! connection cap a new connection gets a quick 503 while an open one still answers.
//!
//! The bounds are set small (a few hundred milliseconds, a cap of 4) so the file runs in a
//! couple of seconds; every test has its own emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use smsauth_emulator::{Config, ConnectionLimits, Emulator};
use support::deadline;

const HEADER: Duration = Duration::from_millis(400);
const BODY: Duration = Duration::from_millis(400);
const IDLE: Duration = Duration::from_millis(600);
const CAP: usize = 4;

fn emulator(limits: ConnectionLimits) -> Emulator {
    Emulator::start_with(Config { connections: limits, ..Default::default() }).unwrap()
}

fn small_limits() -> ConnectionLimits {
    ConnectionLimits { header_timeout: HEADER, body_timeout: BODY, idle_timeout: IDLE, max_connections: CAP }
}

fn connect(emu: &Emulator) -> TcpStream {
    let sock = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    sock
}

fn health_request(emu: &Emulator) -> String {
    format!("GET /_emulator/health HTTP/1.1\r\nhost: 127.0.0.1:{}\r\n\r\n", emu.port())
}

/// Send a health request on a keep-alive connection and read its answer's status line.
fn health(sock: &mut TcpStream, emu: &Emulator) -> String {
    sock.write_all(health_request(emu).as_bytes()).unwrap();
    let message = support::read_message(&mut BufReader::new(&mut *sock)).unwrap().expect("an answer");
    String::from_utf8_lossy(&message).lines().next().unwrap().to_owned()
}

/// Wait until the server closes `sock` (end of stream or reset), returning what it sent first.
fn wait_closed(sock: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match sock.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return got,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
}

/// `took` is at the edge of `bound`: not before it (less a little for the client's own
/// measuring start), and within the tests' deadline limit.
fn assert_at_edge(took: Duration, bound: Duration, what: &str) {
    assert!(took >= bound.mul_f64(0.9), "{what}: closed after {took:?}, before its {bound:?}");
    let limit = deadline::limit(bound);
    assert!(took <= limit, "{what}: closed after {took:?}, limit {limit:?}");
}

#[test]
fn a_client_trickling_its_headers_is_cut_off_at_the_header_timeout() {
    let emu = emulator(small_limits());
    let started = Instant::now();
    let mut sock = connect(&emu);
    sock.write_all(b"GET /_emulator/health HTTP/1.1\r\nhost: x\r\n").unwrap();
    let trickle = sock.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let mut trickle = trickle;
        // One header byte every 50 ms, never the blank line: each byte would reset an idle timer.
        while trickle.write_all(b"x").is_ok() && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let answer = wait_closed(&mut sock);
    let took = started.elapsed();
    assert!(answer.is_empty(), "no answer to an unfinished head: {:?}", String::from_utf8_lossy(&answer));
    assert_at_edge(took, HEADER, "trickled headers");
    writer.join().unwrap();
}

#[test]
fn a_later_request_head_gets_the_header_timeout_from_its_first_byte() {
    // Idle for long (30 s), so only the header timeout can cut the trickled second request.
    let emu = emulator(ConnectionLimits { idle_timeout: Duration::from_secs(30), ..small_limits() });
    let mut sock = connect(&emu);
    assert_eq!(health(&mut sock, &emu), "HTTP/1.1 200 OK");
    std::thread::sleep(HEADER / 2);
    let started = Instant::now();
    sock.write_all(b"GET /_emulator/health HTTP/1.1\r\nhost: x\r\n").unwrap();
    assert!(wait_closed(&mut sock).is_empty());
    assert_at_edge(started.elapsed(), HEADER, "second request's head");
}

#[test]
fn a_connection_that_sends_nothing_is_closed_at_the_idle_timeout() {
    // Not at the (shorter) header timeout: a client pool may open a connection before it needs it.
    let emu = emulator(small_limits());
    let started = Instant::now();
    let mut sock = connect(&emu);
    assert!(wait_closed(&mut sock).is_empty());
    assert_at_edge(started.elapsed(), IDLE, "silent connection");
}

#[test]
fn a_trickled_body_gets_408_at_the_body_deadline() {
    let emu = emulator(small_limits());
    let mut sock = connect(&emu);
    let head = format!("POST / HTTP/1.1\r\nhost: 127.0.0.1:{}\r\ncontent-length: 100\r\n\r\nAction=", emu.port());
    sock.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let trickle = sock.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let mut trickle = trickle;
        for _ in 0..80 {
            if trickle.write_all(b"x").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let answer = String::from_utf8_lossy(&wait_closed(&mut sock)).into_owned();
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("\"Code\":\"RequestTimeout\""), "{answer}");
    assert!(answer.contains("body_timeout"), "the answer names the bound: {answer}");
    assert_at_edge(took, BODY, "trickled body");
    writer.join().unwrap();
    assert_eq!(emu.request_count(), 1, "counted, never handled");
}

#[test]
fn a_body_that_arrives_in_time_is_served() {
    let emu = emulator(small_limits());
    let mut sock = connect(&emu);
    let body = "seconds=1";
    let head = format!(
        "POST /_emulator/clock/advance?seconds=1 HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).unwrap();
    // Half the body deadline in, the rest of the body.
    std::thread::sleep(BODY / 2);
    sock.write_all(body.as_bytes()).unwrap();
    let message = support::read_message(&mut BufReader::new(&mut sock)).unwrap().unwrap();
    assert!(message.starts_with(b"HTTP/1.1 200 "), "{}", String::from_utf8_lossy(&message));
}

#[test]
fn an_idle_keep_alive_connection_is_closed_at_the_idle_timeout_and_use_resets_it() {
    let emu = emulator(small_limits());
    let mut sock = connect(&emu);
    // Used again before the idle timeout runs out, twice: each answer restarts it.
    for _ in 0..3 {
        assert_eq!(health(&mut sock, &emu), "HTTP/1.1 200 OK");
        std::thread::sleep(IDLE.mul_f64(0.7));
    }
    assert_eq!(health(&mut sock, &emu), "HTTP/1.1 200 OK");
    let started = Instant::now();
    assert!(wait_closed(&mut sock).is_empty());
    assert_at_edge(started.elapsed(), IDLE, "idle keep-alive connection");
}

#[test]
fn a_long_idle_timeout_outlasts_the_header_timeout() {
    // Between requests the idle timeout applies, not the (shorter) header timeout.
    let emu = emulator(ConnectionLimits { idle_timeout: Duration::from_secs(30), ..small_limits() });
    let mut sock = connect(&emu);
    assert_eq!(health(&mut sock, &emu), "HTTP/1.1 200 OK");
    std::thread::sleep(HEADER * 2);
    assert_eq!(health(&mut sock, &emu), "HTTP/1.1 200 OK");
}

#[test]
fn at_the_connection_cap_new_connections_get_503_quickly_and_open_ones_still_answer() {
    let emu = emulator(ConnectionLimits {
        header_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(30),
        ..small_limits()
    });
    let mut open: Vec<TcpStream> = (0..CAP).map(|_| connect(&emu)).collect();
    for sock in &mut open {
        assert_eq!(health(sock, &emu), "HTTP/1.1 200 OK");
    }

    for _ in 0..3 {
        let started = Instant::now();
        let mut extra = connect(&emu);
        // The request may or may not be written before the server answers and closes.
        let _ = extra.write_all(health_request(&emu).as_bytes());
        let answer = String::from_utf8_lossy(&wait_closed(&mut extra)).into_owned();
        let took = started.elapsed();
        assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
        assert!(answer.contains("\"Code\":\"ServiceUnavailable\""), "{answer}");
        assert!(answer.contains("max_connections"), "the answer names the bound: {answer}");
        assert!(took <= deadline::limit(Duration::ZERO), "refused after {took:?}");
    }
    for sock in &mut open {
        assert_eq!(health(sock, &emu), "HTTP/1.1 200 OK", "an open connection is still served");
    }

    // Closing one frees its place (as soon as the server has seen the close).
    drop(open.pop());
    let started = Instant::now();
    loop {
        let mut sock = connect(&emu);
        sock.write_all(health_request(&emu).as_bytes()).unwrap();
        let message = support::read_message(&mut BufReader::new(&mut sock)).unwrap().unwrap();
        if message.starts_with(b"HTTP/1.1 200 ") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(2), "the place was not freed");
        std::thread::sleep(Duration::from_millis(20));
    }
}
