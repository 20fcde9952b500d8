//! `startEmulator()`: the offline emulator (crate `smsauth-emulator`) for users' own tests.

use std::sync::Mutex;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use smsauth_emulator::{Answer, Config, EMULATOR_OPTIONS, OptionKind};

use smsauth::input::{self, NODE, Value};

use crate::args::{self, Js, at, object};
use crate::error;

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

/// `v` (a structured answer of the emulator, as its serde JSON) as a JavaScript value: object
/// keys in camelCase, absent (`null`) properties left out, as on every answer of the package.
fn js_value(env: &Env, v: serde_json::Value) -> Result<Unknown<'_>> {
    use serde_json::Value as J;
    Ok(match v {
        J::Object(map) => {
            let mut obj = Object::new(env)?;
            for (key, v) in map.into_iter().filter(|(_, v)| !v.is_null()) {
                obj.set_named_property(&input::NODE.name(&key), js_value(env, v)?)?;
            }
            obj.to_unknown()
        }
        J::Array(items) => {
            let items: Vec<Unknown<'_>> = items.into_iter().map(|v| js_value(env, v)).collect::<Result<_>>()?;
            items.into_unknown(env)?
        }
        J::String(s) => s.into_unknown(env)?,
        J::Number(n) => n.as_f64().unwrap_or_default().into_unknown(env)?,
        J::Bool(b) => b.into_unknown(env)?,
        J::Null => ().into_unknown(env)?,
    })
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
                // The emulator judges a choice's value (`Config::from_options`).
                OptionKind::Text | OptionKind::Choice(_) => f.text(&key)?.map(Into::into),
                OptionKind::Secret => f.secret(&key)?.map(Into::into),
                OptionKind::Table => f.read(&key, table)?,
                OptionKind::Number => f.read(&key, input::number)?.map(Into::into),
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

    /// The operation `op` of the running emulator — the method of that name `index.js` defines
    /// on this class (`messages`, `lastCode`, `advanceClock`, `now`, `reset`, `addFault`,
    /// `clearFaults`, `requestCount`, `issueSts`; their types and docs are in `index.d.ts`) with
    /// its arguments as `encode`'s JSON —, so that each is one line here rather than a native
    /// method. Not part of the public API.
    #[napi(js_name = "__call", skip_typescript)]
    pub fn call<'env>(&self, env: &'env Env, op: String, args: String) -> Result<Unknown<'env>> {
        let args = args::parse(env, &args)?;
        let guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let e = guard.as_ref().ok_or_else(|| closed(env))?;
        let answer = e.call(&NODE, &op, &args);
        let json = |v: serde_json::Result<serde_json::Value>| v.map_err(|e| Error::from_reason(e.to_string()));
        match answer
            .ok_or_else(|| error::type_error(env, format!("the emulator has no operation \"{op}\"")))?
            .js(env)?
        {
            Answer::Nothing => ().into_unknown(env),
            Answer::Text(text) => text.into_unknown(env),
            Answer::Count(n) => (n as f64).into_unknown(env),
            Answer::Messages(list) => js_value(env, json(serde_json::to_value(list))?),
            Answer::Sts(sts) => {
                let mut obj = Object::new(env)?;
                obj.set_named_property("accessKeyId", sts.access_key_id.as_str())?;
                obj.set_named_property("expiresAt", sts.expires_at as f64)?;
                args::set_hidden(env, &mut obj, "accessKeySecret", &sts.access_key_secret)?;
                args::set_hidden(env, &mut obj, "securityToken", &sts.security_token)?;
                Ok(obj.to_unknown())
            }
        }
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
