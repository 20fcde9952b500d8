//! [`Value`]: any host language's argument as one tree the readers of this module take.

use std::borrow::Cow;
use std::fmt::Write;

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

/// A host value (a JavaScript or Python argument) converted for reading: texts and keys
/// borrowed where the host's encoding allows, maps as entries in the order written (so a
/// message names the first offending key the user wrote).
#[derive(Clone, PartialEq)]
pub enum Value<'a> {
    /// Not given (JavaScript `undefined`, a Python keyword left out).
    Absent,
    /// The host's null (`null`, `None`).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number the host holds exactly.
    Integer(i64),
    /// Any other number, NaN and ±infinity included.
    Number(f64),
    /// Unicode text.
    Text(Cow<'a, str>),
    /// Bytes (`Uint8Array`, `bytes`).
    Bytes(Cow<'a, [u8]>),
    /// A list (array, list, tuple).
    List(Vec<Value<'a>>),
    /// A map with text keys (plain object, `dict`), in the order written.
    Map(Vec<(Cow<'a, str>, Value<'a>)>),
    /// A host value no reader takes as it is.
    Foreign(Foreign<'a>),
}

impl std::fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(s) => write!(f, "Text({} chars)", s.chars().count()),
            Value::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Value::List(items) => f.debug_list().entries(items).finish(),
            Value::Map(entries) => f.debug_map().entries(entries.iter().map(|(k, v)| (k, v))).finish(),
            Value::Foreign(x) => x.fmt(f),
            Value::Absent => f.write_str("Absent"),
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Integer(n) => write!(f, "Integer({n})"),
            Value::Number(n) => write!(f, "Number({n})"),
        }
    }
}

/// A host value with no counterpart among [`Value`]'s types, kept so a reader can say what it
/// received instead of reading it as something else. `Debug` shows its type only.
#[derive(Clone, PartialEq)]
pub enum Foreign<'a> {
    /// A value of a type no reader takes, named as the host names it: `function`, `symbol`,
    /// `bigint`, `set`.
    Other(Cow<'a, str>),
    /// A collection whose entries a map reader would not see (JavaScript `Map`, `Set`,
    /// `WeakMap`), by its class name.
    Collection(Cow<'a, str>),
    /// Text that is not Unicode (a lone surrogate, U+D800 to U+DFFF). `escaped`: how the host
    /// writes it as a JSON string, if it can (kept when the value is written back as JSON).
    NotText {
        /// The JSON string the host writes for it, quotes included.
        escaped: Option<Cow<'a, str>>,
    },
    /// A map with an entry a reader cannot see (a non-enumerable JavaScript property), named.
    Hidden(Cow<'a, str>),
    /// Nested deeper than the host copied it (or a cycle).
    TooDeep,
}

impl std::fmt::Debug for Foreign<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Foreign({})", self.type_name())
    }
}

impl Foreign<'_> {
    /// How the host names the value's type, for messages.
    pub fn type_name(&self) -> &str {
        match self {
            Foreign::Other(name) | Foreign::Collection(name) => name,
            Foreign::NotText { .. } => "text",
            Foreign::Hidden(_) => "object",
            Foreign::TooDeep => "nested too deeply",
        }
    }
}

/// The deepest a value is read or written ([`Value::to_json_text`]): deeper parts are
/// [`Foreign::TooDeep`] for the readers.
pub const MAX_DEPTH: usize = 32;

impl<'a> Value<'a> {
    /// The value of `key` in a map (`None` for anything else or an absent key).
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text, if this is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Text, or text that is not Unicode.
    pub fn is_text(&self) -> bool {
        matches!(self, Value::Text(_) | Value::Foreign(Foreign::NotText { .. }))
    }

    /// [`Value::Absent`] or [`Value::Null`].
    pub fn is_nullish(&self) -> bool {
        matches!(self, Value::Absent | Value::Null)
    }

    /// A number as `f64` (integers converted).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Integer(n) => Some(*n as f64),
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The value written as JSON text: maps in their order, non-Unicode text as the host's
    /// escape. `Err((path, type))` names the first part that is not JSON data — a function, a
    /// non-finite number, bytes — by its path inside the value (`"a.b[2]"`) and its type.
    pub fn to_json_text(&self) -> Result<String, (String, String)> {
        let mut out = String::new();
        self.write(&mut out, &mut String::new(), 0)?;
        Ok(out)
    }

    fn write(&self, out: &mut String, path: &mut String, depth: usize) -> Result<(), (String, String)> {
        let not_data = |path: &str, what: &str| Err((path.to_owned(), what.to_owned()));
        if depth > MAX_DEPTH {
            return not_data(path, Foreign::TooDeep.type_name());
        }
        match self {
            Value::Absent | Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Integer(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Number(n) if n.is_finite() => {
                let _ = write!(out, "{n}");
            }
            Value::Number(_) => return not_data(path, "number"),
            Value::Text(s) => json_string(out, s),
            Value::Foreign(Foreign::NotText { escaped: Some(json) }) => out.push_str(json),
            Value::Foreign(f) => return not_data(path, f.type_name()),
            Value::Bytes(_) => return not_data(path, "bytes"),
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.extend((i > 0).then_some(','));
                    let len = path.len();
                    let _ = write!(path, "[{i}]");
                    item.write(out, path, depth + 1)?;
                    path.truncate(len);
                }
                out.push(']');
            }
            Value::Map(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    out.extend((i > 0).then_some(','));
                    json_string(out, key);
                    out.push(':');
                    let len = path.len();
                    if len > 0 {
                        path.push('.');
                    }
                    path.push_str(key);
                    value.write(out, path, depth + 1)?;
                    path.truncate(len);
                }
                out.push('}');
            }
        }
        Ok(())
    }
}

fn json_string(out: &mut String, s: &str) {
    // Writing a `str` as JSON cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// JSON read as a [`Value`] (objects as [`Value::Map`] in their order, texts borrowed when they
/// need no unescaping): how a binding that hands its arguments over as JSON text builds one.
impl<'de> Deserialize<'de> for Value<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Value<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value<'de>, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value<'de>, E> {
        Ok(Value::Integer(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value<'de>, E> {
        Ok(i64::try_from(n).map_or(Value::Number(n as f64), Value::Integer))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value<'de>, E> {
        Ok(Value::Number(n))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Value<'de>, E> {
        Ok(Value::Text(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value<'de>, E> {
        Ok(Value::Text(Cow::Owned(s.to_owned())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value<'de>, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<Value<'de>, Value<'de>>()? {
            let Value::Text(key) = key else { return Err(A::Error::custom("a key that is not text")) };
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}
