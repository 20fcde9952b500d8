//! The typed requests (`smsauth.SendSmsVerifyCodeRequest`, `smsauth.CheckSmsVerifyCodeRequest`),
//! read and written through the core's field table ([`Field`]): one keyword → [`FieldValue`]
//! reader driven by each field's [`FieldKind`] serves their constructors, `replace` and the
//! `**overrides` of `send_code` / `check_code`, and their attributes are properties made from the
//! same table when the module loads ([`add_properties`]). No field is named here.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::pyclass::boolean_struct::True;
use pyo3::types::PyDict;
use smsauth::{Field, FieldValue};

use smsauth::input::{self, InputError};

use crate::convert;
use crate::error::raise;

/// A core request with a field table.
pub(crate) trait Fields: Clone + PartialEq {
    const FIELDS: &'static [Field];
    fn set(&mut self, name: &str, value: Option<FieldValue>) -> smsauth::Result<()>;
    fn get(&self, name: &str) -> Option<FieldValue>;
}

/// A Python request class over a core request.
pub(crate) trait Request: pyo3::PyClass<Frozen = True> + Sync {
    type Core: Fields;
    fn core(&self) -> &Self::Core;
}

/// Set the keyword arguments `fields` (snake_case names) on `req`, read by the core's field
/// reader. Required fields (the phone number, the code) are positional arguments, changed by
/// `replace` only, where `None` unsets a field.
pub(crate) fn apply<R: Fields>(
    req: &mut R,
    func: &str,
    fields: Option<&Bound<'_, PyDict>>,
    replacing: bool,
) -> PyResult<()> {
    let Some(fields) = fields else { return Ok(()) };
    convert::keywords(fields.py(), func, &convert::kwargs(Some(fields)), |obj| {
        if !replacing {
            return input::read_fields(obj, R::FIELDS, false, |name, value| req.set(name, value));
        }
        for field in R::FIELDS {
            let Some(v) = obj.get_or_null(field.name) else { continue };
            let read = (!v.is_nullish()).then(|| input::field_value_in(&input::PYTHON, v, field.kind));
            let value = read.transpose().map_err(|p| obj.error(field.name, p))?;
            req.set(field.name, value).map_err(|e| InputError::refused(obj.at(field.name), e))?;
        }
        Ok(())
    })
}

/// A field's value as Python sees it: `str`, `int`, `bool` or `None`.
fn to_py(py: Python<'_>, value: Option<FieldValue>) -> PyResult<Bound<'_, PyAny>> {
    match value {
        None => Ok(py.None().into_bound(py)),
        Some(FieldValue::Text(s)) => s.into_bound_py_any(py),
        Some(FieldValue::Unsigned(n)) => n.into_bound_py_any(py),
        Some(FieldValue::Integer(n)) => n.into_bound_py_any(py),
        Some(FieldValue::Bool(b)) => b.into_bound_py_any(py),
    }
}

/// `Class(name=value, …)`: the set fields in table order, those in `masked` as `'***'`.
fn repr<R: Fields>(py: Python<'_>, class: &str, req: &R, masked: &[&str]) -> PyResult<String> {
    let mut shown = Vec::new();
    for field in R::FIELDS {
        if let Some(value) = req.get(field.name) {
            let value = if masked.contains(&field.name) { FieldValue::Text("***".into()) } else { value };
            shown.push((field.name, to_py(py, Some(value))?));
        }
    }
    describe(class, shown)
}

/// `Class(name=value, …)` with Python's `repr` of each value: what a request's, a result's or a
/// signing answer's `repr` shows.
pub(crate) fn describe<'a, 'py>(
    class: &str,
    shown: impl IntoIterator<Item = (&'a str, Bound<'py, PyAny>)>,
) -> PyResult<String> {
    let mut parts = Vec::new();
    for (name, value) in shown {
        parts.push(format!("{name}={}", value.repr()?));
    }
    Ok(format!("{class}({})", parts.join(", ")))
}

/// Add the class `T` to the module `m`, with its read-only attributes: one `property` per field
/// of its table, with the field's doc.
pub(crate) fn add_class<T: Request>(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<T>()?;
    add_properties::<T>(m.py(), T::Core::FIELDS.iter().map(|f| (f.name, f.doc.trim())), get::<T>)
}

/// What reads one property: the object and the property's name.
type Get = for<'py> fn(&Bound<'py, PyAny>, &str) -> PyResult<Bound<'py, PyAny>>;

/// One read-only `property` on the class `T` per `(name, doc)`, read by `get`.
pub(crate) fn add_properties<T: pyo3::PyClass>(
    py: Python<'_>,
    properties: impl Iterator<Item = (&'static str, &'static str)>,
    get: Get,
) -> PyResult<()> {
    let class = py.get_type::<T>();
    let property = py.import("builtins")?.getattr("property")?;
    for (name, doc) in properties {
        let kwargs = PyDict::new(py);
        kwargs.set_item("doc", doc)?;
        class.setattr(name, property.call((Getter { name, get },), Some(&kwargs))?)?;
    }
    Ok(())
}

/// The getter of one property.
#[pyclass(frozen, module = "smsauth._native")]
struct Getter {
    name: &'static str,
    get: Get,
}

#[pymethods]
impl Getter {
    fn __call__<'py>(&self, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        (self.get)(obj, self.name)
    }
}

fn get<'py, T: Request>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    to_py(obj.py(), obj.cast::<T>()?.get().core().get(name))
}

/// A request class: its core type, the core's table and accessors, and the Python methods.
macro_rules! request_class {
    (
        $(#[$doc:meta])*
        $class:ident($($required:ident),+) over $core:ty, masked $masked:expr
    ) => {
        impl Fields for $core {
            const FIELDS: &'static [Field] = <$core>::FIELDS;
            fn set(&mut self, name: &str, value: Option<FieldValue>) -> smsauth::Result<()> {
                <$core>::set(self, name, value)
            }
            fn get(&self, name: &str) -> Option<FieldValue> {
                <$core>::get(self, name)
            }
        }

        $(#[$doc])*
        #[pyclass(frozen, module = "smsauth")]
        #[derive(Clone, Debug)]
        pub(crate) struct $class {
            pub(crate) inner: $core,
        }

        impl Request for $class {
            type Core = $core;
            fn core(&self) -> &$core {
                &self.inner
            }
        }

        #[pymethods]
        impl $class {
            #[new]
            #[pyo3(signature = ($($required,)+ **fields))]
            fn new($($required: &Bound<'_, PyAny>,)+ fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
                let class = stringify!($class);
                let mut inner = <$core>::new($(convert::text(class, stringify!($required), $required)?),+);
                apply(&mut inner, class, fields, false)?;
                Ok(Self { inner })
            }

            /// A copy with some fields changed (`None` unsets a field).
            #[pyo3(signature = (**fields))]
            fn replace(&self, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
                let mut inner = self.inner.clone();
                apply(&mut inner, "replace", fields, true)?;
                Ok(Self { inner })
            }

            /// Validate and return the wire parameters, `[(name, value)]`, as they would be sent.
            fn to_params(&self, py: Python<'_>) -> PyResult<Vec<(&'static str, String)>> {
                self.inner.to_params().map_err(|e| raise(py, e))
            }

            /// The core's field table, `[(name, wire name, kind, required)]`, for the compat
            /// models and the tests that check the stubs against it.
            #[classattr]
            fn _fields() -> Vec<(&'static str, &'static str, &'static str, bool)> {
                <$core>::FIELDS.iter().map(|f| (f.name, f.wire, f.kind.as_str(), f.required)).collect()
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other.cast::<Self>().is_ok_and(|o| o.get().inner == self.inner)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                repr(py, stringify!($class), &self.inner, $masked)
            }
        }
    };
}

request_class! {
    /// `SendSmsVerifyCode` parameters for `Client.send_sms_verify_code`, sent exactly as given.
    ///
    /// `SendSmsVerifyCodeRequest(phone_number, **fields)`: the fields are the API's, in snake_case
    /// (`sign_name`, `template_code`, `template_param`, `code_length`, …); unset fields are not
    /// sent. Types and values are checked here; the rest (the number, required fields, ranges)
    /// when sending or by `to_params()`, with an `InvalidInputError` naming the field.
    SendSmsVerifyCodeRequest(phone_number) over smsauth::SendSmsVerifyCodeRequest, masked &[]
}

request_class! {
    /// `CheckSmsVerifyCode` parameters for `Client.check_sms_verify_code`, sent exactly as given:
    /// `CheckSmsVerifyCodeRequest(phone_number, verify_code, **fields)`. `repr` masks the code.
    CheckSmsVerifyCodeRequest(phone_number, verify_code) over smsauth::CheckSmsVerifyCodeRequest,
        masked &["verify_code"]
}

/// A send request for `phone` with the keyword arguments applied.
pub(crate) fn send_request(
    func: &str,
    phone: &Bound<'_, PyAny>,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<smsauth::SendSmsVerifyCodeRequest> {
    let mut req = smsauth::SendSmsVerifyCodeRequest::new(convert::text(func, "phone", phone)?);
    apply(&mut req, func, fields, false)?;
    Ok(req)
}

/// A check request for `phone` and `code` with the keyword arguments applied.
pub(crate) fn check_request(
    func: &str,
    phone: &Bound<'_, PyAny>,
    code: &Bound<'_, PyAny>,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<smsauth::CheckSmsVerifyCodeRequest> {
    let mut req = smsauth::CheckSmsVerifyCodeRequest::new(
        convert::text(func, "phone", phone)?,
        convert::text(func, "code", code)?,
    );
    apply(&mut req, func, fields, false)?;
    Ok(req)
}
