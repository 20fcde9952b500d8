//! [`Style`]: how one language spells the core's names — the one per-language part of reading.

use std::borrow::Cow;
use std::time::Duration;

use super::wording::Wording;
use crate::{ClientBuilder, Field, OptionKind};

/// How a language spells the core's option and field names and which numbers it holds: the
/// readers of this module are the same for every binding, only the style differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Names in camel case (`signName`, `maxAttempts`); otherwise snake case as in the core.
    pub camel_case: bool,
    /// The unit durations are given in (Node milliseconds, Python seconds).
    pub duration_unit: Duration,
    /// Added (in snake case, before the case conversion) to the name of every duration option:
    /// `_ms` makes `timeout` Node's `timeoutMs`.
    pub duration_suffix: &'static str,
    /// The largest whole number the language's numbers hold exactly (JavaScript 2⁵³ − 1):
    /// integer options are bounded by it as well as by their type.
    pub max_integer: u64,
    /// The role's options (`role_session_name`, `sts_endpoint`, …) are read from an object
    /// given as `role_arn` (Node's `roleArn: { arn, sessionName }`) instead of at the top.
    pub role_object: bool,
    /// Grouped options are read by their short name at the top (Python's `max_attempts` for
    /// `retry.max_attempts`) instead of inside a map named for the group (Node's `retry`).
    pub flat_groups: bool,
    /// A guard limit and the wrong-code rule are positional lists (Python's `(max,
    /// window_seconds)` tuples) instead of maps.
    pub tuples: bool,
    /// Names of parts (snake case) the language spells differently: Node's `WrongCodeOptions`
    /// calls `max_wrong` `max`.
    pub renames: &'static [(&'static str, &'static str)],
    /// Whole numbers and other numbers are different types (Python's `int` and `float`): a
    /// [`Value::Number`](super::Value::Number) within the 64-bit range, NaN or infinite, is never
    /// read as a whole number (`6.0` where an `int` is expected is a type problem; a larger one a
    /// range problem: Python's `int` past 64 bits).
    pub strict_integers: bool,
    /// Whose idiom a reading error is worded in ([`InputError::worded`](super::InputError::worded)).
    pub wording: Wording,
}

/// Node's spelling: camel case, durations in milliseconds with `Ms`, the role's options inside
/// `roleArn`, numbers up to 2⁵³ − 1, limits and the wrong-code rule as objects.
pub const NODE: Style = Style {
    camel_case: true,
    duration_unit: Duration::from_millis(1),
    duration_suffix: "_ms",
    max_integer: (1 << 53) - 1,
    role_object: true,
    flat_groups: false,
    tuples: false,
    renames: &[("max_wrong", "max"), ("lockout_seconds", "lock_seconds")],
    strict_integers: false,
    wording: Wording::Node,
};

/// Python's spelling: the core's snake-case names (grouped ones by their short name,
/// `role_duration` for the role's session length, `api_version` for a signed request's API
/// version, `window` for a verifier's window, `ttl` for the emulator's `issue_sts`), durations in
/// seconds, limits and the wrong-code rule as tuples.
pub const PYTHON: Style = Style {
    camel_case: false,
    duration_unit: Duration::from_secs(1),
    duration_suffix: "",
    max_integer: u64::MAX,
    role_object: false,
    flat_groups: true,
    tuples: true,
    renames: &[
        ("role_duration_seconds", "role_duration"),
        ("version", "api_version"),
        ("window_seconds", "window"),
        ("ttl_seconds", "ttl"),
    ],
    strict_integers: true,
    wording: Wording::Python,
};

impl Style {
    /// A snake-case name (`window_seconds`) spelt in this style (`windowSeconds`), renames
    /// applied.
    pub fn name<'n>(&self, snake: &'n str) -> Cow<'n, str> {
        let snake = self.renames.iter().find(|(from, _)| *from == snake).map_or(snake, |(_, to)| to);
        if !self.camel_case || !snake.contains('_') {
            return Cow::Borrowed(snake);
        }
        let mut parts = snake.split('_');
        let mut out = parts.next().unwrap_or_default().to_owned();
        for p in parts {
            let mut chars = p.chars();
            out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            out.push_str(chars.as_str());
        }
        Cow::Owned(out)
    }

    /// A request field's name: `signName` (Node, the wire name with a lower-case first letter)
    /// or `sign_name`.
    pub fn field_name(&self, f: &Field) -> Cow<'static, str> {
        if self.camel_case { Cow::Owned(f.camel()) } else { Cow::Borrowed(f.name) }
    }

    /// Where a client or guard option (or a part of one) is written below the options, `.`
    /// between nested objects: Node `timeoutMs`, `retry.maxBackoffMs`, `roleArn.sessionName`,
    /// `guard.wrongCode.lockSeconds`; Python `timeout`, `max_backoff`, `role_duration`.
    pub fn option_path(&self, core: &str) -> String {
        // Two core errors name these options by an older name.
        let core = match core {
            "duration_seconds" => "role_duration_seconds",
            "root_certificates" => "ca_certificates",
            other => other,
        };
        let nested = match core.strip_prefix("role_") {
            Some(part) if self.role_object && part != "arn" => format!("role_arn.{part}"),
            _ if self.role_object && core.starts_with("sts_") => format!("role_arn.{core}"),
            _ if self.flat_groups && !core.starts_with("guard.") => core.rsplit('.').next().unwrap_or(core).to_owned(),
            _ => core.to_owned(),
        };
        let mut path = nested.split('.').map(|p| self.name(p)).collect::<Vec<_>>().join(".");
        if ClientBuilder::option(core).is_some_and(|o| o.kind == OptionKind::Duration) {
            path.push_str(&self.name(&format!("x{}", self.duration_suffix))[1..]);
        }
        path
    }
}

/// Whether a core error's field names a client or guard option (rather than an API field).
pub fn is_option(field: &str) -> bool {
    field.starts_with("guard.")
        || matches!(field, "duration_seconds" | "root_certificates")
        || ClientBuilder::option(field).is_some_and(|o| !matches!(o.kind, OptionKind::Field(_)))
}
