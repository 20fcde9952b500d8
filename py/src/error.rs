//! The one mapping of [`smsauth::Error`] to the pure-Python exception classes of
//! `smsauth.errors` (one class per [`smsauth::ErrorKind`]).

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};
use smsauth::{Error, ErrorKind};

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The class in `smsauth.errors` for `kind`.
pub(crate) fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidInput => "InvalidInputError",
        ErrorKind::Credentials => "CredentialsError",
        ErrorKind::Network => "NetworkError",
        ErrorKind::Timeout => "TimeoutError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::Throttled => "ThrottledError",
        ErrorKind::Service => "ServiceError",
        ErrorKind::Protocol => "ProtocolError",
        ErrorKind::Internal => "InternalError",
        ErrorKind::GuardDenied => "GuardDeniedError",
        // A kind added to the core later than this binding: still an SmsAuthError.
        _ => "SmsAuthError",
    }
}

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
    let kw = PyDict::new(py);
    if let Some(service) = err.service() {
        kw.set_item("code", &service.code)?;
        kw.set_item("service_message", &service.message)?;
        kw.set_item("request_id", service.request_id.as_deref())?;
        kw.set_item("recommend", service.recommend.as_deref())?;
        kw.set_item("host_id", service.host_id.as_deref())?;
        kw.set_item("access_denied_detail", service.access_denied_detail.as_deref())?;
    }
    kw.set_item("http_status", err.http_status())?;
    kw.set_item("field", err.field())?;
    kw.set_item("delivery", err.delivery().as_str())?;
    kw.set_item("retry_after", err.retry_after().map(|d| d.as_secs_f64()))?;
    kw.set_item("guard_rule", err.guard_rule())?;
    instantiate(py, class_name(err.kind()), err.message(), &kw)
}

fn instantiate(py: Python<'_>, class: &str, message: &str, kw: &Bound<'_, PyDict>) -> PyResult<PyErr> {
    let module = ERRORS_MODULE.get_or_try_init(py, || py.import("smsauth.errors").map(Bound::unbind))?.bind(py);
    let exc = module.getattr(class)?.call((message,), Some(kw))?;
    Ok(PyErr::from_value(exc))
}

/// `[(name, code, class_name)]` for every core error kind, in code order.
#[pyfunction]
pub(crate) fn error_kinds() -> Vec<(&'static str, u32, &'static str)> {
    ErrorKind::ALL.iter().map(|k| (k.name(), k.code(), class_name(*k))).collect()
}

/// The exception the binding raises for a core error of kind `kind` (by name) — so the
/// kind → class mapping can be checked for kinds no public call can produce on demand.
#[pyfunction]
pub(crate) fn _error_for_kind(py: Python<'_>, kind: &str, message: &str) -> PyResult<Py<PyAny>> {
    let kind = ErrorKind::ALL
        .iter()
        .copied()
        .find(|k| k.name() == kind)
        .ok_or_else(|| PyValueError::new_err(format!("{kind:?} is not an error kind")))?;
    Ok(raise(py, Error::new(kind, message)).into_value(py).into_any())
}
