//! `ClientOptions.guard`: the core's abuse guard ([`smsauth::guard`]) from a plain object, and
//! `ClientOptions.roleArn`. The structs here declare the TypeScript shapes; the values are read
//! property by property (for Node-style errors) straight into the core's config types.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use smsauth::credentials::RamRoleArnConfig;
use smsauth::{FailPolicy, GuardConfig, Limit, WrongCodeLimit};

use crate::args::{Fields, Name, string};
use crate::error;

/// The abuse guard (`new Client({ guard: { … } })`): limits checked before every
/// `sendCode` / `checkCode`, so a public "send me a code" form cannot bomb a phone, pump a number
/// range or run up the bill. A refusal rejects with `ERR_SMSAUTH_GUARD_DENIED` (`guardRule`
/// names the limit, `retryAfter` says in how many seconds it allows again) and nothing is sent.
/// `sendSmsVerifyCode` / `checkSmsVerifyCode` are not guarded.
///
/// `guard: {}` turns every rule on with its default; an empty array or `null` turns one off.
/// State is kept in this process's memory.
///
/// ```ts
/// const client = new Client({ guard: { client: [{ max: 5, windowSeconds: 3600 }], dailyBudget: 200 } })
/// await client.sendCode(phone, { clientKey: req.ip })
/// ```
#[napi(object, object_from_js = false, object_to_js = false)]
#[allow(dead_code)]
pub struct GuardOptions {
    /// Sends per phone number. Default 1 per 60 s, 5 per hour, 10 per 24 h (rule names
    /// `phone:1/60s`, …).
    #[napi(ts_type = "GuardLimit[] | null")]
    pub phone: Option<Vec<GuardLimit>>,
    /// Sends per client key (`sendCode(phone, { clientKey })`: the caller's IP address, device or
    /// session id). Default 10 per hour. Sends without a key skip this rule unless
    /// `requireClientKey` is set.
    #[napi(ts_type = "GuardLimit[] | null")]
    pub client: Option<Vec<GuardLimit>>,
    /// Refuse sends without a `clientKey` (`ERR_SMSAUTH_INVALID_INPUT`). Default `false`.
    pub require_client_key: Option<bool>,
    /// Sends per number prefix (the first `prefixDigits` digits). Default 30 per hour.
    #[napi(ts_type = "GuardLimit[] | null")]
    pub prefix: Option<Vec<GuardLimit>>,
    /// Digits of a prefix, 1 to 11. Default 7.
    pub prefix_digits: Option<u32>,
    /// At most this many sends in any 24 hours for the whole client (rule `budget:daily`).
    /// Default 1000; `null` turns it off.
    #[napi(ts_type = "number | null")]
    pub daily_budget: Option<u32>,
    /// The price of one SMS in your currency (e.g. `0.045`), for `dailyMoneyCap`.
    pub price_per_sms: Option<f64>,
    /// At most this much spent in any 24 hours (needs `pricePerSms`): the budget becomes
    /// `floor(dailyMoneyCap / pricePerSms)` sends, or `dailyBudget` if lower.
    pub daily_money_cap: Option<f64>,
    /// Wrong codes per phone number on check before the number is locked (rule
    /// `check:locked`). Default 5 within an hour, then locked for 15 minutes; `null` or
    /// `{ max: 0 }` turns it off.
    #[napi(ts_type = "WrongCodeOptions | null")]
    pub wrong_code: Option<WrongCodeOptions>,
    /// Only report: a call the guard would refuse goes through (a warning is logged). Use it to
    /// tune limits on real traffic before enforcing them. Default `false`.
    pub dry_run: Option<bool>,
    /// When the guard's store fails: `'closed'` refuses the call (rule `store:unavailable`, the
    /// default), `'open'` lets it through.
    #[napi(ts_type = "'closed' | 'open'")]
    pub on_store_error: Option<String>,
    /// Most keys the in-memory store keeps (at least 16). Default 100000.
    pub max_keys: Option<u32>,
}

/// One limit of the guard: at most `max` sends in any `windowSeconds` (a sliding window).
#[napi(object, object_from_js = false, object_to_js = false)]
#[allow(dead_code)]
pub struct GuardLimit {
    /// The most sends allowed in the window, 1 to 1000000.
    pub max: u32,
    /// The window in seconds, 1 to 2678400 (31 days).
    pub window_seconds: u32,
}

/// The guard's wrong-code lock (`GuardOptions.wrongCode`). Unset fields keep their defaults.
#[napi(object, object_from_js = false, object_to_js = false)]
#[allow(dead_code)]
pub struct WrongCodeOptions {
    /// Wrong codes allowed before the lock (the last of them still gets its answer); 0 turns
    /// the rule off. Default 5.
    pub max: Option<u32>,
    /// How long a wrong code counts, in seconds. Default 3600.
    pub window_seconds: Option<u32>,
    /// How long the lock lasts, in seconds. Default 900.
    pub lock_seconds: Option<u32>,
}

/// `ClientOptions.roleArn`: assume a RAM role with STS `AssumeRole`, signed with the client's
/// `accessKeyId`/`accessKeySecret`, else the `profile`'s credentials, else the default chain's.
#[napi(object, object_from_js = false, object_to_js = false)]
#[allow(dead_code)]
pub struct RoleArnOptions {
    /// `acs:ram::<account id>:role/<role name>`.
    pub arn: String,
    /// Role session name (2–64 of `A-Za-z0-9.@-_`). Default `ALIBABA_CLOUD_ROLE_SESSION_NAME`,
    /// else `smsauth-<unix seconds>`.
    pub session_name: Option<String>,
    /// Lifetime of the temporary credentials, 900–43200 s. Default 3600.
    pub duration_seconds: Option<u32>,
    /// A policy (JSON) narrowing the role's permissions.
    pub policy: Option<String>,
    /// The external ID the role's trust policy may require.
    pub external_id: Option<String>,
    /// STS host or URL. Default `ALIBABA_CLOUD_STS_ENDPOINT`, the region's, else
    /// `sts.aliyuncs.com`.
    pub sts_endpoint: Option<String>,
    /// STS region, e.g. `cn-hangzhou`. Default `ALIBABA_CLOUD_STS_REGION`.
    pub sts_region: Option<String>,
}

fn invalid(env: &Env, field: &'static str, problem: impl std::fmt::Display) -> Error {
    error::core_error(env, &smsauth::Error::invalid_input(field, problem))
}

fn limits(f: &mut Fields<'_>, key: &'static str, item: &'static str) -> Result<Option<Vec<Limit>>> {
    let env = f.env();
    let Some(v) = f.get(key)? else {
        // `null` turns the rule off; absent keeps the default.
        return Ok(if f.is_null(key)? { Some(Vec::new()) } else { None });
    };
    if !v.is_array()? {
        return Err(error::type_error(
            env,
            format!("The \"options.guard.{key}\" property must be an array of {{ max, windowSeconds }}"),
        ));
    }
    let arr: Array<'_> = unsafe { v.cast()? };
    let mut out = Vec::with_capacity(arr.len() as usize);
    for i in 0..arr.len() {
        let el: Unknown<'_> = arr.get_element(i)?;
        let mut l = Fields::required(env, item, el)?;
        let max = required_u32(&mut l, item, "max")?;
        let window = required_u32(&mut l, item, "windowSeconds")?;
        l.finish()?;
        out.push(Limit::new(max, u64::from(window)));
    }
    Ok(Some(out))
}

fn required_u32(f: &mut Fields<'_>, obj: &'static str, key: &'static str) -> Result<u32> {
    match f.u32(key)? {
        Some(n) => Ok(n),
        None => Err(error::type_error(
            f.env(),
            format!("The \"{obj}.{key}\" property must be of type number. Received undefined"),
        )),
    }
}

/// Read `options.guard` into the core's config (validated by the core when the guard is built).
pub(crate) fn read_guard(env: &Env, v: Unknown<'_>) -> Result<GuardConfig> {
    let mut f = Fields::required(env, "options.guard", v)?;
    let mut c = GuardConfig::default();
    if let Some(l) = limits(&mut f, "phone", "options.guard.phone[]")? {
        c.phone = l;
    }
    if let Some(l) = limits(&mut f, "client", "options.guard.client[]")? {
        c.client = l;
    }
    if let Some(b) = f.boolean("requireClientKey")? {
        c.require_client_key = b;
    }
    if let Some(l) = limits(&mut f, "prefix", "options.guard.prefix[]")? {
        c.prefix = l;
    }
    if let Some(n) = f.u32("prefixDigits")? {
        c.prefix_digits = n;
    }
    let budget_null = f.is_null("dailyBudget")?;
    match f.u32("dailyBudget")? {
        Some(n) => c.daily_budget = Some(n),
        None if budget_null => c.daily_budget = None,
        None => {}
    }
    c.price_per_sms = f.number("pricePerSms")?;
    c.daily_money_cap = f.number("dailyMoneyCap")?;
    let wrong_null = f.is_null("wrongCode")?;
    match f.get("wrongCode")? {
        Some(w) => {
            let mut w = Fields::required(env, "options.guard.wrongCode", w)?;
            let d = WrongCodeLimit::default();
            c.wrong_code = WrongCodeLimit {
                max_wrong: w.u32("max")?.unwrap_or(d.max_wrong),
                window_seconds: w.u32("windowSeconds")?.map_or(d.window_seconds, u64::from),
                lockout_seconds: w.u32("lockSeconds")?.map_or(d.lockout_seconds, u64::from),
            };
            w.finish()?;
        }
        None if wrong_null => c.wrong_code.max_wrong = 0,
        None => {}
    }
    if let Some(b) = f.boolean("dryRun")? {
        c.dry_run = b;
    }
    if let Some(p) = f.string("onStoreError")? {
        c.on_store_error = p.parse::<FailPolicy>().map_err(|e| error::core_error(env, &js_names(e)))?;
    }
    if let Some(n) = f.u32("maxKeys")? {
        c.max_keys = n as usize;
    }
    if f.get("redisUrl")?.is_some() {
        return Err(invalid(
            env,
            "options.guard.redisUrl",
            "this package keeps the guard's state in memory (one process) and has no Redis support; \
             remove redisUrl, or use the Rust crate with the `guard-redis` feature for limits shared by many processes",
        ));
    }
    f.finish()?;
    Ok(c)
}

/// Build the guard, naming the JavaScript option in validation errors.
pub(crate) fn build_guard(env: &Env, config: GuardConfig) -> Result<smsauth::Guard> {
    smsauth::Guard::new(config).map_err(|e| error::core_error(env, &js_names(e)))
}

/// A core guard-validation error with the option's JavaScript name (`options.guard.prefixDigits`
/// for `guard.prefix_digits`, `windowSeconds` for `window_seconds`, …).
fn js_names(e: smsauth::Error) -> smsauth::Error {
    let Some(field) = e.field() else { return e };
    let js: &'static str = match field {
        "guard.phone" => "options.guard.phone",
        "guard.client" => "options.guard.client",
        "guard.prefix" => "options.guard.prefix",
        "guard.prefix_digits" => "options.guard.prefixDigits",
        "guard.daily_budget" => "options.guard.dailyBudget",
        "guard.price_per_sms" => "options.guard.pricePerSms",
        "guard.daily_money_cap" => "options.guard.dailyMoneyCap",
        "guard.wrong_code" => "options.guard.wrongCode",
        "guard.max_keys" => "options.guard.maxKeys",
        "guard.on_store_error" => "options.guard.onStoreError",
        _ => return e,
    };
    let prefix = format!("invalid {field}: ");
    let problem = e.message().strip_prefix(&prefix).unwrap_or(e.message());
    let mut problem = problem.to_owned();
    for (from, to) in [
        ("window_seconds", "windowSeconds"),
        ("lockout_seconds", "lockSeconds"),
        ("max_wrong", "max"),
        ("price_per_sms", "pricePerSms"),
        ("use None", "use null"),
    ] {
        problem = problem.replace(from, to);
    }
    smsauth::Error::invalid_input(js, problem)
}

/// Read `options.roleArn`: a role ARN string or a [`RoleArnOptions`] object.
pub(crate) fn read_role_arn(env: &Env, v: Unknown<'_>) -> Result<RamRoleArnConfig> {
    let config = if v.get_type()? == ValueType::String {
        RamRoleArnConfig { role_arn: string(env, Name::Prop("options", "roleArn"), &v, false)?, ..Default::default() }
    } else {
        let mut f = Fields::required(env, "options.roleArn", v)?;
        let Some(arn) = f.string("arn")? else {
            return Err(error::type_error(
                env,
                "The \"options.roleArn.arn\" property must be of type string. Received undefined".into(),
            ));
        };
        let config = RamRoleArnConfig {
            role_arn: arn,
            role_session_name: f.string("sessionName")?,
            duration_seconds: f.u32("durationSeconds")?,
            policy: f.string("policy")?,
            external_id: f.string("externalId")?,
            sts_endpoint: f.string("stsEndpoint")?,
            sts_region: f.string("stsRegion")?,
            enable_vpc: false,
        };
        f.finish()?;
        config
    };
    Ok(config)
}

/// The core's "client key required" error in JavaScript terms.
pub(crate) fn js_client_key(e: smsauth::Error) -> smsauth::Error {
    if e.field() != Some("client_key") {
        return e;
    }
    smsauth::Error::invalid_input(
        "overrides.clientKey",
        "is required by the guard (guard.requireClientKey): pass the caller's IP address, device or session id, \
         e.g. sendCode(phone, { clientKey: req.ip })",
    )
}
