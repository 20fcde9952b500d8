//! Verifying requests signed with Alibaba Cloud AccessKeys, as the gateway does (`smsauth_verifier`), and the captured
//! requests it checks (`smsauth_http_request`).

use std::ffi::c_char;
use std::time::Duration;

use smsauth::sign::{AccessKeys, HttpRequest, Verified, Verifier, VerifierConfig, read_timestamp};

use crate::boundary::{FfiResult, View, exports, try_mut, try_opt_str, try_out, try_ref, try_str, views};

/// A request as a server received it (method, path, raw query, headers, body), to verify. Create with
/// `smsauth_http_request_new()` or `smsauth_signed_request_to_http_request()`; free with `smsauth_http_request_free()`.
/// Not synchronised for setters.
#[derive(Debug)]
pub struct smsauth_http_request {
    pub(crate) inner: HttpRequest,
}

/// Checks signatures (V1 and V3), timestamps (±15 minutes by default) and nonces (each one accepted once), like the
/// Alibaba Cloud gateway, against a table of AccessKeys.
///
/// `smsauth_verifier_verify()` is thread-safe: share one verifier between threads so that a replay is caught whichever
/// thread sees it. Setters need exclusive use (set up first).
#[derive(Debug)]
pub struct smsauth_verifier {
    inner: Verifier,
    /// What the setters set; `inner` is rebuilt from it by the core's one rule.
    config: VerifierConfig,
    keys: AccessKeys,
}

impl smsauth_verifier {
    /// Apply a change of settings; on error nothing changes.
    fn reconfigure(&mut self, change: impl FnOnce(&mut VerifierConfig)) -> FfiResult<()> {
        let mut config = self.config.clone();
        change(&mut config);
        self.inner = Verifier::from_config(&config)?;
        self.config = config;
        Ok(())
    }
}

views! {
    /// A request whose signature checked out: who signed it and its business parameters. Immutable; strings are owned
    /// by it.
    struct smsauth_verified(Verified);
}

exports! {
    /// A captured request: `method` (e.g. `"POST"`), `path` (`"/"`) and `query`, the raw query string without `?`,
    /// still percent-encoded. Add headers with `smsauth_http_request_add_header()`. On success `*http_request_out`
    /// receives the request, owned by the caller (free with `smsauth_http_request_free()`).
    fn smsauth_http_request_new(method: *const c_char, path: *const c_char, query: *const c_char, http_request_out: *mut *mut smsauth_http_request) {
        let (method, path, query) = (try_str!(method), try_str!(path), try_str!(query));
        try_out!(http_request_out).put(smsauth_http_request { inner: HttpRequest::new(method, path, query) });
    }
    /// Free a captured request. NULL is a no-op.
    free smsauth_http_request_free(http_request: smsauth_http_request);
    /// Add a received header (any case; repeated headers may be added repeatedly).
    fn smsauth_http_request_add_header(http_request: *mut smsauth_http_request, name: *const c_char, value: *const c_char) {
        let (r, name, value) = (try_mut!(http_request), try_str!(name), try_str!(value));
        r.inner.headers.push((name.to_owned(), value.as_bytes().to_vec()));
    }
    /// Set the received body (a form body's parameters are verified too). Default empty.
    fn smsauth_http_request_set_body(http_request: *mut smsauth_http_request, body: *const c_char) {
        try_mut!(http_request).inner.body = try_str!(body).as_bytes().to_vec();
    }
    /// Set the received body as `len` raw bytes (which may be anything, NUL included): what is verified is exactly what
    /// arrived. `body` may be NULL when `len` is 0; otherwise it points to `len` readable bytes.
    fn smsauth_http_request_set_body_bytes(http_request: *mut smsauth_http_request, body: *const u8, len: usize) {
        let r = try_mut!(http_request);
        r.inner.body = match len {
            0 => Vec::new(),
            _ => {
                let start: *const u8 = try_ref!(body);
                // SAFETY: non-NULL and `len` readable bytes per the contract.
                unsafe { std::slice::from_raw_parts(start, len) }.to_vec()
            }
        };
    }
    /// A verifier with no keys yet, a ±15 minute window and nonce checking on. Free it with `smsauth_verifier_free()`.
    /// NULL only on an internal failure.
    fn smsauth_verifier_new() -> *mut smsauth_verifier {
        Box::into_raw(Box::new(smsauth_verifier { inner: Verifier::new(), config: VerifierConfig::default(), keys: AccessKeys::default() }))
    }
    /// Free a verifier (its secrets are wiped). NULL is a no-op.
    free smsauth_verifier_free(verifier: smsauth_verifier);
    /// Accept requests signed with this AccessKey pair (adding an ID again replaces its secret).
    fn smsauth_verifier_add_key(verifier: *mut smsauth_verifier, access_key_id: *const c_char, access_key_secret: *const c_char) {
        let (v, id, secret) = (try_mut!(verifier), try_str!(access_key_id), try_str!(access_key_secret));
        v.keys.insert(id, secret)?;
    }
    /// Accept timestamps within ±`seconds` of the verification time (default 900, at most 86400: more is
    /// `SMSAUTH_STATUS_INVALID_INPUT`). Changing a setting starts with no remembered nonces.
    fn smsauth_verifier_set_window(verifier: *mut smsauth_verifier, seconds: u64) {
        try_mut!(verifier).reconfigure(|c| c.window = Duration::from_secs(seconds))?;
    }
    /// Turn nonce checking on (the default: a nonce is accepted once per AccessKey within the window) or off (to check
    /// a captured request offline, possibly several times). Turning it on again starts with no remembered nonces.
    fn smsauth_verifier_set_nonce_check(verifier: *mut smsauth_verifier, enabled: bool) {
        try_mut!(verifier).reconfigure(|c| c.check_nonces = enabled)?;
    }
    /// Bound the in-memory nonce store: at most `capacity` live nonces (default 1,000,000), and at most `per_key_quota`
    /// per AccessKey ID (0 = no quota). A full store never forgets a live nonce: new requests get
    /// `SMSAUTH_STATUS_THROTTLED` with service code `Throttling.User` until nonces expire. Starts with no remembered
    /// nonces.
    fn smsauth_verifier_set_nonce_capacity(verifier: *mut smsauth_verifier, capacity: usize, per_key_quota: usize) {
        try_mut!(verifier).reconfigure(|c| (c.nonce_capacity, c.per_key_quota) = (capacity, (per_key_quota > 0).then_some(per_key_quota)))?;
    }
    /// Keep nonces in Redis at `url` (`redis://[:password@]host[:port][/db]`), shared by every verifier using it, in
    /// any process (NULL = back to the in-memory store). While Redis cannot be asked, requests are refused
    /// (`SMSAUTH_STATUS_SERVICE`, service code `ServiceUnavailable`) unless `fail_open` is true. Needs a library built
    /// with the `guard-redis` feature; otherwise `SMSAUTH_STATUS_INVALID_INPUT` saying so.
    fn smsauth_verifier_set_nonce_redis_url(verifier: *mut smsauth_verifier, url: *const c_char, fail_open: bool) {
        let (v, url) = (try_mut!(verifier), try_opt_str!(url));
        v.reconfigure(|c| (c.nonce_redis_url, c.nonce_redis_fail_open) = (url.map(str::to_owned), fail_open))?;
    }
    /// Accept requests for this `host[:port]` (call again to add more). Once one is added, a request for any other host
    /// is refused with `SignatureDoesNotMatch` naming the host it names.
    fn smsauth_verifier_add_expected_host(verifier: *mut smsauth_verifier, host: *const c_char) {
        let (v, host) = (try_mut!(verifier), try_str!(host));
        v.reconfigure(|c| c.expected_hosts.push(host.to_owned()))?;
    }
    /// Verify a received request at time `now` (Unix seconds; 0 = the current time), as the gateway does: completeness,
    /// timestamp, key, signature, then the nonce.
    ///
    /// A request that fails gets the gateway's answer: `SMSAUTH_STATUS_AUTHENTICATION` with service code
    /// `SignatureDoesNotMatch` (the message then ends with the server's string-to-sign, to compare with the client's),
    /// `IncompleteSignature`, `SignatureNonceUsed`, `InvalidAccessKeyId.NotFound`, `InvalidTimeStamp.Expired` /
    /// `.Format`, `MissingParameter` or `InvalidParameter`; `SMSAUTH_STATUS_THROTTLED` with `Throttling.User` (nonce
    /// store full); `SMSAUTH_STATUS_SERVICE` with `ServiceUnavailable` (Redis down). The HTTP status the gateway would
    /// use is in `smsauth_error_http_status()`.
    ///
    /// On success `*verified_out` receives what was verified, owned by the caller (free with
    /// `smsauth_verified_free()`). Thread-safe.
    fn smsauth_verifier_verify(verifier: *const smsauth_verifier, http_request: *const smsauth_http_request, now: u64, verified_out: *mut *mut smsauth_verified) {
        let (v, r, out) = (try_ref!(verifier), try_ref!(http_request), try_out!(verified_out));
        // C spells "now" as 0.
        out.put(v.inner.verify_keys(&r.inner, (now != 0).then_some(now), &v.keys)?.into());
    }
    /// Free a verification result. NULL is a no-op.
    free smsauth_verified_free(verified: smsauth_verified);
    /// The scheme the client used: `SMSAUTH_SIGNATURE_VERSION_V1` or `_V3` (0 if `verified` is NULL).
    fn smsauth_verified_signature_version(verified: *const smsauth_verified) -> u32 { try_ref!(verified).inner.version as u32 }
    /// The AccessKey ID that signed. Owned by `verified`, like the strings below.
    fn smsauth_verified_access_key_id(verified: *const smsauth_verified) -> *const c_char { try_ref!(verified).text(|v| &v.access_key_id) }
    /// The API action (e.g. `"SendSmsVerifyCode"`).
    fn smsauth_verified_action(verified: *const smsauth_verified) -> *const c_char { try_ref!(verified).text(|v| &v.action) }
    /// The API version (e.g. `"2017-05-25"`).
    fn smsauth_verified_api_version(verified: *const smsauth_verified) -> *const c_char { try_ref!(verified).text(|v| &v.api_version) }
    /// The request's signing time, Unix seconds (0 if `verified` is NULL).
    fn smsauth_verified_timestamp(verified: *const smsauth_verified) -> u64 { try_ref!(verified).inner.timestamp }
    /// The request's nonce.
    fn smsauth_verified_nonce(verified: *const smsauth_verified) -> *const c_char { try_ref!(verified).text(|v| &v.nonce) }
    /// The STS token sent with the request (check it against the one you issued), or NULL. This is a secret: do not log
    /// it.
    fn smsauth_verified_security_token(verified: *const smsauth_verified) -> *const c_char { try_ref!(verified).opt_text(|v| v.security_token.as_ref().map(|t| t.expose())) }
    /// How many business parameters the request had (signing parameters excluded).
    fn smsauth_verified_param_count(verified: *const smsauth_verified) -> usize { try_ref!(verified).inner.params.len() }
    /// The name of business parameter `index` (0-based, in request order), or NULL when out of range.
    fn smsauth_verified_param_name(verified: *const smsauth_verified, index: usize) -> *const c_char { try_ref!(verified).opt_text(|v| v.params.get(index).map(|(k, _)| k.as_str())) }
    /// The (decoded) value of business parameter `index`, or NULL when out of range.
    fn smsauth_verified_param_value(verified: *const smsauth_verified, index: usize) -> *const c_char { try_ref!(verified).opt_text(|v| v.params.get(index).map(|(_, val)| val.as_str())) }
    /// The first value of business parameter `name` (exact case), or NULL when absent (or an argument is NULL or not
    /// UTF-8).
    fn smsauth_verified_param(verified: *const smsauth_verified, name: *const c_char) -> *const c_char {
        let (v, name) = (try_ref!(verified), try_str!(name));
        v.opt_text(|v| v.params.iter().find(|(k, _)| k == name).map(|(_, val)| val.as_str()))
    }
    /// Parse a `yyyy-MM-ddTHH:mm:ssZ` timestamp (as in V1's `Timestamp` and V3's `x-acs-date`) into Unix seconds, e.g.
    /// for `smsauth_sign()`. On success `*unix_seconds_out` receives the value; on failure
    /// (`SMSAUTH_STATUS_INVALID_INPUT`) it is left untouched.
    fn smsauth_parse_timestamp(timestamp: *const c_char, unix_seconds_out: *mut u64) {
        let (text, out) = (try_str!(timestamp), try_out!(unix_seconds_out));
        out.write(read_timestamp(text)?);
    }
}
