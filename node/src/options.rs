//! `new Client(options)` read generically from the core's option tables
//! ([`smsauth::ClientBuilder::options`], [`smsauth::GuardConfig::OPTIONS`]): each option's
//! property is found by its core name spelled the Node way ([`js_path`]), converted by its
//! [`OptionKind`] and set through the core, which validates it and names it in its errors. The
//! TypeScript shapes are generated from the same tables (`fields.rs`).

use std::time::Duration;

use napi::bindgen_prelude::*;
use smsauth::{ClientBuilder, ClientOption, GuardConfig, Limit, OptionKind, OptionValue, WrongCodeLimit};

use crate::args::{Fields, Json, MAX_SAFE, Name, array, boolean, integer, number, string};
use crate::client::field_value;
use crate::error::core_error;

/// `snake_case` → `camelCase`.
pub(crate) fn camel(snake: &str) -> String {
    let mut parts = snake.split('_');
    let mut out = parts.next().unwrap_or_default().to_owned();
    for p in parts {
        let mut chars = p.chars();
        out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        out.push_str(chars.as_str());
    }
    out
}

/// Node's spelling, below `options`, of a core option or of a part of one: camel case, durations
/// in milliseconds with `Ms` (`timeoutMs`, `retry.maxBackoffMs`), the role's options inside
/// `roleArn` (`roleArn.sessionName`), the wrong-code rule's parts as `WrongCodeOptions` names
/// them (`guard.wrongCode.lockSeconds`).
pub(crate) fn js_path(core: &str) -> String {
    // Two core errors name these options by an older name.
    let core = match core {
        "duration_seconds" => "role_duration_seconds",
        "root_certificates" => "ca_certificates",
        other => other,
    };
    let path = match core.strip_prefix("role_") {
        Some(part) if part != "arn" => format!("role_arn.{part}"),
        _ if core.starts_with("sts_") => format!("role_arn.{core}"),
        _ => core.to_owned(),
    };
    let parts = path.split('.').map(|p| match p {
        "max_wrong" => "max".to_owned(),
        "lockout_seconds" => "lockSeconds".to_owned(),
        p => camel(p),
    });
    let mut out = parts.collect::<Vec<_>>().join(".");
    if ClientBuilder::option(core).is_some_and(|o| o.kind == OptionKind::Duration) {
        out.push_str("Ms");
    }
    out
}

/// Whether a core error's field names a client or guard option (rather than an API field).
pub(crate) fn is_option(field: &str) -> bool {
    field.starts_with("guard.")
        || matches!(field, "duration_seconds" | "root_certificates")
        || ClientBuilder::option(field).is_some_and(|o| !matches!(o.kind, OptionKind::Field(_)))
}

/// Read every option of `new Client(options)` into `b`.
pub(crate) fn read_client(f: &mut Fields<'_, '_>, b: &mut ClientBuilder) -> Result<()> {
    let env = f.env();
    let set = |b: &mut ClientBuilder, opt: &ClientOption, v| b.set_option(opt.name, v);
    let mut retry = f.get("retry").map(|v| Fields::required(env, "options.retry", v)).transpose()?;
    let mut role = match f.get("roleArn") {
        Some(v) if v.is_text() => {
            let arn = string(env, Name::Prop("options", "roleArn"), v, false)?;
            b.set_option("role_arn", Some(OptionValue::Text(arn))).map_err(|e| core_error(env, &e))?;
            None
        }
        Some(v) => Some(Fields::required(env, "options.roleArn", v)?),
        None => None,
    };
    for opt in ClientBuilder::options() {
        let path = js_path(opt.name);
        let (obj, key) = match path.split_once('.') {
            Some(("retry", key)) => (retry.as_mut(), key),
            Some(("roleArn", key)) => (role.as_mut(), key),
            _ if opt.name == "role_arn" => (role.as_mut(), "arn"),
            _ => (Some(&mut *f), path.as_str()),
        };
        if let Some(obj) = obj {
            read_option(obj, key, &opt, |v| set(b, &opt, v))?;
        }
    }
    retry.map(Fields::finish).transpose()?;
    role.map(Fields::finish).transpose()?;
    if let Some(v) = f.get("guard") {
        let mut g = Fields::required(env, "options.guard", v)?;
        let mut config = GuardConfig::default();
        for opt in GuardConfig::OPTIONS {
            let path = js_path(opt.name);
            read_option(&mut g, path.trim_start_matches("guard."), opt, |v| config.set(opt.name, v))?;
        }
        g.finish()?;
        let guard = smsauth::Guard::new(config).map_err(|e| core_error(env, &e))?;
        *b = std::mem::take(b).guard(guard);
    }
    Ok(())
}

/// Read the property `key` as `opt`'s kind and hand it to `set`: absent skips it, `null` unsets
/// a nullable option, a wrong type is a `TypeError`, a bad value the core's error.
fn read_option(
    f: &mut Fields<'_, '_>,
    key: &str,
    opt: &ClientOption,
    mut set: impl FnMut(Option<OptionValue>) -> smsauth::Result<()>,
) -> Result<()> {
    let env = f.env();
    let core = |e: smsauth::Error| core_error(env, &e);
    let Some(v) = f.get_or_null(key) else { return Ok(()) };
    if opt.nullable && matches!(v, Json::Null) {
        return set(None).map_err(core);
    }
    let name = f.name(key);
    let value = match opt.kind {
        OptionKind::Text | OptionKind::Choice(_) => OptionValue::Text(string(env, name, v, false)?),
        OptionKind::Secret => OptionValue::Text(string(env, name, v, true)?),
        OptionKind::Bool => OptionValue::Bool(boolean(env, name, v)?),
        OptionKind::Unsigned => OptionValue::Unsigned(integer(env, name, v, 0.0, MAX_SAFE)?.unsigned_abs()),
        OptionKind::Amount => OptionValue::Amount(number(env, name, v)?),
        OptionKind::Duration => {
            let ms = integer(env, name, v, 0.0, MAX_SAFE)?;
            opt.duration(ms as f64, Duration::from_millis(1)).map_err(core)?
        }
        // Each PEM text adds to the ones before.
        OptionKind::Pem if matches!(v, Json::Array(_)) => {
            for item in array(env, name, v, "strings")? {
                let pem = string(env, Name::Prop(f.object(), "caCertificates[]"), item, false)?;
                set(Some(OptionValue::Text(pem))).map_err(core)?;
            }
            return Ok(());
        }
        OptionKind::Pem => OptionValue::Text(string(env, name, v, false)?),
        OptionKind::Limits => OptionValue::Limits(limits(env, f.object(), key, v)?),
        OptionKind::WrongCode => {
            let mut w = Fields::required(env, "options.guard.wrongCode", v)?;
            let d = WrongCodeLimit::default();
            let rule = WrongCodeLimit {
                max_wrong: w.u32("max")?.unwrap_or(d.max_wrong),
                window_seconds: w.u32("windowSeconds")?.map_or(d.window_seconds, u64::from),
                lockout_seconds: w.u32("lockSeconds")?.map_or(d.lockout_seconds, u64::from),
            };
            w.finish()?;
            OptionValue::WrongCode(rule)
        }
        OptionKind::Field(kind) => field_value(f, key, kind, v)?.into(),
    };
    set(Some(value)).map_err(core)
}

/// A guard rule's limits: an array of `{ max, windowSeconds }`.
fn limits(env: &Env, obj: &str, key: &str, v: &Json<'_>) -> Result<Vec<Limit>> {
    let items = array(env, Name::Prop(obj, key), v, "{ max, windowSeconds }")?;
    let item = format!("{obj}.{key}[]");
    let mut out = Vec::with_capacity(items.len());
    for v in items {
        let mut l = Fields::required(env, &item, v)?;
        let max = l.required_u32("max")?;
        let window = l.required_u32("windowSeconds")?;
        l.finish()?;
        out.push(Limit::new(max, u64::from(window)));
    }
    Ok(out)
}
