//! Signing and verification without a client: for services that share only the signer, for
//! reproducing a signature, and for checking requests signed with Alibaba Cloud AccessKeys.

use std::collections::HashMap;
use std::ffi::{CString, c_char};
use std::ptr;
use std::time::Duration;

use smsauth::sign::{
    Explanation, HttpRequest, RpcRequest, SignedRequest, Stamp, Verified, Verifier, VerifierConfig, explain_v1,
    explain_v3, parse_timestamp, sign, unix_now,
};
use smsauth::{Credentials, Secret, SignatureVersion};

use crate::boundary::{FfiResult, Out, boundary, cstring, free, obj, obj_mut, opt_ptr, opt_str_arg, str_arg};
use crate::config::signature_version;
use crate::error::{smsauth_error, smsauth_status};

/// An RPC call to sign: host, action, API version, method (`POST`), path (`/`), business
/// parameters and extra headers. Create with `smsauth_sign_request_new()`, free with
/// `smsauth_sign_request_free()`. Not synchronised (like `smsauth_send_request`).
#[derive(Debug)]
pub struct smsauth_sign_request {
    inner: RpcRequest,
}

/// How a signature was computed — what to compare with a gateway's `SignatureDoesNotMatch`
/// message. Immutable; strings are owned by it.
#[derive(Debug)]
pub struct smsauth_explanation {
    canonical_request: CString,
    string_to_sign: CString,
    signature: CString,
    authorization: Option<CString>,
}

/// A signed request, ready to send as `METHOD path?query` with its headers and an empty body.
/// Immutable: readable from any thread; strings are owned by it.
#[derive(Debug)]
pub struct smsauth_signed_request {
    inner: SignedRequest,
    method: CString,
    path: CString,
    query: CString,
    path_and_query: CString,
    headers: Vec<(CString, CString)>,
    explanation: smsauth_explanation,
}

/// A request as a server received it (method, path, raw query, headers, body), to verify.
/// Create with `smsauth_http_request_new()` or `smsauth_signed_request_to_http_request()`;
/// free with `smsauth_http_request_free()`. Not synchronised for setters.
#[derive(Debug)]
pub struct smsauth_http_request {
    inner: HttpRequest,
}

/// Checks signatures (V1 and V3), timestamps (±15 minutes by default) and nonces (each one
/// accepted once), like the Alibaba Cloud gateway, against a table of AccessKeys.
///
/// `smsauth_verifier_verify()` is thread-safe: share one verifier between threads so that a
/// replay is caught whichever thread sees it. Setters need exclusive use (set up first).
#[derive(Debug)]
pub struct smsauth_verifier {
    inner: Verifier,
    /// What the setters set; `inner` is rebuilt from it by the core's one rule.
    config: VerifierConfig,
    keys: HashMap<String, Secret>,
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

/// A request whose signature checked out: who signed it and its business parameters.
/// Immutable; strings are owned by it.
#[derive(Debug)]
pub struct smsauth_verified {
    version: SignatureVersion,
    timestamp: u64,
    access_key_id: CString,
    action: CString,
    api_version: CString,
    nonce: CString,
    security_token: Option<CString>,
    params: Vec<(CString, CString)>,
}

impl From<Explanation> for smsauth_explanation {
    fn from(e: Explanation) -> Self {
        smsauth_explanation {
            canonical_request: cstring(&e.canonical_request),
            string_to_sign: cstring(&e.string_to_sign),
            signature: cstring(&e.signature),
            authorization: None,
        }
    }
}

fn pairs(v: &[(String, String)]) -> Vec<(CString, CString)> {
    v.iter().map(|(k, v)| (cstring(k), cstring(v))).collect()
}

impl From<SignedRequest> for smsauth_signed_request {
    fn from(s: SignedRequest) -> Self {
        let mut explanation = smsauth_explanation::from(s.explanation.clone());
        explanation.authorization = s.header("authorization").map(cstring);
        smsauth_signed_request {
            method: cstring(&s.method),
            path: cstring(&s.path),
            query: cstring(&s.query),
            path_and_query: cstring(&s.path_and_query()),
            headers: pairs(&s.headers),
            explanation,
            inner: s,
        }
    }
}

impl From<Verified> for smsauth_verified {
    fn from(v: Verified) -> Self {
        smsauth_verified {
            version: v.version,
            timestamp: v.timestamp,
            access_key_id: cstring(&v.access_key_id),
            action: cstring(&v.action),
            api_version: cstring(&v.api_version),
            nonce: cstring(&v.nonce),
            security_token: v.security_token.as_ref().map(|t| cstring(t.expose())),
            params: pairs(&v.params),
        }
    }
}

fn version_number(v: SignatureVersion) -> u32 {
    match v {
        SignatureVersion::V1 => 1,
        SignatureVersion::V3 => 3,
    }
}

/// Borrow element `index` of a list of pairs, NULL when out of range.
fn pair_at(list: &[(CString, CString)], index: usize, value: bool) -> *const c_char {
    list.get(index).map_or(ptr::null(), |(k, v)| if value { v.as_ptr() } else { k.as_ptr() })
}

/// A new request to sign: `POST /` to `host` (`host[:port]`, as sent in the `host` header; NULL
/// means `"dypnsapi.aliyuncs.com"`) for `action` (e.g. `"SendSmsVerifyCode"`) of API `version`
/// (NULL means `"2017-05-25"`), without parameters yet. `smsauth_sign()` refuses a host, method
/// or header that HTTP cannot carry unchanged (`SMSAUTH_STATUS_INVALID_INPUT` naming the field).
///
/// On success `*request_out` receives the request, owned by the caller; on failure it is left
/// untouched.
///
/// # Safety
/// `host`, `action` and `version` are NULL or NUL-terminated strings; `request_out` is NULL or
/// writable; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_sign_request_new(
    host: *const c_char,
    action: *const c_char,
    version: *const c_char,
    request_out: *mut *mut smsauth_sign_request,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (host, action, version) = unsafe {
            (opt_str_arg(host, "host")?, str_arg(action, "action")?, opt_str_arg(version, "version")?)
        };
        let out = Out::new(request_out, "request_out")?;
        out.put(smsauth_sign_request { inner: RpcRequest::with_defaults(host, action, version) });
        Ok(())
    })
}

/// Free a request to sign. NULL is a no-op.
///
/// # Safety
/// `request` is NULL or a request from `smsauth_sign_request_new()`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_sign_request_free(request: *mut smsauth_sign_request) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(request) } })
}

/// Add a business parameter (sent in the query string). For `smsauth_explain()` with V1, add
/// every parameter, the common ones (`AccessKeyId`, `Timestamp`, ...) included.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `name` and `value`
/// are NULL or NUL-terminated strings; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_sign_request_add_param(
    request: *mut smsauth_sign_request,
    name: *const c_char,
    value: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (r, name, value) = unsafe {
            (obj_mut(request, "request")?, str_arg(name, "name")?, str_arg(value, "value")?)
        };
        r.inner.params.push((name.to_owned(), value.to_owned()));
        Ok(())
    })
}

/// Add a header. `smsauth_sign()` with V3 signs `content-type` and every `x-acs-*` header;
/// `smsauth_explain()` with V3 signs exactly the headers added (`host` included).
///
/// # Safety
/// As for `smsauth_sign_request_add_param()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_sign_request_add_header(
    request: *mut smsauth_sign_request,
    name: *const c_char,
    value: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (r, name, value) = unsafe {
            (obj_mut(request, "request")?, str_arg(name, "name")?, str_arg(value, "value")?)
        };
        r.inner.headers.push((name.to_owned(), value.to_owned()));
        Ok(())
    })
}

/// Use another HTTP method than `POST` (the gateway accepts `GET` too).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `method` is NULL or
/// a NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_sign_request_set_method(
    request: *mut smsauth_sign_request,
    method: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (r, method) = unsafe { (obj_mut(request, "request")?, str_arg(method, "method")?) };
        r.inner.method = method.to_owned();
        Ok(())
    })
}

/// Use another path than `/` (RPC APIs always use `/`; other paths matter for
/// `smsauth_explain()` of non-RPC examples).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `path` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_sign_request_set_path(
    request: *mut smsauth_sign_request,
    path: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (r, path) = unsafe { (obj_mut(request, "request")?, str_arg(path, "path")?) };
        r.inner.path = path.to_owned();
        Ok(())
    })
}

/// Sign `request` exactly as the client does. V1 adds the common query parameters and appends
/// `Signature`; V3 adds the `x-acs-*` headers and `Authorization`. With STS credentials pass
/// `security_token` (NULL otherwise).
///
/// `timestamp` (Unix seconds) and `nonce` make the signature reproducible: the same inputs
/// always give the same bytes. Pass `timestamp` 0 for the current time and `nonce` NULL for 128
/// fresh random bits (what real requests need: the gateway refuses a nonce seen before).
///
/// On success `*signed_out` receives the signed request, owned by the caller (free with
/// `smsauth_signed_request_free()`); on failure it is left untouched. Fails with
/// `SMSAUTH_STATUS_INVALID_INPUT` for an unknown `version` and `SMSAUTH_STATUS_CREDENTIALS`
/// for an empty key part. Pure computation: no I/O, thread-safe.
///
/// # Safety
/// `request` is NULL or a live request; the strings are NULL or NUL-terminated; `signed_out` is
/// NULL or writable; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_sign(
    request: *const smsauth_sign_request,
    version: u32,
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    security_token: *const c_char,
    timestamp: u64,
    nonce: *const c_char,
    signed_out: *mut *mut smsauth_signed_request,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (request, id, secret, token, nonce) = unsafe {
            (
                obj(request, "request")?,
                str_arg(access_key_id, "access_key_id")?,
                str_arg(access_key_secret, "access_key_secret")?,
                opt_str_arg(security_token, "security_token")?,
                opt_str_arg(nonce, "nonce")?,
            )
        };
        let out = Out::new(signed_out, "signed_out")?;
        let version = signature_version(version)?;
        let mut creds = Credentials::new(id, secret)?;
        if let Some(token) = token {
            creds = creds.with_security_token(token)?;
        }
        let stamp = match (timestamp, nonce) {
            (t, Some(n)) if t != 0 => Stamp::new(t, n),
            (t, n) => {
                let mut fresh = Stamp::fresh()?;
                if t != 0 {
                    fresh.timestamp = t;
                }
                if let Some(n) = n {
                    fresh.nonce = n.to_owned();
                }
                fresh
            }
        };
        request.inner.check()?;
        out.put(sign(&request.inner, version, &creds, &stamp).into());
        Ok(())
    })
}

/// Compute a signature over exactly the parts given, to reproduce a captured request or a
/// published example (no parameter or header is added).
///
/// - V1: `request`'s parameters are all the query parameters (common ones included; a
///   `Signature` parameter is ignored); `access_key_id` is unused and may be NULL.
/// - V3: `request`'s parameters are the query and its headers are exactly the signed headers;
///   the body is empty. The explanation's `authorization` is the `Authorization` header value.
///
/// On success `*explanation_out` receives the result, owned by the caller (free with
/// `smsauth_explanation_free()`); on failure it is left untouched. Pure computation.
///
/// # Safety
/// `request` is NULL or a live request; the strings are NULL or NUL-terminated;
/// `explanation_out` is NULL or writable; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_explain(
    request: *const smsauth_sign_request,
    version: u32,
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    explanation_out: *mut *mut smsauth_explanation,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (request, secret) =
            unsafe { (obj(request, "request")?, str_arg(access_key_secret, "access_key_secret")?) };
        let out = Out::new(explanation_out, "explanation_out")?;
        let r = &request.inner;
        let explanation = match signature_version(version)? {
            SignatureVersion::V1 => smsauth_explanation::from(explain_v1(&r.method, &r.params, secret)),
            SignatureVersion::V3 => {
                // SAFETY: forwarded contract.
                let id = unsafe { str_arg(access_key_id, "access_key_id") }?;
                let (e, auth) = explain_v3(&r.method, &r.path, &r.params, &r.headers, b"", id, secret);
                let mut e = smsauth_explanation::from(e);
                e.authorization = Some(cstring(&auth));
                e
            }
        };
        out.put(explanation);
        Ok(())
    })
}

/// Free an explanation from `smsauth_explain()`. NULL is a no-op. (The explanation of a signed
/// request belongs to it: never free that one.)
///
/// # Safety
/// `explanation` is NULL or an explanation from `smsauth_explain()`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_explanation_free(explanation: *mut smsauth_explanation) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(explanation) } })
}

/// V1: the canonicalized query string; V3: the canonical request. NULL only if `explanation`
/// is NULL. Owned by `explanation`.
///
/// # Safety
/// `explanation` is NULL or a live explanation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_explanation_canonical_request(
    explanation: *const smsauth_explanation,
) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { explanation.as_ref() }.map_or(ptr::null(), |e| e.canonical_request.as_ptr())
    })
}

/// The exact string that was HMAC'd. NULL only if `explanation` is NULL. Owned by
/// `explanation`.
///
/// # Safety
/// `explanation` is NULL or a live explanation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_explanation_string_to_sign(explanation: *const smsauth_explanation) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { explanation.as_ref() }.map_or(ptr::null(), |e| e.string_to_sign.as_ptr())
    })
}

/// The signature (Base64 for V1, lower-case hex for V3). NULL only if `explanation` is NULL.
/// Owned by `explanation`.
///
/// # Safety
/// `explanation` is NULL or a live explanation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_explanation_signature(explanation: *const smsauth_explanation) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => { unsafe { explanation.as_ref() }.map_or(ptr::null(), |e| e.signature.as_ptr()) })
}

/// V3: the `Authorization` header value; V1: NULL. Owned by `explanation`.
///
/// # Safety
/// `explanation` is NULL or a live explanation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_explanation_authorization(explanation: *const smsauth_explanation) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { explanation.as_ref() }.map_or(ptr::null(), |e| opt_ptr(&e.authorization))
    })
}

/// Free a signed request. NULL is a no-op.
///
/// # Safety
/// `signed_request` is NULL or a signed request from this library, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_free(signed_request: *mut smsauth_signed_request) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(signed_request) } })
}

/// The HTTP method. NULL only if `signed_request` is NULL. Owned by `signed_request`.
///
/// # Safety
/// `signed_request` is NULL or a live signed request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_method(signed_request: *const smsauth_signed_request) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => { unsafe { signed_request.as_ref() }.map_or(ptr::null(), |s| s.method.as_ptr()) })
}

/// The path (`/`). NULL only if `signed_request` is NULL. Owned by `signed_request`.
///
/// # Safety
/// `signed_request` is NULL or a live signed request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_path(signed_request: *const smsauth_signed_request) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => { unsafe { signed_request.as_ref() }.map_or(ptr::null(), |s| s.path.as_ptr()) })
}

/// The query string as sent, without `?`: RFC 3986 encoded, sorted by name (for V1,
/// `Signature` last). NULL only if `signed_request` is NULL. Owned by `signed_request`.
///
/// # Safety
/// `signed_request` is NULL or a live signed request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_query(signed_request: *const smsauth_signed_request) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => { unsafe { signed_request.as_ref() }.map_or(ptr::null(), |s| s.query.as_ptr()) })
}

/// `path?query`, the request target. NULL only if `signed_request` is NULL. Owned by
/// `signed_request`.
///
/// # Safety
/// `signed_request` is NULL or a live signed request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_path_and_query(
    signed_request: *const smsauth_signed_request,
) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { signed_request.as_ref() }.map_or(ptr::null(), |s| s.path_and_query.as_ptr())
    })
}

/// How many headers to send (`host` first; for V3 `Authorization` last). 0 if
/// `signed_request` is NULL.
///
/// # Safety
/// `signed_request` is NULL or a live signed request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_header_count(signed_request: *const smsauth_signed_request) -> usize {
    // SAFETY: forwarded contract.
    boundary!(default: 0 => { unsafe { signed_request.as_ref() }.map_or(0, |s| s.headers.len()) })
}

/// The name of header `index` (0-based), or NULL when out of range. Owned by `signed_request`.
///
/// # Safety
/// `signed_request` is NULL or a live signed request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_header_name(
    signed_request: *const smsauth_signed_request,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { signed_request.as_ref() }.map_or(ptr::null(), |s| pair_at(&s.headers, index, false))
    })
}

/// The value of header `index` (0-based), or NULL when out of range. Owned by
/// `signed_request`.
///
/// # Safety
/// `signed_request` is NULL or a live signed request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_header_value(
    signed_request: *const smsauth_signed_request,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { signed_request.as_ref() }.map_or(ptr::null(), |s| pair_at(&s.headers, index, true))
    })
}

/// The value of the first header called `name` (case-insensitive), or NULL when there is none
/// (or an argument is NULL or not UTF-8). Owned by `signed_request`.
///
/// # Safety
/// `signed_request` is NULL or a live signed request; `name` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_header(
    signed_request: *const smsauth_signed_request,
    name: *const c_char,
) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        let (Some(s), Ok(name)) = (unsafe { signed_request.as_ref() }, unsafe { str_arg(name, "name") }) else {
            return ptr::null();
        };
        let index = s.inner.headers.iter().position(|(k, _)| k.eq_ignore_ascii_case(name));
        index.map_or(ptr::null(), |i| pair_at(&s.headers, i, true))
    })
}

/// How the signature was computed. Borrowed: owned by `signed_request` and valid until it is
/// freed (never pass it to `smsauth_explanation_free()`). NULL only if `signed_request` is NULL.
///
/// # Safety
/// `signed_request` is NULL or a live signed request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_explanation(
    signed_request: *const smsauth_signed_request,
) -> *const smsauth_explanation {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { signed_request.as_ref() }.map_or(ptr::null(), |s| &s.explanation as *const smsauth_explanation)
    })
}

/// The signed request as a server would receive it, to feed `smsauth_verifier_verify()`.
/// On success `*http_request_out` receives a new request owned by the caller.
///
/// # Safety
/// `signed_request` is NULL or a live signed request; `http_request_out` is NULL or writable;
/// `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_signed_request_to_http_request(
    signed_request: *const smsauth_signed_request,
    http_request_out: *mut *mut smsauth_http_request,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let s = unsafe { obj(signed_request, "signed_request") }?;
        let out = Out::new(http_request_out, "http_request_out")?;
        out.put(smsauth_http_request { inner: s.inner.to_http_request() });
        Ok(())
    })
}

/// A captured request: `method` (e.g. `"POST"`), `path` (`"/"`) and `query`, the raw query
/// string without `?`, still percent-encoded. Add headers with
/// `smsauth_http_request_add_header()`.
///
/// On success `*http_request_out` receives the request, owned by the caller (free with
/// `smsauth_http_request_free()`); on failure it is left untouched.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `http_request_out` is NULL or writable; `err` is
/// NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_http_request_new(
    method: *const c_char,
    path: *const c_char,
    query: *const c_char,
    http_request_out: *mut *mut smsauth_http_request,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (method, path, query) =
            unsafe { (str_arg(method, "method")?, str_arg(path, "path")?, str_arg(query, "query")?) };
        let out = Out::new(http_request_out, "http_request_out")?;
        out.put(smsauth_http_request {
            inner: HttpRequest::new(method, path, query),
        });
        Ok(())
    })
}

/// Free a captured request. NULL is a no-op.
///
/// # Safety
/// `http_request` is NULL or a request from this library, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_http_request_free(http_request: *mut smsauth_http_request) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(http_request) } })
}

/// Add a received header (any case; repeated headers may be added repeatedly).
///
/// # Safety
/// `http_request` is NULL or a live request used by no other thread meanwhile; `name` and
/// `value` are NULL or NUL-terminated strings; `err` is NULL or points to a writable
/// `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_http_request_add_header(
    http_request: *mut smsauth_http_request,
    name: *const c_char,
    value: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (r, name, value) = unsafe {
            (obj_mut(http_request, "http_request")?, str_arg(name, "name")?, str_arg(value, "value")?)
        };
        r.inner.headers.push((name.to_owned(), value.as_bytes().to_vec()));
        Ok(())
    })
}

/// Set the received body (a form body's parameters are verified too). Default empty.
///
/// # Safety
/// `http_request` is NULL or a live request used by no other thread meanwhile; `body` is NULL
/// or a NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_http_request_set_body(
    http_request: *mut smsauth_http_request,
    body: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (r, body) = unsafe { (obj_mut(http_request, "http_request")?, str_arg(body, "body")?) };
        r.inner.body = body.as_bytes().to_vec();
        Ok(())
    })
}

/// Set the received body as `len` raw bytes (which may be anything, NUL included): what is
/// verified is exactly what arrived. `body` may be NULL when `len` is 0.
///
/// # Safety
/// `http_request` is NULL or a live request used by no other thread meanwhile; `body` is NULL
/// or points to `len` readable bytes; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_http_request_set_body_bytes(
    http_request: *mut smsauth_http_request,
    body: *const u8,
    len: usize,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(http_request, "http_request")? };
        r.inner.body = if len == 0 {
            Vec::new()
        } else if body.is_null() {
            return Err(smsauth_error::null_argument("body"));
        } else {
            // SAFETY: non-NULL and `len` readable bytes per the contract.
            unsafe { std::slice::from_raw_parts(body, len) }.to_vec()
        };
        Ok(())
    })
}

/// A verifier with no keys yet, a ±15 minute window and nonce checking on. Free it with
/// `smsauth_verifier_free()`. Returns NULL only if the library failed internally.
#[unsafe(no_mangle)]
pub extern "C" fn smsauth_verifier_new() -> *mut smsauth_verifier {
    boundary!(default: ptr::null_mut() => {
        Box::into_raw(Box::new(smsauth_verifier {
            inner: Verifier::new(),
            config: VerifierConfig::default(),
            keys: HashMap::new(),
        }))
    })
}

/// Free a verifier (its secrets are wiped). NULL is a no-op.
///
/// # Safety
/// `verifier` is NULL or a verifier from `smsauth_verifier_new()`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verifier_free(verifier: *mut smsauth_verifier) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(verifier) } })
}

/// Accept requests signed with this AccessKey pair (adding an ID again replaces its secret).
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread meanwhile; the strings are
/// NULL or NUL-terminated; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verifier_add_key(
    verifier: *mut smsauth_verifier,
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (v, id, secret) = unsafe {
            (
                obj_mut(verifier, "verifier")?,
                str_arg(access_key_id, "access_key_id")?,
                str_arg(access_key_secret, "access_key_secret")?,
            )
        };
        // Reuse the core's rules for what a usable key pair is.
        let creds = Credentials::new(id, secret)?;
        v.keys.insert(creds.access_key_id().to_owned(), creds.access_key_secret().clone());
        Ok(())
    })
}

/// Accept timestamps within ±`seconds` of the verification time (default 900, at most 86400:
/// more is `SMSAUTH_STATUS_INVALID_INPUT`). Changing a setting starts with no remembered nonces.
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread meanwhile; `err` is NULL or
/// points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verifier_set_window(
    verifier: *mut smsauth_verifier,
    seconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let v = unsafe { obj_mut(verifier, "verifier") }?;
        v.reconfigure(|c| c.window = Duration::from_secs(seconds))
    })
}

/// Turn nonce checking on (the default: a nonce is accepted once per AccessKey within the
/// window) or off (to check a captured request offline, possibly several times). Turning it on
/// again starts with no remembered nonces.
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread meanwhile; `err` is NULL or
/// points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verifier_set_nonce_check(
    verifier: *mut smsauth_verifier,
    enabled: bool,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let v = unsafe { obj_mut(verifier, "verifier") }?;
        v.reconfigure(|c| c.check_nonces = enabled)
    })
}

/// Bound the in-memory nonce store: at most `capacity` live nonces (default 1,000,000), and at
/// most `per_key_quota` per AccessKey ID (0 = no quota). A full store never forgets a live
/// nonce: new requests get `SMSAUTH_STATUS_THROTTLED` with service code `Throttling.User`
/// until nonces expire. Starts with no remembered nonces.
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread meanwhile; `err` is NULL or
/// points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verifier_set_nonce_capacity(
    verifier: *mut smsauth_verifier,
    capacity: usize,
    per_key_quota: usize,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let v = unsafe { obj_mut(verifier, "verifier") }?;
        v.reconfigure(|c| {
            c.nonce_capacity = capacity;
            c.per_key_quota = (per_key_quota > 0).then_some(per_key_quota);
        })
    })
}

/// Keep nonces in Redis at `url` (`redis://[:password@]host[:port][/db]`), shared by every
/// verifier using it, in any process (NULL = back to the in-memory store). While Redis cannot be
/// asked, requests are refused (`SMSAUTH_STATUS_SERVICE`, service code `ServiceUnavailable`)
/// unless `fail_open` is true. Needs a library built with the `guard-redis` feature; otherwise
/// `SMSAUTH_STATUS_INVALID_INPUT` saying so.
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread meanwhile; `url` is NULL or
/// NUL-terminated; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verifier_set_nonce_redis_url(
    verifier: *mut smsauth_verifier,
    url: *const c_char,
    fail_open: bool,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (v, url) = unsafe { (obj_mut(verifier, "verifier")?, opt_str_arg(url, "url")?) };
        v.reconfigure(|c| {
            c.nonce_redis_url = url.map(str::to_owned);
            c.nonce_redis_fail_open = fail_open;
        })
    })
}

/// Accept requests for this `host[:port]` (call again to add more). Once one is added, a
/// request for any other host is refused with `SignatureDoesNotMatch` naming the host it names.
///
/// # Safety
/// `verifier` is NULL or a live verifier used by no other thread meanwhile; `host` is NULL or
/// NUL-terminated; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verifier_add_expected_host(
    verifier: *mut smsauth_verifier,
    host: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (v, host) = unsafe { (obj_mut(verifier, "verifier")?, str_arg(host, "host")?) };
        v.reconfigure(|c| c.expected_hosts.push(host.to_owned()))
    })
}

/// Verify a received request at time `now` (Unix seconds; 0 = the current time), as the
/// gateway does: completeness, timestamp, key, signature, then the nonce.
///
/// A request that fails gets the gateway's answer: `SMSAUTH_STATUS_AUTHENTICATION` with service
/// code `SignatureDoesNotMatch` (the message then ends with the server's string-to-sign, to
/// compare with the client's), `IncompleteSignature`, `SignatureNonceUsed`,
/// `InvalidAccessKeyId.NotFound`, `InvalidTimeStamp.Expired` / `.Format`; or
/// `SMSAUTH_STATUS_SERVICE` with `MissingParameter` / `InvalidParameter`; the HTTP status the
/// gateway would use is in `smsauth_error_http_status()`.
///
/// On success `*verified_out` receives what was verified, owned by the caller (free with
/// `smsauth_verified_free()`); on failure it is left untouched. Thread-safe.
///
/// # Safety
/// `verifier` and `http_request` are NULL or live objects; `verified_out` is NULL or writable;
/// `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verifier_verify(
    verifier: *const smsauth_verifier,
    http_request: *const smsauth_http_request,
    now: u64,
    verified_out: *mut *mut smsauth_verified,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let (v, r) = unsafe { (obj(verifier, "verifier")?, obj(http_request, "http_request")?) };
        let out = Out::new(verified_out, "verified_out")?;
        let now = if now == 0 { unix_now() } else { now };
        let verified = v
            .inner
            .verify(&r.inner, now, |id| v.keys.get(id).cloned())
            .map_err(smsauth::Error::from)?;
        out.put(verified.into());
        Ok(())
    })
}

/// Free a verification result. NULL is a no-op.
///
/// # Safety
/// `verified` is NULL or a result from `smsauth_verifier_verify()`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_free(verified: *mut smsauth_verified) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(verified) } })
}

/// The scheme the client used: `SMSAUTH_SIGNATURE_VERSION_V1` or `_V3` (0 if `verified` is
/// NULL).
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_signature_version(verified: *const smsauth_verified) -> u32 {
    // SAFETY: forwarded contract.
    boundary!(default: 0 => { unsafe { verified.as_ref() }.map_or(0, |v| version_number(v.version)) })
}

/// The AccessKey ID that signed. NULL only if `verified` is NULL. Owned by `verified`.
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_access_key_id(verified: *const smsauth_verified) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { verified.as_ref() }.map_or(ptr::null(), |v| v.access_key_id.as_ptr())
    })
}

/// The API action (e.g. `"SendSmsVerifyCode"`). NULL only if `verified` is NULL. Owned by
/// `verified`.
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_action(verified: *const smsauth_verified) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => { unsafe { verified.as_ref() }.map_or(ptr::null(), |v| v.action.as_ptr()) })
}

/// The API version (e.g. `"2017-05-25"`). NULL only if `verified` is NULL. Owned by `verified`.
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_api_version(verified: *const smsauth_verified) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => { unsafe { verified.as_ref() }.map_or(ptr::null(), |v| v.api_version.as_ptr()) })
}

/// The request's signing time, Unix seconds (0 if `verified` is NULL).
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_timestamp(verified: *const smsauth_verified) -> u64 {
    // SAFETY: forwarded contract.
    boundary!(default: 0 => { unsafe { verified.as_ref() }.map_or(0, |v| v.timestamp) })
}

/// The request's nonce. NULL only if `verified` is NULL. Owned by `verified`.
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_nonce(verified: *const smsauth_verified) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => { unsafe { verified.as_ref() }.map_or(ptr::null(), |v| v.nonce.as_ptr()) })
}

/// The STS token sent with the request (check it against the one you issued), or NULL. This is
/// a secret: do not log it. Owned by `verified`.
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_security_token(verified: *const smsauth_verified) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { verified.as_ref() }.map_or(ptr::null(), |v| opt_ptr(&v.security_token))
    })
}

/// How many business parameters the request had (signing parameters excluded).
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_param_count(verified: *const smsauth_verified) -> usize {
    // SAFETY: forwarded contract.
    boundary!(default: 0 => { unsafe { verified.as_ref() }.map_or(0, |v| v.params.len()) })
}

/// The name of business parameter `index` (0-based, in request order), or NULL when out of
/// range. Owned by `verified`.
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_param_name(verified: *const smsauth_verified, index: usize) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { verified.as_ref() }.map_or(ptr::null(), |v| pair_at(&v.params, index, false))
    })
}

/// The (decoded) value of business parameter `index`, or NULL when out of range. Owned by
/// `verified`.
///
/// # Safety
/// `verified` is NULL or a live result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_param_value(
    verified: *const smsauth_verified,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        unsafe { verified.as_ref() }.map_or(ptr::null(), |v| pair_at(&v.params, index, true))
    })
}

/// The first value of business parameter `name` (exact case), or NULL when absent (or an
/// argument is NULL or not UTF-8). Owned by `verified`.
///
/// # Safety
/// `verified` is NULL or a live result; `name` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_verified_param(
    verified: *const smsauth_verified,
    name: *const c_char,
) -> *const c_char {
    // SAFETY: forwarded contract.
    boundary!(default: ptr::null() => {
        let (Some(v), Ok(name)) = (unsafe { verified.as_ref() }, unsafe { str_arg(name, "name") }) else {
            return ptr::null();
        };
        v.params.iter().find(|(k, _)| k.as_bytes() == name.as_bytes()).map_or(ptr::null(), |(_, val)| val.as_ptr())
    })
}

/// Parse a `yyyy-MM-ddTHH:mm:ssZ` timestamp (as in V1's `Timestamp` and V3's `x-acs-date`)
/// into Unix seconds, e.g. for `smsauth_sign()`. On success `*unix_seconds_out` receives the
/// value; on failure (`SMSAUTH_STATUS_INVALID_INPUT`) it is left untouched.
///
/// # Safety
/// `timestamp` is NULL or a NUL-terminated string; `unix_seconds_out` is NULL or writable;
/// `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_parse_timestamp(
    timestamp: *const c_char,
    unix_seconds_out: *mut u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let text = unsafe { str_arg(timestamp, "timestamp") }?;
        if unix_seconds_out.is_null() {
            return Err(smsauth_error::null_argument("unix_seconds_out"));
        }
        let value = parse(text)?;
        // SAFETY: checked non-NULL; writable per the contract.
        unsafe { unix_seconds_out.write(value) };
        Ok(())
    })
}

fn parse(text: &str) -> FfiResult<u64> {
    parse_timestamp(text).ok_or_else(|| {
        smsauth_error::invalid_input("timestamp", format_args!("{text:?} is not a yyyy-MM-ddTHH:mm:ssZ timestamp"))
    })
}
