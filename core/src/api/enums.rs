//! The small closed sets of the Dypnsapi API, as enums with their wire numbers.
//!
//! The numbers are stable and the enums are `#[repr(u32)]`, so the C header exports these very
//! declarations, doc comments included (`smsauth_code_type`, `SMSAUTH_CODE_TYPE_DIGITS`, ...; see
//! `ffi-c/cbindgen.toml`, which reads this file as written: keep the declarations out of macros).
//!
//! ```
//! use smsauth::CodeType;
//! assert_eq!(CodeType::try_from(7).unwrap(), CodeType::Alphanumeric);
//! assert!(CodeType::try_from(8).is_err());
//! ```

use crate::error::{Error, Result};

/// The methods of a wire enum declared above it: `wire_enum!(Name, "Field" [Variant, ...])` lists
/// every variant once more (an exhaustive `match` makes a missing one a compile error), and the
/// numbers are the declaration's.
macro_rules! wire_enum {
    ($name:ident, $field:literal [$($variant:ident),+ $(,)?]) => {
        impl $name {
            /// Every value, in wire order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every wire number, in order.
            pub const VALUES: &'static [i64] = &[$($name::$variant as i64),+];

            /// The number sent on the wire.
            pub const fn value(self) -> i64 {
                // Exhaustive: a variant missing from the list above does not compile.
                match self {
                    $($name::$variant => $name::$variant as i64),+
                }
            }
        }

        impl TryFrom<i64> for $name {
            type Error = Error;

            fn try_from(v: i64) -> Result<Self> {
                $name::ALL.iter().copied().find(|e| e.value() == v).ok_or_else(|| {
                    let values: Vec<_> = $name::VALUES.iter().map(i64::to_string).collect();
                    Error::invalid_input($field, format_args!("{v} is not one of {}", values.join(", ")))
                })
            }
        }
    };
}

/// `CodeType`: which characters a generated code uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum CodeType {
    /// 1: digits only (the service default).
    Digits = 1,
    /// 2: upper-case letters.
    Upper = 2,
    /// 3: lower-case letters.
    Lower = 3,
    /// 4: upper- and lower-case letters.
    Letters = 4,
    /// 5: digits and upper-case letters.
    DigitsUpper = 5,
    /// 6: digits and lower-case letters.
    DigitsLower = 6,
    /// 7: digits and letters of both cases.
    Alphanumeric = 7,
}
wire_enum!(CodeType, "CodeType" [Digits, Upper, Lower, Letters, DigitsUpper, DigitsLower, Alphanumeric]);

/// `DuplicatePolicy`: what happens to an unexpired code when a new one is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum DuplicatePolicy {
    /// 1: the new code replaces the old one (the service default).
    Overwrite = 1,
    /// 2: every unexpired code stays valid.
    Keep = 2,
}
wire_enum!(DuplicatePolicy, "DuplicatePolicy" [Overwrite, Keep]);

/// `CaseAuthPolicy`: whether checking letters is case-sensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum CaseAuthPolicy {
    /// 1: case-insensitive (the service default).
    Insensitive = 1,
    /// 2: case-sensitive.
    Sensitive = 2,
}
wire_enum!(CaseAuthPolicy, "CaseAuthPolicy" [Insensitive, Sensitive]);
impl CodeType {
    /// The alphabet a code of this type is drawn from.
    pub const fn alphabet(self) -> &'static [u8] {
        const D: &[u8] = b"0123456789";
        const U: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const L: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
        match self {
            CodeType::Digits => D,
            CodeType::Upper => U,
            CodeType::Lower => L,
            CodeType::Letters => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            CodeType::DigitsUpper => b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            CodeType::DigitsLower => b"0123456789abcdefghijklmnopqrstuvwxyz",
            CodeType::Alphanumeric => b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        }
    }
}
