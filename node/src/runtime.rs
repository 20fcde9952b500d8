//! Promises settled from the core's runtime (TOOLCHAIN §5 option (a)), and the per-environment
//! state they need.
//!
//! napi's own tokio runtime is not used: it would start a second runtime when the module loads.
//! Instead an async export creates a promise, spawns its future on
//! [`smsauth::runtime::runtime`] (built lazily on the first call) and, when the future is done,
//! hands a small job back to the JavaScript thread, which converts the value and settles the
//! promise.
//!
//! The jobs travel through ONE threadsafe function per environment (napi's `JsDeferred` creates
//! one per promise, each with its own libuv handle): completions that arrive together wake the
//! event loop once, and a call costs no handle set-up and tear-down. The threadsafe function is
//! referenced (keeps the process alive) only while promises are pending.

use std::cell::Cell;
use std::ffi::c_void;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi::sys;

use smsauth::CallEvent;

use crate::error;
use crate::observe::Trace;

/// State of one JavaScript environment (the main thread, or a worker thread), kept in the
/// environment's instance data.
pub(crate) struct EnvState {
    /// The `SmsAuthError` class registered by `index.js`.
    pub(crate) error_class: Option<FunctionRef<String, Unknown<'static>>>,
    channel: Option<Arc<Channel>>,
    tsfn: Tsfn,
    /// Promises created and not yet settled (JavaScript thread only).
    pending: Cell<usize>,
}

/// This environment's state, created on first use.
pub(crate) fn env_state(env: &Env) -> Result<&'static mut EnvState> {
    if let Some(state) = env.get_instance_data::<EnvState>()? {
        return Ok(state);
    }
    env.set_instance_data(
        EnvState { error_class: None, channel: None, tsfn: Tsfn(ptr::null_mut()), pending: Cell::new(0) },
        (),
        |_| {},
    )?;
    env.get_instance_data::<EnvState>()?
        .ok_or_else(|| Error::new(Status::GenericFailure, "could not store the module's per-environment state"))
}

/// A threadsafe-function handle; Node-API allows calling it from any thread.
#[derive(Clone, Copy)]
struct Tsfn(sys::napi_threadsafe_function);
// SAFETY: a napi_threadsafe_function is designed to be used from any thread.
unsafe impl Send for Tsfn {}

/// A promise's resolver; only used on the JavaScript thread, but carried by the job.
struct Deferred(sys::napi_deferred);
// SAFETY: the handle is only dereferenced by Node-API on the JavaScript thread (in `deliver`).
unsafe impl Send for Deferred {}

/// Converts the outcome to a JavaScript value on the JavaScript thread: `Ok` resolves, `Err`
/// rejects with the error value.
type Settler = Box<dyn FnOnce(&Env) -> Result<sys::napi_value> + Send>;

struct Job {
    deferred: Deferred,
    settle: Settler,
}

/// Delivers jobs to the JavaScript thread. `tsfn` is taken out when the environment is torn
/// down, so no thread calls a threadsafe function Node has already freed.
struct Channel {
    tsfn: Mutex<Option<Tsfn>>,
}

impl Channel {
    /// From any thread. If the environment is gone, the job (and its promise) is dropped.
    fn send(&self, job: Job) {
        let guard = self.tsfn.lock().unwrap_or_else(|p| p.into_inner());
        let Some(tsfn) = *guard else { return };
        let data = Box::into_raw(Box::new(job));
        // SAFETY: the tsfn is alive while it is in the slot (the env cleanup hook empties the
        // slot under this same lock before Node frees the tsfn).
        let status = unsafe {
            sys::napi_call_threadsafe_function(tsfn.0, data.cast(), sys::ThreadsafeFunctionCallMode::nonblocking)
        };
        if status != sys::Status::napi_ok {
            // SAFETY: Node did not take the data, so it is still ours.
            drop(unsafe { Box::from_raw(data) });
        }
    }
}

/// Env cleanup hook: runs before Node frees the threadsafe function (hooks run in reverse order
/// of registration, and this one is registered after the tsfn was created).
unsafe extern "C" fn env_teardown(arg: *mut c_void) {
    // SAFETY: `arg` is the `Arc<Channel>` leaked in `channel()`, released exactly once here.
    let channel = unsafe { Arc::from_raw(arg.cast::<Channel>()) };
    channel.tsfn.lock().unwrap_or_else(|p| p.into_inner()).take();
}

/// The threadsafe function's JavaScript-thread callback: settle one promise.
unsafe extern "C" fn deliver(env: sys::napi_env, _js_cb: sys::napi_value, _ctx: *mut c_void, data: *mut c_void) {
    if data.is_null() {
        return;
    }
    // SAFETY: every item queued by `Channel::send` is a `Box<Job>`.
    let job = unsafe { Box::from_raw(data.cast::<Job>()) };
    if env.is_null() {
        // The environment is being torn down: its promises are gone.
        return;
    }
    let env = Env::from_raw(env);
    let Job { deferred, settle } = *job;
    let outcome = catch_unwind(AssertUnwindSafe(|| settle(&env))).unwrap_or_else(|_| {
        let e = smsauth::Error::new(smsauth::ErrorKind::Internal, "converting the answer failed (a bug in smsauth)");
        Err(error::core_error(&env, &e))
    });
    // SAFETY: called on the JavaScript thread with the deferred created by `create_promise`,
    // settled exactly once (each job is delivered once).
    unsafe {
        match outcome {
            Ok(value) => {
                sys::napi_resolve_deferred(env.raw(), deferred.0, value);
            }
            Err(err) => {
                let value = match ToNapiValue::to_napi_value(env.raw(), err) {
                    Ok(v) => v,
                    Err(_) => generic_error(&env),
                };
                sys::napi_reject_deferred(env.raw(), deferred.0, value);
            }
        }
    }
    if let Ok(state) = env_state(&env) {
        state.settled(&env);
    }
}

/// A plain `Error` when even building the real error failed.
fn generic_error(env: &Env) -> sys::napi_value {
    match env.create_error(Error::new(Status::GenericFailure, "smsauth: the call failed")) {
        Ok(obj) => obj.raw(),
        Err(_) => ptr::null_mut(),
    }
}

impl EnvState {
    fn channel(&mut self, env: &Env) -> Result<Arc<Channel>> {
        if let Some(c) = &self.channel {
            return Ok(Arc::clone(c));
        }
        // Our runtime threads run this module's code: keep it loaded as napi's own async
        // machinery does.
        retain_current_module_for_unload_safety();
        let name = env.create_string("smsauth")?;
        let mut tsfn = ptr::null_mut();
        // SAFETY: plain Node-API calls on the JavaScript thread with valid arguments.
        unsafe {
            check(sys::napi_create_threadsafe_function(
                env.raw(),
                ptr::null_mut(),
                ptr::null_mut(),
                name.raw(),
                0,
                1,
                ptr::null_mut(),
                None,
                ptr::null_mut(),
                Some(deliver),
                &mut tsfn,
            ))?;
            // Idle until a promise is pending, so an unused client never keeps the process alive.
            check(sys::napi_unref_threadsafe_function(env.raw(), tsfn))?;
        }
        let channel = Arc::new(Channel { tsfn: Mutex::new(Some(Tsfn(tsfn))) });
        let hook_arg = Arc::into_raw(Arc::clone(&channel));
        // SAFETY: the hook releases the Arc leaked here.
        let status = unsafe { sys::napi_add_env_cleanup_hook(env.raw(), Some(env_teardown), hook_arg as *mut c_void) };
        if status != sys::Status::napi_ok {
            // SAFETY: not registered, so not released by the hook.
            drop(unsafe { Arc::from_raw(hook_arg) });
            return Err(Error::new(Status::GenericFailure, "could not register the cleanup hook"));
        }
        self.tsfn = Tsfn(tsfn);
        self.channel = Some(Arc::clone(&channel));
        Ok(channel)
    }

    fn created(&self, env: &Env) {
        let n = self.pending.get() + 1;
        self.pending.set(n);
        if n == 1 {
            // SAFETY: JavaScript thread, live tsfn.
            unsafe { sys::napi_ref_threadsafe_function(env.raw(), self.tsfn.0) };
        }
    }

    fn settled(&self, env: &Env) {
        let n = self.pending.get().saturating_sub(1);
        self.pending.set(n);
        if n == 0 {
            // SAFETY: JavaScript thread, live tsfn.
            unsafe { sys::napi_unref_threadsafe_function(env.raw(), self.tsfn.0) };
        }
    }
}

fn check(status: sys::napi_status) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(status), "a Node-API call failed"))
    }
}

/// Settles its promise exactly once: if it is dropped unused (the task panicked, or the runtime
/// dropped it), the promise is rejected, so a promise can never hang.
struct Settle {
    channel: Arc<Channel>,
    deferred: Option<Deferred>,
}

impl Settle {
    fn send(mut self, settle: Settler) {
        if let Some(deferred) = self.deferred.take() {
            self.channel.send(Job { deferred, settle });
        }
    }
}

impl Drop for Settle {
    fn drop(&mut self) {
        if let Some(deferred) = self.deferred.take() {
            self.channel.send(Job {
                deferred,
                settle: Box::new(|env| {
                    // Its request may have left before the task ended: never "safe to resend".
                    let e = smsauth::Error::lost_in_flight(
                        "the smsauth task ended without an answer; its request may have been sent",
                    );
                    Err(error::core_error(env, &e))
                }),
            });
        }
    }
}

fn create_promise<'env>(env: &'env Env) -> Result<(Settle, Object<'env>)> {
    let state = env_state(env)?;
    let channel = state.channel(env)?;
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: JavaScript thread, valid out-pointers.
    check(unsafe { sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) })?;
    state.created(env);
    Ok((Settle { channel, deferred: Some(Deferred(deferred)) }, Object::from_raw(env.raw(), promise)))
}

/// Run `fut` on the core runtime; resolve with `convert(value)` or reject with the mapped core
/// error. `convert` runs on the JavaScript thread. With a `trace`, the call's event is written
/// onto its context object before the promise settles.
pub(crate) fn promise<'env, T, D, F>(
    env: &'env Env,
    fut: F,
    convert: fn(T) -> D,
    trace: Option<Trace>,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    D: ToNapiValue + 'static,
    F: Future<Output = smsauth::Result<T>> + Send + 'static,
{
    let (settle, promise) = create_promise(env)?;
    let settler = move |outcome: smsauth::Result<T>, event: Option<(Trace, Option<CallEvent>)>| -> Settler {
        Box::new(move |env: &Env| {
            if let Some((trace, event)) = event {
                trace.finish(env, event)?;
            }
            match outcome {
                // SAFETY: JavaScript thread (this runs in `deliver`).
                Ok(v) => unsafe { ToNapiValue::to_napi_value(env.raw(), convert(v)) },
                Err(e) => Err(error::core_error(env, &e)),
            }
        })
    };
    match smsauth::runtime::runtime() {
        Ok(rt) => {
            rt.spawn(async move {
                let sent = match trace {
                    None => settler(fut.await, None),
                    Some(trace) => {
                        let (outcome, event) = smsauth::observe::observed(fut).await;
                        settler(outcome, Some((trace, event)))
                    }
                };
                settle.send(sent);
            });
        }
        Err(e) => settle.send(settler(Err(e), trace.map(|t| (t, None)))),
    }
    Ok(promise)
}

/// A promise already rejected with `err` (bad arguments to an async function reject rather
/// than throw, like any `async function`).
pub(crate) fn rejected<'env>(env: &'env Env, err: Error) -> Result<Object<'env>> {
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: JavaScript thread, valid out-pointers; the deferred is settled right here.
    unsafe {
        // A JavaScript exception is pending when reading the arguments ran user code that threw
        // (a getter, `toJSON`): that exception is the rejection, not a synchronous throw.
        let mut pending = false;
        check(sys::napi_is_exception_pending(env.raw(), &mut pending))?;
        let mut thrown = ptr::null_mut();
        if pending {
            check(sys::napi_get_and_clear_last_exception(env.raw(), &mut thrown))?;
        }
        check(sys::napi_create_promise(env.raw(), &mut deferred, &mut promise))?;
        let value = if pending {
            thrown
        } else {
            ToNapiValue::to_napi_value(env.raw(), err).unwrap_or_else(|_| generic_error(env))
        };
        check(sys::napi_reject_deferred(env.raw(), deferred, value))?;
    }
    Ok(Object::from_raw(env.raw(), promise))
}
