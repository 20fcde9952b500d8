//! The clock the single-core benches time with. Default: wall time (what criterion uses).
//! With `SMSAUTH_BENCH_CLOCK=cpu`: the benchmarking thread's own CPU time, which time-slicing
//! on a busy shared machine does not inflate (cache and memory-bus contention still do), so
//! before/after comparisons stay meaningful there. Say which clock a published figure used.

use std::time::{Duration, Instant};

/// `true` when `SMSAUTH_BENCH_CLOCK=cpu`.
pub fn cpu_clock() -> bool {
    std::env::var("SMSAUTH_BENCH_CLOCK").is_ok_and(|v| v == "cpu")
}

/// This thread's CPU time so far.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec and CLOCK_THREAD_CPUTIME_ID is supported by
    // every Linux kernel; the call only writes `ts`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// How long `f` takes on the chosen clock.
pub fn time(f: impl FnOnce()) -> Duration {
    if cpu_clock() {
        let start = thread_cpu_time();
        f();
        thread_cpu_time().saturating_sub(start)
    } else {
        let start = Instant::now();
        f();
        start.elapsed()
    }
}
