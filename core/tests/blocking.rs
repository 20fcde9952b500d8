//! The blocking client drives each call on its caller's thread (issue #19): timeouts, retries
//! and events as in the async client, one connection pool per thread, clean thread exits,
//! `fork()`, and `runtime::block_on_here_interruptible`'s check.

#![allow(clippy::unwrap_used)]

mod support;

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smsauth::runtime::{Waited, block_on_here, block_on_here_interruptible};
use smsauth::{Client, ErrorKind, RetryPolicy, blocking};
use support::{Reply, Server};

const OK_CHECK: &str =
    r#"{"Code":"OK","Message":"成功","Model":{"OutId":"","VerifyResult":"PASS"},"RequestId":"R-CHECK","Success":true}"#;

fn builder(server: &Server) -> smsauth::ClientBuilder {
    Client::builder()
        .access_key("testid", "testsecret")
        .endpoint(&server.url)
        .sign_name("s")
        .template_code("t")
        .retry(RetryPolicy { initial_backoff: Duration::from_millis(5), ..Default::default() })
}

#[test]
fn calls_run_on_the_calling_thread_with_events_retries_and_the_deadline() {
    let server = Server::start(|_, n| {
        if n == 1 {
            Reply::json(503, r#"{"Code":"ServiceUnavailable","Message":"busy","RequestId":"R5"}"#)
        } else {
            Reply::json(200, OK_CHECK)
        }
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let c = blocking::Client::from_async(
        builder(&server)
            .on_event(move |e| s.lock().unwrap().push((std::thread::current().id(), e.attempts, e.error)))
            .build()
            .unwrap(),
    );
    assert!(c.check_code("13800138000", "4232").unwrap().passed());
    assert_eq!(server.count(), 2, "the 503 was retried");
    assert_eq!(*seen.lock().unwrap(), vec![(std::thread::current().id(), 2, None)], "one event, on this thread");
    assert_eq!(c.as_async().stats().checks, 1);

    let slow = Server::start(|_, _| Reply::json(200, OK_CHECK).delay(Duration::from_secs(3)));
    let c = blocking::Client::from_async(builder(&slow).timeout(Duration::from_millis(400)).build().unwrap());
    let t = Instant::now();
    let err = c.check_code("13800138000", "4232").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    let limit = support::deadline::limit(Duration::from_millis(400));
    assert!(t.elapsed() <= limit, "took {:?}, limit {limit:?}", t.elapsed());
}

#[test]
fn threads_sharing_a_client_each_use_their_own_connections_and_exit_cleanly() {
    let server = Server::start(|_, _| Reply::json(200, OK_CHECK));
    let c = blocking::Client::from_async(builder(&server).build().unwrap());
    // The main thread's pool first, then threads that come and go while it keeps its own.
    assert!(c.check_code("13800138000", "4232").unwrap().passed());
    for _ in 0..2 {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || (0..20).all(|_| c.check_code("13800138000", "4232").unwrap().passed()))
            })
            .collect();
        assert!(handles.into_iter().all(|h| h.join().unwrap()));
        assert!(c.check_code("13800138000", "4232").unwrap().passed());
    }
    assert_eq!(server.count(), 1 + 2 * (6 * 20 + 1));
    assert_eq!(c.as_async().stats().checks, server.count() as u64);
}

#[test]
fn a_blocking_call_where_blocking_would_stall_a_runtime_is_a_typed_error() {
    let server = Server::start(|_, _| Reply::json(200, OK_CHECK));
    let inner: Arc<Mutex<Option<smsauth::Error>>> = Arc::default();
    let slot = Arc::clone(&inner);
    let nested = Arc::new(Mutex::new(None::<blocking::Client>));
    let n = Arc::clone(&nested);
    let c = blocking::Client::from_async(
        builder(&server)
            .on_event(move |_| {
                if let Some(c) = n.lock().unwrap().take() {
                    *slot.lock().unwrap() = c.check_code("13800138000", "4232").err();
                }
            })
            .build()
            .unwrap(),
    );
    // A listener runs inside the call: a blocking call there would block the call's own thread.
    *nested.lock().unwrap() = Some(c.clone());
    assert!(c.check_code("13800138000", "4232").unwrap().passed());
    let err = inner.lock().unwrap().take().expect("the nested call failed");
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(err.to_string().contains("inside an async runtime"), "{err}");

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err = rt
        .block_on(async {
            block_on_here_interruptible(async {}, Duration::from_millis(5), || ControlFlow::<()>::Continue(()))
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    let err = rt.block_on(async { block_on_here(async {}) }).unwrap_err();
    assert!(err.to_string().contains("inside an async runtime"), "{err}");
}

#[test]
fn the_check_of_an_interruptible_wait_runs_outside_and_can_stop_it() {
    let server = Server::start(|_, _| Reply::json(200, OK_CHECK));
    let c = blocking::Client::from_async(builder(&server).build().unwrap());
    let mut checks = 0;
    let waited = block_on_here_interruptible(
        async { tokio::time::sleep(Duration::from_secs(5)).await },
        Duration::from_millis(10),
        || {
            checks += 1;
            // Outside the runtime: a blocking call works here (Python's signal handlers may make one).
            assert!(c.check_code("13800138000", "4232").unwrap().passed());
            if checks == 3 { ControlFlow::Break("stop") } else { ControlFlow::Continue(()) }
        },
    )
    .unwrap();
    assert_eq!(waited, Waited::Interrupted("stop"));
    assert_eq!((checks, server.count()), (3, 3));

    let a = c.as_async().clone();
    let waited = block_on_here_interruptible(a.check_code("13800138000", "4232"), Duration::from_millis(1), || {
        ControlFlow::<()>::Continue(())
    })
    .unwrap();
    assert!(matches!(waited, Waited::Done(Ok(r)) if r.passed()));
    let err = block_on_here(async { panic!("bug") }).unwrap_err();
    assert!(err.may_have_been_received(), "{err}");
}

/// Fork a child that runs `child` and exits with its status through `exit()` (so thread-local
/// destructors run in the child, as they would in a C or Python program); the child's status.
#[cfg(unix)]
fn in_child(child: impl FnOnce() -> bool) -> i32 {
    // SAFETY: the child only runs `child` and exits; the test's other threads do not exist there.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).unwrap_or(false);
        std::process::exit(if ok { 0 } else { 1 });
    }
    let mut status = 0;
    // SAFETY: waits for the child just forked.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert!(libc::WIFEXITED(status), "the child did not exit normally ({status})");
    libc::WEXITSTATUS(status)
}

#[cfg(unix)]
#[test]
fn a_forked_child_makes_its_own_runtime_and_leaves_the_parents_connections_alone() {
    let server = Server::start(|_, _| Reply::json(200, OK_CHECK));
    let c = blocking::Client::from_async(builder(&server).read_timeout(Duration::from_secs(2)).build().unwrap());
    // The parent's thread has its runtime and an idle pooled connection, registered with epoll.
    assert!(c.check_code("13800138000", "4232").unwrap().passed());
    // A child that calls (on a runtime of its own), and one that only exits: neither may drop
    // the inherited runtime, which would deregister the parent's connection.
    let c2 = c.clone();
    assert_eq!(in_child(move || c2.check_code("13800138000", "4232").is_ok_and(|r| r.passed())), 0);
    assert_eq!(in_child(|| true), 0);
    assert_eq!(server.count(), 2);
    // The parent's pooled connection still gets its answer (it would time out otherwise).
    let t = Instant::now();
    assert!(c.check_code("13800138000", "4232").unwrap().passed());
    assert!(t.elapsed() < Duration::from_secs(1), "took {:?}", t.elapsed());
    assert_eq!(server.count(), 3);
}
