//! # smsauth-emulator
//!
//! An offline emulator of Alibaba Cloud SMS Auth (Dypnsapi 2017-05-25: `SendSmsVerifyCode` and
//! `CheckSmsVerifyCode`) on `127.0.0.1`, for tests and demos: no account, no network, no SMS.
//!
//! It answers like the real service — signatures (V1 and V3) are verified with
//! [`smsauth::sign::Verifier`], gateway errors have the real JSON shape and HTTP status, business
//! failures such as `biz.FREQUENCY` come back as HTTP 200 with `Success: false`, only the
//! console's preset signatures and templates are accepted and the documented flow control applies
//! ([`Config::lenient`] turns those off) — and adds what
//! tests need: an outbox of the messages "sent", a controllable clock, fault injection and STS
//! credentials. The same controls are available over HTTP under `/_emulator/…` (see the crate's
//! `README.md`), so any SDK in any language can use it in server mode (`smsauth emulator`).
//!
//! ```
//! use smsauth_emulator::Emulator;
//!
//! # fn main() -> smsauth::Result<()> {
//! let emu = Emulator::start()?; // 127.0.0.1:<ephemeral port>, key pair testid / testsecret
//! let client = smsauth::blocking::Client::from_async(
//!     smsauth::Client::builder()
//!         .access_key(emu.access_key_id(), emu.access_key_secret())
//!         .endpoint(emu.endpoint())
//!         .sign_name("速通互联验证码")
//!         .template_code("100001")
//!         .build()?,
//! );
//! client.send_code("13800138000")?;
//! let code = emu.last_code("13800138000").expect("a code was sent");
//! assert!(!client.check_code("13800138000", "0000a")?.passed());
//! assert!(client.check_code("13800138000", &code)?.passed());
//! assert!(!client.check_code("13800138000", &code)?.passed(), "a code passes once");
//! # Ok(()) }
//! ```

mod call;
mod clock;
mod connection;
mod fault;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod metadata;
mod options;
mod server;
mod service;
pub mod sts;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use smsauth::{Error, ErrorKind};

pub use call::{Answer, OPERATIONS};
pub use connection::ConnectionLimits;
pub use fault::{FAULT_ACTIONS, Fault, FaultKind};
pub use options::{EMULATOR_OPTIONS, FAULT_FIELDS, FAULT_KINDS, OptionKind};

/// The AccessKey ID every emulator accepts unless configured otherwise.
pub const DEFAULT_ACCESS_KEY_ID: &str = "testid";
/// The secret of [`DEFAULT_ACCESS_KEY_ID`].
pub const DEFAULT_ACCESS_KEY_SECRET: &str = "testsecret";
/// The scheme used when a request names none (the console's default scheme).
pub const DEFAULT_SCHEME_NAME: &str = "默认方案";

/// The system signatures the console gives individual developers (no application needed), the
/// default [`Config::signatures`]. Source: the product guide ("平台提供多个可选的系统签名") and
/// the SendSmsVerifyCode reference ("系统赠送签名必须搭配系统赠送模板使用") say presets exist; the
/// names are the ones the console lists, as published in third-party integrations (e.g. Logto's
/// Aliyun connector) — see the fidelity table in the crate's README.
pub const PRESET_SIGNATURES: [&str; 5] =
    ["云渚科技验证平台", "云渚科技验证服务", "速通互联验证码", "速通互联验证平台", "速通互联验证服务"];

/// Flow control per (phone number, `SignName`): at most this many sends in any rolling window,
/// counted when a send is accepted. The defaults are the documented ones (1 a minute, 5 an
/// hour, 10 a day; answered with `isv.BUSINESS_LIMIT_CONTROL`). A limit of 0 turns that window
/// off.
///
/// ```
/// let f = smsauth_emulator::FlowControl::default();
/// assert_eq!((f.per_minute, f.per_hour, f.per_day), (1, 5, 10));
/// assert_eq!(smsauth_emulator::FlowControl::OFF.per_day, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowControl {
    /// Sends in any 60 s. Default 1.
    pub per_minute: u32,
    /// Sends in any 3 600 s. Default 5.
    pub per_hour: u32,
    /// Sends in any 86 400 s. Default 10.
    pub per_day: u32,
}

impl FlowControl {
    /// No flow-control window.
    pub const OFF: FlowControl = FlowControl { per_minute: 0, per_hour: 0, per_day: 0 };
}

impl Default for FlowControl {
    fn default() -> Self {
        FlowControl { per_minute: 1, per_hour: 5, per_day: 10 }
    }
}

/// The business codes (HTTP 200, `Success: false`) that refuse a send whose signature or
/// template is not a preset, or whose `TemplateParam` lacks a template variable. Dypnsapi does
/// not document these cases; the defaults are the codes Alibaba's SMS service documents for the
/// same conditions (our choice, so they are configurable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusalCodes {
    /// `SignName` not in [`Config::signatures`]. Default `isv.SMS_SIGNATURE_ILLEGAL`.
    pub signature: String,
    /// `TemplateCode` not in [`Config::templates`]. Default `isv.SMS_TEMPLATE_ILLEGAL`.
    pub template: String,
    /// `TemplateParam` without a `${name}` the template uses. Default
    /// `isv.TEMPLATE_MISSING_PARAMETERS`.
    pub missing_variable: String,
}

impl Default for RefusalCodes {
    fn default() -> Self {
        RefusalCodes {
            signature: "isv.SMS_SIGNATURE_ILLEGAL".into(),
            template: "isv.SMS_TEMPLATE_ILLEGAL".into(),
            missing_variable: "isv.TEMPLATE_MISSING_PARAMETERS".into(),
        }
    }
}

/// How an emulator behaves. Every field is public; start from [`Config::default`].
///
/// ```
/// let config = smsauth_emulator::Config { daily_limit: 3, seed: Some(7), ..Default::default() };
/// assert_eq!(config.max_wrong_tries, 5);
/// assert_eq!(config.accounts[0].0, "testid");
/// ```
#[derive(Clone)]
pub struct Config {
    /// TCP port on 127.0.0.1; 0 (the default) picks a free one.
    pub port: u16,
    /// Accepted AccessKey pairs `(id, secret)`; the first is the one [`Emulator::access_key_id`]
    /// reports. Default: [`DEFAULT_ACCESS_KEY_ID`] / [`DEFAULT_ACCESS_KEY_SECRET`].
    pub accounts: Vec<(String, String)>,
    /// `false` (the default): production-faithful. `true` turns off the rules a unit test that
    /// only wants a code back does not care about — preset signatures and templates (any
    /// `SignName` and `TemplateCode` is accepted and a missing template variable stays `${name}`
    /// in the text), the [`flow_control`](Self::flow_control) windows and the
    /// [`daily_limit`](Self::daily_limit). Parameter checks, `Interval`, signatures and
    /// credentials are still enforced. See [`Config::lenient`].
    pub lenient: bool,
    /// Wrong checks after which a code is void (undocumented by the service; we choose 5).
    /// `u32::MAX` effectively turns the rule off.
    pub max_wrong_tries: u32,
    /// Codes sent to one phone number per day (China time, UTC+8) across all signatures before
    /// `isv.BUSINESS_LIMIT_CONTROL`. Default 10.
    pub daily_limit: u32,
    /// The documented flow control per (number, signature); see [`FlowControl`].
    pub flow_control: FlowControl,
    /// The `SignName`s a send may use. Default [`PRESET_SIGNATURES`]; add your own for an
    /// account that has more.
    pub signatures: BTreeSet<String>,
    /// Codes refusing a non-preset signature or template or a missing template variable.
    pub refusal_codes: RefusalCodes,
    /// `true` (the default): a `PhoneNumber` written `86` + the 11-digit number (the form in
    /// the English SDK examples) or `+86…` is read as the 11-digit number. `false` refuses it
    /// with `isv.MOBILE_NUMBER_ILLEGAL`.
    pub accept_86_prefix: bool,
    /// Accepted clock skew of a request's timestamp, either way (inclusive). Default 15 minutes,
    /// at most 24 hours (`start_with` refuses more).
    pub timestamp_window: Duration,
    /// `true` (the default): a code that passed cannot pass again. Undocumented by the service;
    /// this is the safe choice.
    pub consume_on_pass: bool,
    /// Seed for the random source of codes, ids and fault probabilities: the same seed gives
    /// the same codes. `None` (the default) seeds from the OS.
    pub seed: Option<u64>,
    /// The emulated clock's start (Unix seconds); `None` (the default) is the real time.
    pub start_time: Option<u64>,
    /// `true` (the default): request timestamps are checked against the emulated clock, so
    /// advancing it more than [`timestamp_window`](Self::timestamp_window) makes requests signed
    /// with the real time `InvalidTimeStamp.Expired`, as a skewed clock would. `false` checks
    /// them against the real clock.
    pub verify_with_emulated_clock: bool,
    /// The templates a send may use: message text by `TemplateCode`, with `${name}` variables
    /// filled from `TemplateParam` (every variable must be given). Default: the console's preset
    /// verification-code templates 100001–100005. In [lenient](Self::lenient) mode other codes
    /// are accepted and rendered generically.
    pub templates: BTreeMap<String, String>,
    /// The outbox keeps at most this many messages (oldest dropped first). Default 10 000.
    pub max_messages: usize,
    /// Live nonces remembered for replay protection. A live nonce is never forgotten: when the
    /// store is full, new requests get `Throttling.User` (HTTP 429) until nonces expire.
    /// Default 200 000.
    pub nonce_capacity: usize,
    /// At most this many live nonces per AccessKey ID (default none), so one key cannot fill
    /// the store for the others.
    pub nonce_per_key_quota: Option<usize>,
    /// Host names a request may be signed for besides the loopback ones (`127.0.0.1`,
    /// `localhost`, `[::1]`, any port, so loopback proxies work), e.g. the name a remote proxy
    /// is reached by (`name:*` for any port). A request signed for any other host is refused
    /// with `SignatureDoesNotMatch`.
    pub hosts: Vec<String>,
    /// Print one line per request to stderr (server mode).
    pub log_requests: bool,
    /// Threads serving requests; 0 (the default) means one per CPU, at most 4.
    pub worker_threads: usize,
    /// Timeouts and the cap on open HTTP connections, so that no client can hold the server
    /// open: see [`ConnectionLimits`] for each bound and its default.
    pub connections: ConnectionLimits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 0,
            accounts: vec![(DEFAULT_ACCESS_KEY_ID.into(), DEFAULT_ACCESS_KEY_SECRET.into())],
            lenient: false,
            max_wrong_tries: 5,
            daily_limit: 10,
            flow_control: FlowControl::default(),
            signatures: PRESET_SIGNATURES.iter().map(|s| (*s).to_owned()).collect(),
            refusal_codes: RefusalCodes::default(),
            accept_86_prefix: true,
            timestamp_window: Duration::from_secs(15 * 60),
            consume_on_pass: true,
            seed: None,
            start_time: None,
            verify_with_emulated_clock: true,
            templates: default_templates(),
            max_messages: 10_000,
            nonce_capacity: 200_000,
            nonce_per_key_quota: None,
            hosts: Vec::new(),
            log_requests: false,
            worker_threads: 0,
            connections: ConnectionLimits::default(),
        }
    }
}

impl Config {
    /// [`Config::default`] with [`lenient`](Self::lenient) on: any signature and template, no
    /// flow control or daily total — for unit tests that only want a code back.
    ///
    /// ```
    /// let c = smsauth_emulator::Config::lenient();
    /// assert!(c.lenient);
    /// assert!(!smsauth_emulator::Config::default().lenient);
    /// ```
    pub fn lenient() -> Config {
        Config { lenient: true, ..Config::default() }
    }
}

fn default_templates() -> BTreeMap<String, String> {
    [
        ("100001", "您的验证码为${code}。尊敬的客户，以上验证码${min}分钟内有效，请注意保密，切勿告知他人。"),
        ("100002", "您正在修改绑定手机号，验证码为${code}，${min}分钟内有效，请勿泄露于他人！"),
        ("100003", "您正在重置密码，验证码为${code}，${min}分钟内有效，请勿泄露于他人！"),
        ("100004", "您正在绑定新手机号，验证码为${code}，${min}分钟内有效，请勿泄露于他人！"),
        ("100005", "您正在验证绑定手机号，验证码为${code}，${min}分钟内有效，请勿泄露于他人！"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.accounts.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Config")
            .field("port", &self.port)
            .field("accounts", &ids)
            .field("lenient", &self.lenient)
            .field("max_wrong_tries", &self.max_wrong_tries)
            .field("daily_limit", &self.daily_limit)
            .field("flow_control", &self.flow_control)
            .field("signatures", &self.signatures)
            .field("refusal_codes", &self.refusal_codes)
            .field("accept_86_prefix", &self.accept_86_prefix)
            .field("timestamp_window", &self.timestamp_window)
            .field("consume_on_pass", &self.consume_on_pass)
            .field("seed", &self.seed)
            .field("start_time", &self.start_time)
            .field("verify_with_emulated_clock", &self.verify_with_emulated_clock)
            .field("templates", &self.templates.len())
            .field("max_messages", &self.max_messages)
            .field("nonce_capacity", &self.nonce_capacity)
            .field("nonce_per_key_quota", &self.nonce_per_key_quota)
            .field("hosts", &self.hosts)
            .field("log_requests", &self.log_requests)
            .field("worker_threads", &self.worker_threads)
            .field("connections", &self.connections)
            .finish()
    }
}

/// One SMS the emulator "sent" (an outbox entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The 11-digit number it went to.
    pub phone_number: String,
    /// `CountryCode` (always `86`).
    pub country_code: String,
    /// `SchemeName` (default `默认方案`).
    pub scheme_name: String,
    /// `SignName`.
    pub sign_name: String,
    /// `TemplateCode`.
    pub template_code: String,
    /// The generated code; empty when `TemplateParam` had no `##code##` (a literal code is sent
    /// as-is and cannot be checked).
    pub code: String,
    /// The rendered text, `【SignName】…`.
    pub text: String,
    /// `BizId` of the send.
    pub biz_id: String,
    /// `OutId`, when given.
    pub out_id: Option<String>,
    /// Emulated Unix seconds when it was sent.
    pub sent_at: u64,
    /// Emulated Unix seconds when the code stops being valid (`sent_at + ValidTime`).
    pub expires_at: u64,
}

/// Temporary (STS) credentials issued by the emulator. `Debug` hides the secret and the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StsCredentials {
    /// The temporary AccessKey ID (`STS.…`).
    pub access_key_id: String,
    /// Its secret.
    pub access_key_secret: String,
    /// The token to send as `SecurityToken` / `x-acs-security-token`.
    pub security_token: String,
    /// Emulated Unix seconds after which the token is `InvalidSecurityToken.Expired`.
    pub expires_at: u64,
}

impl fmt::Debug for StsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("security_token", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A running emulator on `127.0.0.1`. It serves on its own thread and runtime, so it works from
/// plain threads and from inside any async runtime; dropping it (or [`stop`](Self::stop)) stops
/// the server.
pub struct Emulator {
    shared: Arc<service::Shared>,
    port: u16,
    shutdown: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator").field("endpoint", &self.endpoint()).finish()
    }
}

impl Emulator {
    /// Start with [`Config::default`].
    pub fn start() -> smsauth::Result<Emulator> {
        Emulator::start_with(Config::default())
    }

    /// Start with `config`.
    ///
    /// Fails with [`ErrorKind::InvalidInput`] for a config without accounts or with an empty key,
    /// and [`ErrorKind::Network`] when the port cannot be bound.
    pub fn start_with(config: Config) -> smsauth::Result<Emulator> {
        if config.accounts.is_empty() {
            return Err(Error::invalid_input("accounts", "at least one AccessKey pair is needed"));
        }
        if config.accounts.iter().any(|(id, secret)| id.trim().is_empty() || secret.is_empty()) {
            return Err(Error::invalid_input("accounts", "AccessKey IDs and secrets must not be empty"));
        }
        // The verifier's own rule for the window (at most 24 h), checked before anything starts.
        smsauth::sign::Verifier::new().window(config.timestamp_window)?;
        let listener = StdListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port))).map_err(|e| {
            Error::new(ErrorKind::Network, format!("could not listen on 127.0.0.1:{}: {e}", config.port))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::new(ErrorKind::Network, format!("could not read the listening address: {e}")))?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::new(ErrorKind::Network, format!("could not configure the listener: {e}")))?;
        let shared = Arc::new(service::Shared::new(config, port));
        let (tx, rx) = tokio::sync::watch::channel(false);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let server_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("smsauth-emulator-{port}"))
            .spawn(move || server::run(listener, server_shared, rx, ready_tx))
            .map_err(|e| Error::new(ErrorKind::Internal, format!("could not start the emulator thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Emulator { shared, port, shutdown: Some(tx), thread: Some(thread) }),
            Ok(Err(why)) => Err(Error::new(ErrorKind::Internal, format!("the emulator could not start: {why}"))),
            Err(_) => Err(Error::new(ErrorKind::Internal, "the emulator thread stopped while starting")),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The first configured AccessKey ID ([`DEFAULT_ACCESS_KEY_ID`] by default).
    pub fn access_key_id(&self) -> String {
        self.shared.config.accounts.first().map(|(id, _)| id.clone()).unwrap_or_default()
    }

    /// Its secret ([`DEFAULT_ACCESS_KEY_SECRET`] by default).
    pub fn access_key_secret(&self) -> String {
        self.shared.config.accounts.first().map(|(_, s)| s.clone()).unwrap_or_default()
    }

    /// Issue temporary credentials valid for `ttl` of emulated time.
    pub fn issue_sts(&self, ttl: Duration) -> StsCredentials {
        self.shared.issue_sts(ttl)
    }

    /// Issue temporary credentials valid for `ttl_seconds` of emulated time, at least 1: the
    /// entry point of every binding, so each refuses 0 (credentials expired when issued) with
    /// the same [`smsauth::ErrorKind::InvalidInput`] error on `ttl_seconds`.
    pub fn issue_sts_seconds(&self, ttl_seconds: u64) -> smsauth::Result<StsCredentials> {
        if ttl_seconds == 0 {
            return Err(smsauth::Error::invalid_input(
                "ttl_seconds",
                "must be at least 1: credentials valid for 0 s would be expired when issued",
            ));
        }
        Ok(self.issue_sts(Duration::from_secs(ttl_seconds)))
    }

    /// Every message in the outbox, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        self.shared.messages(None)
    }

    /// The messages sent to `phone` (written any way the client accepts, e.g. `+86 138…`),
    /// oldest first.
    pub fn messages_for(&self, phone: &str) -> Vec<Message> {
        self.shared.messages(Some(phone))
    }

    /// The newest generated code sent to `phone`.
    pub fn last_code(&self, phone: &str) -> Option<String> {
        self.shared.messages(Some(phone)).into_iter().rev().map(|m| m.code).find(|c| !c.is_empty())
    }

    /// Move the emulated clock forward (expiry, intervals, daily caps, STS tokens and — unless
    /// [`Config::verify_with_emulated_clock`] is off — request timestamps). Nothing sleeps.
    pub fn advance_clock(&self, seconds: u64) {
        self.shared.clock.advance(seconds);
    }

    /// Emulated Unix seconds.
    pub fn now(&self) -> u64 {
        self.shared.clock.now()
    }

    /// Forget the outbox, codes, frequency and daily limits, faults and nonces, set the clock
    /// back to its start and the [request count](Emulator::request_count) to zero. Accounts and
    /// issued STS credentials stay.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Inject a fault into the answers to matching requests (see [`Fault`]).
    pub fn add_fault(&self, fault: Fault) {
        self.shared.add_fault(fault);
    }

    /// Remove every fault.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// API requests received on `/` (valid or not, faulted or not) since the emulator started
    /// or was last [reset](Emulator::reset). Every binding returns this number as it is.
    pub fn request_count(&self) -> usize {
        self.shared.request_count()
    }

    /// Stop the server (same as dropping it).
    pub fn stop(self) {}
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
