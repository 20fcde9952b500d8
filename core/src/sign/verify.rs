//! Server-side verification of signed requests (V1 and V3), as the Alibaba Cloud gateway does it.
//!
//! The emulator and `smsauth verify` use this; so can any service that accepts requests signed
//! with Alibaba Cloud AccessKeys. On a mismatch the error carries the server-side
//! string-to-sign, like the real gateway's `SignatureDoesNotMatch` message, so the client can
//! compare it with its own.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::encode::parse_query;
use super::nonce::{MemoryNonceStore, NonceStore};
use super::{SignatureVersion, parse_timestamp, v1, v3};
use crate::credentials::Secret;

/// A captured HTTP request: what a server sees.
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
    /// Headers in any case, as received.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body (a form body carries parameters too).
    #[serde(default)]
    pub body: String,
}

fn root_path() -> String {
    "/".into()
}

impl HttpRequest {
    /// All values of a header, by case-insensitive name, joined with `,` (HTTP semantics).
    pub fn header(&self, name: &str) -> Option<String> {
        let mut values = self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
        let first = values.next()?;
        let mut joined = first.to_owned();
        for v in values {
            joined.push(',');
            joined.push_str(v);
        }
        Some(joined)
    }

    fn is_form_body(&self) -> bool {
        self.header("content-type")
            .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
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

/// Why a request failed verification. [`VerifyError::code`] is the gateway's error code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required signing parameter or header is absent.
    MissingParameter(String),
    /// The signature is malformed, uses an unsupported method, or leaves required parts unsigned.
    IncompleteSignature(String),
    /// A parameter could not be decoded or parsed.
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
    /// The signature does not match; carries what the server signed.
    SignatureDoesNotMatch {
        /// The server-side string-to-sign.
        string_to_sign: String,
        /// The server-side canonical request (V3) or canonical query (V1).
        canonical_request: String,
    },
    /// The nonce was already used within the window.
    NonceUsed(String),
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
            VerifyError::SignatureDoesNotMatch { .. } => "SignatureDoesNotMatch",
            VerifyError::NonceUsed(_) => "SignatureNonceUsed",
        }
    }

    /// The HTTP status the gateway answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            VerifyError::AccessKeyNotFound(_) => 404,
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
            VerifyError::NonceUsed(_) => f.write_str("Specified signature nonce was used already."),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Checks signatures, timestamps and nonces.
///
/// ```
/// use smsauth::sign::{sign, RpcRequest, SignatureVersion, Stamp, Verifier};
/// use smsauth::{Credentials, Secret};
///
/// let creds = Credentials::new("testid", "testsecret").unwrap();
/// let req = RpcRequest::new("127.0.0.1:8080", "CheckSmsVerifyCode", "2017-05-25")
///     .param("PhoneNumber", "13800138000").param("VerifyCode", "1234");
/// let signed = sign(&req, SignatureVersion::V1, &creds, &Stamp::new(1_700_000_000, "n-1"));
/// let verifier = Verifier::new();
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

impl Verifier {
    /// ±15 minutes, and an in-memory nonce store.
    pub fn new() -> Self {
        Verifier { window: Duration::from_secs(15 * 60), nonces: Some(Arc::new(MemoryNonceStore::default())) }
    }

    /// Accept timestamps within ±`window` of `now`.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
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

    /// Verify `req` at time `now` (Unix seconds), looking the secret up by AccessKey ID.
    ///
    /// Order of checks, as the gateway does them: completeness, timestamp, key, signature, and
    /// only then the nonce (so forged requests cannot burn nonces).
    pub fn verify<F>(&self, req: &HttpRequest, now: u64, lookup: F) -> Result<Verified, VerifyError>
    where
        F: Fn(&str) -> Option<Secret>,
    {
        let mut params =
            parse_query(&req.query).map_err(|e| VerifyError::InvalidParameter(format!("bad query string: {e}")))?;
        if req.is_form_body() && !req.body.is_empty() {
            params.extend(
                parse_query(&req.body).map_err(|e| VerifyError::InvalidParameter(format!("bad form body: {e}")))?,
            );
        }
        let verified = match req.header("authorization") {
            Some(auth) if auth.trim_start().starts_with(v3::ALGORITHM) => {
                self.verify_v3(req, &auth, params, now, &lookup)?
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
            let expires = verified.timestamp.max(now) + self.window.as_secs();
            if !store.insert(&verified.access_key_id, &verified.nonce, now, expires) {
                return Err(VerifyError::NonceUsed(verified.nonce));
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

    fn verify_v1<F>(
        &self,
        req: &HttpRequest,
        params: Vec<(String, String)>,
        now: u64,
        lookup: &F,
    ) -> Result<Verified, VerifyError>
    where
        F: Fn(&str) -> Option<Secret>,
    {
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let require = |name: &str| get(name).ok_or_else(|| VerifyError::MissingParameter(name.to_owned()));
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
        let nonce = require("SignatureNonce")?;
        let action = require("Action")?;
        let api_version = require("Version")?;
        let timestamp = self.check_time(require("Timestamp")?, now)?;
        let secret = lookup(key_id).ok_or_else(|| VerifyError::AccessKeyNotFound(key_id.to_owned()))?;

        let mut sorted: Vec<(&str, &str)> =
            params.iter().filter(|(k, _)| k != "Signature").map(|(k, v)| (k.as_str(), v.as_str())).collect();
        v1::sort_params(&mut sorted);
        let canonical = v1::canonical_query(&sorted);
        let string_to_sign = v1::string_to_sign(&req.method, &canonical);
        let expected = v1::signature(secret.expose(), &string_to_sign);
        if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
            return Err(VerifyError::SignatureDoesNotMatch { string_to_sign, canonical_request: canonical });
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
        let business =
            params.into_iter().filter(|(k, _)| k != "Signature" && !V1_SIGNING_PARAMS.contains(&k.as_str())).collect();
        Ok(Verified { params: business, ..verified })
    }

    fn verify_v3<F>(
        &self,
        req: &HttpRequest,
        auth: &str,
        params: Vec<(String, String)>,
        now: u64,
        lookup: &F,
    ) -> Result<Verified, VerifyError>
    where
        F: Fn(&str) -> Option<Secret>,
    {
        let parsed = parse_authorization(auth)?;
        // Every header the client declared signed must be present; the ones that authenticate the
        // request must be among them, and so must every x-acs-* header actually sent. A
        // `content-type` may go unsigned: the official SDKs' async paths send one without signing
        // it, and the body it describes is covered by x-acs-content-sha256 anyway.
        let declared: Vec<String> = parsed.signed_headers.split(';').map(|h| h.trim().to_ascii_lowercase()).collect();
        for required in V3_REQUIRED_SIGNED {
            if !declared.iter().any(|h| h == required) {
                return Err(VerifyError::IncompleteSignature(format!("SignedHeaders must include {required}")));
            }
        }
        for (name, _) in &req.headers {
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("x-acs-") && !declared.contains(&lower) {
                return Err(VerifyError::IncompleteSignature(format!("header {lower} is sent but not signed")));
            }
        }
        let mut headers = Vec::with_capacity(declared.len());
        for name in &declared {
            let value = req.header(name).ok_or_else(|| {
                VerifyError::IncompleteSignature(format!("header {name} is in SignedHeaders but absent"))
            })?;
            headers.push((name.clone(), value));
        }
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();

        let timestamp = self.check_time(header("x-acs-date"), now)?;
        let secret =
            lookup(&parsed.credential).ok_or_else(|| VerifyError::AccessKeyNotFound(parsed.credential.clone()))?;

        let payload_hash = header("x-acs-content-sha256");
        let actual_hash = v3::sha256_hex(req.body.as_bytes());
        if !payload_hash.eq_ignore_ascii_case(&actual_hash) {
            return Err(VerifyError::InvalidParameter(format!(
                "x-acs-content-sha256 {payload_hash} does not match the body's SHA-256 {actual_hash}"
            )));
        }
        let mut query =
            parse_query(&req.query).map_err(|e| VerifyError::InvalidParameter(format!("bad query string: {e}")))?;
        v1::sort_params(&mut query);
        let cq = v1::canonical_query(&query);
        let (canonical_request, _) = v3::canonical_request(&req.method, &req.path, &cq, &headers, payload_hash);
        let string_to_sign = v3::string_to_sign(&canonical_request);
        let expected = v3::signature(secret.expose(), &string_to_sign);
        if !bool::from(expected.as_bytes().ct_eq(parsed.signature.as_bytes())) {
            return Err(VerifyError::SignatureDoesNotMatch { string_to_sign, canonical_request });
        }
        Ok(Verified {
            version: SignatureVersion::V3,
            access_key_id: parsed.credential,
            security_token: req.header("x-acs-security-token").map(Secret::new),
            action: header("x-acs-action").to_owned(),
            api_version: header("x-acs-version").to_owned(),
            timestamp,
            nonce: header("x-acs-signature-nonce").to_owned(),
            params,
        })
    }
}

struct Authorization {
    credential: String,
    signed_headers: String,
    signature: String,
}

fn parse_authorization(auth: &str) -> Result<Authorization, VerifyError> {
    let rest = auth.trim().strip_prefix(v3::ALGORITHM).unwrap_or_default();
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        let Some((key, value)) = part.split_once('=') else {
            return Err(VerifyError::IncompleteSignature(format!("malformed Authorization part {part:?}")));
        };
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            other => {
                return Err(VerifyError::IncompleteSignature(format!("unknown Authorization field {other:?}")));
            }
        };
        *slot = Some(value.trim().to_owned());
    }
    let missing = |name: &str| VerifyError::IncompleteSignature(format!("Authorization has no {name}"));
    Ok(Authorization {
        credential: credential.filter(|s| !s.is_empty()).ok_or_else(|| missing("Credential"))?,
        signed_headers: signed_headers.filter(|s| !s.is_empty()).ok_or_else(|| missing("SignedHeaders"))?,
        signature: signature.filter(|s| !s.is_empty()).ok_or_else(|| missing("Signature"))?,
    })
}
