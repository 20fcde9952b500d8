//! A blocking client for code without an async runtime (scripts, threads, C callers).

use crate::api::{
    CheckSmsVerifyCodeRequest, CheckSmsVerifyCodeResponse, SendSmsVerifyCodeRequest, SendSmsVerifyCodeResponse,
};
use crate::error::Result;
use crate::runtime::block_on;

/// The blocking form of [`crate::Client`]: the same calls, each blocking the current thread.
/// Called from inside an async runtime, it returns an error instead of panicking.
///
/// ```no_run
/// let client = smsauth::blocking::Client::from_async(
///     smsauth::Client::builder().sign_name("速通互联验证码").template_code("100001").build()?,
/// );
/// client.send_code("13800138000")?;
/// let ok = client.check_code("13800138000", "4232")?.passed();
/// # Ok::<(), smsauth::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
}

impl Client {
    /// Wrap an async client (they share configuration and connections).
    pub fn from_async(inner: crate::Client) -> Self {
        Client { inner }
    }

    /// The async client inside.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// See [`crate::Client::send_code`].
    pub fn send_code(&self, phone: &str) -> Result<SendSmsVerifyCodeResponse> {
        self.send_code_with(SendSmsVerifyCodeRequest::new(phone))
    }

    /// See [`crate::Client::send_code_with`].
    pub fn send_code_with(&self, req: SendSmsVerifyCodeRequest) -> Result<SendSmsVerifyCodeResponse> {
        let c = self.inner.clone();
        block_on(async move { c.send_code_with(req).await })?
    }

    /// See [`crate::Client::send_code_for`].
    pub fn send_code_for(&self, phone: &str, client_key: &str) -> Result<SendSmsVerifyCodeResponse> {
        self.send_code_with_key(SendSmsVerifyCodeRequest::new(phone), Some(client_key))
    }

    /// See [`crate::Client::send_code_with_key`].
    pub fn send_code_with_key(
        &self,
        req: SendSmsVerifyCodeRequest,
        client_key: Option<&str>,
    ) -> Result<SendSmsVerifyCodeResponse> {
        let c = self.inner.clone();
        let key = client_key.map(str::to_owned);
        block_on(async move { c.send_code_with_key(req, key.as_deref()).await })?
    }

    /// See [`crate::Client::check_code`].
    pub fn check_code(&self, phone: &str, code: &str) -> Result<CheckSmsVerifyCodeResponse> {
        self.check_code_with(CheckSmsVerifyCodeRequest::new(phone, code))
    }

    /// See [`crate::Client::check_code_with`].
    pub fn check_code_with(&self, req: CheckSmsVerifyCodeRequest) -> Result<CheckSmsVerifyCodeResponse> {
        let c = self.inner.clone();
        block_on(async move { c.check_code_with(req).await })?
    }

    /// See [`crate::Client::send_sms_verify_code`].
    pub fn send_sms_verify_code(&self, req: SendSmsVerifyCodeRequest) -> Result<SendSmsVerifyCodeResponse> {
        let c = self.inner.clone();
        block_on(async move { c.send_sms_verify_code(req).await })?
    }

    /// See [`crate::Client::check_sms_verify_code`].
    pub fn check_sms_verify_code(&self, req: CheckSmsVerifyCodeRequest) -> Result<CheckSmsVerifyCodeResponse> {
        let c = self.inner.clone();
        block_on(async move { c.check_sms_verify_code(req).await })?
    }
}
