//! The Dypnsapi 2017-05-25 API: typed requests and responses for `SendSmsVerifyCode` and
//! `CheckSmsVerifyCode`.

mod enums;
pub(crate) mod fields;
mod request;
mod response;
mod unknown;

pub use enums::{CaseAuthPolicy, CodeType, DuplicatePolicy};
pub use fields::{Field, FieldKind, FieldValue, Fields};
pub use request::{
    CHINA, CODE_PLACEHOLDER, CheckSmsVerifyCodeRequest, FIELD_LIMITS, MAX_SECONDS, SendSmsVerifyCodeRequest,
    mask_phone, normalize_phone, template_param,
};
pub(crate) use response::Envelope;
pub use response::{CheckModel, CheckSmsVerifyCodeResponse, SendModel, SendSmsVerifyCodeResponse, VerifyResult};
pub use unknown::unknown_name;

use serde::de::DeserializeOwned;

use crate::error::Result;

/// The product's API version.
pub const API_VERSION: &str = "2017-05-25";
/// The public endpoint (every region uses this one host).
pub const DEFAULT_ENDPOINT: &str = "dypnsapi.aliyuncs.com";

/// One API action: its name, parameters and answer type.
pub trait Operation: Send + Sync {
    /// The action name, e.g. `SendSmsVerifyCode`.
    const ACTION: &'static str;
    /// `false` when a repeat has a cost the user sees (a second SMS): such calls are never
    /// retried once they may have reached the service.
    const REPEATABLE: bool;
    /// The typed answer.
    type Response: DeserializeOwned + Send + 'static;

    /// Validate and produce the wire parameters.
    fn params(&self) -> Result<Vec<(&'static str, String)>>;

    /// Record the HTTP status on the answer.
    fn set_status(response: &mut Self::Response, status: u16);
}

impl Operation for SendSmsVerifyCodeRequest {
    const ACTION: &'static str = "SendSmsVerifyCode";
    const REPEATABLE: bool = false;
    type Response = SendSmsVerifyCodeResponse;

    fn params(&self) -> Result<Vec<(&'static str, String)>> {
        self.to_params()
    }

    fn set_status(response: &mut Self::Response, status: u16) {
        response.http_status = status;
    }
}

impl Operation for CheckSmsVerifyCodeRequest {
    const ACTION: &'static str = "CheckSmsVerifyCode";
    const REPEATABLE: bool = true;
    type Response = CheckSmsVerifyCodeResponse;

    fn params(&self) -> Result<Vec<(&'static str, String)>> {
        self.to_params()
    }

    fn set_status(response: &mut Self::Response, status: u16) {
        response.http_status = status;
    }
}
