//! Gateway behaviour: signature, key, timestamp and nonce checks, parameter errors, and the real
//! error JSON shape and statuses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use smsauth::sign::{SignatureVersion, Stamp};
use smsauth::{ErrorKind, RetryPolicy, blocking};
use smsauth_emulator::{Config, Emulator};
use support::{PHONE, Reply, call, rpc, send_params, send_signed, signed};

fn assert_gateway_error(r: &Reply, status: u16, code: &str) {
    assert_eq!((r.status, r.code().as_str()), (status, code), "{}", r.body);
    let j = r.json();
    let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    for key in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
        assert!(keys.contains(&key), "{key} missing in {}", r.body);
    }
    assert_eq!(j["HostId"], "dypnsapi.aliyuncs.com");
    assert!(j["Recommend"].as_str().unwrap().contains(code));
    assert!(!j["Message"].as_str().unwrap().is_empty());
}

/// A business failure: HTTP 200, `Success: false`, the business keys and no gateway ones.
fn assert_business_error(r: &Reply, code: &str) {
    assert_eq!((r.status, r.code().as_str()), (200, code), "{}", r.body);
    let j = r.json();
    let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["AccessDeniedDetail", "Code", "Message", "RequestId", "Success"], "{}", r.body);
    assert_eq!(j["Success"], false);
}

#[test]
fn a_wrong_secret_is_signature_does_not_match_with_the_server_string_to_sign() {
    let emu = Emulator::start().unwrap();
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let c = blocking::Client::from_async(
            smsauth::Client::builder()
                .access_key("testid", "not-the-secret")
                .endpoint(emu.endpoint())
                .signature_version(version)
                .build()
                .unwrap(),
        );
        let err = c.check_code(PHONE, "1234").unwrap_err();
        assert_eq!((err.kind(), err.service_code()), (ErrorKind::Authentication, Some("SignatureDoesNotMatch")));
        assert_eq!(err.http_status(), Some(400));
        let msg = &err.service().unwrap().message;
        let expected = if version == SignatureVersion::V1 {
            "server string to sign is:POST&%2F&"
        } else {
            "server string to sign is:ACS3-HMAC-SHA256\n"
        };
        assert!(msg.contains(expected), "{msg}");
    }
    let req = rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
    let creds = smsauth::Credentials::new("testid", "wrong").unwrap();
    let s = smsauth::sign::sign(&req, SignatureVersion::V3, &creds, &Stamp::new(emu.now(), "n1"));
    assert_gateway_error(&send_signed(&emu, &s), 400, "SignatureDoesNotMatch");
}

#[test]
fn an_unknown_key_is_invalid_access_key_id_not_found() {
    let emu = Emulator::start().unwrap();
    let c = blocking::Client::from_async(
        smsauth::Client::builder().access_key("nobody", "x").endpoint(emu.endpoint()).build().unwrap(),
    );
    let err = c.check_code(PHONE, "1234").unwrap_err();
    assert_eq!(err.service_code(), Some("InvalidAccessKeyId.NotFound"));
    assert_eq!(err.http_status(), Some(404));
    assert_eq!(err.kind(), ErrorKind::Authentication);
}

#[test]
fn configured_accounts_replace_the_default() {
    let emu = Emulator::start_with(Config {
        accounts: vec![("LTAI5tAppKey".into(), "app-secret".into()), ("second".into(), "two".into())],
        ..Default::default()
    })
    .unwrap();
    assert_eq!((emu.access_key_id(), emu.access_key_secret()), ("LTAI5tAppKey".into(), "app-secret".into()));
    for (id, secret, ok) in [("second", "two", true), ("testid", "testsecret", false)] {
        let c = blocking::Client::from_async(
            smsauth::Client::builder().access_key(id, secret).endpoint(emu.endpoint()).build().unwrap(),
        );
        assert_eq!(c.check_code(PHONE, "1234").is_ok(), ok, "{id}");
    }
}

#[test]
fn timestamps_outside_15_minutes_are_expired() {
    let emu = Emulator::start().unwrap();
    let req = rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
    for (skew, ok) in [(-14 * 60i64, true), (14 * 60, true), (-16 * 60, false), (16 * 60, false)] {
        for version in [SignatureVersion::V1, SignatureVersion::V3] {
            let at = (emu.now() as i64 + skew) as u64;
            let r = send_signed(&emu, &signed(&emu, &req, version, &Stamp::new(at, Stamp::fresh().unwrap().nonce)));
            if ok {
                assert_eq!(r.code(), "OK", "{skew} {version}");
            } else {
                assert_gateway_error(&r, 400, "InvalidTimeStamp.Expired");
            }
        }
    }
    // Advancing the emulated clock past the window makes a real-time client's requests expire.
    let c = blocking::Client::from_async(
        smsauth::Client::builder().access_key("testid", "testsecret").endpoint(emu.endpoint()).build().unwrap(),
    );
    c.check_code(PHONE, "1234").unwrap();
    emu.advance_clock(16 * 60);
    assert_eq!(c.check_code(PHONE, "1234").unwrap_err().service_code(), Some("InvalidTimeStamp.Expired"));
    emu.reset();
    c.check_code(PHONE, "1234").unwrap();
}

#[test]
fn a_replayed_request_is_signature_nonce_used() {
    let emu = Emulator::start().unwrap();
    let req = rpc(&emu, "SendSmsVerifyCode", &send_params());
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let s = signed(&emu, &req, version, &Stamp::new(emu.now(), format!("replay-{version}")));
        assert_eq!(send_signed(&emu, &s).code(), "OK");
        assert_gateway_error(&send_signed(&emu, &s), 400, "SignatureNonceUsed");
        emu.advance_clock(60);
    }
    assert_eq!(emu.messages().len(), 2, "a replay sends nothing");
}

#[test]
fn parameter_errors() {
    let emu = Emulator::start().unwrap();
    let v = SignatureVersion::V3;
    let missing = call(&emu, &rpc(&emu, "SendSmsVerifyCode", &send_params()[1..]), v);
    assert_gateway_error(&missing, 400, "MissingParameter");
    assert!(missing.json()["Message"].as_str().unwrap().contains("PhoneNumber"));
    let r = call(&emu, &rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE)]), v);
    assert_gateway_error(&r, 400, "MissingParameter");

    // A value of the wrong type is the gateway's InvalidParameter (HTTP 400) ...
    for (name, value) in [("Interval", "x"), ("CodeLength", "-1"), ("ReturnVerifyCode", "maybe"), ("AutoRetry", "yes")]
    {
        let mut params: Vec<(&str, &str)> = send_params().into_iter().filter(|(k, _)| *k != name).collect();
        params.push((name, value));
        let r = call(&emu, &rpc(&emu, "SendSmsVerifyCode", &params), v);
        assert_gateway_error(&r, 400, "InvalidParameter");
        assert!(r.json()["Message"].as_str().unwrap().contains(name), "{}", r.body);
    }
    // ... a value the service refuses is the documented business isv.INVALID_PARAMETERS (HTTP 200).
    for (name, value) in [
        ("CodeLength", "9"),
        ("CodeLength", "3"),
        ("CodeType", "8"),
        ("ValidTime", "0"),
        ("DuplicatePolicy", "3"),
        ("AutoRetry", "2"),
        ("TemplateParam", "[1]"),
        ("SchemeName", "一二三四五六七八九十一二三四五六七八九十一"),
    ] {
        let mut params: Vec<(&str, &str)> = send_params().into_iter().filter(|(k, _)| *k != name).collect();
        params.push((name, value));
        let r = call(&emu, &rpc(&emu, "SendSmsVerifyCode", &params), v);
        assert_business_error(&r, "isv.INVALID_PARAMETERS");
        assert!(r.json()["Message"].as_str().unwrap().contains(name), "{}", r.body);
    }
    let r = call(
        &emu,
        &rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234"), ("CaseAuthPolicy", "0")]),
        v,
    );
    assert_business_error(&r, "isv.INVALID_PARAMETERS");
    assert!(emu.messages().is_empty());
}

#[test]
fn unknown_actions_and_versions() {
    let emu = Emulator::start().unwrap();
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let r = call(&emu, &rpc(&emu, "SendSms", &send_params()), version);
        assert_gateway_error(&r, 404, "InvalidAction.NotFound");
        let mut req = rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
        req.version = "2017-05-26".into();
        assert_gateway_error(&call(&emu, &req, version), 400, "InvalidVersion");
    }
}

#[test]
fn incomplete_signatures() {
    let emu = Emulator::start().unwrap();
    let req = rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
    let mut s = signed(&emu, &req, SignatureVersion::V3, &Stamp::new(emu.now(), "n-inc"));
    for (k, v) in s.headers.iter_mut() {
        if k == "Authorization" {
            *v = v.replace("SignedHeaders=host;", "SignedHeaders=");
        }
    }
    assert_gateway_error(&send_signed(&emu, &s), 400, "IncompleteSignature");
    // No signature at all.
    let r = support::http(emu.port(), "POST", "/?Action=CheckSmsVerifyCode&PhoneNumber=13800138000", &[], "").unwrap();
    assert_gateway_error(&r, 400, "MissingParameter");
}

#[test]
fn get_and_form_bodies_are_accepted() {
    let emu = Emulator::start().unwrap();
    let req = rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]).method("GET");
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        assert_eq!(call(&emu, &req, version).code(), "OK");
    }
    // V1 with the parameters in a form body instead of the query.
    let req = rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
    let s = signed(&emu, &req, SignatureVersion::V1, &Stamp::new(emu.now(), "form-1"));
    let headers = vec![("content-type".to_owned(), "application/x-www-form-urlencoded".to_owned())];
    let r = support::http(emu.port(), "POST", "/", &headers, &s.query).unwrap();
    assert_eq!(r.code(), "OK", "{}", r.body);
    // Other methods and paths.
    let r = support::http(emu.port(), "PUT", "/", &[], "").unwrap();
    assert_gateway_error(&r, 403, "UnsupportedHTTPMethod");
    let r = support::http(emu.port(), "POST", "/v1/send", &[], "").unwrap();
    assert_gateway_error(&r, 404, "InvalidAction.NotFound");
}

#[test]
fn the_client_does_not_retry_auth_errors() {
    let emu = Emulator::start().unwrap();
    let c = blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key("testid", "nope")
            .endpoint(emu.endpoint())
            .retry(RetryPolicy::default())
            .build()
            .unwrap(),
    );
    c.check_code(PHONE, "1234").unwrap_err();
    assert_eq!(emu.request_count(), 1);
}
