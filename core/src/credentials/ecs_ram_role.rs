//! ECS instance RAM role: temporary credentials from the instance metadata server, with the
//! IMDSv2-style session token (`PUT /latest/api/token`), cached and refreshed early.

use std::sync::{Arc, Mutex};

use reqwest::Method;
use zeroize::Zeroizing;

use super::cache::{Fetch, RefreshCache, Temporary};
use super::env::Environment;
use super::http::{Http, Settings, json_error};
use super::sts::CredentialsJson;
use super::{CredentialsFuture, ProvideCredentials};
use crate::error::{Error, ErrorKind, Result};
use crate::sign::percent_encode;

/// `ALIBABA_CLOUD_ECS_METADATA`: the RAM role name (discovered from the metadata server if unset).
pub const ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`: never ask the metadata server.
pub const ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// `ALIBABA_CLOUD_IMDSV1_DISABLED=true`: require the metadata session token (no fallback to
/// token-less requests).
pub const IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// `ALIBABA_CLOUD_ECS_METADATA_ENDPOINT` (an smsauth extension): the metadata server's URL.
pub const ECS_METADATA_ENDPOINT: &str = "ALIBABA_CLOUD_ECS_METADATA_ENDPOINT";
/// The ECS metadata server.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://100.100.100.200";
/// Lifetime asked for the metadata session token (6 hours, as the official SDKs do).
pub const METADATA_TOKEN_TTL: u32 = 21_600;

const NAME: &str = "ecs_ram_role";
const CREDENTIALS_PATH: &str = "latest/meta-data/ram/security-credentials/";

/// How to reach the metadata server. Unset fields come from the environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EcsRamRoleConfig {
    /// The instance's RAM role (default `ALIBABA_CLOUD_ECS_METADATA`, else discovered).
    pub role_name: Option<String>,
    /// The metadata server (default `ALIBABA_CLOUD_ECS_METADATA_ENDPOINT`, else
    /// `http://100.100.100.200`).
    pub metadata_endpoint: Option<String>,
    /// Require the session token (also `ALIBABA_CLOUD_IMDSV1_DISABLED=true`).
    pub disable_imds_v1: bool,
}

/// Temporary credentials of the ECS instance's RAM role.
///
/// ```
/// use smsauth::credentials::{EcsRamRoleConfig, EcsRamRoleProvider};
/// let provider = EcsRamRoleProvider::with_config(EcsRamRoleConfig {
///     role_name: Some("sms-sender".into()),
///     ..Default::default()
/// });
/// # let _ = provider;
/// ```
#[derive(Clone, Debug)]
pub struct EcsRamRoleProvider {
    config: EcsRamRoleConfig,
    env: Environment,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    http: Http,
    cache: Arc<RefreshCache>,
    discovered_role: Mutex<Option<String>>,
}

impl Default for EcsRamRoleProvider {
    fn default() -> Self {
        EcsRamRoleProvider::new()
    }
}

impl EcsRamRoleProvider {
    /// Everything from the environment (role discovered when `ALIBABA_CLOUD_ECS_METADATA` is unset).
    pub fn new() -> Self {
        EcsRamRoleProvider::with_config(EcsRamRoleConfig::default())
    }

    /// `config`, with unset fields from the environment.
    pub fn with_config(config: EcsRamRoleConfig) -> Self {
        EcsRamRoleProvider {
            config,
            env: Environment::process(),
            shared: Arc::new(Shared {
                http: Http::new(Settings::METADATA),
                cache: Arc::default(),
                discovered_role: Mutex::new(None),
            }),
        }
    }

    /// Read variables (and time) from `env` instead of the process.
    pub fn with_environment(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    pub(crate) fn is_configured(&self) -> Option<String> {
        self.env.flag(ECS_METADATA_DISABLED).then(|| format!("disabled by {ECS_METADATA_DISABLED}=true"))
    }
}

impl ProvideCredentials for EcsRamRoleProvider {
    fn provide(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            if self.env.flag(ECS_METADATA_DISABLED) {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!("{NAME}: disabled by {ECS_METADATA_DISABLED}=true"),
                ));
            }
            self.shared
                .cache
                .get(&self.env, || {
                    let (config, env, shared) = (self.config.clone(), self.env.clone(), Arc::clone(&self.shared));
                    Box::pin(async move { fetch(&config, &env, &shared).await }) as Fetch
                })
                .await
        })
    }
}

fn err(message: String) -> Error {
    Error::new(ErrorKind::Credentials, format!("{NAME}: {message}"))
}

async fn fetch(config: &EcsRamRoleConfig, env: &Environment, shared: &Shared) -> Result<Temporary> {
    let base = config
        .metadata_endpoint
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| env.var(ECS_METADATA_ENDPOINT))
        .unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_owned());
    let base = crate::Endpoint::parse(&base)
        .map_err(|e| err(format!("the metadata endpoint is unusable: {}", e.message())))?
        .base_url();
    let http = &shared.http;
    let unreachable = |e: Error| {
        err(format!("{} (not running on ECS? set {ECS_METADATA_DISABLED}=true to skip this provider)", e.message()))
    };

    // The session token; without it (an old metadata server) fall back to plain requests
    // unless IMDSv1 is disabled. A server that cannot be reached at all is an error right away.
    let ttl = METADATA_TOKEN_TTL.to_string();
    let answer = http
        .send(
            "the ECS metadata server",
            Method::PUT,
            &format!("{base}latest/api/token"),
            &[("X-aliyun-ecs-metadata-token-ttl-seconds", &ttl)],
            None,
        )
        .await
        .map_err(unreachable)?;
    let v1_disabled = config.disable_imds_v1 || env.flag(IMDSV1_DISABLED);
    let token: Option<Zeroizing<String>> = if answer.status == 200 {
        Some(Zeroizing::new(String::from_utf8_lossy(&answer.body).trim().to_owned()))
    } else if v1_disabled {
        return Err(err(format!(
            "the metadata server refused a session token (HTTP {}: {:?}) and {IMDSV1_DISABLED} forbids going without",
            answer.status,
            answer.excerpt()
        )));
    } else {
        tracing::debug!(status = answer.status, "no ECS metadata token; falling back to IMDSv1");
        None
    };
    let headers: Vec<(&str, &str)> =
        token.as_ref().map(|t| vec![("X-aliyun-ecs-metadata-token", t.as_str())]).unwrap_or_default();

    let configured = config.role_name.clone().filter(|r| !r.trim().is_empty()).or_else(|| env.var(ECS_METADATA));
    let discovered = shared.discovered_role.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (role, was_discovered) = match (configured, discovered) {
        (Some(r), _) => (r.trim().to_owned(), false),
        (None, Some(r)) => (r, true),
        (None, None) => {
            let answer = http
                .send("the ECS metadata server", Method::GET, &format!("{base}{CREDENTIALS_PATH}"), &headers, None)
                .await
                .map_err(unreachable)?;
            if answer.status != 200 {
                return Err(err(format!(
                    "metadata returned {} for the role list: no RAM role is attached to this instance? \
                     (attach one, or name it in {ECS_METADATA})",
                    answer.status
                )));
            }
            let text = String::from_utf8_lossy(&answer.body).into_owned();
            let Some(role) = text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned) else {
                return Err(err("the metadata server lists no RAM role for this instance".into()));
            };
            *shared.discovered_role.lock().unwrap_or_else(|p| p.into_inner()) = Some(role.clone());
            (role, true)
        }
    };

    let answer = http
        .send(
            "the ECS metadata server",
            Method::GET,
            &format!("{base}{CREDENTIALS_PATH}{}", percent_encode(&role)),
            &headers,
            None,
        )
        .await
        .map_err(unreachable)?;
    if answer.status != 200 {
        if was_discovered {
            *shared.discovered_role.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
        let hint = if answer.status == 404 {
            format!(
                ": no role of that name is attached to this instance (check the name in {ECS_METADATA} or the profile)"
            )
        } else {
            format!(": {:?}", answer.excerpt())
        };
        return Err(err(format!("metadata returned {} for role {role:?}{hint}", answer.status)));
    }
    let parsed: CredentialsJson = serde_json::from_slice(&answer.body)
        .map_err(|e| err(format!("the metadata answer for role {role:?} has {}", json_error(&e))))?;
    if let Some(code) = parsed.code.as_deref().filter(|c| *c != "Success") {
        return Err(err(format!("metadata answered Code {code:?} for role {role:?} instead of \"Success\"")));
    }
    parsed.into_temporary().map_err(|why| err(format!("the metadata answer for role {role:?} is unusable: {why}")))
}
