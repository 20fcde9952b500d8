//! Signing and verification helpers (`smsauth.sign`, `smsauth.verify`, …), mirroring
//! [`smsauth::sign`]: for debugging a `SignatureDoesNotMatch`, reproducing a captured request,
//! or accepting Alibaba-Cloud-signed requests in a Python service.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use smsauth::input::{self, Value, sign as read};
use smsauth::sign::{self as core_sign, AccessKeys};

use crate::convert::{self, repr};
use crate::error::raise;
use crate::response::{attributed, describe};

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

/// Sign an RPC call with fixed or fresh time and nonce: `action`, `params` and the keyword
/// arguments, read by the core's reader (the usual call by [`usual`]).
#[pyfunction]
#[pyo3(signature = (
    action, params=None, *, access_key_id, access_key_secret, security_token=None, host=None, api_version=None,
    signature_version=None, timestamp=None, nonce=None, method=None, headers=None,
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign<'a, 'py>(
    py: Python<'py>,
    action: &'a Bound<'py, PyAny>,
    params: Option<&'a Bound<'py, PyAny>>,
    access_key_id: &'a Bound<'py, PyAny>,
    access_key_secret: &'a Bound<'py, PyAny>,
    security_token: Option<&'a Bound<'py, PyAny>>,
    host: Option<&'a Bound<'py, PyAny>>,
    api_version: Option<&'a Bound<'py, PyAny>>,
    signature_version: Option<&'a Bound<'py, PyAny>>,
    timestamp: Option<&'a Bound<'py, PyAny>>,
    nonce: Option<&'a Bound<'py, PyAny>>,
    method: Option<&'a Bound<'py, PyAny>>,
    headers: Option<&'a Bound<'py, PyAny>>,
) -> PyResult<SignedRequest> {
    let texts = [Some(access_key_id), Some(access_key_secret), security_token, host, api_version];
    let (req, input) = match usual(action, params, texts, [signature_version, nonce, method], [timestamp, headers]) {
        Some(read) => read,
        None => {
            let [id, secret, token, host, version] = texts;
            let named = [("action", Some(action)), ("params", params), ("access_key_id", id)];
            let named = named.into_iter().chain([("access_key_secret", secret), ("security_token", token)]);
            let named =
                named.chain([("host", host), ("api_version", version), ("signature_version", signature_version)]);
            let named =
                named.chain([("timestamp", timestamp), ("nonce", nonce), ("method", method), ("headers", headers)]);
            let args = convert::call(named, None)?;
            convert::keywords(py, "sign", &args, |o| Ok((read::rpc_request(o)?, read::SignInput::read(o)?)))?
        }
    };
    input.options().sign(&req).map(SignedRequest).map_err(|e| raise(py, e))
}

/// `sign`'s usual call read as the core's reader reads it, without building the value tree
/// first (a third of a signature's time, issue #19): `params` a dict of `str`, every other
/// argument given a `str`, no `timestamp` or `headers`. Any other call, and any value the core
/// may refuse, gives `None`: the core's reader then reads it (and words the error).
fn usual(
    action: &Bound<'_, PyAny>,
    params: Option<&Bound<'_, PyAny>>,
    [id, secret, token, host, version]: [Option<&Bound<'_, PyAny>>; 5],
    [scheme, nonce, method]: [Option<&Bound<'_, PyAny>>; 3],
    others: [Option<&Bound<'_, PyAny>>; 2],
) -> Option<(core_sign::RpcRequest, read::SignInput)> {
    let given = |v: Option<&Bound<'_, PyAny>>| v.map_or(Some(None), |v| text(v).map(Some));
    if others.iter().any(Option::is_some) {
        return None;
    }
    let version = given(version)?;
    let mut req = core_sign::RpcRequest::with_defaults(given(host)?.as_deref(), &text(action)?, version.as_deref());
    req.method = given(method)?.unwrap_or(req.method);
    req.params = params.map_or(Some(Vec::new()), |p| text_pairs(p.cast().ok()?))?;
    let input = read::SignInput {
        access_key_id: given(id)??,
        access_key_secret: given(secret)??,
        security_token: given(token)?,
        version: given(scheme)?.map_or(Some(Default::default()), |v| v.parse().ok())?,
        timestamp: None,
        nonce: given(nonce)?,
    };
    Some((req, input))
}

/// A dict's items when every key and value is `str`, in order; `None` otherwise.
fn text_pairs(dict: &Bound<'_, PyDict>) -> Option<Vec<(String, String)>> {
    dict.iter().map(|(k, v)| Some((text(&k)?, text(&v)?))).collect()
}

/// `v` as text when it is a `str` that is text (no lone surrogate); `None` otherwise.
fn text(v: &Bound<'_, PyAny>) -> Option<String> {
    Some(v.cast::<PyString>().ok()?.to_cow().ok()?.into_owned())
}

/// A V1 signature over explicit parameters (all of them, common ones included).
#[pyfunction]
pub(crate) fn explain_v1(
    py: Python<'_>,
    method: &Bound<'_, PyAny>,
    params: &Bound<'_, PyAny>,
    access_key_secret: &Bound<'_, PyAny>,
) -> PyResult<Explanation> {
    let args = parts(read::EXPLAIN_V1_PARTS, [method, params, access_key_secret])?;
    convert::keywords(py, "explain_v1", &args, read::explain_v1).map(Explanation)
}

/// A V3 signature over explicit parts, signing exactly `headers`. Returns the explanation and
/// the `Authorization` header value.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn explain_v3(
    py: Python<'_>,
    method: &Bound<'_, PyAny>,
    path: &Bound<'_, PyAny>,
    query: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    access_key_id: &Bound<'_, PyAny>,
    access_key_secret: &Bound<'_, PyAny>,
) -> PyResult<(Explanation, String)> {
    let args = parts(read::EXPLAIN_V3_PARTS, [method, path, query, headers, body, access_key_id, access_key_secret])?;
    let (ex, auth) = convert::keywords(py, "explain_v3", &args, read::explain_v3)?;
    Ok((Explanation(ex), auth))
}

/// A function's positional arguments as the map its core reader reads: the parts of its core
/// table, in that order.
fn parts<const N: usize>(table: &[read::Part], given: [&Bound<'_, PyAny>; N]) -> PyResult<Value<'static>> {
    convert::call(table.iter().map(|p| p.name).zip(given.map(Some)), None)
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

/// Checks signatures, timestamps and (optionally) nonces, as the gateway does.
#[pyclass(frozen, module = "smsauth", name = "Verifier")]
#[derive(Debug)]
pub(crate) struct Verifier {
    inner: core_sign::Verifier,
    keys: AccessKeys,
}

impl Verifier {
    /// A verifier from the arguments `args` of `func`: `secrets`, and the verifier options of
    /// the core's reader ([`smsauth::input::sign::verifier_config`]; Python's `window` is in
    /// seconds, a fraction allowed), each one left out (or `None`) keeping the core's default.
    fn read(py: Python<'_>, func: &str, args: &Value<'_>) -> PyResult<Self> {
        let (keys, config) = convert::keywords(py, func, args, |o| {
            Ok((o.required_by("secrets", input::pairs)?, read::verifier_config(o)?))
        })?;
        let keys = AccessKeys::from_pairs(&keys).map_err(|e| raise(py, e))?;
        Ok(Verifier { inner: core_sign::Verifier::from_config(&config).map_err(|e| raise(py, e))?, keys })
    }
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (secrets, **options))]
    fn new(py: Python<'_>, secrets: &Bound<'_, PyAny>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Verifier::read(py, "Verifier", &convert::call([("secrets", Some(secrets))], options)?)
    }

    /// Verify a captured request; raises `AuthenticationError` (with the gateway's `code`) if it
    /// does not check out. The request is read by the core's reader
    /// ([`smsauth::input::sign::http_request`]), its arguments named from its part table.
    #[pyo3(signature = (method, path="/", query="", headers=None, body=None, *, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        path: &str,
        query: &str,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Verified> {
        let (path, query) = (PyString::new(py, path).into_any(), PyString::new(py, query).into_any());
        let request = [Some(method), Some(&path), Some(&query), headers, body, now];
        let names = read::HTTP_REQUEST_PARTS.iter().map(|p| p.name).chain(["now"]);
        let (req, now) = convert::keywords(py, "verify", &convert::call(names.zip(request), None)?, |o| {
            Ok((read::http_request(o)?, o.unsigned("now", u64::MAX)?))
        })?;
        self.inner.verify_keys(&req, now, &self.keys).map(Verified).map_err(|e| raise(py, e))
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
    method: &Bound<'_, PyAny>,
    path: &str,
    query: &str,
    headers: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    secrets: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    window: Option<&Bound<'_, PyAny>>,
) -> PyResult<Verified> {
    let no = false.into_bound_py_any(py)?;
    let options = [("secrets", Some(secrets)), ("window", window), ("check_nonces", Some(&no))];
    let verifier = Verifier::read(py, "verify", &convert::call(options, None)?)?;
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
