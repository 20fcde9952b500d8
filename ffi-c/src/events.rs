//! Observing calls: an event callback (`smsauth_event`, one per finished call) and a counters snapshot
//! (`smsauth_stats`), both over the core's `CallEvent` / `ClientStats`. An event holds no secret, no full phone number
//! (it is masked) and no code.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use smsauth::{CallEvent, ClientStats, ErrorKind, LATENCY_BUCKETS_MS};

use crate::boundary::{View, exports, static_cstr, try_mut, try_out, try_ref, value, views};
use crate::client::{UserData, smsauth_client};
use crate::config::smsauth_config_builder;
use crate::error::smsauth_status;

/// Called once per finished `smsauth_send_code*` / `smsauth_check_code*` call (successful or not: bad input, guard
/// denials and wrong codes included), on the thread that finished it: the calling thread or a library thread, possibly
/// several at once. `event` and its strings are valid only during the call: copy what you keep. Keep it quick; it must
/// not call the blocking `smsauth_send_code*` / `smsauth_check_code*` functions, throw or `longjmp` out.
pub type smsauth_event_callback = Option<unsafe extern "C" fn(user_data: *mut c_void, event: *const smsauth_event)>;

views! {
    /// One finished call, read-only, with a getter per field (see docs/observing.md). Strings are owned by the event;
    /// both are valid only during the callback.
    struct smsauth_event(CallEvent);
    /// A snapshot of a client's counters, owned by the caller (`smsauth_stats_free()`); immutable, readable from any
    /// thread.
    struct smsauth_stats(ClientStats);
}

exports! {
    /// Call `callback(user_data, event)` once per finished call of every client built from this builder afterwards (see
    /// `smsauth_event_callback` for where and when). `user_data` is passed back untouched and must stay valid while
    /// those clients exist. NULL `callback` removes it. Costs nothing when unset.
    fn smsauth_config_builder_set_event_callback(builder: *mut smsauth_config_builder, callback: smsauth_event_callback, user_data: *mut c_void) {
        let user_data = UserData(user_data);
        try_mut!(builder).on_event = callback.map(|callback| -> smsauth::EventListener {
            Arc::new(move |e: &CallEvent| {
                // A panic here must not reach the call that finished: the event is then lost.
                let _: () = value(|| {
                    let event = smsauth_event::from(e.clone());
                    // SAFETY: the caller vouched for calling `callback` with `user_data` on any thread.
                    unsafe { callback(user_data.get(), &event) };
                    Ok(())
                });
            })
        });
    }
    /// `"SendSmsVerifyCode"` or `"CheckSmsVerifyCode"`. Like every string of an event: owned by it, valid during the
    /// callback;
    fn smsauth_event_action(event: *const smsauth_event) -> *const c_char { try_ref!(event).text(|e| e.action) }
    /// The client's signature scheme: `SMSAUTH_SIGNATURE_VERSION_V1` or `_V3`.
    fn smsauth_event_signature_version(event: *const smsauth_event) -> u32 { try_ref!(event).inner.signature_version as u32 }
    /// The endpoint's host (OpenTelemetry `server.address`).
    fn smsauth_event_server_address(event: *const smsauth_event) -> *const c_char { try_ref!(event).text(|e| &e.server_address) }
    /// The endpoint's port when given explicitly (`server.port`), else 0.
    fn smsauth_event_server_port(event: *const smsauth_event) -> u16 { try_ref!(event).inner.server_port.unwrap_or(0) }
    /// HTTP attempts made (0 when the call failed before sending: bad input, guard denial).
    fn smsauth_event_attempts(event: *const smsauth_event) -> u32 { try_ref!(event).inner.attempts }
    /// How many retries happened (one reason each).
    fn smsauth_event_retry_reason_count(event: *const smsauth_event) -> usize { try_ref!(event).inner.retry_reasons.len() }
    /// Why retry `index` (0-based) happened: the error kind and, when the service answered, its code (`"network"`,
    /// `"throttled:Throttling.User"`); NULL when out of range.
    fn smsauth_event_retry_reason(event: *const smsauth_event, index: usize) -> *const c_char {
        try_ref!(event).opt_text(|e| e.retry_reasons.get(index).map(String::as_str))
    }
    /// The HTTP status of the last answer, or 0 when none came back.
    fn smsauth_event_http_status(event: *const smsauth_event) -> u16 { try_ref!(event).inner.http_status.unwrap_or(0) }
    /// The service's `Code` (`"OK"` on success, `"biz.FREQUENCY"`, ...); NULL without an answer.
    fn smsauth_event_service_code(event: *const smsauth_event) -> *const c_char { try_ref!(event).opt_text(|e| e.service_code.as_deref()) }
    /// The service's request id; NULL without an answer.
    fn smsauth_event_request_id(event: *const smsauth_event) -> *const c_char { try_ref!(event).opt_text(|e| e.request_id.as_deref()) }
    /// Wall time of the whole call in microseconds, guard and retries included.
    fn smsauth_event_elapsed_us(event: *const smsauth_event) -> u64 { u64::try_from(try_ref!(event).inner.elapsed.as_micros()).unwrap_or(u64::MAX) }
    /// Whether the request reached the service: `"answered"` (any answer, success included), `"not_received"` or
    /// `"unknown"`. Static.
    fn smsauth_event_delivery(event: *const smsauth_event) -> *const c_char { static_cstr(try_ref!(event).inner.delivery.as_str()) }
    /// What the abuse guard decided: `"not_guarded"`, `"allowed"` or `"denied"`. Static.
    fn smsauth_event_guard_decision(event: *const smsauth_event) -> *const c_char { static_cstr(try_ref!(event).inner.guard.as_str()) }
    /// The guard rule that refused the call (e.g. `"phone:1/60s"`); NULL otherwise.
    fn smsauth_event_guard_rule(event: *const smsauth_event) -> *const c_char { try_ref!(event).opt_text(|e| e.guard_rule.as_deref()) }
    /// The phone number, masked (`"138****8000"`; `"***"` when unknown).
    fn smsauth_event_phone(event: *const smsauth_event) -> *const c_char { try_ref!(event).text(|e| &e.phone) }
    /// `true` only for a check whose code passed (a wrong code is a successful call with `false`).
    fn smsauth_event_passed(event: *const smsauth_event) -> bool { try_ref!(event).inner.passed == Some(true) }
    /// `SMSAUTH_STATUS_OK`, or the status of the error the call failed with (its `smsauth_status_str()` is the error
    /// kind). `SMSAUTH_STATUS_NULL_ARGUMENT` if `event` is NULL.
    fn smsauth_event_status(event: *const smsauth_event) -> smsauth_status {
        unsafe { event.as_ref() }.map_or(smsauth_status::NullArgument, |e| e.inner.error.map_or(smsauth_status::Ok, smsauth_status::from_kind))
    }
    /// A snapshot of the client's counters since it was built. On success `*stats_out` receives it, owned by the caller
    /// (free with `smsauth_stats_free()`). Cheap; thread-safe.
    fn smsauth_client_stats(client: *const smsauth_client, stats_out: *mut *mut smsauth_stats) {
        let (client, out) = (try_ref!(client), try_out!(stats_out));
        let inner = client.inner.as_async().stats();
        out.put(smsauth_stats::from(inner));
    }
    /// Free a stats snapshot. NULL is a no-op.
    free smsauth_stats_free(stats: smsauth_stats);
    /// `SendSmsVerifyCode` calls, whatever their outcome (guard denials included); 0 if `stats` is NULL, like every
    /// count below.
    fn smsauth_stats_sends(stats: *const smsauth_stats) -> u64 { try_ref!(stats).inner.sends }
    /// `CheckSmsVerifyCode` calls, whatever their outcome.
    fn smsauth_stats_checks(stats: *const smsauth_stats) -> u64 { try_ref!(stats).inner.checks }
    /// Checks whose code passed.
    fn smsauth_stats_passes(stats: *const smsauth_stats) -> u64 { try_ref!(stats).inner.passes }
    /// Failed calls with this status (an error kind, 1–10: e.g. `SMSAUTH_STATUS_THROTTLED`).
    fn smsauth_stats_errors(stats: *const smsauth_stats, status: u32) -> u64 {
        let (errors, kind) = (&try_ref!(stats).inner.errors, ErrorKind::ALL.iter().find(|k| k.code() == status));
        kind.and_then(|k| errors.get(k.name()).copied()).unwrap_or(0)
    }
    /// How many guard rules have denied calls (the entries of `smsauth_stats_guard_denial_rule()`).
    fn smsauth_stats_guard_denial_rule_count(stats: *const smsauth_stats) -> usize { try_ref!(stats).inner.guard_denials.len() }
    /// The name of denying rule `index` (0-based, sorted), or NULL when out of range. Owned by `stats`.
    fn smsauth_stats_guard_denial_rule(stats: *const smsauth_stats, index: usize) -> *const c_char {
        try_ref!(stats).opt_text(|s| s.guard_denials.keys().nth(index).map(String::as_str))
    }
    /// How many calls rule `index` denied (0 when out of range).
    fn smsauth_stats_guard_denials(stats: *const smsauth_stats, index: usize) -> u64 {
        try_ref!(stats).inner.guard_denials.values().nth(index).copied().unwrap_or(0)
    }
    /// The latency histogram's bucket count (the fixed bounds 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000 ms,
    /// and one more for slower calls).
    fn smsauth_stats_latency_bucket_count(stats: *const smsauth_stats) -> usize { try_ref!(stats).inner.latency_buckets.len() }
    /// The upper bound (inclusive, ms) of bucket `index`: `UINT64_MAX` for the last one.
    fn smsauth_stats_latency_bucket_le_ms(stats: *const smsauth_stats, index: usize) -> u64 {
        let _ = try_ref!(stats);
        LATENCY_BUCKETS_MS.get(index).copied().unwrap_or(u64::MAX)
    }
    /// Calls that took at most bucket `index`'s bound and more than the bucket before's (not cumulative); 0 when out of
    /// range.
    fn smsauth_stats_latency_bucket(stats: *const smsauth_stats, index: usize) -> u64 {
        try_ref!(stats).inner.latency_buckets.get(index).copied().unwrap_or(0)
    }
    /// Sum of all call latencies, in milliseconds.
    fn smsauth_stats_latency_sum_ms(stats: *const smsauth_stats) -> u64 { try_ref!(stats).inner.latency_sum_ms }
}
