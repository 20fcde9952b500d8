//! `smsauth.Client` (blocking, GIL released) and the native half of `smsauth.AsyncClient`
//! (asyncio): one set of methods over [`smsauth::Client`], which wait for the answer or return an
//! awaitable depending on the class.

use pyo3::IntoPyObjectExt;
use pyo3::PyClass;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use smsauth::api::Call;
use smsauth::input::{self, Expected};
use smsauth::{CheckSmsVerifyCodeRequest as CheckRequest, SendSmsVerifyCodeRequest as SendRequest};

use crate::convert::{self, repr};
use crate::error::raise;
use crate::guard::{Guard, describe};
use crate::request::{CheckSmsVerifyCodeRequest, SendSmsVerifyCodeRequest};
use crate::response::{CheckResult, SendResult};
use crate::runtime::{self, Answer, log_debug};

/// Build the core client from the constructor arguments shared by `Client` and `AsyncClient`:
/// the keywords (the three positional credentials included) are the core's client options,
/// read by [`smsauth::input::read_client`] in Python's style, except `guard` and `on_event`,
/// which take Python objects and are taken out of `options` first.
fn configure(
    py: Python<'_>,
    asyncio: bool,
    credentials: [Option<&Bound<'_, PyAny>>; 3],
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Client> {
    let class = if asyncio { "AsyncClient" } else { "Client" };
    let take = |key| match options.map(|o| o.get_item(key)).transpose()?.flatten() {
        Some(v) => options.map(|o| o.del_item(key)).transpose().map(|_| Some(v).filter(|v| !v.is_none())),
        None => Ok(None),
    };
    let (guard, on_event) = (take("guard")?, take("on_event")?);
    let guard_class = &Expected::Instance(<Guard as PyClass>::NAME);
    let wrong = |g| convert::mismatch(class, "guard", Expected::Optional(guard_class), g);
    let guard = guard.as_ref().map(|g| g.cast::<Guard>().map_err(|_| wrong(g)));
    let guard = guard.transpose()?.map(|g| g.get().inner.clone());
    if let Some(f) = on_event.as_ref().filter(|f| !f.is_callable()) {
        return Err(convert::mismatch(class, "on_event", Expected::Optional(&Expected::Callable), f));
    }
    let names = ["access_key_id", "access_key_secret", "security_token"];
    let args = convert::call(names.into_iter().zip(credentials), options)?;
    let mut builder = smsauth::Client::builder().binding("python");
    convert::keywords(py, class, &args, |obj| input::read_client(obj, &mut builder))?;
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
    Ok(Client { client, repr, on_event: on_event.map(Bound::unbind), asyncio })
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
    /// The short form of the call `R`, `func`: the positional `args` named by [`Call::ARGUMENTS`]
    /// and the keyword `overrides` (with `client_key` when [`Call::KEYED`]), read by the core's
    /// reader; the client's defaults and guard apply. The response is answered as `answer(…)`.
    fn short<R: Call, T: Answer>(
        &self,
        py: Python<'_>,
        func: &str,
        args: &[&Bound<'_, PyAny>],
        overrides: Option<&Bound<'_, PyDict>>,
        answer: fn(R::Response) -> T,
    ) -> PyResult<Py<PyAny>> {
        let names: Vec<&'static str> = R::ARGUMENTS.iter().map(|&(name, _)| name).collect();
        let args = convert::call(names.iter().copied().zip(args.iter().copied().map(Some)), overrides)?;
        let (req, key) = convert::keywords(py, func, &args, |obj| {
            Ok((input::read_request::<R>(obj, &names)?, if R::KEYED { obj.text("client_key")? } else { None }))
        })?;
        self.run(py, req, true, key, answer)
    }

    /// Run `req` on the core client in its short form or exactly as given (see [`Call::run`]),
    /// its response answered as `answer(…)`: wait for it (GIL released), or return an awaitable.
    fn run<R: Call, T: Answer>(
        &self,
        py: Python<'_>,
        req: R,
        short: bool,
        key: Option<String>,
        answer: fn(R::Response) -> T,
    ) -> PyResult<Py<PyAny>> {
        let call = runtime::Call::new(py, R::ACTION, R::REPEATABLE, req.phone(), self.on_event.as_ref())?;
        let fut = req.run(self.client.clone(), short, key);
        let fut = async move { fut.await.map(answer) };
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
        configure(py, false, [access_key_id, access_key_secret, security_token], options)
    }

    /// Send a code to `phone`, with the client's defaults and these overrides. `client_key`
    /// (the caller's IP address, device or session id) feeds the guard's per-client limits.
    #[pyo3(signature = (phone, **overrides))]
    fn send_code(
        &self,
        py: Python<'_>,
        phone: &Bound<'_, PyAny>,
        overrides: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        self.short::<SendRequest, _>(py, "send_code", &[phone], overrides, SendResult)
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
        self.short::<CheckRequest, _>(py, "check_code", &[phone, code], overrides, CheckResult)
    }

    /// `SendSmsVerifyCode` exactly as given: the client's defaults are not applied.
    fn send_sms_verify_code(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let req = typed::<SendSmsVerifyCodeRequest>(request, "send_sms_verify_code", "request")?.get().0.clone();
        self.run(py, req, false, None, SendResult)
    }

    /// `CheckSmsVerifyCode` exactly as given: the client's defaults are not applied.
    fn check_sms_verify_code(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let req = typed::<CheckSmsVerifyCodeRequest>(request, "check_sms_verify_code", "request")?.get().0.clone();
        self.run(py, req, false, None, CheckResult)
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
        let client = configure(py, true, [access_key_id, access_key_secret, security_token], options)?;
        Ok(PyClassInitializer::from(client).add_subclass(AsyncClient))
    }
}

/// `value` as the class `T`, or the `TypeError` of the argument `arg` of `func`, worded by the
/// core.
fn typed<'a, 'py, T: PyClass>(
    value: &'a Bound<'py, PyAny>,
    func: &str,
    arg: &'static str,
) -> PyResult<&'a Bound<'py, T>> {
    value.cast::<T>().map_err(|_| convert::mismatch(func, arg, Expected::Instance(T::NAME), value))
}
