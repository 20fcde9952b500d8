//! One process-wide tokio runtime, built lazily on first use.
//!
//! Every request runs on it, and callers only await a join handle, so the async client works
//! from any executor (asyncio via the Python binding, Node's event loop, a user's own tokio
//! runtime, or none). After `fork()` the child has no runtime threads, so a new runtime is built
//! for the child (the parent's is leaked, never dropped: its threads do not exist there).
//! Its threads block `SIGPIPE` (see [`block_sigpipe`]).

use std::future::Future;
use std::sync::Mutex;

use tokio::runtime::{Builder, Runtime};

use crate::error::{Error, ErrorKind, Result};

static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

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
        .on_thread_start(block_sigpipe)
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

/// Run `fut` on the shared runtime and await its result from any executor.
///
/// If the task panics (a bug) its request may already have left, so the error says
/// [`crate::Delivery::Unknown`]: a send is never reported as safe to repeat after a panic.
pub async fn spawn<F>(fut: F) -> Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime()?.spawn(fut).await.map_err(|e| {
        Error::lost_in_flight(format!(
            "the smsauth task failed ({e}); its request may have been sent: do not resend a code blindly"
        ))
    })
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
    fn runtime_threads_block_sigpipe_and_callers_keep_their_mask() {
        assert!(!sigpipe_blocked_here(), "the test thread starts with SIGPIPE deliverable");
        assert!(block_on(async { sigpipe_blocked_here() }).unwrap(), "the runtime's worker blocks it");
        assert!(!sigpipe_blocked_here(), "the caller's own mask is left alone");
    }
}
