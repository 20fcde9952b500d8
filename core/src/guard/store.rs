//! The storage interface of the guard: where the per-key event logs live.
//!
//! A store answers four atomic questions; the [`super::Guard`] decides which keys and limits to
//! ask about and turns answers into errors. Implement [`GuardStore`] to keep the state somewhere
//! else (a database, another cache); [`super::MemoryStore`] and, with the `guard-redis` feature,
//! [`super::RedisStore`] are the two that ship.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// The future returned by [`GuardStore`] methods.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A limit: at most `max` events in any sliding window of `window_seconds`.
///
/// ```
/// use smsauth::guard::Limit;
/// assert_eq!(Limit::per_minute(1), Limit { max: 1, window_seconds: 60 });
/// assert_eq!(Limit::per_hour(5).to_string(), "5/3600s");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limit {
    /// The most events allowed in the window (at least 1).
    pub max: u32,
    /// The window length in seconds (at least 1).
    pub window_seconds: u64,
}

impl Limit {
    /// At most `max` per `window_seconds`.
    pub const fn new(max: u32, window_seconds: u64) -> Self {
        Limit { max, window_seconds }
    }

    /// At most `max` per minute.
    pub const fn per_minute(max: u32) -> Self {
        Limit::new(max, 60)
    }

    /// At most `max` per hour.
    pub const fn per_hour(max: u32) -> Self {
        Limit::new(max, 3600)
    }

    /// At most `max` per 24 hours.
    pub const fn per_day(max: u32) -> Self {
        Limit::new(max, 86_400)
    }

    /// The window in milliseconds.
    pub const fn window_ms(&self) -> u64 {
        self.window_seconds.saturating_mul(1000)
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}s", self.max, self.window_seconds)
    }
}

/// The wrong-code rule for checks: after `max_wrong` wrong codes for one phone number within
/// `window_seconds`, checks for that number are refused for `lockout_seconds`. A passing check
/// resets the count. `max_wrong = 0` turns the rule off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WrongCodeLimit {
    /// Wrong codes allowed before the lock (the last of them still gets its answer).
    pub max_wrong: u32,
    /// How long a wrong code counts, in seconds.
    pub window_seconds: u64,
    /// How long the lock lasts, in seconds.
    pub lockout_seconds: u64,
}

impl Default for WrongCodeLimit {
    /// 5 wrong codes within an hour lock the number for 15 minutes.
    fn default() -> Self {
        WrongCodeLimit { max_wrong: 5, window_seconds: 3600, lockout_seconds: 900 }
    }
}

/// What a key counts, so stores can keep and evict each kind separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyClass {
    /// Sends per phone number.
    Phone,
    /// Sends per client key (IP address, device or session).
    Client,
    /// Sends per number prefix.
    Prefix,
    /// All sends (the daily budget).
    Budget,
    /// Check attempts per phone number (the wrong-code rule).
    Check,
}

impl KeyClass {
    /// Every class, in [`KeyClass::index`] order.
    pub const ALL: [KeyClass; 5] =
        [KeyClass::Phone, KeyClass::Client, KeyClass::Prefix, KeyClass::Budget, KeyClass::Check];

    /// A dense index (0–4), for per-class tables.
    pub const fn index(self) -> usize {
        match self {
            KeyClass::Phone => 0,
            KeyClass::Client => 1,
            KeyClass::Prefix => 2,
            KeyClass::Budget => 3,
            KeyClass::Check => 4,
        }
    }

    /// The one-letter tag that starts this class's keys (`p:13800138000`, `c:…`, `x:…`, `b`, `k:…`).
    pub const fn tag(self) -> &'static str {
        match self {
            KeyClass::Phone => "p",
            KeyClass::Client => "c",
            KeyClass::Prefix => "x",
            KeyClass::Budget => "b",
            KeyClass::Check => "k",
        }
    }
}

/// One key of a send and the limits that apply to it.
#[derive(Clone, Copy, Debug)]
pub struct Counter<'a> {
    /// What the key counts.
    pub class: KeyClass,
    /// The key, e.g. `p:13800138000` (stores may add a namespace).
    pub key: &'a str,
    /// The limits on this key's events (at least one).
    pub limits: &'a [Limit],
}

impl Counter<'_> {
    /// The longest window of this key's limits, in ms: older events can be forgotten.
    pub fn keep_ms(&self) -> u64 {
        self.limits.iter().map(Limit::window_ms).max().unwrap_or(0)
    }

    /// The largest `max` of this key's limits: more events than this never change an answer.
    pub fn cap(&self) -> u32 {
        self.limits.iter().map(|l| l.max).max().unwrap_or(0)
    }
}

/// A refusal from [`GuardStore::acquire`]: which counter and limit, and when it allows again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denial {
    /// Index into the counters passed to `acquire`.
    pub counter: usize,
    /// Index into that counter's limits.
    pub limit: usize,
    /// Milliseconds until the limit allows one more event.
    pub retry_after_ms: u64,
}

/// The answer of [`GuardStore::check_begin`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckBegin {
    /// The attempt is recorded (counted as wrong until [`CheckEnd`] says otherwise).
    Allowed {
        /// Attempts now counted for this key, this one included.
        attempts: u32,
        /// This attempt reached the limit: later ones are refused until the lock ends.
        locked: bool,
    },
    /// The key is locked; nothing was recorded.
    Locked {
        /// Milliseconds until the lock ends.
        retry_after_ms: u64,
    },
}

/// How a check that began with [`CheckBegin::Allowed`] ended, when that changes the count (a
/// wrong code needs no second call: it was counted when the check began).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckEnd {
    /// The code was right: forget every attempt and any lock for this key.
    Passed,
    /// The check never got an answer: remove this attempt (and the lock, if it no longer holds).
    Refund,
}

/// A store failure (unreachable, timed out, bad answer). The guard applies its
/// [`super::FailPolicy`].
#[derive(Debug)]
pub struct StoreError {
    message: String,
    timed_out: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StoreError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        StoreError { message: message.into(), timed_out: false, source: None }
    }

    /// A store that did not answer in time.
    pub fn timeout(message: impl Into<String>) -> Self {
        StoreError { timed_out: true, ..StoreError::new(message) }
    }

    /// Attach the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Whether the store did not answer within its timeout.
    pub fn is_timeout(&self) -> bool {
        self.timed_out
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Where the guard keeps its per-key event logs.
///
/// Every method must be atomic with respect to every other call on the same keys (also from
/// other processes, for a shared store), and must finish or fail within a bounded time: the
/// guard waits for it before any SMS is sent.
///
/// Time: `now_ms` is `Some` when the guard runs on a test clock ([`super::ManualClock`]); `None`
/// means real time, where a shared store should use one clock for all its clients (Redis uses
/// its server's `TIME`).
///
/// Windows are exact and sliding: an event at `t` counts against a limit of window `w` while
/// `now < t + w`.
pub trait GuardStore: Send + Sync + fmt::Debug + 'static {
    /// A short description for logs and errors, e.g. `memory` or `redis redis://10.0.0.5:6379/0`
    /// (never a password).
    fn name(&self) -> String {
        "custom store".into()
    }

    /// If every limit of every counter allows one more event, record event `event` under every
    /// counter's key and return `None`; otherwise record nothing and return the denial with the
    /// longest wait.
    fn acquire<'a>(
        &'a self,
        now_ms: Option<u64>,
        counters: &'a [Counter<'a>],
        event: u64,
    ) -> StoreFuture<'a, Option<Denial>>;

    /// Forget event `event` under every counter's key (the send never reached the service).
    fn release<'a>(&'a self, now_ms: Option<u64>, counters: &'a [Counter<'a>], event: u64) -> StoreFuture<'a, ()>;

    /// Begin a check for `key`: refuse while locked; otherwise forget attempts older than the
    /// window (and all of them if a lock has ended), record attempt `event`, and lock the key
    /// for `limit.lockout_seconds` when the count reaches `limit.max_wrong`.
    fn check_begin<'a>(
        &'a self,
        now_ms: Option<u64>,
        key: &'a str,
        limit: &'a WrongCodeLimit,
        event: u64,
    ) -> StoreFuture<'a, CheckBegin>;

    /// End a check that began with [`CheckBegin::Allowed`] (see [`CheckEnd`]).
    fn check_end<'a>(
        &'a self,
        now_ms: Option<u64>,
        key: &'a str,
        limit: &'a WrongCodeLimit,
        event: u64,
        end: CheckEnd,
    ) -> StoreFuture<'a, ()>;
}

/// Real time in milliseconds since the Unix epoch.
pub(crate) fn system_now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
