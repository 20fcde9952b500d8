//! The in-process emulator (`smsauth-emulator`) for `smsauth.testing`.

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use smsauth_emulator as emu;

use crate::convert::repr;
use crate::error::raise;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Emulator>()?;
    m.add("EMULATOR_ACCESS_KEY_ID", emu::DEFAULT_ACCESS_KEY_ID)?;
    m.add("EMULATOR_ACCESS_KEY_SECRET", emu::DEFAULT_ACCESS_KEY_SECRET)?;
    Ok(())
}

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

impl Emulator {
    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&emu::Emulator) -> T) -> PyResult<T> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(e) => Ok(f(e)),
            None => Err(stopped(py)),
        }
    }
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

    /// The first configured AccessKey ID.
    #[getter]
    fn access_key_id(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, emu::Emulator::access_key_id)
    }

    /// Its secret.
    #[getter]
    fn access_key_secret(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, emu::Emulator::access_key_secret)
    }

    /// Whether it is still running.
    #[getter]
    fn running(&self) -> bool {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// STS credentials valid for `ttl` seconds (at least 1) of emulated time, as the JSON of
    /// `smsauth_emulator::StsCredentials` (`smsauth.testing.StsCredentials` reads it).
    fn issue_sts_json(&self, py: Python<'_>, ttl: u64) -> PyResult<String> {
        let sts = self.with(py, |e| e.issue_sts_seconds(ttl))?.map_err(|e| raise(py, e))?;
        Ok(serde_json::to_string(&sts).unwrap_or_default())
    }

    /// The outbox (every message, or those sent to `phone`), oldest first, as the JSON of
    /// `smsauth_emulator::Message`s (`smsauth.testing.Message` reads them).
    #[pyo3(signature = (phone=None))]
    fn messages_json(&self, py: Python<'_>, phone: Option<&str>) -> PyResult<String> {
        self.with(py, |e| {
            let list = match phone {
                Some(p) => e.messages_for(p),
                None => e.messages(),
            };
            serde_json::to_string(&list).unwrap_or_default()
        })
    }

    /// The newest generated code sent to `phone`, or `None`.
    fn last_code(&self, py: Python<'_>, phone: &str) -> PyResult<Option<String>> {
        self.with(py, |e| e.last_code(phone))
    }

    /// Move the emulated clock forward by `seconds` (nothing sleeps).
    fn advance_clock(&self, py: Python<'_>, seconds: &Bound<'_, PyAny>) -> PyResult<()> {
        let arg = crate::convert::Arg::new("advance_clock", "seconds");
        let n = arg.opt_int(seconds, "seconds")?.ok_or_else(|| arg.type_error("int", seconds))?;
        let negative = |_| {
            raise(py, smsauth::Error::invalid_input("seconds", format_args!("must be a non-negative integer, got {n}")))
        };
        let seconds = u64::try_from(n).map_err(negative)?;
        self.with(py, |e| e.advance_clock(seconds))
    }

    /// Emulated Unix seconds.
    fn now(&self, py: Python<'_>) -> PyResult<u64> {
        self.with(py, emu::Emulator::now)
    }

    /// Forget the outbox, codes, limits, faults and nonces; set the clock back to its start
    /// and the request count to zero.
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, emu::Emulator::reset)
    }

    /// Add a fault rule given as the JSON of `smsauth_emulator::Fault`
    /// (`{"kind": "throttle", "retry_after_ms": 200, "action": …, "times": 1}`).
    fn add_fault_json(&self, py: Python<'_>, rule: &str) -> PyResult<()> {
        let invalid = |e| raise(py, smsauth::Error::invalid_input("fault", format_args!("is not a fault: {e}")));
        let fault = emu::Fault::from_json(rule).map_err(invalid)?;
        self.with(py, |e| e.add_fault(fault))
    }

    /// Remove every fault rule.
    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, emu::Emulator::clear_faults)
    }

    /// API requests received on `/` since the start or the last reset.
    fn request_count(&self, py: Python<'_>) -> PyResult<usize> {
        self.with(py, emu::Emulator::request_count)
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

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Emulator(endpoint={}, running={})", repr(py, &self.endpoint)?, repr(py, self.running())?))
    }
}
