//! # smsauth
//!
//! A small, fast, correct client for Alibaba Cloud SMS Auth (号码认证服务, product Dypnsapi, API
//! 2017-05-25): `SendSmsVerifyCode` and `CheckSmsVerifyCode`.
//!
//! - [`sign`]: V1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256) signing and server-side verification,
//!   pure functions of request, credentials, time and nonce.
//! - [`api`]: typed requests (validated before any network call) and responses.
//! - [`Client`] (async) and [`blocking::Client`]: send and check with client-level defaults,
//!   retries that never send an SMS twice, and one [`Error`] type whose [`ErrorKind`] every
//!   binding maps 1:1.
//! - [`guard`]: the abuse guard consulted before the paid call (per-phone, per-client,
//!   per-prefix and budget limits, wrong-code locks), in memory or in Redis.
//!
//! ```no_run
//! # fn main() -> smsauth::Result<()> {
//! let client = smsauth::blocking::Client::from_async(
//!     smsauth::Client::builder()
//!         .access_key("LTAI5tExampleKeyId01", "your-secret")
//!         .sign_name("速通互联验证码")
//!         .template_code("100001")
//!         .build()?,
//! );
//! client.send_code("+86 138 0013 8000")?;
//! let passed = client.check_code("13800138000", "4232")?.passed();
//! # Ok(()) }
//! ```

pub mod api;
pub mod attributes;
mod client;
pub mod credentials;
pub mod error;
pub mod guard;
pub mod input;
pub mod observe;
pub mod options;
pub mod record;
pub mod runtime;
mod secret;
pub mod sign;
pub mod summary;
mod tls;

pub use api::{
    CaseAuthPolicy, CheckSmsVerifyCodeRequest, CheckSmsVerifyCodeResponse, CodeType, DuplicatePolicy, Field, FieldKind,
    FieldValue, SendSmsVerifyCodeRequest, SendSmsVerifyCodeResponse, VerifyResult, template_param,
};
pub use client::{
    CallEvent, Client, ClientBuilder, ClientStats, Defaults, Endpoint, EventListener, GuardDecision,
    LATENCY_BUCKETS_MS, MAX_DURATION, PROXY_SCHEMES, RetryPolicy, blocking,
};
pub use credentials::{Credentials, ProvideCredentials, Secret, StaticProvider};
pub use error::{Delivery, Error, ErrorKind, Result, ServiceDetail};
pub use guard::{FailPolicy, Guard, GuardConfig, GuardStats, Limit, WrongCodeLimit};
pub use options::{ClientOption, OptionKind, OptionValue};
pub use sign::SignatureVersion;

/// Entry points for fuzzing internals that have no public API of their own.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    use crate::api::{CheckSmsVerifyCodeRequest, SendSmsVerifyCodeRequest};
    use crate::client::transport::{RawResponse, classify};

    /// Interpret an answer as the client does (must never panic).
    pub fn classify_answer(status: u16, body: &[u8]) {
        let raw = || RawResponse { status, retry_after: None, body: body.to_vec() };
        let _ = classify::<SendSmsVerifyCodeRequest>(raw());
        let _ = classify::<CheckSmsVerifyCodeRequest>(raw());
    }
}

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
