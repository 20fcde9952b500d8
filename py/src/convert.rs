//! Python values → the core's [`Value`] tree, read by the core's readers ([`smsauth::input`]),
//! and the core's [`InputError`] worded as a Python user expects: a `TypeError` that names the
//! argument for a wrong type or an unknown keyword, the core's `InvalidInputError` (naming the
//! API field or option) for a value of the right type that is out of range or not text.

use std::borrow::Cow;

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use smsauth::input::{Expected, Foreign, InputError, MAX_DEPTH, Object, PYTHON, Path, Value, Worded};

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

/// The arguments of a call as one map for the core's readers, as [`keywords`] reads it (an
/// error names the argument): the `named` ones (`None`: left out), then `kwargs`. Each is
/// converted by [`value`], except that any other iterable is the list of its items
/// (`dict.items()`, a generator of pairs).
pub(crate) fn call<'a, 'py: 'a>(
    named: impl IntoIterator<Item = (&'static str, Option<&'a Bound<'py, PyAny>>)>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Value<'static>> {
    let given = |v: &Bound<'_, PyAny>| match value(v) {
        Value::Foreign(Foreign::Other(_)) if v.try_iter().is_ok() => {
            v.try_iter()?.map(|i| Ok(value(&i?))).collect::<PyResult<_>>().map(Value::List)
        }
        value => Ok(value),
    };
    let named = named.into_iter().filter_map(|(k, v)| v.map(|v| Ok((Cow::Borrowed(k), given(v)?))));
    let kwargs = kwargs.into_iter().flatten().map(|(k, v)| Ok((Cow::Owned(k.to_string()), given(&v)?)));
    named.chain(kwargs).collect::<PyResult<_>>().map(Value::Map)
}

/// The `TypeError` of the argument `name` of `func`, `v`, which was to be `expected` (see
/// [`error`]).
pub(crate) fn mismatch(func: &str, name: &'static str, expected: Expected, v: &Bound<'_, PyAny>) -> PyErr {
    error(v.py(), func, InputError::expected(Path::arg(name), expected, &value(v), false))
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

/// The Python exception for `e`, raised by `func`, worded by the core
/// ([`InputError::worded`]): a `TypeError` for a wrong type or an unknown keyword, the core's
/// error (`InvalidInputError` naming the field or option) for the rest.
pub(crate) fn error(py: Python<'_>, func: &str, e: InputError) -> PyErr {
    match e.worded(&PYTHON, func) {
        // Python's wording gives no `Range`: a number out of range is the core's error.
        Worded::Type(message) | Worded::Range(message) => PyTypeError::new_err(message),
        Worded::Core { error, .. } => raise(py, error),
    }
}

/// Python's `repr` of a Rust value converted to Python (`'text'`, `None`, `True`, `0.05`,
/// `[(1, 60)]`): every `__repr__` shows its values exactly as Python would.
pub(crate) fn repr<'py>(py: Python<'py>, value: impl IntoPyObject<'py>) -> PyResult<String> {
    Ok(value.into_bound_py_any(py)?.repr()?.to_string())
}
