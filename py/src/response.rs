//! Frozen result objects: `smsauth.SendResult` and `smsauth.CheckResult`, each over the core's
//! answer. Their attributes are properties made from the core's attribute table
//! ([`smsauth::attributes`]) when the module loads ([`add_attributes`]); no field is named here
//! but those `repr` shows.

use pyo3::prelude::*;
use pyo3::pyclass::boolean_struct::True;
use smsauth::attributes::Attributes;
use smsauth::{CheckSmsVerifyCodeResponse, SendSmsVerifyCodeResponse};

use crate::convert::repr;
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
        let (r, m) = (&self.0, &self.0.model);
        Ok(format!(
            "SendResult(request_id={}, biz_id={}, out_id={}, verify_code={})",
            repr(py, &r.request_id)?,
            repr(py, &m.biz_id)?,
            repr(py, &m.out_id)?,
            repr(py, m.verify_code.as_ref().map(|_| "***"))?,
        ))
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
        let r = &self.0;
        Ok(format!(
            "CheckResult(passed={}, verify_result={}, out_id={}, request_id={})",
            repr(py, r.passed())?,
            repr(py, r.model.verify_result.as_str())?,
            repr(py, &r.model.out_id)?,
            repr(py, &r.request_id)?,
        ))
    }
}

/// A Python class over a core answer with an attribute table.
pub(crate) trait Attributed: pyo3::PyClass<Frozen = True> + Sync {
    type Core: Attributes;
    fn core(&self) -> &Self::Core;
}

impl Attributed for SendResult {
    type Core = SendSmsVerifyCodeResponse;
    fn core(&self) -> &Self::Core {
        &self.0
    }
}

impl Attributed for CheckResult {
    type Core = CheckSmsVerifyCodeResponse;
    fn core(&self) -> &Self::Core {
        &self.0
    }
}

/// The read-only attributes of `T`: one `property` per entry of its core table, with its doc.
pub(crate) fn add_attributes<T: Attributed>(py: Python<'_>) -> PyResult<()> {
    add_properties::<T>(py, T::Core::ATTRIBUTES.iter().map(|a| (a.name, a.doc)), attribute::<T>)
}

fn attribute<'py, T: Attributed>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let answer = obj.cast::<T>()?.get();
    crate::observe::value(obj.py(), answer.core().attribute(name).unwrap_or(smsauth::record::Value::None))
}
