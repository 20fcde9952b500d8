//! Reading arguments the same way in every language.
//!
//! A binding converts its host's argument into a [`Value`] (JavaScript through JSON, Python
//! object by object), reads it with the generic readers here — the client options from
//! [`ClientBuilder::options`](crate::ClientBuilder::options) ([`read_client`]), request fields
//! from their `FIELDS` tables ([`read_fields`]), the signing helpers' inputs ([`sign`]) — and
//! raises the [`InputError`] of a bad value as the exception [`InputError::worded`] names, with
//! its message in the binding's idiom. Names are spelt by the binding's
//! [`Style`] ([`NODE`], [`PYTHON`]); nothing else differs between languages.
//!
//! ```
//! use smsauth::input::{NODE, Object, Path, Problem, Value, read_client};
//! let options: Value = serde_json::from_str(r#"{"signName": "速通互联验证码", "timeoutMs": "5"}"#).unwrap();
//! let mut obj = Object::required(&NODE, Path::arg("options"), &options).unwrap();
//! let mut builder = smsauth::Client::builder();
//! let e = read_client(&mut obj, &mut builder).unwrap_err();
//! assert_eq!(e.path.to_string(), "options.timeoutMs");
//! assert!(matches!(e.problem, Problem::Type { .. }));
//! ```

pub mod compact;
mod error;
mod options;
mod parts;
mod reader;
pub mod sign;
mod style;
mod value;
mod wording;

pub use error::{Expected, InputError, Path, Problem, Received, ReceivedKind, Step};
pub use options::{
    field_value, field_value_in, read_client, read_fields, read_guard, read_option, read_request, replace_fields,
};
pub use parts::{LIMIT_PARTS, Part, PartKind, WRONG_CODE_PARTS};
pub use reader::{
    Object, Read, arg, boolean, integer, integer_in, json, list, number, optional_arg, pairs, required_arg, text,
    text_or_bytes,
};
pub use style::{NODE, PYTHON, Style, is_option};
pub use value::{Foreign, MAX_DEPTH, Value};
pub use wording::{Worded, Wording};

#[cfg(test)]
mod tests;
