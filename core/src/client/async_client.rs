//! The async [`Client`] and the state its clones share.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::builder::{ClientBuilder, HttpConfig};
use super::events::{Attempts, CallScope, ClientStats, Counters, GuardDecision, Listener, Summarize};
use super::retry::RetryPolicy;
use super::{Defaults, Endpoint, transport};
use crate::api::{
    API_VERSION, CheckSmsVerifyCodeRequest, CheckSmsVerifyCodeResponse, Operation, SendSmsVerifyCodeRequest,
    SendSmsVerifyCodeResponse,
};
use crate::credentials::SharedProvider;
use crate::error::{Delivery, Error, ErrorKind, Result};
use crate::guard::Guard;
use crate::sign::{RpcRequest, SignatureVersion, Stamp, sign_without_explanation};

pub(super) struct Inner {
    pub(super) endpoint: Endpoint,
    /// The endpoint's URL, parsed once.
    pub(super) target: transport::Target,
    pub(super) http_config: HttpConfig,
    /// The HTTP client and the process that built it: after `fork()` the child builds its own,
    /// since pooled connections belong to the parent's runtime.
    pub(super) http: Mutex<(u32, reqwest::Client)>,
    pub(super) credentials: SharedProvider,
    pub(super) version: SignatureVersion,
    pub(super) timeout: Duration,
    pub(super) retry: RetryPolicy,
    pub(super) defaults: Defaults,
    pub(super) user_agent: String,
    pub(super) guard: Option<Guard>,
    pub(super) listener: Listener,
    pub(super) counters: Counters,
}

impl Inner {
    /// The HTTP client for a call made now: the calling thread's own when it drives the call
    /// itself ([`crate::runtime::block_on_here`]), else the shared one.
    fn http(self: &Arc<Self>) -> Result<reqwest::Client> {
        if crate::runtime::on_caller_runtime() {
            return super::per_thread::http(self);
        }
        let pid = crate::runtime::process_id();
        let mut slot = self.http.lock().unwrap_or_else(|p| p.into_inner());
        if slot.0 != pid {
            *slot = (pid, self.http_config.build()?);
        }
        Ok(slot.1.clone())
    }

    /// Open the span and event of one call.
    fn scope(&self, action: &'static str, phone: &str, guard: GuardDecision) -> CallScope {
        CallScope::start(action, self.version, &self.endpoint, phone, guard, self.listener.0.is_some())
    }

    /// Close a call: its span, counters and listener.
    fn finish<R: Summarize>(&self, scope: CallScope, result: std::result::Result<&R, &Error>) {
        scope.finish(result, &self.endpoint, &self.counters, &self.listener);
    }

    async fn call<O: Operation>(
        self: &Arc<Self>,
        params: Vec<(&'static str, String)>,
        attempts: &mut Attempts,
    ) -> Result<O::Response>
    where
        O::Response: Summarize,
    {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let http = self.http()?;
        // Built once for all attempts (each signs it afresh); the values are moved, not copied.
        let mut req = RpcRequest::new(self.endpoint.authority.as_str(), O::ACTION, API_VERSION);
        req.params = params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let mut attempt = 0;
        loop {
            attempt += 1;
            attempts.count = attempt;
            let result = match tokio::time::timeout_at(deadline, self.attempt::<O>(&http, &req)).await {
                Ok(r) => r,
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{} did not finish within the {:?} deadline; {}",
                        O::ACTION,
                        self.timeout,
                        if O::REPEATABLE {
                            "it is safe to retry"
                        } else {
                            "the SMS may or may not have been sent: do not resend blindly (check the outcome or wait for the Interval)"
                        }
                    ),
                )
                .with_delivery(Delivery::Unknown)),
            };
            let err = match result {
                Ok(resp) => return Ok(resp),
                Err(e) => e,
            };
            let Some(delay) = self.retry.delay_after(attempt, &err, O::REPEATABLE) else {
                return Err(err);
            };
            if tokio::time::Instant::now() + delay >= deadline {
                return Err(err);
            }
            attempts.retried_after(&err);
            tracing::debug!(action = O::ACTION, attempt, ?delay, error = %err, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt<O: Operation>(&self, http: &reqwest::Client, req: &RpcRequest) -> Result<O::Response>
    where
        O::Response: Summarize,
    {
        let creds = self.credentials.provide().await?;
        let request = {
            // Only the bytes are sent: the explanation would be built and dropped on every call.
            let signed = sign_without_explanation(req, self.version, &creds, &Stamp::fresh()?);
            self.target.request(signed)?
        };
        let raw = transport::send(http, request).await?;
        tracing::debug!(action = O::ACTION, status = raw.status, bytes = raw.body.len(), "answer");
        // A gateway `SignatureDoesNotMatch` echoes the V1 string-to-sign, STS token included.
        transport::classify::<O>(raw).map_err(|e| transport::redact_token(e, creds.security_token()))
    }
}

/// The async SMS Auth client. Cheap to clone (an `Arc` inside) and shareable across threads.
///
/// Requests run on the crate's own runtime ([`crate::runtime`]), so the futures can be awaited
/// from any executor; awaited inside [`crate::runtime::block_on_here`] (as the blocking client
/// does), they run on the calling thread instead.
///
/// ```no_run
/// # async fn demo() -> smsauth::Result<()> {
/// let client = smsauth::Client::builder()
///     .sign_name("速通互联验证码")
///     .template_code("100001")
///     .build()?; // AccessKey from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET
/// client.send_code("13800138000").await?;
/// let result = client.check_code("13800138000", "4232").await?;
/// if result.passed() { /* signed in */ }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.target.base_url())
            .field("signature_version", &self.inner.version)
            .field("credentials", &self.inner.credentials)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("defaults", &self.inner.defaults)
            .field("guard", &self.inner.guard)
            .field("on_event", &self.inner.listener)
            .finish()
    }
}

impl Client {
    /// Start configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Where this client sends requests.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The user agent sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The request defaults.
    pub fn defaults(&self) -> &Defaults {
        &self.inner.defaults
    }

    /// Send a code to `phone` with the client's defaults.
    pub async fn send_code(&self, phone: &str) -> Result<SendSmsVerifyCodeResponse> {
        self.send_code_with(SendSmsVerifyCodeRequest::new(phone)).await
    }

    /// Send with `req`, its unset fields filled from the client's defaults.
    pub async fn send_code_with(&self, req: SendSmsVerifyCodeRequest) -> Result<SendSmsVerifyCodeResponse> {
        self.send_code_with_key(req, None).await
    }

    /// Send a code to `phone` on behalf of `client_key` — the caller's IP address, device or
    /// session id — so the guard's per-client limits apply (see [`ClientBuilder::guard`]).
    pub async fn send_code_for(&self, phone: &str, client_key: &str) -> Result<SendSmsVerifyCodeResponse> {
        self.send_code_with_key(SendSmsVerifyCodeRequest::new(phone), Some(client_key)).await
    }

    /// Send with `req` (unset fields from the client's defaults) on behalf of `client_key`.
    ///
    /// With a guard, the request is validated first, then the guard is asked (a refusal is an
    /// [`ErrorKind::GuardDenied`] error and nothing is sent), then the request is sent; if it
    /// provably never reached the service, the guard gets its slot back. Without a guard the key
    /// is not used.
    pub async fn send_code_with_key(
        &self,
        mut req: SendSmsVerifyCodeRequest,
        client_key: Option<&str>,
    ) -> Result<SendSmsVerifyCodeResponse> {
        self.inner.defaults.apply_send(&mut req);
        let Some(guard) = &self.inner.guard else {
            return self.send_sms_verify_code(req).await;
        };
        // Validate (and normalize the number) before the guard counts anything.
        let params = self.refused::<SendSmsVerifyCodeRequest, _>(&req.phone_number, req.to_params())?;
        let phone = param(&params, "PhoneNumber");
        let permit = guard.send_permit(phone, param_opt(&params, "CountryCode"), client_key).await;
        let permit = self.refused::<SendSmsVerifyCodeRequest, _>(phone, permit)?;
        let result = self.execute(req, GuardDecision::Allowed).await;
        if let Err(e) = &result
            && !e.may_have_been_received()
        {
            permit.refund().await;
        }
        result
    }

    /// Check `code` for `phone` with the client's defaults. A wrong code is `Ok` with
    /// `passed() == false`.
    pub async fn check_code(&self, phone: &str, code: &str) -> Result<CheckSmsVerifyCodeResponse> {
        self.check_code_with(CheckSmsVerifyCodeRequest::new(phone, code)).await
    }

    /// Check with `req`, its unset fields filled from the client's defaults.
    ///
    /// With a guard, a number locked after too many wrong codes is refused with an
    /// [`ErrorKind::GuardDenied`] error (rule `check:locked`) before any network call; a wrong
    /// code counts towards the lock, a passing one resets it.
    pub async fn check_code_with(&self, mut req: CheckSmsVerifyCodeRequest) -> Result<CheckSmsVerifyCodeResponse> {
        self.inner.defaults.apply_check(&mut req);
        let Some(guard) = &self.inner.guard else {
            return self.check_sms_verify_code(req).await;
        };
        let params = self.refused::<CheckSmsVerifyCodeRequest, _>(&req.phone_number, req.to_params())?;
        let phone = param(&params, "PhoneNumber");
        let permit = guard.check_permit(phone, param_opt(&params, "CountryCode")).await;
        let permit = self.refused::<CheckSmsVerifyCodeRequest, _>(phone, permit)?;
        let result = self.execute(req, GuardDecision::Allowed).await;
        match &result {
            Ok(r) if r.passed() => permit.passed().await,
            Ok(_) => permit.failed(),
            // No answer about the code reached the caller, so it is not a wrong guess.
            Err(_) => permit.refund().await,
        }
        result
    }

    /// A snapshot of this client's counters (shared by its clones) since it was built.
    pub fn stats(&self) -> ClientStats {
        self.inner.counters.snapshot()
    }

    /// The abuse guard, when one is set.
    pub fn guard(&self) -> Option<&Guard> {
        self.inner.guard.as_ref()
    }

    /// `SendSmsVerifyCode` exactly as given (no defaults applied, and not guarded).
    pub async fn send_sms_verify_code(&self, req: SendSmsVerifyCodeRequest) -> Result<SendSmsVerifyCodeResponse> {
        self.execute(req, GuardDecision::NotGuarded).await
    }

    /// `CheckSmsVerifyCode` exactly as given (no defaults applied, and not guarded).
    pub async fn check_sms_verify_code(&self, req: CheckSmsVerifyCodeRequest) -> Result<CheckSmsVerifyCodeResponse> {
        self.execute(req, GuardDecision::NotGuarded).await
    }

    /// Pass `result` through; an error (bad input, a guard refusal) before anything was sent
    /// still makes one event for the call.
    fn refused<O: Operation, T>(&self, phone: &str, result: Result<T>) -> Result<T>
    where
        O::Response: Summarize,
    {
        if let Err(e) = &result {
            self.inner.finish::<O::Response>(self.inner.scope(O::ACTION, phone, GuardDecision::NotGuarded), Err(e));
        }
        result
    }

    async fn execute<O: Operation + 'static>(&self, op: O, guard: GuardDecision) -> Result<O::Response>
    where
        O::Response: Summarize,
    {
        use tracing::Instrument;
        // Validate on the caller's side so bad input fails without touching the runtime.
        let params = op.params();
        let phone = params.as_ref().map(|p| param(p, "PhoneNumber")).unwrap_or_default();
        let mut scope = self.inner.scope(O::ACTION, phone, guard);
        let result = match params {
            Err(e) => Err(e),
            Ok(params) => {
                let inner = Arc::clone(&self.inner);
                let call = async move {
                    let mut attempts = Attempts::default();
                    let result = inner.call::<O>(params, &mut attempts).await;
                    (result, attempts)
                };
                // Boxed: the call's state (retry loop, HTTP future) is kilobytes, and every wrapper a
                // binding puts around this future (observation, its own task) would copy it on
                // each move; a box moves as a pointer.
                match crate::runtime::run_call(Box::pin(call.instrument(scope.span.clone()))).await {
                    Ok((result, attempts)) => {
                        scope.attempts(attempts);
                        result
                    }
                    Err(e) => Err(e),
                }
            }
        };
        self.inner.finish(scope, result.as_ref());
        result
    }
}

fn param_opt<'a>(params: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
}

fn param<'a>(params: &'a [(&'static str, String)], name: &str) -> &'a str {
    param_opt(params, name).unwrap_or_default()
}
