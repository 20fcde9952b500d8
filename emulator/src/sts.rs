//! An emulated STS (`sts.aliyuncs.com`, API 2015-04-01): `AssumeRole` and
//! `AssumeRoleWithOIDC`, minting temporary credentials with [`Emulator::issue_sts`] — so the
//! Dypnsapi emulator accepts them, and refuses them with `InvalidSecurityToken.Expired` once the
//! emulated clock passes their `Expiration`.
//!
//! It runs on its own port next to the emulator. `AssumeRole` must be signed (V1 or V3,
//! verified with [`smsauth::sign::Verifier`] against the real clock) by a configured AccessKey
//! or by temporary credentials this STS issued (role chaining); `AssumeRoleWithOIDC` is
//! anonymous, as in the real service, and checks the OIDC provider ARN and token.
//!
//! ```
//! use std::sync::Arc;
//! use smsauth::credentials::{RamRoleArnConfig, RamRoleArnProvider};
//! use smsauth_emulator::{Emulator, sts::Sts};
//!
//! # fn main() -> smsauth::Result<()> {
//! let emu = Arc::new(Emulator::start()?);
//! let sts = Sts::start(Arc::clone(&emu))?;
//! let provider = RamRoleArnProvider::new(RamRoleArnConfig {
//!     role_arn: "acs:ram::1234567890123456:role/sms-sender".into(),
//!     sts_endpoint: Some(sts.endpoint()),
//!     ..Default::default()
//! })?
//! .with_access_key(emu.access_key_id(), emu.access_key_secret())?;
//! let client = smsauth::blocking::Client::from_async(
//!     smsauth::Client::builder()
//!         .credentials_provider(provider)
//!         .endpoint(emu.endpoint())
//!         .sign_name("速通互联验证码")
//!         .template_code("100001")
//!         .build()?,
//! );
//! client.send_code("13800138000")?; // signed with the STS key and token
//! assert_eq!(sts.request_count(), 1);
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use smsauth::sign::{HttpRequest, Verified, Verifier, format_timestamp, parse_query, unix_now};
use smsauth::{Error, ErrorKind, Secret};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::{DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, StsCredentials};

/// The OIDC identity provider [`StsConfig::default`] accepts.
pub const DEFAULT_OIDC_PROVIDER_ARN: &str = "acs:ram::1234567890123456:oidc-provider/smsauth-emulator";

/// How the emulated STS behaves. Start from [`StsConfig::default`].
#[derive(Clone)]
pub struct StsConfig {
    /// TCP port on 127.0.0.1; 0 (the default) picks a free one.
    pub port: u16,
    /// AccessKey pairs that may call `AssumeRole` (temporary credentials this STS issued may
    /// too). Default: the emulator's default pair.
    pub accounts: Vec<(String, String)>,
    /// Role ARNs that exist; empty (the default) accepts any `acs:ram::<account>:role/<name>`.
    pub roles: Vec<String>,
    /// The OIDC provider `AssumeRoleWithOIDC` accepts. Default [`DEFAULT_OIDC_PROVIDER_ARN`].
    pub oidc_provider_arn: String,
    /// OIDC tokens accepted; empty (the default) accepts any non-empty token.
    pub oidc_tokens: Vec<String>,
    /// The roles' maximum session duration: a longer `DurationSeconds` is refused. Default 3600
    /// (a RAM role's default).
    pub max_session_duration: u64,
}

impl Default for StsConfig {
    fn default() -> Self {
        StsConfig {
            port: 0,
            accounts: vec![(DEFAULT_ACCESS_KEY_ID.into(), DEFAULT_ACCESS_KEY_SECRET.into())],
            roles: Vec::new(),
            oidc_provider_arn: DEFAULT_OIDC_PROVIDER_ARN.into(),
            oidc_tokens: Vec::new(),
            max_session_duration: 3600,
        }
    }
}

impl std::fmt::Debug for StsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.accounts.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("StsConfig")
            .field("port", &self.port)
            .field("accounts", &ids)
            .field("roles", &self.roles)
            .field("oidc_provider_arn", &self.oidc_provider_arn)
            .field("oidc_tokens", &self.oidc_tokens.len())
            .field("max_session_duration", &self.max_session_duration)
            .finish()
    }
}

/// One successful STS call, for assertions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsCall {
    /// `AssumeRole` or `AssumeRoleWithOIDC`.
    pub action: String,
    /// The AccessKey that signed (`None` for the anonymous OIDC call).
    pub signed_by: Option<String>,
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub role_session_name: String,
    /// `DurationSeconds` granted.
    pub duration_seconds: u64,
    /// The temporary AccessKey ID issued.
    pub issued_access_key_id: String,
}

struct State {
    emulator: Arc<Emulator>,
    config: StsConfig,
    verifier: Verifier,
    issued: Mutex<HashMap<String, StsCredentials>>,
    calls: Mutex<Vec<StsCall>>,
}

/// A running emulated STS on `127.0.0.1`; dropping it (or [`Sts::stop`]) stops it.
pub struct Sts {
    server: Running,
    state: Arc<State>,
}

impl std::fmt::Debug for Sts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sts").field("endpoint", &self.endpoint()).finish()
    }
}

impl Sts {
    /// Start with [`StsConfig::default`], issuing credentials from `emulator`.
    pub fn start(emulator: Arc<Emulator>) -> smsauth::Result<Sts> {
        Sts::start_with(emulator, StsConfig::default())
    }

    /// Start with `config`, issuing credentials from `emulator`.
    pub fn start_with(emulator: Arc<Emulator>, config: StsConfig) -> smsauth::Result<Sts> {
        let state = Arc::new(State {
            emulator,
            config,
            verifier: Verifier::new(),
            issued: Mutex::new(HashMap::new()),
            calls: Mutex::new(Vec::new()),
        });
        let handler_state = Arc::clone(&state);
        let server = serve(state.config.port, "sts", Arc::new(move |req: &HttpRequest| handle(&handler_state, req)))?;
        Ok(Sts { server, state })
    }

    /// `http://127.0.0.1:PORT` — give it as `sts_endpoint` or `ALIBABA_CLOUD_STS_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.server.port
    }

    /// Requests received, answered or refused.
    pub fn request_count(&self) -> usize {
        self.server.requests.load(Ordering::SeqCst)
    }

    /// The calls that issued credentials, oldest first.
    pub fn calls(&self) -> Vec<StsCall> {
        self.state.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Stop the server (same as dropping it).
    pub fn stop(self) {}
}

/// An STS error answer in the real shape.
fn sts_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({
            "RequestId": request_id(),
            "HostId": "sts.aliyuncs.com",
            "Code": code,
            "Message": message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=Sts"),
        }),
    )
}

pub(crate) fn request_id() -> String {
    let nonce = smsauth::sign::Stamp::fresh().map(|s| s.nonce).unwrap_or_else(|_| format!("{:032x}", unix_now()));
    let n = nonce.to_ascii_uppercase();
    format!("{}-{}-{}-{}-{}", &n[0..8], &n[8..12], &n[12..16], &n[16..20], &n[20..32])
}

fn handle(state: &State, req: &HttpRequest) -> Reply {
    if req.path != "/" {
        return sts_error(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        );
    }
    let mut params = parse_query(&req.query).unwrap_or_default();
    if req
        .header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
    {
        match std::str::from_utf8(&req.body)
            .map_err(|e| e.to_string())
            .and_then(|b| parse_query(b).map_err(|e| e.to_string()))
        {
            Ok(p) => params.extend(p),
            Err(e) => return sts_error(400, "InvalidParameter", &format!("The form body is malformed: {e}")),
        }
    }
    // A signed request is verified first, and then only what was signed decides what runs: an
    // unsigned `x-acs-action` header on a V1 request cannot turn it into another action.
    let signed = req.header("authorization").is_some() || params.iter().any(|(k, _)| k == "Signature");
    let verified = if signed {
        match verify(state, req) {
            Ok(v) => Some(v),
            Err(reply) => return reply,
        }
    } else {
        None
    };
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (action, version) = match &verified {
        Some(v) => (v.action.clone(), Some(v.api_version.clone())),
        None => (
            req.header("x-acs-action").or_else(|| get("Action")).unwrap_or_default(),
            get("Version").or_else(|| req.header("x-acs-version")),
        ),
    };
    if version.as_deref() != Some(smsauth::credentials::STS_VERSION) {
        return sts_error(400, "InvalidVersion", "Specified parameter Version is not valid (STS is 2015-04-01).");
    }
    let signed_by = match action.as_str() {
        "AssumeRole" => match verified {
            Some(v) => Some(v.access_key_id),
            // Unsigned: the verifier says what is missing.
            None => match verify(state, req) {
                Ok(v) => Some(v.access_key_id),
                Err(reply) => return reply,
            },
        },
        "AssumeRoleWithOIDC" => {
            if get("OIDCProviderArn").as_deref() != Some(state.config.oidc_provider_arn.as_str()) {
                return sts_error(404, "EntityNotExist.OIDCProvider", "The specified OIDC provider does not exist.");
            }
            let token = get("OIDCToken").unwrap_or_default();
            if token.is_empty() {
                return sts_error(400, "MissingParameter.OIDCToken", "OIDCToken is mandatory for this action.");
            }
            if !state.config.oidc_tokens.is_empty() && !state.config.oidc_tokens.contains(&token) {
                return sts_error(400, "AuthenticationFail.OIDCToken.Invalid", "The OIDC token is invalid.");
            }
            None
        }
        "" => return sts_error(400, "MissingParameter.Action", "Action is mandatory for this request."),
        other => {
            return sts_error(404, "InvalidAction.NotFound", &format!("Specified api {other} is not found."));
        }
    };
    let role = get("RoleArn").unwrap_or_default();
    let Some((account, role_name)) = parse_role_arn(&role) else {
        return sts_error(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.");
    };
    if !state.config.roles.is_empty() && !state.config.roles.contains(&role) {
        return sts_error(404, "EntityNotExist.Role", &format!("The specified Role not exists: {role}."));
    }
    let session = get("RoleSessionName").unwrap_or_default();
    let session_ok = (2..=64).contains(&session.len())
        && session.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_'));
    if !session_ok {
        return sts_error(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.");
    }
    let duration = match get("DurationSeconds").map(|d| d.parse::<u64>()) {
        None => 3600.min(state.config.max_session_duration),
        Some(Ok(d)) if d >= 900 && d <= state.config.max_session_duration => d,
        Some(_) => {
            return sts_error(
                400,
                "InvalidParameter.DurationSeconds",
                &format!("The Min/Max value of DurationSeconds is 15min/{}s.", state.config.max_session_duration),
            );
        }
    };
    let creds = state.emulator.issue_sts(Duration::from_secs(duration));
    state.issued.lock().unwrap_or_else(|p| p.into_inner()).insert(creds.access_key_id.clone(), creds.clone());
    state.calls.lock().unwrap_or_else(|p| p.into_inner()).push(StsCall {
        action: action.clone(),
        signed_by,
        role_arn: role.clone(),
        role_session_name: session.clone(),
        duration_seconds: duration,
        issued_access_key_id: creds.access_key_id.clone(),
    });
    let mut body = json!({
        "RequestId": request_id(),
        "AssumedRoleUser": {
            "Arn": format!("acs:ram::{account}:assumed-role/{role_name}/{session}"),
            "AssumedRoleId": format!("3{}:{session}", &account[..account.len().min(17)]),
        },
        "Credentials": {
            "AccessKeyId": creds.access_key_id,
            "AccessKeySecret": creds.access_key_secret,
            "SecurityToken": creds.security_token,
            "Expiration": format_timestamp(creds.expires_at),
        },
    });
    if action == "AssumeRoleWithOIDC" {
        body["OIDCTokenInfo"] =
            json!({"Issuer": "https://oidc.smsauth-emulator.local", "ClientIds": "sts.aliyuncs.com"});
        body["SourceIdentity"] = json!("");
    }
    Reply::json(200, body)
}

/// `acs:ram::<account digits>:role/<name>` → (account, name).
fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (account, name) = rest.split_once(":role/")?;
    (!account.is_empty() && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty()).then_some((account, name))
}

/// Verify an `AssumeRole` signature; what was verified, or the error answer.
fn verify(state: &State, req: &HttpRequest) -> Result<Verified, Reply> {
    let issued = state.issued.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let lookup = |id: &str| {
        state
            .config
            .accounts
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, s)| Secret::new(s.clone()))
            .or_else(|| issued.get(id).map(|c| Secret::new(c.access_key_secret.clone())))
    };
    let verified = state
        .verifier
        .verify(req, unix_now(), lookup)
        .map_err(|e| sts_error(e.http_status(), e.code(), &e.to_string()))?;
    if let Some(creds) = issued.get(&verified.access_key_id) {
        match verified.security_token.as_ref().map(|t| t.expose()) {
            None => return Err(sts_error(400, "MissingSecurityToken", "SecurityToken is mandatory for STS keys.")),
            Some(t) if t != creds.security_token => {
                return Err(sts_error(
                    400,
                    "InvalidSecurityToken.MismatchWithAccessKey",
                    "Specified SecurityToken mismatch with the AccessKey.",
                ));
            }
            Some(_) if creds.expires_at <= state.emulator.now() => {
                return Err(sts_error(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."));
            }
            Some(_) => {}
        }
    }
    Ok(verified)
}

// ------------------------------------------------------------------ a small loopback server

/// An answer of [`serve`]'s handler.
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Reply {
    pub(crate) fn json(status: u16, value: serde_json::Value) -> Reply {
        Reply { status, content_type: "application/json;charset=utf-8", body: value.to_string() }
    }

    pub(crate) fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply { status, content_type: "text/plain;charset=utf-8", body: body.into() }
    }
}

pub(crate) type Handler = dyn Fn(&HttpRequest) -> Reply + Send + Sync;

/// A server on its own thread and runtime; stops on drop.
pub(crate) struct Running {
    pub port: u16,
    pub requests: Arc<AtomicUsize>,
    shutdown: Option<watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serve `handler` on `127.0.0.1:port` (HTTP/1.1, keep-alive).
pub(crate) fn serve(port: u16, name: &str, handler: Arc<Handler>) -> smsauth::Result<Running> {
    let listener = StdListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .map_err(|e| Error::new(ErrorKind::Network, format!("could not listen on 127.0.0.1:{port}: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::new(ErrorKind::Network, format!("could not read the listening address: {e}")))?
        .port();
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::new(ErrorKind::Network, format!("could not configure the listener: {e}")))?;
    let requests = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = watch::channel(false);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let counter = Arc::clone(&requests);
    let thread = std::thread::Builder::new()
        .name(format!("smsauth-emulator-{name}-{port}"))
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("could not build its runtime: {e}")));
                    return;
                }
            };
            rt.block_on(async move {
                let listener = match TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("could not register the listener: {e}")));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                loop {
                    tokio::select! {
                        _ = rx.changed() => break,
                        accepted = listener.accept() => match accepted {
                            Ok((stream, _)) => {
                                let (handler, counter) = (Arc::clone(&handler), Arc::clone(&counter));
                                tokio::spawn(async move {
                                    let service = service_fn(move |req| {
                                        let (handler, counter) = (Arc::clone(&handler), Arc::clone(&counter));
                                        async move { Ok::<_, Infallible>(answer(handler.as_ref(), &counter, req).await) }
                                    });
                                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                                });
                            }
                            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                        },
                    }
                }
            });
            rt.shutdown_timeout(Duration::from_millis(200));
        })
        .map_err(|e| Error::new(ErrorKind::Internal, format!("could not start the {name} thread: {e}")))?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(Running { port, requests, shutdown: Some(tx), thread: Some(thread) }),
        Ok(Err(why)) => Err(Error::new(ErrorKind::Internal, format!("the emulated {name} could not start: {why}"))),
        Err(_) => Err(Error::new(ErrorKind::Internal, format!("the emulated {name} thread stopped while starting"))),
    }
}

async fn answer(handler: &Handler, counter: &AtomicUsize, req: Request<Incoming>) -> Response<Full<Bytes>> {
    counter.fetch_add(1, Ordering::SeqCst);
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let headers: Vec<(String, Vec<u8>)> =
        req.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec())).collect();
    let reply = match Limited::new(req.into_body(), 1 << 20).collect().await {
        Ok(body) => {
            let body = body.to_bytes().to_vec();
            handler(&HttpRequest { method, path, query, headers, body })
        }
        Err(_) => Reply::text(413, "request body too large or unreadable"),
    };
    let mut resp = Response::new(Full::new(Bytes::from(reply.body)));
    *resp.status_mut() = hyper::StatusCode::from_u16(reply.status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static(reply.content_type));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_parse() {
        assert_eq!(parse_role_arn("acs:ram::123:role/x"), Some(("123", "x")));
        assert_eq!(parse_role_arn("acs:ram::12a:role/x"), None);
        assert_eq!(parse_role_arn("acs:ram::123:user/x"), None);
        assert_eq!(parse_role_arn("acs:ram::123:role/"), None);
    }
}
