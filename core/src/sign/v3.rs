//! ACS3-HMAC-SHA256 ("V3"), the official SDKs' default.
//!
//! canonical request = `METHOD\nPATH\nCANONICAL_QUERY\nCANONICAL_HEADERS\nSIGNED_HEADERS\nHEX(SHA256(body))`;
//! string-to-sign = `ACS3-HMAC-SHA256\n` + hex(SHA256(canonical request)); the signature is the
//! hex HMAC-SHA256 of that with the raw secret.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name that opens the `Authorization` header and the string-to-sign.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Hex SHA-256 of the empty body, which every Dypnsapi call sends.
pub const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    out
}

/// Hex SHA-256 of a body.
pub fn sha256_hex(body: &[u8]) -> String {
    if body.is_empty() {
        return EMPTY_BODY_SHA256.to_owned();
    }
    hex(&Sha256::digest(body))
}

/// Build the canonical request. `headers` are `(lower-case name, trimmed value)` sorted by name;
/// every one of them is signed. Returns `(canonical_request, signed_headers)`.
pub(crate) fn canonical_request(
    method: &str,
    path: &str,
    canonical_query: &str,
    headers: &[(String, String)],
    payload_hash: &str,
) -> (String, String) {
    let mut signed = String::with_capacity(headers.len() * 16);
    let mut out = String::with_capacity(
        256 + canonical_query.len() + headers.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>() * 2,
    );
    out.push_str(method);
    out.push('\n');
    out.push_str(path);
    out.push('\n');
    out.push_str(canonical_query);
    out.push('\n');
    for (i, (name, value)) in headers.iter().enumerate() {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
        if i > 0 {
            signed.push(';');
        }
        signed.push_str(name);
    }
    out.push('\n');
    out.push_str(&signed);
    out.push('\n');
    out.push_str(payload_hash);
    (out, signed)
}

/// `ACS3-HMAC-SHA256\n` + hex(SHA256(canonical_request)).
pub(crate) fn string_to_sign(canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + 65);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(&hex(&Sha256::digest(canonical_request.as_bytes())));
    out
}

/// Hex HMAC-SHA256(secret, string_to_sign).
pub(crate) fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(string_to_sign.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`.
pub(crate) fn authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    format!("{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}")
}

/// Canonical headers the official SDKs' way (`get_canonicalized_headers`): names lower-cased,
/// each value trimmed of ASCII space and tab, a repeated header grouped into one entry whose
/// values are sorted and joined with `,`; entries sorted by name.
pub(crate) fn canonical_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    let mut all: Vec<(String, &str)> =
        headers.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v.trim_matches([' ', '\t']))).collect();
    all.sort_unstable();
    let mut out: Vec<(String, String)> = Vec::with_capacity(all.len());
    for (name, value) in all {
        match out.last_mut() {
            Some((last, joined)) if *last == name => {
                joined.push(',');
                joined.push_str(value);
            }
            _ => out.push((name, value.to_owned())),
        }
    }
    out
}

/// Is this header signed under the V3 rule (host, content-type and every `x-acs-*`)?
pub(crate) fn is_signed_by_default(lower_name: &str) -> bool {
    lower_name == "host" || lower_name == "content-type" || lower_name.starts_with("x-acs-")
}
