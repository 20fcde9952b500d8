//! JavaScript arguments into the core's reader ([`smsauth::input`]), and its errors into
//! Node-style ones.
//!
//! `index.js` hands each call's arguments over as ONE JSON text (its `encode`): one string
//! crosses Node-API instead of a few calls per property. What JSON cannot hold arrives as a
//! marker object (see [`unmark`]) and becomes the core's [`Foreign`] value, so it is refused by
//! name. The core reads the values by Node's names ([`NODE`]); a bad one is what Node's own
//! APIs throw: a `TypeError` (`ERR_INVALID_ARG_TYPE`) naming the argument, e.g.
//! `The "phone" argument must be of type string. Received type number (13800138000)`, or a
//! `RangeError` (`ERR_OUT_OF_RANGE`). Values of secret options are never echoed.

use std::borrow::Cow;

use napi::bindgen_prelude::*;
use napi::{Property, PropertyAttributes};
use smsauth::input::{
    self, Expected, Foreign, InputError, NODE, Object, Path, Problem, Read, Received, ReceivedKind, Value,
};

use crate::error::{core_error, core_error_for, range_error, type_error};

/// The arguments of one call, from `encode(...)`'s JSON array.
pub(crate) fn parse<'a>(env: &Env, text: &'a str) -> Result<Vec<Value<'a>>> {
    match serde_json::from_str(text) {
        Ok(Value::List(mut args)) => {
            args.iter_mut().for_each(unmark);
            Ok(args)
        }
        Ok(_) => Err(type_error(env, "the arguments must be encoded as an array".into())),
        Err(e) => Err(type_error(env, format!("the arguments could not be read: {e}"))),
    }
}

/// The key of the marker objects `index.js` writes for what JSON cannot hold.
const MARK: &str = "\u{0}";

/// Replace `index.js`'s marker objects in `v` by what they stand for: `undefined` (in an
/// array), `function`, `symbol`, `bigint`, `number` (NaN or ±Infinity, its text in `value`),
/// `surrogate` (a string holding a lone surrogate; `text` is its JSON), `bytes` (a
/// `Uint8Array` or `Buffer`, its bytes in `value`), `Map`, `Set`, `WeakMap`, `hidden` (an
/// object with a non-enumerable own property, named in `key`), `nested too deeply` (an object
/// deeper than any argument is read, or a cycle).
fn unmark(v: &mut Value<'_>) {
    match v {
        Value::List(items) => items.iter_mut().for_each(unmark),
        Value::Map(entries) if entries.first().is_none_or(|(k, _)| k != MARK) => {
            entries.iter_mut().for_each(|(_, v)| unmark(v));
        }
        Value::Map(entries) => {
            let mut part = |name: &str| {
                let found = entries.iter_mut().find(|(k, _)| k == name);
                found.map_or(Value::Absent, |(_, v)| std::mem::replace(v, Value::Absent))
            };
            let text = |v: Value<'_>| match v {
                Value::Text(s) => s.into_owned(),
                _ => String::new(),
            };
            let what = text(part(MARK));
            *v = match what.as_str() {
                "undefined" => Value::Absent,
                "number" => Value::Number(text(part("value")).parse().unwrap_or(f64::NAN)),
                "surrogate" => Value::Foreign(Foreign::NotText { escaped: Some(Cow::Owned(text(part("text")))) }),
                "bytes" => match part("value") {
                    Value::List(items) => {
                        Value::Bytes(items.iter().map(|b| b.as_number().unwrap_or_default() as u8).collect())
                    }
                    _ => Value::Bytes(Cow::Borrowed(&[])),
                },
                "Map" | "Set" | "WeakMap" => Value::Foreign(Foreign::Collection(Cow::Owned(what))),
                "hidden" => Value::Foreign(Foreign::Hidden(Cow::Owned(text(part("key"))))),
                "nested too deeply" => Value::Foreign(Foreign::TooDeep),
                _ => Value::Foreign(Foreign::Other(Cow::Owned(what))),
            };
        }
        _ => {}
    }
}

/// Argument `i` (`undefined` when not given).
pub(crate) fn at<'v, 'a>(args: &'v [Value<'a>], i: usize) -> &'v Value<'a> {
    input::arg(args, i)
}

/// Argument `i`, called `name`, read with `read` (`undefined` reaches `read`, which refuses it).
pub(crate) fn arg<T>(
    env: &Env,
    args: &[Value<'_>],
    i: usize,
    name: &str,
    read: impl FnOnce(&Value<'_>) -> Read<T>,
) -> Result<T> {
    input::required_arg(args, i, name, read).js(env)
}

/// Argument `i`, called `name`, read with `read`; `None` when `undefined` or `null`.
pub(crate) fn optional<T>(
    env: &Env,
    args: &[Value<'_>],
    i: usize,
    name: &str,
    read: impl FnOnce(&Value<'_>) -> Read<T>,
) -> Result<Option<T>> {
    input::optional_arg(args, i, name, read).js(env)
}

/// A string.
pub(crate) fn text(v: &Value<'_>) -> Read<String> {
    input::text(v, false)
}

/// A whole number from 0 to 2⁵³ − 1.
pub(crate) fn unsigned(v: &Value<'_>) -> Read<u64> {
    input::integer(v, 0, NODE.max_integer.into()).map(|n| n as u64)
}

/// The object `v` at `path` read with `read`, refusing properties it did not read.
/// `undefined`/`null` read as an empty object, unless the object is `required`.
pub(crate) fn object<'v, 'a, T>(
    env: &Env,
    path: &str,
    v: &'v Value<'a>,
    required: bool,
    read: impl FnOnce(&mut Object<'v, 'a>) -> std::result::Result<T, InputError>,
) -> Result<T> {
    let run = || {
        let path = Path::arg(path);
        let mut f = if required { Object::required(&NODE, path, v)? } else { Object::or_empty(&NODE, path, v)? };
        let out = read(&mut f)?;
        f.finish()?;
        Ok(out)
    };
    run().js(env)
}

/// `v` as JSON text (the emulator's options and fault rules), or a `TypeError` naming what in
/// it is not JSON data.
pub(crate) fn json_text(env: &Env, path: &str, v: &Value<'_>) -> Result<String> {
    let problem = |(at, what)| InputError::new(Path::arg(path), Problem::NotData { at, what });
    v.to_json_text().map_err(problem).js(env)
}

/// Core reads into napi results.
pub(crate) trait Js<T> {
    /// The value, or the error as Node throws it.
    fn js(self, env: &Env) -> Result<T>;
}

impl<T> Js<T> for std::result::Result<T, InputError> {
    fn js(self, env: &Env) -> Result<T> {
        self.map_err(|e| error(env, e))
    }
}

/// A path as Node users write it: `options.guard.phone[].max`.
fn written(path: &Path) -> String {
    path.written(|_| "[]".into())
}

/// `The "phone" argument`, `The "options.signName" property`.
fn describe(path: &Path) -> String {
    let what = if path.is_arg() { "argument" } else { "property" };
    format!("The \"{}\" {what}", written(path))
}

/// How a received value is shown: `Received type string ('abc')`, `Received undefined`.
fn received(r: &Received) -> String {
    let shown = match (&r.kind, &r.shown) {
        (ReceivedKind::Text, Some(s)) => format!(" ('{s}'{})", if r.truncated { "..." } else { "" }),
        (_, Some(s)) => format!(" ({s})"),
        (_, None) => String::new(),
    };
    match &r.kind {
        ReceivedKind::Absent => "Received undefined".into(),
        ReceivedKind::Null => "Received null".into(),
        ReceivedKind::Bool => format!("Received type boolean{shown}"),
        ReceivedKind::Integer | ReceivedKind::Number => format!("Received type number{shown}"),
        ReceivedKind::Text => format!("Received type string{shown}"),
        ReceivedKind::Foreign(t) if t == "function" => "Received function".into(),
        ReceivedKind::Foreign(t) if t == "symbol" || t == "bigint" => format!("Received type {t}"),
        _ => "Received an object".into(),
    }
}

/// What a value must be, in Node's words, and whether the message shows what was received.
fn expected(e: Expected) -> (&'static str, bool) {
    match e {
        Expected::Text => ("of type string", true),
        Expected::Bool => ("of type boolean", true),
        Expected::Number | Expected::Integer => ("of type number", true),
        Expected::Map | Expected::Limit | Expected::WrongCode => ("of type object", true),
        Expected::TextOrBytes => ("of type string or an instance of Uint8Array", true),
        Expected::List(Expected::Limit) => ("an array of { max, windowSeconds }", false),
        Expected::List(_) => ("an array of strings", false),
        Expected::Pairs => ("an object of strings or an array of [name, value] strings", false),
        Expected::Json => ("a JSON string or a plain object", false),
    }
}

/// The core's reading error as Node throws it: wrong types as `TypeError`s, numbers out of range
/// as `RangeError`s, the rest (unknown properties, lone surrogates, refused values) as
/// `SmsAuthError`s (`ERR_SMSAUTH_INVALID_INPUT`) naming the property.
pub(crate) fn error(env: &Env, e: InputError) -> Error {
    let path = e.path.clone();
    let refused = matches!(e.problem, Problem::Refused(_));
    let e = match e.into_core() {
        Ok(core) if refused => return core_error(env, &core),
        Ok(core) => return core_error_for(env, &core, &written(&path)),
        Err(e) => e,
    };
    let name = describe(&path);
    match e.problem {
        Problem::Type { expected: what, received: r } => {
            let (what, show) = expected(what);
            let received = if show { format!(". {}", received(&r)) } else { String::new() };
            type_error(env, format!("{name} must be {what}{received}"))
        }
        Problem::Range { min, max, received } => {
            range_error(env, format!("{name} must be an integer >= {min} and <= {max}. Received {received}"))
        }
        Problem::NotPlain { class } => {
            type_error(env, format!("{name} must be a plain object, not a {class}: use {{ key: value }}"))
        }
        Problem::Hidden { key } => type_error(
            env,
            format!(
                "The \"{}.{key}\" property must be enumerable (options are read from enumerable properties)",
                written(&path)
            ),
        ),
        Problem::NotData { at, what } => {
            let hint = if at.ends_with("toJSON") { " (check its toJSON method)" } else { "" };
            type_error(env, format!("{name} must be JSON data; \"{at}\" is not JSON data ({what}){hint}"))
        }
        // Handed to the core error above.
        Problem::NotText | Problem::Unknown { .. } | Problem::Refused(_) => unreachable!("a core error"),
    }
}

/// Set `obj[name] = value` as a non-enumerable property, so a secret stays out of logs, JSON and
/// spreads while still readable by name.
pub(crate) fn set_hidden(
    env: &Env,
    obj: &mut napi::bindgen_prelude::Object<'_>,
    name: &str,
    value: &str,
) -> Result<()> {
    let value = env.create_string(value)?;
    let hidden = Property::new().with_utf8_name(name)?.with_value(&value);
    obj.define_properties(&[hidden.with_property_attributes(PropertyAttributes::Default)])
}
