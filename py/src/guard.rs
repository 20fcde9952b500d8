//! `smsauth.Guard`: the core's abuse guard ([`smsauth::guard::Guard`]), configured from keyword
//! arguments and passed to `Client(guard=…)` / `AsyncClient(guard=…)`.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use smsauth::guard::{GuardConfig, Limit};

use crate::convert::{Arg, option_value, repr_str, unexpected_keyword};
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
    /// Each keyword is a setting of the core's guard table (`phone` is `guard.phone`), converted
    /// by its kind; the whole configuration is then checked by the core.
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut cfg = GuardConfig::default();
        for (k, v) in options.into_iter().flatten() {
            let name = &*k.extract::<String>()?;
            let opt = GuardConfig::option(name)
                .filter(|o| o.short_name() == name)
                .ok_or_else(|| unexpected_keyword(CLASS, name))?;
            let value = option_value(&Arg::new(CLASS, name), &opt, &v)?;
            cfg.set(opt.name, value).map_err(|e| raise(py, e))?;
        }
        let inner = smsauth::guard::Guard::new(cfg).map_err(|e| raise(py, e))?;
        Ok(Guard { inner })
    }

    /// What the guard did so far: `sends_allowed`, `sends_denied`, `checks_allowed`,
    /// `checks_denied`, `dry_run_denials`, `store_errors`, `failed_open`, `refunds`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::observe::dict(py, self.inner.stats().record())
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
