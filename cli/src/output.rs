//! Printing results and errors, and the exit status of an error.

use serde_json::{Value, json};
use smsauth::Error;

/// 1 + the error kind's stable number (so invalid input is 2, like a usage error).
pub fn exit_code(err: &Error) -> u8 {
    u8::try_from(err.kind().code() + 1).unwrap_or(10)
}

/// The error as JSON: kind, message and what the service said.
pub fn error_json(err: &Error) -> Value {
    let mut e = json!({ "kind": err.kind().name(), "message": err.message() });
    if let Some(field) = err.field() {
        e["field"] = json!(field);
    }
    if let Some(s) = err.service() {
        e["service_code"] = json!(s.code);
        e["service_message"] = json!(s.message);
        e["request_id"] = json!(s.request_id);
    }
    if let Some(status) = err.http_status() {
        e["http_status"] = json!(status);
    }
    e["may_have_been_received"] = json!(err.may_have_been_received());
    json!({ "error": e })
}

/// Print an error for a person (stderr) or a program (`--json`: stdout).
pub fn print_error(err: &Error, json: bool) {
    if json {
        println!("{}", error_json(err));
        return;
    }
    eprintln!("error: {err}");
    if let Some(s) = err.service() {
        eprintln!("  service code: {}", s.code);
        if let Some(id) = &s.request_id {
            eprintln!("  request id:   {id}");
        }
    }
}

pub fn print_json(value: &Value) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()));
}
