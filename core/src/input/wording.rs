//! [`Wording`]: an [`InputError`] worded as a language's own APIs word it — the exception class
//! to raise and its exact message — so a binding only maps the class to its exception type.

use super::error::{Expected, InputError, Path, Problem, Received, ReceivedKind, Step};
use super::style::{PYTHON, Style};

/// Whose idiom an [`InputError`] is worded in (a [`Style`]'s `wording`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wording {
    /// Node's own APIs: `The "phone" argument must be of type string. Received type number
    /// (13800138000)`.
    Node,
    /// Python's own functions: `send_code() argument 'phone' must be str, not int`.
    Python,
}

/// An [`InputError`] worded: which exception to raise, with which message.
#[derive(Debug)]
pub enum Worded {
    /// A value of the wrong type: Node `TypeError` (`ERR_INVALID_ARG_TYPE`), Python `TypeError`.
    Type(String),
    /// A number out of range: Node `RangeError` (`ERR_OUT_OF_RANGE`).
    Range(String),
    /// The core's error (`InvalidInput`, or the error a core check refused the value with),
    /// raised as the binding raises core errors. `field` (Node: the path as written, e.g.
    /// `options.signName`) is what it names, when not the error's own field.
    Core {
        /// The core error.
        error: crate::Error,
        /// The argument or property the error names instead of its own field.
        field: Option<String>,
    },
}

impl InputError {
    /// This error worded in `style`'s idiom, raised by the function or class `func` (Python
    /// names it: `send_code() argument …`; Node does not).
    ///
    /// ```
    /// use smsauth::input::{InputError, NODE, PYTHON, Path, Problem, Worded, text};
    /// use smsauth::input::Value;
    /// let problem = || text(&Value::Integer(5), false).unwrap_err();
    /// let e = InputError::new(Path::arg("phone"), problem());
    /// let Worded::Type(m) = e.worded(&NODE, "sendCode") else { panic!() };
    /// assert_eq!(m, r#"The "phone" argument must be of type string. Received type number (5)"#);
    /// let e = InputError::new(Path::arg("phone"), problem());
    /// let Worded::Type(m) = e.worded(&PYTHON, "send_code") else { panic!() };
    /// assert_eq!(m, "send_code() argument 'phone' must be str, not int");
    /// ```
    pub fn worded(self, style: &Style, func: &str) -> Worded {
        match style.wording {
            Wording::Node => node(self),
            Wording::Python => python(func, self),
        }
    }
}

/// A path as Node users write it: `options.guard.phone[].max`.
fn written(path: &Path) -> String {
    path.written(|_| "[]".into())
}

/// Node's wording: wrong types as `TypeError`s, numbers out of range as `RangeError`s, the rest
/// (unknown properties, lone surrogates, refused values) as core errors naming the property.
fn node(e: InputError) -> Worded {
    let path = e.path.clone();
    let refused = matches!(e.problem, Problem::Refused(_));
    let e = match e.into_core() {
        Ok(error) if refused => return Worded::Core { error, field: None },
        Ok(error) => return Worded::Core { error, field: Some(written(&path)) },
        Err(e) => e,
    };
    let what = if path.is_arg() { "argument" } else { "property" };
    let name = format!("The \"{}\" {what}", written(&path));
    match e.problem {
        Problem::Type { expected: what, received: r } => {
            let (what, show) = node_expected(what);
            let received = if show { format!(". {}", node_received(&r)) } else { String::new() };
            Worded::Type(format!("{name} must be {what}{received}"))
        }
        Problem::Range { min, max, received } => {
            Worded::Range(format!("{name} must be an integer >= {min} and <= {max}. Received {received}"))
        }
        Problem::NotPlain { class } => {
            Worded::Type(format!("{name} must be a plain object, not a {class}: use {{ key: value }}"))
        }
        Problem::Hidden { key } => Worded::Type(format!(
            "The \"{}.{key}\" property must be enumerable (options are read from enumerable properties)",
            written(&path)
        )),
        Problem::NotData { at, what } => {
            let hint = if at.ends_with("toJSON") { " (check its toJSON method)" } else { "" };
            Worded::Type(format!("{name} must be JSON data; \"{at}\" is not JSON data ({what}){hint}"))
        }
        // Made core errors above.
        Problem::NotText | Problem::Unknown { .. } | Problem::Refused(_) => unreachable!("a core error"),
    }
}

/// How Node shows a received value: `Received type string ('abc')`, `Received undefined`.
fn node_received(r: &Received) -> String {
    let shown = match (&r.kind, &r.shown) {
        (ReceivedKind::Text, Some(s)) => format!(" ('{s}'{})", if r.truncated { "..." } else { "" }),
        (_, Some(s)) => format!(" ({s})"),
        (_, None) => String::new(),
    };
    match &r.kind {
        ReceivedKind::Absent => "Received undefined".into(),
        ReceivedKind::Null => "Received null".into(),
        ReceivedKind::Bool => format!("Received type boolean{shown}"),
        ReceivedKind::Integer | ReceivedKind::Number => format!("Received type number{shown}"),
        ReceivedKind::Text => format!("Received type string{shown}"),
        ReceivedKind::Foreign(t) if t == "function" => "Received function".into(),
        ReceivedKind::Foreign(t) if t == "symbol" || t == "bigint" => format!("Received type {t}"),
        _ => "Received an object".into(),
    }
}

/// What a value must be, in Node's words, and whether the message shows what was received.
fn node_expected(e: Expected) -> (&'static str, bool) {
    match e {
        Expected::Text => ("of type string", true),
        Expected::Bool => ("of type boolean", true),
        Expected::Number | Expected::Integer => ("of type number", true),
        Expected::Map | Expected::Limit | Expected::WrongCode => ("of type object", true),
        Expected::TextOrBytes => ("of type string or an instance of Uint8Array", true),
        Expected::List(Expected::Limit) => ("an array of { max, windowSeconds }", false),
        Expected::List(_) => ("an array of strings", false),
        Expected::Pairs => ("an object of strings or an array of [name, value] strings", false),
        Expected::Json => ("a JSON string or a plain object", false),
        Expected::Instance(_) => ("an instance of its class", true),
        Expected::Callable => ("of type function", true),
        Expected::Optional(e) => node_expected(*e),
    }
}

/// Python's wording, for `func`: its own for a wrong type (`f() argument 'x' must be str, not
/// int`) and an unknown keyword; the core's `InvalidInput` naming the field or option for a
/// value out of range, a lone surrogate or a value the core refused.
fn python(func: &str, e: InputError) -> Worded {
    let (arg, rest) = match e.path.0.split_first() {
        Some((Step::Arg(name), rest)) => (name.as_str(), rest),
        _ => ("", &[][..]),
    };
    let item = if rest.is_empty() { String::new() } else { format!(" item {}", Path(rest.to_vec())) };
    let invalid = |problem: String| Worded::Core {
        error: crate::Error::invalid_input(python_field(func, arg), problem),
        field: None,
    };
    match e.problem {
        Problem::Type { expected, received } => {
            let tuple = matches!(expected, Expected::Limit | Expected::WrongCode);
            if tuple && received.kind == ReceivedKind::List {
                // A tuple of the wrong length.
                return invalid(format!("{func}() argument '{arg}' must be {}", python_expected(expected)));
            }
            if expected == Expected::Pairs && matches!(received.kind, ReceivedKind::List | ReceivedKind::Map) {
                let what = "a dict or a list of (str, str) pairs: each name and value a str";
                return Worded::Type(format!("{func}() argument '{arg}' must be {what}"));
            }
            // A limit's or rule's parts are named by the whole argument, which says their shape.
            let item = if tuple || expected == Expected::List(&Expected::Limit) { "" } else { &item };
            let got = match &received.kind {
                ReceivedKind::Absent | ReceivedKind::Null => "NoneType",
                ReceivedKind::Bool => "bool",
                ReceivedKind::Integer => "int",
                ReceivedKind::Number => "float",
                ReceivedKind::Text => "str",
                ReceivedKind::Bytes => "bytes",
                ReceivedKind::List => "list",
                ReceivedKind::Map => "dict",
                ReceivedKind::Foreign(name) => name,
            };
            Worded::Type(format!("{func}() argument '{arg}'{item} must be {}, not {got}", python_expected(expected)))
        }
        Problem::Range { min, received, .. } if received.parse::<f64>().is_ok_and(|n| n < min as f64) => {
            let least = if min == 0 { "a non-negative integer".to_owned() } else { format!("at least {min}") };
            invalid(format!("{func}() argument '{arg}'{item} must be {least}, got {received}"))
        }
        Problem::Range { max, received, .. } => {
            invalid(format!("{func}() argument '{arg}'{item} is too large (at most {max}), got {received}"))
        }
        Problem::NotData { at, what } if what != "text" => {
            Worded::Type(format!("{func}() argument '{arg}' must be str (JSON) or dict of JSON data; {at} is {what}"))
        }
        // Inside a dict written as JSON (`NotData`), text that is not text is the same mistake.
        Problem::NotText | Problem::NotData { .. } => invalid(format!(
            "{func}() argument '{arg}'{item} contains a lone surrogate (U+D800 to U+DFFF), which is not text; pass \
             real characters"
        )),
        Problem::Unknown { key, .. } => Worded::Type(unexpected_keyword(func, &key)),
        Problem::Refused(error) => Worded::Core { error: *error, field: None },
        Problem::NotPlain { class } => {
            Worded::Type(format!("{func}() argument '{arg}'{item} must be dict, not {class}"))
        }
        Problem::Hidden { key } => {
            Worded::Type(format!("{func}() argument '{arg}'{item} has an unreadable entry {key}"))
        }
    }
}

/// Python's message for an unexpected keyword argument `name` of `func`, worded like its own.
fn unexpected_keyword(func: &str, name: &str) -> String {
    format!("{func}() got an unexpected keyword argument '{name}'")
}

/// What a Python value must be, for the `TypeError` of a wrong type.
fn python_expected(expected: Expected) -> String {
    match expected {
        Expected::Text => "str".into(),
        Expected::Bool => "bool".into(),
        Expected::Number => "int or float".into(),
        Expected::Integer => "int".into(),
        Expected::Map => "dict".into(),
        Expected::Limit | Expected::List(Expected::Limit) => "a list of (max, window_seconds) tuples".into(),
        Expected::List(of) => format!("a list of {}", python_expected(*of)),
        Expected::Pairs => "a dict or a list of (str, str) pairs".into(),
        Expected::Json => "str (JSON) or dict".into(),
        Expected::TextOrBytes => "str or bytes".into(),
        Expected::WrongCode => "a (max_wrong, window_seconds, lock_seconds) tuple".into(),
        Expected::Instance(class) => format!("smsauth.{class}"),
        Expected::Callable => "callable".into(),
        Expected::Optional(e) => format!("{} or None", python_expected(*e)),
    }
}

/// The field the `InvalidInput` error of Python argument `name` of `func` names: the guard's
/// setting for `Guard`, the API's name for request fields (as the core's validation names
/// them), the core's name for client and verifier options, else the argument itself when it is
/// one of the few free-standing ones.
fn python_field(func: &str, name: &str) -> &'static str {
    let option = |o: Option<crate::ClientOption>| o.filter(|o| o.short_name() == name).map(|o| o.name);
    if func == "Guard" {
        return option(crate::guard::GuardConfig::option(name)).unwrap_or("guard");
    }
    match name {
        "phone" => "PhoneNumber",
        "code" => "VerifyCode",
        "client_key" => "client_key",
        "seconds" => "seconds",
        "ttl" => "ttl_seconds",
        "role_duration" => "role_duration_seconds",
        "now" => "now",
        "timestamp" => "timestamp",
        _ => crate::SendSmsVerifyCodeRequest::field(name)
            .or_else(|| crate::CheckSmsVerifyCodeRequest::field(name))
            .map(|f| f.wire)
            .or_else(|| option(crate::ClientBuilder::option(name)))
            .or_else(|| super::sign::VERIFIER_OPTIONS.iter().map(|p| p.name).find(|&p| PYTHON.name(p) == name))
            .unwrap_or("text"),
    }
}
