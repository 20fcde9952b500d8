//! Percent-encoding as both signature schemes define it (RFC 3986): only the unreserved
//! characters `A-Z a-z 0-9 - _ . ~` stay literal, everything else is `%XX` with upper-case hex
//! over the UTF-8 bytes. So a space is `%20` (never `+`), `*` is `%2A` and `~` stays `~`.

use std::fmt;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `true` for the RFC 3986 unreserved bytes.
#[inline]
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Append the RFC 3986 encoding of `input` to `out`.
///
/// ```
/// let mut s = String::new();
/// smsauth::sign::percent_encode_into("a b*c~d+中", &mut s);
/// assert_eq!(s, "a%20b%2Ac~d%2B%E4%B8%AD");
/// ```
pub fn percent_encode_into(input: &str, out: &mut String) {
    let bytes = input.as_bytes();
    // Fast path: copy unreserved runs in one go.
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !is_unreserved(b) {
            // A non-empty run is ASCII, so both ends are char boundaries.
            if i > start {
                out.push_str(&input[start..i]);
            }
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0x0f) as usize] as char);
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.push_str(&input[start..]);
    }
}

/// The RFC 3986 encoding of `input` as a new string.
///
/// ```
/// assert_eq!(smsauth::sign::percent_encode("2025-01-02T03:04:05Z"), "2025-01-02T03%3A04%3A05Z");
/// ```
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 2);
    percent_encode_into(input, &mut out);
    out
}

/// Why a percent-encoded string could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A `%` not followed by two hex digits, at this byte offset.
    BadEscape(usize),
    /// The decoded bytes are not UTF-8.
    NotUtf8,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::BadEscape(at) => write!(f, "bad percent escape at byte {at}"),
            DecodeError::NotUtf8 => f.write_str("percent-decoded value is not UTF-8"),
        }
    }
}

impl std::error::Error for DecodeError {}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decode one component of an `application/x-www-form-urlencoded` string or URL query: `%XX`
/// escapes are decoded and `+` means a space (as the Python SDK's `urlencode` writes it; a
/// literal plus always arrives as `%2B`).
///
/// ```
/// assert_eq!(smsauth::sign::form_decode("a+b%2Bc%E4%B8%AD").unwrap(), "a b+c中");
/// ```
pub fn form_decode(input: &str) -> Result<String, DecodeError> {
    let bytes = input.as_bytes();
    if !bytes.iter().any(|&b| b == b'%' || b == b'+') {
        return Ok(input.to_owned());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_val);
                let lo = bytes.get(i + 2).copied().and_then(hex_val);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(DecodeError::BadEscape(i)),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| DecodeError::NotUtf8)
}

/// Split a raw query or form body into decoded `(name, value)` pairs, in order. Empty segments
/// (`a=1&&b=2`) are skipped; a segment without `=` has an empty value.
///
/// ```
/// let pairs = smsauth::sign::parse_query("b=2&a=x+y&flag").unwrap();
/// assert_eq!(pairs, vec![("b".into(), "2".into()), ("a".into(), "x y".into()), ("flag".into(), "".into())]);
/// ```
pub fn parse_query(raw: &str) -> Result<Vec<(String, String)>, DecodeError> {
    raw.split('&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| {
            let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
            Ok((form_decode(k)?, form_decode(v)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_exactly_the_reserved_set() {
        for b in 0u8..=127 {
            let s = (b as char).to_string();
            let enc = percent_encode(&s);
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                assert_eq!(enc, s);
            } else {
                assert_eq!(enc, format!("%{b:02X}"));
            }
        }
        assert_eq!(percent_encode("😀"), "%F0%9F%98%80");
    }

    #[test]
    fn decode_rejects_bad_escapes() {
        assert_eq!(form_decode("%2"), Err(DecodeError::BadEscape(0)));
        assert_eq!(form_decode("a%zz"), Err(DecodeError::BadEscape(1)));
        assert_eq!(form_decode("%FF"), Err(DecodeError::NotUtf8));
        assert_eq!(form_decode("%e4%b8%ad").unwrap(), "中");
    }
}
