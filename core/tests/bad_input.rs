//! Bad input never lies (issue 22): every configured range is checked when the client is built,
//! every request field before anything is sent, with the field named, nothing sent and
//! `delivery == NotReceived`; and a failure after a request may have left is never reported as
//! safe to resend.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use smsauth::{
    Client, ClientBuilder, Delivery, ErrorKind, MAX_DURATION, RetryPolicy, SendSmsVerifyCodeRequest, template_param,
};
use support::{Reply, Server};

fn base() -> ClientBuilder {
    Client::builder().access_key("id", "secret").endpoint("http://127.0.0.1:9")
}

fn field_of(b: ClientBuilder) -> &'static str {
    let e = b.build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert_eq!(e.delivery(), Delivery::NotReceived);
    e.field().unwrap()
}

#[test]
fn durations_and_counts_are_range_checked_when_configured() {
    let huge = Duration::from_secs(u64::MAX / 2);
    assert_eq!(field_of(base().read_timeout(huge)), "read_timeout");
    assert_eq!(field_of(base().read_timeout(Duration::MAX)), "read_timeout");
    assert_eq!(field_of(base().connect_timeout(huge)), "connect_timeout");
    assert_eq!(field_of(base().timeout(huge)), "timeout");
    assert_eq!(field_of(base().timeout(MAX_DURATION + Duration::from_nanos(1))), "timeout");
    let e = base().timeout(huge).build().unwrap_err();
    assert!(e.to_string().contains("at most 86400 s"), "{e}");
    let retry = |p: RetryPolicy| field_of(base().retry(p));
    assert_eq!(retry(RetryPolicy { max_attempts: 0, ..Default::default() }), "retry.max_attempts");
    assert_eq!(retry(RetryPolicy { max_attempts: u32::MAX, ..Default::default() }), "retry.max_attempts");
    assert_eq!(retry(RetryPolicy { initial_backoff: huge, ..Default::default() }), "retry.initial_backoff");
    assert_eq!(retry(RetryPolicy { max_backoff: Duration::MAX, ..Default::default() }), "retry.max_backoff");
    assert_eq!(retry(RetryPolicy { max_retry_after: huge, ..Default::default() }), "retry.max_retry_after");
    // The edges themselves are accepted.
    base()
        .timeout(MAX_DURATION)
        .read_timeout(MAX_DURATION)
        .connect_timeout(MAX_DURATION)
        .retry(RetryPolicy {
            max_attempts: RetryPolicy::MAX_ATTEMPTS,
            initial_backoff: MAX_DURATION,
            max_backoff: MAX_DURATION,
            max_retry_after: MAX_DURATION,
        })
        .build()
        .unwrap();
}

#[test]
fn the_longest_timeouts_still_send_and_answer() {
    let server = Server::start(|_, _| {
        Reply::json(200, r#"{"Code":"OK","Model":{"VerifyResult":"PASS"},"RequestId":"R","Success":true}"#)
    });
    let c = Client::builder()
        .access_key("id", "secret")
        .endpoint(&server.url)
        .timeout(MAX_DURATION)
        .read_timeout(MAX_DURATION)
        .connect_timeout(MAX_DURATION)
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    assert!(rt.block_on(c.check_code("13800138000", "1234")).unwrap().passed());
}

#[test]
fn a_panic_in_a_task_is_never_reported_as_not_received() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err = rt
        .block_on(smsauth::runtime::spawn(async {
            panic!("after the request left");
        }))
        .unwrap_err();
    assert_eq!((err.kind(), err.delivery()), (ErrorKind::Internal, Delivery::Unknown));
    assert!(err.may_have_been_received());
    assert!(smsauth::Error::lost_in_flight("x").may_have_been_received());
}

#[test]
fn unsupported_proxy_schemes_are_refused_naming_proxy() {
    for p in ["ftp://proxy:21", "gopher://proxy:70", "socks5://proxy:1080", "socks5h://proxy:1080", "file:///tmp/x"] {
        let e = base().proxy(p).build().unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("proxy")), "{p}");
        assert!(e.to_string().contains("only http:// and https://"), "{e}");
    }
    for p in ["http://proxy:3128", "https://proxy:3128", "proxy.internal:3128", "HTTP://proxy:3128"] {
        base().proxy(p).build().unwrap_or_else(|e| panic!("{p}: {e}"));
    }
    assert_eq!(smsauth::PROXY_SCHEMES, ["http", "https"]);
}

#[test]
fn userinfo_in_endpoint_and_proxy_urls_never_appears() {
    let errors = [
        base().endpoint("http://u:hunter2@127.0.0.1:8080").build().unwrap_err(),
        base().endpoint("ftp://u:hunter2@host").build().unwrap_err(),
        base().endpoint("http://u:hunter2@host/path").build().unwrap_err(),
        base().proxy("socks5://u:hunter2@proxy:1080").build().unwrap_err(),
        base().proxy("http://u:hunter2@").build().unwrap_err(),
    ];
    for e in errors {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***@"), "{shown}");
    }
    let builder = format!("{:?}", base().proxy("http://u:hunter2@proxy:3128"));
    assert!(!builder.contains("hunter2") && builder.contains("***@proxy:3128"), "{builder}");
}

fn send() -> SendSmsVerifyCodeRequest {
    SendSmsVerifyCodeRequest {
        sign_name: Some("速通互联验证码".into()),
        template_code: Some("100001".into()),
        template_param: Some(template_param(&[])),
        ..SendSmsVerifyCodeRequest::new("13800138000")
    }
}

/// Each bad request against a live server: refused naming `field`, nothing sent.
fn refused(reqs: Vec<(SendSmsVerifyCodeRequest, &str)>) {
    let server = Server::start(|_, _| Reply::json(200, r#"{"Code":"OK","RequestId":"R"}"#));
    let c = Client::builder().access_key("id", "secret").endpoint(&server.url).build().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for (req, field) in reqs {
        let e = rt.block_on(c.send_sms_verify_code(req)).unwrap_err();
        assert_eq!((e.kind(), e.field(), e.delivery()), (ErrorKind::InvalidInput, Some(field), Delivery::NotReceived));
        assert!(e.to_string().len() < 400, "{field}: the message does not echo the value");
    }
    assert_eq!(server.count(), 0, "nothing was sent");
}

#[test]
fn oversized_fields_are_refused_before_sending() {
    let big = "x".repeat(100 * 1024);
    let big_template = format!(r###"{{"code":"##code##","pad":"{big}"}}"###);
    refused(vec![
        (SendSmsVerifyCodeRequest { out_id: Some(big.clone()), ..send() }, "OutId"),
        (SendSmsVerifyCodeRequest { sign_name: Some(big.clone()), ..send() }, "SignName"),
        (SendSmsVerifyCodeRequest { template_code: Some(big.clone()), ..send() }, "TemplateCode"),
        (SendSmsVerifyCodeRequest { template_param: Some(big_template), ..send() }, "TemplateParam"),
        (SendSmsVerifyCodeRequest { sms_up_extend_code: Some(big.clone()), ..send() }, "SmsUpExtendCode"),
        (SendSmsVerifyCodeRequest { resource_owner_account: Some(big.clone()), ..send() }, "ResourceOwnerAccount"),
    ]);
    // At the limit itself the request is valid.
    for (field, max) in smsauth::api::FIELD_LIMITS {
        let at = "方".repeat(max);
        let mut req = send();
        match field {
            "SignName" => req.sign_name = Some(at),
            "TemplateCode" => req.template_code = Some(at),
            "TemplateParam" => {
                let pad = "x".repeat(max - r###"{"code":"##code##","p":""}"###.len());
                req.template_param = Some(format!(r###"{{"code":"##code##","p":"{pad}"}}"###));
            }
            "SchemeName" => req.scheme_name = Some(at),
            "SmsUpExtendCode" => req.sms_up_extend_code = Some(at),
            "OutId" => req.out_id = Some(at),
            "ResourceOwnerAccount" => req.resource_owner_account = Some(at),
            other => panic!("a limit without a test: {other}"),
        }
        req.to_params().unwrap_or_else(|e| panic!("{field} at {max}: {e}"));
    }
}

#[test]
fn a_template_param_without_the_code_placeholder_is_refused() {
    refused(
        [r#"{}"#, r#"{"min":"5"}"#, r###"{"code":"##CODE##"}"###, r###"{"nested":{"code":"##code##"}}"###]
            .into_iter()
            .map(|t| (SendSmsVerifyCodeRequest { template_param: Some(t.into()), ..send() }, "TemplateParam"))
            .collect(),
    );
    for ok in [r###"{"code":"##code##"}"###, r###"{"text":"your code is ##code##","min":"5"}"###] {
        SendSmsVerifyCodeRequest { template_param: Some(ok.into()), ..send() }.to_params().unwrap();
    }
}

#[test]
fn country_code_valid_time_and_interval_are_checked_locally() {
    let mut bad = Vec::new();
    for cc in ["1", "086", "00000", "0", "+1", "8600", ""] {
        bad.push((SendSmsVerifyCodeRequest { country_code: Some(cc.into()), ..send() }, "CountryCode"));
    }
    for v in [0, 1_000_000_000_000_000, smsauth::api::MAX_SECONDS + 1, u64::MAX] {
        bad.push((SendSmsVerifyCodeRequest { valid_time: Some(v), ..send() }, "ValidTime"));
        bad.push((SendSmsVerifyCodeRequest { interval: Some(v), ..send() }, "Interval"));
    }
    bad.push((SendSmsVerifyCodeRequest { auto_retry: Some(2), ..send() }, "AutoRetry"));
    refused(bad);
    for cc in ["86", "+86", "0086", " 86 "] {
        let p = SendSmsVerifyCodeRequest { country_code: Some(cc.into()), ..send() }.to_params().unwrap();
        assert!(p.contains(&("CountryCode", "86".to_string())), "{cc}");
    }
    let max = smsauth::api::MAX_SECONDS;
    SendSmsVerifyCodeRequest { valid_time: Some(max), interval: Some(max), ..send() }.to_params().unwrap();
}
