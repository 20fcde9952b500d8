//! The HTTP clients of calls driven on their caller's thread ([`crate::runtime::block_on_here`]).
//!
//! A connection opened while a thread drives its own runtime belongs to that runtime: it only
//! progresses while that thread is inside a call. So such a thread keeps its own reqwest client
//! (and connection pool) per smsauth client, built with the same settings as the shared one and
//! never handed to another thread or to the shared runtime.
//!
//! Bounds: a thread keeps the pools of at most [`POOLS_PER_THREAD`] smsauth clients (the least
//! recently used one goes first; those of dropped clients at the thread's next call), each with at
//! most [`IDLE_PER_HOST`] idle connections; all of them go when the thread exits. A forked child
//! starts with none (the inherited ones are leaked with the runtime they belong to).

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use super::async_client::Inner;
use crate::error::{Error, ErrorKind, Result};
use crate::runtime::ThisProcess;

/// How many smsauth clients' connection pools one thread keeps for its blocking calls.
pub const POOLS_PER_THREAD: usize = 8;

/// Idle connections a per-thread pool keeps per host (a thread makes one call at a time).
pub(super) const IDLE_PER_HOST: usize = 2;

struct Pool {
    /// Whose pool this is; only compared by address (a `Weak` keeps the address from being
    /// reused by another client while it is here).
    owner: Weak<Inner>,
    http: reqwest::Client,
}

thread_local! {
    static POOLS: RefCell<Option<ThisProcess<Vec<Pool>>>> = const { RefCell::new(None) };
}

/// The calling thread's HTTP client for `inner`, built on first use.
pub(super) fn http(inner: &Arc<Inner>) -> Result<reqwest::Client> {
    POOLS
        .try_with(|slot| {
            let mut slot = slot.borrow_mut();
            if slot.as_ref().and_then(ThisProcess::get).is_none() {
                // An inherited list (after `fork()`) is leaked, never dropped.
                *slot = Some(ThisProcess::new(Vec::new()));
            }
            let Some(pools) = slot.as_mut().and_then(ThisProcess::get_mut) else {
                return Err(Error::new(ErrorKind::Internal, "the calling thread's connection pools are unusable"));
            };
            // Pools of dropped clients go first (their idle connections with them).
            pools.retain(|p| p.owner.strong_count() > 0);
            let me = Arc::as_ptr(inner);
            if let Some(i) = pools.iter().position(|p| std::ptr::eq(p.owner.as_ptr(), me)) {
                if i != 0 {
                    pools[..=i].rotate_right(1);
                }
                return Ok(pools[0].http.clone());
            }
            let http = inner.http_config.build_per_thread()?;
            pools.insert(0, Pool { owner: Arc::downgrade(inner), http: http.clone() });
            pools.truncate(POOLS_PER_THREAD);
            Ok(http)
        })
        .unwrap_or_else(|_| {
            Err(Error::new(ErrorKind::Internal, "a blocking call was made while its thread was exiting"))
        })
}

/// How many pools the calling thread holds (for tests).
#[cfg(test)]
pub(super) fn held() -> usize {
    POOLS.with(|slot| slot.borrow().as_ref().and_then(ThisProcess::get).map_or(0, Vec::len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> crate::Client {
        crate::Client::builder().access_key("id", "secret").endpoint("http://127.0.0.1:9").build().unwrap()
    }

    #[test]
    fn a_thread_keeps_a_bounded_number_of_pools_and_drops_those_of_dropped_clients() {
        std::thread::spawn(|| {
            let clients: Vec<_> = (0..POOLS_PER_THREAD + 2).map(|_| client()).collect();
            for c in &clients {
                http(&c.inner).unwrap();
            }
            assert_eq!(held(), POOLS_PER_THREAD, "the least recently used went");
            http(&clients[POOLS_PER_THREAD + 1].inner).unwrap();
            assert_eq!(held(), POOLS_PER_THREAD, "a known client reuses its pool");
            drop(clients);
            http(&client().inner).unwrap();
            assert_eq!(held(), 1, "pools of dropped clients went at the next call");
        })
        .join()
        .unwrap();
    }
}
