//! Bringing a call's [`CallEvent`] back to the code that started the call.
//!
//! The listener set with [`crate::ClientBuilder::on_event`] runs on whatever runtime thread
//! finished the call, with no way to tell which caller it belongs to. A binding that wants the
//! event of *its* call (to publish it on its caller's thread: a Node `diagnostics_channel`, a
//! Python log record) runs the call inside [`observed`]: the event lands in a task-local slot of
//! the call's own task, so concurrent calls never mix their events. The event is built only for a
//! call inside [`observed`] (or when a listener or `tracing` subscriber wants it): a call nobody
//! observes is only counted, so a binding decides per call whether an event is worth its strings.
//!
//! ```
//! # async fn demo(client: smsauth::Client) {
//! let (outcome, event) = smsauth::observe::observed(client.check_code("13800138000", "1234")).await;
//! # let _ = (outcome, event);
//! # }
//! ```

use std::cell::RefCell;
use std::future::Future;

use crate::CallEvent;

tokio::task_local! {
    static EVENT: RefCell<Option<CallEvent>>;
}

/// Whether the running task is inside [`observed`], so its call's event has a reader.
pub(crate) fn wanted() -> bool {
    EVENT.try_with(|_| ()).is_ok()
}

/// Hand a finished call's event to the [`observed`] around it (nothing outside one).
pub(crate) fn deliver(event: CallEvent) {
    let _ = EVENT.try_with(move |slot| *slot.borrow_mut() = Some(event));
}

/// Run `fut` with a slot for its call's event and return both (`None` when the call recorded no
/// event: it failed before it began, e.g. on a client that could not be built).
pub async fn observed<T>(fut: impl Future<Output = T>) -> (T, Option<CallEvent>) {
    EVENT
        .scope(RefCell::new(None), async move {
            let value = fut.await;
            (value, EVENT.with(|slot| slot.borrow_mut().take()))
        })
        .await
}
