//! How long and how many connections the emulator's HTTP server holds open: a header-read
//! timeout, an idle keep-alive timeout and a connection cap (the body deadline is applied where
//! the body is read, in `server.rs`). Without them a few thousand connections with unfinished
//! headers, or one trickled body, held the server open indefinitely and starved
//! `/_emulator/health` of file descriptors.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use crate::service::gateway_error;

/// The bounds on the emulator's HTTP connections ([`Config::connections`](crate::Config::connections)).
/// Each is enforced per connection and documented in the crate's `README.md`.
///
/// ```
/// use std::time::Duration;
/// let limits = smsauth_emulator::ConnectionLimits::default();
/// assert_eq!(limits.header_timeout, Duration::from_secs(10));
/// assert_eq!(limits.max_connections, 512);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's head (request line and headers) must arrive within this, counted from the
    /// request's first byte; otherwise the connection is closed without an answer. Default 10 s.
    pub header_timeout: Duration,
    /// A request's body must arrive within this once its head has; otherwise the answer is
    /// HTTP 408 `RequestTimeout` and the connection is closed. Default 10 s.
    pub body_timeout: Duration,
    /// A connection with no request under way — a new one that has sent nothing yet, or a
    /// keep-alive one between requests — is closed after this. Default 75 s: longer than the
    /// smsauth client's 50 s pool idle timeout, so the emulator never closes a connection the
    /// client may be about to use (its pool may open a connection before it needs it).
    pub idle_timeout: Duration,
    /// Connections served at once. Beyond it a new connection gets HTTP 503
    /// `ServiceUnavailable` at once and is closed, while the open ones keep being served.
    /// Default 512, well under the usual limit of 1024 open files per process.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(75),
            max_connections: 512,
        }
    }
}

/// The count of open connections, shared by the accept loop and the connections.
#[derive(Default)]
pub(crate) struct Slots(Arc<AtomicUsize>);

/// One taken place under the cap; dropping it frees the place.
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Slots {
    /// A place for one more connection, or `None` at the cap.
    pub(crate) fn take(&self, max: usize) -> Option<Slot> {
        self.0.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < max).then_some(n + 1)).ok()?;
        Some(Slot(Arc::clone(&self.0)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// How long a refused connection may take to get its 503 and be closed.
const REFUSE_WITHIN: Duration = Duration::from_millis(500);

/// Answer a connection over the cap with a 503 and close it. The request is not read first
/// (an early answer is valid HTTP/1.1); what the client sent is drained briefly afterwards so
/// the close does not turn into a reset that could discard the answer.
pub(crate) async fn refuse(mut stream: TcpStream, max: usize) {
    let answer = gateway_error(
        503,
        "ServiceUnavailable",
        &format!(
            "The emulator already serves {max} connections (Config::connections.max_connections); \
             close idle connections or raise the limit."
        ),
    );
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json;charset=utf-8\r\n\
         x-acs-request-id: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        answer.request_id,
        answer.body.len()
    );
    let _ = tokio::time::timeout(REFUSE_WITHIN, async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(answer.body.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, io::Error>(())
    })
    .await;
}

/// Where a connection is between requests, for its timeouts.
#[derive(Clone, Copy)]
enum Phase {
    /// Waiting for the rest of a request's head, since its first byte.
    Head(Instant),
    /// Nothing received since the connection opened or the last answer went out (at this
    /// instant).
    Idle(Instant),
    /// A request is being handled or answered: no connection timeout applies (the body
    /// deadline is the handler's; answers are paced by the emulator itself).
    Busy,
}

/// A connection's phase, moved on by its reads, its handler and its answers; the watchdog in
/// [`serve`] closes the connection when the phase outlives its timeout.
pub(crate) struct Watch {
    phase: Mutex<Phase>,
}

impl Watch {
    fn new() -> Arc<Self> {
        Arc::new(Watch { phase: Mutex::new(Phase::Idle(Instant::now())) })
    }

    fn set(&self, f: impl FnOnce(Phase) -> Option<Phase>) {
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(next) = f(*phase) {
            *phase = next;
        }
    }

    /// Bytes arrived: an idle connection starts on a request head.
    fn received(&self) {
        self.set(|p| matches!(p, Phase::Idle(_)).then(|| Phase::Head(Instant::now())));
    }

    /// A request's head is complete and its handler runs.
    pub(crate) fn busy(self: &Arc<Self>) -> AnswerSent {
        self.set(|_| Some(Phase::Busy));
        AnswerSent(Arc::clone(self))
    }

    /// When the current phase runs out, if it can.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        match *self.phase.lock().unwrap_or_else(PoisonError::into_inner) {
            Phase::Head(since) => Some(since + limits.header_timeout),
            Phase::Idle(since) => Some(since + limits.idle_timeout),
            Phase::Busy => None,
        }
    }
}

/// Held by an answer's body until the body is done (or dropped): then the connection is idle.
pub(crate) struct AnswerSent(Arc<Watch>);

impl Drop for AnswerSent {
    fn drop(&mut self) {
        self.0.set(|_| Some(Phase::Idle(Instant::now())));
    }
}

/// The connection's socket, telling its [`Watch`] when bytes arrive.
pub(crate) struct Watched {
    stream: TcpStream,
    watch: Arc<Watch>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.received();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Wrap a new connection's socket with its [`Watch`] (idle from now).
pub(crate) fn watch(stream: TcpStream) -> (Watched, Arc<Watch>) {
    let watch = Watch::new();
    (Watched { stream, watch: Arc::clone(&watch) }, watch)
}

/// Drive `connection` (hyper serving a [`Watched`] socket) until it ends or its current phase
/// outlives its timeout; then it is dropped, which closes the socket. `_slot` is held as long.
///
/// Phase changes wake nobody (that would cost every request a wake-up): the watchdog looks at
/// least every `min(header_timeout, idle_timeout)`. A phase that starts after one look has its
/// deadline at least that far after the look, so the next look always comes in time.
pub(crate) async fn serve<F: Future>(connection: F, watch: Arc<Watch>, limits: ConnectionLimits, _slot: Slot) {
    let look_every = limits.header_timeout.min(limits.idle_timeout).max(Duration::from_millis(1));
    tokio::pin!(connection);
    loop {
        let now = Instant::now();
        let deadline = watch.deadline(&limits);
        if deadline.is_some_and(|at| at <= now) {
            return;
        }
        let next_look = deadline.map_or(now + look_every, |at| at.min(now + look_every));
        tokio::select! {
            _ = &mut connection => return,
            () = tokio::time::sleep_until(next_look.into()) => {}
        }
    }
}

/// An answer's body that marks the connection idle when it is done (hyper drops it then).
pub(crate) struct Answering<B> {
    body: B,
    _sent: AnswerSent,
}

impl<B> Answering<B> {
    pub(crate) fn new(body: B, sent: AnswerSent) -> Self {
        Answering { body, _sent: sent }
    }
}

impl<B: Body + Unpin> Body for Answering<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
