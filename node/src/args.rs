//! Reading JavaScript arguments with Node-style errors.
//!
//! `index.js` hands each call's arguments over as ONE JSON text (its `encode`): one string
//! crosses Node-API instead of a few calls per property, and the reading happens here. What JSON
//! cannot hold arrives as a marker object (see [`marker`]), so it is refused as before.
//!
//! napi's automatic conversion would report a wrong type as a plain `Error`; users expect what
//! Node's own APIs throw: a `TypeError` (`ERR_INVALID_ARG_TYPE`) naming the argument, e.g.
//! `The "phone" argument must be of type string. Received type number (13800138000)`.
//! Values of secret options are never echoed.

use std::borrow::Cow;
use std::fmt::Write;

use napi::bindgen_prelude::*;
use napi::{Property, PropertyAttributes};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{range_error, type_error};

/// The largest integer a JavaScript number holds exactly.
pub(crate) const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// An argument as `index.js` encoded it: JSON, its texts borrowed from the encoded arguments
/// where they need no unescaping, its objects as lists in the order written. `Undefined` is an
/// argument that was not given.
#[derive(Debug)]
pub(crate) enum Json<'a> {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Number(n as f64))
    }

    fn visit_u64<E>(self, n: u64) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Number(n as f64))
    }

    fn visit_f64<E>(self, n: f64) -> std::result::Result<Json<'de>, E> {
        Ok(Json::Number(n))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> std::result::Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> std::result::Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s.to_owned())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Json<'de>, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<Json<'de>, Json<'de>>()? {
            let Json::String(key) = key else { return Err(serde::de::Error::custom("a key that is not text")) };
            entries.push((key, value));
        }
        Ok(Json::Object(entries))
    }
}

impl<'a> Json<'a> {
    /// The property `key` of an object.
    fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// A string, or a string holding a lone surrogate.
    pub(crate) fn is_text(&self) -> bool {
        matches!(self, Json::String(_)) || marker(self) == Some("surrogate")
    }

    /// `undefined` or `null`.
    pub(crate) fn is_nullish(&self) -> bool {
        matches!(self, Json::Undefined | Json::Null) || marker(self) == Some("undefined")
    }

    /// The value as JSON text (a string holding a lone surrogate as the escape `JSON.stringify`
    /// wrote); `Err` names the first thing in it that is not JSON data (`"toJSON" is not JSON data (function)`).
    pub(crate) fn to_text(&self) -> std::result::Result<String, String> {
        let mut out = String::new();
        self.write(&mut out, "")?;
        Ok(out)
    }

    fn write(&self, out: &mut String, path: &str) -> std::result::Result<(), String> {
        match (self, marker(self)) {
            (_, Some("surrogate")) => out.push_str(self.get("text").and_then(Json::as_str).unwrap_or("\"\"")),
            (_, Some(what)) => return Err(format!("\"{path}\" is not JSON data ({what})")),
            (Json::Undefined | Json::Null, _) => out.push_str("null"),
            (Json::Bool(b), _) => out.push_str(if *b { "true" } else { "false" }),
            (Json::Number(n), _) => {
                let _ = write!(out, "{n}");
            }
            (Json::String(s), _) => out.push_str(&serde_json::to_string(s.as_ref()).unwrap_or_default()),
            (Json::Array(items), _) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.extend((i > 0).then_some(','));
                    item.write(out, &format!("{path}[{i}]"))?;
                }
                out.push(']');
            }
            (Json::Object(entries), _) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    out.extend((i > 0).then_some(','));
                    out.push_str(&serde_json::to_string(key.as_ref()).unwrap_or_default());
                    out.push(':');
                    let inner = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
                    value.write(out, &inner)?;
                }
                out.push('}');
            }
        }
        Ok(())
    }
}

/// The key of the marker objects `index.js` writes for what JSON cannot hold.
const MARK: &str = "\u{0}";

/// The marker of a value JSON cannot hold, if `v` is one: `undefined` (in an array),
/// `function`, `symbol`, `bigint`, `number` (NaN or ±Infinity, its text in `value`), `surrogate`
/// (a string holding a lone surrogate; `text` is its JSON), `bytes` (a `Uint8Array` or `Buffer`,
/// its bytes in `value`), `Map`, `Set`, `WeakMap`, `hidden` (an object with a non-enumerable
/// own property, named in `key`), `nested too deeply` (an object deeper than any argument is
/// read, or a cycle).
fn marker<'v>(v: &'v Json<'_>) -> Option<&'v str> {
    v.get(MARK)?.as_str()
}

/// The arguments of one call, from `encode(...)`'s JSON array.
pub(crate) fn parse<'a>(env: &Env, text: &'a str) -> Result<Vec<Json<'a>>> {
    match serde_json::from_str(text) {
        Ok(Json::Array(args)) => Ok(args),
        Ok(_) => Err(type_error(env, "the arguments must be encoded as an array".into())),
        Err(e) => Err(type_error(env, format!("the arguments could not be read: {e}"))),
    }
}

/// Argument `i` (`undefined` when not given).
pub(crate) fn at<'v, 'a>(args: &'v [Json<'a>], i: usize) -> &'v Json<'a> {
    args.get(i).unwrap_or(&Json::Undefined)
}

/// Argument `i`, `None` when it is `undefined` or `null`.
pub(crate) fn optional<'v, 'a>(args: &'v [Json<'a>], i: usize) -> Option<&'v Json<'a>> {
    Some(at(args, i)).filter(|v| !v.is_nullish())
}

/// Names an argument (`The "phone" argument`) or a property (`The "options.timeoutMs" property`).
#[derive(Clone, Copy)]
pub(crate) enum Name<'a> {
    Arg(&'a str),
    Prop(&'a str, &'a str),
    Path(&'a str),
}

impl Name<'_> {
    /// The argument or property path as written: `phone`, `options.signName`.
    fn path(&self) -> String {
        match self {
            Name::Arg(n) | Name::Path(n) => (*n).to_owned(),
            Name::Prop(obj, key) => format!("{obj}.{key}"),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Name::Arg(n) => format!("The \"{n}\" argument"),
            Name::Prop(obj, key) => format!("The \"{obj}.{key}\" property"),
            Name::Path(path) => format!("The \"{path}\" property"),
        }
    }
}

/// A number, also NaN or ±Infinity (which JSON cannot hold).
fn as_number(v: &Json<'_>) -> Option<f64> {
    match v {
        Json::Number(n) => Some(*n),
        _ if marker(v) == Some("number") => v.get("value")?.as_str()?.parse().ok(),
        _ => None,
    }
}

/// How a received value is shown in messages: its type and, unless `secret`, a short preview.
fn received(v: &Json<'_>, secret: bool) -> String {
    let preview = |s: String| if secret { String::new() } else { format!(" ({s})") };
    if let Some(n) = as_number(v) {
        return format!("Received type number{}", preview(n.to_string()));
    }
    match (v, marker(v)) {
        (Json::Undefined, _) | (_, Some("undefined")) => "Received undefined".into(),
        (Json::Null, _) => "Received null".into(),
        (Json::Bool(b), _) => format!("Received type boolean{}", preview(b.to_string())),
        (Json::String(s), _) => {
            let shown: String = s.chars().take(28).collect();
            let ellipsis = if shown.len() < s.len() { "..." } else { "" };
            format!("Received type string{}", preview(format!("'{shown}'{ellipsis}")))
        }
        (_, Some("function")) => "Received function".into(),
        (_, Some("surrogate")) => "Received type string".into(),
        (_, Some(t @ ("symbol" | "bigint"))) => format!("Received type {t}"),
        _ => "Received an object".into(),
    }
}

fn expected(env: &Env, name: Name<'_>, what: &str, v: &Json<'_>, secret: bool) -> Error {
    type_error(env, format!("{} must be {what}. {}", name.describe(), received(v, secret)))
}

/// A string, or a `TypeError`. A lone surrogate (`'\uD800'`, which UTF-8 cannot hold) is an
/// `ERR_SMSAUTH_INVALID_INPUT` error naming the argument, without its value.
pub(crate) fn string(env: &Env, name: Name<'_>, v: &Json<'_>, secret: bool) -> Result<String> {
    match v {
        Json::String(s) => Ok(s.clone().into_owned()),
        _ if marker(v) == Some("surrogate") => {
            let e = smsauth::Error::invalid_input(
                "text",
                "contains a lone surrogate (U+D800 to U+DFFF), which is not text",
            );
            Err(crate::error::core_error_for(env, &e, &name.path()))
        }
        _ => Err(expected(env, name, "of type string", v, secret)),
    }
}

/// A boolean, or a `TypeError`.
pub(crate) fn boolean(env: &Env, name: Name<'_>, v: &Json<'_>) -> Result<bool> {
    match v {
        Json::Bool(b) => Ok(*b),
        _ => Err(expected(env, name, "of type boolean", v, false)),
    }
}

/// A number (NaN and ±Infinity included), or a `TypeError`.
pub(crate) fn number(env: &Env, name: Name<'_>, v: &Json<'_>) -> Result<f64> {
    as_number(v).ok_or_else(|| expected(env, name, "of type number", v, false))
}

/// An integer in `min..=max`: `TypeError` for a non-number, `RangeError` otherwise.
pub(crate) fn integer(env: &Env, name: Name<'_>, v: &Json<'_>, min: f64, max: f64) -> Result<i64> {
    let n = number(env, name, v)?;
    if n.fract() != 0.0 || !n.is_finite() || n < min || n > max {
        return Err(range_error(
            env,
            format!("{} must be an integer >= {min} and <= {max}. Received {n}", name.describe()),
        ));
    }
    // In range of i64 by the check above (max is at most 2^53 - 1).
    Ok(n as i64)
}

/// An array, or a `TypeError` saying what it must be an array of.
pub(crate) fn array<'v, 'a>(env: &Env, name: Name<'_>, v: &'v Json<'a>, of: &str) -> Result<&'v [Json<'a>]> {
    match v {
        Json::Array(items) => Ok(items),
        _ => Err(type_error(env, format!("{} must be an array of {of}", name.describe()))),
    }
}

/// The bytes of a `Uint8Array` or `Buffer`, `None` for anything else.
pub(crate) fn bytes(v: &Json<'_>) -> Option<Vec<u8>> {
    let Json::Array(items) = v.get("value").filter(|_| marker(v) == Some("bytes"))? else { return None };
    items.iter().map(|b| as_number(b).map(|b| b as u8)).collect()
}

/// Name/value pairs from a plain object or an array of `[name, value]`.
pub(crate) fn pairs(env: &Env, name: Name<'_>, v: &Json<'_>) -> Result<Vec<(String, String)>> {
    let bad = || {
        let what = name.describe();
        type_error(env, format!("{what} must be an object of strings or an array of [name, value] strings"))
    };
    let pair = |k: &str, v: &Json<'_>| Ok((k.to_owned(), v.as_str().ok_or_else(bad)?.to_owned()));
    match v {
        Json::Array(items) => items
            .iter()
            .map(|item| match item {
                Json::Array(kv) => match kv.as_slice() {
                    [Json::String(k), v] => pair(k, v),
                    _ => Err(bad()),
                },
                _ => Err(bad()),
            })
            .collect(),
        Json::Object(entries) if marker(v).is_none() => entries.iter().map(|(k, v)| pair(k, v)).collect(),
        _ => Err(bad()),
    }
}

/// Set `obj[name] = value` as a non-enumerable property, so a secret stays out of logs, JSON and
/// spreads while still readable by name.
pub(crate) fn set_hidden(env: &Env, obj: &mut Object<'_>, name: &str, value: &str) -> Result<()> {
    let value = env.create_string(value)?;
    let hidden = Property::new().with_utf8_name(name)?.with_value(&value);
    obj.define_properties(&[hidden.with_property_attributes(PropertyAttributes::Default)])
}

/// An object whose enumerable properties are read by name; [`Fields::finish`] refuses any
/// property that was not read, so a typo such as `signname` is an error, not silently ignored.
pub(crate) struct Fields<'a, 'j> {
    env: &'a Env,
    name: String,
    entries: &'a [(Cow<'j, str>, Json<'j>)],
    /// The names read so far, each followed by a NUL (one allocation for them all).
    used: String,
}

impl<'a, 'j> Fields<'a, 'j> {
    /// `None` for `undefined`/`null`; a `TypeError` for anything but a plain object.
    pub(crate) fn new(env: &'a Env, name: &str, v: &'a Json<'j>) -> Result<Option<Self>> {
        if v.is_nullish() { Ok(None) } else { Self::required(env, name, v).map(Some) }
    }

    /// `undefined`/`null` read as an object without properties.
    pub(crate) fn or_empty(env: &'a Env, name: &str, v: &'a Json<'j>) -> Result<Self> {
        Ok(Self::new(env, name, v)?.unwrap_or(Fields { env, name: name.to_owned(), entries: &[], used: String::new() }))
    }

    /// Like [`Fields::new`] but `undefined`/`null` are refused too. Options are read from
    /// enumerable properties: a `Map` (whose entries are not properties) or a non-enumerable own
    /// property would be silently ignored — and an SMS sent with the client's defaults — so both
    /// are refused.
    pub(crate) fn required(env: &'a Env, name: &str, v: &'a Json<'j>) -> Result<Self> {
        let entries = match (v, marker(v)) {
            (Json::Object(entries), None) => entries,
            (_, Some(class @ ("Map" | "Set" | "WeakMap"))) => {
                let message =
                    format!("The \"{name}\" argument must be a plain object, not a {class}: use {{ key: value }}");
                return Err(type_error(env, message));
            }
            (_, Some("hidden")) => {
                let hidden = v.get("key").and_then(Json::as_str).unwrap_or_default();
                let message = format!(
                    "The \"{name}.{hidden}\" property must be enumerable (options are read from enumerable properties)"
                );
                return Err(type_error(env, message));
            }
            _ => {
                let what = if name.contains('.') { Name::Path(name) } else { Name::Arg(name) };
                return Err(expected(env, what, "of type object", v, false));
            }
        };
        Ok(Fields { env, name: name.to_owned(), entries, used: String::new() })
    }

    pub(crate) fn env(&self) -> &'a Env {
        self.env
    }

    /// The property, `None` when absent or `null`.
    pub(crate) fn get(&mut self, key: &str) -> Option<&'a Json<'j>> {
        self.get_or_null(key).filter(|v| !matches!(v, Json::Null))
    }

    /// The property, `None` when absent (a `null` is returned).
    pub(crate) fn get_or_null(&mut self, key: &str) -> Option<&'a Json<'j>> {
        self.used.push_str(key);
        self.used.push('\0');
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The object's path in messages (`options.guard`).
    pub(crate) fn object(&self) -> &str {
        &self.name
    }

    /// How the property `key` is named in messages (`options.signName`).
    pub(crate) fn name<'k>(&'k self, key: &'k str) -> Name<'k> {
        Name::Prop(&self.name, key)
    }

    pub(crate) fn string(&mut self, key: &str) -> Result<Option<String>> {
        self.get(key).map(|v| string(self.env, self.name(key), v, false)).transpose()
    }

    /// A string whose value is never shown in error messages.
    pub(crate) fn secret(&mut self, key: &str) -> Result<Option<String>> {
        self.get(key).map(|v| string(self.env, self.name(key), v, true)).transpose()
    }

    /// A string that must be there.
    pub(crate) fn required_string(&mut self, key: &str, secret: bool) -> Result<String> {
        let v = self.get(key).unwrap_or(&Json::Undefined);
        string(self.env, self.name(key), v, secret)
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Result<Option<bool>> {
        self.get(key).map(|v| boolean(self.env, self.name(key), v)).transpose()
    }

    pub(crate) fn integer(&mut self, key: &str, min: f64, max: f64) -> Result<Option<i64>> {
        self.get(key).map(|v| integer(self.env, self.name(key), v, min, max)).transpose()
    }

    /// A non-negative integer that fits in `u32`.
    pub(crate) fn u32(&mut self, key: &str) -> Result<Option<u32>> {
        Ok(self.integer(key, 0.0, f64::from(u32::MAX))?.map(|n| n.clamp(0, i64::from(u32::MAX)) as u32))
    }

    /// A non-negative `u32` that must be there.
    pub(crate) fn required_u32(&mut self, key: &str) -> Result<u32> {
        match self.u32(key)? {
            Some(n) => Ok(n),
            None => Err(expected(self.env, self.name(key), "of type number", &Json::Undefined, false)),
        }
    }

    pub(crate) fn pairs(&mut self, key: &str) -> Result<Option<Vec<(String, String)>>> {
        self.get(key).map(|v| pairs(self.env, self.name(key), v)).transpose()
    }

    /// Fail on any property that was not read.
    pub(crate) fn finish(self) -> Result<()> {
        let known: Vec<&str> = self.used.split_terminator('\0').collect();
        let Some((key, _)) = self.entries.iter().find(|(k, _)| !known.contains(&k.as_ref())) else { return Ok(()) };
        Err(crate::error::core_error_for(self.env, &smsauth::api::unknown_name("options", key, &known), &self.name))
    }
}
