//! Guard overhead per call: `cargo bench -p smsauth --bench guard`.
//!
//! - `guard_memory/*`: the in-memory store (the default), default limits. `send_allowed` checks
//!   and records all four keys of a send (number, client, prefix, budget) on a steady site;
//!   `send_allowed_flood` does the same for a new number every call (the table fills up to
//!   `max_keys` and then evicts); `send_denied` is a refused send (error built); `check` is a
//!   check's begin and end.
//! - `guard_redis/*` (with `--features guard-redis` and `SMSAUTH_BENCH_REDIS_URL` or
//!   `SMSAUTH_TEST_REDIS_URL` set; skipped otherwise): the same send against a real Redis, next to
//!   a bare `PING` round trip for comparison.
//!
//! Medians are in `target/criterion/<group>/<name>/new/estimates.json`.

#![allow(clippy::unwrap_used, missing_docs)]

use std::fmt::Write;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt;
use smsauth::guard::{Guard, GuardConfig, ManualClock};

/// The `i`-th number of a spread-out sequence (a multiplicative walk over 10^10), so prefixes
/// rarely repeat within an hour, as with real traffic.
fn phone(buf: &mut String, i: u64) {
    buf.clear();
    let _ = write!(buf, "1{:010}", (i.wrapping_mul(2_654_435_761)) % 10_000_000_000);
}

fn memory(c: &mut Criterion) {
    let mut g = c.benchmark_group("guard_memory");
    g.measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));

    let clients: Vec<String> = (0..1000).map(|i| format!("10.0.{}.{}", i / 256, i % 256)).collect();
    let config = GuardConfig { daily_budget: Some(10_000_000), ..GuardConfig::default() };
    let mut buf = String::new();

    // A steady site: 1000 numbers and 1000 clients in rotation (about 3000 live keys), a call
    // every 10 s of guard time, every call allowed and recorded under its four keys.
    let clock = ManualClock::new(1_750_000_000_000);
    let guard = Guard::new(config.clone()).unwrap().with_clock(clock.clone());
    let mut i = 0u64;
    g.bench_function("send_allowed", |b| {
        b.iter(|| {
            i += 1;
            clock.advance_ms(10_000);
            phone(&mut buf, i % 1000);
            let permit = guard.before_send(&buf, Some(&clients[(i % 1000) as usize])).now_or_never().unwrap();
            drop(black_box(permit.unwrap()));
        })
    });
    assert_eq!(guard.stats().sends_denied, 0, "the allowed path was measured");

    // A flood: a new number every call, so the table fills to max_keys and then evicts.
    let clock = ManualClock::new(1_750_000_000_000);
    let guard = Guard::new(config.clone()).unwrap().with_clock(clock.clone());
    let mut i = 0u64;
    g.bench_function("send_allowed_flood", |b| {
        b.iter(|| {
            i += 1;
            clock.advance_ms(1000);
            phone(&mut buf, i);
            let permit = guard.before_send(&buf, Some(&clients[(i % 1000) as usize])).now_or_never().unwrap();
            drop(black_box(permit.unwrap()));
        })
    });
    assert_eq!(guard.stats().sends_denied, 0, "the allowed path was measured");

    let guard = Guard::new(config.clone()).unwrap();
    drop(guard.before_send("13800138000", Some("10.0.0.1")).now_or_never().unwrap().unwrap());
    g.bench_function("send_denied", |b| {
        b.iter(|| {
            let r = guard.before_send(black_box("13800138000"), Some("10.0.0.1")).now_or_never().unwrap();
            black_box(r.unwrap_err());
        })
    });

    let clock = ManualClock::new(1_750_000_000_000);
    let guard = Guard::new(config).unwrap().with_clock(clock.clone());
    let mut i = 0u64;
    g.bench_function("check", |b| {
        b.iter(|| {
            i += 1;
            clock.advance_ms(1000);
            phone(&mut buf, i % 1000);
            let permit = guard.before_check(&buf).now_or_never().unwrap().unwrap();
            permit.passed().now_or_never().unwrap();
        })
    });
    g.finish();
}

#[cfg(feature = "guard-redis")]
fn redis(c: &mut Criterion) {
    let Some(url) = ["SMSAUTH_BENCH_REDIS_URL", "SMSAUTH_TEST_REDIS_URL"].iter().find_map(|v| std::env::var(v).ok())
    else {
        eprintln!("guard_redis skipped: set SMSAUTH_BENCH_REDIS_URL to a Redis server to measure the Redis store");
        return;
    };
    let mut g = c.benchmark_group("guard_redis");
    g.measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let client = redis::Client::open(url.as_str()).unwrap();
    let mut con = rt.block_on(client.get_multiplexed_async_connection()).unwrap();
    g.bench_function("ping_round_trip", |b| {
        b.iter(|| rt.block_on(redis::cmd("PING").query_async::<String>(&mut con)).unwrap())
    });

    let prefix = format!("smsauth-bench:{}:", std::process::id());
    let guard = Guard::new(GuardConfig {
        daily_budget: Some(10_000_000),
        redis_url: Some(url.clone()),
        redis_key_prefix: prefix.clone(),
        ..GuardConfig::default()
    })
    .unwrap();
    let mut buf = String::new();
    let mut i = 0u64;
    g.bench_function("send_allowed", |b| {
        b.iter(|| {
            i += 1;
            phone(&mut buf, i);
            let client = format!("10.1.{}.{}", (i / 256) % 256, i % 256);
            drop(black_box(rt.block_on(guard.before_send(&buf, Some(&client))).unwrap()));
        })
    });
    assert_eq!(guard.stats().store_errors, 0);
    g.finish();
    // Leave no bench keys behind.
    let mut con = client.get_connection().unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query(&mut con).unwrap();
    for chunk in keys.chunks(500) {
        let () = redis::cmd("DEL").arg(chunk).query(&mut con).unwrap();
    }
}

#[cfg(not(feature = "guard-redis"))]
fn redis(_: &mut Criterion) {
    eprintln!("guard_redis skipped: build with --features guard-redis to measure the Redis store");
}

criterion_group!(benches, memory, redis);
criterion_main!(benches);
