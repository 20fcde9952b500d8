//! One process-wide tokio runtime, built lazily on first use.
//!
//! Every request runs on it, and callers only await a join handle, so the async client works
//! from any executor (asyncio via the Python binding, Node's event loop, a user's own tokio
//! runtime, or none). After `fork()` the child has no runtime threads, so a new runtime is built
//! for the child (the parent's is leaked, never dropped: its threads do not exist there).
//! Its threads block `SIGPIPE` (see [`block_sigpipe`]).
//!
//! A call made from one of the runtime's own threads (a task spawned on it, as a server's request
//! handler is) runs in place instead of as a new task: no task to allocate and no wake-up of the
//! caller from another thread when it ends (issue #19's profile).
//!
//! Blocking callers (the [`crate::blocking::Client`], C's blocking functions) do not use the shared
//! runtime for their calls: [`block_on_here`] drives the call on the caller's own thread, on a
//! current-thread runtime that thread keeps (one per thread, built on first use, dropped when the
//! thread exits; after `fork()` the child builds its own and leaks the inherited one, whose epoll
//! instance it shares with the parent). A call made that way opens its connections on that
//! runtime, so they come from a pool of the thread's own (see `client/per_thread.rs`): such
//! connections only progress while their thread drives them, and are never handed to another
//! thread. Work whose state is shared by every thread (refreshing cached credentials, the guard's
//! Redis connection) still goes to the shared runtime through [`spawn`].

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::ops::ControlFlow;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};

use crate::error::{Error, ErrorKind, Result};

pub mod handoff;

static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

thread_local! {
    /// The process id whose shared runtime this thread belongs to (0: none). A pid rather than a
    /// flag: a child forked from one of these threads must not take itself for a runtime thread.
    static RUNTIME_THREAD_OF: Cell<u32> = const { Cell::new(0) };

    /// This thread's own current-thread runtime for [`block_on_here`], and the process id it was
    /// built in.
    static LOCAL: RefCell<Option<ThisProcess<Rc<Runtime>>>> = const { RefCell::new(None) };

    /// The process id whose [`block_on_here`] this thread is driving right now (0: none).
    static DRIVING: Cell<u32> = const { Cell::new(0) };
}

/// The id of this process, without a system call once known.
///
/// `getpid` is a system call, and one smsauth call compares process ids several times (the
/// fork checks of this module and of the client's connection pools: up to six for a blocking
/// call), so the id is cached. A `pthread_atfork` child handler clears the cache in a child
/// forked by the C library's `fork()` — which Python's `os.fork`, C programs and Rust's
/// `libc::fork` all call. (A child made by a raw `clone` system call, which skips the
/// handlers, would take itself for its parent; so would a `vfork` child, which may only `exec`
/// or `_exit` anyway.) If the handler cannot be registered, nothing is cached.
pub(crate) fn process_id() -> u32 {
    #[cfg(unix)]
    {
        use std::sync::Once;
        use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
        static PID: AtomicU32 = AtomicU32::new(0);
        static CACHING: AtomicBool = AtomicBool::new(false);
        static REGISTER: Once = Once::new();
        extern "C" fn forget_in_child() {
            PID.store(0, Ordering::Relaxed);
        }
        let cached = PID.load(Ordering::Relaxed);
        if cached != 0 {
            return cached;
        }
        REGISTER.call_once(|| {
            // SAFETY: registers a handler that only stores to an atomic (async-signal-safe, as a
            // handler run in a child of a multi-threaded process must be).
            let rc = unsafe { libc::pthread_atfork(None, None, Some(forget_in_child)) };
            CACHING.store(rc == 0, Ordering::Relaxed);
        });
        let pid = std::process::id();
        if CACHING.load(Ordering::Relaxed) {
            PID.store(pid, Ordering::Relaxed);
        }
        pid
    }
    #[cfg(not(unix))]
    std::process::id()
}

/// A value that belongs to the process that made it: dropped there, leaked in a forked child.
///
/// A thread's runtime must not be dropped in a child (its epoll instance is the parent's too:
/// dropping its sockets would deregister them for the parent), including by the thread-local
/// destructors that `exit()` runs for the calling thread.
pub(crate) struct ThisProcess<T> {
    pid: u32,
    value: std::mem::ManuallyDrop<T>,
}

impl<T> ThisProcess<T> {
    pub(crate) fn new(value: T) -> Self {
        ThisProcess { pid: process_id(), value: std::mem::ManuallyDrop::new(value) }
    }

    /// The value, if this is the process that made it.
    pub(crate) fn get(&self) -> Option<&T> {
        (self.pid == process_id()).then_some(&*self.value)
    }

    /// Mutable access, if this is the process that made it.
    pub(crate) fn get_mut(&mut self) -> Option<&mut T> {
        (self.pid == process_id()).then_some(&mut *self.value)
    }
}

impl<T> Drop for ThisProcess<T> {
    fn drop(&mut self) {
        if self.pid == process_id() {
            // SAFETY: dropped once, here; the value is not used afterwards.
            unsafe { std::mem::ManuallyDrop::drop(&mut self.value) }
        }
    }
}

/// Whether the calling thread is driving a [`block_on_here`] call right now, in this process:
/// a call made now runs in place, on connections of this thread's own pool.
pub(crate) fn on_caller_runtime() -> bool {
    let owner = DRIVING.with(Cell::get);
    owner != 0 && owner == process_id()
}

/// Marks the calling thread as driving its own runtime until dropped (restoring what was there:
/// a check callback of [`block_on_here_interruptible`] may make a nested blocking call).
struct Driving(u32);

impl Driving {
    fn enter(pid: u32) -> Self {
        Driving(DRIVING.with(|d| d.replace(pid)))
    }
}

impl Drop for Driving {
    fn drop(&mut self) {
        DRIVING.with(|d| d.set(self.0));
    }
}

/// Whether the calling thread is one of the shared runtime's threads, in this process.
fn on_runtime_thread() -> bool {
    let owner = RUNTIME_THREAD_OF.with(Cell::get);
    owner != 0 && owner == process_id()
}

/// How many worker threads the shared runtime starts for a process that may use `cpus` CPUs
/// (its affinity mask and cgroup quota; unknown: 2): two at most — an SMS client waits on the
/// network far more than it computes —, and one where the process may use only one CPU (a
/// container limited to one CPU, `taskset -c N`), where a second worker only adds wake-ups and
/// context switches to every call handed over from another thread (C's and Node's callbacks,
/// Python's asyncio).
pub fn worker_threads(cpus: Option<std::num::NonZeroUsize>) -> usize {
    cpus.map_or(2, |n| n.get().min(2))
}

/// The most worker threads the shared runtime may start in this process ([`limit_worker_threads`]).
static MAX_WORKERS: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Start at most `max` (at least 1) worker threads in the shared runtime of this process,
/// whatever [`worker_threads`] allows; for a binding whose calls reach the runtime from one host
/// thread. Python's asyncio calls all come from its event loop's thread: one worker serves them,
/// and a second one only adds its own allocator arena (about 1.3 MB of peak RSS at 64 calls in
/// flight, issue #19) and wake-ups. Takes effect when the runtime is built: call it before the
/// first call (a runtime rebuilt in a forked child follows it too).
pub fn limit_worker_threads(max: usize) {
    MAX_WORKERS.store(max.max(1), Ordering::Relaxed);
}

/// The shared runtime (worker threads named `smsauth-rt`, [`worker_threads`] of them or the
/// [limit](limit_worker_threads), if lower), built on first use.
pub fn runtime() -> Result<&'static Runtime> {
    let pid = process_id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((owner, rt)) = *slot
        && owner == pid
    {
        return Ok(rt);
    }
    let rt = Builder::new_multi_thread()
        .worker_threads(
            worker_threads(std::thread::available_parallelism().ok()).min(MAX_WORKERS.load(Ordering::Relaxed)),
        )
        .thread_name("smsauth-rt")
        .on_thread_start(|| {
            block_sigpipe();
            RUNTIME_THREAD_OF.with(|c| c.set(process_id()));
        })
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Internal, format!("could not start the smsauth runtime: {e}")))?;
    let rt: &'static Runtime = Box::leak(Box::new(rt));
    *slot = Some((pid, rt));
    Ok(rt)
}

/// Block `SIGPIPE` on the calling thread.
///
/// Writing to a connection the peer already closed raises `SIGPIPE`, which kills a process that
/// has not ignored it — a C program using libsmsauth (Rust, Python and Node ignore it at
/// start-up). hyper writes with `writev`, which cannot pass `MSG_NOSIGNAL`, so every thread that
/// does smsauth's network I/O (this runtime's, and the emulator's) blocks the signal: such a write
/// then just fails with `EPIPE`, which becomes a typed network error.
pub fn block_sigpipe() {
    #[cfg(unix)]
    // SAFETY: the set is a local, initialised by `sigemptyset` before use; `pthread_sigmask`
    // changes only the calling thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Run `fut` on the shared runtime and await its result from any executor. Awaited on one of
/// the runtime's own threads, `fut` runs in place (it is already where its I/O belongs).
///
/// If the task panics (a bug) its request may already have left, so the error says
/// [`crate::Delivery::Unknown`]: a send is never reported as safe to repeat after a panic.
pub async fn spawn<F>(fut: F) -> Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if on_runtime_thread() {
        return in_place(fut).await;
    }
    runtime()?.spawn(fut).await.map_err(|e| lost(&e))
}

/// Run one client call: in place when the calling thread drives it ([`block_on_here`]), where
/// its connections belong; otherwise as [`spawn`] does.
pub(crate) async fn run_call<F>(fut: F) -> Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if on_caller_runtime() {
        return in_place(fut).await;
    }
    spawn(fut).await
}

fn lost(what: &dyn std::fmt::Display) -> Error {
    Error::lost_in_flight(format!(
        "the smsauth task failed ({what}); its request may have been sent: do not resend a code blindly"
    ))
}

/// Await `fut` where it is, a panic in it giving the same answer as a spawned task that panicked.
async fn in_place<F: Future>(fut: F) -> Result<F::Output> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| match std::panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
        Ok(ready) => ready.map(Ok),
        Err(panic) => Poll::Ready(Err(panic)),
    })
    .await
    .map_err(|panic| lost(&format_args!("it panicked: {}", panic_message(&*panic))))
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str)).unwrap_or("")
}

/// Block the current thread on `fut` (run on the shared runtime). Inside an async runtime this
/// returns an error instead of panicking: use the async API there.
pub fn block_on<F>(fut: F) -> Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    refuse_inside_a_runtime()?;
    runtime()?.block_on(spawn(fut))
}

fn refuse_inside_a_runtime() -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorKind::Internal,
            "the blocking client was called from inside an async runtime, where blocking would stall it; \
             use the async smsauth::Client there (or spawn_blocking)",
        ));
    }
    Ok(())
}

/// The calling thread's own current-thread runtime, built on first use (and again in a forked
/// child, which leaks the inherited one: dropping it would deregister the parent's sockets from
/// the epoll instance both processes share).
fn caller_runtime() -> Result<Rc<Runtime>> {
    let unavailable = |why: &dyn std::fmt::Display| {
        Error::new(ErrorKind::Internal, format!("could not start a runtime on the calling thread: {why}"))
    };
    LOCAL
        .try_with(|slot| {
            let mut slot = slot.borrow_mut();
            if let Some(rt) = slot.as_ref().and_then(ThisProcess::get) {
                return Ok(Rc::clone(rt));
            }
            let rt = Rc::new(Builder::new_current_thread().enable_all().build().map_err(|e| unavailable(&e))?);
            // An inherited runtime is leaked by `ThisProcess`.
            *slot = Some(ThisProcess::new(Rc::clone(&rt)));
            Ok(rt)
        })
        .unwrap_or_else(|_| Err(unavailable(&"the thread is exiting")))
}

/// Block the calling thread on `fut`, driving it on that thread (issue #19): no hand-over to the
/// shared runtime's threads and back. smsauth calls awaited inside run in place, on connections
/// of this thread's own pool (at most [`crate::blocking::POOLS_PER_THREAD`] clients' pools per
/// thread, freed when the thread exits); work shared by all threads (a credentials refresh, the
/// Redis guard) still runs on the shared runtime.
///
/// Inside an async runtime this returns the blocking client's error instead of panicking (use
/// the async API there). A panic in `fut` is returned as an [`ErrorKind::Internal`] error whose
/// delivery is unknown, as a panicking call on the shared runtime is. `fut` need not be `Send`.
/// Tasks it spawns with `tokio::spawn` land on this thread's runtime and only progress while the
/// thread is inside `block_on_here` again.
pub fn block_on_here<F: Future>(fut: F) -> Result<F::Output> {
    refuse_inside_a_runtime()?;
    let rt = caller_runtime()?;
    let _driving = Driving::enter(process_id());
    rt.block_on(in_place(fut))
}

/// How [`block_on_here_interruptible`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waited<T, B> {
    /// The future finished with this output.
    Done(T),
    /// The check asked to stop (with this value); the future was dropped unfinished, so a
    /// request it was making may or may not have been received.
    Interrupted(B),
}

/// [`block_on_here`], stopping every `every` (at least 1 ms) to call `check` outside the
/// runtime — e.g. Python's binding releases the GIL for the wait and re-takes it there to run
/// signal handlers. `check` returning `ControlFlow::Break(b)` drops `fut` unfinished and returns
/// [`Waited::Interrupted`]`(b)`; it may itself make blocking smsauth calls.
///
/// If `check` forked the process and this is the child, `fut` (whose connections the child
/// shares with its parent) is leaked rather than dropped, and unless `check` asked to stop the
/// result is an [`ErrorKind::Internal`] error whose delivery is unknown.
pub fn block_on_here_interruptible<F, B>(
    fut: F,
    every: Duration,
    mut check: impl FnMut() -> ControlFlow<B>,
) -> Result<Waited<F::Output, B>>
where
    F: Future,
{
    refuse_inside_a_runtime()?;
    let every = every.max(Duration::from_millis(1));
    let rt = caller_runtime()?;
    let pid = process_id();
    let mut fut = Box::pin(in_place(fut));
    loop {
        let ticked = {
            let _driving = Driving::enter(pid);
            rt.block_on(async { tokio::time::timeout(every, fut.as_mut()).await })
        };
        if let Ok(output) = ticked {
            return output.map(Waited::Done);
        }
        let stop = check();
        if std::process::id() != pid {
            std::mem::forget(fut);
            return match stop {
                ControlFlow::Break(b) => Ok(Waited::Interrupted(b)),
                ControlFlow::Continue(()) => {
                    Err(lost(&"the process forked while the call was in flight; the child cannot finish it"))
                }
            };
        }
        if let ControlFlow::Break(b) = stop {
            return Ok(Waited::Interrupted(b));
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_has_two_workers_at_most_and_one_on_one_cpu() {
        let n = |cpus: usize| worker_threads(std::num::NonZeroUsize::new(cpus));
        assert_eq!((n(1), n(2), n(3), n(64)), (1, 2, 2, 2));
        assert_eq!(worker_threads(None), 2);
        let here = worker_threads(std::thread::available_parallelism().ok());
        assert_eq!(runtime().unwrap().metrics().num_workers(), here);
    }

    #[test]
    fn a_limit_caps_the_workers_of_a_runtime_built_after_it() {
        let here = runtime().unwrap().metrics().num_workers();
        // In a forked child, which builds its own runtime on first use: the parent keeps its own.
        // SAFETY: the child only builds a runtime, reads it and leaves with `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            limit_worker_threads(0); // means 1
            let ok = runtime().is_ok_and(|rt| rt.metrics().num_workers() == 1);
            // SAFETY: ends the child without running the parent's exit handlers.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        let mut status = 0;
        // SAFETY: waits for the child just forked.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "child status {status}");
        assert_eq!(runtime().unwrap().metrics().num_workers(), here);
    }

    fn sigpipe_blocked_here() -> bool {
        // SAFETY: reads the calling thread's mask into a local set; nothing is changed.
        unsafe {
            let mut current: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut current);
            libc::sigismember(&current, libc::SIGPIPE) == 1
        }
    }

    #[test]
    fn on_its_own_threads_a_call_runs_in_place_and_a_panic_there_is_lost_in_flight() {
        let (outer, inner) = block_on(async {
            let outer = tokio::task::try_id();
            (outer, spawn(async { tokio::task::try_id() }).await.unwrap())
        })
        .unwrap();
        assert!(outer.is_some());
        assert_eq!(outer, inner, "the same task: no new one was spawned");
        let err = block_on(async { spawn(async { panic!("bug") }).await }).unwrap().unwrap_err();
        assert!(err.may_have_been_received(), "{err}");
        assert!(err.to_string().contains("it panicked: bug"), "{err}");
    }

    #[test]
    fn the_cached_process_id_is_the_childs_in_a_forked_child() {
        let parent = process_id();
        assert_eq!(parent, std::process::id());
        assert_eq!(process_id(), parent, "cached");
        // SAFETY: the child only reads ids and leaves with `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let ok = process_id() == std::process::id() && process_id() != parent;
            // SAFETY: ends the child without running the parent's exit handlers.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        let mut status = 0;
        // SAFETY: waits for the child just forked.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "child status {status}");
        assert_eq!(process_id(), parent);
    }

    #[test]
    fn runtime_threads_block_sigpipe_and_callers_keep_their_mask() {
        assert!(!sigpipe_blocked_here(), "the test thread starts with SIGPIPE deliverable");
        assert!(block_on(async { sigpipe_blocked_here() }).unwrap(), "the runtime's worker blocks it");
        assert!(!sigpipe_blocked_here(), "the caller's own mask is left alone");
    }
}
