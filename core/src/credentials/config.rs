//! Which credentials a client's options select: the one set of rules every binding converts into.

use std::sync::Arc;

use super::chain::ProfileProvider;
use super::ram_role_arn::{RamRoleArnConfig, RamRoleArnProvider};
use super::{Credentials, Secret, SharedProvider, StaticProvider};
use crate::error::{Error, Result};

/// The credentials part of a client's options, as a user writes it in any language: an
/// AccessKey pair (plus an STS token), a named profile, a RAM role, or nothing at all (the
/// default chain). [`CredentialsConfig::provider`] is the only place that decides which
/// combinations make sense, so Rust, C, Python and Node refuse the same ones with the same
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error naming the field:
///
/// | given | result |
/// | --- | --- |
/// | nothing | `None`: the default chain |
/// | `access_key_id` + `access_key_secret` (+ `security_token`) | those keys |
/// | only one of `access_key_id` / `access_key_secret` | error naming the missing one |
/// | `security_token` without the pair | error on `security_token` |
/// | `profile` (not blank) | that profile ([`ProfileProvider`]) |
/// | keys and `profile` | error on `profile`: one source only |
/// | `role` | STS `AssumeRole` signed with the keys, else the profile, else the default chain |
/// | `role` with an empty ARN or a duration outside 900–43200 s | error on `role_arn` / `duration_seconds` |
///
/// Empty key parts are [`ErrorKind::Credentials`](crate::ErrorKind::Credentials) errors (from
/// [`Credentials::new`]). Nothing is read or sent here.
///
/// ```
/// use smsauth::credentials::CredentialsConfig;
/// let err = CredentialsConfig { security_token: Some(smsauth::Secret::new("tok")), ..Default::default() }
///     .provider()
///     .unwrap_err();
/// assert_eq!(err.field(), Some("security_token"));
/// assert!(CredentialsConfig::default().provider()?.is_none()); // the default chain
/// # Ok::<(), smsauth::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialsConfig {
    /// AccessKey ID.
    pub access_key_id: Option<String>,
    /// AccessKey secret.
    pub access_key_secret: Option<Secret>,
    /// STS security token (temporary keys; needs the pair too).
    pub security_token: Option<Secret>,
    /// A profile of `~/.aliyun/config.json` or the credentials file, by name.
    pub profile: Option<String>,
    /// A RAM role to assume with the other credentials (or the default chain's).
    pub role: Option<RamRoleArnConfig>,
}

/// Which source a [`CredentialsConfig`] selects, for a secret-free description (`repr`, logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialsSource<'a> {
    /// A RAM role, by ARN.
    RoleArn(&'a str),
    /// An AccessKey pair, by ID.
    AccessKey(&'a str),
    /// A named profile.
    Profile(&'a str),
    /// Alibaba Cloud's default chain.
    DefaultChain,
}

impl CredentialsConfig {
    /// An AccessKey pair.
    pub fn access_key(id: impl Into<String>, secret: impl Into<String>) -> Self {
        CredentialsConfig {
            access_key_id: Some(id.into()),
            access_key_secret: Some(Secret::new(secret)),
            ..Default::default()
        }
    }

    /// Nothing set: the default chain applies.
    pub fn is_empty(&self) -> bool {
        *self == CredentialsConfig::default()
    }

    /// What this selects (the role first: the keys or profile then only sign `AssumeRole`).
    pub fn source(&self) -> CredentialsSource<'_> {
        match (&self.role, &self.access_key_id, &self.profile) {
            (Some(role), _, _) => CredentialsSource::RoleArn(&role.role_arn),
            (None, Some(id), _) => CredentialsSource::AccessKey(id),
            (None, None, Some(name)) => CredentialsSource::Profile(name),
            (None, None, None) => CredentialsSource::DefaultChain,
        }
    }

    /// The provider these options select, or `None` for the default chain; an error for a
    /// combination that cannot be meant (see the table above).
    pub fn provider(&self) -> Result<Option<SharedProvider>> {
        let keys = self.keys()?;
        let profile = match self.profile.as_deref() {
            Some(name) if name.trim().is_empty() => {
                return Err(Error::invalid_input(
                    "profile",
                    "the profile name is empty; name a profile of ~/.aliyun/config.json or the credentials file, \
                     or leave it unset for the default chain",
                ));
            }
            Some(name) => Some(ProfileProvider::named(name)),
            None => None,
        };
        if keys.is_some() && profile.is_some() {
            return Err(Error::invalid_input(
                "profile",
                "give either an AccessKey pair or a profile, not both (with a role ARN, either one signs AssumeRole)",
            ));
        }
        let Some(role) = &self.role else {
            return Ok(match (keys, profile) {
                (Some(keys), _) => Some(Arc::new(StaticProvider::new(keys))),
                (None, Some(profile)) => Some(Arc::new(profile)),
                (None, None) => None,
            });
        };
        let role = RamRoleArnProvider::new(role.clone())?;
        Ok(Some(Arc::new(match (keys, profile) {
            (Some(keys), _) => role.with_source(StaticProvider::new(keys)),
            (None, Some(profile)) => role.with_source(profile),
            (None, None) => role,
        })))
    }

    fn keys(&self) -> Result<Option<Credentials>> {
        match (&self.access_key_id, &self.access_key_secret, &self.security_token) {
            (Some(id), Some(secret), token) => {
                let creds = Credentials::new(id.clone(), secret.expose())?;
                match token {
                    Some(token) => creds.with_security_token(token.expose()).map(Some),
                    None => Ok(Some(creds)),
                }
            }
            (Some(_), None, _) => Err(Error::invalid_input(
                "access_key_secret",
                "access_key_id was given without access_key_secret; give both, or neither to use the default \
                 credentials chain",
            )),
            (None, Some(_), _) => Err(Error::invalid_input(
                "access_key_id",
                "access_key_secret was given without access_key_id; give both, or neither to use the default \
                 credentials chain",
            )),
            (None, None, Some(_)) => Err(Error::invalid_input(
                "security_token",
                "an STS security token needs access_key_id and access_key_secret too (temporary credentials are \
                 all three)",
            )),
            (None, None, None) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn field(config: CredentialsConfig) -> Option<&'static str> {
        let err = config.provider().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        err.field()
    }

    fn role(arn: &str) -> Option<RamRoleArnConfig> {
        Some(RamRoleArnConfig { role_arn: arn.into(), ..Default::default() })
    }

    #[test]
    fn each_refused_combination_names_its_field() {
        let keys = CredentialsConfig::access_key("id", "secret");
        assert_eq!(field(CredentialsConfig { access_key_secret: None, ..keys.clone() }), Some("access_key_secret"));
        assert_eq!(field(CredentialsConfig { access_key_id: None, ..keys.clone() }), Some("access_key_id"));
        let token = Some(Secret::new("tok"));
        assert_eq!(
            field(CredentialsConfig { security_token: token.clone(), ..Default::default() }),
            Some("security_token")
        );
        let profile = CredentialsConfig { security_token: token, profile: Some("p".into()), ..Default::default() };
        assert_eq!(field(profile), Some("security_token"));
        assert_eq!(field(CredentialsConfig { profile: Some(" ".into()), ..Default::default() }), Some("profile"));
        assert_eq!(field(CredentialsConfig { profile: Some("p".into()), ..keys.clone() }), Some("profile"));
        assert_eq!(field(CredentialsConfig { role: role(""), ..Default::default() }), Some("role_arn"));
        let short = RamRoleArnConfig {
            role_arn: "acs:ram::1:role/x".into(),
            duration_seconds: Some(899),
            ..Default::default()
        };
        assert_eq!(field(CredentialsConfig { role: Some(short), ..keys }), Some("duration_seconds"));
    }

    #[test]
    fn valid_selections_build_without_io() {
        assert!(CredentialsConfig::default().provider().unwrap().is_none());
        let keys =
            CredentialsConfig { security_token: Some(Secret::new("tok")), ..CredentialsConfig::access_key("id", "s") };
        assert_eq!(keys.source(), CredentialsSource::AccessKey("id"));
        assert!(keys.provider().unwrap().is_some());
        let with_role = CredentialsConfig { role: role("acs:ram::1:role/x"), ..keys };
        assert_eq!(with_role.source(), CredentialsSource::RoleArn("acs:ram::1:role/x"));
        assert!(with_role.provider().unwrap().is_some());
        let profile =
            CredentialsConfig { profile: Some("p".into()), role: role("acs:ram::1:role/x"), ..Default::default() };
        assert!(profile.provider().unwrap().is_some());
        assert_eq!(CredentialsConfig::default().source(), CredentialsSource::DefaultChain);
    }

    #[test]
    fn empty_key_parts_stay_credential_errors() {
        let err = CredentialsConfig::access_key("", "s").provider().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
    }

    #[test]
    fn debug_hides_the_secret_and_token() {
        let c = CredentialsConfig {
            security_token: Some(Secret::new("tok3n")),
            ..CredentialsConfig::access_key("id", "s3cret")
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("tok3n"), "{shown}");
    }
}
