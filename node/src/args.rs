//! Reading JavaScript arguments with Node-style errors.
//!
//! napi's automatic conversion reports a wrong type as a plain `Error`; users expect what Node's
//! own APIs throw: a `TypeError` (`ERR_INVALID_ARG_TYPE`) naming the argument, e.g.
//! `The "phone" argument must be of type string. Received type number (13800138000)`.
//! Values of secret options are never echoed.

use napi::bindgen_prelude::*;
use napi::{Property, PropertyAttributes};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;

use crate::error::{range_error, type_error};

/// `undefined` or `null`.
pub(crate) fn is_nullish(v: &Unknown<'_>) -> Result<bool> {
    Ok(matches!(v.get_type()?, ValueType::Undefined | ValueType::Null))
}

/// How a received value is shown in messages: its type and, unless `secret`, a short preview.
fn received(v: &Unknown<'_>, secret: bool) -> String {
    let Ok(t) = v.get_type() else { return "Received an unknown value".into() };
    let preview = |s: String| if secret { String::new() } else { format!(" ({s})") };
    match t {
        ValueType::Undefined => "Received undefined".into(),
        ValueType::Null => "Received null".into(),
        ValueType::String => {
            let s: String = unsafe { v.cast() }.unwrap_or_default();
            let shown: String = s.chars().take(28).collect();
            let ellipsis = if shown.len() < s.len() { "..." } else { "" };
            format!("Received type string{}", preview(format!("'{shown}'{ellipsis}")))
        }
        ValueType::Number => {
            let n: f64 = unsafe { v.cast() }.unwrap_or(f64::NAN);
            format!("Received type number{}", preview(n.to_string()))
        }
        ValueType::Boolean => {
            let b: bool = unsafe { v.cast() }.unwrap_or_default();
            format!("Received type boolean{}", preview(b.to_string()))
        }
        ValueType::Function => "Received function".into(),
        ValueType::Object => "Received an object".into(),
        ValueType::BigInt => "Received type bigint".into(),
        ValueType::Symbol => "Received type symbol".into(),
        _ => "Received an unknown value".into(),
    }
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

fn expected(env: &Env, name: Name<'_>, what: &str, v: &Unknown<'_>, secret: bool) -> Error {
    type_error(env, format!("{} must be {what}. {}", name.describe(), received(v, secret)))
}

/// A string, or a `TypeError`. A lone surrogate (`'\uD800'`, which UTF-8 cannot hold and napi
/// would silently turn into U+FFFD) is an `ERR_SMSAUTH_INVALID_INPUT` error naming the argument,
/// without its value.
pub(crate) fn string(env: &Env, name: Name<'_>, v: &Unknown<'_>, secret: bool) -> Result<String> {
    if v.get_type()? != ValueType::String {
        return Err(expected(env, name, "of type string", v, secret));
    }
    let units: Utf16String = unsafe { v.cast() }?;
    String::from_utf16(&units).map_err(|_| {
        let e =
            smsauth::Error::invalid_input("text", "contains a lone surrogate (U+D800 to U+DFFF), which is not text");
        crate::error::core_error_for(env, &e, &name.path())
    })
}

/// A boolean, or a `TypeError`.
pub(crate) fn boolean(env: &Env, name: Name<'_>, v: &Unknown<'_>) -> Result<bool> {
    if v.get_type()? != ValueType::Boolean {
        return Err(expected(env, name, "of type boolean", v, false));
    }
    unsafe { v.cast() }
}

/// A finite number, or a `TypeError`.
pub(crate) fn number(env: &Env, name: Name<'_>, v: &Unknown<'_>) -> Result<f64> {
    if v.get_type()? != ValueType::Number {
        return Err(expected(env, name, "of type number", v, false));
    }
    unsafe { v.cast() }
}

/// An integer in `min..=max`: `TypeError` for a non-number, `RangeError` otherwise.
pub(crate) fn integer(env: &Env, name: Name<'_>, v: &Unknown<'_>, min: f64, max: f64) -> Result<i64> {
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

/// Options are read from an object's own enumerable properties; a `Map` (whose entries are not
/// properties) or a non-enumerable own property would be silently ignored — and an SMS sent with
/// the client's defaults — so both are refused.
fn refuse_hidden_entries(env: &Env, name: &str, obj: &Object<'_>, keys: &[String]) -> Result<()> {
    let global = env.get_global()?;
    for class in ["Map", "Set", "WeakMap"] {
        let ctor: Function<'_, Unknown<'_>, Unknown<'_>> = global.get_named_property(class)?;
        if obj.instanceof(ctor)? {
            return Err(crate::error::type_error(
                env,
                format!("The \"{name}\" argument must be a plain object, not a {class}: use {{ key: value }}"),
            ));
        }
    }
    // `Object` is a function: read it untyped, then use it as the object it also is.
    let object: Unknown<'_> = global.get_named_property("Object")?;
    let object: Object<'_> = unsafe { object.cast()? };
    let own_names: Function<'_, Object<'_>, Vec<String>> = object.get_named_property("getOwnPropertyNames")?;
    if let Some(hidden) = own_names.call(*obj)?.into_iter().find(|k| !keys.contains(k)) {
        return Err(crate::error::type_error(
            env,
            format!(
                "The \"{name}.{hidden}\" property must be enumerable (options are read from enumerable properties)"
            ),
        ));
    }
    Ok(())
}

/// Set `obj[name] = value` as a non-enumerable property, so a secret stays out of logs, JSON and
/// spreads while still readable by name.
pub(crate) fn set_hidden(env: &Env, obj: &mut Object<'_>, name: &str, value: &str) -> Result<()> {
    let value = env.create_string(value)?;
    let hidden = Property::new().with_utf8_name(name)?.with_value(&value);
    obj.define_properties(&[hidden.with_property_attributes(PropertyAttributes::Default)])
}

/// The largest integer a JavaScript number holds exactly.
pub(crate) const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// An object whose own enumerable properties are read by name; [`Fields::finish`] refuses any
/// property that was not read, so a typo such as `signname` is an error, not silently ignored.
pub(crate) struct Fields<'env> {
    env: &'env Env,
    obj: Object<'env>,
    name: String,
    keys: Vec<String>,
    used: Vec<String>,
}

impl<'env> Fields<'env> {
    /// `None` for `undefined`/`null`; a `TypeError` for anything but a plain object.
    pub(crate) fn new(env: &'env Env, name: &str, v: Option<Unknown<'env>>) -> Result<Option<Self>> {
        let Some(v) = v else { return Ok(None) };
        if is_nullish(&v)? {
            return Ok(None);
        }
        if v.get_type()? != ValueType::Object || v.is_array()? {
            return Err(expected(env, Name::Arg(name), "of type object", &v, false));
        }
        Self::required(env, name, v).map(Some)
    }

    /// Like [`Fields::new`] but `undefined`/`null` are refused too.
    pub(crate) fn required(env: &'env Env, name: &str, v: Unknown<'env>) -> Result<Self> {
        if v.get_type()? != ValueType::Object || v.is_array()? {
            let what = if name.contains('.') { Name::Path(name) } else { Name::Arg(name) };
            return Err(expected(env, what, "of type object", &v, false));
        }
        let obj: Object<'env> = unsafe { v.cast()? };
        let keys = Object::keys(&obj)?;
        refuse_hidden_entries(env, name, &obj, &keys)?;
        Ok(Fields { env, obj, name: name.to_owned(), keys, used: Vec::new() })
    }

    /// No object (`undefined` or `null` given): every property reads as absent.
    pub(crate) fn empty(env: &'env Env, name: &str) -> Result<Self> {
        Ok(Fields { env, obj: Object::new(env)?, name: name.to_owned(), keys: Vec::new(), used: Vec::new() })
    }

    pub(crate) fn env(&self) -> &'env Env {
        self.env
    }

    /// The property, `None` when absent, `undefined` or `null`.
    pub(crate) fn get(&mut self, key: &str) -> Result<Option<Unknown<'env>>> {
        let v = self.get_or_null(key)?;
        v.filter(|v| v.get_type().is_ok_and(|t| t != ValueType::Null)).map_or(Ok(None), |v| Ok(Some(v)))
    }

    /// The property, `None` when absent or `undefined` (a `null` is returned).
    pub(crate) fn get_or_null(&mut self, key: &str) -> Result<Option<Unknown<'env>>> {
        self.used.push(key.to_owned());
        if !self.keys.iter().any(|k| k == key) {
            return Ok(None);
        }
        let v: Unknown<'env> = self.obj.get_named_property(key)?;
        Ok(Some(v).filter(|v| v.get_type().is_ok_and(|t| t != ValueType::Undefined)))
    }

    /// The object's path in messages (`options.guard`).
    pub(crate) fn object(&self) -> &str {
        &self.name
    }

    /// How the property `key` is named in messages (`options.signName`).
    pub(crate) fn name<'a>(&'a self, key: &'a str) -> Name<'a> {
        Name::Prop(&self.name, key)
    }

    pub(crate) fn string(&mut self, key: &str) -> Result<Option<String>> {
        self.get(key)?.map(|v| string(self.env, self.name(key), &v, false)).transpose()
    }

    /// A string whose value is never shown in error messages.
    pub(crate) fn secret(&mut self, key: &str) -> Result<Option<String>> {
        self.get(key)?.map(|v| string(self.env, self.name(key), &v, true)).transpose()
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Result<Option<bool>> {
        self.get(key)?.map(|v| boolean(self.env, self.name(key), &v)).transpose()
    }

    pub(crate) fn integer(&mut self, key: &str, min: f64, max: f64) -> Result<Option<i64>> {
        self.get(key)?.map(|v| integer(self.env, self.name(key), &v, min, max)).transpose()
    }

    /// A non-negative integer that fits in `u32`.
    pub(crate) fn u32(&mut self, key: &str) -> Result<Option<u32>> {
        Ok(self.integer(key, 0.0, f64::from(u32::MAX))?.map(|n| n.clamp(0, i64::from(u32::MAX)) as u32))
    }

    /// A non-negative `u32` that must be there.
    pub(crate) fn required_u32(&mut self, key: &str) -> Result<u32> {
        match self.u32(key)? {
            Some(n) => Ok(n),
            None => Err(type_error(
                self.env,
                format!("{} must be of type number. Received undefined", self.name(key).describe()),
            )),
        }
    }

    /// Fail on any property that was not read.
    pub(crate) fn finish(self) -> Result<()> {
        let Some(key) = self.keys.iter().find(|k| !self.used.contains(k)) else { return Ok(()) };
        let known: Vec<&str> = self.used.iter().map(String::as_str).collect();
        Err(crate::error::core_error_for(self.env, &smsauth::api::unknown_name("options", key, &known), &self.name))
    }
}

/// Name/value pairs from a plain object or an array of `[name, value]`.
pub(crate) fn pairs(env: &Env, name: Name<'_>, v: &Unknown<'_>) -> Result<Vec<(String, String)>> {
    let bad = || {
        let what = name.describe();
        type_error(env, format!("{what} must be an object of strings or an array of [name, value] strings"))
    };
    if v.get_type()? != ValueType::Object {
        return Err(bad());
    }
    let mut out = Vec::new();
    if v.is_array()? {
        let arr: Array<'_> = unsafe { v.cast()? };
        for i in 0..arr.len() {
            let item: Unknown<'_> = arr.get_element(i)?;
            if !item.is_array()? {
                return Err(bad());
            }
            let pair: Array<'_> = unsafe { item.cast()? };
            if pair.len() != 2 {
                return Err(bad());
            }
            let k: Unknown<'_> = pair.get_element(0)?;
            let val: Unknown<'_> = pair.get_element(1)?;
            if k.get_type()? != ValueType::String || val.get_type()? != ValueType::String {
                return Err(bad());
            }
            out.push(unsafe { (k.cast::<String>()?, val.cast::<String>()?) });
        }
    } else {
        let obj: Object<'_> = unsafe { v.cast()? };
        for k in Object::keys(&obj)? {
            let val: Unknown<'_> = obj.get_named_property(&k)?;
            if val.get_type()? != ValueType::String {
                return Err(bad());
            }
            out.push((k, unsafe { val.cast()? }));
        }
    }
    Ok(out)
}

/// One argument object's properties, read by name: the fast reader for hot paths (`sign()`). A plain object holding only properties the
/// caller knows takes a few napi calls; anything else (a typo, a `Map`, a class instance, a
/// hidden or `undefined` property) takes the full reader, [`Fields`], for its checks and
/// messages. The full reader costs more than signing itself: `sign()` is the hot path.
pub(crate) struct Props<'env> {
    env: &'env Env,
    name: &'static str,
    /// `Ok`: the plain object's non-nullish known properties.
    values: std::result::Result<Vec<(&'static str, Unknown<'env>)>, Fields<'env>>,
}

impl<'env> Props<'env> {
    pub(crate) fn read(env: &'env Env, name: &'static str, v: Unknown<'env>, known: &[&'static str]) -> Result<Self> {
        let values = match plain(&v, known)? {
            Some(values) => Ok(values),
            None => Err(Fields::required(env, name, v)?),
        };
        Ok(Props { env, name, values })
    }

    /// The property, `None` when absent or `null`.
    pub(crate) fn get(&mut self, key: &'static str) -> Result<Option<Unknown<'env>>> {
        match &mut self.values {
            Ok(values) => Ok(values.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)),
            Err(f) => f.get(key),
        }
    }

    pub(crate) fn string(&mut self, key: &'static str, secret: bool) -> Result<Option<String>> {
        self.get(key)?.map(|v| string(self.env, Name::Prop(self.name, key), &v, secret)).transpose()
    }

    pub(crate) fn required(&mut self, key: &'static str, secret: bool) -> Result<String> {
        self.string(key, secret)?.ok_or_else(|| {
            let what = format!("The \"{}.{key}\" property must be of type string. Received undefined", self.name);
            type_error(self.env, what)
        })
    }

    pub(crate) fn pairs(&mut self, key: &'static str) -> Result<Option<Vec<(String, String)>>> {
        self.get(key)?.map(|v| pairs(self.env, Name::Prop(self.name, key), &v)).transpose()
    }

    /// Refuse a property the caller did not read (the full reader's check).
    pub(crate) fn finish(self) -> Result<()> {
        self.values.map_or_else(Fields::finish, |_| Ok(()))
    }
}

/// The `known` properties of `v` when it is a plain object (its prototype is `Object.prototype`)
/// whose own properties, all enumerable, are exactly the known ones it has, none `undefined`
/// (so none hidden, none unknown, none inherited); otherwise `None`.
fn plain<'env>(v: &Unknown<'env>, known: &[&'static str]) -> Result<Option<Vec<(&'static str, Unknown<'env>)>>> {
    if v.get_type()? != ValueType::Object || v.is_array()? {
        return Ok(None);
    }
    let obj: Object<'env> = unsafe { v.cast()? };
    let proto = obj.get_prototype()?;
    if proto.get_type()? != ValueType::Object
        || unsafe { proto.cast::<Object<'_>>()? }.get_prototype()?.get_type()? != ValueType::Null
    {
        return Ok(None);
    }
    // Own string keys, hidden ones included, and own enumerable keys: equal only when none is
    // hidden (an enumerable symbol key makes them differ too, or is not a known name below).
    let names =
        |filter| obj.get_all_property_names(KeyCollectionMode::OwnOnly, filter, KeyConversion::NumbersToStrings);
    let own = names(KeyFilter::SkipSymbols)?.get_array_length()?;
    let enumerable = names(KeyFilter::Enumerable)?;
    if enumerable.get_array_length()? != own {
        return Ok(None);
    }
    // Each property is read by the name the engine listed (already a property key): probing
    // every known name instead would intern each of them on every call.
    let mut values = Vec::with_capacity(known.len());
    for i in 0..own {
        let name: Unknown<'env> = enumerable.get_element(i)?;
        let Some(key) = known_name(&name, known)? else { return Ok(None) };
        let value: Unknown<'env> = obj.get_property(name)?;
        match value.get_type()? {
            ValueType::Undefined => return Ok(None),
            ValueType::Null => {}
            _ => values.push((key, value)),
        }
    }
    Ok(Some(values))
}

/// Which of `known` the property name `name` is (a symbol, or any other name, is none).
fn known_name(name: &Unknown<'_>, known: &[&'static str]) -> Result<Option<&'static str>> {
    if name.get_type()? != ValueType::String {
        return Ok(None);
    }
    // Known names are short: a longer name is cut to 31 bytes here, and matches none of them.
    let (mut buf, mut len) = ([0u8; 32], 0);
    let raw = name.value();
    // SAFETY: a string value of its environment, and a writable buffer of the size given.
    let status =
        unsafe { sys::napi_get_value_string_utf8(raw.env, raw.value, buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    if status != sys::Status::napi_ok {
        return Err(Error::new(Status::from(status), "could not read a property name"));
    }
    Ok(known.iter().copied().find(|k| k.as_bytes() == &buf[..len.min(buf.len())]))
}

// Arguments as JSON: `index.js` (`encode`) hands a call's arguments over as ONE JSON text, read
// here with the same rules and messages as the readers above (one string crosses Node-API
// instead of a few calls per property).

/// An argument as `index.js` encoded it: JSON, its texts borrowed from the encoded arguments
/// where they need no unescaping, its objects as lists in the order written.
#[derive(Debug)]
pub(crate) enum Json<'a> {
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
}

/// The key of the marker objects `index.js` writes for what JSON cannot hold.
const MARK: &str = "\u{0}";

/// The marker of a value JSON cannot hold, if `v` is one: `undefined` (in an array, or a missing
/// argument), `function`, `symbol`, `bigint`, `number` (NaN or ±Infinity, its text in `value`),
/// `surrogate` (a string holding a lone surrogate), `Map`, `Set`, `WeakMap`, `hidden` (an object
/// with a non-enumerable own property, named in `key`).
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

/// A number, also NaN or ±Infinity (which JSON cannot hold).
fn json_number(v: &Json<'_>) -> Option<f64> {
    match v {
        Json::Number(n) => Some(*n),
        _ if marker(v) == Some("number") => v.get("value")?.as_str()?.parse().ok(),
        _ => None,
    }
}

/// How a received value is shown in messages: its type and, unless `secret`, a short preview.
fn received_json(v: Option<&Json<'_>>, secret: bool) -> String {
    let preview = |s: String| if secret { String::new() } else { format!(" ({s})") };
    let Some(v) = v else { return "Received undefined".into() };
    if let Some(n) = json_number(v) {
        return format!("Received type number{}", preview(n.to_string()));
    }
    match (v, marker(v)) {
        (Json::Null, _) => "Received null".into(),
        (Json::Bool(b), _) => format!("Received type boolean{}", preview(b.to_string())),
        (Json::String(s), _) => {
            let shown: String = s.chars().take(28).collect();
            let ellipsis = if shown.len() < s.len() { "..." } else { "" };
            format!("Received type string{}", preview(format!("'{shown}'{ellipsis}")))
        }
        (_, Some("undefined")) => "Received undefined".into(),
        (_, Some("function")) => "Received function".into(),
        (_, Some("surrogate")) => "Received type string".into(),
        (_, Some(t @ ("symbol" | "bigint"))) => format!("Received type {t}"),
        _ => "Received an object".into(),
    }
}

fn expected_json(env: &Env, name: Name<'_>, what: &str, v: Option<&Json<'_>>, secret: bool) -> Error {
    type_error(env, format!("{} must be {what}. {}", name.describe(), received_json(v, secret)))
}

/// A string, or a `TypeError`; a lone surrogate is an `ERR_SMSAUTH_INVALID_INPUT` error naming
/// the argument (see [`string`]).
pub(crate) fn json_string(env: &Env, name: Name<'_>, v: &Json<'_>, secret: bool) -> Result<String> {
    match v {
        Json::String(s) => Ok(s.clone().into_owned()),
        _ if marker(v) == Some("surrogate") => {
            let e = smsauth::Error::invalid_input(
                "text",
                "contains a lone surrogate (U+D800 to U+DFFF), which is not text",
            );
            Err(crate::error::core_error_for(env, &e, &name.path()))
        }
        _ => Err(expected_json(env, name, "of type string", Some(v), secret)),
    }
}

/// A boolean, or a `TypeError`.
#[allow(dead_code)] // Read through the JSON reader by the next change.
pub(crate) fn json_boolean(env: &Env, name: Name<'_>, v: &Json<'_>) -> Result<bool> {
    match v {
        Json::Bool(b) => Ok(*b),
        _ => Err(expected_json(env, name, "of type boolean", Some(v), false)),
    }
}

/// A number (NaN and ±Infinity included), or a `TypeError`.
pub(crate) fn json_float(env: &Env, name: Name<'_>, v: &Json<'_>) -> Result<f64> {
    json_number(v).ok_or_else(|| expected_json(env, name, "of type number", Some(v), false))
}

/// An integer in `min..=max`: `TypeError` for a non-number, `RangeError` otherwise.
pub(crate) fn json_integer(env: &Env, name: Name<'_>, v: &Json<'_>, min: f64, max: f64) -> Result<i64> {
    let n = json_float(env, name, v)?;
    if n.fract() != 0.0 || !n.is_finite() || n < min || n > max {
        return Err(range_error(
            env,
            format!("{} must be an integer >= {min} and <= {max}. Received {n}", name.describe()),
        ));
    }
    // In range of i64 by the check above (max is at most 2^53 - 1).
    Ok(n as i64)
}

/// Name/value pairs from a plain object or an array of `[name, value]`.
pub(crate) fn json_pairs(env: &Env, name: Name<'_>, v: &Json<'_>) -> Result<Vec<(String, String)>> {
    let bad = || {
        let what = name.describe();
        type_error(env, format!("{what} must be an object of strings or an array of [name, value] strings"))
    };
    let pair = |k: &str, v: &Json<'_>| Ok((k.to_owned(), v.as_str().ok_or_else(bad)?.to_owned()));
    match v {
        Json::Array(items) => items
            .iter()
            .map(|item| match item {
                Json::Array(pair_) => match pair_.as_slice() {
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

/// An object argument read by property name, as [`Fields`] reads one: [`Obj::finish`] refuses
/// any property that was not read.
pub(crate) struct Obj<'a, 'j> {
    env: &'a Env,
    name: String,
    entries: &'a [(Cow<'j, str>, Json<'j>)],
    /// The names read so far, each followed by a NUL (one allocation for them all).
    used: String,
}

#[allow(dead_code)] // Read through the JSON reader by the next change.
impl<'a, 'j> Obj<'a, 'j> {
    /// `None` for `undefined`/`null`; a `TypeError` for anything but a plain object.
    pub(crate) fn new(env: &'a Env, name: &str, v: Option<&'a Json<'j>>) -> Result<Option<Self>> {
        let v = v.filter(|v| !matches!(v, Json::Null) && marker(v) != Some("undefined"));
        v.map(|v| Self::required(env, name, Some(v))).transpose()
    }

    /// `undefined`/`null` read as an object without properties.
    pub(crate) fn or_empty(env: &'a Env, name: &str, v: Option<&'a Json<'j>>) -> Result<Self> {
        Ok(Self::new(env, name, v)?.unwrap_or(Obj { env, name: name.to_owned(), entries: &[], used: String::new() }))
    }

    /// Like [`Obj::new`] but `undefined`/`null` are refused too. Options are read from
    /// enumerable properties: a `Map` (whose entries are not properties) or a non-enumerable own
    /// property would be silently ignored, so both are refused.
    pub(crate) fn required(env: &'a Env, name: &str, v: Option<&'a Json<'j>>) -> Result<Self> {
        let what = if name.contains('.') { Name::Path(name) } else { Name::Arg(name) };
        let entries = match v.map(|v| (v, marker(v))) {
            Some((Json::Object(entries), None)) => entries,
            Some((_, Some(class @ ("Map" | "Set" | "WeakMap")))) => {
                let message =
                    format!("The \"{name}\" argument must be a plain object, not a {class}: use {{ key: value }}");
                return Err(type_error(env, message));
            }
            Some((v, Some("hidden"))) => {
                let hidden = v.get("key").and_then(Json::as_str).unwrap_or_default();
                let message = format!(
                    "The \"{name}.{hidden}\" property must be enumerable (options are read from enumerable properties)"
                );
                return Err(type_error(env, message));
            }
            _ => return Err(expected_json(env, what, "of type object", v, false)),
        };
        Ok(Obj { env, name: name.to_owned(), entries, used: String::new() })
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
        self.get(key).map(|v| json_string(self.env, self.name(key), v, false)).transpose()
    }

    /// A string whose value is never shown in error messages.
    pub(crate) fn secret(&mut self, key: &str) -> Result<Option<String>> {
        self.get(key).map(|v| json_string(self.env, self.name(key), v, true)).transpose()
    }

    /// A string that must be there.
    pub(crate) fn required_string(&mut self, key: &str, secret: bool) -> Result<String> {
        match self.get(key) {
            Some(v) => json_string(self.env, self.name(key), v, secret),
            None => Err(expected_json(self.env, self.name(key), "of type string", None, false)),
        }
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Result<Option<bool>> {
        self.get(key).map(|v| json_boolean(self.env, self.name(key), v)).transpose()
    }

    pub(crate) fn integer(&mut self, key: &str, min: f64, max: f64) -> Result<Option<i64>> {
        self.get(key).map(|v| json_integer(self.env, self.name(key), v, min, max)).transpose()
    }

    /// A non-negative integer that fits in `u32`.
    pub(crate) fn u32(&mut self, key: &str) -> Result<Option<u32>> {
        Ok(self.integer(key, 0.0, f64::from(u32::MAX))?.map(|n| n.clamp(0, i64::from(u32::MAX)) as u32))
    }

    /// A non-negative `u32` that must be there.
    pub(crate) fn required_u32(&mut self, key: &str) -> Result<u32> {
        match self.u32(key)? {
            Some(n) => Ok(n),
            None => Err(expected_json(self.env, self.name(key), "of type number", None, false)),
        }
    }

    pub(crate) fn pairs(&mut self, key: &str) -> Result<Option<Vec<(String, String)>>> {
        self.get(key).map(|v| json_pairs(self.env, self.name(key), v)).transpose()
    }

    /// Fail on any property that was not read.
    pub(crate) fn finish(self) -> Result<()> {
        let known: Vec<&str> = self.used.split_terminator('\0').collect();
        let Some((key, _)) = self.entries.iter().find(|(k, _)| !known.contains(&k.as_ref())) else { return Ok(()) };
        Err(crate::error::core_error_for(self.env, &smsauth::api::unknown_name("options", key, &known), &self.name))
    }
}
