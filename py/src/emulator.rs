//! The in-process emulator (`smsauth-emulator`) for `smsauth.testing`.

use std::sync::{Arc, Mutex};

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use smsauth::input::PYTHON;
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
    /// of that name, with its one argument if it takes one —, run by the emulator's one
    /// dispatcher (`smsauth_emulator::Emulator::call`), so that each is one line here rather
    /// than a native method. Structured answers are JSON: the outbox (`messages`, of one phone
    /// or all) as `smsauth_emulator::Message`s, `issue_sts` as `smsauth_emulator::StsCredentials`.
    #[pyo3(signature = (op, arg=None))]
    fn call(&self, py: Python<'_>, op: &str, arg: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let e = self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone().ok_or_else(|| stopped(py))?;
        let args: Vec<_> = arg.map(convert::value).into_iter().collect();
        let answer = e
            .call(&PYTHON, op, &args)
            .ok_or_else(|| PyValueError::new_err(format!("the emulator has no operation {op:?}")))?;
        match answer.map_err(|e| convert::error(py, op, e))? {
            emu::Answer::Nothing => Ok(py.None()),
            emu::Answer::Text(text) => text.into_py_any(py),
            emu::Answer::Count(n) => n.into_py_any(py),
            emu::Answer::Messages(list) => serde_json::to_string(&list).unwrap_or_default().into_py_any(py),
            emu::Answer::Sts(sts) => serde_json::to_string(&sts).unwrap_or_default().into_py_any(py),
        }
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
