//! Percent-encoding as both signature schemes define it (RFC 3986): only the unreserved
//! characters `A-Z a-z 0-9 - _ . ~` stay literal, everything else is `%XX` with upper-case hex
//! over the UTF-8 bytes. So a space is `%20` (never `+`), `*` is `%2A` and `~` stays `~`.

use std::borrow::Cow;
use std::fmt;

/// `true` for the RFC 3986 unreserved bytes `A-Z a-z 0-9 - _ . ~`.
static UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.' || c == b'~';
        b += 1;
    }
    t
};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// An ASCII string under construction. The encoders count first (a loop LLVM vectorises), then
/// fill a pre-sized slice, so the per-byte work is a table lookup and one to three stores — this
/// is the hot path of signing.
pub(crate) struct AsciiBuf {
    out: Vec<u8>,
}

#[inline]
fn escapes(input: &[u8]) -> usize {
    input.iter().map(|&b| usize::from(!UNRESERVED[b as usize])).sum()
}

impl AsciiBuf {
    pub(crate) fn with_capacity(cap: usize) -> Self {
        AsciiBuf { out: Vec::with_capacity(cap) }
    }

    /// Append ASCII bytes verbatim.
    #[inline]
    pub(crate) fn push_ascii(&mut self, s: &[u8]) {
        self.out.extend_from_slice(s);
    }

    /// Write each byte of `input` as itself or as `ESC` + two hex digits, without a branch per
    /// byte (whether a byte needs escaping is unpredictable in Chinese text, and mispredicted
    /// branches dominated): every step stores the escape form and advances by 1 or its length.
    #[inline]
    fn escape_with<const W: usize>(&mut self, input: &[u8], prefix: [u8; W]) {
        let n = escapes(input);
        if n == 0 {
            self.out.extend_from_slice(input);
            return;
        }
        let start = self.out.len();
        let len = input.len() + (W + 1) * n;
        // W + 2 bytes of slack so the last step's unconditional stores stay in bounds.
        self.out.resize(start + len + W + 2, 0);
        let dst = &mut self.out[start..];
        let mut j = 0;
        for &b in input {
            let esc = !UNRESERVED[b as usize];
            let Some(step) = dst.get_mut(j..j + W + 2) else { break };
            step[0] = if esc { prefix[0] } else { b };
            step[1..W].copy_from_slice(&prefix[1..]);
            step[W] = HEX[(b >> 4) as usize];
            step[W + 1] = HEX[(b & 15) as usize];
            j += 1 + usize::from(esc) * (W + 1);
        }
        self.out.truncate(start + len);
    }

    /// Append the RFC 3986 encoding of `input`.
    #[inline]
    pub(crate) fn encode(&mut self, input: &[u8]) {
        self.escape_with(input, [b'%']);
    }

    /// Append the encoding of the encoding of `input` (what V1's string-to-sign holds): an
    /// escape `%XX` becomes `%25XX`.
    #[inline]
    pub(crate) fn encode_twice(&mut self, input: &[u8]) {
        self.escape_with(input, [b'%', b'2', b'5']);
    }

    pub(crate) fn finish(self) -> String {
        // Only ASCII was written, so this never takes the lossy path.
        String::from_utf8(self.out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// Append the RFC 3986 encoding of `input` to `out`.
///
/// ```
/// let mut s = String::new();
/// smsauth::sign::percent_encode_into("a b*c~d+中", &mut s);
/// assert_eq!(s, "a%20b%2Ac~d%2B%E4%B8%AD");
/// ```
pub fn percent_encode_into(input: &str, out: &mut String) {
    if input.bytes().all(|b| UNRESERVED[b as usize]) {
        out.push_str(input);
        return;
    }
    let mut buf = AsciiBuf::with_capacity(input.len() * 3);
    buf.encode(input.as_bytes());
    out.push_str(&buf.finish());
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
    form_decode_borrowed(input).map(Cow::into_owned)
}

/// [`form_decode`], borrowing `input` when it has nothing to decode (the common case, so a
/// verifier allocates only for what it keeps).
pub(crate) fn form_decode_borrowed(input: &str) -> Result<Cow<'_, str>, DecodeError> {
    let bytes = input.as_bytes();
    if !bytes.iter().any(|&b| b == b'%' || b == b'+') {
        return Ok(Cow::Borrowed(input));
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
    String::from_utf8(out).map(Cow::Owned).map_err(|_| DecodeError::NotUtf8)
}

/// Split a raw query or form body into decoded `(name, value)` pairs, in order. Empty segments
/// (`a=1&&b=2`) are skipped; a segment without `=` has an empty value.
///
/// ```
/// let pairs = smsauth::sign::parse_query("b=2&a=x+y&flag").unwrap();
/// assert_eq!(pairs, vec![("b".into(), "2".into()), ("a".into(), "x y".into()), ("flag".into(), "".into())]);
/// ```
pub fn parse_query(raw: &str) -> Result<Vec<(String, String)>, DecodeError> {
    let mut out = Vec::new();
    parse_query_borrowed(raw, &mut out)?;
    Ok(out.into_iter().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
}

/// A decoded `(name, value)` pair, borrowed from the raw text where nothing was decoded.
pub(crate) type BorrowedPair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// [`parse_query`], appending to `out` and borrowing from `raw` where nothing is decoded.
pub(crate) fn parse_query_borrowed<'a>(raw: &'a str, out: &mut Vec<BorrowedPair<'a>>) -> Result<(), DecodeError> {
    for seg in raw.split('&').filter(|seg| !seg.is_empty()) {
        let (k, v) = seg.split_once('=').unwrap_or((seg, ""));
        out.push((form_decode_borrowed(k)?, form_decode_borrowed(v)?));
    }
    Ok(())
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
