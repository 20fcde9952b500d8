//! `smsauth_config_builder` and `smsauth_client`: configuration and the shared client handle.

use std::ffi::c_char;
use std::time::Duration;

use smsauth::credentials::{CredentialsConfig, RamRoleArnConfig};
use smsauth::guard::Guard;
use smsauth::{CaseAuthPolicy, CodeType, Defaults, DuplicatePolicy, RetryPolicy, Secret, SignatureVersion};

use crate::boundary::{FfiResult, Out, boundary, free, obj, obj_mut, opt_str_arg, str_arg};
use crate::error::{smsauth_error, smsauth_status};
use crate::guard::smsauth_guard_config;

/// Signature scheme, for `smsauth_config_builder_set_signature_version()` and `smsauth_sign()`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum smsauth_signature_version {
    /// RPC HMAC-SHA1 (`SignatureVersion=1.0`); the official SDKs' `signature_algorithm='v2'`.
    V1 = 1,
    /// ACS3-HMAC-SHA256, the default.
    V3 = 3,
}

/// `CodeType`: which characters a generated code uses.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // the values are for C (through the header); Rust receives plain numbers
pub enum smsauth_code_type {
    /// 1: digits only (the service default).
    Digits = 1,
    /// 2: upper-case letters.
    Upper = 2,
    /// 3: lower-case letters.
    Lower = 3,
    /// 4: upper- and lower-case letters.
    Letters = 4,
    /// 5: digits and upper-case letters.
    DigitsUpper = 5,
    /// 6: digits and lower-case letters.
    DigitsLower = 6,
    /// 7: digits and letters of both cases.
    Alphanumeric = 7,
}

/// `DuplicatePolicy`: what happens to an unexpired code when a new one is sent.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // the values are for C (through the header); Rust receives plain numbers
pub enum smsauth_duplicate_policy {
    /// 1: the new code replaces the old one (the service default).
    Overwrite = 1,
    /// 2: every unexpired code stays valid.
    Keep = 2,
}

/// `CaseAuthPolicy`: whether checking letters is case-sensitive.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // the values are for C (through the header); Rust receives plain numbers
pub enum smsauth_case_auth_policy {
    /// 1: case-insensitive (the service default).
    Insensitive = 1,
    /// 2: case-sensitive.
    Sensitive = 2,
}

pub(crate) fn signature_version(v: u32) -> FfiResult<SignatureVersion> {
    match v {
        v if v == smsauth_signature_version::V1 as u32 => Ok(SignatureVersion::V1),
        v if v == smsauth_signature_version::V3 as u32 => Ok(SignatureVersion::V3),
        other => Err(smsauth_error::invalid_input(
            "signature_version",
            format_args!("{other} is not a signature version; use SMSAUTH_SIGNATURE_VERSION_V1 (1) or _V3 (3)"),
        )),
    }
}

// The C enums carry the wire numbers; the core decides which numbers are valid.
pub(crate) fn code_type(v: u32) -> FfiResult<CodeType> {
    debug_assert_eq!(smsauth_code_type::Alphanumeric as i64, CodeType::Alphanumeric.value());
    Ok(CodeType::try_from(i64::from(v))?)
}

pub(crate) fn duplicate_policy(v: u32) -> FfiResult<DuplicatePolicy> {
    debug_assert_eq!(smsauth_duplicate_policy::Keep as i64, DuplicatePolicy::Keep.value());
    Ok(DuplicatePolicy::try_from(i64::from(v))?)
}

pub(crate) fn case_auth_policy(v: u32) -> FfiResult<CaseAuthPolicy> {
    debug_assert_eq!(smsauth_case_auth_policy::Sensitive as i64, CaseAuthPolicy::Sensitive.value());
    Ok(CaseAuthPolicy::try_from(i64::from(v))?)
}

/// Options for a client, set one by one, then turned into a client by
/// `smsauth_config_builder_build()`. Options added in later versions get new setters, so code
/// written against this header keeps compiling and linking.
///
/// Not synchronised: use one builder from one thread at a time (building clients from it on
/// several threads at once is fine as long as nobody calls a setter meanwhile).
#[derive(Debug, Default)]
pub struct smsauth_config_builder {
    credentials: CredentialsConfig,
    endpoint: Option<String>,
    scheme: Option<String>,
    signature_version: Option<SignatureVersion>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    proxy: Option<String>,
    no_proxy: bool,
    root_pems: Vec<Vec<u8>>,
    defaults: Defaults,
    guard: Option<Guard>,
}

/// An SMS Auth client: configuration, credentials and a connection pool.
///
/// Thread-safe: one client may be used by any number of threads at once (and should be: it
/// keeps connections alive). Free it with `smsauth_client_free()` once no thread is inside a
/// blocking call on it; calls started with an `_async` function keep what they need and may
/// still be running.
#[derive(Debug)]
pub struct smsauth_client {
    pub(crate) inner: smsauth::blocking::Client,
}

/// A new builder with every option at its default: without an AccessKey (and without
/// `smsauth_config_builder_set_profile()` / `_set_role_arn()`), credentials come from Alibaba
/// Cloud's default chain (`ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN`, an OIDC
/// role, the CLI profile, the credentials file, the ECS RAM role, a credentials URI);
/// endpoint `dypnsapi.aliyuncs.com` over https, V3 signatures, timeouts 5 s connect / 10 s read /
/// 30 s total, 3 attempts (only when a retry can never send a second SMS), no request defaults.
///
/// Free it with `smsauth_config_builder_free()`. Returns NULL only if the library failed
/// internally.
#[unsafe(no_mangle)]
pub extern "C" fn smsauth_config_builder_new() -> *mut smsauth_config_builder {
    boundary!(default: std::ptr::null_mut() => { Box::into_raw(Box::default()) })
}

/// Free a builder (clients built from it are not affected). NULL is a no-op. The secret and
/// token it holds are wiped from memory.
///
/// # Safety
/// `builder` is NULL or a builder from `smsauth_config_builder_new()`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_free(builder: *mut smsauth_config_builder) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(builder) } })
}

/// Run a setter: check the builder, then let `set` validate and store.
unsafe fn set(
    builder: *mut smsauth_config_builder,
    set: impl FnOnce(&mut smsauth_config_builder) -> FfiResult,
) -> FfiResult {
    // SAFETY: forwarded contract of every setter: NULL or a live builder used by one thread.
    set(unsafe { obj_mut(builder, "builder") }?)
}

/// Sign with this AccessKey pair (both must be non-empty; checked by
/// `smsauth_config_builder_build()`). The strings are copied; the secret is kept in memory that
/// is wiped when the builder is freed, and never appears in error messages.
///
/// # Safety
/// `builder` is NULL or a live builder; `access_key_id` and `access_key_secret` are NULL or
/// NUL-terminated strings; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_access_key(
    builder: *mut smsauth_config_builder,
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                let id = str_arg(access_key_id, "access_key_id")?;
                let secret = str_arg(access_key_secret, "access_key_secret")?;
                b.credentials.access_key_id = Some(id.to_owned());
                b.credentials.access_key_secret = Some(Secret::new(secret));
                Ok(())
            })
        }
    })
}

/// Add an STS security token to the AccessKey pair (temporary credentials). Handled like the
/// secret: copied, wiped on free, never shown.
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_security_token(
    builder: *mut smsauth_config_builder,
    security_token: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.credentials.security_token = Some(Secret::new(str_arg(security_token, "security_token")?));
                Ok(())
            })
        }
    })
}

/// Where to send requests: a host (`dypnsapi.aliyuncs.com`, https) or a URL
/// `http(s)://host[:port]` (e.g. the emulator's `smsauth_emulator_endpoint()`). Checked by
/// `smsauth_config_builder_build()`.
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_endpoint(
    builder: *mut smsauth_config_builder,
    endpoint: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.endpoint = Some(str_arg(endpoint, "endpoint")?.to_owned());
                Ok(())
            })
        }
    })
}

/// Force `"https"` or `"http"` for a bare-host endpoint (like the official SDKs'
/// `Config.protocol`). Checked by `smsauth_config_builder_build()`.
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_scheme(
    builder: *mut smsauth_config_builder,
    scheme: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.scheme = Some(str_arg(scheme, "scheme")?.to_owned());
                Ok(())
            })
        }
    })
}

/// Signature scheme: one of `smsauth_signature_version` (default V3). Any other value is
/// `SMSAUTH_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_signature_version(
    builder: *mut smsauth_config_builder,
    version: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.signature_version = Some(signature_version(version)?);
                Ok(())
            })
        }
    })
}

/// Connect timeout in milliseconds (default 5000; must be > 0, checked by
/// `smsauth_config_builder_build()`).
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_connect_timeout_ms(
    builder: *mut smsauth_config_builder,
    milliseconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.connect_timeout = Some(Duration::from_millis(milliseconds));
                Ok(())
            })
        }
    })
}

/// Read timeout in milliseconds: the longest wait for the next bytes of an answer (default
/// 10000; must be > 0).
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_read_timeout_ms(
    builder: *mut smsauth_config_builder,
    milliseconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.read_timeout = Some(Duration::from_millis(milliseconds));
                Ok(())
            })
        }
    })
}

/// Total deadline of one call in milliseconds, retries included (default 30000; must be > 0).
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_timeout_ms(
    builder: *mut smsauth_config_builder,
    milliseconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.timeout = Some(Duration::from_millis(milliseconds));
                Ok(())
            })
        }
    })
}

/// Attempts per call, the first included (default 3; 1 disables retries; 0 is rejected by
/// `smsauth_config_builder_build()`). Retries happen only when the request provably did not
/// reach the service, or for checks after a 5xx — never in a way that could send a second SMS.
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_max_attempts(
    builder: *mut smsauth_config_builder,
    attempts: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.retry.max_attempts = attempts;
                Ok(())
            })
        }
    })
}

/// Set one of the retry policy's durations in milliseconds; see the three setters below.
unsafe fn set_retry_ms(
    builder: *mut smsauth_config_builder,
    milliseconds: u64,
    field: fn(&mut RetryPolicy) -> &mut Duration,
) -> FfiResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(builder, |b| {
            *field(&mut b.retry) = Duration::from_millis(milliseconds);
            Ok(())
        })
    }
}

/// Backoff before the first retry in milliseconds, doubled for each further one (default 100).
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_initial_backoff_ms(
    builder: *mut smsauth_config_builder,
    milliseconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    // SAFETY: forwarded contract.
    boundary!(err => { unsafe { set_retry_ms(builder, milliseconds, |r| &mut r.initial_backoff) } })
}

/// Upper bound of one backoff in milliseconds (default 2000).
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_max_backoff_ms(
    builder: *mut smsauth_config_builder,
    milliseconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    // SAFETY: forwarded contract.
    boundary!(err => { unsafe { set_retry_ms(builder, milliseconds, |r| &mut r.max_backoff) } })
}

/// The longest wait the service may ask for (`Retry-After`) that is honoured by waiting, in
/// milliseconds (default 5000); a longer one fails the call with `SMSAUTH_STATUS_THROTTLED`.
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_max_retry_after_ms(
    builder: *mut smsauth_config_builder,
    milliseconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    // SAFETY: forwarded contract.
    boundary!(err => { unsafe { set_retry_ms(builder, milliseconds, |r| &mut r.max_retry_after) } })
}

/// Send through this proxy URL (`http://...`). Without it, `HTTPS_PROXY` / `HTTP_PROXY` /
/// `NO_PROXY` are honoured. Checked by `smsauth_config_builder_build()`.
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_proxy(
    builder: *mut smsauth_config_builder,
    proxy_url: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.proxy = Some(str_arg(proxy_url, "proxy_url")?.to_owned());
                Ok(())
            })
        }
    })
}

/// Ignore the proxy environment variables (connect directly).
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_no_proxy(
    builder: *mut smsauth_config_builder,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.no_proxy = true;
                Ok(())
            })
        }
    })
}

/// Also trust the CA certificates in this PEM text (a corporate proxy's, a test server's). The
/// public Mozilla roots stay trusted; certificate checking cannot be turned off. Checked by
/// `smsauth_config_builder_build()`.
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_add_root_certificates_pem(
    builder: *mut smsauth_config_builder,
    pem: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.root_pems.push(str_arg(pem, "pem")?.as_bytes().to_vec());
                Ok(())
            })
        }
    })
}

/// Default `SignName` for sends (one of the console's preset signatures).
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_sign_name(
    builder: *mut smsauth_config_builder,
    sign_name: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.sign_name = Some(str_arg(sign_name, "sign_name")?.to_owned());
                Ok(())
            })
        }
    })
}

/// Default `TemplateCode` for sends (one of the console's preset templates).
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_template_code(
    builder: *mut smsauth_config_builder,
    template_code: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.template_code = Some(str_arg(template_code, "template_code")?.to_owned());
                Ok(())
            })
        }
    })
}

/// Default `TemplateParam` for sends: a JSON object where `"##code##"` marks the generated code,
/// e.g. `{"code":"##code##","min":"5"}`. When unset, that object is used (with `min` from the
/// valid time).
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_template_param(
    builder: *mut smsauth_config_builder,
    template_param: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.template_param = Some(str_arg(template_param, "template_param")?.to_owned());
                Ok(())
            })
        }
    })
}

/// Default `SchemeName` for sends and checks (at most 20 characters; the service's default is
/// `默认方案`).
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_scheme_name(
    builder: *mut smsauth_config_builder,
    scheme_name: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.scheme_name = Some(str_arg(scheme_name, "scheme_name")?.to_owned());
                Ok(())
            })
        }
    })
}

/// Default `CountryCode` for sends and checks (the service supports `"86"` only, its default).
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_country_code(
    builder: *mut smsauth_config_builder,
    country_code: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.country_code = Some(str_arg(country_code, "country_code")?.to_owned());
                Ok(())
            })
        }
    })
}

/// Default `CodeType` for sends: one of `smsauth_code_type` (1–7); any other value is
/// `SMSAUTH_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_code_type(
    builder: *mut smsauth_config_builder,
    code_type: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.code_type = Some(self::code_type(code_type)?);
                Ok(())
            })
        }
    })
}

/// Default `CodeLength` for sends (4–8; checked when sending).
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_code_length(
    builder: *mut smsauth_config_builder,
    code_length: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.code_length = Some(code_length);
                Ok(())
            })
        }
    })
}

/// Default `ValidTime` for sends: seconds a code stays valid (service default 300; must be > 0).
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_valid_time(
    builder: *mut smsauth_config_builder,
    seconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.valid_time = Some(seconds);
                Ok(())
            })
        }
    })
}

/// Default `Interval` for sends: seconds before another code may be sent to the same number
/// (service default 60; must be > 0).
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_interval(
    builder: *mut smsauth_config_builder,
    seconds: u64,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.interval = Some(seconds);
                Ok(())
            })
        }
    })
}

/// Default `DuplicatePolicy` for sends: one of `smsauth_duplicate_policy`; any other value is
/// `SMSAUTH_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_duplicate_policy(
    builder: *mut smsauth_config_builder,
    policy: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.duplicate_policy = Some(duplicate_policy(policy)?);
                Ok(())
            })
        }
    })
}

/// Default `CaseAuthPolicy` for checks: one of `smsauth_case_auth_policy`; any other value is
/// `SMSAUTH_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `builder` is NULL or a live builder; `err` is NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_case_auth_policy(
    builder: *mut smsauth_config_builder,
    policy: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.defaults.case_auth_policy = Some(case_auth_policy(policy)?);
                Ok(())
            })
        }
    })
}

/// Use the named profile's credentials instead of the default chain: the Alibaba Cloud CLI's
/// `~/.aliyun/config.json` first, then the credentials file (`ALIBABA_CLOUD_CREDENTIALS_FILE` or
/// `~/.alibabacloud/credentials`), whatever its type (AccessKey, STS, RAM role, ECS role, ...).
/// The profile is read at the first request (and re-read when its temporary credentials
/// expire); a missing profile is then `SMSAUTH_STATUS_CREDENTIALS` naming the files looked at.
///
/// With `smsauth_config_builder_set_role_arn()`, the profile supplies the source credentials
/// that assume the role instead. `smsauth_config_builder_build()` fails with
/// `SMSAUTH_STATUS_INVALID_INPUT` (field `profile`) for an empty name, or when an AccessKey is
/// set too (one source only); an STS token without an AccessKey fails the same way (field
/// `security_token`). These rules are the core's `CredentialsConfig`, shared by every language.
///
/// # Safety
/// As for `smsauth_config_builder_set_access_key()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_profile(
    builder: *mut smsauth_config_builder,
    profile: *const c_char,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                b.credentials.profile = Some(str_arg(profile, "profile")?.to_owned());
                Ok(())
            })
        }
    })
}

/// Use temporary credentials of the RAM role `role_arn` (`acs:ram::<account id>:role/<name>`),
/// obtained with STS `AssumeRole`, cached and refreshed before they expire. The role is assumed
/// with the AccessKey of `smsauth_config_builder_set_access_key()` if set, else with the
/// profile of `smsauth_config_builder_set_profile()` if set, else with whatever the default
/// chain finds. STS is asked at the first request; a refusal is `SMSAUTH_STATUS_CREDENTIALS`
/// with STS's answer in the message. The STS endpoint and region come from
/// `ALIBABA_CLOUD_STS_ENDPOINT` / `ALIBABA_CLOUD_STS_REGION` (default `sts.aliyuncs.com`).
///
/// `role_session_name` may be NULL (default `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else
/// `smsauth-<unix seconds>`); `duration_seconds` is 900–43200, or 0 for the default (3600). An
/// empty ARN or a bad duration is reported by `smsauth_config_builder_build()`
/// (`SMSAUTH_STATUS_INVALID_INPUT` / `SMSAUTH_STATUS_CREDENTIALS`).
///
/// # Safety
/// `builder` is NULL or a live builder; `role_arn` is NULL or a NUL-terminated string;
/// `role_session_name` is NULL or a NUL-terminated string; `err` is NULL or points to a writable
/// `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_role_arn(
    builder: *mut smsauth_config_builder,
    role_arn: *const c_char,
    role_session_name: *const c_char,
    duration_seconds: u32,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                let arn = str_arg(role_arn, "role_arn")?;
                let session = opt_str_arg(role_session_name, "role_session_name")?;
                b.credentials.role = Some(RamRoleArnConfig {
                    role_arn: arn.to_owned(),
                    role_session_name: session.map(str::to_owned),
                    duration_seconds: (duration_seconds > 0).then_some(duration_seconds),
                    ..RamRoleArnConfig::default()
                });
                Ok(())
            })
        }
    })
}

/// Guard every `smsauth_send_code*` and `smsauth_check_code*` call of clients built from this
/// builder with the abuse guard `config` (see `smsauth_guard_config`): a refused call fails
/// with `SMSAUTH_STATUS_GUARD_DENIED` before any network call, `smsauth_error_guard_rule()`
/// names the rule and `smsauth_error_retry_after_ms()` says when it allows again.
///
/// The guard is created here from a copy of `config` (which may be freed right after), keeping
/// its counters in memory: every client built from this builder afterwards shares those
/// counters; call this again for a fresh guard. Replaces any earlier guard. Fails with
/// `SMSAUTH_STATUS_INVALID_INPUT` if the configuration cannot be used (a Redis URL: this library
/// has no Redis support).
///
/// # Safety
/// `builder` is NULL or a live builder; `config` is NULL or a live guard configuration; `err` is
/// NULL or points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_set_guard(
    builder: *mut smsauth_config_builder,
    config: *const smsauth_guard_config,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        unsafe {
            set(builder, |b| {
                let config = obj(config, "config")?;
                b.guard = Some(Guard::new(config.inner.clone())?);
                Ok(())
            })
        }
    })
}

impl smsauth_config_builder {
    fn to_client(&self) -> smsauth::Result<smsauth::Client> {
        let mut b = smsauth::Client::builder()
            .binding("c")
            .defaults(self.defaults.clone())
            .credentials_config(self.credentials.clone())
            .retry(self.retry);
        if let Some(guard) = &self.guard {
            b = b.guard(guard.clone());
        }
        if let Some(endpoint) = &self.endpoint {
            b = b.endpoint(endpoint.clone());
        }
        if let Some(scheme) = &self.scheme {
            b = b.scheme(scheme.clone());
        }
        if let Some(v) = self.signature_version {
            b = b.signature_version(v);
        }
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(t);
        }
        if let Some(t) = self.read_timeout {
            b = b.read_timeout(t);
        }
        if let Some(t) = self.timeout {
            b = b.timeout(t);
        }
        if let Some(p) = &self.proxy {
            b = b.proxy(p.clone());
        }
        if self.no_proxy {
            b = b.no_proxy();
        }
        for pem in &self.root_pems {
            b = b.add_root_certificates_pem(pem.clone());
        }
        b.build()
    }
}

/// Build a client from the builder's options. The builder is not consumed: free it with
/// `smsauth_config_builder_free()` (it may be reused to build more clients).
///
/// Fails with `SMSAUTH_STATUS_INVALID_INPUT` (bad endpoint, scheme, timeout, proxy, PEM, ...)
/// or `SMSAUTH_STATUS_CREDENTIALS` (an empty key part, or no AccessKey set and no source of
/// credentials configured at all; sources that need a network call, such as the ECS metadata
/// server, are asked at the first request instead). No network traffic happens here.
///
/// On success `*client_out` receives a new client, owned by the caller (free it with
/// `smsauth_client_free()`); on failure it is left untouched.
///
/// # Safety
/// `builder` is NULL or a live builder; `client_out` is NULL or writable; `err` is NULL or
/// points to a writable `smsauth_error *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_config_builder_build(
    builder: *const smsauth_config_builder,
    client_out: *mut *mut smsauth_client,
    err: *mut *mut smsauth_error,
) -> smsauth_status {
    boundary!(err => {
        // SAFETY: forwarded contract.
        let b = unsafe { obj(builder, "builder") }?;
        let out = Out::new(client_out, "client_out")?;
        let client = b.to_client()?;
        out.put(smsauth_client { inner: smsauth::blocking::Client::from_async(client) });
        Ok(())
    })
}

/// Free a client. NULL is a no-op. Calls started with `_async` functions finish normally (they
/// hold their own reference); no blocking call on this client may be running on another thread.
///
/// # Safety
/// `client` is NULL or a client from `smsauth_config_builder_build()`, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn smsauth_client_free(client: *mut smsauth_client) {
    // SAFETY: forwarded contract.
    boundary!(default: () => { unsafe { free(client) } })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_enums_carry_the_wire_numbers() {
        let pairs = [
            (smsauth_code_type::Digits as u32, CodeType::Digits),
            (smsauth_code_type::Upper as u32, CodeType::Upper),
            (smsauth_code_type::Lower as u32, CodeType::Lower),
            (smsauth_code_type::Letters as u32, CodeType::Letters),
            (smsauth_code_type::DigitsUpper as u32, CodeType::DigitsUpper),
            (smsauth_code_type::DigitsLower as u32, CodeType::DigitsLower),
            (smsauth_code_type::Alphanumeric as u32, CodeType::Alphanumeric),
        ];
        assert_eq!(pairs.len(), CodeType::ALL.len());
        for (c, core) in pairs {
            assert_eq!(code_type(c).unwrap(), core);
        }
        assert_eq!(duplicate_policy(smsauth_duplicate_policy::Overwrite as u32).unwrap(), DuplicatePolicy::Overwrite);
        assert_eq!(duplicate_policy(smsauth_duplicate_policy::Keep as u32).unwrap(), DuplicatePolicy::Keep);
        assert_eq!(
            case_auth_policy(smsauth_case_auth_policy::Insensitive as u32).unwrap(),
            CaseAuthPolicy::Insensitive
        );
        assert_eq!(case_auth_policy(smsauth_case_auth_policy::Sensitive as u32).unwrap(), CaseAuthPolicy::Sensitive);
        assert_eq!(signature_version(1).unwrap(), SignatureVersion::V1);
        assert_eq!(signature_version(3).unwrap(), SignatureVersion::V3);
        for bad in [0, 2, 4, u32::MAX] {
            assert_eq!(signature_version(bad).unwrap_err().status, smsauth_status::InvalidInput);
        }
        assert_eq!(code_type(8).unwrap_err().status, smsauth_status::InvalidInput);
    }
}
