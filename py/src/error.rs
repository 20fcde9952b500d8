//! The one mapping of [`smsauth::Error`] to the pure-Python exception classes of
//! `smsauth.errors` (one class per [`smsauth::ErrorKind`], chosen there by the kind's name).

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use smsauth::attributes::Attributes;
use smsauth::{Error, ErrorKind};

static ERROR_CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Convert a core error into the matching Python exception.
pub(crate) fn raise(py: Python<'_>, err: Error) -> PyErr {
    match build(py, &err) {
        Ok(exc) => exc,
        // Only if `smsauth.errors` cannot be imported (a broken install): keep the message.
        Err(import_failure) => {
            let fallback = PyRuntimeError::new_err(format!("{} ({})", err.message(), err.kind().name()));
            fallback.set_cause(py, Some(import_failure));
            fallback
        }
    }
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    // The exception's keyword arguments are the core's error attributes, by the same names.
    let kw = PyDict::new(py);
    for attribute in Error::ATTRIBUTES {
        kw.set_item(attribute.name, crate::observe::value(py, (attribute.get)(err))?)?;
    }
    Ok(PyErr::from_value(class(py, err.kind())?.call((err.message(),), Some(&kw))?))
}

/// The class of `kind`: `smsauth.errors.error_class(kind's name)` (`SmsAuthError` for a kind
/// added to the core later than the Python package).
fn class(py: Python<'_>, kind: ErrorKind) -> PyResult<Bound<'_, PyAny>> {
    ERROR_CLASS.import(py, "smsauth.errors", "error_class")?.call1((kind.name(),))
}

/// `[(name, code, class_name)]` for every core error kind, in code order.
#[pyfunction]
pub(crate) fn error_kinds(py: Python<'_>) -> PyResult<Vec<(&'static str, u32, String)>> {
    ErrorKind::ALL.iter().map(|k| Ok((k.name(), k.code(), class(py, *k)?.getattr("__name__")?.extract()?))).collect()
}

/// The exception the binding raises for a core error of kind `kind` (by name) — so the
/// kind → class mapping can be checked for kinds no public call can produce on demand.
#[pyfunction]
pub(crate) fn _error_for_kind(py: Python<'_>, kind: &str, message: &str) -> PyResult<Py<PyAny>> {
    let kind = kind.parse::<ErrorKind>().map_err(|e| raise(py, e))?;
    Ok(raise(py, Error::new(kind, message)).into_value(py).into_any())
}
