//! The shared behaviour table's call rows (`tests/behaviour/calls.json`): sends and checks
//! against a fresh emulator, through the Rust client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use smsauth::blocking::Client;
use smsauth::{Error, RetryPolicy};
use smsauth_emulator::{Config, Emulator, Fault};

/// The client a row asks for: the emulator's keys, a preset signature and template unless the
/// row names others.
fn client(emu: &Emulator, options: &Value) -> Client {
    let text = |key: &str, default: &str| options[key].as_str().unwrap_or(default).to_owned();
    let mut retry = RetryPolicy::default();
    if let Some(n) = options["max_attempts"].as_u64() {
        retry.max_attempts = n as u32;
    }
    Client::from_async(
        smsauth::Client::builder()
            .access_key(emu.access_key_id(), emu.access_key_secret())
            .endpoint(emu.endpoint())
            .sign_name(text("sign_name", "速通互联验证码"))
            .template_code(text("template_code", "100001"))
            .retry(retry)
            .build()
            .unwrap(),
    )
}

/// The error a step expected, compared on each key the row gives.
fn assert_error(what: &str, e: &Error, expect: &Value) {
    assert!(expect["ok"].is_null() && expect["passed"].is_null(), "{what}: unexpected error {e}");
    assert_eq!(Some(e.kind().name()), expect["kind"].as_str(), "{what}: {e}");
    if let Some(field) = expect.get("field") {
        assert_eq!(e.field(), field.as_str(), "{what}: {e}");
    }
    if let Some(code) = expect.get("service_code") {
        assert_eq!(e.service_code(), code.as_str(), "{what}: {e}");
    }
    if let Some(delivery) = expect.get("delivery") {
        assert_eq!(Some(e.delivery().as_str()), delivery.as_str(), "{what}: {e}");
    }
}

#[test]
fn call_rows() {
    let path = format!("{}/../tests/behaviour/calls.json", env!("CARGO_MANIFEST_DIR"));
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 10, "the table is loaded");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let options = case.get("emulator").map_or_else(|| "{}".to_owned(), Value::to_string);
        let emu = Emulator::start_with(Config::from_options(&options).unwrap()).unwrap();
        let client = client(&emu, &case["client"]);
        for step in case["steps"].as_array().unwrap() {
            let what = format!("{name}: {step}");
            let (phone, expect) = (step["phone"].as_str().unwrap_or_default(), &step["expect"]);
            match step["op"].as_str().unwrap() {
                "send" => match client.send_code(phone) {
                    Ok(_) => assert_eq!(expect["ok"], true, "{what}"),
                    Err(e) => assert_error(&what, &e, expect),
                },
                "check" => {
                    let code = match step["code"].as_str().unwrap() {
                        "last" => emu.last_code(phone).unwrap(),
                        code => code.to_owned(),
                    };
                    match client.check_code(phone, &code) {
                        Ok(r) => assert_eq!(Some(r.passed()), expect["passed"].as_bool(), "{what}"),
                        Err(e) => assert_error(&what, &e, expect),
                    }
                }
                "fault" => emu.add_fault(Fault::from_json(&step["fault"].to_string()).unwrap()),
                "advance_clock" => emu.advance_clock(step["seconds"].as_u64().unwrap()),
                "outbox" => assert_eq!(emu.messages_for(phone).len() as u64, expect.as_u64().unwrap(), "{what}"),
                "request_count" => assert_eq!(emu.request_count() as u64, expect.as_u64().unwrap(), "{what}"),
                other => panic!("unknown step {other:?}: add it to every runner"),
            }
        }
    }
}
