//! Signing and verification helpers mirroring `smsauth::sign`: pure functions of request,
//! credentials, time and nonce, so the shared vectors give the same bytes here as in Rust.

use std::cell::RefCell;

use napi::JsString;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use smsauth::Secret;
use smsauth::attributes::Attributes;
use smsauth::input::{self, compact};
use smsauth::record::Value;
use smsauth::sign as core_sign;

use crate::args::{self, at, object, optional};
use crate::error;

/// `obj` with `t`'s attributes from the core's table under their Node names (an absent one is
/// left out), and `also(name, obj)` after each. `securityToken` is non-enumerable, so it stays
/// out of logs and JSON. Their TypeScript shapes are written from the same table (by `tools/typegen`).
fn attributes<'env, T: Attributes>(
    env: &'env Env,
    t: &T,
    mut also: impl FnMut(&str, &mut Object<'env>) -> Result<()>,
) -> Result<Object<'env>> {
    let mut obj = Object::new(env)?;
    for a in T::ATTRIBUTES {
        match (a.get)(t) {
            Value::None => {}
            Value::Text(v) if a.name == "security_token" => args::set_hidden(env, &mut obj, "securityToken", v)?,
            v => {
                let v = crate::client::value(env.raw(), v)?;
                // SAFETY: JavaScript thread; a value just created.
                obj.set_named_property(&input::NODE.name(a.name), unsafe {
                    Unknown::from_raw_unchecked(env.raw(), v)
                })?;
            }
        }
        also(a.name, &mut obj)?;
    }
    Ok(obj)
}

/// An `Explanation` object.
fn explanation<'env>(env: &'env Env, e: &core_sign::Explanation) -> Result<Object<'env>> {
    attributes(env, e, |_, _| Ok(()))
}

/// `sign(request, options)`'s native half (`index.js` declares and shapes it): the request
/// signed as the client signs it, as ONE string of lines ([`compact::sign_lines`]), which
/// `index.js` splits: one string costs far fewer Node-API calls than an object of header pairs.
/// The explanation is not built here: [`explain_signed`] rebuilds it from these lines when
/// `signed.explanation` is first read.
///
/// The arguments come in one of two texts. The usual call — plain objects of strings — comes
/// positionally (`index.js`'s `signText`, the layout of [`compact::SignText`]), split without a
/// JSON parser (about a sixth of a signature's cost; `bench/results/profile-bindings.md` round
/// 4); `null` is returned when that text does not hold what it says (a value holding a NUL), and
/// `index.js` then takes the general path. Anything else comes as `encode`'s JSON text (it starts
/// with `[`) and is read with the package's usual messages.
#[napi(js_name = "__sign", skip_typescript)]
pub fn sign<'env>(env: &'env Env, args: String) -> Result<Option<JsString<'env>>> {
    let text = if args.starts_with('[') {
        let args = args::parse(env, &args)?;
        let req = object(env, "request", at(&args, 0), true, input::sign::rpc_request)?;
        let input = object(env, "options", at(&args, 1), true, input::sign::SignInput::read)?;
        compact::sign_lines(&input.options(), &req)
    } else {
        let Some(input) = compact::SignText::parse(&args) else { return Ok(None) };
        input.sign_lines()
    };
    let text = text.map_err(|e| error::core_error(env, &e))?;
    // ASCII, as a signed request almost always is, is the same bytes in Latin-1, which the
    // engine copies as they are instead of decoding UTF-8.
    if text.is_ascii() { env.create_string_latin1(text) } else { env.create_string(&text) }.map(Some)
}

/// `signed.explanation`: the core rebuilds it from the lines [`sign`] returned (no secret
/// needed). Not part of the public API.
#[napi(js_name = "__explainSigned", skip_typescript)]
pub fn explain_signed(env: &Env, lines: String) -> Result<Object<'_>> {
    let e = compact::explain_lines(&lines).map_err(|e| Error::from_reason(e.to_string()))?;
    explanation(env, &e)
}

/// Compute a V1 (HMAC-SHA1) signature over explicit parameters, all of them including the
/// common ones (a `Signature` parameter is ignored) — to reproduce a captured request or a
/// published example.
#[napi(
    js_name = "explainV1",
    ts_args_type = "method: string, params: Record<string, string> | Array<[string, string]>, accessKeySecret: string",
    ts_return_type = "Explanation"
)]
pub fn explain_v1(env: &Env, args: String) -> Result<Object<'_>> {
    let args = args::parse(env, &args)?;
    let method = args::arg(env, &args, 0, "method", args::text)?;
    let params = args::arg(env, &args, 1, "params", input::pairs)?;
    let secret = args::arg(env, &args, 2, "accessKeySecret", |v| input::text(v, true))?;
    explanation(env, &core_sign::explain_v1(&method, &params, &secret))
}

/// Compute a V3 (ACS3-HMAC-SHA256) signature signing exactly the headers given.
#[napi(js_name = "explainV3", ts_args_type = "parts: ExplainV3Parts", ts_return_type = "ExplanationV3")]
pub fn explain_v3(env: &Env, args: String) -> Result<Object<'_>> {
    let args = args::parse(env, &args)?;
    let (e, authorization) = object(env, "parts", at(&args, 0), true, input::sign::explain_v3)?;
    let mut obj = explanation(env, &e)?;
    obj.set_named_property("authorization", authorization)?;
    Ok(obj)
}

/// Checks signatures, timestamps and nonces the way the Alibaba Cloud gateway does — for a
/// service that accepts requests signed with Alibaba Cloud AccessKeys, or to debug a client.
///
/// ```ts
/// const verifier = new Verifier()
/// const ok = verifier.verify(request, { testid: 'testsecret' })
/// ok.action // 'SendSmsVerifyCode'
/// ```
#[napi]
#[derive(Debug)]
pub struct Verifier {
    inner: core_sign::Verifier,
}

#[napi]
impl Verifier {
    /// A verifier with a ±15 minute window and an in-memory nonce store (unless
    /// `checkNonces: false`).
    #[napi(constructor, ts_args_type = "options?: VerifierOptions")]
    pub fn new(env: &Env, options: String) -> Result<Self> {
        let args = args::parse(env, &options)?;
        let config = object(env, "options", at(&args, 0), false, input::sign::verifier_config)?;
        let inner = core_sign::Verifier::from_config(&config).map_err(|e| error::core_error(env, &e))?;
        Ok(Verifier { inner })
    }

    /// Verify `request` at time `now` (Unix seconds, default now), looking the secret up in
    /// `secrets` (an object `{ [accessKeyId]: secret }` or a function). Throws an
    /// `SmsAuthError` with `code: 'ERR_SMSAUTH_AUTHENTICATION'` and the gateway's code as
    /// `serviceCode` (`SignatureDoesNotMatch` also carries `stringToSign`).
    #[napi(
        ts_args_type = "request: HttpRequestInit, secrets: Record<string, string> | ((accessKeyId: string) => string | undefined | null), now?: number",
        ts_return_type = "Verified"
    )]
    pub fn verify<'env>(&self, env: &'env Env, args: String, secrets: Unknown<'env>) -> Result<Object<'env>> {
        // `index.js` encodes `request` and `now`; `secrets` may be a function, so it comes as is.
        let args = args::parse(env, &args)?;
        let req = object(env, "request", at(&args, 0), true, input::sign::http_request)?;
        let now = optional(env, &args, 1, "now", args::unsigned)?;
        // `index.js` hands an object of secrets over as a lookup of its own properties.
        if secrets.get_type()? != ValueType::Function {
            let message = "The \"secrets\" argument must be an object of { accessKeyId: secret } or a function";
            return Err(error::type_error(env, message.into()));
        }
        let lookup: Function<'_, String, Unknown<'_>> = unsafe { secrets.cast()? };
        let thrown: RefCell<Option<Error>> = RefCell::new(None);
        let result = self.inner.verify_at(&req, now, |id| match lookup.call(id.to_owned()) {
            Ok(v) if v.get_type().ok() == Some(ValueType::String) => {
                unsafe { v.cast::<String>() }.ok().map(Secret::new)
            }
            Ok(_) => None,
            Err(e) => {
                thrown.borrow_mut().get_or_insert(e);
                None
            }
        });
        if let Some(e) = thrown.into_inner() {
            return Err(e);
        }
        let v = result.map_err(|e| error::verify_error(env, e))?;
        let mut params = Some(v.params.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect::<Vec<_>>());
        attributes(env, &v, |name, obj| match name {
            "api_version" => obj.set_named_property("params", params.take()),
            _ => Ok(()),
        })
    }
}

/// Unix seconds as `yyyy-MM-ddTHH:mm:ssZ` (the signing timestamp format).
#[napi(js_name = "formatTimestamp", ts_args_type = "unixSeconds: number")]
pub fn format_timestamp(env: &Env, args: String) -> Result<String> {
    let args = args::parse(env, &args)?;
    Ok(core_sign::format_timestamp(args::arg(env, &args, 0, "unixSeconds", args::unsigned)?))
}

/// `yyyy-MM-ddTHH:mm:ssZ` as Unix seconds, or `null` when malformed.
#[napi(js_name = "parseTimestamp", ts_args_type = "timestamp: string")]
pub fn parse_timestamp(env: &Env, args: String) -> Result<Option<f64>> {
    let args = args::parse(env, &args)?;
    let s = args::arg(env, &args, 0, "timestamp", args::text)?;
    Ok(core_sign::parse_timestamp(&s).map(|t| t as f64))
}

/// RFC 3986 percent-encoding as used in signatures (`~` kept, space as `%20`).
#[napi(js_name = "percentEncode", ts_args_type = "value: string")]
pub fn percent_encode(env: &Env, args: String) -> Result<String> {
    let args = args::parse(env, &args)?;
    Ok(core_sign::percent_encode(&args::arg(env, &args, 0, "value", args::text)?))
}

/// Normalise a phone number as the client does before sending: `+86 138-0013-8000` →
/// `13800138000`. Throws `ERR_SMSAUTH_INVALID_INPUT` for anything that is not a mainland China
/// mobile number (with `countryCode` other than `86`, the digits are kept).
#[napi(js_name = "normalizePhone", ts_args_type = "phone: string, countryCode?: string")]
pub fn normalize_phone(env: &Env, args: String) -> Result<String> {
    let args = args::parse(env, &args)?;
    let phone = args::arg(env, &args, 0, "phone", args::text)?;
    let cc = optional(env, &args, 1, "countryCode", args::text)?;
    smsauth::api::normalize_phone(&phone, cc.as_deref()).map_err(|e| error::core_error(env, &e))
}

/// A `TemplateParam` JSON whose `code` is the `##code##` placeholder, plus any other template
/// variables: `templateParam({ min: '5' })` → `{"code":"##code##","min":"5"}`.
#[napi(js_name = "templateParam", ts_args_type = "extra?: Record<string, string>")]
pub fn template_param(env: &Env, args: String) -> Result<String> {
    let args = args::parse(env, &args)?;
    let extra = optional(env, &args, 0, "extra", input::pairs)?.unwrap_or_default();
    let refs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Ok(smsauth::template_param(&refs))
}
