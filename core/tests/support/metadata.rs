//! A loopback ECS metadata server for credential tests: `PUT /latest/api/token` (TTL header
//! required), the role list and the role's credentials under
//! `/latest/meta-data/ram/security-credentials/`, with `Expiration` from a clock the test
//! controls. It can refuse tokens (an old server) or require them (IMDSv2 only).

#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use smsauth::sign::{HttpRequest, format_timestamp};

use crate::support::{Reply, Server};

pub const TOKEN: &str = "fake-metadata-token";
const PREFIX: &str = "/latest/meta-data/ram/security-credentials/";

pub struct FakeMetadata {
    pub server: Server,
    pub clock: Arc<AtomicU64>,
    /// Answer token PUTs with 403, as a server without session tokens would.
    pub tokens_supported: Arc<AtomicBool>,
    /// Refuse requests without a valid token header.
    pub tokens_required: Arc<AtomicBool>,
    /// Answer credential GETs with HTTP 500.
    pub broken: Arc<AtomicBool>,
    counter: Arc<Mutex<u64>>,
}

impl FakeMetadata {
    /// Serves the role `role` whose credentials last `ttl` seconds; answers after `delay`.
    pub fn start(role: &str, ttl: u64, clock: Arc<AtomicU64>, delay: Duration) -> FakeMetadata {
        let tokens_supported = Arc::new(AtomicBool::new(true));
        let tokens_required = Arc::new(AtomicBool::new(false));
        let broken = Arc::new(AtomicBool::new(false));
        let counter = Arc::new(Mutex::new(0));
        let (role, clk, sup, req_tok, brk, cnt) = (
            role.to_owned(),
            Arc::clone(&clock),
            Arc::clone(&tokens_supported),
            Arc::clone(&tokens_required),
            Arc::clone(&broken),
            Arc::clone(&counter),
        );
        let server = Server::start(move |req: &HttpRequest, _| {
            let reply = |status: u16, body: &str| Reply::json(status, body).delay(delay);
            if req.method == "PUT" && req.path == "/latest/api/token" {
                if !sup.load(Ordering::SeqCst) {
                    return reply(403, "Forbidden");
                }
                return match req.header("X-aliyun-ecs-metadata-token-ttl-seconds").and_then(|v| v.parse::<u64>().ok()) {
                    Some(ttl) if (1..=21_600).contains(&ttl) => reply(200, TOKEN),
                    _ => reply(400, "Bad Request: missing or invalid X-aliyun-ecs-metadata-token-ttl-seconds"),
                };
            }
            if req.method != "GET" {
                return reply(405, "Method Not Allowed");
            }
            let token = req.header("X-aliyun-ecs-metadata-token");
            if token.as_deref().is_some_and(|t| t != TOKEN) || (req_tok.load(Ordering::SeqCst) && token.is_none()) {
                return reply(401, "Unauthorized");
            }
            let Some(rest) = req.path.strip_prefix(PREFIX) else {
                return reply(404, "<html><body>404 Not Found</body></html>");
            };
            if rest.is_empty() {
                return reply(200, &role);
            }
            if rest != role {
                return reply(404, "<html><body>404 Not Found</body></html>");
            }
            if brk.load(Ordering::SeqCst) {
                return reply(500, "Internal Server Error");
            }
            let n = {
                let mut c = cnt.lock().unwrap();
                *c += 1;
                *c
            };
            let now = clk.load(Ordering::SeqCst);
            let body = serde_json::json!({
                "AccessKeyId": format!("STS.ecs{n}"),
                "AccessKeySecret": format!("fake-ecs-secret-{n}"),
                "Expiration": format_timestamp(now + ttl),
                "SecurityToken": format!("fake-ecs-token-{n}"),
                "LastUpdated": format_timestamp(now),
                "Code": "Success"
            });
            reply(200, &body.to_string())
        });
        FakeMetadata { server, clock, tokens_supported, tokens_required, broken, counter }
    }

    pub fn url(&self) -> &str {
        &self.server.url
    }

    /// Credential documents served so far.
    pub fn served(&self) -> u64 {
        *self.counter.lock().unwrap()
    }
}
