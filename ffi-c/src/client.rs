//! Sending and checking codes: blocking calls, `_async` calls with callbacks, and results.

use std::ffi::{c_char, c_void};
use std::ptr;

use smsauth::{CheckSmsVerifyCodeResponse, SendSmsVerifyCodeResponse};

use crate::boundary::{FfiResult, Out, View, exports, try_out, try_ref, try_str, views};
use crate::config::smsauth_config_builder;
use crate::error::{smsauth_error, smsauth_status};
use crate::request::{smsauth_check_request, smsauth_send_request};

/// An SMS Auth client: configuration, credentials and a connection pool.
///
/// Thread-safe: one client may be used by any number of threads at once (and should be: it keeps connections alive).
/// Free it with `smsauth_client_free()` once no thread is inside a blocking call on it; calls started with an `_async`
/// function keep what they need and may still be running.
#[derive(Debug)]
pub struct smsauth_client {
    pub(crate) inner: smsauth::blocking::Client,
}

views! {
    /// The answer to a successful send (the service said `OK`). Immutable: readable from any thread. Strings are owned
    /// by the result and valid until `smsauth_send_result_free()`.
    struct smsauth_send_result(SendSmsVerifyCodeResponse);
    /// The answer to a check. A wrong, expired or unknown code is a result with `passed == false`, not an error.
    /// Immutable: readable from any thread. Strings are owned by the result and valid until `smsauth_check_result_free()`.
    struct smsauth_check_result(CheckSmsVerifyCodeResponse);
}

/// Called once when an `smsauth_send_code_async()` call finishes, on a library thread.
///
/// Exactly one of `result` (when `status` is `SMSAUTH_STATUS_OK`) and `err` (otherwise) is non-NULL; the callback owns
/// it and must free it (`smsauth_send_result_free()` / `smsauth_error_free()`), from any thread. `user_data` is the
/// pointer given to the `_async` call. The callback may block briefly and may start more `_async` calls; it must not
/// call the blocking `smsauth_send_code*` / `smsauth_check_code*` functions (they fail with `SMSAUTH_STATUS_INTERNAL`
/// there) and must not throw C++ exceptions or `longjmp` out.
pub type smsauth_send_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        status: smsauth_status,
        result: *mut smsauth_send_result,
        err: *mut smsauth_error,
    ),
>;

/// Called once when an `smsauth_check_code_async()` call finishes, on a library thread. Same rules as
/// `smsauth_send_callback`; `result` is freed with `smsauth_check_result_free()`.
pub type smsauth_check_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        status: smsauth_status,
        result: *mut smsauth_check_result,
        err: *mut smsauth_error,
    ),
>;

/// Either callback, by the type of its result.
type Callback<R> = Option<unsafe extern "C" fn(*mut c_void, smsauth_status, *mut R, *mut smsauth_error)>;

/// An optional out-parameter: written when not NULL.
fn put_optional<T>(p: *mut *mut T, value: T) {
    if let Ok(out) = Out::new(p, "result_out") {
        out.put(value);
    }
}

/// The caller's `user_data`, handed back untouched on a library thread (the caller promised it may be used there by
/// passing it to an `_async` function).
pub(crate) struct UserData(pub(crate) *mut c_void);
// SAFETY: the pointer is never dereferenced by the library, only passed back to the callback,
// whose caller promised it may be used from any thread.
unsafe impl Send for UserData {}
// SAFETY: as for `Send`: shared only to be passed back.
unsafe impl Sync for UserData {}

impl UserData {
    /// The pointer (a method, so closures capture the whole `Send` wrapper, not its field).
    pub(crate) fn get(&self) -> *mut c_void {
        self.0
    }
}

/// Run `call` on the library's runtime; `callback(user_data, ...)` gets its outcome exactly once, on the blocking pool
/// (it is user code that may block: kept off the runtime's two workers), whatever happens (a panic in `call` becomes
/// `SMSAUTH_STATUS_PANIC`).
fn start<R, T, F>(call: F, callback: Callback<R>, user_data: *mut c_void) -> FfiResult
where
    R: 'static,
    T: Into<R> + Send + 'static,
    F: Future<Output = smsauth::Result<T>> + Send + 'static,
{
    let (callback, user_data) =
        (callback.ok_or_else(|| smsauth_error::null_argument("callback"))?, UserData(user_data));
    let rt = smsauth::runtime::runtime()?;
    rt.spawn(async move {
        let outcome = match rt.spawn(call).await {
            Ok(r) => r.map_err(Box::<smsauth_error>::from),
            Err(join) => Err(smsauth_error::panic_in_flight(&join.to_string())),
        };
        rt.spawn_blocking(move || {
            // Wrapping a core answer only allocates its box: nothing here can panic.
            let (status, result, err) = match outcome {
                Ok(v) => (smsauth_status::Ok, Box::into_raw(Box::new(v.into())), ptr::null_mut()),
                Err(e) => (e.status, ptr::null_mut(), Box::into_raw(e)),
            };
            // SAFETY: the caller vouched for calling `callback` with `user_data` on our threads.
            unsafe { callback(user_data.get(), status, result, err) };
        });
    });
    Ok(())
}

exports! {
    /// Build a client from the builder's options. The builder is not consumed: free it with
    /// `smsauth_config_builder_free()` (it may be reused to build more clients).
    ///
    /// Fails with `SMSAUTH_STATUS_INVALID_INPUT` (bad endpoint, scheme, timeout, proxy, PEM, ...) or
    /// `SMSAUTH_STATUS_CREDENTIALS` (an empty key part, or no AccessKey set and no source of credentials configured at
    /// all; sources that need a network call, such as the ECS metadata server, are asked at the first request instead).
    /// No network traffic happens here.
    ///
    /// On success `*client_out` receives a new client, owned by the caller (free it with `smsauth_client_free()`).
    fn smsauth_config_builder_build(builder: *const smsauth_config_builder, client_out: *mut *mut smsauth_client) {
        let (b, out) = (try_ref!(builder), try_out!(client_out));
        out.put(smsauth_client { inner: smsauth::blocking::Client::from_async(b.to_client()?) });
    }
    /// Free a client. NULL is a no-op. Calls started with `_async` functions finish normally (they hold their own
    /// reference); no blocking call on this client may be running on another thread.
    free smsauth_client_free(client: smsauth_client);
    /// Send a verification code to `phone_number` with the client's defaults (sign name, template, ...). Blocks the
    /// calling thread until the service answered or the deadline passed.
    ///
    /// A business refusal is an error, e.g. `SMSAUTH_STATUS_THROTTLED` with service code `biz.FREQUENCY` when a code
    /// was sent to the number within the interval. Never resends on its own after the request may have reached the
    /// service (so never sends two SMS by accident).
    ///
    /// `result_out` may be NULL if you do not need the result; otherwise on success it receives a new result owned by
    /// the caller (free with `smsauth_send_result_free()`). Not to be called from an async callback.
    fn smsauth_send_code(client: *const smsauth_client, phone_number: *const c_char, result_out: *mut *mut smsauth_send_result) {
        let (client, phone) = (try_ref!(client), try_str!(phone_number));
        put_optional(result_out, client.inner.send_code(phone)?.into());
    }
    /// Send like `smsauth_send_code()` on behalf of `client_key` — the caller's IP address, device or session id — so
    /// the per-client limits of the client's abuse guard apply (see `smsauth_config_builder_set_guard()`); a refusal is
    /// `SMSAUTH_STATUS_GUARD_DENIED` and nothing is sent. Without a guard the key is not used.
    fn smsauth_send_code_for(client: *const smsauth_client, phone_number: *const c_char, client_key: *const c_char, result_out: *mut *mut smsauth_send_result) {
        let (client, phone, key) = (try_ref!(client), try_str!(phone_number), try_str!(client_key));
        put_optional(result_out, client.inner.send_code_for(phone, key)?.into());
    }
    /// Send with every field of `request`; unset fields take the client's defaults. Otherwise as `smsauth_send_code()`;
    /// a client key set with `smsauth_send_request_set_client_key()` goes to the guard as with
    /// `smsauth_send_code_for()`. The request is only read.
    fn smsauth_send_code_with(client: *const smsauth_client, request: *const smsauth_send_request, result_out: *mut *mut smsauth_send_result) {
        let (client, request) = (try_ref!(client), try_ref!(request));
        let answer = client.inner.send_code_with_key(request.inner.clone(), request.client_key.as_deref())?;
        put_optional(result_out, answer.into());
    }
    /// Check `verify_code` (what the user typed) for `phone_number` with the client's defaults. Blocks until answered.
    /// A wrong code is `SMSAUTH_STATUS_OK` with `smsauth_check_result_passed() == false`; a code passes only once.
    ///
    /// On success `*result_out` (required) receives a new result owned by the caller (free with
    /// `smsauth_check_result_free()`). Not to be called from an async callback.
    fn smsauth_check_code(client: *const smsauth_client, phone_number: *const c_char, verify_code: *const c_char, result_out: *mut *mut smsauth_check_result) {
        let (client, phone, code, out) = (try_ref!(client), try_str!(phone_number), try_str!(verify_code), try_out!(result_out));
        out.put(client.inner.check_code(phone, code)?.into());
    }
    /// Check with every field of `request`; unset fields take the client's defaults. Otherwise as
    /// `smsauth_check_code()`. The request is only read.
    fn smsauth_check_code_with(client: *const smsauth_client, request: *const smsauth_check_request, result_out: *mut *mut smsauth_check_result) {
        let (client, request, out) = (try_ref!(client), try_ref!(request), try_out!(result_out));
        out.put(client.inner.check_code_with(request.inner.clone())?.into());
    }
    /// Start sending like `smsauth_send_code_with()` without blocking: the call runs on the library's runtime and
    /// `callback(user_data, ...)` reports the outcome.
    ///
    /// If this returns `SMSAUTH_STATUS_OK`, `callback` is called exactly once, on a library thread (possibly before
    /// this function has returned), with the status and either a result or an error that the callback owns. If it
    /// returns anything else (NULL `client`, `request` or `callback`), the callback is never called.
    ///
    /// The request is copied and the call holds its own reference to the client's configuration, so both may be freed
    /// as soon as this function returns. `user_data` must stay valid until the callback has run; `callback` must be
    /// safe to call from another thread with it.
    fn smsauth_send_code_async(client: *const smsauth_client, request: *const smsauth_send_request, callback: smsauth_send_callback, user_data: *mut c_void) {
        let (client, request) = (try_ref!(client).inner.as_async().clone(), try_ref!(request));
        let (request, client_key) = (request.inner.clone(), request.client_key.clone());
        start(async move { client.send_code_with_key(request, client_key.as_deref()).await }, callback, user_data)?;
    }
    /// Start checking like `smsauth_check_code_with()` without blocking. Same contract as `smsauth_send_code_async()`;
    /// the callback receives an `smsauth_check_result` on success (including a wrong code, with `passed == false`).
    fn smsauth_check_code_async(client: *const smsauth_client, request: *const smsauth_check_request, callback: smsauth_check_callback, user_data: *mut c_void) {
        let (client, request) = (try_ref!(client).inner.as_async().clone(), try_ref!(request).inner.clone());
        start(async move { client.check_code_with(request).await }, callback, user_data)?;
    }
    /// Free a send result. NULL is a no-op.
    free smsauth_send_result_free(result: smsauth_send_result);
    /// The answer's `RequestId` (never NULL for a non-NULL result). Owned by `result`, like every string of a result.
    fn smsauth_send_result_request_id(result: *const smsauth_send_result) -> *const c_char { try_ref!(result).text(|r| &r.request_id) }
    /// `Model.BizId`, the delivery receipt id; NULL when the answer had none.
    fn smsauth_send_result_biz_id(result: *const smsauth_send_result) -> *const c_char { try_ref!(result).opt_text(|r| r.model.biz_id.as_deref()) }
    /// `Model.OutId`, your reference echoed; NULL when the answer had none.
    fn smsauth_send_result_out_id(result: *const smsauth_send_result) -> *const c_char { try_ref!(result).opt_text(|r| r.model.out_id.as_deref()) }
    /// `Model.VerifyCode`, the code that was sent: only when the request set `ReturnVerifyCode`
    /// (`smsauth_send_request_set_return_verify_code()`); NULL otherwise.
    fn smsauth_send_result_verify_code(result: *const smsauth_send_result) -> *const c_char { try_ref!(result).opt_text(|r| r.model.verify_code.as_deref()) }
    /// The answer's `Message` (e.g. `"OK"` or `"成功"`);
    fn smsauth_send_result_message(result: *const smsauth_send_result) -> *const c_char { try_ref!(result).text(|r| &r.message) }
    /// The HTTP status of the answer (200), or 0 if `result` is NULL.
    fn smsauth_send_result_http_status(result: *const smsauth_send_result) -> u16 { try_ref!(result).inner.http_status }
    /// Free a check result. NULL is a no-op.
    free smsauth_check_result_free(result: smsauth_check_result);
    /// `true` only when the service said `PASS`: the code is right (and is now used up). `false` for a wrong, expired
    /// or unknown code, or when `result` is NULL.
    fn smsauth_check_result_passed(result: *const smsauth_check_result) -> bool { try_ref!(result).inner.passed() }
    /// `Model.VerifyResult` verbatim: `"PASS"`, `"UNKNOWN"` or a value newer than this library.
    fn smsauth_check_result_verify_result(result: *const smsauth_check_result) -> *const c_char { try_ref!(result).text(|r| r.model.verify_result.as_str()) }
    /// The answer's `RequestId`;
    fn smsauth_check_result_request_id(result: *const smsauth_check_result) -> *const c_char { try_ref!(result).text(|r| &r.request_id) }
    /// `Model.OutId` echoed; NULL when the answer had none.
    fn smsauth_check_result_out_id(result: *const smsauth_check_result) -> *const c_char { try_ref!(result).opt_text(|r| r.model.out_id.as_deref()) }
    /// The answer's `Message`;
    fn smsauth_check_result_message(result: *const smsauth_check_result) -> *const c_char { try_ref!(result).text(|r| &r.message) }
    /// The HTTP status of the answer (200), or 0 if `result` is NULL.
    fn smsauth_check_result_http_status(result: *const smsauth_check_result) -> u16 { try_ref!(result).inner.http_status }
}
