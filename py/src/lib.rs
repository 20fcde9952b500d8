//! `smsauth._native`: the compiled half of the Python package `smsauth`.
//!
//! Conversion code only. Everything the package does happens in the `smsauth` core crate:
//! this crate turns Python arguments into core requests, releases the GIL (or hands a future to
//! asyncio) while the core works, and turns the answers and errors back into Python objects.
//! The public API, its documentation and the exception classes live in the pure-Python package
//! (`py/python/smsauth/`); this module is private.

mod client;
mod convert;
mod emulator;
mod error;
mod guard;
mod observe;
mod request;
mod response;
mod runtime;
mod sign;

use pyo3::prelude::*;

/// The private native module of the `smsauth` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Every asyncio call reaches the runtime from the event loop's thread: one worker serves them.
    smsauth::runtime::limit_worker_threads(1);
    m.add("__version__", smsauth::VERSION)?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<guard::Guard>()?;
    request::add_class::<request::SendSmsVerifyCodeRequest>(m)?;
    request::add_class::<request::CheckSmsVerifyCodeRequest>(m)?;
    response::add_class::<response::SendResult>(m)?;
    response::add_class::<response::CheckResult>(m)?;
    response::add_class::<sign::SignedRequest>(m)?;
    response::add_class::<sign::Explanation>(m)?;
    response::add_class::<sign::Verified>(m)?;
    m.add_class::<sign::Verifier>()?;
    m.add_function(wrap_pyfunction!(sign::sign, m)?)?;
    m.add_function(wrap_pyfunction!(sign::explain_v1, m)?)?;
    m.add_function(wrap_pyfunction!(sign::explain_v3, m)?)?;
    m.add_function(wrap_pyfunction!(sign::verify, m)?)?;
    m.add_function(wrap_pyfunction!(sign::percent_encode, m)?)?;
    m.add_function(wrap_pyfunction!(sign::format_timestamp, m)?)?;
    m.add_function(wrap_pyfunction!(sign::parse_timestamp, m)?)?;
    m.add_function(wrap_pyfunction!(error::error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(error::_error_for_kind, m)?)?;
    m.add_class::<emulator::Emulator>()?;
    m.add("EMULATOR_ACCESS_KEY_ID", smsauth_emulator::DEFAULT_ACCESS_KEY_ID)?;
    m.add("EMULATOR_ACCESS_KEY_SECRET", smsauth_emulator::DEFAULT_ACCESS_KEY_SECRET)?;
    let drain = wrap_pyfunction!(runtime::_drain_async_completions, m)?;
    m.add_function(drain.clone())?;
    m.py().import("atexit")?.call_method1("register", (drain,))?;
    Ok(())
}
