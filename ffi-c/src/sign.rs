//! Signing without a client: for services that share only the signer, and for reproducing a signature
//! (`smsauth_sign()`, `smsauth_explain()`).

use std::ffi::c_char;

use smsauth::SignatureVersion;
use smsauth::sign::{Explanation, RpcRequest, SignOptions, SignedRequest, explain_v1, explain_v3};

use crate::boundary::{View, exports, try_mut, try_opt_str, try_out, try_ref, try_str, views};
use crate::verify::smsauth_http_request;

/// An RPC call to sign: host, action, API version, method (`POST`), path (`/`), business parameters and extra headers.
/// Create with `smsauth_sign_request_new()`, free with `smsauth_sign_request_free()`. Not synchronised (like
/// `smsauth_send_request`).
#[derive(Debug)]
pub struct smsauth_sign_request {
    inner: RpcRequest,
}

views! {
    /// How a signature was computed — what to compare with a gateway's `SignatureDoesNotMatch` message: the core's
    /// explanation, and for V3 the `Authorization` header value it gives. Immutable; strings are owned by it.
    struct smsauth_explanation((Explanation, Option<String>));
    /// A signed request, ready to send as `METHOD path?query` with its headers and an empty body, and its explanation.
    /// Immutable: readable from any thread; strings are owned by it.
    struct smsauth_signed_request((SignedRequest, smsauth_explanation));
}

/// A signed request for C: signed with its explanation (`SignOptions::sign_explained`), which moves to its own C object
/// (rebuilding it after signing would hash the request twice).
fn signed(mut s: SignedRequest) -> smsauth_signed_request {
    let authorization = s.header("authorization").map(str::to_owned);
    let explanation = (std::mem::take(&mut s.explanation), authorization).into();
    (s, explanation).into()
}

exports! {
    /// A new request to sign: `POST /` to `host` (`host[:port]`, as sent in the `host` header; NULL means
    /// `"dypnsapi.aliyuncs.com"`) for `action` (e.g. `"SendSmsVerifyCode"`) of API `version` (NULL means
    /// `"2017-05-25"`), without parameters yet. `smsauth_sign()` refuses a host, method or header that HTTP cannot
    /// carry unchanged (`SMSAUTH_STATUS_INVALID_INPUT` naming the field). On success `*request_out` receives the
    /// request.
    fn smsauth_sign_request_new(host: *const c_char, action: *const c_char, version: *const c_char, request_out: *mut *mut smsauth_sign_request) {
        let (host, action, version) = (try_opt_str!(host), try_str!(action), try_opt_str!(version));
        try_out!(request_out).put(smsauth_sign_request { inner: RpcRequest::with_defaults(host, action, version) });
    }
    /// Free a request to sign. NULL is a no-op.
    free smsauth_sign_request_free(request: smsauth_sign_request);
    /// Add a business parameter (sent in the query string). For `smsauth_explain()` with V1, add every parameter, the
    /// common ones (`AccessKeyId`, `Timestamp`, ...) included.
    fn smsauth_sign_request_add_param(request: *mut smsauth_sign_request, name: *const c_char, value: *const c_char) {
        let (r, name, value) = (try_mut!(request), try_str!(name), try_str!(value));
        r.inner.params.push((name.to_owned(), value.to_owned()));
    }
    /// Add a header. `smsauth_sign()` with V3 signs `content-type` and every `x-acs-*` header; `smsauth_explain()` with
    /// V3 signs exactly the headers added (`host` included).
    fn smsauth_sign_request_add_header(request: *mut smsauth_sign_request, name: *const c_char, value: *const c_char) {
        let (r, name, value) = (try_mut!(request), try_str!(name), try_str!(value));
        r.inner.headers.push((name.to_owned(), value.to_owned()));
    }
    /// Use another HTTP method than `POST` (the gateway accepts `GET` too).
    fn smsauth_sign_request_set_method(request: *mut smsauth_sign_request, method: *const c_char) {
        try_mut!(request).inner.method = try_str!(method).to_owned();
    }
    /// Use another path than `/` (RPC APIs always use `/`; other paths matter for `smsauth_explain()` of non-RPC
    /// examples).
    fn smsauth_sign_request_set_path(request: *mut smsauth_sign_request, path: *const c_char) {
        try_mut!(request).inner.path = try_str!(path).to_owned();
    }
    /// Sign `request` exactly as the client does. V1 adds the common query parameters and appends `Signature`; V3 adds
    /// the `x-acs-*` headers and `Authorization`. With STS credentials pass `security_token` (NULL otherwise).
    ///
    /// `timestamp` (Unix seconds) and `nonce` make the signature reproducible: the same inputs always give the same
    /// bytes. Pass `timestamp` 0 for the current time and `nonce` NULL for 128 fresh random bits (what real requests
    /// need: the gateway refuses a nonce seen before).
    ///
    /// On success `*signed_out` receives the signed request, owned by the caller (free with
    /// `smsauth_signed_request_free()`). Fails with `SMSAUTH_STATUS_INVALID_INPUT` for an unknown `version` and
    /// `SMSAUTH_STATUS_CREDENTIALS` for an empty key part. Pure computation: no I/O, thread-safe.
    fn smsauth_sign(request: *const smsauth_sign_request, version: u32, access_key_id: *const c_char, access_key_secret: *const c_char, security_token: *const c_char, timestamp: u64, nonce: *const c_char, signed_out: *mut *mut smsauth_signed_request) {
        let (request, id, secret) = (try_ref!(request), try_str!(access_key_id), try_str!(access_key_secret));
        let (token, nonce, out) = (try_opt_str!(security_token), try_opt_str!(nonce), try_out!(signed_out));
        let version = version.to_string().parse()?;
        // C spells "now" as timestamp 0.
        let timestamp = (timestamp != 0).then_some(timestamp);
        let options = SignOptions { security_token: token, version, timestamp, nonce, ..SignOptions::new(id, secret) };
        out.put(signed(options.sign_explained(&request.inner)?));
    }
    /// Compute a signature over exactly the parts given, to reproduce a captured request or a published example (no
    /// parameter or header is added).
    ///
    /// - V1: `request`'s parameters are all the query parameters (common ones included; a `Signature` parameter is
    ///   ignored); `access_key_id` is unused and may be NULL.
    /// - V3: `request`'s parameters are the query and its headers are exactly the signed headers; the body is empty.
    ///   The explanation's `authorization` is the `Authorization` header value.
    ///
    /// On success `*explanation_out` receives the result, owned by the caller (free with `smsauth_explanation_free()`).
    /// Pure computation.
    fn smsauth_explain(request: *const smsauth_sign_request, version: u32, access_key_id: *const c_char, access_key_secret: *const c_char, explanation_out: *mut *mut smsauth_explanation) {
        let (request, secret, out) = (try_ref!(request), try_str!(access_key_secret), try_out!(explanation_out));
        let r = &request.inner;
        out.put(smsauth_explanation::from(match version.to_string().parse()? {
            SignatureVersion::V1 => (explain_v1(&r.method, &r.params, secret), None),
            SignatureVersion::V3 => {
                let (e, auth) = explain_v3(&r.method, &r.path, &r.params, &r.headers, b"", try_str!(access_key_id), secret);
                (e, Some(auth))
            }
        }));
    }
    /// Free an explanation from `smsauth_explain()`. NULL is a no-op. (The explanation of a signed request belongs to
    /// it: never free that one.)
    free smsauth_explanation_free(explanation: smsauth_explanation);
    /// V1: the canonicalized query string; V3: the canonical request. Owned by `explanation`, like the strings below.
    fn smsauth_explanation_canonical_request(explanation: *const smsauth_explanation) -> *const c_char { try_ref!(explanation).text(|(e, _)| &e.canonical_request) }
    /// The exact string that was HMAC'd.
    fn smsauth_explanation_string_to_sign(explanation: *const smsauth_explanation) -> *const c_char { try_ref!(explanation).text(|(e, _)| &e.string_to_sign) }
    /// The signature (Base64 for V1, lower-case hex for V3).
    fn smsauth_explanation_signature(explanation: *const smsauth_explanation) -> *const c_char { try_ref!(explanation).text(|(e, _)| &e.signature) }
    /// V3: the `Authorization` header value; V1: NULL.
    fn smsauth_explanation_authorization(explanation: *const smsauth_explanation) -> *const c_char { try_ref!(explanation).opt_text(|(_, a)| a.as_deref()) }
    /// Free a signed request. NULL is a no-op.
    free smsauth_signed_request_free(signed_request: smsauth_signed_request);
    /// The HTTP method. Owned by `signed_request`, like the strings below.
    fn smsauth_signed_request_method(signed_request: *const smsauth_signed_request) -> *const c_char { try_ref!(signed_request).text(|(s, _)| &s.method) }
    /// The path (`/`).
    fn smsauth_signed_request_path(signed_request: *const smsauth_signed_request) -> *const c_char { try_ref!(signed_request).text(|(s, _)| &s.path) }
    /// The query string as sent, without `?`: RFC 3986 encoded, sorted by name (for V1, `Signature` last).
    fn smsauth_signed_request_query(signed_request: *const smsauth_signed_request) -> *const c_char { try_ref!(signed_request).text(|(s, _)| &s.query) }
    /// `path?query`, the request target.
    fn smsauth_signed_request_path_and_query(signed_request: *const smsauth_signed_request) -> *const c_char {
        let s = try_ref!(signed_request);
        s.texts.get(&s.inner.0.path_and_query())
    }
    /// How many headers to send (`host` first; for V3 `Authorization` last); 0 if `signed_request` is NULL.
    fn smsauth_signed_request_header_count(signed_request: *const smsauth_signed_request) -> usize { try_ref!(signed_request).inner.0.headers.len() }
    /// The name of header `index` (0-based), or NULL when out of range.
    fn smsauth_signed_request_header_name(signed_request: *const smsauth_signed_request, index: usize) -> *const c_char {
        try_ref!(signed_request).opt_text(|(s, _)| s.headers.get(index).map(|(k, _)| k.as_str()))
    }
    /// The value of header `index` (0-based), or NULL when out of range.
    fn smsauth_signed_request_header_value(signed_request: *const smsauth_signed_request, index: usize) -> *const c_char {
        try_ref!(signed_request).opt_text(|(s, _)| s.headers.get(index).map(|(_, v)| v.as_str()))
    }
    /// The value of the first header called `name` (case-insensitive), or NULL when there is none (or an argument is
    /// NULL or not UTF-8).
    fn smsauth_signed_request_header(signed_request: *const smsauth_signed_request, name: *const c_char) -> *const c_char {
        let (s, name) = (try_ref!(signed_request), try_str!(name));
        s.opt_text(|(s, _)| s.header(name))
    }
    /// How the signature was computed. Borrowed: owned by `signed_request` and valid until it is freed (never pass it
    /// to `smsauth_explanation_free()`).
    fn smsauth_signed_request_explanation(signed_request: *const smsauth_signed_request) -> *const smsauth_explanation {
        &try_ref!(signed_request).inner.1 as *const smsauth_explanation
    }
    /// The signed request as a server would receive it, to feed `smsauth_verifier_verify()`. On success
    /// `*http_request_out` receives a new request owned by the caller.
    fn smsauth_signed_request_to_http_request(signed_request: *const smsauth_signed_request, http_request_out: *mut *mut smsauth_http_request) {
        let (s, out) = (try_ref!(signed_request), try_out!(http_request_out));
        out.put(smsauth_http_request { inner: s.inner.0.to_http_request() });
    }
}
