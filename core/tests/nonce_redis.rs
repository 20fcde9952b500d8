//! The Redis nonce store against a real `redis-server` (started by tests/redis/run.sh, which sets
//! SMSAUTH_TEST_REDIS_URL; without it these tests skip themselves). Feature `guard-redis`.

#![cfg(feature = "guard-redis")]
#![allow(clippy::unwrap_used)]

use smsauth::sign::{RpcRequest, SignatureVersion, Stamp, Verifier, VerifierConfig, sign, unix_now};
use smsauth::{Credentials, ErrorKind, Secret};

fn redis_url() -> Option<String> {
    let url = std::env::var("SMSAUTH_TEST_REDIS_URL").ok();
    if url.is_none() {
        eprintln!("SMSAUTH_TEST_REDIS_URL is not set: skipped (tests/redis/run.sh sets it)");
    }
    url
}

fn verifier(url: &str, fail_open: bool) -> Verifier {
    Verifier::from_config(&VerifierConfig {
        nonce_redis_url: Some(url.to_owned()),
        nonce_redis_fail_open: fail_open,
        ..Default::default()
    })
    .unwrap()
}

fn lookup(id: &str) -> Option<Secret> {
    (id == "testid").then(|| Secret::new("testsecret"))
}

fn request(version: SignatureVersion) -> smsauth::sign::HttpRequest {
    let creds = Credentials::new("testid", "testsecret").unwrap();
    let req = RpcRequest::new("dypnsapi.aliyuncs.com", "CheckSmsVerifyCode", "2017-05-25").param("VerifyCode", "1");
    sign(&req, version, &creds, &Stamp::fresh().unwrap()).to_http_request()
}

#[test]
fn a_nonce_accepted_by_one_instance_is_refused_by_every_other() {
    let Some(url) = redis_url() else { return };
    let (a, b, c) = (verifier(&url, false), verifier(&url, false), verifier(&url, false));
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let req = request(version);
        a.verify(&req, unix_now(), lookup).unwrap();
        for other in [&b, &c, &a] {
            let err = other.verify(&req, unix_now(), lookup).unwrap_err();
            assert_eq!(err.code(), "SignatureNonceUsed", "{version}: {err}");
        }
    }
}

#[test]
fn concurrent_instances_accept_a_nonce_exactly_once() {
    let Some(url) = redis_url() else { return };
    let req = request(SignatureVersion::V3);
    let accepted: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (url, req) = (&url, &req);
                s.spawn(move || usize::from(verifier(url, false).verify(req, unix_now(), lookup).is_ok()))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(accepted, 1);
}

#[test]
fn an_unreachable_store_fails_closed_unless_told_otherwise() {
    if redis_url().is_none() {
        return;
    }
    // A port nothing listens on.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("redis://127.0.0.1:{}/", l.local_addr().unwrap().port())
    };
    let err = verifier(&dead, false).verify(&request(SignatureVersion::V3), unix_now(), lookup).unwrap_err();
    assert_eq!((err.code(), err.http_status()), ("ServiceUnavailable", 503), "{err}");
    assert_eq!(smsauth::Error::from(err).kind(), ErrorKind::Service);
    verifier(&dead, true).verify(&request(SignatureVersion::V3), unix_now(), lookup).unwrap();
}

#[test]
fn a_bad_url_is_a_typed_error() {
    let err = Verifier::from_config(&VerifierConfig { nonce_redis_url: Some("nope://x".into()), ..Default::default() })
        .unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some("nonce_redis_url")));
}
