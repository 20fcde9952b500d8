//! The core's [`CallEvent`] of each observed call (one that is logged at INFO, has an `on_event`
//! callable or is traced), brought back to the Python caller by [`smsauth::observe::observed`]
//! and turned on the caller's side (GIL held) into the `extra` fields of the `smsauth` logger's
//! INFO record, the `on_event` argument and the OpenTelemetry span. No GIL is ever taken on the
//! core's runtime threads.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use smsauth::{CallEvent, ClientStats, LATENCY_BUCKETS_MS};

/// The event as a dict of plain values (the `extra` of the log record and `on_event`'s argument).
pub(crate) fn event_dict<'py>(py: Python<'py>, e: &CallEvent) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("action", e.action)?;
    d.set_item("signature_version", e.signature_version.as_str())?;
    d.set_item("server_address", &e.server_address)?;
    d.set_item("server_port", e.server_port)?;
    d.set_item("attempts", e.attempts)?;
    d.set_item("retry_reasons", e.retry_reasons.clone())?;
    d.set_item("http_status", e.http_status)?;
    d.set_item("service_code", e.service_code.as_deref())?;
    d.set_item("request_id", e.request_id.as_deref())?;
    d.set_item("elapsed_ms", e.elapsed.as_secs_f64() * 1000.0)?;
    d.set_item("delivery", e.delivery.as_str())?;
    d.set_item("guard_decision", e.guard.as_str())?;
    d.set_item("guard_rule", e.guard_rule.as_deref())?;
    d.set_item("phone", &e.phone)?;
    d.set_item("passed", e.passed)?;
    d.set_item("error_kind", e.error.map(|k| k.name()))?;
    Ok(d)
}

/// `Client.stats()`: the counters as a dict.
pub(crate) fn stats_dict<'py>(py: Python<'py>, s: &ClientStats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("sends", s.sends)?;
    d.set_item("checks", s.checks)?;
    d.set_item("passes", s.passes)?;
    d.set_item("guard_denials", s.guard_denials.clone())?;
    d.set_item("errors", s.errors.clone())?;
    d.set_item("latency_bounds_ms", LATENCY_BUCKETS_MS.to_vec())?;
    d.set_item("latency_buckets", s.latency_buckets.clone())?;
    d.set_item("latency_sum_ms", s.latency_sum_ms)?;
    Ok(d)
}

static SYS_MODULES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static OTEL: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// At the start of a call: `smsauth._otel.start()` (the tracer, parent context and start time),
/// but only once the application has imported `opentelemetry.trace` — without it, one dict
/// lookup and nothing is imported. A failure is reported as unraisable: tracing never fails a call.
pub(crate) fn span_start(py: Python<'_>) -> Option<Py<PyAny>> {
    let started = || -> PyResult<Option<Py<PyAny>>> {
        let modules = SYS_MODULES.get_or_try_init(py, || py.import("sys")?.getattr("modules").map(Bound::unbind))?;
        if !modules.bind(py).contains("opentelemetry.trace")? {
            return Ok(None);
        }
        let started = otel(py)?.call_method0("start")?;
        Ok((!started.is_none()).then(|| started.unbind()))
    };
    started().unwrap_or_else(|e| {
        e.write_unraisable(py, None);
        None
    })
}

/// At the end of a call: `smsauth._otel.finish(started, event)` records the span.
pub(crate) fn span_finish(py: Python<'_>, started: &Py<PyAny>, event: &Bound<'_, PyDict>) {
    if let Err(e) = otel(py).and_then(|m| m.call_method1("finish", (started, event))) {
        e.write_unraisable(py, None);
    }
}

fn otel(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    Ok(OTEL.get_or_try_init(py, || py.import("smsauth._otel").map(Bound::unbind))?.bind(py))
}
