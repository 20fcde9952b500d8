//! `smsauth_guard_config`: the abuse guard's settings (the core's `smsauth::guard::GuardConfig`),
//! attached to a client with `smsauth_config_builder_set_guard()`.
//!
//! Every setter checks the whole configuration with the core's `GuardConfig::validate` and keeps
//! the old value on failure, so a guard configuration is always valid and a bad value is
//! reported by the call that set it (`SMSAUTH_STATUS_INVALID_INPUT`, field `guard.<name>`).

use std::ffi::c_char;

use smsauth::guard::{FailPolicy, GuardConfig, Limit, WrongCodeLimit};

use crate::boundary::{FfiResult, boundary, free, obj_mut, str_arg};
use crate::error::{smsauth_error, smsauth_status};

/// Which send rule `smsauth_guard_config_add_limit()` / `_clear_limits()` change.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // the values are for C (through the header); Rust receives plain numbers
pub enum smsauth_guard_rule {
    /// 1: sends per phone number (default 1 per 60 s, 5 per hour, 10 per 24 h); rule names
    /// `phone:<max>/<window>s`.
    Phone = 1,
    /// 2: sends per client key (default 10 per hour), the key given with
    /// `smsauth_send_code_for()` or `smsauth_send_request_set_client_key()`; rule names
    /// `client:<max>/<window>s`.
    Client = 2,
    /// 3: sends per number prefix (default 30 per hour; see
    /// `smsauth_guard_config_set_prefix_digits()`); rule names `prefix:<max>/<window>s`.
    Prefix = 3,
}

/// What the guard does when its store fails, for `smsauth_guard_config_set_fail_policy()`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // the values are for C (through the header); Rust receives plain numbers
pub enum smsauth_guard_fail_policy {
    /// 1: refuse the call (`SMSAUTH_STATUS_GUARD_DENIED`, rule `store:unavailable`); the default.
    Closed = 1,
    /// 2: let the call through (availability first).
    Open = 2,
}

/// The abuse guard's settings: limits checked before the paid call, so a public "send me a code"
/// form cannot be used to bomb a phone, pump a number range or run up the bill. Create with
/// `smsauth_guard_config_new()` (the documented defaults) or `smsauth_guard_config_new_empty()`
/// (every rule off), change with the setters, attach with `smsauth_config_builder_set_guard()`,
/// free with `smsauth_guard_config_free()`.
///
/// Not synchronised: use one configuration from one thread at a time.
#[derive(Debug)]
pub struct smsauth_guard_config {
    pub(crate) inner: GuardConfig,
}

/// A guard configuration with the defaults: per phone number 1 send per 60 s, 5 per hour, 10 per
/// 24 h; per client key 10 per hour; per 7-digit number prefix 30 per hour; 1000 sends per 24 h
/// for the whole client; 5 wrong codes within an hour lock a number for 15 minutes; not a dry
/// run; fail closed; at most 100 000 keys kept in memory.
///
/// Free it with `smsauth_guard_config_free()`. Returns NULL only if the library failed
/// internally.
#[unsafe(no_mangle)]
pub extern "C" fn smsauth_guard_config_new() -> *mut smsauth_guard_config {
    boundary!(default: std::ptr::null_mut() => {
        Box::into_raw(Box::new(smsauth_guard_config { inner: GuardConfig::default() }))
    })
}

/// A guard configuration with every rule off (add the ones you want); the other settings as in
/// `smsauth_guard_config_new()`.
///
/// Free it with `smsauth_guard_config_free()`. Returns NULL only if the library failed
/// internally.
#[unsafe(no_mangle)]
pub extern "C" fn smsauth_guard_config_new_empty() -> *mut smsauth_guard_config {
    boundary!(default: std::ptr::null_mut() => {
        Box::into_raw(Box::new(smsauth_guard_config { inner: GuardConfig::empty() }))
    })
}

/// Free a guard configuration (clients whose builders it was given to are not affected). NULL is
/// a no-op.
///
/// # Safety
/// `config` is NULL or a configuration from `smsauth_guard_config_new*()`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_free(config: *mut smsauth_guard_config) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(config) } })
}

/// Apply `change` to a copy, validate it with the core, and keep it only if valid.
unsafe fn update(config: *mut smsauth_guard_config, change: impl FnOnce(&mut GuardConfig) -> FfiResult) -> FfiResult {
    // SAFETY: forwarded contract of every setter: NULL or a live configuration used by one thread.
    let c = unsafe { obj_mut(config, "config") }?;
    let mut next = c.inner.clone();
    change(&mut next)?;
    next.validate()?;
    c.inner = next;
    Ok(())
}

fn rule_limits(config: &mut GuardConfig, rule: u32) -> FfiResult<&mut Vec<Limit>> {
    match rule {
        r if r == smsauth_guard_rule::Phone as u32 => Ok(&mut config.phone),
        r if r == smsauth_guard_rule::Client as u32 => Ok(&mut config.client),
        r if r == smsauth_guard_rule::Prefix as u32 => Ok(&mut config.prefix),
        other => Err(smsauth_error::invalid_input(
            "rule",
            format_args!("{other} is not a guard rule; use SMSAUTH_GUARD_RULE_PHONE (1), _CLIENT (2) or _PREFIX (3)"),
        )),
    }
}

/// Add a limit to a send rule: at most `max` sends (1–1 000 000) within any `window_seconds`
/// (1 s – 31 days, sliding). Up to 8 limits per rule; the tightest one decides. On an
/// `smsauth_guard_config_new()` configuration the rule's defaults stay: call
/// `smsauth_guard_config_clear_limits()` first to replace them.
///
/// `rule` is one of `smsauth_guard_rule`; any other value, `max == 0` or `window_seconds == 0`
/// is `SMSAUTH_STATUS_INVALID_INPUT` and the configuration is unchanged.
///
/// # Safety
/// `config` is NULL or a live configuration; `err` is NULL or points to a writable
/// `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_add_limit(
    config: *mut smsauth_guard_config,
    rule: u32,
    max: u32,
    window_seconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                rule_limits(c, rule)?.push(Limit::new(max, window_seconds));
                Ok(())
            })
        }
    })
}

/// Remove every limit of a send rule (one of `smsauth_guard_rule`), turning it off.
///
/// # Safety
/// As for `smsauth_guard_config_add_limit()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_clear_limits(
    config: *mut smsauth_guard_config,
    rule: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                rule_limits(c, rule)?.clear();
                Ok(())
            })
        }
    })
}

/// Refuse sends that come without a client key (`SMSAUTH_STATUS_INVALID_INPUT` naming
/// `client_key`), so a forgotten key cannot silently skip the client rule. Default `false`.
///
/// # Safety
/// As for `smsauth_guard_config_add_limit()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_set_require_client_key(
    config: *mut smsauth_guard_config,
    require: bool,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                c.require_client_key = require;
                Ok(())
            })
        }
    })
}

/// Digits of a number prefix for the prefix rule (1–11; default 7: carrier block and area).
///
/// # Safety
/// As for `smsauth_guard_config_add_limit()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_set_prefix_digits(
    config: *mut smsauth_guard_config,
    digits: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                c.prefix_digits = digits;
                Ok(())
            })
        }
    })
}

/// At most `sends` sends in any 24 hours for the whole client (1–10 000 000; default 1000; 0
/// turns the budget off). Rule name `budget:daily`.
///
/// # Safety
/// As for `smsauth_guard_config_add_limit()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_set_daily_budget(
    config: *mut smsauth_guard_config,
    sends: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                c.daily_budget = (sends > 0).then_some(sends);
                Ok(())
            })
        }
    })
}

/// A money cap: at most `daily_money_cap` spent in any 24 hours at `price_per_sms` per SMS (both
/// positive, in the same currency unit): the budget becomes `floor(cap / price)` sends, or the
/// daily budget if that is lower. `daily_money_cap == 0` turns the cap off (then `price_per_sms`
/// is ignored). A cap below one SMS, a non-positive or non-finite price is
/// `SMSAUTH_STATUS_INVALID_INPUT`.
///
/// # Safety
/// As for `smsauth_guard_config_add_limit()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_set_money_cap(
    config: *mut smsauth_guard_config,
    price_per_sms: f64,
    daily_money_cap: f64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                if daily_money_cap == 0.0 {
                    (c.price_per_sms, c.daily_money_cap) = (None, None);
                } else {
                    (c.price_per_sms, c.daily_money_cap) = (Some(price_per_sms), Some(daily_money_cap));
                }
                Ok(())
            })
        }
    })
}

/// The wrong-code rule for checks: after `max_wrong` wrong codes (at most 1000) for one phone
/// number within `window_seconds`, checks for that number are refused for `lockout_seconds`
/// (rule `check:locked`); the last wrong code still gets its answer, a passing check resets the
/// count. Default 5 within 3600 s, locked 900 s. `max_wrong == 0` turns the rule off; otherwise
/// both durations must be 1 s – 31 days.
///
/// # Safety
/// As for `smsauth_guard_config_add_limit()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_set_wrong_code_limit(
    config: *mut smsauth_guard_config,
    max_wrong: u32,
    window_seconds: u64,
    lockout_seconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                c.wrong_code = WrongCodeLimit { max_wrong, window_seconds, lockout_seconds };
                Ok(())
            })
        }
    })
}

/// Only report: a call the guard would refuse is let through (with a warning logged), to tune
/// limits on real traffic before enforcing them. Default `false`.
///
/// # Safety
/// As for `smsauth_guard_config_add_limit()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_set_dry_run(
    config: *mut smsauth_guard_config,
    dry_run: bool,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                c.dry_run = dry_run;
                Ok(())
            })
        }
    })
}

/// What to do when the guard's store fails: one of `smsauth_guard_fail_policy` (default
/// closed); any other value is `SMSAUTH_STATUS_INVALID_INPUT`.
///
/// # Safety
/// As for `smsauth_guard_config_add_limit()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_set_fail_policy(
    config: *mut smsauth_guard_config,
    policy: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                c.on_store_error = match policy {
                    p if p == smsauth_guard_fail_policy::Closed as u32 => FailPolicy::Closed,
                    p if p == smsauth_guard_fail_policy::Open as u32 => FailPolicy::Open,
                    other => {
                        return Err(smsauth_error::invalid_input(
                            "policy",
                            format_args!(
                                "{other} is not a fail policy; use SMSAUTH_GUARD_FAIL_POLICY_CLOSED (1) or _OPEN (2)"
                            ),
                        ));
                    }
                };
                Ok(())
            })
        }
    })
}

/// Most keys (phone numbers, client keys, prefixes) the in-memory store keeps, at least 16
/// (default 100 000); the least recently used are dropped beyond it.
///
/// # Safety
/// As for `smsauth_guard_config_add_limit()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_set_max_keys(
    config: *mut smsauth_guard_config,
    max_keys: usize,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                c.max_keys = max_keys;
                Ok(())
            })
        }
    })
}

/// Keep the guard's state in Redis at `redis_url`, shared by every process using it. This
/// library is built without the core's `guard-redis` feature, so the URL is stored but
/// `smsauth_config_builder_set_guard()` then fails with `SMSAUTH_STATUS_INVALID_INPUT` (field
/// `guard.redis_url`) saying so; the in-memory store (the default) is per client.
///
/// # Safety
/// `config` is NULL or a live configuration; `redis_url` is NULL or a NUL-terminated string;
/// `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_guard_config_set_redis_url(
    config: *mut smsauth_guard_config,
    redis_url: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            update(config, |c| {
                c.redis_url = Some(str_arg(redis_url, "redis_url")?.to_owned());
                Ok(())
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_value_leaves_the_configuration_unchanged() {
        let c = smsauth_guard_config_new_empty();
        let mut err = std::ptr::null_mut();
        let st = unsafe { smsauth_guard_config_add_limit(c, smsauth_guard_rule::Phone as u32, 0, 60, &mut err) };
        assert_eq!(st, smsauth_status::InvalidInput);
        assert!(unsafe { &*c }.inner.phone.is_empty());
        unsafe { crate::error::smsauth_error_free(err) };
        assert_eq!(
            unsafe { smsauth_guard_config_add_limit(c, 9, 1, 60, std::ptr::null_mut()) },
            smsauth_status::InvalidInput
        );
        assert_eq!(unsafe { smsauth_guard_config_add_limit(c, 2, 3, 60, std::ptr::null_mut()) }, smsauth_status::Ok);
        assert_eq!(unsafe { &*c }.inner.client, vec![Limit::new(3, 60)]);
        unsafe { smsauth_guard_config_free(c) };
    }
}
