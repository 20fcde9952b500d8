//! RAM role ARN: temporary credentials from STS `AssumeRole`, signed (V1) with source
//! credentials, cached and refreshed early.

use std::sync::{Arc, OnceLock};

use super::cache::{Fetch, RefreshCache, Temporary};
use super::env::Environment;
use super::http::{Http, Settings};
use super::{Credentials, CredentialsFuture, ProvideCredentials, SharedProvider, StaticProvider, sts};
use crate::error::{Error, ErrorKind, Result};

const NAME: &str = "ram_role_arn";

/// The role to assume and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RamRoleArnConfig {
    /// `acs:ram::<account id>:role/<role name>` (required).
    pub role_arn: String,
    /// Role session name (2–64 of `A-Za-z0-9.@-_`); default `ALIBABA_CLOUD_ROLE_SESSION_NAME`,
    /// else `smsauth-<unix seconds>`.
    pub role_session_name: Option<String>,
    /// Lifetime of the credentials, 900–43200 s (default 3600; the role's maximum applies).
    pub duration_seconds: Option<u32>,
    /// An optional policy (JSON) narrowing the role's permissions.
    pub policy: Option<String>,
    /// The external ID the role's trust policy may require.
    pub external_id: Option<String>,
    /// STS host or URL (default: `ALIBABA_CLOUD_STS_ENDPOINT`, the region's, else
    /// `sts.aliyuncs.com`).
    pub sts_endpoint: Option<String>,
    /// STS region, e.g. `cn-hangzhou` (default `ALIBABA_CLOUD_STS_REGION`).
    pub sts_region: Option<String>,
    /// Use the region's VPC STS endpoint (also `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`).
    pub enable_vpc: bool,
}

/// Temporary credentials for a RAM role, assumed with source credentials — by default whatever
/// the default chain finds (environment, profile, ECS role …).
///
/// ```
/// use smsauth::credentials::{RamRoleArnConfig, RamRoleArnProvider};
/// let provider = RamRoleArnProvider::new(RamRoleArnConfig {
///     role_arn: "acs:ram::123456789012:role/sms-sender".into(),
///     role_session_name: Some("signup-service".into()),
///     ..Default::default()
/// })?
/// .with_access_key("LTAI5tExampleKeyId01", "source-secret")?;
/// # let _ = provider;
/// # Ok::<(), smsauth::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RamRoleArnProvider {
    config: RamRoleArnConfig,
    env: Environment,
    source: Option<SharedProvider>,
    /// Makes the source when none is given, from the provider's environment: the default chain,
    /// handed in by [`RamRoleArnProvider::new`] (in `chain.rs`), so this module does not depend on
    /// the chain that itself builds role providers from profiles.
    make_default_source: DefaultSource,
    shared: Arc<Shared>,
}

/// The source credentials of a provider that was given none, made from its environment.
pub(crate) type DefaultSource = fn(Environment) -> SharedProvider;

#[derive(Debug)]
struct Shared {
    http: Http,
    cache: Arc<RefreshCache>,
    default_source: OnceLock<SharedProvider>,
}

impl RamRoleArnProvider {
    /// Assume `config.role_arn` with the credentials of `default_source` (made once, from the
    /// provider's environment) unless a source is given. Fails on an empty role ARN or a duration
    /// outside 900–43200 s; nothing is read or sent yet.
    pub(crate) fn with_default_source(config: RamRoleArnConfig, default_source: DefaultSource) -> Result<Self> {
        if config.role_arn.trim().is_empty() {
            return Err(Error::invalid_input(
                "role_arn",
                "ram_role_arn: the role ARN is empty; use acs:ram::<account id>:role/<role name>",
            ));
        }
        sts::check_duration(NAME, config.duration_seconds)?;
        Ok(RamRoleArnProvider {
            config,
            env: Environment::process(),
            source: None,
            make_default_source: default_source,
            shared: Arc::new(Shared {
                http: Http::new(Settings::REMOTE),
                cache: Arc::default(),
                default_source: OnceLock::new(),
            }),
        })
    }

    /// Sign `AssumeRole` with credentials from `source`.
    pub fn with_source(self, source: impl ProvideCredentials) -> Self {
        self.with_shared_source(Arc::new(source))
    }

    /// Sign `AssumeRole` with credentials from a shared `source`.
    pub fn with_shared_source(mut self, source: SharedProvider) -> Self {
        self.source = Some(source);
        self
    }

    /// Sign `AssumeRole` with this AccessKey pair.
    pub fn with_access_key(self, id: impl Into<String>, secret: impl Into<String>) -> Result<Self> {
        Ok(self.with_source(StaticProvider::new(Credentials::new(id, secret)?)))
    }

    /// Read variables (and time) from `env` instead of the process; the default source chain
    /// uses it too.
    pub fn with_environment(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    /// The role ARN.
    pub fn role_arn(&self) -> &str {
        &self.config.role_arn
    }

    fn source(&self) -> SharedProvider {
        match &self.source {
            Some(s) => Arc::clone(s),
            None => Arc::clone(self.shared.default_source.get_or_init(|| (self.make_default_source)(self.env.clone()))),
        }
    }
}

impl ProvideCredentials for RamRoleArnProvider {
    fn provide(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            self.shared
                .cache
                .get(&self.env, || {
                    let (config, env, shared, source) =
                        (self.config.clone(), self.env.clone(), Arc::clone(&self.shared), self.source());
                    Box::pin(async move { fetch(&config, &env, &shared.http, source).await }) as Fetch
                })
                .await
        })
    }
}

async fn fetch(config: &RamRoleArnConfig, env: &Environment, http: &Http, source: SharedProvider) -> Result<Temporary> {
    let role = config.role_arn.trim();
    let session = sts::session_name(NAME, config.role_session_name.as_deref(), env)?;
    let duration = sts::check_duration(NAME, config.duration_seconds)?;
    let endpoint = sts::resolve_endpoint(
        NAME,
        config.sts_endpoint.as_deref(),
        config.sts_region.as_deref(),
        config.enable_vpc,
        env,
    )?;
    let creds = source.provide().await.map_err(|e| {
        Error::new(
            ErrorKind::Credentials,
            format!("{NAME}: no source credentials to assume {role} with: {}", e.message()),
        )
    })?;
    let mut params =
        vec![("RoleArn", role.to_owned()), ("RoleSessionName", session), ("DurationSeconds", duration.to_string())];
    if let Some(policy) = config.policy.clone().filter(|p| !p.is_empty()) {
        params.push(("Policy", policy));
    }
    if let Some(id) = config.external_id.clone().filter(|p| !p.is_empty()) {
        params.push(("ExternalId", id));
    }
    sts::assume_role(http, NAME, &endpoint, &creds, params).await
}
