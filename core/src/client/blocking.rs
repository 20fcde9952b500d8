//! A blocking client for code without an async runtime (scripts, threads, C callers).

use crate::api::{
    CheckSmsVerifyCodeRequest, CheckSmsVerifyCodeResponse, SendSmsVerifyCodeRequest, SendSmsVerifyCodeResponse,
};
use crate::error::Result;
use crate::runtime::block_on_here;

pub use super::per_thread::POOLS_PER_THREAD;

/// The blocking form of [`crate::Client`]: the same calls, each blocking the current thread.
/// Called from inside an async runtime, it returns an error instead of panicking.
///
/// Each call runs on the calling thread ([`crate::runtime::block_on_here`]), not on the shared
/// runtime's threads, and so uses connections of that thread's own: threads sharing a client
/// each keep their own connection pool for it (at most [`POOLS_PER_THREAD`] clients' pools per
/// thread, dropped when the thread exits). Timeouts, retries, the guard, events and errors are
/// those of the async client.
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
    /// Wrap an async client (they share configuration, counters and guard; connections are per
    /// thread).
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
        block_on_here(self.inner.send_code_with(req))?
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
        block_on_here(self.inner.send_code_with_key(req, client_key))?
    }

    /// See [`crate::Client::check_code`].
    pub fn check_code(&self, phone: &str, code: &str) -> Result<CheckSmsVerifyCodeResponse> {
        self.check_code_with(CheckSmsVerifyCodeRequest::new(phone, code))
    }

    /// See [`crate::Client::check_code_with`].
    pub fn check_code_with(&self, req: CheckSmsVerifyCodeRequest) -> Result<CheckSmsVerifyCodeResponse> {
        block_on_here(self.inner.check_code_with(req))?
    }

    /// See [`crate::Client::send_sms_verify_code`].
    pub fn send_sms_verify_code(&self, req: SendSmsVerifyCodeRequest) -> Result<SendSmsVerifyCodeResponse> {
        block_on_here(self.inner.send_sms_verify_code(req))?
    }

    /// See [`crate::Client::check_sms_verify_code`].
    pub fn check_sms_verify_code(&self, req: CheckSmsVerifyCodeRequest) -> Result<CheckSmsVerifyCodeResponse> {
        block_on_here(self.inner.check_sms_verify_code(req))?
    }
}
