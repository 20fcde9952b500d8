//! An emulated ECS instance metadata server (`100.100.100.200`) serving an instance RAM role's
//! temporary credentials, minted with [`Emulator::issue_sts`] so the Dypnsapi emulator accepts
//! them until the emulated clock passes their `Expiration` (then `InvalidSecurityToken.Expired`).
//!
//! - `PUT /latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds: 1..=21600` → a
//!   session token (IMDSv2 style); without the header → 400.
//! - `GET /latest/meta-data/ram/security-credentials/` → the role name.
//! - `GET /latest/meta-data/ram/security-credentials/<role>` → `{"AccessKeyId", "AccessKeySecret",
//!   "SecurityToken", "Expiration", "LastUpdated", "Code": "Success"}`; another role → 404.
//!
//! The `X-aliyun-ecs-metadata-token` header is checked when present and required when
//! [`MetadataConfig::require_token`] is set. Credentials are rotated when less than
//! [`MetadataConfig::rotate_before`] of their lifetime remains, as the real server renews them
//! ahead of expiry.
//!
//! ```
//! use std::sync::Arc;
//! use smsauth::credentials::{EcsRamRoleConfig, EcsRamRoleProvider};
//! use smsauth_emulator::{Emulator, metadata::Metadata};
//!
//! # fn main() -> smsauth::Result<()> {
//! let emu = Arc::new(Emulator::start()?);
//! let metadata = Metadata::start(Arc::clone(&emu))?;
//! let provider = EcsRamRoleProvider::with_config(EcsRamRoleConfig {
//!     metadata_endpoint: Some(metadata.endpoint()),
//!     ..Default::default()
//! });
//! let client = smsauth::blocking::Client::from_async(
//!     smsauth::Client::builder()
//!         .credentials_provider(provider)
//!         .endpoint(emu.endpoint())
//!         .sign_name("速通互联验证码")
//!         .template_code("100001")
//!         .build()?,
//! );
//! client.send_code("13800138000")?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use smsauth::sign::{HttpRequest, format_timestamp};

use crate::sts::{Reply, Running, serve};
use crate::{Emulator, StsCredentials};

/// The role [`MetadataConfig::default`] serves.
pub const DEFAULT_ROLE_NAME: &str = "smsauth-emulator-role";

/// How the emulated metadata server behaves. Start from [`MetadataConfig::default`].
#[derive(Clone, Debug)]
pub struct MetadataConfig {
    /// TCP port on 127.0.0.1; 0 (the default) picks a free one.
    pub port: u16,
    /// The instance's RAM role. Default [`DEFAULT_ROLE_NAME`].
    pub role_name: String,
    /// Lifetime of the credentials it mints. Default 6 hours.
    pub credentials_ttl: Duration,
    /// Mint new credentials once less than this remains (at most half the lifetime). Default
    /// 1 hour.
    pub rotate_before: Duration,
    /// Refuse requests without a session token (instances with IMDSv1 turned off).
    pub require_token: bool,
    /// Answer token requests with 403, like a metadata server without session tokens.
    pub tokens_unsupported: bool,
}

impl Default for MetadataConfig {
    fn default() -> Self {
        MetadataConfig {
            port: 0,
            role_name: DEFAULT_ROLE_NAME.into(),
            credentials_ttl: Duration::from_secs(6 * 3600),
            rotate_before: Duration::from_secs(3600),
            require_token: false,
            tokens_unsupported: false,
        }
    }
}

struct State {
    emulator: Arc<Emulator>,
    config: MetadataConfig,
    /// Session token → emulated expiry.
    tokens: Mutex<HashMap<String, u64>>,
    current: Mutex<Option<(StsCredentials, u64)>>,
    served: std::sync::atomic::AtomicUsize,
}

/// A running emulated metadata server on `127.0.0.1`; dropping it (or [`Metadata::stop`])
/// stops it.
pub struct Metadata {
    server: Running,
    state: Arc<State>,
}

impl std::fmt::Debug for Metadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metadata")
            .field("endpoint", &self.endpoint())
            .field("role", &self.state.config.role_name)
            .finish()
    }
}

impl Metadata {
    /// Start with [`MetadataConfig::default`], minting credentials from `emulator`.
    pub fn start(emulator: Arc<Emulator>) -> smsauth::Result<Metadata> {
        Metadata::start_with(emulator, MetadataConfig::default())
    }

    /// Start with `config`, minting credentials from `emulator`.
    pub fn start_with(emulator: Arc<Emulator>, config: MetadataConfig) -> smsauth::Result<Metadata> {
        let state = Arc::new(State {
            emulator,
            config,
            tokens: Mutex::new(HashMap::new()),
            current: Mutex::new(None),
            served: std::sync::atomic::AtomicUsize::new(0),
        });
        let handler_state = Arc::clone(&state);
        let server =
            serve(state.config.port, "metadata", Arc::new(move |req: &HttpRequest| handle(&handler_state, req)))?;
        Ok(Metadata { server, state })
    }

    /// `http://127.0.0.1:PORT` — give it as `metadata_endpoint` or
    /// `ALIBABA_CLOUD_ECS_METADATA_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.server.port
    }

    /// The role it serves.
    pub fn role_name(&self) -> &str {
        &self.state.config.role_name
    }

    /// Requests received (tokens, role lists and credentials).
    pub fn request_count(&self) -> usize {
        self.server.requests.load(Ordering::SeqCst)
    }

    /// Credential documents served.
    pub fn credentials_served(&self) -> usize {
        self.state.served.load(Ordering::SeqCst)
    }

    /// Stop the server (same as dropping it).
    pub fn stop(self) {}
}

const PREFIX: &str = "/latest/meta-data/ram/security-credentials/";

fn not_found() -> Reply {
    Reply { status: 404, content_type: "text/html", body: "<html><body><h1>404 Not Found</h1></body></html>".into() }
}

fn handle(state: &State, req: &HttpRequest) -> Reply {
    let now = state.emulator.now();
    if req.path == "/latest/api/token" {
        if req.method != "PUT" {
            return Reply::text(405, "Method Not Allowed");
        }
        if state.config.tokens_unsupported {
            return Reply::text(403, "Forbidden");
        }
        let ttl = req.header("x-aliyun-ecs-metadata-token-ttl-seconds").and_then(|v| v.trim().parse::<u64>().ok());
        let Some(ttl) = ttl.filter(|t| (1..=21_600).contains(t)) else {
            return Reply::text(400, "Bad Request: X-aliyun-ecs-metadata-token-ttl-seconds must be 1 to 21600");
        };
        let token = match smsauth::sign::Stamp::fresh() {
            Ok(s) => format!("AQAE{}", s.nonce),
            Err(_) => return Reply::text(500, "Internal Server Error"),
        };
        state.tokens.lock().unwrap_or_else(|p| p.into_inner()).insert(token.clone(), now.saturating_add(ttl));
        return Reply::text(200, token);
    }
    if req.method != "GET" {
        return Reply::text(405, "Method Not Allowed");
    }
    match req.header("x-aliyun-ecs-metadata-token") {
        Some(token) => {
            let valid =
                state.tokens.lock().unwrap_or_else(|p| p.into_inner()).get(token.trim()).is_some_and(|exp| now < *exp);
            if !valid {
                return Reply::text(401, "Unauthorized: the metadata token is invalid or expired");
            }
        }
        None if state.config.require_token => return Reply::text(401, "Unauthorized: a metadata token is required"),
        None => {}
    }
    let Some(rest) = req.path.strip_prefix(PREFIX) else {
        return not_found();
    };
    if rest.is_empty() {
        return Reply::text(200, state.config.role_name.clone());
    }
    if rest != state.config.role_name {
        return not_found();
    }
    let ttl = state.config.credentials_ttl.as_secs().max(1);
    let rotate_before = state.config.rotate_before.as_secs().min(ttl / 2);
    let mut current = state.current.lock().unwrap_or_else(|p| p.into_inner());
    let fresh = match current.as_ref() {
        Some((creds, _)) if creds.expires_at > now + rotate_before => None,
        _ => Some(state.emulator.issue_sts(Duration::from_secs(ttl))),
    };
    if let Some(creds) = fresh {
        *current = Some((creds, now));
    }
    let Some((creds, updated)) = current.as_ref() else {
        return Reply::text(500, "Internal Server Error");
    };
    state.served.fetch_add(1, Ordering::SeqCst);
    Reply::json(
        200,
        json!({
            "AccessKeyId": creds.access_key_id,
            "AccessKeySecret": creds.access_key_secret,
            "Expiration": format_timestamp(creds.expires_at),
            "SecurityToken": creds.security_token,
            "LastUpdated": format_timestamp(*updated),
            "Code": "Success",
        }),
    )
}
