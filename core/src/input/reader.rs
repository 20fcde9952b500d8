//! Reading typed values from [`Value`]s: scalar readers, and [`Object`], a map read key by key
//! that refuses keys nobody read.

use std::borrow::Cow;

use super::error::{Expected, InputError, Path, Problem};
use super::style::Style;
use super::value::{Foreign, Value};

/// A read that failed, before the caller adds where (see [`InputError`]).
pub type Read<T> = Result<T, Problem>;

fn wrong(expected: Expected, v: &Value<'_>, secret: bool) -> Problem {
    Problem::Type { expected, received: super::error::Received::of(v, secret) }
}

/// Text; `secret`: never show the value in the error.
pub fn text(v: &Value<'_>, secret: bool) -> Read<String> {
    match v {
        Value::Text(s) => Ok(s.clone().into_owned()),
        Value::Foreign(Foreign::NotText { .. }) => Err(Problem::NotText),
        _ => Err(wrong(Expected::Text, v, secret)),
    }
}

/// `true` or `false`.
pub fn boolean(v: &Value<'_>) -> Read<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(wrong(Expected::Bool, v, false)),
    }
}

/// A number, NaN and ±infinity included.
pub fn number(v: &Value<'_>) -> Read<f64> {
    v.as_number().ok_or_else(|| wrong(Expected::Number, v, false))
}

/// A whole number in `min..=max`.
pub fn integer(v: &Value<'_>, min: i128, max: i128) -> Read<i128> {
    let n = match v {
        Value::Integer(n) => i128::from(*n),
        Value::Number(n) if n.fract() == 0.0 && n.is_finite() && n.abs() < 1e38 => *n as i128,
        Value::Number(n) => return Err(Problem::Range { min, max, received: n.to_string() }),
        _ => return Err(wrong(Expected::Integer, v, false)),
    };
    if n < min || n > max {
        return Err(Problem::Range { min, max, received: v.as_number().map_or(n.to_string(), |f| f.to_string()) });
    }
    Ok(n)
}

/// A whole number in `min..=max` as `style` reads them: with [`Style::strict_integers`], a
/// [`Value::Number`] within the 64-bit range or not finite (a Python `float`) is a type problem.
pub fn integer_in(style: &Style, v: &Value<'_>, min: i128, max: i128) -> Read<i128> {
    match v {
        Value::Number(n) if style.strict_integers && (!n.is_finite() || n.abs() < 9.2e18) => {
            Err(wrong(Expected::Integer, v, false))
        }
        _ => integer(v, min, max),
    }
}

/// A list's items.
pub fn list<'v, 'a>(v: &'v Value<'a>, of: &'static Expected) -> Read<&'v [Value<'a>]> {
    match v {
        Value::List(items) => Ok(items),
        _ => Err(wrong(Expected::List(of), v, false)),
    }
}

/// Bytes, or text as its UTF-8 bytes.
pub fn text_or_bytes(v: &Value<'_>) -> Read<Vec<u8>> {
    match v {
        Value::Bytes(b) => Ok(b.to_vec()),
        _ if v.is_text() => text(v, false).map(String::into_bytes),
        _ => Err(wrong(Expected::TextOrBytes, v, false)),
    }
}

/// Name/value pairs from a map of texts or a list of `[name, value]` texts, in their order.
pub fn pairs(v: &Value<'_>) -> Read<Vec<(String, String)>> {
    let bad = || wrong(Expected::Pairs, v, false);
    let pair = |k: &str, v: &Value<'_>| match v {
        Value::Text(s) => Ok((k.to_owned(), s.clone().into_owned())),
        Value::Foreign(Foreign::NotText { .. }) => Err(Problem::NotText),
        _ => Err(bad()),
    };
    match v {
        Value::List(items) => items
            .iter()
            .map(|item| match item {
                Value::List(kv) => match kv.as_slice() {
                    [Value::Text(k), v] => pair(k, v),
                    _ => Err(bad()),
                },
                _ => Err(bad()),
            })
            .collect(),
        Value::Map(entries) => entries.iter().map(|(k, v)| pair(k, v)).collect(),
        _ => Err(bad()),
    }
}

/// JSON data as JSON text: text as it is (the core checks it), a map written as JSON.
pub fn json(v: &Value<'_>) -> Read<String> {
    if v.is_text() {
        return text(v, false);
    }
    map_entries(v, Expected::Json)?;
    v.to_json_text().map_err(|(at, what)| Problem::NotData { at, what })
}

/// A map's entries: a collection or a map with hidden entries is refused by name.
fn map_entries<'v, 'a>(v: &'v Value<'a>, expected: Expected) -> Read<&'v [(Cow<'a, str>, Value<'a>)]> {
    match v {
        Value::Map(entries) => Ok(entries),
        Value::Foreign(Foreign::Collection(class)) => Err(Problem::NotPlain { class: class.to_string() }),
        Value::Foreign(Foreign::Hidden(key)) => Err(Problem::Hidden { key: key.to_string() }),
        _ => Err(wrong(expected, v, false)),
    }
}

/// A map read key by key: each read records its key, and [`Object::finish`] refuses any key
/// that was not read, so a typo such as `signname` is an error, not silently ignored. Keys are
/// given as the user writes them (see [`Style`]).
pub struct Object<'v, 'a> {
    /// How names are spelt and which integers the host holds.
    pub style: &'static Style,
    path: Path,
    entries: &'v [(Cow<'a, str>, Value<'a>)],
    /// The keys read so far, each followed by a NUL (one allocation for them all).
    read: String,
}

impl<'v, 'a> Object<'v, 'a> {
    /// The map `v` at `path`; a missing map or null is `None`, any other type an error.
    pub fn new(style: &'static Style, path: Path, v: &'v Value<'a>) -> Result<Option<Self>, InputError> {
        if v.is_nullish() { Ok(None) } else { Self::required(style, path, v).map(Some) }
    }

    /// Like [`Object::new`], a missing map or null read as an empty one.
    pub fn or_empty(style: &'static Style, path: Path, v: &'v Value<'a>) -> Result<Self, InputError> {
        Ok(Self::new(style, path.clone(), v)?.unwrap_or(Object { style, path, entries: &[], read: String::new() }))
    }

    /// Like [`Object::new`], a missing map or null refused too.
    pub fn required(style: &'static Style, path: Path, v: &'v Value<'a>) -> Result<Self, InputError> {
        match map_entries(v, Expected::Map) {
            Ok(entries) => Ok(Object { style, path, entries, read: String::new() }),
            Err(problem) => Err(InputError::new(path, problem)),
        }
    }

    /// The map's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `key` in this map.
    pub fn at(&self, key: &str) -> Path {
        self.path.key(key)
    }

    /// `problem` with the value at `key`.
    pub fn error(&self, key: &str, problem: Problem) -> InputError {
        InputError::new(self.at(key), problem)
    }

    /// The value of `key`; `None` when absent or null.
    pub fn get(&mut self, key: &str) -> Option<&'v Value<'a>> {
        self.get_or_null(key).filter(|v| !matches!(v, Value::Null))
    }

    /// The value of `key`; `None` when absent (null is returned).
    pub fn get_or_null(&mut self, key: &str) -> Option<&'v Value<'a>> {
        self.read.push_str(key);
        self.read.push('\0');
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Read `key` (absent or null: `None`) with `read`.
    pub fn read<T>(&mut self, key: &str, read: impl FnOnce(&'v Value<'a>) -> Read<T>) -> Result<Option<T>, InputError> {
        self.get(key).map(read).transpose().map_err(|p| self.error(key, p))
    }

    /// Read `key`, which must be there, with `read` (absent or null reach `read`, which
    /// refuses them).
    pub fn required_by<T>(&mut self, key: &str, read: impl FnOnce(&Value<'a>) -> Read<T>) -> Result<T, InputError> {
        let v = self.get(key).unwrap_or(&Value::Absent);
        read(v).map_err(|p| self.error(key, p))
    }

    /// Text.
    pub fn text(&mut self, key: &str) -> Result<Option<String>, InputError> {
        self.read(key, |v| text(v, false))
    }

    /// Text whose value is never shown in errors.
    pub fn secret(&mut self, key: &str) -> Result<Option<String>, InputError> {
        self.read(key, |v| text(v, true))
    }

    /// Text that must be there.
    pub fn required_text(&mut self, key: &str, secret: bool) -> Result<String, InputError> {
        self.required_by(key, |v| text(v, secret))
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, key: &str) -> Result<Option<bool>, InputError> {
        self.read(key, boolean)
    }

    /// A whole number from 0 to `max` (and to the style's largest exact integer).
    pub fn unsigned(&mut self, key: &str, max: u64) -> Result<Option<u64>, InputError> {
        let max = i128::from(max.min(self.style.max_integer));
        let style = self.style;
        self.read(key, |v| integer_in(style, v, 0, max).map(|n| n as u64))
    }

    /// A whole number from 0 to `u32::MAX`.
    pub fn u32(&mut self, key: &str) -> Result<Option<u32>, InputError> {
        Ok(self.unsigned(key, u64::from(u32::MAX))?.map(|n| n as u32))
    }

    /// Name/value pairs (see [`pairs`]).
    pub fn pairs(&mut self, key: &str) -> Result<Option<Vec<(String, String)>>, InputError> {
        self.read(key, pairs)
    }

    /// A list of texts (`options.expected_hosts`); an item's errors name it by its index.
    pub fn texts(&mut self, key: &str) -> Result<Option<Vec<String>>, InputError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let items = list(v, &Expected::Text).map_err(|p| self.error(key, p))?;
        let at = |i| self.at(key).index(i);
        let texts = items.iter().enumerate().map(|(i, item)| text(item, false).map_err(|p| InputError::new(at(i), p)));
        texts.collect::<Result<_, _>>().map(Some)
    }

    /// The keys read so far.
    pub fn known(&self) -> impl Iterator<Item = &str> {
        self.read.split_terminator('\0')
    }

    /// Refuse the first key that was not read.
    pub fn finish(self) -> Result<(), InputError> {
        let known: Vec<&str> = self.known().collect();
        let Some((key, _)) = self.entries.iter().find(|(k, _)| !known.contains(&k.as_ref())) else { return Ok(()) };
        let known = known.into_iter().map(str::to_owned).collect();
        Err(InputError::new(self.path, Problem::Unknown { key: key.to_string(), known }))
    }
}

impl std::fmt::Debug for Object<'_, '_> {
    /// The path and the keys read (never the values: they may be secrets).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("path", &self.path.to_string())
            .field("read", &self.known().collect::<Vec<_>>())
            .finish()
    }
}

/// Argument `i` of a call's arguments (`Absent` when not given).
pub fn arg<'v, 'a>(args: &'v [Value<'a>], i: usize) -> &'v Value<'a> {
    args.get(i).unwrap_or(&Value::Absent)
}

/// The argument `name` (argument `i`) read with `read`; `None` when absent or null.
pub fn optional_arg<T>(
    args: &[Value<'_>],
    i: usize,
    name: &str,
    read: impl FnOnce(&Value<'_>) -> Read<T>,
) -> Result<Option<T>, InputError> {
    Some(arg(args, i))
        .filter(|v| !v.is_nullish())
        .map(|v| read(v).map_err(|p| InputError::new(Path::arg(name), p)))
        .transpose()
}

/// The argument `name` (argument `i`) read with `read` (absent reaches `read`, which refuses it).
pub fn required_arg<T>(
    args: &[Value<'_>],
    i: usize,
    name: &str,
    read: impl FnOnce(&Value<'_>) -> Read<T>,
) -> Result<T, InputError> {
    read(arg(args, i)).map_err(|p| InputError::new(Path::arg(name), p))
}
