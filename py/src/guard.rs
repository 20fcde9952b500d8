//! `smsauth.Guard`: the core's abuse guard ([`smsauth::guard::Guard`]), configured from keyword
//! arguments and passed to `Client(guard=…)` / `AsyncClient(guard=…)`.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use smsauth::guard::{GuardConfig, Limit};
use smsauth::input;

use crate::convert::{self, repr};
use crate::error::raise;

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
    /// Each keyword is a setting of the core's guard table (`phone` is `guard.phone`), read by
    /// the core's reader ([`smsauth::input::read_guard`]); the whole configuration is then
    /// checked by the core.
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let config = convert::keywords(py, "Guard", &convert::kwargs(options), input::read_guard)?;
        Ok(Guard { inner: smsauth::guard::Guard::new(config).map_err(|e| raise(py, e))? })
    }

    /// What the guard did so far: `sends_allowed`, `sends_denied`, `checks_allowed`,
    /// `checks_denied`, `dry_run_denials`, `store_errors`, `failed_open`, `refunds`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::observe::dict(py, self.inner.stats().record())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("smsauth.Guard({})", describe(py, self.inner.config())?))
    }
}

/// The settings as Python keyword arguments, e.g. `phone=[(1, 60)], …, dry_run=False`.
pub(crate) fn describe(py: Python<'_>, c: &GuardConfig) -> PyResult<String> {
    let limits = |l: &[Limit]| repr(py, l.iter().map(|l| (l.max, l.window_seconds)).collect::<Vec<_>>());
    let w = &c.wrong_code;
    let wrong = (w.max_wrong != 0).then_some((w.max_wrong, w.window_seconds, w.lockout_seconds));
    Ok(format!(
        "phone={}, client={}, prefix={}, prefix_digits={}, daily_budget={}, price_per_sms={}, daily_money_cap={}, \
         wrong_code={}, require_client_key={}, dry_run={}, on_store_error={}, max_keys={}",
        limits(&c.phone)?,
        limits(&c.client)?,
        limits(&c.prefix)?,
        c.prefix_digits,
        repr(py, c.daily_budget)?,
        repr(py, c.price_per_sms)?,
        repr(py, c.daily_money_cap)?,
        repr(py, wrong)?,
        repr(py, c.require_client_key)?,
        repr(py, c.dry_run)?,
        repr(py, c.on_store_error.as_str())?,
        c.max_keys,
    ))
}
