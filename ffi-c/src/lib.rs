//! C ABI for smsauth: `libsmsauth.so` / `libsmsauth.a` and the generated `include/smsauth.h`.
//!
//! The model is rustls-ffi: opaque handles with `_new`/`_free`, a status enum, and a panic boundary on every export
//! ([`boundary`]). This crate only converts between C and the core: every decision (validation, retries, signing, error
//! classification) is made by `smsauth`.
//!
//! The C conventions (strings in and out, ownership, out-parameters, `_free(NULL)`) are the header's preamble
//! (`ffi-c/cbindgen.toml`) and `ffi-c/README.md`.
//!
//! # Safety (one contract for every export)
//! Every exported function is `unsafe extern "C"` and relies on the caller for what C cannot check, as the header's
//! conventions say: each pointer argument is NULL or points to a live object of its type created by this library (not
//! freed yet), used exclusively by the calling thread while a `_set_*`/`_add_*` function or `_free` runs on it; strings
//! are NULL or NUL-terminated; out-parameters are NULL or writable; `err` is NULL or points to a writable
//! `smsauth_error *`. NULL pointers, invalid UTF-8 and panics are handled here, never UB.
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // the contract above, stated once for the whole crate

mod boundary;
mod client;
mod config;
mod emulator;
mod error;
mod events;
mod guard;
mod request;
mod sign;
mod verify;

use std::ffi::{CStr, c_char};

use boundary::exports;

/// Major part of `SMSAUTH_VERSION` (the header defines `SMSAUTH_VERSION`, e.g. `"0.1.0"`, from these three numbers).
pub const SMSAUTH_VERSION_MAJOR: u32 = 0;
/// Minor part of `SMSAUTH_VERSION`.
pub const SMSAUTH_VERSION_MINOR: u32 = 1;
/// Patch part of `SMSAUTH_VERSION`.
pub const SMSAUTH_VERSION_PATCH: u32 = 0;

const VERSION_CSTR: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(v) => v,
    Err(_) => panic!("the crate version contains a NUL byte"),
};

exports! {
    /// The version of the library actually loaded (compare with `SMSAUTH_VERSION`, the version of the header you
    /// compiled against). Static; never NULL; never free it. Thread-safe.
    fn smsauth_version() -> *const c_char { VERSION_CSTR.as_ptr() }
    /// Free a string that this library returned as owned (documented as "free with `smsauth_string_free`"). NULL is a
    /// no-op. Never use it on borrowed strings (those returned as `const char *`).
    free smsauth_string_free(s: c_char) with boundary::free_cstring;
}

// The header promises a client may be used from several threads at once (the `views!` objects are checked where they
// are declared); the C suite checks that `SMSAUTH_VERSION` (from the constants above) is the crate version.
const _: () = boundary::shareable::<client::smsauth_client>();
