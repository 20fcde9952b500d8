#![no_main]
//! Arbitrary captured requests: verification (V1 or V3, chosen by the input) returns a typed
//! error or a verified request, never panics; a verified request must really carry our key.
use libfuzzer_sys::fuzz_target;
use smsauth::Secret;
use smsauth::sign::{HttpRequest, Verifier};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\n');
    let mut next = || parts.next().unwrap_or_default().to_owned();
    let method = next();
    let query = next();
    let auth = next();
    let date = next();
    let body = next();
    let mut headers = vec![("host".to_owned(), "dypnsapi.aliyuncs.com".to_owned())];
    if !auth.is_empty() {
        headers.push(("Authorization".into(), auth));
    }
    if !date.is_empty() {
        headers.push(("x-acs-date".into(), date));
        headers.push(("content-type".into(), "application/x-www-form-urlencoded".into()));
    }
    let headers = headers.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
    let req = HttpRequest { method, path: "/".into(), query, headers, body: body.into_bytes() };
    if let Ok(v) = Verifier::new().verify(&req, 1_735_787_045, |id| (id == "k").then(|| Secret::new("s"))) {
        assert_eq!(v.access_key_id, "k");
    }
});
