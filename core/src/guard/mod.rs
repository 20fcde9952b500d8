//! The abuse guard: limits checked before the paid call, so a public "send me a code" form
//! cannot be used to bomb a phone with SMS, to pump traffic to a number range, or to run up the
//! bill.
//!
//! A [`Guard`] is consulted by [`crate::Client::send_code`] (and the other `send_code*` calls)
//! before any network call, and by [`crate::Client::check_code`]:
//!
//! | rule | default | what it stops | rule name in the error |
//! | --- | --- | --- | --- |
//! | per phone number | 1/60 s, 5/h, 10/day | bombing one victim's phone | `phone:1/60s`, `phone:5/3600s`, `phone:10/86400s` |
//! | per client key (IP, device, session) | 10/h | one attacker spraying many numbers | `client:10/3600s` |
//! | per number prefix (first 7 digits) | 30/h | pumping sequential numbers of a range | `prefix:30/3600s` |
//! | global daily budget | 1000 sends / 24 h (optional money cap) | bill shock | `budget:daily` |
//! | wrong codes per phone on check | 5 wrong → locked 15 min | guessing codes | `check:locked` |
//!
//! A refusal is an [`Error`] of kind [`ErrorKind::GuardDenied`](crate::ErrorKind::GuardDenied) whose [`Error::guard_rule`]
//! names the rule and whose [`Error::retry_after`] says when it allows again; nothing is sent.
//! Windows are exact and sliding (no double burst at a window edge). A send that provably never
//! reached the service gives its slot back; a check that got no answer is not counted as wrong.
//!
//! ```
//! # fn main() -> smsauth::Result<()> {
//! use smsauth::guard::{Guard, GuardConfig, Limit};
//! let guard = Guard::new(GuardConfig {
//!     client: vec![Limit::per_hour(5)],
//!     daily_budget: Some(200),
//!     ..GuardConfig::default()
//! })?;
//! let client = smsauth::Client::builder()
//!     .access_key("LTAI5tExampleKeyId01", "secret")
//!     .guard(guard)
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! The state lives in a [`GuardStore`]: [`MemoryStore`] (the default, one process) or, with the
//! `guard-redis` cargo feature, `RedisStore` via [`GuardConfig::redis_url`] (many processes and
//! hosts share one set of limits).

mod clock;
mod config;
mod keys;
mod memory;
mod options;
mod permit;
#[cfg(feature = "guard-redis")]
mod redis;
mod store;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use clock::{Clock, ManualClock};
use config::{DAY_SECONDS, human_seconds, money_sends};
pub use config::{FailPolicy, GuardConfig};
use keys::SendKeys;
pub use memory::MemoryStore;
pub use permit::{CheckPermit, SendPermit};
#[cfg(feature = "guard-redis")]
pub use redis::RedisStore;
pub use store::{
    CheckBegin, CheckEnd, Counter, Denial, GuardStore, KeyClass, Limit, StoreError, StoreFuture, WrongCodeLimit,
};

use crate::api::{mask_phone, normalize_phone};
use crate::error::{Error, Result};

/// Counters of what the guard did since it was built (see [`Guard::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuardStats {
    /// Sends allowed (and recorded).
    pub sends_allowed: u64,
    /// Sends refused.
    pub sends_denied: u64,
    /// Checks allowed (and counted as attempts).
    pub checks_allowed: u64,
    /// Checks refused (number locked).
    pub checks_denied: u64,
    /// Calls that would have been refused but went through because of dry-run mode.
    pub dry_run_denials: u64,
    /// Store failures (each one handled by the fail policy, or logged after the call).
    pub store_errors: u64,
    /// Calls let through unguarded by [`FailPolicy::Open`] (or dry-run) after a store failure.
    pub failed_open: u64,
    /// Sends given back because they never reached the service.
    pub refunds: u64,
}

#[derive(Debug, Default)]
struct Stats {
    sends_allowed: AtomicU64,
    sends_denied: AtomicU64,
    checks_allowed: AtomicU64,
    checks_denied: AtomicU64,
    dry_run_denials: AtomicU64,
    store_errors: AtomicU64,
    failed_open: AtomicU64,
    refunds: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

struct Rules {
    phone: Vec<String>,
    client: Vec<String>,
    prefix: Vec<String>,
    budget: [Limit; 1],
    budget_on: bool,
}

struct GuardInner {
    config: GuardConfig,
    rules: Rules,
    store: Arc<dyn GuardStore>,
    /// The same store when it is the embedded one, called directly (no boxed future).
    memory: Option<Arc<MemoryStore>>,
    store_name: String,
    clock: Option<Arc<dyn Clock>>,
    stats: Stats,
    next_event: AtomicU64,
}

/// The abuse guard. Cheap to clone (an `Arc` inside); clones share state and counters, and one
/// guard may serve several clients.
///
/// Use it through [`crate::ClientBuilder::guard`], or on its own in front of any SMS sender
/// with [`Guard::before_send`] and [`Guard::before_check`].
#[derive(Clone)]
pub struct Guard {
    inner: Arc<GuardInner>,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("config", &self.inner.config)
            .field("store", &self.inner.store_name)
            .field("test_clock", &self.inner.clock.is_some())
            .finish()
    }
}

impl Guard {
    /// A guard with `config`, keeping its state in memory, or in Redis when
    /// [`GuardConfig::redis_url`] is set (the Redis connection is made on first use).
    pub fn new(config: GuardConfig) -> Result<Guard> {
        config.validate()?;
        let Some(url) = &config.redis_url else {
            let memory = Arc::new(MemoryStore::new(config.max_keys));
            let mut guard = Guard::with_store(config, memory.clone())?;
            if let Some(inner) = Arc::get_mut(&mut guard.inner) {
                inner.memory = Some(memory);
            }
            return Ok(guard);
        };
        #[cfg(feature = "guard-redis")]
        {
            let timeout = Duration::from_millis(config.store_timeout_ms);
            let store = Arc::new(RedisStore::new(url, &config.redis_key_prefix, timeout)?);
            Guard::with_store(config, store)
        }
        #[cfg(not(feature = "guard-redis"))]
        {
            let _ = url;
            Err(Error::invalid_input(
                "guard.redis_url",
                "this build of smsauth has no Redis support; build the smsauth crate with the cargo feature \
                 `guard-redis` (or leave redis_url unset for the in-memory store)",
            ))
        }
    }

    /// A guard with `config` keeping its state in `store` (the `redis_url`, `max_keys` and
    /// `store_timeout_ms` settings are then up to the store).
    pub fn with_store(config: GuardConfig, store: Arc<dyn GuardStore>) -> Result<Guard> {
        config.validate()?;
        let name = |kind: &str, limits: &[Limit]| limits.iter().map(|l| format!("{kind}:{l}")).collect::<Vec<_>>();
        let budget = config.effective_daily_budget();
        let rules = Rules {
            phone: name("phone", &config.phone),
            client: name("client", &config.client),
            prefix: name("prefix", &config.prefix),
            budget: [Limit::new(budget.unwrap_or(1), DAY_SECONDS)],
            budget_on: budget.is_some(),
        };
        let store_name = store.name();
        let mut seed = [0u8; 8];
        // Event ids must not collide between processes sharing a store: start at a random point.
        if getrandom::fill(&mut seed).is_err() {
            seed = (u64::from(std::process::id()) << 32 | store::system_now_ms() & 0xffff_ffff).to_le_bytes();
        }
        Ok(Guard {
            inner: Arc::new(GuardInner {
                config,
                rules,
                store,
                memory: None,
                store_name,
                clock: None,
                stats: Stats::default(),
                next_event: AtomicU64::new(u64::from_le_bytes(seed) >> 1),
            }),
        })
    }

    /// The same guard (config and store shared) reading time from `clock` instead of the real
    /// clock — for tests. Its counters start at zero.
    pub fn with_clock(&self, clock: impl Clock) -> Guard {
        let i = &self.inner;
        Guard {
            inner: Arc::new(GuardInner {
                config: i.config.clone(),
                rules: Rules {
                    phone: i.rules.phone.clone(),
                    client: i.rules.client.clone(),
                    prefix: i.rules.prefix.clone(),
                    budget: i.rules.budget,
                    budget_on: i.rules.budget_on,
                },
                store: Arc::clone(&i.store),
                memory: i.memory.clone(),
                store_name: i.store_name.clone(),
                clock: Some(Arc::new(clock)),
                stats: Stats::default(),
                next_event: AtomicU64::new(i.next_event.load(Ordering::Relaxed) ^ (1 << 62)),
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &GuardConfig {
        &self.inner.config
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn GuardStore> {
        &self.inner.store
    }

    /// What the guard did so far.
    pub fn stats(&self) -> GuardStats {
        let s = &self.inner.stats;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        GuardStats {
            sends_allowed: get(&s.sends_allowed),
            sends_denied: get(&s.sends_denied),
            checks_allowed: get(&s.checks_allowed),
            checks_denied: get(&s.checks_denied),
            dry_run_denials: get(&s.dry_run_denials),
            store_errors: get(&s.store_errors),
            failed_open: get(&s.failed_open),
            refunds: get(&s.refunds),
        }
    }

    fn now(&self) -> Option<u64> {
        self.inner.clock.as_ref().map(|c| c.now_ms())
    }

    fn now_ms(&self) -> u64 {
        self.now().unwrap_or_else(store::system_now_ms)
    }

    fn event(&self) -> u64 {
        self.inner.next_event.fetch_add(1, Ordering::Relaxed)
    }

    /// Ask before sending a code to `phone` (mainland number, normalized like the client does)
    /// on behalf of `client_key`. On `Ok` the send is recorded against every limit; call
    /// [`SendPermit::refund`] if the SMS then provably did not go out. A refusal is an
    /// [`ErrorKind::GuardDenied`](crate::ErrorKind::GuardDenied) error naming the rule, with the wait in
    /// [`Error::retry_after`].
    pub async fn before_send(&self, phone: &str, client_key: Option<&str>) -> Result<SendPermit> {
        let phone = normalize_phone(phone, None)?;
        self.send_permit(&phone, None, client_key).await
    }

    /// [`Guard::before_send`] for an already normalized number and its country code.
    pub(crate) async fn send_permit(
        &self,
        phone: &str,
        country_code: Option<&str>,
        client_key: Option<&str>,
    ) -> Result<SendPermit> {
        let cfg = &self.inner.config;
        if client_key.is_none() && cfg.require_client_key {
            return Err(Error::invalid_input(
                "client_key",
                "is required by the guard (require_client_key): pass the caller's IP address, device or session id, \
                 e.g. send_code_for(phone, ip)",
            ));
        }
        let keys = SendKeys::new(cfg, self.inner.rules.budget_on, phone, country_code, client_key)?;
        let (counters, n) = keys.counters(&self.inner);
        let counters = &counters[..n];
        if counters.is_empty() {
            return Ok(SendPermit { guard: self.clone(), keys, event: None });
        }
        let event = self.event();
        let outcome = match &self.inner.memory {
            // The embedded store answers at once: skip the boxed future.
            Some(m) => Ok(m.acquire_at(self.now_ms(), counters, event)),
            None => self.inner.store.acquire(self.now(), counters, event).await,
        };
        let stats = &self.inner.stats;
        match outcome {
            Ok(None) => {
                bump(&stats.sends_allowed);
                Ok(SendPermit { guard: self.clone(), keys, event: Some(event) })
            }
            Ok(Some(denial)) => {
                let (rule, message) = self.describe(counters, &denial, phone);
                let retry = Duration::from_millis(denial.retry_after_ms);
                if cfg.dry_run {
                    bump(&stats.dry_run_denials);
                    tracing::warn!(
                        target: "smsauth::guard",
                        rule = %rule,
                        phone = %mask_phone(phone),
                        retry_after_s = retry.as_secs_f64().ceil(),
                        "dry run: the guard would refuse this send: {message}"
                    );
                    return Ok(SendPermit { guard: self.clone(), keys, event: None });
                }
                bump(&stats.sends_denied);
                tracing::debug!(target: "smsauth::guard", rule = %rule, phone = %mask_phone(phone), "send refused");
                Err(Error::guard_denied(rule, message, Some(retry)))
            }
            Err(e) => {
                self.store_failed(e, "send")?;
                Ok(SendPermit { guard: self.clone(), keys, event: None })
            }
        }
    }

    /// Ask before checking a code for `phone`. Refused ([`ErrorKind::GuardDenied`](crate::ErrorKind::GuardDenied), rule
    /// `check:locked`) while the number is locked after too many wrong codes. On `Ok`, report the
    /// outcome on the permit: [`CheckPermit::passed`] resets the count, [`CheckPermit::refund`]
    /// forgets an attempt that got no answer; dropping the permit counts it as a wrong code.
    pub async fn before_check(&self, phone: &str) -> Result<CheckPermit> {
        let phone = normalize_phone(phone, None)?;
        self.check_permit(&phone, None).await
    }

    /// [`Guard::before_check`] for an already normalized number and its country code.
    pub(crate) async fn check_permit(&self, phone: &str, country_code: Option<&str>) -> Result<CheckPermit> {
        let cfg = &self.inner.config;
        if cfg.wrong_code.max_wrong == 0 {
            return Ok(CheckPermit { guard: self.clone(), key: String::new(), event: None, locked: false });
        }
        let key = match country_code {
            Some(cc) if cc != crate::api::CHINA => format!("k:+{cc}-{phone}"),
            _ => format!("k:{phone}"),
        };
        let event = self.event();
        let stats = &self.inner.stats;
        let begin = match &self.inner.memory {
            Some(m) => Ok(m.check_begin_at(self.now_ms(), &key, &cfg.wrong_code, event)),
            None => self.inner.store.check_begin(self.now(), &key, &cfg.wrong_code, event).await,
        };
        match begin {
            Ok(CheckBegin::Allowed { locked, .. }) => {
                bump(&stats.checks_allowed);
                Ok(CheckPermit { guard: self.clone(), key, event: Some(event), locked })
            }
            Ok(CheckBegin::Locked { retry_after_ms }) => {
                let retry = Duration::from_millis(retry_after_ms);
                let message = format!(
                    "too many wrong codes for this phone number (at most {} within {}): checks are locked; try again \
                     in {} (or send a new code then)",
                    cfg.wrong_code.max_wrong,
                    human_seconds(cfg.wrong_code.window_seconds),
                    human_duration(retry),
                );
                if cfg.dry_run {
                    bump(&stats.dry_run_denials);
                    tracing::warn!(
                        target: "smsauth::guard",
                        rule = "check:locked",
                        phone = %mask_phone(phone),
                        "dry run: the guard would refuse this check: {message}"
                    );
                    return Ok(CheckPermit { guard: self.clone(), key, event: None, locked: false });
                }
                bump(&stats.checks_denied);
                Err(Error::guard_denied("check:locked", message, Some(retry)))
            }
            Err(e) => {
                self.store_failed(e, "check")?;
                Ok(CheckPermit { guard: self.clone(), key, event: None, locked: false })
            }
        }
    }

    /// Apply the fail policy: `Err` to refuse, `Ok` to let the call through unguarded.
    fn store_failed(&self, e: StoreError, what: &str) -> Result<()> {
        let stats = &self.inner.stats;
        bump(&stats.store_errors);
        let store = &self.inner.store_name;
        if self.inner.config.on_store_error == FailPolicy::Open || self.inner.config.dry_run {
            bump(&stats.failed_open);
            tracing::warn!(
                target: "smsauth::guard",
                store = %store,
                error = %e,
                "the guard's store failed; letting this {what} through unguarded (fail open)"
            );
            return Ok(());
        }
        tracing::warn!(target: "smsauth::guard", store = %store, error = %e, "the guard's store failed; refusing this {what} (fail closed)");
        Err(Error::guard_denied(
            "store:unavailable",
            format!(
                "the abuse guard could not reach its store ({store}: {e}), so the {what} was refused and nothing was \
                 sent (the guard fails closed); fix the store, or set on_store_error to Open to let calls through \
                 while it is down"
            ),
            None,
        )
        .with_source(e))
    }

    fn describe(&self, counters: &[Counter<'_>], d: &Denial, phone: &str) -> (String, String) {
        let rules = &self.inner.rules;
        let cfg = &self.inner.config;
        let Some(c) = counters.get(d.counter) else {
            return ("guard".into(), "the guard refused the send".into());
        };
        let limit = c.limits.get(d.limit).copied().unwrap_or(Limit::new(0, 0));
        let wait = human_duration(Duration::from_millis(d.retry_after_ms));
        let per = human_seconds(limit.window_seconds);
        let pick = |names: &[String]| names.get(d.limit).cloned().unwrap_or_default();
        match c.class {
            KeyClass::Phone => (
                pick(&rules.phone),
                format!("too many codes for this phone number (at most {} per {per}); try again in {wait}", limit.max),
            ),
            KeyClass::Client => (
                pick(&rules.client),
                format!(
                    "too many codes requested by this client (at most {} per {per}); try again in {wait}",
                    limit.max
                ),
            ),
            KeyClass::Prefix => {
                let n = (cfg.prefix_digits as usize).min(phone.len());
                (
                    pick(&rules.prefix),
                    format!(
                        "too many codes to numbers starting with {} (at most {} per {per}), which looks like \
                         sequential-number pumping; try again in {wait}",
                        &phone[..n],
                        limit.max
                    ),
                )
            }
            KeyClass::Budget | KeyClass::Check => {
                let cap = match (cfg.daily_money_cap, cfg.price_per_sms) {
                    (Some(cap), Some(price)) if Some(money_sends(cap, price)) == cfg.effective_daily_budget() => {
                        format!("the daily spending cap of {cap} ({} SMS at {price} each)", limit.max)
                    }
                    _ => format!("the daily budget of {} SMS", limit.max),
                };
                (
                    "budget:daily".into(),
                    format!("{cap} in the last 24 hours is used up, so no code was sent; try again in {wait}"),
                )
            }
        }
    }
}

fn human_duration(d: Duration) -> String {
    let s = d.as_millis().div_ceil(1000) as u64;
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s.div_ceil(60))
    } else {
        format!("{:.1} h", s as f64 / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use keys::push_client_id;

    #[test]
    fn urls_are_redacted() {
        use crate::error::redact_url;
        assert_eq!(redact_url("redis://:hunter2@127.0.0.1:6379/0"), "redis://***@127.0.0.1:6379/0");
        assert_eq!(redact_url("redis://user:pw@h/"), "redis://***@h/");
        assert_eq!(redact_url("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
        assert!(!redact_url("not a url:pw@x").contains("pw"));
        let cfg = GuardConfig { redis_url: Some("redis://:hunter2@h:1".into()), ..GuardConfig::default() };
        assert!(!format!("{cfg:?}").contains("hunter2"));
    }

    #[test]
    fn long_client_keys_are_hashed_and_empty_ones_refused() {
        let id = |k: &str| {
            let mut s = String::new();
            push_client_id(&mut s, k).map(|()| s)
        };
        assert_eq!(id(" 203.0.113.9 ").unwrap(), "203.0.113.9");
        let long = "s".repeat(200);
        assert_eq!(id(&long).unwrap().len(), 65);
        assert_eq!(id(&long).unwrap(), id(&long).unwrap());
        assert_ne!(id(&long).unwrap(), id(&"t".repeat(200)).unwrap());
        assert_eq!(id("  ").unwrap_err().field(), Some("client_key"));
    }

    #[test]
    fn helpers_format_for_humans() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(human_seconds(60), "60 s");
        assert_eq!(human_seconds(3600), "1 h");
        assert_eq!(human_seconds(86_400), "24 h");
        assert_eq!(human_duration(Duration::from_millis(1)), "1 s");
        assert_eq!(human_duration(Duration::from_secs(900)), "15 min");
        assert_eq!(money_sends(0.15, 0.05), 3);
    }
}
