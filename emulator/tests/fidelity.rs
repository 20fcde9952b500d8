//! The fidelity table of the crate's README, one test per row that is not covered elsewhere:
//! preset signatures and templates, template variables, the documented flow control, the
//! per-number daily total, the `86`-prefixed phone number, `x-acs-accesskey-id` and lenient mode.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use smsauth::api::SendSmsVerifyCodeRequest;
use smsauth::sign::{SignatureVersion, Stamp, sign};
use smsauth::{Credentials, ErrorKind, RetryPolicy, blocking};
use smsauth_emulator::{Config, Emulator, FlowControl, PRESET_SIGNATURES, RefusalCodes};
use support::{PHONE, Reply, call, rpc, send_params, send_signed};

fn client(emu: &Emulator, sign_name: &str) -> blocking::Client {
    blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key(emu.access_key_id(), emu.access_key_secret())
            .endpoint(emu.endpoint())
            .sign_name(sign_name)
            .template_code("100001")
            .retry(RetryPolicy::none())
            .build()
            .unwrap(),
    )
}

/// An emulator whose clock can travel hours: request timestamps are checked against the real
/// clock, not the emulated one.
fn time_travel(config: Config) -> Emulator {
    Emulator::start_with(Config { verify_with_emulated_clock: false, ..config }).unwrap()
}

fn send(emu: &Emulator, params: &[(&str, &str)]) -> Reply {
    let mut all: Vec<(&str, &str)> =
        send_params().into_iter().filter(|(k, _)| !params.iter().any(|(n, _)| n == k)).collect();
    all.extend_from_slice(params);
    call(emu, &rpc(emu, "SendSmsVerifyCode", &all), SignatureVersion::V3)
}

/// HTTP 200, `Success: false`, `code`, and nothing sent by this request.
fn assert_refused(emu: &Emulator, r: &Reply, code: &str) {
    let sent = emu.messages().len();
    assert_eq!((r.status, r.code().as_str()), (200, code), "{}", r.body);
    assert_eq!(r.json()["Success"], false);
    assert_eq!(emu.messages().len(), sent);
}

#[test]
fn only_preset_signatures_are_accepted() {
    let emu = Emulator::start().unwrap();
    for (i, name) in PRESET_SIGNATURES.iter().enumerate() {
        let phone = format!("1380013810{i}");
        client(&emu, name).send_code(&phone).unwrap();
        assert!(emu.messages_for(&phone)[0].text.starts_with(&format!("【{name}】")));
    }
    let r = send(&emu, &[("SignName", "我的应用")]);
    assert_refused(&emu, &r, "isv.SMS_SIGNATURE_ILLEGAL");
    assert!(r.json()["Message"].as_str().unwrap().contains("我的应用"), "{}", r.body);
    // The client reports it as a service error, answered (nothing to retry).
    let err = client(&emu, "我的应用").send_code("13900139000").unwrap_err();
    assert_eq!(
        (err.kind(), err.service_code(), err.delivery()),
        (ErrorKind::Service, Some("isv.SMS_SIGNATURE_ILLEGAL"), smsauth::Delivery::Answered)
    );
    assert!(emu.messages_for("13900139000").is_empty());
    // An account with more signatures configures them.
    let mut config = Config::default();
    config.signatures.insert("我的应用".into());
    let emu = Emulator::start_with(config).unwrap();
    assert_eq!(send(&emu, &[("SignName", "我的应用")]).code(), "OK");
}

#[test]
fn only_preset_templates_are_accepted() {
    let emu = Emulator::start().unwrap();
    for (i, code) in ["100001", "100002", "100003", "100004", "100005"].iter().enumerate() {
        let phone = format!("1380013810{i}");
        assert_eq!(send(&emu, &[("PhoneNumber", &phone), ("TemplateCode", code)]).code(), "OK");
        let m = &emu.messages_for(&phone)[0];
        assert!(m.text.contains(&m.code) && m.text.contains("5分钟内有效") && !m.text.contains("${"), "{}", m.text);
    }
    let r = send(&emu, &[("TemplateCode", "SMS_12345")]);
    assert_refused(&emu, &r, "isv.SMS_TEMPLATE_ILLEGAL");
    // Configured templates (an account with its own) are accepted and rendered.
    let mut config = Config::default();
    config.templates.insert("SMS_12345".into(), "验证码${code}，用于${product}".into());
    let emu = Emulator::start_with(config).unwrap();
    assert_eq!(
        send(&emu, &[("TemplateCode", "SMS_12345"), ("TemplateParam", r###"{"code":"##code##","product":"demo"}"###)])
            .code(),
        "OK"
    );
    let m = &emu.messages()[0];
    assert_eq!(m.text, format!("【速通互联验证码】验证码{}，用于demo", m.code));
}

#[test]
fn a_template_param_must_give_every_variable_of_the_template() {
    let emu = Emulator::start().unwrap();
    for param in [r###"{"code":"##code##"}"###, r#"{"min":"5"}"#, "{}"] {
        let r = send(&emu, &[("TemplateParam", param)]);
        assert_refused(&emu, &r, "isv.TEMPLATE_MISSING_PARAMETERS");
    }
    let r = send(&emu, &[("TemplateParam", r###"{"code":"##code##"}"###)]);
    assert!(r.json()["Message"].as_str().unwrap().contains("\"min\""), "{}", r.body);
    // Extra keys are fine.
    assert_eq!(send(&emu, &[("TemplateParam", r###"{"code":"##code##","min":"5","x":"y"}"###)]).code(), "OK");
    assert!(emu.messages().is_empty() || !emu.messages()[0].text.contains("${"));
}

#[test]
fn refusal_codes_are_configurable() {
    let codes = RefusalCodes { signature: "A".into(), template: "B".into(), missing_variable: "C".into() };
    let emu = Emulator::start_with(Config { refusal_codes: codes, ..Default::default() }).unwrap();
    assert_refused(&emu, &send(&emu, &[("SignName", "x")]), "A");
    assert_refused(&emu, &send(&emu, &[("TemplateCode", "1")]), "B");
    assert_refused(&emu, &send(&emu, &[("TemplateParam", "{}")]), "C");
}

/// Sends `n` codes to `phone`, `gap` seconds apart, all accepted.
fn send_n(emu: &Emulator, c: &blocking::Client, phone: &str, n: usize, gap: u64) {
    for _ in 0..n {
        c.send_code(phone).unwrap();
        emu.advance_clock(gap);
    }
}

fn limit_message(c: &blocking::Client, phone: &str) -> String {
    let err = c.send_code(phone).unwrap_err();
    assert_eq!((err.kind(), err.service_code()), (ErrorKind::Throttled, Some("isv.BUSINESS_LIMIT_CONTROL")), "{err}");
    err.service().unwrap().message.clone()
}

#[test]
fn flow_control_one_a_minute_per_number_and_signature() {
    // Interval 1 s, so only the flow control decides.
    let emu = Emulator::start().unwrap();
    let c = client(&emu, "速通互联验证码");
    let send = |phone: &str| {
        c.send_code_with(SendSmsVerifyCodeRequest { interval: Some(1), ..SendSmsVerifyCodeRequest::new(phone) })
    };
    send(PHONE).unwrap();
    emu.advance_clock(59);
    let err = send(PHONE).unwrap_err();
    assert_eq!(err.service_code(), Some("isv.BUSINESS_LIMIT_CONTROL"));
    assert!(err.service().unwrap().message.starts_with("触发分钟级流控Permits:1"), "{err}");
    // Another signature, or another number, has its own window.
    c.send_code_with(SendSmsVerifyCodeRequest {
        interval: Some(1),
        sign_name: Some("云渚科技验证平台".into()),
        ..SendSmsVerifyCodeRequest::new(PHONE)
    })
    .unwrap();
    send("13800138001").unwrap();
    emu.advance_clock(1); // 60 s after the first send: the window has rolled on
    send(PHONE).unwrap();
    assert_eq!(emu.messages_for(PHONE).len(), 3);
}

#[test]
fn flow_control_five_an_hour_in_a_rolling_window() {
    let emu = time_travel(Config::default());
    let c = client(&emu, "速通互联验证码");
    send_n(&emu, &c, PHONE, 5, 60); // sends at 0, 60, …, 240; now 300
    emu.advance_clock(3600 - 300 - 1); // 1 s before the first send leaves the window
    assert!(limit_message(&c, PHONE).starts_with("触发小时级流控Permits:5"));
    // Accepted: the send refused a second ago was not counted (counted on submission).
    emu.advance_clock(1);
    c.send_code(PHONE).unwrap();
}

#[test]
fn flow_control_ten_a_day_in_a_rolling_window() {
    let emu = time_travel(Config::default());
    let c = client(&emu, "速通互联验证码");
    send_n(&emu, &c, PHONE, 10, 3600); // at 0 h, 1 h, …, 9 h; now 10 h
    emu.advance_clock(14 * 3600 - 1); // 1 s before the first leaves the 24 h window
    assert!(limit_message(&c, PHONE).starts_with("触发天级流控Permits:10"));
    emu.advance_clock(1);
    c.send_code(PHONE).unwrap();
}

#[test]
fn flow_control_is_configurable() {
    let flow = FlowControl { per_minute: 2, per_hour: 0, per_day: 3 };
    let emu = time_travel(Config { flow_control: flow, ..Default::default() });
    let c = client(&emu, "速通互联验证码");
    let send =
        || c.send_code_with(SendSmsVerifyCodeRequest { interval: Some(1), ..SendSmsVerifyCodeRequest::new(PHONE) });
    send().unwrap();
    emu.advance_clock(1);
    send().unwrap();
    emu.advance_clock(1);
    assert!(send().unwrap_err().service().unwrap().message.starts_with("触发分钟级流控Permits:2"));
    emu.advance_clock(60);
    send().unwrap();
    emu.advance_clock(3600);
    assert!(send().unwrap_err().service().unwrap().message.starts_with("触发天级流控Permits:3"));
    let emu = time_travel(Config { flow_control: FlowControl::OFF, ..Default::default() });
    let c = client(&emu, "速通互联验证码");
    send_n(&emu, &c, PHONE, 10, 60);
}

#[test]
fn the_daily_total_per_number_counts_every_signature() {
    let emu = Emulator::start_with(Config { daily_limit: 4, verify_with_emulated_clock: false, ..Default::default() })
        .unwrap();
    // Counted per day in China time (UTC+8): start at a midnight there, so the four minutes
    // below stay in one day whatever the time the test runs.
    emu.advance_clock(86_400 - (emu.now() + 8 * 3600) % 86_400);
    for name in &PRESET_SIGNATURES[..4] {
        client(&emu, name).send_code(PHONE).unwrap();
        emu.advance_clock(60);
    }
    let err = client(&emu, PRESET_SIGNATURES[4]).send_code(PHONE).unwrap_err();
    assert_eq!(err.service_code(), Some("isv.BUSINESS_LIMIT_CONTROL"));
    assert!(err.service().unwrap().message.starts_with("触发号码天级流控Permits:4"), "{err}");
}

#[test]
fn lenient_mode_turns_off_presets_and_rate_limits_only() {
    let emu = Emulator::start_with(Config::lenient()).unwrap();
    let c = client(&emu, "我的应用");
    for _ in 0..30 {
        c.send_code_with(SendSmsVerifyCodeRequest { interval: Some(1), ..SendSmsVerifyCodeRequest::new(PHONE) })
            .unwrap();
        emu.advance_clock(1);
    }
    assert_eq!(emu.messages_for(PHONE).len(), 30);
    assert_eq!(send(&emu, &[("PhoneNumber", "13800138001"), ("TemplateCode", "SMS_1")]).code(), "OK");
    // Interval, parameters and signatures are still checked.
    c.send_code(PHONE).unwrap(); // Interval 60 s
    assert_eq!(c.send_code(PHONE).unwrap_err().service_code(), Some("biz.FREQUENCY"));
    assert_eq!(send(&emu, &[("PhoneNumber", "13800138002"), ("CodeLength", "9")]).code(), "isv.INVALID_PARAMETERS");
    let bad = blocking::Client::from_async(
        smsauth::Client::builder().access_key("testid", "wrong").endpoint(emu.endpoint()).build().unwrap(),
    );
    assert_eq!(bad.check_code(PHONE, "1234").unwrap_err().service_code(), Some("SignatureDoesNotMatch"));
}

#[test]
fn an_86_prefixed_phone_number_is_the_same_number() {
    let emu = Emulator::start().unwrap();
    assert_eq!(send(&emu, &[("PhoneNumber", "8613800138000")]).code(), "OK");
    let code = emu.last_code(PHONE).unwrap();
    assert_eq!(emu.messages()[0].phone_number, PHONE);
    // The same number in any form shares the Interval, and its code checks.
    assert_eq!(send(&emu, &[("PhoneNumber", "+8613800138000")]).code(), "biz.FREQUENCY");
    let check = |phone: &str, code: &str| {
        call(
            &emu,
            &rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", phone), ("VerifyCode", code)]),
            SignatureVersion::V1,
        )
    };
    assert_eq!(check("8613800138000", &code).json()["Model"]["VerifyResult"], "PASS");
    // Not a mainland number once the prefix is gone.
    assert_refused(&emu, &send(&emu, &[("PhoneNumber", "862380013800")]), "isv.MOBILE_NUMBER_ILLEGAL");
    let emu = Emulator::start_with(Config { accept_86_prefix: false, ..Default::default() }).unwrap();
    assert_refused(&emu, &send(&emu, &[("PhoneNumber", "8613800138000")]), "isv.MOBILE_NUMBER_ILLEGAL");
}

#[test]
fn auto_retry_is_0_or_1() {
    let emu = Emulator::start().unwrap();
    assert_eq!(send(&emu, &[("AutoRetry", "0")]).code(), "OK");
    assert_eq!(send(&emu, &[("PhoneNumber", "13800138001"), ("AutoRetry", "1")]).code(), "OK");
    assert_eq!(send(&emu, &[("PhoneNumber", "13800138002"), ("AutoRetry", "2")]).code(), "isv.INVALID_PARAMETERS");
}

#[test]
fn x_acs_accesskey_id_with_sts_credentials() {
    let emu = Emulator::start().unwrap();
    let sts = emu.issue_sts(Duration::from_secs(3600));
    let creds = Credentials::new(&sts.access_key_id, &sts.access_key_secret)
        .unwrap()
        .with_security_token(&sts.security_token)
        .unwrap();
    // Our client sends it on V3, as the official SDKs do, and the emulator accepts it.
    let req = rpc(&emu, "CheckSmsVerifyCode", &[("PhoneNumber", PHONE), ("VerifyCode", "1234")]);
    let s = sign(&req, SignatureVersion::V3, &creds, &Stamp::new(emu.now(), "ak-1"));
    assert_eq!(s.header("x-acs-accesskey-id"), Some(sts.access_key_id.as_str()));
    assert!(s.header("Authorization").unwrap().contains("x-acs-accesskey-id;"));
    assert_eq!(send_signed(&emu, &s).code(), "OK");
    // Long-term keys do not send it.
    let plain = support::signed(&emu, &req, SignatureVersion::V3, &Stamp::new(emu.now(), "ak-2"));
    assert_eq!(plain.header("x-acs-accesskey-id"), None);
    // Naming another key than the one that signed is refused (signed, so not a forgery: a bug).
    let other = req.clone().header("x-acs-accesskey-id", "someone-else");
    let s = support::signed(&emu, &other, SignatureVersion::V3, &Stamp::new(emu.now(), "ak-3"));
    let r = send_signed(&emu, &s);
    assert_eq!((r.status, r.code().as_str()), (400, "InvalidParameter"), "{}", r.body);
    assert!(r.json()["Message"].as_str().unwrap().contains("x-acs-accesskey-id"));
}
