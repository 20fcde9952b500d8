//! The core's reports as plain records: each field of a [`CallEvent`], [`ClientStats`] or
//! [`GuardStats`] declared once, in one order, as a `(name, value)` pair whose value has one of
//! the few shapes every language has ([`Value`]). A binding converts a report with one generic
//! function (Python: a `dict`; Node: an object, spelling each snake_case name its own way)
//! instead of naming every field, so a field added here reaches every language.
//!
//! ```
//! use smsauth::record::Value;
//! let stats = smsauth::GuardStats::default();
//! let record = stats.record();
//! assert_eq!(record[0], ("sends_allowed", Value::Unsigned(0)));
//! ```

use crate::{CallEvent, ClientStats, GuardStats, LATENCY_BUCKETS_MS};

/// One field's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// Absent: `None`, `null`.
    None,
    /// A boolean.
    Bool(bool),
    /// A whole number ≥ 0.
    Unsigned(u64),
    /// A number with a fraction (a duration in milliseconds).
    Float(f64),
    /// Text.
    Text(&'a str),
    /// A list of texts.
    Texts(&'a [String]),
    /// A list of whole numbers.
    Numbers(&'a [u64]),
    /// Counts by name, in name order.
    Counts(Vec<(&'a str, u64)>),
}

/// A report's fields in their declared order.
pub type Record<'a> = Vec<(&'static str, Value<'a>)>;

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(v)
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(v)
    }
}

impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<u64> for Value<'_> {
    fn from(v: u64) -> Self {
        Value::Unsigned(v)
    }
}

impl From<u32> for Value<'_> {
    fn from(v: u32) -> Self {
        Value::Unsigned(v.into())
    }
}

impl From<u16> for Value<'_> {
    fn from(v: u16) -> Self {
        Value::Unsigned(v.into())
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::None, Into::into)
    }
}

impl CallEvent {
    /// The event's fields (the Python `on_event` dict and log `extra`, the Node
    /// `diagnostics_channel` context in camelCase). `elapsed_ms` is the elapsed time in
    /// milliseconds, `guard_decision` is [`CallEvent::guard`], `error_kind` the error's
    /// [`ErrorKind::name`](crate::ErrorKind::name).
    pub fn record(&self) -> Record<'_> {
        vec![
            ("action", self.action.into()),
            ("signature_version", self.signature_version.as_str().into()),
            ("server_address", (&self.server_address).into()),
            ("server_port", self.server_port.into()),
            ("attempts", self.attempts.into()),
            ("retry_reasons", Value::Texts(&self.retry_reasons)),
            ("http_status", self.http_status.into()),
            ("service_code", self.service_code.as_ref().into()),
            ("request_id", self.request_id.as_ref().into()),
            ("elapsed_ms", Value::Float(self.elapsed.as_secs_f64() * 1000.0)),
            ("delivery", self.delivery.as_str().into()),
            ("guard_decision", self.guard.as_str().into()),
            ("guard_rule", self.guard_rule.as_ref().into()),
            ("phone", (&self.phone).into()),
            ("passed", self.passed.into()),
            ("error_kind", self.error.map(|k| k.name()).into()),
        ]
    }
}

impl ClientStats {
    /// The counters' fields, with `latency_bounds_ms` ([`LATENCY_BUCKETS_MS`]) next to the
    /// buckets they bound.
    pub fn record(&self) -> Record<'_> {
        vec![
            ("sends", self.sends.into()),
            ("checks", self.checks.into()),
            ("passes", self.passes.into()),
            ("guard_denials", Value::Counts(self.guard_denials.iter().map(|(k, n)| (k.as_str(), *n)).collect())),
            ("errors", Value::Counts(self.errors.iter().map(|(k, n)| (*k, *n)).collect())),
            ("latency_bounds_ms", Value::Numbers(&LATENCY_BUCKETS_MS)),
            ("latency_buckets", Value::Numbers(&self.latency_buckets)),
            ("latency_sum_ms", self.latency_sum_ms.into()),
        ]
    }
}

impl GuardStats {
    /// The guard's counters.
    pub fn record(&self) -> Record<'static> {
        vec![
            ("sends_allowed", self.sends_allowed.into()),
            ("sends_denied", self.sends_denied.into()),
            ("checks_allowed", self.checks_allowed.into()),
            ("checks_denied", self.checks_denied.into()),
            ("dry_run_denials", self.dry_run_denials.into()),
            ("store_errors", self.store_errors.into()),
            ("failed_open", self.failed_open.into()),
            ("refunds", self.refunds.into()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_records_name_every_counter_once() {
        let stats = ClientStats { sends: 2, errors: [("throttled", 1)].into(), ..Default::default() };
        let record = stats.record();
        assert_eq!(record[0], ("sends", Value::Unsigned(2)));
        assert_eq!(record[4], ("errors", Value::Counts(vec![("throttled", 1)])));
        assert_eq!(record[5].1, Value::Numbers(&LATENCY_BUCKETS_MS));
        let names: std::collections::BTreeSet<_> = record.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), record.len());
        assert_eq!(GuardStats { refunds: 3, ..Default::default() }.record()[7], ("refunds", Value::Unsigned(3)));
    }
}
