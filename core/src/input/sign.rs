//! The inputs of the signing helpers read from [`Object`]s: `sign`'s request and options,
//! `explain_v1`'s and `explain_v3`'s parts, `verify`'s request and a verifier's options. The maps' keys are listed
//! with their kinds and docs in [`EXPLAIN_V1_PARTS`], [`EXPLAIN_V3_PARTS`], [`HTTP_REQUEST_PARTS`] and
//! [`VERIFIER_OPTIONS`], from which bindings write their docs and types (a test reads a map
//! with every key of each table).

use std::time::Duration;

use crate::sign::{self, HttpRequest, RpcRequest, SignOptions, SignatureVersion, VerifierConfig};

pub use super::parts::{Part, PartKind};

use super::error::InputError;
use super::parts::part;
use super::reader::{Object, integer_in, number, pairs, text_or_bytes};
use super::value::Value;

/// The keys [`explain_v1`] reads.
pub const EXPLAIN_V1_PARTS: &[Part] = &[
    part("method", PartKind::Text, true, "HTTP method."),
    part("params", PartKind::Pairs, true, "Every parameter, the common ones included (`Signature` is ignored)."),
    part("access_key_secret", PartKind::Secret, true, "AccessKey secret."),
];

/// The keys [`explain_v3`] reads.
pub const EXPLAIN_V3_PARTS: &[Part] = &[
    part("method", PartKind::Text, true, "HTTP method."),
    part("path", PartKind::Text, false, "Path; default `/`."),
    part("query", PartKind::Pairs, false, "Query parameters, decoded."),
    part("headers", PartKind::Pairs, true, "The headers to sign (all of them are signed)."),
    part("body", PartKind::TextOrBytes, false, "The body, text (UTF-8) or bytes; default empty."),
    part("access_key_id", PartKind::Text, true, "AccessKey ID."),
    part("access_key_secret", PartKind::Secret, true, "AccessKey secret."),
];

/// The keys [`http_request`] reads.
pub const HTTP_REQUEST_PARTS: &[Part] = &[
    part("method", PartKind::Text, true, "`POST`, `GET`, …"),
    part("path", PartKind::Text, false, "Path; default `/`."),
    part("query", PartKind::Text, false, "The raw query string without `?`, still percent-encoded."),
    part("headers", PartKind::Pairs, false, "Headers as received (any case)."),
    part(
        "body",
        PartKind::TextOrBytes,
        false,
        "The body as received: a string (UTF-8) or the raw bytes (a form body carries parameters\ntoo).",
    ),
];

/// The keys [`verifier_config`] reads.
pub const VERIFIER_OPTIONS: &[Part] = &[
    part(
        "window_seconds",
        PartKind::Unsigned,
        false,
        "Accept timestamps within ± this many seconds of `now` (default 900).",
    ),
    part("check_nonces", PartKind::Bool, false, "Refuse a nonce seen before within the window (default `true`)."),
    part(
        "nonce_capacity",
        PartKind::Unsigned,
        false,
        "Live nonces remembered before new requests get `Throttling.User` (default 1,000,000).",
    ),
    part(
        "per_key_quota",
        PartKind::Unsigned,
        false,
        "At most this many live nonces per AccessKey ID (default: no quota).",
    ),
    part(
        "expected_hosts",
        PartKind::Texts,
        false,
        "Accept only requests for these `host[:port]` values (default: any host).",
    ),
    part(
        "nonce_redis_url",
        PartKind::Text,
        false,
        "Keep nonces in Redis at this URL, shared by every instance (needs a build with the\n\
         `guard-redis` feature; otherwise an invalid-input error saying so).",
    ),
    part(
        "nonce_redis_fail_open",
        PartKind::Bool,
        false,
        "Accept requests while Redis is unavailable (default `false`: refuse them).",
    ),
];

/// `sign`'s request: `action` (required), `host`, `version` (spelt in the map's style),
/// `method`, `params`, `headers`, with the core's defaults ([`RpcRequest::with_defaults`]).
pub fn rpc_request(obj: &mut Object<'_, '_>) -> Result<RpcRequest, InputError> {
    let host = obj.text("host")?;
    let action = obj.required_text("action", false)?;
    let version = obj.text(&obj.style.name("version"))?;
    let mut req = RpcRequest::with_defaults(host.as_deref(), &action, version.as_deref());
    req.method = obj.text("method")?.unwrap_or(req.method);
    req.params = obj.pairs("params")?.unwrap_or_default();
    req.headers = obj.pairs("headers")?.unwrap_or_default();
    Ok(req)
}

/// `sign`'s options as read; [`SignInput::options`] lends them as [`SignOptions`].
#[derive(Default)]
pub struct SignInput {
    /// AccessKey ID.
    pub access_key_id: String,
    /// AccessKey secret.
    pub access_key_secret: String,
    /// STS token.
    pub security_token: Option<String>,
    /// The scheme.
    pub version: SignatureVersion,
    /// Unix seconds; `None`: now.
    pub timestamp: Option<u64>,
    /// The nonce; `None`: a fresh one.
    pub nonce: Option<String>,
}

impl std::fmt::Debug for SignInput {
    /// The ID and the scheme only: the rest may be secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInput").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

impl SignInput {
    /// Read `access_key_id`, `access_key_secret` (required), `security_token`,
    /// `signature_version`, `timestamp`, `nonce` (spelt in the map's style).
    pub fn read(obj: &mut Object<'_, '_>) -> Result<Self, InputError> {
        let s = obj.style;
        let version_key = s.name("signature_version");
        let version = match obj.text(&version_key)? {
            Some(v) => v.parse().map_err(|e| InputError::refused(obj.at(&version_key), e))?,
            None => SignatureVersion::default(),
        };
        Ok(SignInput {
            access_key_id: obj.required_text(&s.name("access_key_id"), false)?,
            access_key_secret: obj.required_text(&s.name("access_key_secret"), true)?,
            security_token: obj.secret(&s.name("security_token"))?,
            version,
            timestamp: obj.unsigned("timestamp", u64::MAX)?,
            nonce: obj.text("nonce")?,
        })
    }

    /// The options to sign with.
    pub fn options(&self) -> SignOptions<'_> {
        SignOptions {
            security_token: self.security_token.as_deref(),
            version: self.version,
            timestamp: self.timestamp,
            nonce: self.nonce.as_deref(),
            ..SignOptions::new(&self.access_key_id, &self.access_key_secret)
        }
    }
}

/// `explain_v1`'s parts: `method`, `params` (all of them, the common ones included),
/// `access_key_secret`; the explanation.
pub fn explain_v1(obj: &mut Object<'_, '_>) -> Result<sign::Explanation, InputError> {
    let method = obj.required_text("method", false)?;
    let params = obj.required_by("params", pairs)?;
    let secret = obj.required_text(&obj.style.name("access_key_secret"), true)?;
    Ok(sign::explain_v1(&method, &params, &secret))
}

/// `explain_v3`'s parts: `method`, `path` (default `/`), `query`, `headers` (required: all of
/// them are signed), `body` (text or bytes), `access_key_id`, `access_key_secret`; the
/// explanation and the `Authorization` value.
pub fn explain_v3(obj: &mut Object<'_, '_>) -> Result<(sign::Explanation, String), InputError> {
    let s = obj.style;
    let method = obj.required_text("method", false)?;
    let path = obj.text("path")?.unwrap_or_else(|| "/".into());
    let query = obj.pairs("query")?.unwrap_or_default();
    let headers = obj.required_by("headers", pairs)?;
    let body = obj.read("body", text_or_bytes)?.unwrap_or_default();
    let id = obj.required_text(&s.name("access_key_id"), false)?;
    let secret = obj.required_text(&s.name("access_key_secret"), true)?;
    Ok(sign::explain_v3(&method, &path, &query, &headers, &body, &id, &secret))
}

/// A request as a server received it: `method` (required), `path`, `query`, `headers`, `body`
/// (text or bytes), with [`HttpRequest::new`]'s rules.
pub fn http_request(obj: &mut Object<'_, '_>) -> Result<HttpRequest, InputError> {
    let method = obj.required_text("method", false)?;
    let (path, query) = (obj.text("path")?, obj.text("query")?);
    let mut req = HttpRequest::new(method, path.unwrap_or_default(), query.unwrap_or_default());
    let headers = obj.pairs("headers")?.unwrap_or_default();
    req.headers = headers.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
    req.body = obj.read("body", text_or_bytes)?.unwrap_or_default();
    Ok(req)
}

/// A verifier's options: `window_seconds`, `check_nonces`, `nonce_capacity`, `per_key_quota`,
/// `expected_hosts`, `nonce_redis_url`, `nonce_redis_fail_open` (see [`VerifierConfig`]). The
/// window is whole seconds, or any number of them in a style whose durations are in seconds
/// (Python's `window=0.5`).
pub fn verifier_config(obj: &mut Object<'_, '_>) -> Result<VerifierConfig, InputError> {
    let s = obj.style;
    let mut config = VerifierConfig::default();
    let window_key = s.name("window_seconds");
    let whole = s.duration_unit < Duration::from_secs(1);
    let window = |v: &Value<'_>| if whole { integer_in(s, v, 0, u32::MAX.into()).map(|n| n as f64) } else { number(v) };
    if let Some(w) = obj.read(&window_key, window)? {
        config.set_window_seconds(w).map_err(|e| InputError::refused(obj.at(&window_key), e))?;
    }
    config.check_nonces = obj.boolean(&s.name("check_nonces"))?.unwrap_or(config.check_nonces);
    if let Some(n) = obj.u32(&s.name("nonce_capacity"))? {
        config.nonce_capacity = n as usize;
    }
    config.per_key_quota = obj.u32(&s.name("per_key_quota"))?.map(|n| n as usize);
    config.expected_hosts = obj.texts(&s.name("expected_hosts"))?.unwrap_or_default();
    config.nonce_redis_url = obj.text(&s.name("nonce_redis_url"))?;
    let fail_open = obj.boolean(&s.name("nonce_redis_fail_open"))?;
    config.nonce_redis_fail_open = fail_open.unwrap_or(config.nonce_redis_fail_open);
    Ok(config)
}
