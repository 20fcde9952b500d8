//! The in-process emulator (`smsauth-emulator`) for `smsauth.testing`.

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use smsauth_emulator as emu;

use crate::convert::{repr_opt, repr_str};
use crate::error::raise;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Emulator>()?;
    m.add_class::<Message>()?;
    m.add_class::<StsCredentials>()?;
    m.add("EMULATOR_ACCESS_KEY_ID", emu::DEFAULT_ACCESS_KEY_ID)?;
    m.add("EMULATOR_ACCESS_KEY_SECRET", emu::DEFAULT_ACCESS_KEY_SECRET)?;
    Ok(())
}

fn invalid(py: Python<'_>, field: &'static str, problem: impl std::fmt::Display) -> PyErr {
    raise(py, smsauth::Error::invalid_input(field, problem))
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

    /// Issue STS credentials valid for `ttl` seconds (at least 1) of emulated time.
    #[pyo3(signature = (ttl=3600))]
    fn issue_sts(&self, py: Python<'_>, ttl: u64) -> PyResult<StsCredentials> {
        self.with(py, |e| e.issue_sts_seconds(ttl))?.map(Into::into).map_err(|e| raise(py, e))
    }

    /// The outbox (every message, or those sent to `phone`), oldest first.
    #[pyo3(signature = (phone=None))]
    fn messages(&self, py: Python<'_>, phone: Option<&str>) -> PyResult<Vec<Message>> {
        self.with(py, |e| {
            let list = match phone {
                Some(p) => e.messages_for(p),
                None => e.messages(),
            };
            list.into_iter().map(Message::from).collect()
        })
    }

    /// The newest generated code sent to `phone`, or `None`.
    fn last_code(&self, py: Python<'_>, phone: &str) -> PyResult<Option<String>> {
        self.with(py, |e| e.last_code(phone))
    }

    /// Move the emulated clock forward by `seconds` (nothing sleeps).
    fn advance_clock(&self, py: Python<'_>, seconds: &Bound<'_, PyAny>) -> PyResult<()> {
        if seconds.is_none() {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "advance_clock() argument 'seconds' must be int, not None",
            ));
        }
        let seconds = crate::convert::Arg::new("advance_clock", "seconds").opt_unsigned::<u64>(seconds, "seconds")?;
        self.with(py, |e| e.advance_clock(seconds.unwrap_or_default()))
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
        let fault =
            emu::Fault::from_json(rule).map_err(|e| invalid(py, "fault", format_args!("is not a fault: {e}")))?;
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

    fn __repr__(&self) -> String {
        format!(
            "Emulator(endpoint={}, running={})",
            repr_str(&self.endpoint),
            if self.running() { "True" } else { "False" }
        )
    }
}

/// One SMS the emulator "sent".
#[pyclass(frozen, get_all, module = "smsauth.testing", name = "Message")]
#[derive(Clone, Debug)]
pub(crate) struct Message {
    /// The 11-digit number it went to.
    phone_number: String,
    /// `CountryCode`.
    country_code: String,
    /// `SchemeName`.
    scheme_name: String,
    /// `SignName`.
    sign_name: String,
    /// `TemplateCode`.
    template_code: String,
    /// The generated code (empty if the template had no `##code##`).
    code: String,
    /// The rendered text.
    text: String,
    /// `BizId` of the send.
    biz_id: String,
    /// `OutId`, when given.
    out_id: Option<String>,
    /// Emulated Unix seconds when it was sent.
    sent_at: u64,
    /// Emulated Unix seconds when the code expires.
    expires_at: u64,
}

impl From<emu::Message> for Message {
    fn from(m: emu::Message) -> Self {
        Message {
            phone_number: m.phone_number,
            country_code: m.country_code,
            scheme_name: m.scheme_name,
            sign_name: m.sign_name,
            template_code: m.template_code,
            code: m.code,
            text: m.text,
            biz_id: m.biz_id,
            out_id: m.out_id,
            sent_at: m.sent_at,
            expires_at: m.expires_at,
        }
    }
}

#[pymethods]
impl Message {
    fn __repr__(&self) -> String {
        format!(
            "Message(phone_number={}, code={}, scheme_name={}, text={}, out_id={}, sent_at={}, expires_at={})",
            repr_str(&self.phone_number),
            repr_str(&self.code),
            repr_str(&self.scheme_name),
            repr_str(&self.text),
            repr_opt(self.out_id.as_deref()),
            self.sent_at,
            self.expires_at
        )
    }
}

/// Temporary credentials issued by the emulator. `repr` hides the secret and the token.
#[pyclass(frozen, get_all, module = "smsauth.testing", name = "StsCredentials")]
#[derive(Clone)]
pub(crate) struct StsCredentials {
    /// The temporary AccessKey ID (`STS.…`).
    access_key_id: String,
    /// Its secret.
    access_key_secret: String,
    /// The STS token.
    security_token: String,
    /// Emulated Unix seconds after which the token is expired.
    expires_at: u64,
}

impl std::fmt::Debug for StsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.__repr__())
    }
}

impl From<emu::StsCredentials> for StsCredentials {
    fn from(c: emu::StsCredentials) -> Self {
        StsCredentials {
            access_key_id: c.access_key_id,
            access_key_secret: c.access_key_secret,
            security_token: c.security_token,
            expires_at: c.expires_at,
        }
    }
}

#[pymethods]
impl StsCredentials {
    fn __repr__(&self) -> String {
        format!(
            "StsCredentials(access_key_id={}, access_key_secret='***', security_token='***', expires_at={})",
            repr_str(&self.access_key_id),
            self.expires_at
        )
    }
}
