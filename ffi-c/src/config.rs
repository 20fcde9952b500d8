//! `smsauth_config_builder`: a client's options, set one by one. Each
//! setter hands its value to the core's option table (`ClientBuilder::set_option`, converted by the option's kind), so
//! values are checked by the core, at the setter (a value on its own) or at `smsauth_config_builder_build()` (rules
//! between options).

use std::ffi::c_char;
use std::time::Duration;

use smsauth::guard::Guard;
use smsauth::{ClientBuilder, EventListener, FieldValue, OptionKind, OptionValue};

use crate::boundary::{FfiResult, exports, try_mut, try_ref};
use crate::guard::smsauth_guard_config;
use crate::request::FieldArg;

/// Options for a client, set one by one, then turned into a client by `smsauth_config_builder_build()`. Options added
/// in later versions get new setters, so code written against this header keeps compiling and linking.
///
/// Not synchronised: use one builder from one thread at a time (building clients from it on several threads at once is
/// fine as long as nobody calls a setter meanwhile).
pub struct smsauth_config_builder {
    /// The core's builder: every setter hands its value to its option table (`ClientBuilder::set_option`).
    inner: ClientBuilder,
    pub(crate) on_event: Option<EventListener>,
}

impl std::fmt::Debug for smsauth_config_builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("smsauth_config_builder").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl smsauth_config_builder {
    pub(crate) fn to_client(&self) -> smsauth::Result<smsauth::Client> {
        match self.on_event.clone() {
            Some(listener) => self.inner.clone().on_event(move |e| listener(e)).build(),
            None => self.inner.clone().build(),
        }
    }

    /// Set the core option `name` to the C argument `value` of the parameter `arg`, converted by the option's kind:
    /// a string as text (PEM too; NULL unsets where the setter allows it), `u64` milliseconds as a duration, other
    /// numbers as numbers (wire enums by their numbers), flags as booleans. The core checks the value.
    fn set(&mut self, name: &'static str, arg: &'static str, value: impl FieldArg, nullable: bool) -> FfiResult {
        let kind = ClientBuilder::option(name).map(|o| o.kind);
        // SAFETY: the header's contract for a string parameter (see `boundary`).
        let value = if value.is_null() && nullable { None } else { Some(unsafe { value.value(arg) }?) };
        let value = value.map(|v| match (kind, v) {
            (Some(OptionKind::Duration), FieldValue::Unsigned(ms)) => OptionValue::Duration(Duration::from_millis(ms)),
            (_, v) => v.into(),
        });
        self.inner.set_option(name, value)?;
        Ok(())
    }
}

/// Setters of one option each: `fn name(arg: T) => "core option";` (add `or NULL` where a NULL string unsets it), among
/// other exports written out (`fn name(args) { body }`).
macro_rules! option_setters {
    () => {};
    ($(#[$m:meta])* fn $name:ident($($a:ident: $t:ty),* $(,)?) $body:block $($rest:tt)*) => {
        exports! { $(#[$m])* fn $name($($a: $t),*) $body }
        option_setters!($($rest)*);
    };
    ($(#[$m:meta])* fn $name:ident($arg:ident: $t:ty) => $option:literal $(or $null:ident)?; $($rest:tt)*) => {
        exports! {
            $(#[$m])*
            fn $name(builder: *mut smsauth_config_builder, $arg: $t) {
                try_mut!(builder).set($option, stringify!($arg), $arg, option_setters!(@null $($null)?))?;
            }
        }
        option_setters!($($rest)*);
    };
    (@null) => { false };
    (@null $null:ident) => { true };
}

exports! {
    /// A new builder with every option at its default: without an AccessKey (and without
    /// `smsauth_config_builder_set_profile()` / `_set_role_arn()`), credentials come from Alibaba Cloud's default chain
    /// (`ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN`, an OIDC role, the CLI profile, the credentials
    /// file, the ECS RAM role, a credentials URI); endpoint `dypnsapi.aliyuncs.com` over https, V3 signatures, timeouts
    /// 5 s connect / 10 s read / 30 s total, 3 attempts (only when a retry can never send a second SMS), no request
    /// defaults. Free it with `smsauth_config_builder_free()`. NULL only on an internal failure.
    fn smsauth_config_builder_new() -> *mut smsauth_config_builder {
        Box::into_raw(Box::new(smsauth_config_builder { inner: smsauth::Client::builder().binding("c"), on_event: None }))
    }
    /// Free a builder (clients built from it are not affected). NULL is a no-op. The secret and token it holds are
    /// wiped from memory.
    free smsauth_config_builder_free(builder: smsauth_config_builder);
}

option_setters! {
    /// Sign with this AccessKey pair (both must be non-empty; checked by `smsauth_config_builder_build()`). The strings
    /// are copied; the secret is kept in memory that is wiped when the builder is freed, and never appears in error
    /// messages.
    fn smsauth_config_builder_set_access_key(builder: *mut smsauth_config_builder, access_key_id: *const c_char, access_key_secret: *const c_char) {
        let b = try_mut!(builder);
        b.set("access_key_id", "access_key_id", access_key_id, false)?;
        b.set("access_key_secret", "access_key_secret", access_key_secret, false)?;
    }
    /// Add an STS security token to the AccessKey pair (temporary credentials). Handled like the secret: copied, wiped
    /// on free, never shown.
    fn smsauth_config_builder_set_security_token(security_token: *const c_char) => "security_token";
    /// Where to send requests: a host (`dypnsapi.aliyuncs.com`, https) or a URL `http(s)://host[:port]` (e.g. the
    /// emulator's `smsauth_emulator_endpoint()`). Checked by `smsauth_config_builder_build()`.
    fn smsauth_config_builder_set_endpoint(endpoint: *const c_char) => "endpoint";
    /// Force `"https"` or `"http"` for a bare-host endpoint (like the official SDKs' `Config.protocol`). Checked by
    /// `smsauth_config_builder_build()`.
    fn smsauth_config_builder_set_scheme(scheme: *const c_char) => "scheme";
    /// Signature scheme: one of `smsauth_signature_version` (default V3). Any other value is
    /// `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_config_builder_set_signature_version(version: u32) => "signature_version";
    /// Connect timeout in milliseconds (default 5000; 0 or more than 24 hours is `SMSAUTH_STATUS_INVALID_INPUT`).
    fn smsauth_config_builder_set_connect_timeout_ms(milliseconds: u64) => "connect_timeout";
    /// Read timeout in milliseconds: the longest wait for the next bytes of an answer (default 10000; 1 ms to 24 hours).
    fn smsauth_config_builder_set_read_timeout_ms(milliseconds: u64) => "read_timeout";
    /// Total deadline of one call in milliseconds, retries included (default 30000; 1 ms to 24 hours).
    fn smsauth_config_builder_set_timeout_ms(milliseconds: u64) => "timeout";
    /// Attempts per call, the first included (default 3; 1 disables retries; 0 is rejected by
    /// `smsauth_config_builder_build()`). Retries happen only when the request provably did not reach the service, or
    /// for checks after a 5xx — never in a way that could send a second SMS.
    fn smsauth_config_builder_set_max_attempts(attempts: u32) => "retry.max_attempts";
    /// Backoff before the first retry in milliseconds, doubled for each further one (default 100).
    fn smsauth_config_builder_set_initial_backoff_ms(milliseconds: u64) => "retry.initial_backoff";
    /// Upper bound of one backoff in milliseconds (default 2000).
    fn smsauth_config_builder_set_max_backoff_ms(milliseconds: u64) => "retry.max_backoff";
    /// The longest wait the service may ask for (`Retry-After`) that is honoured by waiting, in milliseconds (default
    /// 5000); a longer one fails the call with `SMSAUTH_STATUS_THROTTLED`.
    fn smsauth_config_builder_set_max_retry_after_ms(milliseconds: u64) => "retry.max_retry_after";
    /// Send through this proxy URL (`http://...`). Without it, `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` are honoured.
    /// Checked by `smsauth_config_builder_build()`.
    fn smsauth_config_builder_set_proxy(proxy_url: *const c_char) => "proxy";
    /// Ignore the proxy environment variables (connect directly).
    fn smsauth_config_builder_set_no_proxy(builder: *mut smsauth_config_builder) {
        try_mut!(builder).set("no_proxy", "no_proxy", true, false)?;
    }
    /// Also trust the CA certificates in this PEM text (a corporate proxy's, a test server's). The public Mozilla roots
    /// stay trusted; certificate checking cannot be turned off. Checked by `smsauth_config_builder_build()`.
    fn smsauth_config_builder_add_root_certificates_pem(pem: *const c_char) => "ca_certificates";
    /// Default `SignName` for sends (one of the console's preset signatures).
    fn smsauth_config_builder_set_sign_name(sign_name: *const c_char) => "sign_name";
    /// Default `TemplateCode` for sends (one of the console's preset templates).
    fn smsauth_config_builder_set_template_code(template_code: *const c_char) => "template_code";
    /// Default `TemplateParam` for sends: a JSON object where `"##code##"` marks the generated code, e.g.
    /// `{"code":"##code##","min":"5"}`. When unset, that object is used (with `min` from the valid time).
    fn smsauth_config_builder_set_template_param(template_param: *const c_char) => "template_param";
    /// Default `SchemeName` for sends and checks (at most 20 characters; the service's default is `默认方案`).
    fn smsauth_config_builder_set_scheme_name(scheme_name: *const c_char) => "scheme_name";
    /// Default `CountryCode` for sends and checks (the service supports `"86"` only, its default).
    fn smsauth_config_builder_set_country_code(country_code: *const c_char) => "country_code";
    /// Default `CodeType` for sends: one of `smsauth_code_type` (1–7); any other value is
    /// `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_config_builder_set_code_type(code_type: u32) => "code_type";
    /// Default `CodeLength` for sends (4–8; checked when sending).
    fn smsauth_config_builder_set_code_length(code_length: u32) => "code_length";
    /// Default `ValidTime` for sends: seconds a code stays valid (service default 300; must be > 0).
    fn smsauth_config_builder_set_valid_time(seconds: u64) => "valid_time";
    /// Default `Interval` for sends: seconds before another code may be sent to the same number (service default 60;
    /// must be > 0).
    fn smsauth_config_builder_set_interval(seconds: u64) => "interval";
    /// Default `DuplicatePolicy` for sends: one of `smsauth_duplicate_policy`; any other value is
    /// `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_config_builder_set_duplicate_policy(policy: u32) => "duplicate_policy";
    /// Default `CaseAuthPolicy` for checks: one of `smsauth_case_auth_policy`; any other value is
    /// `SMSAUTH_STATUS_INVALID_INPUT`.
    fn smsauth_config_builder_set_case_auth_policy(policy: u32) => "case_auth_policy";
    /// Use the named profile's credentials instead of the default chain: the Alibaba Cloud CLI's
    /// `~/.aliyun/config.json` first, then the credentials file (`ALIBABA_CLOUD_CREDENTIALS_FILE` or
    /// `~/.alibabacloud/credentials`), whatever its type (AccessKey, STS, RAM role, ECS role, ...). The profile is read
    /// at the first request (and re-read when its temporary credentials expire); a missing profile is then
    /// `SMSAUTH_STATUS_CREDENTIALS` naming the files looked at.
    ///
    /// With `smsauth_config_builder_set_role_arn()`, the profile supplies the source credentials that assume the role
    /// instead. `smsauth_config_builder_build()` fails with `SMSAUTH_STATUS_INVALID_INPUT` (field `profile`) for an
    /// empty name, or when an AccessKey is set too (one source only); an STS token without an AccessKey fails the same
    /// way (field `security_token`). These rules are the core's `CredentialsConfig`, shared by every language.
    fn smsauth_config_builder_set_profile(profile: *const c_char) => "profile";
    /// Use temporary credentials of the RAM role `role_arn` (`acs:ram::<account id>:role/<name>`), obtained with STS
    /// `AssumeRole`, cached and refreshed before they expire. The role is assumed with the AccessKey of
    /// `smsauth_config_builder_set_access_key()` if set, else with the profile of
    /// `smsauth_config_builder_set_profile()` if set, else with whatever the default chain finds. STS is asked at the
    /// first request; a refusal is `SMSAUTH_STATUS_CREDENTIALS` with STS's answer in the message. The STS endpoint and
    /// region come from `smsauth_config_builder_set_sts_region()` / `_set_sts_endpoint()`, else
    /// `ALIBABA_CLOUD_STS_ENDPOINT` / `ALIBABA_CLOUD_STS_REGION` (default `sts.aliyuncs.com`).
    ///
    /// `role_session_name` may be NULL (default `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else `smsauth-<unix seconds>`);
    /// `duration_seconds` is 900–43200, or 0 for the default (3600). An empty ARN or a bad duration is reported by
    /// `smsauth_config_builder_build()` (`SMSAUTH_STATUS_INVALID_INPUT` / `SMSAUTH_STATUS_CREDENTIALS`).
    fn smsauth_config_builder_set_role_arn(builder: *mut smsauth_config_builder, role_arn: *const c_char, role_session_name: *const c_char, duration_seconds: u32) {
        let b = try_mut!(builder);
        b.set("role_arn", "role_arn", role_arn, false)?;
        b.set("role_session_name", "role_session_name", role_session_name, true)?;
        let duration = (duration_seconds > 0).then_some(OptionValue::Unsigned(duration_seconds.into()));
        b.inner.set_option("role_duration_seconds", duration)?;
    }
    /// With `smsauth_config_builder_set_role_arn()`: a policy (JSON) that narrows the role's permissions for these
    /// credentials. NULL removes it.
    fn smsauth_config_builder_set_role_policy(policy: *const c_char) => "role_policy" or NULL;
    /// With `smsauth_config_builder_set_role_arn()`: the external ID the role's trust policy may require. NULL removes
    /// it.
    fn smsauth_config_builder_set_role_external_id(external_id: *const c_char) => "role_external_id" or NULL;
    /// With `smsauth_config_builder_set_role_arn()`: the STS region to ask, e.g. `"cn-hangzhou"` (default
    /// `ALIBABA_CLOUD_STS_REGION`). NULL goes back to the default.
    fn smsauth_config_builder_set_sts_region(region: *const c_char) => "sts_region" or NULL;
    /// With `smsauth_config_builder_set_role_arn()`: the STS host or URL to ask (default `ALIBABA_CLOUD_STS_ENDPOINT`,
    /// the region's, else `sts.aliyuncs.com`). NULL goes back to the default.
    fn smsauth_config_builder_set_sts_endpoint(endpoint: *const c_char) => "sts_endpoint" or NULL;
    /// Guard every `smsauth_send_code*` and `smsauth_check_code*` call of clients built from this builder with the
    /// abuse guard `config` (see `smsauth_guard_config`): a refused call fails with `SMSAUTH_STATUS_GUARD_DENIED`
    /// before any network call, `smsauth_error_guard_rule()` names the rule and `smsauth_error_retry_after_ms()` says
    /// when it allows again.
    ///
    /// The guard is created here from a copy of `config` (which may be freed right after), keeping its counters in
    /// memory: every client built from this builder afterwards shares those counters; call this again for a fresh
    /// guard. Replaces any earlier guard. Fails with `SMSAUTH_STATUS_INVALID_INPUT` if the configuration cannot be used
    /// (a Redis URL: this library has no Redis support).
    fn smsauth_config_builder_set_guard(builder: *mut smsauth_config_builder, config: *const smsauth_guard_config) {
        let (b, config) = (try_mut!(builder), try_ref!(config));
        let guard = Guard::new(config.inner.clone())?;
        b.inner = b.inner.clone().guard(guard);
    }
}
