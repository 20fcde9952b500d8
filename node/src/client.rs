//! The `Client` class: options in, plain result objects out, every call on the core client.

use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use smsauth::api::Call;
use smsauth::attributes::Attributes;
use smsauth::input::{self, NODE, read_fields};
use smsauth::record::Value;
use smsauth::{CheckSmsVerifyCodeResponse, FieldValue, SendSmsVerifyCodeResponse};

use crate::args::{self, at, object};
use crate::error;
use crate::observe::{begin, write};
use crate::runtime::{check, promise, rejected};

type CoreSend = smsauth::SendSmsVerifyCodeRequest;
type CoreCheck = smsauth::CheckSmsVerifyCodeRequest;

/// The result objects' builders, registered once per environment by `index.js`
/// ([`crate::register`]): plain functions returning an object literal, so every result
/// has one fixed shape that the engine creates in one step. Building the object property by
/// property through Node-API (`napi_define_properties`, a key string each) cost about as much
/// as everything else on the JavaScript thread's side of the answer
/// (`bench/results/profile-bindings.md`, rounds 3 and 4).
///
/// Each takes the answer's attributes in the order of the core's table ([`Attributes`]), which
/// also writes their TypeScript shapes (`SendResult`, `CheckResult`: `tools/typegen`).
#[derive(Clone, Copy)]
pub(crate) enum Shape {
    /// `sendResult`, from [`SendSmsVerifyCodeResponse`]'s attributes.
    Send,
    /// `checkResult`, from [`CheckSmsVerifyCodeResponse`]'s attributes.
    Check,
}

/// Build a result object with its registered function (JavaScript thread).
fn shape(env: sys::napi_env, which: Shape, args: &[sys::napi_value]) -> Result<sys::napi_value> {
    let env = Env::from_raw(env);
    let Some(f) = crate::runtime::env_state(&env)?.shapes.get(which as usize) else {
        return Err(Error::new(Status::GenericFailure, "index.js did not register the result shapes"));
    };
    let f = f.borrow_back(&env)?;
    let (mut this, mut out) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: JavaScript thread; `f` is a live function and `args` live values.
    unsafe {
        check(sys::napi_get_undefined(env.raw(), &mut this))?;
        check(sys::napi_call_function(env.raw(), this, f.raw(), args.len(), args.as_ptr(), &mut out))?;
    }
    Ok(out)
}

/// A string value; ASCII (as almost every answer's text is) is copied as Latin-1, which the
/// engine stores as it is instead of decoding UTF-8.
fn text(env: sys::napi_env, s: &str) -> Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    // SAFETY: JavaScript thread; the pointer and length describe `s`.
    check(unsafe {
        if s.is_ascii() {
            sys::napi_create_string_latin1(env, s.as_ptr().cast(), s.len() as isize, &mut out)
        } else {
            sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out)
        }
    })?;
    Ok(out)
}

/// An attribute's value; absent is `undefined` (a result builder then leaves the property out).
pub(crate) fn value(env: sys::napi_env, v: Value<'_>) -> Result<sys::napi_value> {
    // SAFETY (every conversion): JavaScript thread, where values are converted.
    unsafe {
        match v {
            Value::Text(s) => text(env, s),
            Value::Bool(b) => ToNapiValue::to_napi_value(env, b),
            Value::Unsigned(n) => match u32::try_from(n) {
                Ok(n) => ToNapiValue::to_napi_value(env, n),
                Err(_) => ToNapiValue::to_napi_value(env, n as f64),
            },
            Value::Float(n) => ToNapiValue::to_napi_value(env, n),
            _ => ToNapiValue::to_napi_value(env, ()),
        }
    }
}

/// A call's answer, built by its [`Shape`]'s function from the core's attribute table.
pub(crate) struct Answer<T>(T);

/// The answers that have a registered builder.
pub(crate) trait Shaped: Attributes {
    const SHAPE: Shape;
}

impl Shaped for SendSmsVerifyCodeResponse {
    const SHAPE: Shape = Shape::Send;
}

impl Shaped for CheckSmsVerifyCodeResponse {
    const SHAPE: Shape = Shape::Check;
}

impl<T: Shaped> ToNapiValue for Answer<T> {
    unsafe fn to_napi_value(env: sys::napi_env, answer: Self) -> Result<sys::napi_value> {
        let mut args = [ptr::null_mut(); 16];
        let attributes = T::ATTRIBUTES;
        for (arg, a) in args.iter_mut().zip(attributes) {
            *arg = value(env, (a.get)(&answer.0))?;
        }
        shape(env, T::SHAPE, &args[..attributes.len()])
    }
}

/// The context object `index.js` passes when the call is observed (see `observe.rs`).
type Context<'env> = Option<Object<'env>>;

/// The promise a call returns.
type JsPromise<'env> = Result<Object<'env>>;

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
    pub fn send_code<'env>(&self, env: &'env Env, args: String, trace: Context<'env>) -> JsPromise<'env> {
        self.run::<CoreSend>(env, &args, trace, true)
    }

    /// Check the `code` the user typed for `phone`. Resolves with `passed: true` only when the
    /// service said `PASS`; a wrong or expired code resolves with `passed: false`.
    #[napi(
        ts_args_type = "phone: string, code: string, overrides?: CheckOverrides",
        ts_return_type = "Promise<CheckResult>"
    )]
    pub fn check_code<'env>(&self, env: &'env Env, args: String, trace: Context<'env>) -> JsPromise<'env> {
        self.run::<CoreCheck>(env, &args, trace, true)
    }

    /// `SendSmsVerifyCode` exactly as given: the client's defaults are not applied.
    #[napi(ts_args_type = "request: SendSmsVerifyCodeRequest", ts_return_type = "Promise<SendResult>")]
    pub fn send_sms_verify_code<'env>(&self, env: &'env Env, args: String, trace: Context<'env>) -> JsPromise<'env> {
        self.run::<CoreSend>(env, &args, trace, false)
    }

    /// `CheckSmsVerifyCode` exactly as given: the client's defaults are not applied.
    #[napi(ts_args_type = "request: CheckSmsVerifyCodeRequest", ts_return_type = "Promise<CheckResult>")]
    pub fn check_sms_verify_code<'env>(&self, env: &'env Env, args: String, trace: Context<'env>) -> JsPromise<'env> {
        self.run::<CoreCheck>(env, &args, trace, false)
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

impl Client {
    /// Start the call `R` in its short form (`short`: the positional arguments of
    /// [`Call::ARGUMENTS`], then `overrides`; the client's defaults and guard) or with the request
    /// object exactly as given. A bad argument rejects the promise, as in any `async function`; the
    /// answer is shaped by [`Answer`].
    fn run<'env, R>(&self, env: &'env Env, args: &str, trace: Context<'env>, short: bool) -> JsPromise<'env>
    where
        R: Call<Response: Shaped + Send>,
    {
        let start = || {
            let args = args::parse(env, args)?;
            let mut req = R::default();
            let mut key = None;
            if short {
                for (i, &(name, field)) in R::ARGUMENTS.iter().enumerate() {
                    let value = args::arg(env, &args, i, name, args::text)?;
                    req.set(field, Some(FieldValue::Text(value))).map_err(|e| error::core_error(env, &e))?;
                }
                key = object(env, "overrides", at(&args, R::ARGUMENTS.len()), false, |f| {
                    read_fields(f, R::FIELDS, false, |name, v| req.set(name, v))?;
                    if R::KEYED { f.text(&NODE.name("client_key")) } else { Ok(None) }
                })?;
            } else {
                object(env, "request", at(&args, 0), true, |f| read_fields(f, R::FIELDS, true, |n, v| req.set(n, v)))?;
            }
            Ok((begin::<R>(trace, req.phone())?, req.run(self.inner.clone(), short, key)))
        };
        match start() {
            Ok((trace, fut)) => promise(env, fut, Answer, trace, R::ACTION),
            Err(e) => rejected(env, e),
        }
    }
}
