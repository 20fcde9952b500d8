//! `smsauth_status` and `smsauth_error`: the one mapping of `smsauth::Error` to C.

use std::ffi::c_char;

use smsauth::{Delivery, ErrorKind};

use crate::boundary::{CTexts, c_enums, exports, snake_case, static_cstr, try_ref};

c_enums! {
    /// The result of every fallible call. `SMSAUTH_STATUS_OK` (0) is success.
    ///
    /// Values 1–10 are the core's error kinds (`smsauth::ErrorKind::code()`), so the same number means the same thing in
    /// every language binding; values from 100 are failures of the C boundary itself. Numbers are stable: new statuses get
    /// new numbers and old ones are never reused. The type is `uint32_t`, so a value this header does not list (a kind
    /// added by a later library version) can still be received: treat unknown values as errors.
    #[derive(Default)]
    enum smsauth_status {
        /// Success.
        Ok = 0,
        /// A request field or option is missing or malformed; nothing was sent. `smsauth_error_field()` names the field.
        InvalidInput = 1,
        /// No usable credentials (none configured, or empty); nothing was sent.
        Credentials = 2,
        /// The connection could not be made or broke. See `smsauth_error_may_have_been_received()`.
        Network = 3,
        /// A connect, read or total deadline passed. See `smsauth_error_may_have_been_received()`.
        Timeout = 4,
        /// The gateway rejected the signature, AccessKey, timestamp, nonce or STS token.
        Authentication = 5,
        /// Too many requests: gateway flow control (`Throttling*`) or the service's frequency limits (`biz.FREQUENCY`,
        /// ...).
        Throttled = 6,
        /// The service answered with another business or gateway error (see the service code).
        Service = 7,
        /// The answer could not be understood (not JSON, truncated, too large).
        Protocol = 8,
        /// A bug or an impossible state inside the library (also: a blocking call made from inside an async callback).
        #[default]
        Internal = 9,
        /// The client's abuse guard refused the call before anything was sent (a per-phone, per-client, per-prefix or
        /// budget limit). `smsauth_error_guard_rule()` names the rule and `smsauth_error_retry_after_ms()` says when it
        /// allows again.
        GuardDenied = 10,
        /// A required pointer argument was NULL. The error message names the argument.
        NullArgument = 100,
        /// A string argument was not valid UTF-8. The error message names the argument and the byte offset.
        InvalidUtf8 = 101,
        /// A panic (a bug in the library) was caught at the C boundary; the library stays usable. Please report it.
        Panic = 102,
    }
}

impl smsauth_status {
    /// The status of a core error kind: the one with its number (a test catches a kind added to the core without one
    /// here; until then it is `Internal`).
    pub(crate) fn from_kind(kind: ErrorKind) -> Self {
        smsauth_status::from_c(kind.code(), "kind").unwrap_or_default()
    }

    /// The status's name: its constant's in snake case (`SMSAUTH_STATUS_GUARD_DENIED`: `"guard_denied"`), which for
    /// 1–10 is the core's kind name (`ErrorKind::name()`; a test checks it).
    fn name(code: u32) -> Option<*const c_char> {
        let status = smsauth_status::from_c(code, "status").ok()?;
        Some(static_cstr(&snake_case(&format!("{status:?}"))))
    }
}

/// Details of a failed call: created by the library when a call fails and `err` is not NULL; owned by the caller, who
/// frees it with `smsauth_error_free()`.
///
/// Immutable: it may be read from any thread. Strings returned by its getters are owned by the error and valid until it
/// is freed. It never contains an AccessKey secret or an STS token.
#[derive(Debug)]
pub struct smsauth_error {
    pub(crate) status: smsauth_status,
    /// The core's error; a failure of the boundary itself (statuses from 100) is an `Internal` one with its message.
    inner: smsauth::Error,
    /// The C argument at fault (`NullArgument`, `InvalidUtf8`), named instead of the core's field.
    argument: Option<&'static str>,
    texts: CTexts,
}

impl smsauth_error {
    fn boundary(status: smsauth_status, message: String, argument: Option<&'static str>) -> Box<Self> {
        let inner = smsauth::Error::new(ErrorKind::Internal, message);
        Box::new(smsauth_error { status, inner, argument, texts: CTexts::default() })
    }

    pub(crate) fn null_argument(name: &'static str) -> Box<Self> {
        let message = format!("argument `{name}` is NULL; pass a valid pointer");
        smsauth_error::boundary(smsauth_status::NullArgument, message, Some(name))
    }

    pub(crate) fn invalid_utf8(name: &'static str, valid_up_to: usize) -> Box<Self> {
        let message =
            format!("argument `{name}` is not valid UTF-8 (invalid byte at offset {valid_up_to}); pass UTF-8 text");
        smsauth_error::boundary(smsauth_status::InvalidUtf8, message, Some(name))
    }

    pub(crate) fn invalid_input(field: &'static str, message: impl std::fmt::Display) -> Box<Self> {
        smsauth::Error::invalid_input(field, message).into()
    }

    pub(crate) fn panic(message: &str) -> Box<Self> {
        let message =
            format!("internal error: a panic was caught at the C boundary ({message}); please report this bug");
        smsauth_error::boundary(smsauth_status::Panic, message, None)
    }

    /// A panic inside a call whose request may already have left: never "safe to resend".
    pub(crate) fn panic_in_flight(message: &str) -> Box<Self> {
        let mut e = Self::panic(message);
        e.inner = smsauth::Error::lost_in_flight(e.inner.message());
        e
    }

    pub(crate) fn message(&self) -> &str {
        self.inner.message()
    }
}

impl From<smsauth::Error> for Box<smsauth_error> {
    fn from(inner: smsauth::Error) -> Self {
        let status = smsauth_status::from_kind(inner.kind());
        Box::new(smsauth_error { status, inner, argument: None, texts: CTexts::default() })
    }
}

exports! {
    /// The static snake_case name of a status: `"ok"`, `"invalid_input"`, `"credentials"`, `"network"`, `"timeout"`,
    /// `"authentication"`, `"throttled"`, `"service"`, `"protocol"`, `"internal"`, `"guard_denied"`, `"null_argument"`,
    /// `"invalid_utf8"`, `"panic"` (the kind names are the core's `ErrorKind::name()` and the other bindings' error
    /// codes), or `"unknown"` for a number this library does not define. Never NULL; static (never free it).
    fn smsauth_status_str(status: u32) -> *const c_char { smsauth_status::name(status).unwrap_or(c"unknown".as_ptr()) }
    /// Free an error returned through an `smsauth_error **err` out-parameter. NULL is a no-op; the error's strings are
    /// invalid afterwards.
    free smsauth_error_free(err: smsauth_error);
    /// The status of the failed call (never `SMSAUTH_STATUS_OK` for a non-NULL error); `SMSAUTH_STATUS_NULL_ARGUMENT`
    /// when `err` is NULL.
    fn smsauth_error_status(err: *const smsauth_error) -> smsauth_status {
        unsafe { err.as_ref() }.map_or(smsauth_status::NullArgument, |e| e.status)
    }
    /// What went wrong and what to do, in one English sentence or two. Never NULL for a non-NULL `err`. Owned by `err`,
    /// like every string below.
    fn smsauth_error_message(err: *const smsauth_error) -> *const c_char { let e = try_ref!(err); e.texts.get(e.message()) }
    /// For `SMSAUTH_STATUS_INVALID_INPUT`: the API name of the field at fault (e.g. `"PhoneNumber"`); for
    /// `SMSAUTH_STATUS_NULL_ARGUMENT` / `SMSAUTH_STATUS_INVALID_UTF8`: the C argument's name. NULL otherwise.
    fn smsauth_error_field(err: *const smsauth_error) -> *const c_char { let e = try_ref!(err); e.texts.opt(e.argument.or(e.inner.field())) }
    /// The service's raw `Code` (e.g. `"biz.FREQUENCY"`, `"SignatureDoesNotMatch"`) when the service or its gateway
    /// answered with an error; NULL otherwise.
    fn smsauth_error_service_code(err: *const smsauth_error) -> *const c_char { let e = try_ref!(err); e.texts.opt(e.inner.service().map(|s| s.code.as_str())) }
    /// The service's raw `Message` when it answered with an error; NULL otherwise.
    fn smsauth_error_service_message(err: *const smsauth_error) -> *const c_char { let e = try_ref!(err); e.texts.opt(e.inner.service().map(|s| s.message.as_str())) }
    /// The `RequestId` of the service's answer (quote it to Alibaba Cloud support); NULL when there was no answer or it
    /// had none.
    fn smsauth_error_request_id(err: *const smsauth_error) -> *const c_char { let e = try_ref!(err); e.texts.opt(e.inner.service().and_then(|s| s.request_id.as_deref())) }
    /// The gateway's `Recommend` link (a troubleshooting page), when given; NULL otherwise.
    fn smsauth_error_recommend(err: *const smsauth_error) -> *const c_char { let e = try_ref!(err); e.texts.opt(e.inner.service().and_then(|s| s.recommend.as_deref())) }
    /// The HTTP status of the answer that caused the error, or 0 when there was no answer.
    fn smsauth_error_http_status(err: *const smsauth_error) -> u16 { try_ref!(err).inner.http_status().unwrap_or(0) }
    /// `true` unless the request provably never reached the service. After a failed `smsauth_send_code*` call that
    /// returns `true` here, resending may deliver a second SMS: check the outcome (or wait for the sending interval)
    /// first. `false` when `err` is NULL.
    fn smsauth_error_may_have_been_received(err: *const smsauth_error) -> bool { try_ref!(err).inner.may_have_been_received() }
    /// Whether the request reached the service: `SMSAUTH_DELIVERY_NOT_RECEIVED` (safe to resend),
    /// `SMSAUTH_DELIVERY_ANSWERED` or `SMSAUTH_DELIVERY_UNKNOWN` (see `smsauth_delivery`);
    /// `smsauth_error_may_have_been_received()` is this != `SMSAUTH_DELIVERY_NOT_RECEIVED`. `SMSAUTH_DELIVERY_UNKNOWN`
    /// when `err` is NULL.
    fn smsauth_error_delivery(err: *const smsauth_error) -> Delivery { try_ref!(err).inner.delivery() }
    /// For `SMSAUTH_STATUS_THROTTLED` and `SMSAUTH_STATUS_GUARD_DENIED`: how long to wait before trying again, in
    /// milliseconds, when the gateway or the guard said; 0 otherwise.
    fn smsauth_error_retry_after_ms(err: *const smsauth_error) -> u64 {
        try_ref!(err).inner.retry_after().map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
    /// For `SMSAUTH_STATUS_GUARD_DENIED`: the name of the guard rule that refused the call; NULL otherwise.
    fn smsauth_error_guard_rule(err: *const smsauth_error) -> *const c_char { let e = try_ref!(err); e.texts.opt(e.inner.guard_rule()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_kind_has_its_own_status_with_the_same_number_and_name() {
        for kind in ErrorKind::ALL {
            let status = smsauth_status::from_kind(kind);
            assert_eq!(status as u32, kind.code(), "{kind:?}");
            let name = unsafe { CStr::from_ptr(smsauth_status_str(kind.code())) };
            assert_eq!(name.to_str().unwrap(), kind.name());
        }
        assert_eq!(unsafe { CStr::from_ptr(smsauth_status_str(103)) }.to_str().unwrap(), "unknown");
    }

    #[test]
    fn errors_keep_what_the_core_said_and_a_lost_call_is_never_safe_to_resend() {
        let e = Box::<smsauth_error>::from(smsauth::Error::invalid_input("PhoneNumber", "must not be empty"));
        assert_eq!(e.status, smsauth_status::InvalidInput);
        let field = unsafe { CStr::from_ptr(smsauth_error_field(&*e)) };
        assert_eq!(field.to_str().unwrap(), "PhoneNumber");
        assert_eq!(unsafe { smsauth_error_delivery(&*e) }, Delivery::NotReceived);
        let lost = smsauth_error::panic_in_flight("join error");
        assert_eq!(
            (lost.status, unsafe { smsauth_error_delivery(&*lost) }),
            (smsauth_status::Panic, Delivery::Unknown)
        );
        assert_eq!(unsafe { smsauth_error_delivery(std::ptr::null()) }, Delivery::Unknown);
    }
}
