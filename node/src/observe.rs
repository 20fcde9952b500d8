//! Observability: the core's [`CallEvent`] of a call, written onto the context object that
//! `index.js` publishes on `node:diagnostics_channel` (`smsauth:call:start`, `…:end`,
//! `…:error`), and `client.stats()` (its TypeScript shape `Stats` is written by `tools/typegen`
//! from the same record).
//!
//! `index.js` passes a context object only when a channel has subscribers or `NODE_DEBUG`
//! names `smsauth` (as undici does), so a call nobody observes builds no event object. Every
//! value comes from the core's event, which holds no secret, no full phone number and no code.

use napi::bindgen_prelude::*;
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
