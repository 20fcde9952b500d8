//! Python values → the core's [`Value`] tree, read by the core's readers ([`smsauth::input`]),
//! and the core's [`InputError`] worded as a Python user expects: a `TypeError` that names the
//! argument for a wrong type or an unknown keyword, the core's `InvalidInputError` (naming the
//! API field or option) for a value of the right type that is out of range or not text.

use std::borrow::Cow;

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use smsauth::input::{
    Expected, Foreign, InputError, MAX_DEPTH, Object, PYTHON, Path, Problem, Read, ReceivedKind, Value,
};

use crate::error::raise;

/// `v` as a [`Value`]: `None`, `bool` (before `int`), `int` (past 64 bits: a number, which the
/// readers refuse as out of range), `float`, `str` (a lone surrogate: text that is not text),
/// `bytes`, `list` and `tuple`, `dict` with `str` keys; anything else is foreign, by its type name.
pub(crate) fn value(v: &Bound<'_, PyAny>) -> Value<'static> {
    convert(v, 0)
}

fn convert(v: &Bound<'_, PyAny>, depth: usize) -> Value<'static> {
    if depth > MAX_DEPTH {
        return Value::Foreign(Foreign::TooDeep);
    }
    let items = |items: &mut dyn Iterator<Item = Bound<'_, PyAny>>| items.map(|i| convert(&i, depth + 1)).collect();
    if v.is_none() {
        Value::Null
    } else if let Ok(b) = v.cast::<PyBool>() {
        Value::Bool(b.is_true())
    } else if v.is_instance_of::<PyInt>() {
        v.extract::<i64>().map_or_else(|_| Value::Number(v.extract().unwrap_or(f64::INFINITY)), Value::Integer)
    } else if let Ok(f) = v.cast::<PyFloat>() {
        Value::Number(f.value())
    } else if let Ok(s) = v.cast::<PyString>() {
        s.to_cow().map_or(Value::Foreign(Foreign::NotText { escaped: None }), |s| Value::Text(Cow::Owned(s.into())))
    } else if let Ok(b) = v.cast::<PyBytes>() {
        Value::Bytes(Cow::Owned(b.as_bytes().to_vec()))
    } else if let Ok(l) = v.cast::<PyList>() {
        Value::List(items(&mut l.iter()))
    } else if let Ok(t) = v.cast::<PyTuple>() {
        Value::List(items(&mut t.iter()))
    } else if let Ok(d) = v.cast::<PyDict>() {
        let mut entries = Vec::with_capacity(d.len());
        for (k, v) in d.iter() {
            let Ok(k) = k.cast::<PyString>().map(|k| k.to_cow().map(|k| k.into_owned())) else {
                return Value::Foreign(Foreign::Other(Cow::Borrowed("dict with keys that are not str")));
            };
            let Ok(k) = k else { return Value::Foreign(Foreign::NotText { escaped: None }) };
            entries.push((Cow::Owned(k), convert(&v, depth + 1)));
        }
        Value::Map(entries)
    } else {
        let name = v.get_type().name().map_or_else(|_| "object".to_owned(), |n| n.to_string());
        Value::Foreign(Foreign::Other(Cow::Owned(name)))
    }
}

/// The keyword arguments of a call as a map (absent: empty).
pub(crate) fn kwargs(kwargs: Option<&Bound<'_, PyDict>>) -> Value<'static> {
    Value::Map(kwargs.into_iter().flatten().map(|(k, v)| (Cow::Owned(k.to_string()), value(&v))).collect())
}

/// The argument `name` of `func` read with `read`.
pub(crate) fn arg<T>(
    func: &str,
    name: &str,
    v: &Bound<'_, PyAny>,
    read: impl FnOnce(&Value<'_>) -> Read<T>,
) -> PyResult<T> {
    read(&value(v)).map_err(|p| error(v.py(), func, InputError::new(Path::arg(name), p)))
}

/// A `str` argument (see [`arg`]).
pub(crate) fn text(func: &str, name: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    arg(func, name, v, |v| smsauth::input::text(v, false))
}

/// `str` or `None`.
pub(crate) fn optional_text(v: &Value<'_>) -> Read<Option<String>> {
    (!v.is_nullish()).then(|| smsauth::input::text(v, false)).transpose()
}

/// The keyword arguments `kwargs` of `func` read by `read` as an [`Object`] in Python's style;
/// a keyword `read` did not read is an unexpected keyword argument.
pub(crate) fn keywords<T>(
    py: Python<'_>,
    func: &str,
    kwargs: &Value<'_>,
    read: impl FnOnce(&mut Object<'_, '_>) -> Result<T, InputError>,
) -> PyResult<T> {
    let run = || {
        let mut obj = Object::required(&PYTHON, Path::default(), kwargs)?;
        let out = read(&mut obj)?;
        obj.finish().map(|()| out)
    };
    run().map_err(|e| error(py, func, e))
}

/// The Python exception for `e`, raised by `func`: Python's own wording for a wrong type
/// (`f() argument 'x' must be str, not int`) and an unknown keyword; the core's
/// `InvalidInputError` naming the field or option for a value out of range, a lone surrogate
/// or a value the core refused.
pub(crate) fn error(py: Python<'_>, func: &str, e: InputError) -> PyErr {
    let (arg, rest) = match e.path.0.split_first() {
        Some((smsauth::input::Step::Arg(name), rest)) => (name.as_str(), rest),
        _ => ("", &[][..]),
    };
    let item = if rest.is_empty() { String::new() } else { format!(" item {}", Path(rest.to_vec())) };
    let invalid = |problem: String| raise(py, smsauth::Error::invalid_input(field(func, arg), problem));
    match e.problem {
        Problem::Type { expected, received } => {
            let tuple = matches!(expected, Expected::Limit | Expected::WrongCode);
            if tuple && received.kind == ReceivedKind::List {
                // A tuple of the wrong length.
                return invalid(format!("{func}() argument '{arg}' must be {}", expected_text(expected)));
            }
            if expected == Expected::Pairs && matches!(received.kind, ReceivedKind::List | ReceivedKind::Map) {
                let what = "a dict or a list of (str, str) pairs: each name and value a str";
                return type_error(format!("{func}() argument '{arg}' must be {what}"));
            }
            // A limit's or rule's parts are named by the whole argument, which says their shape.
            let item = if tuple || expected == Expected::List(&Expected::Limit) { "" } else { &item };
            let got = match &received.kind {
                ReceivedKind::Absent | ReceivedKind::Null => "NoneType",
                ReceivedKind::Bool => "bool",
                ReceivedKind::Integer => "int",
                ReceivedKind::Number => "float",
                ReceivedKind::Text => "str",
                ReceivedKind::Bytes => "bytes",
                ReceivedKind::List => "list",
                ReceivedKind::Map => "dict",
                ReceivedKind::Foreign(name) => name,
            };
            type_error(format!("{func}() argument '{arg}'{item} must be {}, not {got}", expected_text(expected)))
        }
        Problem::Range { min, received, .. } if received.parse::<f64>().is_ok_and(|n| n < min as f64) => {
            let least = if min == 0 { "a non-negative integer".to_owned() } else { format!("at least {min}") };
            invalid(format!("{func}() argument '{arg}'{item} must be {least}, got {received}"))
        }
        Problem::Range { max, received, .. } => {
            invalid(format!("{func}() argument '{arg}'{item} is too large (at most {max}), got {received}"))
        }
        Problem::NotData { at, what } if what != "text" => {
            type_error(format!("{func}() argument '{arg}' must be str (JSON) or dict of JSON data; {at} is {what}"))
        }
        // Inside a dict written as JSON (`NotData`), text that is not text is the same mistake.
        Problem::NotText | Problem::NotData { .. } => invalid(format!(
            "{func}() argument '{arg}'{item} contains a lone surrogate (U+D800 to U+DFFF), which is not text; pass \
             real characters"
        )),
        Problem::Unknown { key, .. } => unexpected_keyword(func, &key),
        Problem::Refused(e) => raise(py, *e),
        Problem::NotPlain { class } => type_error(format!("{func}() argument '{arg}'{item} must be dict, not {class}")),
        Problem::Hidden { key } => type_error(format!("{func}() argument '{arg}'{item} has an unreadable entry {key}")),
    }
}

/// What a Python value must be, for the `TypeError` of a wrong type.
fn expected_text(expected: Expected) -> String {
    match expected {
        Expected::Text => "str".into(),
        Expected::Bool => "bool".into(),
        Expected::Number => "int or float".into(),
        Expected::Integer => "int".into(),
        Expected::Map => "dict".into(),
        Expected::Limit | Expected::List(Expected::Limit) => "a list of (max, window_seconds) tuples".into(),
        Expected::List(of) => format!("a list of {}", expected_text(*of)),
        Expected::Pairs => "a dict or a list of (str, str) pairs".into(),
        Expected::Json => "str (JSON) or dict".into(),
        Expected::TextOrBytes => "str or bytes".into(),
        Expected::WrongCode => "a (max_wrong, window_seconds, lock_seconds) tuple".into(),
    }
}

fn type_error(message: String) -> PyErr {
    PyTypeError::new_err(message)
}

/// The unexpected-keyword `TypeError`, worded like Python's own.
pub(crate) fn unexpected_keyword(func: &str, name: &str) -> PyErr {
    type_error(format!("{func}() got an unexpected keyword argument '{name}'"))
}

/// The field the `InvalidInputError` of argument `name` of `func` names: the guard's setting
/// for `Guard`, the API's name for request fields (as the core's validation names them), the
/// core's name for client options, else the argument itself when it is one of the few
/// free-standing ones.
fn field(func: &str, name: &str) -> &'static str {
    let option = |o: Option<smsauth::ClientOption>| o.filter(|o| o.short_name() == name).map(|o| o.name);
    if func == "Guard" {
        return option(smsauth::guard::GuardConfig::option(name)).unwrap_or("guard");
    }
    match name {
        "phone" => "PhoneNumber",
        "code" => "VerifyCode",
        "client_key" => "client_key",
        "seconds" => "seconds",
        "ttl" => "ttl_seconds",
        "role_duration" => "role_duration_seconds",
        _ => smsauth::SendSmsVerifyCodeRequest::field(name)
            .or_else(|| smsauth::CheckSmsVerifyCodeRequest::field(name))
            .map(|f| f.wire)
            .or_else(|| option(smsauth::ClientBuilder::option(name)))
            .unwrap_or("text"),
    }
}

/// Python's `repr` of a Rust value converted to Python (`'text'`, `None`, `True`, `0.05`,
/// `[(1, 60)]`): every `__repr__` shows its values exactly as Python would.
pub(crate) fn repr<'py>(py: Python<'py>, value: impl IntoPyObject<'py>) -> PyResult<String> {
    Ok(value.into_bound_py_any(py)?.repr()?.to_string())
}
