//! Request signing and verification for Alibaba Cloud RPC APIs — pure functions.
//!
//! Time and nonce come from the caller (a [`Stamp`]), so the same inputs always give the same
//! bytes: that is how `tests/vectors/` pins our output to the official SDKs' in every language.
//!
//! ```
//! use smsauth::sign::{sign, RpcRequest, SignatureVersion, Stamp};
//! use smsauth::Credentials;
//!
//! let creds = Credentials::new("testid", "testsecret").unwrap();
//! let req = RpcRequest::new("dypnsapi.aliyuncs.com", "SendSmsVerifyCode", "2017-05-25")
//!     .param("PhoneNumber", "13800138000");
//! let stamp = Stamp::new(1_735_787_045, "3d1e1b2c4f5a6b7c8d9e0f1a2b3c4d5e");
//! let signed = sign(&req, SignatureVersion::V3, &creds, &stamp);
//! assert!(signed.header("authorization").unwrap().starts_with("ACS3-HMAC-SHA256 Credential=testid,"));
//! // The explanation shows how the signature was built.
//! assert!(signed.explanation.string_to_sign.starts_with("ACS3-HMAC-SHA256\n"));
//! ```

mod config;
mod encode;
mod nonce;
#[cfg(feature = "guard-redis")]
mod redis_nonce;
mod time;
pub(crate) mod v1;
pub(crate) mod v3;
mod verify;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

pub use config::{AccessKeys, VerifierConfig};
pub use encode::{DecodeError, form_decode, parse_query, percent_encode, percent_encode_into};
pub use nonce::{MemoryNonceStore, NonceOutcome, NonceStore};
#[cfg(feature = "guard-redis")]
pub use redis_nonce::{NonceStoreFailure, RedisNonceStore};
pub use time::{format_timestamp, parse_timestamp, read_timestamp, unix_now};
pub use v3::sha256_hex;
pub use verify::{HttpRequest, MAX_NONCE_LEN, Verified, Verifier, VerifyError};

use crate::error::{Error, Result};
use crate::secret::Credentials;
use encode::{AsciiBuf, AsciiWrite};

/// Which signature scheme to use. The numbers are stable: the C header exports this declaration
/// (`smsauth_signature_version`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum SignatureVersion {
    /// RPC HMAC-SHA1 (`SignatureVersion=1.0`); the official SDKs call it `signature_algorithm='v2'`.
    V1 = 1,
    /// ACS3-HMAC-SHA256, the official SDKs' default.
    #[default]
    V3 = 3,
}

impl SignatureVersion {
    /// `"v1"` or `"v3"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignatureVersion::V1 => "v1",
            SignatureVersion::V3 => "v3",
        }
    }
}

impl fmt::Display for SignatureVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignatureVersion {
    type Err = Error;

    /// Accepts `v1` / `v3` in any case (also `1`, `3`, `hmac-sha1`, `acs3-hmac-sha256`).
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "v1" | "1" | "hmac-sha1" | "rpc" => Ok(SignatureVersion::V1),
            "v3" | "3" | "acs3-hmac-sha256" | "acs3" => Ok(SignatureVersion::V3),
            other => Err(Error::invalid_input(
                "signature_version",
                format_args!("{other:?} is not a signature version; use \"v1\" or \"v3\""),
            )),
        }
    }
}

/// The time and nonce a signature is made with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Unix seconds (UTC).
    pub timestamp: u64,
    /// A unique value per request, which the gateway remembers to refuse replays.
    pub nonce: String,
}

impl Stamp {
    /// A fixed stamp (tests, reproducible signatures).
    pub fn new(timestamp: u64, nonce: impl Into<String>) -> Self {
        Stamp { timestamp, nonce: nonce.into() }
    }

    /// The current time and 128 random bits from the OS as a 32-digit hex nonce.
    pub fn fresh() -> Result<Self> {
        Ok(Stamp { timestamp: unix_now(), nonce: v3::hex(&nonce_bytes()?) })
    }

    /// The stamp of every binding's `sign` helper: the `timestamp` and `nonce` given, the
    /// current time for a missing timestamp and 128 fresh random bits for a missing nonce (the
    /// OS random source is asked only then, so a reproducible signature costs no randomness).
    ///
    /// ```
    /// use smsauth::sign::Stamp;
    /// assert_eq!(Stamp::given_or_fresh(Some(7), Some("n")).unwrap(), Stamp::new(7, "n"));
    /// let fresh = Stamp::given_or_fresh(Some(7), None).unwrap();
    /// assert_eq!((fresh.timestamp, fresh.nonce.len()), (7, 32));
    /// ```
    pub fn given_or_fresh(timestamp: Option<u64>, nonce: Option<&str>) -> Result<Self> {
        let nonce = match nonce {
            Some(n) => n.to_owned(),
            None => Stamp::fresh()?.nonce,
        };
        Ok(Stamp { timestamp: timestamp.unwrap_or_else(unix_now), nonce })
    }

    /// The timestamp as `yyyy-MM-ddTHH:mm:ssZ`.
    pub fn timestamp_string(&self) -> String {
        format_timestamp(self.timestamp)
    }
}

/// Everything a `sign` helper takes besides the request, as the caller gave it: every binding's
/// `sign` (Node `sign(request, options)`, Python `smsauth.sign(...)`, C `smsauth_sign()`)
/// converts its arguments into this and calls [`SignOptions::sign`], so defaults, checks and
/// their order are decided here once.
///
/// ```
/// use smsauth::sign::{RpcRequest, SignOptions, SignatureVersion};
/// let req = RpcRequest::with_defaults(None, "SendSmsVerifyCode", None);
/// let options = SignOptions { timestamp: Some(1_735_787_045), nonce: Some("n-1"), ..SignOptions::new("id", "secret") };
/// let signed = options.sign(&req).unwrap();
/// assert_eq!((signed.version, signed.header("x-acs-date")), (SignatureVersion::V3, Some("2025-01-02T03:04:05Z")));
/// let e = SignOptions::new("", "secret").sign(&req).unwrap_err();
/// assert_eq!(e.kind(), smsauth::ErrorKind::Credentials);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SignOptions<'a> {
    /// AccessKey ID.
    pub access_key_id: &'a str,
    /// AccessKey secret (never shown by `Debug`).
    pub access_key_secret: &'a str,
    /// STS token, with temporary credentials (never shown by `Debug`).
    pub security_token: Option<&'a str>,
    /// The scheme; default V3.
    pub version: SignatureVersion,
    /// Unix seconds; `None`: now.
    pub timestamp: Option<u64>,
    /// The nonce; `None`: 128 fresh random bits as hex.
    pub nonce: Option<&'a str>,
}

impl<'a> SignOptions<'a> {
    /// The key pair, with every other option at its default.
    pub fn new(access_key_id: &'a str, access_key_secret: &'a str) -> Self {
        SignOptions {
            access_key_id,
            access_key_secret,
            security_token: None,
            version: SignatureVersion::default(),
            timestamp: None,
            nonce: None,
        }
    }

    /// Sign `req` as the client does: the request is checked first ([`RpcRequest::check`]:
    /// `InvalidInput` naming the field; a nonce, ID or token with CR, LF or NUL too), then the
    /// credentials ([`Credentials::new`]), then the stamp is completed ([`Stamp::given_or_fresh`]). The explanation is left out (rebuilt by
    /// [`SignedRequest::explain`] when asked for), as in [`sign_without_explanation`].
    pub fn sign(&self, req: &RpcRequest) -> Result<SignedRequest> {
        self.sign_with(req, false)
    }

    /// [`SignOptions::sign`] keeping the explanation, for a binding that always returns it.
    pub fn sign_explained(&self, req: &RpcRequest) -> Result<SignedRequest> {
        self.sign_with(req, true)
    }

    fn sign_with(&self, req: &RpcRequest, explain: bool) -> Result<SignedRequest> {
        self.sign_parts(req, explain, |parts| parts.into_request())
    }

    /// [`SignOptions::sign`]'s checks and signature, handing the signed parts to `finish`
    /// (`input::compact` writes them as one text without building a [`SignedRequest`]).
    pub(crate) fn sign_parts<R>(
        &self,
        req: &RpcRequest,
        explain: bool,
        finish: impl FnOnce(SignedParts<'_>) -> R,
    ) -> Result<R> {
        req.with_parts(|req| self.sign_borrowed(req, explain, finish))
    }

    /// [`SignOptions::sign_parts`] of a request's borrowed parts.
    pub(crate) fn sign_borrowed<R>(
        &self,
        req: &RequestParts<'_>,
        explain: bool,
        finish: impl FnOnce(SignedParts<'_>) -> R,
    ) -> Result<R> {
        req.check()?;
        // Sent as header values too (V3), so held to the same one-line rule as the request's.
        check_header_value("nonce", self.nonce.unwrap_or_default())?;
        check_header_value("access_key_id", self.access_key_id)?;
        if self.security_token.is_some_and(|t| t.contains(['\r', '\n', '\0'])) {
            return Err(Error::invalid_input("security_token", "contains CR, LF or NUL; header values are one line"));
        }
        let mut creds = Credentials::new(self.access_key_id, self.access_key_secret)?;
        if let Some(token) = self.security_token {
            creds = creds.with_security_token(token)?;
        }
        let stamp = Stamp::given_or_fresh(self.timestamp, self.nonce)?;
        Ok(sign_parts(req, self.version, &creds, &stamp, explain, finish))
    }
}

impl fmt::Debug for SignOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignOptions")
            .field("access_key_id", &self.access_key_id)
            .field("version", &self.version)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .finish_non_exhaustive()
    }
}

/// 128 random bits for a nonce, from the OS random source.
///
/// Asked for [`NONCE_POOL`] bytes at a time, per thread: one system call per 16 nonces instead
/// of one per request (issue #19: a call's system calls were `writev`, `recvfrom`, `epoll_wait`
/// and this). The bytes are used once each, and a forked child never uses those its parent drew
/// (the pool remembers which process filled it), so nonces stay unique.
fn nonce_bytes() -> Result<[u8; 16]> {
    use std::cell::RefCell;
    struct Pool {
        pid: u32,
        used: usize,
        bytes: [u8; NONCE_POOL],
    }
    thread_local! {
        static POOL: RefCell<Pool> = const { RefCell::new(Pool { pid: 0, used: NONCE_POOL, bytes: [0; NONCE_POOL] }) };
    }
    let failed =
        |e: getrandom::Error| Error::new(crate::ErrorKind::Internal, format!("the OS random source failed: {e}"));
    let pooled = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        let pid = crate::runtime::process_id();
        if pool.pid != pid || pool.used + 16 > NONCE_POOL {
            getrandom::fill(&mut pool.bytes).map_err(failed)?;
            (pool.pid, pool.used) = (pid, 0);
        }
        let mut out = [0u8; 16];
        let used = pool.used;
        out.copy_from_slice(&pool.bytes[used..used + 16]);
        pool.bytes[used..used + 16].fill(0);
        pool.used = used + 16;
        Ok(out)
    });
    match pooled {
        Ok(result) => result,
        // The thread is exiting (its pool is gone): ask the OS directly.
        Err(_) => {
            let mut out = [0u8; 16];
            getrandom::fill(&mut out).map_err(failed)?;
            Ok(out)
        }
    }
}

/// How many random bytes [`nonce_bytes`] draws at once (16 nonces).
const NONCE_POOL: usize = 256;

/// An RPC call to be signed: action, version, host and business parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcRequest {
    /// HTTP method; the official SDKs use `POST`.
    pub method: String,
    /// Host (and `:port` when not the default), as sent in the `host` header.
    pub host: String,
    /// Path, always `/` for RPC APIs.
    pub path: String,
    /// API action, e.g. `SendSmsVerifyCode`.
    pub action: String,
    /// API version, e.g. `2017-05-25`.
    pub version: String,
    /// Business parameters (sent in the URL query), without the common signing parameters.
    pub params: Vec<(String, String)>,
    /// Extra headers to send. Under V3, `content-type` and `x-acs-*` ones are signed.
    pub headers: Vec<(String, String)>,
}

impl RpcRequest {
    /// A `POST /` call with no parameters yet.
    pub fn new(host: impl Into<String>, action: impl Into<String>, version: impl Into<String>) -> Self {
        RpcRequest {
            method: DEFAULT_METHOD.into(),
            host: host.into(),
            path: RPC_PATH.into(),
            action: action.into(),
            version: version.into(),
            params: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// The one defaults rule of every binding's `sign` helper: no `host` means
    /// [`DEFAULT_ENDPOINT`](crate::api::DEFAULT_ENDPOINT), no `version` means
    /// [`API_VERSION`](crate::api::API_VERSION) (Dypnsapi 2017-05-25).
    ///
    /// ```
    /// let req = smsauth::sign::RpcRequest::with_defaults(None, "SendSmsVerifyCode", None);
    /// assert_eq!((req.host.as_str(), req.version.as_str()), ("dypnsapi.aliyuncs.com", "2017-05-25"));
    /// ```
    pub fn with_defaults(host: Option<&str>, action: &str, version: Option<&str>) -> Self {
        let parts = RequestParts::with_defaults(host, action, version, None, &[], &[]);
        RpcRequest::new(parts.host, parts.action, parts.version)
    }

    /// Add a business parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Add a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Use another HTTP method (`GET` is accepted by the gateway too).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = method.into();
        self
    }

    /// Check that the request can be sent as HTTP without changing its meaning: the `host` is
    /// a host name or IP with an optional port, the method is an HTTP token, the path starts
    /// with `/` and has no space or control character, and header names are tokens whose values
    /// (like the action and version, sent as headers under V3) have no CR, LF or NUL. The one
    /// rule for untrusted input, used by `smsauth sign --request` and every binding's signer.
    ///
    /// ```
    /// use smsauth::sign::RpcRequest;
    /// let ok = RpcRequest::new("dypnsapi.aliyuncs.com", "SendSmsVerifyCode", "2017-05-25");
    /// assert!(ok.check().is_ok());
    /// let err = RpcRequest::new("evil.example\r\nx: y", "A", "V").check().unwrap_err();
    /// assert_eq!(err.field(), Some("host"));
    /// assert_eq!(ok.method("GE T").check().unwrap_err().field(), Some("method"));
    /// ```
    pub fn check(&self) -> Result<()> {
        self.with_parts(|parts| parts.check())
    }

    /// This request's parts, borrowed, for `f`.
    fn with_parts<R>(&self, f: impl FnOnce(&RequestParts<'_>) -> R) -> R {
        let (mut params, mut params_heap) = ([("", ""); PARAMS_ON_STACK], Vec::new());
        let (mut headers, mut headers_heap) = ([("", ""); PARAMS_ON_STACK], Vec::new());
        f(&RequestParts {
            method: &self.method,
            host: &self.host,
            path: &self.path,
            action: &self.action,
            version: &self.version,
            params: borrowed_pairs(owned_pairs(&self.params), &mut params, &mut params_heap),
            headers: borrowed_pairs(owned_pairs(&self.headers), &mut headers, &mut headers_heap),
        })
    }
}

/// `POST`, the method [`RpcRequest::new`] gives a call.
const DEFAULT_METHOD: &str = "POST";
/// `/`, the path of every RPC call.
const RPC_PATH: &str = "/";

/// An RPC request's parts as borrowed text: what the signer reads. [`RpcRequest`] lends its own
/// (`with_parts`); `input::compact` reads them from one text without copying each part.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestParts<'a> {
    pub(crate) method: &'a str,
    pub(crate) host: &'a str,
    pub(crate) path: &'a str,
    pub(crate) action: &'a str,
    pub(crate) version: &'a str,
    pub(crate) params: &'a [(&'a str, &'a str)],
    pub(crate) headers: &'a [(&'a str, &'a str)],
}

impl<'a> RequestParts<'a> {
    /// The defaults rule of every binding's `sign` helper ([`RpcRequest::with_defaults`] is this
    /// one) and [`RpcRequest::new`]'s method and path, for the parts not given.
    pub(crate) fn with_defaults(
        host: Option<&'a str>,
        action: &'a str,
        version: Option<&'a str>,
        method: Option<&'a str>,
        params: &'a [(&'a str, &'a str)],
        headers: &'a [(&'a str, &'a str)],
    ) -> Self {
        RequestParts {
            method: method.unwrap_or(DEFAULT_METHOD),
            host: host.unwrap_or(crate::api::DEFAULT_ENDPOINT),
            path: RPC_PATH,
            action,
            version: version.unwrap_or(crate::api::API_VERSION),
            params,
            headers,
        }
    }

    /// [`RpcRequest::check`].
    fn check(&self) -> Result<()> {
        check_host(self.host)?;
        if self.method.is_empty() || !self.method.bytes().all(is_tchar) {
            return Err(Error::invalid_input(
                "method",
                format_args!("{:?} is not an HTTP method (letters, digits and !#$%&'*+-.^_`|~ only)", self.method),
            ));
        }
        if !self.path.starts_with('/') || self.path.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(Error::invalid_input(
                "path",
                format_args!("{:?} must start with / and contain no space or control character", self.path),
            ));
        }
        check_header_value("action", self.action)?;
        check_header_value("version", self.version)?;
        for &(name, value) in self.headers {
            if name.is_empty() || !name.bytes().all(is_tchar) {
                return Err(Error::invalid_input(
                    "headers",
                    format_args!("{name:?} is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)"),
                ));
            }
            check_header_value("headers", value)?;
        }
        Ok(())
    }
}

/// An HTTP token character (RFC 9110 `tchar`).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `host[:port]`: a DNS name, an IPv4 address or a bracketed IPv6 address, then an optional
/// numeric port.
fn check_host(host: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::invalid_input("host", format_args!("{host:?} {why}")));
    if host.is_empty() || host.len() > 261 {
        return bad("must be 1 to 255 characters of host name with an optional :port");
    }
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((ip, tail))
                if !ip.is_empty() && ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') =>
            {
                (ip, tail.strip_prefix(':').map(Some).unwrap_or(if tail.is_empty() { None } else { Some("x") }))
            }
            _ => return bad("is not a bracketed IPv6 address"),
        },
        None => match host.rsplit_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (host, None),
        },
    };
    if !host.starts_with('[')
        && (name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
    {
        return bad("is not a host name: use letters, digits, - and . with an optional :port");
    }
    if let Some(p) = port
        && (p.is_empty()
            || p.len() > 5
            || !p.bytes().all(|b| b.is_ascii_digit())
            || p.parse::<u32>().unwrap_or(0) > 65_535)
    {
        return bad("has an invalid port (expected 0 to 65535)");
    }
    Ok(())
}

/// Header values go on one line: CR, LF and NUL would split or cut it.
fn check_header_value(field: &'static str, value: &str) -> Result<()> {
    if let Some(c) = value.chars().find(|c| matches!(c, '\r' | '\n' | '\0')) {
        return Err(Error::invalid_input(field, format_args!("{value:?} contains {c:?}; header values are one line")));
    }
    Ok(())
}

/// How a signature was computed: what to compare with the gateway's `SignatureDoesNotMatch`
/// message when debugging.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// V1: the canonicalized query string; V3: the canonical request.
    pub canonical_request: String,
    /// The exact string that was HMAC'd.
    pub string_to_sign: String,
    /// The resulting signature (Base64 for V1, hex for V3).
    pub signature: String,
}

/// A signed request, ready to send: `METHOD path?query` with `headers` and `body`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    /// The scheme used.
    pub version: SignatureVersion,
    /// HTTP method.
    pub method: String,
    /// Path (`/`).
    pub path: String,
    /// The query string as sent: RFC 3986 encoded, sorted by name (for V1 `Signature` is last).
    pub query: String,
    /// Headers to send, including `host` (and `Authorization` for V3).
    pub headers: Vec<(String, String)>,
    /// The body (empty for Dypnsapi calls).
    pub body: Vec<u8>,
    /// How the signature was computed.
    pub explanation: Explanation,
}

impl SignedRequest {
    /// The query parameters, decoded, in wire order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        // The query was encoded by us, so it always decodes.
        parse_query(&self.query).unwrap_or_default()
    }

    /// `path?query`.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() { self.path.clone() } else { format!("{}?{}", self.path, self.query) }
    }

    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// How the signature was computed, rebuilt from the request itself (no secret needed): the
    /// same [`Explanation`] [`sign`] returns, for a request made by [`sign_without_explanation`]
    /// (or `sign`) and not changed since.
    pub fn explain(&self) -> Explanation {
        match self.version {
            SignatureVersion::V1 => {
                let (canonical, signature) = self.query.rsplit_once("&Signature=").unwrap_or((&self.query, ""));
                Explanation {
                    canonical_request: canonical.to_owned(),
                    string_to_sign: v1::string_to_sign(&self.method, canonical),
                    signature: form_decode(signature).unwrap_or_default(),
                }
            }
            SignatureVersion::V3 => {
                let canonical_request = v3_canonical_request(&self.method, &self.path, &self.query, &self.headers);
                let auth = self.header("authorization").unwrap_or_default();
                let signature = auth.rsplit_once("Signature=").map_or("", |(_, s)| s);
                Explanation {
                    string_to_sign: v3::string_to_sign(&canonical_request),
                    canonical_request,
                    signature: signature.to_owned(),
                }
            }
        }
    }

    /// The request as an [`HttpRequest`], as a server would capture it.
    pub fn to_http_request(&self) -> HttpRequest {
        HttpRequest {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.iter().map(|(k, v)| (k.clone(), v.clone().into_bytes())).collect(),
            body: self.body.clone(),
        }
    }
}

/// A request [`sign_v1`] or [`sign_v3`] signed, borrowing the parts it repeats from the
/// request, the credentials and the stamp, for a `finish` that makes what its caller wants of
/// it: a [`SignedRequest`] (each part copied, [`SignedParts::into_request`]) or
/// `input::compact`'s one text (each part written once). The body is empty.
pub(crate) struct SignedParts<'a> {
    /// The scheme used.
    pub(crate) version: SignatureVersion,
    /// HTTP method.
    pub(crate) method: &'a str,
    /// Path.
    pub(crate) path: &'a str,
    /// The query string as sent.
    pub(crate) query: Cow<'a, str>,
    /// Headers to send, in order.
    pub(crate) headers: &'a [(&'a str, &'a str)],
    /// How the signature was computed (empty unless asked for).
    pub(crate) explanation: Explanation,
}

impl SignedParts<'_> {
    /// The parts as an owned [`SignedRequest`].
    pub(crate) fn into_request(self) -> SignedRequest {
        SignedRequest {
            version: self.version,
            method: self.method.to_owned(),
            path: self.path.to_owned(),
            query: self.query.into_owned(),
            headers: self.headers.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect(),
            body: Vec::new(),
            explanation: self.explanation,
        }
    }
}

/// Sign `req` with `version`, `creds` and `stamp`.
///
/// V1 adds the common parameters (`AccessKeyId, Action, Format=json, SignatureMethod,
/// SignatureNonce, SignatureVersion, Timestamp, Version`, and `SecurityToken` with STS) and
/// appends `Signature`. V3 adds the `x-acs-*` headers (and `x-acs-security-token` with STS) and
/// `Authorization`; it signs `host`, `content-type` if present and every `x-acs-*` header.
pub fn sign(req: &RpcRequest, version: SignatureVersion, creds: &Credentials, stamp: &Stamp) -> SignedRequest {
    sign_with(req, version, creds, stamp, true)
}

/// [`sign`] without keeping the human-readable explanation: the returned request's
/// `explanation` is empty, and [`SignedRequest::explain`] rebuilds it on demand from the request
/// itself. The bytes sent are identical to [`sign`]'s. For callers (clients, bindings) that only
/// send the request and show the explanation only when asked.
///
/// ```
/// use smsauth::sign::{sign, sign_without_explanation, RpcRequest, SignatureVersion, Stamp};
/// let creds = smsauth::Credentials::new("testid", "testsecret").unwrap();
/// let req = RpcRequest::new("dypnsapi.aliyuncs.com", "SendSmsVerifyCode", "2017-05-25");
/// let stamp = Stamp::new(1_735_787_045, "n-1");
/// let lean = sign_without_explanation(&req, SignatureVersion::V3, &creds, &stamp);
/// assert!(lean.explanation.string_to_sign.is_empty());
/// let full = sign(&req, SignatureVersion::V3, &creds, &stamp);
/// assert_eq!(lean.explain(), full.explanation);
/// ```
pub fn sign_without_explanation(
    req: &RpcRequest,
    version: SignatureVersion,
    creds: &Credentials,
    stamp: &Stamp,
) -> SignedRequest {
    sign_with(req, version, creds, stamp, false)
}

fn sign_with(
    req: &RpcRequest,
    version: SignatureVersion,
    creds: &Credentials,
    stamp: &Stamp,
    explain: bool,
) -> SignedRequest {
    req.with_parts(|req| sign_parts(req, version, creds, stamp, explain, |parts| parts.into_request()))
}

/// Sign `req` and hand the signed parts to `finish`.
fn sign_parts<R>(
    req: &RequestParts<'_>,
    version: SignatureVersion,
    creds: &Credentials,
    stamp: &Stamp,
    explain: bool,
    finish: impl FnOnce(SignedParts<'_>) -> R,
) -> R {
    match version {
        SignatureVersion::V1 => sign_v1(req, creds, stamp, explain, finish),
        SignatureVersion::V3 => sign_v3(req, creds, stamp, explain, finish),
    }
}

/// Owned pairs as borrowed ones.
fn owned_pairs(pairs: &[(String, String)]) -> impl ExactSizeIterator<Item = (&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

/// How many pairs [`borrowed_pairs`] keeps on the stack.
const PARAMS_ON_STACK: usize = 16;

/// `pairs` in `stack` when they fit (a call's usual handful), else in `heap`.
fn borrowed_pairs<'a, 'b>(
    pairs: impl ExactSizeIterator<Item = (&'a str, &'a str)>,
    stack: &'b mut [(&'a str, &'a str); PARAMS_ON_STACK],
    heap: &'b mut Vec<(&'a str, &'a str)>,
) -> &'b mut [(&'a str, &'a str)] {
    let len = pairs.len();
    if len <= PARAMS_ON_STACK {
        for (slot, pair) in stack.iter_mut().zip(pairs) {
            *slot = pair;
        }
        &mut stack[..len]
    } else {
        heap.extend(pairs);
        heap
    }
}

fn sign_v1<R>(
    req: &RequestParts<'_>,
    creds: &Credentials,
    stamp: &Stamp,
    explain: bool,
    finish: impl FnOnce(SignedParts<'_>) -> R,
) -> R {
    let timestamp = time::timestamp_bytes(stamp.timestamp);
    let timestamp = v3::ascii(&timestamp);
    // The common parameters, already in signing order; only the business ones need sorting.
    let token = creds.security_token().map(|t| t.expose());
    let mut common = [
        ("AccessKeyId", creds.access_key_id()),
        ("Action", req.action),
        ("Format", "json"),
        ("SecurityToken", token.unwrap_or_default()),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", stamp.nonce.as_str()),
        ("SignatureVersion", "1.0"),
        ("Timestamp", timestamp),
        ("Version", req.version),
    ];
    let common = if token.is_some() {
        &common[..]
    } else {
        // Without STS, drop `SecurityToken` (index 3).
        common.copy_within(4.., 3);
        &common[..8]
    };
    let (mut stack, mut heap) = ([("", ""); PARAMS_ON_STACK], Vec::new());
    let business = borrowed_pairs(req.params.iter().copied(), &mut stack, &mut heap);
    v1::sort_params(business);
    let params = v1::merge_sorted(common, business);

    // The query is the canonical query with the signature appended: written once, in place.
    const SIGNATURE_PARAM: &[u8] = b"&Signature=";
    let mut query = AsciiBuf::with_capacity(
        v1::canonical_query_room(params.clone()) + SIGNATURE_PARAM.len() + 3 * v1::SIGNATURE_LEN,
    );
    v1::write_canonical_query(&mut query, params);
    let canonical_len = query.as_bytes().len();
    let secret = creds.access_key_secret().expose();
    let (signature, string_to_sign) = if explain {
        let canonical = v3::ascii(query.as_bytes());
        let string_to_sign = v1::string_to_sign(req.method, canonical);
        (v1::signature_bytes(secret, &string_to_sign), string_to_sign)
    } else {
        // Hashed as it is written: the string-to-sign is never built.
        (v1::signature_of_canonical(secret, req.method.as_bytes(), query.as_bytes()), String::new())
    };
    query.push(SIGNATURE_PARAM);
    query.encode(&signature);
    let query = query.finish();

    let mut headers = Vec::with_capacity(req.headers.len() + 1);
    headers.push(("host", req.host));
    headers.extend(req.headers.iter().copied());
    let explanation = if explain {
        Explanation {
            canonical_request: query[..canonical_len].to_owned(),
            string_to_sign,
            signature: v3::ascii(&signature).to_owned(),
        }
    } else {
        Explanation::default()
    };
    finish(SignedParts {
        version: SignatureVersion::V1,
        method: req.method,
        path: req.path,
        query: Cow::Owned(query),
        headers: &headers,
        explanation,
    })
}

fn sign_v3<R>(
    req: &RequestParts<'_>,
    creds: &Credentials,
    stamp: &Stamp,
    explain: bool,
    finish: impl FnOnce(SignedParts<'_>) -> R,
) -> R {
    let (mut stack, mut heap) = ([("", ""); PARAMS_ON_STACK], Vec::new());
    let params = borrowed_pairs(req.params.iter().copied(), &mut stack, &mut heap);
    v1::sort_params(params);
    let canonical_query = v1::canonical_query(params);
    let date = time::timestamp_bytes(stamp.timestamp);
    let date = v3::ascii(&date);
    let token = creds.security_token().map(|t| t.expose());

    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(req.headers.len() + 9);
    headers.push(("host", req.host));
    headers.push(("x-acs-action", req.action));
    headers.push(("x-acs-version", req.version));
    headers.push(("x-acs-date", date));
    headers.push(("x-acs-signature-nonce", &stamp.nonce));
    headers.push(("x-acs-content-sha256", v3::EMPTY_BODY_SHA256));
    if let Some(token) = token {
        // As the official SDKs' V3 path does with STS credentials (tea-openapi `do_request`).
        headers.push(("x-acs-accesskey-id", creds.access_key_id()));
        headers.push(("x-acs-security-token", token));
    }
    headers.extend(req.headers.iter().copied());

    // Without extra headers the signed ones are ours, whose canonical form (sorted by name,
    // values trimmed) is known: nothing to lower-case, sort or group.
    fn trim(v: &str) -> &str {
        v.trim_matches([' ', '\t'])
    }
    let mut ours = [
        ("host", trim(req.host)),
        ("x-acs-accesskey-id", trim(creds.access_key_id())),
        ("x-acs-action", trim(req.action)),
        ("x-acs-content-sha256", v3::EMPTY_BODY_SHA256),
        ("x-acs-date", date),
        ("x-acs-security-token", trim(token.unwrap_or_default())),
        ("x-acs-signature-nonce", trim(&stamp.nonce)),
        ("x-acs-version", trim(req.version)),
    ];
    let (general, general_refs);
    let to_sign: &[(&str, &str)] = if !req.headers.is_empty() {
        general = v3_signed_headers(headers.iter().copied());
        general_refs = general.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect::<Vec<_>>();
        &general_refs
    } else if token.is_some() {
        &ours
    } else {
        // Without STS, drop `x-acs-accesskey-id` (index 1) and `x-acs-security-token` (index 5).
        ours.copy_within(2..5, 1);
        ours.copy_within(6.., 4);
        &ours[..6]
    };
    let secret = creds.access_key_secret().expose();
    let (string_to_sign, canonical_request) = if explain {
        let canonical_request =
            v3::canonical_request_text(req.method, req.path, &canonical_query, to_sign, v3::EMPTY_BODY_SHA256);
        (v3::string_to_sign_bytes(&canonical_request), canonical_request)
    } else {
        let string_to_sign =
            v3::string_to_sign_of(req.method, req.path, &canonical_query, to_sign, v3::EMPTY_BODY_SHA256);
        (string_to_sign, String::new())
    };
    let signature = v3::signature_bytes(secret, &string_to_sign);
    let signature = v3::ascii(&signature);
    let authorization = v3::authorization_for(creds.access_key_id(), to_sign, signature);
    headers.push(("Authorization", &authorization));
    let explanation = if explain {
        Explanation {
            canonical_request,
            string_to_sign: v3::ascii(&string_to_sign).to_owned(),
            signature: signature.to_owned(),
        }
    } else {
        Explanation::default()
    };
    finish(SignedParts {
        version: SignatureVersion::V3,
        method: req.method,
        path: req.path,
        query: Cow::Owned(canonical_query),
        headers: &headers,
        explanation,
    })
}

/// The canonical request of a V3 request our signer builds: the headers of
/// the default rule (`host`, `content-type`, `x-acs-*`) are signed and the body is empty.
fn v3_canonical_request(method: &str, path: &str, canonical_query: &str, headers: &[(String, String)]) -> String {
    let headers = headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    v3::canonical_request_text(method, path, canonical_query, &v3_signed_headers(headers), v3::EMPTY_BODY_SHA256)
}

/// The canonical form of the headers of a V3 request our signer builds that are signed: those of
/// the default rule (`host`, `content-type`, `x-acs-*`).
fn v3_signed_headers<'a>(headers: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    v3::canonical_headers(headers.filter(|(k, _)| v3::is_signed_by_default(k)))
}

/// Compute a V1 signature over explicit parameters (all of them, including the common ones) —
/// for reproducing a captured request or a published example.
///
/// ```
/// let params = [("AccessKeyId", "testid"), ("Action", "DescribeRegions"), ("Format", "XML"),
///     ("SignatureMethod", "HMAC-SHA1"), ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
///     ("SignatureVersion", "1.0"), ("TimeStamp", "2016-02-23T12:46:24Z"), ("Version", "2014-05-26")];
/// let ex = smsauth::sign::explain_v1("GET", &params, "testsecret");
/// assert_eq!(ex.signature, "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
/// ```
pub fn explain_v1<K: AsRef<str>, V: AsRef<str>>(method: &str, params: &[(K, V)], secret: &str) -> Explanation {
    let mut sorted: Vec<(&str, &str)> =
        params.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).filter(|(k, _)| *k != "Signature").collect();
    v1::sort_params(&mut sorted);
    let canonical = v1::canonical_query(&sorted);
    let string_to_sign = v1::string_to_sign(method, &canonical);
    let signature = v1::signature(secret, &string_to_sign);
    Explanation { canonical_request: canonical, string_to_sign, signature }
}

/// Compute a V3 signature over explicit parts, signing exactly the `headers` given (for example
/// the official Python SDK's set, which includes `accept` and `user-agent`).
///
/// Returns the explanation and the `Authorization` header value.
pub fn explain_v3<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    path: &str,
    query: &[(K, V)],
    headers: &[(K, V)],
    body: &[u8],
    access_key_id: &str,
    secret: &str,
) -> (Explanation, String) {
    explain_v3_with_payload_hash(method, path, query, headers, &v3::sha256_hex(body), access_key_id, secret)
}

/// [`explain_v3`] with the body's hex SHA-256 given instead of the body (as the official
/// utilities take it).
///
/// ```
/// // The official repeated-header example: one entry, values sorted and joined with `,`.
/// let (ex, auth) = smsauth::sign::explain_v3_with_payload_hash(
///     "GET", "/", &[("test", "ok"), ("empty", "")], &[("x-acs-test", "http"), ("x-acs-TEST", "https")],
///     "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23", "acesskey", "secret");
/// assert!(auth.contains("SignedHeaders=x-acs-test,"));
/// assert_eq!(ex.signature, "d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1");
/// ```
pub fn explain_v3_with_payload_hash<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    path: &str,
    query: &[(K, V)],
    headers: &[(K, V)],
    payload_sha256: &str,
    access_key_id: &str,
    secret: &str,
) -> (Explanation, String) {
    let mut sorted: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    v1::sort_params(&mut sorted);
    let cq = v1::canonical_query(&sorted);
    let hs = v3::canonical_headers(headers.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
    let (canonical_request, signed) = v3::canonical_request(method, path, &cq, &hs, payload_sha256);
    let string_to_sign = v3::string_to_sign(&canonical_request);
    let signature = v3::signature(secret, &string_to_sign);
    let auth = v3::authorization(access_key_id, &signed, &signature);
    (Explanation { canonical_request, string_to_sign, signature }, auth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_nonces_are_unique_across_pool_refills_and_threads() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..3 * (NONCE_POOL / 16) + 1 {
            let n = Stamp::fresh().unwrap().nonce;
            assert_eq!(n.len(), 32);
            assert!(seen.insert(n), "a nonce repeated");
        }
        let other: Vec<String> =
            std::thread::spawn(|| (0..NONCE_POOL / 16).map(|_| Stamp::fresh().unwrap().nonce).collect())
                .join()
                .unwrap();
        for n in other {
            assert!(seen.insert(n), "a nonce repeated on another thread");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_forked_child_does_not_reuse_its_parents_pooled_nonce_bytes() {
        // The pool is now filled, with bytes left for this thread's next nonces.
        Stamp::fresh().unwrap();
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: the child draws a nonce, writes it to the pipe and leaves with `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let n = Stamp::fresh().map(|s| s.nonce).unwrap_or_default();
            // SAFETY: writes the nonce's bytes to the pipe, then ends the child.
            unsafe {
                libc::write(fds[1], n.as_ptr().cast(), n.len());
                libc::_exit(0);
            }
        }
        let mine = Stamp::fresh().unwrap().nonce;
        let mut buf = [0u8; 32];
        // SAFETY: reads at most 32 bytes into `buf`; then reaps the child and closes the pipe.
        let read = unsafe {
            let read = libc::read(fds[0], buf.as_mut_ptr().cast(), buf.len());
            libc::waitpid(pid, std::ptr::null_mut(), 0);
            libc::close(fds[0]);
            libc::close(fds[1]);
            read
        };
        assert_eq!(read, 32, "the child's nonce");
        assert_ne!(&buf[..], mine.as_bytes(), "the child drew its parent's next nonce");
    }

    fn requests() -> Vec<RpcRequest> {
        let base = RpcRequest::new("dypnsapi.aliyuncs.com", "SendSmsVerifyCode", "2017-05-25");
        vec![
            base.clone(),
            base.clone().param("PhoneNumber", "13800138000").param("SignName", "速通 互联*~").param("A", "z"),
            // Business parameters that sort among (and collide with) the common ones.
            base.clone().param("Zeta", "1").param("Action", "Other").param("Format", "xml").param("SignatureNonce", ""),
            base.clone().header("X-Acs-Test", " b ").header("x-acs-test", "a").header("Content-Type", "text/plain"),
            base.method("GET").param("b", "2").param("b", "1"),
        ]
    }

    #[test]
    fn signing_without_explanation_sends_the_same_bytes_and_explains_the_same() {
        let plain = Credentials::new("testid", "testsecret").unwrap();
        let sts = plain.clone().with_security_token("sts+token/=").unwrap();
        let stamp = Stamp::new(1_735_787_045, "3d1e1b2c-4f5a");
        for creds in [&plain, &sts] {
            for req in requests() {
                for version in [SignatureVersion::V1, SignatureVersion::V3] {
                    let full = sign(&req, version, creds, &stamp);
                    let lean = sign_without_explanation(&req, version, creds, &stamp);
                    assert_eq!(lean.explanation, Explanation::default());
                    assert_eq!(SignedRequest { explanation: Explanation::default(), ..full.clone() }, lean);
                    assert_eq!(lean.explain(), full.explanation, "{version} {req:?}");
                    assert!(!full.explanation.string_to_sign.is_empty());
                }
            }
        }
    }

    #[test]
    fn v1_common_parameters_are_merged_in_sorted_order() {
        let creds = Credentials::new("testid", "testsecret").unwrap();
        let req = &requests()[2];
        let signed = sign(req, SignatureVersion::V1, &creds, &Stamp::new(1_735_787_045, "n"));
        let mut pairs = signed.query_pairs();
        pairs.pop(); // the Signature appended last
        let mut sorted = pairs.clone();
        v1::sort_params(&mut sorted);
        assert_eq!(pairs, sorted);
        // The same signature as sorting everything at once (explain_v1 does).
        let ex = explain_v1("POST", &pairs, "testsecret");
        assert_eq!(ex, signed.explanation);
    }
}
