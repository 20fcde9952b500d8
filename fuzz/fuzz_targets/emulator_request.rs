#![no_main]
//! The emulator's request handling on arbitrary input, never a panic. The first byte picks:
//! 0–127 a raw API request (method, query, headers, body: parsing, fault-rule matching,
//! verification); 128–223 a request signed with the emulator's key from fuzzed parameters (so
//! the service's own checks run: phone numbers, TemplateParam JSON, code lengths, policies,
//! codes); 224–255 a test hook (`/_emulator/…`, fault rules as JSON, clock moves).
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use smsauth::sign::HttpRequest;
use smsauth_emulator::fuzzing::Target;

static TARGET: LazyLock<Target> = LazyLock::new(Target::default);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.split('\n');
    let mut next = || lines.next().unwrap_or_default().to_owned();
    match mode {
        0..=127 => {
            let method = next();
            let query = next();
            let mut headers = Vec::new();
            loop {
                let line = next();
                let Some((name, value)) = line.split_once(':') else { break };
                headers.push((name.trim().to_owned(), value.trim().as_bytes().to_vec()));
            }
            let body = next();
            let body = body.into_bytes();
            let (status, _) = TARGET.api(&HttpRequest { method, path: "/".into(), query, headers, body });
            assert!((200..600).contains(&status), "{status}");
        }
        128..=223 => {
            let action = if mode % 2 == 0 { "SendSmsVerifyCode" } else { "CheckSmsVerifyCode" };
            let mut params = Vec::new();
            for line in lines.by_ref() {
                let (name, value) = line.split_once('=').unwrap_or((line, ""));
                params.push((name.to_owned(), value.to_owned()));
            }
            let (status, body) = TARGET.signed(action, &params, mode % 4 < 2);
            assert!((200..600).contains(&status), "{status}");
            assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok(), "the answer is JSON: {body}");
        }
        _ => {
            let method = next();
            let path = next();
            let query = next();
            let body = next();
            let path = if path.starts_with("/_emulator") { path } else { format!("/_emulator/{path}") };
            let status = TARGET.hook(&method, &path, &query, &body);
            assert!(status == 0 || (200..600).contains(&status), "{status}");
        }
    }
});
