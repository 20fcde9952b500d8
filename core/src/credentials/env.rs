//! Where providers read their configuration, and the environment-variable provider.
//!
//! Every provider reads variables, the home directory and the time through an [`Environment`]:
//! the real process by default, or a fixed set (tests, embedders that keep configuration
//! elsewhere), so nothing has to mutate the process-global environment to be tested.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::error::{Error, ErrorKind, Result};

/// `ALIBABA_CLOUD_ACCESS_KEY_ID`.
pub const ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// `ALIBABA_CLOUD_ACCESS_KEY_SECRET`.
pub const ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// `ALIBABA_CLOUD_SECURITY_TOKEN`.
pub const SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";

type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

#[derive(Clone)]
enum Vars {
    Process,
    Fixed(Arc<HashMap<String, Zeroizing<String>>>),
}

/// The variables, home directory and clock the credential providers see.
///
/// [`Environment::process`] (the default) reads the real process environment each time a
/// provider asks — never at start-up. [`Environment::from_vars`] is a fixed set, which is how
/// the tests give every provider its own `HOME` and variables without touching the process.
/// `Debug` shows variable names only, never values.
///
/// ```
/// use smsauth::credentials::Environment;
/// let env = Environment::from_vars([("HOME", "/tmp/h"), ("ALIBABA_CLOUD_PROFILE", "prod")]);
/// assert_eq!(env.var("ALIBABA_CLOUD_PROFILE").as_deref(), Some("prod"));
/// assert_eq!(env.home(), Some("/tmp/h".into()));
/// assert_eq!(env.var("UNSET"), None);
/// ```
#[derive(Clone)]
pub struct Environment {
    vars: Vars,
    home: Option<PathBuf>,
    clock: Option<Clock>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment::process()
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Environment");
        match &self.vars {
            Vars::Process => d.field("vars", &"process"),
            Vars::Fixed(map) => {
                let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
                names.sort_unstable();
                d.field("vars", &names)
            }
        };
        d.field("home", &self.home).field("clock", &if self.clock.is_some() { "custom" } else { "system" }).finish()
    }
}

impl Environment {
    /// The real process environment, read when a provider asks.
    pub fn process() -> Self {
        Environment { vars: Vars::Process, home: None, clock: None }
    }

    /// A fixed set of variables (the process environment is not consulted). `HOME` (or
    /// `USERPROFILE`) in the set is the home directory unless [`Environment::with_home`] says
    /// otherwise.
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let map = vars.into_iter().map(|(k, v)| (k.into(), Zeroizing::new(v.into()))).collect();
        Environment { vars: Vars::Fixed(Arc::new(map)), home: None, clock: None }
    }

    /// Use `home` as the home directory (for `~/.aliyun/config.json` and
    /// `~/.alibabacloud/credentials`).
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// Use `clock` (Unix seconds) to decide when temporary credentials expire — for tests and
    /// emulators with their own time.
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// A variable's value; unset, empty and non-UTF-8 values are all `None`.
    pub fn var(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            Vars::Process => std::env::var(name).ok()?,
            Vars::Fixed(map) => map.get(name)?.as_str().to_owned(),
        };
        (!value.is_empty()).then_some(value)
    }

    /// A secret variable's value, wiped when dropped.
    pub(crate) fn secret_var(&self, name: &str) -> Option<Zeroizing<String>> {
        self.var(name).map(Zeroizing::new)
    }

    /// Whether a variable is set to `true` (any case).
    pub fn flag(&self, name: &str) -> bool {
        self.var(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The home directory: [`Environment::with_home`], else `HOME`, else `USERPROFILE`.
    pub fn home(&self) -> Option<PathBuf> {
        self.home.clone().or_else(|| self.var("HOME").or_else(|| self.var("USERPROFILE")).map(PathBuf::from))
    }

    /// Unix seconds by this environment's clock.
    pub fn now(&self) -> u64 {
        match &self.clock {
            Some(clock) => clock(),
            None => crate::sign::unix_now(),
        }
    }
}

/// Credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the
/// optional `ALIBABA_CLOUD_SECURITY_TOKEN`, read on every call (so a changed variable is seen).
///
/// ```
/// use smsauth::credentials::{EnvProvider, Environment};
/// let env = Environment::from_vars([
///     ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tExampleKeyId01"),
///     ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s3cr3t"),
/// ]);
/// let creds = EnvProvider::new().with_environment(env).credentials().unwrap();
/// assert_eq!(creds.access_key_id(), "LTAI5tExampleKeyId01");
/// ```
#[derive(Clone, Debug, Default)]
pub struct EnvProvider {
    env: Environment,
}

impl EnvProvider {
    /// Read the process environment.
    pub fn new() -> Self {
        EnvProvider::default()
    }

    /// Read `env` instead of the process environment.
    pub fn with_environment(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    pub(crate) fn is_configured(&self) -> Option<String> {
        if self.env.var(ACCESS_KEY_ID).is_some() || self.env.var(ACCESS_KEY_SECRET).is_some() {
            None
        } else {
            Some(format!("{ACCESS_KEY_ID} and {ACCESS_KEY_SECRET} are not set"))
        }
    }

    /// The credentials now, synchronously (no I/O beyond reading variables).
    pub fn credentials(&self) -> Result<Credentials> {
        let id = self.env.var(ACCESS_KEY_ID);
        let secret = self.env.secret_var(ACCESS_KEY_SECRET);
        let (id, secret) = match (id, secret) {
            (Some(id), Some(secret)) => (id, secret),
            (None, None) => {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!("env: {ACCESS_KEY_ID} and {ACCESS_KEY_SECRET} are not set"),
                ));
            }
            (Some(_), None) => {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!("env: {ACCESS_KEY_SECRET} is not set (but {ACCESS_KEY_ID} is); set both"),
                ));
            }
            (None, Some(_)) => {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    format!("env: {ACCESS_KEY_ID} is not set (but {ACCESS_KEY_SECRET} is); set both"),
                ));
            }
        };
        let creds = Credentials::new(id.trim(), secret.as_str()).map_err(|e| prefix("env", e))?;
        match self.env.secret_var(SECURITY_TOKEN) {
            Some(token) => creds.with_security_token(token.as_str()).map_err(|e| prefix("env", e)),
            None => Ok(creds),
        }
    }
}

impl ProvideCredentials for EnvProvider {
    fn provide(&self) -> CredentialsFuture<'_> {
        let result = self.credentials();
        Box::pin(async move { result })
    }
}

/// Read a (small) file on the blocking pool of the current runtime, so no runtime thread blocks.
pub(crate) async fn read_file(path: PathBuf) -> std::io::Result<Zeroizing<Vec<u8>>> {
    match tokio::task::spawn_blocking(move || std::fs::read(path).map(Zeroizing::new)).await {
        Ok(result) => result,
        Err(e) => Err(std::io::Error::other(format!("the file read task failed: {e}"))),
    }
}

/// `"<provider>: <message>"`, keeping the kind.
pub(crate) fn prefix(provider: &str, err: Error) -> Error {
    Error::new(err.kind(), format!("{provider}: {}", err.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_and_complete_variables() {
        let p = |vars: &[(&str, &str)]| EnvProvider::new().with_environment(Environment::from_vars(vars.to_vec()));
        let err = p(&[]).credentials().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        assert!(err.to_string().starts_with("env: "), "{err}");
        let err = p(&[(ACCESS_KEY_ID, "id")]).credentials().unwrap_err();
        assert!(err.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set"), "{err}");
        let c = p(&[(ACCESS_KEY_ID, "id"), (ACCESS_KEY_SECRET, "sec"), (SECURITY_TOKEN, "tok")]).credentials().unwrap();
        assert_eq!(c.security_token().map(|t| t.expose()), Some("tok"));
        let env = Environment::from_vars([(ACCESS_KEY_SECRET, "hidden-value")]);
        assert!(!format!("{env:?}").contains("hidden-value"));
        assert!(format!("{env:?}").contains(ACCESS_KEY_SECRET));
    }

    #[test]
    fn flags_and_clock() {
        let env = Environment::from_vars([("A", "TRUE"), ("B", "1")]).with_clock(|| 42);
        assert!(env.flag("A") && !env.flag("B") && !env.flag("C"));
        assert_eq!(env.now(), 42);
    }
}
