//! Handing the outcome of a binding's async call from the shared runtime back to the host's own
//! thread: the machinery Python's asyncio completions and Node's promises share, so that each
//! binding keeps only its host calls (take the GIL, settle a promise, wake libuv).
//!
//! - [`spawn_call`] / [`spawn_abandonable`] run one call on the [shared runtime](super::runtime)
//!   and give its outcome (and its [`CallEvent`] when the call is observed) to a [`Reply`],
//!   exactly once: a reply dropped unsent — its task panicked, or was abandoned — answers with
//!   [`crate::summary::lost_task`], never "safe to resend".
//! - A [`Handoff`] queues the replies' jobs for the host thread without a lock, and wakes the
//!   host once for jobs that arrive together (the host [takes](Handoff::take) them all at once).
//! - A [`Worker`] is a host thread of its own draining a handoff in bounded batches (Python's
//!   `smsauth-asyncio` thread, which takes the GIL once per batch); [`PerProcess`] keeps one for
//!   each process, started again in a forked child.
//! - A [`Gate`] counts the threads inside the host, so that the host's exit can stop new entries
//!   and wait for those inside (Python's `atexit` drain).

use std::future::Future;
use std::marker::PhantomData;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;
use tokio::sync::oneshot;

use super::process_id;
use crate::CallEvent;
use crate::error::Result;
use crate::observe::observed;

/// `fut`, with its [`CallEvent`] when `observe`: the core builds no event for a call nobody
/// observes (a binding decides per call whether a log line, a callback or a trace reads it).
pub async fn observed_if<T>(observe: bool, fut: impl Future<Output = T>) -> (T, Option<CallEvent>) {
    if observe { observed(fut).await } else { (fut.await, None) }
}

/// The answer of one call, given to `deliver` exactly once: by [`Reply::send`] or, if the reply
/// is dropped unsent (its task panicked or was abandoned, or the runtime dropped it), as the
/// [`lost_task`](crate::summary::lost_task) error of its action with no event — the call's
/// request may have left, so the host never hangs and never hears "safe to resend".
pub struct Reply<T, D: FnOnce(Result<T>, Option<CallEvent>)> {
    deliver: Option<D>,
    /// The API action of the call, named by the lost-task error.
    action: &'static str,
    value: PhantomData<fn(T)>,
}

impl<T, D: FnOnce(Result<T>, Option<CallEvent>)> Reply<T, D> {
    pub fn new(action: &'static str, deliver: D) -> Self {
        Reply { deliver: Some(deliver), action, value: PhantomData }
    }

    /// Deliver the call's outcome, and its event when it was observed.
    pub fn send(mut self, outcome: Result<T>, event: Option<CallEvent>) {
        if let Some(deliver) = self.deliver.take() {
            deliver(outcome, event);
        }
    }
}

impl<T, D: FnOnce(Result<T>, Option<CallEvent>)> std::fmt::Debug for Reply<T, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply").field("action", &self.action).field("sent", &self.deliver.is_none()).finish()
    }
}

impl<T, D: FnOnce(Result<T>, Option<CallEvent>)> Drop for Reply<T, D> {
    fn drop(&mut self) {
        if let Some(deliver) = self.deliver.take() {
            deliver(Err(crate::summary::lost_task(self.action)), None);
        }
    }
}

/// Run `fut` as one task on `rt` (the [shared runtime](super::runtime)) and send its outcome,
/// with its event when `observe`, to `reply`.
pub fn spawn_call<T, F, D>(rt: &Runtime, fut: F, observe: bool, reply: Reply<T, D>)
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
    D: FnOnce(Result<T>, Option<CallEvent>) + Send + 'static,
{
    rt.spawn(answer(fut, observe, reply));
}

/// [`spawn_call`], for a host whose caller may give up on the call (Python's cancelled asyncio
/// future): dropping the returned [`Abandon`] drops the call unfinished wherever it is — a send
/// may still have been delivered — and its reply then answers with the lost-task error.
#[must_use = "dropping the handle abandons the call"]
pub fn spawn_abandonable<T, F, D>(rt: &Runtime, fut: F, observe: bool, reply: Reply<T, D>) -> Abandon
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
    D: FnOnce(Result<T>, Option<CallEvent>) + Send + 'static,
{
    let (abandon, abandoned) = oneshot::channel::<()>();
    rt.spawn(async move {
        tokio::select! {
            biased;
            _ = abandoned => {}
            () = answer(fut, observe, reply) => {}
        }
    });
    Abandon { _call: abandon }
}

async fn answer<T, D: FnOnce(Result<T>, Option<CallEvent>)>(
    fut: impl Future<Output = Result<T>>,
    observe: bool,
    reply: Reply<T, D>,
) {
    let (outcome, event) = observed_if(observe, fut).await;
    reply.send(outcome, event);
}

/// Held while the caller still wants the answer of a [`spawn_abandonable`] call; dropping it
/// abandons the call.
#[derive(Debug)]
pub struct Abandon {
    /// Dropping it is the signal.
    _call: oneshot::Sender<()>,
}

/// Wakes the host thread that drains a [`Handoff`] (libuv's `uv_async_send`, a thread's
/// `unpark`). Called from any thread, once for jobs that arrive together: only when a job finds
/// the queue empty.
pub trait Wake: Send + Sync {
    fn wake(&self);
}

/// A queue of jobs from any thread to one host thread: lock-free (a producer pushes with one
/// compare-and-swap; the host takes every queued job with one swap), and a producer wakes the
/// host only when its job finds the queue empty, so jobs that arrive together cost one wake-up.
///
/// It is open once given a waker ([`open`](Self::open)); [`close`](Self::close) takes the waker
/// back (the host is going away: a libuv handle about to be closed), after which jobs are
/// refused and no thread is still inside [`Wake::wake`].
pub struct Handoff<J, W> {
    /// The queued jobs, newest first.
    head: AtomicPtr<Node<J>>,
    /// Producers hold the read lock while they queue and wake; [`close`](Self::close) takes the
    /// write lock, so it waits for a wake-up in progress.
    waker: RwLock<Option<W>>,
}

struct Node<J> {
    job: J,
    next: *mut Node<J>,
}

// SAFETY: the queue owns its jobs (moved in by `send`, out by `take`); `W` is shared by every
// producer through `&W`.
unsafe impl<J: Send, W: Send> Send for Handoff<J, W> {}
// SAFETY: as above; the nodes are only reached through atomic operations on `head`.
unsafe impl<J: Send, W: Send + Sync> Sync for Handoff<J, W> {}

impl<J, W> std::fmt::Debug for Handoff<J, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = self.waker.read().map(|w| w.is_some()).unwrap_or(false);
        f.debug_struct("Handoff").field("open", &open).finish_non_exhaustive()
    }
}

impl<J, W: Wake> Default for Handoff<J, W> {
    fn default() -> Self {
        Self::new()
    }
}

impl<J, W: Wake> Handoff<J, W> {
    /// A closed handoff: it refuses jobs until [opened](Self::open).
    pub const fn new() -> Self {
        Handoff { head: AtomicPtr::new(ptr::null_mut()), waker: RwLock::new(None) }
    }

    /// Accept jobs from now on, waking the host with `waker`.
    pub fn open(&self, waker: W) {
        *self.waker.write().unwrap_or_else(PoisonError::into_inner) = Some(waker);
    }

    /// Refuse jobs from now on, and return the waker once no thread is waking the host.
    pub fn close(&self) -> Option<W> {
        self.waker.write().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Queue `job` for the host, waking it if the queue was empty; the job back if closed.
    pub fn send(&self, job: J) -> std::result::Result<(), J> {
        let waker = self.waker.read().unwrap_or_else(PoisonError::into_inner);
        let Some(waker) = waker.as_ref() else { return Err(job) };
        let node = Box::into_raw(Box::new(Node { job, next: ptr::null_mut() }));
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // SAFETY: `node` is ours until the exchange below publishes it.
            unsafe { (*node).next = head };
            match self.head.compare_exchange_weak(head, node, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => break,
                Err(now) => head = now,
            }
        }
        if head.is_null() {
            waker.wake();
        }
        Ok(())
    }

    /// Take every queued job, oldest first; the next job sent wakes the host again.
    pub fn take(&self) -> Batch<J> {
        let mut newest = self.head.swap(ptr::null_mut(), Ordering::AcqRel);
        // Reverse the list in place: the oldest job first.
        let mut oldest = ptr::null_mut();
        while !newest.is_null() {
            // SAFETY: the swap made every node of the list ours alone.
            let next = unsafe { std::mem::replace(&mut (*newest).next, oldest) };
            oldest = newest;
            newest = next;
        }
        Batch { next: oldest }
    }
}

impl<J, W> Drop for Handoff<J, W> {
    fn drop(&mut self) {
        drop(Batch { next: *self.head.get_mut() });
    }
}

/// Jobs taken from a [`Handoff`], oldest first; those not iterated are dropped with it.
#[derive(Debug)]
pub struct Batch<J> {
    next: *mut Node<J>,
}

// SAFETY: the batch owns its nodes alone.
unsafe impl<J: Send> Send for Batch<J> {}

impl<J> Iterator for Batch<J> {
    type Item = J;

    fn next(&mut self) -> Option<J> {
        if self.next.is_null() {
            return None;
        }
        // SAFETY: a node of the batch, allocated by `send` and owned by the batch alone.
        let node = unsafe { Box::from_raw(self.next) };
        self.next = node.next;
        Some(node.job)
    }
}

impl<J> Drop for Batch<J> {
    fn drop(&mut self) {
        self.for_each(drop);
    }
}

/// Wakes a [`Worker`]'s thread.
#[derive(Debug)]
pub struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(&self) {
        self.0.unpark();
    }
}

/// A thread of its own that runs the jobs of a [`Handoff`] as they arrive, at most `batch` of
/// them per call of its `run` (Python's completion thread: one GIL acquisition per batch, bounded
/// so that the event loop gets the GIL back soon). Dropping the worker ends its thread; jobs not
/// yet run are dropped unrun.
pub struct Worker<J> {
    shared: Arc<Shared<J>>,
}

struct Shared<J> {
    jobs: Handoff<J, Unpark>,
    /// Set when the worker is dropped: the thread ends once it finds no job.
    stopped: AtomicBool,
}

impl<J> std::fmt::Debug for Worker<J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("jobs", &self.shared.jobs).finish_non_exhaustive()
    }
}

impl<J: Send + 'static> Worker<J> {
    /// Start the thread, named `name`. `run` is given up to `batch` (at least 1) jobs at a time;
    /// any it leaves are dropped.
    pub fn spawn(
        name: &str,
        batch: usize,
        mut run: impl FnMut(&mut dyn Iterator<Item = J>) + Send + 'static,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared { jobs: Handoff::new(), stopped: AtomicBool::new(false) });
        let mine = Arc::clone(&shared);
        let thread = std::thread::Builder::new().name(name.into()).spawn(move || {
            loop {
                let mut taken = mine.jobs.take().peekable();
                if taken.peek().is_none() {
                    if mine.stopped.load(Ordering::Acquire) {
                        return;
                    }
                    // A wake-up sent since the take above makes this return at once.
                    std::thread::park();
                    continue;
                }
                while taken.peek().is_some() {
                    let mut some = taken.by_ref().take(batch.max(1));
                    run(&mut some);
                    some.for_each(drop);
                }
            }
        })?;
        shared.jobs.open(Unpark(thread.thread().clone()));
        Ok(Worker { shared })
    }

    /// Queue `job` for the thread; the job back if the thread is gone.
    pub fn send(&self, job: J) -> std::result::Result<(), J> {
        self.shared.jobs.send(job)
    }
}

impl<J> Drop for Worker<J> {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::Release);
        if let Some(Unpark(thread)) = self.shared.jobs.close() {
            thread.unpark();
        }
    }
}

/// One value per process, for a `static`: built on first use and built again in a forked child,
/// where the inherited one is leaked (its threads do not exist there, and dropping it could wait
/// for a lock one of them held). Lock-free, so that a child forked at any moment inherits no held
/// lock. A value is never freed while its process lives (there is one per process).
pub struct PerProcess<T> {
    slot: AtomicPtr<(u32, T)>,
}

impl<T> std::fmt::Debug for PerProcess<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerProcess").finish_non_exhaustive()
    }
}

impl<T> Default for PerProcess<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> PerProcess<T> {
    pub const fn new() -> Self {
        PerProcess { slot: AtomicPtr::new(ptr::null_mut()) }
    }

    /// This process's value, built by `init` on first use (`None` if it cannot be built now).
    /// Should two threads build it at once, one value is kept and the other dropped.
    pub fn get_or_init(&self, init: impl FnOnce() -> Option<T>) -> Option<&T> {
        let pid = process_id();
        let current = self.slot.load(Ordering::Acquire);
        // SAFETY: a non-null pointer is a leaked box, never freed while `self` lives.
        if let Some((owner, value)) = unsafe { current.as_ref() }
            && *owner == pid
        {
            return Some(value);
        }
        let fresh = Box::into_raw(Box::new((pid, init()?)));
        let installed = match self.slot.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => fresh,
            Err(theirs) => {
                // SAFETY: `fresh` was never shared.
                drop(unsafe { Box::from_raw(fresh) });
                theirs
            }
        };
        // SAFETY: as above; `installed` is this process's value (only its threads install one).
        unsafe { installed.as_ref() }.map(|(_, value)| value)
    }
}

impl<T> Drop for PerProcess<T> {
    fn drop(&mut self) {
        let value = *self.slot.get_mut();
        // SAFETY: the box is no longer shared; an inherited value stays leaked.
        if let Some((owner, _)) = unsafe { value.as_ref() }
            && *owner == process_id()
        {
            drop(unsafe { Box::from_raw(value) });
        }
    }
}

/// The threads of this process inside a host (those running Python code), and whether the host
/// is exiting: the host's exit [closes](Self::close) the gate, which stops new entries and waits
/// for the threads inside. One atomic holds `pid << 32 | count`, so that a child forked at any
/// moment inherits no held lock (after `fork()` the parent's count means nothing there: those
/// threads do not exist in the child).
#[derive(Debug)]
pub struct Gate {
    closed: AtomicBool,
    inside: AtomicU64,
}

impl Default for Gate {
    fn default() -> Self {
        Self::new()
    }
}

/// A thread inside a [`Gate`]; dropping it counts the thread out.
#[derive(Debug)]
pub struct Inside<'a>(&'a Gate);

impl Gate {
    pub const fn new() -> Self {
        Gate { closed: AtomicBool::new(false), inside: AtomicU64::new(0) }
    }

    /// How many threads of process `pid` the state `state` counts.
    fn count(pid: u32, state: u64) -> u64 {
        if state >> 32 == u64::from(pid) { state & u64::from(u32::MAX) } else { 0 }
    }

    fn add(&self, delta: i64) {
        let pid = process_id();
        let _ = self.inside.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| {
            Some(u64::from(pid) << 32 | Self::count(pid, s).saturating_add_signed(delta))
        });
    }

    /// Count the calling thread in, unless the gate is closed (`None`).
    pub fn enter(&self) -> Option<Inside<'_>> {
        // Counted first, then checked: `close` sets the flag first, then reads the count.
        self.add(1);
        let inside = Inside(self);
        (!self.closed.load(Ordering::SeqCst)).then_some(inside)
    }

    /// Stop new entries, then wait up to `limit` for the threads inside to leave (polling every
    /// millisecond); whether they all left.
    pub fn close(&self, limit: Duration) -> bool {
        self.closed.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + limit;
        loop {
            if Self::count(process_id(), self.inside.load(Ordering::SeqCst)) == 0 {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.0.add(-1);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;

    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Arc<Count> {
        fn wake(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn open_handoff() -> (Handoff<u32, Arc<Count>>, Arc<Count>) {
        let wakes = Arc::new(Count::default());
        let handoff = Handoff::new();
        handoff.open(Arc::clone(&wakes));
        (handoff, wakes)
    }

    #[test]
    fn jobs_come_out_oldest_first_and_those_sent_together_wake_the_host_once() {
        let (handoff, wakes) = open_handoff();
        for n in 0..5 {
            handoff.send(n).unwrap();
        }
        assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
        assert_eq!(handoff.take().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert_eq!(handoff.take().count(), 0);
        handoff.send(5).unwrap();
        assert_eq!(wakes.0.load(Ordering::SeqCst), 2, "the first job after a take wakes again");
        assert_eq!(handoff.take().collect::<Vec<_>>(), [5]);
    }

    #[test]
    fn a_closed_handoff_refuses_jobs_and_untaken_jobs_are_dropped() {
        let unopened = Handoff::<u32, Arc<Count>>::new();
        assert_eq!(unopened.send(1), Err(1));
        let (handoff, wakes) = open_handoff();
        let job = Arc::new(());
        handoff.send(0).unwrap();
        let kept = Handoff::<Arc<()>, Arc<Count>>::new();
        kept.open(Arc::clone(&wakes));
        kept.send(Arc::clone(&job)).unwrap();
        kept.send(Arc::clone(&job)).unwrap();
        let mut batch = kept.take();
        assert!(batch.next().is_some());
        drop(batch);
        kept.send(Arc::clone(&job)).unwrap();
        drop(kept);
        assert_eq!(Arc::strong_count(&job), 1, "untaken and unread jobs are dropped");
        assert!(handoff.close().is_some());
        assert_eq!(handoff.send(7), Err(7));
        assert!(handoff.close().is_none());
        assert_eq!(handoff.take().collect::<Vec<_>>(), [0], "queued before closing: still there");
    }

    #[test]
    fn concurrent_producers_lose_no_job_and_each_keeps_its_order() {
        let (handoff, _wakes) = open_handoff();
        let handoff = Arc::new(handoff);
        const THREADS: u32 = 4;
        const EACH: u32 = 20_000;
        let producers: Vec<_> = (0..THREADS)
            .map(|t| {
                let handoff = Arc::clone(&handoff);
                std::thread::spawn(move || (0..EACH).for_each(|n| handoff.send(t * EACH + n).unwrap()))
            })
            .collect();
        let mut seen = Vec::new();
        while producers.iter().any(|p| !p.is_finished()) {
            seen.extend(handoff.take());
        }
        producers.into_iter().for_each(|p| p.join().unwrap());
        seen.extend(handoff.take());
        assert_eq!(seen.len(), (THREADS * EACH) as usize);
        for t in 0..THREADS {
            let mine: Vec<_> = seen.iter().filter(|&&n| n / EACH == t).collect();
            assert!(mine.windows(2).all(|w| w[0] < w[1]), "producer {t}'s jobs out of order");
        }
    }

    fn runtime() -> &'static Runtime {
        super::super::runtime().expect("the shared runtime")
    }

    type Got = Arc<Mutex<Option<(Result<u32>, bool)>>>;

    fn reply(got: &Got) -> Reply<u32, impl FnOnce(Result<u32>, Option<CallEvent>) + Send + 'static> {
        let got = Arc::clone(got);
        Reply::new("CheckSmsVerifyCode", move |outcome, event| {
            *got.lock().expect("not poisoned") = Some((outcome, event.is_some()));
        })
    }

    fn wait_for(got: &Got) -> (Result<u32>, bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(answer) = got.lock().expect("not poisoned").take() {
                return answer;
            }
            assert!(Instant::now() < deadline, "no answer");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn a_call_answers_once_and_a_dropped_or_panicking_one_answers_lost() {
        let got = Got::default();
        spawn_call(runtime(), async { Ok(7) }, false, reply(&got));
        assert_eq!(wait_for(&got).0.unwrap(), 7);

        spawn_call(runtime(), async { Ok(std::hint::black_box(None::<u32>).expect("bug")) }, false, reply(&got));
        let err = wait_for(&got).0.unwrap_err();
        assert!(err.may_have_been_received() && err.to_string().contains("CheckSmsVerifyCode"), "{err}");

        drop(reply(&got));
        assert!(wait_for(&got).0.is_err());
    }

    #[test]
    fn dropping_the_abandon_handle_drops_the_call_and_its_reply_answers_lost() {
        let got = Got::default();
        let (started, running) = std::sync::mpsc::channel();
        let abandon = spawn_abandonable(
            runtime(),
            async move {
                started.send(()).unwrap();
                std::future::pending::<Result<u32>>().await
            },
            false,
            reply(&got),
        );
        running.recv().unwrap();
        drop(abandon);
        let (outcome, observed) = wait_for(&got);
        assert!(outcome.unwrap_err().may_have_been_received());
        assert!(!observed);

        let kept = spawn_abandonable(runtime(), async { Ok(3) }, false, reply(&got));
        assert_eq!(wait_for(&got).0.unwrap(), 3);
        drop(kept);
    }

    #[test]
    fn an_observed_call_comes_with_its_event_only_when_asked() {
        let event = || async {
            crate::observe::deliver(CallEvent {
                action: "CheckSmsVerifyCode",
                signature_version: crate::sign::SignatureVersion::V3,
                server_address: "127.0.0.1".into(),
                server_port: None,
                attempts: 1,
                retry_reasons: Vec::new(),
                http_status: Some(200),
                service_code: Some("OK".into()),
                request_id: None,
                elapsed: Duration::ZERO,
                delivery: crate::Delivery::Answered,
                guard: crate::GuardDecision::NotGuarded,
                guard_rule: None,
                phone: "138****8000".into(),
                passed: Some(true),
                error: None,
            });
            Ok(1)
        };
        let got = Got::default();
        spawn_call(runtime(), event(), true, reply(&got));
        assert!(wait_for(&got).1, "observed: with its event");
        spawn_call(runtime(), event(), false, reply(&got));
        assert!(!wait_for(&got).1, "not observed: no event");
    }

    #[test]
    fn a_worker_runs_every_job_in_bounded_batches_on_its_own_thread_and_ends_when_dropped() {
        let (ran, runs) = std::sync::mpsc::channel::<(Vec<u32>, String)>();
        let worker = Worker::spawn("handoff-test", 3, move |jobs| {
            let name = std::thread::current().name().unwrap_or_default().to_owned();
            // Leaves one job of a full batch unread: it is dropped, not run later.
            let batch: Vec<u32> = jobs.take(3).collect();
            ran.send((batch, name)).unwrap();
        })
        .unwrap();
        for n in 0..7 {
            worker.send(n).unwrap();
        }
        let mut seen = Vec::new();
        while seen.len() < 7 {
            let (batch, name) = runs.recv_timeout(Duration::from_secs(10)).expect("a batch");
            assert_eq!(name, "handoff-test");
            assert!((1..=3).contains(&batch.len()), "{batch:?}");
            seen.extend(batch);
        }
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
        let shared = Arc::clone(&worker.shared);
        drop(worker);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&shared) > 1 {
            assert!(Instant::now() < deadline, "the worker's thread did not end");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(shared.jobs.send(9), Err(9));
    }

    #[test]
    fn a_per_process_value_is_built_once_and_again_in_a_forked_child() {
        static VALUE: PerProcess<u32> = PerProcess::new();
        let builds = AtomicUsize::new(0);
        let build = || Some(builds.fetch_add(1, Ordering::SeqCst) as u32 + 10);
        assert_eq!(PerProcess::<u32>::new().get_or_init(|| None), None);
        assert_eq!(VALUE.get_or_init(build), Some(&10));
        assert_eq!(VALUE.get_or_init(build), Some(&10));
        // SAFETY: the child only reads and builds a value, then leaves with `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let ok = VALUE.get_or_init(|| Some(20)) == Some(&20) && VALUE.get_or_init(|| Some(30)) == Some(&20);
            // SAFETY: ends the child without running the parent's exit handlers.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        let mut status = 0;
        // SAFETY: waits for the child just forked.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "child status {status}");
        assert_eq!(VALUE.get_or_init(build), Some(&10));
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_closed_gate_admits_no_one_and_waits_for_those_inside() {
        let gate = Arc::new(Gate::new());
        let inside = gate.enter().expect("open");
        let (entered, holding) = std::sync::mpsc::channel();
        let other = {
            let gate = Arc::clone(&gate);
            std::thread::spawn(move || {
                let _inside = gate.enter().expect("open");
                entered.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(50));
            })
        };
        holding.recv().unwrap();
        drop(inside);
        let started = Instant::now();
        assert!(gate.close(Duration::from_secs(10)), "the other thread left");
        assert!(started.elapsed() >= Duration::from_millis(20), "waited for the thread inside");
        other.join().unwrap();
        assert!(gate.enter().is_none(), "closed");
        let stuck = Gate::new();
        let _forever = stuck.enter();
        assert!(!stuck.close(Duration::from_millis(5)), "a thread that stays inside: gives up");
    }
}
