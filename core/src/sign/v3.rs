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

use super::encode::{AsciiBuf, AsciiWrite, Digesting};

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

/// Write the canonical request. `headers` are `(lower-case name, trimmed value)` sorted by name;
/// every one of them is signed, so `SignedHeaders` is their names joined by `;`.
pub(crate) fn write_canonical_request<K: AsRef<str>, V: AsRef<str>>(
    out: &mut impl AsciiWrite,
    method: &str,
    path: &str,
    canonical_query: &str,
    headers: &[(K, V)],
    payload_hash: &str,
) {
    for part in [method, path, canonical_query] {
        out.push(part.as_bytes());
        out.push(b"\n");
    }
    for (name, value) in headers {
        out.push(name.as_ref().as_bytes());
        out.push(b":");
        out.push(value.as_ref().as_bytes());
        out.push(b"\n");
    }
    out.push(b"\n");
    write_signed_headers(out, headers);
    out.push(b"\n");
    out.push(payload_hash.as_bytes());
}

/// Write `SignedHeaders`: the names of `headers` joined by `;`.
fn write_signed_headers<K: AsRef<str>, V>(out: &mut impl AsciiWrite, headers: &[(K, V)]) {
    for (i, (name, _)) in headers.iter().enumerate() {
        if i > 0 {
            out.push(b";");
        }
        out.push(name.as_ref().as_bytes());
    }
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
    let mut signed = AsciiBuf::with_capacity(headers.iter().map(|(k, _)| k.as_ref().len() + 1).sum());
    write_signed_headers(&mut signed, headers);
    (canonical_request_text(method, path, canonical_query, headers, payload_hash), signed.finish())
}

/// [`canonical_request`] without `SignedHeaders` apart.
pub(crate) fn canonical_request_text<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    path: &str,
    canonical_query: &str,
    headers: &[(K, V)],
    payload_hash: &str,
) -> String {
    let names: usize = headers.iter().map(|(k, _)| k.as_ref().len() + 1).sum();
    let values: usize = headers.iter().map(|(_, v)| v.as_ref().len() + 2).sum();
    let len = method.len() + path.len() + canonical_query.len() + 2 * names + values + payload_hash.len() + 5;
    let mut out = AsciiBuf::with_capacity(len);
    write_canonical_request(&mut out, method, path, canonical_query, headers, payload_hash);
    out.finish()
}

/// The string-to-sign of a canonical request that is hashed as it is written (never built).
pub(crate) fn string_to_sign_of<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    path: &str,
    canonical_query: &str,
    headers: &[(K, V)],
    payload_hash: &str,
) -> [u8; STRING_TO_SIGN_LEN] {
    let mut hash = Sha256::new();
    let mut out = Digesting::new(|bytes: &[u8]| hash.update(bytes));
    write_canonical_request(&mut out, method, path, canonical_query, headers, payload_hash);
    out.finish();
    string_to_sign_from_hash(&hash.finalize().into())
}

/// `ACS3-HMAC-SHA256\n` + the hex of a canonical request's SHA-256, on the stack.
fn string_to_sign_from_hash(hash: &[u8; 32]) -> [u8; STRING_TO_SIGN_LEN] {
    let mut out = [0u8; STRING_TO_SIGN_LEN];
    out[..ALGORITHM.len()].copy_from_slice(ALGORITHM.as_bytes());
    out[ALGORITHM.len()] = b'\n';
    out[ALGORITHM.len() + 1..].copy_from_slice(&hex32(hash));
    out
}

/// `ACS3-HMAC-SHA256\n` + hex(SHA256(canonical_request)), on the stack.
pub(crate) fn string_to_sign_bytes(canonical_request: &str) -> [u8; STRING_TO_SIGN_LEN] {
    string_to_sign_from_hash(&Sha256::digest(canonical_request.as_bytes()).into())
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

/// [`authorization`] with `SignedHeaders` written from the signed `headers` themselves.
pub(crate) fn authorization_for<K: AsRef<str>, V>(access_key_id: &str, headers: &[(K, V)], signature: &str) -> String {
    let names: usize = headers.iter().map(|(k, _)| k.as_ref().len() + 1).sum();
    let mut out = AsciiBuf::with_capacity(ALGORITHM.len() + 38 + access_key_id.len() + names + signature.len());
    for part in [ALGORITHM, " Credential=", access_key_id, ",SignedHeaders="] {
        out.push(part.as_bytes());
    }
    write_signed_headers(&mut out, headers);
    out.push(b",Signature=");
    out.push(signature.as_bytes());
    out.finish()
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
