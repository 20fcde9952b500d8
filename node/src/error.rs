//! The one mapping of core errors to JavaScript errors.
//!
//! A core [`smsauth::Error`] becomes an instance of the package's `SmsAuthError` class (an
//! `Error` subclass defined in `index.js` and registered at load) whose `code` is
//! `ERR_SMSAUTH_` + the upper-cased [`smsauth::ErrorKind::name`], with the service's details
//! as properties. Wrong argument types become `TypeError`s (`code: 'ERR_INVALID_ARG_TYPE'`),
//! out-of-range numbers `RangeError`s (`code: 'ERR_OUT_OF_RANGE'`), as in Node's own APIs.
//!
//! The error is built on the JavaScript thread and handed to napi as a retained value, which
//! napi throws (or rejects with) verbatim.

use napi::bindgen_prelude::*;
use smsauth::ErrorKind;
use smsauth::sign::VerifyError;

/// The error `code` for a core kind: `ERR_SMSAUTH_THROTTLED`, ….
pub(crate) fn code_for(kind: ErrorKind) -> String {
    format!("ERR_SMSAUTH_{}", kind.name().to_ascii_uppercase())
}

pub(crate) fn register_class(env: &Env, class: Unknown<'_>) -> Result<()> {
    if class.get_type()? != ValueType::Function {
        return Err(type_error(env, "The \"errorClass\" argument must be a function".into()));
    }
    // SAFETY: the value was just checked to be a function.
    let function: Function<'_, String, Unknown<'static>> = unsafe { class.cast()? };
    crate::runtime::env_state(env)?.error_class = Some(function.create_ref()?);
    Ok(())
}

/// A property value of an error object.
pub(crate) enum Prop {
    Str(String),
    Num(f64),
    Bool(bool),
}

impl From<&str> for Prop {
    fn from(s: &str) -> Self {
        Prop::Str(s.to_owned())
    }
}

impl From<String> for Prop {
    fn from(s: String) -> Self {
        Prop::Str(s)
    }
}

/// Build an `SmsAuthError` (or, before the class is registered, a plain `Error` named so).
pub(crate) fn smsauth_error(env: &Env, message: &str, props: Vec<(&'static str, Prop)>) -> Error {
    match build(env, message, props) {
        Ok(err) => err,
        // Building the object itself failed (the environment is shutting down): fall back to
        // napi's own error, which carries the same message.
        Err(e) => Error::new(Status::GenericFailure, format!("{message} ({e})")),
    }
}

fn build(env: &Env, message: &str, props: Vec<(&'static str, Prop)>) -> Result<Error> {
    let class = crate::runtime::env_state(env)?.error_class.as_ref();
    let mut err: Object<'_> = match class {
        Some(class) => {
            let instance = class.borrow_back(env)?.new_instance(message.to_owned())?;
            instance.coerce_to_object()?
        }
        None => {
            let mut err = env.create_error(Error::new(Status::GenericFailure, message))?;
            err.set_named_property("name", "SmsAuthError")?;
            err
        }
    };
    for (name, value) in props {
        match value {
            Prop::Str(s) => err.set_named_property(name, s)?,
            Prop::Num(n) => err.set_named_property(name, n)?,
            Prop::Bool(b) => err.set_named_property(name, b)?,
        }
    }
    Ok(Error::from(err.to_unknown()))
}

/// The client option a user wrote for a core field, where the names differ (request fields
/// keep the API's names, e.g. `PhoneNumber`, in every language).
fn js_option(field: &'static str) -> &'static str {
    match field {
        "signature_version" => "signatureVersion",
        "timeout" => "timeoutMs",
        "connect_timeout" => "connectTimeoutMs",
        "read_timeout" => "readTimeoutMs",
        "retry.max_attempts" => "retry.maxAttempts",
        "retry.initial_backoff" => "retry.initialBackoffMs",
        "retry.max_backoff" => "retry.maxBackoffMs",
        "retry.max_retry_after" => "retry.maxRetryAfterMs",
        "root_certificates" => "caCertificates",
        "access_key_id" => "options.accessKeyId",
        "access_key_secret" => "options.accessKeySecret",
        "security_token" => "options.securityToken",
        "profile" => "options.profile",
        "role_arn" => "options.roleArn",
        "duration_seconds" => "options.roleArn.durationSeconds",
        "ttl_seconds" => "ttlSeconds",
        other => other,
    }
}

/// A core error as an `SmsAuthError`; its field (and the message) name the option as written in
/// JavaScript.
pub(crate) fn core_error(env: &Env, e: &smsauth::Error) -> Error {
    build_core_error(env, e, e.field().map(js_option), |_| {})
}

/// A core error about the JavaScript argument or property at `path` (e.g. `options.signName`).
pub(crate) fn core_error_for(env: &Env, e: &smsauth::Error, path: &str) -> Error {
    build_core_error(env, e, Some(path), |_| {})
}

/// The `SmsAuthError` for `e`, naming `field`, with extra properties added by `extra`.
fn build_core_error(
    env: &Env,
    e: &smsauth::Error,
    field: Option<&str>,
    extra: impl FnOnce(&mut Vec<(&'static str, Prop)>),
) -> Error {
    let kind = e.kind();
    let mut props: Vec<(&'static str, Prop)> = vec![("code", code_for(kind).into()), ("kind", kind.name().into())];
    if let Some(field) = field {
        props.push(("field", field.into()));
    }
    if let Some(s) = e.service() {
        props.push(("serviceCode", s.code.as_str().into()));
        props.push(("serviceMessage", s.message.as_str().into()));
        if let Some(v) = &s.request_id {
            props.push(("requestId", v.as_str().into()));
        }
        if let Some(v) = &s.recommend {
            props.push(("recommend", v.as_str().into()));
        }
        if let Some(v) = &s.host_id {
            props.push(("hostId", v.as_str().into()));
        }
        if let Some(v) = &s.access_denied_detail {
            props.push(("accessDeniedDetail", v.as_str().into()));
        }
    }
    if let Some(status) = e.http_status() {
        props.push(("httpStatus", Prop::Num(f64::from(status))));
    }
    if let Some(after) = e.retry_after() {
        props.push(("retryAfterMs", Prop::Num(after.as_secs_f64() * 1000.0)));
    }
    if let Some(rule) = e.guard_rule() {
        props.push(("guardRule", rule.into()));
        if let Some(after) = e.retry_after() {
            // Whole seconds, rounded up: waiting this long is always enough.
            props.push(("retryAfter", Prop::Num(after.as_secs_f64().ceil())));
        }
    }
    props.push(("delivery", e.delivery().as_str().into()));
    props.push(("mayHaveBeenReceived", Prop::Bool(e.may_have_been_received())));
    extra(&mut props);
    let message = match field {
        Some(field) => e.message_naming(field),
        None => e.message().to_owned(),
    };
    smsauth_error(env, &message, props)
}

/// A failed signature verification: `ERR_SMSAUTH_AUTHENTICATION` with the gateway's code as
/// `serviceCode` (and, on a mismatch, what the server signed).
pub(crate) fn verify_error(env: &Env, e: VerifyError) -> Error {
    let extra = match &e {
        VerifyError::SignatureDoesNotMatch { string_to_sign, canonical_request } => {
            Some((string_to_sign.clone(), canonical_request.clone()))
        }
        _ => None,
    };
    // The core's one mapping decides kind, service code and status.
    let e = smsauth::Error::from(e);
    build_core_error(env, &e, e.field().map(js_option), |props| {
        if let Some((sts, cr)) = extra {
            props.push(("stringToSign", sts.into()));
            props.push(("canonicalRequest", cr.into()));
        }
    })
}

/// `TypeError` with `code: 'ERR_INVALID_ARG_TYPE'`.
pub(crate) fn type_error(env: &Env, message: String) -> Error {
    let err = JsTypeError::from(Error::new("ERR_INVALID_ARG_TYPE", message));
    retained(env, unsafe { err.into_value(env.raw()) })
}

/// `RangeError` with `code: 'ERR_OUT_OF_RANGE'`.
pub(crate) fn range_error(env: &Env, message: String) -> Error {
    let err = JsRangeError::from(Error::new("ERR_OUT_OF_RANGE", message));
    retained(env, unsafe { err.into_value(env.raw()) })
}

fn retained(env: &Env, raw: sys::napi_value) -> Error {
    if raw.is_null() {
        return Error::new(Status::GenericFailure, "could not create an error object");
    }
    // SAFETY: `raw` was just created in this environment.
    Error::from(unsafe { Unknown::from_raw_unchecked(env.raw(), raw) })
}
