//! Running core calls for Python: blocking (GIL released) and asyncio (a Python future
//! completed from the core's runtime), plus the debug log line of every call.
//!
//! An asyncio call is one task on the core's runtime ([`smsauth::runtime::runtime`], rebuilt in a
//! forked child) that owns the call and the asyncio future it answers; cancelling the future
//! abandons the call. Completions (converting the outcome with the GIL held, then
//! `loop.call_soon_threadsafe`) run on one `smsauth-asyncio` thread, batched under one GIL
//! acquisition, so that no runtime thread ever waits for the GIL; and an `atexit` hook stops them
//! before the interpreter finalizes (see [`_drain_async_completions`]).

use std::future::Future;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::Duration;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use crate::error::raise;
use crate::observe;
use crate::response::Attributed;
use smsauth::runtime::handoff::{self, Gate, PerProcess, Reply, Worker};
use smsauth::runtime::{Waited, block_on_here_interruptible};
use smsauth::summary::Summary;

/// A completion, run on the completion thread with the GIL held.
type Job = Box<dyn FnOnce(Python<'_>) + Send + 'static>;

/// This process's completion thread (after `fork()` the child starts its own).
static COMPLETIONS: PerProcess<Worker<Job>> = PerProcess::new();

/// Run `job` on the completion thread (or here, if that thread cannot be started).
fn complete(job: Job) {
    let unsent = match COMPLETIONS.get_or_init(|| Worker::spawn("smsauth-asyncio", 256, run_batch).ok()) {
        Some(worker) => worker.send(job).err(),
        None => Some(job),
    };
    if let Some(job) = unsent {
        run_batch(&mut std::iter::once(job));
    }
}

/// Run a batch of completions under one GIL acquisition (the completion thread bounds it, so
/// the event loop gets the GIL back soon). Nothing runs once the interpreter exits: the jobs are
/// dropped unrun, and the `Py` references inside released later by PyO3's reference pool.
fn run_batch(jobs: &mut dyn Iterator<Item = Job>) {
    let Some(_inside) = IN_PYTHON.enter() else { return };
    Python::attach(|py| {
        for job in jobs {
            // A panicking completion must not take the thread (and every later completion) with it.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(py)));
        }
    });
}

/// Our threads calling into Python; closed by the `atexit` hook.
static IN_PYTHON: Gate = Gate::new();

/// Registered with `atexit` when the module is imported. A runtime thread that is inside
/// Python when the interpreter finalizes would be terminated by CPython (`pthread_exit`) the
/// next time it takes the GIL — unwinding through Rust frames whose destructors then touch
/// Python objects without the GIL, which crashes the exiting process. So: stop new calls into
/// Python, then let the ones in flight finish (the GIL is released while waiting; at most 2 s).
#[pyfunction]
pub(crate) fn _drain_async_completions(py: Python<'_>) {
    py.detach(|| IN_PYTHON.close(Duration::from_secs(2)));
}

/// One call as the Python caller sees it: what it logs, reports and traces.
pub(crate) struct Call {
    action: &'static str,
    /// `false` for a send: an interrupted one may have cost an SMS.
    repeatable: bool,
    /// The masked phone number, when the `smsauth` logger logs the call at INFO.
    logged: Option<String>,
    /// The client's `on_event` callable.
    on_event: Option<Py<PyAny>>,
    /// The OpenTelemetry span's start ([`observe::span_start`]), when the application traces.
    span: Option<Py<PyAny>>,
}

impl Call {
    /// A call starting now, on the caller's thread (or task): its span's parent is the caller's.
    /// An error raised by logging's level check (or by a signal handler run meanwhile) is raised
    /// here, before anything is sent.
    pub(crate) fn new(
        py: Python<'_>,
        action: &'static str,
        repeatable: bool,
        phone: &str,
        on_event: Option<&Py<PyAny>>,
    ) -> PyResult<Self> {
        let logged = enabled_for(py, INFO)?.then(|| smsauth::api::mask_phone(phone));
        let on_event = on_event.map(|f| f.clone_ref(py));
        Ok(Call { action, repeatable, logged, on_event, span: observe::span_start(py) })
    }

    /// Whether anything reads the call's event (the log record, `on_event`, the span). Decided
    /// per call, as Node does: the core builds no event for a call nobody observes.
    fn observed(&self) -> bool {
        self.logged.is_some() || self.on_event.is_some() || self.span.is_some()
    }

    /// `fut`, with its event when the call is [observed](Self::observed).
    fn run<T, F: Future<Output = smsauth::Result<T>>>(
        &self,
        fut: F,
    ) -> impl Future<Output = (smsauth::Result<T>, Option<smsauth::CallEvent>)> + use<T, F> {
        // Boxed once here, so the wrappers and the asyncio task move a pointer rather than the
        // whole call future.
        handoff::observed_if(self.observed(), Box::pin(fut))
    }
}

/// What a core call produced, converted to Python (and logged) only once the GIL is held.
pub(crate) struct Outcome<T> {
    call: Call,
    result: Result<T, Failure>,
    /// The core's event of the call (none when it was interrupted before finishing).
    event: Option<smsauth::CallEvent>,
}

/// Why a call produced no value: the core said so, or Python interrupted the wait (a signal
/// handler raised, e.g. `KeyboardInterrupt` for Ctrl-C).
enum Failure {
    Core(smsauth::Error),
    Interrupted(PyErr),
}

impl<T: Answer> Outcome<T> {
    /// Log the call at INFO on the `smsauth` logger (the event's fields as `extra` attributes)
    /// and give the event to `on_event`, then return the value or raise. An error raised by a
    /// logging handler or by `on_event` is reported as unraisable, so that a sent code is never
    /// reported as a failure (which could make the caller send again).
    pub(crate) fn into_result(self, py: Python<'_>) -> PyResult<T> {
        let call = &self.call;
        if call.observed() {
            let fields = self.event.as_ref().map(|e| observe::dict(py, e.record())).transpose()?;
            if let (Some(started), Some(fields)) = (&call.span, &fields) {
                observe::span_finish(py, started, fields);
            }
            if let Some(phone) = &call.logged {
                let line = match &self.result {
                    Ok(v) => v.core().summary(),
                    Err(Failure::Core(e)) => e.summary(),
                    Err(Failure::Interrupted(e)) => format!("interrupted by {}", e.get_type(py)),
                };
                log_record(py, INFO, &format!("{} {phone} -> {line}", call.action), fields.as_ref());
            }
            if let (Some(callback), Some(fields)) = (&call.on_event, fields)
                && let Err(e) = callback.bind(py).call1((fields,))
            {
                e.write_unraisable(py, Some(callback.bind(py)));
            }
        }
        self.result.map_err(|f| match f {
            Failure::Core(e) => raise(py, e),
            Failure::Interrupted(e) => e,
        })
    }
}

/// How often a blocking call wakes to let Python run its signal handlers.
const SIGNAL_TICK: Duration = Duration::from_millis(20);

/// Run `fut` on this thread with the GIL released, waking every
/// [`SIGNAL_TICK`] to run Python's signal handlers: Ctrl-C (or a SIGTERM handler raising
/// `SystemExit`) interrupts the wait promptly. The call is then abandoned and the exception says
/// what became of its request ([`annotate_interrupt`]).
pub(crate) fn block_on<T, F>(py: Python<'_>, call: Call, fut: F) -> Outcome<T>
where
    F: Future<Output = smsauth::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let (result, event) = wait(py, &call, call.run(fut));
    Outcome { call, result, event }
}

/// [`block_on`]'s wait: the core's answer and event, or why there is none. The call runs on this
/// thread (the core's caller-thread runtime and connection pool: no hand-off to another thread),
/// with the GIL released; every [`SIGNAL_TICK`] it re-takes the GIL to run signal handlers.
fn wait<T: Send + 'static>(
    py: Python<'_>,
    call: &Call,
    fut: impl Future<Output = (smsauth::Result<T>, Option<smsauth::CallEvent>)> + Send + 'static,
) -> (Result<T, Failure>, Option<smsauth::CallEvent>) {
    let waited = py.detach(|| {
        block_on_here_interruptible(fut, SIGNAL_TICK, || {
            Python::attach(|py| py.check_signals().map_or_else(ControlFlow::Break, ControlFlow::Continue))
        })
    });
    match waited {
        Ok(Waited::Done((result, event))) => (result.map_err(Failure::Core), event),
        Ok(Waited::Interrupted(interrupt)) => {
            annotate_interrupt(py, &interrupt, call);
            (Err(Failure::Interrupted(interrupt)), None)
        }
        Err(e) => (Err(Failure::Core(e)), None),
    }
}

/// Tell the user of an interrupted call what became of its request: the exception gets
/// `delivery = "unknown"` and `may_have_been_received = True` (like an `SmsAuthError`) and a note
/// (shown in the traceback on Python 3.11+). Whether the request had left cannot be known.
fn annotate_interrupt(py: Python<'_>, interrupt: &PyErr, call: &Call) {
    let (note, delivery) = (smsauth::summary::interrupted(call.action, call.repeatable), smsauth::Delivery::Unknown);
    let value = interrupt.value(py);
    let annotated = value
        .setattr("delivery", delivery.as_str())
        .and_then(|()| value.setattr("may_have_been_received", true))
        .and_then(|()| match value.hasattr("add_note")? {
            true => value.call_method1("add_note", (note,)).map(drop),
            false => Ok(()),
        });
    if let Err(e) = annotated {
        // Reported, not dropped; the interrupt itself is what the caller gets.
        e.write_unraisable(py, Some(value));
    }
}

/// An asyncio future for `fut`, which runs as one task on the core's runtime (no thread pool).
/// Cancelling the future abandons the call (a send may still have been delivered).
pub(crate) fn awaitable<'py, T: Answer, F>(py: Python<'py>, call: Call, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = smsauth::Result<T>> + Send + 'static,
{
    let rt = smsauth::runtime::runtime().map_err(|e| raise(py, e))?;
    let event_loop = RUNNING_LOOP.import(py, "asyncio", "get_running_loop")?.call0()?;
    let future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
    let (observe, target) = (call.observed(), (event_loop.unbind(), future.clone().unbind()));
    // Dropped unanswered (the task panicked, or the runtime went away), the call answers with an
    // error whose delivery is unknown; a cancelled future ignores that answer.
    let reply = Reply::new(call.action, move |result: smsauth::Result<T>, event| {
        answer(target, Outcome { call, result: result.map_err(Failure::Core), event });
    });
    let abandon = handoff::spawn_abandonable(rt, Box::pin(fut), observe, reply);
    // The callback drops the handle when the future is done, which ends the task if it is still
    // running: the future was cancelled.
    future.call_method1(pyo3::intern!(py, "add_done_callback"), (Abandon(Mutex::new(Some(abandon))),))?;
    Ok(future)
}

static RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static SET_OUTCOME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The done-callback of an asyncio call's future.
#[pyclass(frozen, module = "smsauth._native")]
struct Abandon(Mutex<Option<handoff::Abandon>>);

#[pymethods]
impl Abandon {
    fn __call__(&self, _future: &Bound<'_, PyAny>) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

/// What an asyncio call answers with.
pub(crate) trait Answer: Attributed<Core: Summary> + for<'a> IntoPyObject<'a> + Send + 'static {}
impl<T: Attributed<Core: Summary> + for<'a> IntoPyObject<'a> + Send + 'static> Answer for T {}

/// Convert `outcome` on the completion thread and hand it to the event loop, unless the future
/// is already done (cancelled) or its loop closed.
fn answer<T: Answer>((event_loop, future): (Py<PyAny>, Py<PyAny>), outcome: Outcome<T>) {
    complete(Box::new(move |py| {
        let (event_loop, future) = (event_loop.bind(py), future.bind(py));
        let done = |o: &Bound<'_, PyAny>, m| o.call_method0(m).and_then(|d| d.is_truthy()).unwrap_or(true);
        if done(future, "done") || done(event_loop, "is_closed") {
            return;
        }
        // A conversion that panics (a bug) still settles the future rather than leaving it pending.
        let converted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            outcome.into_result(py).and_then(|v| v.into_bound_py_any(py))
        }));
        let (value, failed) = match converted.unwrap_or_else(|_| Err(raise(py, smsauth::summary::unconverted()))) {
            Ok(value) => (value, false),
            Err(e) => (e.into_value(py).into_bound(py).into_any(), true),
        };
        let set = SET_OUTCOME.import(py, "smsauth._async", "_set_outcome");
        let sent = set.and_then(|set| event_loop.call_method1("call_soon_threadsafe", (set, future, value, failed)));
        if let Err(e) = sent {
            e.write_unraisable(py, Some(future));
        }
    }));
}

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn logger(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    Ok(LOGGER
        .get_or_try_init(py, || py.import("logging")?.call_method1("getLogger", ("smsauth",)).map(Bound::unbind))?
        .bind(py))
}

/// `logging.DEBUG` and `logging.INFO`.
const DEBUG: u8 = 10;
const INFO: u8 = 20;

/// Whether the `smsauth` logger would emit a record at `level` (cheap: logging caches the
/// answer). An exception raised meanwhile (a signal handler runs on any bytecode boundary) is
/// returned, never swallowed. Until something imports `logging`, nothing has configured it and
/// its answer is no (the root logger's level is WARNING): it is not imported for that (issue #19:
/// about 2.5 MB of RSS and a few milliseconds for a process that never logs).
fn enabled_for(py: Python<'_>, level: u8) -> PyResult<bool> {
    if LOGGER.get(py).is_none() && !observe::imported(py, "logging")? {
        return Ok(false);
    }
    // An interned name: a call no longer builds (and hashes) the method's name as a new string.
    logger(py)?.call_method1(pyo3::intern!(py, "isEnabledFor"), (level,))?.extract::<bool>()
}

/// Emit one record at `level` on the `smsauth` logger, with `extra` attributes. Never contains
/// a secret: callers pass summaries and events built from non-secret fields only.
fn log_record(py: Python<'_>, level: u8, line: &str, extra: Option<&Bound<'_, PyDict>>) {
    if let Ok(l) = logger(py) {
        let kwargs = PyDict::new(py);
        let logged = kwargs
            .set_item("extra", extra)
            .and_then(|()| l.call_method(pyo3::intern!(py, "log"), (level, "%s", line), Some(&kwargs)));
        // A failing logging handler must not turn a successful call into an error.
        if let Err(e) = logged {
            e.write_unraisable(py, Some(l));
        }
    }
}

/// Emit one DEBUG record on the `smsauth` logger, when it would be emitted (an exception raised
/// by the level check is returned).
pub(crate) fn log_debug(py: Python<'_>, line: &str) -> PyResult<()> {
    if enabled_for(py, DEBUG)? {
        log_record(py, DEBUG, line, None);
    }
    Ok(())
}
