//! The shared behaviour table's emulator rows (`tests/behaviour/emulator.json`) through the Rust
//! API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use smsauth::blocking::Client;
use smsauth_emulator::Emulator;

#[test]
fn emulator_rows() {
    let path = format!("{}/../tests/behaviour/emulator.json", env!("CARGO_MANIFEST_DIR"));
    let table: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 2, "the table is loaded");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let emu = Emulator::start().unwrap();
        let client = Client::from_async(
            smsauth::Client::builder()
                .access_key(emu.access_key_id(), emu.access_key_secret())
                .endpoint(emu.endpoint())
                .build()
                .unwrap(),
        );
        for step in case["steps"].as_array().unwrap() {
            match step["op"].as_str().unwrap() {
                "check" => assert!(!client.check_code("13800138000", "1234").unwrap().passed(), "{name}"),
                "reset" => emu.reset(),
                "request_count" => {
                    assert_eq!(emu.request_count() as u64, step["expect"].as_u64().unwrap(), "{name}: {step}");
                }
                "issue_sts" => match emu.issue_sts_seconds(step["ttl_seconds"].as_u64().unwrap()) {
                    Ok(_) => assert!(step["expect"].is_null(), "{name}: {step}"),
                    Err(e) => {
                        assert_eq!(Some(e.kind().name()), step["expect"]["kind"].as_str(), "{name}: {e}");
                        assert_eq!(e.field(), step["expect"]["field"].as_str(), "{name}: {e}");
                    }
                },
                other => panic!("unknown step {other:?}: add it to this runner"),
            }
        }
    }
}
