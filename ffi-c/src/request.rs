//! `smsauth_send_request` and `smsauth_check_request`: every field of the two API calls.
//!
//! Unset fields take the client's defaults (see `smsauth_config_builder_set_sign_name()` etc.) or, failing those, the
//! service's. Values are checked when the request is sent, and a bad one fails with `SMSAUTH_STATUS_INVALID_INPUT`
//! naming the field, before any network call.

use std::ffi::c_char;

use smsauth::{CheckSmsVerifyCodeRequest, FieldValue, SendSmsVerifyCodeRequest};

use crate::boundary::{FfiResult, exports, str_arg, try_mut, try_opt_str, try_out, try_str};

/// The parameters of one `SendSmsVerifyCode` call. Create with `smsauth_send_request_new()`, free with
/// `smsauth_send_request_free()`.
///
/// Not synchronised: setters need exclusive use; a request nobody modifies may be passed to calls on several threads at
/// once. Calls copy what they need, so the request may be freed or changed as soon as a call (even an `_async` one) has
/// returned.
#[derive(Debug)]
pub struct smsauth_send_request {
    pub(crate) inner: SendSmsVerifyCodeRequest,
    /// For the client's abuse guard, not sent to the service.
    pub(crate) client_key: Option<String>,
}

/// The parameters of one `CheckSmsVerifyCode` call. Create with `smsauth_check_request_new()`, free with
/// `smsauth_check_request_free()`. Same threading rules as `smsauth_send_request`.
#[derive(Debug)]
pub struct smsauth_check_request {
    pub(crate) inner: CheckSmsVerifyCodeRequest,
}

/// A C setter's argument as the core's value for the field or option it sets (the core's tables check it).
pub(crate) trait FieldArg {
    /// # Safety
    /// A pointer argument is NULL or a NUL-terminated string.
    unsafe fn value(self, name: &'static str) -> FfiResult<FieldValue>;
    /// A NULL string (numbers and flags never are).
    fn is_null(&self) -> bool {
        false
    }
}

macro_rules! field_arg {
    ($($t:ty => $v:ident),*) => {$(impl FieldArg for $t {
        unsafe fn value(self, _: &'static str) -> FfiResult<FieldValue> { Ok(FieldValue::$v(self.into())) }
    })*};
}
field_arg!(u32 => Unsigned, u64 => Unsigned, i64 => Integer, bool => Bool);

impl FieldArg for *const c_char {
    unsafe fn value(self, name: &'static str) -> FfiResult<FieldValue> {
        // SAFETY: forwarded contract.
        Ok(FieldValue::Text(unsafe { str_arg(self, name) }?.to_owned()))
    }
    fn is_null(&self) -> bool {
        <*const c_char>::is_null(*self)
    }
}

/// One exported setter per API field, `fn name(field: c_type);`: the parameter is named like the field in the core's
/// table (`SendSmsVerifyCodeRequest::FIELDS`), which converts and checks the value.
macro_rules! field_setters {
    ($req:ident: $ty:ty; $($(#[$m:meta])* fn $name:ident($field:ident: $ft:ty);)*) => {
        exports! { $($(#[$m])* fn $name($req: *mut $ty, $field: $ft) {
            let (request, value) = (try_mut!($req), unsafe { $field.value(stringify!($field)) }?);
            request.inner.set(stringify!($field), Some(value))?;
        })* }
    };
}

exports! {
    /// A new send request for `phone_number` (e.g. `"13800138000"` or `"+86 138-0013-8000"`; it is normalised and
    /// checked when sent), with every other field unset. On success `*request_out` receives the request.
    fn smsauth_send_request_new(phone_number: *const c_char, request_out: *mut *mut smsauth_send_request) {
        let (phone, out) = (try_str!(phone_number), try_out!(request_out));
        out.put(smsauth_send_request { inner: SendSmsVerifyCodeRequest::new(phone), client_key: None });
    }
    /// Free a send request. NULL is a no-op.
    free smsauth_send_request_free(request: smsauth_send_request);
    /// Send on behalf of `client_key` — the caller's IP address, device or session id — so the per-client limits of the
    /// client's abuse guard apply (see `smsauth_config_builder_set_guard()` and `smsauth_send_code_for()`). Not sent to
    /// the service; ignored by a client without a guard. NULL removes the key.
    fn smsauth_send_request_set_client_key(request: *mut smsauth_send_request, client_key: *const c_char) {
        try_mut!(request).client_key = try_opt_str!(client_key).map(str::to_owned);
    }
    /// A new check request: is `verify_code` (what the user typed: 4–8 ASCII letters or digits) the code sent to
    /// `phone_number`? Both are checked when the request is sent. On success `*request_out` receives the request.
    fn smsauth_check_request_new(phone_number: *const c_char, verify_code: *const c_char, request_out: *mut *mut smsauth_check_request) {
        let (phone, code, out) = (try_str!(phone_number), try_str!(verify_code), try_out!(request_out));
        out.put(smsauth_check_request { inner: CheckSmsVerifyCodeRequest::new(phone, code) });
    }
    /// Free a check request. NULL is a no-op.
    free smsauth_check_request_free(request: smsauth_check_request);
}

field_setters! { request: smsauth_send_request;
    /// Set `CountryCode` (the service supports `"86"` only, its default).
    fn smsauth_send_request_set_country_code(country_code: *const c_char);
    /// Set `SignName` (required unless the client has a default): a console preset signature.
    fn smsauth_send_request_set_sign_name(sign_name: *const c_char);
    /// Set `TemplateCode` (required unless the client has a default): a console preset template.
    fn smsauth_send_request_set_template_code(template_code: *const c_char);
    /// Set `TemplateParam`: a JSON object where `"##code##"` marks the generated code.
    fn smsauth_send_request_set_template_param(template_param: *const c_char);
    /// Set `SchemeName`: the verification scheme (at most 20 characters).
    fn smsauth_send_request_set_scheme_name(scheme_name: *const c_char);
    /// Set `SmsUpExtendCode`: uplink extension code.
    fn smsauth_send_request_set_sms_up_extend_code(sms_up_extend_code: *const c_char);
    /// Set `OutId`: your own reference, echoed back in the result.
    fn smsauth_send_request_set_out_id(out_id: *const c_char);
    /// Set `CodeLength`: 4–8 (checked when sending).
    fn smsauth_send_request_set_code_length(code_length: u32);
    /// Set `ValidTime`: seconds the code stays valid (must be > 0).
    fn smsauth_send_request_set_valid_time(valid_time: u64);
    /// Set `DuplicatePolicy`: one of `smsauth_duplicate_policy`; other values are `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_send_request_set_duplicate_policy(duplicate_policy: u32);
    /// Set `Interval`: seconds before another code may be sent to this number (must be > 0).
    fn smsauth_send_request_set_interval(interval: u64);
    /// Set `CodeType`: one of `smsauth_code_type`; other values are `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_send_request_set_code_type(code_type: u32);
    /// Set `ReturnVerifyCode`: return the code in the result (`smsauth_send_result_verify_code()`).
    fn smsauth_send_request_set_return_verify_code(return_verify_code: bool);
    /// Set `AutoRetry`: let the service retry delivery on another channel (1 = yes).
    fn smsauth_send_request_set_auto_retry(auto_retry: i64);
    /// Set `DuplicateCheck`.
    fn smsauth_send_request_set_duplicate_check(duplicate_check: bool);
    /// Set `EarlyWarn`.
    fn smsauth_send_request_set_early_warn(early_warn: bool);
    /// Set `OwnerId`.
    fn smsauth_send_request_set_owner_id(owner_id: i64);
    /// Set `ResourceOwnerAccount`.
    fn smsauth_send_request_set_resource_owner_account(resource_owner_account: *const c_char);
    /// Set `ResourceOwnerId`.
    fn smsauth_send_request_set_resource_owner_id(resource_owner_id: i64);
}

field_setters! { request: smsauth_check_request;
    /// Set `CountryCode` (the service supports `"86"` only, its default).
    fn smsauth_check_request_set_country_code(country_code: *const c_char);
    /// Set `SchemeName`: must match the one used to send.
    fn smsauth_check_request_set_scheme_name(scheme_name: *const c_char);
    /// Set `OutId`: your own reference, echoed back in the result.
    fn smsauth_check_request_set_out_id(out_id: *const c_char);
    /// Set `CaseAuthPolicy`: one of `smsauth_case_auth_policy`; other values are `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_check_request_set_case_auth_policy(case_auth_policy: u32);
    /// Set `OwnerId`.
    fn smsauth_check_request_set_owner_id(owner_id: i64);
    /// Set `ResourceOwnerAccount`.
    fn smsauth_check_request_set_resource_owner_account(resource_owner_account: *const c_char);
    /// Set `ResourceOwnerId`.
    fn smsauth_check_request_set_resource_owner_id(resource_owner_id: i64);
}
