//! [`GuardConfig`]: the limits, their defaults and their validation, and [`FailPolicy`].

use std::fmt;

use super::{Limit, MemoryStore, WrongCodeLimit};
use crate::error::{Error, Result};

/// What the guard does when its store fails (unreachable, too slow, a bad answer). The numbers
/// are stable: the C header exports this declaration (`smsauth_guard_fail_policy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum FailPolicy {
    /// 1: refuse the call with a `GuardDenied` error whose rule is `store:unavailable` (the
    /// default: no SMS goes out unguarded, so no bill shock while the store is down).
    #[default]
    Closed = 1,
    /// 2: let the call through and log a warning (availability first).
    Open = 2,
}

impl FailPolicy {
    /// `"closed"` or `"open"`: the name every binding takes and shows.
    pub const fn as_str(self) -> &'static str {
        match self {
            FailPolicy::Closed => "closed",
            FailPolicy::Open => "open",
        }
    }
}

/// ```
/// use smsauth::FailPolicy;
/// assert_eq!("open".parse::<FailPolicy>().unwrap(), FailPolicy::Open);
/// assert_eq!("maybe".parse::<FailPolicy>().unwrap_err().field(), Some("guard.on_store_error"));
/// ```
impl std::str::FromStr for FailPolicy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        // By name, or by number (as C passes it).
        [FailPolicy::Closed, FailPolicy::Open]
            .into_iter()
            .find(|p| p.as_str() == s || (*p as u32).to_string() == s)
            .ok_or_else(|| {
                Error::invalid_input("guard.on_store_error", format_args!("must be 'closed' or 'open', got {s:?}"))
            })
    }
}

/// The guard's settings: plain data with documented defaults, so every binding can fill it.
///
/// Empty limit lists and `None` turn a rule off; [`GuardConfig::empty`] has every rule off.
///
/// ```
/// use smsauth::guard::{GuardConfig, Limit};
/// let config = GuardConfig::default();
/// assert_eq!(config.phone, vec![Limit::per_minute(1), Limit::per_hour(5), Limit::per_day(10)]);
/// assert_eq!(config.client, vec![Limit::per_hour(10)]);
/// assert_eq!((config.prefix_digits, config.daily_budget), (7, Some(1000)));
/// ```
#[derive(Clone, PartialEq)]
pub struct GuardConfig {
    /// Sends per phone number. Default 1 per 60 s, 5 per hour, 10 per 24 h.
    pub phone: Vec<Limit>,
    /// Sends per client key (the IP address, device or session id the app passes with
    /// [`crate::Client::send_code_for`]). Default 10 per hour. Calls without a client key skip
    /// this rule unless [`GuardConfig::require_client_key`] is set.
    pub client: Vec<Limit>,
    /// Refuse sends that come without a client key (an `invalid_input` error naming
    /// `client_key`), so a forgotten key cannot silently skip the client rule. Default `false`.
    pub require_client_key: bool,
    /// Sends per number prefix (the first [`GuardConfig::prefix_digits`] digits). Default 30 per
    /// hour.
    pub prefix: Vec<Limit>,
    /// Digits of a prefix: 7 by default (3 for the carrier block, 4 for the area: 10 000 numbers).
    pub prefix_digits: u32,
    /// At most this many sends in any 24 hours, for the whole app (all numbers, all clients;
    /// with Redis, all instances). Default 1000.
    pub daily_budget: Option<u32>,
    /// The price of one SMS, in your currency (e.g. `0.045`), for [`GuardConfig::daily_money_cap`].
    pub price_per_sms: Option<f64>,
    /// At most this much spent in any 24 hours (needs `price_per_sms`): the budget becomes
    /// `floor(cap / price)` sends, or `daily_budget` if that is lower.
    pub daily_money_cap: Option<f64>,
    /// Wrong codes per phone number on check. Default 5 within an hour, then locked for 15 min.
    pub wrong_code: WrongCodeLimit,
    /// Only report: a call the guard would refuse is let through, with a warning logged
    /// (`tracing`, target `smsauth::guard`) and [`GuardStats::dry_run_denials`](super::GuardStats::dry_run_denials) counted. Use it to
    /// tune limits on real traffic before enforcing them. Default `false`.
    pub dry_run: bool,
    /// What to do when the store fails. Default [`FailPolicy::Closed`].
    pub on_store_error: FailPolicy,
    /// Most keys the in-memory store keeps (see [`MemoryStore`]). Default 100 000.
    pub max_keys: usize,
    /// Keep the state in Redis at this URL (`redis://[:password@]host:port/db`), shared by every
    /// process and host using the same URL and prefix. Needs the `guard-redis` cargo feature.
    /// Default `None`: in memory.
    pub redis_url: Option<String>,
    /// Namespace of the Redis keys. Default `smsauth:guard:`. Give each app its own; for Redis
    /// Cluster, include a hash tag (e.g. `{smsauth}:`) so a call's keys share a slot.
    pub redis_key_prefix: String,
    /// The longest wait for the store (connect included) before [`GuardConfig::on_store_error`]
    /// applies, in milliseconds. Default 250.
    pub store_timeout_ms: u64,
}

impl Default for GuardConfig {
    fn default() -> Self {
        GuardConfig {
            phone: vec![Limit::per_minute(1), Limit::per_hour(5), Limit::per_day(10)],
            client: vec![Limit::per_hour(10)],
            require_client_key: false,
            prefix: vec![Limit::per_hour(30)],
            prefix_digits: 7,
            daily_budget: Some(1000),
            price_per_sms: None,
            daily_money_cap: None,
            wrong_code: WrongCodeLimit::default(),
            dry_run: false,
            on_store_error: FailPolicy::Closed,
            max_keys: MemoryStore::DEFAULT_MAX_KEYS,
            redis_url: None,
            redis_key_prefix: "smsauth:guard:".into(),
            store_timeout_ms: 250,
        }
    }
}

impl GuardConfig {
    /// Every rule off (add the ones you want); store settings as in [`GuardConfig::default`].
    pub fn empty() -> Self {
        GuardConfig {
            phone: Vec::new(),
            client: Vec::new(),
            prefix: Vec::new(),
            daily_budget: None,
            wrong_code: WrongCodeLimit { max_wrong: 0, ..WrongCodeLimit::default() },
            ..GuardConfig::default()
        }
    }

    /// The effective budget in sends per 24 h: the lower of `daily_budget` and the money cap.
    pub fn effective_daily_budget(&self) -> Option<u32> {
        let by_money = match (self.daily_money_cap, self.price_per_sms) {
            (Some(cap), Some(price)) if price > 0.0 => Some(money_sends(cap, price)),
            _ => None,
        };
        match (self.daily_budget, by_money) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Check every setting; the error names the field.
    pub fn validate(&self) -> Result<()> {
        for (fields, limits) in [
            (["guard.phone", "guard.phone.max", "guard.phone.window_seconds"], &self.phone),
            (["guard.client", "guard.client.max", "guard.client.window_seconds"], &self.client),
            (["guard.prefix", "guard.prefix.max", "guard.prefix.window_seconds"], &self.prefix),
        ] {
            let [field, max, window] = fields;
            if limits.len() > 8 {
                return Err(Error::invalid_input(field, "at most 8 limits per rule"));
            }
            for l in limits {
                if l.max == 0 || l.max > 1_000_000 {
                    return Err(Error::invalid_input(
                        max,
                        format_args!(
                            "must be between 1 and 1000000, got {} (to turn the rule off, give no limit)",
                            l.max
                        ),
                    ));
                }
                if l.window_seconds == 0 || l.window_seconds > MAX_WINDOW_SECONDS {
                    return Err(Error::invalid_input(
                        window,
                        format_args!("must be between 1 and {MAX_WINDOW_SECONDS} (31 days), got {}", l.window_seconds),
                    ));
                }
            }
        }
        if !self.prefix.is_empty() && !(1..=11).contains(&self.prefix_digits) {
            return Err(Error::invalid_input(
                "guard.prefix_digits",
                format_args!("must be between 1 and 11, got {}", self.prefix_digits),
            ));
        }
        if let Some(n) = self.daily_budget
            && !(1..=10_000_000).contains(&n)
        {
            return Err(Error::invalid_input(
                "guard.daily_budget",
                format_args!("must be between 1 and 10000000 sends, got {n} (unset it to turn the budget off)"),
            ));
        }
        if let Some(price) = self.price_per_sms
            && !(price.is_finite() && price > 0.0)
        {
            return Err(Error::invalid_input(
                "guard.price_per_sms",
                format_args!("must be a positive amount, got {price}"),
            ));
        }
        if let Some(cap) = self.daily_money_cap {
            if !(cap.is_finite() && cap > 0.0) {
                return Err(Error::invalid_input(
                    "guard.daily_money_cap",
                    format_args!("must be a positive amount, got {cap}"),
                ));
            }
            let Some(price) = self.price_per_sms else {
                return Err(Error::invalid_input(
                    "guard.daily_money_cap",
                    "needs the price of one SMS (guard.price_per_sms), in the same currency",
                ));
            };
            let sends = money_sends(cap, price);
            if sends == 0 {
                return Err(Error::invalid_input(
                    "guard.daily_money_cap",
                    format_args!("{cap} is less than one SMS at {price}; check that both use the same currency unit"),
                ));
            }
            if sends > 10_000_000 {
                return Err(Error::invalid_input(
                    "guard.daily_money_cap",
                    format_args!("allows {sends} sends per day; at most 10000000 are tracked"),
                ));
            }
        }
        let w = &self.wrong_code;
        if w.max_wrong > 0 {
            if w.max_wrong > 1000 {
                return Err(Error::invalid_input(
                    "guard.wrong_code.max_wrong",
                    format_args!("must be at most 1000, got {}", w.max_wrong),
                ));
            }
            if w.window_seconds == 0 || w.window_seconds > MAX_WINDOW_SECONDS {
                return Err(Error::invalid_input(
                    "guard.wrong_code.window_seconds",
                    format_args!("must be between 1 and {MAX_WINDOW_SECONDS}, got {}", w.window_seconds),
                ));
            }
            if w.lockout_seconds == 0 || w.lockout_seconds > MAX_WINDOW_SECONDS {
                return Err(Error::invalid_input(
                    "guard.wrong_code.lockout_seconds",
                    format_args!("must be between 1 and {MAX_WINDOW_SECONDS}, got {}", w.lockout_seconds),
                ));
            }
        }
        if self.max_keys < 16 {
            return Err(Error::invalid_input(
                "guard.max_keys",
                format_args!("must be at least 16, got {}", self.max_keys),
            ));
        }
        if !(1..=60_000).contains(&self.store_timeout_ms) {
            return Err(Error::invalid_input(
                "guard.store_timeout_ms",
                format_args!("must be between 1 and 60000 ms, got {}", self.store_timeout_ms),
            ));
        }
        if let Some(url) = &self.redis_url
            && url.trim().is_empty()
        {
            return Err(Error::invalid_input(
                "guard.redis_url",
                "must not be empty (use None for the in-memory store)",
            ));
        }
        Ok(())
    }
}

pub(super) const MAX_WINDOW_SECONDS: u64 = 31 * 86_400;
pub(super) const DAY_SECONDS: u64 = 86_400;

pub(super) fn money_sends(cap: f64, price: f64) -> u32 {
    // A little slack so 0.15 / 0.05 counts as 3, not 2.999….
    let n = (cap / price + 1e-9).floor();
    if n >= u32::MAX as f64 { u32::MAX } else { n.max(0.0) as u32 }
}

impl fmt::Debug for GuardConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardConfig")
            .field("phone", &self.phone)
            .field("client", &self.client)
            .field("require_client_key", &self.require_client_key)
            .field("prefix", &self.prefix)
            .field("prefix_digits", &self.prefix_digits)
            .field("daily_budget", &self.daily_budget)
            .field("price_per_sms", &self.price_per_sms)
            .field("daily_money_cap", &self.daily_money_cap)
            .field("wrong_code", &self.wrong_code)
            .field("dry_run", &self.dry_run)
            .field("on_store_error", &self.on_store_error)
            .field("max_keys", &self.max_keys)
            .field("redis_url", &self.redis_url.as_deref().map(crate::error::redact_url))
            .field("redis_key_prefix", &self.redis_key_prefix)
            .field("store_timeout_ms", &self.store_timeout_ms)
            .finish()
    }
}

/// A window in words for messages: `60 s`, `15 min`, `1 h`, `24 h`, `2 days`.
pub(super) fn human_seconds(s: u64) -> String {
    match s {
        86_400 => "24 h".into(),
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 && s >= 120 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}
