//! A client built without keys uses the default chain over the real process environment.
//!
//! The process environment is global, so each scenario runs in a child process (this test
//! binary, re-executed with `--ignored --exact child`) with exactly the variables it needs;
//! nothing here calls `set_var`.

#![allow(clippy::unwrap_used)]

mod support;

use std::process::Command;
use std::sync::Arc;

use smsauth::sign::{MemoryNonceStore, Verifier, unix_now};
use smsauth::{Client, ErrorKind, Secret};
use support::{Reply, Server};

const OK_CHECK: &str = r#"{"Code":"OK","Message":"OK","Model":{"VerifyResult":"PASS"},"RequestId":"R","Success":true}"#;

/// A Dypnsapi stand-in that verifies signatures made with `testid` / `testsecret`.
fn verifying_server() -> Server {
    let verifier = Verifier::new().nonce_store(Arc::new(MemoryNonceStore::new(100)));
    Server::start(move |req, _| {
        let lookup = |id: &str| (id == "testid").then(|| Secret::new("testsecret"));
        match verifier.verify(req, unix_now(), lookup) {
            Ok(_) => Reply::json(200, OK_CHECK),
            Err(e) => Reply::json(
                e.http_status(),
                &serde_json::json!({"Code": e.code(), "Message": e.to_string()}).to_string(),
            ),
        }
    })
}

/// Run the `child` test in a fresh process with only `vars` (plus the scenario) set.
fn run_child(scenario: &str, endpoint: &str, vars: &[(&str, &str)]) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child", "--nocapture", "--test-threads=1"])
        .env_clear()
        .env("SMSAUTH_TEST_SCENARIO", scenario)
        .env("SMSAUTH_TEST_ENDPOINT", endpoint)
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "scenario {scenario} failed:\n{text}");
    assert!(text.contains(&format!("scenario {scenario} ok")), "{text}");
    text
}

#[test]
fn a_client_without_keys_resolves_the_chain_per_request() {
    let server = verifying_server();
    let home = std::env::temp_dir().join(format!("smsauth-default-chain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(home.join(".aliyun")).unwrap();
    let home_s = home.display().to_string();

    // Keys in the environment: the request is signed with them.
    run_child(
        "env",
        &server.url,
        &[
            ("HOME", &home_s),
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret"),
        ],
    );
    assert_eq!(server.count(), 1);

    // A CLI profile in HOME.
    std::fs::write(
        home.join(".aliyun/config.json"),
        r#"{"current":"dev","profiles":[{"name":"dev","mode":"AK","access_key_id":"testid","access_key_secret":"testsecret"}]}"#,
    )
    .unwrap();
    run_child("cli", &server.url, &[("HOME", &home_s), ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);
    assert_eq!(server.count(), 2);
    std::fs::remove_file(home.join(".aliyun/config.json")).unwrap();

    // Nothing at all, metadata disabled: build() fails with the whole listing.
    run_child("nothing", &server.url, &[("HOME", &home_s), ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]);

    // Nothing but a (dead) metadata server: build() succeeds, the request fails, nothing is sent.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    run_child("unreachable", &server.url, &[("HOME", &home_s), ("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT", &dead)]);
    assert_eq!(server.count(), 2);
    let _ = std::fs::remove_dir_all(&home);
}

/// The child side; runs only when re-executed by the test above.
#[test]
#[ignore = "run by a_client_without_keys_resolves_the_chain_per_request in a child process"]
fn child() {
    let scenario = std::env::var("SMSAUTH_TEST_SCENARIO").unwrap();
    let endpoint = std::env::var("SMSAUTH_TEST_ENDPOINT").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let built = Client::builder().endpoint(&endpoint).build();
    match scenario.as_str() {
        "env" | "cli" => {
            let client = built.unwrap();
            assert!(rt.block_on(client.check_code("13800138000", "1234")).unwrap().passed());
        }
        "nothing" => {
            let err = built.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Credentials);
            let msg = err.to_string();
            for name in [
                "env: ",
                "oidc: ",
                "cli_profile: ",
                "credentials_file: ",
                "ecs_ram_role: disabled",
                "credentials_uri: ",
            ] {
                assert!(msg.contains(name), "{name} missing from: {msg}");
            }
        }
        "unreachable" => {
            let client = built.unwrap();
            let err = rt.block_on(client.check_code("13800138000", "1234")).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Credentials);
            assert!(!err.may_have_been_received());
            let msg = err.to_string();
            assert!(msg.starts_with("no credentials found by the default chain; tried, in order: env: "), "{msg}");
            assert!(msg.contains("ecs_ram_role: could not connect to the ECS metadata server"), "{msg}");
        }
        other => panic!("unknown scenario {other}"),
    }
    println!("scenario {scenario} ok");
}
