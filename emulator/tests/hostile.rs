//! The hostile corpus (`tests/vectors/hostile.json`) sent to the emulator over HTTP, byte for
//! byte: each refusal must come back with the gateway code the Rust, C, Python and Node
//! verifiers give, and each accepted request must reach the service (HTTP 200).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;
use smsauth_emulator::{Config, Emulator};

fn corpus() -> Value {
    let path = format!("{}/../tests/vectors/hostile.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Send `req` exactly as recorded (repeated headers, raw bytes) and return (status, Code).
fn send(port: u16, req: &Value) -> (u16, String) {
    let body = match req.get("body_hex") {
        Some(h) => unhex(h.as_str().unwrap()),
        None => req["body"].as_str().unwrap_or_default().as_bytes().to_vec(),
    };
    let query = req["query"].as_str().unwrap();
    let target = if query.is_empty() {
        req["path"].as_str().unwrap().to_owned()
    } else {
        format!("{}?{query}", req["path"].as_str().unwrap())
    };
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        req["method"].as_str().unwrap(),
        body.len()
    )
    .into_bytes();
    for h in req["headers"].as_array().unwrap() {
        head.extend_from_slice(h[0].as_str().unwrap().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(h[1].as_str().unwrap().as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    sock.write_all(&head).unwrap();
    sock.write_all(&body).unwrap();
    let mut raw = Vec::new();
    sock.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let code = serde_json::from_str::<Value>(body).ok().and_then(|j| j["Code"].as_str().map(str::to_owned));
    (status, code.unwrap_or_default())
}

#[test]
fn the_emulator_gives_every_hostile_request_its_verdict() {
    let corpus = corpus();
    let accounts: Vec<(String, String)> =
        corpus["keys"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect();
    let hosts: Vec<String> =
        corpus["expected_hosts"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_owned()).collect();
    let mut steps = 0;
    for sc in corpus["scenarios"].as_array().unwrap() {
        let opts = &sc["verifier"];
        let first = sc["steps"][0]["now"].as_u64().unwrap();
        let mut config = Config {
            accounts: accounts.clone(),
            hosts: hosts.clone(),
            start_time: Some(first),
            timestamp_window: Duration::from_secs(corpus["window_seconds"].as_u64().unwrap()),
            nonce_per_key_quota: opts["per_key_quota"].as_u64().map(|n| n as usize),
            seed: Some(1),
            ..Config::default()
        };
        if let Some(n) = opts["nonce_capacity"].as_u64() {
            config.nonce_capacity = n as usize;
        }
        let emu = Emulator::start_with(config).unwrap();
        for st in sc["steps"].as_array().unwrap() {
            let now = st["now"].as_u64().unwrap();
            emu.advance_clock(now - emu.now());
            let (status, code) = send(emu.port(), &st["request"]);
            let what = format!("{} / step {steps}: {status} {code}", sc["name"]);
            match st["expect"].as_str().unwrap() {
                "OK" => assert_eq!(status, 200, "{what}"),
                expected => assert_eq!(code, expected, "{what}"),
            }
            steps += 1;
        }
    }
    assert!(steps >= 35, "{steps}");
}
