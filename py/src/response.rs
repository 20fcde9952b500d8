//! Frozen result objects: `smsauth.SendResult` and `smsauth.CheckResult`.

use pyo3::prelude::*;

use crate::convert::repr;

/// A code was sent (the service answered `Code: OK`).
#[pyclass(frozen, get_all, module = "smsauth", name = "SendResult")]
#[derive(Clone, Debug)]
pub(crate) struct SendResult {
    /// `RequestId` of the call, to quote to Alibaba Cloud support.
    request_id: String,
    /// `Model.BizId`: the delivery receipt id.
    biz_id: Option<String>,
    /// `Model.OutId`, echoed.
    out_id: Option<String>,
    /// `Model.VerifyCode`: only when `return_verify_code=True` was sent.
    verify_code: Option<String>,
    /// `Model.RequestId`: the inner request's id.
    model_request_id: Option<String>,
    /// `Code` (always `"OK"` here: any other code is raised as an error).
    code: String,
    /// `Message`.
    message: String,
    /// `Success`.
    success: bool,
    /// HTTP status of the answer.
    http_status: u16,
    /// `AccessDeniedDetail` as JSON text, when present.
    access_denied_detail: Option<String>,
}

impl From<smsauth::SendSmsVerifyCodeResponse> for SendResult {
    fn from(r: smsauth::SendSmsVerifyCodeResponse) -> Self {
        SendResult {
            request_id: r.request_id,
            biz_id: r.model.biz_id,
            out_id: r.model.out_id,
            verify_code: r.model.verify_code,
            model_request_id: r.model.request_id,
            code: r.code,
            message: r.message,
            success: r.success,
            http_status: r.http_status,
            access_denied_detail: r.access_denied_detail,
        }
    }
}

#[pymethods]
impl SendResult {
    /// Always `True`: a failed send raises instead.
    fn __bool__(&self) -> bool {
        true
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // The code itself is a one-time secret: shown masked, read it from `.verify_code`.
        Ok(format!(
            "SendResult(request_id={}, biz_id={}, out_id={}, verify_code={})",
            repr(py, &self.request_id)?,
            repr(py, &self.biz_id)?,
            repr(py, &self.out_id)?,
            repr(py, self.verify_code.as_ref().map(|_| "***"))?,
        ))
    }
}

/// The answer to a check. A wrong, expired or unknown code is not an error: `passed` is
/// `False` and `bool(result)` is `False`.
#[pyclass(frozen, get_all, module = "smsauth", name = "CheckResult")]
#[derive(Clone, Debug)]
pub(crate) struct CheckResult {
    /// `True` only when the service said `PASS`.
    passed: bool,
    /// `Model.VerifyResult`: `"PASS"`, `"UNKNOWN"`, or a value this version does not know.
    verify_result: String,
    /// `Model.OutId`, echoed.
    out_id: Option<String>,
    /// `RequestId` of the call.
    request_id: String,
    /// `Code` (always `"OK"` here).
    code: String,
    /// `Message`.
    message: String,
    /// `Success`.
    success: bool,
    /// HTTP status of the answer.
    http_status: u16,
    /// `AccessDeniedDetail` as JSON text, when present.
    access_denied_detail: Option<String>,
}

impl From<smsauth::CheckSmsVerifyCodeResponse> for CheckResult {
    fn from(r: smsauth::CheckSmsVerifyCodeResponse) -> Self {
        CheckResult {
            passed: r.passed(),
            verify_result: r.model.verify_result.as_str().to_owned(),
            out_id: r.model.out_id,
            request_id: r.request_id,
            code: r.code,
            message: r.message,
            success: r.success,
            http_status: r.http_status,
            access_denied_detail: r.access_denied_detail,
        }
    }
}

#[pymethods]
impl CheckResult {
    /// `passed`: `if client.check_code(phone, code): …`
    fn __bool__(&self) -> bool {
        self.passed
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "CheckResult(passed={}, verify_result={}, out_id={}, request_id={})",
            repr(py, self.passed)?,
            repr(py, &self.verify_result)?,
            repr(py, &self.out_id)?,
            repr(py, &self.request_id)?,
        ))
    }
}

/// One-line summaries for debug logs.
pub(crate) trait Summary {
    fn summary(&self) -> String;
}

impl Summary for SendResult {
    fn summary(&self) -> String {
        format!("OK request_id={} biz_id={}", self.request_id, self.biz_id.as_deref().unwrap_or("-"))
    }
}

impl Summary for CheckResult {
    fn summary(&self) -> String {
        format!("{} request_id={}", self.verify_result, self.request_id)
    }
}
