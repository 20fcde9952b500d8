//! Replay protection: a nonce may be used once while its request's timestamp is acceptable.
//!
//! The store never forgets a live nonce: when it is full it refuses new requests
//! ([`NonceOutcome::Full`]) instead of evicting, because evicting a live nonce re-opens the
//! replay it was remembered to prevent. Each entry is a fixed-size digest of
//! `(AccessKey ID, nonce)` plus its expiry, whatever the nonce's length.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher, RandomState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// What a [`NonceStore`] did with a nonce.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonceOutcome {
    /// First use: it is now remembered until its expiry.
    Fresh,
    /// Already remembered and not expired: a replay.
    Replay,
    /// The store is full of live nonces (or this AccessKey reached its quota): refused, retry
    /// later. Nothing was remembered.
    Full,
    /// The store could not be asked (e.g. Redis unreachable); carries why.
    Unavailable(String),
}

/// Remembers nonces so a captured request cannot be replayed.
///
/// Implement it over a shared database to share replay protection between servers (the
/// `guard-redis` feature ships a Redis one).
pub trait NonceStore: fmt::Debug + Send + Sync {
    /// Record `nonce` for `access_key_id` until `expires_at` (Unix seconds, inclusive: the nonce
    /// is live while `now <= expires_at`).
    fn insert(&self, access_key_id: &str, nonce: &str, now: u64, expires_at: u64) -> NonceOutcome;
}

/// The 16-byte digest a nonce is remembered by: SHA-256 of `len(id) ‖ id ‖ nonce`, truncated.
/// 128 bits keep an accidental collision out of reach; the length of the nonce does not matter.
#[cfg(any(feature = "guard-redis", test))]
pub(crate) fn nonce_digest(access_key_id: &str, nonce: &str) -> [u8; 16] {
    salted_digest(&[], access_key_id, nonce)
}

/// [`nonce_digest`] with a secret `salt` first, so that nobody outside the process can choose
/// nonces whose digests collide in the store's table (the digest is the table's hash).
fn salted_digest(salt: &[u8], access_key_id: &str, nonce: &str) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update((access_key_id.len() as u64).to_be_bytes());
    h.update(access_key_id.as_bytes());
    h.update(nonce.as_bytes());
    let full = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// An in-memory [`NonceStore`] with bounded memory (about 50 bytes per live nonce).
///
/// Expired entries are swept when the store fills up; live ones are never dropped. A full store
/// answers [`NonceOutcome::Full`] and counts it ([`MemoryNonceStore::full_refusals`]). With
/// [`MemoryNonceStore::per_key_quota`], one AccessKey cannot fill the store for the others.
///
/// ```
/// use smsauth::sign::{MemoryNonceStore, NonceOutcome, NonceStore};
/// let store = MemoryNonceStore::new(2);
/// assert_eq!(store.insert("id", "n1", 100, 1000), NonceOutcome::Fresh);
/// assert_eq!(store.insert("id", "n1", 1000, 1000), NonceOutcome::Replay); // live through 1000
/// assert_eq!(store.insert("id", "n2", 200, 1000), NonceOutcome::Fresh);
/// assert_eq!(store.insert("id", "n3", 300, 1000), NonceOutcome::Full); // never evict a live one
/// assert_eq!(store.insert("id", "n1", 1001, 2000), NonceOutcome::Fresh); // expired, usable again
/// ```
#[derive(Debug)]
pub struct MemoryNonceStore {
    capacity: usize,
    per_key_quota: Option<usize>,
    full_refusals: AtomicU64,
    /// Random per store, hashed before each nonce (see [`salted_digest`]).
    salt: [u8; 16],
    inner: Mutex<Entries>,
}

/// A nonce's salted digest, the key of the store's table. It is already uniformly random and
/// unpredictable, so its first 8 bytes are its hash (no second hash function per insert).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key([u8; 16]);

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(first));
    }
}

/// The hasher of [`Key`]: passes its 8 bytes through.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `Key` is hashed with this, through `write_u64`; fold anything else anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
}

/// 16 random bytes from the OS, or from std's randomly seeded hasher if the OS source fails.
fn random_salt() -> [u8; 16] {
    let mut salt = [0u8; 16];
    if getrandom::fill(&mut salt).is_err() {
        let state = RandomState::new();
        salt[..8].copy_from_slice(&state.hash_one(1u8).to_le_bytes());
        salt[8..].copy_from_slice(&state.hash_one(2u8).to_le_bytes());
    }
    salt
}

#[derive(Debug)]
struct Entries {
    /// digest → (expiry, index of the AccessKey in `keys`). Unix seconds fit `u32` until 2106;
    /// later expiries saturate, which only keeps a nonce longer.
    by_digest: HashMap<Key, (u32, u32), BuildHasherDefault<PassThrough>>,
    /// AccessKey ID → slot in `live_per_key` (only with a quota; without, every slot is 0 and
    /// nothing is counted).
    keys: HashMap<String, u32>,
    live_per_key: Vec<usize>,
    /// No entry expires before this; a sweep before then would free nothing.
    next_expiry: u64,
}

impl MemoryNonceStore {
    /// Capacity of [`MemoryNonceStore::default`].
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    /// A store holding at most `capacity` live nonces (at least 1).
    pub fn new(capacity: usize) -> Self {
        MemoryNonceStore {
            capacity: capacity.max(1),
            per_key_quota: None,
            full_refusals: AtomicU64::new(0),
            salt: random_salt(),
            inner: Mutex::new(Entries::new()),
        }
    }

    /// At most `quota` live nonces per AccessKey ID (at least 1); past it that key's requests
    /// get [`NonceOutcome::Full`] while other keys still get in.
    pub fn per_key_quota(mut self, quota: usize) -> Self {
        self.per_key_quota = Some(quota.max(1));
        self
    }

    /// How many requests were refused because the store (or a key's quota) was full.
    pub fn full_refusals(&self) -> u64 {
        self.full_refusals.load(Ordering::Relaxed)
    }

    /// How many nonces are remembered now (live or not swept yet).
    pub fn len(&self) -> usize {
        self.lock().by_digest.len()
    }

    /// `true` when no nonce is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forget everything.
    pub fn clear(&self) {
        *self.lock() = Entries::new();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn refuse_full(&self) -> NonceOutcome {
        self.full_refusals.fetch_add(1, Ordering::Relaxed);
        NonceOutcome::Full
    }
}

impl Default for MemoryNonceStore {
    fn default() -> Self {
        MemoryNonceStore::new(MemoryNonceStore::DEFAULT_CAPACITY)
    }
}

impl Entries {
    fn new() -> Self {
        Entries { by_digest: HashMap::default(), keys: HashMap::new(), live_per_key: Vec::new(), next_expiry: u64::MAX }
    }

    /// Drop every entry expired at `now` (one pass), and remember when the next one expires.
    fn sweep(&mut self, now: u64) {
        let mut next = u64::MAX;
        let counts = &mut self.live_per_key;
        self.by_digest.retain(|_, (exp, slot)| {
            let exp = u64::from(*exp);
            if exp < now {
                if let Some(c) = counts.get_mut(*slot as usize) {
                    *c = c.saturating_sub(1);
                }
                false
            } else {
                next = next.min(exp);
                true
            }
        });
        self.next_expiry = next;
    }

    fn slot(&mut self, access_key_id: &str) -> u32 {
        if let Some(&slot) = self.keys.get(access_key_id) {
            return slot;
        }
        let slot = u32::try_from(self.live_per_key.len()).unwrap_or(u32::MAX);
        self.keys.insert(access_key_id.to_owned(), slot);
        self.live_per_key.push(0);
        slot
    }
}

impl NonceStore for MemoryNonceStore {
    fn insert(&self, access_key_id: &str, nonce: &str, now: u64, expires_at: u64) -> NonceOutcome {
        let digest = Key(salted_digest(&self.salt, access_key_id, nonce));
        let mut e = self.lock();
        if let Some(&(exp, slot)) = e.by_digest.get(&digest) {
            if u64::from(exp) >= now {
                return NonceOutcome::Replay;
            }
            // Expired: free it, then insert as new below.
            e.by_digest.remove(&digest);
            if let Some(c) = e.live_per_key.get_mut(slot as usize) {
                *c = c.saturating_sub(1);
            }
        }
        let slot = if self.per_key_quota.is_some() { e.slot(access_key_id) } else { 0 };
        let key_full = |e: &Entries| {
            self.per_key_quota.is_some_and(|q| e.live_per_key.get(slot as usize).is_some_and(|&n| n >= q))
        };
        if (e.by_digest.len() >= self.capacity || key_full(&e)) && now > e.next_expiry {
            e.sweep(now);
        }
        if e.by_digest.len() >= self.capacity || key_full(&e) {
            return self.refuse_full();
        }
        let exp = u32::try_from(expires_at).unwrap_or(u32::MAX);
        e.next_expiry = e.next_expiry.min(u64::from(exp));
        e.by_digest.insert(digest, (exp, slot));
        if let Some(c) = e.live_per_key.get_mut(slot as usize) {
            *c += 1;
        }
        NonceOutcome::Fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_store_refuses_instead_of_forgetting_a_live_nonce() {
        let store = MemoryNonceStore::new(3);
        for n in ["a", "b", "c"] {
            assert_eq!(store.insert("k", n, 100, 1000), NonceOutcome::Fresh);
        }
        assert_eq!(store.insert("k", "d", 101, 1000), NonceOutcome::Full);
        assert_eq!(store.full_refusals(), 1);
        // The oldest is still remembered: its replay is refused.
        assert_eq!(store.insert("k", "a", 102, 1000), NonceOutcome::Replay);
        // Once they expire there is room again.
        assert_eq!(store.insert("k", "d", 1001, 2000), NonceOutcome::Fresh);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn expiry_is_inclusive() {
        let store = MemoryNonceStore::new(10);
        assert_eq!(store.insert("k", "n", 100, 1000), NonceOutcome::Fresh);
        assert_eq!(store.insert("k", "n", 1000, 1900), NonceOutcome::Replay);
        assert_eq!(store.insert("k", "n", 1001, 1901), NonceOutcome::Fresh);
    }

    #[test]
    fn a_per_key_quota_leaves_room_for_other_keys() {
        let store = MemoryNonceStore::new(10).per_key_quota(2);
        assert_eq!(store.insert("greedy", "1", 100, 1000), NonceOutcome::Fresh);
        assert_eq!(store.insert("greedy", "2", 100, 1000), NonceOutcome::Fresh);
        assert_eq!(store.insert("greedy", "3", 100, 1000), NonceOutcome::Full);
        assert_eq!(store.insert("other", "1", 100, 1000), NonceOutcome::Fresh);
        assert_eq!(store.insert("greedy", "3", 1001, 2000), NonceOutcome::Fresh);
    }

    #[test]
    fn the_same_nonce_under_two_keys_is_two_entries() {
        let store = MemoryNonceStore::new(10);
        assert_eq!(store.insert("a", "n", 1, 10), NonceOutcome::Fresh);
        assert_eq!(store.insert("b", "n", 1, 10), NonceOutcome::Fresh);
        // The ID's length is hashed too, so no (id, nonce) split collides with another.
        assert_ne!(nonce_digest("a", "bc"), nonce_digest("ab", "c"));
    }
}
