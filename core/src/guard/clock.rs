//! Time for the guard: real time by default, a hand-moved clock for tests.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A source of time for [`super::Guard::with_clock`], in milliseconds since any fixed epoch.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time in milliseconds.
    fn now_ms(&self) -> u64;
}

/// A clock that moves only when told to — for tests of windows, edges and locks without
/// sleeping. Clones share the same time.
///
/// ```
/// use smsauth::guard::{Clock, ManualClock};
/// use std::time::Duration;
/// let clock = ManualClock::new(1_000);
/// clock.advance(Duration::from_secs(60));
/// assert_eq!(clock.now_ms(), 61_000);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    ms: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock showing `start_ms`.
    pub fn new(start_ms: u64) -> Self {
        ManualClock { ms: Arc::new(AtomicU64::new(start_ms)) }
    }

    /// Move forward by `by` (millisecond precision).
    pub fn advance(&self, by: Duration) {
        self.ms.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    /// Move forward by `seconds`.
    pub fn advance_secs(&self, seconds: u64) {
        self.ms.fetch_add(seconds.saturating_mul(1000), Ordering::SeqCst);
    }

    /// Move forward by `ms` milliseconds.
    pub fn advance_ms(&self, ms: u64) {
        self.ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// Show `ms` from now on.
    pub fn set_ms(&self, ms: u64) {
        self.ms.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.ms.load(Ordering::SeqCst)
    }
}
