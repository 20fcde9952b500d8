//! `smsauth::observe::observed`: a binding gets the event of the call it runs inside it without
//! registering a listener, and a call outside it (nobody observing) is still counted.

#![allow(clippy::unwrap_used)]

mod support;

use smsauth::observe::observed;
use smsauth::{Client, Delivery, SignatureVersion};
use support::{Reply, Server};

const WRONG_CHECK: &str =
    r#"{"Code":"OK","Message":"成功","Model":{"VerifyResult":"UNKNOWN"},"RequestId":"R-CHECK","Success":true}"#;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn observed_calls_get_their_event_without_a_listener_and_every_call_counts() {
    let server = Server::start(|_, _| Reply::json(200, WRONG_CHECK));
    let c = Client::builder()
        .access_key("testid", "scoped-secret")
        .endpoint(&server.url)
        .signature_version(SignatureVersion::V1)
        .build()
        .unwrap();
    let rt = rt();
    let (outcome, event) = rt.block_on(observed(c.check_code("13800138000", "1234")));
    assert!(!outcome.unwrap().passed());
    let event = event.expect("an observed call brings back its event");
    assert_eq!((event.action, event.attempts, event.delivery), ("CheckSmsVerifyCode", 1, Delivery::Answered));
    assert_eq!((event.request_id.as_deref(), event.passed), (Some("R-CHECK"), Some(false)));
    assert_eq!(event.phone, smsauth::api::mask_phone("13800138000"));
    // Unobserved calls and bad input (refused before sending) are counted all the same.
    rt.block_on(c.check_code("13800138000", "1234")).unwrap();
    rt.block_on(c.check_code("not a phone", "1234")).unwrap_err();
    let (refused, event) = rt.block_on(observed(c.check_code("not a phone", "1234")));
    assert!(refused.is_err());
    assert_eq!(event.unwrap().error, Some(smsauth::ErrorKind::InvalidInput));
    let stats = c.stats();
    assert_eq!((stats.checks, stats.passes, stats.errors.get("invalid_input").copied()), (4, 0, Some(2)));
    assert_eq!(server.count(), 2);
}
