//! The one panic boundary every export goes through ([`exports!`]), and the pointer checks it relies on (`try_ref!`,
//! `try_mut!`, `try_str!`, `try_opt_str!`, `try_out!`).
//!
//! Since Rust 1.81 a panic unwinding out of an `extern "C"` function aborts the host process, so every export is
//! declared with [`exports!`], which runs its body inside `catch_unwind`. A function returning `smsauth_status` reports
//! a failure (a NULL pointer, bad UTF-8, a core error, a caught panic) through its `err` out-parameter; any other
//! function returns the [`Fallback`] value of its return type (NULL, 0, `false`) instead: the value is chosen by the
//! type, never by the call site.

use std::any::Any;
use std::collections::BTreeMap;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use crate::error::{smsauth_error, smsauth_status};

/// What an export body returns before the boundary turns it into a status or a fallback. The error is boxed: it is
/// handed to C as a pointer anyway, and keeps `Result`s small.
pub(crate) type FfiResult<T = ()> = Result<T, Box<smsauth_error>>;

/// Declare exported functions, each behind the panic boundary:
///
/// - `fn name(args) { body }`: returns `smsauth_status`; a trailing `err: *mut *mut smsauth_error` parameter is added
///   and written (when not NULL) on failure.
/// - `fn name(args) -> T { expr }`: returns `expr`, or `T`'s [`Fallback`] when the body fails (`?` on a NULL argument)
///   or panics.
/// - `free name(arg: T);`: `name(arg: *mut T)` drops an object handed out with `Box::into_raw` (NULL is a no-op);
///   `free name(arg: T) with drop_fn;` drops it with `drop_fn` instead.
///
/// cbindgen sees the expanded functions (`[parse.expand]` in `ffi-c/cbindgen.toml`), doc comments included.
macro_rules! exports {
    () => {};
    ($(#[$m:meta])* fn $name:ident($($a:ident: $t:ty),* $(,)?) -> $ret:ty $body:block $($rest:tt)*) => {
        $(#[$m])*
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($a: $t),*) -> $ret {
            $crate::boundary::value(move || Ok($body))
        }
        $crate::boundary::exports!($($rest)*);
    };
    ($(#[$m:meta])* fn $name:ident($($a:ident: $t:ty),* $(,)?) $body:block $($rest:tt)*) => {
        $(#[$m])*
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(
            $($a: $t,)* err: *mut *mut $crate::error::smsauth_error,
        ) -> $crate::error::smsauth_status {
            $crate::boundary::status(err, move || {
                $body;
                Ok(())
            })
        }
        $crate::boundary::exports!($($rest)*);
    };
    ($(#[$m:meta])* free $name:ident($a:ident: $t:ty); $($rest:tt)*) => {
        $crate::boundary::exports!($(#[$m])* free $name($a: $t) with $crate::boundary::free; $($rest)*);
    };
    ($(#[$m:meta])* free $name:ident($a:ident: $t:ty) with $drop:path; $($rest:tt)*) => {
        $(#[$m])*
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($a: *mut $t) {
            // SAFETY: the caller passes NULL or a live object of this type that it owns.
            $crate::boundary::value(move || {
                unsafe { $drop($a) };
                Ok(())
            })
        }
        $crate::boundary::exports!($($rest)*);
    };
}
pub(crate) use exports;

// The pointer checks. Each one names the argument after the parameter (`stringify!`), so an
// error's field is the C parameter's name, and returns early with `?` inside an export body.
// SAFETY (all of them): the header's contract for every pointer parameter: NULL or pointing to
// a live object of its type (exclusively used during a `_mut` call), or a NUL-terminated string.

/// A required object, borrowed shared.
macro_rules! try_ref {
    ($p:ident) => {
        unsafe { $crate::boundary::nonnull($p.as_ref(), stringify!($p)) }?
    };
}
/// A required object, borrowed exclusively.
macro_rules! try_mut {
    ($p:ident) => {
        unsafe { $crate::boundary::nonnull($p.as_mut(), stringify!($p)) }?
    };
}
/// A required NUL-terminated UTF-8 string.
macro_rules! try_str {
    ($p:ident) => {
        unsafe { $crate::boundary::str_arg($p, stringify!($p)) }?
    };
}
/// An optional string: NULL means none.
macro_rules! try_opt_str {
    ($p:ident) => {
        (if $p.is_null() { None } else { Some(unsafe { $crate::boundary::str_arg($p, stringify!($p)) }?) })
    };
}
/// A required out-parameter, checked before any work; write it with [`Out::put`].
macro_rules! try_out {
    ($p:ident) => {
        $crate::boundary::Out::new($p, stringify!($p))?
    };
}
pub(crate) use {try_mut, try_opt_str, try_out, try_ref, try_str};

/// Declare C enums, `#[repr(u32)]` and numbered for C (cbindgen writes them into the header), each with `from_c`, which
/// reads a number C passed for one.
macro_rules! c_enums {
    () => {};
    ($(#[$m:meta])* enum $name:ident { $($(#[$vm:meta])* $v:ident = $n:literal,)+ } $($rest:tt)*) => {
        $(#[$m])*
        #[repr(u32)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$vm])* $v = $n,)+ }

        impl $name {
            /// The value numbered `n`, else `SMSAUTH_STATUS_INVALID_INPUT` naming the argument and the valid constants.
            pub(crate) fn from_c(n: u32, arg: &'static str) -> $crate::boundary::FfiResult<Self> {
                [$($name::$v),+].into_iter().find(|v| *v as u32 == n).ok_or_else(|| {
                    $crate::boundary::enum_error(stringify!($name), &[$((stringify!($v), $n)),+], n, arg)
                })
            }
        }
        $crate::boundary::c_enums! { $($rest)* }
    };
}
pub(crate) use c_enums;

/// The error for a number that is none of the C enum `name`'s: it lists the constants as the header spells them.
pub(crate) fn enum_error(name: &str, variants: &[(&str, u32)], n: u32, arg: &'static str) -> Box<smsauth_error> {
    let constants: Vec<_> =
        variants.iter().map(|(v, n)| format!("{}_{} ({n})", name, snake_case(v)).to_uppercase()).collect();
    smsauth_error::invalid_input(arg, format_args!("{n} is not a {name}; use {}", constants.join(", ")))
}

/// A Rust identifier in snake case, as cbindgen spells an enum constant (`GuardDenied`: `guard_denied`).
pub(crate) fn snake_case(ident: &str) -> String {
    ident.chars().enumerate().fold(String::new(), |mut out, (i, c)| {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
        out
    })
}

/// The value a non-status export returns when its body fails or panics.
pub(crate) trait Fallback {
    fn fallback() -> Self;
}

macro_rules! fallback {
    ($([$($g:ident)?] $t:ty => $v:expr),*) => { $(impl<$($g)?> Fallback for $t { fn fallback() -> Self { $v } })* };
}
fallback!([] () => (), [] bool => false, [] u16 => 0, [] u32 => 0, [] u64 => 0, [] usize => 0);
fallback!([] smsauth_status => smsauth_status::Panic, [] smsauth::Delivery => smsauth::Delivery::Unknown);
fallback!([T] *const T => std::ptr::null(), [T] *mut T => std::ptr::null_mut());

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

pub(crate) fn value<T: Fallback>(body: impl FnOnce() -> FfiResult<T>) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(v)) => v,
        _ => T::fallback(),
    }
}

pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

pub(crate) fn nonnull<T>(p: Option<T>, name: &'static str) -> FfiResult<T> {
    p.ok_or_else(|| smsauth_error::null_argument(name))
}

/// # Safety `p` is NULL or points to a NUL-terminated string that outlives the returned borrow.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, name: &'static str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(smsauth_error::null_argument(name));
    }
    // SAFETY: non-NULL and NUL-terminated per the function's contract.
    let bytes = unsafe { CStr::from_ptr(p) };
    bytes.to_str().map_err(|e| smsauth_error::invalid_utf8(name, e.valid_up_to()))
}

/// A required out-parameter (`T **`), checked before any work so that nothing is done for nothing, and written only
/// once the call has succeeded.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    pub(crate) fn new(p: *mut T, name: &'static str) -> FfiResult<Self> {
        if p.is_null() { Err(smsauth_error::null_argument(name)) } else { Ok(Out(p)) }
    }

    /// Write `value` (a plain value, or a pointer the caller now owns).
    pub(crate) fn write(self, value: T) {
        // SAFETY: non-NULL (checked in `new`) and writable per the export's contract.
        unsafe { self.0.write(value) };
    }
}

impl<T> Out<*mut T> {
    /// Hand `value` to the caller, who now owns it.
    pub(crate) fn put(self, value: T) {
        self.write(Box::into_raw(Box::new(value)));
    }
}

/// Take back ownership of a handle given out with `Box::into_raw`, and drop it. NULL is a no-op.
///
/// # Safety `p` is NULL or a pointer this library returned for type `T`, not freed yet.
pub(crate) unsafe fn free<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: per the contract, `p` came from `Box::into_raw` and is freed only once.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// Take back a string handed out with `CString::into_raw`. NULL is a no-op.
///
/// # Safety `p` is NULL or an owned string from this library, not freed yet.
pub(crate) unsafe fn free_cstring(p: *mut c_char) {
    if !p.is_null() {
        // SAFETY: per the contract.
        drop(unsafe { CString::from_raw(p) });
    }
}

/// A C string for any Rust text. The service's answers may in theory contain NUL, which C strings cannot: such bytes
/// become U+FFFD so nothing is silently cut off.
pub(crate) fn cstring(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| CString::new(s.replace('\0', "\u{fffd}")).unwrap_or_default())
}

/// A `'static` C string for one of a few fixed names (`Delivery::as_str()`, a status's name, ...): made once per name and
/// kept for the life of the process.
pub(crate) fn static_cstr(s: &str) -> *const c_char {
    static NAMES: CTexts = CTexts(Mutex::new(BTreeMap::new()));
    NAMES.get(s)
}

/// The C copies of the text inside one immutable object handed to C, made when a getter first asks for them and kept as
/// long as the object, so a pointer handed out stays valid until the object is freed. Copies are kept by content: asking
/// twice for the same text gives the same pointer, and no copy is made of text nobody reads.
#[derive(Default)]
pub(crate) struct CTexts(Mutex<BTreeMap<String, CString>>);

impl std::fmt::Debug for CTexts {
    /// Never the texts: one may be a secret (a verified request's STS token).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CTexts(..)")
    }
}

impl CTexts {
    /// The C copy of `s`, valid as long as `self`.
    pub(crate) fn get(&self, s: &str) -> *const c_char {
        let mut texts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // The heap buffer of a `CString` does not move when the map moves the `CString` itself.
        texts.entry(s.to_owned()).or_insert_with(|| cstring(s)).as_ptr()
    }

    /// [`CTexts::get`] for optional text: NULL when absent.
    pub(crate) fn opt(&self, s: Option<&str>) -> *const c_char {
        s.map_or(std::ptr::null(), |s| self.get(s))
    }
}

/// An opaque C type that wraps one core value (`inner`) and hands out its text as C strings (`texts`).
pub(crate) trait View {
    type Inner;
    fn parts(&self) -> (&Self::Inner, &CTexts);

    /// The C copy of a text of the core value, e.g. `result.text(|r| &r.request_id)`.
    fn text<'a>(&'a self, get: impl FnOnce(&'a Self::Inner) -> &'a str) -> *const c_char {
        let (inner, texts) = self.parts();
        texts.get(get(inner))
    }

    /// The C copy of an optional text of the core value; NULL when absent.
    fn opt_text<'a>(&'a self, get: impl FnOnce(&'a Self::Inner) -> Option<&'a str>) -> *const c_char {
        let (inner, texts) = self.parts();
        texts.opt(get(inner))
    }
}

pub(crate) const fn shareable<T: Send + Sync>() {}

/// Declare opaque C types that each wrap a core value as a [`View`]: `struct name(CoreType);`, with `From<CoreType>`.
macro_rules! views {
    ($($(#[$m:meta])* struct $name:ident($inner:ty);)*) => {$(
        $(#[$m])*
        #[derive(Debug)]
        pub struct $name {
            pub(crate) inner: $inner,
            texts: $crate::boundary::CTexts,
        }
        impl From<$inner> for $name {
            fn from(inner: $inner) -> Self {
                $name { inner, texts: Default::default() }
            }
        }
        // The header promises these objects may be read from several threads at once.
        const _: () = $crate::boundary::shareable::<$name>();
        impl $crate::boundary::View for $name {
            type Inner = $inner;
            fn parts(&self) -> (&$inner, &$crate::boundary::CTexts) {
                (&self.inner, &self.texts)
            }
        }
    )*};
}
pub(crate) use views;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_status_and_an_error_and_a_getter_gets_its_types_fallback() {
        let mut slot: *mut smsauth_error = std::ptr::null_mut();
        let trigger = 42;
        let st = status(&mut slot, || if trigger == 42 { panic!("boom {trigger}") } else { Ok(()) });
        let e = unsafe { Box::from_raw(slot) };
        assert_eq!((st, e.status), (smsauth_status::Panic, smsauth_status::Panic));
        assert!(e.message().contains("boom 42"), "{:?}", e.message());
        assert_eq!(status(std::ptr::null_mut(), || panic!("again")), smsauth_status::Panic);
        assert_eq!(value::<u32>(|| Ok(Vec::<u32>::new()[3])), 0);
        assert!(value::<*const c_char>(|| Err(smsauth_error::null_argument("x"))).is_null());
        assert_eq!(cstring("a\0b").to_str().unwrap(), "a\u{fffd}b"); // NUL stays visible
        let texts = CTexts::default();
        let first = texts.get(&String::from("same"));
        assert_eq!((texts.get("same"), texts.opt(None)), (first, std::ptr::null()));
    }

    /// Every export is declared with `exports!` (so runs behind the boundary): no hand-written one.
    #[test]
    fn every_export_runs_behind_the_boundary() {
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let hand_written = text.split("#[cfg(test)]").next().unwrap().matches("#[unsafe(no_mangle)]").count();
            assert_eq!(hand_written, if path.ends_with("boundary.rs") { 3 } else { 0 }, "{}", path.display());
        }
    }
}
