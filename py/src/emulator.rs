//! The in-process emulator (`smsauth-emulator`) for `smsauth.testing`.

use std::sync::{Arc, Mutex};

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use smsauth::input::{self, InputError, Object};
use smsauth_emulator as emu;

use crate::convert;
use crate::error::raise;

/// A running emulator on 127.0.0.1 (native half of `smsauth.testing.Emulator`).
#[pyclass(frozen, module = "smsauth._native", name = "Emulator")]
#[derive(Debug)]
pub(crate) struct Emulator {
    inner: Mutex<Option<Arc<emu::Emulator>>>,
    sts: Mutex<Option<emu::sts::Sts>>,
    endpoint: String,
    port: u16,
}

fn stopped(py: Python<'_>) -> PyErr {
    raise(py, smsauth::Error::new(smsauth::ErrorKind::InvalidInput, "the emulator was stopped; start a new one"))
}

/// The one argument `name` of the operation `op`, `v`, read by the core's reader `read`.
fn one<T>(
    py: Python<'_>,
    op: &str,
    (name, v): (&'static str, Option<&Bound<'_, PyAny>>),
    read: impl FnOnce(&mut Object<'_, '_>, &'static str) -> Result<T, InputError>,
) -> PyResult<T> {
    convert::keywords(py, op, &convert::call([(name, v)], None)?, |obj| read(obj, name))
}

/// A whole number of 0 or more (an `int`, not a `bool`); a negative one is the core's
/// `InvalidInputError` naming the argument.
fn natural(obj: &mut Object<'_, '_>, name: &'static str) -> Result<u64, InputError> {
    let style = obj.style;
    obj.required_by(name, |v| input::integer_in(style, v, 0, u64::MAX.into()).map(|n| n as u64))
}

#[pymethods]
impl Emulator {
    /// `options`: the JSON of the keyword options, read by the emulator's one option table.
    #[new]
    #[pyo3(signature = (options=None))]
    fn new(py: Python<'_>, options: Option<&str>) -> PyResult<Self> {
        let config = options.map_or_else(|| Ok(emu::Config::default()), emu::Config::from_options);
        let config = config.map_err(|e| raise(py, e))?;
        let started = py.detach(move || emu::Emulator::start_with(config)).map_err(|e| raise(py, e))?;
        Ok(Emulator {
            endpoint: started.endpoint(),
            port: started.port(),
            inner: Mutex::new(Some(Arc::new(started))),
            sts: Mutex::new(None),
        })
    }

    /// `http://127.0.0.1:PORT`.
    #[getter]
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The port it listens on.
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }

    /// Whether it is still running.
    #[getter]
    fn running(&self) -> bool {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// The operation `op` of the running emulator — the method of `smsauth.testing.Emulator`
    /// of that name, with its one argument if it takes one —, so that each is one line here
    /// rather than a native method. Structured values are JSON: the outbox (`messages`, of one
    /// phone or all) as `smsauth_emulator::Message`s, `issue_sts` as
    /// `smsauth_emulator::StsCredentials`, and `add_fault`'s rule as a `smsauth_emulator::Fault`
    /// (`{"kind": "throttle", "retry_after_ms": 200, "action": …, "times": 1}`).
    #[pyo3(signature = (op, arg=None))]
    fn call(&self, py: Python<'_>, op: &str, arg: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let e = self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone().ok_or_else(|| stopped(py))?;
        let text = |name| one(py, op, (name, arg), |obj, name| obj.required_text(name, false));
        Ok(match op {
            "access_key_id" => e.access_key_id().into_py_any(py)?,
            "access_key_secret" => e.access_key_secret().into_py_any(py)?,
            "now" => e.now().into_py_any(py)?,
            "request_count" => e.request_count().into_py_any(py)?,
            "reset" => e.reset().into_py_any(py)?,
            "clear_faults" => e.clear_faults().into_py_any(py)?,
            "last_code" => e.last_code(&text("phone")?).into_py_any(py)?,
            "messages" => {
                let phone = one(py, op, ("phone", arg), |obj, name| obj.text(name))?;
                let list = phone.map_or_else(|| e.messages(), |p| e.messages_for(&p));
                serde_json::to_string(&list).unwrap_or_default().into_py_any(py)?
            }
            "issue_sts" => {
                let ttl = one(py, op, ("ttl", arg), natural)?;
                let sts = e.issue_sts_seconds(ttl).map_err(|e| raise(py, e))?;
                serde_json::to_string(&sts).unwrap_or_default().into_py_any(py)?
            }
            "advance_clock" => e.advance_clock(one(py, op, ("seconds", arg), natural)?).into_py_any(py)?,
            "add_fault" => {
                let invalid =
                    |e| raise(py, smsauth::Error::invalid_input("fault", format_args!("is not a fault: {e}")));
                e.add_fault(emu::Fault::from_json(&text("rule")?).map_err(invalid)?).into_py_any(py)?
            }
            _ => return Err(PyValueError::new_err(format!("the emulator has no operation {op:?}"))),
        })
    }

    /// The emulated STS (`AssumeRole`) next to this emulator, started on first use: its
    /// `http://127.0.0.1:PORT`. The temporary credentials it mints work with this emulator.
    #[getter]
    fn sts_endpoint(&self, py: Python<'_>) -> PyResult<String> {
        let mut sts = self.sts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(running) = sts.as_ref() {
            return Ok(running.endpoint());
        }
        let emulator = self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone().ok_or_else(|| stopped(py))?;
        let started = py.detach(move || emu::sts::Sts::start(emulator)).map_err(|e| raise(py, e))?;
        let endpoint = started.endpoint();
        *sts = Some(started);
        Ok(endpoint)
    }

    /// Stop the server (idempotent).
    fn stop(&self, py: Python<'_>) {
        let sts = self.sts.lock().unwrap_or_else(|p| p.into_inner()).take();
        let emulator = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        // The STS holds the last other reference to the emulator: stop it first.
        py.detach(move || {
            drop(sts);
            drop(emulator);
        });
    }
}
