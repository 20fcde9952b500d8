//! Replay protection: a nonce may be used once within the timestamp window.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

/// Remembers nonces so a captured request cannot be replayed.
///
/// Implement it over Redis or a database to share replay protection between servers.
pub trait NonceStore: fmt::Debug + Send + Sync {
    /// Record `nonce` for `access_key_id` until `expires_at` (Unix seconds). Returns `false` if it
    /// was already recorded and has not expired at `now` (a replay).
    fn insert(&self, access_key_id: &str, nonce: &str, now: u64, expires_at: u64) -> bool;
}

/// An in-memory [`NonceStore`] with bounded memory: entries are evicted when they expire, and
/// the oldest entries first once `capacity` is reached.
///
/// ```
/// use smsauth::sign::{MemoryNonceStore, NonceStore};
/// let store = MemoryNonceStore::new(10_000);
/// assert!(store.insert("id", "n1", 100, 1000));
/// assert!(!store.insert("id", "n1", 200, 1000)); // replay
/// assert!(store.insert("id", "n1", 1001, 2000)); // expired, usable again
/// ```
#[derive(Debug)]
pub struct MemoryNonceStore {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<String, u64>,
    /// Insertion order with expiry, for O(1) amortized eviction.
    order: VecDeque<(u64, String)>,
}

impl MemoryNonceStore {
    /// A store holding at most `capacity` nonces.
    pub fn new(capacity: usize) -> Self {
        MemoryNonceStore { capacity: capacity.max(1), inner: Mutex::new(Entries::default()) }
    }

    /// How many nonces are remembered now.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|e| e.by_key.len()).unwrap_or(0)
    }

    /// `true` when no nonce is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forget everything.
    pub fn clear(&self) {
        if let Ok(mut e) = self.inner.lock() {
            e.by_key.clear();
            e.order.clear();
        }
    }
}

impl Default for MemoryNonceStore {
    fn default() -> Self {
        MemoryNonceStore::new(1_000_000)
    }
}

impl NonceStore for MemoryNonceStore {
    fn insert(&self, access_key_id: &str, nonce: &str, now: u64, expires_at: u64) -> bool {
        let key = format!("{access_key_id}\n{nonce}");
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        let mut e = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let Entries { by_key, order } = &mut *e;
        // Evict expired entries from the front, and the oldest when full.
        while let Some((exp, k)) = order.front() {
            if *exp > now && by_key.len() < self.capacity {
                break;
            }
            if by_key.get(k) == Some(exp) {
                by_key.remove(k);
            }
            order.pop_front();
        }
        match by_key.get(&key) {
            Some(&exp) if exp > now => false,
            _ => {
                by_key.insert(key.clone(), expires_at);
                order.push_back((expires_at, key));
                true
            }
        }
    }
}
