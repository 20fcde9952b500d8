//! The default credentials chain, and profile selection by name.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::cli_profile::CliProfileProvider;
use super::credentials_file::CredentialsFileProvider;
use super::credentials_uri::CredentialsUriProvider;
use super::ecs_ram_role::EcsRamRoleProvider;
use super::env::{EnvProvider, Environment};
use super::oidc::OidcProvider;
use super::ram_role_arn::{RamRoleArnConfig, RamRoleArnProvider};
use super::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::error::{Error, ErrorKind, Result};

const NONE: usize = usize::MAX;

#[derive(Clone, Debug)]
enum Link {
    Env(EnvProvider),
    Oidc(OidcProvider),
    CliProfile(CliProfileProvider),
    CredentialsFile(CredentialsFileProvider),
    EcsRamRole(EcsRamRoleProvider),
    CredentialsUri(CredentialsUriProvider),
}

impl Link {
    fn name(&self) -> &'static str {
        match self {
            Link::Env(_) => "env",
            Link::Oidc(_) => "oidc",
            Link::CliProfile(_) => "cli_profile",
            Link::CredentialsFile(_) => "credentials_file",
            Link::EcsRamRole(_) => "ecs_ram_role",
            Link::CredentialsUri(_) => "credentials_uri",
        }
    }

    /// Why this provider does not apply, found without any network call; `None` if it might.
    fn absent(&self) -> Option<String> {
        match self {
            Link::Env(p) => p.is_configured(),
            Link::Oidc(p) => p.is_configured(),
            Link::CliProfile(p) => p.is_configured(),
            Link::CredentialsFile(p) => p.is_configured(),
            Link::EcsRamRole(p) => p.is_configured(),
            Link::CredentialsUri(p) => p.is_configured(),
        }
    }

    fn provider(&self) -> &dyn ProvideCredentials {
        match self {
            Link::Env(p) => p,
            Link::Oidc(p) => p,
            Link::CliProfile(p) => p,
            Link::CredentialsFile(p) => p,
            Link::EcsRamRole(p) => p,
            Link::CredentialsUri(p) => p,
        }
    }

    fn with_environment(self, env: Environment) -> Self {
        match self {
            Link::Env(p) => Link::Env(p.with_environment(env)),
            Link::Oidc(p) => Link::Oidc(p.with_environment(env)),
            Link::CliProfile(p) => Link::CliProfile(p.with_environment(env)),
            Link::CredentialsFile(p) => Link::CredentialsFile(p.with_environment(env)),
            Link::EcsRamRole(p) => Link::EcsRamRole(p.with_environment(env)),
            Link::CredentialsUri(p) => Link::CredentialsUri(p.with_environment(env)),
        }
    }
}

/// Providers tried in order until one yields credentials — Alibaba Cloud's documented default
/// chain:
///
/// 1. `env` — `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
///    `ALIBABA_CLOUD_SECURITY_TOKEN` ([`EnvProvider`]);
/// 2. `oidc` — `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
///    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` → STS `AssumeRoleWithOIDC` ([`OidcProvider`]);
/// 3. `cli_profile` — `~/.aliyun/config.json` ([`CliProfileProvider`]);
/// 4. `credentials_file` — `ALIBABA_CLOUD_CREDENTIALS_FILE` or `~/.alibabacloud/credentials`
///    ([`CredentialsFileProvider`]);
/// 5. `ecs_ram_role` — the ECS metadata server, unless `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`
///    ([`EcsRamRoleProvider`]);
/// 6. `credentials_uri` — `ALIBABA_CLOUD_CREDENTIALS_URI` ([`CredentialsUriProvider`]).
///
/// Nothing is read until credentials are asked for. Providers that are plainly not configured
/// (variables unset, file absent) are skipped without I/O; the others are tried, and the first
/// that succeeds is kept for later calls (its own cache refreshes temporary credentials). If
/// none succeeds, the [`ErrorKind::Credentials`] error lists every provider with its reason.
///
/// ```
/// use smsauth::credentials::{CredentialsChain, Environment};
/// let chain = CredentialsChain::default_chain().with_environment(Environment::from_vars([
///     ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
/// ]));
/// let err = chain.ensure_configured().unwrap_err();
/// assert_eq!(err.kind(), smsauth::ErrorKind::Credentials);
/// assert!(err.to_string().contains("env: ALIBABA_CLOUD_ACCESS_KEY_ID"));
/// ```
#[derive(Clone)]
pub struct CredentialsChain {
    label: Arc<str>,
    links: Arc<[Link]>,
    selected: Arc<AtomicUsize>,
}

impl fmt::Debug for CredentialsChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsChain")
            .field("label", &self.label)
            .field("providers", &self.provider_names())
            .field("selected", &self.selected())
            .finish()
    }
}

impl Default for CredentialsChain {
    fn default() -> Self {
        CredentialsChain::default_chain()
    }
}

impl CredentialsChain {
    /// The default chain over the process environment.
    pub fn default_chain() -> Self {
        CredentialsChain::from_links(
            "the default chain",
            vec![
                Link::Env(EnvProvider::new()),
                Link::Oidc(OidcProvider::new()),
                Link::CliProfile(CliProfileProvider::new()),
                Link::CredentialsFile(CredentialsFileProvider::new()),
                Link::EcsRamRole(EcsRamRoleProvider::new()),
                Link::CredentialsUri(CredentialsUriProvider::new()),
            ],
        )
    }

    fn from_links(label: &str, links: Vec<Link>) -> Self {
        CredentialsChain { label: label.into(), links: links.into(), selected: Arc::new(AtomicUsize::new(NONE)) }
    }

    /// The same chain reading variables, home directory and time from `env`.
    pub fn with_environment(self, env: Environment) -> Self {
        let links: Vec<Link> = self.links.iter().cloned().map(|l| l.with_environment(env.clone())).collect();
        CredentialsChain::from_links(&self.label, links)
    }

    /// The providers' names, in order.
    pub fn provider_names(&self) -> Vec<&'static str> {
        self.links.iter().map(Link::name).collect()
    }

    /// The provider that yielded credentials and is now used, once one has.
    pub fn selected(&self) -> Option<&'static str> {
        self.links.get(self.selected.load(Ordering::Acquire)).map(Link::name)
    }

    /// Fail now, without any network call, when no provider is configured at all (variables
    /// unset, files absent and the metadata server disabled) — with the same error a request
    /// would get. With the metadata server enabled (the default) this always passes, since only
    /// asking it can tell.
    pub fn ensure_configured(self) -> Result<Self> {
        let reasons: Vec<(&'static str, String)> =
            self.links.iter().filter_map(|l| l.absent().map(|why| (l.name(), why))).collect();
        if reasons.len() == self.links.len() {
            return Err(self.exhausted(&reasons));
        }
        Ok(self)
    }

    fn exhausted(&self, tried: &[(&'static str, String)]) -> Error {
        let list: Vec<String> = tried
            .iter()
            .map(|(name, why)| {
                // Provider errors already start with their name.
                if why.starts_with(name) { why.clone() } else { format!("{name}: {why}") }
            })
            .collect();
        Error::new(
            ErrorKind::Credentials,
            format!(
                "no credentials found by {}; tried, in order: {}. Set ALIBABA_CLOUD_ACCESS_KEY_ID and \
                 ALIBABA_CLOUD_ACCESS_KEY_SECRET, configure a profile or a role (see docs/credentials.md), \
                 or pass an AccessKey to the client builder",
                self.label,
                list.join("; ")
            ),
        )
    }

    async fn resolve(&self) -> Result<Credentials> {
        if let Some(link) = self.links.get(self.selected.load(Ordering::Acquire)) {
            return link.provider().provide().await;
        }
        let mut tried = Vec::with_capacity(self.links.len());
        for (i, link) in self.links.iter().enumerate() {
            if let Some(why) = link.absent() {
                tried.push((link.name(), why));
                continue;
            }
            match link.provider().provide().await {
                Ok(creds) => {
                    if self.selected.compare_exchange(NONE, i, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                        tracing::debug!(provider = link.name(), chain = %self.label, "credentials found");
                    }
                    return Ok(creds);
                }
                Err(e) => {
                    tracing::debug!(provider = link.name(), error = %e, "credentials provider failed; trying the next");
                    tried.push((link.name(), e.message().to_owned()));
                }
            }
        }
        Err(self.exhausted(&tried))
    }
}

impl ProvideCredentials for CredentialsChain {
    fn provide(&self) -> CredentialsFuture<'_> {
        Box::pin(self.resolve())
    }
}

// Declared here, not in `ram_role_arn.rs`: the chain is the role's default source, and the role
// module stays free of the chain (which builds role providers from profiles).
impl RamRoleArnProvider {
    /// Assume `config.role_arn` with the default chain's credentials (read with the provider's
    /// environment, see [`RamRoleArnProvider::with_environment`]), unless a source is given with
    /// [`RamRoleArnProvider::with_source`]. Fails on an empty role ARN or a duration outside
    /// 900–43200 s; nothing is read or sent yet.
    pub fn new(config: RamRoleArnConfig) -> Result<Self> {
        RamRoleArnProvider::with_default_source(config, |env| {
            Arc::new(CredentialsChain::default_chain().with_environment(env))
        })
    }
}

/// A named profile, wherever it is defined: the CLI's `~/.aliyun/config.json` first, then the
/// credentials file (`ALIBABA_CLOUD_CREDENTIALS_FILE` or `~/.alibabacloud/credentials`).
///
/// ```
/// use smsauth::credentials::ProfileProvider;
/// let provider = ProfileProvider::named("prod");
/// assert_eq!(provider.name(), "prod");
/// ```
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    name: String,
    chain: CredentialsChain,
}

impl ProfileProvider {
    /// The profile `name`.
    pub fn named(name: impl Into<String>) -> Self {
        let name = name.into();
        let chain = CredentialsChain::from_links(
            &format!("profile {name:?}"),
            vec![
                Link::CliProfile(CliProfileProvider::named(name.clone())),
                Link::CredentialsFile(CredentialsFileProvider::named(name.clone())),
            ],
        );
        ProfileProvider { name, chain }
    }

    /// Read variables, home directory and time from `env` instead of the process.
    pub fn with_environment(mut self, env: Environment) -> Self {
        self.chain = self.chain.with_environment(env);
        self
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the profile was found (`cli_profile` or `credentials_file`), once it has been.
    pub fn selected(&self) -> Option<&'static str> {
        self.chain.selected()
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> CredentialsFuture<'_> {
        self.chain.provide()
    }
}
