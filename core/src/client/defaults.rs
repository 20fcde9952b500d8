//! [`Defaults`]: the request fields a client fills in when the caller leaves them unset.

use crate::api::{
    CaseAuthPolicy, CheckSmsVerifyCodeRequest, CodeType, DuplicatePolicy, FieldValue, SendSmsVerifyCodeRequest,
    template_param,
};
use crate::error::Result;

/// Values used for request fields the caller leaves unset, so a typical call is just
/// `send_code(phone)` / `check_code(phone, code)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Defaults {
    /// `SignName` for sends.
    pub sign_name: Option<String>,
    /// `TemplateCode` for sends.
    pub template_code: Option<String>,
    /// `TemplateParam` for sends. When unset, `{"code":"##code##","min":"<ValidTime in minutes, or 5>"}`,
    /// which fits the console's preset templates.
    pub template_param: Option<String>,
    /// `SchemeName` for sends and checks.
    pub scheme_name: Option<String>,
    /// `CountryCode` for sends and checks.
    pub country_code: Option<String>,
    /// `CodeType` for sends.
    pub code_type: Option<CodeType>,
    /// `CodeLength` for sends.
    pub code_length: Option<u32>,
    /// `ValidTime` (seconds) for sends.
    pub valid_time: Option<u64>,
    /// `Interval` (seconds) for sends.
    pub interval: Option<u64>,
    /// `DuplicatePolicy` for sends.
    pub duplicate_policy: Option<DuplicatePolicy>,
    /// `CaseAuthPolicy` for checks.
    pub case_auth_policy: Option<CaseAuthPolicy>,
}

fn fill<T: Clone>(slot: &mut Option<T>, default: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(default);
    }
}

impl Defaults {
    /// Fill the unset fields of a send request.
    pub fn apply_send(&self, req: &mut SendSmsVerifyCodeRequest) {
        self.fill_send(req);
        if req.template_param.is_none() {
            let minutes = req.valid_time.map(|s| s.div_ceil(60).max(1)).unwrap_or(5).to_string();
            req.template_param = Some(template_param(&[("min", &minutes)]));
        }
    }

    fn fill_send(&self, req: &mut SendSmsVerifyCodeRequest) {
        fill(&mut req.sign_name, &self.sign_name);
        fill(&mut req.template_code, &self.template_code);
        fill(&mut req.template_param, &self.template_param);
        fill(&mut req.scheme_name, &self.scheme_name);
        fill(&mut req.country_code, &self.country_code);
        fill(&mut req.code_type, &self.code_type);
        fill(&mut req.code_length, &self.code_length);
        fill(&mut req.valid_time, &self.valid_time);
        fill(&mut req.interval, &self.interval);
        fill(&mut req.duplicate_policy, &self.duplicate_policy);
    }

    /// Fill the unset fields of a check request.
    pub fn apply_check(&self, req: &mut CheckSmsVerifyCodeRequest) {
        fill(&mut req.scheme_name, &self.scheme_name);
        fill(&mut req.country_code, &self.country_code);
        fill(&mut req.case_auth_policy, &self.case_auth_policy);
    }
}

impl Defaults {
    /// Set the default called `name` (its request field's name) through the field table, so a
    /// default is checked as the field itself is, and named by its API name in errors.
    pub(super) fn set(&mut self, name: &str, value: Option<FieldValue>) -> Result<()> {
        let (mut send, mut check) = (SendSmsVerifyCodeRequest::default(), CheckSmsVerifyCodeRequest::default());
        self.fill_send(&mut send);
        self.apply_check(&mut check);
        if name == "case_auth_policy" {
            check.set(name, value)?
        } else {
            send.set(name, value)?
        }
        *self = Defaults {
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
        Ok(())
    }
}
