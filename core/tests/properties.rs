//! Property tests: whatever the parameters, what we sign verifies, encoding round-trips, and any
//! single-byte change to a signed request is rejected.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use smsauth::sign::{
    HttpRequest, RpcRequest, SignatureVersion, Stamp, Verifier, form_decode, parse_query, percent_encode, sign,
};
use smsauth::{Credentials, Secret};

const NOW: u64 = 1_735_787_045;

fn creds(token: bool) -> Credentials {
    let c = Credentials::new("LTAI5tPropKey", "prop-secret/+=").unwrap();
    if token { c.with_security_token("CAIS+token/==").unwrap() } else { c }
}

fn lookup(id: &str) -> Option<Secret> {
    (id == "LTAI5tPropKey").then(|| Secret::new("prop-secret/+="))
}

fn version() -> impl Strategy<Value = SignatureVersion> {
    prop_oneof![Just(SignatureVersion::V1), Just(SignatureVersion::V3)]
}

/// Parameter names as the API has them (letters), values anything printable or not.
fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[A-Z][A-Za-z]{0,15}", any::<String>()), 0..8).prop_map(|mut v| {
        // Names that collide with the signing parameters are not business parameters.
        v.retain(|(k, _)| {
            !matches!(
                k.as_str(),
                "AccessKeyId"
                    | "Action"
                    | "Format"
                    | "SignatureMethod"
                    | "SignatureNonce"
                    | "SignatureVersion"
                    | "Timestamp"
                    | "Version"
                    | "SecurityToken"
                    | "Signature"
            )
        });
        // Each name once: a repeated parameter is refused (see `repeating_any_parameter_is_refused`).
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.dedup_by(|a, b| a.0 == b.0);
        v
    })
}

fn signed(params: &[(String, String)], v: SignatureVersion, token: bool, nonce: &str) -> HttpRequest {
    let mut req = RpcRequest::new("dypnsapi.aliyuncs.com", "SendSmsVerifyCode", "2017-05-25");
    req.params = params.to_vec();
    sign(&req, v, &creds(token), &Stamp::new(NOW, nonce)).to_http_request()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn what_we_sign_verifies(params in params(), v in version(), token: bool, nonce in "[a-f0-9]{32}") {
        let req = signed(&params, v, token, &nonce);
        let ok = Verifier::new().verify(&req, NOW, lookup).unwrap();
        let mut got = ok.params.clone();
        let mut want = params.clone();
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
        prop_assert_eq!(ok.security_token.is_some(), token);
    }

    #[test]
    fn encoding_round_trips(s: String) {
        let enc = percent_encode(&s);
        prop_assert!(enc.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
        prop_assert_eq!(form_decode(&enc).unwrap(), s.clone());
        let pairs = parse_query(&format!("k={enc}")).unwrap();
        prop_assert_eq!(&pairs[0].1, &s);
    }

    #[test]
    fn any_single_byte_change_is_rejected(
        params in params(),
        v in version(),
        pick in any::<prop::sample::Index>(),
        replacement in 0u8..128,
        in_header in any::<bool>(),
    ) {
        let req = signed(&params, v, false, "00112233445566778899aabbccddeeff");
        let mut bad = req.clone();
        // Mutate one byte of the query or of a header the signature covers (V1 signs no header).
        if v == SignatureVersion::V3 && (in_header || bad.query.is_empty()) {
            let signed_headers: Vec<usize> = bad.headers.iter().enumerate()
                .filter(|(_, (k, _))| k.eq_ignore_ascii_case("host") || k.starts_with("x-acs-") || k == "Authorization")
                .map(|(i, _)| i).collect();
            let i = signed_headers[pick.index(signed_headers.len())];
            let bytes = &mut bad.headers[i].1;
            let at = pick.index(bytes.len().max(1)).min(bytes.len().saturating_sub(1));
            prop_assume!(!bytes.is_empty() && bytes[at] != replacement);
            // HTTP drops optional whitespace at either end of a value: not a change.
            prop_assume!(!(matches!(replacement, b' ' | b'\t') && (at == 0 || at + 1 == bytes.len())));
            bytes[at] = replacement;
        } else {
            let mut bytes = bad.query.clone().into_bytes();
            let at = pick.index(bytes.len().max(1)).min(bytes.len().saturating_sub(1));
            prop_assume!(!bytes.is_empty() && bytes[at] != replacement);
            bytes[at] = replacement;
            prop_assume!(String::from_utf8(bytes.clone()).is_ok());
            bad.query = String::from_utf8(bytes).unwrap();
        }
        // Percent-decoding can map two spellings to one value (`%41` vs `A`, `+` vs `%20`): a
        // change the server cannot see is not a change of the signed request.
        prop_assume!(parse_query(&bad.query).ok() != parse_query(&req.query).ok() || bad.headers != req.headers);
        let result = Verifier::new().verify(&bad, NOW, lookup);
        prop_assert!(result.is_err(), "accepted a mutated request: {:?}", bad);
    }

    /// Whatever the parameter (signing or business) and whatever the second value, sending it
    /// twice is refused, and so is a second copy of any single-valued V3 header.
    #[test]
    fn repeating_any_parameter_is_refused(
        params in params(),
        v in version(),
        token: bool,
        pick in any::<prop::sample::Index>(),
        same_value: bool,
        other in "[a-z0-9]{0,8}",
    ) {
        let req = signed(&params, v, token, "00112233445566778899aabbccddeeff");
        let pairs = parse_query(&req.query).unwrap();
        if !pairs.is_empty() {
            let (name, value) = &pairs[pick.index(pairs.len())];
            let mut bad = req.clone();
            let second = if same_value { value.clone() } else { other.clone() };
            bad.query.push_str(&format!("&{}={}", percent_encode(name), percent_encode(&second)));
            let err = Verifier::new().verify(&bad, NOW, lookup).unwrap_err();
            prop_assert_eq!(err.code(), "InvalidParameter", "{}: {}", name, err);
        }
        if v == SignatureVersion::V3 {
            let singles: Vec<usize> = req.headers.iter().enumerate()
                .filter(|(_, (k, _))| k.eq_ignore_ascii_case("host") || k.starts_with("x-acs-") || k == "Authorization")
                .map(|(i, _)| i).collect();
            let (name, value) = req.headers[singles[pick.index(singles.len())]].clone();
            let mut bad = req.clone();
            bad.headers.push((name.clone(), if same_value { value } else { other.into_bytes() }));
            let err = Verifier::new().verify(&bad, NOW, lookup).unwrap_err();
            prop_assert_eq!(err.code(), "InvalidParameter", "{}: {}", name, err);
        }
    }
}
