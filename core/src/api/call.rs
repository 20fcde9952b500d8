//! [`Call`]: what the API's two calls have in common for a binding, so that it reads and runs
//! either with one generic method per form instead of one method per call and form.

use std::future::Future;

use super::{CheckSmsVerifyCodeRequest, Fields, Operation, SendSmsVerifyCodeRequest};
use crate::attributes::Attributes;
use crate::{Client, Result};

/// One API call as the bindings offer it, in two forms: the short one (`send_code(phone,
/// overrides)`, `check_code(phone, code, overrides)`: positional arguments, the client's
/// defaults and guard) and the request exactly as given (`send_sms_verify_code(request)`).
///
/// ```
/// use smsauth::api::Call;
/// use smsauth::{FieldValue, SendSmsVerifyCodeRequest};
/// let mut req = SendSmsVerifyCodeRequest::default();
/// for &(_argument, field) in SendSmsVerifyCodeRequest::ARGUMENTS {
///     req.set(field, Some(FieldValue::Text("13800138000".into()))).unwrap();
/// }
/// assert_eq!(Call::phone(&req), "13800138000");
/// ```
pub trait Call: Operation<Response: Attributes> + Fields + Default + 'static {
    /// The short form's positional arguments, in order: `(argument name, field name)`.
    const ARGUMENTS: &'static [(&'static str, &'static str)];
    /// Whether the short form also takes a `client_key` for the guard's per-client limits.
    const KEYED: bool;

    /// The phone number as given (for the call's event, which masks it).
    fn phone(&self) -> &str;

    /// Run on `client`: the short form (`short`: the client's defaults and guard, with
    /// `client_key` when [`Call::KEYED`]) or exactly as given.
    fn run(
        self,
        client: Client,
        short: bool,
        client_key: Option<String>,
    ) -> impl Future<Output = Result<Self::Response>> + Send + 'static;
}

impl Call for SendSmsVerifyCodeRequest {
    const ARGUMENTS: &'static [(&'static str, &'static str)] = &[("phone", "phone_number")];
    const KEYED: bool = true;

    fn phone(&self) -> &str {
        &self.phone_number
    }

    async fn run(self, client: Client, short: bool, client_key: Option<String>) -> Result<Self::Response> {
        match short {
            true => client.send_code_with_key(self, client_key.as_deref()).await,
            false => client.send_sms_verify_code(self).await,
        }
    }
}

impl Call for CheckSmsVerifyCodeRequest {
    const ARGUMENTS: &'static [(&'static str, &'static str)] = &[("phone", "phone_number"), ("code", "verify_code")];
    const KEYED: bool = false;

    fn phone(&self) -> &str {
        &self.phone_number
    }

    async fn run(self, client: Client, short: bool, _client_key: Option<String>) -> Result<Self::Response> {
        match short {
            true => client.check_code_with(self).await,
            false => client.check_sms_verify_code(self).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FieldValue;

    /// The short form's arguments are required fields of the call's own table, in the table's
    /// order, and set through `set` like any field.
    fn arguments_are_required_fields<R: Call>() {
        let names: Vec<_> = R::ARGUMENTS.iter().map(|&(_, field)| field).collect();
        let required: Vec<_> = R::FIELDS.iter().filter(|f| f.required).map(|f| f.name).collect();
        assert_eq!(names, required, "{}", R::ACTION);
        let mut req = R::default();
        for &(_, field) in R::ARGUMENTS {
            req.set(field, Some(FieldValue::Text("13800138000".into()))).unwrap();
        }
        assert_eq!(req.phone(), "13800138000");
    }

    #[test]
    fn both_calls_take_their_required_fields_as_arguments() {
        arguments_are_required_fields::<SendSmsVerifyCodeRequest>();
        arguments_are_required_fields::<CheckSmsVerifyCodeRequest>();
    }
}
