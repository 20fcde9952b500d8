//! `smsauth_send_request` and `smsauth_check_request`: every field of the two API calls.
//!
//! Unset fields take the client's defaults (see `smsauth_config_builder_set_sign_name()` etc.)
//! or, failing those, the service's. Values are checked when the request is sent, and a bad
//! one fails with `SMSAUTH_STATUS_INVALID_INPUT` naming the field, before any network call.

use std::ffi::c_char;

use smsauth::{CheckSmsVerifyCodeRequest, SendSmsVerifyCodeRequest};

use crate::boundary::{Out, boundary, free, obj_mut, opt_str_arg, str_arg};
use crate::error::{smsauth_error, smsauth_status};

/// The parameters of one `SendSmsVerifyCode` call. Create with `smsauth_send_request_new()`,
/// free with `smsauth_send_request_free()`.
///
/// Not synchronised: setters need exclusive use; a request nobody modifies may be passed to
/// calls on several threads at once. Calls copy what they need, so the request may be freed or
/// changed as soon as a call (even an `_async` one) has returned.
#[derive(Debug)]
pub struct smsauth_send_request {
    pub(crate) inner: SendSmsVerifyCodeRequest,
    /// For the client's abuse guard, not sent to the service.
    pub(crate) client_key: Option<String>,
}

/// The parameters of one `CheckSmsVerifyCode` call. Create with `smsauth_check_request_new()`,
/// free with `smsauth_check_request_free()`. Same threading rules as `smsauth_send_request`.
#[derive(Debug)]
pub struct smsauth_check_request {
    pub(crate) inner: CheckSmsVerifyCodeRequest,
}

/// A new send request for `phone_number` (e.g. `"13800138000"` or `"+86 138-0013-8000"`; it is
/// normalised and checked when sent), with every other field unset.
///
/// On success `*request_out` receives the request, owned by the caller; on failure it is left
/// untouched.
///
/// # Safety
/// `phone_number` is NULL or a NUL-terminated string; `request_out` is NULL or writable; `err`
/// is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_new(
    phone_number: *const c_char,
    request_out: *mut *mut smsauth_send_request,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let phone = unsafe { str_arg(phone_number, "phone_number") }?;
        let out = Out::new(request_out, "request_out")?;
        out.put(smsauth_send_request { inner: SendSmsVerifyCodeRequest::new(phone), client_key: None });
        Ok(())
    })
}

/// Free a send request. NULL is a no-op.
///
/// # Safety
/// `request` is NULL or a request from `smsauth_send_request_new()`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_free(request: *mut smsauth_send_request) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(request) } })
}

/// Set `CountryCode` (the service supports `"86"` only, its default).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `country_code` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_country_code(
    request: *mut smsauth_send_request,
    country_code: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.country_code = unsafe { Some(str_arg(country_code, "country_code")?.to_owned()) };
        Ok(())
    })
}

/// Set `SignName` (required unless the client has a default): a console preset signature.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `sign_name` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_sign_name(
    request: *mut smsauth_send_request,
    sign_name: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.sign_name = unsafe { Some(str_arg(sign_name, "sign_name")?.to_owned()) };
        Ok(())
    })
}

/// Set `TemplateCode` (required unless the client has a default): a console preset template.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `template_code` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_template_code(
    request: *mut smsauth_send_request,
    template_code: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.template_code = unsafe { Some(str_arg(template_code, "template_code")?.to_owned()) };
        Ok(())
    })
}

/// Set `TemplateParam`: a JSON object where `"##code##"` marks the generated code.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `template_param` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_template_param(
    request: *mut smsauth_send_request,
    template_param: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.template_param = unsafe { Some(str_arg(template_param, "template_param")?.to_owned()) };
        Ok(())
    })
}

/// Set `SchemeName`: the verification scheme (at most 20 characters).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `scheme_name` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_scheme_name(
    request: *mut smsauth_send_request,
    scheme_name: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.scheme_name = unsafe { Some(str_arg(scheme_name, "scheme_name")?.to_owned()) };
        Ok(())
    })
}

/// Set `SmsUpExtendCode`: uplink extension code.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `sms_up_extend_code` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_sms_up_extend_code(
    request: *mut smsauth_send_request,
    sms_up_extend_code: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.sms_up_extend_code = unsafe { Some(str_arg(sms_up_extend_code, "sms_up_extend_code")?.to_owned()) };
        Ok(())
    })
}

/// Set `OutId`: your own reference, echoed back in the result.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `out_id` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_out_id(
    request: *mut smsauth_send_request,
    out_id: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.out_id = unsafe { Some(str_arg(out_id, "out_id")?.to_owned()) };
        Ok(())
    })
}

/// Set `CodeLength`: 4–8 (checked when sending).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_code_length(
    request: *mut smsauth_send_request,
    code_length: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.code_length = Some(code_length);
        Ok(())
    })
}

/// Set `ValidTime`: seconds the code stays valid (must be > 0).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_valid_time(
    request: *mut smsauth_send_request,
    valid_time: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.valid_time = Some(valid_time);
        Ok(())
    })
}

/// Set `DuplicatePolicy`: one of `smsauth_duplicate_policy`; other values are `SMSAUTH_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_duplicate_policy(
    request: *mut smsauth_send_request,
    duplicate_policy: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.duplicate_policy = Some(crate::config::duplicate_policy(duplicate_policy)?);
        Ok(())
    })
}

/// Set `Interval`: seconds before another code may be sent to this number (must be > 0).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_interval(
    request: *mut smsauth_send_request,
    interval: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.interval = Some(interval);
        Ok(())
    })
}

/// Set `CodeType`: one of `smsauth_code_type`; other values are `SMSAUTH_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_code_type(
    request: *mut smsauth_send_request,
    code_type: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.code_type = Some(crate::config::code_type(code_type)?);
        Ok(())
    })
}

/// Set `ReturnVerifyCode`: return the code in the result (`smsauth_send_result_verify_code()`).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_return_verify_code(
    request: *mut smsauth_send_request,
    return_verify_code: bool,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.return_verify_code = Some(return_verify_code);
        Ok(())
    })
}

/// Set `AutoRetry`: let the service retry delivery on another channel (1 = yes).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_auto_retry(
    request: *mut smsauth_send_request,
    auto_retry: i64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.auto_retry = Some(auto_retry);
        Ok(())
    })
}

/// Set `DuplicateCheck`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_duplicate_check(
    request: *mut smsauth_send_request,
    duplicate_check: bool,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.duplicate_check = Some(duplicate_check);
        Ok(())
    })
}

/// Set `EarlyWarn`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_early_warn(
    request: *mut smsauth_send_request,
    early_warn: bool,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.early_warn = Some(early_warn);
        Ok(())
    })
}

/// Set `OwnerId`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_owner_id(
    request: *mut smsauth_send_request,
    owner_id: i64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.owner_id = Some(owner_id);
        Ok(())
    })
}

/// Set `ResourceOwnerAccount`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `resource_owner_account` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_resource_owner_account(
    request: *mut smsauth_send_request,
    resource_owner_account: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        let value = unsafe { str_arg(resource_owner_account, "resource_owner_account") }?;
        r.inner.resource_owner_account = Some(value.to_owned());
        Ok(())
    })
}

/// Set `ResourceOwnerId`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_resource_owner_id(
    request: *mut smsauth_send_request,
    resource_owner_id: i64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.resource_owner_id = Some(resource_owner_id);
        Ok(())
    })
}

/// Send on behalf of `client_key` — the caller's IP address, device or session id — so the
/// per-client limits of the client's abuse guard apply (see `smsauth_config_builder_set_guard()`
/// and `smsauth_send_code_for()`). Not sent to the service; ignored by a client without a guard.
/// NULL removes the key.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `client_key` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_send_request_set_client_key(
    request: *mut smsauth_send_request,
    client_key: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        // SAFETY: forwarded contract.
        r.client_key = unsafe { opt_str_arg(client_key, "client_key") }?.map(str::to_owned);
        Ok(())
    })
}

/// A new check request: is `verify_code` (what the user typed: 4–8 ASCII letters or digits)
/// the code sent to `phone_number`? Both are checked when the request is sent.
///
/// On success `*request_out` receives the request, owned by the caller; on failure it is left
/// untouched.
///
/// # Safety
/// `phone_number` and `verify_code` are NULL or NUL-terminated strings; `request_out` is NULL
/// or writable; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_check_request_new(
    phone_number: *const c_char,
    verify_code: *const c_char,
    request_out: *mut *mut smsauth_check_request,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let phone = unsafe { str_arg(phone_number, "phone_number") }?;
        // SAFETY: forwarded contract.
        let code = unsafe { str_arg(verify_code, "verify_code") }?;
        let out = Out::new(request_out, "request_out")?;
        out.put(smsauth_check_request { inner: CheckSmsVerifyCodeRequest::new(phone, code) });
        Ok(())
    })
}

/// Free a check request. NULL is a no-op.
///
/// # Safety
/// `request` is NULL or a request from `smsauth_check_request_new()`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_check_request_free(request: *mut smsauth_check_request) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(request) } })
}

/// Set `CountryCode` (the service supports `"86"` only, its default).
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `country_code` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_check_request_set_country_code(
    request: *mut smsauth_check_request,
    country_code: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.country_code = unsafe { Some(str_arg(country_code, "country_code")?.to_owned()) };
        Ok(())
    })
}

/// Set `SchemeName`: must match the one used to send.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `scheme_name` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_check_request_set_scheme_name(
    request: *mut smsauth_check_request,
    scheme_name: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.scheme_name = unsafe { Some(str_arg(scheme_name, "scheme_name")?.to_owned()) };
        Ok(())
    })
}

/// Set `OutId`: your own reference, echoed back in the result.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `out_id` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_check_request_set_out_id(
    request: *mut smsauth_check_request,
    out_id: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.out_id = unsafe { Some(str_arg(out_id, "out_id")?.to_owned()) };
        Ok(())
    })
}

/// Set `CaseAuthPolicy`: one of `smsauth_case_auth_policy`; other values are `SMSAUTH_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_check_request_set_case_auth_policy(
    request: *mut smsauth_check_request,
    case_auth_policy: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.case_auth_policy = Some(crate::config::case_auth_policy(case_auth_policy)?);
        Ok(())
    })
}

/// Set `OwnerId`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_check_request_set_owner_id(
    request: *mut smsauth_check_request,
    owner_id: i64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.owner_id = Some(owner_id);
        Ok(())
    })
}

/// Set `ResourceOwnerAccount`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `resource_owner_account` is NULL or a
/// NUL-terminated string; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_check_request_set_resource_owner_account(
    request: *mut smsauth_check_request,
    resource_owner_account: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        let value = unsafe { str_arg(resource_owner_account, "resource_owner_account") }?;
        r.inner.resource_owner_account = Some(value.to_owned());
        Ok(())
    })
}

/// Set `ResourceOwnerId`.
///
/// # Safety
/// `request` is NULL or a live request used by no other thread meanwhile; `err` is NULL or points
/// to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_check_request_set_resource_owner_id(
    request: *mut smsauth_check_request,
    resource_owner_id: i64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let r = unsafe { obj_mut(request, "request") }?;
        r.inner.resource_owner_id = Some(resource_owner_id);
        Ok(())
    })
}
