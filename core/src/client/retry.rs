//! When to try again — and, above all, when not to.
//!
//! A retry is made only when the previous attempt provably did not reach the service: the
//! connection was never made (DNS, refused, connect timeout), or the gateway refused it with
//! `Throttling*` before the service ran. A `5xx` is retried for `CheckSmsVerifyCode` only.
//! `SendSmsVerifyCode` is never re-sent after it may have been received (a timeout or a
//! connection lost mid-request), because that could deliver a second SMS.

use std::time::Duration;

use crate::error::{Delivery, Error, ErrorKind, is_throttling_code};

/// Bounded exponential backoff with jitter.
///
/// ```
/// use std::time::Duration;
/// let policy = smsauth::RetryPolicy { max_attempts: 5, ..Default::default() };
/// assert_eq!(policy.initial_backoff, Duration::from_millis(100));
/// assert_eq!(smsauth::RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (1 = no retries). Default 3.
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles each time. Default 100 ms.
    pub initial_backoff: Duration,
    /// Upper bound of one backoff. Default 2 s.
    pub max_backoff: Duration,
    /// The longest server-requested wait (`x-acs-retry-after`/`Retry-After`) we honour by
    /// waiting; a longer one is returned to the caller as a throttling error. Default 5 s.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The most attempts a policy may ask for.
    pub const MAX_ATTEMPTS: u32 = 10;

    /// Check the ranges: `max_attempts` 1–[`RetryPolicy::MAX_ATTEMPTS`], every duration at
    /// most [`super::MAX_DURATION`]. The error names the field (`retry.max_attempts`, …).
    ///
    /// ```
    /// use std::time::Duration;
    /// let huge = smsauth::RetryPolicy { max_backoff: Duration::MAX, ..Default::default() };
    /// assert_eq!(huge.validate().unwrap_err().field(), Some("retry.max_backoff"));
    /// ```
    pub fn validate(&self) -> crate::Result<()> {
        if !(1..=Self::MAX_ATTEMPTS).contains(&self.max_attempts) {
            return Err(Error::invalid_input(
                "retry.max_attempts",
                format_args!("must be between 1 and {}, got {}", Self::MAX_ATTEMPTS, self.max_attempts),
            ));
        }
        for (field, d) in [
            ("retry.initial_backoff", self.initial_backoff),
            ("retry.max_backoff", self.max_backoff),
            ("retry.max_retry_after", self.max_retry_after),
        ] {
            super::check_duration(field, d, false)?;
        }
        Ok(())
    }

    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..Default::default() }
    }

    /// How long to wait before attempt `attempt + 1` after `err`, or `None` to give up.
    /// `repeatable` is false for calls whose repeat the user would notice (sending an SMS).
    pub(crate) fn delay_after(&self, attempt: u32, err: &Error, repeatable: bool) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let throttled_by_gateway =
            err.kind() == ErrorKind::Throttled && err.service_code().is_some_and(is_throttling_code);
        let never_connected = err.kind() == ErrorKind::Network && err.delivery() == Delivery::NotReceived;
        let server_error = err.http_status().is_some_and(|s| s >= 500) && err.kind() != ErrorKind::Throttled;
        if throttled_by_gateway {
            if let Some(after) = err.retry_after() {
                return (after <= self.max_retry_after).then_some(after);
            }
        } else if !(never_connected || (repeatable && server_error)) {
            return None;
        }
        Some(self.backoff(attempt))
    }

    /// Equal-jitter exponential backoff: half fixed, half random.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.initial_backoff.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_backoff);
        let mut r = [0u8; 4];
        let jitter = if getrandom::fill(&mut r).is_ok() { u32::from_le_bytes(r) as f64 / u32::MAX as f64 } else { 0.5 };
        cap / 2 + cap.mul_f64(jitter / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceDetail;

    fn service(kind: ErrorKind, code: &str, status: u16, delivery: Delivery) -> Error {
        Error::new(kind, "x")
            .with_service(ServiceDetail { code: code.into(), http_status: status, ..Default::default() })
            .with_delivery(delivery)
    }

    #[test]
    fn retries_only_what_provably_did_not_arrive() {
        let p = RetryPolicy::default();
        let refused = Error::new(ErrorKind::Network, "refused");
        assert!(p.delay_after(1, &refused, false).is_some());
        let lost = Error::new(ErrorKind::Network, "reset").with_delivery(Delivery::Unknown);
        assert!(p.delay_after(1, &lost, false).is_none());
        assert!(p.delay_after(1, &lost, true).is_none());
        let timeout = Error::new(ErrorKind::Timeout, "t").with_delivery(Delivery::Unknown);
        assert!(p.delay_after(1, &timeout, false).is_none());
        let gw = service(ErrorKind::Throttled, "Throttling.User", 429, Delivery::NotReceived);
        assert!(p.delay_after(1, &gw, false).is_some());
        let gw_wait = service(ErrorKind::Throttled, "Throttling.User", 429, Delivery::NotReceived)
            .with_retry_after(Some(Duration::from_millis(300)));
        assert_eq!(p.delay_after(1, &gw_wait, false), Some(Duration::from_millis(300)));
        let gw_long = gw_wait.with_retry_after(Some(Duration::from_secs(60)));
        assert_eq!(p.delay_after(1, &gw_long, false), None);
        let freq = service(ErrorKind::Throttled, "biz.FREQUENCY", 200, Delivery::Answered);
        assert!(p.delay_after(1, &freq, true).is_none());
        let five = service(ErrorKind::Service, "InternalError", 500, Delivery::Answered);
        assert!(p.delay_after(1, &five, false).is_none(), "Send is never retried after a 5xx");
        assert!(p.delay_after(1, &five, true).is_some(), "Check is");
        assert!(p.delay_after(3, &refused, true).is_none(), "bounded");
        assert!(RetryPolicy::none().delay_after(1, &refused, true).is_none());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for attempt in 1..20 {
            let d = p.backoff(attempt);
            let cap = (p.initial_backoff * 2u32.pow((attempt - 1).min(16))).min(p.max_backoff);
            assert!(d >= cap / 2 && d <= cap, "{attempt}: {d:?}");
        }
    }
}
