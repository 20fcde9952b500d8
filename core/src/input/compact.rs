//! `sign`'s usual inputs and its answer as plain texts, for a binding that pays per value it
//! hands across (Node-API: a few calls per property, a JSON parser for a nested object): one
//! string in, one string out, split here with borrowed slices. A binding writes [`SignText`]'s
//! layout for the usual case (plain strings) and takes its general reader for anything else.
//!
//! ```
//! use smsauth::input::compact::{SignText, explain_lines};
//! // fields, present bits, host, action, version, method, id, secret, token, scheme, timestamp,
//! // nonce, then the params and headers, each led by their count.
//! let fields = ["16", "0", "", "SendSmsVerifyCode", "", "", "testid", "testsecret", "", "", "", ""];
//! let text = [&fields[..], &["1", "PhoneNumber", "13800138000", "0"][..]].concat().join("\0");
//! let input = SignText::parse(&text).unwrap();
//! let lines = input.sign_lines().unwrap();
//! assert!(lines.starts_with("v3\nPOST\n/\n"));
//! let signature = lines.rsplit_once("Signature=").unwrap().1;
//! assert_eq!(explain_lines(&lines).unwrap().signature, signature);
//! ```

use crate::sign::{Explanation, RequestParts, RpcRequest, SignOptions, SignedParts, SignedRequest};
use crate::{Error, ErrorKind};

/// `sign`'s request and options read from one NUL-separated text: `fields` NUL `present` NUL
/// `host` `action` `version` `method` `accessKeyId` `accessKeySecret` `securityToken`
/// `signatureVersion` `timestamp` `nonce`, the number of params and their names and values, the
/// number of headers and theirs. `fields` is how many fields the writer wrote, so a value holding
/// a NUL shows as one too many (the text is then not read); `present` has a bit per optional
/// field given (host 1, version 2, method 4, securityToken 8, signatureVersion 16, timestamp 32,
/// nonce 64).
pub struct SignText<'t> {
    /// The request's parts given (the core's defaults for the others, as
    /// [`RpcRequest::with_defaults`]), borrowed from the text.
    host: Option<&'t str>,
    action: &'t str,
    api_version: Option<&'t str>,
    method: Option<&'t str>,
    params: Vec<(&'t str, &'t str)>,
    headers: Vec<(&'t str, &'t str)>,
    /// AccessKey ID.
    pub access_key_id: &'t str,
    /// AccessKey secret.
    pub access_key_secret: &'t str,
    /// STS token.
    pub security_token: Option<&'t str>,
    /// The scheme's name (`v1`, `v3`); `None`: the default.
    pub version: Option<&'t str>,
    /// Unix seconds; `None`: now.
    pub timestamp: Option<u64>,
    /// The nonce; `None`: a fresh one.
    pub nonce: Option<&'t str>,
}

impl std::fmt::Debug for SignText<'_> {
    /// The ID only: the rest may be secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignText").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

impl<'t> SignText<'t> {
    /// The inputs, or `None` when `text` is not that layout (or a value held a NUL).
    pub fn parse(text: &'t str) -> Option<Self> {
        let mut it = Fields(Some(text));
        let fields: usize = it.next()?.parse().ok()?;
        let present: u32 = it.next()?.parse().ok()?;
        let given = |s: &'t str, bit: u32| (present & bit != 0).then_some(s);
        let host = given(it.next()?, 1);
        let action = it.next()?;
        let api_version = given(it.next()?, 2);
        let method = given(it.next()?, 4);
        let (access_key_id, access_key_secret) = (it.next()?, it.next()?);
        let security_token = given(it.next()?, 8);
        let version = given(it.next()?, 16);
        let timestamp = match given(it.next()?, 32) {
            Some(t) => Some(t.parse().ok()?),
            None => None,
        };
        let nonce = given(it.next()?, 64);
        let mut pairs = || -> Option<Vec<(&'t str, &'t str)>> {
            let n: usize = it.next()?.parse().ok()?;
            (0..n).map(|_| Some((it.next()?, it.next()?))).collect()
        };
        let (params, headers) = (pairs()?, pairs()?);
        // Every field read, and exactly as many as were written: no value held a NUL.
        if it.next().is_some() || fields != 14 + 2 * (params.len() + headers.len()) {
            return None;
        }
        Some(SignText {
            host,
            action,
            api_version,
            method,
            params,
            headers,
            access_key_id,
            access_key_secret,
            security_token,
            version,
            timestamp,
            nonce,
        })
    }

    /// The request, as [`RpcRequest::with_defaults`] and its method makes it.
    pub fn request(&self) -> RpcRequest {
        let mut request = RpcRequest::with_defaults(self.host, self.action, self.api_version);
        request.method = self.parts().method.to_owned();
        request.params = self.params.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect();
        request.headers = self.headers.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect();
        request
    }

    /// The request's parts, borrowed.
    fn parts(&self) -> RequestParts<'_> {
        RequestParts::with_defaults(self.host, self.action, self.api_version, self.method, &self.params, &self.headers)
    }

    /// [`sign_lines`] of [`SignText::request`] with [`SignText::options`], signing the parts as
    /// they lie in the text (no request of owned strings built first).
    pub fn sign_lines(&self) -> Result<String, Error> {
        self.options()?.sign_borrowed(&self.parts(), false, |signed| lines(&signed))?
    }

    /// The options to sign with; an unknown scheme name is the core's error.
    pub fn options(&self) -> Result<SignOptions<'t>, Error> {
        Ok(SignOptions {
            security_token: self.security_token,
            version: self.version.map(str::parse).transpose()?.unwrap_or_default(),
            timestamp: self.timestamp,
            nonce: self.nonce,
            ..SignOptions::new(self.access_key_id, self.access_key_secret)
        })
    }
}

/// A text's NUL-separated fields, found by a plain byte scan: they are short, and `str::split`'s
/// searcher cost more than the scan (≈ 0.1 µs of Node's `sign()`, profile-bindings.md round 5).
struct Fields<'t>(Option<&'t str>);

impl<'t> Iterator for Fields<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let rest = self.0?;
        let (field, after) = match rest.bytes().position(|b| b == 0) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        self.0 = after;
        Some(field)
    }
}

/// `options.sign(req)` as ONE text of lines — `version`, `method`, `path`, `query`,
/// `pathAndQuery`, `body`, then each header's name and value — written straight from the signed
/// parts, with no [`SignedRequest`] built and copied in between (a fifth of what Node's native
/// `sign` cost; `bench/results/profile-bindings.md` round 5). No part holds a line break: the
/// core refuses CR and LF in the method, path and header values, encodes the query and leaves
/// an RPC body empty (should a part still hold one, this is an internal error).
pub fn sign_lines(options: &SignOptions<'_>, req: &RpcRequest) -> Result<String, Error> {
    options.sign_parts(req, false, |signed| lines(&signed))?
}

/// [`sign_lines`]' text of `signed`.
fn lines(signed: &SignedParts<'_>) -> Result<String, Error> {
    let (method, path, query) = (signed.method, signed.path, signed.query.as_ref());
    let headers: usize = signed.headers.iter().map(|(name, value)| name.len() + value.len() + 2).sum();
    let mut text = String::with_capacity(2 + method.len() + 2 * (path.len() + query.len()) + 6 + headers);
    for part in [signed.version.as_str(), method, path, query] {
        text.push_str(part);
        text.push('\n');
    }
    // `pathAndQuery`: the path, then `?query` when there is one.
    text.push_str(path);
    if !query.is_empty() {
        text.push('?');
        text.push_str(query);
    }
    // The body's line, empty.
    text.push('\n');
    for (name, value) in signed.headers {
        for part in [name, value] {
            text.push('\n');
            text.push_str(part);
        }
    }
    // Counted in runs of at most 255 bytes, whose count fits a byte: a few vector
    // instructions per 16 bytes instead of a widening count per byte.
    let breaks: usize =
        text.as_bytes().chunks(255).map(|c| c.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>() as usize).sum();
    if breaks != 5 + 2 * signed.headers.len() {
        return Err(Error::new(ErrorKind::Internal, "a signed part holds a line break"));
    }
    Ok(text)
}

/// The explanation of the request [`sign_lines`] wrote, rebuilt from its lines (no secret
/// needed).
pub fn explain_lines(lines: &str) -> Result<Explanation, Error> {
    let mut it = lines.split('\n').map(str::to_owned);
    let mut next = || it.next().unwrap_or_default();
    let version = next().parse()?;
    let (method, path, query, _path_and_query, body) = (next(), next(), next(), next(), next());
    let mut headers = Vec::new();
    while let (Some(name), Some(value)) = (it.next(), it.next()) {
        headers.push((name, value));
    }
    let body = body.into_bytes();
    let signed = SignedRequest { version, method, path, query, headers, body, explanation: Explanation::default() };
    Ok(signed.explain())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(fields: &[&str]) -> String {
        fields.join("\0")
    }

    #[test]
    fn reads_every_part_and_signs_as_the_options_say() {
        let t = text(&[
            "18",
            "127",
            "h.example",
            "A",
            "2020-01-01",
            "GET",
            "id",
            "sk",
            "tok",
            "v1",
            "1700000000",
            "n-1",
            "1",
            "P",
            "1",
            "1",
            "x-a",
            "b",
        ]);
        let input = SignText::parse(&t).unwrap();
        let request = input.request();
        assert_eq!(
            (request.host.as_str(), request.action.as_str(), request.method.as_str()),
            ("h.example", "A", "GET")
        );
        assert_eq!(request.params, [("P".to_owned(), "1".to_owned())]);
        assert_eq!(request.headers, [("x-a".to_owned(), "b".to_owned())]);
        assert_eq!(
            (input.security_token, input.timestamp, input.nonce),
            (Some("tok"), Some(1_700_000_000), Some("n-1"))
        );
        let options = input.options().unwrap();
        let signed = options.sign(&request).unwrap();
        assert_eq!(signed.version.as_str(), "v1");
        let lines = input.sign_lines().unwrap();
        assert_eq!(lines, layout(&signed));
        assert_eq!(lines, sign_lines(&options, &request).unwrap());
        assert_eq!(explain_lines(&lines).unwrap(), signed.explain());
        assert!(!format!("{input:?}").contains("sk"), "the secret stays out of Debug");
    }

    /// `signed`'s parts in the order of [`sign_lines`]' layout, joined by line breaks.
    fn layout(signed: &SignedRequest) -> String {
        let (version, path_and_query) = (signed.version.as_str(), signed.path_and_query());
        let body = std::str::from_utf8(&signed.body).unwrap();
        let parts = [version, &signed.method, &signed.path, &signed.query, &path_and_query, body];
        let headers = signed.headers.iter().flat_map(|(name, value)| [name.as_str(), value.as_str()]);
        parts.into_iter().chain(headers).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn lines_are_the_signed_requests_parts_for_each_scheme_with_and_without_a_query() {
        let (none, one): (&[&str], &[&str]) = (&["0"], &["1", "P", "1"]);
        for (present, token, scheme, params) in
            [("96", "", "", none), ("104", "tok", "", none), ("112", "", "v1", none), ("96", "", "", one)]
        {
            let fields = (13 + params.len()).to_string();
            let head = [&fields, present, "", "A", "", "", "id", "sk", token, scheme, "1700000000", "n-1"];
            let t = text(&[&head[..], params, &["0"]].concat());
            let input = SignText::parse(&t).unwrap();
            let options = input.options().unwrap();
            let signed = options.sign(&input.request()).unwrap();
            let lines = input.sign_lines().unwrap();
            assert_eq!(lines, layout(&signed), "{t:?}");
            assert_eq!(lines, sign_lines(&options, &input.request()).unwrap(), "{t:?}");
            assert_eq!(explain_lines(&lines).unwrap(), signed.explain(), "{t:?}");
        }
    }

    #[test]
    fn refuses_what_is_not_the_layout() {
        let base = ["14", "0", "", "A", "", "", "id", "sk", "", "", "", "", "0", "0"];
        assert!(SignText::parse(&text(&base)).is_some());
        // A value holding a NUL: one field more than counted.
        let mut nul = base.to_vec();
        nul[7] = "s\0k";
        assert!(SignText::parse(&text(&nul)).is_none());
        assert!(SignText::parse(&text(&base[..13])).is_none());
        assert!(SignText::parse("[1]").is_none());
        let mut scheme = base.to_vec();
        (scheme[1], scheme[9]) = ("16", "v9");
        assert_eq!(SignText::parse(&text(&scheme)).unwrap().options().unwrap_err().kind(), ErrorKind::InvalidInput);
    }
}
