//! RPC signature, HMAC-SHA1 ("V1", `SignatureVersion=1.0`).
//!
//! string-to-sign = `METHOD & %2F & enc(canonical query)`, where the canonical query is every
//! parameter except `Signature`, sorted by name, each `enc(name)=enc(value)`, joined by `&`; the
//! key is `secret + "&"`; the signature is Base64.

use std::cmp::Ordering;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::encode::AsciiBuf;

/// The order both official SDKs sort parameters in: by name (byte order), then by value.
fn by_name_then_value<K: AsRef<str>, V: AsRef<str>>(a: &(K, V), b: &(K, V)) -> Ordering {
    a.0.as_ref().cmp(b.0.as_ref()).then_with(|| a.1.as_ref().cmp(b.1.as_ref()))
}

/// Sort parameters the way both official SDKs do: by name (byte order), then by value. Input
/// that is already sorted (a query our signer built) is only checked.
pub(crate) fn sort_params<K: AsRef<str>, V: AsRef<str>>(params: &mut [(K, V)]) {
    if !params.is_sorted_by(|a, b| by_name_then_value(a, b) != Ordering::Greater) {
        params.sort_unstable_by(by_name_then_value);
    }
}

/// Merge two lists sorted by [`sort_params`] into one sorted list: the signer's common
/// parameters come pre-sorted, so only the business ones need sorting.
pub(crate) fn merge_sorted<'a>(a: &[(&'a str, &'a str)], b: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        if by_name_then_value(x, y) == Ordering::Greater {
            out.push(*y);
            j += 1;
        } else {
            out.push(*x);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The canonical query string of already-sorted parameters.
pub(crate) fn canonical_query<K: AsRef<str>, V: AsRef<str>>(sorted: &[(K, V)]) -> String {
    let mut out =
        AsciiBuf::with_capacity(sorted.iter().map(|(k, v)| k.as_ref().len() + v.as_ref().len() * 3 + 2).sum());
    for (i, (k, v)) in sorted.iter().enumerate() {
        if i > 0 {
            out.push_ascii(b"&");
        }
        out.encode(k.as_ref().as_bytes());
        out.push_ascii(b"=");
        out.encode(v.as_ref().as_bytes());
    }
    out.finish()
}

/// `METHOD&%2F&enc(canonical)`.
pub(crate) fn string_to_sign(method: &str, canonical: &str) -> String {
    let mut out = AsciiBuf::with_capacity(method.len() + 5 + canonical.len() * 3 / 2);
    out.encode(method.as_bytes());
    out.push_ascii(b"&%2F&");
    out.encode(canonical.as_bytes());
    out.finish()
}

/// The canonical query and the string-to-sign of already-sorted parameters in one pass over
/// them (signing's hot path).
pub(crate) fn canonical_and_string_to_sign(method: &str, sorted: &[(&str, &str)]) -> (String, String) {
    let len: usize = sorted.iter().map(|(k, v)| k.len() + v.len() * 2 + 2).sum();
    let mut canonical = AsciiBuf::with_capacity(len);
    let mut sts = AsciiBuf::with_capacity(method.len() + 5 + len * 3 / 2);
    sts.encode(method.as_bytes());
    sts.push_ascii(b"&%2F&");
    for (i, (k, v)) in sorted.iter().enumerate() {
        if i > 0 {
            canonical.push_ascii(b"&");
            sts.push_ascii(b"%26");
        }
        canonical.encode(k.as_bytes());
        sts.encode_twice(k.as_bytes());
        canonical.push_ascii(b"=");
        sts.push_ascii(b"%3D");
        canonical.encode(v.as_bytes());
        sts.encode_twice(v.as_bytes());
    }
    (canonical.finish(), sts.finish())
}

/// Length of a V1 signature: Base64 of a 20-byte HMAC-SHA1.
pub(crate) const SIGNATURE_LEN: usize = 28;

/// Base64(HMAC-SHA1(secret + "&", string_to_sign)), on the stack.
pub(crate) fn signature_bytes(secret: &str, string_to_sign: &str) -> [u8; SIGNATURE_LEN] {
    // The key is `secret&`; a usual secret (30 characters) fits the stack buffer, which is wiped
    // on drop like the heap one a longer secret needs.
    let mut small = zeroize::Zeroizing::new([0u8; 64]);
    let mut large = zeroize::Zeroizing::new(Vec::new());
    let key: &[u8] = if secret.len() < small.len() {
        small[..secret.len()].copy_from_slice(secret.as_bytes());
        small[secret.len()] = b'&';
        &small[..=secret.len()]
    } else {
        large.extend_from_slice(secret.as_bytes());
        large.push(b'&');
        &large
    };
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(string_to_sign.as_bytes());
    let mut out = [0u8; SIGNATURE_LEN];
    // 20 bytes always encode to exactly 28.
    let _ = base64::engine::general_purpose::STANDARD.encode_slice(mac.finalize().into_bytes(), &mut out);
    out
}

/// Base64(HMAC-SHA1(secret + "&", string_to_sign)).
pub(crate) fn signature(secret: &str, string_to_sign: &str) -> String {
    super::v3::ascii(&signature_bytes(secret, string_to_sign)).to_owned()
}
