//! Credentials URI: temporary credentials from a local HTTP service (a sidecar, a vault agent),
//! cached and refreshed early.

use std::sync::Arc;

use reqwest::Method;

use super::cache::{Fetch, RefreshCache, Temporary};
use super::env::Environment;
use super::http::{Http, Settings, json_error};
use super::sts::CredentialsJson;
use super::{CredentialsFuture, ProvideCredentials};
use crate::error::redact_url;
use crate::error::{Error, ErrorKind, Result};

/// `ALIBABA_CLOUD_CREDENTIALS_URI`: an `http(s)` URL answering
/// `{"Code":"Success","AccessKeyId":…,"AccessKeySecret":…,"SecurityToken":…,"Expiration":"…Z"}`.
pub const CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";

const NAME: &str = "credentials_uri";

/// Temporary credentials from `GET <uri>`.
///
/// ```
/// use smsauth::credentials::CredentialsUriProvider;
/// let provider = CredentialsUriProvider::with_uri("http://127.0.0.1:8000/credentials");
/// # let _ = provider;
/// ```
#[derive(Clone, Debug)]
pub struct CredentialsUriProvider {
    uri: Option<String>,
    env: Environment,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    http: Http,
    cache: Arc<RefreshCache>,
}

impl Default for CredentialsUriProvider {
    fn default() -> Self {
        CredentialsUriProvider::new()
    }
}

impl CredentialsUriProvider {
    /// The URI from `ALIBABA_CLOUD_CREDENTIALS_URI`.
    pub fn new() -> Self {
        CredentialsUriProvider {
            uri: None,
            env: Environment::process(),
            shared: Arc::new(Shared { http: Http::new(Settings::REMOTE), cache: Arc::default() }),
        }
    }

    /// This URI.
    pub fn with_uri(uri: impl Into<String>) -> Self {
        CredentialsUriProvider { uri: Some(uri.into()), ..CredentialsUriProvider::new() }
    }

    /// Read variables (and time) from `env` instead of the process.
    pub fn with_environment(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    pub(crate) fn is_configured(&self) -> Option<String> {
        (self.uri.is_none() && self.env.var(CREDENTIALS_URI).is_none()).then(|| format!("{CREDENTIALS_URI} is not set"))
    }
}

impl ProvideCredentials for CredentialsUriProvider {
    fn provide(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            self.shared
                .cache
                .get(&self.env, || {
                    let (uri, env, shared) = (self.uri.clone(), self.env.clone(), Arc::clone(&self.shared));
                    Box::pin(async move { fetch(uri, &env, &shared.http).await }) as Fetch
                })
                .await
        })
    }
}

fn err(message: String) -> Error {
    Error::new(ErrorKind::Credentials, format!("{NAME}: {message}"))
}

async fn fetch(uri: Option<String>, env: &Environment, http: &Http) -> Result<Temporary> {
    let Some(uri) = uri.filter(|u| !u.trim().is_empty()).or_else(|| env.var(CREDENTIALS_URI)) else {
        return Err(err(format!("{CREDENTIALS_URI} is not set")));
    };
    let uri = uri.trim().to_owned();
    let shown = redact_url(&uri);
    match reqwest::Url::parse(&uri) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => return Err(err(format!("{shown} is not an http(s) URL"))),
    }
    let answer = http
        .send("the credentials URI", Method::GET, &uri, &[("accept", "application/json")], None)
        .await
        .map_err(|e| super::env::prefix(NAME, e))?;
    if answer.status != 200 {
        return Err(err(format!("{shown} answered HTTP {}: {:?}", answer.status, answer.excerpt())));
    }
    let parsed: CredentialsJson =
        serde_json::from_slice(&answer.body).map_err(|e| err(format!("{shown} answered with {}", json_error(&e))))?;
    if let Some(code) = parsed.code.as_deref().filter(|c| *c != "Success") {
        return Err(err(format!("{shown} answered Code {code:?} instead of \"Success\"")));
    }
    parsed.into_temporary().map_err(|why| err(format!("{shown} answered, but {why}")))
}
