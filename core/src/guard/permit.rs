//! What a guard check hands back: [`SendPermit`] (refund an unsent SMS's slot) and
//! [`CheckPermit`] (report whether the code passed).

use super::keys::SendKeys;
use super::{CheckEnd, Guard, bump};

/// A send the guard allowed and recorded. Keep it until the send's outcome is known; dropping it
/// keeps the send counted.
#[derive(Debug)]
#[must_use = "a permit should be refunded when the SMS provably did not go out"]
pub struct SendPermit {
    pub(super) guard: Guard,
    pub(super) keys: SendKeys,
    pub(super) event: Option<u64>,
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
    pub(super) guard: Guard,
    pub(super) key: String,
    pub(super) event: Option<u64>,
    pub(super) locked: bool,
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
