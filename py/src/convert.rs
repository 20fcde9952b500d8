//! Python values → Rust values, with the errors a Python user expects: a `TypeError` that names
//! the argument for a wrong type, and the core's `InvalidInputError` (naming the API field) for a
//! value of the right type that is out of range.

use std::time::Duration;

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use smsauth::guard::{Limit, WrongCodeLimit};
use smsauth::{ClientOption, OptionKind, OptionValue};

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

    pub(crate) fn type_error(&self, expected: &str, value: &Bound<'_, PyAny>) -> PyErr {
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

/// The unexpected-keyword `TypeError`, worded like Python's own.
pub(crate) fn unexpected_keyword(func: &str, name: &str) -> PyErr {
    PyTypeError::new_err(format!("{func}() got an unexpected keyword argument '{name}'"))
}

/// The field an error names for a text argument: the API's name for request fields (as the
/// core's validation names them), the core's name for client options, else the keyword itself
/// when it is one of the few free-standing arguments.
fn api_field(name: &str) -> &'static str {
    match name {
        "phone" => "PhoneNumber",
        "code" => "VerifyCode",
        "client_key" => "client_key",
        _ => smsauth::SendSmsVerifyCodeRequest::field(name)
            .or_else(|| smsauth::CheckSmsVerifyCodeRequest::field(name))
            .map(|f| f.wire)
            .or_else(|| smsauth::ClientBuilder::option(name).map(|o| o.name))
            .unwrap_or("text"),
    }
}

/// Python's `repr` of a Rust value converted to Python (`'text'`, `None`, `True`, `0.05`,
/// `[(1, 60)]`): every `__repr__` shows its values exactly as Python would.
pub(crate) fn repr<'py>(py: Python<'py>, value: impl IntoPyObject<'py>) -> PyResult<String> {
    Ok(value.into_bound_py_any(py)?.repr()?.to_string())
}

/// What a Python value of `kind` must be, for the `TypeError` of a wrong type.
fn expected(kind: OptionKind) -> &'static str {
    match kind {
        OptionKind::Text | OptionKind::Secret | OptionKind::Choice(_) => "str",
        OptionKind::Bool => "bool",
        OptionKind::Unsigned => "int",
        OptionKind::Duration => "int or float (seconds)",
        OptionKind::Amount => "int or float",
        OptionKind::Pem => "str or bytes (PEM)",
        OptionKind::Limits => LIMITS,
        OptionKind::WrongCode => WRONG_CODE,
        OptionKind::Field(smsauth::FieldKind::Json) => "str (JSON) or dict",
        OptionKind::Field(smsauth::FieldKind::Text) => "str",
        OptionKind::Field(smsauth::FieldKind::Bool) => "bool",
        OptionKind::Field(_) => "int",
    }
}

const LIMITS: &str = "a list of (max, window_seconds) tuples";
const WRONG_CODE: &str = "a (max_wrong, window_seconds, lock_seconds) tuple";

/// The Python value `v` of the option `opt` (a client's or a guard's), converted by its kind:
/// durations are seconds, limits `(max, window_seconds)` tuples, the wrong-code rule a
/// `(max_wrong, window_seconds, lock_seconds)` tuple. `None` unsets a nullable option and is a
/// `TypeError` for the others, as any value of the wrong type; values are checked by the core.
pub(crate) fn option_value(arg: &Arg<'_>, opt: &ClientOption, v: &Bound<'_, PyAny>) -> PyResult<Option<OptionValue>> {
    let py = v.py();
    if v.is_none() {
        return if opt.nullable { Ok(None) } else { Err(arg.type_error(expected(opt.kind), v)) };
    }
    let number = |v: &Bound<'_, PyAny>| -> PyResult<f64> {
        if v.is_instance_of::<PyBool>() || !(v.is_instance_of::<PyInt>() || v.is_instance_of::<PyFloat>()) {
            return Err(arg.type_error(expected(opt.kind), v));
        }
        v.extract()
    };
    Ok(Some(match opt.kind {
        OptionKind::Text | OptionKind::Secret | OptionKind::Choice(_) => OptionValue::Text(arg.string(v)?),
        OptionKind::Bool => OptionValue::Bool(arg.opt_bool(v)?.unwrap_or_default()),
        OptionKind::Unsigned => OptionValue::Integer(arg.opt_int(v, opt.name)?.unwrap_or_default()),
        OptionKind::Duration => opt.duration(number(v)?, Duration::from_secs(1)).map_err(|e| raise(py, e))?,
        OptionKind::Amount => OptionValue::Amount(number(v)?),
        OptionKind::Pem => OptionValue::Bytes(arg.opt_pem(v)?.unwrap_or_default()),
        OptionKind::Limits => {
            let parts = items(arg, v, LIMITS)?
                .iter()
                .map(|l| ints::<2>(arg, opt, l, LIMITS, "(max, window_seconds)"))
                .collect::<PyResult<Vec<_>>>()?;
            OptionValue::Limits(parts.into_iter().map(|[max, window]| Limit::new(max as u32, window)).collect())
        }
        OptionKind::WrongCode => {
            let [max_wrong, window_seconds, lockout_seconds] =
                ints::<3>(arg, opt, v, WRONG_CODE, "(max_wrong, window_seconds, lock_seconds)")?;
            OptionValue::WrongCode(WrongCodeLimit { max_wrong: max_wrong as u32, window_seconds, lockout_seconds })
        }
        OptionKind::Field(_) => {
            let field = smsauth::SendSmsVerifyCodeRequest::field(opt.name)
                .or_else(|| smsauth::CheckSmsVerifyCodeRequest::field(opt.name))
                .ok_or_else(|| unexpected_keyword(arg.func, arg.name))?;
            return Ok(crate::request::value(arg.func, field, v)?.map(OptionValue::from));
        }
    }))
}

/// The items of a `list` or `tuple` (anything else is a `TypeError` naming `expected`).
fn items<'py>(arg: &Arg<'_>, value: &Bound<'py, PyAny>, expected: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if let Ok(l) = value.cast::<PyList>() {
        return Ok(l.iter().collect());
    }
    if let Ok(t) = value.cast::<PyTuple>() {
        return Ok(t.iter().collect());
    }
    Err(arg.type_error(expected, value))
}

/// A tuple of `N` ints of 0 to 2³²−1 shaped as `shape` (`(max, window_seconds)`, …): another
/// length is an error naming the option, another type a `TypeError` showing the item (`expected`
/// is what the whole argument must be). Ranges are the core's.
fn ints<const N: usize>(
    arg: &Arg<'_>,
    opt: &ClientOption,
    item: &Bound<'_, PyAny>,
    expected: &str,
    shape: &str,
) -> PyResult<[u64; N]> {
    let retyped = || {
        let shown = item.repr().map(|r| r.to_string()).unwrap_or_default();
        PyTypeError::new_err(format!("{}() argument '{}' must be {expected} of ints, got {shown}", arg.func, arg.name))
    };
    let parts = items(arg, item, expected)?;
    let invalid = |problem: String| raise(item.py(), smsauth::Error::invalid_input(opt.name, problem));
    if parts.len() != N {
        return Err(invalid(format!("must be {shape}, got {} values", parts.len())));
    }
    let mut out = [0; N];
    for (slot, part) in out.iter_mut().zip(&parts) {
        let n = match arg.opt_int(part, opt.name) {
            Ok(Some(n)) => n,
            Err(e) if !e.is_instance_of::<PyTypeError>(item.py()) => return Err(e),
            _ => return Err(retyped()),
        };
        *slot = u32::try_from(n)
            .map(u64::from)
            .map_err(|_| invalid(format!("must be between 0 and {}, got {n}", u32::MAX)))?;
    }
    Ok(out)
}
