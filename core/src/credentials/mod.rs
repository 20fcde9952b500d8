//! AccessKey credentials, redacted and zeroized.
//!
//! A [`Secret`] never prints its value (`Debug` and `Display` show `***`) and wipes its memory on
//! drop. [`Credentials`] pair an AccessKey ID (not secret) with a secret and an optional STS token.
//! A [`ProvideCredentials`] hands out credentials per request, so temporary credentials can be
//! refreshed without rebuilding the client.
//!
//! Providers (each usable alone, and in the [`CredentialsChain`] a client without keys uses):
//!
//! | provider | configured by |
//! | --- | --- |
//! | [`EnvProvider`] | `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALIBABA_CLOUD_SECURITY_TOKEN` |
//! | [`OidcProvider`] | `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE` → STS `AssumeRoleWithOIDC` |
//! | [`CliProfileProvider`] | `~/.aliyun/config.json`, `ALIBABA_CLOUD_PROFILE` |
//! | [`CredentialsFileProvider`] | `ALIBABA_CLOUD_CREDENTIALS_FILE` or `~/.alibabacloud/credentials`, `ALIBABA_CLOUD_PROFILE` |
//! | [`EcsRamRoleProvider`] | the ECS metadata server; `ALIBABA_CLOUD_ECS_METADATA`, `ALIBABA_CLOUD_ECS_METADATA_DISABLED` |
//! | [`CredentialsUriProvider`] | `ALIBABA_CLOUD_CREDENTIALS_URI` |
//! | [`RamRoleArnProvider`] | a role ARN and source credentials → STS `AssumeRole` |
//! | [`ProfileProvider`] | a profile by name, from either file |
//!
//! A client's options (keys, token, profile, role) become a provider through
//! [`CredentialsConfig`], the one set of rules every binding uses.
//!
//! Every provider reads its configuration when credentials are first asked for (never at
//! start-up), through an [`Environment`] (the process by default). Temporary credentials are
//! cached and refreshed 3 minutes before they expire, by one request however many calls are
//! waiting; a failed refresh keeps serving the unexpired credentials. Errors are
//! [`ErrorKind::Credentials`](crate::ErrorKind::Credentials), start with the provider's name and never contain a secret.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::Result;

mod cache;
mod chain;
mod cli_profile;
mod config;
mod credentials_file;
mod credentials_uri;
mod ecs_ram_role;
mod env;
mod http;
mod oidc;
mod ram_role_arn;
mod sts;

pub use crate::secret::{Credentials, Secret};
pub use cache::{FAILURE_BACKOFF, REFRESH_EARLY};
pub use chain::{CredentialsChain, ProfileProvider};
pub use cli_profile::{CLI_PROFILE_DISABLED, CliProfileProvider, PROFILE};
pub use config::{CredentialsConfig, CredentialsSource};
pub use credentials_file::{CREDENTIALS_FILE, CredentialsFileProvider};
pub use credentials_uri::{CREDENTIALS_URI, CredentialsUriProvider};
pub use ecs_ram_role::{
    DEFAULT_METADATA_ENDPOINT, ECS_METADATA, ECS_METADATA_DISABLED, ECS_METADATA_ENDPOINT, EcsRamRoleConfig,
    EcsRamRoleProvider, IMDSV1_DISABLED, METADATA_TOKEN_TTL,
};
pub use env::{ACCESS_KEY_ID, ACCESS_KEY_SECRET, EnvProvider, Environment, SECURITY_TOKEN};
pub use oidc::{OIDC_PROVIDER_ARN, OIDC_TOKEN_FILE, OidcConfig, OidcProvider, ROLE_ARN};
pub use ram_role_arn::{RamRoleArnConfig, RamRoleArnProvider};
pub use sts::{DEFAULT_STS_ENDPOINT, ROLE_SESSION_NAME, STS_ENDPOINT, STS_REGION, STS_VERSION, VPC_ENDPOINT_ENABLED};

/// A boxed future, as returned by [`ProvideCredentials::provide`].
pub type CredentialsFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials>> + Send + 'a>>;

/// A source of credentials, asked before every request (so it can refresh temporary keys).
pub trait ProvideCredentials: fmt::Debug + Send + Sync + 'static {
    /// The credentials to sign the next request with.
    fn provide(&self) -> CredentialsFuture<'_>;
}

/// Fixed credentials.
#[derive(Clone, Debug)]
pub struct StaticProvider(Credentials);

impl StaticProvider {
    /// Always hand out `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider(credentials)
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide(&self) -> CredentialsFuture<'_> {
        let creds = self.0.clone();
        Box::pin(async move { Ok(creds) })
    }
}

/// Shared handle to a provider, as stored by the client.
pub type SharedProvider = Arc<dyn ProvideCredentials>;
