//! The client's option table and [`ClientBuilder::set_option`]: every option a binding takes,
//! declared once (see [`crate::options`]). The request defaults are the field table's own entries
//! (`sign_name`, `code_length`, …), not declared again here.

use crate::api::{CheckSmsVerifyCodeRequest, Field, FieldValue, SendSmsVerifyCodeRequest};
use crate::credentials::{RamRoleArnConfig, Secret};
use crate::error::Result;
use crate::options::{ClientOption, OptionKind, OptionValue, choice};
use crate::sign::SignatureVersion;

use super::builder::{ClientBuilder, Redacted, check_duration};

const fn option(name: &'static str, kind: OptionKind, nullable: bool, doc: &'static str) -> ClientOption {
    ClientOption { name, kind, nullable, doc }
}

use OptionKind::{Bool, Duration, Pem, Secret as SecretText, Text, Unsigned};

/// The options that are not request defaults, in the order the docs list them.
const OPTIONS: &[ClientOption] = &[
    option("access_key_id", Text, true, "AccessKey ID (with `access_key_secret`)."),
    option("access_key_secret", SecretText, true, "AccessKey secret (with `access_key_id`)."),
    option("security_token", SecretText, true, "STS security token (temporary keys; needs the pair too)."),
    option("profile", Text, true, "A profile of `~/.aliyun/config.json` or the credentials file, by name."),
    option("role_arn", Text, true, "A RAM role to assume (`acs:ram::<account id>:role/<name>`)."),
    option("role_session_name", Text, true, "The role's session name (2–64 of `A-Za-z0-9.@-_`)."),
    option("role_duration_seconds", Unsigned, true, "Lifetime of the role's credentials, 900–43200 s."),
    option("role_policy", Text, true, "A policy (JSON) narrowing the role's permissions."),
    option("role_external_id", Text, true, "The external ID the role's trust policy may require."),
    option("sts_endpoint", Text, true, "STS host or URL for the role (default: the region's, else sts.aliyuncs.com)."),
    option("sts_region", Text, true, "STS region for the role, e.g. `cn-hangzhou`."),
    option("endpoint", Text, false, "A host (https) or an `http(s)://host[:port]` URL."),
    option("scheme", Text, true, "`https` or `http` for a bare-host endpoint."),
    option(
        "signature_version",
        choice!(SignatureVersion::V3, SignatureVersion::V1),
        false,
        "Signature scheme: `v3` (ACS3-HMAC-SHA256, the default) or `v1`.",
    ),
    option("timeout", Duration, true, "Total deadline of one call, retries included (default 30 s)."),
    option("connect_timeout", Duration, true, "Connect timeout (default 5 s)."),
    option("read_timeout", Duration, true, "The longest wait for the next bytes of an answer (default 10 s)."),
    option("retry.max_attempts", Unsigned, true, "Attempts per call, the first included: 1–10 (default 3)."),
    option("retry.initial_backoff", Duration, true, "Backoff before the first retry, doubled each time (100 ms)."),
    option("retry.max_backoff", Duration, true, "Upper bound of one backoff (default 2 s)."),
    option("retry.max_retry_after", Duration, true, "The longest server-requested wait honoured (default 5 s)."),
    option("proxy", Text, true, "Send through this proxy: `http://host:port` or `https://host:port`."),
    option("no_proxy", Bool, true, "Ignore the proxy environment variables."),
    option("ca_certificates", Pem, true, "Also trust the CA certificates in this PEM (the public roots stay)."),
];

/// The request defaults a client takes: `case_auth_policy` is a check's, the others a send's.
const DEFAULTS: [&str; 11] = [
    "sign_name",
    "template_code",
    "template_param",
    "scheme_name",
    "country_code",
    "code_type",
    "code_length",
    "valid_time",
    "interval",
    "duplicate_policy",
    "case_auth_policy",
];

/// The request field a default is, from the field table.
fn default_field(name: &str) -> Option<&'static Field> {
    let found = DEFAULTS.iter().find(|d| **d == name)?;
    SendSmsVerifyCodeRequest::field(found).or_else(|| CheckSmsVerifyCodeRequest::field(found))
}

impl ClientBuilder {
    /// Every option [`ClientBuilder::set_option`] takes: the client's own, then the request
    /// defaults (entries of the request field table, kind [`OptionKind::Field`]).
    pub fn options() -> impl Iterator<Item = ClientOption> {
        OPTIONS.iter().copied().chain(DEFAULTS.iter().filter_map(|d| default_field(d)).map(|f| ClientOption {
            name: f.name,
            kind: OptionKind::Field(f.kind),
            nullable: true,
            doc: f.doc,
        }))
    }

    /// The option called `name` (its full name, `retry.max_attempts`, or its short one,
    /// `max_attempts`).
    pub fn option(name: &str) -> Option<ClientOption> {
        ClientOption::find(OPTIONS, name).or_else(|| Self::options().skip(OPTIONS.len()).find(|o| o.name == name))
    }

    /// Set the option called `name` (see [`ClientBuilder::options`]) to `value`; `None` unsets
    /// it (back to its default). A value of the wrong kind or range, or an unknown name, is an
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the option by its full
    /// name (or the API field, for a request default); a refused value changes nothing. Rules
    /// that concern several options (keys with a profile, a scheme with a URL) are checked by
    /// [`ClientBuilder::build`].
    pub fn set_option(&mut self, name: &str, value: Option<OptionValue>) -> Result<()> {
        let Some(opt) = Self::option(name) else {
            let all: Vec<_> = Self::options().collect();
            return Err(ClientOption::unknown(&all, name));
        };
        if let OptionKind::Field(_) = opt.kind {
            return self.defaults.set(opt.name, value.map(|v| field_value(&opt, v)).transpose()?);
        }
        let Some(v) = value else {
            self.unset(opt.name);
            return Ok(());
        };
        let creds = &mut self.credentials_config;
        match opt.name {
            "access_key_id" => creds.access_key_id = Some(opt.text(v)?),
            "access_key_secret" => creds.access_key_secret = Some(Secret::new(opt.text(v)?)),
            "security_token" => creds.security_token = Some(Secret::new(opt.text(v)?)),
            "profile" => creds.profile = Some(opt.text(v)?),
            "role_arn" => role(creds).role_arn = opt.text(v)?,
            "role_session_name" => role(creds).role_session_name = Some(opt.text(v)?),
            "role_duration_seconds" => role(creds).duration_seconds = Some(opt.unsigned(v)?),
            "role_policy" => role(creds).policy = Some(opt.text(v)?),
            "role_external_id" => role(creds).external_id = Some(opt.text(v)?),
            "sts_endpoint" => role(creds).sts_endpoint = Some(opt.text(v)?),
            "sts_region" => role(creds).sts_region = Some(opt.text(v)?),
            "endpoint" => self.endpoint = opt.text(v)?,
            "scheme" => self.scheme = Some(opt.text(v)?),
            "signature_version" => self.signature_version = opt.choice::<SignatureVersion>(v)?,
            "retry.max_attempts" => self.retry.max_attempts = opt.unsigned(v)?,
            name if opt.kind == Duration => {
                let d = opt.duration_value(v)?;
                // A timeout of zero could never succeed; a zero backoff retries at once.
                check_duration(name, d, !name.starts_with("retry."))?;
                *self.duration_mut(name) = d;
            }
            "proxy" => self.proxy = Some(Redacted(opt.text(v)?)),
            "no_proxy" => self.no_proxy = opt.bool(v)?,
            "ca_certificates" => self.root_pems.push(match v {
                OptionValue::Bytes(b) => b,
                OptionValue::Text(s) => s.into_bytes(),
                other => return Err(opt.mismatch(&other)),
            }),
            _ => unreachable!("every option of the table has an arm"),
        }
        Ok(())
    }

    /// The value of the option called `name`, or `None` when it is unset, unknown or a secret
    /// (secrets are never read back; nor are the CA certificates).
    pub fn get_option(&self, name: &str) -> Option<OptionValue> {
        let opt = Self::option(name)?;
        let text = |s: &Option<String>| s.clone().map(OptionValue::Text);
        let role = self.credentials_config.role.as_ref();
        let role_text = |get: fn(&RamRoleArnConfig) -> &Option<String>| role.and_then(|r| text(get(r)));
        Some(match opt.name {
            "access_key_id" => return text(&self.credentials_config.access_key_id),
            "profile" => return text(&self.credentials_config.profile),
            "role_arn" => OptionValue::Text(role?.role_arn.clone()),
            "role_session_name" => return role_text(|r| &r.role_session_name),
            "role_duration_seconds" => OptionValue::Unsigned(role?.duration_seconds?.into()),
            "role_policy" => return role_text(|r| &r.policy),
            "role_external_id" => return role_text(|r| &r.external_id),
            "sts_endpoint" => return role_text(|r| &r.sts_endpoint),
            "sts_region" => return role_text(|r| &r.sts_region),
            "endpoint" => OptionValue::Text(self.endpoint.clone()),
            "scheme" => return text(&self.scheme),
            "signature_version" => OptionValue::Text(self.signature_version.as_str().to_owned()),
            "retry.max_attempts" => OptionValue::Unsigned(self.retry.max_attempts.into()),
            "proxy" => OptionValue::Text(self.proxy.as_ref()?.0.clone()),
            "no_proxy" => OptionValue::Bool(self.no_proxy),
            name if opt.kind == Duration => OptionValue::Duration(*self.clone().duration_mut(name)),
            name if matches!(opt.kind, OptionKind::Field(_)) => {
                let mut send = SendSmsVerifyCodeRequest::default();
                if name == "case_auth_policy" {
                    let mut check = CheckSmsVerifyCodeRequest::default();
                    self.defaults.apply_check(&mut check);
                    return check.get(name).map(OptionValue::from);
                }
                self.defaults.fill_send(&mut send);
                return send.get(name).map(OptionValue::from);
            }
            _ => return None,
        })
    }

    /// Which credentials the options select (for a secret-free description such as a `repr`).
    pub fn credentials_source(&self) -> crate::credentials::CredentialsSource<'_> {
        self.credentials_config.source()
    }

    /// Set `name` back to its default (a role option: unset within the role, if there is one).
    fn unset(&mut self, name: &str) {
        let mut fresh = ClientBuilder::default();
        let creds = &mut self.credentials_config;
        let role = creds.role.as_mut();
        match name {
            "access_key_id" => creds.access_key_id = None,
            "access_key_secret" => creds.access_key_secret = None,
            "security_token" => creds.security_token = None,
            "profile" => creds.profile = None,
            "role_arn" => role.into_iter().for_each(|r| r.role_arn.clear()),
            "role_session_name" => role.into_iter().for_each(|r| r.role_session_name = None),
            "role_duration_seconds" => role.into_iter().for_each(|r| r.duration_seconds = None),
            "role_policy" => role.into_iter().for_each(|r| r.policy = None),
            "role_external_id" => role.into_iter().for_each(|r| r.external_id = None),
            "sts_endpoint" => role.into_iter().for_each(|r| r.sts_endpoint = None),
            "sts_region" => role.into_iter().for_each(|r| r.sts_region = None),
            "endpoint" => self.endpoint = fresh.endpoint,
            "scheme" => self.scheme = None,
            "signature_version" => self.signature_version = fresh.signature_version,
            "retry.max_attempts" => self.retry.max_attempts = fresh.retry.max_attempts,
            "timeout"
            | "connect_timeout"
            | "read_timeout"
            | "retry.initial_backoff"
            | "retry.max_backoff"
            | "retry.max_retry_after" => *self.duration_mut(name) = *fresh.duration_mut(name),
            "proxy" => self.proxy = None,
            "no_proxy" => self.no_proxy = false,
            "ca_certificates" => self.root_pems.clear(),
            _ => {}
        }
    }

    /// The duration option called `name` (one of the three timeouts or three retry waits).
    fn duration_mut(&mut self, name: &str) -> &mut std::time::Duration {
        match name {
            "connect_timeout" => &mut self.connect_timeout,
            "read_timeout" => &mut self.read_timeout,
            "retry.initial_backoff" => &mut self.retry.initial_backoff,
            "retry.max_backoff" => &mut self.retry.max_backoff,
            "retry.max_retry_after" => &mut self.retry.max_retry_after,
            _ => &mut self.timeout,
        }
    }
}

/// The role of the credentials, created by the first role option: a role option without
/// `role_arn` then meets the core's empty-ARN rule when the client is built.
fn role(credentials: &mut crate::credentials::CredentialsConfig) -> &mut RamRoleArnConfig {
    credentials.role.get_or_insert_with(RamRoleArnConfig::default)
}

/// A request default's value as the field table takes it.
fn field_value(opt: &ClientOption, v: OptionValue) -> Result<FieldValue> {
    Ok(match v {
        OptionValue::Text(s) => FieldValue::Text(s),
        OptionValue::Unsigned(n) => FieldValue::Unsigned(n),
        OptionValue::Integer(n) => FieldValue::Integer(n),
        OptionValue::Bool(b) => FieldValue::Bool(b),
        other => return Err(opt.mismatch(&other)),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration as D;

    use super::*;
    use crate::{CodeType, ErrorKind};

    #[test]
    fn every_option_is_settable_and_documented() {
        let all: Vec<_> = ClientBuilder::options().collect();
        assert_eq!(all.len(), OPTIONS.len() + DEFAULTS.len());
        for o in &all {
            assert!(!o.doc.trim().is_empty(), "{} has no doc", o.name);
            let mut b = ClientBuilder::default();
            b.set_option(o.name, None).unwrap();
        }
        assert_eq!(ClientBuilder::option("max_attempts").unwrap().name, "retry.max_attempts");
        assert_eq!(
            ClientBuilder::option("code_type").unwrap().kind,
            OptionKind::Field(SendSmsVerifyCodeRequest::field("code_type").unwrap().kind)
        );
    }

    #[test]
    fn values_are_checked_naming_the_option() {
        let mut b = ClientBuilder::default();
        let cases = [
            ("timeout", OptionValue::Duration(D::ZERO), "timeout", "greater than zero"),
            ("retry.max_backoff", OptionValue::Duration(D::MAX), "retry.max_backoff", "at most 86400 s"),
            ("max_attempts", OptionValue::Integer(-1), "retry.max_attempts", "must be ≥ 0"),
            ("role_duration_seconds", OptionValue::Unsigned(1 << 40), "role_duration_seconds", "at most 4294967295"),
            ("signature_version", OptionValue::Text("v2".into()), "signature_version", "not a signature version"),
            ("no_proxy", OptionValue::Text("yes".into()), "no_proxy", "must be boolean, got text"),
            ("code_length", OptionValue::Text("6".into()), "CodeLength", "must be unsigned integer"),
            ("nope", OptionValue::Bool(true), "option", "\"nope\" is not an option; use one of access_key_id"),
        ];
        for (name, v, field, text) in cases {
            let e = b.set_option(name, Some(v)).unwrap_err();
            assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some(field)), "{name}");
            assert!(e.to_string().contains(text), "{name}: {e}");
        }
        let Some(OptionKind::Choice(versions)) = ClientBuilder::option("signature_version").map(|o| o.kind) else {
            panic!("signature_version is a choice")
        };
        for name in versions {
            b.set_option("signature_version", Some(OptionValue::Text(name.to_string()))).unwrap();
            assert_eq!(b.get_option("signature_version"), Some(OptionValue::Text(name.to_string())));
        }
        b.set_option("signature_version", Some(OptionValue::Unsigned(1))).unwrap();
        assert_eq!(b.signature_version, SignatureVersion::V1);
        b.set_option("retry.initial_backoff", Some(OptionValue::Duration(D::ZERO))).unwrap();
        b.set_option("code_type", Some(OptionValue::Integer(7))).unwrap();
        b.set_option("case_auth_policy", Some(OptionValue::Unsigned(2))).unwrap();
        assert_eq!(b.defaults.code_type, Some(CodeType::Alphanumeric));
        assert!(b.defaults.case_auth_policy.is_some());
        assert_eq!(b.get_option("codeType"), None, "options have their Rust names only");
        assert_eq!(b.get_option("code_type"), Some(OptionValue::Integer(7)));
        assert_eq!(b.get_option("signature_version"), Some(OptionValue::Text("v1".into())));
        assert_eq!(b.get_option("initial_backoff"), Some(OptionValue::Duration(D::ZERO)));
        b.set_option("access_key_secret", Some(OptionValue::Text("s3cr3t".into()))).unwrap();
        assert_eq!(b.get_option("access_key_secret"), None, "a secret is never read back");
        b.set_option("code_type", None).unwrap();
        assert_eq!(b.defaults.code_type, None);
    }

    #[test]
    fn role_options_make_a_role_and_null_unsets() {
        let mut b = ClientBuilder::default();
        b.set_option("role_session_name", None).unwrap();
        assert!(b.credentials_config.role.is_none(), "an unset role option makes no role");
        b.set_option("role_session_name", Some(OptionValue::Text("signup".into()))).unwrap();
        assert_eq!(b.build().unwrap_err().field(), Some("role_arn"));
        let mut b = ClientBuilder::default();
        b.set_option("timeout", Some(OptionValue::Duration(D::from_secs(3)))).unwrap();
        b.set_option("timeout", None).unwrap();
        assert_eq!(b.timeout, ClientBuilder::default().timeout);
        let secs = ClientBuilder::option("timeout").unwrap().duration(-1.0, D::from_secs(1)).unwrap_err();
        assert_eq!(secs.field(), Some("timeout"));
    }
}
