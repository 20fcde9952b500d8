//! Frozen result objects: `smsauth.SendResult` and `smsauth.CheckResult`, each over the core's
//! answer. Their attributes are properties made from the core's attribute table
//! ([`smsauth::attributes`]) when the module loads ([`add_class`]), and `repr` shows some of
//! them ([`describe`]); no field is named here but those `repr` shows.

use pyo3::prelude::*;
use pyo3::pyclass::boolean_struct::True;
use smsauth::attributes::Attributes;
use smsauth::record::Value;
use smsauth::{CheckSmsVerifyCodeResponse, SendSmsVerifyCodeResponse};

use crate::request::add_properties;

/// A code was sent (the service answered `Code: OK`).
#[pyclass(frozen, module = "smsauth", name = "SendResult")]
#[derive(Clone, Debug)]
pub(crate) struct SendResult(pub(crate) SendSmsVerifyCodeResponse);

#[pymethods]
impl SendResult {
    /// Always `True`: a failed send raises instead.
    fn __bool__(&self) -> bool {
        true
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // The code itself is a one-time secret: shown masked, read it from `.verify_code`.
        describe(py, "SendResult", self, &["request_id", "biz_id", "out_id", "verify_code"], &["verify_code"], [])
    }
}

/// The answer to a check. A wrong, expired or unknown code is not an error: `passed` is
/// `False` and `bool(result)` is `False`.
#[pyclass(frozen, module = "smsauth", name = "CheckResult")]
#[derive(Clone, Debug)]
pub(crate) struct CheckResult(pub(crate) CheckSmsVerifyCodeResponse);

#[pymethods]
impl CheckResult {
    /// `passed`: `if client.check_code(phone, code): …`
    fn __bool__(&self) -> bool {
        self.0.passed()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        describe(py, "CheckResult", self, &["passed", "verify_result", "out_id", "request_id"], &[], [])
    }
}

/// A Python class over one core value (an answer, a request) whose attributes it shows.
pub(crate) trait Attributed: pyo3::PyClass<Frozen = True> + Sync {
    type Core;
    fn core(&self) -> &Self::Core;
}

/// `Attributed` for a class that wraps its core value as its one field.
macro_rules! attributed {
    ($($class:ty => $core:ty),+ $(,)?) => {$(
        impl $crate::response::Attributed for $class {
            type Core = $core;
            fn core(&self) -> &$core {
                &self.0
            }
        }
    )+};
}
pub(crate) use attributed;

attributed!(SendResult => SendSmsVerifyCodeResponse, CheckResult => CheckSmsVerifyCodeResponse);

/// `Class(name=value, …)`, each value as Python's `repr` shows it: the attributes `shown` of the
/// answer's core table, then the `extra` pairs; an attribute in `masked` shows as `'***'` when
/// set (a one-time code).
pub(crate) fn describe<'py, T: Attributed<Core: Attributes>, const N: usize>(
    py: Python<'py>,
    class: &str,
    answer: &T,
    shown: &[&str],
    masked: &[&str],
    extra: [(&str, Bound<'py, PyAny>); N],
) -> PyResult<String> {
    let core = answer.core();
    let mut parts = Vec::with_capacity(shown.len() + N);
    for &name in shown {
        let value = match core.attribute(name).unwrap_or(Value::None) {
            Value::Text(_) if masked.contains(&name) => Value::Text("***"),
            value => value,
        };
        parts.push((name, crate::observe::value(py, value)?));
    }
    crate::request::describe(class, parts.into_iter().chain(extra))
}

/// Add the class `T` to the module `m`, with its read-only attributes: one `property` per entry
/// of its core table, with its doc.
pub(crate) fn add_class<T: Attributed<Core: Attributes>>(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<T>()?;
    add_properties::<T>(m.py(), T::Core::ATTRIBUTES.iter().map(|a| (a.name, a.doc)), attribute::<T>)
}

fn attribute<'py, T: Attributed<Core: Attributes>>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let answer = obj.cast::<T>()?.get();
    crate::observe::value(obj.py(), answer.core().attribute(name).unwrap_or(Value::None))
}
