//! Typed requests, validated before any network call.
//!
//! Unset (`None`) fields are not sent, so the service's own defaults apply. Field names follow
//! the official models (`PhoneNumber` → `phone_number`).

use super::enums::{CaseAuthPolicy, CodeType, DuplicatePolicy};
use super::fields::{Field, request_fields};
use crate::error::{Error, Result};

/// The only country code the service supports today.
pub const CHINA: &str = "86";

/// The longest `ValidTime` and `Interval` accepted, in seconds (365 days, as the service).
pub const MAX_SECONDS: u64 = 365 * 86_400;

/// The most characters each free-text field may have (wire name, limit), as declared in the
/// request tables ([`Field::max_chars`]). Checked before sending, so a field that would make the
/// request URL too long fails naming the field, with nothing sent (the whole request stays far
/// below the 64 KiB a URL may have, even fully percent-encoded).
///
/// ```
/// assert_eq!(smsauth::api::FIELD_LIMITS[0], ("SignName", 64));
/// ```
pub const FIELD_LIMITS: [(&str, usize); 7] = limits(SendSmsVerifyCodeRequest::FIELDS);

/// The `(wire, max_chars)` of every field of `fields` that has a limit, in order; a compile
/// error unless there are exactly `N`.
const fn limits<const N: usize>(fields: &[Field]) -> [(&'static str, usize); N] {
    let mut out = [("", 0); N];
    let (mut i, mut n) = (0, 0);
    while i < fields.len() {
        if let Some(max) = fields[i].max_chars {
            out[n] = (fields[i].wire, max);
            n += 1;
        }
        i += 1;
    }
    assert!(n == N, "FIELD_LIMITS must have one entry per field with a limit");
    out
}

request_fields! {
/// `SendSmsVerifyCode`: send a verification code by SMS.
///
/// ```
/// use smsauth::{SendSmsVerifyCodeRequest, template_param};
/// let req = SendSmsVerifyCodeRequest {
///     phone_number: "+86 138-0013-8000".into(),
///     sign_name: Some("速通互联验证码".into()),
///     template_code: Some("100001".into()),
///     template_param: Some(template_param(&[("min", "5")])),
///     code_length: Some(6),
///     ..Default::default()
/// };
/// let params = req.to_params().unwrap();
/// assert!(params.contains(&("PhoneNumber", "13800138000".to_string())));
/// assert!(params.contains(&("CodeLength", "6".to_string())));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendSmsVerifyCodeRequest (SendFields) {
    /// `PhoneNumber` (required). For CountryCode 86, `+86`, `86`, spaces and dashes are accepted
    /// and removed: `+86 138-0013-8000` is sent as `13800138000`.
    pub phone_number: String => "PhoneNumber",
    /// `CountryCode`; the service supports `86` only (its default).
    pub country_code: Option<String> => "CountryCode",
    /// `SignName` (required): one of the console's preset signatures.
    pub sign_name: Option<String> => "SignName" max 64,
    /// `TemplateCode` (required): one of the console's preset templates.
    pub template_code: Option<String> => "TemplateCode" max 64,
    /// `TemplateParam` (required): a JSON object; `##code##` marks where the generated code goes.
    /// See [`template_param`].
    pub template_param: Option<String> => "TemplateParam" as Json max 4096,
    /// `SchemeName`: the verification scheme (≤ 20 characters); defaults to `默认方案`.
    pub scheme_name: Option<String> => "SchemeName" max 20,
    /// `SmsUpExtendCode`: uplink extension code.
    pub sms_up_extend_code: Option<String> => "SmsUpExtendCode" max 32,
    /// `OutId`: your own reference, echoed back.
    pub out_id: Option<String> => "OutId" max 256,
    /// `CodeLength`: 4–8 (service default 4).
    pub code_length: Option<u32> => "CodeLength",
    /// `ValidTime`: seconds the code stays valid (service default 300).
    pub valid_time: Option<u64> => "ValidTime",
    /// `DuplicatePolicy`.
    pub duplicate_policy: Option<DuplicatePolicy> => "DuplicatePolicy",
    /// `Interval`: seconds before another code may be sent to this number (service default 60).
    pub interval: Option<u64> => "Interval",
    /// `CodeType`.
    pub code_type: Option<CodeType> => "CodeType",
    /// `ReturnVerifyCode`: return the code in the answer (for your own records or tests).
    pub return_verify_code: Option<bool> => "ReturnVerifyCode",
    /// `AutoRetry`: let the service retry delivery on another channel (1 = yes).
    pub auto_retry: Option<i64> => "AutoRetry",
    /// `DuplicateCheck` (in the product's sample; newer than the 2.0.0 SDK).
    pub duplicate_check: Option<bool> => "DuplicateCheck",
    /// `EarlyWarn` (in the product's sample; newer than the 2.0.0 SDK).
    pub early_warn: Option<bool> => "EarlyWarn",
    /// `OwnerId`.
    pub owner_id: Option<i64> => "OwnerId",
    /// `ResourceOwnerAccount`.
    pub resource_owner_account: Option<String> => "ResourceOwnerAccount" max 256,
    /// `ResourceOwnerId`.
    pub resource_owner_id: Option<i64> => "ResourceOwnerId",
}
}

request_fields! {
/// `CheckSmsVerifyCode`: check a code the user typed.
///
/// ```
/// use smsauth::CheckSmsVerifyCodeRequest;
/// let req = CheckSmsVerifyCodeRequest::new("13800138000", "4232");
/// assert_eq!(req.to_params().unwrap(), vec![("PhoneNumber", "13800138000".to_string()), ("VerifyCode", "4232".to_string())]);
/// assert!(CheckSmsVerifyCodeRequest::new("13800138000", "12").to_params().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckSmsVerifyCodeRequest (CheckFields) {
    /// `PhoneNumber` (required), normalised as for sending.
    pub phone_number: String => "PhoneNumber",
    /// `VerifyCode` (required): 4–8 ASCII letters or digits.
    pub verify_code: String => "VerifyCode",
    /// `CountryCode`.
    pub country_code: Option<String> => "CountryCode",
    /// `SchemeName`: must match the one used to send.
    pub scheme_name: Option<String> => "SchemeName" max 20,
    /// `OutId`.
    pub out_id: Option<String> => "OutId" max 256,
    /// `CaseAuthPolicy`.
    pub case_auth_policy: Option<CaseAuthPolicy> => "CaseAuthPolicy",
    /// `OwnerId`.
    pub owner_id: Option<i64> => "OwnerId",
    /// `ResourceOwnerAccount`.
    pub resource_owner_account: Option<String> => "ResourceOwnerAccount" max 256,
    /// `ResourceOwnerId`.
    pub resource_owner_id: Option<i64> => "ResourceOwnerId",
}
}

impl SendSmsVerifyCodeRequest {
    /// A request for `phone_number` with nothing else set (the client fills its defaults).
    pub fn new(phone_number: impl Into<String>) -> Self {
        SendSmsVerifyCodeRequest { phone_number: phone_number.into(), ..Default::default() }
    }

    /// Validate and produce the wire parameters, in the API's field order.
    pub fn to_params(&self) -> Result<Vec<(&'static str, String)>> {
        let f = &Self::F;
        let country = country_code(self.country_code.as_deref())?;
        let mut p = Params::default();
        p.push(&f.phone_number, normalize_phone(&self.phone_number, country.as_deref())?);
        p.opt(&f.country_code, country);
        p.push(&f.sign_name, bounded(&f.sign_name, required(&f.sign_name, self.sign_name.as_deref())?)?);
        p.push(
            &f.template_code,
            bounded(&f.template_code, required(&f.template_code, self.template_code.as_deref())?)?,
        );
        let template = bounded(&f.template_param, required(&f.template_param, self.template_param.as_deref())?)?;
        check_template_param(&template)?;
        p.push(&f.template_param, template);
        p.opt(&f.scheme_name, text_opt(&f.scheme_name, self.scheme_name.as_deref())?);
        p.opt(&f.sms_up_extend_code, text_opt(&f.sms_up_extend_code, self.sms_up_extend_code.as_deref())?);
        p.opt(&f.out_id, bounded_opt(&f.out_id, self.out_id.as_deref())?);
        if let Some(len) = self.code_length {
            if !(4..=8).contains(&len) {
                return Err(Error::invalid_input(
                    f.code_length.wire,
                    format_args!("must be between 4 and 8, got {len}"),
                ));
            }
            p.push(&f.code_length, len.to_string());
        }
        p.opt(&f.valid_time, seconds(&f.valid_time, self.valid_time)?);
        p.opt(&f.duplicate_policy, self.duplicate_policy.map(|v| v.value().to_string()));
        p.opt(&f.interval, seconds(&f.interval, self.interval)?);
        p.opt(&f.code_type, self.code_type.map(|v| v.value().to_string()));
        p.opt(&f.return_verify_code, self.return_verify_code.map(|b| b.to_string()));
        if let Some(v) = self.auto_retry
            && !(0..=1).contains(&v)
        {
            return Err(Error::invalid_input(f.auto_retry.wire, format_args!("must be 0 or 1, got {v}")));
        }
        p.opt(&f.auto_retry, self.auto_retry.map(|v| v.to_string()));
        p.opt(&f.duplicate_check, self.duplicate_check.map(|b| b.to_string()));
        p.opt(&f.early_warn, self.early_warn.map(|b| b.to_string()));
        p.opt(&f.owner_id, self.owner_id.map(|v| v.to_string()));
        p.opt(
            &f.resource_owner_account,
            bounded_opt(&f.resource_owner_account, self.resource_owner_account.as_deref())?,
        );
        p.opt(&f.resource_owner_id, self.resource_owner_id.map(|v| v.to_string()));
        Ok(p.0)
    }
}

impl CheckSmsVerifyCodeRequest {
    /// A request to check `verify_code` for `phone_number`.
    pub fn new(phone_number: impl Into<String>, verify_code: impl Into<String>) -> Self {
        CheckSmsVerifyCodeRequest {
            phone_number: phone_number.into(),
            verify_code: verify_code.into(),
            ..Default::default()
        }
    }

    /// Validate and produce the wire parameters.
    pub fn to_params(&self) -> Result<Vec<(&'static str, String)>> {
        let f = &Self::F;
        let country = country_code(self.country_code.as_deref())?;
        let mut p = Params::default();
        p.push(&f.phone_number, normalize_phone(&self.phone_number, country.as_deref())?);
        p.opt(&f.country_code, country);
        p.push(&f.verify_code, verify_code(&self.verify_code)?);
        p.opt(&f.scheme_name, text_opt(&f.scheme_name, self.scheme_name.as_deref())?);
        p.opt(&f.out_id, bounded_opt(&f.out_id, self.out_id.as_deref())?);
        p.opt(&f.case_auth_policy, self.case_auth_policy.map(|v| v.value().to_string()));
        p.opt(&f.owner_id, self.owner_id.map(|v| v.to_string()));
        p.opt(
            &f.resource_owner_account,
            bounded_opt(&f.resource_owner_account, self.resource_owner_account.as_deref())?,
        );
        p.opt(&f.resource_owner_id, self.resource_owner_id.map(|v| v.to_string()));
        Ok(p.0)
    }
}

/// The wire parameters, each named by its field's table entry.
#[derive(Default)]
struct Params(Vec<(&'static str, String)>);

impl Params {
    fn push(&mut self, field: &Field, value: String) {
        self.0.push((field.wire, value));
    }

    fn opt(&mut self, field: &Field, value: Option<String>) {
        if let Some(v) = value {
            self.push(field, v);
        }
    }
}

fn required(field: &Field, value: Option<&str>) -> Result<String> {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        Some(_) => Err(Error::invalid_input(field.wire, "must not be empty")),
        None => Err(Error::invalid_input(
            field.wire,
            "is required; set it on the request or as a client default (see the console for preset values)",
        )),
    }
}

fn seconds(field: &Field, value: Option<u64>) -> Result<Option<String>> {
    match value {
        Some(v) if !(1..=MAX_SECONDS).contains(&v) => Err(Error::invalid_input(
            field.wire,
            format_args!("must be between 1 and {MAX_SECONDS} seconds (365 days), got {v}"),
        )),
        other => Ok(other.map(|v| v.to_string())),
    }
}

/// Refuse `value` when it has more characters than the field's [`Field::max_chars`].
fn bounded(field: &Field, value: String) -> Result<String> {
    let Some(max) = field.max_chars else { return Ok(value) };
    // Counting stops early: a 100 MB value costs no more than a short one.
    if value.chars().nth(max).is_some() {
        return Err(Error::invalid_input(
            field.wire,
            format_args!("must be at most {max} characters, got {}", value.chars().count()),
        ));
    }
    Ok(value)
}

fn bounded_opt(field: &Field, value: Option<&str>) -> Result<Option<String>> {
    value.map(|v| bounded(field, v.to_owned())).transpose()
}

/// An optional field that must not be blank and must fit its [`Field::max_chars`].
fn text_opt(field: &Field, value: Option<&str>) -> Result<Option<String>> {
    value.map(|v| bounded(field, required(field, Some(v))?)).transpose()
}

/// `CountryCode` must be 86 (written `86`, `+86` or `0086`): the service supports mainland
/// China numbers only, and any other code would cost a paid request that can only fail.
fn country_code(value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = value else { return Ok(None) };
    let digits = v.trim().strip_prefix('+').unwrap_or(v.trim());
    let digits = digits.strip_prefix("00").unwrap_or(digits);
    if digits != CHINA {
        return Err(Error::invalid_input(
            "CountryCode",
            format_args!(
                "{:?} is not supported; use \"86\" (the service supports mainland China numbers only)",
                excerpt(v)
            ),
        ));
    }
    Ok(Some(digits.to_owned()))
}

/// `138****8000`: enough to tell numbers apart in logs without writing them down. White space is
/// ignored; fewer than 8 characters show as `***`. The one masking every language's logs use.
///
/// ```
/// use smsauth::api::mask_phone;
/// assert_eq!(mask_phone("138 0013 8000"), "138****8000");
/// assert_eq!(mask_phone("1234567"), "***");
/// ```
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() < 8 {
        return "***".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Normalise a phone number. For mainland China (country code 86, the default) the result is
/// the 11-digit number: `+86`, `0086` or `86` prefixes, spaces, dashes, dots and parentheses are
/// removed. Other country codes keep the digits as given.
///
/// ```
/// use smsauth::api::normalize_phone;
/// assert_eq!(normalize_phone("+86 138-0013-8000", None).unwrap(), "13800138000");
/// assert_eq!(normalize_phone("8613800138000", Some("86")).unwrap(), "13800138000");
/// assert!(normalize_phone("2345678901", None).is_err());
/// // With a `+`, the country code must be 86: this is a US number, not a Chinese one.
/// assert!(normalize_phone("+1 415 555 0100", None).is_err());
/// ```
pub fn normalize_phone(raw: &str, country_code: Option<&str>) -> Result<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid_input("PhoneNumber", "must not be empty"));
    }
    let mut digits = String::with_capacity(trimmed.len());
    let mut international = false;
    for c in trimmed.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            '+' if digits.is_empty() && !international => international = true,
            other => {
                return Err(Error::invalid_input(
                    "PhoneNumber",
                    format_args!("contains {other:?}; use digits only, e.g. 13800138000"),
                ));
            }
        }
    }
    if country_code.is_some_and(|c| c != CHINA) {
        if !(4..=20).contains(&digits.len()) {
            return Err(Error::invalid_input("PhoneNumber", "must have 4 to 20 digits"));
        }
        return Ok(digits);
    }
    // "+1 415 555 0100" has 11 digits starting with 1 too: with a `+` the country code is part
    // of the number, and it must be 86.
    let national = if digits.len() == 15 && digits.starts_with("0086") {
        Some(&digits[4..])
    } else if digits.len() == 13 && digits.starts_with("86") {
        Some(&digits[2..])
    } else if international {
        None
    } else {
        Some(&digits[..])
    };
    let Some(national) = national.filter(|n| n.len() == 11 && n.starts_with('1')) else {
        return Err(Error::invalid_input(
            "PhoneNumber",
            format_args!(
                "{:?} is not a mainland China mobile number (11 digits starting with 1, optionally with +86)",
                excerpt(trimmed)
            ),
        ));
    };
    Ok(national.to_owned())
}

/// At most 32 characters of user input, for error messages (a 1 MiB "phone number" must not
/// become a 1 MiB message).
fn excerpt(input: &str) -> String {
    let mut out: String = input.chars().take(32).collect();
    if input.chars().nth(32).is_some() {
        out.push('…');
    }
    out
}

fn verify_code(code: &str) -> Result<String> {
    let code = code.trim();
    if !(4..=8).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid_input("VerifyCode", "must be 4 to 8 ASCII letters or digits"));
    }
    Ok(code.to_owned())
}

/// A JSON object with the [`CODE_PLACEHOLDER`] in one of its string values: that is where the
/// service puts the code, so without it a paid SMS would go out with no code in it.
fn check_template_param(value: &str) -> Result<()> {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Object(map)) => {
            if map.values().any(|v| v.as_str().is_some_and(|s| s.contains(CODE_PLACEHOLDER))) {
                Ok(())
            } else {
                Err(Error::invalid_input(
                    "TemplateParam",
                    "has no \"##code##\" placeholder in its values, so the SMS would carry no code; \
                     add one, e.g. {\"code\":\"##code##\"}",
                ))
            }
        }
        Ok(_) => Err(Error::invalid_input("TemplateParam", "must be a JSON object, e.g. {\"code\":\"##code##\"}")),
        Err(e) => Err(Error::invalid_input(
            "TemplateParam",
            format_args!("is not valid JSON ({e}); use a JSON object, e.g. {{\"code\":\"##code##\"}}"),
        )),
    }
}

/// Build a `TemplateParam` whose `code` is the `##code##` placeholder (the service puts the code
/// it generates there), plus any other template variables.
///
/// ```
/// assert_eq!(smsauth::template_param(&[("min", "5")]), r###"{"code":"##code##","min":"5"}"###);
/// assert_eq!(smsauth::template_param(&[]), r###"{"code":"##code##"}"###);
/// ```
pub fn template_param(extra: &[(&str, &str)]) -> String {
    let mut map = serde_json::Map::new();
    map.insert("code".into(), CODE_PLACEHOLDER.into());
    for (k, v) in extra {
        map.insert((*k).to_owned(), (*v).into());
    }
    serde_json::Value::Object(map).to_string()
}

/// The placeholder the service replaces with the code it generates.
pub const CODE_PLACEHOLDER: &str = "##code##";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn send() -> SendSmsVerifyCodeRequest {
        SendSmsVerifyCodeRequest {
            phone_number: "13800138000".into(),
            sign_name: Some("s".into()),
            template_code: Some("t".into()),
            template_param: Some(template_param(&[])),
            ..Default::default()
        }
    }

    fn field_of(r: Result<Vec<(&'static str, String)>>) -> &'static str {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        e.field().unwrap()
    }

    #[test]
    fn a_field_both_requests_have_has_one_limit() {
        for check in CheckSmsVerifyCodeRequest::FIELDS {
            if let Some(send) = SendSmsVerifyCodeRequest::field(check.wire) {
                assert_eq!(send.max_chars, check.max_chars, "{}", check.wire);
            }
        }
        let limited: Vec<_> = CheckSmsVerifyCodeRequest::FIELDS.iter().filter_map(|f| f.max_chars).collect();
        assert_eq!(limited, [20, 256, 256]);
    }

    #[test]
    fn unset_fields_are_not_sent() {
        let names: Vec<_> = send().to_params().unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["PhoneNumber", "SignName", "TemplateCode", "TemplateParam"]);
    }

    #[test]
    fn every_field_is_sent_with_wire_spelling() {
        let req = SendSmsVerifyCodeRequest {
            country_code: Some("+86".into()),
            scheme_name: Some("默认方案".into()),
            sms_up_extend_code: Some("1234".into()),
            out_id: Some("o".into()),
            code_length: Some(6),
            valid_time: Some(300),
            duplicate_policy: Some(DuplicatePolicy::Keep),
            interval: Some(60),
            code_type: Some(CodeType::Alphanumeric),
            return_verify_code: Some(true),
            auto_retry: Some(1),
            duplicate_check: Some(false),
            early_warn: Some(true),
            owner_id: Some(1),
            resource_owner_account: Some("a".into()),
            resource_owner_id: Some(2),
            ..send()
        };
        let p = req.to_params().unwrap();
        let get = |k: &str| p.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(p.len(), 20);
        assert_eq!(get("CountryCode"), Some("86"));
        assert_eq!(get("DuplicatePolicy"), Some("2"));
        assert_eq!(get("CodeType"), Some("7"));
        assert_eq!(get("ReturnVerifyCode"), Some("true"));
        assert_eq!(get("DuplicateCheck"), Some("false"));
        assert_eq!(get("EarlyWarn"), Some("true"));
        assert_eq!(get("ResourceOwnerId"), Some("2"));
    }

    #[test]
    fn validation_names_the_field() {
        assert_eq!(
            field_of(SendSmsVerifyCodeRequest { phone_number: " ".into(), ..send() }.to_params()),
            "PhoneNumber"
        );
        assert_eq!(field_of(SendSmsVerifyCodeRequest { sign_name: None, ..send() }.to_params()), "SignName");
        assert_eq!(
            field_of(SendSmsVerifyCodeRequest { template_code: Some("".into()), ..send() }.to_params()),
            "TemplateCode"
        );
        for bad in ["[1]", "nope", "\"s\""] {
            let r = SendSmsVerifyCodeRequest { template_param: Some(bad.into()), ..send() };
            assert_eq!(field_of(r.to_params()), "TemplateParam");
        }
        assert_eq!(field_of(SendSmsVerifyCodeRequest { code_length: Some(3), ..send() }.to_params()), "CodeLength");
        assert_eq!(field_of(SendSmsVerifyCodeRequest { code_length: Some(9), ..send() }.to_params()), "CodeLength");
        assert_eq!(field_of(SendSmsVerifyCodeRequest { valid_time: Some(0), ..send() }.to_params()), "ValidTime");
        assert_eq!(field_of(SendSmsVerifyCodeRequest { interval: Some(0), ..send() }.to_params()), "Interval");
        let long = "方".repeat(21);
        assert_eq!(field_of(SendSmsVerifyCodeRequest { scheme_name: Some(long), ..send() }.to_params()), "SchemeName");
        assert!(SendSmsVerifyCodeRequest { scheme_name: Some("方".repeat(20)), ..send() }.to_params().is_ok());
        assert_eq!(
            field_of(SendSmsVerifyCodeRequest { country_code: Some("cn".into()), ..send() }.to_params()),
            "CountryCode"
        );
        assert_eq!(field_of(CheckSmsVerifyCodeRequest::new("13800138000", "12 34").to_params()), "VerifyCode");
        assert_eq!(field_of(CheckSmsVerifyCodeRequest::new("13800138000", "123456789").to_params()), "VerifyCode");
        assert_eq!(CodeType::try_from(0).unwrap_err().field(), Some("CodeType"));
        assert_eq!(CaseAuthPolicy::try_from(0).unwrap_err().field(), Some("CaseAuthPolicy"));
        assert_eq!(DuplicatePolicy::try_from(3).unwrap_err().field(), Some("DuplicatePolicy"));
    }

    #[test]
    fn error_messages_do_not_echo_huge_input() {
        let huge = "1".repeat(1 << 20);
        let e = normalize_phone(&huge, None).unwrap_err();
        assert!(e.to_string().len() < 200, "{}", e.to_string().len());
    }

    #[test]
    fn phone_numbers_normalise() {
        for ok in ["13800138000", "+8613800138000", "86 138 0013 8000", "0086-138-0013-8000", "(+86) 138.0013.8000"] {
            assert_eq!(normalize_phone(ok, None).unwrap(), "13800138000", "{ok}");
        }
        for bad in [
            "1380013800",
            "138001380001",
            "23800138000",
            "+1 138 0013 8000",
            "138O0138000",
            "1380013800０",
            "+1 415 555 0100",
            "(+1) 415 555 0100",
            "++8613800138000",
        ] {
            assert!(normalize_phone(bad, Some("86")).is_err(), "{bad}");
        }
        assert_eq!(normalize_phone("+1 (415) 555-0100", Some("1")).unwrap(), "14155550100");
    }
}
