//! C ABI for smsauth: `libsmsauth.so` / `libsmsauth.a` and the generated `include/smsauth.h`.
//!
//! The model is rustls-ffi: opaque handles with `_new`/`_free`, a status enum, and a panic
//! boundary on every export ([`boundary`]). This crate only converts between C and the core:
//! every decision (validation, retries, signing, error classification) is made by `smsauth`.
//!
//! Conventions, which `include/smsauth.h` documents for C users:
//! - Strings in are NUL-terminated UTF-8; NULL or invalid UTF-8 is a status, never a crash.
//! - Strings out are borrowed from the object that returns them (valid until it is freed), except
//!   those documented as owned, which are freed with `smsauth_string_free`.
//! - Out-parameters are written only on success; `smsauth_error **err` only on failure.
//! - `_free(NULL)` is a no-op.
#![allow(non_camel_case_types)]

// Declared in the order the header lists them.
mod boundary;

mod error;

mod config;

mod guard;

mod request;

mod client;

mod sign;

mod emulator;

use std::ffi::{CStr, c_char};

use boundary::boundary;

/// Major part of `SMSAUTH_VERSION` (the header defines `SMSAUTH_VERSION`, e.g. `"0.1.0"`, from
/// these three numbers).
pub const SMSAUTH_VERSION_MAJOR: u32 = 0;
/// Minor part of `SMSAUTH_VERSION`.
pub const SMSAUTH_VERSION_MINOR: u32 = 1;
/// Patch part of `SMSAUTH_VERSION`.
pub const SMSAUTH_VERSION_PATCH: u32 = 0;

// cbindgen needs literals; the compiler keeps them equal to the crate version.
const _: () = {
    assert!(str_eq(env!("CARGO_PKG_VERSION_PRE"), ""), "SMSAUTH_VERSION has no pre-release part: extend it");
    assert!(SMSAUTH_VERSION_MAJOR == parse_u32(env!("CARGO_PKG_VERSION_MAJOR")));
    assert!(SMSAUTH_VERSION_MINOR == parse_u32(env!("CARGO_PKG_VERSION_MINOR")));
    assert!(SMSAUTH_VERSION_PATCH == parse_u32(env!("CARGO_PKG_VERSION_PATCH")));
};

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn parse_u32(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut v = 0;
    while i < b.len() {
        v = v * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    v
}

const VERSION_CSTR: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(v) => v,
    Err(_) => panic!("the crate version contains a NUL byte"),
};

/// The version of the library actually loaded (compare with `SMSAUTH_VERSION`, the version of
/// the header you compiled against). Static; never NULL; never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn smsauth_version() -> *const c_char {
    boundary!(default: VERSION_CSTR.as_ptr() => { VERSION_CSTR.as_ptr() })
}

/// Free a string that this library returned as owned (documented as "free with
/// `smsauth_string_free`"). NULL is a no-op. Never use it on borrowed strings (those returned
/// as `const char *`).
///
/// # Safety
/// `s` is NULL or an owned string from this library, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_string_free(s: *mut c_char) {
    boundary!(default: () => {
        if !s.is_null() {
            // SAFETY: owned strings are handed out with `CString::into_raw`.
            drop(unsafe { std::ffi::CString::from_raw(s) });
        }
    })
}

// The header promises these handles may be used from several threads at once.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<config::smsauth_client>();
    shareable::<client::smsauth_send_result>();
    shareable::<client::smsauth_check_result>();
    shareable::<error::smsauth_error>();
    shareable::<sign::smsauth_verifier>();
    shareable::<sign::smsauth_verified>();
    shareable::<sign::smsauth_signed_request>();
    shareable::<sign::smsauth_explanation>();
    shareable::<emulator::smsauth_emulator>();
};
