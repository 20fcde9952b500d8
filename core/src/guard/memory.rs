//! The embedded store: per-key event logs in this process's memory.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use super::store::{
    CheckBegin, CheckEnd, Counter, Denial, GuardStore, KeyClass, StoreFuture, WrongCodeLimit, system_now_ms,
};

const NIL: u32 = u32::MAX;
const NO_SLOT: usize = usize::MAX;
/// Logs up to this many entries keep their buffer when their slot is freed.
const REUSED_LOG_CAPACITY: usize = 16;
/// Idle keys removed per class per recording call: enough to outpace insertions (each call adds
/// at most one key per class) while keeping every call's cost bounded.
const SWEEP_PER_CALL: usize = 4;

/// The in-memory [`GuardStore`]: the default, for an app running as one process.
///
/// - Each key keeps a log of its recent events, sorted by time and trimmed to the largest `max`
///   of its limits, so a check is a constant number of steps (amortized O(1)): the `max`-th
///   newest event decides whether a limit is reached.
/// - Memory is bounded: keys whose events have all aged out are evicted as calls go by (oldest
///   first, a few per call), and at most `max_keys` keys are kept. When that many keys are live,
///   the least recently used key of the largest class is dropped, so a flood of one kind of key
///   (say, checks for random numbers) cannot push out the others; [`MemoryStore::evicted`]
///   counts these drops and a warning is logged.
/// - One mutex guards the table, which makes the check-and-record of all keys of a call atomic
///   without any lock ordering. Every send touches the global budget key anyway, so sends would
///   serialize on it whatever the sharding; each call holds the lock for well under a microsecond.
///
/// A rough size: 150 bytes plus 16 bytes per logged event per key.
#[derive(Debug)]
pub struct MemoryStore {
    table: Mutex<Table>,
}

impl MemoryStore {
    /// The default `max_keys`: 100 000 keys (roughly 20 MB at most).
    pub const DEFAULT_MAX_KEYS: usize = 100_000;

    /// A store keeping at most `max_keys` keys (at least 16).
    pub fn new(max_keys: usize) -> Self {
        MemoryStore {
            table: Mutex::new(Table {
                index: HashMap::new(),
                slots: Vec::new(),
                free: Vec::new(),
                lists: [List::EMPTY; 5],
                max_keys: max_keys.max(16),
                evicted: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The number of keys held now.
    pub fn len(&self) -> usize {
        self.lock().index.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys with live events dropped because `max_keys` was reached (their limits restart).
    pub fn evicted(&self) -> u64 {
        self.lock().evicted
    }

    /// Remove every key.
    pub fn clear(&self) {
        let mut t = self.lock();
        let max_keys = t.max_keys;
        let evicted = t.evicted;
        *t = Table {
            index: HashMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            lists: [List::EMPTY; 5],
            max_keys,
            evicted,
        };
    }

    pub(crate) fn acquire_at(&self, now: u64, counters: &[Counter<'_>], event: u64) -> Option<Denial> {
        let mut t = self.lock();
        let mut worst: Option<Denial> = None;
        // Slots found while checking, reused when recording (one hash per key).
        let mut found = [NO_SLOT; 8];
        for (ci, c) in counters.iter().enumerate() {
            let Some(slot) = t.find(c.key) else { continue };
            if let Some(f) = found.get_mut(ci) {
                *f = slot;
            }
            let log = &t.slots[slot].log;
            for (li, limit) in c.limits.iter().enumerate() {
                let max = limit.max as usize;
                if max == 0 || log.len() < max {
                    continue;
                }
                // Sorted log: `max` events in the window iff the max-th newest one is in it.
                let until = log[log.len() - max].0.saturating_add(limit.window_ms());
                if until > now && worst.is_none_or(|w| until - now > w.retry_after_ms) {
                    worst = Some(Denial { counter: ci, limit: li, retry_after_ms: until - now });
                }
            }
        }
        if worst.is_some() {
            return worst;
        }
        // Existing keys first: they move to the tails of their lists, so making room for the new
        // keys below (which evicts list heads) cannot drop them.
        let known = |ci: usize| found.get(ci).copied().unwrap_or(NO_SLOT);
        for (ci, c) in counters.iter().enumerate() {
            let slot = if ci < found.len() { known(ci) } else { t.find(c.key).unwrap_or(NO_SLOT) };
            if slot != NO_SLOT {
                t.record(slot, c, now, event);
            }
        }
        for (ci, c) in counters.iter().enumerate() {
            if ci < found.len() && known(ci) != NO_SLOT {
                continue;
            }
            // Absent when checked (the lock is held since), unless the same key came twice.
            let repeated = counters[..ci].iter().any(|other| other.key == c.key);
            let slot = if repeated { t.get_or_insert(c.key, c.class, now) } else { t.insert(c.key, c.class, now) };
            if t.slots[slot].log.back().is_none_or(|&(_, e)| e != event) {
                t.record(slot, c, now, event);
            }
        }
        for c in counters {
            t.sweep(c.class, now);
        }
        None
    }

    fn release_at(&self, counters: &[Counter<'_>], event: u64) {
        let mut t = self.lock();
        for c in counters {
            let Some(slot) = t.find(c.key) else { continue };
            let s = &mut t.slots[slot];
            if let Some(pos) = s.log.iter().rposition(|&(_, e)| e == event) {
                s.log.remove(pos);
            }
            if s.log.is_empty() && s.locked_until == 0 {
                t.remove(slot);
            }
        }
    }

    pub(crate) fn check_begin_at(&self, now: u64, key: &str, limit: &WrongCodeLimit, event: u64) -> CheckBegin {
        let mut t = self.lock();
        if let Some(slot) = t.find(key) {
            let until = t.slots[slot].locked_until;
            if until > now {
                return CheckBegin::Locked { retry_after_ms: until - now };
            }
        }
        let window = limit.window_seconds.saturating_mul(1000);
        let lockout = limit.lockout_seconds.saturating_mul(1000);
        let slot = t.get_or_insert(key, KeyClass::Check, now);
        let s = &mut t.slots[slot];
        if s.locked_until != 0 {
            // A lock that has been served wipes the slate.
            s.log.clear();
            s.locked_until = 0;
        }
        while s.log.front().is_some_and(|&(ts, _)| ts.saturating_add(window) <= now) {
            s.log.pop_front();
        }
        insert_sorted(&mut s.log, now, event);
        let attempts = s.log.len() as u32;
        let locked = attempts >= limit.max_wrong;
        if locked {
            s.locked_until = now.saturating_add(lockout).max(1);
        }
        t.touch(slot, now.saturating_add(window).saturating_add(lockout));
        t.sweep(KeyClass::Check, now);
        CheckBegin::Allowed { attempts, locked }
    }

    pub(crate) fn check_end_at(&self, now: u64, key: &str, limit: &WrongCodeLimit, event: u64, end: CheckEnd) {
        let mut t = self.lock();
        let Some(slot) = t.find(key) else { return };
        match end {
            CheckEnd::Passed => t.remove(slot),
            CheckEnd::Refund => {
                let s = &mut t.slots[slot];
                if let Some(pos) = s.log.iter().rposition(|&(_, e)| e == event) {
                    s.log.remove(pos);
                }
                if s.locked_until > now && s.log.len() < limit.max_wrong as usize {
                    s.locked_until = 0;
                }
                if s.log.is_empty() && s.locked_until == 0 {
                    t.remove(slot);
                }
            }
        }
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(MemoryStore::DEFAULT_MAX_KEYS)
    }
}

fn insert_sorted(log: &mut VecDeque<(u64, u64)>, ts: u64, event: u64) {
    // Almost always the newest; threads that read the clock before taking the lock may arrive a
    // little out of order.
    if log.back().is_none_or(|&(t, _)| t <= ts) {
        log.push_back((ts, event));
        return;
    }
    let pos = log.iter().rposition(|&(t, _)| t <= ts).map_or(0, |p| p + 1);
    log.insert(pos, (ts, event));
}

fn now_or_system(now_ms: Option<u64>) -> u64 {
    now_ms.unwrap_or_else(system_now_ms)
}

impl GuardStore for MemoryStore {
    fn name(&self) -> String {
        "memory".into()
    }

    fn acquire<'a>(
        &'a self,
        now_ms: Option<u64>,
        counters: &'a [Counter<'a>],
        event: u64,
    ) -> StoreFuture<'a, Option<Denial>> {
        let denial = self.acquire_at(now_or_system(now_ms), counters, event);
        Box::pin(std::future::ready(Ok(denial)))
    }

    fn release<'a>(&'a self, _now_ms: Option<u64>, counters: &'a [Counter<'a>], event: u64) -> StoreFuture<'a, ()> {
        self.release_at(counters, event);
        Box::pin(std::future::ready(Ok(())))
    }

    fn check_begin<'a>(
        &'a self,
        now_ms: Option<u64>,
        key: &'a str,
        limit: &'a WrongCodeLimit,
        event: u64,
    ) -> StoreFuture<'a, CheckBegin> {
        let begin = self.check_begin_at(now_or_system(now_ms), key, limit, event);
        Box::pin(std::future::ready(Ok(begin)))
    }

    fn check_end<'a>(
        &'a self,
        now_ms: Option<u64>,
        key: &'a str,
        limit: &'a WrongCodeLimit,
        event: u64,
        end: CheckEnd,
    ) -> StoreFuture<'a, ()> {
        self.check_end_at(now_or_system(now_ms), key, limit, event, end);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// A doubly linked list of slots of one class, least recently touched first.
#[derive(Clone, Copy, Debug)]
struct List {
    head: u32,
    tail: u32,
    len: usize,
}

impl List {
    const EMPTY: List = List { head: NIL, tail: NIL, len: 0 };
}

#[derive(Debug)]
struct Slot {
    /// Shared with the index (one allocation per key).
    key: Arc<str>,
    class: KeyClass,
    prev: u32,
    next: u32,
    /// After this time (ms) the slot holds nothing that can change an answer.
    idle_at: u64,
    /// `(time ms, event id)`, oldest first.
    log: VecDeque<(u64, u64)>,
    /// Check keys: locked until this time (ms); 0 when not locked.
    locked_until: u64,
}

#[derive(Debug)]
struct Table {
    index: HashMap<Arc<str>, u32>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    lists: [List; 5],
    max_keys: usize,
    evicted: u64,
}

impl Table {
    fn find(&self, key: &str) -> Option<usize> {
        self.index.get(key).map(|&s| s as usize)
    }

    /// Record `event` at `now` in a send counter's log.
    fn record(&mut self, slot: usize, c: &Counter<'_>, now: u64, event: u64) {
        let keep = c.keep_ms();
        let cap = (c.cap() as usize).max(1);
        let log = &mut self.slots[slot].log;
        // Only the newest `cap` events and those inside the longest window can matter.
        while log.len() >= cap {
            log.pop_front();
        }
        while log.front().is_some_and(|&(ts, _)| ts.saturating_add(keep) <= now) {
            log.pop_front();
        }
        insert_sorted(log, now, event);
        self.touch(slot, now.saturating_add(keep));
    }

    fn get_or_insert(&mut self, key: &str, class: KeyClass, now: u64) -> usize {
        match self.find(key) {
            Some(slot) => slot,
            None => self.insert(key, class, now),
        }
    }

    /// Add a key known to be absent, making room first if the table is full.
    fn insert(&mut self, key: &str, class: KeyClass, now: u64) -> usize {
        if self.index.len() >= self.max_keys {
            for c in KeyClass::ALL {
                self.sweep(c, now);
            }
        }
        if self.index.len() >= self.max_keys {
            self.evict_live(class);
        }
        let key: Arc<str> = key.into();
        let id = match self.free.pop() {
            Some(id) => {
                // Freed slots are unlinked with an empty log (its buffer kept).
                let s = &mut self.slots[id as usize];
                s.key = Arc::clone(&key);
                s.class = class;
                s.idle_at = now;
                s.locked_until = 0;
                id
            }
            None => {
                self.slots.push(Slot {
                    key: Arc::clone(&key),
                    class,
                    prev: NIL,
                    next: NIL,
                    idle_at: now,
                    log: VecDeque::new(),
                    locked_until: 0,
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.index.insert(key, id);
        self.push_back(id);
        id as usize
    }

    /// Drop the least recently used key of the largest class (the inserting class on a tie).
    fn evict_live(&mut self, inserting: KeyClass) {
        let mut victim = inserting;
        for c in KeyClass::ALL {
            if self.lists[c.index()].len > self.lists[victim.index()].len {
                victim = c;
            }
        }
        let head = self.lists[victim.index()].head;
        if head == NIL {
            return;
        }
        self.evicted += 1;
        if self.evicted == 1 || self.evicted.is_multiple_of(1000) {
            tracing::warn!(
                target: "smsauth::guard",
                evicted = self.evicted,
                max_keys = self.max_keys,
                class = ?victim,
                "the guard's memory store is full: dropping the least recently used keys (raise max_keys)"
            );
        }
        self.remove(head as usize);
    }

    fn sweep(&mut self, class: KeyClass, now: u64) {
        for _ in 0..SWEEP_PER_CALL {
            let head = self.lists[class.index()].head;
            if head == NIL {
                return;
            }
            let s = &self.slots[head as usize];
            if s.idle_at > now || s.locked_until > now {
                return;
            }
            self.remove(head as usize);
        }
    }

    fn touch(&mut self, slot: usize, idle_at: u64) {
        self.slots[slot].idle_at = idle_at;
        let id = slot as u32;
        if self.lists[self.slots[slot].class.index()].tail != id {
            self.unlink(id);
            self.push_back(id);
        }
    }

    fn remove(&mut self, slot: usize) {
        self.unlink(slot as u32);
        let s = &mut self.slots[slot];
        // The key stays in the free slot until it is reused, and a small log keeps its buffer:
        // no allocation on removal, fewer on reuse.
        if s.log.capacity() <= REUSED_LOG_CAPACITY {
            s.log.clear();
        } else {
            s.log = VecDeque::new();
        }
        s.locked_until = 0;
        self.index.remove(&*s.key);
        self.free.push(slot as u32);
    }

    fn push_back(&mut self, id: u32) {
        let class = self.slots[id as usize].class.index();
        let tail = self.lists[class].tail;
        self.slots[id as usize].prev = tail;
        self.slots[id as usize].next = NIL;
        if tail == NIL {
            self.lists[class].head = id;
        } else {
            self.slots[tail as usize].next = id;
        }
        self.lists[class].tail = id;
        self.lists[class].len += 1;
    }

    fn unlink(&mut self, id: u32) {
        let class = self.slots[id as usize].class.index();
        let (prev, next) = (self.slots[id as usize].prev, self.slots[id as usize].next);
        if prev == NIL {
            self.lists[class].head = next;
        } else {
            self.slots[prev as usize].next = next;
        }
        if next == NIL {
            self.lists[class].tail = prev;
        } else {
            self.slots[next as usize].prev = prev;
        }
        self.slots[id as usize].prev = NIL;
        self.slots[id as usize].next = NIL;
        self.lists[class].len -= 1;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::guard::Limit;

    fn counter<'a>(key: &'a str, limits: &'a [Limit]) -> Counter<'a> {
        Counter { class: KeyClass::Phone, key, limits }
    }

    #[test]
    fn the_log_is_trimmed_to_the_largest_max() {
        let store = MemoryStore::new(100);
        let limits = [Limit::new(3, 10)];
        for i in 0..3 {
            assert_eq!(store.acquire_at(i * 10_000, &[counter("p:a", &limits)], i), None);
        }
        let t = store.lock();
        assert!(t.slots[t.find("p:a").unwrap()].log.len() <= 3);
    }

    #[test]
    fn the_lists_stay_consistent_through_inserts_touches_and_removals() {
        let store = MemoryStore::new(16);
        let limits = [Limit::new(1, 1)];
        for i in 0..200u64 {
            let key = format!("p:{}", i % 40);
            store.acquire_at(i * 10, &[counter(&key, &limits)], i);
            if i % 7 == 0 {
                store.release_at(&[counter(&key, &limits)], i);
            }
            let t = store.lock();
            let mut seen = 0;
            for class in KeyClass::ALL {
                let list = t.lists[class.index()];
                let mut id = list.head;
                let mut prev = NIL;
                let mut n = 0;
                while id != NIL {
                    let s = &t.slots[id as usize];
                    assert_eq!(s.prev, prev);
                    assert_eq!(t.index.get(&s.key).copied(), Some(id));
                    prev = id;
                    id = s.next;
                    n += 1;
                }
                assert_eq!(list.tail, prev);
                assert_eq!(list.len, n);
                seen += n;
            }
            assert_eq!(seen, t.index.len());
            assert!(t.index.len() <= 16);
        }
    }
}
