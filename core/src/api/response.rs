//! Typed answers. Every field the service returns is kept; unknown `VerifyResult` values are
//! kept too rather than failing the parse.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// The answer to `SendSmsVerifyCode` whose `Code` was `OK`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SendSmsVerifyCodeResponse {
    /// `RequestId` of the call.
    pub request_id: String,
    /// `Code`: `OK` here (any other code is returned as an error).
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `Success`.
    pub success: bool,
    /// `AccessDeniedDetail`, as raw JSON text when present and not empty.
    #[serde(deserialize_with = "detail")]
    pub access_denied_detail: Option<String>,
    /// `Model`.
    pub model: SendModel,
    /// HTTP status of the answer.
    #[serde(skip)]
    pub http_status: u16,
}

/// `Model` of a send answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SendModel {
    /// `BizId`: the delivery receipt id.
    #[serde(deserialize_with = "text")]
    pub biz_id: Option<String>,
    /// `OutId`, echoed.
    #[serde(deserialize_with = "text")]
    pub out_id: Option<String>,
    /// `RequestId` of the inner request.
    #[serde(deserialize_with = "text")]
    pub request_id: Option<String>,
    /// `VerifyCode`: only when `ReturnVerifyCode` was true.
    #[serde(deserialize_with = "text")]
    pub verify_code: Option<String>,
}

/// The answer to `CheckSmsVerifyCode` whose `Code` was `OK`. A wrong code is not an error:
/// [`passed`](Self::passed) is `false`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CheckSmsVerifyCodeResponse {
    /// `RequestId` of the call (the official SDK 2.0.0 drops it; we keep it).
    pub request_id: String,
    /// `Code`: `OK` here.
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `Success`.
    pub success: bool,
    /// `AccessDeniedDetail`, as raw JSON text when present and not empty.
    #[serde(deserialize_with = "detail")]
    pub access_denied_detail: Option<String>,
    /// `Model`.
    pub model: CheckModel,
    /// HTTP status of the answer.
    #[serde(skip)]
    pub http_status: u16,
}

impl CheckSmsVerifyCodeResponse {
    /// `true` only when the service said `PASS`.
    pub fn passed(&self) -> bool {
        self.model.verify_result == VerifyResult::Pass
    }
}

/// `Model` of a check answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CheckModel {
    /// `OutId`, echoed.
    #[serde(deserialize_with = "text")]
    pub out_id: Option<String>,
    /// `VerifyResult`.
    pub verify_result: VerifyResult,
}

/// `VerifyResult` of a check.
///
/// ```
/// use smsauth::VerifyResult;
/// assert_eq!(VerifyResult::from("PASS"), VerifyResult::Pass);
/// assert_eq!(VerifyResult::from("LOCKED").as_str(), "LOCKED");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum VerifyResult {
    /// `PASS`: the code is right.
    Pass,
    /// `UNKNOWN`: wrong, expired or never sent (the service does not say which).
    #[default]
    Unknown,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

impl VerifyResult {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            VerifyResult::Pass => "PASS",
            VerifyResult::Unknown => "UNKNOWN",
            VerifyResult::Other(s) => s,
        }
    }
}

impl From<&str> for VerifyResult {
    fn from(s: &str) -> Self {
        match s {
            "PASS" => VerifyResult::Pass,
            "UNKNOWN" => VerifyResult::Unknown,
            other => VerifyResult::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for VerifyResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for VerifyResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        Ok(s.as_deref().map(VerifyResult::from).unwrap_or_default())
    }
}

/// An optional text of a `Model`: the service sends `""` (or `null`) for "none", so an empty
/// value is `None` here and every language shows "absent" the same way.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

/// `AccessDeniedDetail` comes as `""`, absent, or an object: keep non-empty values as JSON text.
fn detail<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) if s.is_empty() => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// The minimal shape every answer shares, read first to decide success or error.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct Envelope {
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub host_id: Option<String>,
    pub recommend: Option<String>,
    #[serde(deserialize_with = "detail")]
    pub access_denied_detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_recorded_answers() {
        let send: SendSmsVerifyCodeResponse = serde_json::from_str(
            r#"{"AccessDeniedDetail":"","Code":"OK","Message":"成功","Model":{"BizId":"112233445566^0","OutId":"","RequestId":"a1b2c3d4e5f6","VerifyCode":"4232"},"RequestId":"A1B2C3D4-0000-4000-8000-000000000001","Success":true}"#,
        )
        .unwrap();
        assert_eq!(send.model.biz_id.as_deref(), Some("112233445566^0"));
        assert_eq!(send.model.verify_code.as_deref(), Some("4232"));
        assert_eq!(send.model.out_id, None, "an empty OutId is absent");
        assert_eq!(send.access_denied_detail, None);
        let check: CheckSmsVerifyCodeResponse = serde_json::from_str(
            r#"{"Code":"OK","Message":"成功","Model":{"OutId":"o","VerifyResult":"PASS"},"RequestId":"r","Success":true,"AccessDeniedDetail":{"AuthAction":"x"}}"#,
        )
        .unwrap();
        assert!(check.passed());
        assert_eq!(check.request_id, "r");
        assert_eq!(check.access_denied_detail.as_deref(), Some(r#"{"AuthAction":"x"}"#));
        let odd: CheckSmsVerifyCodeResponse =
            serde_json::from_str(r#"{"Code":"OK","Model":{"VerifyResult":"LOCKED"}}"#).unwrap();
        assert!(!odd.passed());
        assert_eq!(odd.model.verify_result, VerifyResult::Other("LOCKED".into()));
        let empty: CheckSmsVerifyCodeResponse =
            serde_json::from_str(r#"{"Code":"OK","Model":{"OutId":null,"VerifyResult":"PASS"}}"#).unwrap();
        assert_eq!(empty.model.out_id, None);
    }
}
