//! The Alibaba Cloud CLI's profiles, `~/.aliyun/config.json`.
//!
//! The profile is the one named explicitly, else `ALIBABA_CLOUD_PROFILE`, else the file's
//! `current`. Modes: `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`, `RamRoleArnWithRoleName`
//! (the ECS role assumes `ram_role_arn`), `ChainableRamRoleArn` (`source_profile`'s credentials
//! assume `ram_role_arn`), `CredentialsURI` and `OIDC`. The file is read when credentials are
//! first needed; the provider it describes is then kept (with its own cache).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::OnceCell;

use super::cache::PerProcess;
use super::credentials_uri::CredentialsUriProvider;
use super::ecs_ram_role::{EcsRamRoleConfig, EcsRamRoleProvider};
use super::env::{Environment, prefix};
use super::http::json_error;
use super::oidc::{OidcConfig, OidcProvider};
use super::ram_role_arn::{RamRoleArnConfig, RamRoleArnProvider};
use super::sts::SecretField;
use super::{Credentials, CredentialsFuture, ProvideCredentials, SharedProvider, StaticProvider};
use crate::error::{Error, ErrorKind, Result};

/// `ALIBABA_CLOUD_PROFILE`: the profile to use (CLI config and credentials file).
pub const PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`: ignore `~/.aliyun/config.json`.
pub const CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";

const NAME: &str = "cli_profile";
const MODES: &str =
    "AK, StsToken, RamRoleArn, EcsRamRole, RamRoleArnWithRoleName, ChainableRamRoleArn, CredentialsURI, OIDC";

/// Credentials described by a profile of `~/.aliyun/config.json`.
///
/// ```
/// use smsauth::credentials::CliProfileProvider;
/// let current = CliProfileProvider::new();        // ALIBABA_CLOUD_PROFILE, else "current"
/// let prod = CliProfileProvider::named("prod");
/// # let _ = (current, prod);
/// ```
#[derive(Clone, Debug, Default)]
pub struct CliProfileProvider {
    profile: Option<String>,
    env: Environment,
    resolved: Arc<PerProcess<OnceCell<(String, SharedProvider)>>>,
}

impl CliProfileProvider {
    /// The profile named by `ALIBABA_CLOUD_PROFILE`, else the file's `current`.
    pub fn new() -> Self {
        CliProfileProvider::default()
    }

    /// The profile `name`.
    pub fn named(name: impl Into<String>) -> Self {
        CliProfileProvider { profile: Some(name.into()), ..Default::default() }
    }

    /// Read variables, home directory and time from `env` instead of the process.
    pub fn with_environment(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    fn path(&self) -> Option<PathBuf> {
        self.env.home().map(|h| h.join(".aliyun").join("config.json"))
    }

    pub(crate) fn is_configured(&self) -> Option<String> {
        if self.env.flag(CLI_PROFILE_DISABLED) {
            return Some(format!("disabled by {CLI_PROFILE_DISABLED}=true"));
        }
        match self.path() {
            None => Some("no home directory (HOME is not set)".into()),
            Some(p) if !p.exists() => Some(format!("{} not found", p.display())),
            Some(_) => None,
        }
    }

    async fn inner(&self) -> Result<(String, SharedProvider)> {
        let cell = self.resolved.get(OnceCell::initialized);
        let (label, inner) = cell
            .get_or_try_init(|| {
                let (profile, env) = (self.profile.clone(), self.env.clone());
                async move { crate::runtime::spawn(resolve(profile, env)).await? }
            })
            .await?;
        Ok((label.clone(), Arc::clone(inner)))
    }
}

impl ProvideCredentials for CliProfileProvider {
    fn provide(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            if self.env.flag(CLI_PROFILE_DISABLED) {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!("{NAME}: disabled by {CLI_PROFILE_DISABLED}=true"),
                ));
            }
            let (label, inner) = self.inner().await?;
            inner.provide().await.map_err(|e| prefix(&label, e))
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Config {
    current: String,
    profiles: Vec<Profile>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Profile {
    name: String,
    mode: String,
    access_key_id: String,
    access_key_secret: Option<SecretField>,
    sts_token: Option<SecretField>,
    ram_role_name: String,
    ram_role_arn: String,
    ram_session_name: String,
    expired_seconds: i64,
    sts_region: String,
    enable_vpc: bool,
    source_profile: String,
    policy: String,
    external_id: String,
    oidc_token_file: String,
    oidc_provider_arn: String,
    credentials_uri: String,
}

fn err(message: String) -> Error {
    Error::new(ErrorKind::Credentials, format!("{NAME}: {message}"))
}

async fn resolve(profile: Option<String>, env: Environment) -> Result<(String, SharedProvider)> {
    let Some(home) = env.home() else {
        return Err(err("no home directory (HOME is not set), so no ~/.aliyun/config.json".into()));
    };
    let path = home.join(".aliyun").join("config.json");
    let bytes = super::env::read_file(path.clone()).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => err(format!("{} not found", path.display())),
        _ => err(format!("cannot read {}: {e}", path.display())),
    })?;
    let config: Config =
        serde_json::from_slice(&bytes).map_err(|e| err(format!("{}: {}", path.display(), json_error(&e))))?;
    let name = profile
        .filter(|p| !p.trim().is_empty())
        .or_else(|| env.var(PROFILE))
        .or_else(|| (!config.current.trim().is_empty()).then(|| config.current.clone()))
        .ok_or_else(|| {
            err(format!("{} has no \"current\" profile; set {PROFILE} or name a profile", path.display()))
        })?;
    let provider = build(&config, &name, &env, &path, &mut Vec::new())?;
    Ok((format!("{NAME}: profile {name:?} of {}", path.display()), provider))
}

fn build(
    config: &Config,
    name: &str,
    env: &Environment,
    path: &Path,
    seen: &mut Vec<String>,
) -> Result<SharedProvider> {
    if seen.iter().any(|s| s == name) {
        seen.push(name.to_owned());
        return Err(err(format!("the source_profile chain {} in {} loops", seen.join(" → "), path.display())));
    }
    seen.push(name.to_owned());
    let Some(p) = config.profiles.iter().find(|p| p.name == name) else {
        let names: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
        return Err(err(format!(
            "profile {name:?} not found in {} (it has: {})",
            path.display(),
            if names.is_empty() { "no profiles".to_owned() } else { names.join(", ") }
        )));
    };
    let bad = |why: String| err(format!("profile {name:?} ({} mode) in {}: {why}", p.mode, path.display()));
    let need = |value: &str, field: &str| -> Result<String> {
        let v = value.trim();
        if v.is_empty() { Err(bad(format!("{field} is empty"))) } else { Ok(v.to_owned()) }
    };
    let access_key = || -> Result<Credentials> {
        let id = need(&p.access_key_id, "access_key_id")?;
        let secret = p
            .access_key_secret
            .as_ref()
            .filter(|s| !s.0.is_empty())
            .ok_or_else(|| bad("access_key_secret is empty".into()))?;
        Credentials::new(id, secret.0.as_str()).map_err(|e| bad(e.message().to_owned()))
    };
    let duration = || -> Result<Option<u32>> {
        match p.expired_seconds {
            0 => Ok(None),
            d => u32::try_from(d).map(Some).map_err(|_| bad(format!("expired_seconds {d} is not a duration"))),
        }
    };
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let role_config = || -> Result<RamRoleArnConfig> {
        Ok(RamRoleArnConfig {
            role_arn: need(&p.ram_role_arn, "ram_role_arn")?,
            role_session_name: opt(&p.ram_session_name),
            duration_seconds: duration()?,
            policy: opt(&p.policy),
            external_id: opt(&p.external_id),
            sts_endpoint: None,
            sts_region: opt(&p.sts_region),
            enable_vpc: p.enable_vpc,
        })
    };
    let assume = |source: SharedProvider| -> Result<SharedProvider> {
        let provider = RamRoleArnProvider::new(role_config()?).map_err(|e| bad(e.message().to_owned()))?;
        Ok(Arc::new(provider.with_shared_source(source).with_environment(env.clone())))
    };
    let ecs = || {
        EcsRamRoleProvider::with_config(EcsRamRoleConfig { role_name: opt(&p.ram_role_name), ..Default::default() })
            .with_environment(env.clone())
    };
    Ok(match p.mode.as_str() {
        "AK" => Arc::new(StaticProvider::new(access_key()?)),
        "StsToken" => {
            let token =
                p.sts_token.as_ref().filter(|s| !s.0.is_empty()).ok_or_else(|| bad("sts_token is empty".into()))?;
            let creds = access_key()?.with_security_token(token.0.as_str()).map_err(|e| bad(e.message().to_owned()))?;
            Arc::new(StaticProvider::new(creds))
        }
        "RamRoleArn" => assume(Arc::new(StaticProvider::new(access_key()?)))?,
        "EcsRamRole" => Arc::new(ecs()),
        "RamRoleArnWithRoleName" => assume(Arc::new(ecs()))?,
        "ChainableRamRoleArn" => {
            let source = need(&p.source_profile, "source_profile")?;
            let inner = build(config, &source, env, path, seen)?;
            assume(inner)?
        }
        "CredentialsURI" => Arc::new(
            CredentialsUriProvider::with_uri(need(&p.credentials_uri, "credentials_uri")?)
                .with_environment(env.clone()),
        ),
        "OIDC" => Arc::new(
            OidcProvider::with_config(OidcConfig {
                role_arn: Some(need(&p.ram_role_arn, "ram_role_arn")?),
                oidc_provider_arn: Some(need(&p.oidc_provider_arn, "oidc_provider_arn")?),
                oidc_token_file: Some(need(&p.oidc_token_file, "oidc_token_file")?),
                role_session_name: opt(&p.ram_session_name),
                duration_seconds: duration()?,
                policy: opt(&p.policy),
                sts_endpoint: None,
                sts_region: opt(&p.sts_region),
                enable_vpc: p.enable_vpc,
            })
            .with_environment(env.clone()),
        ),
        "" => {
            return Err(err(format!(
                "profile {name:?} in {} has no mode; run `aliyun configure --profile {name}`",
                path.display()
            )));
        }
        other => {
            return Err(err(format!(
                "profile {name:?} in {} has mode {other:?}, which smsauth does not support (supported: {MODES})",
                path.display()
            )));
        }
    })
}
