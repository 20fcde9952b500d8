#![no_main]
//! Differential: sign a request built from the input, check the Verifier accepts it, then
//! change one byte of one signed part (query, a signed header's value, the body of a V3 form
//! request, or the method) and assert the Verifier never accepts the result unless the change
//! is invisible to the server (the same decoded query and the same ASCII-trimmed headers).
use libfuzzer_sys::fuzz_target;
use smsauth::sign::{HttpRequest, RpcRequest, SignatureVersion, Stamp, Verifier, parse_query, sign};
use smsauth::{Credentials, Secret};

const NOW: u64 = 1_735_787_045;

fn trimmed(req: &HttpRequest) -> Vec<(String, Vec<u8>)> {
    req.headers
        .iter()
        .map(|(k, v)| {
            let start = v.iter().position(|b| !matches!(b, b' ' | b'\t')).unwrap_or(v.len());
            let end = v.iter().rposition(|b| !matches!(b, b' ' | b'\t')).map_or(start, |i| i + 1);
            (k.to_ascii_lowercase(), v[start..end].to_vec())
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else { return };
    let Some((&at, rest)) = rest.split_first() else { return };
    let Some((&replacement, rest)) = rest.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let mut req = RpcRequest::new("dypnsapi.aliyuncs.com", "CheckSmsVerifyCode", "2017-05-25");
    for (i, line) in text.split('\n').take(8).enumerate() {
        req = req.param(format!("P{i}"), line);
    }
    let version = if control & 1 == 0 { SignatureVersion::V1 } else { SignatureVersion::V3 };
    let Ok(creds) = Credentials::new("k", "s") else { return };
    let signed = sign(&req, version, &creds, &Stamp::new(NOW, "fuzz-nonce")).to_http_request();
    let lookup = |id: &str| (id == "k").then(|| Secret::new("s"));
    let verifier = Verifier::new().without_nonce_check();
    if verifier.verify(&signed, NOW, lookup).is_err() {
        // Only a parameter the verifier bounds (a name repeated by the input) may refuse.
        return;
    }
    let mut bad = signed.clone();
    let mutate = |bytes: &mut Vec<u8>| -> bool {
        if bytes.is_empty() {
            return false;
        }
        let i = usize::from(at) % bytes.len();
        let changed = bytes[i] != replacement;
        bytes[i] = replacement;
        changed
    };
    let changed = match (control >> 1) % 3 {
        1 if version == SignatureVersion::V3 => {
            let i = usize::from(at) % bad.headers.len();
            mutate(&mut bad.headers[i].1)
        }
        part => {
            let text = if part == 0 { &mut bad.query } else { &mut bad.method };
            let mut bytes = text.clone().into_bytes();
            let changed = mutate(&mut bytes);
            match String::from_utf8(bytes) {
                Ok(s) => *text = s,
                Err(_) => return,
            }
            changed
        }
    };
    if !changed {
        return;
    }
    let same_query = parse_query(&bad.query).ok() == parse_query(&signed.query).ok();
    if same_query && trimmed(&bad) == trimmed(&signed) && bad.method == signed.method {
        return;
    }
    assert!(verifier.verify(&bad, NOW, lookup).is_err(), "a mutated signed request was accepted: {bad:?}");
});
