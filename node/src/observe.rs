//! Observability: the core's [`CallEvent`] of a call, written onto the context object that
//! `index.js` publishes on `node:diagnostics_channel` (`smsauth:call:start`, `…:end`,
//! `…:error`), and `client.stats()`.
//!
//! `index.js` passes a context object only when a channel has subscribers or `NODE_DEBUG`
//! names `smsauth` (as undici does), so a call nobody observes builds no event object. Every
//! value comes from the core's event, which holds no secret, no full phone number and no code.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use smsauth::CallEvent;
use smsauth::api::{Operation, mask_phone};
use smsauth::record::{Record, Value};

use smsauth::input::NODE;

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
        event.map_or(Ok(()), |e| write(env, &mut o, e.record()))
    }
}

/// Set each field of a core record on `o`, under its camel-case name.
pub(crate) fn write(env: &Env, o: &mut Object<'_>, record: Record<'_>) -> Result<()> {
    for (name, value) in record {
        let name = NODE.name(name);
        match value {
            Value::None => o.set_named_property(&name, Null)?,
            Value::Bool(b) => o.set_named_property(&name, b)?,
            Value::Unsigned(n) => o.set_named_property(&name, n as f64)?,
            Value::Float(x) => o.set_named_property(&name, x)?,
            Value::Text(s) => o.set_named_property(&name, s)?,
            Value::Texts(texts) => o.set_named_property(&name, texts.to_vec())?,
            Value::Numbers(ns) => o.set_named_property(&name, ns.iter().map(|&n| n as f64).collect::<Vec<_>>())?,
            Value::Counts(counts) => {
                let mut by_name = Object::new(env)?;
                for (key, n) in counts {
                    by_name.set_named_property(key, n as f64)?;
                }
                o.set_named_property(&name, by_name)?;
            }
        }
    }
    Ok(())
}

/// `client.stats()`: the client's counters since it was built.
#[napi(object, object_from_js = false, object_to_js = false)]
#[allow(dead_code)] // TypeScript shape only: `stats()` writes the core's record (`write`).
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
