//! RPC signature, HMAC-SHA1 ("V1", `SignatureVersion=1.0`).
//!
//! string-to-sign = `METHOD & %2F & enc(canonical query)`, where the canonical query is every
//! parameter except `Signature`, sorted by name, each `enc(name)=enc(value)`, joined by `&`; the
//! key is `secret + "&"`; the signature is Base64.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::encode::AsciiBuf;

/// Sort parameters the way both official SDKs do: by name (byte order), then by value.
pub(crate) fn sort_params<K: AsRef<str>, V: AsRef<str>>(params: &mut [(K, V)]) {
    params.sort_unstable_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()).then_with(|| a.1.as_ref().cmp(b.1.as_ref())));
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

/// Base64(HMAC-SHA1(secret + "&", string_to_sign)).
pub(crate) fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut key = zeroize::Zeroizing::new(Vec::with_capacity(secret.len() + 1));
    key.extend_from_slice(secret.as_bytes());
    key.push(b'&');
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&key).unwrap_or_else(|_| unreachable!());
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}
