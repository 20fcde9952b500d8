//! Observability: the core's [`CallEvent`] of a call, written onto the context object that
//! `index.js` publishes on `node:diagnostics_channel` (`smsauth:call:start`, `…:end`,
//! `…:error`), and `client.stats()`.
//!
//! `index.js` passes a context object only when a channel has subscribers or `NODE_DEBUG`
//! names `smsauth` (as undici does), so a call nobody observes builds no event object. Every
//! value comes from the core's event, which holds no secret, no full phone number and no code.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use smsauth::api::{Operation, mask_phone};
use smsauth::{CallEvent, ClientStats, LATENCY_BUCKETS_MS};

/// The context object of one observed call, kept alive until the call settles.
pub(crate) struct Trace(ObjectRef<false>);

/// Start observing a call: the context gets `action` and the masked `phone` (the rest when the
/// call settles). `None` when `index.js` passed no context.
pub(crate) fn begin<Op: Operation>(ctx: Option<Object<'_>>, phone: &str) -> Result<Option<Trace>> {
    let Some(mut ctx) = ctx else { return Ok(None) };
    ctx.set_named_property("action", Op::ACTION)?;
    ctx.set_named_property("phone", mask_phone(phone))?;
    Ok(Some(Trace(ctx.create_ref()?)))
}

impl Trace {
    /// Write the call's event onto the context (JavaScript thread) and release it.
    pub(crate) fn finish(self, env: &Env, event: Option<CallEvent>) -> Result<()> {
        let mut o = self.0.get_value(env)?;
        self.0.unref(env)?;
        let Some(e) = event else { return Ok(()) };
        o.set_named_property("action", e.action)?;
        o.set_named_property("signatureVersion", e.signature_version.as_str())?;
        o.set_named_property("serverAddress", e.server_address)?;
        o.set_named_property("serverPort", e.server_port.map(u32::from))?;
        o.set_named_property("attempts", e.attempts)?;
        o.set_named_property("retryReasons", e.retry_reasons)?;
        o.set_named_property("httpStatus", e.http_status.map(u32::from))?;
        o.set_named_property("serviceCode", e.service_code)?;
        o.set_named_property("requestId", e.request_id)?;
        o.set_named_property("elapsedMs", e.elapsed.as_secs_f64() * 1000.0)?;
        o.set_named_property("delivery", e.delivery.as_str())?;
        o.set_named_property("guardDecision", e.guard.as_str())?;
        o.set_named_property("guardRule", e.guard_rule)?;
        o.set_named_property("phone", e.phone)?;
        o.set_named_property("passed", e.passed)?;
        o.set_named_property("errorKind", e.error.map(|k| k.name()))?;
        Ok(())
    }
}

/// `client.stats()`: the client's counters since it was built.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct Stats {
    /// `SendSmsVerifyCode` calls, whatever their outcome (guard denials included).
    pub sends: i64,
    /// `CheckSmsVerifyCode` calls, whatever their outcome.
    pub checks: i64,
    /// Checks whose code passed.
    pub passes: i64,
    /// Guard denials by rule name (`{ 'phone:1/60s': 2 }`).
    pub guard_denials: std::collections::HashMap<String, i64>,
    /// Failed calls by error kind (`{ throttled: 1 }`; kinds never seen are absent).
    pub errors: std::collections::HashMap<String, i64>,
    /// Upper bounds (inclusive, ms) of the latency buckets; one more bucket counts slower calls.
    pub latency_bounds_ms: Vec<i64>,
    /// Calls per latency bucket (each bucket counts its own calls, not the ones below it).
    pub latency_buckets: Vec<i64>,
    /// Sum of all call latencies in milliseconds.
    pub latency_sum_ms: i64,
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl From<ClientStats> for Stats {
    fn from(s: ClientStats) -> Self {
        Stats {
            sends: count(s.sends),
            checks: count(s.checks),
            passes: count(s.passes),
            guard_denials: s.guard_denials.into_iter().map(|(k, n)| (k, count(n))).collect(),
            errors: s.errors.into_iter().map(|(k, n)| (k.to_owned(), count(n))).collect(),
            latency_bounds_ms: LATENCY_BUCKETS_MS.iter().map(|&b| count(b)).collect(),
            latency_buckets: s.latency_buckets.into_iter().map(count).collect(),
            latency_sum_ms: count(s.latency_sum_ms),
        }
    }
}
