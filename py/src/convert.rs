//! Python values → Rust values, with the errors a Python user expects: a `TypeError` that names
//! the argument for a wrong type, and the core's `InvalidInputError` (naming the API field) for a
//! value of the right type that is out of range.

use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyString};

use crate::error::raise;

/// One named argument of a call, for error messages: `send_code() argument 'sign_name' …`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Arg<'a> {
    /// The Python-visible function or class name, e.g. `send_code` or `Client`.
    pub func: &'a str,
    /// The Python keyword, e.g. `sign_name`.
    pub name: &'a str,
}

impl<'a> Arg<'a> {
    pub(crate) fn new(func: &'a str, name: &'a str) -> Self {
        Arg { func, name }
    }

    fn type_error(&self, expected: &str, value: &Bound<'_, PyAny>) -> PyErr {
        let got = value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "an unknown type".to_owned());
        PyTypeError::new_err(format!("{}() argument '{}' must be {expected}, not {got}", self.func, self.name))
    }

    /// A required `str`. A lone surrogate (`"\ud800"`, which no UTF-8 text can hold) is an
    /// `InvalidInputError` naming the field, never a `UnicodeEncodeError` whose `.object` would
    /// hold the whole value (a secret, say).
    pub(crate) fn string(&self, value: &Bound<'_, PyAny>) -> PyResult<String> {
        match value.cast::<PyString>() {
            Ok(s) => s.to_cow().map(|c| c.into_owned()).map_err(|_| {
                let problem = format_args!(
                    "{}() argument '{}' contains a lone surrogate (U+D800 to U+DFFF), which is not text; \
                     pass real characters",
                    self.func, self.name
                );
                raise(value.py(), smsauth::Error::invalid_input(api_field(self.name), problem))
            }),
            Err(_) => Err(self.type_error("str", value)),
        }
    }

    /// `str` or `None`.
    pub(crate) fn opt_string(&self, value: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        if value.is_none() { Ok(None) } else { self.string(value).map(Some) }
    }

    /// `bool` or `None` (an `int` is refused: `1` for a flag is usually a mistake).
    pub(crate) fn opt_bool(&self, value: &Bound<'_, PyAny>) -> PyResult<Option<bool>> {
        if value.is_none() {
            return Ok(None);
        }
        match value.cast::<PyBool>() {
            Ok(b) => Ok(Some(b.is_true())),
            Err(_) => Err(self.type_error("bool", value)),
        }
    }

    /// `int` (not `bool`) or `None`. Values beyond 64 bits are reported against `field`.
    pub(crate) fn opt_int(&self, value: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Option<i64>> {
        if value.is_none() {
            return Ok(None);
        }
        if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
            return Err(self.type_error("int", value));
        }
        match value.extract::<i64>() {
            Ok(v) => Ok(Some(v)),
            Err(_) => Err(raise(value.py(), smsauth::Error::invalid_input(field, "is too large for a 64-bit integer"))),
        }
    }

    /// A non-negative `int` or `None`, converted to `T` (`u32`, `u64`).
    pub(crate) fn opt_unsigned<T: TryFrom<i64>>(
        &self,
        value: &Bound<'_, PyAny>,
        field: &'static str,
    ) -> PyResult<Option<T>> {
        let Some(v) = self.opt_int(value, field)? else { return Ok(None) };
        match T::try_from(v) {
            Ok(t) => Ok(Some(t)),
            Err(_) if v < 0 => Err(raise(
                value.py(),
                smsauth::Error::invalid_input(field, format_args!("must be a non-negative integer, got {v}")),
            )),
            Err(_) => {
                let max = (1u128 << (8 * std::mem::size_of::<T>())) - 1;
                Err(raise(
                    value.py(),
                    smsauth::Error::invalid_input(field, format_args!("must be at most {max}, got {v}")),
                ))
            }
        }
    }

    /// Seconds as `int` or `float`, finite and greater than zero, or `None`.
    pub(crate) fn opt_seconds(&self, value: &Bound<'_, PyAny>) -> PyResult<Option<Duration>> {
        if value.is_none() {
            return Ok(None);
        }
        if value.is_instance_of::<PyBool>() || !(value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>()) {
            return Err(self.type_error("int or float (seconds)", value));
        }
        let secs: f64 = value.extract()?;
        match Duration::try_from_secs_f64(secs) {
            Ok(d) if !d.is_zero() => Ok(Some(d)),
            // Too large for a Duration: the core's range check refuses it with its documented limit.
            Err(_) if secs.is_finite() && secs > 0.0 => Ok(Some(Duration::MAX)),
            _ => Err(raise(
                value.py(),
                smsauth::Error::invalid_input(
                    static_name(self.name),
                    format_args!("must be a positive number of seconds, got {secs}"),
                ),
            )),
        }
    }

    /// `TemplateParam`: a JSON string, or a `dict` that is serialised to one.
    pub(crate) fn opt_template_param(&self, value: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        if value.is_none() {
            return Ok(None);
        }
        if value.is_instance_of::<PyString>() {
            return self.string(value).map(Some);
        }
        if value.is_instance_of::<PyDict>() {
            let json = value.py().import("json")?;
            let kwargs = PyDict::new(value.py());
            kwargs.set_item("ensure_ascii", false)?;
            kwargs.set_item("separators", (",", ":"))?;
            let text = json.call_method("dumps", (value,), Some(&kwargs))?;
            return self.string(&text).map(Some);
        }
        Err(self.type_error("str (JSON) or dict", value))
    }

    /// PEM text as `str` or `bytes`, or `None`.
    pub(crate) fn opt_pem(&self, value: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
        if value.is_none() {
            return Ok(None);
        }
        if value.is_instance_of::<PyString>() {
            return self.string(value).map(|s| Some(s.into_bytes()));
        }
        if let Ok(b) = value.cast::<PyBytes>() {
            return Ok(Some(b.as_bytes().to_vec()));
        }
        Err(self.type_error("str or bytes (PEM)", value))
    }
}

/// Set `slot` to `value` if there is one: an option left out (or `None`) keeps the default.
pub(crate) fn update<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// The unexpected-keyword `TypeError`, worded like Python's own.
pub(crate) fn unexpected_keyword(func: &str, name: &str) -> PyErr {
    PyTypeError::new_err(format!("{func}() got an unexpected keyword argument '{name}'"))
}

/// The option names used as `field` in errors must be `'static`; the ones passed here are.
/// The field an error names for a text argument: the API's name for request fields (as the
/// core's validation names them), the keyword itself for the others.
fn api_field(name: &str) -> &'static str {
    match name {
        "phone" | "phone_number" => "PhoneNumber",
        "code" | "verify_code" => "VerifyCode",
        "country_code" => "CountryCode",
        "sign_name" => "SignName",
        "template_code" => "TemplateCode",
        "template_param" => "TemplateParam",
        "scheme_name" => "SchemeName",
        "sms_up_extend_code" => "SmsUpExtendCode",
        "out_id" => "OutId",
        "resource_owner_account" => "ResourceOwnerAccount",
        "access_key_id" => "access_key_id",
        "access_key_secret" => "access_key_secret",
        "security_token" => "security_token",
        "endpoint" => "endpoint",
        "proxy" => "proxy",
        "profile" => "profile",
        "role_arn" => "role_arn",
        "role_session_name" => "role_session_name",
        "sts_endpoint" => "sts_endpoint",
        "client_key" => "client_key",
        _ => "text",
    }
}

fn static_name(name: &str) -> &'static str {
    match name {
        "timeout" => "timeout",
        "connect_timeout" => "connect_timeout",
        "read_timeout" => "read_timeout",
        "window" => "window",
        _ => "seconds",
    }
}

/// A Python `repr` of an optional string.
pub(crate) fn repr_opt(value: Option<&str>) -> String {
    match value {
        Some(v) => repr_str(v),
        None => "None".to_owned(),
    }
}

/// A Python-style quoted string (single quotes, escapes for quotes, backslashes and controls).
pub(crate) fn repr_str(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}
