//! The HTTP test hooks under `/_emulator/`, as an SDK in another language would use them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use smsauth::SignatureVersion;
use smsauth::sign::Stamp;
use smsauth_emulator::Emulator;
use support::{PHONE, call, hook, rpc, send_params};

#[test]
fn messages_last_code_and_request_count() {
    let emu = Emulator::start().unwrap();
    assert_eq!(call(&emu, &rpc(&emu, "SendSmsVerifyCode", &send_params()), SignatureVersion::V3).code(), "OK");
    let r = hook(&emu, "GET", "/_emulator/messages", "");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json;charset=utf-8"));
    let msgs = r.json()["messages"].as_array().unwrap().clone();
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    let code = emu.last_code(PHONE).unwrap();
    assert_eq!(m["code"], code.as_str());
    assert_eq!(m["phone_number"], PHONE);
    assert_eq!(m["scheme_name"], "默认方案");
    assert!(m["text"].as_str().unwrap().contains(&code));
    for key in ["country_code", "sign_name", "template_code", "biz_id", "out_id", "sent_at", "expires_at"] {
        assert!(m.get(key).is_some(), "{key}");
    }
    let filtered = hook(&emu, "GET", "/_emulator/messages?phone=%2B86%20138-0013-8000", "").json();
    assert_eq!(filtered["messages"].as_array().unwrap().len(), 1);
    let other = hook(&emu, "GET", "/_emulator/messages?phone=13900000000", "").json();
    assert!(other["messages"].as_array().unwrap().is_empty());
    let last = hook(&emu, "GET", &format!("/_emulator/last-code?phone={PHONE}"), "").json();
    assert_eq!(last["code"], code.as_str());
    assert!(hook(&emu, "GET", "/_emulator/last-code?phone=13900000000", "").json()["code"].is_null());
    assert_eq!(hook(&emu, "GET", "/_emulator/requests", "").json()["count"], 1, "hooks are not counted");
    let health = hook(&emu, "GET", "/_emulator/health", "").json();
    assert_eq!(health["endpoint"], emu.endpoint());
    assert_eq!(health["access_key_id"], "testid");
}

#[test]
fn clock_and_reset() {
    let emu = Emulator::start().unwrap();
    let t0 = hook(&emu, "GET", "/_emulator/clock", "").json()["now"].as_u64().unwrap();
    let t1 = hook(&emu, "POST", "/_emulator/clock/advance?seconds=61", "").json()["now"].as_u64().unwrap();
    assert!(t1 >= t0 + 61 && t1 <= t0 + 63);
    assert!(emu.now() >= t1);
    assert_eq!(hook(&emu, "POST", "/_emulator/clock/advance?seconds=-1", "").status, 400);
    assert_eq!(hook(&emu, "POST", "/_emulator/clock/advance", "").status, 400);

    // Codes expire by the hook-advanced clock too; the request is signed at the emulated time.
    call(&emu, &rpc(&emu, "SendSmsVerifyCode", &send_params()), SignatureVersion::V1);
    let code = emu.last_code(PHONE).unwrap();
    hook(&emu, "POST", "/_emulator/clock/advance?seconds=301", "");
    let check = rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", &code)]);
    assert_eq!(call(&emu, &check, SignatureVersion::V1).json()["Model"]["VerifyResult"], "UNKNOWN");

    let r = hook(&emu, "POST", "/_emulator/reset", "");
    assert_eq!(r.json()["ok"], true);
    assert!(emu.messages().is_empty());
    assert!(emu.now() < t1);
}

#[test]
fn faults_over_http() {
    let emu = Emulator::start().unwrap();
    let r = hook(
        &emu,
        "POST",
        "/_emulator/faults",
        r#"{"kind":"throttle","retry_after_ms":1000,"action":"SendSmsVerifyCode","times":1}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let listed = hook(&emu, "GET", "/_emulator/faults", "").json();
    assert_eq!(listed["faults"][0]["kind"], "throttle");
    assert_eq!(listed["faults"][0]["probability"], 1.0);
    let req = rpc(&emu, "SendSmsVerifyCode", &send_params());
    let throttled = call(&emu, &req, SignatureVersion::V3);
    assert_eq!((throttled.status, throttled.code().as_str()), (400, "Throttling.User"));
    assert_eq!(throttled.header("x-acs-retry-after"), Some("1000"));
    assert!(hook(&emu, "GET", "/_emulator/faults", "").json()["faults"].as_array().unwrap().is_empty(), "used up");
    assert_eq!(call(&emu, &req, SignatureVersion::V3).code(), "OK");

    hook(&emu, "POST", "/_emulator/faults", r#"{"kind":"html"}"#);
    let html = call(
        &emu,
        &rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1")]),
        SignatureVersion::V3,
    );
    assert_eq!(html.status, 502);
    assert!(html.body.contains("<h1>502 Bad Gateway</h1>"));
    assert_eq!(hook(&emu, "DELETE", "/_emulator/faults", "").status, 200);
    let bad = hook(&emu, "POST", "/_emulator/faults", r#"{"kind":"earthquake"}"#);
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("fault rule"));
}

#[test]
fn sts_over_http() {
    let emu = Emulator::start().unwrap();
    let sts = hook(&emu, "POST", "/_emulator/sts?ttl=60", "").json();
    let (id, secret, token) = (
        sts["access_key_id"].as_str().unwrap(),
        sts["access_key_secret"].as_str().unwrap(),
        sts["security_token"].as_str().unwrap(),
    );
    assert!(sts["expires_at"].as_u64().unwrap() >= emu.now() + 59);
    let creds = smsauth::Credentials::new(id, secret).unwrap().with_security_token(token).unwrap();
    let req = rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
    let s = smsauth::sign::sign(&req, SignatureVersion::V3, &creds, &Stamp::new(emu.now(), "sts-1"));
    assert_eq!(support::send_signed(&emu, &s).code(), "OK");
    emu.advance_clock(61);
    let s = smsauth::sign::sign(&req, SignatureVersion::V1, &creds, &Stamp::new(emu.now(), "sts-2"));
    assert_eq!(support::send_signed(&emu, &s).code(), "InvalidSecurityToken.Expired");
    assert_eq!(hook(&emu, "POST", "/_emulator/sts?ttl=soon", "").status, 400);
}

#[test]
fn unknown_hooks_and_methods() {
    let emu = Emulator::start().unwrap();
    let r = hook(&emu, "GET", "/_emulator/nope", "");
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].as_str().unwrap().contains("/_emulator/nope"));
    assert_eq!(hook(&emu, "GET", "/_emulator/reset", "").status, 405);
    assert_eq!(emu.request_count(), 0);
}
