//! OIDC role (RRSA on ACK): a Kubernetes-mounted OIDC token exchanged at STS
//! (`AssumeRoleWithOIDC`) for temporary credentials, cached and refreshed early.

use std::sync::Arc;

use zeroize::Zeroizing;

use super::cache::{Fetch, RefreshCache, Temporary};
use super::env::Environment;
use super::http::{Http, Settings};
use super::{CredentialsFuture, ProvideCredentials, sts};
use crate::error::{Error, ErrorKind, Result};

/// `ALIBABA_CLOUD_ROLE_ARN`: the RAM role to assume.
pub const ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`: the RAM OIDC identity provider.
pub const OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// `ALIBABA_CLOUD_OIDC_TOKEN_FILE`: the file holding the OIDC token (re-read at each refresh).
pub const OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";

const NAME: &str = "oidc";

/// What to assume with an OIDC token. Unset fields come from the environment variables
/// (`ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`,
/// `ALIBABA_CLOUD_ROLE_SESSION_NAME`, `ALIBABA_CLOUD_STS_REGION`, …) when credentials are
/// first needed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OidcConfig {
    /// `acs:ram::<account>:role/<name>`.
    pub role_arn: Option<String>,
    /// `acs:ram::<account>:oidc-provider/<name>`.
    pub oidc_provider_arn: Option<String>,
    /// Path of the token file.
    pub oidc_token_file: Option<String>,
    /// Role session name (2–64 of `A-Za-z0-9.@-_`); default `smsauth-<unix seconds>`.
    pub role_session_name: Option<String>,
    /// Lifetime of the credentials, 900–43200 s (default 3600).
    pub duration_seconds: Option<u32>,
    /// An optional policy (JSON) narrowing the role's permissions.
    pub policy: Option<String>,
    /// STS host or URL (default: the region's, else `sts.aliyuncs.com`).
    pub sts_endpoint: Option<String>,
    /// STS region, e.g. `cn-hangzhou`.
    pub sts_region: Option<String>,
    /// Use the region's VPC STS endpoint.
    pub enable_vpc: bool,
}

/// Temporary credentials from STS `AssumeRoleWithOIDC`.
///
/// ```
/// use smsauth::credentials::{OidcConfig, OidcProvider};
/// let provider = OidcProvider::with_config(OidcConfig {
///     role_arn: Some("acs:ram::123456789012:role/sms-sender".into()),
///     oidc_provider_arn: Some("acs:ram::123456789012:oidc-provider/ack-rrsa".into()),
///     oidc_token_file: Some("/var/run/secrets/tokens/oidc-token".into()),
///     ..Default::default()
/// });
/// # let _ = provider;
/// ```
#[derive(Clone, Debug)]
pub struct OidcProvider {
    config: OidcConfig,
    env: Environment,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    http: Http,
    cache: Arc<RefreshCache>,
}

impl Default for OidcProvider {
    fn default() -> Self {
        OidcProvider::new()
    }
}

impl OidcProvider {
    /// Everything from the environment variables.
    pub fn new() -> Self {
        OidcProvider::with_config(OidcConfig::default())
    }

    /// `config`, with unset fields from the environment variables.
    pub fn with_config(config: OidcConfig) -> Self {
        OidcProvider {
            config,
            env: Environment::process(),
            shared: Arc::new(Shared { http: Http::new(Settings::REMOTE), cache: Arc::default() }),
        }
    }

    /// Read variables (and time) from `env` instead of the process.
    pub fn with_environment(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    /// `None` when something is configured, else why the provider does not apply.
    pub(crate) fn is_configured(&self) -> Option<String> {
        let c = &self.config;
        let any = c.role_arn.is_some()
            || c.oidc_provider_arn.is_some()
            || c.oidc_token_file.is_some()
            || [ROLE_ARN, OIDC_PROVIDER_ARN, OIDC_TOKEN_FILE].iter().any(|v| self.env.var(v).is_some());
        (!any).then(|| format!("{ROLE_ARN}, {OIDC_PROVIDER_ARN} and {OIDC_TOKEN_FILE} are not set"))
    }
}

impl ProvideCredentials for OidcProvider {
    fn provide(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            self.shared
                .cache
                .get(&self.env, || {
                    let (config, env, shared) = (self.config.clone(), self.env.clone(), Arc::clone(&self.shared));
                    Box::pin(async move { fetch(&config, &env, &shared.http).await }) as Fetch
                })
                .await
        })
    }
}

async fn fetch(config: &OidcConfig, env: &Environment, http: &Http) -> Result<Temporary> {
    let pick = |v: &Option<String>, var: &str| v.clone().filter(|s| !s.trim().is_empty()).or_else(|| env.var(var));
    let role_arn = pick(&config.role_arn, ROLE_ARN);
    let provider_arn = pick(&config.oidc_provider_arn, OIDC_PROVIDER_ARN);
    let token_file = pick(&config.oidc_token_file, OIDC_TOKEN_FILE);
    let missing: Vec<&str> =
        [(&role_arn, ROLE_ARN), (&provider_arn, OIDC_PROVIDER_ARN), (&token_file, OIDC_TOKEN_FILE)]
            .iter()
            .filter(|(v, _)| v.is_none())
            .map(|(_, name)| *name)
            .collect();
    let (Some(role_arn), Some(provider_arn), Some(token_file)) = (role_arn, provider_arn, token_file) else {
        return Err(Error::new(
            ErrorKind::Credentials,
            format!(
                "{NAME}: {} not set (all three of {ROLE_ARN}, {OIDC_PROVIDER_ARN} and {OIDC_TOKEN_FILE} are needed)",
                missing.join(" and ")
            ),
        ));
    };
    let duration = sts::check_duration(NAME, config.duration_seconds).map_err(|e| super::env::prefix(NAME, e))?;
    let session = sts::session_name(NAME, config.role_session_name.as_deref(), env)?;
    let endpoint = sts::resolve_endpoint(
        NAME,
        config.sts_endpoint.as_deref(),
        config.sts_region.as_deref(),
        config.enable_vpc,
        env,
    )?;
    // Re-read at every refresh: the platform rotates the token file.
    let token = super::env::read_file(token_file.clone().into()).await.map_err(|e| {
        Error::new(ErrorKind::Credentials, format!("{NAME}: cannot read the OIDC token file {token_file}: {e}"))
    })?;
    let token = Zeroizing::new(
        std::str::from_utf8(&token)
            .map_err(|_| {
                Error::new(
                    ErrorKind::Credentials,
                    format!("{NAME}: the OIDC token file {token_file} is not UTF-8 text"),
                )
            })?
            .trim()
            .to_owned(),
    );
    if token.is_empty() {
        return Err(Error::new(ErrorKind::Credentials, format!("{NAME}: the OIDC token file {token_file} is empty")));
    }
    let mut params: Vec<(&'static str, Zeroizing<String>)> = vec![
        ("RoleArn", Zeroizing::new(role_arn)),
        ("OIDCProviderArn", Zeroizing::new(provider_arn)),
        ("OIDCToken", token),
        ("RoleSessionName", Zeroizing::new(session)),
        ("DurationSeconds", Zeroizing::new(duration.to_string())),
    ];
    if let Some(policy) = config.policy.clone().filter(|p| !p.is_empty()) {
        params.push(("Policy", Zeroizing::new(policy)));
    }
    sts::assume_role_with_oidc(http, NAME, &endpoint, params).await
}
