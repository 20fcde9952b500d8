//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not a public API): the
//! emulator's handling of a request that arrived over HTTP, without the socket.

use hyper::Method;
use smsauth::Credentials;
use smsauth::sign::{HttpRequest, RpcRequest, SignatureVersion, Stamp, sign};

use crate::Config;
use crate::service::Shared;

/// An emulator's state (default configuration, fixed seed, clock at 2025-01-02) without a server.
pub struct Target {
    shared: Shared,
}

impl Default for Target {
    fn default() -> Self {
        let config = Config { seed: Some(1), start_time: Some(1_735_787_045), ..Config::default() };
        Target { shared: Shared::new(config, 9) }
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fuzzing::Target")
    }
}

impl Target {
    /// Answer a raw API request as the server does after reading it: rule matching on the
    /// unverified parameters, verification, then the service (must never panic).
    pub fn api(&self, req: &HttpRequest) -> (u16, String) {
        let _ = crate::server::guess_target(req);
        let answer = self.shared.handle(req);
        (answer.status, answer.body)
    }

    /// Sign `params` for `action` with the emulator's key (so verification passes and the
    /// service's own parameter checks run), then answer it.
    pub fn signed(&self, action: &str, params: &[(String, String)], v1: bool) -> (u16, String) {
        let mut rpc = RpcRequest::new("127.0.0.1:9", action, "2017-05-25");
        for (k, v) in params {
            rpc = rpc.param(k.as_str(), v.as_str());
        }
        let Ok(creds) = Credentials::new(crate::DEFAULT_ACCESS_KEY_ID, crate::DEFAULT_ACCESS_KEY_SECRET) else {
            return (0, String::new());
        };
        let stamp = Stamp::new(self.shared.clock.now(), format!("fuzz-{}", self.shared.request_count()));
        self.shared.count_request();
        let version = if v1 { SignatureVersion::V1 } else { SignatureVersion::V3 };
        let signed = sign(&rpc, version, &creds, &stamp);
        self.api(&signed.to_http_request())
    }

    /// A test hook request (`/_emulator/…`), fault rules and clock moves included.
    pub fn hook(&self, method: &str, path: &str, query: &str, body: &str) -> u16 {
        let Ok(method) = Method::from_bytes(method.as_bytes()) else { return 0 };
        let (status, _) = crate::server::hook(&self.shared, &method, path, query, body);
        status
    }

    /// Move the emulated clock (as `POST /_emulator/clock/advance` does).
    pub fn advance(&self, seconds: u64) {
        self.shared.clock.advance(seconds);
    }
}
