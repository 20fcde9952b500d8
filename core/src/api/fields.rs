//! Each request field declared once: its Rust name, wire name, kind and doc, so every binding
//! reads and writes fields generically (one reader per language driven by [`FieldKind`]) instead
//! of writing each of the 20 `SendSmsVerifyCode` fields by hand.
//!
//! The requests themselves are declared through `request_fields!` in `request.rs`: each struct,
//! its `FIELDS` table and its `set`/`get` accessors come from the same lines.
//!
//! ```
//! use smsauth::{FieldKind, FieldValue, SendSmsVerifyCodeRequest};
//! let f = SendSmsVerifyCodeRequest::field("codeLength").unwrap();
//! assert_eq!((f.name, f.wire, f.kind), ("code_length", "CodeLength", FieldKind::Unsigned));
//!
//! let mut req = SendSmsVerifyCodeRequest::new("13800138000");
//! req.set("code_length", Some(FieldValue::Unsigned(6))).unwrap();
//! assert_eq!(req.code_length, Some(6));
//! assert_eq!(req.get("CodeLength"), Some(FieldValue::Unsigned(6)));
//! assert!(req.set("no_such_field", None).is_err());
//! ```

use std::fmt;

use crate::error::{Error, Result};

/// What a field holds: how a binding reads it from its own language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Text.
    Text,
    /// A JSON object as text (`TemplateParam`); a binding may also accept its language's
    /// map/object and serialize it.
    Json,
    /// A whole number ≥ 0.
    Unsigned,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Bool,
    /// One of a wire enum's numbers (listed).
    Enum(&'static [i64]),
}

impl FieldKind {
    /// The kind's name in messages and generated docs: `text`, `JSON object`, ….
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Json => "JSON object",
            FieldKind::Unsigned => "unsigned integer",
            FieldKind::Integer => "integer",
            FieldKind::Bool => "boolean",
            FieldKind::Enum(_) => "enum number",
        }
    }
}

/// One field of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The Rust and Python name (`sign_name`); C setters are `..._set_<name>`.
    pub name: &'static str,
    /// The API's name (`SignName`); the error field of [`Error::invalid_input`].
    pub wire: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Required on every request (the others may be unset, and the service's defaults apply).
    pub required: bool,
    /// The most characters the value may have, checked before sending (so that no field can
    /// make the request URL too long); `None`: no limit of its own. See
    /// [`FIELD_LIMITS`](crate::api::FIELD_LIMITS).
    pub max_chars: Option<usize>,
    /// The Rust doc comment, one line per doc line.
    pub doc: &'static str,
}

impl Field {
    /// The JavaScript name: the wire name with a lower-case first letter (`signName`).
    pub fn camel(&self) -> String {
        let mut out = self.wire.to_owned();
        out[..1].make_ascii_lowercase();
        out
    }

    /// Whether `name` is this field's Rust (`sign_name`), JavaScript (`signName`) or wire
    /// (`SignName`) name.
    pub fn matches(&self, name: &str) -> bool {
        if name == self.name || name == self.wire {
            return true;
        }
        let (w, n) = (self.wire.as_bytes(), name.as_bytes());
        w.len() == n.len() && !n.is_empty() && n[0] == w[0].to_ascii_lowercase() && n[1..] == w[1..]
    }

    /// The field called `name` in `fields`, by any of its names.
    pub fn find(fields: &'static [Field], name: &str) -> Option<&'static Field> {
        fields.iter().find(|f| f.matches(name))
    }

    /// The error for a name no field has: it lists the valid ones.
    pub(crate) fn unknown(fields: &[Field], name: &str) -> Error {
        let names: Vec<_> = fields.iter().map(|f| f.name).collect();
        Error::invalid_input("field", format_args!("{name:?} is not a field; use one of {}", names.join(", ")))
    }
}

/// A request whose fields are declared in a table (each request made by `request_fields!`): a
/// binding sets and reads any field by name, generically over the request type.
pub trait Fields: Clone + PartialEq + Default + 'static {
    /// Every field, in the API's order.
    const FIELDS: &'static [Field];

    /// Set the field called `name` (any of its names) to `value`; `None` unsets it.
    fn set(&mut self, name: &str, value: Option<FieldValue>) -> Result<()>;

    /// The value of the field called `name`, or `None` when it is unset or unknown.
    fn get(&self, name: &str) -> Option<FieldValue>;
}

/// A field's value, as a binding read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    /// For [`FieldKind::Text`] and [`FieldKind::Json`].
    Text(String),
    /// For [`FieldKind::Unsigned`] (an [`FieldValue::Integer`] ≥ 0 is accepted too).
    Unsigned(u64),
    /// For [`FieldKind::Integer`] and [`FieldKind::Enum`] (an [`FieldValue::Unsigned`] that fits
    /// is accepted too).
    Integer(i64),
    /// For [`FieldKind::Bool`].
    Bool(bool),
}

impl fmt::Display for FieldValue {
    /// The kind of value, for messages (never the value: it may be a phone number).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldValue::Text(_) => "text",
            FieldValue::Unsigned(_) | FieldValue::Integer(_) => "a number",
            FieldValue::Bool(_) => "a boolean",
        })
    }
}

fn mismatch(wire: &'static str, expected: FieldKind, got: &FieldValue) -> Error {
    Error::invalid_input(wire, format_args!("must be {}, got {got}", expected.as_str()))
}

/// A Rust field type a [`FieldValue`] converts into and out of.
pub(crate) trait FieldType: Sized {
    /// The kind bindings read (a field may override it, as `TemplateParam` does with `Json`).
    const KIND: FieldKind;
    /// Required fields are plain (not `Option`) and cannot be cleared.
    const REQUIRED: bool = false;

    fn from_value(wire: &'static str, kind: FieldKind, value: Option<FieldValue>) -> Result<Self>;
    fn to_value(&self) -> Option<FieldValue>;
}

impl FieldType for String {
    const KIND: FieldKind = FieldKind::Text;
    const REQUIRED: bool = true;

    fn from_value(wire: &'static str, kind: FieldKind, value: Option<FieldValue>) -> Result<Self> {
        match value {
            Some(v) => text(wire, kind, v),
            None => Err(Error::invalid_input(wire, "is required and cannot be unset")),
        }
    }

    fn to_value(&self) -> Option<FieldValue> {
        Some(FieldValue::Text(self.clone()))
    }
}

fn text(wire: &'static str, kind: FieldKind, value: FieldValue) -> Result<String> {
    match value {
        FieldValue::Text(s) => Ok(s),
        other => Err(mismatch(wire, kind, &other)),
    }
}

impl FieldType for Option<String> {
    const KIND: FieldKind = FieldKind::Text;

    fn from_value(wire: &'static str, kind: FieldKind, value: Option<FieldValue>) -> Result<Self> {
        value.map(|v| text(wire, kind, v)).transpose()
    }

    fn to_value(&self) -> Option<FieldValue> {
        self.clone().map(FieldValue::Text)
    }
}

impl FieldType for Option<bool> {
    const KIND: FieldKind = FieldKind::Bool;

    fn from_value(wire: &'static str, kind: FieldKind, value: Option<FieldValue>) -> Result<Self> {
        match value {
            None => Ok(None),
            Some(FieldValue::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(mismatch(wire, kind, &other)),
        }
    }

    fn to_value(&self) -> Option<FieldValue> {
        self.map(FieldValue::Bool)
    }
}

/// The value as an `i128`, so every integer type's range check is one comparison.
fn number(wire: &'static str, kind: FieldKind, value: FieldValue) -> Result<i128> {
    match value {
        FieldValue::Unsigned(v) => Ok(i128::from(v)),
        FieldValue::Integer(v) => Ok(i128::from(v)),
        other => Err(mismatch(wire, kind, &other)),
    }
}

macro_rules! integer_field {
    ($ty:ty, $kind:ident, $variant:ident, $wide:ty) => {
        impl FieldType for Option<$ty> {
            const KIND: FieldKind = FieldKind::$kind;

            fn from_value(wire: &'static str, kind: FieldKind, value: Option<FieldValue>) -> Result<Self> {
                let Some(v) = value else { return Ok(None) };
                let n = number(wire, kind, v)?;
                <$ty>::try_from(n).map(Some).map_err(|_| {
                    Error::invalid_input(
                        wire,
                        format_args!("must be between {} and {}, got {n}", <$ty>::MIN, <$ty>::MAX),
                    )
                })
            }

            fn to_value(&self) -> Option<FieldValue> {
                self.map(|v| FieldValue::$variant(<$wide>::from(v)))
            }
        }
    };
}

integer_field!(u32, Unsigned, Unsigned, u64);
integer_field!(u64, Unsigned, Unsigned, u64);
integer_field!(i64, Integer, Integer, i64);

/// Wire enums convert through their numbers (and refuse others naming the field).
macro_rules! enum_field {
    ($($ty:ty),+) => {$(
        impl FieldType for Option<$ty> {
            const KIND: FieldKind = FieldKind::Enum(<$ty>::VALUES);

            fn from_value(wire: &'static str, kind: FieldKind, value: Option<FieldValue>) -> Result<Self> {
                let Some(v) = value else { return Ok(None) };
                let n = number(wire, kind, v)?;
                let n = i64::try_from(n).unwrap_or(i64::MAX);
                <$ty>::try_from(n).map(Some)
            }

            fn to_value(&self) -> Option<FieldValue> {
                self.map(|v| FieldValue::Integer(v.value()))
            }
        }
    )+};
}

enum_field!(super::CodeType, super::DuplicatePolicy, super::CaseAuthPolicy);

/// Declare a request struct, its [`Field`] table and its `set`/`get` accessors from one list.
/// A field may name its kind (`as Json`) when its Rust type alone does not say it, and its
/// length limit (`max 64`). The table is also a struct of its own (`$fields`, one [`Field`] per
/// Rust field) so that `to_params` names each field through its entry, never by a second
/// spelling of its wire name.
macro_rules! request_fields {
    (
        $(#[$meta:meta])*
        pub struct $req:ident ($fields:ident) {
            $(
                $(#[doc = $doc:literal])*
                pub $field:ident: $ty:ty => $wire:literal $(as $kind:ident)? $(max $max:literal)?,
            )+
        }
    ) => {
        $(#[$meta])*
        pub struct $req {
            $(
                $(#[doc = $doc])*
                pub $field: $ty,
            )+
        }

        #[doc = concat!("The [`Field`](crate::api::Field) of each field of [`", stringify!($req), "`].")]
        pub(crate) struct $fields {
            $(pub(crate) $field: $crate::api::Field,)+
        }

        impl $req {
            /// Each field's table entry, by its Rust name.
            pub(crate) const F: $fields = $fields {$(
                $field: $crate::api::Field {
                    name: stringify!($field),
                    wire: $wire,
                    kind: request_fields!(@kind $ty $(, $kind)?),
                    required: <$ty as $crate::api::fields::FieldType>::REQUIRED,
                    max_chars: request_fields!(@max $($max)?),
                    doc: concat!($($doc, "\n"),*),
                },
            )+};

            /// Every field, in the API's order.
            pub const FIELDS: &'static [$crate::api::Field] = &[$(Self::F.$field,)+];

            /// The field called `name` (`sign_name`, `signName` or `SignName`).
            pub fn field(name: &str) -> Option<&'static $crate::api::Field> {
                $crate::api::Field::find(Self::FIELDS, name)
            }

            /// Set the field called `name` (any of its names) to `value`; `None` unsets it.
            /// A value of the wrong kind or range, or an unknown name, is an
            /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the field.
            /// The full rules run when the request is sent ([`Self::to_params`]).
            pub fn set(&mut self, name: &str, value: Option<$crate::api::FieldValue>) -> $crate::Result<()> {
                use $crate::api::fields::FieldType;
                $(
                    let f = &Self::F.$field;
                    if f.matches(name) {
                        self.$field = <$ty>::from_value(f.wire, f.kind, value)?;
                        return Ok(());
                    }
                )+
                Err($crate::api::Field::unknown(Self::FIELDS, name))
            }

            /// The value of the field called `name`, or `None` when it is unset or unknown.
            pub fn get(&self, name: &str) -> Option<$crate::api::FieldValue> {
                use $crate::api::fields::FieldType;
                $(
                    if Self::F.$field.matches(name) {
                        return self.$field.to_value();
                    }
                )+
                None
            }
        }

        impl $crate::api::Fields for $req {
            const FIELDS: &'static [$crate::api::Field] = <$req>::FIELDS;

            fn set(&mut self, name: &str, value: Option<$crate::api::FieldValue>) -> $crate::Result<()> {
                <$req>::set(self, name, value)
            }

            fn get(&self, name: &str) -> Option<$crate::api::FieldValue> {
                <$req>::get(self, name)
            }
        }
    };
    (@kind $ty:ty) => { <$ty as $crate::api::fields::FieldType>::KIND };
    (@kind $ty:ty, $kind:ident) => { $crate::api::FieldKind::$kind };
    (@max) => { None };
    (@max $max:literal) => { Some($max) };
}

pub(crate) use request_fields;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckSmsVerifyCodeRequest, CodeType, ErrorKind, SendSmsVerifyCodeRequest};

    #[test]
    fn every_wire_parameter_is_a_field() {
        let send = SendSmsVerifyCodeRequest::FIELDS;
        assert_eq!(send.len(), 20);
        assert_eq!(send.iter().filter(|f| f.required).map(|f| f.name).collect::<Vec<_>>(), ["phone_number"]);
        assert_eq!(SendSmsVerifyCodeRequest::field("TemplateParam").unwrap().kind, FieldKind::Json);
        assert_eq!(SendSmsVerifyCodeRequest::field("codeType").unwrap().kind, FieldKind::Enum(&[1, 2, 3, 4, 5, 6, 7]));
        let check: Vec<_> = CheckSmsVerifyCodeRequest::FIELDS.iter().filter(|f| f.required).map(|f| f.wire).collect();
        assert_eq!(check, ["PhoneNumber", "VerifyCode"]);
        for f in send.iter().chain(CheckSmsVerifyCodeRequest::FIELDS) {
            assert!(!f.doc.trim().is_empty(), "{} has no doc", f.name);
            assert!(f.matches(f.name) && f.matches(f.wire) && f.matches(&f.camel()), "{}", f.name);
        }
    }

    #[test]
    fn set_then_get_round_trips_and_is_what_to_params_sends() {
        let mut req = SendSmsVerifyCodeRequest::new("13800138000");
        let values = [
            ("signName", FieldValue::Text("速通互联验证码".into())),
            ("template_code", FieldValue::Text("100001".into())),
            ("TemplateParam", FieldValue::Text(r###"{"code":"##code##"}"###.into())),
            ("code_type", FieldValue::Integer(7)),
            ("valid_time", FieldValue::Integer(300)),
            ("return_verify_code", FieldValue::Bool(true)),
            ("owner_id", FieldValue::Unsigned(5)),
        ];
        for (name, v) in &values {
            req.set(name, Some(v.clone())).unwrap();
        }
        assert_eq!(req.code_type, Some(CodeType::Alphanumeric));
        assert_eq!(req.get("validTime"), Some(FieldValue::Unsigned(300)));
        assert_eq!(req.get("owner_id"), Some(FieldValue::Integer(5)));
        let params = req.to_params().unwrap();
        assert!(params.contains(&("CodeType", "7".into())) && params.contains(&("ReturnVerifyCode", "true".into())));
        req.set("codeType", None).unwrap();
        assert_eq!(req.get("code_type"), None);
    }

    #[test]
    fn bad_values_are_typed_errors_naming_the_field() {
        let mut req = SendSmsVerifyCodeRequest::new("13800138000");
        let cases = [
            ("code_length", Some(FieldValue::Text("6".into())), "CodeLength", "must be unsigned integer, got text"),
            ("code_length", Some(FieldValue::Integer(-1)), "CodeLength", "between 0 and 4294967295, got -1"),
            ("code_length", Some(FieldValue::Unsigned(1 << 40)), "CodeLength", "got 1099511627776"),
            ("code_type", Some(FieldValue::Integer(9)), "CodeType", "9 is not one of"),
            ("code_type", Some(FieldValue::Unsigned(u64::MAX)), "CodeType", "is not one of"),
            ("return_verify_code", Some(FieldValue::Integer(1)), "ReturnVerifyCode", "must be boolean"),
            ("sign_name", Some(FieldValue::Bool(true)), "SignName", "must be text, got a boolean"),
            ("phone_number", None, "PhoneNumber", "is required"),
            ("nope", None, "field", "\"nope\" is not a field; use one of phone_number, country_code"),
        ];
        for (name, value, field, text) in cases {
            let e = req.set(name, value).unwrap_err();
            assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some(field)), "{name}");
            assert!(e.to_string().contains(text), "{name}: {e}");
        }
        assert_eq!(req, SendSmsVerifyCodeRequest::new("13800138000"), "a refused value changes nothing");
    }
}
