//! The shared behaviour table's sign and verify rows (`tests/behaviour/sign.json`) through the
//! Rust API: `RpcRequest::with_defaults` + `SignOptions::sign`, then `Verifier::verify_keys`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use smsauth::sign::{
    AccessKeys, HttpRequest, RpcRequest, SignOptions, SignatureVersion, SignedRequest, Verifier, VerifierConfig,
    unix_now,
};

fn rows() -> Vec<Value> {
    let path = format!("{}/../tests/behaviour/sign.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("sign.json")).expect("JSON");
    v["cases"].as_array().expect("cases").clone()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    let list = v.as_array().map(Vec::as_slice).unwrap_or_default();
    list.iter().map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_str().unwrap().to_owned())).collect()
}

fn sign(s: &Value) -> smsauth::Result<SignedRequest> {
    let text = |k: &str| s[k].as_str();
    let mut req = RpcRequest::with_defaults(text("host"), text("action").unwrap(), text("version"));
    if let Some(m) = text("method") {
        req.method = m.to_owned();
    }
    req.params = pairs(&s["params"]);
    req.headers = pairs(&s["headers"]);
    let version = text("signature_version").map(str::parse::<SignatureVersion>).transpose()?.unwrap_or_default();
    let options = SignOptions {
        security_token: text("security_token"),
        version,
        timestamp: s["timestamp"].as_u64(),
        nonce: text("nonce"),
        ..SignOptions::new(text("access_key_id").unwrap_or("testid"), text("access_key_secret").unwrap_or("testsecret"))
    };
    options.sign(&req)
}

/// The signed request as the server receives it, changed as the row says.
fn received(signed: &SignedRequest, v: &Value) -> HttpRequest {
    let mut query = format!("{}{}", v["query_prefix"].as_str().unwrap_or(""), signed.query);
    if let Some(r) = v["replace"].as_array() {
        query = query.replace(r[0].as_str().unwrap(), r[1].as_str().unwrap());
    }
    let mut req = HttpRequest::new(&signed.method, &signed.path, query);
    req.headers = signed.headers.iter().map(|(k, v)| (k.clone(), v.clone().into_bytes())).collect();
    req
}

fn check_signed(name: &str, signed: &SignedRequest, e: &Value) {
    if let Some(v) = e["version"].as_str() {
        assert_eq!(signed.version.as_str(), v, "{name}");
    }
    if let Some(m) = e["method"].as_str() {
        assert_eq!(signed.method, m, "{name}");
    }
    for (k, v) in pairs(&e["headers"]) {
        assert_eq!(signed.header(&k), Some(v.as_str()), "{name}: header {k}");
    }
    if let Some(q) = e["query"].as_str() {
        assert_eq!(signed.query, q, "{name}");
    }
    if let Some(sig) = e["signature"].as_str() {
        assert_eq!(signed.explain().signature, sig, "{name}");
    }
    if e["fresh"].as_bool() == Some(true) {
        let nonce = signed.header("x-acs-signature-nonce").unwrap();
        assert!(
            nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{nonce}"
        );
        let date = smsauth::sign::parse_timestamp(signed.header("x-acs-date").unwrap()).unwrap();
        assert!(date.abs_diff(unix_now()) <= 60, "{name}: {date}");
    }
}

#[test]
fn every_sign_row() {
    let rows = rows();
    assert!(rows.len() >= 15);
    for row in rows {
        let name = row["name"].as_str().unwrap();
        if row["skip"]["rust"].is_string() {
            continue;
        }
        let e = &row["expect"];
        let outcome = sign(&row["sign"]).and_then(|signed| {
            let v = &row["verify"];
            if v.is_null() {
                check_signed(name, &signed, e);
                return Ok(None);
            }
            let verifier = Verifier::from_config(&VerifierConfig { check_nonces: false, ..Default::default() })?;
            let keys = AccessKeys::from_pairs(&[("testid", "testsecret")])?;
            verifier.verify_keys(&received(&signed, v), v["now"].as_u64(), &keys).map(Some)
        });
        match (outcome, e["kind"].as_str()) {
            (Ok(verified), None) => {
                if let Some(verified) = verified {
                    assert_eq!(Some(verified.action.as_str()), e["action"].as_str(), "{name}");
                    let p = e["param"].as_array().unwrap();
                    assert_eq!(verified.param(p[0].as_str().unwrap()), p[1].as_str(), "{name}");
                }
            }
            (Ok(_), Some(kind)) => panic!("{name}: succeeded, expected {kind}"),
            (Err(err), Some(kind)) => {
                assert_eq!(err.kind().name(), kind, "{name}: {err}");
                if let Some(field) = e["field"].as_str() {
                    assert_eq!(err.field(), Some(field), "{name}: {err}");
                }
                assert_eq!(err.service_code(), e["code"].as_str(), "{name}: {err}");
            }
            (Err(err), None) => panic!("{name}: {err}"),
        }
    }
}
