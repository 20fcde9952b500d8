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
use smsauth::attributes::Attributes;
use smsauth::input::NODE;
use smsauth::record::Value;
use smsauth::sign::VerifyError;

use crate::observe::write;

/// The error `code` for a core kind: `ERR_SMSAUTH_THROTTLED`, ….
pub(crate) fn code_for(kind: ErrorKind) -> String {
    format!("ERR_SMSAUTH_{}", kind.name().to_ascii_uppercase())
}

/// A new `SmsAuthError` (or, before the class is registered, a plain `Error` named so) whose
/// properties `fill` sets.
fn smsauth_error(env: &Env, message: String, fill: impl FnOnce(&mut Object<'_>) -> Result<()>) -> Result<Error> {
    let mut err = match &crate::runtime::env_state(env)?.error_class {
        Some(class) => class.borrow_back(env)?.new_instance(message)?.coerce_to_object()?,
        None => {
            let mut err = env.create_error(Error::new(Status::GenericFailure, message))?;
            err.set_named_property("name", "SmsAuthError")?;
            err
        }
    };
    fill(&mut err)?;
    Ok(Error::from(err.to_unknown()))
}

/// How the field of a core error is named in JavaScript: a client or guard option by its path
/// (`options.timeoutMs`, `options.guard.phone.max`), `sendCode`'s `overrides.clientKey`; API
/// fields keep the API's names (`PhoneNumber`) in every language.
fn js_field(field: &str) -> String {
    match field {
        "client_key" => "overrides.clientKey".to_owned(),
        "ttl_seconds" => "ttlSeconds".to_owned(),
        f if smsauth::input::is_option(f) => format!("options.{}", NODE.option_path(f)),
        f => f.to_owned(),
    }
}

/// A core error as an `SmsAuthError`; its field (and the message) name the option as written in
/// JavaScript.
pub(crate) fn core_error(env: &Env, e: &smsauth::Error) -> Error {
    build_core_error(env, e, e.field().map(js_field).as_deref(), Default::default())
}

/// A core error about the JavaScript argument or property at `path` (e.g. `options.signName`).
pub(crate) fn core_error_for(env: &Env, e: &smsauth::Error, path: &str) -> Error {
    build_core_error(env, e, Some(path), Default::default())
}

/// The `SmsAuthError` for `e`, naming `field`, with the `extra` text properties.
fn build_core_error(env: &Env, e: &smsauth::Error, field: Option<&str>, extra: [(&str, Option<String>); 2]) -> Error {
    let message = field.map_or_else(|| e.message().to_owned(), |f| e.message_naming(f));
    let fill = |err: &mut Object<'_>| {
        err.set_named_property("code", code_for(e.kind()))?;
        err.set_named_property("kind", e.kind().name())?;
        if let Some(field) = field {
            err.set_named_property("field", field)?;
        }
        // The core's error attributes by their Node names, absent ones left out (not `null`), as
        // on any Node error. `code` is the error's own, so the service's `Code` is `serviceCode`;
        // the wait is in milliseconds and, for a guard denial, in whole seconds below.
        let attributes = smsauth::Error::ATTRIBUTES.iter().filter(|a| !matches!(a.name, "field" | "retry_after"));
        let record = attributes.map(|a| (if a.name == "code" { "service_code" } else { a.name }, (a.get)(e)));
        write(env, err, record.filter(|(_, v)| *v != Value::None).collect())?;
        if let Some(after) = e.retry_after() {
            err.set_named_property("retryAfterMs", after.as_secs_f64() * 1000.0)?;
            // Whole seconds, rounded up: waiting this long is always enough.
            if e.guard_rule().is_some() {
                err.set_named_property("retryAfter", after.as_secs_f64().ceil())?;
            }
        }
        err.set_named_property("mayHaveBeenReceived", e.may_have_been_received())?;
        for (name, value) in extra.into_iter().filter_map(|(n, v)| Some((n, v?))) {
            err.set_named_property(name, value)?;
        }
        Ok(())
    };
    // Building the object fails only while the environment shuts down: napi's own error then
    // carries the same message.
    smsauth_error(env, message.clone(), fill)
        .unwrap_or_else(|x| Error::new(Status::GenericFailure, format!("{message} ({x})")))
}

/// A failed signature verification: `ERR_SMSAUTH_AUTHENTICATION` with the gateway's code as
/// `serviceCode` (and, on a mismatch, what the server signed).
pub(crate) fn verify_error(env: &Env, e: VerifyError) -> Error {
    let (sts, cr) = match &e {
        VerifyError::SignatureDoesNotMatch { string_to_sign, canonical_request } => {
            (Some(string_to_sign.clone()), Some(canonical_request.clone()))
        }
        _ => (None, None),
    };
    // The core's one mapping decides kind, service code and status.
    let e = smsauth::Error::from(e);
    build_core_error(env, &e, e.field().map(js_field).as_deref(), [("stringToSign", sts), ("canonicalRequest", cr)])
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
