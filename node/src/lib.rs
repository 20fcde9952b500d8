//! Node.js bindings for smsauth (napi-rs, Node-API 9).
//!
//! Conversion code only: every call goes to the `smsauth` core. Async calls run on the core's
//! one process-wide runtime ([`smsauth::runtime::runtime`]) and settle a deferred promise, so no
//! second runtime exists and nothing starts when the module is loaded.
//!
//! The package's thin JavaScript layer (`index.js`) defines the `SmsAuthError` class and hands
//! it to [`register`]; errors are then built as instances of it (see `error.rs`).

// Under `cfg(test)` napi-derive registers nothing, so every export looks unused there.
#![cfg_attr(test, allow(dead_code))]

mod args;
mod client;
mod emulator;
mod error;
mod observe;
mod runtime;
mod sign;

use napi::bindgen_prelude::*;
use napi_derive::napi;

// The HTTP path allocates a lot on the runtime's threads; glibc malloc spent about a fifth of
// the addon's CPU under load (perf, 64 concurrent calls). mimalloc serves only this addon's
// Rust allocations (local-dynamic TLS, as the addon is loaded with dlopen).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Called once per environment by `index.js` with the `SmsAuthError` class, so that rejections
/// are instances of it, and the functions that build `SendResult` and `CheckResult` (in
/// [`client::Shape`]'s order). Not part of the public API.
#[napi(js_name = "__register", skip_typescript)]
pub fn register(env: &Env, error_class: Unknown<'_>, send: Unknown<'_>, check: Unknown<'_>) -> Result<()> {
    let state = runtime::env_state(env)?;
    state.error_class = Some(args::function_ref(env, error_class)?);
    state.shapes = vec![args::function_ref(env, send)?, args::function_ref(env, check)?];
    Ok(())
}

/// The version of the Rust core this module was built from.
#[napi(js_name = "coreVersion")]
pub fn core_version() -> String {
    smsauth::VERSION.to_owned()
}

/// Every error `code` this package can reject with, in the core's stable order
/// (`ERR_SMSAUTH_INVALID_INPUT`, `ERR_SMSAUTH_CREDENTIALS`, …).
#[napi(js_name = "errorCodeList")]
pub fn error_code_list() -> Vec<String> {
    smsauth::ErrorKind::ALL.iter().map(|k| error::code_for(*k)).collect()
}
