//! The hostile corpus (`tests/vectors/hostile.json`): requests an attacker would send to a
//! gateway, each with the verdict every language's `Verifier` (and the emulator) must give.
//!
//! The corpus is generated from the recipes below (`SMSAUTH_REGENERATE=1 cargo test -p smsauth
//! --test hostile` rewrites it); `corpus_file_is_current` fails when file and recipes differ, and
//! `every_hostile_request_gets_its_verdict` replays the file through the Rust verifier.

#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use smsauth::sign::{
    HttpRequest, RpcRequest, SignatureVersion, Stamp, Verifier, VerifierConfig, explain_v3, format_timestamp,
    sha256_hex, sign,
};
use smsauth::{Credentials, Secret};

const T: u64 = 1_735_787_045;
const HOST: &str = "dypnsapi.aliyuncs.com";
const ID: &str = "testid";
const SECRET: &str = "testsecret";
const OTHER_ID: &str = "otherid";
const OTHER_SECRET: &str = "othersecret";

fn path() -> String {
    format!("{}/../tests/vectors/hostile.json", env!("CARGO_MANIFEST_DIR"))
}

fn creds(id: &str) -> Credentials {
    let secret = if id == OTHER_ID { OTHER_SECRET } else { SECRET };
    Credentials::new(id, secret).unwrap()
}

fn check_code() -> RpcRequest {
    RpcRequest::new(HOST, "CheckSmsVerifyCode", "2017-05-25")
        .param("PhoneNumber", "13800138000")
        .param("VerifyCode", "1234")
}

fn signed(req: &RpcRequest, v: SignatureVersion, id: &str, ts: u64, nonce: &str) -> HttpRequest {
    sign(req, v, &creds(id), &Stamp::new(ts, nonce)).to_http_request()
}

fn v1(nonce: &str) -> HttpRequest {
    signed(&check_code(), SignatureVersion::V1, ID, T, nonce)
}

fn v3(nonce: &str) -> HttpRequest {
    signed(&check_code(), SignatureVersion::V3, ID, T, nonce)
}

/// A V3 request with a body, signing exactly `signed_extra` besides the required headers.
fn v3_with_body(nonce: &str, body: &[u8], content_type: &str, sign_content_type: bool) -> HttpRequest {
    let hash = sha256_hex(body);
    let date = format_timestamp(T);
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), HOST.into()),
        ("x-acs-action".into(), "CheckSmsVerifyCode".into()),
        ("x-acs-version".into(), "2017-05-25".into()),
        ("x-acs-date".into(), date),
        ("x-acs-signature-nonce".into(), nonce.into()),
        ("x-acs-content-sha256".into(), hash),
    ];
    if sign_content_type {
        headers.push(("content-type".into(), content_type.into()));
    }
    let query = [("PhoneNumber".to_owned(), "13800138000".to_owned())];
    let (_, auth) = explain_v3("POST", "/", &query, &headers, body, ID, SECRET);
    if !sign_content_type {
        headers.push(("content-type".into(), content_type.into()));
    }
    headers.push(("Authorization".into(), auth));
    let mut req = HttpRequest::new("POST", "/", "PhoneNumber=13800138000").with_body(body.to_vec());
    req.headers = headers.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
    req
}

fn set_header(req: &mut HttpRequest, name: &str, value: &[u8]) {
    for (k, v) in req.headers.iter_mut() {
        if k.eq_ignore_ascii_case(name) {
            *v = value.to_vec();
        }
    }
}

fn header(req: &HttpRequest, name: &str) -> String {
    req.header(name).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A request as JSON: text where it is UTF-8, `body_hex` where it is not.
fn req_json(r: &HttpRequest) -> Value {
    let headers: Vec<Value> =
        r.headers.iter().map(|(k, v)| json!([k, String::from_utf8(v.clone()).expect("header text")])).collect();
    let mut out = json!({"method": r.method, "path": r.path, "query": r.query, "headers": headers});
    match String::from_utf8(r.body.clone()) {
        Ok(text) => out["body"] = json!(text),
        Err(_) => out["body_hex"] = json!(hex(&r.body)),
    }
    out
}

fn step(now: u64, r: &HttpRequest, expect: &str) -> Value {
    let kind = match expect {
        "OK" => "",
        "Throttling.User" => "throttled",
        _ => "authentication",
    };
    json!({"now": now, "request": req_json(r), "expect": expect, "kind": kind})
}

fn scenario(name: &str, issue_item: &str, steps: Vec<Value>) -> Value {
    json!({"name": name, "item": issue_item, "verifier": {}, "steps": steps})
}

fn corpus() -> Value {
    let mut s = Vec::new();
    s.push(scenario(
        "signed V1 and V3 requests pass",
        "baseline",
        vec![step(T, &v1("b-1"), "OK"), step(T, &v3("b-3"), "OK")],
    ));

    // 1. A full store refuses (and never forgets a live nonce); a per-key quota.
    let mut full = scenario(
        "a full nonce store refuses new requests and still refuses the replay of the oldest",
        "1",
        vec![
            step(T, &v3("f-1"), "OK"),
            step(T, &v3("f-2"), "OK"),
            step(T, &v3("f-3"), "Throttling.User"),
            step(T + 1, &v3("f-1"), "SignatureNonceUsed"),
        ],
    );
    full["verifier"] = json!({"nonce_capacity": 2});
    s.push(full);
    let mut quota = scenario(
        "a per-AccessKey quota stops one key from filling the store for the others",
        "1",
        vec![
            step(T, &v3("q-1"), "OK"),
            step(T, &v3("q-2"), "Throttling.User"),
            step(T, &signed(&check_code(), SignatureVersion::V3, OTHER_ID, T, "q-3"), "OK"),
        ],
    );
    quota["verifier"] = json!({"per_key_quota": 1});
    s.push(quota);

    // 2. The window edge: accepted at |now - ts| == window, and the nonce still remembered then.
    s.push(scenario(
        "V3 replay at exactly ts + window is refused, one second later the timestamp is expired",
        "2",
        vec![
            step(T, &v3("e-1"), "OK"),
            step(T + 900, &v3("e-1"), "SignatureNonceUsed"),
            step(T + 901, &v3("e-1"), "InvalidTimeStamp.Expired"),
        ],
    ));
    let future = signed(&check_code(), SignatureVersion::V1, ID, T + 900, "e-2");
    s.push(scenario(
        "V1 with a timestamp a full window ahead: accepted, and its replay refused through ts + window",
        "2",
        vec![step(T, &future, "OK"), step(T + 1800, &future, "SignatureNonceUsed")],
    ));

    // 3. Nonce bounds.
    let long = "n".repeat(129);
    s.push(scenario(
        "nonces longer than 128 characters or outside A-Z a-z 0-9 - _ . ~ are refused",
        "3",
        vec![
            step(T, &v1(&"n".repeat(128)), "OK"),
            step(T, &v1(&long), "InvalidParameter"),
            step(T, &v3(&long), "InvalidParameter"),
            step(T, &v1("a b"), "InvalidParameter"),
            step(T, &v3("nonce/1"), "InvalidParameter"),
        ],
    ));

    // 4. Empty nonces.
    let mut blank = v3("");
    set_header(&mut blank, "x-acs-signature-nonce", b"   ");
    s.push(scenario(
        "an empty nonce is a missing parameter",
        "4",
        vec![step(T, &v1(""), "MissingParameter"), step(T, &blank, "MissingParameter")],
    ));

    // 5. Repeated parameters and headers, even when the signature covers every value.
    let two_actions = signed(&check_code().param("Action", "SendSmsVerifyCode"), SignatureVersion::V1, ID, T, "r-1");
    let two_nonces = signed(&check_code().param("SignatureNonce", "r-2b"), SignatureVersion::V1, ID, T, "r-2");
    let two_phones = signed(&check_code().param("PhoneNumber", "13900000000"), SignatureVersion::V3, ID, T, "r-3");
    let mut two_auth = v3("r-4");
    let auth = header(&two_auth, "authorization");
    two_auth.headers.push(("Authorization".into(), auth.into_bytes()));
    let mut query_and_form = v1("r-5");
    query_and_form.headers.push(("content-type".into(), b"application/x-www-form-urlencoded".to_vec()));
    query_and_form.body = b"VerifyCode=9999".to_vec();
    let mut two_dates = v3("r-6");
    let date = header(&two_dates, "x-acs-date");
    two_dates.headers.push(("x-acs-date".into(), date.into_bytes()));
    s.push(scenario(
        "a repeated signing or business parameter, or a repeated Authorization header, is refused",
        "5",
        vec![
            step(T, &two_actions, "InvalidParameter"),
            step(T, &two_nonces, "InvalidParameter"),
            step(T, &two_phones, "InvalidParameter"),
            step(T, &two_auth, "InvalidParameter"),
            step(T, &query_and_form, "InvalidParameter"),
            step(T, &two_dates, "InvalidParameter"),
        ],
    ));

    // 6. content-type must be signed when there is a body.
    let body = b"VerifyCode=1234&CodeLength=8&ReturnVerifyCode=true";
    s.push(scenario(
        "a body whose content-type is not signed is refused, whichever type is sent",
        "6",
        vec![
            step(T, &v3_with_body("c-1", body, "application/x-www-form-urlencoded", true), "OK"),
            step(T, &v3_with_body("c-2", body, "application/x-www-form-urlencoded", false), "IncompleteSignature"),
            step(T, &v3_with_body("c-3", body, "text/plain", false), "IncompleteSignature"),
        ],
    ));

    // 7. Raw bytes, not lossy text.
    let signed_fffd = v3_with_body("l-1", "VerifyCode=\u{FFFD}".as_bytes(), "application/x-www-form-urlencoded", true);
    let mut raw_ff = signed_fffd.clone();
    raw_ff.body = b"VerifyCode=\xff".to_vec();
    let mut padded = v3("l-2");
    let host = header(&padded, "host");
    set_header(&mut padded, "host", format!("{host}\u{3000}").as_bytes());
    let mut nbsp = v3("l-3");
    let action = header(&nbsp, "x-acs-action");
    set_header(&mut nbsp, "x-acs-action", format!("\u{00A0}{action}").as_bytes());
    let mut ascii_pad = v3("l-4");
    set_header(&mut ascii_pad, "x-acs-action", format!(" \t{action} ").as_bytes());
    s.push(scenario(
        "bodies and header values are verified as the bytes that arrived",
        "7",
        vec![
            step(T, &raw_ff, "InvalidParameter"),
            step(T, &padded, "SignatureDoesNotMatch"),
            step(T, &nbsp, "SignatureDoesNotMatch"),
            step(T, &ascii_pad, "OK"),
        ],
    ));

    // 8. Host binding.
    let evil = sign(
        &RpcRequest { host: "evil.example".into(), ..check_code() },
        SignatureVersion::V3,
        &creds(ID),
        &Stamp::new(T, "h-1"),
    )
    .to_http_request();
    let mut evil_v1 = v1("h-2");
    set_header(&mut evil_v1, "host", b"evil.example");
    s.push(scenario(
        "a request for another host is refused",
        "8",
        vec![step(T, &evil, "SignatureDoesNotMatch"), step(T, &evil_v1, "SignatureDoesNotMatch")],
    ));

    // 9. Lax rewrites of the signature.
    let mut junk = v1("s-1");
    junk.query.push_str("&Signature=junk");
    let mut dup = v3("s-2");
    let auth = header(&dup, "authorization");
    set_header(&mut dup, "authorization", format!("{auth},Signature=junk").as_bytes());
    s.push(scenario(
        "an extra Signature parameter or a repeated Authorization field is refused",
        "9",
        vec![step(T, &junk, "InvalidParameter"), step(T, &dup, "IncompleteSignature")],
    ));

    // 11. Repeated headers, the official way.
    let repeated = sign(
        &check_code().header("x-acs-test", "https").header("x-acs-TEST", "http"),
        SignatureVersion::V3,
        &creds(ID),
        &Stamp::new(T, "o-1"),
    )
    .to_http_request();
    let mut twice = repeated.clone();
    let auth = header(&twice, "authorization");
    set_header(&mut twice, "authorization", auth.replace("x-acs-test", "x-acs-test;x-acs-test").as_bytes());
    s.push(scenario(
        "a repeated header is one signed entry; naming it twice in SignedHeaders is refused",
        "11",
        vec![step(T, &repeated, "OK"), step(T, &twice, "IncompleteSignature")],
    ));

    json!({
        "description": "Hostile requests and the verdict every Verifier (Rust, C, Python, Node) and the emulator must give. Each scenario runs its steps in order on one fresh verifier built from the defaults plus `verifier` and `expected_hosts`; `now` is the verification time (Unix seconds); `expect` is OK or the gateway code; `kind` the error kind. A body that is not UTF-8 is given as `body_hex`. Generated by core/tests/hostile.rs.",
        "clock": T,
        "window_seconds": 900,
        "keys": {ID: SECRET, OTHER_ID: OTHER_SECRET},
        "expected_hosts": [HOST],
        "scenarios": s,
    })
}

#[test]
fn corpus_file_is_current() {
    let text = format!("{}\n", serde_json::to_string_pretty(&corpus()).unwrap());
    if std::env::var_os("SMSAUTH_REGENERATE").is_some() {
        std::fs::write(path(), &text).unwrap();
    }
    let on_disk = std::fs::read_to_string(path()).unwrap();
    assert!(on_disk == text, "tests/vectors/hostile.json is stale: rerun with SMSAUTH_REGENERATE=1");
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn request_from(v: &Value) -> HttpRequest {
    let mut req =
        HttpRequest::new(v["method"].as_str().unwrap(), v["path"].as_str().unwrap(), v["query"].as_str().unwrap());
    for h in v["headers"].as_array().unwrap() {
        req = req.with_header(h[0].as_str().unwrap(), h[1].as_str().unwrap());
    }
    req.body = match (v.get("body_hex"), v.get("body")) {
        (Some(h), _) => unhex(h.as_str().unwrap()),
        (None, Some(b)) => b.as_str().unwrap().as_bytes().to_vec(),
        (None, None) => Vec::new(),
    };
    req
}

#[test]
fn every_hostile_request_gets_its_verdict() {
    let corpus: Value = serde_json::from_str(&std::fs::read_to_string(path()).unwrap()).unwrap();
    let keys = corpus["keys"].as_object().unwrap().clone();
    let hosts: Vec<String> =
        corpus["expected_hosts"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_owned()).collect();
    let lookup = |id: &str| keys.get(id).and_then(Value::as_str).map(Secret::new);
    let mut steps = 0;
    for sc in corpus["scenarios"].as_array().unwrap() {
        let opts = &sc["verifier"];
        let mut config = VerifierConfig {
            window: std::time::Duration::from_secs(corpus["window_seconds"].as_u64().unwrap()),
            expected_hosts: hosts.clone(),
            per_key_quota: opts["per_key_quota"].as_u64().map(|n| n as usize),
            ..Default::default()
        };
        if let Some(n) = opts["nonce_capacity"].as_u64() {
            config.nonce_capacity = n as usize;
        }
        let verifier = Verifier::from_config(&config).unwrap();
        for st in sc["steps"].as_array().unwrap() {
            let req = request_from(&st["request"]);
            let got = verifier.verify(&req, st["now"].as_u64().unwrap(), lookup);
            let what = format!("{} / step {}", sc["name"], steps);
            match (st["expect"].as_str().unwrap(), got) {
                ("OK", Ok(_)) => {}
                ("OK", Err(e)) => panic!("{what}: refused with {}: {e}", e.code()),
                (code, Ok(_)) => panic!("{what}: accepted, expected {code}"),
                (code, Err(e)) => {
                    assert_eq!(e.code(), code, "{what}: {e}");
                    let err = smsauth::Error::from(e);
                    assert_eq!(err.kind().name(), st["kind"].as_str().unwrap(), "{what}");
                    assert_eq!(err.service_code(), Some(code), "{what}");
                }
            }
            steps += 1;
        }
    }
    assert!(steps >= 35, "{steps}");
}

#[test]
fn a_header_byte_that_is_not_utf8_is_refused_not_reinterpreted() {
    // Signed as U+FFFD, sent as the raw byte 0xFF (which a lossy conversion would turn into it).
    let mut req =
        sign(&check_code().header("x-acs-note", "\u{FFFD}"), SignatureVersion::V3, &creds(ID), &Stamp::new(T, "u-1"))
            .to_http_request();
    set_header(&mut req, "x-acs-note", b"\xff");
    let err = Verifier::new().verify(&req, T, |_| Some(Secret::new(SECRET))).unwrap_err();
    assert_eq!(err.code(), "InvalidParameter", "{err}");
}

#[test]
fn a_signature_mismatch_never_echoes_the_sts_token() {
    let token = "CAIS+token/with=chars";
    let c = creds(ID).with_security_token(token).unwrap();
    for v in [SignatureVersion::V1, SignatureVersion::V3] {
        let req = sign(&check_code(), v, &c, &Stamp::new(T, "t-1")).to_http_request();
        let err = Verifier::new().verify(&req, T, |_| Some(Secret::new("wrong"))).unwrap_err();
        let smsauth::sign::VerifyError::SignatureDoesNotMatch { string_to_sign, canonical_request } = &err else {
            panic!("{err}")
        };
        for text in [string_to_sign, canonical_request, &err.to_string()] {
            assert!(!text.contains("CAIS"), "{v}: {text}");
        }
        // The token's place is still visible, so the client can compare the rest.
        assert!(canonical_request.contains("***"), "{v}: {canonical_request}");
    }
}

#[test]
fn the_window_has_a_documented_maximum_and_never_overflows() {
    let err = Verifier::new().window(std::time::Duration::from_secs(u64::MAX)).unwrap_err();
    assert_eq!(err.field(), Some("window"));
    let widest = Verifier::new().window(Verifier::MAX_WINDOW).unwrap();
    // A request at the far end of time: expiry arithmetic saturates instead of wrapping.
    let req = v1("w-1");
    widest.verify(&req, T, |_| Some(Secret::new(SECRET))).unwrap();
    assert!(Verifier::new().window(Verifier::MAX_WINDOW + std::time::Duration::from_secs(1)).is_err());
}

#[test]
fn the_signer_refuses_what_http_would_change() {
    for (req, field) in [
        (RpcRequest::new("evil.example\r\nx: y", "A", "V"), "host"),
        (RpcRequest::new("a b", "A", "V"), "host"),
        (RpcRequest::new(HOST, "A", "V").method("GE T"), "method"),
        (RpcRequest::new(HOST, "A\r\n", "V"), "action"),
        (RpcRequest::new(HOST, "A", "V").header("x-acs-a\n", "v"), "headers"),
        (RpcRequest::new(HOST, "A", "V").header("x-acs-a", "v\0"), "headers"),
    ] {
        let err = req.check().unwrap_err();
        assert_eq!((err.kind(), err.field()), (smsauth::ErrorKind::InvalidInput, Some(field)), "{err}");
    }
    for host in ["127.0.0.1:8080", "[::1]:443", "localhost", HOST] {
        RpcRequest::new(host, "A", "V").check().unwrap();
    }
}

#[test]
fn an_expected_host_may_allow_any_port() {
    let lookup = |_: &str| Some(Secret::new(SECRET));
    let req = v3("p-1");
    let any_port = Verifier::new().without_nonce_check().expected_hosts([format!("{HOST}:*")]);
    any_port.verify(&req, T, lookup).unwrap();
    let on_port = sign(
        &RpcRequest { host: format!("{HOST}:8443"), ..check_code() },
        SignatureVersion::V3,
        &creds(ID),
        &Stamp::new(T, "p-2"),
    );
    any_port.verify(&on_port.to_http_request(), T, lookup).unwrap();
    let exact = Verifier::new().without_nonce_check().expected_hosts([HOST]);
    let err = exact.verify(&on_port.to_http_request(), T, lookup).unwrap_err();
    assert!(err.to_string().contains(&format!("{HOST}:8443")), "{err}");
    let other = Verifier::new().without_nonce_check().expected_hosts(["other.example:*"]);
    assert_eq!(other.verify(&req, T, lookup).unwrap_err().code(), "SignatureDoesNotMatch");
}
