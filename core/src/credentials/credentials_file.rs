//! The credentials file: `ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials`.
//!
//! An INI file; the section is the one named explicitly, else `ALIBABA_CLOUD_PROFILE`, else
//! `default`. Its `type` is `access_key`, `sts`, `ecs_ram_role`, `ram_role_arn` or
//! `oidc_role_arn`:
//!
//! ```ini
//! [default]
//! type = access_key
//! access_key_id = LTAI5tExampleKeyId01
//! access_key_secret = ...
//!
//! [deploy]
//! type = ram_role_arn
//! access_key_id = LTAI5tExampleKeyId01
//! access_key_secret = ...
//! role_arn = acs:ram::123456789012:role/sms-sender
//! role_session_name = deploy
//! ```
//!
//! The file is read when credentials are first needed; the provider it describes is then kept.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::OnceCell;
use zeroize::Zeroizing;

use super::cache::PerProcess;
use super::cli_profile::PROFILE;
use super::ecs_ram_role::{EcsRamRoleConfig, EcsRamRoleProvider};
use super::env::{Environment, prefix};
use super::oidc::{OidcConfig, OidcProvider};
use super::ram_role_arn::{RamRoleArnConfig, RamRoleArnProvider};
use super::{Credentials, CredentialsFuture, ProvideCredentials, SharedProvider, StaticProvider};
use crate::error::{Error, ErrorKind, Result};

/// `ALIBABA_CLOUD_CREDENTIALS_FILE`: the credentials file's path.
pub const CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";

const NAME: &str = "credentials_file";
const TYPES: &str = "access_key, sts, ecs_ram_role, ram_role_arn, oidc_role_arn";

/// Credentials described by a section of the credentials file.
///
/// ```
/// use smsauth::credentials::CredentialsFileProvider;
/// let default = CredentialsFileProvider::new();   // ALIBABA_CLOUD_PROFILE, else [default]
/// let deploy = CredentialsFileProvider::named("deploy").with_path("/etc/myapp/credentials");
/// # let _ = (default, deploy);
/// ```
#[derive(Clone, Debug, Default)]
pub struct CredentialsFileProvider {
    profile: Option<String>,
    path: Option<PathBuf>,
    env: Environment,
    resolved: Arc<PerProcess<OnceCell<(String, SharedProvider)>>>,
}

impl CredentialsFileProvider {
    /// The section named by `ALIBABA_CLOUD_PROFILE`, else `[default]`.
    pub fn new() -> Self {
        CredentialsFileProvider::default()
    }

    /// The section `[name]`.
    pub fn named(name: impl Into<String>) -> Self {
        CredentialsFileProvider { profile: Some(name.into()), ..Default::default() }
    }

    /// Read this file instead of `ALIBABA_CLOUD_CREDENTIALS_FILE` / `~/.alibabacloud/credentials`.
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Read variables, home directory and time from `env` instead of the process.
    pub fn with_environment(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    /// The file, and whether it was named explicitly (then its absence is an error).
    fn path(&self) -> Option<(PathBuf, bool)> {
        if let Some(p) = &self.path {
            return Some((p.clone(), true));
        }
        if let Some(p) = self.env.var(CREDENTIALS_FILE) {
            return Some((PathBuf::from(p), true));
        }
        self.env.home().map(|h| (h.join(".alibabacloud").join("credentials"), false))
    }

    pub(crate) fn is_configured(&self) -> Option<String> {
        match self.path() {
            None => Some(format!("no home directory (HOME is not set) and {CREDENTIALS_FILE} is not set")),
            Some((p, false)) if !p.exists() => Some(format!("{} not found", p.display())),
            Some(_) => None,
        }
    }
}

impl ProvideCredentials for CredentialsFileProvider {
    fn provide(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let cell = self.resolved.get(OnceCell::initialized);
            let (label, inner) = cell
                .get_or_try_init(|| {
                    let (profile, path, env) = (self.profile.clone(), self.path(), self.env.clone());
                    async move { crate::runtime::spawn(resolve(profile, path, env)).await? }
                })
                .await?;
            inner.provide().await.map_err(|e| prefix(label, e))
        })
    }
}

fn err(message: String) -> Error {
    Error::new(ErrorKind::Credentials, format!("{NAME}: {message}"))
}

/// `[section]` → `key = value` pairs, in order. Secrets stay in zeroizing strings.
type Sections = Vec<(String, Vec<(String, Zeroizing<String>)>)>;

/// A small INI reader: `[section]`, `key = value` (also `key: value`), `#`/`;` comment lines,
/// optional quotes around values. Errors name the line.
fn parse_ini(text: &str) -> std::result::Result<Sections, String> {
    let mut sections: Sections = Vec::new();
    for (i, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let line = raw.trim();
        let n = i + 1;
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(format!("line {n}: a section header must end with ']'"));
            };
            let name = name.trim();
            if name.is_empty() {
                return Err(format!("line {n}: empty section name"));
            }
            sections.push((name.to_owned(), Vec::new()));
            continue;
        }
        let Some(split) = line.find(['=', ':']) else {
            return Err(format!("line {n}: expected `[section]` or `key = value`"));
        };
        let key = line[..split].trim();
        if key.is_empty() {
            return Err(format!("line {n}: a `key = value` line has no key"));
        }
        let mut value = line[split + 1..].trim();
        for q in ['"', '\''] {
            if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
                value = &value[1..value.len() - 1];
            }
        }
        let Some((_, entries)) = sections.last_mut() else {
            return Err(format!("line {n}: `{key}` comes before any [section]"));
        };
        entries.push((key.to_ascii_lowercase(), Zeroizing::new(value.to_owned())));
    }
    Ok(sections)
}

async fn resolve(
    profile: Option<String>,
    path: Option<(PathBuf, bool)>,
    env: Environment,
) -> Result<(String, SharedProvider)> {
    let Some((path, _)) = path else {
        return Err(err(format!("no home directory (HOME is not set) and {CREDENTIALS_FILE} is not set")));
    };
    let bytes = super::env::read_file(path.clone()).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => err(format!("{} not found", path.display())),
        _ => err(format!("cannot read {}: {e}", path.display())),
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| err(format!("{} is not UTF-8 text", path.display())))?;
    let sections = parse_ini(text).map_err(|why| err(format!("{} {why}", path.display())))?;
    let name =
        profile.filter(|p| !p.trim().is_empty()).or_else(|| env.var(PROFILE)).unwrap_or_else(|| "default".into());
    let provider = build(&sections, &name, &env, &path)?;
    Ok((format!("{NAME}: [{name}] of {}", path.display()), provider))
}

fn build(sections: &Sections, name: &str, env: &Environment, path: &Path) -> Result<SharedProvider> {
    let Some((_, entries)) = sections.iter().find(|(s, _)| s == name) else {
        let names: Vec<&str> = sections.iter().map(|(s, _)| s.as_str()).collect();
        return Err(err(format!(
            "no [{name}] section in {} (it has: {})",
            path.display(),
            if names.is_empty() { "no sections".to_owned() } else { names.join(", ") }
        )));
    };
    let get =
        |key: &str| entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let kind = get("type").unwrap_or("");
    let bad = |why: String| err(format!("[{name}] (type {kind}) in {}: {why}", path.display()));
    let need = |key: &str| get(key).ok_or_else(|| bad(format!("{key} is missing or empty")));
    let opt = |key: &str| get(key).map(str::to_owned);
    let access_key = || -> Result<Credentials> {
        Credentials::new(need("access_key_id")?, need("access_key_secret")?).map_err(|e| bad(e.message().to_owned()))
    };
    let duration = || -> Result<Option<u32>> {
        match get("duration_seconds").or_else(|| get("role_session_expiration")) {
            None => Ok(None),
            Some(d) => d
                .parse::<u32>()
                .map(Some)
                .map_err(|_| bad(format!("duration_seconds {d:?} is not a number of seconds"))),
        }
    };
    let vpc = get("enable_vpc").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Ok(match kind {
        "access_key" => Arc::new(StaticProvider::new(access_key()?)),
        "sts" => {
            let creds =
                access_key()?.with_security_token(need("security_token")?).map_err(|e| bad(e.message().to_owned()))?;
            Arc::new(StaticProvider::new(creds))
        }
        "ecs_ram_role" => Arc::new(
            EcsRamRoleProvider::with_config(EcsRamRoleConfig { role_name: opt("role_name"), ..Default::default() })
                .with_environment(env.clone()),
        ),
        "ram_role_arn" => {
            let config = RamRoleArnConfig {
                role_arn: need("role_arn")?.to_owned(),
                role_session_name: opt("role_session_name"),
                duration_seconds: duration()?,
                policy: opt("policy"),
                external_id: opt("external_id"),
                sts_endpoint: None,
                sts_region: opt("sts_region"),
                enable_vpc: vpc,
            };
            let provider = RamRoleArnProvider::new(config).map_err(|e| bad(e.message().to_owned()))?;
            Arc::new(provider.with_source(StaticProvider::new(access_key()?)).with_environment(env.clone()))
        }
        "oidc_role_arn" => Arc::new(
            OidcProvider::with_config(OidcConfig {
                role_arn: Some(need("role_arn")?.to_owned()),
                oidc_provider_arn: Some(need("oidc_provider_arn")?.to_owned()),
                oidc_token_file: Some(need("oidc_token_file_path").or_else(|_| need("oidc_token_file"))?.to_owned()),
                role_session_name: opt("role_session_name"),
                duration_seconds: duration()?,
                policy: opt("policy"),
                sts_endpoint: None,
                sts_region: opt("sts_region"),
                enable_vpc: vpc,
            })
            .with_environment(env.clone()),
        ),
        "" => return Err(bad(format!("it has no `type` (one of: {TYPES})"))),
        other => return Err(bad(format!("type {other:?} is not supported (supported: {TYPES})"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_parses_and_reports_lines() {
        let s = parse_ini("\u{feff}# c\n[default]\ntype = access_key\n; x\naccess_key_id=\"id\"\nrole_arn = acs:ram::1:role/r\n\n[b]\nk: v\n")
            .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].1[1].1.as_str(), "id");
        assert_eq!(s[0].1[2].1.as_str(), "acs:ram::1:role/r", "the first '=' splits, ':' in values survive");
        assert_eq!(s[1].1[0].1.as_str(), "v");
        assert_eq!(parse_ini("k = v").unwrap_err(), "line 1: `k` comes before any [section]");
        assert_eq!(parse_ini("[a]\n\n[b\n").unwrap_err(), "line 3: a section header must end with ']'");
        assert_eq!(parse_ini("[a]\njunk\n").unwrap_err(), "line 2: expected `[section]` or `key = value`");
    }
}
