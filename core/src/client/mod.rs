//! The async [`Client`] — the only HTTP path; the blocking client and every binding wrap it.

pub mod blocking;
mod events;
mod retry;
pub(crate) mod tls;
pub(crate) mod transport;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use events::{CallEvent, ClientStats, EventListener, GuardDecision, LATENCY_BUCKETS_MS};
pub use retry::RetryPolicy;

use crate::api::{
    API_VERSION, CaseAuthPolicy, CheckSmsVerifyCodeRequest, CheckSmsVerifyCodeResponse, CodeType, DEFAULT_ENDPOINT,
    DuplicatePolicy, Operation, SendSmsVerifyCodeRequest, SendSmsVerifyCodeResponse, template_param,
};
use crate::credentials::{Credentials, CredentialsConfig, ProvideCredentials, SharedProvider, StaticProvider};
use crate::error::{Delivery, Error, ErrorKind, Result, redact_userinfo};
use crate::guard::Guard;
use crate::sign::{RpcRequest, SignatureVersion, Stamp, sign};
use events::{Attempts, CallScope, Counters, Listener, Summarize};

/// Values used for request fields the caller leaves unset, so a typical call is just
/// `send_code(phone)` / `check_code(phone, code)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Defaults {
    /// `SignName` for sends.
    pub sign_name: Option<String>,
    /// `TemplateCode` for sends.
    pub template_code: Option<String>,
    /// `TemplateParam` for sends. When unset, `{"code":"##code##","min":"<ValidTime in minutes, or 5>"}`,
    /// which fits the console's preset templates.
    pub template_param: Option<String>,
    /// `SchemeName` for sends and checks.
    pub scheme_name: Option<String>,
    /// `CountryCode` for sends and checks.
    pub country_code: Option<String>,
    /// `CodeType` for sends.
    pub code_type: Option<CodeType>,
    /// `CodeLength` for sends.
    pub code_length: Option<u32>,
    /// `ValidTime` (seconds) for sends.
    pub valid_time: Option<u64>,
    /// `Interval` (seconds) for sends.
    pub interval: Option<u64>,
    /// `DuplicatePolicy` for sends.
    pub duplicate_policy: Option<DuplicatePolicy>,
    /// `CaseAuthPolicy` for checks.
    pub case_auth_policy: Option<CaseAuthPolicy>,
}

fn fill<T: Clone>(slot: &mut Option<T>, default: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(default);
    }
}

impl Defaults {
    /// Fill the unset fields of a send request.
    pub fn apply_send(&self, req: &mut SendSmsVerifyCodeRequest) {
        fill(&mut req.sign_name, &self.sign_name);
        fill(&mut req.template_code, &self.template_code);
        fill(&mut req.template_param, &self.template_param);
        fill(&mut req.scheme_name, &self.scheme_name);
        fill(&mut req.country_code, &self.country_code);
        fill(&mut req.code_type, &self.code_type);
        fill(&mut req.code_length, &self.code_length);
        fill(&mut req.valid_time, &self.valid_time);
        fill(&mut req.interval, &self.interval);
        fill(&mut req.duplicate_policy, &self.duplicate_policy);
        if req.template_param.is_none() {
            let minutes = req.valid_time.map(|s| s.div_ceil(60).max(1)).unwrap_or(5).to_string();
            req.template_param = Some(template_param(&[("min", &minutes)]));
        }
    }

    /// Fill the unset fields of a check request.
    pub fn apply_check(&self, req: &mut CheckSmsVerifyCodeRequest) {
        fill(&mut req.scheme_name, &self.scheme_name);
        fill(&mut req.country_code, &self.country_code);
        fill(&mut req.case_auth_policy, &self.case_auth_policy);
    }
}

/// Where requests go: scheme, host and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `https` or `http`.
    pub scheme: String,
    /// The `host[:port]` authority, as sent in (and signed into) the `host` header.
    pub authority: String,
}

impl Endpoint {
    /// Parse `https://host[:port]`, `http://host[:port]` (local emulators) or a bare
    /// `host[:port]` (which means https).
    ///
    /// ```
    /// use smsauth::Endpoint;
    /// assert_eq!(Endpoint::parse("dypnsapi.aliyuncs.com").unwrap().base_url(), "https://dypnsapi.aliyuncs.com/");
    /// assert_eq!(Endpoint::parse("http://127.0.0.1:8080/").unwrap().authority, "127.0.0.1:8080");
    /// assert!(Endpoint::parse("ftp://x").is_err());
    /// ```
    pub fn parse(endpoint: &str) -> Result<Self> {
        let endpoint = endpoint.trim();
        let shown = redact_userinfo(endpoint);
        let bad = |why: &str| {
            Error::invalid_input(
                "endpoint",
                format_args!(
                    "{shown:?} {why}; use a host such as dypnsapi.aliyuncs.com or a URL such as http://127.0.0.1:8080"
                ),
            )
        };
        if endpoint.is_empty() {
            return Err(bad("is empty"));
        }
        let with_scheme = if endpoint.contains("://") { endpoint.to_owned() } else { format!("https://{endpoint}") };
        let url = reqwest::Url::parse(&with_scheme).map_err(|e| bad(&format!("is not a valid URL ({e})")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not contain user info"));
        }
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("must use http or https"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must not have a path, query or fragment"));
        }
        let host = url.host_str().ok_or_else(|| bad("has no host"))?;
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Endpoint { scheme: url.scheme().to_owned(), authority })
    }

    /// `scheme://authority/`.
    pub fn base_url(&self) -> String {
        format!("{}://{}/", self.scheme, self.authority)
    }
}

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
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    credentials: Option<SharedProvider>,
    credentials_config: CredentialsConfig,
    endpoint: String,
    scheme: Option<String>,
    signature_version: SignatureVersion,
    connect_timeout: Duration,
    read_timeout: Duration,
    timeout: Duration,
    proxy: Option<Redacted>,
    no_proxy: bool,
    binding: String,
    root_pems: Vec<Vec<u8>>,
    retry: RetryPolicy,
    defaults: Defaults,
    guard: Option<Guard>,
    listener: Listener,
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
            root_pems: self.root_pems,
        };
        let first = http.build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                base_url: endpoint.base_url(),
                endpoint,
                http_config: http,
                http: Mutex::new((std::process::id(), first)),
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
struct Redacted(String);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redact_userinfo(&self.0), f)
    }
}

/// The proxy schemes this build can use: reqwest is built without SOCKS support.
pub const PROXY_SCHEMES: [&str; 2] = ["http", "https"];

/// Check a proxy URL (`http://…` or `https://…`; a bare `host:port` means `http://`) and return
/// it with its scheme. Anything else (`socks5://`, `ftp://`, …) is refused, naming `proxy`,
/// instead of being ignored by the HTTP stack (which would then connect directly).
fn proxy_url(proxy: &str) -> Result<String> {
    let proxy = proxy.trim();
    let shown = redact_userinfo(proxy);
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
struct HttpConfig {
    connect_timeout: Duration,
    read_timeout: Duration,
    proxy: Option<String>,
    no_proxy: bool,
    user_agent: String,
    root_pems: Vec<Vec<u8>>,
}

impl HttpConfig {
    fn build(&self) -> Result<reqwest::Client> {
        let mut b = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .user_agent(self.user_agent.clone())
            .pool_idle_timeout(Duration::from_secs(50))
            .redirect(reqwest::redirect::Policy::none());
        b = tls::configure(b, &self.root_pems)?;
        if self.no_proxy {
            b = b.no_proxy();
        }
        if let Some(p) = &self.proxy {
            let proxy = reqwest::Proxy::all(p.as_str()).map_err(|e| {
                Error::invalid_input(
                    "proxy",
                    format_args!(
                        "{:?} is not a usable proxy URL: {}",
                        redact_userinfo(p),
                        redact_userinfo(&e.to_string())
                    ),
                )
            })?;
            b = b.proxy(proxy);
        }
        b.build().map_err(|e| Error::new(ErrorKind::Internal, format!("could not build the HTTP client: {e}")))
    }
}

struct Inner {
    endpoint: Endpoint,
    base_url: String,
    http_config: HttpConfig,
    /// The HTTP client and the process that built it: after `fork()` the child builds its own,
    /// since pooled connections belong to the parent's runtime.
    http: Mutex<(u32, reqwest::Client)>,
    credentials: SharedProvider,
    version: SignatureVersion,
    timeout: Duration,
    retry: RetryPolicy,
    defaults: Defaults,
    user_agent: String,
    guard: Option<Guard>,
    listener: Listener,
    counters: Counters,
}

impl Inner {
    fn http(&self) -> Result<reqwest::Client> {
        let pid = std::process::id();
        let mut slot = self.http.lock().unwrap_or_else(|p| p.into_inner());
        if slot.0 != pid {
            *slot = (pid, self.http_config.build()?);
        }
        Ok(slot.1.clone())
    }

    /// Open the span and event of one call.
    fn scope(&self, action: &'static str, phone: &str, guard: GuardDecision) -> CallScope {
        CallScope::start(action, self.version, &self.endpoint, phone, guard)
    }

    /// Close a call: its span, counters and listener.
    fn finish<R: Summarize>(&self, scope: CallScope, result: std::result::Result<&R, &Error>) {
        scope.finish(result, &self.counters, &self.listener);
    }

    async fn call<O: Operation>(
        &self,
        params: Vec<(&'static str, String)>,
        attempts: &mut Attempts,
    ) -> Result<O::Response> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let http = self.http()?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            attempts.count = attempt;
            let result = match tokio::time::timeout_at(deadline, self.attempt::<O>(&http, &params)).await {
                Ok(r) => r,
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{} did not finish within the {:?} deadline; {}",
                        O::ACTION,
                        self.timeout,
                        if O::REPEATABLE {
                            "it is safe to retry"
                        } else {
                            "the SMS may or may not have been sent: do not resend blindly (check the outcome or wait for the Interval)"
                        }
                    ),
                )
                .with_delivery(Delivery::Unknown)),
            };
            let err = match result {
                Ok(resp) => return Ok(resp),
                Err(e) => e,
            };
            let Some(delay) = self.retry.delay_after(attempt, &err, O::REPEATABLE) else {
                return Err(err);
            };
            if tokio::time::Instant::now() + delay >= deadline {
                return Err(err);
            }
            attempts.retried_after(&err);
            tracing::debug!(action = O::ACTION, attempt, ?delay, error = %err, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt<O: Operation>(
        &self,
        http: &reqwest::Client,
        params: &[(&'static str, String)],
    ) -> Result<O::Response> {
        let creds = self.credentials.provide().await?;
        let stamp = Stamp::fresh()?;
        let mut req = RpcRequest::new(self.endpoint.authority.clone(), O::ACTION, API_VERSION);
        req.params = params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        req.headers.push(("accept".into(), "application/json".into()));
        let signed = sign(&req, self.version, &creds, &stamp);
        let raw = transport::send(http, &self.base_url, &signed).await?;
        tracing::debug!(action = O::ACTION, status = raw.status, bytes = raw.body.len(), "answer");
        // A gateway `SignatureDoesNotMatch` echoes the V1 string-to-sign, STS token included.
        transport::classify::<O>(raw).map_err(|e| e.redacting(creds.security_token()))
    }
}

/// The async SMS Auth client. Cheap to clone (an `Arc` inside) and shareable across threads.
///
/// Requests run on the crate's own runtime ([`crate::runtime`]), so the futures can be awaited
/// from any executor.
///
/// ```no_run
/// # async fn demo() -> smsauth::Result<()> {
/// let client = smsauth::Client::builder()
///     .sign_name("速通互联验证码")
///     .template_code("100001")
///     .build()?; // AccessKey from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET
/// client.send_code("13800138000").await?;
/// let result = client.check_code("13800138000", "4232").await?;
/// if result.passed() { /* signed in */ }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.base_url)
            .field("signature_version", &self.inner.version)
            .field("credentials", &self.inner.credentials)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("defaults", &self.inner.defaults)
            .field("guard", &self.inner.guard)
            .field("on_event", &self.inner.listener)
            .finish()
    }
}

impl Client {
    /// Start configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Where this client sends requests.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The user agent sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The request defaults.
    pub fn defaults(&self) -> &Defaults {
        &self.inner.defaults
    }

    /// Send a code to `phone` with the client's defaults.
    pub async fn send_code(&self, phone: &str) -> Result<SendSmsVerifyCodeResponse> {
        self.send_code_with(SendSmsVerifyCodeRequest::new(phone)).await
    }

    /// Send with `req`, its unset fields filled from the client's defaults.
    pub async fn send_code_with(&self, req: SendSmsVerifyCodeRequest) -> Result<SendSmsVerifyCodeResponse> {
        self.send_code_with_key(req, None).await
    }

    /// Send a code to `phone` on behalf of `client_key` — the caller's IP address, device or
    /// session id — so the guard's per-client limits apply (see [`ClientBuilder::guard`]).
    pub async fn send_code_for(&self, phone: &str, client_key: &str) -> Result<SendSmsVerifyCodeResponse> {
        self.send_code_with_key(SendSmsVerifyCodeRequest::new(phone), Some(client_key)).await
    }

    /// Send with `req` (unset fields from the client's defaults) on behalf of `client_key`.
    ///
    /// With a guard, the request is validated first, then the guard is asked (a refusal is an
    /// [`ErrorKind::GuardDenied`] error and nothing is sent), then the request is sent; if it
    /// provably never reached the service, the guard gets its slot back. Without a guard the key
    /// is not used.
    pub async fn send_code_with_key(
        &self,
        mut req: SendSmsVerifyCodeRequest,
        client_key: Option<&str>,
    ) -> Result<SendSmsVerifyCodeResponse> {
        self.inner.defaults.apply_send(&mut req);
        let Some(guard) = &self.inner.guard else {
            return self.send_sms_verify_code(req).await;
        };
        // Validate (and normalize the number) before the guard counts anything.
        let params = self.refused::<SendSmsVerifyCodeRequest, _>(&req.phone_number, req.to_params())?;
        let phone = param(&params, "PhoneNumber");
        let permit = guard.send_permit(phone, param_opt(&params, "CountryCode"), client_key).await;
        let permit = self.refused::<SendSmsVerifyCodeRequest, _>(phone, permit)?;
        let result = self.execute(req, GuardDecision::Allowed).await;
        if let Err(e) = &result
            && !e.may_have_been_received()
        {
            permit.refund().await;
        }
        result
    }

    /// Check `code` for `phone` with the client's defaults. A wrong code is `Ok` with
    /// `passed() == false`.
    pub async fn check_code(&self, phone: &str, code: &str) -> Result<CheckSmsVerifyCodeResponse> {
        self.check_code_with(CheckSmsVerifyCodeRequest::new(phone, code)).await
    }

    /// Check with `req`, its unset fields filled from the client's defaults.
    ///
    /// With a guard, a number locked after too many wrong codes is refused with an
    /// [`ErrorKind::GuardDenied`] error (rule `check:locked`) before any network call; a wrong
    /// code counts towards the lock, a passing one resets it.
    pub async fn check_code_with(&self, mut req: CheckSmsVerifyCodeRequest) -> Result<CheckSmsVerifyCodeResponse> {
        self.inner.defaults.apply_check(&mut req);
        let Some(guard) = &self.inner.guard else {
            return self.check_sms_verify_code(req).await;
        };
        let params = self.refused::<CheckSmsVerifyCodeRequest, _>(&req.phone_number, req.to_params())?;
        let phone = param(&params, "PhoneNumber");
        let permit = guard.check_permit(phone, param_opt(&params, "CountryCode")).await;
        let permit = self.refused::<CheckSmsVerifyCodeRequest, _>(phone, permit)?;
        let result = self.execute(req, GuardDecision::Allowed).await;
        match &result {
            Ok(r) if r.passed() => permit.passed().await,
            Ok(_) => permit.failed(),
            // No answer about the code reached the caller, so it is not a wrong guess.
            Err(_) => permit.refund().await,
        }
        result
    }

    /// A snapshot of this client's counters (shared by its clones) since it was built.
    pub fn stats(&self) -> ClientStats {
        self.inner.counters.snapshot()
    }

    /// The abuse guard, when one is set.
    pub fn guard(&self) -> Option<&Guard> {
        self.inner.guard.as_ref()
    }

    /// `SendSmsVerifyCode` exactly as given (no defaults applied, and not guarded).
    pub async fn send_sms_verify_code(&self, req: SendSmsVerifyCodeRequest) -> Result<SendSmsVerifyCodeResponse> {
        self.execute(req, GuardDecision::NotGuarded).await
    }

    /// `CheckSmsVerifyCode` exactly as given (no defaults applied, and not guarded).
    pub async fn check_sms_verify_code(&self, req: CheckSmsVerifyCodeRequest) -> Result<CheckSmsVerifyCodeResponse> {
        self.execute(req, GuardDecision::NotGuarded).await
    }

    /// Pass `result` through; an error (bad input, a guard refusal) before anything was sent
    /// still makes one event for the call.
    fn refused<O: Operation, T>(&self, phone: &str, result: Result<T>) -> Result<T>
    where
        O::Response: Summarize,
    {
        if let Err(e) = &result {
            self.inner.finish::<O::Response>(self.inner.scope(O::ACTION, phone, GuardDecision::NotGuarded), Err(e));
        }
        result
    }

    async fn execute<O: Operation + 'static>(&self, op: O, guard: GuardDecision) -> Result<O::Response>
    where
        O::Response: Summarize,
    {
        use tracing::Instrument;
        // Validate on the caller's side so bad input fails without touching the runtime.
        let params = op.params();
        let phone = params.as_ref().map(|p| param(p, "PhoneNumber")).unwrap_or_default();
        let mut scope = self.inner.scope(O::ACTION, phone, guard);
        let result = match params {
            Err(e) => Err(e),
            Ok(params) => {
                let inner = Arc::clone(&self.inner);
                let call = async move {
                    let mut attempts = Attempts::default();
                    let result = inner.call::<O>(params, &mut attempts).await;
                    (result, attempts)
                };
                match crate::runtime::spawn(call.instrument(scope.span.clone())).await {
                    Ok((result, attempts)) => {
                        scope.attempts(attempts);
                        result
                    }
                    Err(e) => Err(e),
                }
            }
        };
        self.inner.finish(scope, result.as_ref());
        result
    }
}

fn param_opt<'a>(params: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
}

fn param<'a>(params: &'a [(&'static str, String)], name: &str) -> &'a str {
    param_opt(params, name).unwrap_or_default()
}
