//! The TypeScript shapes of `ClientOptions.guard` (the core's abuse guard, [`smsauth::guard`])
//! and of `ClientOptions.roleArn`. Their values are read generically from the core's option
//! tables (`options.rs`).

// Shapes only: nothing reads these structs.
#![allow(dead_code)]

use napi_derive::napi;

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
pub struct GuardLimit {
    /// The most sends allowed in the window, 1 to 1000000.
    pub max: u32,
    /// The window in seconds, 1 to 2678400 (31 days).
    pub window_seconds: u32,
}

/// The guard's wrong-code lock (`GuardOptions.wrongCode`). Unset fields keep their defaults.
#[napi(object, object_from_js = false, object_to_js = false)]
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
