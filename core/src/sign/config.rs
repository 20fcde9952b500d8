//! A [`Verifier`]'s settings as one plain struct: what every binding fills from its own options
//! object and converts with [`Verifier::from_config`], so defaults and bounds live here once.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::nonce::MemoryNonceStore;
use super::verify::{HttpRequest, Verified, Verifier};
use crate::error::{Error, Result};
use crate::secret::{Credentials, Secret};

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

impl VerifierConfig {
    /// Set [`VerifierConfig::window`] from a number of seconds as a binding received it (a
    /// fraction is kept); a negative, infinite or NaN value is `InvalidInput` naming `window`.
    ///
    /// ```
    /// let mut config = smsauth::sign::VerifierConfig::default();
    /// config.set_window_seconds(1.5).unwrap();
    /// assert_eq!(config.window.as_millis(), 1500);
    /// assert_eq!(config.set_window_seconds(-1.0).unwrap_err().field(), Some("window"));
    /// ```
    pub fn set_window_seconds(&mut self, seconds: f64) -> Result<()> {
        self.window = Duration::try_from_secs_f64(seconds).map_err(|_| {
            Error::invalid_input("window", format_args!("must be a non-negative number of seconds, got {seconds}"))
        })?;
        Ok(())
    }
}

/// The AccessKeys a verifier accepts: ID → secret. Each pair is checked by the rules of
/// [`Credentials::new`], so every binding's verifier refuses the same keys; `Debug` shows the
/// IDs only.
///
/// ```
/// use smsauth::sign::AccessKeys;
/// let mut keys = AccessKeys::default();
/// keys.insert("testid", "testsecret").unwrap();
/// assert!(keys.insert("", "secret").is_err());
/// assert_eq!(format!("{keys:?}"), r#"AccessKeys(["testid"])"#);
/// ```
#[derive(Clone, Default)]
pub struct AccessKeys(HashMap<String, Secret>);

impl AccessKeys {
    /// Accept requests signed with this pair (an ID added again gets the new secret).
    pub fn insert(&mut self, access_key_id: &str, access_key_secret: &str) -> Result<()> {
        let creds = Credentials::new(access_key_id, access_key_secret)?;
        self.0.insert(creds.access_key_id().to_owned(), creds.access_key_secret().clone());
        Ok(())
    }

    /// Every pair of `pairs`, or the first one refused.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Result<Self> {
        let mut keys = AccessKeys::default();
        for (id, secret) in pairs {
            keys.insert(id.as_ref(), secret.as_ref())?;
        }
        Ok(keys)
    }

    /// The secret of `access_key_id`.
    pub fn get(&self, access_key_id: &str) -> Option<Secret> {
        self.0.get(access_key_id).cloned()
    }

    /// The IDs, sorted (for display: never the secrets).
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.0.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }
}

impl fmt::Debug for AccessKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AccessKeys").field(&self.ids()).finish()
    }
}

impl Verifier {
    /// [`Verifier::verify`] against a table of keys, at `now` (Unix seconds) or, when `None`,
    /// the current time: the one rule every binding's verifier follows.
    pub fn verify_keys(&self, req: &HttpRequest, now: Option<u64>, keys: &AccessKeys) -> Result<Verified> {
        self.verify_at(req, now, |id| keys.get(id)).map_err(Error::from)
    }

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
