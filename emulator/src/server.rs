//! HTTP/1.1 serving (hyper) on the emulator's own runtime: the API on `/`, the test hooks under
//! `/_emulator/`, and fault injection into the answers.

use std::future::Future;
use std::io;
use std::net::TcpListener as StdListener;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use smsauth::sign::{HttpRequest, format_timestamp, parse_query};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::connection::{self, Answering, Slot, Slots};
use crate::service::{Answer, Shared, gateway_error, request_id};
use crate::{Fault, FaultKind};

/// Request bodies above this are refused (real requests have none).
const MAX_REQUEST_BODY: usize = 1 << 20;

/// Serve until `shutdown` flips (or its sender is dropped). Runs on the emulator's own thread.
pub(crate) fn run(
    listener: StdListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    ready: mpsc::Sender<Result<(), String>>,
) {
    smsauth::runtime::block_sigpipe();
    let workers = match shared.config.worker_threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4)),
        n => n,
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("smsauth-emulator")
        .on_thread_start(smsauth::runtime::block_sigpipe)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(format!("could not build its runtime: {e}")));
            return;
        }
    };
    rt.block_on(async move {
        let listener = match TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => {
                let _ = ready.send(Err(format!("could not register the listener: {e}")));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        let slots = Slots::default();
        let max = shared.config.connections.max_connections;
        loop {
            tokio::select! {
                _ = shutdown.changed() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        match slots.take(max) {
                            Some(slot) => tokio::spawn(connection(stream, Arc::clone(&shared), slot)),
                            None => tokio::spawn(connection::refuse(stream, max)),
                        };
                    }
                    // Out of file descriptors or similar: back off instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                },
            }
        }
    });
    // Open keep-alive connections are cut here.
    rt.shutdown_timeout(Duration::from_millis(200));
}

/// Serve one connection under the limits of `Config::connections` (see `connection.rs`).
async fn connection(stream: TcpStream, shared: Arc<Shared>, slot: Slot) {
    let limits = shared.config.connections.clone();
    let (io, watch) = connection::watch(stream);
    let on_request = Arc::clone(&watch);
    let service = service_fn(move |req| {
        let sent = on_request.busy();
        let answer = handle(Arc::clone(&shared), req);
        async move { Ok::<_, Dropped>(answer.await?.map(|body| Answering::new(body, sent))) }
    });
    let served = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(io), service);
    connection::serve(served, watch, limits, slot).await;
}

/// The error a handler returns to make hyper close the connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<EmuBody>, Dropped> {
    let started = Instant::now();
    let path = req.uri().path().to_owned();
    if path == "/_emulator" || path.starts_with("/_emulator/") {
        let method = req.method().clone();
        let query = req.uri().query().unwrap_or("").to_owned();
        let body = match receive_body(&shared, req.into_body()).await {
            Ok(body) => body,
            Err(answer) => return Ok(answer_response(answer, false)),
        };
        let (status, value) = hook(&shared, &method, &path, &query, &String::from_utf8_lossy(&body));
        if shared.config.log_requests {
            eprintln!("{} hook {method} {path} -> {status}", format_timestamp(shared.clock.now()));
        }
        return Ok(respond(status, Bytes::from(value.to_string()), None, &[]));
    }

    shared.count_request();
    let method = req.method().as_str().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    // Raw bytes: the verifier checks exactly what arrived.
    let headers: Vec<(String, Vec<u8>)> =
        req.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec())).collect();
    let body = match receive_body(&shared, req.into_body()).await {
        Ok(body) => body,
        Err(answer) => {
            return Ok(log(&shared, &method, None, started, None, answer_response(answer, shared.config.log_requests)));
        }
    };
    let http = HttpRequest { method, path, query, headers, body };

    let (action, phone) = if shared.has_faults() { guess_target(&http) } else { (None, None) };
    let fault = shared.pick_fault(action.as_deref(), phone.as_deref());
    let answer = if http.path != "/" {
        gateway_error(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found: RPC calls are made on the path \"/\".",
        )
    } else if http.method != "POST" && http.method != "GET" {
        gateway_error(403, "UnsupportedHTTPMethod", "Specified HTTP method is not supported; use POST or GET.")
    } else {
        match &fault {
            Some(kind) if kind.preempts_service() => gateway_fault(kind),
            Some(FaultKind::Latency { ms }) => {
                tokio::time::sleep(Duration::from_millis(*ms)).await;
                shared.handle(&http)
            }
            _ => shared.handle(&http),
        }
    };
    let action = action.or_else(|| guess_target(&http).0);
    let response = match fault {
        Some(FaultKind::Drop) => {
            if shared.config.log_requests {
                log_line(&shared, &http.method, action.as_deref(), started, "-", "-", Some("drop"));
            }
            return Err(Dropped);
        }
        Some(kind) => spoil(answer, &kind),
        None => answer_response(answer, shared.config.log_requests),
    };
    let label = response.extensions().get::<FaultLabel>().map(|l| l.0);
    Ok(log(&shared, &http.method, action.as_deref(), started, label, response))
}

/// The fault applied to a response, for the log.
#[derive(Clone, Copy)]
struct FaultLabel(&'static str);

fn log(
    shared: &Shared,
    method: &str,
    action: Option<&str>,
    started: Instant,
    fault: Option<&str>,
    response: Response<EmuBody>,
) -> Response<EmuBody> {
    if shared.config.log_requests {
        let label = response.extensions().get::<CodeLabel>();
        let code = label.map(|c| c.0.as_str()).unwrap_or("-");
        let action = match (action, label.and_then(|c| c.1)) {
            (Some(a), Some(v)) => Some(format!("{a} {v}")),
            (a, _) => a.map(str::to_owned),
        };
        log_line(shared, method, action.as_deref(), started, response.status().as_str(), code, fault);
    }
    response
}

fn log_line(
    shared: &Shared,
    method: &str,
    action: Option<&str>,
    started: Instant,
    status: &str,
    code: &str,
    fault: Option<&str>,
) {
    let fault = fault.map(|f| format!(" fault={f}")).unwrap_or_default();
    eprintln!(
        "{} {method} {} -> {status} {code} {:.1}ms{fault}",
        format_timestamp(shared.clock.now()),
        action.unwrap_or("?"),
        started.elapsed().as_secs_f64() * 1000.0,
    );
}

/// The answer's `Code` and signature version, for the log.
#[derive(Clone)]
struct CodeLabel(String, Option<&'static str>);

/// The request body, read within `Config::connections.body_timeout`; or the answer to send
/// instead (the connection is closed after it).
async fn receive_body(shared: &Shared, body: Incoming) -> Result<Vec<u8>, Answer> {
    let limit = shared.config.connections.body_timeout;
    let mut answer = match tokio::time::timeout(limit, read_body(body)).await {
        Ok(Some(body)) => return Ok(body),
        Ok(None) => gateway_error(400, "InvalidParameter", "The request body is larger than 1 MiB or unreadable."),
        Err(_) => gateway_error(
            408,
            "RequestTimeout",
            &format!(
                "The request body did not arrive within {} ms (Config::connections.body_timeout).",
                limit.as_millis()
            ),
        ),
    };
    answer.headers.push(("connection", "close".into()));
    Err(answer)
}

async fn read_body(body: Incoming) -> Option<Vec<u8>> {
    // Dypnsapi requests have no body: skip the collecting machinery for them.
    if body.is_end_stream() || body.size_hint().exact() == Some(0) {
        return Some(Vec::new());
    }
    let collected = Limited::new(body, MAX_REQUEST_BODY).collect().await.ok()?;
    Some(collected.to_bytes().to_vec())
}

/// Action and phone number as sent, before verification (for fault rules).
pub(crate) fn guess_target(req: &HttpRequest) -> (Option<String>, Option<String>) {
    let mut params = parse_query(&req.query).unwrap_or_default();
    if let Ok(body) = std::str::from_utf8(&req.body) {
        params.extend(parse_query(body).unwrap_or_default());
    }
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    (req.header("x-acs-action").or_else(|| get("Action")), get("PhoneNumber"))
}

fn respond(status: u16, body: Bytes, request_id: Option<&str>, extra: &[(&'static str, String)]) -> Response<EmuBody> {
    let mut response = Response::new(EmuBody::full(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json;charset=utf-8"));
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        headers.insert("x-acs-request-id", id);
    }
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(*name, v);
        }
    }
    response
}

/// The response for an answer; `label` keeps its `Code` for the request log (skipped otherwise:
/// the extension map costs an allocation per request).
fn answer_response(answer: Answer, label: bool) -> Response<EmuBody> {
    let mut response = respond(answer.status, Bytes::from(answer.body), Some(&answer.request_id), &answer.headers);
    if label {
        response.extensions_mut().insert(CodeLabel(answer.code, answer.signature));
    }
    response
}

/// The gateway's answer for a fault that preempts the service.
fn gateway_fault(kind: &FaultKind) -> Answer {
    match kind {
        FaultKind::ServerError { status, .. } => {
            let status = if (500..=599).contains(status) { *status } else { 500 };
            if status == 500 {
                gateway_error(500, "InternalError", "The request processing has failed due to some unknown error.")
            } else {
                gateway_error(
                    status,
                    "ServiceUnavailable",
                    "The request has failed due to a temporary failure of the server.",
                )
            }
        }
        FaultKind::Throttle { retry_after_ms } => {
            let mut answer = gateway_error(400, "Throttling.User", "Request was denied due to user flow control.");
            if let Some(ms) = retry_after_ms {
                answer.headers.push(("x-acs-retry-after", ms.to_string()));
            }
            answer
        }
        _ => {
            // Html: rendered by `spoil`; the status and id are all that matter here.
            let id = request_id();
            Answer {
                status: 502,
                body: String::new(),
                request_id: id,
                code: "-".into(),
                headers: Vec::new(),
                signature: None,
            }
        }
    }
}

const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n";

/// Apply an answer fault (or label a gateway fault) on the way out.
fn spoil(answer: Answer, kind: &FaultKind) -> Response<EmuBody> {
    let (label, mut response) = match kind {
        FaultKind::Latency { .. } => ("latency", answer_response(answer, true)),
        FaultKind::ServerError { plain: true, .. } => {
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Server Error");
            let mut r = respond(status.as_u16(), Bytes::from_static(reason.as_bytes()), None, &[]);
            r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            ("server_error", r)
        }
        FaultKind::ServerError { .. } => ("server_error", answer_response(answer, true)),
        FaultKind::Throttle { .. } => ("throttle", answer_response(answer, true)),
        FaultKind::Html => {
            let mut r = respond(502, Bytes::from_static(HTML_502.as_bytes()), None, &[]);
            r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
            ("html", r)
        }
        FaultKind::Malformed => {
            let body = format!("{{Code: OK, RequestId: {}, Success: true", answer.request_id);
            ("malformed", respond(200, Bytes::from(body), Some(&answer.request_id), &[]))
        }
        FaultKind::Truncated => {
            let cut = floor_char_boundary(&answer.body, answer.body.len() / 2);
            let body = Bytes::copy_from_slice(&answer.body.as_bytes()[..cut]);
            ("truncated", respond(answer.status, body, Some(&answer.request_id), &[]))
        }
        FaultKind::Oversized { bytes } => {
            let head = format!("{},\"Padding\":\"", answer.body.trim_end_matches('}'));
            let pad = bytes.saturating_sub(head.len() + 2) as u64;
            let mut r = respond(200, Bytes::new(), Some(&answer.request_id), &[]);
            *r.body_mut() = EmuBody::padded(Bytes::from(head), pad, Bytes::from_static(b"\"}"));
            ("oversized", r)
        }
        FaultKind::SlowDrip { chunk_bytes, interval_ms } => {
            let full = Bytes::from(answer.body);
            let mut r = respond(answer.status, Bytes::new(), Some(&answer.request_id), &answer.headers);
            *r.body_mut() = EmuBody::drip(full, *chunk_bytes, Duration::from_millis(*interval_ms));
            ("slow_drip", r)
        }
        FaultKind::DropMidResponse => {
            let full = Bytes::from(answer.body);
            let mut r = respond(answer.status, Bytes::new(), Some(&answer.request_id), &[]);
            *r.body_mut() = EmuBody::broken(full);
            ("drop_mid_response", r)
        }
        FaultKind::Drop => ("drop", Response::new(EmuBody::empty())),
    };
    response.extensions_mut().insert(FaultLabel(label));
    response
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

// ---- test hooks -----------------------------------------------------------------------------

pub(crate) fn hook(shared: &Shared, method: &Method, path: &str, query: &str, body: &str) -> (u16, serde_json::Value) {
    let params = parse_query(query).unwrap_or_default();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let route = path.trim_start_matches("/_emulator").trim_end_matches('/');
    let bad = |status: u16, why: String| (status, json!({ "error": why }));
    match (method.as_str(), route) {
        ("GET", "" | "/health") => (
            200,
            json!({
                "ok": true,
                "endpoint": format!("http://127.0.0.1:{}", shared.port),
                "access_key_id": shared.config.accounts.first().map(|(id, _)| id.as_str()),
                "now": shared.clock.now(),
            }),
        ),
        ("GET", "/messages") => (200, json!({ "messages": shared.messages(param("phone")) })),
        ("GET", "/last-code") => match param("phone") {
            Some(phone) => {
                let code = shared.messages(Some(phone)).into_iter().rev().map(|m| m.code).find(|c| !c.is_empty());
                (200, json!({ "phone": phone, "code": code }))
            }
            None => bad(400, "give the phone number: /_emulator/last-code?phone=13800138000".into()),
        },
        ("POST", "/reset") => {
            shared.reset();
            (200, json!({ "ok": true, "now": shared.clock.now() }))
        }
        ("GET", "/clock") => (200, json!({ "now": shared.clock.now() })),
        ("POST", "/clock/advance") => match param("seconds").map(str::parse::<u64>) {
            Some(Ok(seconds)) => {
                shared.clock.advance(seconds);
                (200, json!({ "now": shared.clock.now() }))
            }
            _ => bad(400, "give a whole number of seconds: /_emulator/clock/advance?seconds=61".into()),
        },
        ("GET", "/faults") => (200, json!({ "faults": shared.faults() })),
        ("POST", "/faults") => match serde_json::from_str::<Fault>(body) {
            Ok(fault) => {
                shared.add_fault(fault.clone().probability(fault.probability));
                (200, json!({ "faults": shared.faults() }))
            }
            Err(e) => bad(
                400,
                format!(
                    "the body is not a fault rule ({e}); e.g. {{\"kind\":\"throttle\",\"retry_after_ms\":1000,\"action\":\"SendSmsVerifyCode\",\"times\":1}}"
                ),
            ),
        },
        ("DELETE", "/faults") => {
            shared.clear_faults();
            (200, json!({ "faults": [] }))
        }
        ("POST", "/sts") => match param("ttl").map(str::parse::<u64>).unwrap_or(Ok(3600)) {
            Ok(ttl) => (200, json!(shared.issue_sts(Duration::from_secs(ttl)))),
            Err(_) => bad(400, "ttl must be a whole number of seconds: /_emulator/sts?ttl=3600".into()),
        },
        ("GET", "/requests") => (200, json!({ "count": shared.request_count() })),
        (
            _,
            "" | "/health" | "/messages" | "/last-code" | "/reset" | "/clock" | "/clock/advance" | "/faults" | "/sts"
            | "/requests",
        ) => bad(405, format!("{method} is not allowed on {path}")),
        _ => bad(404, format!("no test hook at {path}; see the emulator README for the list")),
    }
}

// ---- response bodies ------------------------------------------------------------------------

/// Padding for [`FaultKind::Oversized`], handed out without copying.
static PAD: [u8; 64 * 1024] = [b'x'; 64 * 1024];

/// A response body, produced piece by piece so that no fault needs to hold a large or slow
/// answer in memory.
pub(crate) struct EmuBody {
    declared: u64,
    source: Source,
}

enum Source {
    /// The next piece, then the end.
    Full(Option<Bytes>),
    /// `head`, `pad` bytes of `x` (in [`PAD`]-sized pieces), then `tail`.
    Padded { head: Option<Bytes>, pad: u64, tail: Option<Bytes> },
    /// `rest` in `chunk`-byte pieces, one every `interval` (the first at once).
    Drip { rest: Bytes, chunk: usize, interval: Duration, wait: Option<Pin<Box<tokio::time::Sleep>>> },
    /// `half`, then (after a pause that lets hyper flush it) an error that makes hyper close the
    /// connection.
    Broken { half: Option<Bytes>, fail_after: Option<Pin<Box<tokio::time::Sleep>>> },
}

impl EmuBody {
    fn full(bytes: Bytes) -> Self {
        EmuBody { declared: bytes.len() as u64, source: Source::Full(Some(bytes).filter(|b| !b.is_empty())) }
    }

    fn empty() -> Self {
        EmuBody::full(Bytes::new())
    }

    fn padded(head: Bytes, pad: u64, tail: Bytes) -> Self {
        EmuBody {
            declared: head.len() as u64 + pad + tail.len() as u64,
            source: Source::Padded { head: Some(head), pad, tail: Some(tail) },
        }
    }

    fn drip(full: Bytes, chunk: usize, interval: Duration) -> Self {
        EmuBody {
            declared: full.len() as u64,
            source: Source::Drip { rest: full, chunk: chunk.max(1), interval, wait: None },
        }
    }

    fn broken(full: Bytes) -> Self {
        let half = full.slice(..full.len() / 2);
        EmuBody {
            declared: full.len() as u64,
            source: Source::Broken {
                half: Some(half),
                // Give hyper time to flush the first half before the connection is cut.
                fail_after: Some(Box::pin(tokio::time::sleep(Duration::from_millis(20)))),
            },
        }
    }
}

impl Body for EmuBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let data = |b: Bytes| Poll::Ready(Some(Ok(Frame::data(b))));
        match &mut self.source {
            Source::Full(chunk) => chunk.take().map_or(Poll::Ready(None), data),
            Source::Padded { head, pad, tail } => {
                if let Some(h) = head.take() {
                    return data(h);
                }
                if *pad > 0 {
                    let n = (*pad).min(PAD.len() as u64) as usize;
                    *pad -= n as u64;
                    return data(Bytes::from_static(&PAD[..n]));
                }
                tail.take().map_or(Poll::Ready(None), data)
            }
            Source::Drip { rest, chunk, interval, wait } => {
                if rest.is_empty() {
                    return Poll::Ready(None);
                }
                if let Some(sleep) = wait.as_mut()
                    && sleep.as_mut().poll(cx).is_pending()
                {
                    return Poll::Pending;
                }
                *wait = Some(Box::pin(tokio::time::sleep(*interval)));
                let piece = rest.split_to((*chunk).min(rest.len()));
                data(piece)
            }
            Source::Broken { half, fail_after } => {
                if let Some(h) = half.take() {
                    return data(h);
                }
                if let Some(sleep) = fail_after.as_mut() {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *fail_after = None;
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "dropped mid-response",
                    ))));
                }
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.source {
            Source::Full(chunk) => chunk.is_none(),
            Source::Padded { head, pad, tail } => head.is_none() && *pad == 0 && tail.is_none(),
            Source::Drip { rest, .. } => rest.is_empty(),
            Source::Broken { half, fail_after } => half.is_none() && fail_after.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.declared)
    }
}
