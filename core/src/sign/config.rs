//! A [`Verifier`]'s settings as one plain struct: what every binding fills from its own options
//! object and converts with [`Verifier::from_config`], so defaults and bounds live here once.

use std::sync::Arc;
use std::time::Duration;

use super::nonce::MemoryNonceStore;
use super::verify::Verifier;
use crate::error::{Error, Result};

/// Settings of a [`Verifier`].
///
/// ```
/// use smsauth::sign::{Verifier, VerifierConfig};
/// let config = VerifierConfig { per_key_quota: Some(10_000), ..Default::default() };
/// let verifier = Verifier::from_config(&config).unwrap();
/// # drop(verifier);
/// ```
/// Start from [`VerifierConfig::default`] (`..Default::default()`): fields may be added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Accept timestamps within ± this of the verification time. Default 15 minutes, at most
    /// [`Verifier::MAX_WINDOW`].
    pub window: Duration,
    /// Refuse a nonce seen before within the window. Default `true`.
    pub check_nonces: bool,
    /// Live nonces the in-memory store holds before refusing new requests with
    /// `Throttling.User`. Default [`MemoryNonceStore::DEFAULT_CAPACITY`]; at least 1.
    pub nonce_capacity: usize,
    /// At most this many live nonces per AccessKey ID, so one key cannot fill the store.
    /// Default none.
    pub per_key_quota: Option<usize>,
    /// Accept only requests for these `host[:port]` values. Default empty: any host.
    pub expected_hosts: Vec<String>,
    /// Keep nonces in Redis at this URL (`redis://[:password@]host[:port][/db]`) instead of in
    /// memory, shared by every gateway instance using it (`nonce_capacity` and `per_key_quota`
    /// then do not apply: Redis expires each nonce by itself). Needs the `guard-redis` cargo
    /// feature; without it this is an `InvalidInput` error saying so.
    pub nonce_redis_url: Option<String>,
    /// `false` (the default): while Redis cannot be asked, requests are refused
    /// (`ServiceUnavailable`). `true`: they are accepted without replay protection.
    pub nonce_redis_fail_open: bool,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        VerifierConfig {
            window: Duration::from_secs(15 * 60),
            check_nonces: true,
            nonce_capacity: MemoryNonceStore::DEFAULT_CAPACITY,
            per_key_quota: None,
            expected_hosts: Vec::new(),
            nonce_redis_url: None,
            nonce_redis_fail_open: false,
        }
    }
}

impl Verifier {
    /// A verifier with `config`; [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
    /// naming the field if a setting is out of bounds.
    pub fn from_config(config: &VerifierConfig) -> Result<Verifier> {
        if config.nonce_capacity == 0 {
            return Err(Error::invalid_input("nonce_capacity", "must be at least 1"));
        }
        if config.per_key_quota == Some(0) {
            return Err(Error::invalid_input("per_key_quota", "must be at least 1 (or unset for no quota)"));
        }
        let verifier = Verifier::new().window(config.window)?.expected_hosts(config.expected_hosts.iter().cloned());
        if !config.check_nonces {
            return Ok(verifier.without_nonce_check());
        }
        if let Some(url) = &config.nonce_redis_url {
            return redis_store(url, config.nonce_redis_fail_open).map(|store| verifier.nonce_store(store));
        }
        let mut store = MemoryNonceStore::new(config.nonce_capacity);
        if let Some(quota) = config.per_key_quota {
            store = store.per_key_quota(quota);
        }
        Ok(verifier.nonce_store(Arc::new(store)))
    }
}

#[cfg(feature = "guard-redis")]
fn redis_store(url: &str, fail_open: bool) -> Result<Arc<dyn super::NonceStore>> {
    use super::redis_nonce::{NonceStoreFailure, RedisNonceStore};
    let policy = if fail_open { NonceStoreFailure::Accept } else { NonceStoreFailure::Refuse };
    Ok(Arc::new(RedisNonceStore::new(url)?.on_failure(policy)))
}

#[cfg(not(feature = "guard-redis"))]
fn redis_store(_url: &str, _fail_open: bool) -> Result<Arc<dyn super::NonceStore>> {
    Err(Error::invalid_input(
        "nonce_redis_url",
        "this build of smsauth has no Redis support; build the smsauth crate with the cargo feature `guard-redis` \
         (or leave it unset for the in-memory store)",
    ))
}
