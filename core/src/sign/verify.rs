//! Server-side verification of signed requests (V1 and V3), as the Alibaba Cloud gateway does it.
//!
//! The emulator and `smsauth verify` use this; so can any service that accepts requests signed
//! with Alibaba Cloud AccessKeys. On a mismatch the error carries the server-side
//! string-to-sign, like the real gateway's `SignatureDoesNotMatch` message, so the client can
//! compare it with its own.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::encode::{BorrowedPair, parse_query_borrowed};
use super::nonce::{MemoryNonceStore, NonceOutcome, NonceStore};
use super::{SignatureVersion, parse_timestamp, percent_encode, v1, v3};
use crate::secret::Secret;

/// A captured HTTP request: what a server sees. Header values and the body are raw bytes, so
/// what is verified is exactly what arrived (nothing is decoded lossily).
///
/// ```
/// use smsauth::sign::HttpRequest;
/// let req = HttpRequest::new("POST", "", "?Action=X").with_header("host", "example.com").with_body(b"".to_vec());
/// assert_eq!((req.path.as_str(), req.query.as_str()), ("/", "Action=X"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    /// `POST`, `GET`, …
    pub method: String,
    /// The path, `/` for RPC APIs.
    #[serde(default = "root_path")]
    pub path: String,
    /// The raw query string without the `?`, still percent-encoded.
    #[serde(default)]
    pub query: String,
    /// Headers in any case, as received (values as raw bytes; text in JSON).
    #[serde(default, with = "text_pairs")]
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body as received (a form body carries parameters too; text in JSON).
    #[serde(default, with = "text_bytes")]
    pub body: Vec<u8>,
}

fn root_path() -> String {
    "/".into()
}

/// JSON spelling of raw bytes: a string (bytes that are not UTF-8 are written lossily, so a
/// request with such bytes is built in code, not read from JSON).
mod text_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(v))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

mod text_pairs {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[(String, Vec<u8>)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|(k, v)| (k, String::from_utf8_lossy(v))))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, Vec<u8>)>, D::Error> {
        Ok(Vec::<(String, String)>::deserialize(d)?.into_iter().map(|(k, v)| (k, v.into_bytes())).collect())
    }
}

/// Trim ASCII space and tab only (HTTP's optional whitespace). Unicode spaces such as U+3000
/// are part of the value and signed as such.
fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|b| !matches!(b, b' ' | b'\t')).unwrap_or(v.len());
    let end = v.iter().rposition(|b| !matches!(b, b' ' | b'\t')).map_or(start, |i| i + 1);
    &v[start..end]
}

impl HttpRequest {
    /// A request with no headers and an empty body. The one input rule every binding shares:
    /// an empty `path` is `/`, and one leading `?` of `query` is dropped.
    pub fn new(method: impl Into<String>, path: impl Into<String>, query: impl Into<String>) -> Self {
        let path = path.into();
        let query = query.into();
        HttpRequest {
            method: method.into(),
            path: if path.is_empty() { root_path() } else { path },
            query: query.strip_prefix('?').map(str::to_owned).unwrap_or(query),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Add a received header (repeat a name to add another value).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Set the received body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// All values of a header, by case-insensitive name, ASCII-trimmed and joined with `,` in
    /// arrival order; bytes that are not UTF-8 are shown as U+FFFD. For routing and display:
    /// [`Verifier`] reads the raw bytes.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut values = self.values(name);
        let mut joined = String::from_utf8_lossy(values.next()?).into_owned();
        for v in values {
            joined.push(',');
            joined.push_str(&String::from_utf8_lossy(v));
        }
        Some(joined)
    }

    /// The raw, ASCII-trimmed values of a header, in arrival order.
    fn values<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + use<'a, 'n> {
        self.headers.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| trim_ows(v.as_slice()))
    }

    /// The one value of a header that may appear at most once, as UTF-8 text.
    fn single<'a>(&'a self, name: &str) -> Result<Option<&'a str>, VerifyError> {
        let mut values = self.values(name);
        let Some(first) = values.next() else { return Ok(None) };
        if values.next().is_some() {
            return Err(VerifyError::InvalidParameter(format!(
                "the {name} header is repeated; send it once (a repeated header is ambiguous)"
            )));
        }
        std::str::from_utf8(first)
            .map(Some)
            .map_err(|_| VerifyError::InvalidParameter(format!("the {name} header is not valid UTF-8")))
    }

    fn is_form_body(&self) -> Result<bool, VerifyError> {
        Ok(self
            .single("content-type")?
            .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded")))
    }

    /// Query and form-body parameters (the query's first), and how many came from the query;
    /// any name seen twice is refused.
    fn params(&self) -> Result<(Vec<BorrowedPair<'_>>, usize), VerifyError> {
        let mut params = Vec::with_capacity(16);
        parse_query_borrowed(&self.query, &mut params)
            .map_err(|e| VerifyError::InvalidParameter(format!("bad query string: {e}")))?;
        let from_query = params.len();
        if self.is_form_body()? && !self.body.is_empty() {
            let text = std::str::from_utf8(&self.body).map_err(|e| {
                VerifyError::InvalidParameter(format!(
                    "the form body is not valid UTF-8 (byte {}); send application/x-www-form-urlencoded text",
                    e.valid_up_to()
                ))
            })?;
            parse_query_borrowed(text, &mut params)
                .map_err(|e| VerifyError::InvalidParameter(format!("bad form body: {e}")))?;
        }
        let mut names: Vec<&str> = params.iter().map(|(k, _)| k.as_ref()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(VerifyError::InvalidParameter(format!(
                "parameter {} appears more than once; each parameter may be sent once (query and form body \
                 together)",
                w[0]
            )));
        }
        Ok((params, from_query))
    }
}

/// A request whose signature checked out.
#[derive(Clone, PartialEq, Eq)]
pub struct Verified {
    /// The scheme the client used.
    pub version: SignatureVersion,
    /// The AccessKey ID that signed.
    pub access_key_id: String,
    /// The STS token sent with the request, if any (check it against the issued one).
    pub security_token: Option<Secret>,
    /// The API action.
    pub action: String,
    /// The API version.
    pub api_version: String,
    /// Business parameters (query and form body), without the signing parameters.
    pub params: Vec<(String, String)>,
    /// The request's timestamp (Unix seconds).
    pub timestamp: u64,
    /// The request's nonce.
    pub nonce: String,
}

impl Verified {
    /// The first value of a business parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("version", &self.version)
            .field("access_key_id", &self.access_key_id)
            .field("security_token", &self.security_token)
            .field("action", &self.action)
            .field("api_version", &self.api_version)
            .field("params", &self.params)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .finish()
    }
}

/// Why a request failed verification. [`VerifyError::code`] is the gateway's error code; for
/// the crate's error taxonomy convert it with `smsauth::Error::from`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required signing parameter or header is absent or empty.
    MissingParameter(String),
    /// The signature is malformed, uses an unsupported method, or leaves required parts unsigned.
    IncompleteSignature(String),
    /// A parameter could not be decoded or parsed, is repeated, or is out of its bounds.
    InvalidParameter(String),
    /// The timestamp is not `yyyy-MM-ddTHH:mm:ssZ`.
    InvalidTimestampFormat(String),
    /// The timestamp is outside the allowed window.
    TimestampExpired {
        /// The request's timestamp as sent.
        timestamp: String,
    },
    /// No secret is known for this AccessKey ID.
    AccessKeyNotFound(String),
    /// The signature does not match; carries what the server signed (an STS token in it is
    /// shown as `***`).
    SignatureDoesNotMatch {
        /// The server-side string-to-sign.
        string_to_sign: String,
        /// The server-side canonical request (V3) or canonical query (V1).
        canonical_request: String,
    },
    /// The request was signed for another host than this verifier serves.
    WrongHost {
        /// The host the request names.
        signed_host: String,
    },
    /// The nonce was already used within the window.
    NonceUsed(String),
    /// The nonce store is full of live nonces (or this AccessKey reached its quota): retry later.
    NonceStoreFull,
    /// The nonce store could not be asked (e.g. Redis is down); refused rather than risk a replay.
    NonceStoreUnavailable(String),
}

impl VerifyError {
    /// The gateway's error `Code`.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::MissingParameter(_) => "MissingParameter",
            VerifyError::IncompleteSignature(_) => "IncompleteSignature",
            VerifyError::InvalidParameter(_) => "InvalidParameter",
            VerifyError::InvalidTimestampFormat(_) => "InvalidTimeStamp.Format",
            VerifyError::TimestampExpired { .. } => "InvalidTimeStamp.Expired",
            VerifyError::AccessKeyNotFound(_) => "InvalidAccessKeyId.NotFound",
            VerifyError::SignatureDoesNotMatch { .. } | VerifyError::WrongHost { .. } => "SignatureDoesNotMatch",
            VerifyError::NonceUsed(_) => "SignatureNonceUsed",
            VerifyError::NonceStoreFull => "Throttling.User",
            VerifyError::NonceStoreUnavailable(_) => "ServiceUnavailable",
        }
    }

    /// The HTTP status the gateway answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            VerifyError::AccessKeyNotFound(_) => 404,
            VerifyError::NonceStoreFull => 429,
            VerifyError::NonceStoreUnavailable(_) => 503,
            _ => 400,
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingParameter(name) => write!(
                f,
                "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
            ),
            VerifyError::IncompleteSignature(why) => {
                write!(f, "The request signature does not conform to Aliyun standards. {why}")
            }
            VerifyError::InvalidParameter(why) => write!(f, "{why}"),
            VerifyError::InvalidTimestampFormat(ts) => {
                write!(
                    f,
                    "Specified time stamp or date value is not well formatted: {ts:?}; expected yyyy-MM-ddTHH:mm:ssZ."
                )
            }
            VerifyError::TimestampExpired { timestamp } => {
                write!(f, "Specified time stamp or date value is expired: {timestamp}.")
            }
            VerifyError::AccessKeyNotFound(_) => f.write_str("Specified access key is not found."),
            VerifyError::SignatureDoesNotMatch { string_to_sign, .. } => write!(
                f,
                "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
            ),
            VerifyError::WrongHost { signed_host } => write!(
                f,
                "Specified signature is not matched with our calculation: the request is signed for host \
                 {signed_host:?}, which this server does not serve."
            ),
            VerifyError::NonceUsed(_) => f.write_str("Specified signature nonce was used already."),
            VerifyError::NonceStoreFull => f.write_str(
                "Request was denied due to user flow control: too many requests are in the replay window; retry later.",
            ),
            VerifyError::NonceStoreUnavailable(why) => {
                write!(f, "The replay-protection store is unavailable ({why}); retry later.")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// The one mapping of a refused request to the crate's taxonomy, which every binding uses:
/// a request the gateway refuses as unauthenticated, incomplete or malformed is
/// [`ErrorKind::Authentication`](crate::ErrorKind::Authentication) (a verifier's caller only
/// needs "not proven to come from the key holder"; the gateway code tells which check failed);
/// a full nonce store is [`ErrorKind::Throttled`](crate::ErrorKind::Throttled) (retry after a
/// second); an unavailable nonce store is [`ErrorKind::Service`](crate::ErrorKind::Service).
/// The gateway code, message and HTTP status are kept in [`Error::service`](crate::Error::service).
///
/// ```
/// use smsauth::sign::VerifyError;
/// let e = smsauth::Error::from(VerifyError::MissingParameter("SignatureNonce".into()));
/// assert_eq!((e.kind(), e.service_code()), (smsauth::ErrorKind::Authentication, Some("MissingParameter")));
/// ```
impl From<VerifyError> for crate::Error {
    fn from(e: VerifyError) -> Self {
        use crate::ErrorKind;
        let (kind, retry_after) = match e {
            VerifyError::NonceStoreFull => (ErrorKind::Throttled, Some(Duration::from_secs(1))),
            VerifyError::NonceStoreUnavailable(_) => (ErrorKind::Service, None),
            _ => (ErrorKind::Authentication, None),
        };
        let message = e.to_string();
        let detail = crate::error::ServiceDetail {
            code: e.code().to_owned(),
            message: message.clone(),
            http_status: e.http_status(),
            ..Default::default()
        };
        crate::Error::new(kind, format!("{}: {message}", e.code()))
            .with_service(detail)
            .with_status(e.http_status())
            .with_retry_after(retry_after)
            .with_source(e)
    }
}

/// The longest nonce accepted, in bytes. The official SDKs send 32–36 characters.
pub const MAX_NONCE_LEN: usize = 128;

/// A nonce is 1 to [`MAX_NONCE_LEN`] characters of `A-Z a-z 0-9 - _ . ~` (RFC 3986 unreserved,
/// which covers UUIDs and hex): anything else is refused, so its spelling is never ambiguous.
fn check_nonce(name: &str, nonce: &str) -> Result<(), VerifyError> {
    if nonce.is_empty() {
        return Err(VerifyError::MissingParameter(name.to_owned()));
    }
    if nonce.len() > MAX_NONCE_LEN {
        return Err(VerifyError::InvalidParameter(format!(
            "{name} is {} bytes long; at most {MAX_NONCE_LEN} are accepted",
            nonce.len()
        )));
    }
    if nonce.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')) {
        return Ok(());
    }
    if let Some(c) = nonce.chars().find(|c| !(c.is_ascii_alphanumeric() || "-_.~".contains(*c))) {
        return Err(VerifyError::InvalidParameter(format!("{name} contains {c:?}; use only A-Z a-z 0-9 - _ . ~")));
    }
    Ok(())
}

/// Checks signatures, timestamps and nonces.
///
/// One time rule, inclusive on both sides: a timestamp `ts` is accepted at `now` when
/// `|now - ts| <= window`, and its nonce is remembered through `max(ts, now) + window`
/// inclusive, so a request can never outlive its nonce.
///
/// ```
/// use smsauth::sign::{sign, RpcRequest, SignatureVersion, Stamp, Verifier};
/// use smsauth::{Credentials, Secret};
///
/// let creds = Credentials::new("testid", "testsecret").unwrap();
/// let req = RpcRequest::new("127.0.0.1:8080", "CheckSmsVerifyCode", "2017-05-25")
///     .param("PhoneNumber", "13800138000").param("VerifyCode", "1234");
/// let signed = sign(&req, SignatureVersion::V1, &creds, &Stamp::new(1_700_000_000, "n-1"));
/// let verifier = Verifier::new().expected_hosts(["127.0.0.1:8080"]);
/// let lookup = |id: &str| (id == "testid").then(|| Secret::new("testsecret"));
/// let ok = verifier.verify(&signed.to_http_request(), 1_700_000_060, lookup).unwrap();
/// assert_eq!(ok.param("VerifyCode"), Some("1234"));
/// // The same request again is a replay.
/// let err = verifier.verify(&signed.to_http_request(), 1_700_000_061, lookup).unwrap_err();
/// assert_eq!(err.code(), "SignatureNonceUsed");
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    window: Duration,
    nonces: Option<Arc<dyn NonceStore>>,
    expected_hosts: Vec<String>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::new()
    }
}

const V1_SIGNING_PARAMS: [&str; 9] = [
    "AccessKeyId",
    "Action",
    "Format",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
    "SecurityToken",
];

const V3_REQUIRED_SIGNED: [&str; 6] =
    ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"];

/// Headers that carry one value: a second copy would make the request ambiguous.
const SINGLE_HEADERS: [&str; 10] = [
    "authorization",
    "content-type",
    "host",
    "x-acs-accesskey-id",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-security-token",
    "x-acs-signature-nonce",
    "x-acs-version",
];

impl Verifier {
    /// The widest timestamp window accepted: 24 hours.
    pub const MAX_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

    /// ±15 minutes, and an in-memory nonce store ([`MemoryNonceStore::default`]).
    pub fn new() -> Self {
        Verifier {
            window: Duration::from_secs(15 * 60),
            nonces: Some(Arc::new(MemoryNonceStore::default())),
            expected_hosts: Vec::new(),
        }
    }

    /// Accept timestamps within ±`window` of `now` (whole seconds; at most
    /// [`Verifier::MAX_WINDOW`], otherwise an [`ErrorKind::InvalidInput`](crate::ErrorKind) error).
    pub fn window(mut self, window: Duration) -> crate::Result<Self> {
        if window > Self::MAX_WINDOW {
            return Err(crate::Error::invalid_input(
                "window",
                format_args!(
                    "{} s is wider than the maximum of {} s (24 h)",
                    window.as_secs(),
                    Self::MAX_WINDOW.as_secs()
                ),
            ));
        }
        self.window = window;
        Ok(self)
    }

    /// Use this nonce store (e.g. one shared between servers).
    pub fn nonce_store(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.nonces = Some(store);
        self
    }

    /// Do not check nonces (for offline checks of a captured request, as `smsauth verify` does).
    pub fn without_nonce_check(mut self) -> Self {
        self.nonces = None;
        self
    }

    /// Accept only requests for these `host[:port]` values (compared without case; `name:*`
    /// matches `name` with any port or none). A V3 request signs its `host`, so one signed for
    /// another server is refused; a V1 request's `host` header is checked too. Empty (the
    /// default) accepts any host.
    pub fn expected_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expected_hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// [`Verifier::verify`] at `now` or, when `None`, the current time: the one "now" rule of
    /// every binding's verifier.
    pub fn verify_at<F>(&self, req: &HttpRequest, now: Option<u64>, lookup: F) -> Result<Verified, VerifyError>
    where
        F: Fn(&str) -> Option<Secret>,
    {
        self.verify(req, now.unwrap_or_else(super::unix_now), lookup)
    }

    /// Verify `req` at time `now` (Unix seconds), looking the secret up by AccessKey ID.
    ///
    /// Order of checks, as the gateway does them: completeness, timestamp, key, signature, and
    /// only then the nonce (so forged requests cannot burn nonces).
    pub fn verify<F>(&self, req: &HttpRequest, now: u64, lookup: F) -> Result<Verified, VerifyError>
    where
        F: Fn(&str) -> Option<Secret>,
    {
        for name in SINGLE_HEADERS {
            req.single(name)?;
        }
        let (params, from_query) = req.params()?;
        let verified = match req.single("authorization")? {
            Some(auth) if auth.starts_with(v3::ALGORITHM) => {
                self.verify_v3(req, auth, params, from_query, now, &lookup)?
            }
            Some(auth) if !params.iter().any(|(k, _)| k == "Signature") => {
                let scheme = auth.split_whitespace().next().unwrap_or("");
                return Err(VerifyError::IncompleteSignature(format!(
                    "Authorization scheme {scheme:?} is not supported; use ACS3-HMAC-SHA256"
                )));
            }
            _ => self.verify_v1(req, params, now, &lookup)?,
        };
        if let Some(store) = &self.nonces {
            let expires = verified.timestamp.max(now).saturating_add(self.window.as_secs());
            match store.insert(&verified.access_key_id, &verified.nonce, now, expires) {
                NonceOutcome::Fresh => {}
                NonceOutcome::Replay => return Err(VerifyError::NonceUsed(verified.nonce)),
                NonceOutcome::Full => return Err(VerifyError::NonceStoreFull),
                NonceOutcome::Unavailable(why) => return Err(VerifyError::NonceStoreUnavailable(why)),
            }
        }
        Ok(verified)
    }

    fn check_time(&self, ts: &str, now: u64) -> Result<u64, VerifyError> {
        let t = parse_timestamp(ts).ok_or_else(|| VerifyError::InvalidTimestampFormat(ts.to_owned()))?;
        if t.abs_diff(now) > self.window.as_secs() {
            return Err(VerifyError::TimestampExpired { timestamp: ts.to_owned() });
        }
        Ok(t)
    }

    fn check_host(&self, host: Option<&str>) -> Result<(), VerifyError> {
        if self.expected_hosts.is_empty() {
            return Ok(());
        }
        let host = host.unwrap_or_default();
        let name =
            host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(n, _)| n);
        let matches = |h: &String| match h.strip_suffix(":*") {
            Some(any_port) => any_port.eq_ignore_ascii_case(name),
            None => h.eq_ignore_ascii_case(host),
        };
        if self.expected_hosts.iter().any(matches) {
            return Ok(());
        }
        Err(VerifyError::WrongHost { signed_host: host.to_owned() })
    }

    fn verify_v1<F>(
        &self,
        req: &HttpRequest,
        params: Vec<BorrowedPair<'_>>,
        now: u64,
        lookup: &F,
    ) -> Result<Verified, VerifyError>
    where
        F: Fn(&str) -> Option<Secret>,
    {
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_ref());
        let require = |name: &str| {
            get(name).filter(|v| !v.is_empty()).ok_or_else(|| VerifyError::MissingParameter(name.to_owned()))
        };
        let signature = require("Signature")?;
        let key_id = require("AccessKeyId")?;
        let method = require("SignatureMethod")?;
        if method != "HMAC-SHA1" {
            return Err(VerifyError::IncompleteSignature(format!(
                "SignatureMethod {method:?} is not supported; use HMAC-SHA1"
            )));
        }
        let sig_version = require("SignatureVersion")?;
        if sig_version != "1.0" {
            return Err(VerifyError::IncompleteSignature(format!(
                "SignatureVersion {sig_version:?} is not supported; use 1.0"
            )));
        }
        let nonce = get("SignatureNonce").unwrap_or_default();
        check_nonce("SignatureNonce", nonce)?;
        let action = require("Action")?;
        let api_version = require("Version")?;
        let timestamp = self.check_time(require("Timestamp")?, now)?;
        self.check_host(req.single("host")?)?;
        let secret = lookup(key_id).ok_or_else(|| VerifyError::AccessKeyNotFound(key_id.to_owned()))?;

        let mut sorted: Vec<(&str, &str)> =
            params.iter().filter(|(k, _)| k != "Signature").map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
        v1::sort_params(&mut sorted);
        let (canonical, string_to_sign) = v1::canonical_and_string_to_sign(&req.method, &sorted);
        let expected = v1::signature_bytes(secret.expose(), &string_to_sign);
        if !bool::from(expected.as_slice().ct_eq(signature.as_bytes())) {
            let token = get("SecurityToken");
            return Err(VerifyError::SignatureDoesNotMatch {
                string_to_sign: redact(string_to_sign, token),
                canonical_request: redact(canonical, token),
            });
        }
        let verified = Verified {
            version: SignatureVersion::V1,
            access_key_id: key_id.to_owned(),
            security_token: get("SecurityToken").map(Secret::new),
            action: action.to_owned(),
            api_version: api_version.to_owned(),
            timestamp,
            nonce: nonce.to_owned(),
            params: Vec::new(),
        };
        let business = params
            .into_iter()
            .filter(|(k, _)| k != "Signature" && !V1_SIGNING_PARAMS.contains(&k.as_ref()))
            .map(owned)
            .collect();
        Ok(Verified { params: business, ..verified })
    }

    fn verify_v3<F>(
        &self,
        req: &HttpRequest,
        auth: &str,
        params: Vec<BorrowedPair<'_>>,
        from_query: usize,
        now: u64,
        lookup: &F,
    ) -> Result<Verified, VerifyError>
    where
        F: Fn(&str) -> Option<Secret>,
    {
        let parsed = parse_authorization(auth)?;
        // Every header the client declared signed must be present; the ones that authenticate the
        // request must be among them, and so must every x-acs-* header actually sent, and the
        // content-type whenever there is a body (it decides how the body is read).
        let mut declared: Vec<Cow<'_, str>> = parsed.signed_headers.split(';').map(|h| lower(h.trim())).collect();
        if !declared.is_sorted() {
            declared.sort_unstable();
        }
        if let Some(w) = declared.windows(2).find(|w| w[0] == w[1]) {
            return Err(VerifyError::IncompleteSignature(format!("SignedHeaders names {} twice", w[0])));
        }
        if declared.iter().any(|h| h.is_empty()) {
            return Err(VerifyError::IncompleteSignature("SignedHeaders has an empty name".into()));
        }
        for required in V3_REQUIRED_SIGNED {
            if !declared.iter().any(|h| h == required) {
                return Err(VerifyError::IncompleteSignature(format!("SignedHeaders must include {required}")));
            }
        }
        for (name, _) in &req.headers {
            let is_acs = name.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("x-acs-"));
            if is_acs && !declared.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                let lower = name.to_ascii_lowercase();
                return Err(VerifyError::IncompleteSignature(format!("header {lower} is sent but not signed")));
            }
        }
        if !req.body.is_empty() && !declared.iter().any(|h| h == "content-type") {
            return Err(VerifyError::IncompleteSignature(
                "content-type must be signed when the body is not empty".into(),
            ));
        }
        let mut headers = Vec::with_capacity(declared.len());
        for name in declared {
            let value = canonical_header_value(req, &name)?;
            headers.push((name, value));
        }
        let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_ref()).unwrap_or_default();

        let nonce = header("x-acs-signature-nonce");
        check_nonce("x-acs-signature-nonce", nonce)?;
        let timestamp = self.check_time(header("x-acs-date"), now)?;
        self.check_host(Some(header("host")))?;
        let secret =
            lookup(parsed.credential).ok_or_else(|| VerifyError::AccessKeyNotFound(parsed.credential.to_owned()))?;

        let payload_hash = header("x-acs-content-sha256");
        let actual_hash;
        let actual_hash = if req.body.is_empty() {
            v3::EMPTY_BODY_SHA256
        } else {
            actual_hash = v3::sha256_hex_bytes(&req.body);
            v3::ascii(&actual_hash)
        };
        if !payload_hash.eq_ignore_ascii_case(actual_hash) {
            return Err(VerifyError::InvalidParameter(format!(
                "x-acs-content-sha256 {payload_hash} does not match the body's SHA-256 {actual_hash}"
            )));
        }
        // The query's parameters were parsed with the form body's; they come first.
        let mut query: Vec<(&str, &str)> = params[..from_query].iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
        v1::sort_params(&mut query);
        let cq = v1::canonical_query(&query);
        let (canonical_request, _) = v3::canonical_request(&req.method, &req.path, &cq, &headers, payload_hash);
        let string_to_sign = v3::string_to_sign_bytes(&canonical_request);
        let expected = v3::signature_bytes(secret.expose(), &string_to_sign);
        if !bool::from(expected.as_slice().ct_eq(parsed.signature.as_bytes())) {
            let token = headers.iter().find(|(k, _)| k == "x-acs-security-token").map(|(_, v)| v.as_ref());
            return Err(VerifyError::SignatureDoesNotMatch {
                string_to_sign: v3::ascii(&string_to_sign).to_owned(),
                canonical_request: redact(canonical_request, token),
            });
        }
        Ok(Verified {
            version: SignatureVersion::V3,
            access_key_id: parsed.credential.to_owned(),
            security_token: req.single("x-acs-security-token")?.map(Secret::new),
            action: header("x-acs-action").to_owned(),
            api_version: header("x-acs-version").to_owned(),
            timestamp,
            nonce: nonce.to_owned(),
            params: params.into_iter().map(owned).collect(),
        })
    }
}

/// A signed header's canonical value, the official SDKs' way: each value trimmed, the values of
/// a repeated header sorted and joined with `,`. Values must be UTF-8 text.
fn canonical_header_value<'r>(req: &'r HttpRequest, name: &str) -> Result<Cow<'r, str>, VerifyError> {
    let text = |raw| {
        std::str::from_utf8(raw)
            .map_err(|_| VerifyError::InvalidParameter(format!("the signed header {name} is not valid UTF-8")))
    };
    let mut values = req.values(name);
    let Some(first) = values.next() else {
        return Err(VerifyError::IncompleteSignature(format!("header {name} is in SignedHeaders but absent")));
    };
    let first = text(first)?;
    let mut rest = values.peekable();
    if rest.peek().is_none() {
        return Ok(Cow::Borrowed(first));
    }
    let mut all = vec![first];
    for raw in rest {
        all.push(text(raw)?);
    }
    all.sort_unstable();
    Ok(Cow::Owned(all.join(",")))
}

/// A parameter to keep in [`Verified`].
fn owned((k, v): BorrowedPair<'_>) -> (String, String) {
    (k.into_owned(), v.into_owned())
}

/// `name` in lower case, borrowed when it already is.
fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Replace an STS token (as is and percent-encoded once and twice) with `***`, so an error
/// answer never echoes it.
fn redact(text: String, token: Option<&str>) -> String {
    let Some(token) = token.filter(|t| !t.is_empty()) else { return text };
    let once = percent_encode(token);
    let twice = percent_encode(&once);
    let mut text = text;
    for form in [twice.as_str(), once.as_str(), token] {
        if text.contains(form) {
            text = text.replace(form, "***");
        }
    }
    text
}

struct Authorization<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization(auth: &str) -> Result<Authorization<'_>, VerifyError> {
    let rest = auth.strip_prefix(v3::ALGORITHM).unwrap_or_default();
    if !rest.starts_with(' ') {
        return Err(VerifyError::IncompleteSignature(format!("Authorization must start with \"{} \"", v3::ALGORITHM)));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim_matches([' ', '\t']);
        let Some((key, value)) = part.split_once('=') else {
            return Err(VerifyError::IncompleteSignature(format!("malformed Authorization part {part:?}")));
        };
        let slot = match key.trim_matches([' ', '\t']) {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            other => {
                return Err(VerifyError::IncompleteSignature(format!("unknown Authorization field {other:?}")));
            }
        };
        if slot.is_some() {
            return Err(VerifyError::IncompleteSignature(format!("Authorization repeats {}", key.trim())));
        }
        *slot = Some(value.trim_matches([' ', '\t']));
    }
    let missing = |name: &str| VerifyError::IncompleteSignature(format!("Authorization has no {name}"));
    Ok(Authorization {
        credential: credential.filter(|s| !s.is_empty()).ok_or_else(|| missing("Credential"))?,
        signed_headers: signed_headers.filter(|s| !s.is_empty()).ok_or_else(|| missing("SignedHeaders"))?,
        signature: signature.filter(|s| !s.is_empty()).ok_or_else(|| missing("Signature"))?,
    })
}
