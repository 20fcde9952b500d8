//! Promises settled from the core's runtime (TOOLCHAIN §5 option (a)), and the per-environment
//! state they need.
//!
//! napi's own tokio runtime is not used: it would start a second runtime when the module loads.
//! Instead an async export creates a promise, spawns its future on
//! [`smsauth::runtime::runtime`] (built lazily on the first call) and, when the future is done,
//! hands a small job back to the JavaScript thread, which converts the value and settles the
//! promise.
//!
//! The jobs travel through ONE lock-free queue per environment (the core's
//! [`Handoff`], which also settles a promise whose call was dropped unanswered, see
//! [`smsauth::runtime::handoff`]), whose JavaScript end a libuv async handle on the environment's
//! own loop (`napi_get_uv_event_loop`) wakes: a runtime thread pushes the job and, when it found
//! the queue empty, calls `uv_async_send` (an atomic flag, and one `eventfd` write when the loop
//! was not already woken), and the handle's callback settles every queued job. A Node-API
//! threadsafe function did the same with a mutex around its queue that it holds while waking
//! the loop: on one CPU the woken JavaScript thread preempted the runtime thread, blocked on
//! that mutex and switched back: 1.4 context switches and several µs a call more than this path
//! (`bench/results/profile-bindings.md`, rounds 3 and 4). libuv's handle API is stable across
//! libuv 1.x, and the handle's size is asked of libuv (`uv_handle_size`), never assumed.
//! The handle is referenced (keeps
//! the process alive) only while promises are pending, and closed by an async cleanup hook when
//! the environment is torn down (a worker thread that ends, or the process exiting).

use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::sys;

use smsauth::runtime::handoff::{self, Handoff, Reply};

use crate::error;
use crate::observe::Trace;

/// The few libuv functions this module calls, resolved from the Node process as Node-API's are
/// (napi-sys declares `uv_run` the same way).
mod uv {
    use std::ffi::{c_int, c_void};

    /// `UV_ASYNC` in `uv_handle_type` (the first handle type of libuv 1.x).
    pub(super) const ASYNC: c_int = 1;

    unsafe extern "C" {
        pub(super) fn uv_handle_size(kind: c_int) -> usize;
        pub(super) fn uv_async_init(
            event_loop: *mut napi::sys::uv_loop_s,
            handle: *mut c_void,
            callback: unsafe extern "C" fn(*mut c_void),
        ) -> c_int;
        pub(super) fn uv_async_send(handle: *mut c_void) -> c_int;
        pub(super) fn uv_close(handle: *mut c_void, callback: unsafe extern "C" fn(*mut c_void));
        pub(super) fn uv_ref(handle: *mut c_void);
        pub(super) fn uv_unref(handle: *mut c_void);
    }
}

/// State of one JavaScript environment (the main thread, or a worker thread), kept in the
/// environment's instance data.
pub(crate) struct EnvState {
    /// The `SmsAuthError` class registered by `index.js`.
    pub(crate) error_class: Option<FunctionRef<String, Unknown<'static>>>,
    /// The functions registered by `index.js` that build the client's result objects
    /// (`client.rs`), indexed by [`Shape`](crate::client::Shape).
    pub(crate) shapes: Vec<FunctionRef<(), Unknown<'static>>>,
    channel: Option<Arc<Channel>>,
    /// The async handle of this environment's [`Inbox`] (JavaScript thread only).
    handle: *mut c_void,
    /// Promises created and not yet settled (JavaScript thread only).
    pending: Cell<usize>,
}

/// This environment's state, created on first use.
pub(crate) fn env_state(env: &Env) -> Result<&'static mut EnvState> {
    if let Some(state) = env.get_instance_data::<EnvState>()? {
        return Ok(state);
    }
    env.set_instance_data(
        EnvState {
            error_class: None,
            shapes: Vec::new(),
            channel: None,
            handle: ptr::null_mut(),
            pending: Cell::new(0),
        },
        (),
        |_| {},
    )?;
    env.get_instance_data::<EnvState>()?
        .ok_or_else(|| Error::new(Status::GenericFailure, "could not store the module's per-environment state"))
}

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

/// An initialised libuv async handle; `uv_async_send` may be called on it from any thread.
struct Wake(*mut c_void);
// SAFETY: only `uv_async_send`, which libuv documents as thread-safe, is called through it off
// the JavaScript thread, and only while the handle is open: the environment's teardown closes
// the [`Channel`] (which waits for a wake-up in progress) before closing the handle.
unsafe impl Send for Wake {}
unsafe impl Sync for Wake {}

impl handoff::Wake for Wake {
    fn wake(&self) {
        // SAFETY: the handle is open while the channel is (see above).
        unsafe { uv::uv_async_send(self.0) };
    }
}

/// An environment's queue of jobs from the runtime threads; a job sent once the environment is
/// gone is dropped (with its promise).
type Channel = Handoff<Job, Wake>;

/// The JavaScript thread's end: what the async handle's callback needs. Its address is the
/// handle's `data`; it owns the handle's memory and is freed when libuv has closed the handle.
struct Inbox {
    env: sys::napi_env,
    /// The async context the jobs' callbacks run in (as a threadsafe function's would).
    context: sys::napi_async_context,
    channel: Arc<Channel>,
    /// `uv_handle_size(UV_ASYNC)` bytes, 8-aligned: the `uv_async_t`.
    handle: Box<[u64]>,
    /// Set by the async cleanup hook; released once the handle is closed.
    remove: sys::napi_async_cleanup_hook_handle,
}

impl Inbox {
    fn handle(&mut self) -> *mut c_void {
        self.handle.as_mut_ptr().cast()
    }
}

/// The handle's `data`: the first member of every libuv handle (`uv_handle_t.data`).
///
/// SAFETY: `handle` is an initialised libuv handle.
unsafe fn inbox_of(handle: *mut c_void) -> *mut Inbox {
    unsafe { *handle.cast::<*mut Inbox>() }
}

/// The async handle's callback (JavaScript thread): settle every queued job, inside one handle
/// scope and one callback scope (so that the promises' reactions run when it closes, as after
/// any callback from the event loop).
unsafe extern "C" fn wake(handle: *mut c_void) {
    // SAFETY: the handle's `data` is its live `Inbox` until the close callback frees it.
    let inbox = unsafe { &*inbox_of(handle) };
    let env = inbox.env;
    let mut handles = ptr::null_mut();
    let mut scope = ptr::null_mut();
    let mut resource = ptr::null_mut();
    // SAFETY: plain Node-API calls on the JavaScript thread, which libuv is calling back on.
    unsafe {
        if sys::napi_open_handle_scope(env, &mut handles) != sys::Status::napi_ok {
            return;
        }
        if sys::napi_create_object(env, &mut resource) == sys::Status::napi_ok {
            sys::napi_open_callback_scope(env, resource, inbox.context, &mut scope);
        }
    }
    for job in inbox.channel.take() {
        deliver(env, job);
    }
    // SAFETY: closing the scopes opened above, in reverse order.
    unsafe {
        if !scope.is_null() {
            sys::napi_close_callback_scope(env, scope);
        }
        sys::napi_close_handle_scope(env, handles);
    }
}

/// Async cleanup hook: the environment is being torn down. From here on no sender wakes the
/// handle; libuv closes it, then `closed` frees it and tells Node the cleanup is done.
unsafe extern "C" fn env_teardown(remove: sys::napi_async_cleanup_hook_handle, arg: *mut c_void) {
    // SAFETY: `arg` is the Inbox leaked in `channel()`, alive until `closed` runs.
    let inbox = unsafe { &mut *arg.cast::<Inbox>() };
    inbox.channel.close();
    inbox.remove = remove;
    // SAFETY: JavaScript thread; the handle is open.
    unsafe { uv::uv_close(inbox.handle(), closed) };
}

/// libuv's close callback: free the handle and its inbox (jobs still queued are dropped: their
/// environment is gone), then let Node finish the environment's teardown, if a cleanup hook
/// closed it (else `channel()` did, having failed to register the hook).
unsafe extern "C" fn closed(handle: *mut c_void) {
    // SAFETY: the Inbox was leaked in `channel()`; libuv no longer uses the handle it owns.
    let inbox = unsafe { Box::from_raw(inbox_of(handle)) };
    // SAFETY: JavaScript thread; the context was created in `channel()`, and the hook's handle
    // is the one Node gave it, released exactly once.
    unsafe {
        sys::napi_async_destroy(inbox.env, inbox.context);
        if !inbox.remove.is_null() {
            sys::napi_remove_async_cleanup_hook(inbox.remove);
        }
    }
}

/// Settle one promise (JavaScript thread, inside `wake`'s scopes).
fn deliver(raw_env: sys::napi_env, job: Job) {
    let env = Env::from_raw(raw_env);
    let Job { deferred, settle } = job;
    let mut handles = ptr::null_mut();
    // SAFETY: JavaScript thread; the scope holds this job's values only.
    if unsafe { sys::napi_open_handle_scope(raw_env, &mut handles) } != sys::Status::napi_ok {
        return;
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| settle(&env)))
        .unwrap_or_else(|_| Err(error::core_error(&env, &smsauth::summary::unconverted())));
    // SAFETY: called on the JavaScript thread with the deferred created by `promise`, settled
    // exactly once (each job is delivered once).
    unsafe {
        match outcome {
            Ok(value) => sys::napi_resolve_deferred(raw_env, deferred.0, value),
            Err(err) => reject(&env, deferred.0, err),
        };
        // Nothing here runs user code; should an exception still be pending, it is reported as
        // uncaught, as Node does after a threadsafe function's callback.
        if let Some(thrown) = take_exception(raw_env) {
            sys::napi_fatal_exception(raw_env, thrown);
        }
        sys::napi_close_handle_scope(raw_env, handles);
    }
    if let Ok(state) = env_state(&env) {
        state.settled();
    }
}

/// Reject `deferred` with `err`, or with a plain `Error` when even building that failed.
///
/// SAFETY: JavaScript thread; `deferred` is unsettled, and settled here.
unsafe fn reject(env: &Env, deferred: sys::napi_deferred, err: Error) -> sys::napi_status {
    // SAFETY: JavaScript thread.
    let value = unsafe { ToNapiValue::to_napi_value(env.raw(), err) }.unwrap_or_else(|_| {
        let plain = env.create_error(Error::new(Status::GenericFailure, "smsauth: the call failed"));
        plain.map_or(ptr::null_mut(), |obj| obj.raw())
    });
    // SAFETY: as the caller promised.
    unsafe { sys::napi_reject_deferred(env.raw(), deferred, value) }
}

/// The pending JavaScript exception, now cleared, if one is pending.
///
/// SAFETY: JavaScript thread.
unsafe fn take_exception(env: sys::napi_env) -> Option<sys::napi_value> {
    let (mut pending, mut thrown) = (false, ptr::null_mut());
    // SAFETY: as the caller promised; valid out-pointers.
    let taken = unsafe {
        sys::napi_is_exception_pending(env, &mut pending) == sys::Status::napi_ok
            && pending
            && sys::napi_get_and_clear_last_exception(env, &mut thrown) == sys::Status::napi_ok
    };
    taken.then_some(thrown)
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
        let mut event_loop = ptr::null_mut();
        let mut context = ptr::null_mut();
        // SAFETY: plain Node-API calls on the JavaScript thread with valid arguments.
        unsafe {
            check(sys::napi_get_uv_event_loop(env.raw(), &mut event_loop))?;
            check(sys::napi_async_init(env.raw(), ptr::null_mut(), name.raw(), &mut context))?;
        }
        let channel = Arc::new(Channel::new());
        // SAFETY: libuv's own answer for the handle type it is asked about.
        let words = unsafe { uv::uv_handle_size(uv::ASYNC) }.div_ceil(8);
        let inbox = Box::into_raw(Box::new(Inbox {
            env: env.raw(),
            context,
            channel: Arc::clone(&channel),
            handle: vec![0u64; words].into_boxed_slice(),
            remove: ptr::null_mut(),
        }));
        // SAFETY: the handle memory is owned by the leaked Inbox and sized by libuv; `data` is
        // set before any callback can run (callbacks run on this thread, after this returns).
        unsafe {
            let handle = (&mut *inbox).handle();
            let status: c_int = uv::uv_async_init(event_loop, handle, wake);
            if status != 0 {
                sys::napi_async_destroy(env.raw(), context);
                drop(Box::from_raw(inbox));
                return Err(Error::new(Status::GenericFailure, format!("uv_async_init failed ({status})")));
            }
            *handle.cast::<*mut Inbox>() = inbox;
            // Idle until a promise is pending, so an unused client never keeps the process alive.
            uv::uv_unref(handle);
            let status = sys::napi_add_async_cleanup_hook(env.raw(), Some(env_teardown), inbox.cast(), ptr::null_mut());
            if status != sys::Status::napi_ok {
                // Nothing can close the handle later: close it now (its callback frees it).
                uv::uv_close(handle, closed);
                return Err(Error::new(Status::GenericFailure, "could not register the cleanup hook"));
            }
            self.handle = handle;
        }
        channel.open(Wake(self.handle));
        self.channel = Some(Arc::clone(&channel));
        Ok(channel)
    }

    fn created(&self) {
        let n = self.pending.get() + 1;
        self.pending.set(n);
        if n == 1 {
            // SAFETY: JavaScript thread, open handle.
            unsafe { uv::uv_ref(self.handle) };
        }
    }

    fn settled(&self) {
        let n = self.pending.get().saturating_sub(1);
        self.pending.set(n);
        if n == 0 {
            // SAFETY: JavaScript thread, open handle.
            unsafe { uv::uv_unref(self.handle) };
        }
    }
}

pub(crate) fn check(status: sys::napi_status) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(status), "a Node-API call failed"))
    }
}

/// Run `fut` on the core runtime; resolve with `convert(value)` or reject with the mapped core
/// error. `convert` runs on the JavaScript thread. With a `trace`, the call's event is written
/// onto its context object before the promise settles. `action` names the call should its task
/// end without an answer (the promise is then rejected: it never hangs).
pub(crate) fn promise<'env, T, D, F>(
    env: &'env Env,
    fut: F,
    convert: fn(T) -> D,
    trace: Option<Trace>,
    action: &'static str,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    D: ToNapiValue + 'static,
    F: Future<Output = smsauth::Result<T>> + Send + 'static,
{
    let state = env_state(env)?;
    let channel = state.channel(env)?;
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: JavaScript thread, valid out-pointers.
    check(unsafe { sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) })?;
    state.created();
    let (deferred, observe) = (Deferred(deferred), trace.is_some());
    let reply = Reply::new(action, move |outcome: smsauth::Result<T>, event| {
        let settle: Settler = Box::new(move |env: &Env| {
            if let Some(trace) = trace {
                trace.finish(env, event)?;
            }
            match outcome {
                // SAFETY: JavaScript thread (this runs in `deliver`).
                Ok(v) => unsafe { ToNapiValue::to_napi_value(env.raw(), convert(v)) },
                Err(e) => Err(error::core_error(env, &e)),
            }
        });
        let _ = channel.send(Job { deferred, settle });
    });
    match smsauth::runtime::runtime() {
        Ok(rt) => handoff::spawn_call(rt, fut, observe, reply),
        Err(e) => reply.send(Err(e), None),
    }
    Ok(Object::from_raw(env.raw(), promise))
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
        let thrown = take_exception(env.raw());
        check(sys::napi_create_promise(env.raw(), &mut deferred, &mut promise))?;
        check(match thrown {
            Some(thrown) => sys::napi_reject_deferred(env.raw(), deferred, thrown),
            None => reject(env, deferred, err),
        })?;
    }
    Ok(Object::from_raw(env.raw(), promise))
}
