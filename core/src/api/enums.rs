//! The small closed sets of the Dypnsapi API, as enums with their wire numbers.

use crate::error::{Error, Result};

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant = $value),+
        }

        impl $name {
            /// Every value, in wire order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every wire number, in order.
            pub const VALUES: &'static [i64] = &[$($value),+];

            /// The number sent on the wire.
            pub const fn value(self) -> i64 {
                self as i64
            }
        }

        impl TryFrom<i64> for $name {
            type Error = Error;

            fn try_from(v: i64) -> Result<Self> {
                match v {
                    $($value => Ok($name::$variant),)+
                    other => Err(Error::invalid_input(
                        $field,
                        format_args!("{other} is not one of {}", [$($value.to_string()),+].join(", ")),
                    )),
                }
            }
        }
    };
}

wire_enum!(
    /// `CodeType`: which characters a generated code uses.
    ///
    /// ```
    /// use smsauth::CodeType;
    /// assert_eq!(CodeType::try_from(7).unwrap(), CodeType::Alphanumeric);
    /// assert!(CodeType::try_from(8).is_err());
    /// ```
    CodeType, "CodeType" {
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
);

wire_enum!(
    /// `DuplicatePolicy`: what happens to an unexpired code when a new one is sent.
    DuplicatePolicy, "DuplicatePolicy" {
        /// 1: the new code replaces the old one (the service default).
        Overwrite = 1,
        /// 2: every unexpired code stays valid.
        Keep = 2,
    }
);

wire_enum!(
    /// `CaseAuthPolicy`: whether checking letters is case-sensitive.
    CaseAuthPolicy, "CaseAuthPolicy" {
        /// 1: case-insensitive (the service default).
        Insensitive = 1,
        /// 2: case-sensitive.
        Sensitive = 2,
    }
);

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
