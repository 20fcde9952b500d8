//! `startEmulator()`: the offline emulator (crate `smsauth-emulator`) for users' own tests.

use std::sync::Mutex;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use smsauth_emulator::{Config, EMULATOR_OPTIONS, Fault, OptionKind};

use smsauth::input::{self, Path, Value};

use crate::args::{self, Js, at, object, optional};
use crate::error;

/// One SMS the emulator "sent".
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct EmulatorMessage {
    /// The 11-digit number it went to.
    pub phone_number: String,
    /// `CountryCode` (`86`).
    pub country_code: String,
    /// `SchemeName`.
    pub scheme_name: String,
    /// `SignName`.
    pub sign_name: String,
    /// `TemplateCode`.
    pub template_code: String,
    /// The generated code (empty when the template had no `##code##`).
    pub code: String,
    /// The rendered text, `【SignName】…`.
    pub text: String,
    /// `BizId` of the send.
    pub biz_id: String,
    /// `OutId`, when given.
    pub out_id: Option<String>,
    /// Emulated Unix seconds when it was sent.
    pub sent_at: i64,
    /// Emulated Unix seconds when the code expires.
    pub expires_at: i64,
}

/// Temporary credentials from `emulator.issueSts(ttlSeconds)`. The secret and the token are
/// non-enumerable, so they stay out of logs and JSON.
#[napi(object, object_from_js = false, object_to_js = false)]
#[allow(dead_code)] // TypeScript shape only; built with non-enumerable secrets.
pub struct EmulatorStsCredentials {
    /// The temporary AccessKey ID (`STS.…`).
    pub access_key_id: String,
    /// Its secret (non-enumerable).
    pub access_key_secret: String,
    /// The security token (non-enumerable).
    pub security_token: String,
    /// Emulated Unix seconds after which the token is expired.
    pub expires_at: i64,
}

/// A running emulator on `127.0.0.1` (see `startEmulator`). Call `close()` when done (or use
/// `using emu = startEmulator()`); an emulator that is garbage-collected stops too.
#[napi]
#[derive(Debug)]
pub struct Emulator {
    inner: Mutex<Option<smsauth_emulator::Emulator>>,
    endpoint: String,
    port: u16,
    access_key_id: String,
    access_key_secret: String,
}

fn closed(env: &Env) -> Error {
    let e = smsauth::Error::new(smsauth::ErrorKind::InvalidInput, "the emulator is closed; start a new one");
    error::core_error(env, &e)
}

impl Emulator {
    fn with<T>(&self, env: &Env, f: impl FnOnce(&smsauth_emulator::Emulator) -> T) -> Result<T> {
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(emu) => Ok(f(emu)),
            None => Err(closed(env)),
        }
    }
}

fn message(m: smsauth_emulator::Message) -> EmulatorMessage {
    EmulatorMessage {
        phone_number: m.phone_number,
        country_code: m.country_code,
        scheme_name: m.scheme_name,
        sign_name: m.sign_name,
        template_code: m.template_code,
        code: m.code,
        text: m.text,
        biz_id: m.biz_id,
        out_id: m.out_id,
        sent_at: i64::try_from(m.sent_at).unwrap_or(i64::MAX),
        expires_at: i64::try_from(m.expires_at).unwrap_or(i64::MAX),
    }
}

/// A fault rule from its JavaScript object: each property becomes the JSON key of the same name
/// in snake_case (`retryAfterMs` → `retry_after_ms`) and the emulator's one parser,
/// [`Fault::from_json`], decides — unknown keys, kinds and actions are refused there.
fn fault(env: &Env, v: &Value<'_>) -> Result<Fault> {
    input::Object::required(&input::NODE, Path::arg("fault"), v).js(env)?;
    let rule =
        serde_json::from_str(&args::json_text(env, "fault", v)?).map_err(|e| Error::from_reason(e.to_string()))?;
    let rule: serde_json::Map<_, _> = match rule {
        serde_json::Value::Object(rule) => rule.into_iter().map(|(k, v)| (snake_case(&k), v)).collect(),
        _ => serde_json::Map::new(),
    };
    Fault::from_json(&serde_json::Value::Object(rule).to_string()).map_err(|why| {
        let e = smsauth::Error::invalid_input("fault", format_args!("is not a fault: {why}"));
        error::core_error(env, &e)
    })
}

/// `retryAfterMs` → `retry_after_ms` (JavaScript property names to the emulator's JSON keys).
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `startEmulator`'s options as the emulator's JSON: each option of [`EMULATOR_OPTIONS`] is read
/// under its Node name by its kind.
fn options(env: &Env, options: &Value<'_>) -> Result<String> {
    let mut json = serde_json::Map::new();
    object(env, "options", options, false, |f| {
        for (name, kind, _) in EMULATOR_OPTIONS {
            let key = input::NODE.name(name);
            let value = match kind {
                OptionKind::Flag => f.boolean(&key)?.map(Into::into),
                OptionKind::Count { max } => f.unsigned(&key, max)?.map(Into::into),
                OptionKind::Text => f.text(&key)?.map(Into::into),
                OptionKind::Secret => f.secret(&key)?.map(Into::into),
                OptionKind::Table => f.read(&key, table)?,
                OptionKind::Number => f.read(&key, input::number)?.map(Into::into),
                OptionKind::Choice(_) => f.text(&key)?.map(Into::into),
            };
            json.extend(value.map(|v| (name.to_owned(), v)));
        }
        Ok(())
    })?;
    Ok(serde_json::Value::Object(json).to_string())
}

/// A table option (`templates`, `accounts`) as JSON, for the emulator to judge.
fn table(v: &Value<'_>) -> input::Read<serde_json::Value> {
    let text = v.to_json_text().map_err(|(at, what)| input::Problem::NotData { at, what })?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

#[napi]
impl Emulator {
    /// `http://127.0.0.1:PORT`: pass it as `endpoint` to `new Client`.
    #[napi(getter)]
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// The port it listens on.
    #[napi(getter)]
    pub fn port(&self) -> u32 {
        u32::from(self.port)
    }

    /// The AccessKey ID it accepts (`testid` by default).
    #[napi(getter)]
    pub fn access_key_id(&self) -> String {
        self.access_key_id.clone()
    }

    /// Its secret (`testsecret` by default).
    #[napi(getter)]
    pub fn access_key_secret(&self) -> String {
        self.access_key_secret.clone()
    }

    /// The outbox, oldest first; with `phone`, only the messages sent to it (written any way
    /// the client accepts, e.g. `+86 138…`).
    #[napi(ts_args_type = "phone?: string")]
    pub fn messages(&self, env: &Env, args: String) -> Result<Vec<EmulatorMessage>> {
        let args = args::parse(env, &args)?;
        let phone = optional(env, &args, 0, "phone", args::text)?;
        self.with(env, |e| match &phone {
            Some(p) => e.messages_for(p),
            None => e.messages(),
        })
        .map(|ms| ms.into_iter().map(message).collect())
    }

    /// The newest code sent to `phone`, or `null`.
    #[napi(ts_args_type = "phone: string")]
    pub fn last_code(&self, env: &Env, args: String) -> Result<Option<String>> {
        let args = args::parse(env, &args)?;
        let phone = args::arg(env, &args, 0, "phone", args::text)?;
        self.with(env, |e| e.last_code(&phone))
    }

    /// Move the emulated clock forward by `seconds` (code expiry, send intervals, daily caps,
    /// STS expiry). Nothing sleeps.
    #[napi(ts_args_type = "seconds: number")]
    pub fn advance_clock(&self, env: &Env, args: String) -> Result<()> {
        let args = args::parse(env, &args)?;
        let seconds = args::arg(env, &args, 0, "seconds", args::unsigned)?;
        self.with(env, |e| e.advance_clock(seconds))
    }

    /// Emulated Unix seconds.
    #[napi]
    pub fn now(&self, env: &Env) -> Result<f64> {
        self.with(env, |e| e.now() as f64)
    }

    /// Forget the outbox, codes, limits, faults and nonces; set the clock back to its start
    /// and the request count to zero.
    #[napi]
    pub fn reset(&self, env: &Env) -> Result<()> {
        self.with(env, |e| e.reset())
    }

    /// Inject a fault into the answers to matching requests; rules are tried in the order
    /// added.
    #[napi(ts_args_type = "fault: EmulatorFault")]
    pub fn add_fault(&self, env: &Env, args: String) -> Result<()> {
        let rule = fault(env, at(&args::parse(env, &args)?, 0))?;
        self.with(env, |e| e.add_fault(rule))
    }

    /// Remove every fault.
    #[napi]
    pub fn clear_faults(&self, env: &Env) -> Result<()> {
        self.with(env, |e| e.clear_faults())
    }

    /// API requests received since the emulator started or was last reset.
    #[napi]
    pub fn request_count(&self, env: &Env) -> Result<u32> {
        self.with(env, |e| u32::try_from(e.request_count()).unwrap_or(u32::MAX))
    }

    /// Temporary credentials valid for `ttlSeconds` (at least 1) of emulated time.
    #[napi(ts_args_type = "ttlSeconds: number", ts_return_type = "EmulatorStsCredentials")]
    pub fn issue_sts<'env>(&self, env: &'env Env, args: String) -> Result<Object<'env>> {
        let args = args::parse(env, &args)?;
        let ttl = args::arg(env, &args, 0, "ttlSeconds", args::unsigned)?;
        let sts = self.with(env, |e| e.issue_sts_seconds(ttl))?.map_err(|e| error::core_error(env, &e))?;
        let mut obj = Object::new(env)?;
        obj.set_named_property("accessKeyId", sts.access_key_id.as_str())?;
        obj.set_named_property("expiresAt", sts.expires_at as f64)?;
        args::set_hidden(env, &mut obj, "accessKeySecret", &sts.access_key_secret)?;
        args::set_hidden(env, &mut obj, "securityToken", &sts.security_token)?;
        Ok(obj)
    }

    /// Stop the server. Calling it again does nothing; other methods then throw.
    #[napi]
    pub fn close(&self) {
        let emu = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        drop(emu);
    }

    /// `true` once `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }
}

/// Start an offline emulator of the SMS Auth service on `127.0.0.1` (a free port by default)
/// for your tests: it verifies signatures like the real gateway, answers like the service
/// (`biz.FREQUENCY`, `VerifyResult`, …) and keeps an outbox instead of sending SMS.
///
/// ```ts
/// const emu = startEmulator()
/// const client = new Client({ endpoint: emu.endpoint, accessKeyId: emu.accessKeyId,
///   accessKeySecret: emu.accessKeySecret, signName: '速通互联验证码', templateCode: '100001' })
/// await client.sendCode('13800138000')
/// const { passed } = await client.checkCode('13800138000', emu.lastCode('13800138000')!)
/// emu.close()
/// ```
#[napi(ts_args_type = "options?: EmulatorOptions")]
pub fn start_emulator(env: &Env, args: String) -> Result<Emulator> {
    let config = Config::from_options(&self::options(env, at(&args::parse(env, &args)?, 0))?)
        .map_err(|e| error::core_error(env, &e))?;
    let emu = smsauth_emulator::Emulator::start_with(config).map_err(|e| error::core_error(env, &e))?;
    Ok(Emulator {
        endpoint: emu.endpoint(),
        port: emu.port(),
        access_key_id: emu.access_key_id(),
        access_key_secret: emu.access_key_secret(),
        inner: Mutex::new(Some(emu)),
    })
}
