//! The shared behaviour table's client rows (`tests/behaviour/client.json`) through the Rust
//! API: options into `ClientBuilder` and `CredentialsConfig`, outcome compared with the row.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::Value;
use smsauth::credentials::{CredentialsConfig, RamRoleArnConfig};
use smsauth::{Client, RetryPolicy, Secret};

fn table(name: &str) -> Vec<Value> {
    let path = format!("{}/../tests/behaviour/{name}", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("behaviour file")).expect("JSON");
    v["cases"].as_array().expect("cases").clone()
}

fn role(c: &mut CredentialsConfig) -> &mut RamRoleArnConfig {
    c.role.get_or_insert_with(RamRoleArnConfig::default)
}

fn build(options: &serde_json::Map<String, Value>) -> smsauth::Result<Client> {
    let mut b = Client::builder();
    let mut credentials = CredentialsConfig::default();
    let mut retry = RetryPolicy::default();
    for (key, v) in options {
        let s = || v.as_str().expect("string option").to_owned();
        let n = || v.as_u64().expect("integer option");
        let ms = || Duration::from_millis(n());
        match key.as_str() {
            "access_key_id" => credentials.access_key_id = Some(s()),
            "access_key_secret" => credentials.access_key_secret = Some(Secret::new(s())),
            "security_token" => credentials.security_token = Some(Secret::new(s())),
            "profile" => credentials.profile = Some(s()),
            "role_arn" => role(&mut credentials).role_arn = s(),
            "role_session_name" => role(&mut credentials).role_session_name = Some(s()),
            "role_duration_seconds" => role(&mut credentials).duration_seconds = Some(n() as u32),
            "endpoint" => b = b.endpoint(s()),
            "scheme" => b = b.scheme(s()),
            "max_attempts" => retry.max_attempts = n() as u32,
            "initial_backoff_ms" => retry.initial_backoff = ms(),
            "max_backoff_ms" => retry.max_backoff = ms(),
            "max_retry_after_ms" => retry.max_retry_after = ms(),
            other => panic!("unknown option {other:?}: add it to this runner"),
        }
    }
    b.credentials_config(credentials).retry(retry).build()
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
