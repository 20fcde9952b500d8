//! The `Client` class: options in, plain result objects out, every call on the core client.

use std::future::Future;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use smsauth::input::{self, read_fields};
use smsauth::{CheckSmsVerifyCodeResponse, SendSmsVerifyCodeResponse};

use crate::args::{self, at, object};
use crate::error;
use crate::observe::{Trace, begin, write};
use crate::runtime::{promise, rejected};

type CoreSend = smsauth::SendSmsVerifyCodeRequest;
type CoreCheck = smsauth::CheckSmsVerifyCodeRequest;

/// The answer to a send whose `Code` was `OK` (any other code rejects with an `SmsAuthError`).
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct SendResult {
    /// `Model.BizId`: the delivery receipt id.
    pub biz_id: Option<String>,
    /// `Model.OutId`, echoed.
    pub out_id: Option<String>,
    /// `Model.VerifyCode`: only when `returnVerifyCode` was true.
    pub verify_code: Option<String>,
    /// `RequestId` of the call, to quote to Alibaba Cloud support.
    pub request_id: String,
    /// `Model.RequestId` (the inner request).
    pub model_request_id: Option<String>,
    /// `Code`: always `OK` here.
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `Success`.
    pub success: bool,
    /// `AccessDeniedDetail` as JSON text, when present.
    pub access_denied_detail: Option<String>,
    /// HTTP status of the answer.
    pub http_status: u32,
}

/// The answer to a check whose `Code` was `OK`. A wrong, expired or unknown code is not an
/// error: `passed` is `false` and `verifyResult` is `'UNKNOWN'`.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct CheckResult {
    /// `true` only when the service said `PASS`.
    pub passed: bool,
    /// `Model.VerifyResult`: `'PASS'`, `'UNKNOWN'`, or a value newer than this package.
    #[napi(ts_type = "'PASS' | 'UNKNOWN' | (string & {})")]
    pub verify_result: String,
    /// `Model.OutId`, echoed.
    pub out_id: Option<String>,
    /// `RequestId` of the call.
    pub request_id: String,
    /// `Code`: always `OK` here.
    pub code: String,
    /// `Message`.
    pub message: String,
    /// `Success`.
    pub success: bool,
    /// `AccessDeniedDetail` as JSON text, when present.
    pub access_denied_detail: Option<String>,
    /// HTTP status of the answer.
    pub http_status: u32,
}

fn send_result(r: SendSmsVerifyCodeResponse) -> SendResult {
    SendResult {
        biz_id: r.model.biz_id,
        out_id: r.model.out_id,
        verify_code: r.model.verify_code,
        request_id: r.request_id,
        model_request_id: r.model.request_id,
        code: r.code,
        message: r.message,
        success: r.success,
        access_denied_detail: r.access_denied_detail,
        http_status: u32::from(r.http_status),
    }
}

fn check_result(r: CheckSmsVerifyCodeResponse) -> CheckResult {
    CheckResult {
        passed: r.passed(),
        verify_result: r.model.verify_result.as_str().to_owned(),
        out_id: r.model.out_id,
        request_id: r.request_id,
        code: r.code,
        message: r.message,
        success: r.success,
        access_denied_detail: r.access_denied_detail,
        http_status: u32::from(r.http_status),
    }
}

/// Start one call: `start` converts the arguments and returns the call's future (its failure
/// rejects the promise, as in any `async function`); `convert` shapes the answer.
fn call<'env, T, D, F>(
    env: &'env Env,
    convert: fn(T) -> D,
    start: impl FnOnce() -> Result<(Option<Trace>, F)>,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    D: ToNapiValue + 'static,
    F: Future<Output = smsauth::Result<T>> + Send + 'static,
{
    match start() {
        Ok((trace, fut)) => promise(env, fut, convert, trace),
        Err(e) => rejected(env, e),
    }
}

/// An SMS Auth client. Create one per process and share it: it keeps a connection pool, is safe
/// to use from concurrent calls, and every call runs on the package's Rust runtime without
/// blocking the event loop.
///
/// ```ts
/// import { Client, SmsAuthError } from 'smsauth'
/// const client = new Client({ signName: '速通互联验证码', templateCode: '100001' })
/// await client.sendCode('+86 138 0013 8000')
/// const { passed } = await client.checkCode('13800138000', '4232')
/// ```
#[napi]
#[derive(Debug)]
pub struct Client {
    inner: smsauth::Client,
}

#[napi]
impl Client {
    /// Build a client. Throws a `TypeError` for a wrongly typed option and an `SmsAuthError`
    /// (`ERR_SMSAUTH_INVALID_INPUT` / `ERR_SMSAUTH_CREDENTIALS`) for a bad value or missing
    /// credentials.
    #[napi(constructor, ts_args_type = "options?: ClientOptions")]
    pub fn new(env: &Env, options: String) -> Result<Self> {
        let args = args::parse(env, &options)?;
        let mut b = smsauth::Client::builder().binding("node");
        object(env, "options", at(&args, 0), false, |f| input::read_client(f, &mut b))?;
        Ok(Client { inner: b.build().map_err(|e| error::core_error(env, &e))? })
    }

    /// Send a verification code to `phone` (`+86 138 0013 8000` and `13800138000` both work),
    /// with the client's defaults for every field not in `overrides`.
    ///
    /// Resolves with the service's answer; rejects with an `SmsAuthError` for every failure,
    /// including business answers such as `biz.FREQUENCY` (`ERR_SMSAUTH_THROTTLED`).
    #[napi(ts_args_type = "phone: string, overrides?: SendOverrides", ts_return_type = "Promise<SendResult>")]
    pub fn send_code<'env>(&self, env: &'env Env, args: String, trace: Option<Object<'env>>) -> Result<Object<'env>> {
        call(env, send_result, || {
            let args = args::parse(env, &args)?;
            let phone_number = args::arg(env, &args, 0, "phone", args::text)?;
            let mut req = CoreSend { phone_number, ..Default::default() };
            let key = object(env, "overrides", at(&args, 1), false, |f| {
                read_fields(f, CoreSend::FIELDS, false, |name, v| req.set(name, v))?;
                f.text("clientKey")
            })?;
            let (c, trace) = (self.inner.clone(), begin::<CoreSend>(trace, &req.phone_number)?);
            Ok((trace, async move { c.send_code_with_key(req, key.as_deref()).await }))
        })
    }

    /// Check the `code` the user typed for `phone`. Resolves with `passed: true` only when the
    /// service said `PASS`; a wrong or expired code resolves with `passed: false`.
    #[napi(
        ts_args_type = "phone: string, code: string, overrides?: CheckOverrides",
        ts_return_type = "Promise<CheckResult>"
    )]
    pub fn check_code<'env>(&self, env: &'env Env, args: String, trace: Option<Object<'env>>) -> Result<Object<'env>> {
        call(env, check_result, || {
            let args = args::parse(env, &args)?;
            let phone = args::arg(env, &args, 0, "phone", args::text)?;
            let code = args::arg(env, &args, 1, "code", args::text)?;
            let mut req = CoreCheck { phone_number: phone, verify_code: code, ..Default::default() };
            object(env, "overrides", at(&args, 2), false, |f| {
                read_fields(f, CoreCheck::FIELDS, false, |name, v| req.set(name, v))
            })?;
            let (c, trace) = (self.inner.clone(), begin::<CoreCheck>(trace, &req.phone_number)?);
            Ok((trace, async move { c.check_code_with(req).await }))
        })
    }

    /// `SendSmsVerifyCode` exactly as given: the client's defaults are not applied.
    #[napi(ts_args_type = "request: SendSmsVerifyCodeRequest", ts_return_type = "Promise<SendResult>")]
    pub fn send_sms_verify_code<'env>(
        &self,
        env: &'env Env,
        args: String,
        trace: Option<Object<'env>>,
    ) -> Result<Object<'env>> {
        call(env, send_result, || {
            let args = args::parse(env, &args)?;
            let mut req = CoreSend::default();
            object(env, "request", at(&args, 0), true, |f| {
                read_fields(f, CoreSend::FIELDS, true, |n, v| req.set(n, v))
            })?;
            let (c, trace) = (self.inner.clone(), begin::<CoreSend>(trace, &req.phone_number)?);
            Ok((trace, async move { c.send_sms_verify_code(req).await }))
        })
    }

    /// `CheckSmsVerifyCode` exactly as given: the client's defaults are not applied.
    #[napi(ts_args_type = "request: CheckSmsVerifyCodeRequest", ts_return_type = "Promise<CheckResult>")]
    pub fn check_sms_verify_code<'env>(
        &self,
        env: &'env Env,
        args: String,
        trace: Option<Object<'env>>,
    ) -> Result<Object<'env>> {
        call(env, check_result, || {
            let args = args::parse(env, &args)?;
            let mut req = CoreCheck::default();
            object(env, "request", at(&args, 0), true, |f| {
                read_fields(f, CoreCheck::FIELDS, true, |n, v| req.set(n, v))
            })?;
            let (c, trace) = (self.inner.clone(), begin::<CoreCheck>(trace, &req.phone_number)?);
            Ok((trace, async move { c.check_sms_verify_code(req).await }))
        })
    }

    /// Where requests go, e.g. `https://dypnsapi.aliyuncs.com/`.
    #[napi(getter)]
    pub fn endpoint(&self) -> String {
        self.inner.endpoint().base_url()
    }

    /// `'v3'` or `'v1'`.
    #[napi(getter, ts_return_type = "'v1' | 'v3'")]
    pub fn signature_version(&self) -> String {
        self.inner.signature_version().as_str().to_owned()
    }

    /// The user agent sent with every request.
    #[napi(getter)]
    pub fn user_agent(&self) -> String {
        self.inner.user_agent().to_owned()
    }

    /// The client's counters since it was built: sends, checks, passes, guard denials by rule,
    /// errors by kind and a latency histogram — e.g. for a `/metrics` page.
    #[napi(ts_return_type = "Stats")]
    pub fn stats<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let mut o = Object::new(env)?;
        write(env, &mut o, self.inner.stats().record())?;
        Ok(o)
    }
}
