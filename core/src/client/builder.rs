//! [`ClientBuilder`] and the checks of its settings (durations, proxy), plus the HTTP settings
//! a client keeps so that a forked child can build its own connection pool.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::async_client::{Client, Inner};
use super::events::{CallEvent, Counters, Listener};
use super::retry::RetryPolicy;
use super::{Defaults, Endpoint};
use crate::api::{CodeType, DEFAULT_ENDPOINT};
use crate::credentials::{Credentials, CredentialsConfig, ProvideCredentials, SharedProvider, StaticProvider};
use crate::error::{Error, ErrorKind, Result, redact_url};
use crate::guard::Guard;
use crate::sign::SignatureVersion;
use crate::tls;

/// The longest duration any client setting accepts (timeouts, backoff, honoured server waits):
/// 24 hours. Longer values are refused when the client is built rather than overflowing a clock
/// later, after the request has left.
pub const MAX_DURATION: Duration = Duration::from_secs(86_400);

/// Refuse a duration above [`MAX_DURATION`] (and zero, when `positive`), naming `field`.
pub(crate) fn check_duration(field: &'static str, d: Duration, positive: bool) -> Result<()> {
    if positive && d.is_zero() {
        return Err(Error::invalid_input(field, "must be greater than zero"));
    }
    if d > MAX_DURATION {
        let got = if d == Duration::MAX { "more".to_owned() } else { format!("{} s", d.as_secs()) };
        return Err(Error::invalid_input(
            field,
            format_args!("must be at most {} s (24 hours), got {got}", MAX_DURATION.as_secs()),
        ));
    }
    Ok(())
}

/// Configures and builds a [`Client`].
///
/// ```
/// use std::time::Duration;
/// let client = smsauth::Client::builder()
///     .access_key("LTAI5tExampleKeyId01", "secret")
///     .endpoint("http://127.0.0.1:8080")
///     .read_timeout(Duration::from_secs(5))
///     .sign_name("速通互联验证码")
///     .template_code("100001")
///     .build()
///     .unwrap();
/// assert_eq!(client.endpoint().authority, "127.0.0.1:8080");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ClientBuilder {
    pub(super) credentials: Option<SharedProvider>,
    pub(super) credentials_config: CredentialsConfig,
    pub(super) endpoint: String,
    pub(super) scheme: Option<String>,
    pub(super) signature_version: SignatureVersion,
    pub(super) connect_timeout: Duration,
    pub(super) read_timeout: Duration,
    pub(super) timeout: Duration,
    pub(super) proxy: Option<Redacted>,
    pub(super) no_proxy: bool,
    pub(super) binding: String,
    pub(super) root_pems: Vec<Vec<u8>>,
    pub(super) retry: RetryPolicy,
    pub(super) defaults: Defaults,
    pub(super) guard: Option<Guard>,
    pub(super) listener: Listener,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            credentials: None,
            credentials_config: CredentialsConfig::default(),
            endpoint: DEFAULT_ENDPOINT.into(),
            scheme: None,
            signature_version: SignatureVersion::V3,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            proxy: None,
            no_proxy: false,
            binding: "rust".into(),
            root_pems: Vec::new(),
            retry: RetryPolicy::default(),
            defaults: Defaults::default(),
            guard: None,
            listener: Listener::default(),
        }
    }
}

impl ClientBuilder {
    /// Sign with this AccessKey pair.
    pub fn access_key(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials_config.access_key_id = Some(id.into());
        self.credentials_config.access_key_secret = Some(crate::Secret::new(secret));
        self
    }

    /// Add an STS security token to the AccessKey pair (temporary credentials).
    pub fn security_token(mut self, token: impl Into<String>) -> Self {
        self.credentials_config.security_token = Some(crate::Secret::new(token));
        self
    }

    /// Credentials chosen by options (keys, token, profile, role), with the rules of
    /// [`CredentialsConfig::provider`]; replaces [`ClientBuilder::access_key`] and
    /// [`ClientBuilder::security_token`]. Unset: the default chain.
    pub fn credentials_config(mut self, config: CredentialsConfig) -> Self {
        self.credentials_config = config;
        self
    }

    /// Sign with these credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(Arc::new(StaticProvider::new(credentials)));
        self
    }

    /// Ask this provider for credentials before every request.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Endpoint: a host (https) or an `http(s)://host[:port]` URL. Default `dypnsapi.aliyuncs.com`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// Force the scheme (`https` or `http`) for a bare-host endpoint, like the official
    /// `Config.protocol`.
    pub fn scheme(mut self, scheme: impl Into<String>) -> Self {
        self.scheme = Some(scheme.into());
        self
    }

    /// Signature scheme; V3 (ACS3-HMAC-SHA256) by default.
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = version;
        self
    }

    /// Connect timeout (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Read timeout: the longest wait for the next bytes of the answer (default 10 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Total deadline of one call, retries and backoff included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Send through this proxy: `http://host:port` or `https://host:port` (see
    /// [`PROXY_SCHEMES`]; a bare `host:port` means http). Other schemes are refused by
    /// [`ClientBuilder::build`]. By default the `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` environment
    /// variables are honoured.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(Redacted(url.into()));
        self
    }

    /// Ignore proxy environment variables.
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// The binding name shown in the user agent `smsauth/<version> (<binding>; <os>)`.
    pub fn binding(mut self, name: impl Into<String>) -> Self {
        self.binding = name.into();
        self
    }

    /// Also trust the CA certificates in this PEM (e.g. a corporate proxy's or a test server's).
    /// The public Mozilla roots stay trusted; certificate checking cannot be turned off.
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_pems.push(pem.into());
        self
    }

    /// Retry policy (3 attempts by default; see [`RetryPolicy`] for what is retried).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// All request defaults at once.
    pub fn defaults(mut self, defaults: Defaults) -> Self {
        self.defaults = defaults;
        self
    }

    /// Default `SignName`.
    pub fn sign_name(mut self, v: impl Into<String>) -> Self {
        self.defaults.sign_name = Some(v.into());
        self
    }

    /// Default `TemplateCode`.
    pub fn template_code(mut self, v: impl Into<String>) -> Self {
        self.defaults.template_code = Some(v.into());
        self
    }

    /// Default `TemplateParam` (see [`crate::template_param`]).
    pub fn template_param(mut self, v: impl Into<String>) -> Self {
        self.defaults.template_param = Some(v.into());
        self
    }

    /// Default `SchemeName`.
    pub fn scheme_name(mut self, v: impl Into<String>) -> Self {
        self.defaults.scheme_name = Some(v.into());
        self
    }

    /// Default `CodeType`.
    pub fn code_type(mut self, v: CodeType) -> Self {
        self.defaults.code_type = Some(v);
        self
    }

    /// Default `CodeLength`.
    pub fn code_length(mut self, v: u32) -> Self {
        self.defaults.code_length = Some(v);
        self
    }

    /// Default `ValidTime` in seconds.
    pub fn valid_time(mut self, seconds: u64) -> Self {
        self.defaults.valid_time = Some(seconds);
        self
    }

    /// Default `Interval` in seconds.
    pub fn interval(mut self, seconds: u64) -> Self {
        self.defaults.interval = Some(seconds);
        self
    }

    /// Consult this abuse guard before every `send_code*` and `check_code*` call (see
    /// [`crate::guard`]); a refusal is an [`ErrorKind::GuardDenied`] error and nothing is sent.
    /// The raw `send_sms_verify_code` / `check_sms_verify_code` calls are not guarded.
    pub fn guard(mut self, guard: Guard) -> Self {
        self.guard = Some(guard);
        self
    }

    /// Call `listener` once per finished call — every send and check, successful or not, guard
    /// denials and bad input included — with a [`CallEvent`] (no secret, no full phone number, no
    /// code). It runs on the thread that finished the call; keep it quick. Without a listener the
    /// events are only `tracing` spans (target `smsauth`, span `smsauth.call`) and the counters
    /// of [`Client::stats`].
    pub fn on_event(mut self, listener: impl Fn(&CallEvent) + Send + Sync + 'static) -> Self {
        self.listener = Listener(Some(Arc::new(listener)));
        self
    }

    /// Build the client. Without credentials it uses the default chain
    /// ([`crate::credentials::CredentialsChain`]: environment, OIDC, CLI profile, credentials
    /// file, ECS RAM role, credentials URI), resolved per request; it fails here only when no
    /// source is configured at all and the ECS metadata server is disabled.
    pub fn build(self) -> Result<Client> {
        let mut endpoint = Endpoint::parse(&self.endpoint)?;
        if let Some(scheme) = &self.scheme {
            let scheme = scheme.to_ascii_lowercase();
            if !matches!(scheme.as_str(), "http" | "https") {
                return Err(Error::invalid_input("scheme", format_args!("{scheme:?} is not http or https")));
            }
            if !self.endpoint.contains("://") {
                endpoint.scheme = scheme;
            }
        }
        let credentials: SharedProvider = match (self.credentials, self.credentials_config.provider()?) {
            (Some(p), None) => p,
            (None, Some(p)) => p,
            (None, None) => Arc::new(crate::credentials::CredentialsChain::default_chain().ensure_configured()?),
            (Some(_), Some(_)) => {
                return Err(Error::new(
                    ErrorKind::Credentials,
                    "give either credentials or an AccessKey pair, not both",
                ));
            }
        };
        for (name, d) in
            [("connect_timeout", self.connect_timeout), ("read_timeout", self.read_timeout), ("timeout", self.timeout)]
        {
            check_duration(name, d, true)?;
        }
        self.retry.validate()?;
        let user_agent = format!("smsauth/{} ({}; {})", env!("CARGO_PKG_VERSION"), self.binding, std::env::consts::OS);
        let http = HttpConfig {
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            proxy: self.proxy.as_ref().map(|p| proxy_url(&p.0)).transpose()?,
            no_proxy: self.no_proxy,
            user_agent: user_agent.clone(),
            tls: tls::client_config(&self.root_pems)?,
        };
        let first = http.build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                target: super::transport::Target::new(&endpoint)?,
                endpoint,
                http_config: http,
                http: Mutex::new((crate::runtime::process_id(), first)),
                credentials,
                version: self.signature_version,
                timeout: self.timeout,
                retry: self.retry,
                defaults: self.defaults,
                user_agent,
                guard: self.guard,
                listener: self.listener,
                counters: Counters::default(),
            }),
        })
    }
}

/// A URL that may carry a password: its `Debug` shows it with the user info masked.
#[derive(Clone)]
pub(super) struct Redacted(pub(super) String);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redact_url(&self.0), f)
    }
}

/// The proxy schemes this build can use: reqwest is built without SOCKS support.
pub const PROXY_SCHEMES: [&str; 2] = ["http", "https"];

/// Check a proxy URL (`http://…` or `https://…`; a bare `host:port` means `http://`) and return
/// it with its scheme. Anything else (`socks5://`, `ftp://`, …) is refused, naming `proxy`,
/// instead of being ignored by the HTTP stack (which would then connect directly).
fn proxy_url(proxy: &str) -> Result<String> {
    let proxy = proxy.trim();
    let shown = redact_url(proxy);
    let with_scheme = if proxy.contains("://") { proxy.to_owned() } else { format!("http://{proxy}") };
    let url = reqwest::Url::parse(&with_scheme).map_err(|e| {
        Error::invalid_input("proxy", format_args!("{shown:?} is not a valid URL ({e}); use http://host:port"))
    })?;
    if !PROXY_SCHEMES.contains(&url.scheme()) {
        return Err(Error::invalid_input(
            "proxy",
            format_args!(
                "{shown:?} uses the {:?} scheme; only http:// and https:// proxies are supported",
                url.scheme()
            ),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_input("proxy", format_args!("{shown:?} has no host")));
    }
    Ok(with_scheme)
}

/// The HTTP settings; kept so a forked child can build its own connection pool.
pub(super) struct HttpConfig {
    connect_timeout: Duration,
    read_timeout: Duration,
    proxy: Option<String>,
    no_proxy: bool,
    user_agent: String,
    /// Built once: each connection pool (the shared one, one per blocking thread, a forked
    /// child's) gets a copy sharing its roots, instead of building its own.
    tls: rustls::ClientConfig,
}

impl HttpConfig {
    /// The shared HTTP client (its connections live on the shared runtime).
    pub(super) fn build(&self) -> Result<reqwest::Client> {
        self.build_with(reqwest::Client::builder())
    }

    /// A client for one thread's own calls (see `per_thread.rs`): the same settings, fewer idle
    /// connections kept.
    pub(super) fn build_per_thread(&self) -> Result<reqwest::Client> {
        self.build_with(reqwest::Client::builder().pool_max_idle_per_host(super::per_thread::IDLE_PER_HOST))
    }

    fn build_with(&self, b: reqwest::ClientBuilder) -> Result<reqwest::Client> {
        let mut b = b
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .user_agent(self.user_agent.clone())
            .pool_idle_timeout(Duration::from_secs(50))
            .redirect(reqwest::redirect::Policy::none());
        b = b.tls_backend_preconfigured(tls::with_own_session_cache(&self.tls));
        if self.no_proxy {
            b = b.no_proxy();
        }
        if let Some(p) = &self.proxy {
            let proxy = reqwest::Proxy::all(p.as_str()).map_err(|e| {
                Error::invalid_input(
                    "proxy",
                    format_args!("{:?} is not a usable proxy URL: {}", redact_url(p), redact_url(&e.to_string())),
                )
            })?;
            b = b.proxy(proxy);
        }
        b.build().map_err(|e| Error::new(ErrorKind::Internal, format!("could not build the HTTP client: {e}")))
    }
}
