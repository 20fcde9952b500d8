//! `smsauth.Client` (blocking, GIL released) and the native half of `smsauth.AsyncClient`
//! (asyncio): one set of methods over [`smsauth::Client`], which wait for the answer or return an
//! awaitable depending on the class.

use std::future::Future;

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use smsauth::api::Operation;
use smsauth::input::{self, Value};

use crate::convert::{self, repr};
use crate::error::raise;
use crate::guard::{Guard, describe};
use crate::request::{self, CheckSmsVerifyCodeRequest, SendSmsVerifyCodeRequest};
use crate::response::{CheckResult, SendResult};
use crate::runtime::{self, Answer, Call, log_debug};

/// Build the core client from the constructor arguments shared by `Client` and `AsyncClient`:
/// the keywords (the three positional credentials included) are the core's client options,
/// read by [`smsauth::input::read_client`] in Python's style, except `guard` and `on_event`,
/// which take Python objects.
fn configure(
    py: Python<'_>,
    asyncio: bool,
    access_key_id: Option<&Bound<'_, PyAny>>,
    access_key_secret: Option<&Bound<'_, PyAny>>,
    security_token: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Client> {
    let class = if asyncio { "AsyncClient" } else { "Client" };
    let mut builder = smsauth::Client::builder().binding("python");
    let (mut guard, mut on_event) = (None, None);
    let mut keywords = Vec::new();
    let positional = [("access_key_id", access_key_id), ("access_key_secret", access_key_secret)];
    let positional = positional.into_iter().chain([("security_token", security_token)]);
    let positional = positional.filter_map(|(k, v)| Some((PyString::new(py, k).into_any(), v?.clone())));
    for (k, v) in positional.chain(options.into_iter().flatten()) {
        match &*k.extract::<String>()? {
            "guard" if !v.is_none() => guard = Some(typed::<Guard>(&v, class, "guard")?.get().inner.clone()),
            "on_event" if !v.is_none() && !v.is_callable() => {
                let got = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                return Err(PyTypeError::new_err(format!(
                    "smsauth.{class}(on_event=…) must be a callable taking one dict, got {got}"
                )));
            }
            "on_event" => on_event = (!v.is_none()).then(|| v.unbind()),
            "guard" => {}
            name => keywords.push((name.to_owned().into(), convert::value(&v))),
        }
    }
    convert::keywords(py, class, &Value::Map(keywords), |obj| input::read_client(obj, &mut builder))?;
    let mut shown = Vec::new();
    for (name, value) in builder.shown() {
        shown.push(format!("{name}={}", repr(py, value)?));
    }
    if let Some(guard) = guard {
        shown.push(format!("guard=smsauth.Guard({})", describe(py, guard.config())?));
        builder = builder.guard(guard);
    }
    let client = builder.build().map_err(|e| raise(py, e))?;
    shown.insert(0, format!("endpoint={}", repr(py, client.endpoint().base_url())?));
    let repr = format!("smsauth.{class}({})", shown.join(", "));
    log_debug(py, &format!("created {repr}"))?;
    Ok(Client { client, repr, on_event, asyncio })
}

/// The blocking client: `Client(access_key_id=None, access_key_secret=None, security_token=None,
/// *, endpoint=…, signature_version="v3", timeout=30.0, …, sign_name=…, template_code=…, …)`.
///
/// Without keys, the default credentials chain is used (environment, OIDC, CLI profile,
/// credentials file, ECS RAM role, credentials URI); `profile=` or `role_arn=` select one
/// explicitly. Request options (`sign_name`, `template_code`, `code_length`, …) are defaults for
/// `send_code` / `check_code`, which take the same names as overrides.
///
/// Thread-safe; each call releases the GIL while the request runs, so threads sharing one client
/// run in parallel. Failures raise `smsauth.SmsAuthError` subclasses.
#[pyclass(frozen, subclass, module = "smsauth", name = "Client")]
#[derive(Debug)]
pub(crate) struct Client {
    client: smsauth::Client,
    /// What `repr` shows (no secret).
    repr: String,
    /// The `on_event` callable, given each call's event as a dict.
    on_event: Option<Py<PyAny>>,
    /// `AsyncClient`: calls return awaitables.
    asyncio: bool,
}

impl Client {
    /// Run one call of `R`'s action, `start` on `req` with the core client: wait for it (GIL
    /// released), or return an awaitable.
    fn run<R: Operation, T: Answer, F>(
        &self,
        py: Python<'_>,
        phone: &str,
        req: R,
        start: impl FnOnce(smsauth::Client, R) -> F,
    ) -> PyResult<Py<PyAny>>
    where
        F: Future<Output = smsauth::Result<T>> + Send + 'static,
    {
        let call = Call::new(py, R::ACTION, R::REPEATABLE, phone, self.on_event.as_ref())?;
        let fut = start(self.client.clone(), req);
        if self.asyncio {
            runtime::awaitable(py, call, fut).map(Bound::unbind)
        } else {
            runtime::block_on(py, call, fut).into_result(py)?.into_py_any(py)
        }
    }
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (access_key_id=None, access_key_secret=None, security_token=None, **options))]
    fn new(
        py: Python<'_>,
        access_key_id: Option<&Bound<'_, PyAny>>,
        access_key_secret: Option<&Bound<'_, PyAny>>,
        security_token: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        configure(py, false, access_key_id, access_key_secret, security_token, options)
    }

    /// Send a code to `phone`, with the client's defaults and these overrides. `client_key`
    /// (the caller's IP address, device or session id) feeds the guard's per-client limits.
    #[pyo3(signature = (phone, *, client_key=None, **overrides))]
    fn send_code(
        &self,
        py: Python<'_>,
        phone: &Bound<'_, PyAny>,
        client_key: Option<&Bound<'_, PyAny>>,
        overrides: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let req = request::send_request("send_code", phone, overrides)?;
        let key = client_key
            .map(|k| convert::arg("send_code", "client_key", k, convert::optional_text))
            .transpose()?
            .flatten();
        self.run(py, &req.phone_number.clone(), req, |client, req| async move {
            client.send_code_with_key(req, key.as_deref()).await.map(SendResult)
        })
    }

    /// Check `code` for `phone`. A wrong code is a result with `passed == False`, not an error.
    #[pyo3(signature = (phone, code, **overrides))]
    fn check_code(
        &self,
        py: Python<'_>,
        phone: &Bound<'_, PyAny>,
        code: &Bound<'_, PyAny>,
        overrides: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let req = request::check_request("check_code", phone, code, overrides)?;
        self.run(py, &req.phone_number.clone(), req, |client, req| async move {
            client.check_code_with(req).await.map(CheckResult)
        })
    }

    /// `SendSmsVerifyCode` exactly as given: the client's defaults are not applied.
    fn send_sms_verify_code(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let req = typed::<SendSmsVerifyCodeRequest>(request, "send_sms_verify_code", "request")?.get().inner.clone();
        self.run(py, &req.phone_number.clone(), req, |client, req| async move {
            client.send_sms_verify_code(req).await.map(SendResult)
        })
    }

    /// `CheckSmsVerifyCode` exactly as given: the client's defaults are not applied.
    fn check_sms_verify_code(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let req = typed::<CheckSmsVerifyCodeRequest>(request, "check_sms_verify_code", "request")?.get().inner.clone();
        self.run(py, &req.phone_number.clone(), req, |client, req| async move {
            client.check_sms_verify_code(req).await.map(CheckResult)
        })
    }

    /// The client's counters since it was built: a dict (see `smsauth.Client.stats`).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::observe::dict(py, self.client.stats().record())
    }

    /// Where requests go, e.g. `"https://dypnsapi.aliyuncs.com/"`.
    #[getter]
    fn endpoint(&self) -> String {
        self.client.endpoint().base_url()
    }

    /// The user agent sent with every request.
    #[getter]
    fn user_agent(&self) -> &str {
        self.client.user_agent()
    }

    fn __repr__(&self) -> &str {
        &self.repr
    }
}

/// Native half of `smsauth.AsyncClient`: `Client`'s calls, returning asyncio futures completed
/// from the library's own runtime (no thread pool; the event loop never blocks).
#[pyclass(frozen, extends = Client, module = "smsauth", name = "AsyncClient")]
#[derive(Debug)]
pub(crate) struct AsyncClient;

#[pymethods]
impl AsyncClient {
    #[new]
    #[pyo3(signature = (access_key_id=None, access_key_secret=None, security_token=None, **options))]
    fn new(
        py: Python<'_>,
        access_key_id: Option<&Bound<'_, PyAny>>,
        access_key_secret: Option<&Bound<'_, PyAny>>,
        security_token: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let client = configure(py, true, access_key_id, access_key_secret, security_token, options)?;
        Ok(PyClassInitializer::from(client).add_subclass(AsyncClient))
    }
}

/// `value` as the class `T`, or a `TypeError` naming the argument.
fn typed<'a, 'py, T: pyo3::PyClass>(
    value: &'a Bound<'py, PyAny>,
    func: &str,
    arg: &str,
) -> PyResult<&'a Bound<'py, T>> {
    value.cast::<T>().map_err(|_| {
        let class = std::any::type_name::<T>().rsplit("::").next().unwrap_or("request");
        let none = if arg == "guard" { " or None" } else { "" };
        let got = value.get_type().name().map_or_else(|_| "object".to_owned(), |n| n.to_string());
        PyTypeError::new_err(format!("{func}() argument '{arg}' must be smsauth.{class}{none}, not {got}"))
    })
}
