//! `smsauth_guard_config`: the abuse guard's settings (the core's `smsauth::guard::GuardConfig`), attached to a client
//! with `smsauth_config_builder_set_guard()`.
//!
//! Every setter checks the whole configuration with the core's `GuardConfig::validate` and keeps the old value on
//! failure, so a guard configuration is always valid and a bad value is reported by the call that set it
//! (`SMSAUTH_STATUS_INVALID_INPUT`, field `guard.<name>`).

use std::ffi::c_char;

use smsauth::guard::{GuardConfig, Limit, WrongCodeLimit};

use crate::boundary::{FfiResult, c_enums, exports, try_mut, try_str};

c_enums! {
    /// Which send rule `smsauth_guard_config_add_limit()` / `_clear_limits()` change.
    enum smsauth_guard_rule {
        /// 1: sends per phone number (default 1 per 60 s, 5 per hour, 10 per 24 h); rule names `phone:<max>/<window>s`.
        Phone = 1,
        /// 2: sends per client key (default 10 per hour), the key given with `smsauth_send_code_for()` or
        /// `smsauth_send_request_set_client_key()`; rule names `client:<max>/<window>s`.
        Client = 2,
        /// 3: sends per number prefix (default 30 per hour; see `smsauth_guard_config_set_prefix_digits()`); rule names
        /// `prefix:<max>/<window>s`.
        Prefix = 3,
    }
}

/// The abuse guard's settings: limits checked before the paid call, so a public "send me a code" form cannot be used to
/// bomb a phone, pump a number range or run up the bill. Create with `smsauth_guard_config_new()` (the documented
/// defaults) or `smsauth_guard_config_new_empty()` (every rule off), change with the setters, attach with
/// `smsauth_config_builder_set_guard()`, free with `smsauth_guard_config_free()`.
///
/// Not synchronised: use one configuration from one thread at a time.
#[derive(Debug)]
pub struct smsauth_guard_config {
    pub(crate) inner: GuardConfig,
}

/// Apply `change` to a copy, validate it with the core, and keep it only if valid.
fn update(config: &mut smsauth_guard_config, change: impl FnOnce(&mut GuardConfig) -> FfiResult) -> FfiResult {
    let mut next = config.inner.clone();
    change(&mut next)?;
    next.validate()?;
    config.inner = next;
    Ok(())
}

/// [`update`] for a change that cannot fail by itself.
fn set(config: &mut smsauth_guard_config, change: impl FnOnce(&mut GuardConfig)) -> FfiResult {
    update(config, |c| {
        change(c);
        Ok(())
    })
}

fn rule_limits(config: &mut GuardConfig, rule: u32) -> FfiResult<&mut Vec<Limit>> {
    Ok(match smsauth_guard_rule::from_c(rule, "rule")? {
        smsauth_guard_rule::Phone => &mut config.phone,
        smsauth_guard_rule::Client => &mut config.client,
        smsauth_guard_rule::Prefix => &mut config.prefix,
    })
}

// Every setter below leaves the configuration unchanged when it fails.
exports! {
    /// A guard configuration with the defaults: per phone number 1 send per 60 s, 5 per hour, 10 per 24 h; per client
    /// key 10 per hour; per 7-digit number prefix 30 per hour; 1000 sends per 24 h for the whole client; 5 wrong codes
    /// within an hour lock a number for 15 minutes; not a dry run; fail closed; at most 100 000 keys kept in memory.
    /// Free it with `smsauth_guard_config_free()`. NULL only on an internal failure.
    fn smsauth_guard_config_new() -> *mut smsauth_guard_config {
        Box::into_raw(Box::new(smsauth_guard_config { inner: GuardConfig::default() }))
    }
    /// A guard configuration with every rule off (add the ones you want); the other settings as in
    /// `smsauth_guard_config_new()`.
    fn smsauth_guard_config_new_empty() -> *mut smsauth_guard_config {
        Box::into_raw(Box::new(smsauth_guard_config { inner: GuardConfig::empty() }))
    }
    /// Free a guard configuration (clients whose builders it was given to are not affected). NULL is a no-op.
    free smsauth_guard_config_free(config: smsauth_guard_config);
    /// Add a limit to a send rule: at most `max` sends (1–1 000 000) within any `window_seconds` (1 s – 31 days,
    /// sliding). Up to 8 limits per rule; the tightest one decides. On an `smsauth_guard_config_new()` configuration
    /// the rule's defaults stay: call `smsauth_guard_config_clear_limits()` first to replace them. `rule` is one of
    /// `smsauth_guard_rule`; any other value, `max == 0` or `window_seconds == 0` is `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_guard_config_add_limit(config: *mut smsauth_guard_config, rule: u32, max: u32, window_seconds: u64) {
        update(try_mut!(config), |c| rule_limits(c, rule).map(|l| l.push(Limit::new(max, window_seconds))))?;
    }
    /// Remove every limit of a send rule (one of `smsauth_guard_rule`), turning it off.
    fn smsauth_guard_config_clear_limits(config: *mut smsauth_guard_config, rule: u32) {
        update(try_mut!(config), |c| rule_limits(c, rule).map(Vec::clear))?;
    }
    /// Refuse sends that come without a client key (`SMSAUTH_STATUS_INVALID_INPUT` naming `client_key`), so a forgotten
    /// key cannot silently skip the client rule. Default `false`.
    fn smsauth_guard_config_set_require_client_key(config: *mut smsauth_guard_config, require: bool) {
        set(try_mut!(config), |c| c.require_client_key = require)?;
    }
    /// Digits of a number prefix for the prefix rule (1–11; default 7: carrier block and area).
    fn smsauth_guard_config_set_prefix_digits(config: *mut smsauth_guard_config, digits: u32) {
        set(try_mut!(config), |c| c.prefix_digits = digits)?;
    }
    /// At most `sends` sends in any 24 hours for the whole client (1–10 000 000; default 1000; 0 turns the budget off).
    /// Rule name `budget:daily`.
    fn smsauth_guard_config_set_daily_budget(config: *mut smsauth_guard_config, sends: u32) {
        set(try_mut!(config), |c| c.daily_budget = (sends > 0).then_some(sends))?;
    }
    /// A money cap: at most `daily_money_cap` spent in any 24 hours at `price_per_sms` per SMS (both positive, in the
    /// same currency unit): the budget becomes `floor(cap / price)` sends, or the daily budget if that is lower.
    /// `daily_money_cap == 0` turns the cap off (then `price_per_sms` is ignored). A cap below one SMS, a non-positive
    /// or non-finite price is `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_guard_config_set_money_cap(config: *mut smsauth_guard_config, price_per_sms: f64, daily_money_cap: f64) {
        let on = daily_money_cap != 0.0;
        set(try_mut!(config), |c| (c.price_per_sms, c.daily_money_cap) = (on.then_some(price_per_sms), on.then_some(daily_money_cap)))?;
    }
    /// The wrong-code rule for checks: after `max_wrong` wrong codes (at most 1000) for one phone number within
    /// `window_seconds`, checks for that number are refused for `lockout_seconds` (rule `check:locked`); the last wrong
    /// code still gets its answer, a passing check resets the count. Default 5 within 3600 s, locked 900 s. `max_wrong
    /// == 0` turns the rule off; otherwise both durations must be 1 s – 31 days.
    fn smsauth_guard_config_set_wrong_code_limit(config: *mut smsauth_guard_config, max_wrong: u32, window_seconds: u64, lockout_seconds: u64) {
        set(try_mut!(config), |c| c.wrong_code = WrongCodeLimit { max_wrong, window_seconds, lockout_seconds })?;
    }
    /// Only report: a call the guard would refuse is let through (with a warning logged), to tune limits on real
    /// traffic before enforcing them. Default `false`.
    fn smsauth_guard_config_set_dry_run(config: *mut smsauth_guard_config, dry_run: bool) {
        set(try_mut!(config), |c| c.dry_run = dry_run)?;
    }
    /// What to do when the guard's store fails: one of `smsauth_guard_fail_policy` (default closed); any other value is
    /// `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_guard_config_set_fail_policy(config: *mut smsauth_guard_config, policy: u32) {
        let policy = policy.to_string().parse()?;
        set(try_mut!(config), |c| c.on_store_error = policy)?;
    }
    /// Most keys (phone numbers, client keys, prefixes) the in-memory store keeps, at least 16 (default 100 000); the
    /// least recently used are dropped beyond it.
    fn smsauth_guard_config_set_max_keys(config: *mut smsauth_guard_config, max_keys: usize) {
        set(try_mut!(config), |c| c.max_keys = max_keys)?;
    }
    /// Keep the guard's state in Redis at `redis_url`, shared by every process using it. This library is built without
    /// the core's `guard-redis` feature, so the URL is stored but `smsauth_config_builder_set_guard()` then fails with
    /// `SMSAUTH_STATUS_INVALID_INPUT` (field `guard.redis_url`) saying so; the in-memory store (the default) is per
    /// client.
    fn smsauth_guard_config_set_redis_url(config: *mut smsauth_guard_config, redis_url: *const c_char) {
        let (config, url) = (try_mut!(config), try_str!(redis_url));
        set(config, |c| c.redis_url = Some(url.to_owned()))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::smsauth_status;

    #[test]
    fn a_bad_value_leaves_the_configuration_unchanged() {
        let c = unsafe { smsauth_guard_config_new_empty() };
        let mut err = std::ptr::null_mut();
        let st = unsafe { smsauth_guard_config_add_limit(c, smsauth_guard_rule::Phone as u32, 0, 60, &mut err) };
        assert_eq!(st, smsauth_status::InvalidInput);
        assert!(unsafe { &*c }.inner.phone.is_empty());
        unsafe { crate::error::smsauth_error_free(err) };
        let null = std::ptr::null_mut();
        assert_eq!(unsafe { smsauth_guard_config_add_limit(c, 9, 1, 60, null) }, smsauth_status::InvalidInput);
        assert_eq!(unsafe { smsauth_guard_config_add_limit(c, 2, 3, 60, null) }, smsauth_status::Ok);
        assert_eq!(unsafe { &*c }.inner.client, vec![Limit::new(3, 60)]);
        unsafe { smsauth_guard_config_free(c) };
    }
}
