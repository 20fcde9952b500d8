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
mod memory;
#[cfg(feature = "guard-redis")]
mod redis;
mod store;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use clock::{Clock, ManualClock};
pub use memory::MemoryStore;
#[cfg(feature = "guard-redis")]
pub use redis::RedisStore;
pub use store::{
    CheckBegin, CheckEnd, Counter, Denial, GuardStore, KeyClass, Limit, StoreError, StoreFuture, WrongCodeLimit,
};

use crate::api::{mask_phone, normalize_phone};
use crate::error::{Error, Result};

/// What the guard does when its store fails (unreachable, too slow, a bad answer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FailPolicy {
    /// Refuse the call with a [`ErrorKind::GuardDenied`](crate::ErrorKind::GuardDenied) error whose rule is
    /// `store:unavailable` (the default: no SMS goes out unguarded, so no bill shock while the
    /// store is down).
    #[default]
    Closed,
    /// Let the call through and log a warning (availability first).
    Open,
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
        [FailPolicy::Closed, FailPolicy::Open].into_iter().find(|p| p.as_str() == s).ok_or_else(|| {
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
    /// (`tracing`, target `smsauth::guard`) and [`GuardStats::dry_run_denials`] counted. Use it to
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
        for (field, limits) in
            [("guard.phone", &self.phone), ("guard.client", &self.client), ("guard.prefix", &self.prefix)]
        {
            if limits.len() > 8 {
                return Err(Error::invalid_input(field, "at most 8 limits per rule"));
            }
            for l in limits {
                if l.max == 0 || l.max > 1_000_000 {
                    return Err(Error::invalid_input(
                        field,
                        format_args!(
                            "max must be between 1 and 1000000, got {} (to turn the rule off, use no limit)",
                            l.max
                        ),
                    ));
                }
                if l.window_seconds == 0 || l.window_seconds > MAX_WINDOW_SECONDS {
                    return Err(Error::invalid_input(
                        field,
                        format_args!(
                            "window_seconds must be between 1 and {MAX_WINDOW_SECONDS} (31 days), got {}",
                            l.window_seconds
                        ),
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
                format_args!("must be between 1 and 10000000 sends, got {n} (use None to turn it off)"),
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
                    "needs price_per_sms (the price of one SMS in the same currency)",
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
                return Err(Error::invalid_input("guard.wrong_code", "max_wrong must be at most 1000"));
            }
            if w.window_seconds == 0 || w.window_seconds > MAX_WINDOW_SECONDS {
                return Err(Error::invalid_input(
                    "guard.wrong_code",
                    format_args!("window_seconds must be between 1 and {MAX_WINDOW_SECONDS}, got {}", w.window_seconds),
                ));
            }
            if w.lockout_seconds == 0 || w.lockout_seconds > MAX_WINDOW_SECONDS {
                return Err(Error::invalid_input(
                    "guard.wrong_code",
                    format_args!(
                        "lockout_seconds must be between 1 and {MAX_WINDOW_SECONDS}, got {}",
                        w.lockout_seconds
                    ),
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

const MAX_WINDOW_SECONDS: u64 = 31 * 86_400;
const DAY_SECONDS: u64 = 86_400;

fn money_sends(cap: f64, price: f64) -> u32 {
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
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("redis_key_prefix", &self.redis_key_prefix)
            .field("store_timeout_ms", &self.store_timeout_ms)
            .finish()
    }
}

/// `url` with any password replaced by `***` (also for unparsable input).
pub(crate) fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => match url.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => url.to_owned(),
        },
    }
}

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

/// The keys of one send in one buffer (`p:…`, `c:…`, `x:…`), kept so the permit can give the
/// slot back.
#[derive(Debug)]
struct SendKeys {
    buf: String,
    phone: Option<(usize, usize)>,
    client: Option<(usize, usize)>,
    prefix: Option<(usize, usize)>,
    budget: bool,
}

impl SendKeys {
    fn new(
        cfg: &GuardConfig,
        budget: bool,
        phone: &str,
        country_code: Option<&str>,
        client_key: Option<&str>,
    ) -> Result<SendKeys> {
        use std::fmt::Write;
        let mut buf = String::with_capacity(48);
        let id = |buf: &mut String, tag: &str| {
            buf.push_str(tag);
            match country_code {
                Some(cc) if cc != crate::api::CHINA => {
                    let _ = write!(buf, "+{cc}-{phone}");
                }
                _ => buf.push_str(phone),
            }
        };
        let phone_key = (!cfg.phone.is_empty()).then(|| {
            id(&mut buf, "p:");
            (0, buf.len())
        });
        let client = match client_key {
            Some(k) if !cfg.client.is_empty() => {
                let start = buf.len();
                buf.push_str("c:");
                push_client_id(&mut buf, k)?;
                Some((start, buf.len()))
            }
            Some(k) => {
                // Validate even when no client rule is set, so a bad key is found early.
                push_client_id(&mut String::new(), k)?;
                None
            }
            None => None,
        };
        let prefix = if cfg.prefix.is_empty() {
            None
        } else {
            let start = buf.len();
            id(&mut buf, "x:");
            let digits = buf.len() - start - 2;
            buf.truncate(start + 2 + digits.min(cfg.prefix_digits as usize));
            Some((start, buf.len()))
        };
        Ok(SendKeys { buf, phone: phone_key, client, prefix, budget })
    }

    fn key(&self, span: (usize, usize)) -> &str {
        self.buf.get(span.0..span.1).unwrap_or_default()
    }

    fn counters<'a>(&'a self, inner: &'a GuardInner) -> ([Counter<'a>; 4], usize) {
        let cfg = &inner.config;
        let none = Counter { class: KeyClass::Budget, key: "", limits: &[] };
        let mut v = [none; 4];
        let mut n = 0;
        let mut push = |c: Counter<'a>| {
            v[n] = c;
            n += 1;
        };
        if let Some(k) = self.phone {
            push(Counter { class: KeyClass::Phone, key: self.key(k), limits: &cfg.phone });
        }
        if let Some(k) = self.client {
            push(Counter { class: KeyClass::Client, key: self.key(k), limits: &cfg.client });
        }
        if let Some(k) = self.prefix {
            push(Counter { class: KeyClass::Prefix, key: self.key(k), limits: &cfg.prefix });
        }
        if self.budget {
            push(Counter { class: KeyClass::Budget, key: "b", limits: &inner.rules.budget });
        }
        (v, n)
    }
}

/// A send the guard allowed and recorded. Keep it until the send's outcome is known; dropping it
/// keeps the send counted.
#[derive(Debug)]
#[must_use = "a permit should be refunded when the SMS provably did not go out"]
pub struct SendPermit {
    guard: Guard,
    keys: SendKeys,
    event: Option<u64>,
}

impl SendPermit {
    /// Whether the send was recorded (`false` in dry-run or fail-open passes, or with no rule).
    pub fn is_recorded(&self) -> bool {
        self.event.is_some()
    }

    /// Give the slot back: the SMS provably did not go out (the request never reached the
    /// service). A store failure here is logged, not returned.
    pub async fn refund(self) {
        let Some(event) = self.event else { return };
        let inner = &self.guard.inner;
        let (counters, n) = self.keys.counters(inner);
        match inner.store.release(self.guard.now(), &counters[..n], event).await {
            Ok(()) => bump(&inner.stats.refunds),
            Err(e) => {
                bump(&inner.stats.store_errors);
                tracing::warn!(target: "smsauth::guard", error = %e, "could not give back an unsent SMS's slot");
            }
        }
    }
}

/// A check the guard allowed; it counts as a wrong code unless [`CheckPermit::passed`] or
/// [`CheckPermit::refund`] says otherwise.
#[derive(Debug)]
#[must_use = "report a passing code with passed(), or an unanswered check with refund()"]
pub struct CheckPermit {
    guard: Guard,
    key: String,
    event: Option<u64>,
    locked: bool,
}

impl CheckPermit {
    /// Whether this attempt used the last try: if its code is wrong, the number is now locked.
    pub fn is_last_try(&self) -> bool {
        self.locked
    }

    /// The code was right: forget the wrong codes and any lock for this number.
    pub async fn passed(self) {
        self.end(CheckEnd::Passed).await;
    }

    /// The code was wrong (the attempt stays counted; same as dropping the permit).
    pub fn failed(self) {
        if self.locked {
            tracing::info!(target: "smsauth::guard", "too many wrong codes: checks for this number are now locked");
        }
    }

    /// The check got no answer: do not count it as a wrong code.
    pub async fn refund(self) {
        self.end(CheckEnd::Refund).await;
    }

    async fn end(self, end: CheckEnd) {
        let inner = &self.guard.inner;
        if self.key.is_empty() {
            return;
        }
        // A passing code resets the count even when this attempt was not recorded (dry run).
        let event = match (self.event, end) {
            (Some(e), _) => e,
            (None, CheckEnd::Passed) => 0,
            (None, CheckEnd::Refund) => return,
        };
        let limit = &inner.config.wrong_code;
        let result = match &inner.memory {
            Some(m) => {
                m.check_end_at(self.guard.now_ms(), &self.key, limit, event, end);
                Ok(())
            }
            None => inner.store.check_end(self.guard.now(), &self.key, limit, event, end).await,
        };
        if let Err(e) = result {
            bump(&inner.stats.store_errors);
            tracing::warn!(target: "smsauth::guard", error = %e, ?end, "could not record a check's outcome");
        }
    }
}

/// Append the stored form of a client key: as given when short, else `#` and its SHA-256
/// (bounded memory; a long opaque session token never lands in a store as such).
fn push_client_id(out: &mut String, key: &str) -> Result<()> {
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::invalid_input(
            "client_key",
            "must not be empty; pass the caller's IP address, device or session id, or no key at all",
        ));
    }
    if key.len() <= 64 {
        out.push_str(key);
        return Ok(());
    }
    use sha2::Digest;
    use std::fmt::Write;
    let digest = sha2::Sha256::digest(key.as_bytes());
    out.push('#');
    for b in digest.iter() {
        let _ = write!(out, "{b:02x}");
    }
    Ok(())
}

fn human_seconds(s: u64) -> String {
    match s {
        86_400 => "24 h".into(),
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 && s >= 120 => format!("{} min", s / 60),
        s => format!("{s} s"),
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

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("redis://:hunter2@127.0.0.1:6379/0"), "redis://:***@127.0.0.1:6379/0");
        assert_eq!(redact_url("redis://user:pw@h/"), "redis://user:***@h/");
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
