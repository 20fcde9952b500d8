//! [`InputError`]: why an argument could not be read, as data — where (a [`Path`]), what was
//! expected, what was received (never a secret's value) — worded per language by
//! [`InputError::worded`]: Node `The "options.timeoutMs" property must be of type number.
//! Received type string ('5')`, Python `Client() argument 'timeout' must be int or float, not
//! str`.

use std::fmt;

use super::value::{Foreign, Value};

/// One step of a [`Path`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A positional or keyword argument, by the name the binding documents.
    Arg(String),
    /// A key of a map (spelt as the user writes it).
    Key(String),
    /// An item of a list.
    Index(usize),
}

/// Where a value was read: the argument, then keys and list indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Step>);

impl Path {
    /// The argument called `name`.
    pub fn arg(name: &str) -> Self {
        Path(vec![Step::Arg(name.to_owned())])
    }

    /// This path with the key `key` added. A key of the empty path is an argument: Python reads
    /// its keyword arguments as a map at [`Path::default`].
    pub fn key(&self, key: &str) -> Self {
        let mut steps = self.0.clone();
        steps.push(if steps.is_empty() { Step::Arg(key.to_owned()) } else { Step::Key(key.to_owned()) });
        Path(steps)
    }

    /// This path with the list index `i` added.
    pub fn index(&self, i: usize) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Index(i));
        Path(steps)
    }

    /// Only an argument, no key or index below it.
    pub fn is_arg(&self) -> bool {
        matches!(self.0.as_slice(), [Step::Arg(_)])
    }

    /// The path written with `.` between keys and `index` for each list item (Node writes
    /// `options.caCertificates[]`: `|_| "[]".into()`).
    pub fn written(&self, index: impl Fn(usize) -> String) -> String {
        let mut out = String::new();
        for step in &self.0 {
            match step {
                Step::Arg(name) | Step::Key(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Step::Index(i) => out.push_str(&index(*i)),
            }
        }
        out
    }
}

impl fmt::Display for Path {
    /// `options.guard.phone[0].max`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written(|i| format!("[{i}]")))
    }
}

/// What a reader wanted, for the message of a value of the wrong type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Text.
    Text,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A whole number.
    Integer,
    /// A map (plain object, `dict`).
    Map,
    /// A list of these.
    List(&'static Expected),
    /// Name/value pairs: a map of texts or a list of two-text lists.
    Pairs,
    /// JSON data: JSON text or a map.
    Json,
    /// Text or bytes.
    TextOrBytes,
    /// A guard limit: `{ max, window_seconds }` (or Python's `(max, window_seconds)`).
    Limit,
    /// The wrong-code rule (`{ max, window_seconds, lock_seconds }` or a tuple).
    WrongCode,
    /// An instance of the binding's class of this name (Python's `smsauth.Guard`).
    Instance(&'static str),
    /// A function (Python: any callable).
    Callable,
    /// This, or null (Python's `None`).
    Optional(&'static Expected),
}

/// How a received value is described: its type and, unless it was a secret, a short preview.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    /// Its type.
    pub kind: ReceivedKind,
    /// The value as shown (`5`, `true`, the first 28 characters of a text); `None` for a secret
    /// or a value without a short form.
    pub shown: Option<String>,
    /// `shown` is the start of a longer text.
    pub truncated: bool,
}

/// The type of a received value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceivedKind {
    /// Nothing was given.
    Absent,
    /// The host's null.
    Null,
    /// A boolean.
    Bool,
    /// A whole number (Python `int`).
    Integer,
    /// Any other number (Python `float`).
    Number,
    /// Text (or text that is not Unicode).
    Text,
    /// Bytes.
    Bytes,
    /// A list.
    List,
    /// A map.
    Map,
    /// A [`Foreign`] value, by the host's name for its type.
    Foreign(String),
}

/// The number of characters of a text a message shows.
const SHOWN_CHARS: usize = 28;

impl Received {
    /// How `v` is described; `secret`: never show its value.
    pub fn of(v: &Value<'_>, secret: bool) -> Self {
        let (kind, shown, truncated) = match v {
            Value::Absent => (ReceivedKind::Absent, None, false),
            Value::Null => (ReceivedKind::Null, None, false),
            Value::Bool(b) => (ReceivedKind::Bool, Some(b.to_string()), false),
            Value::Integer(n) => (ReceivedKind::Integer, Some(n.to_string()), false),
            Value::Number(n) => (ReceivedKind::Number, Some(n.to_string()), false),
            Value::Text(s) => {
                let shown: String = s.chars().take(SHOWN_CHARS).collect();
                let truncated = shown.len() < s.len();
                (ReceivedKind::Text, Some(shown), truncated)
            }
            Value::Bytes(_) => (ReceivedKind::Bytes, None, false),
            Value::List(_) => (ReceivedKind::List, None, false),
            Value::Map(_) => (ReceivedKind::Map, None, false),
            Value::Foreign(Foreign::NotText { .. }) => (ReceivedKind::Text, None, false),
            Value::Foreign(f) => (ReceivedKind::Foreign(f.type_name().to_owned()), None, false),
        };
        let shown = if secret { None } else { shown };
        Received { kind, shown, truncated: truncated && !secret }
    }
}

/// What is wrong with the value at an [`InputError`]'s path.
#[derive(Debug)]
pub enum Problem {
    /// A value of the wrong type (a required one missing: received [`ReceivedKind::Absent`]).
    Type {
        /// What the reader takes.
        expected: Expected,
        /// What it got.
        received: Received,
    },
    /// A number that is not whole or outside `min..=max` (the bounds of the value's type and of
    /// the numbers the host holds exactly).
    Range {
        /// The smallest accepted.
        min: i128,
        /// The largest accepted.
        max: i128,
        /// The number as received (`1.5`, `NaN`, `-1`).
        received: String,
    },
    /// Text that is not Unicode (a lone surrogate); its value is never shown.
    NotText,
    /// A map was expected and this collection (`Map`, `Set`) was given: its entries are not
    /// read as a map's.
    NotPlain {
        /// The collection's class.
        class: String,
    },
    /// A map whose entry `key` a reader cannot see (a non-enumerable property).
    Hidden {
        /// The hidden entry.
        key: String,
    },
    /// JSON data was expected; the part at `at` (inside the value) is not JSON data.
    NotData {
        /// Where inside the value (`toJSON`, `a.b[2]`).
        at: String,
        /// Its type (`function`, `bytes`).
        what: String,
    },
    /// A key no reader of this map knows (a typo such as `signname`).
    Unknown {
        /// The key as written.
        key: String,
        /// The keys the reader knows, as spelt for the user.
        known: Vec<String>,
    },
    /// The value has the right type but the core refused it (its error names the core's
    /// option or field).
    Refused(Box<crate::Error>),
}

/// A value that could not be read, and where.
#[derive(Debug)]
pub struct InputError {
    /// Where the value was (for [`Problem::Unknown`] and [`Problem::Hidden`]: the map's path).
    pub path: Path,
    /// What is wrong.
    pub problem: Problem,
}

impl InputError {
    /// The error at `path`.
    pub fn new(path: Path, problem: Problem) -> Self {
        InputError { path, problem }
    }

    /// A value of the wrong type at `path`.
    pub fn expected(path: Path, expected: Expected, v: &Value<'_>, secret: bool) -> Self {
        InputError::new(path, Problem::Type { expected, received: Received::of(v, secret) })
    }

    /// The core's refusal of a value at `path`.
    pub fn refused(path: Path, e: crate::Error) -> Self {
        InputError::new(path, Problem::Refused(Box::new(e)))
    }

    /// The core error for the problems that are one — a non-Unicode text, an unknown key, a
    /// refused value: [`crate::ErrorKind::InvalidInput`] (a binding names the path its own way
    /// with [`crate::Error::message_naming`]) — or the error back for the type and range
    /// problems a binding raises as its language's own (`TypeError`, `RangeError`).
    pub fn into_core(self) -> Result<crate::Error, InputError> {
        Ok(match self.problem {
            Problem::NotText => {
                crate::Error::invalid_input("text", "contains a lone surrogate (U+D800 to U+DFFF), which is not text")
            }
            Problem::Unknown { key, known } => {
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                crate::api::unknown_name("options", &key, &known)
            }
            Problem::Refused(e) => *e,
            _ => return Err(self),
        })
    }
}

impl From<InputError> for crate::Error {
    /// For Rust callers: the problem as an `InvalidInput` error naming the path.
    fn from(e: InputError) -> Self {
        let e = match e.into_core() {
            Ok(core) => return core,
            Err(e) => e,
        };
        let problem = match &e.problem {
            Problem::Type { expected, received } => format!("must be {expected:?}, got {:?}", received.kind),
            Problem::Range { min, max, received } => {
                format!("must be a whole number from {min} to {max}, got {received}")
            }
            Problem::NotPlain { class } => format!("must be a map, not a {class}"),
            Problem::Hidden { key } => format!("has an entry that cannot be read: {key}"),
            Problem::NotData { at, what } => format!("must be JSON data; {at:?} is {what}"),
            Problem::NotText | Problem::Unknown { .. } | Problem::Refused(_) => String::new(),
        };
        crate::Error::new(crate::ErrorKind::InvalidInput, format!("invalid {}: {problem}", e.path))
    }
}
