//! The emulated service through the real `smsauth::Client` over loopback HTTP: codes, expiry,
//! frequency and daily limits, policies, schemes and STS.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use smsauth::{
    CaseAuthPolicy, CheckSmsVerifyCodeRequest, CodeType, DuplicatePolicy, ErrorKind, RetryPolicy,
    SendSmsVerifyCodeRequest, SignatureVersion, blocking,
};
use smsauth_emulator::{Config, DEFAULT_SCHEME_NAME, Emulator};
use support::PHONE;

fn client_for(emu: &Emulator, version: SignatureVersion) -> blocking::Client {
    blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key(emu.access_key_id(), emu.access_key_secret())
            .endpoint(emu.endpoint())
            .signature_version(version)
            .sign_name("速通互联验证码")
            .template_code("100001")
            .retry(RetryPolicy::none())
            .build()
            .unwrap(),
    )
}

fn client(emu: &Emulator) -> blocking::Client {
    client_for(emu, SignatureVersion::V3)
}

#[test]
fn send_then_check_with_v1_and_v3() {
    let emu = Emulator::start().unwrap();
    for (i, version) in [SignatureVersion::V1, SignatureVersion::V3].into_iter().enumerate() {
        let phone = format!("1380013800{i}");
        let c = client_for(&emu, version);
        let sent = c.send_code(&format!("+86 {phone}")).unwrap();
        assert_eq!(sent.code, "OK");
        assert!(sent.success);
        assert_eq!(sent.http_status, 200);
        assert_eq!(sent.request_id.len(), 36, "{}", sent.request_id);
        let biz_id = sent.model.biz_id.clone().unwrap();
        assert!(biz_id.ends_with("^0"), "{biz_id}");
        assert_eq!(sent.model.verify_code, None, "only with ReturnVerifyCode");

        let msgs = emu.messages_for(&phone);
        assert_eq!(msgs.len(), 1);
        let m = &msgs[0];
        assert_eq!(m.biz_id, biz_id);
        assert_eq!((m.country_code.as_str(), m.scheme_name.as_str()), ("86", DEFAULT_SCHEME_NAME));
        assert_eq!((m.sign_name.as_str(), m.template_code.as_str()), ("速通互联验证码", "100001"));
        assert_eq!(m.code.len(), 4);
        assert!(m.code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            m.text,
            format!(
                "【速通互联验证码】您的验证码为{}。尊敬的客户，以上验证码5分钟内有效，请注意保密，切勿告知他人。",
                m.code
            )
        );
        assert_eq!(m.expires_at, m.sent_at + 300);
        assert_eq!(emu.last_code(&phone).as_deref(), Some(m.code.as_str()));

        let wrong = if m.code == "0000" { "1111" } else { "0000" };
        let r = c.check_code(&phone, wrong).unwrap();
        assert!(!r.passed());
        assert_eq!(r.model.verify_result.as_str(), "UNKNOWN");
        let r = c.check_code(&phone, &m.code).unwrap();
        assert!(r.passed(), "{version}");
        assert_eq!(r.request_id.len(), 36);
        assert!(!c.check_code(&phone, &m.code).unwrap().passed(), "a code passes once");
    }
    assert_eq!(emu.messages().len(), 2);
    assert_eq!(emu.request_count(), 8);
}

#[test]
fn codes_expire_with_the_emulated_clock() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    c.send_code_with(SendSmsVerifyCodeRequest { valid_time: Some(120), ..SendSmsVerifyCodeRequest::new(PHONE) })
        .unwrap();
    let code = emu.last_code(PHONE).unwrap();
    let before = emu.now();
    emu.advance_clock(119);
    assert!(emu.now() >= before + 119);
    let first = emu.messages_for(PHONE).remove(0);
    assert_eq!(first.expires_at, first.sent_at + 120);
    emu.advance_clock(2);
    assert!(!c.check_code(PHONE, &code).unwrap().passed(), "expired");

    // Still valid just before expiry.
    emu.advance_clock(60);
    c.send_code(PHONE).unwrap();
    let code = emu.last_code(PHONE).unwrap();
    emu.advance_clock(299);
    assert!(c.check_code(PHONE, &code).unwrap().passed());
}

#[test]
fn a_second_send_within_the_interval_is_biz_frequency() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    c.send_code(PHONE).unwrap();
    let err = c.send_code(PHONE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert_eq!(err.service_code(), Some("biz.FREQUENCY"));
    assert_eq!(err.http_status(), Some(200), "business failures come with HTTP 200");
    assert!(err.request_id().is_some());
    assert_eq!(emu.messages().len(), 1, "nothing sent");
    // Another scheme or number is not limited.
    c.send_code("13800138001").unwrap();
    // (With another signature: the flow control counts per number and signature, whatever the
    // scheme.)
    c.send_code_with(SendSmsVerifyCodeRequest {
        scheme_name: Some("登录".into()),
        sign_name: Some("云渚科技验证平台".into()),
        ..SendSmsVerifyCodeRequest::new(PHONE)
    })
    .unwrap();
    emu.advance_clock(59);
    assert_eq!(c.send_code(PHONE).unwrap_err().service_code(), Some("biz.FREQUENCY"));
    emu.advance_clock(1);
    c.send_code(PHONE).unwrap();
    // A custom Interval is honoured (lenient: the documented 1-a-minute flow control would
    // refuse the second send; see flow_control.rs).
    let emu = Emulator::start_with(Config::lenient()).unwrap();
    let c = client(&emu);
    c.send_code_with(SendSmsVerifyCodeRequest { interval: Some(5), ..SendSmsVerifyCodeRequest::new("13800138002") })
        .unwrap();
    emu.advance_clock(4);
    assert_eq!(c.send_code("13800138002").unwrap_err().service_code(), Some("biz.FREQUENCY"));
    emu.advance_clock(1);
    c.send_code("13800138002").unwrap();
}

#[test]
fn the_raw_business_answer_is_http_200_success_false() {
    let emu = Emulator::start().unwrap();
    let req = support::rpc(&emu, "SendSmsVerifyCode", &support::send_params());
    assert_eq!(support::call(&emu, &req, SignatureVersion::V3).code(), "OK");
    let r = support::call(&emu, &req, SignatureVersion::V3);
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["Code"], "biz.FREQUENCY");
    assert_eq!(j["Success"], false);
    assert!(j["RequestId"].as_str().unwrap().len() == 36);
    assert_eq!(r.header("x-acs-request-id"), j["RequestId"].as_str());
}

#[test]
fn five_wrong_tries_void_a_code() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    c.send_code(PHONE).unwrap();
    let code = emu.last_code(PHONE).unwrap();
    let wrong = if code == "0000" { "1111" } else { "0000" };
    for _ in 0..4 {
        assert!(!c.check_code(PHONE, wrong).unwrap().passed());
    }
    let emu2 = Emulator::start().unwrap();
    let c2 = client(&emu2);
    c2.send_code(PHONE).unwrap();
    let code2 = emu2.last_code(PHONE).unwrap();
    let wrong2 = if code2 == "0000" { "1111" } else { "0000" };
    for _ in 0..5 {
        assert!(!c2.check_code(PHONE, wrong2).unwrap().passed());
    }
    assert!(!c2.check_code(PHONE, &code2).unwrap().passed(), "void after the fifth wrong try");
    assert!(c.check_code(PHONE, &code).unwrap().passed(), "four wrong tries are allowed");

    let emu3 = Emulator::start_with(Config { max_wrong_tries: 1, ..Default::default() }).unwrap();
    let c3 = client(&emu3);
    c3.send_code(PHONE).unwrap();
    let code3 = emu3.last_code(PHONE).unwrap();
    assert!(!c3.check_code(PHONE, if code3 == "0000" { "1111" } else { "0000" }).unwrap().passed());
    assert!(!c3.check_code(PHONE, &code3).unwrap().passed(), "configurable");
}

#[test]
fn consume_on_pass_is_configurable() {
    let emu = Emulator::start_with(Config { consume_on_pass: false, ..Default::default() }).unwrap();
    let c = client(&emu);
    c.send_code(PHONE).unwrap();
    let code = emu.last_code(PHONE).unwrap();
    assert!(c.check_code(PHONE, &code).unwrap().passed());
    assert!(c.check_code(PHONE, &code).unwrap().passed());
}

#[test]
fn duplicate_policy_overwrite_or_keep() {
    // Lenient: sends a second apart (the flow control would refuse them).
    let emu = Emulator::start_with(Config::lenient()).unwrap();
    let c = client(&emu);
    let send = |policy: Option<DuplicatePolicy>| {
        c.send_code_with(SendSmsVerifyCodeRequest {
            duplicate_policy: policy,
            interval: Some(1),
            ..SendSmsVerifyCodeRequest::new(PHONE)
        })
        .unwrap();
        emu.advance_clock(1);
        emu.last_code(PHONE).unwrap()
    };
    // Default (1): only the newest is valid. Codes are distinct draws; retry on a collision.
    let (mut a, mut b) = (send(None), send(None));
    while a == b {
        (a, b) = (b.clone(), send(None));
    }
    assert!(!c.check_code(PHONE, &a).unwrap().passed(), "overwritten");
    assert!(c.check_code(PHONE, &b).unwrap().passed());
    // 2: every unexpired code stays valid.
    let (mut a, mut b) = (send(Some(DuplicatePolicy::Keep)), send(Some(DuplicatePolicy::Keep)));
    while a == b {
        (a, b) = (b.clone(), send(Some(DuplicatePolicy::Keep)));
    }
    assert!(c.check_code(PHONE, &a).unwrap().passed());
    assert!(c.check_code(PHONE, &b).unwrap().passed());
}

#[test]
fn code_type_length_and_case_policy() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    for (i, (ty, ok)) in [
        (CodeType::Digits, b"0123456789".as_slice()),
        (CodeType::Upper, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        (CodeType::Lower, b"abcdefghijklmnopqrstuvwxyz"),
        (CodeType::Alphanumeric, b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
    ]
    .into_iter()
    .enumerate()
    {
        let phone = format!("1390000000{i}");
        c.send_code_with(SendSmsVerifyCodeRequest {
            code_type: Some(ty),
            code_length: Some(8),
            ..SendSmsVerifyCodeRequest::new(phone.as_str())
        })
        .unwrap();
        let code = emu.last_code(&phone).unwrap();
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|b| ok.contains(&b)), "{ty:?}: {code}");
    }
    // Case-insensitive by default, case-sensitive with CaseAuthPolicy 2.
    c.send_code_with(SendSmsVerifyCodeRequest {
        code_type: Some(CodeType::Upper),
        ..SendSmsVerifyCodeRequest::new(PHONE)
    })
    .unwrap();
    let code = emu.last_code(PHONE).unwrap();
    let lower = code.to_ascii_lowercase();
    let strict = CheckSmsVerifyCodeRequest {
        case_auth_policy: Some(CaseAuthPolicy::Sensitive),
        ..CheckSmsVerifyCodeRequest::new(PHONE, lower.as_str())
    };
    assert!(!c.check_code_with(strict).unwrap().passed());
    assert!(c.check_code(PHONE, &lower).unwrap().passed());
}

#[test]
fn schemes_scope_codes() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    c.send_code_with(SendSmsVerifyCodeRequest {
        scheme_name: Some("登录".into()),
        ..SendSmsVerifyCodeRequest::new(PHONE)
    })
    .unwrap();
    let code = emu.last_code(PHONE).unwrap();
    assert_eq!(emu.messages_for(PHONE)[0].scheme_name, "登录");
    assert!(!c.check_code(PHONE, &code).unwrap().passed(), "the default scheme has no code");
    let in_scheme = CheckSmsVerifyCodeRequest {
        scheme_name: Some("登录".into()),
        ..CheckSmsVerifyCodeRequest::new(PHONE, code.as_str())
    };
    assert!(c.check_code_with(in_scheme).unwrap().passed());
}

#[test]
fn return_verify_code_out_id_and_extra_parameters() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    let sent = c
        .send_code_with(SendSmsVerifyCodeRequest {
            return_verify_code: Some(true),
            out_id: Some("order-42".into()),
            duplicate_check: Some(true),
            early_warn: Some(false),
            auto_retry: Some(1),
            sms_up_extend_code: Some("12".into()),
            ..SendSmsVerifyCodeRequest::new(PHONE)
        })
        .unwrap();
    let code = emu.last_code(PHONE).unwrap();
    assert_eq!(sent.model.verify_code.as_deref(), Some(code.as_str()));
    assert_eq!(sent.model.out_id.as_deref(), Some("order-42"));
    assert_eq!(emu.messages()[0].out_id.as_deref(), Some("order-42"));
    let checked = c
        .check_code_with(CheckSmsVerifyCodeRequest {
            out_id: Some("order-42".into()),
            ..CheckSmsVerifyCodeRequest::new(PHONE, code.as_str())
        })
        .unwrap();
    assert!(checked.passed());
    assert_eq!(checked.model.out_id.as_deref(), Some("order-42"));
    // The Python SDK writes booleans as True/False.
    let mut params = support::send_params();
    params[0].1 = "13800138009";
    params.push(("ReturnVerifyCode", "True"));
    let r = support::call(&emu, &support::rpc(&emu, "SendSmsVerifyCode", &params), SignatureVersion::V1);
    assert_eq!(r.json()["Model"]["VerifyCode"].as_str(), emu.last_code("13800138009").as_deref());
}

#[test]
fn a_literal_code_is_sent_as_is_and_cannot_be_checked() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    let literal = r#"{"code":"123456","min":"5"}"#;
    // The client refuses it before sending (issue 22); the service itself would send it.
    let err = c
        .send_code_with(SendSmsVerifyCodeRequest {
            template_param: Some(literal.into()),
            ..SendSmsVerifyCodeRequest::new(PHONE)
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("TemplateParam"));
    assert_eq!(emu.request_count(), 0);
    let mut params = support::send_params();
    params[3].1 = literal;
    let r = support::call(&emu, &support::rpc(&emu, "SendSmsVerifyCode", &params), SignatureVersion::V3);
    assert_eq!(r.code(), "OK");
    let m = &emu.messages()[0];
    assert_eq!(m.code, "");
    assert!(m.text.contains("您的验证码为123456"), "{}", m.text);
    assert_eq!(emu.last_code(PHONE), None);
    assert!(!c.check_code(PHONE, "123456").unwrap().passed());
}

#[test]
fn unknown_templates_render_generically_in_lenient_mode() {
    let emu = Emulator::start_with(Config::lenient()).unwrap();
    let c = client(&emu);
    c.send_code_with(SendSmsVerifyCodeRequest {
        template_code: Some("SMS_12345".into()),
        template_param: Some(r###"{"code":"##code##","product":"demo"}"###.into()),
        ..SendSmsVerifyCodeRequest::new(PHONE)
    })
    .unwrap();
    let m = &emu.messages()[0];
    assert_eq!(m.text, format!("【速通互联验证码】[SMS_12345] code={}, product=demo", m.code));
    // A preset template's missing variable stays as written.
    c.send_code_with(SendSmsVerifyCodeRequest {
        template_param: Some(r###"{"code":"##code##"}"###.into()),
        ..SendSmsVerifyCodeRequest::new("13800138001")
    })
    .unwrap();
    assert!(emu.messages()[1].text.contains("${min}分钟内有效"), "{}", emu.messages()[1].text);
}

#[test]
fn the_daily_cap_is_business_limit_control() {
    let emu = Emulator::start_with(Config { daily_limit: 3, verify_with_emulated_clock: false, ..Default::default() })
        .unwrap();
    let c = client(&emu);
    // The cap counts per day in China time (UTC+8): start at a midnight there, so that the
    // three hours below stay in one day whatever the time of day the test runs.
    emu.advance_clock(86_400 - (emu.now() + 8 * 3600) % 86_400);
    for _ in 0..3 {
        c.send_code(PHONE).unwrap();
        emu.advance_clock(3600); // past the hourly flow-control window
    }
    let err = c.send_code(PHONE).unwrap_err();
    assert_eq!(err.service_code(), Some("isv.BUSINESS_LIMIT_CONTROL"));
    assert!(err.service().unwrap().message.starts_with("触发号码天级流控Permits:3"), "{err}");
    assert_eq!(err.kind(), ErrorKind::Throttled);
    c.send_code("13800138001").unwrap();
    emu.reset();
    c.send_code(PHONE).unwrap();
}

#[test]
fn only_mainland_numbers_are_accepted() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    // The client refuses other country codes before sending (issue 22) ...
    let err = c
        .send_code_with(SendSmsVerifyCodeRequest {
            country_code: Some("1".into()),
            ..SendSmsVerifyCodeRequest::new("4155550100")
        })
        .unwrap_err();
    assert_eq!(err.field(), Some("CountryCode"));
    assert_eq!(emu.request_count(), 0);
    // ... and the service answers them with isv.MOBILE_NUMBER_ILLEGAL.
    for (country, phone) in [("1", "4155550100"), ("852", "91234567")] {
        let mut params = support::send_params();
        params[0].1 = phone;
        params.push(("CountryCode", country));
        let r = support::call(&emu, &support::rpc(&emu, "SendSmsVerifyCode", &params), SignatureVersion::V3);
        assert_eq!((r.status, r.code()), (200, "isv.MOBILE_NUMBER_ILLEGAL".to_owned()));
    }
    let mut params = support::send_params();
    params[0].1 = "23800138000";
    let r = support::call(&emu, &support::rpc(&emu, "SendSmsVerifyCode", &params), SignatureVersion::V3);
    assert_eq!((r.status, r.code()), (200, "isv.MOBILE_NUMBER_ILLEGAL".to_owned()));
    assert!(emu.messages().is_empty());
}

#[test]
fn sts_credentials_work_until_they_expire() {
    let emu = Emulator::start().unwrap();
    let sts = emu.issue_sts(Duration::from_secs(600));
    assert!(sts.access_key_id.starts_with("STS."));
    let shown = format!("{sts:?}");
    assert!(!shown.contains(&sts.access_key_secret) && !shown.contains(&sts.security_token), "{shown}");
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let c = blocking::Client::from_async(
            smsauth::Client::builder()
                .access_key(&sts.access_key_id, &sts.access_key_secret)
                .security_token(&sts.security_token)
                .endpoint(emu.endpoint())
                .signature_version(version)
                .build()
                .unwrap(),
        );
        assert!(!c.check_code(PHONE, "1234").unwrap().passed(), "{version}");
    }
    let build = |token: Option<&str>| {
        let b = smsauth::Client::builder()
            .access_key(&sts.access_key_id, &sts.access_key_secret)
            .endpoint(emu.endpoint())
            .retry(RetryPolicy::none());
        blocking::Client::from_async(
            match token {
                Some(t) => b.security_token(t),
                None => b,
            }
            .build()
            .unwrap(),
        )
    };
    let err = build(None).check_code(PHONE, "1234").unwrap_err();
    assert_eq!((err.service_code(), err.kind()), (Some("MissingSecurityToken"), ErrorKind::Authentication));
    let err = build(Some("CAISforged")).check_code(PHONE, "1234").unwrap_err();
    assert_eq!(err.service_code(), Some("InvalidSecurityToken.MismatchWithAccessKey"));
    // A long-term key with a token that was never issued.
    let c = blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key("testid", "testsecret")
            .security_token(&sts.security_token)
            .endpoint(emu.endpoint())
            .build()
            .unwrap(),
    );
    assert_eq!(c.check_code(PHONE, "1234").unwrap_err().service_code(), Some("InvalidSecurityToken.Malformed"));
    // Expiry follows the emulated clock; checked with the real clock so the timestamp still passes.
    let emu = Emulator::start_with(Config { verify_with_emulated_clock: false, ..Default::default() }).unwrap();
    let sts = emu.issue_sts(Duration::from_secs(60));
    let c = blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key(&sts.access_key_id, &sts.access_key_secret)
            .security_token(&sts.security_token)
            .endpoint(emu.endpoint())
            .build()
            .unwrap(),
    );
    c.check_code(PHONE, "1234").unwrap();
    emu.advance_clock(61);
    let err = c.check_code(PHONE, "1234").unwrap_err();
    assert_eq!((err.service_code(), err.http_status()), (Some("InvalidSecurityToken.Expired"), Some(400)));
}

#[test]
fn reset_forgets_everything_but_accounts() {
    let emu = Emulator::start().unwrap();
    let c = client(&emu);
    c.send_code(PHONE).unwrap();
    let code = emu.last_code(PHONE).unwrap();
    let t0 = emu.now();
    emu.advance_clock(600);
    emu.reset();
    assert!(emu.messages().is_empty());
    assert!(emu.now() < t0 + 600);
    assert!(!c.check_code(PHONE, &code).unwrap().passed(), "codes are gone");
    c.send_code(PHONE).unwrap(); // no biz.FREQUENCY: limits are gone
}

#[test]
fn seeded_emulators_draw_the_same_codes() {
    let codes = |seed| {
        let emu = Emulator::start_with(Config { seed: Some(seed), ..Default::default() }).unwrap();
        let c = client(&emu);
        (0..3)
            .map(|i| {
                let phone = format!("1370000000{i}");
                c.send_code(&phone).unwrap();
                emu.last_code(&phone).unwrap()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(42), codes(42));
    assert_ne!(codes(42), codes(43));
}

#[test]
fn works_from_inside_a_tokio_runtime() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let emu = Emulator::start().unwrap();
        let c = smsauth::Client::builder()
            .access_key(emu.access_key_id(), emu.access_key_secret())
            .endpoint(emu.endpoint())
            .sign_name("速通互联验证平台")
            .template_code("100001")
            .build()
            .unwrap();
        c.send_code(PHONE).await.unwrap();
        let code = emu.last_code(PHONE).unwrap();
        assert!(c.check_code(PHONE, &code).await.unwrap().passed());
        drop(emu); // stopping inside a runtime must not panic
    });
}

#[test]
fn stop_frees_the_port() {
    let emu = Emulator::start().unwrap();
    let port = emu.port();
    assert_eq!(emu.endpoint(), format!("http://127.0.0.1:{port}"));
    emu.stop();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    let again = Emulator::start_with(Config { port, ..Default::default() }).unwrap();
    assert_eq!(again.port(), port);
    let taken = Emulator::start_with(Config { port, ..Default::default() }).unwrap_err();
    assert_eq!(taken.kind(), ErrorKind::Network);
    assert!(taken.to_string().contains(&port.to_string()), "{taken}");
    let err = Emulator::start_with(Config { accounts: vec![], ..Default::default() }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}
