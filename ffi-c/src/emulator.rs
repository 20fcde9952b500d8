//! `smsauth_emulator`: the offline Dypnsapi emulator (crate `smsauth-emulator`), so C programs can test their
//! integration without an account, network or SMS.

use std::ffi::c_char;

use ::smsauth_emulator::{Config, Emulator, Fault};

use crate::boundary::{cstring, exports, try_opt_str, try_out, try_ref, try_str, views};
use crate::error::smsauth_error;

views! {
    /// A running emulator on `127.0.0.1` (its own thread; it verifies V1 and V3 signatures, keeps an outbox of the codes
    /// "sent", and has a controllable clock and fault injection).
    ///
    /// Thread-safe: every function may be called from any thread. Stop it with `smsauth_emulator_stop()`.
    struct smsauth_emulator(Emulator);
}

exports! {
    /// Start an emulator on a free port of `127.0.0.1` with the default settings: AccessKey pair `testid` /
    /// `testsecret`, a 60 s sending interval per number, 10 codes per number per day, 5 wrong tries per code, a code
    /// passes once, ±15 minute timestamp window, clock = real time. On success `*emulator_out` receives the running
    /// emulator; on failure (e.g. `SMSAUTH_STATUS_NETWORK` when no port can be bound) it is left untouched.
    fn smsauth_emulator_start(emulator_out: *mut *mut smsauth_emulator) {
        try_out!(emulator_out).put(Emulator::start_with(Config::default())?.into());
    }
    /// Like `smsauth_emulator_start()`, but lenient: any `SignName` and `TemplateCode` are accepted and no flow
    /// control applies (the default emulator is faithful to the service: preset signatures and templates only, 1
    /// code a minute, 5 an hour, 10 a day per number and signature). For tests that only want a code back.
    fn smsauth_emulator_start_lenient(emulator_out: *mut *mut smsauth_emulator) {
        try_out!(emulator_out).put(Emulator::start_with(Config::lenient())?.into());
    }
    /// Like `smsauth_emulator_start()`, with options as a JSON object (NULL: none), named as in every language:
    /// `port`, `accounts` (`[["id","secret"],…]`), `access_key_id`, `access_key_secret`, `max_wrong_tries`,
    /// `daily_limit`, `timestamp_window_seconds`, `consume_on_pass`, `seed`, `start_time`,
    /// `verify_with_emulated_clock`, `templates` (`{"code":"text with ${code}"}`), `max_messages`, `log_requests`,
    /// `lenient`; e.g. `{"seed":7,"daily_limit":3}`. An unknown name or a wrong value is
    /// `SMSAUTH_STATUS_INVALID_INPUT` naming the option.
    fn smsauth_emulator_start_with_options(options_json: *const c_char, emulator_out: *mut *mut smsauth_emulator) {
        let options = try_opt_str!(options_json);
        let out = try_out!(emulator_out);
        out.put(Emulator::start_with(options.map_or_else(|| Ok(Config::default()), Config::from_options)?)?.into());
    }
    /// Stop the server and free the emulator. NULL is a no-op. Clients pointed at it then fail with
    /// `SMSAUTH_STATUS_NETWORK`. No other thread may be using it.
    free smsauth_emulator_stop(emulator: smsauth_emulator);
    /// The URL to give `smsauth_config_builder_set_endpoint()`: `"http://127.0.0.1:PORT"`. Owned by `emulator`, like
    /// the strings below.
    fn smsauth_emulator_endpoint(emulator: *const smsauth_emulator) -> *const c_char { let e = try_ref!(emulator); e.texts.get(&e.inner.endpoint()) }
    /// The port the emulator listens on (0 if `emulator` is NULL).
    fn smsauth_emulator_port(emulator: *const smsauth_emulator) -> u16 { try_ref!(emulator).inner.port() }
    /// The AccessKey ID the emulator accepts (`"testid"`).
    fn smsauth_emulator_access_key_id(emulator: *const smsauth_emulator) -> *const c_char { let e = try_ref!(emulator); e.texts.get(&e.inner.access_key_id()) }
    /// Its secret (`"testsecret"`).
    fn smsauth_emulator_access_key_secret(emulator: *const smsauth_emulator) -> *const c_char { let e = try_ref!(emulator); e.texts.get(&e.inner.access_key_secret()) }
    /// The newest code sent to `phone_number` (written any way a client accepts, e.g. `"+86 138 0013 8000"`), as the
    /// user would read it in the SMS. On success `*code_out` receives a new string owned by the caller (free with
    /// `smsauth_string_free()`), or NULL when no code was sent to that number.
    fn smsauth_emulator_last_code(emulator: *const smsauth_emulator, phone_number: *const c_char, code_out: *mut *mut c_char) {
        let (e, phone, out) = (try_ref!(emulator), try_str!(phone_number), try_out!(code_out));
        out.write(e.inner.last_code(phone).map_or(std::ptr::null_mut(), |c| cstring(&c).into_raw()));
    }
    /// How many messages the outbox holds for `phone_number`, or in total when `phone_number` is NULL (0 if `emulator`
    /// is NULL or `phone_number` is not UTF-8).
    fn smsauth_emulator_message_count(emulator: *const smsauth_emulator, phone_number: *const c_char) -> usize {
        let e = try_ref!(emulator);
        try_opt_str!(phone_number).map_or_else(|| e.inner.messages().len(), |p| e.inner.messages_for(p).len())
    }
    /// API requests the emulator received (valid or not, faulted or not) since it started or was last reset; 0 if
    /// `emulator` is NULL. Handy to assert that bad input was refused before any network call.
    fn smsauth_emulator_request_count(emulator: *const smsauth_emulator) -> usize { try_ref!(emulator).inner.request_count() }
    /// Move the emulated clock forward by `seconds` (code expiry, sending intervals, daily caps, STS expiry, and
    /// request timestamps: beyond 15 minutes, requests signed with the real time are refused as expired). Nothing
    /// sleeps.
    fn smsauth_emulator_advance_clock(emulator: *const smsauth_emulator, seconds: u64) { try_ref!(emulator).inner.advance_clock(seconds); }
    /// The emulated time, Unix seconds (0 if `emulator` is NULL).
    fn smsauth_emulator_now(emulator: *const smsauth_emulator) -> u64 { try_ref!(emulator).inner.now() }
    /// Forget the outbox, codes, limits, faults and nonces, and set the clock back to its start.
    fn smsauth_emulator_reset(emulator: *const smsauth_emulator) { try_ref!(emulator).inner.reset(); }
    /// Inject a fault, written as JSON exactly as for the emulator's HTTP hook `POST /_emulator/faults`: a `kind`
    /// (`latency` with `ms`, `server_error` with `status`, `throttle` with `retry_after_ms`, `malformed`, `truncated`,
    /// `html`, `oversized` with `bytes`, `drop`, `drop_mid_response`, `slow_drip` with `chunk_bytes` and `interval_ms`)
    /// and optional `action`, `phone`, `probability`, `times`. Example:
    /// `{"kind":"latency","ms":500,"action":"SendSmsVerifyCode","times":1}`. Fails with `SMSAUTH_STATUS_INVALID_INPUT`
    /// when the JSON does not describe a fault.
    fn smsauth_emulator_add_fault(emulator: *const smsauth_emulator, fault_json: *const c_char) {
        let (e, json) = (try_ref!(emulator), try_str!(fault_json));
        let fault = Fault::from_json(json)
            .map_err(|why| smsauth_error::invalid_input("fault_json", format_args!("is not a fault: {why}")))?;
        e.inner.add_fault(fault);
    }
    /// Remove every injected fault.
    fn smsauth_emulator_clear_faults(emulator: *const smsauth_emulator) { try_ref!(emulator).inner.clear_faults(); }
    /// Issue temporary STS credentials valid for `ttl_seconds` (at least 1; 0 is `SMSAUTH_STATUS_INVALID_INPUT`) of
    /// emulated time, for `smsauth_config_builder_set_access_key()` + `smsauth_config_builder_set_security_token()`. On
    /// success the three out-parameters receive new strings owned by the caller (free each with
    /// `smsauth_string_free()`).
    fn smsauth_emulator_issue_sts(emulator: *const smsauth_emulator, ttl_seconds: u64, access_key_id_out: *mut *mut c_char, access_key_secret_out: *mut *mut c_char, security_token_out: *mut *mut c_char) {
        let e = try_ref!(emulator);
        let (id, secret, token) = (try_out!(access_key_id_out), try_out!(access_key_secret_out), try_out!(security_token_out));
        let sts = e.inner.issue_sts_seconds(ttl_seconds)?;
        id.write(cstring(&sts.access_key_id).into_raw());
        secret.write(cstring(&sts.access_key_secret).into_raw());
        token.write(cstring(&sts.security_token).into_raw());
    }
}
