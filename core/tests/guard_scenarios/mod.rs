//! Guard rule scenarios on a hand-moved clock, shared by the in-memory tests (`guard.rs`) and the
//! real-Redis tests (`guard_redis.rs`): every rule, window edge, lock and reset must behave the
//! same on both stores.

#![allow(clippy::unwrap_used, dead_code)]

use std::time::Duration;

use smsauth::guard::{CheckPermit, Guard, GuardConfig, Limit, ManualClock, SendPermit, WrongCodeLimit};
use smsauth::{Error, ErrorKind};

/// Builds a guard on the store under test (real time); scenarios attach a [`ManualClock`].
pub type Make<'a> = &'a dyn Fn(GuardConfig) -> Guard;

/// A guard on a manual clock, with a runtime to await it.
pub struct T {
    pub guard: Guard,
    pub clock: ManualClock,
    rt: tokio::runtime::Runtime,
}

/// An arbitrary but realistic start time (ms), so windows never reach before the epoch.
pub const T0: u64 = 1_750_000_000_000;

impl T {
    pub fn new(make: Make<'_>, config: GuardConfig) -> T {
        let clock = ManualClock::new(T0);
        let guard = make(config).with_clock(clock.clone());
        T { guard, clock, rt: tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap() }
    }

    pub fn send(&self, phone: &str, client: Option<&str>) -> Result<SendPermit, Error> {
        self.rt.block_on(self.guard.before_send(phone, client))
    }

    #[track_caller]
    pub fn ok(&self, phone: &str, client: Option<&str>) -> SendPermit {
        match self.send(phone, client) {
            Ok(p) => p,
            Err(e) => panic!("send to {phone} refused: {e:?}"),
        }
    }

    /// Assert a refusal by `rule` and return its retry-after.
    #[track_caller]
    pub fn denied(&self, phone: &str, client: Option<&str>, rule: &str) -> Duration {
        match self.send(phone, client) {
            Ok(_) => panic!("send to {phone} allowed, expected a refusal by {rule}"),
            Err(e) => expect_denied(&e, rule),
        }
    }

    pub fn check(&self, phone: &str) -> Result<CheckPermit, Error> {
        self.rt.block_on(self.guard.before_check(phone))
    }

    #[track_caller]
    pub fn check_ok(&self, phone: &str) -> CheckPermit {
        match self.check(phone) {
            Ok(p) => p,
            Err(e) => panic!("check for {phone} refused: {e:?}"),
        }
    }

    #[track_caller]
    pub fn check_denied(&self, phone: &str) -> Duration {
        match self.check(phone) {
            Ok(_) => panic!("check for {phone} allowed, expected check:locked"),
            Err(e) => expect_denied(&e, "check:locked"),
        }
    }

    pub fn wrong(&self, phone: &str) {
        self.check_ok(phone).failed();
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    pub fn advance_ms(&self, ms: u64) {
        self.clock.advance_ms(ms);
    }
}

#[track_caller]
pub fn expect_denied(e: &Error, rule: &str) -> Duration {
    assert_eq!(e.kind(), ErrorKind::GuardDenied, "{e:?}");
    assert_eq!(e.kind().code(), 10);
    assert_eq!(e.guard_rule(), Some(rule), "{e}");
    assert!(!e.may_have_been_received(), "a refusal sends nothing");
    e.retry_after().expect("a refusal says when to retry")
}

fn phones(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:04}")).collect()
}

/// 1 per 60 s: refused until exactly 60 s after the send, with the exact wait.
pub fn phone_minute_window_edge(make: Make<'_>) {
    let t = T::new(make, GuardConfig { phone: vec![Limit::per_minute(1)], ..GuardConfig::empty() });
    drop(t.ok("13800138000", None));
    assert_eq!(t.denied("13800138000", None, "phone:1/60s"), Duration::from_secs(60));
    t.advance_ms(59_999);
    assert_eq!(t.denied("13800138000", None, "phone:1/60s"), Duration::from_millis(1));
    t.advance_ms(1);
    drop(t.ok("13800138000", None));
    // Another number is not affected.
    drop(t.ok("13900139000", None));
}

/// The hourly and daily limits slide: no double burst at a window edge.
pub fn phone_hour_and_day_slide(make: Make<'_>) {
    let t = T::new(
        make,
        GuardConfig {
            phone: vec![Limit::per_minute(1), Limit::per_hour(5), Limit::per_day(10)],
            ..GuardConfig::empty()
        },
    );
    let p = "13800138000";
    for _ in 0..5 {
        drop(t.ok(p, None));
        t.advance_ms(60_000);
    }
    // 5 sends at 0..240 s; now 300 s: the hourly limit holds until the first one is an hour old.
    assert_eq!(t.denied(p, None, "phone:5/3600s"), Duration::from_secs(3600 - 300));
    t.advance_ms(3300 * 1000 - 1);
    assert_eq!(t.denied(p, None, "phone:5/3600s"), Duration::from_millis(1));
    t.advance_ms(1);
    drop(t.ok(p, None)); // 3600 s: the send at 0 left the window; the one at 60 s is still in it
    t.advance_ms(60_000);
    drop(t.ok(p, None)); // 3660 s
    t.advance_ms(60_000);
    drop(t.ok(p, None)); // 3720 s
    t.advance_ms(60_000);
    drop(t.ok(p, None)); // 3780 s
    t.advance_ms(60_000);
    drop(t.ok(p, None)); // 3840 s: 10 sends in 24 h
    t.advance_ms(3600 * 1000);
    // 7440 s: the hourly limit allows, the daily one does not (the first send leaves it at 86 400 s).
    assert_eq!(t.denied(p, None, "phone:10/86400s"), Duration::from_secs(86_400 - 7440));
    t.clock.set_ms(T0 + 86_400 * 1000);
    drop(t.ok(p, None));
}

/// When several limits refuse, the error names the one with the longest wait.
pub fn the_longest_wait_is_reported(make: Make<'_>) {
    let t =
        T::new(make, GuardConfig { phone: vec![Limit::per_minute(1), Limit::new(2, 3600)], ..GuardConfig::empty() });
    let p = "13800138000";
    drop(t.ok(p, None));
    t.advance_ms(60_000);
    drop(t.ok(p, None));
    // Both refuse now: 1/60s for 60 s, 2/3600s for 3540 s.
    assert_eq!(t.denied(p, None, "phone:2/3600s"), Duration::from_secs(3540));
}

/// Refused calls use no quota: an attacker hammering a number does not extend its lock.
pub fn refusals_consume_nothing(make: Make<'_>) {
    let t = T::new(make, GuardConfig { phone: vec![Limit::new(2, 60)], ..GuardConfig::empty() });
    let p = "13800138000";
    drop(t.ok(p, None));
    drop(t.ok(p, None));
    for _ in 0..20 {
        t.denied(p, None, "phone:2/60s");
        t.advance_ms(1000);
    }
    t.clock.set_ms(T0 + 60_000);
    drop(t.ok(p, None));
    drop(t.ok(p, None));
    t.denied(p, None, "phone:2/60s");
}

/// `+86 138-0013-8000` and `13800138000` are one number.
pub fn numbers_are_normalized(make: Make<'_>) {
    let t = T::new(make, GuardConfig { phone: vec![Limit::per_minute(1)], ..GuardConfig::empty() });
    drop(t.ok("+86 138-0013-8000", None));
    t.denied("13800138000", None, "phone:1/60s");
    t.denied("008613800138000", None, "phone:1/60s");
    let err = t.send("12345", None).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some("PhoneNumber")));
}

/// Per client key, across numbers; other keys and key-less calls are separate.
pub fn client_key_limit(make: Make<'_>) {
    let t = T::new(make, GuardConfig { client: vec![Limit::new(3, 3600)], ..GuardConfig::empty() });
    let nums = phones("1380013", 5);
    for p in &nums[..3] {
        drop(t.ok(p, Some("203.0.113.7")));
    }
    let wait = t.denied(&nums[3], Some("203.0.113.7"), "client:3/3600s");
    assert_eq!(wait, Duration::from_secs(3600));
    drop(t.ok(&nums[3], Some("198.51.100.1")));
    drop(t.ok(&nums[4], None));
    t.clock.set_ms(T0 + 3600 * 1000);
    drop(t.ok(&nums[4], Some("203.0.113.7")));
    // A long key (a session token) is stored hashed but still counted.
    let token = "s".repeat(300);
    let t = T::new(make, GuardConfig { client: vec![Limit::new(1, 60)], ..GuardConfig::empty() });
    drop(t.ok(&nums[0], Some(&token)));
    t.denied(&nums[1], Some(&token), "client:1/60s");
}

/// `require_client_key` turns a forgotten key into a typed error instead of a skipped rule.
pub fn client_key_can_be_required(make: Make<'_>) {
    let t = T::new(
        make,
        GuardConfig { client: vec![Limit::per_hour(3)], require_client_key: true, ..GuardConfig::empty() },
    );
    let err = t.send("13800138000", None).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some("client_key")));
    let err = t.send("13800138000", Some("   ")).unwrap_err();
    assert_eq!(err.field(), Some("client_key"));
    drop(t.ok("13800138000", Some("device-1")));
}

/// Per prefix (first 7 digits): sequential numbers of one range.
pub fn prefix_limit(make: Make<'_>) {
    let t = T::new(make, GuardConfig { prefix: vec![Limit::new(3, 3600)], ..GuardConfig::empty() });
    let nums = phones("1380013", 4);
    for p in &nums[..3] {
        drop(t.ok(p, None));
    }
    t.advance_ms(1000);
    assert_eq!(t.denied(&nums[3], None, "prefix:3/3600s"), Duration::from_secs(3599));
    let err = t.send(&nums[3], None).unwrap_err();
    assert!(err.to_string().contains("1380013"), "{err}");
    drop(t.ok("13800140000", None)); // another prefix
    // A shorter prefix groups more numbers.
    let t = T::new(make, GuardConfig { prefix: vec![Limit::new(2, 60)], prefix_digits: 3, ..GuardConfig::empty() });
    drop(t.ok("13800130000", None));
    drop(t.ok("13899990000", None));
    t.denied("13812345678", None, "prefix:2/60s");
    drop(t.ok("13912345678", None));
}

/// The daily budget counts every send of the app and slides over 24 h.
pub fn daily_budget(make: Make<'_>) {
    let t = T::new(make, GuardConfig { daily_budget: Some(3), ..GuardConfig::empty() });
    let nums = phones("1390000", 5);
    for p in &nums[..3] {
        drop(t.ok(p, Some("a")));
        t.advance_ms(1000);
    }
    let wait = t.denied(&nums[3], Some("b"), "budget:daily");
    assert_eq!(wait, Duration::from_secs(86_400 - 3));
    let err = t.send(&nums[3], None).unwrap_err();
    assert!(err.to_string().contains("daily budget of 3 SMS"), "{err}");
    t.clock.set_ms(T0 + 86_400 * 1000);
    drop(t.ok(&nums[3], None));
    t.denied(&nums[4], None, "budget:daily");
}

/// A money cap becomes a send count: 0.15 at 0.05 per SMS is 3 sends.
pub fn money_cap(make: Make<'_>) {
    let t =
        T::new(make, GuardConfig { price_per_sms: Some(0.05), daily_money_cap: Some(0.15), ..GuardConfig::empty() });
    assert_eq!(t.guard.config().effective_daily_budget(), Some(3));
    for p in phones("1390000", 3) {
        drop(t.ok(&p, None));
    }
    t.denied("13900009999", None, "budget:daily");
    let err = t.send("13900009999", None).unwrap_err();
    assert!(err.to_string().contains("spending cap of 0.15"), "{err}");
    // The lower of the two caps wins.
    let t = T::new(
        make,
        GuardConfig {
            daily_budget: Some(2),
            price_per_sms: Some(0.05),
            daily_money_cap: Some(100.0),
            ..GuardConfig::empty()
        },
    );
    drop(t.ok("13900000001", None));
    drop(t.ok("13900000002", None));
    t.denied("13900000003", None, "budget:daily");
}

/// A refunded send (never reached the service) frees its slot in every rule.
pub fn refund_gives_the_slot_back(make: Make<'_>) {
    let t = T::new(
        make,
        GuardConfig {
            phone: vec![Limit::per_minute(1)],
            client: vec![Limit::per_hour(1)],
            prefix: vec![Limit::per_hour(1)],
            daily_budget: Some(1),
            ..GuardConfig::empty()
        },
    );
    let permit = t.ok("13800138000", Some("ip"));
    assert!(permit.is_recorded());
    t.denied("13800138000", Some("ip"), "budget:daily");
    t.block_on(permit.refund());
    let permit = t.ok("13800138000", Some("ip"));
    drop(permit); // dropping keeps it counted
    t.denied("13800138000", Some("ip"), "budget:daily");
    assert_eq!(t.guard.stats().refunds, 1);
    assert_eq!(t.guard.stats().sends_allowed, 2);
    assert_eq!(t.guard.stats().sends_denied, 2);
}

/// The defaults as documented.
pub fn defaults_apply(make: Make<'_>) {
    let t = T::new(make, GuardConfig::default());
    drop(t.ok("13800138000", Some("ip1")));
    t.denied("13800138000", Some("ip2"), "phone:1/60s");
    for p in phones("1390000", 9) {
        drop(t.ok(&p, Some("ip1")));
    }
    // 10 sends from ip1 in the hour
    t.denied("13700000000", Some("ip1"), "client:10/3600s");
    drop(t.ok("13700000000", Some("ip2")));
}

const LOCK: WrongCodeLimit = WrongCodeLimit { max_wrong: 5, window_seconds: 3600, lockout_seconds: 900 };

fn lock_config() -> GuardConfig {
    GuardConfig { wrong_code: LOCK, ..GuardConfig::empty() }
}

/// 5 wrong codes lock the number for 15 minutes; then a fresh 5 tries.
pub fn wrong_codes_lock_the_number(make: Make<'_>) {
    let t = T::new(make, lock_config());
    let p = "13800138000";
    for i in 1..=5 {
        let permit = t.check_ok(p);
        assert_eq!(permit.is_last_try(), i == 5);
        permit.failed();
    }
    assert_eq!(t.check_denied(p), Duration::from_secs(900));
    let err = t.check(p).unwrap_err();
    assert!(err.to_string().contains("too many wrong codes"), "{err}");
    t.check_ok("13900139000").failed(); // other numbers are not locked
    t.advance_ms(900_000 - 1);
    assert_eq!(t.check_denied(p), Duration::from_millis(1));
    t.advance_ms(1);
    for _ in 0..4 {
        t.wrong(p);
    }
    assert!(t.check_ok(p).is_last_try(), "the slate was wiped when the lock ended");
    t.check_denied(p);
    assert_eq!(t.guard.stats().checks_denied, 4);
}

/// A passing code resets the count (and lifts a lock set by its own attempt).
pub fn a_pass_resets(make: Make<'_>) {
    let t = T::new(make, lock_config());
    let p = "13800138000";
    for _ in 0..4 {
        t.wrong(p);
    }
    t.block_on(t.check_ok(p).passed());
    for _ in 0..5 {
        t.wrong(p);
    }
    t.check_denied(p);
    // The last try passing unlocks at once.
    let t = T::new(make, lock_config());
    for _ in 0..4 {
        t.wrong(p);
    }
    let last = t.check_ok(p);
    assert!(last.is_last_try());
    t.block_on(last.passed());
    drop(t.check_ok(p));
}

/// Checks that got no answer are not wrong codes.
pub fn unanswered_checks_do_not_count(make: Make<'_>) {
    let t = T::new(make, lock_config());
    let p = "13800138000";
    for _ in 0..4 {
        t.wrong(p);
    }
    for _ in 0..3 {
        t.block_on(t.check_ok(p).refund());
    }
    assert!(t.check_ok(p).is_last_try());
    t.check_denied(p);
}

/// Attempts are counted when they begin, so parallel guesses cannot exceed the limit; a refund
/// of the attempt that set the lock lifts it.
pub fn checks_in_flight_count(make: Make<'_>) {
    let t = T::new(make, lock_config());
    let p = "13800138000";
    let in_flight: Vec<CheckPermit> = (0..5).map(|_| t.check_ok(p)).collect();
    t.check_denied(p);
    let mut in_flight = in_flight.into_iter();
    let last = in_flight.next_back().unwrap();
    t.block_on(last.refund());
    let again = t.check_ok(p);
    assert!(again.is_last_try());
    t.check_denied(p);
    t.block_on(again.passed());
    drop(t.check_ok(p));
}

/// Wrong codes older than the window are forgotten.
pub fn wrong_codes_age_out(make: Make<'_>) {
    let t = T::new(make, lock_config());
    let p = "13800138000";
    for _ in 0..4 {
        t.wrong(p);
    }
    t.advance_ms(3_600_000);
    for _ in 0..4 {
        t.wrong(p);
    }
    assert!(t.check_ok(p).is_last_try());
}

/// Dry run: everything is let through, and what would have been refused is counted.
pub fn dry_run_only_reports(make: Make<'_>) {
    let t = T::new(
        make,
        GuardConfig { phone: vec![Limit::per_minute(1)], wrong_code: LOCK, dry_run: true, ..GuardConfig::empty() },
    );
    let p = "13800138000";
    assert!(t.ok(p, None).is_recorded());
    for _ in 0..3 {
        assert!(!t.ok(p, None).is_recorded());
    }
    for _ in 0..7 {
        t.wrong(p);
    }
    let s = t.guard.stats();
    assert_eq!((s.sends_allowed, s.sends_denied, s.dry_run_denials), (1, 0, 5));
    assert_eq!(s.checks_denied, 0);
    // The same traffic with dry_run off is refused.
    let t = T::new(make, GuardConfig { phone: vec![Limit::per_minute(1)], ..GuardConfig::empty() });
    drop(t.ok(p, None));
    t.denied(p, None, "phone:1/60s");
}
