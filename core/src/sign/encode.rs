//! Percent-encoding as both signature schemes define it (RFC 3986): only the unreserved
//! characters `A-Z a-z 0-9 - _ . ~` stay literal, everything else is `%XX` with upper-case hex
//! over the UTF-8 bytes. So a space is `%20` (never `+`), `*` is `%2A` and `~` stays `~`.

use std::borrow::Cow;
use std::fmt;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Each byte's encoding packed in a `u32`: the one or three ASCII bytes it becomes, in order
/// from the lowest byte, and their count in the highest byte.
static ENCODED: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.' || c == b'~' {
            c as u32 | 1 << 24
        } else {
            b'%' as u32 | (HEX[b >> 4] as u32) << 8 | (HEX[b & 15] as u32) << 16 | 3 << 24
        };
        b += 1;
    }
    t
};

/// `true` for the RFC 3986 unreserved bytes `A-Z a-z 0-9 - _ . ~`.
#[inline]
fn is_unreserved(b: u8) -> bool {
    ENCODED[b as usize] >> 24 == 1
}

/// [`is_unreserved`] by comparisons instead of the table, so a loop over bytes vectorises.
#[inline]
fn is_unreserved_simd(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'.')
        | (b == b'_')
        | (b == b'~')
}

/// The length of the encoding of `input`: its length plus two for each byte escaped. Counted
/// 16 bytes at a time (byte counters, so in slices of at most 255).
pub(crate) fn encoded_len(input: &[u8]) -> usize {
    let escaped = |part: &[u8]| part.iter().fold(0u8, |n, &b| n + u8::from(!is_unreserved_simd(b)));
    input.len() + 2 * input.chunks(255).map(|part| usize::from(escaped(part))).sum::<usize>()
}

/// Bytes an encoding step may store past the end of the encoding (a 16-byte copy of a run).
const SLACK: usize = 16;

/// Room the encoding of `n` bytes needs in an [`encode_to`] destination: three bytes each, and
/// [`SLACK`].
#[inline]
const fn encoded_room(n: usize) -> usize {
    3 * n + SLACK
}

/// Write the encoding of `input` at the start of `dst` and return its length. `dst` must hold
/// [`encoded_room`] bytes, or the exact length and [`SLACK`]; the bytes past the returned length
/// are scratch.
#[inline]
fn encode_to(dst: &mut [u8], input: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        encode_to_sse2(dst, input)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        encode_to_scalar(dst, input)
    }
}

/// [`encode_to`] a byte at a time, without a branch per byte (whether a byte needs escaping is
/// unpredictable in Chinese text, and mispredicted branches dominated): every step stores the
/// byte's four-byte table entry and advances by the one or three that count.
#[inline]
fn encode_to_scalar(dst: &mut [u8], input: &[u8]) -> usize {
    let mut j = 0;
    for &b in input {
        let e = ENCODED[b as usize];
        let Some(step) = dst.get_mut(j..j + 4) else { break };
        step.copy_from_slice(&e.to_le_bytes());
        j += (e >> 24) as usize;
    }
    j
}

/// [`encode_to`] 16 bytes at a time (SSE2, which every x86-64 CPU has): the bytes to escape
/// are found by comparisons into a bit mask; a block without any is copied whole, and in one
/// with some each run between them is copied whole too, so the work is per escape, not per
/// byte. The tail is done a byte at a time.
#[cfg(target_arch = "x86_64")]
#[inline]
fn encode_to_sse2(dst: &mut [u8], input: &[u8]) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    let escape_mask = |block: &[u8; 16]| -> u32 {
        // SAFETY: SSE2 is part of the x86-64 baseline, so these intrinsics exist on every CPU
        // this code runs on; `block` is 16 readable bytes, and `loadu` needs no alignment.
        let unreserved = unsafe {
            let v: __m128i = _mm_loadu_si128(block.as_ptr().cast());
            let set = |b: u8| _mm_set1_epi8(b as i8);
            // Signed compares: bytes of 0x80 and above are negative, so in neither range.
            let digit = _mm_and_si128(_mm_cmpgt_epi8(v, set(b'0' - 1)), _mm_cmplt_epi8(v, set(b'9' + 1)));
            let lower = _mm_or_si128(v, set(0x20));
            let letter = _mm_and_si128(_mm_cmpgt_epi8(lower, set(b'a' - 1)), _mm_cmplt_epi8(lower, set(b'z' + 1)));
            let mark = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, set(b'-')), _mm_cmpeq_epi8(v, set(b'.'))),
                _mm_or_si128(_mm_cmpeq_epi8(v, set(b'_')), _mm_cmpeq_epi8(v, set(b'~'))),
            );
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, letter), mark))
        };
        !(unreserved as u32) & 0xffff
    };
    let (mut i, mut j) = (0, 0);
    // A block writes at most 3 × 16 bytes and a 16-byte copy past them; near the end of an
    // exactly sized destination the bytes left are done one at a time.
    while let (Some(block), Some(out)) = (input.get(i..i + 16), dst.get_mut(j..j + 64)) {
        let (Ok(block), Ok(out)) = (<&[u8; 16]>::try_from(block), <&mut [u8; 64]>::try_from(out)) else { break };
        i += 16;
        let mut mask = escape_mask(block);
        if mask == 0 {
            out[..16].copy_from_slice(block);
            j += 16;
            continue;
        }
        // Every run is copied as 16 bytes, from the input where it goes on (a copy of the last
        // block would be read back before its stores retire, which stalls).
        let mut padded = [0u8; 32];
        let window = match input.get(i - 16..i + 16).and_then(|w| <&[u8; 32]>::try_from(w).ok()) {
            Some(window) => window,
            None => {
                padded[..16].copy_from_slice(block);
                &padded
            }
        };
        let (mut from, mut k) = (0, 0);
        while mask != 0 {
            let at = mask.trailing_zeros() as usize;
            out[k..k + 16].copy_from_slice(&window[from..from + 16]);
            k += at - from;
            out[k..k + 4].copy_from_slice(&ENCODED[block[at] as usize].to_le_bytes());
            k += 3;
            from = at + 1;
            mask &= mask - 1;
        }
        out[k..k + 16].copy_from_slice(&window[from..from + 16]);
        j += k + 16 - from;
    }
    j + dst.get_mut(j..).map_or(0, |rest| encode_to_scalar(rest, input.get(i..).unwrap_or_default()))
}

/// Where signing writes its text (ASCII but for header values): a string being built
/// ([`AsciiBuf`]) or, for text that is only hashed, a digest fed as it is written
/// ([`Digesting`]).
pub(crate) trait AsciiWrite {
    /// Append bytes verbatim: ASCII, or whole UTF-8 text (a header value).
    fn push(&mut self, s: &[u8]);
    /// Append the RFC 3986 encoding of `input`.
    fn encode(&mut self, input: &[u8]);
}

/// An ASCII string under construction: one zeroed allocation sized up front (so no step pays
/// for growing it), written through a cursor, cut to length at the end.
pub(crate) struct AsciiBuf {
    out: Vec<u8>,
    len: usize,
}

impl AsciiBuf {
    /// Room for `cap` bytes of text before it grows; sizing it right is what makes it fast.
    pub(crate) fn with_capacity(cap: usize) -> Self {
        AsciiBuf { out: vec![0; cap + SLACK], len: 0 }
    }

    /// The bytes written so far.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.out[..self.len]
    }

    /// Make `n` bytes of room after the cursor.
    #[cold]
    fn grow(&mut self, n: usize) {
        self.out.resize((self.len + n).max(2 * self.out.len()), 0);
    }

    /// [`AsciiWrite::encode`] of `input` whose [`encoded_len`] the caller has counted.
    pub(crate) fn encode_counted(&mut self, input: &[u8], encoded_len: usize) {
        if self.out.len() - self.len < encoded_len + SLACK {
            self.grow(encoded_len + SLACK);
        }
        self.len += encode_to(&mut self.out[self.len..], input);
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.truncate(self.len);
        // Only ASCII and whole UTF-8 texts were written, so this never takes the lossy path.
        String::from_utf8(self.out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

impl AsciiWrite for AsciiBuf {
    #[inline]
    fn push(&mut self, s: &[u8]) {
        if self.out.len() - self.len < s.len() {
            self.grow(s.len());
        }
        self.out[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }

    #[inline]
    fn encode(&mut self, input: &[u8]) {
        // Sized for the worst case, or exactly (then only a count tells).
        if self.out.len() - self.len < encoded_room(input.len()) {
            self.encode_counted(input, encoded_len(input));
        } else {
            self.len += encode_to(&mut self.out[self.len..], input);
        }
    }
}

/// Text that is hashed and never kept (a string-to-sign, a canonical request): written into a
/// buffer on the stack that is handed to `sink` (a digest's `update`) whenever it fills.
pub(crate) struct Digesting<F: FnMut(&[u8])> {
    buf: [u8; DIGESTING_BUF],
    len: usize,
    sink: F,
}

const DIGESTING_BUF: usize = 512;
/// The most input [`Digesting::encode`] encodes in one step, so its encoding fits the buffer.
const DIGESTING_STEP: usize = (DIGESTING_BUF - SLACK) / 3;

impl<F: FnMut(&[u8])> Digesting<F> {
    pub(crate) fn new(sink: F) -> Self {
        Digesting { buf: [0; DIGESTING_BUF], len: 0, sink }
    }

    fn flush(&mut self) {
        if self.len > 0 {
            (self.sink)(&self.buf[..self.len]);
            self.len = 0;
        }
    }

    /// Hand over what is left.
    pub(crate) fn finish(mut self) {
        self.flush();
    }
}

impl<F: FnMut(&[u8])> AsciiWrite for Digesting<F> {
    #[inline]
    fn push(&mut self, s: &[u8]) {
        if DIGESTING_BUF - self.len < s.len() {
            self.flush();
            if s.len() > DIGESTING_BUF {
                (self.sink)(s);
                return;
            }
        }
        self.buf[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }

    #[inline]
    fn encode(&mut self, input: &[u8]) {
        for step in input.chunks(DIGESTING_STEP) {
            if DIGESTING_BUF - self.len < encoded_room(step.len()) {
                self.flush();
            }
            self.len += encode_to(&mut self.buf[self.len..], step);
        }
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
    if input.bytes().all(is_unreserved) {
        out.push_str(input);
        return;
    }
    let mut buf = AsciiBuf::with_capacity(encoded_room(input.len()));
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

    /// The definition, a byte at a time.
    fn reference(input: &[u8]) -> String {
        input
            .iter()
            .map(|&b| if ENCODED[b as usize] >> 24 == 1 { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect()
    }

    /// Inputs of every length up to 70 (whole blocks, tails, blocks near the end of an exactly
    /// sized buffer) mixing unreserved bytes, reserved ASCII, UTF-8 and high bytes.
    fn inputs() -> Vec<Vec<u8>> {
        let alphabet: Vec<u8> = (0u8..=255).collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut out = vec![alphabet.clone(), "速通互联验证码&a=b%20".repeat(5).into_bytes()];
        for len in 0..=70 {
            for density in [0u64, 1, 4, 16] {
                out.push(
                    (0..len)
                        .map(|_| {
                            let r = next();
                            if r % 16 < density {
                                alphabet[(r >> 8) as usize % 256]
                            } else {
                                b"aZ09-._~"[(r >> 16) as usize % 8]
                            }
                        })
                        .collect(),
                );
            }
        }
        out
    }

    #[test]
    fn every_encoder_matches_the_definition_in_exact_and_roomy_buffers() {
        for input in inputs() {
            let expected = reference(&input);
            assert_eq!(encoded_len(&input), expected.len());
            for room in [expected.len() + SLACK, encoded_room(input.len())] {
                let mut scalar = vec![0u8; room];
                let n = encode_to_scalar(&mut scalar, &input);
                assert_eq!(&scalar[..n], expected.as_bytes());
                let mut dst = vec![0u8; room];
                let n = encode_to(&mut dst, &input);
                assert_eq!(&dst[..n], expected.as_bytes(), "{input:?} in {room}");
            }
            let mut buf = AsciiBuf::with_capacity(1);
            buf.encode(&input);
            buf.encode(&input);
            assert_eq!(buf.finish(), expected.repeat(2));
            let mut hashed = Vec::new();
            let mut digesting = Digesting::new(|bytes: &[u8]| hashed.extend_from_slice(bytes));
            for _ in 0..9 {
                digesting.encode(&input);
                digesting.push(b"&");
            }
            digesting.finish();
            assert_eq!(hashed, format!("{expected}&").repeat(9).into_bytes());
        }
    }

    #[test]
    fn decode_rejects_bad_escapes() {
        assert_eq!(form_decode("%2"), Err(DecodeError::BadEscape(0)));
        assert_eq!(form_decode("a%zz"), Err(DecodeError::BadEscape(1)));
        assert_eq!(form_decode("%FF"), Err(DecodeError::NotUtf8));
        assert_eq!(form_decode("%e4%b8%ad").unwrap(), "中");
    }
}
