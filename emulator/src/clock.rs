//! The emulated clock: real time flowing from a start point, plus whatever tests advanced it by.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(Debug)]
pub(crate) struct Clock {
    start: u64,
    started: Instant,
    offset: AtomicU64,
}

impl Clock {
    pub(crate) fn new(start: Option<u64>) -> Self {
        Clock {
            start: start.unwrap_or_else(smsauth::sign::unix_now),
            started: Instant::now(),
            offset: AtomicU64::new(0),
        }
    }

    /// Emulated Unix seconds.
    pub(crate) fn now(&self) -> u64 {
        self.start.saturating_add(self.started.elapsed().as_secs()).saturating_add(self.offset.load(Ordering::Relaxed))
    }

    pub(crate) fn advance(&self, seconds: u64) {
        // fetch_update never fails with a closure that always returns Some.
        let _ = self.offset.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| Some(o.saturating_add(seconds)));
    }

    pub(crate) fn reset(&self) {
        self.offset.store(0, Ordering::Relaxed);
    }
}
