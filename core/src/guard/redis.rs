//! The Redis store (cargo feature `guard-redis`): one set of limits for every process and host.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::store::{CheckBegin, CheckEnd, Counter, Denial, GuardStore, StoreError, StoreFuture, WrongCodeLimit};
use crate::error::{Error, Result};

/// Reads the clock: the guard's (ARGV[1], for test clocks) or, when empty, the server's, so
/// every host sharing the store agrees on time.
const NOW: &str = r"
local function clock(arg)
  local now = tonumber(arg)
  if now then return now end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
";

/// Check every limit of every key; when all allow, record the event under every key.
/// KEYS: one sorted set per counter (score = time in ms, member = event id).
/// ARGV: now, event, then per key: limit count n, keep ms, cap, and n pairs (max, window ms).
/// Returns {0, now} or {1, counter index, limit index, retry ms} (the longest wait).
///
/// Sorted by time, a limit is reached iff its max-th newest event is inside its window, found
/// by rank in O(log n). Each `redis.call` costs about a microsecond, so the script makes as few
/// as it can: one read per key, and trimming only when a key holds `cap` events.
const ACQUIRE: &str = r"
local now = clock(ARGV[1])
local pos = 3
local keep, cap, full = {}, {}, {}
local best, bc, bl = -1, 0, 0
for i = 1, #KEYS do
  local n = tonumber(ARGV[pos])
  keep[i] = tonumber(ARGV[pos + 1])
  cap[i] = tonumber(ARGV[pos + 2])
  pos = pos + 3
  local newest = nil
  if n > 1 and cap[i] <= 64 then
    -- the cap newest events at once, for every limit of this key
    newest = redis.call('ZREVRANGE', KEYS[i], 0, cap[i] - 1, 'WITHSCORES')
    full[i] = #newest >= 2 * cap[i]
  end
  for j = 1, n do
    local max = tonumber(ARGV[pos])
    local win = tonumber(ARGV[pos + 1])
    pos = pos + 2
    local score
    if newest then
      score = newest[2 * max]
    else
      score = redis.call('ZREVRANGE', KEYS[i], max - 1, max - 1, 'WITHSCORES')[2]
      if score and max == cap[i] then full[i] = true end
    end
    if score then
      local retry = tonumber(score) + win - now
      if retry > 0 and retry > best then best, bc, bl = retry, i - 1, j - 1 end
    end
  end
end
if best >= 0 then return {1, bc, bl, best} end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[2])
  if full[i] then redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(cap[i] + 1)) end
  -- large logs (the budget) also drop what aged out; small ones are bounded by cap
  if cap[i] > 64 then redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - keep[i]) end
  redis.call('PEXPIRE', KEYS[i], keep[i])
end
return {0, now}
";

/// Forget an event. KEYS: the counters' sets. ARGV: now (unused), event.
const RELEASE: &str = r"
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[2]) end
return 0
";

/// Begin a check. KEYS: attempts set, lock key. ARGV: now, event, max, window ms, lockout ms.
/// Returns {0, attempts, locked 0/1} or {1, retry ms}.
const CHECK_BEGIN: &str = r"
local now = clock(ARGV[1])
local max, win, lockout = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local locked = tonumber(redis.call('GET', KEYS[2]) or '0')
if locked > now then return {1, locked - now} end
if locked > 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)
redis.call('ZADD', KEYS[1], now, ARGV[2])
local n = redis.call('ZCARD', KEYS[1])
local lock = 0
if n >= max then
  redis.call('SET', KEYS[2], now + lockout, 'PX', lockout + win)
  lock = 1
end
redis.call('PEXPIRE', KEYS[1], win + lockout)
return {0, n, lock}
";

/// End a check. KEYS: attempts set, lock key. ARGV: now, event, 'pass' or 'refund', max.
const CHECK_END: &str = r"
if ARGV[3] == 'pass' then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
local now = clock(ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[2])
local locked = tonumber(redis.call('GET', KEYS[2]) or '0')
if locked > now and redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then redis.call('DEL', KEYS[2]) end
return 0
";

#[derive(Clone, Copy, Debug)]
enum Which {
    Acquire,
    Release,
    CheckBegin,
    CheckEnd,
}

struct Scripts {
    acquire: redis::Script,
    release: redis::Script,
    check_begin: redis::Script,
    check_end: redis::Script,
}

impl Scripts {
    fn new() -> Self {
        let s = |body: &str| redis::Script::new(&format!("{NOW}{body}"));
        Scripts { acquire: s(ACQUIRE), release: s(RELEASE), check_begin: s(CHECK_BEGIN), check_end: s(CHECK_END) }
    }

    fn get(&self, which: Which) -> &redis::Script {
        match which {
            Which::Acquire => &self.acquire,
            Which::Release => &self.release,
            Which::CheckBegin => &self.check_begin,
            Which::CheckEnd => &self.check_end,
        }
    }
}

struct Inner {
    client: redis::Client,
    url: String,
    prefix: String,
    timeout: Duration,
    /// The connection manager and the process that made it (after `fork()` the child makes its
    /// own: the parent's belongs to a runtime that does not exist there).
    conn: Mutex<Option<(u32, ConnectionManager)>>,
    scripts: Scripts,
}

/// A [`GuardStore`] in Redis: many processes and hosts share one set of limits and one budget.
///
/// - Each call is one Lua script (`EVALSHA`), so checking and recording all keys of a send is
///   atomic across every client of the server, and costs one round trip.
/// - One multiplexed connection per process ([`redis::aio::ConnectionManager`]): concurrent calls
///   are pipelined on it, and it reconnects by itself after the server comes back.
/// - Every call, connecting included, finishes within the timeout; past it the guard applies its
///   [`super::FailPolicy`]. Calls run on the crate's runtime, so they work from any executor.
/// - Time is the Redis server's (`TIME`), so hosts with slightly different clocks agree; a guard
///   on a test clock passes its own time instead.
/// - Keys expire by themselves when idle (`PEXPIRE` of their longest window).
pub struct RedisStore {
    inner: Arc<Inner>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.inner.url)
            .field("prefix", &self.inner.prefix)
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}

impl RedisStore {
    /// A store at `url` (`redis://[:password@]host[:port][/db]`), keys under `key_prefix`, every
    /// call bounded by `timeout`. The connection is made on first use.
    pub fn new(url: &str, key_prefix: &str, timeout: Duration) -> Result<Self> {
        let shown = crate::error::redact_url(url);
        let client = redis::Client::open(url).map_err(|e| {
            Error::invalid_input(
                "guard.redis_url",
                format_args!("{shown} is not a usable Redis URL ({e}); use redis://[:password@]host[:port][/db]"),
            )
        })?;
        if timeout.is_zero() {
            return Err(Error::invalid_input("guard.store_timeout_ms", "must be greater than zero"));
        }
        Ok(RedisStore {
            inner: Arc::new(Inner {
                client,
                url: shown,
                prefix: key_prefix.to_owned(),
                timeout,
                conn: Mutex::new(None),
                scripts: Scripts::new(),
            }),
        })
    }

    fn call<T>(&self, which: Which, keys: Vec<String>, args: Vec<String>) -> StoreFuture<'static, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move {
            let timeout = inner.timeout;
            let task = async move {
                match tokio::time::timeout(timeout, inner.invoke::<T>(which, keys, args)).await {
                    Ok(r) => r,
                    Err(_) => Err(inner.timed_out()),
                }
            };
            match crate::runtime::spawn(task).await {
                Ok(r) => r,
                Err(e) => Err(StoreError::new(format!("could not run the redis call: {e}"))),
            }
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.inner.prefix)
    }
}

impl Inner {
    /// The connection manager, made on first use in this process (on the crate's runtime).
    fn manager(&self) -> Result<ConnectionManager, StoreError> {
        let pid = std::process::id();
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((owner, m)) = slot.as_ref()
            && *owner == pid
        {
            return Ok(m.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(10))
            .set_max_delay(Duration::from_millis(200));
        let m = ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            .map_err(|e| StoreError::new(format!("could not set up the connection: {e}")).with_source(e))?;
        *slot = Some((pid, m.clone()));
        Ok(m)
    }

    async fn invoke<T: redis::FromRedisValue>(
        &self,
        which: Which,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> Result<T, StoreError> {
        let mut conn = self.manager()?;
        let mut inv = self.scripts.get(which).prepare_invoke();
        for k in keys {
            inv.key(k);
        }
        for a in args {
            inv.arg(a);
        }
        inv.invoke_async(&mut conn).await.map_err(|e| {
            if e.is_timeout() { self.timed_out().with_source(e) } else { StoreError::new(e.to_string()).with_source(e) }
        })
    }

    fn timed_out(&self) -> StoreError {
        StoreError::timeout(format!("did not answer within {} ms", self.timeout.as_millis()))
    }
}

fn now_arg(now_ms: Option<u64>) -> String {
    now_ms.map(|n| n.to_string()).unwrap_or_default()
}

fn bad_answer(what: &str, got: &[i64]) -> StoreError {
    StoreError::new(format!("redis gave an unexpected answer to the guard's {what} script: {got:?}"))
}

impl GuardStore for RedisStore {
    fn name(&self) -> String {
        format!("redis {}", self.inner.url)
    }

    fn acquire<'a>(
        &'a self,
        now_ms: Option<u64>,
        counters: &'a [Counter<'a>],
        event: u64,
    ) -> StoreFuture<'a, Option<Denial>> {
        let keys = counters.iter().map(|c| self.key(c.key)).collect();
        let mut args = vec![now_arg(now_ms), format!("{event:x}")];
        for c in counters {
            args.push(c.limits.len().to_string());
            args.push(c.keep_ms().to_string());
            args.push(c.cap().to_string());
            for l in c.limits {
                args.push(l.max.to_string());
                args.push(l.window_ms().to_string());
            }
        }
        let call = self.call::<Vec<i64>>(Which::Acquire, keys, args);
        Box::pin(async move {
            let r = call.await?;
            match r.as_slice() {
                [0, ..] => Ok(None),
                &[1, c, l, retry] if c >= 0 && l >= 0 && retry > 0 => {
                    Ok(Some(Denial { counter: c as usize, limit: l as usize, retry_after_ms: retry as u64 }))
                }
                other => Err(bad_answer("acquire", other)),
            }
        })
    }

    fn release<'a>(&'a self, now_ms: Option<u64>, counters: &'a [Counter<'a>], event: u64) -> StoreFuture<'a, ()> {
        let keys = counters.iter().map(|c| self.key(c.key)).collect();
        let call = self.call::<i64>(Which::Release, keys, vec![now_arg(now_ms), format!("{event:x}")]);
        Box::pin(async move { call.await.map(drop) })
    }

    fn check_begin<'a>(
        &'a self,
        now_ms: Option<u64>,
        key: &'a str,
        limit: &'a WrongCodeLimit,
        event: u64,
    ) -> StoreFuture<'a, CheckBegin> {
        let k = self.key(key);
        let keys = vec![k.clone(), format!("{k}:lock")];
        let args = vec![
            now_arg(now_ms),
            format!("{event:x}"),
            limit.max_wrong.to_string(),
            limit.window_seconds.saturating_mul(1000).to_string(),
            limit.lockout_seconds.saturating_mul(1000).to_string(),
        ];
        let call = self.call::<Vec<i64>>(Which::CheckBegin, keys, args);
        Box::pin(async move {
            let r = call.await?;
            match r.as_slice() {
                &[0, n, lock] if n >= 0 => Ok(CheckBegin::Allowed { attempts: n as u32, locked: lock == 1 }),
                &[1, retry] if retry > 0 => Ok(CheckBegin::Locked { retry_after_ms: retry as u64 }),
                other => Err(bad_answer("check", other)),
            }
        })
    }

    fn check_end<'a>(
        &'a self,
        now_ms: Option<u64>,
        key: &'a str,
        limit: &'a WrongCodeLimit,
        event: u64,
        end: CheckEnd,
    ) -> StoreFuture<'a, ()> {
        let k = self.key(key);
        let keys = vec![k.clone(), format!("{k}:lock")];
        let mode = match end {
            CheckEnd::Passed => "pass",
            CheckEnd::Refund => "refund",
        };
        let args = vec![now_arg(now_ms), format!("{event:x}"), mode.to_owned(), limit.max_wrong.to_string()];
        let call = self.call::<i64>(Which::CheckEnd, keys, args);
        Box::pin(async move { call.await.map(drop) })
    }
}
