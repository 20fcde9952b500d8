//! ACS3-HMAC-SHA256 ("V3"), the official SDKs' default.
//!
//! canonical request = `METHOD\nPATH\nCANONICAL_QUERY\nCANONICAL_HEADERS\nSIGNED_HEADERS\nHEX(SHA256(body))`;
//! string-to-sign = `ACS3-HMAC-SHA256\n` + hex(SHA256(canonical request)); the signature is the
//! hex HMAC-SHA256 of that with the raw secret.
//!
//! The fixed-size parts (digests, the string-to-sign, the signature) are built in arrays on the
//! stack: signing and verifying allocate only what they hand back.

use std::borrow::Cow;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name that opens the `Authorization` header and the string-to-sign.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Hex SHA-256 of the empty body, which every Dypnsapi call sends.
pub const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Length of the string-to-sign: the algorithm, `\n` and 64 hex digits.
pub(crate) const STRING_TO_SIGN_LEN: usize = ALGORITHM.len() + 1 + 64;

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of 32 bytes, as ASCII bytes (no formatter, no allocation).
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[(b >> 4) as usize];
        pair[1] = DIGITS[(b & 0x0f) as usize];
    }
    out
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    out
}

/// Text of hex digits produced by [`hex32`] (always ASCII).
pub(crate) fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// Hex SHA-256 of a body.
pub fn sha256_hex(body: &[u8]) -> String {
    if body.is_empty() {
        return EMPTY_BODY_SHA256.to_owned();
    }
    hex(&Sha256::digest(body))
}

/// [`sha256_hex`] without allocating.
pub(crate) fn sha256_hex_bytes(body: &[u8]) -> [u8; 64] {
    hex32(&Sha256::digest(body).into())
}

/// Build the canonical request. `headers` are `(lower-case name, trimmed value)` sorted by name;
/// every one of them is signed. Returns `(canonical_request, signed_headers)`.
pub(crate) fn canonical_request<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    path: &str,
    canonical_query: &str,
    headers: &[(K, V)],
    payload_hash: &str,
) -> (String, String) {
    let mut signed = String::with_capacity(headers.iter().map(|(k, _)| k.as_ref().len() + 1).sum());
    let mut out = String::with_capacity(
        method.len()
            + path.len()
            + canonical_query.len()
            + payload_hash.len()
            + 5
            + headers.iter().map(|(k, v)| k.as_ref().len() * 2 + v.as_ref().len() + 3).sum::<usize>(),
    );
    out.push_str(method);
    out.push('\n');
    out.push_str(path);
    out.push('\n');
    out.push_str(canonical_query);
    out.push('\n');
    for (i, (name, value)) in headers.iter().enumerate() {
        out.push_str(name.as_ref());
        out.push(':');
        out.push_str(value.as_ref());
        out.push('\n');
        if i > 0 {
            signed.push(';');
        }
        signed.push_str(name.as_ref());
    }
    out.push('\n');
    out.push_str(&signed);
    out.push('\n');
    out.push_str(payload_hash);
    (out, signed)
}

/// `ACS3-HMAC-SHA256\n` + hex(SHA256(canonical_request)), on the stack.
pub(crate) fn string_to_sign_bytes(canonical_request: &str) -> [u8; STRING_TO_SIGN_LEN] {
    let mut out = [0u8; STRING_TO_SIGN_LEN];
    out[..ALGORITHM.len()].copy_from_slice(ALGORITHM.as_bytes());
    out[ALGORITHM.len()] = b'\n';
    out[ALGORITHM.len() + 1..].copy_from_slice(&hex32(&Sha256::digest(canonical_request.as_bytes()).into()));
    out
}

/// `ACS3-HMAC-SHA256\n` + hex(SHA256(canonical_request)).
pub(crate) fn string_to_sign(canonical_request: &str) -> String {
    ascii(&string_to_sign_bytes(canonical_request)).to_owned()
}

/// Hex HMAC-SHA256(secret, string_to_sign), on the stack.
pub(crate) fn signature_bytes(secret: &str, string_to_sign: &[u8]) -> [u8; 64] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(string_to_sign);
    hex32(&mac.finalize().into_bytes().into())
}

/// Hex HMAC-SHA256(secret, string_to_sign).
pub(crate) fn signature(secret: &str, string_to_sign: &str) -> String {
    ascii(&signature_bytes(secret, string_to_sign.as_bytes())).to_owned()
}

/// `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`.
pub(crate) fn authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    let parts = [ALGORITHM, " Credential=", access_key_id, ",SignedHeaders=", signed_headers, ",Signature=", signature];
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| out.push_str(p));
    out
}

/// Canonical headers the official SDKs' way (`get_canonicalized_headers`): names lower-cased,
/// each value trimmed of ASCII space and tab, a repeated header grouped into one entry whose
/// values are sorted and joined with `,`; entries sorted by name. Names and values are borrowed
/// unless lower-casing or grouping changes them; already-sorted input (what our signer builds)
/// is not sorted again.
pub(crate) fn canonical_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    let mut all: Vec<(Cow<'a, str>, &'a str)> = headers
        .into_iter()
        .map(|(k, v)| {
            let name = if k.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(k.to_ascii_lowercase())
            } else {
                Cow::Borrowed(k)
            };
            (name, v.trim_matches([' ', '\t']))
        })
        .collect();
    if !all.is_sorted() {
        all.sort_unstable();
    }
    let mut out: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(all.len());
    for (name, value) in all {
        match out.last_mut() {
            Some((last, joined)) if *last == name => {
                let joined = joined.to_mut();
                joined.push(',');
                joined.push_str(value);
            }
            _ => out.push((name, Cow::Borrowed(value))),
        }
    }
    out
}

/// Is this header signed under the V3 rule (host, content-type and every `x-acs-*`), in any case?
pub(crate) fn is_signed_by_default(name: &str) -> bool {
    name.eq_ignore_ascii_case("host")
        || name.eq_ignore_ascii_case("content-type")
        || name.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("x-acs-"))
}
