//! One process-wide tokio runtime, built lazily on first use.
//!
//! Every request runs on it, and callers only await a join handle, so the async client works
//! from any executor (asyncio via the Python binding, Node's event loop, a user's own tokio
//! runtime, or none). After `fork()` the child has no runtime threads, so a new runtime is built
//! for the child (the parent's is leaked, never dropped: its threads do not exist there).
//! Its threads block `SIGPIPE` (see [`block_sigpipe`]).
//!
//! A call made from one of the runtime's own threads (a task spawned on it, as a server's request
//! handler or the blocking client's call is) runs in place instead of as a new task: no task to
//! allocate and no wake-up of the caller from another thread when it ends (issue #19's profile).

use std::cell::Cell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::task::Poll;

use tokio::runtime::{Builder, Runtime};

use crate::error::{Error, ErrorKind, Result};

static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

thread_local! {
    /// The process id whose shared runtime this thread belongs to (0: none). A pid rather than a
    /// flag: a child forked from one of these threads must not take itself for a runtime thread.
    static RUNTIME_THREAD_OF: Cell<u32> = const { Cell::new(0) };
}

/// Whether the calling thread is one of the shared runtime's threads, in this process.
fn on_runtime_thread() -> bool {
    let owner = RUNTIME_THREAD_OF.with(Cell::get);
    owner != 0 && owner == std::process::id()
}

/// The shared runtime (2 worker threads named `smsauth-rt`), built on first use.
pub fn runtime() -> Result<&'static Runtime> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((owner, rt)) = *slot
        && owner == pid
    {
        return Ok(rt);
    }
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("smsauth-rt")
        .on_thread_start(|| {
            block_sigpipe();
            RUNTIME_THREAD_OF.with(|c| c.set(std::process::id()));
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
    let lost = |what: &dyn std::fmt::Display| {
        Error::lost_in_flight(format!(
            "the smsauth task failed ({what}); its request may have been sent: do not resend a code blindly"
        ))
    };
    if on_runtime_thread() {
        // The same answer as a spawned task that panicked.
        let mut fut = std::pin::pin!(fut);
        return std::future::poll_fn(|cx| match std::panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(ready) => ready.map(Ok),
            Err(panic) => Poll::Ready(Err(panic)),
        })
        .await
        .map_err(|panic| lost(&format_args!("it panicked: {}", panic_message(&*panic))));
    }
    runtime()?.spawn(fut).await.map_err(|e| lost(&e))
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
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorKind::Internal,
            "the blocking client was called from inside an async runtime, where blocking would stall it; \
             use the async smsauth::Client there (or spawn_blocking)",
        ));
    }
    runtime()?.block_on(spawn(fut))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

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
    fn runtime_threads_block_sigpipe_and_callers_keep_their_mask() {
        assert!(!sigpipe_blocked_here(), "the test thread starts with SIGPIPE deliverable");
        assert!(block_on(async { sigpipe_blocked_here() }).unwrap(), "the runtime's worker blocks it");
        assert!(!sigpipe_blocked_here(), "the caller's own mask is left alone");
    }
}
