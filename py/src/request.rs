//! The typed requests (`smsauth.SendSmsVerifyCodeRequest`, `smsauth.CheckSmsVerifyCodeRequest`),
//! read and written through the core's field table ([`Fields`]): the core's readers
//! ([`input::read_request`], [`input::replace_fields`]) serve their constructors, `replace` and
//! the `**overrides` of `send_code` / `check_code`, and their attributes are properties made from
//! the same table when the module loads ([`add_properties`]). No field is named here.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use smsauth::FieldValue;
use smsauth::api::Fields;
use smsauth::input;

use crate::convert;
use crate::error::raise;
use crate::response::{Attributed, attributed};

/// A request read from a call's `required` positional arguments (named as `func` names them)
/// and its keyword arguments `fields`, by the core's reader ([`input::read_request`]).
pub(crate) fn read<R: Fields>(
    py: Python<'_>,
    func: &str,
    required: &[(&'static str, &Bound<'_, PyAny>)],
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<R> {
    let args = convert::call(required.iter().map(|(k, v)| (*k, Some(*v))), fields)?;
    let names: Vec<&str> = required.iter().map(|(k, _)| *k).collect();
    convert::keywords(py, func, &args, |obj| input::read_request(obj, &names))
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
pub(crate) fn add_class<T: Attributed<Core: Fields>>(m: &Bound<'_, PyModule>) -> PyResult<()> {
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

fn get<'py, T: Attributed<Core: Fields>>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    to_py(obj.py(), obj.cast::<T>()?.get().core().get(name))
}

/// A request class: its core type, the core's table and accessors, and the Python methods.
macro_rules! request_class {
    (
        $(#[$doc:meta])*
        $class:ident($($required:ident),+) over $core:ty, masked $masked:expr
    ) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "smsauth")]
        #[derive(Clone, Debug)]
        pub(crate) struct $class(pub(crate) $core);

        attributed!($class => $core);

        #[pymethods]
        impl $class {
            #[new]
            #[pyo3(signature = ($($required,)+ **fields))]
            fn new(py: Python<'_>, $($required: &Bound<'_, PyAny>,)+ fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
                let required = [$((stringify!($required), $required)),+];
                read(py, stringify!($class), &required, fields).map(Self)
            }

            /// A copy with some fields changed (`None` unsets a field).
            #[pyo3(signature = (**fields))]
            fn replace(&self, py: Python<'_>, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
                let mut inner = self.0.clone();
                let args = convert::kwargs(fields);
                convert::keywords(py, "replace", &args, |obj| input::replace_fields(obj, &mut inner))?;
                Ok(Self(inner))
            }

            /// Validate and return the wire parameters, `[(name, value)]`, as they would be sent.
            fn to_params(&self, py: Python<'_>) -> PyResult<Vec<(&'static str, String)>> {
                self.0.to_params().map_err(|e| raise(py, e))
            }

            /// The core's field table, `[(name, wire name, kind, required)]`, for the compat
            /// models and the tests that check the stubs against it.
            #[classattr]
            fn _fields() -> Vec<(&'static str, &'static str, &'static str, bool)> {
                <$core>::FIELDS.iter().map(|f| (f.name, f.wire, f.kind.as_str(), f.required)).collect()
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other.cast::<Self>().is_ok_and(|o| o.get().0 == self.0)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                repr(py, stringify!($class), &self.0, $masked)
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
