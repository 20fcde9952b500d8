//! The one panic boundary every export goes through, and the argument checks it relies on.
//!
//! Since Rust 1.81 a panic unwinding out of an `extern "C"` function aborts the host process, so
//! every exported body runs inside [`boundary!`]: a panic becomes `SMSAUTH_STATUS_PANIC` (or the
//! getter's neutral value) instead. Raw pointers coming from C are only turned into references
//! by the helpers below, which check for NULL and UTF-8 first.

use std::any::Any;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{smsauth_error, smsauth_status};

/// What a fallible export body returns before the boundary turns it into a status.
/// The error is boxed: it is handed to C as a pointer anyway, and keeps `Result`s small.
pub(crate) type FfiResult<T = ()> = Result<T, Box<smsauth_error>>;

/// Run an export's body behind the panic boundary.
///
/// - `boundary!(err => { ... })`: the body is an `FfiResult<()>`; the export returns a
///   `smsauth_status` and writes a new `smsauth_error` to `*err` (when `err` is not NULL) on
///   failure, including a caught panic.
/// - `boundary!(default: value => { ... })`: for getters and `_free`; the body's value is returned, or
///   `default` if it panicked.
macro_rules! boundary {
    (default: $default:expr => $body:block) => {
        $crate::boundary::value($default, move || $body)
    };
    ($err:ident => $body:block) => {
        $crate::boundary::status($err, move || -> $crate::boundary::FfiResult { $body })
    };
}
pub(crate) use boundary;

pub(crate) fn status(err: *mut *mut smsauth_error, body: impl FnOnce() -> FfiResult) -> smsauth_status {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return smsauth_status::Ok,
        Ok(Err(e)) => e,
        Err(payload) => smsauth_error::panic(&panic_message(payload.as_ref())),
    };
    let code = failure.status;
    if !err.is_null() {
        // SAFETY: the caller passes either NULL (checked above) or a writable `smsauth_error *`.
        unsafe { err.write(Box::into_raw(failure)) };
    }
    code
}

pub(crate) fn value<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// A required NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the returned borrow.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, name: &'static str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(smsauth_error::null_argument(name));
    }
    // SAFETY: non-NULL and NUL-terminated per the function's contract.
    let bytes = unsafe { CStr::from_ptr(p) };
    bytes.to_str().map_err(|e| smsauth_error::invalid_utf8(name, e.valid_up_to()))
}

/// An optional string argument: NULL means "none".
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(p: *const c_char, name: &'static str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { str_arg(p, name) }.map(Some)
}

/// A required object argument, borrowed shared.
///
/// # Safety
/// `p` is NULL or points to a live object of type `T` created by this library.
pub(crate) unsafe fn obj<'a, T>(p: *const T, name: &'static str) -> FfiResult<&'a T> {
    // SAFETY: forwarded contract.
    unsafe { p.as_ref() }.ok_or_else(|| smsauth_error::null_argument(name))
}

/// A required object argument, borrowed exclusively.
///
/// # Safety
/// `p` is NULL or points to a live object of type `T` that no other thread uses meanwhile.
pub(crate) unsafe fn obj_mut<'a, T>(p: *mut T, name: &'static str) -> FfiResult<&'a mut T> {
    // SAFETY: forwarded contract.
    unsafe { p.as_mut() }.ok_or_else(|| smsauth_error::null_argument(name))
}

/// A required out-parameter, checked before any work so that nothing is done for nothing.
/// Write it with [`Out::put`] only once the call has succeeded.
pub(crate) struct Out<T>(*mut *mut T);

impl<T> Out<T> {
    pub(crate) fn new(p: *mut *mut T, name: &'static str) -> FfiResult<Self> {
        if p.is_null() { Err(smsauth_error::null_argument(name)) } else { Ok(Out(p)) }
    }

    /// Hand `value` to the caller, who now owns it.
    pub(crate) fn put(self, value: T) {
        // SAFETY: non-NULL (checked in `new`) and writable per the export's contract.
        unsafe { self.0.write(Box::into_raw(Box::new(value))) };
    }
}

/// Take back ownership of a handle given out with `Box::into_raw`, and drop it. NULL is a no-op.
///
/// # Safety
/// `p` is NULL or a pointer this library returned for type `T`, not freed yet.
pub(crate) unsafe fn free<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: per the contract, `p` came from `Box::into_raw` and is freed only once.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// A C string for any Rust text. The service's answers may in theory contain NUL, which C
/// strings cannot: such bytes become U+FFFD so nothing is silently cut off.
pub(crate) fn cstring(s: &str) -> CString {
    match CString::new(s) {
        Ok(c) => c,
        Err(_) => CString::new(s.replace('\0', "\u{fffd}")).unwrap_or_default(),
    }
}

/// `cstring` for optional text.
pub(crate) fn opt_cstring(s: Option<&str>) -> Option<CString> {
    s.map(cstring)
}

/// The pointer to hand out for optional text: NULL when absent.
pub(crate) fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_status_and_an_error() {
        let mut slot: *mut smsauth_error = std::ptr::null_mut();
        let err: *mut *mut smsauth_error = &mut slot;
        let trigger = 42;
        let st = boundary!(err => {
            if trigger == 42 {
                panic!("boom {trigger}");
            }
            Ok(())
        });
        assert_eq!(st, smsauth_status::Panic);
        let e = unsafe { Box::from_raw(slot) };
        assert_eq!(e.status, smsauth_status::Panic);
        assert!(e.message.to_str().unwrap().contains("boom 42"), "{:?}", e.message);
        // Without an error slot the status alone reports it.
        let err: *mut *mut smsauth_error = std::ptr::null_mut();
        assert_eq!(boundary!(err => { panic!("again") }), smsauth_status::Panic);
    }

    #[test]
    fn a_panicking_getter_returns_its_default() {
        let v: u32 = boundary!(default: 7 => {
            let v: Vec<u32> = Vec::new();
            v[3]
        });
        assert_eq!(v, 7);
    }

    #[test]
    fn nul_bytes_in_text_are_kept_visible() {
        assert_eq!(cstring("a\0b").to_str().unwrap(), "a\u{fffd}b");
    }

    /// Every exported function's body must be one `boundary!` call (the rule the header promises).
    #[test]
    fn every_export_runs_behind_the_boundary() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut exports = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.split("#[cfg(test)]").next().unwrap();
            while let Some(at) = rest.find("#[unsafe(no_mangle)]") {
                rest = &rest[at + 1..];
                let body_start = rest.find("{\n").unwrap();
                let body = rest[body_start + 2..].lines().map(str::trim).find(|l| !l.starts_with("//")).unwrap();
                let name = rest.split("fn ").nth(1).unwrap().split('(').next().unwrap();
                assert!(body.starts_with("boundary!("), "{}: {name} does not start with boundary!", path.display());
                exports += 1;
            }
        }
        assert!(exports > 100, "found only {exports} exports");
    }
}
