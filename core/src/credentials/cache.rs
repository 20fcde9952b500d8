//! Caching and early refresh of temporary credentials.
//!
//! - Credentials are served from the cache until [`REFRESH_EARLY`] (3 minutes) before they
//!   expire — or half their lifetime, for very short-lived ones.
//! - From then on, the first caller refreshes while everyone else keeps getting the cached,
//!   still-valid credentials without waiting. Once they have expired (or before the first
//!   fetch), callers wait for the one refresh in flight: concurrent calls make one request.
//! - A failed refresh keeps serving unexpired credentials (retrying at most every
//!   [`FAILURE_BACKOFF`]); when they run out, callers get the refresh error.
//! - The refresh runs as a task on the crate's runtime, so a caller that gives up (a timeout, a
//!   dropped future) does not waste it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::OwnedMutexGuard;

use super::Credentials;
use super::env::Environment;
use crate::error::{Error, ErrorKind, Result};
use crate::sign::format_timestamp;

/// Refresh this long before expiry (at most half the credentials' lifetime).
pub const REFRESH_EARLY: u64 = 180;
/// After a failed refresh, wait this long (at most half the remaining lifetime) before trying
/// again while the cached credentials are still valid.
pub const FAILURE_BACKOFF: u64 = 10;

/// Temporary credentials and when they expire (Unix seconds).
#[derive(Debug)]
pub(crate) struct Temporary {
    pub creds: Credentials,
    pub expires_at: u64,
}

/// A fetch of fresh credentials, run on the crate's runtime.
pub(crate) type Fetch = Pin<Box<dyn Future<Output = Result<Temporary>> + Send + 'static>>;

struct Entry {
    creds: Credentials,
    expires_at: u64,
    refresh_at: u64,
}

struct Failure {
    attempt: u64,
    kind: ErrorKind,
    message: String,
}

#[derive(Default)]
struct State {
    current: Option<Entry>,
    /// Finished refresh attempts, to tell whether one ended while we waited for the lock.
    attempts: u64,
    last_failure: Option<Failure>,
    retry_not_before: u64,
}

/// A value a task of the parent may hold (a lock, a cell being filled) when the process forks:
/// the child, where that task does not exist, gets a fresh one instead of waiting forever.
pub(crate) struct PerProcess<T> {
    slot: Mutex<(u32, Arc<T>)>,
}

impl<T: Default> Default for PerProcess<T> {
    fn default() -> Self {
        PerProcess { slot: Mutex::new((std::process::id(), Arc::default())) }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for PerProcess<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.slot.lock().unwrap_or_else(|p| p.into_inner()).1.fmt(f)
    }
}

impl<T: Default> PerProcess<T> {
    /// The value; in a forked child, a new one unless `keep` says the inherited one is safe.
    pub fn get(&self, keep: impl FnOnce(&T) -> bool) -> Arc<T> {
        let pid = std::process::id();
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.0 != pid {
            if !keep(&slot.1) {
                slot.1 = Arc::default();
            }
            slot.0 = pid;
        }
        Arc::clone(&slot.1)
    }
}

/// The cache of one provider.
#[derive(Default)]
pub(crate) struct RefreshCache {
    state: Mutex<State>,
    refresh: PerProcess<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for RefreshCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.lock();
        f.debug_struct("RefreshCache")
            .field("expires_at", &st.current.as_ref().map(|e| format_timestamp(e.expires_at)))
            .field("refreshes", &st.attempts)
            .finish()
    }
}

impl RefreshCache {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached credentials, or fresh ones from `fetch` when they are due for refresh.
    pub async fn get(self: &Arc<Self>, env: &Environment, fetch: impl FnOnce() -> Fetch) -> Result<Credentials> {
        let now = env.now();
        let (usable, seen) = {
            let st = self.lock();
            if let Some(e) = &st.current
                && (now < e.refresh_at || (now < e.expires_at && now < st.retry_not_before))
            {
                return Ok(e.creds.clone());
            }
            (st.current.as_ref().filter(|e| now < e.expires_at).map(|e| e.creds.clone()), st.attempts)
        };
        if let Some(creds) = usable {
            // Still valid: refresh unless someone already is, and never wait for it.
            let Ok(guard) = self.refresh.get(|_| false).try_lock_owned() else {
                return Ok(creds);
            };
            return match Arc::clone(self).refresh(guard, env.clone(), fetch()).await {
                Ok(fresh) => Ok(fresh),
                Err(e) => {
                    tracing::warn!(error = %e, "refreshing temporary credentials failed; using the cached ones until they expire");
                    Ok(creds)
                }
            };
        }
        let guard = self.refresh.get(|_| false).lock_owned().await;
        {
            let st = self.lock();
            let now = env.now();
            if let Some(e) = &st.current
                && now < e.expires_at
                && (now < e.refresh_at || st.attempts != seen)
            {
                return Ok(e.creds.clone());
            }
            // A refresh failed while we waited: share its answer rather than hammer the source.
            if st.attempts != seen
                && let Some(f) = &st.last_failure
                && f.attempt == st.attempts
            {
                return Err(Error::new(f.kind, f.message.clone()));
            }
        }
        Arc::clone(self).refresh(guard, env.clone(), fetch()).await
    }

    async fn refresh(
        self: Arc<Self>,
        guard: OwnedMutexGuard<()>,
        env: Environment,
        fetch: Fetch,
    ) -> Result<Credentials> {
        let task = async move {
            let _guard = guard;
            let result = fetch.await;
            let now = env.now();
            let mut st = self.lock();
            st.attempts += 1;
            let result = result.and_then(|t| {
                if t.expires_at <= now {
                    return Err(Error::new(
                        ErrorKind::Credentials,
                        format!(
                            "the temporary credentials received expire at {}, which is not in the future (now {}); \
                             check the system clock",
                            format_timestamp(t.expires_at),
                            format_timestamp(now)
                        ),
                    ));
                }
                Ok(t)
            });
            match result {
                Ok(t) => {
                    let margin = REFRESH_EARLY.min((t.expires_at - now) / 2);
                    st.current = Some(Entry {
                        creds: t.creds.clone(),
                        expires_at: t.expires_at,
                        refresh_at: t.expires_at - margin,
                    });
                    st.last_failure = None;
                    st.retry_not_before = 0;
                    Ok(t.creds)
                }
                Err(e) => {
                    let mut message = e.message().to_owned();
                    match &st.current {
                        Some(cur) if now < cur.expires_at => {
                            st.retry_not_before = now + FAILURE_BACKOFF.min((cur.expires_at - now) / 2).max(1);
                        }
                        Some(cur) => {
                            message.push_str(&format!(
                                "; the cached temporary credentials expired at {}",
                                format_timestamp(cur.expires_at)
                            ));
                        }
                        None => {}
                    }
                    let attempt = st.attempts;
                    st.last_failure = Some(Failure { attempt, kind: e.kind(), message: message.clone() });
                    Err(Error::new(e.kind(), message))
                }
            }
        };
        crate::runtime::spawn(task).await?
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    use super::*;

    fn creds(n: usize) -> Credentials {
        Credentials::new(format!("STS.{n}"), "s").unwrap().with_security_token("t").unwrap()
    }

    #[test]
    fn a_forked_child_gets_fresh_locks_but_keeps_finished_cells() {
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        let _held_by_a_parent_task = Arc::clone(&lock).try_lock_owned().unwrap();
        // As if inherited from a parent process with another pid.
        let inherited = PerProcess { slot: Mutex::new((0, lock)) };
        assert!(inherited.get(|_| false).try_lock().is_ok(), "a fresh, unlocked mutex");
        assert!(inherited.get(|_| false).try_lock().is_ok(), "and it stays");

        let done = tokio::sync::OnceCell::new_with(Some(7));
        let kept = PerProcess { slot: Mutex::new((0, Arc::new(done))) };
        assert_eq!(kept.get(tokio::sync::OnceCell::initialized).get(), Some(&7));
        let pending = PerProcess { slot: Mutex::new((0, Arc::new(tokio::sync::OnceCell::<u8>::new()))) };
        assert!(!pending.get(tokio::sync::OnceCell::initialized).initialized());
    }

    #[test]
    fn refreshes_early_and_survives_a_failed_refresh() {
        let clock = Arc::new(AtomicU64::new(1_000));
        let c = Arc::clone(&clock);
        let env = Environment::from_vars(Vec::<(String, String)>::new()).with_clock(move || c.load(Ordering::SeqCst));
        let cache = Arc::new(RefreshCache::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let get = |cache: &Arc<RefreshCache>| {
            let (calls, fail, clock) = (Arc::clone(&calls), Arc::clone(&fail), Arc::clone(&clock));
            crate::runtime::block_on({
                let cache = Arc::clone(cache);
                let env = env.clone();
                async move {
                    cache
                        .get(&env, move || {
                            Box::pin(async move {
                                let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                                if fail.load(Ordering::SeqCst) {
                                    return Err(Error::new(ErrorKind::Credentials, "test: STS said NoPermission"));
                                }
                                Ok(Temporary { creds: creds(n), expires_at: clock.load(Ordering::SeqCst) + 3600 })
                            })
                        })
                        .await
                }
            })
            .unwrap()
        };
        assert_eq!(get(&cache).unwrap().access_key_id(), "STS.1");
        clock.store(1_000 + 3600 - 181, Ordering::SeqCst);
        assert_eq!(get(&cache).unwrap().access_key_id(), "STS.1", "not yet due");
        clock.store(1_000 + 3600 - 180, Ordering::SeqCst);
        assert_eq!(get(&cache).unwrap().access_key_id(), "STS.2", "refreshed 3 minutes early");
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        fail.store(true, Ordering::SeqCst);
        let expiry = 1_000 + 3600 - 180 + 3600;
        clock.store(expiry - 100, Ordering::SeqCst);
        assert_eq!(get(&cache).unwrap().access_key_id(), "STS.2", "failed refresh serves the cached ones");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(get(&cache).unwrap().access_key_id(), "STS.2", "backing off");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        clock.store(expiry, Ordering::SeqCst);
        let err = get(&cache).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(err.to_string().contains("NoPermission") && err.to_string().contains("expired at"), "{err}");
        fail.store(false, Ordering::SeqCst);
        assert_eq!(get(&cache).unwrap().access_key_id(), "STS.5");
    }
}
