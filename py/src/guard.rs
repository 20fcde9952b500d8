//! `smsauth.Guard`: the core's abuse guard ([`smsauth::guard::Guard`]), configured from keyword
//! arguments and passed to `Client(guard=…)` / `AsyncClient(guard=…)`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyTuple};
use smsauth::guard::{FailPolicy, GuardConfig, Limit, WrongCodeLimit};

use crate::convert::{Arg, repr_str, unexpected_keyword};
use crate::error::raise;

const CLASS: &str = "Guard";

/// The abuse guard: per-phone, per-client, per-prefix and daily limits checked before the paid
/// call, and a lock after too many wrong codes. Keyword-only options; each one left out keeps the
/// core's default. One guard may be shared by several clients (they then share its counters).
#[pyclass(frozen, module = "smsauth", name = "Guard")]
#[derive(Debug)]
pub(crate) struct Guard {
    pub(crate) inner: smsauth::guard::Guard,
}

#[pymethods]
impl Guard {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut cfg = GuardConfig::default();
        if let Some(options) = options {
            for (k, v) in options.iter() {
                let name = &*k.extract::<String>()?;
                let arg = Arg::new(CLASS, name);
                match name {
                    "phone" => cfg.phone = limits(&arg, &v, "guard.phone")?,
                    "client" => cfg.client = limits(&arg, &v, "guard.client")?,
                    "prefix" => cfg.prefix = limits(&arg, &v, "guard.prefix")?,
                    "prefix_digits" => cfg.prefix_digits = required_unsigned(&arg, &v, "guard.prefix_digits")?,
                    "daily_budget" => cfg.daily_budget = arg.opt_unsigned(&v, "guard.daily_budget")?,
                    "price_per_sms" => cfg.price_per_sms = amount(&arg, &v)?,
                    "daily_money_cap" => cfg.daily_money_cap = amount(&arg, &v)?,
                    "wrong_code" => cfg.wrong_code = wrong_code(&arg, &v)?,
                    "require_client_key" => cfg.require_client_key = required_bool(&arg, &v)?,
                    "dry_run" => cfg.dry_run = required_bool(&arg, &v)?,
                    "on_store_error" => {
                        cfg.on_store_error = arg.string(&v)?.parse::<FailPolicy>().map_err(|e| raise(py, e))?;
                    }
                    "max_keys" => cfg.max_keys = required_unsigned(&arg, &v, "guard.max_keys")?,
                    _ => return Err(unexpected_keyword(CLASS, name)),
                }
            }
        }
        let inner = smsauth::guard::Guard::new(cfg).map_err(|e| raise(py, e))?;
        Ok(Guard { inner })
    }

    /// What the guard did so far: `sends_allowed`, `sends_denied`, `checks_allowed`,
    /// `checks_denied`, `dry_run_denials`, `store_errors`, `failed_open`, `refunds`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.inner.stats();
        let d = PyDict::new(py);
        for (name, value) in [
            ("sends_allowed", s.sends_allowed),
            ("sends_denied", s.sends_denied),
            ("checks_allowed", s.checks_allowed),
            ("checks_denied", s.checks_denied),
            ("dry_run_denials", s.dry_run_denials),
            ("store_errors", s.store_errors),
            ("failed_open", s.failed_open),
            ("refunds", s.refunds),
        ] {
            d.set_item(name, value)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!("smsauth.Guard({})", describe(self.inner.config()))
    }
}

/// The settings as Python keyword arguments, e.g. `phone=[(1, 60)], …, dry_run=False`.
pub(crate) fn describe(c: &GuardConfig) -> String {
    let list = |l: &[Limit]| {
        let items: Vec<String> = l.iter().map(|l| format!("({}, {})", l.max, l.window_seconds)).collect();
        format!("[{}]", items.join(", "))
    };
    let opt = |v: Option<String>| v.unwrap_or_else(|| "None".to_owned());
    let w = &c.wrong_code;
    let wrong = if w.max_wrong == 0 {
        "None".to_owned()
    } else {
        format!("({}, {}, {})", w.max_wrong, w.window_seconds, w.lockout_seconds)
    };
    let policy = repr_str(c.on_store_error.as_str());
    let py_bool = |b: bool| if b { "True" } else { "False" };
    format!(
        "phone={}, client={}, prefix={}, prefix_digits={}, daily_budget={}, price_per_sms={}, daily_money_cap={}, \
         wrong_code={wrong}, require_client_key={}, dry_run={}, on_store_error={policy}, max_keys={}",
        list(&c.phone),
        list(&c.client),
        list(&c.prefix),
        c.prefix_digits,
        opt(c.daily_budget.map(|n| n.to_string())),
        opt(c.price_per_sms.map(float_repr)),
        opt(c.daily_money_cap.map(float_repr)),
        py_bool(c.require_client_key),
        py_bool(c.dry_run),
        c.max_keys,
    )
}

/// A float as Python shows it (`0.05`, `10.0`).
fn float_repr(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e16 { format!("{v:.1}") } else { format!("{v}") }
}

fn type_error(arg: &Arg<'_>, expected: &str, value: &Bound<'_, PyAny>) -> PyErr {
    let got = value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "an unknown type".to_owned());
    PyTypeError::new_err(format!("{}() argument '{}' must be {expected}, not {got}", arg.func, arg.name))
}

/// A required non-negative `int` (`None` is a `TypeError`).
fn required_unsigned<T: TryFrom<i64>>(arg: &Arg<'_>, value: &Bound<'_, PyAny>, field: &'static str) -> PyResult<T> {
    if value.is_none() {
        return Err(type_error(arg, "int", value));
    }
    arg.opt_unsigned(value, field)?.ok_or_else(|| type_error(arg, "int", value))
}

/// A required `bool`.
fn required_bool(arg: &Arg<'_>, value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if value.is_none() {
        return Err(type_error(arg, "bool", value));
    }
    arg.opt_bool(value)?.ok_or_else(|| type_error(arg, "bool", value))
}

/// An amount of money: `int` or `float` (not `bool`), or `None`. The range is checked by the core.
fn amount(arg: &Arg<'_>, value: &Bound<'_, PyAny>) -> PyResult<Option<f64>> {
    if value.is_none() {
        return Ok(None);
    }
    if value.is_instance_of::<PyBool>() || !(value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>()) {
        return Err(type_error(arg, "int or float", value));
    }
    Ok(Some(value.extract::<f64>()?))
}

/// The items of a `list` or `tuple` (anything else is a `TypeError` naming `expected`).
fn items<'py>(arg: &Arg<'_>, value: &Bound<'py, PyAny>, expected: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if let Ok(l) = value.cast::<PyList>() {
        return Ok(l.iter().collect());
    }
    if let Ok(t) = value.cast::<PyTuple>() {
        return Ok(t.iter().collect());
    }
    Err(type_error(arg, expected, value))
}

/// `[(max, window_seconds), …]`; `None` or `[]` turns the rule off.
fn limits(arg: &Arg<'_>, value: &Bound<'_, PyAny>, field: &'static str) -> PyResult<Vec<Limit>> {
    const EXPECTED: &str = "a list of (max, window_seconds) tuples";
    if value.is_none() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for item in items(arg, value, EXPECTED)? {
        let pair = items(arg, &item, EXPECTED).map_err(|_| type_error(arg, EXPECTED, &item))?;
        let [max, window] = pair.as_slice() else {
            return Err(raise(
                value.py(),
                smsauth::Error::invalid_input(
                    field,
                    format_args!("each limit is a (max, window_seconds) pair, got {} values", pair.len()),
                ),
            ));
        };
        let max = required_unsigned::<u32>(arg, max, field).map_err(|e| retype(e, arg, EXPECTED, &item))?;
        let window_seconds =
            required_unsigned::<u64>(arg, window, field).map_err(|e| retype(e, arg, EXPECTED, &item))?;
        out.push(Limit::new(max, window_seconds));
    }
    Ok(out)
}

/// A `TypeError` from an item's part, reworded to name the whole argument's expected shape.
fn retype(e: PyErr, arg: &Arg<'_>, expected: &str, item: &Bound<'_, PyAny>) -> PyErr {
    if e.is_instance_of::<PyTypeError>(item.py()) {
        let shown = item.repr().map(|r| r.to_string()).unwrap_or_default();
        PyTypeError::new_err(format!("{}() argument '{}' must be {expected} of ints, got {shown}", arg.func, arg.name))
    } else {
        e
    }
}

/// `(max_wrong, window_seconds, lock_seconds)`; `None` turns the rule off.
fn wrong_code(arg: &Arg<'_>, value: &Bound<'_, PyAny>) -> PyResult<WrongCodeLimit> {
    const EXPECTED: &str = "a (max_wrong, window_seconds, lock_seconds) tuple";
    if value.is_none() {
        return Ok(WrongCodeLimit { max_wrong: 0, ..WrongCodeLimit::default() });
    }
    let parts = items(arg, value, EXPECTED)?;
    let [max, window, lock] = parts.as_slice() else {
        return Err(raise(
            value.py(),
            smsauth::Error::invalid_input(
                "guard.wrong_code",
                format_args!("must be (max_wrong, window_seconds, lock_seconds), got {} values", parts.len()),
            ),
        ));
    };
    let field = "guard.wrong_code";
    let retyped = |e| retype(e, arg, EXPECTED, value);
    Ok(WrongCodeLimit {
        max_wrong: required_unsigned(arg, max, field).map_err(retyped)?,
        window_seconds: required_unsigned(arg, window, field).map_err(retyped)?,
        lockout_seconds: required_unsigned(arg, lock, field).map_err(retyped)?,
    })
}
