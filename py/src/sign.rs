//! Signing and verification helpers (`smsauth.sign`, `smsauth.verify`, …), mirroring
//! [`smsauth::sign`]: for debugging a `SignatureDoesNotMatch`, reproducing a captured request,
//! or accepting Alibaba-Cloud-signed requests in a Python service.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use smsauth::input::{self, Value};
use smsauth::sign::{self as core_sign, AccessKeys, HttpRequest, RpcRequest, SignOptions};

use crate::convert::{self, repr};
use crate::error::raise;
use crate::response::{attributed, describe};

/// `[(name, value)]` from a `dict` or an iterable of 2-tuples of `str` (`None`: none).
fn pairs(func: &str, name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(value) = value else { return Ok(Vec::new()) };
    // The usual argument, a dict of str, converted as it is; any other value (and any error) is
    // read by the core's reader.
    if let Some(pairs) = value.cast::<PyDict>().ok().and_then(text_pairs) {
        return Ok(pairs);
    }
    // Any other iterable (`dict.items()`, a generator) is read as the list of its items.
    let listed;
    let value = match value.try_iter() {
        Ok(items) if !(value.is_instance_of::<PyDict>() || value.is_instance_of::<PyString>()) => {
            listed = PyList::new(value.py(), items.collect::<PyResult<Vec<_>>>()?)?.into_any();
            &listed
        }
        _ => value,
    };
    let read = |v: &Value<'_>| if v.is_nullish() { Ok(Vec::new()) } else { input::pairs(v) };
    convert::arg(func, name, value, read)
}

/// A dict's items when every key and value is text, in order; `None` otherwise.
fn text_pairs(dict: &Bound<'_, PyDict>) -> Option<Vec<(String, String)>> {
    let text = |v: Bound<'_, PyAny>| Some(v.cast::<PyString>().ok()?.to_cow().ok()?.into_owned());
    dict.iter().map(|(k, v)| Some((text(k)?, text(v)?))).collect()
}

/// A body: `str` (UTF-8) or `bytes` (`None`: empty).
fn body_text(func: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<u8>> {
    let read = |v: &Value<'_>| if v.is_nullish() { Ok(Vec::new()) } else { input::text_or_bytes(v) };
    value.map_or(Ok(Vec::new()), |v| convert::arg(func, "body", v, read))
}

/// How a signature was computed.
#[pyclass(frozen, module = "smsauth", name = "Explanation")]
#[derive(Clone, Debug)]
pub(crate) struct Explanation(core_sign::Explanation);

#[pymethods]
impl Explanation {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        describe(py, "Explanation", self, &["canonical_request", "string_to_sign", "signature"], &[], [])
    }
}

/// A signed request, ready to send.
#[pyclass(frozen, module = "smsauth", name = "SignedRequest")]
#[derive(Clone, Debug)]
pub(crate) struct SignedRequest(core_sign::SignedRequest);

#[pymethods]
impl SignedRequest {
    /// `path?query`.
    #[getter]
    fn path_and_query(&self) -> String {
        self.0.path_and_query()
    }
    /// Headers to send, `[(name, value)]`, including `host` (and `Authorization` for V3).
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.0.headers.clone()
    }
    /// The body (empty for Dypnsapi calls).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.body)
    }
    /// How the signature was computed.
    #[getter]
    fn explanation(&self) -> Explanation {
        // Signing skipped it (most callers never read it); rebuilt from the request, no secret.
        Explanation(self.0.explain())
    }
    /// The query parameters, decoded, in wire order.
    fn query_pairs(&self) -> Vec<(String, String)> {
        self.0.query_pairs()
    }
    /// A header's value by case-insensitive name, or `None`.
    fn header(&self, name: &str) -> Option<&str> {
        self.0.header(name)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // Headers and query can carry an STS token: not shown.
        let signature = ("signature", self.0.explain().signature.into_bound_py_any(py)?);
        describe(py, "SignedRequest", self, &["version", "method", "path"], &[], [signature])
    }
}

/// Sign an RPC call with fixed or fresh time and nonce.
#[pyfunction]
#[pyo3(signature = (
    action, params=None, *, access_key_id, access_key_secret, security_token=None, host=None,
    api_version=None, signature_version=None, timestamp=None, nonce=None, method=None, headers=None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign(
    py: Python<'_>,
    action: &str,
    params: Option<&Bound<'_, PyAny>>,
    access_key_id: &str,
    access_key_secret: &str,
    security_token: Option<&str>,
    host: Option<&str>,
    api_version: Option<&str>,
    signature_version: Option<&str>,
    timestamp: Option<u64>,
    nonce: Option<&str>,
    method: Option<&str>,
    headers: Option<&Bound<'_, PyAny>>,
) -> PyResult<SignedRequest> {
    let version = signature_version.map(str::parse).transpose().map_err(|e| raise(py, e))?.unwrap_or_default();
    let mut req = RpcRequest::with_defaults(host, action, api_version);
    req.method = method.map_or(req.method, str::to_owned);
    req.params = pairs("sign", "params", params)?;
    req.headers = pairs("sign", "headers", headers)?;
    let options =
        SignOptions { security_token, version, timestamp, nonce, ..SignOptions::new(access_key_id, access_key_secret) };
    Ok(SignedRequest(options.sign(&req).map_err(|e| raise(py, e))?))
}

/// A V1 signature over explicit parameters (all of them, common ones included).
#[pyfunction]
pub(crate) fn explain_v1(method: &str, params: &Bound<'_, PyAny>, access_key_secret: &str) -> PyResult<Explanation> {
    let params = pairs("explain_v1", "params", Some(params))?;
    Ok(Explanation(core_sign::explain_v1(method, &params, access_key_secret)))
}

/// A V3 signature over explicit parts, signing exactly `headers`. Returns the explanation and
/// the `Authorization` header value.
#[pyfunction]
#[pyo3(signature = (method, path, query, headers, body, access_key_id, access_key_secret))]
pub(crate) fn explain_v3(
    method: &str,
    path: &str,
    query: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    access_key_id: &str,
    access_key_secret: &str,
) -> PyResult<(Explanation, String)> {
    let query = pairs("explain_v3", "query", Some(query))?;
    let headers = pairs("explain_v3", "headers", Some(headers))?;
    let body = body_text("explain_v3", Some(body))?;
    let (ex, auth) = core_sign::explain_v3(method, path, &query, &headers, &body, access_key_id, access_key_secret);
    Ok((Explanation(ex), auth))
}

/// A request whose signature checked out.
#[pyclass(frozen, module = "smsauth", name = "Verified")]
#[derive(Clone, Debug)]
pub(crate) struct Verified(core_sign::Verified);

attributed!(
    Explanation => core_sign::Explanation,
    SignedRequest => core_sign::SignedRequest,
    Verified => core_sign::Verified,
);

#[pymethods]
impl Verified {
    /// Business parameters `[(name, value)]`, without the signing parameters.
    #[getter]
    fn params(&self) -> Vec<(String, String)> {
        self.0.params.clone()
    }
    /// The first value of a business parameter, or `None`.
    fn param(&self, name: &str) -> Option<&str> {
        self.0.param(name)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let sts = ("sts", self.0.security_token.is_some().into_bound_py_any(py)?);
        describe(py, "Verified", self, &["version", "access_key_id", "action", "timestamp"], &[], [sts])
    }
}

fn access_keys(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<AccessKeys> {
    AccessKeys::from_pairs(&pairs("Verifier", "secrets", Some(value))?).map_err(|e| raise(py, e))
}

/// Checks signatures, timestamps and (optionally) nonces, as the gateway does.
#[pyclass(frozen, module = "smsauth", name = "Verifier")]
#[derive(Debug)]
pub(crate) struct Verifier {
    inner: core_sign::Verifier,
    keys: AccessKeys,
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (
        secrets, *, window=None, check_nonces=None, nonce_capacity=None, per_key_quota=None, expected_hosts=None,
        nonce_redis_url=None, nonce_redis_fail_open=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        secrets: &Bound<'_, PyAny>,
        window: Option<f64>,
        check_nonces: Option<bool>,
        nonce_capacity: Option<usize>,
        per_key_quota: Option<usize>,
        expected_hosts: Option<Vec<String>>,
        nonce_redis_url: Option<String>,
        nonce_redis_fail_open: Option<bool>,
    ) -> PyResult<Self> {
        // Each option left out (or `None`) keeps the core's default.
        let mut config = core_sign::VerifierConfig { per_key_quota, nonce_redis_url, ..Default::default() };
        window.map(|w| config.set_window_seconds(w)).transpose().map_err(|e| raise(py, e))?;
        config.check_nonces = check_nonces.unwrap_or(config.check_nonces);
        config.nonce_capacity = nonce_capacity.unwrap_or(config.nonce_capacity);
        config.expected_hosts = expected_hosts.unwrap_or(config.expected_hosts);
        config.nonce_redis_fail_open = nonce_redis_fail_open.unwrap_or(config.nonce_redis_fail_open);
        let inner = core_sign::Verifier::from_config(&config).map_err(|e| raise(py, e))?;
        Ok(Verifier { inner, keys: access_keys(py, secrets)? })
    }

    /// Verify a captured request; raises `AuthenticationError` (with the gateway's `code`) if it
    /// does not check out.
    #[pyo3(signature = (method, path="/", query="", headers=None, body=None, *, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        query: &str,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        now: Option<u64>,
    ) -> PyResult<Verified> {
        let mut req = HttpRequest::new(method, path, query).with_body(body_text("verify", body)?);
        req.headers = pairs("verify", "headers", headers)?.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
        let verified = self.inner.verify_keys(&req, now, &self.keys).map_err(|e| raise(py, e))?;
        Ok(Verified(verified))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Verifier(access_key_ids={})", repr(py, self.keys.ids())?))
    }
}

/// Verify one captured request (no nonce memory). See `Verifier` for repeated use.
#[pyfunction]
#[pyo3(signature = (method, path="/", query="", headers=None, body=None, *, secrets, now=None, window=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify(
    py: Python<'_>,
    method: &str,
    path: &str,
    query: &str,
    headers: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    secrets: &Bound<'_, PyAny>,
    now: Option<u64>,
    window: Option<f64>,
) -> PyResult<Verified> {
    let verifier = Verifier::new(py, secrets, window, Some(false), None, None, None, None, None)?;
    verifier.verify(py, method, path, query, headers, body, now)
}

/// RFC 3986 percent-encoding as Alibaba Cloud signs it (`~` kept, space as `%20`).
#[pyfunction]
pub(crate) fn percent_encode(value: &str) -> String {
    core_sign::percent_encode(value)
}

/// Unix seconds → `yyyy-MM-ddTHH:mm:ssZ`.
#[pyfunction]
pub(crate) fn format_timestamp(unix: u64) -> String {
    core_sign::format_timestamp(unix)
}

/// `yyyy-MM-ddTHH:mm:ssZ` → Unix seconds, or `None` if malformed.
#[pyfunction]
pub(crate) fn parse_timestamp(value: &str) -> Option<u64> {
    core_sign::parse_timestamp(value)
}
