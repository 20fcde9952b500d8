//! One-line descriptions for logs and a binding's description of its objects (Python's `repr`),
//! decided once here: what a log line says about an answer or an error, and what a client's
//! description shows (never a secret).
//!
//! ```
//! use smsauth::summary::Summary;
//! let sent = smsauth::SendSmsVerifyCodeResponse { request_id: "r-1".into(), ..Default::default() };
//! assert_eq!(sent.summary(), "OK request_id=r-1 biz_id=-");
//! let builder = smsauth::Client::builder().access_key("id", "secret");
//! assert_eq!(builder.shown()[0], ("access_key_id", "id".to_owned()));
//! ```

use crate::credentials::CredentialsSource;
use crate::{CheckSmsVerifyCodeResponse, ClientBuilder, Error, OptionValue, SendSmsVerifyCodeResponse};

/// A one-line summary for a log line (no secret, no phone number: the caller adds the masked one).
pub trait Summary {
    /// E.g. `OK request_id=… biz_id=…`, `PASS request_id=…`, `throttled error: …`.
    fn summary(&self) -> String;
}

impl Summary for SendSmsVerifyCodeResponse {
    fn summary(&self) -> String {
        format!("OK request_id={} biz_id={}", self.request_id, self.model.biz_id.as_deref().unwrap_or("-"))
    }
}

impl Summary for CheckSmsVerifyCodeResponse {
    fn summary(&self) -> String {
        format!("{} request_id={}", self.model.verify_result.as_str(), self.request_id)
    }
}

impl Summary for Error {
    fn summary(&self) -> String {
        format!("{} error: {}", self.kind().name(), self.message())
    }
}

/// What a binding tells the user of a call of `action` that it stopped waiting for while the
/// request was in flight (Python: Ctrl-C): its delivery is unknown, and whether calling again is
/// safe (`repeatable`) or may send a second SMS.
pub fn interrupted(action: &str, repeatable: bool) -> String {
    let advice = if repeatable {
        "calling again is safe"
    } else {
        "the SMS may have been sent: do not resend blindly (check the outcome or wait for the Interval)"
    };
    let delivery = crate::Delivery::Unknown.as_str();
    format!("smsauth: {action} was interrupted while in flight; delivery: {delivery} ({advice})")
}

/// The error of a call of `action` whose task ended without an answer (it panicked, or its
/// runtime went away): lost in flight, never "safe to resend".
pub fn lost_task(action: &str) -> Error {
    Error::lost_in_flight(format!(
        "the smsauth task of {action} ended without an answer; its request may have been sent: do not resend a \
         code blindly"
    ))
}

/// The error of a call whose answer came back but could not be turned into the binding's value
/// (a bug in smsauth: the conversion panicked). The caller's promise or future still settles with
/// it, never hangs; its request may have been received.
pub fn unconverted() -> Error {
    Error::lost_in_flight("converting the answer failed (a bug in smsauth); its request may have been received")
}

impl ClientBuilder {
    /// What a description of the client built from here shows, as `(name, value)` pairs: where
    /// its credentials come from (`access_key_id`, `profile`, `role_arn`, or `credentials` =
    /// `default chain`; never a secret), then the signature version and the request defaults
    /// that name what is sent, when set.
    pub fn shown(&self) -> Vec<(&'static str, String)> {
        let source = match self.credentials_source() {
            CredentialsSource::RoleArn(arn) => ("role_arn", arn.to_owned()),
            CredentialsSource::AccessKey(id) => ("access_key_id", id.to_owned()),
            CredentialsSource::Profile(name) => ("profile", name.to_owned()),
            CredentialsSource::DefaultChain => ("credentials", "default chain".to_owned()),
        };
        let mut shown = vec![source];
        for name in ["signature_version", "sign_name", "template_code", "scheme_name"] {
            if let Some(OptionValue::Text(value)) = self.get_option(name) {
                shown.push((name, value));
            }
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_shows_its_credentials_source_and_defaults_but_no_secret() {
        let shown = crate::Client::builder().access_key("id", "s3cret").sign_name("Shop").shown();
        assert!(shown.contains(&("access_key_id", "id".to_owned())), "{shown:?}");
        assert!(shown.contains(&("sign_name", "Shop".to_owned())), "{shown:?}");
        assert!(!format!("{shown:?}").contains("s3cret"));
        let chain = ClientBuilder::default().shown();
        assert_eq!(chain[0], ("credentials", "default chain".to_owned()));
    }

    #[test]
    fn summaries_name_the_outcome_and_request_id() {
        let check = CheckSmsVerifyCodeResponse { request_id: "r-2".into(), ..Default::default() };
        assert!(check.summary().ends_with(" request_id=r-2"), "{}", check.summary());
        let e = Error::invalid_input("PhoneNumber", "is empty");
        assert!(e.summary().starts_with("invalid_input error: "), "{}", e.summary());
        assert!(interrupted("SendSmsVerifyCode", false).contains("do not resend"));
        assert!(interrupted("CheckSmsVerifyCode", true).contains("calling again is safe"));
        assert!(lost_task("SendSmsVerifyCode").may_have_been_received());
        let (lost, unconverted) = (lost_task("SendSmsVerifyCode"), unconverted());
        assert_eq!((unconverted.kind(), unconverted.delivery()), (lost.kind(), lost.delivery()));
    }
}
