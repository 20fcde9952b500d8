//! The TypeScript shapes of the request objects, written from the core's field tables so that
//! each API field is declared once (`core/src/api/request.rs`). `tests/run.sh` regenerates
//! `requests.d.ts` from [`request_types`] and fails when the committed file differs.

use std::fmt::Write;

use napi_derive::napi;
use smsauth::{CheckSmsVerifyCodeRequest, Field, FieldKind, SendSmsVerifyCodeRequest};

/// `sendCode`'s own option: it is not a field of the API.
const CLIENT_KEY: &str = "  /**
   * Who asks for the code — the caller's IP address, device or session id — for the guard's
   * per-client limits (`GuardOptions.client`). Not sent to the service.
   */
  clientKey?: string
";

/// The text of `requests.d.ts`. Not part of the public API.
#[napi(js_name = "__requestTypes", skip_typescript)]
pub fn request_types() -> String {
    let mut out =
        String::from("/* Generated from the Rust core's field tables (node/src/fields.rs): do not edit. */\n\n");
    let (send, check) = (SendSmsVerifyCodeRequest::FIELDS, CheckSmsVerifyCodeRequest::FIELDS);
    let (overrides, exact) = ("unset fields take the client's defaults", "sent exactly as given (no client defaults)");
    for (name, call, fields, whole, extra, doc) in [
        ("SendOverrides", "sendCode(phone, overrides)", send, false, CLIENT_KEY, overrides),
        ("SendSmsVerifyCodeRequest", "sendSmsVerifyCode(request)", send, true, "", exact),
        ("CheckOverrides", "checkCode(phone, code, overrides)", check, false, "", overrides),
        ("CheckSmsVerifyCodeRequest", "checkSmsVerifyCode(request)", check, true, "", exact),
    ] {
        interface(&mut out, name, &format!("`client.{call}`: {doc}."), fields, whole, extra);
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// One interface: the fields (all of them when `whole`, else the optional ones), then `extra`.
fn interface(out: &mut String, name: &str, doc: &str, fields: &[Field], whole: bool, extra: &str) {
    let _ = writeln!(out, "/** {doc} */\nexport interface {name} {{");
    for field in fields.iter().filter(|f| whole || !f.required) {
        // Rust doc lines keep the space after `///`.
        let lines: Vec<&str> = field.doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
        match lines[..] {
            [one] => {
                let _ = writeln!(out, "  /** {one} */");
            }
            _ => {
                out.push_str("  /**\n");
                for line in lines {
                    let _ = writeln!(out, "   * {line}");
                }
                out.push_str("   */\n");
            }
        }
        let optional = if field.required { "" } else { "?" };
        let _ = writeln!(out, "  {}{optional}: {}", field.camel(), ts_type(field.kind));
    }
    let _ = writeln!(out, "{extra}}}\n");
}

fn ts_type(kind: FieldKind) -> String {
    match kind {
        FieldKind::Text => "string".into(),
        FieldKind::Json => "string | Record<string, string | number | boolean>".into(),
        FieldKind::Unsigned | FieldKind::Integer => "number".into(),
        FieldKind::Bool => "boolean".into(),
        FieldKind::Enum(values) => values.iter().map(i64::to_string).collect::<Vec<_>>().join(" | "),
    }
}
