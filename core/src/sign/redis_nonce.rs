//! A [`NonceStore`] in Redis (cargo feature `guard-redis`): replay protection shared by every
//! gateway instance, so a request accepted by one is refused by all the others.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use super::nonce::{NonceOutcome, NonceStore, nonce_digest};
use super::v3::hex;
use crate::error::{Error, Result};

/// What a [`RedisNonceStore`] does when Redis cannot be asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NonceStoreFailure {
    /// Refuse the request (`ServiceUnavailable`, HTTP 503): no replay can slip through while
    /// Redis is down. The default.
    #[default]
    Refuse,
    /// Accept the request without replay protection (availability over safety; log it).
    Accept,
}

/// Nonces in Redis: one `SET key 1 NX PX ttl` per request (one round trip), the key a 16-byte
/// digest of (AccessKey ID, nonce) under a prefix, expiring by itself when the nonce does.
///
/// The TTL is relative (`PX`, not `PXAT`) so that a verifier on a test clock, or a host whose
/// clock is off, still keeps a nonce for exactly its window. Calls use a blocking connection
/// bounded by the timeout (the verifier is synchronous); one connection per store, re-made after
/// an error.
pub struct RedisNonceStore {
    client: redis::Client,
    url: String,
    prefix: String,
    timeout: Duration,
    on_failure: NonceStoreFailure,
    conn: Mutex<Option<redis::Connection>>,
}

impl fmt::Debug for RedisNonceStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisNonceStore")
            .field("url", &self.url)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("on_failure", &self.on_failure)
            .finish()
    }
}

impl RedisNonceStore {
    /// Default key prefix.
    pub const DEFAULT_PREFIX: &'static str = "smsauth:nonce:";

    /// A store at `url` (`redis://[:password@]host[:port][/db]`), keys under
    /// [`RedisNonceStore::DEFAULT_PREFIX`], each call bounded by 1 s, refusing requests while
    /// Redis is unavailable. The connection is made on first use.
    pub fn new(url: &str) -> Result<Self> {
        let shown = crate::error::redact_url(url);
        let client = redis::Client::open(url).map_err(|e| {
            Error::invalid_input(
                "nonce_redis_url",
                format_args!("{shown} is not a usable Redis URL ({e}); use redis://[:password@]host[:port][/db]"),
            )
        })?;
        Ok(RedisNonceStore {
            client,
            url: shown,
            prefix: Self::DEFAULT_PREFIX.to_owned(),
            timeout: Duration::from_secs(1),
            on_failure: NonceStoreFailure::Refuse,
            conn: Mutex::new(None),
        })
    }

    /// Keys under `prefix` instead (give each application its own).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Bound each call (connecting included) by `timeout` (at least 1 ms).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// What to do when Redis cannot be asked; [`NonceStoreFailure::Refuse`] by default.
    pub fn on_failure(mut self, policy: NonceStoreFailure) -> Self {
        self.on_failure = policy;
        self
    }

    fn set_nx(&self, key: &str, ttl_ms: u64) -> redis::RedisResult<bool> {
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            let conn = self.client.get_connection_with_timeout(self.timeout)?;
            conn.set_read_timeout(Some(self.timeout))?;
            conn.set_write_timeout(Some(self.timeout))?;
            *slot = Some(conn);
        }
        let Some(conn) = slot.as_mut() else { unreachable!("connected above") };
        let reply: redis::RedisResult<Option<String>> =
            redis::cmd("SET").arg(key).arg(1).arg("NX").arg("PX").arg(ttl_ms).query(conn);
        if reply.is_err() {
            // Make a new connection next time: this one may be broken or out of sync.
            *slot = None;
        }
        Ok(reply?.is_some())
    }
}

impl NonceStore for RedisNonceStore {
    fn insert(&self, access_key_id: &str, nonce: &str, now: u64, expires_at: u64) -> NonceOutcome {
        let key = format!("{}{}", self.prefix, hex(&nonce_digest(access_key_id, nonce)));
        // Live through `expires_at` inclusive: until the end of that second.
        let ttl_ms = expires_at.saturating_sub(now).saturating_add(1).saturating_mul(1000);
        match self.set_nx(&key, ttl_ms) {
            Ok(true) => NonceOutcome::Fresh,
            Ok(false) => NonceOutcome::Replay,
            Err(_) if self.on_failure == NonceStoreFailure::Accept => NonceOutcome::Fresh,
            Err(e) => NonceOutcome::Unavailable(format!("redis at {}: {e}", self.url)),
        }
    }
}
