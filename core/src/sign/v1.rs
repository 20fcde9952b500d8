//! RPC signature, HMAC-SHA1 ("V1", `SignatureVersion=1.0`).
//!
//! string-to-sign = `METHOD & %2F & enc(canonical query)`, where the canonical query is every
//! parameter except `Signature`, sorted by name, each `enc(name)=enc(value)`, joined by `&`; the
//! key is `secret + "&"`; the signature is Base64.

use std::cmp::Ordering;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::encode::{AsciiBuf, AsciiWrite, Digesting, encoded_len};

/// The order both official SDKs sort parameters in: by name (byte order), then by value.
fn by_name_then_value<K: AsRef<str>, V: AsRef<str>>(a: &(K, V), b: &(K, V)) -> Ordering {
    bytewise(a.0.as_ref(), b.0.as_ref()).then_with(|| bytewise(a.1.as_ref(), b.1.as_ref()))
}

/// `a.cmp(b)`, settled by the first bytes when they differ (as parameter names mostly do)
/// without the call a whole comparison makes.
#[inline]
fn bytewise(a: &str, b: &str) -> Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.cmp(b),
    }
}

/// Sort parameters the way both official SDKs do: by name (byte order), then by value. Input
/// that is already sorted (a query our signer built) is only checked.
pub(crate) fn sort_params<K: AsRef<str>, V: AsRef<str>>(params: &mut [(K, V)]) {
    if !params.is_sorted_by(|a, b| by_name_then_value(a, b) != Ordering::Greater) {
        params.sort_unstable_by(by_name_then_value);
    }
}

/// Two lists sorted by [`sort_params`] as one sorted sequence: the signer's common parameters
/// come pre-sorted, so only the business ones need sorting (and nothing is collected).
pub(crate) fn merge_sorted<'s, 'a>(
    a: &'s [(&'a str, &'a str)],
    b: &'s [(&'a str, &'a str)],
) -> impl Iterator<Item = (&'a str, &'a str)> + Clone + 's {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if by_name_then_value(x, y) == Ordering::Greater => {
                j += 1;
                y
            }
            (Some(x), _) => {
                i += 1;
                x
            }
            (None, Some(y)) => {
                j += 1;
                y
            }
            (None, None) => return None,
        };
        Some(*next)
    })
}

/// Bytes that always hold the canonical query of `sorted` (every byte escaped), so writing it
/// never grows the buffer and nothing is counted first.
pub(crate) fn canonical_query_room<K: AsRef<str>, V: AsRef<str>>(sorted: impl IntoIterator<Item = (K, V)>) -> usize {
    sorted.into_iter().map(|(k, v)| 3 * (k.as_ref().len() + v.as_ref().len()) + 2).sum()
}

/// Write the canonical query of already-sorted parameters: `enc(name)=enc(value)` joined by `&`.
pub(crate) fn write_canonical_query<K: AsRef<str>, V: AsRef<str>>(
    out: &mut impl AsciiWrite,
    sorted: impl IntoIterator<Item = (K, V)>,
) {
    for (i, (k, v)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push(b"&");
        }
        out.encode(k.as_ref().as_bytes());
        out.push(b"=");
        out.encode(v.as_ref().as_bytes());
    }
}

/// The canonical query string of already-sorted parameters.
pub(crate) fn canonical_query<K: AsRef<str>, V: AsRef<str>>(sorted: &[(K, V)]) -> String {
    let pairs = sorted.iter().map(|(k, v)| (k.as_ref(), v.as_ref()));
    let mut out = AsciiBuf::with_capacity(canonical_query_room(pairs.clone()));
    write_canonical_query(&mut out, pairs);
    out.finish()
}

/// Write `enc(METHOD)&%2F&enc(canonical)`. Encoding the canonical query (itself encoded) again
/// gives what the definition's double encoding of each name and value gives: a `%XX` becomes
/// `%25XX`, and the `&` and `=` between them `%26` and `%3D`.
pub(crate) fn write_string_to_sign(out: &mut impl AsciiWrite, method: &[u8], canonical: &[u8]) {
    out.encode(method);
    out.push(b"&%2F&");
    out.encode(canonical);
}

/// `METHOD&%2F&enc(canonical)`.
pub(crate) fn string_to_sign(method: &str, canonical: &str) -> String {
    let (method, canonical) = (method.as_bytes(), canonical.as_bytes());
    let canonical_len = encoded_len(canonical);
    let mut out = AsciiBuf::with_capacity(encoded_len(method) + 5 + canonical_len);
    // `write_string_to_sign`, with the long part counted once.
    out.encode(method);
    out.push(b"&%2F&");
    out.encode_counted(canonical, canonical_len);
    out.finish()
}

/// The canonical query and the string-to-sign of already-sorted parameters.
pub(crate) fn canonical_and_string_to_sign(method: &str, sorted: &[(&str, &str)]) -> (String, String) {
    let canonical = canonical_query(sorted);
    let string_to_sign = string_to_sign(method, &canonical);
    (canonical, string_to_sign)
}

/// Length of a V1 signature: Base64 of a 20-byte HMAC-SHA1.
pub(crate) const SIGNATURE_LEN: usize = 28;

/// HMAC-SHA1 keyed with `secret&`.
fn mac(secret: &str) -> Hmac<Sha1> {
    // A usual secret (30 characters) fits the stack buffer, which is wiped on drop like the
    // heap one a longer secret needs.
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
    <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// The Base64 of a finished MAC, on the stack.
fn base64(mac: Hmac<Sha1>) -> [u8; SIGNATURE_LEN] {
    let mut out = [0u8; SIGNATURE_LEN];
    // 20 bytes always encode to exactly 28.
    let _ = base64::engine::general_purpose::STANDARD.encode_slice(mac.finalize().into_bytes(), &mut out);
    out
}

/// Base64(HMAC-SHA1(secret + "&", string_to_sign)), on the stack.
pub(crate) fn signature_bytes(secret: &str, string_to_sign: &str) -> [u8; SIGNATURE_LEN] {
    let mut mac = mac(secret);
    mac.update(string_to_sign.as_bytes());
    base64(mac)
}

/// [`signature_bytes`] of the string-to-sign of `method` and `canonical`, which is fed to the
/// HMAC as it is encoded instead of being built.
pub(crate) fn signature_of_canonical(secret: &str, method: &[u8], canonical: &[u8]) -> [u8; SIGNATURE_LEN] {
    let mut mac = mac(secret);
    let mut out = Digesting::new(|bytes: &[u8]| mac.update(bytes));
    write_string_to_sign(&mut out, method, canonical);
    out.finish();
    base64(mac)
}

/// Base64(HMAC-SHA1(secret + "&", string_to_sign)).
pub(crate) fn signature(secret: &str, string_to_sign: &str) -> String {
    super::v3::ascii(&signature_bytes(secret, string_to_sign)).to_owned()
}
