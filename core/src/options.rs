//! Each option of a client or a guard declared once — its name, kind and doc — so every binding
//! reads options generically (one reader per language driven by [`OptionKind`]) and sets them
//! through the core, which validates them and names the option in its errors, as the request
//! fields do with [`crate::Field`].
//!
//! The tables are [`ClientBuilder::options`](crate::ClientBuilder::options) (which includes the
//! request defaults of the field table) and [`GuardConfig::OPTIONS`](crate::GuardConfig::OPTIONS);
//! values are set with [`ClientBuilder::set_option`](crate::ClientBuilder::set_option) and
//! [`GuardConfig::set`](crate::GuardConfig::set).
//!
//! ```
//! use std::time::Duration;
//! use smsauth::{ClientBuilder, OptionKind, OptionValue};
//! let mut builder = smsauth::Client::builder();
//! let timeout = ClientBuilder::option("timeout").unwrap();
//! assert_eq!(timeout.kind, OptionKind::Duration);
//! // A binding converts its own unit (Python seconds, Node and C milliseconds):
//! let value = timeout.duration(2.5, Duration::from_secs(1))?;
//! builder.set_option("timeout", Some(value))?;
//! builder.set_option("sign_name", Some(OptionValue::Text("速通互联验证码".into())))?;
//! let err = builder.set_option("read_timeout", Some(OptionValue::Duration(Duration::ZERO))).unwrap_err();
//! assert_eq!(err.field(), Some("read_timeout"));
//! # Ok::<(), smsauth::Error>(())
//! ```

use std::fmt;
use std::time::Duration;

use crate::api::{FieldKind, FieldValue};
use crate::error::{Error, Result};
use crate::guard::{Limit, WrongCodeLimit};

/// What an option holds: how a binding reads it from its own language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// Text.
    Text,
    /// Text that is a secret: never shown in `Debug`, `repr`, logs or errors.
    Secret,
    /// `true` or `false`.
    Bool,
    /// A whole number ≥ 0.
    Unsigned,
    /// A length of time; each binding takes it in its own unit (Python seconds, Node and C
    /// milliseconds) and converts it with [`ClientOption::duration`].
    Duration,
    /// PEM text (or bytes); each value set is added to the ones before.
    Pem,
    /// One of these names (a number that [`str::parse`] accepts, such as `3` for `v3`, too).
    Choice(&'static [&'static str]),
    /// An amount of money, a finite number > 0.
    Amount,
    /// A list of limits: at most `max` events within any `window_seconds`.
    Limits,
    /// The wrong-code rule: `max_wrong` wrong codes within `window_seconds` lock the number for
    /// `lockout_seconds`.
    WrongCode,
    /// A request default, read as the request field of that kind (see [`crate::Field`]).
    Field(FieldKind),
}

impl OptionKind {
    /// The kind's name in messages and generated docs.
    pub const fn as_str(self) -> &'static str {
        match self {
            OptionKind::Text => "text",
            OptionKind::Secret => "secret text",
            OptionKind::Bool => "boolean",
            OptionKind::Unsigned => "unsigned integer",
            OptionKind::Duration => "duration",
            OptionKind::Pem => "PEM text",
            OptionKind::Choice(_) => "one of a list of names",
            OptionKind::Amount => "amount",
            OptionKind::Limits => "list of (max, window_seconds) limits",
            OptionKind::WrongCode => "(max_wrong, window_seconds, lockout_seconds)",
            OptionKind::Field(kind) => kind.as_str(),
        }
    }
}

/// [`OptionKind::Choice`] of these enum values, each named by its enum's own `as_str` (the name
/// its parser takes and its display shows), so a table never spells a value a second time:
/// `choice!(FailPolicy::Closed, FailPolicy::Open)`.
macro_rules! choice {
    ($($value:expr),+ $(,)?) => {
        $crate::options::OptionKind::Choice(&[$($value.as_str()),+])
    };
}
pub(crate) use choice;

/// One option of a client or a guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientOption {
    /// The core's name in snake case (`connect_timeout`, `retry.max_attempts`, `guard.phone`),
    /// which errors name; each binding spells it its own way in one place.
    pub name: &'static str,
    /// What it holds.
    pub kind: OptionKind,
    /// Whether a binding accepts its null (`None`, `null`, `NULL`) for it: it then unsets the
    /// option (see [`OptionValue`]). The others refuse null as a wrong type.
    pub nullable: bool,
    /// The doc, one line per doc line.
    pub doc: &'static str,
}

impl ClientOption {
    /// The name without its group (`max_attempts` for `retry.max_attempts`).
    pub fn short_name(&self) -> &'static str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }

    /// The option called `name` in `table`: its full name (`guard.phone`), or its short name
    /// (`phone`).
    pub fn find(table: &[ClientOption], name: &str) -> Option<ClientOption> {
        table.iter().find(|o| o.name == name || o.short_name() == name).copied()
    }

    /// The error for a name no option has: it lists the valid ones.
    pub(crate) fn unknown(table: &[ClientOption], name: &str) -> Error {
        let names: Vec<_> = table.iter().map(|o| o.name).collect();
        Error::invalid_input("option", format_args!("{name:?} is not an option; use one of {}", names.join(", ")))
    }

    /// A duration given as `amount` of `unit` (Python: seconds, `unit` 1 s; Node: milliseconds,
    /// `unit` 1 ms). A negative or non-finite amount is an error naming the option; an amount too
    /// large for a `Duration` becomes [`Duration::MAX`], which the option's range check refuses
    /// with its documented limit.
    pub fn duration(&self, amount: f64, unit: Duration) -> Result<OptionValue> {
        if amount.is_nan() || amount < 0.0 {
            return Err(Error::invalid_input(self.name, format_args!("must be a duration ≥ 0, got {amount}")));
        }
        Ok(OptionValue::Duration(Duration::try_from_secs_f64(amount * unit.as_secs_f64()).unwrap_or(Duration::MAX)))
    }

    /// The error for a value of the wrong kind.
    pub(crate) fn mismatch(&self, got: &OptionValue) -> Error {
        Error::invalid_input(self.name, format_args!("must be {}, got {got}", self.kind.as_str()))
    }
}

/// An option's value, as a binding read it. `None` where a value is expected unsets the option:
/// an optional setting becomes unset, a list becomes empty (a guard rule: off), any other goes
/// back to its default.
#[derive(Clone, PartialEq)]
pub enum OptionValue {
    /// For [`OptionKind::Text`], [`OptionKind::Secret`], [`OptionKind::Choice`] and text fields.
    Text(String),
    /// For [`OptionKind::Bool`].
    Bool(bool),
    /// For [`OptionKind::Unsigned`] and number fields (a [`OptionValue::Integer`] ≥ 0 is
    /// accepted too).
    Unsigned(u64),
    /// For integer fields (an [`OptionValue::Unsigned`] that fits is accepted too).
    Integer(i64),
    /// For [`OptionKind::Amount`].
    Amount(f64),
    /// For [`OptionKind::Duration`].
    Duration(Duration),
    /// For [`OptionKind::Pem`] (text is accepted too).
    Bytes(Vec<u8>),
    /// For [`OptionKind::Limits`].
    Limits(Vec<Limit>),
    /// For [`OptionKind::WrongCode`].
    WrongCode(WrongCodeLimit),
}

impl fmt::Debug for OptionValue {
    /// The kind of value only: it may be a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OptionValue({self})")
    }
}

impl fmt::Display for OptionValue {
    /// The kind of value, for messages (never the value: it may be a secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptionValue::Text(_) => "text",
            OptionValue::Bool(_) => "a boolean",
            OptionValue::Unsigned(_) | OptionValue::Integer(_) | OptionValue::Amount(_) => "a number",
            OptionValue::Duration(_) => "a duration",
            OptionValue::Bytes(_) => "bytes",
            OptionValue::Limits(_) => "a list of limits",
            OptionValue::WrongCode(_) => "a wrong-code rule",
        })
    }
}

impl From<FieldValue> for OptionValue {
    fn from(v: FieldValue) -> Self {
        match v {
            FieldValue::Text(s) => OptionValue::Text(s),
            FieldValue::Unsigned(n) => OptionValue::Unsigned(n),
            FieldValue::Integer(n) => OptionValue::Integer(n),
            FieldValue::Bool(b) => OptionValue::Bool(b),
        }
    }
}

/// Typed readers of a value for an option; `None` is the caller's business (unset).
impl ClientOption {
    pub(crate) fn text(&self, v: OptionValue) -> Result<String> {
        match v {
            OptionValue::Text(s) => Ok(s),
            other => Err(self.mismatch(&other)),
        }
    }

    pub(crate) fn bool(&self, v: OptionValue) -> Result<bool> {
        match v {
            OptionValue::Bool(b) => Ok(b),
            other => Err(self.mismatch(&other)),
        }
    }

    /// A whole number that fits `T`, else an error naming the option and the range.
    pub(crate) fn unsigned<T: TryFrom<u64> + Bounded>(&self, v: OptionValue) -> Result<T> {
        let n = match v {
            OptionValue::Unsigned(n) => n,
            OptionValue::Integer(n) if n >= 0 => n.unsigned_abs(),
            OptionValue::Integer(n) => {
                return Err(Error::invalid_input(self.name, format_args!("must be ≥ 0, got {n}")));
            }
            other => return Err(self.mismatch(&other)),
        };
        T::try_from(n)
            .map_err(|_| Error::invalid_input(self.name, format_args!("must be at most {}, got {n}", T::MAX_U64)))
    }

    pub(crate) fn amount(&self, v: OptionValue) -> Result<f64> {
        match v {
            OptionValue::Amount(a) => Ok(a),
            OptionValue::Unsigned(n) => Ok(n as f64),
            OptionValue::Integer(n) => Ok(n as f64),
            other => Err(self.mismatch(&other)),
        }
    }

    pub(crate) fn duration_value(&self, v: OptionValue) -> Result<Duration> {
        match v {
            OptionValue::Duration(d) => Ok(d),
            other => Err(self.mismatch(&other)),
        }
    }

    /// A choice: its text, or a number written as text (`3` for `v3`), checked by the parser.
    pub(crate) fn choice<T: std::str::FromStr<Err = Error>>(&self, v: OptionValue) -> Result<T> {
        match v {
            OptionValue::Text(s) => s.parse(),
            OptionValue::Unsigned(n) => n.to_string().parse(),
            OptionValue::Integer(n) => n.to_string().parse(),
            other => Err(self.mismatch(&other)),
        }
    }
}

/// The largest value of an unsigned type, for range messages.
pub(crate) trait Bounded {
    const MAX_U64: u64;
}

impl Bounded for u32 {
    const MAX_U64: u64 = u32::MAX as u64;
}

impl Bounded for u64 {
    const MAX_U64: u64 = u64::MAX;
}

impl Bounded for usize {
    const MAX_U64: u64 = usize::MAX as u64;
}
