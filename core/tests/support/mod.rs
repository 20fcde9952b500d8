//! A scripted HTTP/1.1 server on 127.0.0.1:0 for client tests: it records every request, can
//! verify signatures with the core's own verifier, and answers whatever the test scripts —
//! including faults (delays, dropped connections, oversized bodies).

#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

pub mod deadline;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use smsauth::sign::HttpRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
    /// Close the connection without answering.
    pub drop: bool,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Reply { status, headers: vec![], body: body.as_bytes().to_vec(), delay: Duration::ZERO, drop: false }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
    pub fn dropped() -> Self {
        Reply { drop: true, ..Reply::json(200, "") }
    }
}

type Script = dyn Fn(&HttpRequest, usize) -> Reply + Send + Sync;

pub struct Server {
    pub url: String,
    pub requests: Arc<Mutex<Vec<HttpRequest>>>,
    rt: tokio::runtime::Runtime,
}

impl Server {
    pub fn start(script: impl Fn(&HttpRequest, usize) -> Reply + Send + Sync + 'static) -> Server {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let reqs = requests.clone();
        rt.spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else { return };
                let script = script.clone();
                let reqs = reqs.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    loop {
                        let Some(req) = read_request(&mut sock, &mut buf).await else { return };
                        let n = {
                            let mut r = reqs.lock().unwrap();
                            r.push(req.clone());
                            r.len()
                        };
                        let reply = script(&req, n);
                        tokio::time::sleep(reply.delay).await;
                        if reply.drop {
                            return;
                        }
                        let mut head = format!(
                            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                            reply.status,
                            reply.body.len()
                        );
                        for (k, v) in &reply.headers {
                            head.push_str(&format!("{k}: {v}\r\n"));
                        }
                        head.push_str("\r\n");
                        if sock.write_all(head.as_bytes()).await.is_err() || sock.write_all(&reply.body).await.is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        Server { url, requests, rt }
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

async fn read_request(sock: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Option<HttpRequest> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let method = first.next()?.to_owned();
            let target = first.next()?.to_owned();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())))
                .collect();
            let len: usize = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let mut chunk = [0u8; 4096];
                let n = sock.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = buf[end + 4..end + 4 + len].to_vec();
            buf.drain(..end + 4 + len);
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            let headers = headers.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
            return Some(HttpRequest { method, path: path.to_owned(), query: query.to_owned(), headers, body });
        }
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}
