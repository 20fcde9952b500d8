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
use smsauth::input::{self, Foreign, InputError, NODE, Path, Read, Value, Worded};

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
    read: impl FnOnce(&mut input::Object<'v, 'a>) -> std::result::Result<T, InputError>,
) -> Result<T> {
    let run = || {
        let open = if required { input::Object::required } else { input::Object::or_empty };
        let mut f = open(&NODE, Path::arg(path), v)?;
        let out = read(&mut f)?;
        f.finish()?;
        Ok(out)
    };
    run().js(env)
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

/// The core's reading error as Node throws it, worded by the core ([`InputError::worded`]): a
/// `TypeError` (`ERR_INVALID_ARG_TYPE`), a `RangeError` (`ERR_OUT_OF_RANGE`) or an
/// `SmsAuthError` (e.g. `ERR_SMSAUTH_INVALID_INPUT`) naming the property.
pub(crate) fn error(env: &Env, e: InputError) -> Error {
    match e.worded(&NODE, "") {
        Worded::Type(message) => type_error(env, message),
        Worded::Range(message) => range_error(env, message),
        Worded::Core { error, field: None } => core_error(env, &error),
        Worded::Core { error, field: Some(path) } => core_error_for(env, &error, &path),
    }
}

/// Set `obj[name] = value` as a non-enumerable property, so a secret stays out of logs, JSON and
/// spreads while still readable by name.
pub(crate) fn set_hidden(env: &Env, obj: &mut Object<'_>, name: &str, value: &str) -> Result<()> {
    let value = env.create_string(value)?;
    let hidden = Property::new().with_utf8_name(name)?.with_value(&value);
    obj.define_properties(&[hidden.with_property_attributes(PropertyAttributes::Default)])
}

/// `v`, a function `index.js` registers, kept across calls; a `TypeError` when it is not one.
pub(crate) fn function_ref<A: JsValuesTupleIntoVec, R>(env: &Env, v: Unknown<'_>) -> Result<FunctionRef<A, R>> {
    if v.get_type()? != ValueType::Function {
        return Err(type_error(env, "index.js must register functions".into()));
    }
    // SAFETY: the value was just checked to be a function.
    unsafe { v.cast::<Function<'_, A, R>>() }?.create_ref()
}
