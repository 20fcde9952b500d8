//! The core's [`smsauth::CallEvent`] of each observed call (one that is logged at INFO, has an `on_event`
//! callable or is traced), brought back to the Python caller by [`smsauth::observe::observed`]
//! and turned on the caller's side (GIL held) into the `extra` fields of the `smsauth` logger's
//! INFO record, the `on_event` argument and the OpenTelemetry span. No GIL is ever taken on the
//! core's runtime threads.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{IntoPyDict, PyDict};
use smsauth::record::{Record, Value};

/// A core report ([`smsauth::record`]) as a dict of plain values: the event of a call (the
/// `extra` of the log record and `on_event`'s argument), `Client.stats()`, `Guard.stats()`.
pub(crate) fn dict<'py>(py: Python<'py>, record: Record<'_>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, v) in record {
        d.set_item(name, value(py, v)?)?;
    }
    Ok(d)
}

/// One value of a core report or attribute as a plain Python value.
pub(crate) fn value<'py>(py: Python<'py>, value: Value<'_>) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::None => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Unsigned(n) => n.into_bound_py_any(py),
        Value::Float(f) => f.into_bound_py_any(py),
        Value::Text(s) => s.into_bound_py_any(py),
        Value::Texts(l) => l.into_bound_py_any(py),
        Value::Numbers(l) => l.into_bound_py_any(py),
        Value::Counts(c) => Ok(c.into_py_dict(py)?.into_any()),
    }
}

static SYS_MODULES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Whether the application (or anything) has imported the module `name`: one dict lookup.
pub(crate) fn imported(py: Python<'_>, name: &str) -> PyResult<bool> {
    SYS_MODULES.import(py, "sys", "modules")?.contains(name)
}
static START: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static FINISH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// At the start of a call: `smsauth._otel.start()` (the tracer, parent context and start time),
/// but only once the application has imported `opentelemetry.trace` — without it, one dict
/// lookup and nothing is imported. A failure is reported as unraisable: tracing never fails a call.
pub(crate) fn span_start(py: Python<'_>) -> Option<Py<PyAny>> {
    let started = || -> PyResult<Option<Py<PyAny>>> {
        if !imported(py, "opentelemetry.trace")? {
            return Ok(None);
        }
        let started = START.import(py, "smsauth._otel", "start")?.call0()?;
        Ok((!started.is_none()).then(|| started.unbind()))
    };
    started().unwrap_or_else(|e| {
        e.write_unraisable(py, None);
        None
    })
}

/// At the end of a call: `smsauth._otel.finish(started, event)` records the span.
pub(crate) fn span_finish(py: Python<'_>, started: &Py<PyAny>, event: &Bound<'_, PyDict>) {
    if let Err(e) = FINISH.import(py, "smsauth._otel", "finish").and_then(|f| f.call1((started, event))) {
        e.write_unraisable(py, None);
    }
}
