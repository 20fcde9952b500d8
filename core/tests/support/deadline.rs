//! The one bound every correctness test puts on a call that has a deadline (used by the core's
//! and the emulator's tests; the Python, Node and C suites have the same rule with the same
//! numbers). The documented promise is "a call returns within its deadline plus 10 %"; a busy
//! 2-core machine running the suites in parallel can delay a thread by a few hundred
//! milliseconds without the code being wrong, so the slack is never less than [`SLACK_FLOOR`].
//! Throughput and latency figures belong in benchmarks, not in these checks.

use std::time::Duration;

/// The least slack a deadline check allows on top of the deadline.
pub const SLACK_FLOOR: Duration = Duration::from_millis(250);

/// The most a call bounded by `deadline` may take: the deadline plus 10 %, or plus
/// [`SLACK_FLOOR`] when that is more.
pub fn limit(deadline: Duration) -> Duration {
    deadline + (deadline / 10).max(SLACK_FLOOR)
}
