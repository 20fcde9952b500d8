//! Bringing a call's [`CallEvent`] back to the code that started the call.
//!
//! The listener set with [`crate::ClientBuilder::on_event`] runs on whatever runtime thread
//! finished the call, with no way to tell which caller it belongs to. A binding that wants the
//! event of *its* call (to publish it on its caller's thread: a Node `diagnostics_channel`, a
//! Python log record) installs [`keep`] as the listener and runs the call inside [`observed`]:
//! the event lands in a task-local slot of the call's own task, so concurrent calls never mix
//! their events. A call outside [`observed`] is only counted.
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

/// The listener for [`crate::ClientBuilder::on_event`]: keep the event for [`observed`].
pub fn keep(event: &CallEvent) {
    let _ = EVENT.try_with(|slot| *slot.borrow_mut() = Some(event.clone()));
}

/// Run `fut` with a slot for its call's event and return both (`None` when the call recorded no
/// event, or the client's listener is not [`keep`]).
pub async fn observed<T>(fut: impl Future<Output = T>) -> (T, Option<CallEvent>) {
    EVENT
        .scope(RefCell::new(None), async move {
            let value = fut.await;
            (value, EVENT.with(|slot| slot.borrow_mut().take()))
        })
        .await
}
