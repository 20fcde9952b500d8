//! The clients over real HTTP on loopback: signatures the server verifies, outcomes, retries that
//! never double-send, timeouts, and the blocking client's guard against nested runtimes.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use smsauth::sign::{MemoryNonceStore, Verifier, unix_now};
use smsauth::{
    CheckSmsVerifyCodeRequest, Client, Delivery, ErrorKind, RetryPolicy, Secret, SendSmsVerifyCodeRequest,
    SignatureVersion, blocking,
};
use support::{Reply, Server};

const OK_SEND: &str = r#"{"AccessDeniedDetail":"","Code":"OK","Message":"成功","Model":{"BizId":"112233^0","OutId":"o-1","RequestId":"m","VerifyCode":"4232"},"RequestId":"R-SEND","Success":true}"#;
const OK_CHECK: &str =
    r#"{"Code":"OK","Message":"成功","Model":{"OutId":"","VerifyResult":"PASS"},"RequestId":"R-CHECK","Success":true}"#;

fn client(server: &Server, version: SignatureVersion) -> smsauth::ClientBuilder {
    Client::builder()
        .access_key("testid", "testsecret")
        .endpoint(&server.url)
        .signature_version(version)
        .sign_name("速通互联验证码")
        .template_code("100001")
        .retry(RetryPolicy { initial_backoff: Duration::from_millis(10), ..Default::default() })
}

/// A server that verifies every request with the core's verifier and answers like the service.
fn verifying_server() -> Server {
    let verifier = Verifier::new().nonce_store(Arc::new(MemoryNonceStore::new(1000)));
    Server::start(move |req, _| {
        let lookup = |id: &str| (id == "testid").then(|| Secret::new("testsecret"));
        match verifier.verify(req, unix_now(), lookup) {
            Ok(v) if v.action == "SendSmsVerifyCode" => {
                assert_eq!(v.param("PhoneNumber"), Some("13800138000"));
                assert_eq!(v.param("TemplateParam"), Some(r###"{"code":"##code##","min":"5"}"###));
                Reply::json(200, OK_SEND)
            }
            Ok(_) => Reply::json(200, OK_CHECK),
            Err(e) => Reply::json(
                e.http_status(),
                &serde_json::json!({"Code": e.code(), "Message": e.to_string(), "RequestId": "R-ERR"}).to_string(),
            ),
        }
    })
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn send_and_check_are_signed_as_the_server_verifies_them() {
    let server = verifying_server();
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let c = client(&server, version).build().unwrap();
        let sent = rt().block_on(c.send_code("+86 138-0013-8000")).unwrap();
        assert_eq!(sent.request_id, "R-SEND");
        assert_eq!(sent.model.biz_id.as_deref(), Some("112233^0"));
        assert_eq!(sent.http_status, 200);
        let checked = rt().block_on(c.check_code("13800138000", "4232")).unwrap();
        assert!(checked.passed());
        assert_eq!(checked.request_id, "R-CHECK");
    }
    assert_eq!(server.count(), 4);
    let req = &server.requests.lock().unwrap()[0];
    let ua = req.header("user-agent").unwrap();
    assert!(ua.starts_with(&format!("smsauth/{} (rust; ", smsauth::VERSION)), "{ua}");
    assert_eq!(req.method, "POST");
    assert!(req.body.is_empty());
}

#[test]
fn a_wrong_secret_is_an_authentication_error_with_the_server_string_to_sign() {
    let server = verifying_server();
    let c = Client::builder().access_key("testid", "wrong").endpoint(&server.url).build().unwrap();
    let err = rt().block_on(c.check_code("13800138000", "4232")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.service_code(), Some("SignatureDoesNotMatch"));
    assert!(err.to_string().contains("server string to sign is:ACS3-HMAC-SHA256"), "{err}");
    assert_eq!(err.delivery(), Delivery::NotReceived);
    assert_eq!(server.count(), 1, "authentication errors are not retried");
}

#[test]
fn business_failures_are_errors_and_never_retried() {
    let server = Server::start(|_, _| {
        Reply::json(
            200,
            r#"{"Code":"biz.FREQUENCY","Message":"check frequency failed","RequestId":"R9","Success":false}"#,
        )
    });
    let c = client(&server, SignatureVersion::V3).build().unwrap();
    let err = rt().block_on(c.send_code("13800138000")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert_eq!(err.request_id(), Some("R9"));
    assert_eq!(server.count(), 1);
}

#[test]
fn gateway_throttling_is_retried_honouring_retry_after() {
    let server = Server::start(|_, n| {
        if n == 1 {
            Reply::json(429, r#"{"Code":"Throttling.User","Message":"flow control","RequestId":"R1"}"#)
                .header("x-acs-retry-after", "200")
        } else {
            Reply::json(200, OK_SEND)
        }
    });
    let c = client(&server, SignatureVersion::V3).build().unwrap();
    let t = Instant::now();
    rt().block_on(c.send_code("13800138000")).unwrap();
    assert!(t.elapsed() >= Duration::from_millis(200), "waited {:?}", t.elapsed());
    assert_eq!(server.count(), 2);
    // Each attempt is signed afresh.
    let reqs = server.requests.lock().unwrap();
    assert_ne!(reqs[0].header("x-acs-signature-nonce"), reqs[1].header("x-acs-signature-nonce"));
}

#[test]
fn server_errors_are_retried_for_check_only() {
    let server =
        Server::start(|_, _| Reply::json(503, r#"{"Code":"ServiceUnavailable","Message":"busy","RequestId":"R5"}"#));
    let c = client(&server, SignatureVersion::V3).build().unwrap();
    let err = rt().block_on(c.send_code("13800138000")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(server.count(), 1, "a send is never repeated after it may have been received");
    let err = rt().block_on(c.check_code("13800138000", "1234")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(server.count(), 4, "check: 1 + 3 attempts");
}

#[test]
fn a_read_timeout_on_send_is_not_retried_and_says_the_outcome_is_unknown() {
    let server = Server::start(|_, _| Reply::json(200, OK_SEND).delay(Duration::from_secs(3)));
    let c = client(&server, SignatureVersion::V3).read_timeout(Duration::from_millis(300)).build().unwrap();
    let t = Instant::now();
    let err = rt().block_on(c.send_code("13800138000")).unwrap_err();
    let took = t.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.delivery(), Delivery::Unknown);
    assert!(err.may_have_been_received());
    let limit = support::deadline::limit(Duration::from_millis(300));
    assert!(took <= limit, "took {took:?}, limit {limit:?}");
    assert_eq!(server.count(), 1);
}

#[test]
fn the_total_deadline_bounds_everything() {
    let server = Server::start(|_, _| Reply::json(200, OK_CHECK).delay(Duration::from_secs(3)));
    let c = client(&server, SignatureVersion::V3).timeout(Duration::from_millis(400)).build().unwrap();
    let t = Instant::now();
    let err = rt().block_on(c.check_code("13800138000", "1234")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    let limit = support::deadline::limit(Duration::from_millis(400));
    assert!(t.elapsed() <= limit, "took {:?}, limit {limit:?}", t.elapsed());
}

#[test]
fn connection_refused_is_a_network_error_that_never_reached_the_service() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = Client::builder()
        .access_key("testid", "testsecret")
        .endpoint(format!("http://127.0.0.1:{port}"))
        .sign_name("s")
        .template_code("t")
        .retry(RetryPolicy { initial_backoff: Duration::from_millis(5), ..Default::default() })
        .build()
        .unwrap();
    let err = rt().block_on(c.send_code("13800138000")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(err.delivery(), Delivery::NotReceived);
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    assert!(err.to_string().to_lowercase().contains("refused"), "the cause is shown: {err}");
}

#[test]
fn a_dropped_connection_after_sending_is_not_retried_for_send() {
    let server = Server::start(|_, _| Reply::dropped());
    let c = client(&server, SignatureVersion::V3).build().unwrap();
    let err = rt().block_on(c.send_code("13800138000")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(err.delivery(), Delivery::Unknown);
    assert_eq!(server.count(), 1);
}

#[test]
fn garbage_and_oversized_answers_are_protocol_errors() {
    let server = Server::start(|_, n| match n {
        1 => Reply::json(502, "<html>Bad Gateway</html>"),
        2 => Reply::json(200, r#"{"Code":"OK","Mo"#),
        _ => Reply::json(200, &"x".repeat(2 << 20)),
    });
    let c = client(&server, SignatureVersion::V3).build().unwrap();
    for expect in ["HTTP 502", "HTTP 200", "larger than 1 MiB"] {
        let err = rt().block_on(c.send_code("13800138000")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol);
        assert!(err.to_string().contains(expect), "{err}");
    }
    assert_eq!(server.count(), 3);
}

#[test]
fn invalid_input_fails_before_any_request() {
    let server = verifying_server();
    let c = client(&server, SignatureVersion::V3).build().unwrap();
    let err = rt().block_on(c.send_code("12345")).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some("PhoneNumber")));
    let err = rt().block_on(c.send_sms_verify_code(SendSmsVerifyCodeRequest::new("13800138000"))).unwrap_err();
    assert_eq!(err.field(), Some("SignName"), "full typed calls apply no defaults");
    let err = rt().block_on(c.check_code_with(CheckSmsVerifyCodeRequest::new("13800138000", "x"))).unwrap_err();
    assert_eq!(err.field(), Some("VerifyCode"));
    assert_eq!(server.count(), 0);
}

#[test]
fn blocking_client_works_and_refuses_to_block_inside_a_runtime() {
    let server = verifying_server();
    let c = blocking::Client::from_async(client(&server, SignatureVersion::V1).build().unwrap());
    assert!(c.check_code("13800138000", "4232").unwrap().passed());
    let inside = rt().block_on(async { c.check_code("13800138000", "4232") });
    let err = inside.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(err.to_string().contains("inside an async runtime"));
    // Shared across threads.
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let c = c.clone();
            std::thread::spawn(move || c.check_code("13800138000", "4232").unwrap().passed())
        })
        .collect();
    assert!(handles.into_iter().all(|h| h.join().unwrap()));
}

#[test]
fn builder_rejects_bad_configuration_with_typed_errors() {
    let bad = |b: smsauth::ClientBuilder| b.build().unwrap_err();
    let base = || Client::builder().access_key("id", "secret");
    assert_eq!(bad(base().endpoint("ftp://x")).field(), Some("endpoint"));
    assert_eq!(bad(base().endpoint("http://x/path")).field(), Some("endpoint"));
    assert_eq!(bad(base().timeout(Duration::ZERO)).field(), Some("timeout"));
    assert_eq!(bad(base().proxy("::not a url")).field(), Some("proxy"));
    assert_eq!(bad(base().add_root_certificates_pem("junk")).field(), Some("root_certificates"));
    assert_eq!(bad(Client::builder().access_key("", "secret")).kind(), ErrorKind::Credentials);
    let c = base().endpoint("127.0.0.1:9").scheme("http").build().unwrap();
    assert_eq!(c.endpoint().base_url(), "http://127.0.0.1:9/");
    let shown = format!("{c:?}");
    assert!(!shown.contains("secret") || shown.contains("Secret(***)"), "{shown}");
    assert!(!shown.contains("\"secret\""), "{shown}");
}
