//! The shared behaviour table's client rows (`tests/behaviour/client.json`) through the Rust
//! API: options through the core's option tables, outcome compared with the row.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::Value;
use smsauth::{Client, ClientBuilder, Guard, GuardConfig, Limit, OptionKind, OptionValue, WrongCodeLimit};

fn table(name: &str) -> Vec<Value> {
    let path = format!("{}/../tests/behaviour/{name}", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("behaviour file")).expect("JSON");
    v["cases"].as_array().expect("cases").clone()
}

/// The row's options through the core's option tables, converted by kind: the client's through
/// `ClientBuilder::set_option` (durations end in `_ms`), the guard's (`guard.phone.max`,
/// `guard.wrong_code.lockout_seconds`, …: one limit or rule given by its parts) through
/// `GuardConfig::set`.
fn build(options: &serde_json::Map<String, Value>) -> smsauth::Result<Client> {
    let mut b = Client::builder();
    let mut guard: Option<GuardConfig> = None;
    let (mut limit, mut wrong) = (Limit::new(0, 0), WrongCodeLimit::default());
    let mut guard_parts: Vec<&str> = Vec::new();
    for (key, v) in options {
        if let Some(part) = key.strip_prefix("guard.") {
            let (rule, field) = part.split_once('.').expect("guard.<rule>.<part>");
            let n = v.as_u64().expect("integer part");
            match field {
                "max" => limit.max = n as u32,
                "window_seconds" if rule != "wrong_code" => limit.window_seconds = n,
                "max_wrong" => wrong.max_wrong = n as u32,
                "window_seconds" => wrong.window_seconds = n,
                "lockout_seconds" => wrong.lockout_seconds = n,
                other => panic!("unknown guard part {other:?}: add it to this runner"),
            }
            guard_parts.push(rule);
            continue;
        }
        let name = key.strip_suffix("_ms").unwrap_or(key);
        let opt = ClientBuilder::option(name).unwrap_or_else(|| panic!("unknown option {key:?}"));
        let value = match opt.kind {
            OptionKind::Duration => opt.duration(v.as_f64().expect("number"), Duration::from_millis(1))?,
            _ if v.is_string() => OptionValue::Text(v.as_str().unwrap().to_owned()),
            _ => OptionValue::Unsigned(v.as_u64().expect("integer option")),
        };
        b.set_option(opt.name, Some(value))?;
    }
    for rule in guard_parts {
        let g = guard.get_or_insert_with(GuardConfig::default);
        let value = if rule == "wrong_code" { OptionValue::WrongCode(wrong) } else { OptionValue::Limits(vec![limit]) };
        g.set(&format!("guard.{rule}"), Some(value))?;
    }
    if let Some(g) = guard {
        b = b.guard(Guard::new(g)?);
    }
    b.build()
}

#[test]
fn client_rows() {
    let cases = table("client.json");
    assert!(cases.len() >= 15, "the table is loaded");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        if case["skip"]["rust"].is_string() {
            continue;
        }
        let expect = &case["expect"];
        match build(case["options"].as_object().unwrap()) {
            Ok(client) => {
                assert!(expect["kind"].is_null(), "{name}: built, expected {expect}");
                assert_eq!(client.endpoint().base_url(), expect["endpoint"].as_str().unwrap(), "{name}");
            }
            Err(e) => {
                assert_eq!(Some(e.kind().name()), expect["kind"].as_str(), "{name}: {e}");
                if let Some(field) = expect["field"].as_str() {
                    assert_eq!(e.field(), Some(field), "{name}: {e}");
                }
            }
        }
    }
}
