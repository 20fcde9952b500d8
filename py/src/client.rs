//! `smsauth.Client` (blocking, GIL released) and the native half of `smsauth.AsyncClient`
//! (asyncio): one set of methods over [`smsauth::Client`], which wait for the answer or return an
//! awaitable depending on the class.

use std::future::Future;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use smsauth::credentials::{CredentialsConfig, CredentialsSource, RamRoleArnConfig};
use smsauth::{Defaults, RetryPolicy, Secret, SignatureVersion};

use smsauth::api::Operation;

use crate::convert::{Arg, repr_opt, repr_str, unexpected_keyword, update};
use crate::error::raise;
use crate::guard::{Guard, describe};
use crate::request::{self, CheckSmsVerifyCodeRequest, SendSmsVerifyCodeRequest};
use crate::response::{CheckResult, SendResult, Summary};
use crate::runtime::{self, Call, debug_enabled, log_debug};

/// Build the core client from the constructor arguments shared by `Client` and `AsyncClient`.
fn configure(
    py: Python<'_>,
    asyncio: bool,
    access_key_id: Option<&Bound<'_, PyAny>>,
    access_key_secret: Option<&Bound<'_, PyAny>>,
    security_token: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Client> {
    let class = if asyncio { "AsyncClient" } else { "Client" };
    let opt_str = |name: &str, v: Option<&Bound<'_, PyAny>>| match v {
        Some(v) => Arg::new(class, name).opt_string(v),
        None => Ok(None),
    };
    let id = opt_str("access_key_id", access_key_id)?;
    let secret = opt_str("access_key_secret", access_key_secret)?;
    let token = opt_str("security_token", security_token)?;

    let mut credentials = CredentialsConfig {
        access_key_id: id,
        access_key_secret: secret.map(Secret::new),
        security_token: token.map(Secret::new),
        ..CredentialsConfig::default()
    };
    let mut builder = smsauth::Client::builder().binding("python");
    // Scratch requests holding the defaults (their phone number and code are never used).
    let mut send = smsauth::SendSmsVerifyCodeRequest::new("");
    let mut check = smsauth::CheckSmsVerifyCodeRequest::new("", "");
    let mut retry = RetryPolicy::default();
    let mut version = SignatureVersion::default();
    let mut guard: Option<smsauth::guard::Guard> = None;
    let mut on_event: Option<Py<PyAny>> = None;
    if let Some(options) = options {
        for (k, v) in options.iter() {
            let name = &*k.extract::<String>()?;
            let arg = Arg::new(class, name);
            match name {
                "endpoint" => builder = builder.endpoint(arg.string(&v)?),
                "scheme" => builder = arg.opt_string(&v)?.into_iter().fold(builder, |b, s| b.scheme(s)),
                "signature_version" => {
                    version = arg.string(&v)?.parse::<SignatureVersion>().map_err(|e| raise(py, e))?;
                }
                "timeout" => builder = arg.opt_seconds(&v)?.into_iter().fold(builder, |b, d| b.timeout(d)),
                "connect_timeout" => {
                    builder = arg.opt_seconds(&v)?.into_iter().fold(builder, |b, d| b.connect_timeout(d))
                }
                "read_timeout" => builder = arg.opt_seconds(&v)?.into_iter().fold(builder, |b, d| b.read_timeout(d)),
                "max_attempts" => update(&mut retry.max_attempts, arg.opt_unsigned(&v, "max_attempts")?),
                "initial_backoff" => update(&mut retry.initial_backoff, arg.opt_seconds(&v)?),
                "max_backoff" => update(&mut retry.max_backoff, arg.opt_seconds(&v)?),
                "max_retry_after" => update(&mut retry.max_retry_after, arg.opt_seconds(&v)?),
                "proxy" => builder = arg.opt_string(&v)?.into_iter().fold(builder, |b, p| b.proxy(p)),
                "no_proxy" if arg.opt_bool(&v)? == Some(true) => builder = builder.no_proxy(),
                "no_proxy" => {}
                "ca_certificates" => {
                    builder = arg.opt_pem(&v)?.into_iter().fold(builder, |b, pem| b.add_root_certificates_pem(pem));
                }
                "profile" => credentials.profile = arg.opt_string(&v)?,
                // `None` leaves a role option unset; any other value selects a role.
                "role_arn" | "role_session_name" | "role_duration" | "role_policy" | "role_external_id"
                | "sts_endpoint" | "sts_region"
                    if v.is_none() => {}
                "role_arn" => role(&mut credentials).role_arn = arg.string(&v)?,
                "role_session_name" => role(&mut credentials).role_session_name = arg.opt_string(&v)?,
                "role_duration" => {
                    role(&mut credentials).duration_seconds = arg.opt_unsigned::<u32>(&v, "role_duration")?;
                }
                "role_policy" => role(&mut credentials).policy = arg.opt_string(&v)?,
                "role_external_id" => role(&mut credentials).external_id = arg.opt_string(&v)?,
                "sts_endpoint" => role(&mut credentials).sts_endpoint = arg.opt_string(&v)?,
                "sts_region" => role(&mut credentials).sts_region = arg.opt_string(&v)?,
                // The client's request defaults, read by the core's field table.
                "sign_name" | "template_code" | "template_param" | "scheme_name" | "country_code" | "code_type"
                | "code_length" | "valid_time" | "interval" | "duplicate_policy" => {
                    request::set_named(&mut send, class, name, &v)?;
                }
                "case_auth_policy" => request::set_named(&mut check, class, name, &v)?,
                "on_event" => {
                    if !v.is_none() {
                        if !v.is_callable() {
                            let got = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                                "smsauth.{class}(on_event=…) must be a callable taking one dict, got {got}"
                            )));
                        }
                        on_event = Some(v.unbind());
                    }
                }
                "guard" => {
                    if !v.is_none() {
                        let g = v.cast::<Guard>().map_err(|_| {
                            let got = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                            pyo3::exceptions::PyTypeError::new_err(format!(
                                "{class}() argument 'guard' must be smsauth.Guard or None, not {got}"
                            ))
                        })?;
                        guard = Some(g.get().inner.clone());
                    }
                }
                _ => return Err(unexpected_keyword(class, name)),
            }
        }
    }
    let defaults = Defaults {
        sign_name: send.sign_name,
        template_code: send.template_code,
        template_param: send.template_param,
        scheme_name: send.scheme_name,
        country_code: send.country_code,
        code_type: send.code_type,
        code_length: send.code_length,
        valid_time: send.valid_time,
        interval: send.interval,
        duplicate_policy: send.duplicate_policy,
        case_auth_policy: check.case_auth_policy,
    };
    let key_shown = match credentials.source() {
        CredentialsSource::RoleArn(arn) => format!("role_arn={}", repr_str(arn)),
        CredentialsSource::AccessKey(id) => format!("access_key_id={}", repr_str(id)),
        CredentialsSource::Profile(name) => format!("profile={}", repr_str(name)),
        CredentialsSource::DefaultChain => "credentials='default chain'".to_owned(),
    };
    builder = builder.credentials_config(credentials);
    let guard_shown = guard.as_ref().map(|g| format!("guard=smsauth.Guard({})", describe(g.config())));
    if let Some(guard) = guard {
        builder = builder.guard(guard);
    }
    let client = builder
        .on_event(smsauth::observe::keep)
        .signature_version(version)
        .retry(retry)
        .defaults(defaults.clone())
        .build()
        .map_err(|e| raise(py, e))?;
    let mut shown = vec![format!("endpoint={}", repr_str(&client.endpoint().base_url())), key_shown];
    shown.push(format!("signature_version={}", repr_str(version.as_str())));
    for (name, value) in [
        ("sign_name", &defaults.sign_name),
        ("template_code", &defaults.template_code),
        ("scheme_name", &defaults.scheme_name),
    ] {
        if value.is_some() {
            shown.push(format!("{name}={}", repr_opt(value.as_deref())));
        }
    }
    shown.extend(guard_shown);
    let repr = format!("smsauth.{class}({})", shown.join(", "));
    if debug_enabled(py)? {
        log_debug(py, &format!("created {repr}"));
    }
    Ok(Client { client, repr, on_event, asyncio })
}

/// The role of `credentials`, created by the first role option: a role option without
/// `role_arn` then meets the core's empty-ARN rule, as in every language.
fn role(credentials: &mut CredentialsConfig) -> &mut RamRoleArnConfig {
    credentials.role.get_or_insert_with(RamRoleArnConfig::default)
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
    /// Run one call of `R`'s action: wait for it (GIL released), or return an awaitable.
    fn run<R, T, F>(&self, py: Python<'_>, phone: &str, fut: F) -> PyResult<Py<PyAny>>
    where
        R: Operation,
        F: Future<Output = smsauth::Result<T>> + Send + 'static,
        T: Summary + for<'a> IntoPyObject<'a> + Send + 'static,
    {
        let call = Call::new(py, R::ACTION, R::REPEATABLE, phone, self.on_event.as_ref());
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
        let key = client_key.map(|k| Arg::new("send_code", "client_key").opt_string(k)).transpose()?.flatten();
        let client = self.client.clone();
        let phone = req.phone_number.clone();
        self.run::<smsauth::SendSmsVerifyCodeRequest, _, _>(py, &phone, async move {
            client.send_code_with_key(req, key.as_deref()).await.map(SendResult::from)
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
        let client = self.client.clone();
        let phone = req.phone_number.clone();
        self.run::<smsauth::CheckSmsVerifyCodeRequest, _, _>(py, &phone, async move {
            client.check_code_with(req).await.map(CheckResult::from)
        })
    }

    /// `SendSmsVerifyCode` exactly as given: the client's defaults are not applied.
    fn send_sms_verify_code(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let req = typed::<SendSmsVerifyCodeRequest>(request, "send_sms_verify_code")?.get().inner.clone();
        let client = self.client.clone();
        let phone = req.phone_number.clone();
        self.run::<smsauth::SendSmsVerifyCodeRequest, _, _>(py, &phone, async move {
            client.send_sms_verify_code(req).await.map(SendResult::from)
        })
    }

    /// `CheckSmsVerifyCode` exactly as given: the client's defaults are not applied.
    fn check_sms_verify_code(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let req = typed::<CheckSmsVerifyCodeRequest>(request, "check_sms_verify_code")?.get().inner.clone();
        let client = self.client.clone();
        let phone = req.phone_number.clone();
        self.run::<smsauth::CheckSmsVerifyCodeRequest, _, _>(py, &phone, async move {
            client.check_sms_verify_code(req).await.map(CheckResult::from)
        })
    }

    /// The client's counters since it was built: a dict (see `smsauth.Client.stats`).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::observe::stats_dict(py, &self.client.stats())
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

/// `request` as the expected request class, or a `TypeError` naming the argument.
fn typed<'a, 'py, T: pyo3::PyClass>(request: &'a Bound<'py, PyAny>, func: &str) -> PyResult<&'a Bound<'py, T>> {
    request.cast::<T>().map_err(|_| {
        let got = request.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{func}() argument 'request' must be smsauth.{}, not {got}",
            std::any::type_name::<T>().rsplit("::").next().unwrap_or("request")
        ))
    })
}
