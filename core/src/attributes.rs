//! The read-only attributes of the core's answers, each declared once: its snake_case name, its
//! documentation and how to read it as a [`Value`]. A binding exposes them with one generic
//! getter (Python: a `property` per attribute, its docstring the doc here) instead of declaring
//! every field and its doc again, so an attribute added here reaches the binding.
//!
//! ```
//! use smsauth::attributes::Attributes;
//! use smsauth::record::Value;
//! let answer = smsauth::CheckSmsVerifyCodeResponse::default();
//! let passed = answer.attribute("passed").unwrap();
//! assert_eq!(passed, Value::Bool(false));
//! ```

use crate::record::Value;
use crate::sign::{Explanation, SignatureVersion, SignedRequest, Verified};
use crate::{CheckSmsVerifyCodeResponse, Delivery, Error, SendSmsVerifyCodeResponse, ServiceDetail};

/// One read-only attribute of `T`.
#[derive(Debug)]
pub struct Attribute<T: 'static> {
    /// The snake_case name, e.g. `request_id`.
    pub name: &'static str,
    /// What it holds, for a binding that declares types (Node's TypeScript shapes).
    pub kind: Kind,
    /// What it is (one or two sentences, Markdown).
    pub doc: &'static str,
    /// Its value on `T`.
    pub get: fn(&T) -> Value<'_>,
}

/// What an attribute holds (the [`Value`] its getter gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, always there.
    Text,
    /// Text, or absent ([`Value::None`]).
    OptionalText,
    /// A boolean.
    Bool,
    /// A whole number.
    Unsigned,
    /// A whole number, or absent.
    OptionalUnsigned,
    /// A number (seconds with a fraction), or absent.
    OptionalNumber,
    /// One of `values` — or, when `open`, also a value newer than this version.
    Choice {
        /// The values this version knows.
        values: &'static [&'static str],
        /// Whether the service may send others.
        open: bool,
    },
}

impl Kind {
    /// Whether `value` is one this kind holds.
    pub fn holds(self, value: &Value<'_>) -> bool {
        match (self, value) {
            (Kind::Text, Value::Text(_)) | (Kind::Bool, Value::Bool(_)) | (Kind::Unsigned, Value::Unsigned(_)) => true,
            (Kind::OptionalText | Kind::OptionalUnsigned | Kind::OptionalNumber, Value::None) => true,
            (Kind::OptionalText, Value::Text(_)) | (Kind::OptionalUnsigned, Value::Unsigned(_)) => true,
            (Kind::OptionalNumber, Value::Float(_)) => true,
            (Kind::Choice { values, open }, Value::Text(t)) => open || values.contains(t),
            _ => false,
        }
    }
}

/// A type whose attributes are declared in a table.
pub trait Attributes: Sized + 'static {
    /// Every attribute, in the order a binding lists them.
    const ATTRIBUTES: &'static [Attribute<Self>];

    /// The value of the attribute `name`, if there is one.
    fn attribute(&self, name: &str) -> Option<Value<'_>> {
        Self::ATTRIBUTES.iter().find(|a| a.name == name).map(|a| (a.get)(self))
    }
}

/// Optional text as a value (`None` when absent).
fn text(value: &Option<String>) -> Value<'_> {
    value.as_deref().map_or(Value::None, Value::Text)
}

/// The table of an answer of the service: its own attributes (`$own`), then those of the
/// envelope every answer carries (`Code`, `Message`, `Success`, the HTTP status and
/// `AccessDeniedDetail`), declared here once for every answer type; `$code` documents `code`.
macro_rules! answer_attributes {
    ([$($own:expr),* $(,)?], code: $code:expr) => {
        &[
            $($own,)*
            Attribute { name: "code", kind: Kind::Text, doc: $code, get: |r| Value::Text(&r.code) },
            Attribute { name: "message", kind: Kind::Text, doc: "`Message`.", get: |r| Value::Text(&r.message) },
            Attribute { name: "success", kind: Kind::Bool, doc: "`Success`.", get: |r| Value::Bool(r.success) },
            Attribute {
                name: "http_status",
                kind: Kind::Unsigned,
                doc: "HTTP status of the answer.",
                get: |r| Value::Unsigned(r.http_status.into()),
            },
            Attribute {
                name: "access_denied_detail",
                kind: Kind::OptionalText,
                doc: "`AccessDeniedDetail` as JSON text, when present.",
                get: |r| text(&r.access_denied_detail),
            },
        ]
    };
}

impl Attributes for SendSmsVerifyCodeResponse {
    const ATTRIBUTES: &'static [Attribute<Self>] = answer_attributes!(
        [
            Attribute {
                name: "request_id",
                kind: Kind::Text,
                doc: "`RequestId` of the call, to quote to Alibaba Cloud support.",
                get: |r| Value::Text(&r.request_id),
            },
            Attribute {
                name: "biz_id",
                kind: Kind::OptionalText,
                doc: "`Model.BizId`: the delivery receipt id.",
                get: |r| text(&r.model.biz_id),
            },
            Attribute {
                name: "out_id",
                kind: Kind::OptionalText,
                doc: "`Model.OutId`, echoed.",
                get: |r| text(&r.model.out_id),
            },
            Attribute {
                name: "verify_code",
                kind: Kind::OptionalText,
                doc: "`Model.VerifyCode`: only when `return_verify_code=True` was sent.",
                get: |r| text(&r.model.verify_code),
            },
            Attribute {
                name: "model_request_id",
                kind: Kind::OptionalText,
                doc: "`Model.RequestId`: the inner request's id.",
                get: |r| text(&r.model.request_id),
            },
        ],
        code: "`Code` (always `\"OK\"` here: any other code is an error)."
    );
}

impl Attributes for CheckSmsVerifyCodeResponse {
    const ATTRIBUTES: &'static [Attribute<Self>] = answer_attributes!(
        [
            Attribute {
                name: "passed",
                kind: Kind::Bool,
                doc: "`True` only when the service said `PASS`.",
                get: |r| Value::Bool(r.passed()),
            },
            Attribute {
                name: "verify_result",
                kind: Kind::Choice { values: &["PASS", "UNKNOWN"], open: true },
                doc: "`Model.VerifyResult`: `\"PASS\"`, `\"UNKNOWN\"`, or a value this version does not know.",
                get: |r| Value::Text(r.model.verify_result.as_str()),
            },
            Attribute {
                name: "out_id",
                kind: Kind::OptionalText,
                doc: "`Model.OutId`, echoed.",
                get: |r| text(&r.model.out_id),
            },
            Attribute {
                name: "request_id",
                kind: Kind::Text,
                doc: "`RequestId` of the call.",
                get: |r| Value::Text(&r.request_id),
            },
        ],
        code: "`Code` (always `\"OK\"` here)."
    );
}

impl Attributes for Explanation {
    const ATTRIBUTES: &'static [Attribute<Self>] = &[
        Attribute {
            name: "canonical_request",
            kind: Kind::Text,
            doc: "V1: the canonicalized query string; V3: the canonical request.",
            get: |e| Value::Text(&e.canonical_request),
        },
        Attribute {
            name: "string_to_sign",
            kind: Kind::Text,
            doc: "The exact string that was HMAC'd.",
            get: |e| Value::Text(&e.string_to_sign),
        },
        Attribute {
            name: "signature",
            kind: Kind::Text,
            doc: "The signature (Base64 for V1, hex for V3).",
            get: |e| Value::Text(&e.signature),
        },
    ];
}

/// A signature version's names, as [`SignatureVersion::as_str`] spells them.
const VERSION: Kind =
    Kind::Choice { values: &[SignatureVersion::V1.as_str(), SignatureVersion::V3.as_str()], open: false };

/// A delivery's names, as [`Delivery::as_str`] spells them.
const DELIVERY: Kind = Kind::Choice {
    values: &[Delivery::NotReceived.as_str(), Delivery::Answered.as_str(), Delivery::Unknown.as_str()],
    open: false,
};

/// The plain attributes of a signed request (the headers, body and explanation are read by
/// their own accessors).
impl Attributes for SignedRequest {
    const ATTRIBUTES: &'static [Attribute<Self>] = &[
        Attribute {
            name: "version",
            kind: VERSION,
            doc: "`\"v1\"` or `\"v3\"`.",
            get: |r| Value::Text(r.version.as_str()),
        },
        Attribute { name: "method", kind: Kind::Text, doc: "HTTP method.", get: |r| Value::Text(&r.method) },
        Attribute { name: "path", kind: Kind::Text, doc: "Path (`/`).", get: |r| Value::Text(&r.path) },
        Attribute {
            name: "query",
            kind: Kind::Text,
            doc: "The query string as sent (for V1 it ends with `Signature`).",
            get: |r| Value::Text(&r.query),
        },
    ];
}

/// The plain attributes of a verified request (its parameters are read by their own accessor).
impl Attributes for Verified {
    const ATTRIBUTES: &'static [Attribute<Self>] = &[
        Attribute {
            name: "version",
            kind: VERSION,
            doc: "`\"v1\"` or `\"v3\"`.",
            get: |v| Value::Text(v.version.as_str()),
        },
        Attribute {
            name: "access_key_id",
            kind: Kind::Text,
            doc: "The AccessKey ID that signed.",
            get: |v| Value::Text(&v.access_key_id),
        },
        Attribute {
            name: "security_token",
            kind: Kind::OptionalText,
            doc: "The STS token sent with the request (compare it with the one you issued). Not in `repr`.",
            get: |v| v.security_token.as_ref().map_or(Value::None, |t| Value::Text(t.expose())),
        },
        Attribute { name: "action", kind: Kind::Text, doc: "The API action.", get: |v| Value::Text(&v.action) },
        Attribute {
            name: "api_version",
            kind: Kind::Text,
            doc: "The API version.",
            get: |v| Value::Text(&v.api_version),
        },
        Attribute {
            name: "timestamp",
            kind: Kind::Unsigned,
            doc: "The request's timestamp (Unix seconds).",
            get: |v| Value::Unsigned(v.timestamp),
        },
        Attribute { name: "nonce", kind: Kind::Text, doc: "The request's nonce.", get: |v| Value::Text(&v.nonce) },
    ];
}

/// Optional text of the service's answer, when the error carries one.
fn service(e: &Error, get: fn(&ServiceDetail) -> Option<&str>) -> Value<'_> {
    e.service().and_then(get).map_or(Value::None, Value::Text)
}

/// What an error says besides its kind and message (a binding's exception attributes).
impl Attributes for Error {
    const ATTRIBUTES: &'static [Attribute<Self>] = &[
        Attribute {
            name: "code",
            kind: Kind::OptionalText,
            doc: "The service's raw `Code`.",
            get: |e| service(e, |s| Some(s.code.as_str())),
        },
        Attribute {
            name: "service_message",
            kind: Kind::OptionalText,
            doc: "The service's raw `Message`.",
            get: |e| service(e, |s| Some(s.message.as_str())),
        },
        Attribute {
            name: "request_id",
            kind: Kind::OptionalText,
            doc: "The `RequestId`, to quote when asking Alibaba Cloud support.",
            get: |e| service(e, |s| s.request_id.as_deref()),
        },
        Attribute {
            name: "recommend",
            kind: Kind::OptionalText,
            doc: "The gateway's `Recommend` link.",
            get: |e| service(e, |s| s.recommend.as_deref()),
        },
        Attribute {
            name: "host_id",
            kind: Kind::OptionalText,
            doc: "The gateway's `HostId`.",
            get: |e| service(e, |s| s.host_id.as_deref()),
        },
        Attribute {
            name: "access_denied_detail",
            kind: Kind::OptionalText,
            doc: "`AccessDeniedDetail` as raw JSON text.",
            get: |e| service(e, |s| s.access_denied_detail.as_deref()),
        },
        Attribute {
            name: "http_status",
            kind: Kind::OptionalUnsigned,
            doc: "The HTTP status of the answer, when there was one.",
            get: |e| e.http_status().map_or(Value::None, |s| Value::Unsigned(s.into())),
        },
        Attribute {
            name: "field",
            kind: Kind::OptionalText,
            doc: "The API field or option a validation error is about.",
            get: |e| e.field().map_or(Value::None, Value::Text),
        },
        Attribute {
            name: "delivery",
            kind: DELIVERY,
            doc: "Whether the request may have reached the service: `not_received`, `answered` or `unknown`.",
            get: |e| Value::Text(e.delivery().as_str()),
        },
        Attribute {
            name: "retry_after",
            kind: Kind::OptionalNumber,
            doc: "Seconds to wait before trying again, when known.",
            get: |e| e.retry_after().map_or(Value::None, |d| Value::Float(d.as_secs_f64())),
        },
        Attribute {
            name: "guard_rule",
            kind: Kind::OptionalText,
            doc: "The guard's limit that denied the call, e.g. `phone:1/60s`.",
            get: |e| e.guard_rule().map_or(Value::None, Value::Text),
        },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<T: Attributes>() -> Vec<&'static str> {
        T::ATTRIBUTES.iter().map(|a| a.name).collect()
    }

    #[test]
    fn names_are_unique_snake_case_and_documented() {
        let tables = [
            names::<SendSmsVerifyCodeResponse>(),
            names::<CheckSmsVerifyCodeResponse>(),
            names::<Explanation>(),
            names::<SignedRequest>(),
            names::<Verified>(),
            names::<Error>(),
        ];
        for names in tables {
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{names:?}");
            assert!(names.iter().all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')), "{names:?}");
        }
        let send = SendSmsVerifyCodeResponse::ATTRIBUTES.iter().map(|a| a.doc);
        let mut docs = send.chain(CheckSmsVerifyCodeResponse::ATTRIBUTES.iter().map(|a| a.doc));
        assert!(docs.all(|d| d.ends_with('.')));
    }

    fn holds<T: Attributes>(t: &T) {
        for a in T::ATTRIBUTES {
            let value = (a.get)(t);
            assert!(a.kind.holds(&value), "{}: {value:?} is not {:?}", a.name, a.kind);
        }
    }

    #[test]
    fn kinds_hold_what_the_getters_give() {
        let mut sent = SendSmsVerifyCodeResponse::default();
        holds(&sent);
        sent.model.biz_id = Some("b".into());
        sent.model.out_id = Some("o".into());
        sent.model.verify_code = Some("1234".into());
        sent.model.request_id = Some("m".into());
        sent.access_denied_detail = Some("{}".into());
        holds(&sent);
        let mut checked = CheckSmsVerifyCodeResponse::default();
        holds(&checked);
        checked.model.out_id = Some("o".into());
        checked.model.verify_result = crate::VerifyResult::Pass;
        holds(&checked);
        holds(&Explanation::default());
        holds(&Error::new(crate::ErrorKind::Network, "down"));
        assert!(!Kind::Text.holds(&Value::None));
        assert!(!Kind::Choice { values: &["v1"], open: false }.holds(&Value::Text("v9")));
        assert!(Kind::Choice { values: &["PASS"], open: true }.holds(&Value::Text("NEW")));
    }

    #[test]
    fn values_read_the_answer() {
        let mut sent = SendSmsVerifyCodeResponse { request_id: "r-1".into(), http_status: 200, ..Default::default() };
        sent.model.biz_id = Some("b-1".into());
        assert_eq!(sent.attribute("request_id"), Some(Value::Text("r-1")));
        assert_eq!(sent.attribute("biz_id"), Some(Value::Text("b-1")));
        assert_eq!(sent.attribute("out_id"), Some(Value::None));
        assert_eq!(sent.attribute("http_status"), Some(Value::Unsigned(200)));
        assert_eq!(sent.attribute("nope"), None);
    }
}
