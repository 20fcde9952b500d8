//! STS (`sts.aliyuncs.com`, API 2015-04-01): `AssumeRole` signed with our V1 signer, and the
//! anonymous `AssumeRoleWithOIDC`; plus the credentials JSON shape STS, the ECS metadata server
//! and credentials URIs all answer with.

use reqwest::Method;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::Credentials;
use super::cache::Temporary;
use super::env::Environment;
use super::http::{Answer, Http, json_error};
use crate::Endpoint;
use crate::error::{Error, ErrorKind, Result};
use crate::sign::{RpcRequest, SignatureVersion, Stamp, format_timestamp, parse_timestamp, percent_encode_into, sign};

/// STS API version.
pub const STS_VERSION: &str = "2015-04-01";
/// The public STS endpoint, used when no region is configured.
pub const DEFAULT_STS_ENDPOINT: &str = "sts.aliyuncs.com";
/// `ALIBABA_CLOUD_STS_ENDPOINT` (an smsauth extension): STS host or URL, e.g. a local emulator.
pub const STS_ENDPOINT: &str = "ALIBABA_CLOUD_STS_ENDPOINT";
/// `ALIBABA_CLOUD_STS_REGION`: use `sts.<region>.aliyuncs.com`.
pub const STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
/// `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`: use `sts-vpc.<region>.aliyuncs.com`.
pub const VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
/// `ALIBABA_CLOUD_ROLE_SESSION_NAME`: the default role session name.
pub const ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";

/// Default `DurationSeconds`, and the range STS accepts.
pub(crate) const DEFAULT_DURATION: u32 = 3600;
pub(crate) const DURATION_RANGE: std::ops::RangeInclusive<u32> = 900..=43_200;

/// Where to send STS calls: explicit endpoint, else `ALIBABA_CLOUD_STS_ENDPOINT`, else the
/// region's (VPC) endpoint, else `sts.aliyuncs.com`.
pub(crate) fn resolve_endpoint(
    provider: &str,
    endpoint: Option<&str>,
    region: Option<&str>,
    vpc: bool,
    env: &Environment,
) -> Result<Endpoint> {
    let explicit = endpoint.map(str::to_owned).filter(|s| !s.trim().is_empty()).or_else(|| env.var(STS_ENDPOINT));
    let host = match explicit {
        Some(e) => e,
        None => {
            let vpc = vpc || env.flag(VPC_ENDPOINT_ENABLED);
            let region = region.map(str::to_owned).filter(|s| !s.trim().is_empty()).or_else(|| env.var(STS_REGION));
            match region {
                Some(r) => {
                    let r = r.trim();
                    if r.is_empty() || !r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                        return Err(Error::new(
                            ErrorKind::Credentials,
                            format!("{provider}: the STS region {r:?} is not a region id such as cn-hangzhou"),
                        ));
                    }
                    format!("{}.{r}.aliyuncs.com", if vpc { "sts-vpc" } else { "sts" })
                }
                None => DEFAULT_STS_ENDPOINT.to_owned(),
            }
        }
    };
    Endpoint::parse(&host).map_err(|e| {
        Error::new(ErrorKind::Credentials, format!("{provider}: the STS endpoint is unusable: {}", e.message()))
    })
}

/// The role session name: configured, else `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else
/// `smsauth-<unix seconds>`; checked against STS's rule (2–64 of `A-Za-z0-9.@-_`).
pub(crate) fn session_name(provider: &str, configured: Option<&str>, env: &Environment) -> Result<String> {
    let name = configured
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
        .or_else(|| env.var(ROLE_SESSION_NAME))
        .unwrap_or_else(|| format!("smsauth-{}", env.now()));
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_');
    if !(2..=64).contains(&name.chars().count()) || !name.chars().all(ok_char) {
        return Err(Error::new(
            ErrorKind::Credentials,
            format!(
                "{provider}: the role session name {name:?} must be 2 to 64 characters of letters, digits, '.', '@', '-' or '_'"
            ),
        ));
    }
    Ok(name)
}

/// Check a configured `DurationSeconds`.
pub(crate) fn check_duration(provider: &str, duration: Option<u32>) -> Result<u32> {
    let d = duration.unwrap_or(DEFAULT_DURATION);
    if !DURATION_RANGE.contains(&d) {
        return Err(Error::invalid_input(
            "duration_seconds",
            format_args!("{provider}: {d} is outside the 900–43200 seconds STS accepts"),
        ));
    }
    Ok(d)
}

/// A secret string field in a JSON answer, wiped on drop.
pub(crate) struct SecretField(pub Zeroizing<String>);

impl<'de> Deserialize<'de> for SecretField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d).map(|s| SecretField(Zeroizing::new(s)))
    }
}

/// `{AccessKeyId, AccessKeySecret, SecurityToken, Expiration}` — STS's `Credentials` object, the
/// ECS metadata answer and the credentials-URI answer (the last two add `Code`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CredentialsJson {
    pub code: Option<String>,
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<SecretField>,
    pub security_token: Option<SecretField>,
    pub expiration: Option<String>,
}

impl CredentialsJson {
    /// Temporary credentials, or which field is missing or malformed (no values quoted except
    /// `Expiration`, which is not secret).
    pub fn into_temporary(self) -> std::result::Result<Temporary, String> {
        let missing = |f: &str| format!("the answer has no {f}");
        let id = self.access_key_id.filter(|s| !s.is_empty()).ok_or_else(|| missing("AccessKeyId"))?;
        let secret = self.access_key_secret.filter(|s| !s.0.is_empty()).ok_or_else(|| missing("AccessKeySecret"))?;
        let token = self.security_token.filter(|s| !s.0.is_empty()).ok_or_else(|| missing("SecurityToken"))?;
        let expiration = self.expiration.ok_or_else(|| missing("Expiration"))?;
        let expires_at = parse_timestamp(expiration.trim())
            .ok_or_else(|| format!("its Expiration {expiration:?} is not a yyyy-MM-ddTHH:mm:ssZ time"))?;
        let creds = Credentials::new(id, secret.0.as_str())
            .and_then(|c| c.with_security_token(token.0.as_str()))
            .map_err(|e| e.message().to_owned())?;
        Ok(Temporary { creds, expires_at })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsAnswer {
    credentials: Option<CredentialsJson>,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

/// `AssumeRole` with `source` credentials, signed with V1. Every parameter travels in the form
/// body (the signature covers parameters wherever they are), so no token lands in a URL.
pub(crate) async fn assume_role(
    http: &Http,
    provider: &str,
    endpoint: &Endpoint,
    source: &Credentials,
    params: Vec<(&'static str, String)>,
) -> Result<Temporary> {
    let mut req = RpcRequest::new(endpoint.authority.clone(), "AssumeRole", STS_VERSION);
    req.params = params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let signed = sign(&req, SignatureVersion::V1, source, &Stamp::fresh()?);
    let body = Zeroizing::new(signed.query.clone());
    let answer = http
        .send("the STS endpoint", Method::POST, &endpoint.base_url(), &[("accept", "application/json")], Some(body))
        .await
        .map_err(|e| super::env::prefix(provider, e))?;
    parse_answer(provider, "AssumeRole", answer)
}

/// `AssumeRoleWithOIDC`: anonymous (the OIDC token is the proof), as STS defines it. Common
/// parameters in the query, the rest — with the token — in the form body.
pub(crate) async fn assume_role_with_oidc(
    http: &Http,
    provider: &str,
    endpoint: &Endpoint,
    params: Vec<(&'static str, Zeroizing<String>)>,
) -> Result<Temporary> {
    let mut url = endpoint.base_url();
    url.push_str("?Action=AssumeRoleWithOIDC&Format=JSON&Version=");
    url.push_str(STS_VERSION);
    url.push_str("&Timestamp=");
    percent_encode_into(&format_timestamp(crate::sign::unix_now()), &mut url);
    let mut body = Zeroizing::new(String::new());
    for (k, v) in &params {
        if !body.is_empty() {
            body.push('&');
        }
        body.push_str(k);
        body.push('=');
        percent_encode_into(v, &mut body);
    }
    let answer = http
        .send("the STS endpoint", Method::POST, &url, &[("accept", "application/json")], Some(body))
        .await
        .map_err(|e| super::env::prefix(provider, e))?;
    parse_answer(provider, "AssumeRoleWithOIDC", answer)
}

/// Interpret an STS answer.
pub(crate) fn parse_answer(provider: &str, action: &str, answer: Answer) -> Result<Temporary> {
    let status = answer.status;
    let fail = |what: String| Error::new(ErrorKind::Credentials, format!("{provider}: STS {action} {what}"));
    let parsed: std::result::Result<StsAnswer, _> = serde_json::from_slice(&answer.body);
    let parsed = match parsed {
        Ok(p) => p,
        // A success body may hold credentials: never quote it.
        Err(e) if status == 200 => return Err(fail(format!("answered HTTP 200 with {}", json_error(&e)))),
        Err(_) => {
            return Err(fail(format!(
                "answered HTTP {status} with a body that is not STS JSON: {:?}",
                answer.excerpt()
            )));
        }
    };
    if let Some(code) = parsed.code.filter(|_| status != 200 || parsed.credentials.is_none()) {
        let request_id = parsed.request_id.map(|r| format!(", request id {r}")).unwrap_or_default();
        let message = parsed.message.unwrap_or_default();
        return Err(fail(format!("failed: STS said {code}: {message} (HTTP {status}{request_id}){}", advice(&code))));
    }
    if status != 200 {
        return Err(fail(format!("answered HTTP {status} without an error code: {:?}", answer.excerpt())));
    }
    let creds = parsed.credentials.ok_or_else(|| fail("answered HTTP 200 without Credentials".into()))?;
    creds.into_temporary().map_err(|why| fail(format!("answered HTTP 200, but {why}")))
}

fn advice(code: &str) -> &'static str {
    match code {
        c if c.starts_with("InvalidAccessKeyId") || c == "SignatureDoesNotMatch" => {
            "; the source AccessKey used to assume the role is wrong or disabled"
        }
        c if c.contains("RoleArn") || c.starts_with("EntityNotExist.Role") => {
            "; check the role ARN (acs:ram::<account id>:role/<role name>)"
        }
        c if c.starts_with("NoPermission") || c.starts_with("Forbidden") => {
            "; the caller may not assume this role: check the role's trust policy and the caller's AliyunSTSAssumeRoleAccess permission"
        }
        c if c.starts_with("AuthenticationFail.OIDCToken") || c.contains("OIDC") => {
            "; check the OIDC provider ARN and that the token file holds a current token"
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer { status, body: Zeroizing::new(body.as_bytes().to_vec()) }
    }

    #[test]
    fn endpoints_resolve_in_order() {
        let env = Environment::from_vars([(STS_REGION, "cn-shanghai"), (VPC_ENDPOINT_ENABLED, "true")]);
        let e = resolve_endpoint("p", None, None, false, &env).unwrap();
        assert_eq!(e.base_url(), "https://sts-vpc.cn-shanghai.aliyuncs.com/");
        let e = resolve_endpoint("p", None, Some("cn-beijing"), false, &Environment::from_vars([("X", "y")])).unwrap();
        assert_eq!(e.authority, "sts.cn-beijing.aliyuncs.com");
        let e = resolve_endpoint("p", Some("http://127.0.0.1:9"), Some("cn-beijing"), true, &env).unwrap();
        assert_eq!(e.base_url(), "http://127.0.0.1:9/");
        let e = resolve_endpoint("p", None, None, false, &Environment::from_vars([(STS_ENDPOINT, "http://[::1]:7")]));
        assert_eq!(e.unwrap().authority, "[::1]:7");
        assert!(resolve_endpoint("p", None, Some("cn/../x"), false, &env).is_err());
        assert!(resolve_endpoint("p", Some("ftp://x"), None, false, &env).is_err());
    }

    #[test]
    fn session_names_and_durations() {
        let env = Environment::from_vars([(ROLE_SESSION_NAME, "from-env")]).with_clock(|| 7);
        assert_eq!(session_name("p", Some("mine"), &env).unwrap(), "mine");
        assert_eq!(session_name("p", None, &env).unwrap(), "from-env");
        let none = Environment::from_vars([("X", "y")]).with_clock(|| 7);
        assert_eq!(session_name("p", None, &none).unwrap(), "smsauth-7");
        assert!(session_name("p", Some("has space"), &env).is_err());
        assert_eq!(check_duration("p", None).unwrap(), 3600);
        assert!(check_duration("p", Some(899)).is_err());
        assert!(check_duration("p", Some(43_201)).is_err());
    }

    #[test]
    fn answers_are_interpreted_without_leaking() {
        let ok = r#"{"RequestId":"R","AssumedRoleUser":{"Arn":"a","AssumedRoleId":"b"},"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"sec","SecurityToken":"tok","Expiration":"2030-01-01T00:00:00Z"}}"#;
        let t = parse_answer("ram_role_arn", "AssumeRole", answer(200, ok)).unwrap();
        assert_eq!(t.creds.access_key_id(), "STS.x");
        assert_eq!(t.expires_at, parse_timestamp("2030-01-01T00:00:00Z").unwrap());

        let err = parse_answer(
            "ram_role_arn",
            "AssumeRole",
            answer(
                400,
                r#"{"RequestId":"R1","HostId":"sts","Code":"InvalidParameter","Message":"bad DurationSeconds"}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(err.to_string().starts_with("ram_role_arn: STS AssumeRole failed: STS said InvalidParameter: bad DurationSeconds (HTTP 400, request id R1)"), "{err}");

        let truncated = &ok[..ok.len() - 30];
        let err = parse_answer("p", "AssumeRole", answer(200, truncated)).unwrap_err();
        assert!(err.to_string().contains("bad JSON at line 1"), "{err}");
        assert!(!err.to_string().contains("sec") && !err.to_string().contains("tok"), "{err}");

        let no_token = ok.replace(r#""SecurityToken":"tok","#, "");
        let err = parse_answer("p", "AssumeRole", answer(200, &no_token)).unwrap_err();
        assert!(err.to_string().contains("no SecurityToken"), "{err}");
        let err = parse_answer("p", "AssumeRole", answer(502, "<html>bad gateway</html>")).unwrap_err();
        assert!(err.to_string().contains("HTTP 502") && err.to_string().contains("bad gateway"), "{err}");
    }
}
