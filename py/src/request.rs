//! The typed requests (`smsauth.SendSmsVerifyCodeRequest`, `smsauth.CheckSmsVerifyCodeRequest`)
//! and the keyword → field mapping shared by their constructors and by the `**overrides` of
//! `send_code` / `check_code`.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use smsauth::{CaseAuthPolicy, CodeType, DuplicatePolicy};

use crate::convert::{Arg, repr_opt, repr_str, unexpected_keyword};
use crate::error::raise;

/// Set one field of a send request from a Python keyword argument.
pub(crate) fn set_send_field(
    req: &mut smsauth::SendSmsVerifyCodeRequest,
    func: &str,
    name: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let arg = Arg::new(func, name);
    match name {
        "country_code" => req.country_code = arg.opt_string(value)?,
        "sign_name" => req.sign_name = arg.opt_string(value)?,
        "template_code" => req.template_code = arg.opt_string(value)?,
        "template_param" => req.template_param = arg.opt_template_param(value)?,
        "scheme_name" => req.scheme_name = arg.opt_string(value)?,
        "sms_up_extend_code" => req.sms_up_extend_code = arg.opt_string(value)?,
        "out_id" => req.out_id = arg.opt_string(value)?,
        "code_length" => req.code_length = arg.opt_unsigned(value, "CodeLength")?,
        "valid_time" => req.valid_time = arg.opt_unsigned(value, "ValidTime")?,
        "duplicate_policy" => req.duplicate_policy = arg.opt_enum::<DuplicatePolicy>(value, "DuplicatePolicy")?,
        "interval" => req.interval = arg.opt_unsigned(value, "Interval")?,
        "code_type" => req.code_type = arg.opt_enum::<CodeType>(value, "CodeType")?,
        "return_verify_code" => req.return_verify_code = arg.opt_bool(value)?,
        "auto_retry" => req.auto_retry = arg.opt_int(value, "AutoRetry")?,
        "duplicate_check" => req.duplicate_check = arg.opt_bool(value)?,
        "early_warn" => req.early_warn = arg.opt_bool(value)?,
        "owner_id" => req.owner_id = arg.opt_int(value, "OwnerId")?,
        "resource_owner_account" => req.resource_owner_account = arg.opt_string(value)?,
        "resource_owner_id" => req.resource_owner_id = arg.opt_int(value, "ResourceOwnerId")?,
        _ => return Err(unexpected_keyword(func, name)),
    }
    Ok(())
}

/// Set one field of a check request from a Python keyword argument.
pub(crate) fn set_check_field(
    req: &mut smsauth::CheckSmsVerifyCodeRequest,
    func: &str,
    name: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let arg = Arg::new(func, name);
    match name {
        "country_code" => req.country_code = arg.opt_string(value)?,
        "scheme_name" => req.scheme_name = arg.opt_string(value)?,
        "out_id" => req.out_id = arg.opt_string(value)?,
        "case_auth_policy" => req.case_auth_policy = arg.opt_enum::<CaseAuthPolicy>(value, "CaseAuthPolicy")?,
        "owner_id" => req.owner_id = arg.opt_int(value, "OwnerId")?,
        "resource_owner_account" => req.resource_owner_account = arg.opt_string(value)?,
        "resource_owner_id" => req.resource_owner_id = arg.opt_int(value, "ResourceOwnerId")?,
        _ => return Err(unexpected_keyword(func, name)),
    }
    Ok(())
}

/// A send request for `phone` with the keyword arguments applied.
pub(crate) fn send_request(
    func: &str,
    phone: &Bound<'_, PyAny>,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<smsauth::SendSmsVerifyCodeRequest> {
    let mut req = smsauth::SendSmsVerifyCodeRequest::new(Arg::new(func, "phone").string(phone)?);
    if let Some(fields) = fields {
        for (k, v) in fields.iter() {
            let name = &*k.extract::<String>()?;
            set_send_field(&mut req, func, name, &v)?;
        }
    }
    Ok(req)
}

/// A check request for `phone` and `code` with the keyword arguments applied.
pub(crate) fn check_request(
    func: &str,
    phone: &Bound<'_, PyAny>,
    code: &Bound<'_, PyAny>,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<smsauth::CheckSmsVerifyCodeRequest> {
    let mut req = smsauth::CheckSmsVerifyCodeRequest::new(
        Arg::new(func, "phone").string(phone)?,
        Arg::new(func, "code").string(code)?,
    );
    if let Some(fields) = fields {
        for (k, v) in fields.iter() {
            let name = &*k.extract::<String>()?;
            set_check_field(&mut req, func, name, &v)?;
        }
    }
    Ok(req)
}

fn wire_params(
    py: Python<'_>,
    params: smsauth::Result<Vec<(&'static str, String)>>,
) -> PyResult<Vec<(String, String)>> {
    params.map(|p| p.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()).map_err(|e| raise(py, e))
}

/// Append `name=<repr>` for the fields that are set.
struct ReprFields(Vec<String>);

impl ReprFields {
    fn str(&mut self, name: &str, v: &Option<String>) {
        if let Some(v) = v {
            self.0.push(format!("{name}={}", repr_str(v)));
        }
    }

    fn display<T: std::fmt::Display>(&mut self, name: &str, v: Option<T>) {
        if let Some(v) = v {
            self.0.push(format!("{name}={v}"));
        }
    }

    fn flag(&mut self, name: &str, v: Option<bool>) {
        if let Some(v) = v {
            self.0.push(format!("{name}={}", if v { "True" } else { "False" }));
        }
    }
}

/// `SendSmsVerifyCode` parameters for `Client.send_sms_verify_code`, sent exactly as given.
///
/// `SendSmsVerifyCodeRequest(phone_number, **fields)`: the fields are the API's, in snake_case
/// (`sign_name`, `template_code`, `template_param`, `code_length`, …); unset fields are not
/// sent. Types and the numbered enums are checked here; the rest (the number, required fields,
/// ranges) when sending or by `to_params()`, with an `InvalidInputError` naming the field.
#[pyclass(frozen, module = "smsauth", name = "SendSmsVerifyCodeRequest")]
#[derive(Clone, Debug)]
pub(crate) struct SendSmsVerifyCodeRequest {
    pub(crate) inner: smsauth::SendSmsVerifyCodeRequest,
}

#[pymethods]
impl SendSmsVerifyCodeRequest {
    #[new]
    #[pyo3(signature = (phone_number, **fields))]
    fn new(phone_number: &Bound<'_, PyAny>, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut inner = smsauth::SendSmsVerifyCodeRequest::new(
            Arg::new("SendSmsVerifyCodeRequest", "phone_number").string(phone_number)?,
        );
        if let Some(fields) = fields {
            for (k, v) in fields.iter() {
                set_send_field(&mut inner, "SendSmsVerifyCodeRequest", &k.extract::<String>()?, &v)?;
            }
        }
        Ok(SendSmsVerifyCodeRequest { inner })
    }

    /// A copy with some fields changed (`None` unsets a field).
    #[pyo3(signature = (**fields))]
    fn replace(&self, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut inner = self.inner.clone();
        if let Some(fields) = fields {
            for (k, v) in fields.iter() {
                let name = &*k.extract::<String>()?;
                if name == "phone_number" {
                    inner.phone_number = Arg::new("replace", name).string(&v)?;
                } else {
                    set_send_field(&mut inner, "replace", name, &v)?;
                }
            }
        }
        Ok(SendSmsVerifyCodeRequest { inner })
    }

    /// Validate and return the wire parameters, `[(name, value)]`, as they would be sent.
    fn to_params(&self, py: Python<'_>) -> PyResult<Vec<(String, String)>> {
        wire_params(py, self.inner.to_params())
    }

    #[getter]
    fn phone_number(&self) -> &str {
        &self.inner.phone_number
    }
    #[getter]
    fn country_code(&self) -> Option<&str> {
        self.inner.country_code.as_deref()
    }
    #[getter]
    fn sign_name(&self) -> Option<&str> {
        self.inner.sign_name.as_deref()
    }
    #[getter]
    fn template_code(&self) -> Option<&str> {
        self.inner.template_code.as_deref()
    }
    #[getter]
    fn template_param(&self) -> Option<&str> {
        self.inner.template_param.as_deref()
    }
    #[getter]
    fn scheme_name(&self) -> Option<&str> {
        self.inner.scheme_name.as_deref()
    }
    #[getter]
    fn sms_up_extend_code(&self) -> Option<&str> {
        self.inner.sms_up_extend_code.as_deref()
    }
    #[getter]
    fn out_id(&self) -> Option<&str> {
        self.inner.out_id.as_deref()
    }
    #[getter]
    fn code_length(&self) -> Option<u32> {
        self.inner.code_length
    }
    #[getter]
    fn valid_time(&self) -> Option<u64> {
        self.inner.valid_time
    }
    #[getter]
    fn duplicate_policy(&self) -> Option<i64> {
        self.inner.duplicate_policy.map(DuplicatePolicy::value)
    }
    #[getter]
    fn interval(&self) -> Option<u64> {
        self.inner.interval
    }
    #[getter]
    fn code_type(&self) -> Option<i64> {
        self.inner.code_type.map(CodeType::value)
    }
    #[getter]
    fn return_verify_code(&self) -> Option<bool> {
        self.inner.return_verify_code
    }
    #[getter]
    fn auto_retry(&self) -> Option<i64> {
        self.inner.auto_retry
    }
    #[getter]
    fn duplicate_check(&self) -> Option<bool> {
        self.inner.duplicate_check
    }
    #[getter]
    fn early_warn(&self) -> Option<bool> {
        self.inner.early_warn
    }
    #[getter]
    fn owner_id(&self) -> Option<i64> {
        self.inner.owner_id
    }
    #[getter]
    fn resource_owner_account(&self) -> Option<&str> {
        self.inner.resource_owner_account.as_deref()
    }
    #[getter]
    fn resource_owner_id(&self) -> Option<i64> {
        self.inner.resource_owner_id
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        let r = &self.inner;
        let mut f = ReprFields(vec![format!("phone_number={}", repr_str(&r.phone_number))]);
        f.str("country_code", &r.country_code);
        f.str("sign_name", &r.sign_name);
        f.str("template_code", &r.template_code);
        f.str("template_param", &r.template_param);
        f.str("scheme_name", &r.scheme_name);
        f.str("sms_up_extend_code", &r.sms_up_extend_code);
        f.str("out_id", &r.out_id);
        f.display("code_length", r.code_length);
        f.display("valid_time", r.valid_time);
        f.display("duplicate_policy", r.duplicate_policy.map(DuplicatePolicy::value));
        f.display("interval", r.interval);
        f.display("code_type", r.code_type.map(CodeType::value));
        f.flag("return_verify_code", r.return_verify_code);
        f.display("auto_retry", r.auto_retry);
        f.flag("duplicate_check", r.duplicate_check);
        f.flag("early_warn", r.early_warn);
        f.display("owner_id", r.owner_id);
        f.str("resource_owner_account", &r.resource_owner_account);
        f.display("resource_owner_id", r.resource_owner_id);
        format!("SendSmsVerifyCodeRequest({})", f.0.join(", "))
    }
}

/// `CheckSmsVerifyCode` parameters for `Client.check_sms_verify_code`, sent exactly as given.
///
/// `CheckSmsVerifyCodeRequest(phone_number, verify_code, **fields)` with the fields
/// `country_code`, `scheme_name`, `out_id`, `case_auth_policy`, `owner_id`,
/// `resource_owner_account`, `resource_owner_id`.
#[pyclass(frozen, module = "smsauth", name = "CheckSmsVerifyCodeRequest")]
#[derive(Clone, Debug)]
pub(crate) struct CheckSmsVerifyCodeRequest {
    pub(crate) inner: smsauth::CheckSmsVerifyCodeRequest,
}

#[pymethods]
impl CheckSmsVerifyCodeRequest {
    #[new]
    #[pyo3(signature = (phone_number, verify_code, **fields))]
    fn new(
        phone_number: &Bound<'_, PyAny>,
        verify_code: &Bound<'_, PyAny>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        const F: &str = "CheckSmsVerifyCodeRequest";
        let mut inner = smsauth::CheckSmsVerifyCodeRequest::new(
            Arg::new(F, "phone_number").string(phone_number)?,
            Arg::new(F, "verify_code").string(verify_code)?,
        );
        if let Some(fields) = fields {
            for (k, v) in fields.iter() {
                set_check_field(&mut inner, F, &k.extract::<String>()?, &v)?;
            }
        }
        Ok(CheckSmsVerifyCodeRequest { inner })
    }

    /// A copy with some fields changed (`None` unsets a field).
    #[pyo3(signature = (**fields))]
    fn replace(&self, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut inner = self.inner.clone();
        if let Some(fields) = fields {
            for (k, v) in fields.iter() {
                match &*k.extract::<String>()? {
                    "phone_number" => inner.phone_number = Arg::new("replace", "phone_number").string(&v)?,
                    "verify_code" => inner.verify_code = Arg::new("replace", "verify_code").string(&v)?,
                    name => set_check_field(&mut inner, "replace", name, &v)?,
                }
            }
        }
        Ok(CheckSmsVerifyCodeRequest { inner })
    }

    /// Validate and return the wire parameters, `[(name, value)]`, as they would be sent.
    fn to_params(&self, py: Python<'_>) -> PyResult<Vec<(String, String)>> {
        wire_params(py, self.inner.to_params())
    }

    #[getter]
    fn phone_number(&self) -> &str {
        &self.inner.phone_number
    }
    #[getter]
    fn verify_code(&self) -> &str {
        &self.inner.verify_code
    }
    #[getter]
    fn country_code(&self) -> Option<&str> {
        self.inner.country_code.as_deref()
    }
    #[getter]
    fn scheme_name(&self) -> Option<&str> {
        self.inner.scheme_name.as_deref()
    }
    #[getter]
    fn out_id(&self) -> Option<&str> {
        self.inner.out_id.as_deref()
    }
    #[getter]
    fn case_auth_policy(&self) -> Option<i64> {
        self.inner.case_auth_policy.map(CaseAuthPolicy::value)
    }
    #[getter]
    fn owner_id(&self) -> Option<i64> {
        self.inner.owner_id
    }
    #[getter]
    fn resource_owner_account(&self) -> Option<&str> {
        self.inner.resource_owner_account.as_deref()
    }
    #[getter]
    fn resource_owner_id(&self) -> Option<i64> {
        self.inner.resource_owner_id
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        let r = &self.inner;
        // The code the user typed is a one-time secret: shown masked.
        let mut f = ReprFields(vec![
            format!("phone_number={}", repr_str(&r.phone_number)),
            format!("verify_code={}", repr_opt(Some("***"))),
        ]);
        f.str("country_code", &r.country_code);
        f.str("scheme_name", &r.scheme_name);
        f.str("out_id", &r.out_id);
        f.display("case_auth_policy", r.case_auth_policy.map(CaseAuthPolicy::value));
        f.display("owner_id", r.owner_id);
        f.str("resource_owner_account", &r.resource_owner_account);
        f.display("resource_owner_id", r.resource_owner_id);
        format!("CheckSmsVerifyCodeRequest({})", f.0.join(", "))
    }
}
