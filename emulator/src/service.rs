//! The emulated service: accounts and STS tokens, signature checks (by the core's verifier),
//! codes, limits and the outbox. Pure request → answer logic; HTTP lives in `server.rs`.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use smsauth::CodeType;
use smsauth::api::{API_VERSION, CODE_PLACEHOLDER, DEFAULT_ENDPOINT, MAX_SECONDS};
use smsauth::sign::{HttpRequest, MemoryNonceStore, Verified, Verifier, unix_now};
use smsauth::{Secret, VerifyResult};

use crate::clock::Clock;
use crate::{Config, DEFAULT_SCHEME_NAME, Fault, FaultKind, Message, StsCredentials};

/// An answer to an API request, before any answer fault is applied.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: String,
    pub request_id: String,
    /// The `Code`, for the request log.
    pub code: String,
    /// Extra response headers.
    pub headers: Vec<(&'static str, String)>,
    /// `v1` / `v3` once the signature checked out, for the request log.
    pub signature: Option<&'static str>,
}

#[derive(Debug)]
struct Account {
    secret: Secret,
    /// `(token, expires_at)` for STS credentials.
    sts: Option<(Secret, u64)>,
}

/// Codes are scoped per (scheme, country code, phone number).
type Key = (String, String, String);

#[derive(Debug)]
struct Code {
    value: String,
    expires_at: u64,
    wrong_tries: u32,
    /// Passed, superseded (DuplicatePolicy 1) or voided by wrong tries.
    spent: bool,
}

#[derive(Debug)]
struct State {
    codes: HashMap<Key, Vec<Code>>,
    /// Last send per key: `(sent_at, Interval)`.
    last_send: HashMap<Key, (u64, u64)>,
    /// Sends per phone number: `(China day number, count)`.
    daily: HashMap<String, (u64, u32)>,
    /// Accepted sends per (phone number, `SignName`) within the last day, oldest first: the
    /// rolling flow-control windows.
    flow: HashMap<(String, String), VecDeque<u64>>,
    outbox: VecDeque<Message>,
    faults: Vec<Fault>,
    rng: StdRng,
    sends: u64,
}

/// Everything the server threads share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    pub port: u16,
    pub clock: Clock,
    accounts: RwLock<HashMap<String, Account>>,
    nonces: Arc<MemoryNonceStore>,
    verifier: Verifier,
    state: Mutex<State>,
    requests: AtomicUsize,
    fault_count: AtomicUsize,
}

const SEND: &str = "SendSmsVerifyCode";
const CHECK: &str = "CheckSmsVerifyCode";

fn new_rng(seed: Option<u64>) -> StdRng {
    match seed {
        Some(s) => StdRng::seed_from_u64(s),
        None => StdRng::from_os_rng(),
    }
}

impl Shared {
    pub(crate) fn new(config: Config, port: u16) -> Self {
        let accounts = config
            .accounts
            .iter()
            .map(|(id, secret)| (id.clone(), Account { secret: Secret::new(secret.clone()), sts: None }))
            .collect();
        let mut store = MemoryNonceStore::new(config.nonce_capacity);
        if let Some(quota) = config.nonce_per_key_quota {
            store = store.per_key_quota(quota);
        }
        let nonces = Arc::new(store);
        // `Emulator::start_with` refused a window over the maximum; the clamp only keeps this
        // constructor infallible for the fuzz entry points.
        let verifier = Verifier::new()
            .window(config.timestamp_window.min(Verifier::MAX_WINDOW))
            .unwrap_or_default()
            .nonce_store(nonces.clone())
            // Its own address, on any port so that loopback proxies in tests (TLS, replay,
            // fault injection) keep working, plus the configured names: a request signed for
            // another server is refused.
            .expected_hosts(
                ["127.0.0.1:*", "localhost:*", "[::1]:*"]
                    .map(str::to_owned)
                    .into_iter()
                    .chain(config.hosts.iter().cloned()),
            );
        let state = State {
            codes: HashMap::new(),
            last_send: HashMap::new(),
            daily: HashMap::new(),
            flow: HashMap::new(),
            outbox: VecDeque::new(),
            faults: Vec::new(),
            rng: new_rng(config.seed),
            sends: 0,
        };
        Shared {
            clock: Clock::new(config.start_time),
            config,
            port,
            accounts: RwLock::new(accounts),
            nonces,
            verifier,
            state: Mutex::new(state),
            requests: AtomicUsize::new(0),
            fault_count: AtomicUsize::new(0),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps unusable; carry on.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    // ---- test controls -------------------------------------------------------------------

    pub(crate) fn issue_sts(&self, ttl: Duration) -> StsCredentials {
        let mut rng = rand::rng();
        let creds = StsCredentials {
            access_key_id: format!("STS.NT{}", alnum(&mut rng, 22)),
            access_key_secret: alnum(&mut rng, 30),
            security_token: format!("CAIS{}", alnum(&mut rng, 120)),
            expires_at: self.clock.now().saturating_add(ttl.as_secs()),
        };
        let account = Account {
            secret: Secret::new(creds.access_key_secret.clone()),
            sts: Some((Secret::new(creds.security_token.clone()), creds.expires_at)),
        };
        self.accounts.write().unwrap_or_else(|p| p.into_inner()).insert(creds.access_key_id.clone(), account);
        creds
    }

    pub(crate) fn messages(&self, phone: Option<&str>) -> Vec<Message> {
        let phone = phone.map(|p| smsauth::api::normalize_phone(p, None).unwrap_or_else(|_| p.trim().to_owned()));
        self.state().outbox.iter().filter(|m| phone.as_deref().is_none_or(|p| m.phone_number == p)).cloned().collect()
    }

    pub(crate) fn reset(&self) {
        let mut s = self.state();
        s.codes.clear();
        s.last_send.clear();
        s.daily.clear();
        s.flow.clear();
        s.outbox.clear();
        s.faults.clear();
        self.fault_count.store(0, Ordering::Relaxed);
        self.nonces.clear();
        self.clock.reset();
        self.requests.store(0, Ordering::Relaxed);
    }

    pub(crate) fn add_fault(&self, fault: Fault) {
        let mut s = self.state();
        s.faults.push(fault);
        self.fault_count.store(s.faults.len(), Ordering::Relaxed);
    }

    pub(crate) fn clear_faults(&self) {
        let mut s = self.state();
        s.faults.clear();
        self.fault_count.store(0, Ordering::Relaxed);
    }

    pub(crate) fn faults(&self) -> Vec<Fault> {
        self.state().faults.clone()
    }

    pub(crate) fn request_count(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    pub(crate) fn has_faults(&self) -> bool {
        self.fault_count.load(Ordering::Relaxed) > 0
    }

    pub(crate) fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// The first fault rule that matches and fires for this request, if any.
    pub(crate) fn pick_fault(&self, action: Option<&str>, phone: Option<&str>) -> Option<FaultKind> {
        if self.fault_count.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut guard = self.state();
        let s = &mut *guard;
        let mut hit = None;
        for (i, f) in s.faults.iter_mut().enumerate() {
            if !f.matches(action, phone) {
                continue;
            }
            if f.probability < 1.0 && s.rng.random::<f64>() >= f.probability {
                continue;
            }
            if let Some(n) = f.times.as_mut() {
                *n = n.saturating_sub(1);
            }
            hit = Some((i, f.kind.clone()));
            break;
        }
        let (i, kind) = hit?;
        if s.faults[i].times == Some(0) {
            s.faults.remove(i);
            self.fault_count.store(s.faults.len(), Ordering::Relaxed);
        }
        Some(kind)
    }

    // ---- the API -------------------------------------------------------------------------

    /// Verify and answer one API request.
    pub(crate) fn handle(&self, req: &HttpRequest) -> Answer {
        let now = self.clock.now();
        let verify_now = if self.config.verify_with_emulated_clock { now } else { unix_now() };
        let verified = match self.verifier.verify(req, verify_now, |id| self.secret_for(id)) {
            Ok(v) => v,
            Err(e) => return gateway_error(e.http_status(), e.code(), &e.to_string()),
        };
        if let Err(mut answer) = self.check_token(&verified, now).and_then(|()| accesskey_header(req, &verified)) {
            answer.signature = Some(verified.version.as_str());
            return answer;
        }
        if verified.action != SEND && verified.action != CHECK {
            return gateway_error(
                404,
                "InvalidAction.NotFound",
                &format!(
                    "Specified api is not found, please check your url and method. (Action {:?} of Dypnsapi {API_VERSION})",
                    verified.action
                ),
            );
        }
        if verified.api_version != API_VERSION {
            return gateway_error(
                400,
                "InvalidVersion",
                &format!("Specified parameter Version is not valid: {:?}; use {API_VERSION}.", verified.api_version),
            );
        }
        let params = Params(&verified.params);
        let result = if verified.action == SEND { self.send(&params, now) } else { self.check(&params, now) };
        let mut answer = result.unwrap_or_else(|answer| answer);
        answer.signature = Some(verified.version.as_str());
        answer
    }

    fn secret_for(&self, id: &str) -> Option<Secret> {
        self.accounts.read().unwrap_or_else(|p| p.into_inner()).get(id).map(|a| a.secret.clone())
    }

    fn check_token(&self, v: &Verified, now: u64) -> Result<(), Answer> {
        let accounts = self.accounts.read().unwrap_or_else(|p| p.into_inner());
        let sts = accounts.get(&v.access_key_id).and_then(|a| a.sts.as_ref());
        match (sts, &v.security_token) {
            (None, None) => Ok(()),
            (Some((token, expires_at)), Some(given)) if token.expose() == given.expose() => {
                if now >= *expires_at {
                    Err(gateway_error(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."))
                } else {
                    Ok(())
                }
            }
            (Some(_), Some(_)) => Err(gateway_error(
                400,
                "InvalidSecurityToken.MismatchWithAccessKey",
                "The specified SecurityToken does not match the AccessKey ID it was sent with.",
            )),
            (Some(_), None) => Err(gateway_error(
                400,
                "MissingSecurityToken",
                "This AccessKey ID belongs to temporary (STS) credentials: the SecurityToken is mandatory.",
            )),
            (None, Some(_)) => Err(gateway_error(
                400,
                "InvalidSecurityToken.Malformed",
                "Specified SecurityToken is malformed: it was not issued for this AccessKey ID.",
            )),
        }
    }

    fn send(&self, p: &Params<'_>, now: u64) -> Result<Answer, Answer> {
        let phone = p.require("PhoneNumber")?;
        let sign_name = p.require("SignName")?;
        let template_code = p.require("TemplateCode")?;
        let template_param = p.require("TemplateParam")?;
        let country = p.country();
        let scheme = p.scheme()?;
        let code_length = p.int("CodeLength", 4, 8, 4)?;
        let code_type = p.int("CodeType", 1, 7, 1)?;
        let valid_time = p.int("ValidTime", 1, MAX_SECONDS, 300)?;
        let interval = p.int("Interval", 1, MAX_SECONDS, 60)?;
        let duplicate_policy = p.int("DuplicatePolicy", 1, 2, 1)?;
        let return_code = p.bool("ReturnVerifyCode")?;
        // AutoRetry: 1 (default) or 0, checked and otherwise ignored.
        p.int("AutoRetry", 0, 1, 1)?;
        // DuplicateCheck and EarlyWarn (newer than the 2.0.0 SDK) are accepted and ignored.
        let out_id = p.raw("OutId");
        let mut template: serde_json::Map<String, Value> = match serde_json::from_str(template_param) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(invalid_value(
                    "TemplateParam",
                    "it must be a JSON object, e.g. {\"code\":\"##code##\",\"min\":\"5\"}",
                ));
            }
        };
        let phone = &mainland(country, phone, self.config.accept_86_prefix)?;
        let text_template = self.presets(sign_name, template_code, &template)?;

        let key: Key = (scheme.to_owned(), country.to_owned(), phone.to_owned());
        let mut guard = self.state();
        let s = &mut *guard;
        if let Some(&(at, iv)) = s.last_send.get(&key)
            && now < at.saturating_add(iv)
        {
            return Err(business_error("biz.FREQUENCY", "check frequency failed"));
        }
        let flow_key = (phone.to_owned(), sign_name.to_owned());
        if !self.config.lenient
            && let Some(sent) = s.flow.get(&flow_key)
        {
            flow_control(&self.config.flow_control, sent, now)?;
        }
        let day = (now + 8 * 3600) / 86_400;
        let sent_today = match s.daily.get(phone) {
            Some(&(d, n)) if d == day => n,
            _ => 0,
        };
        if !self.config.lenient && sent_today >= self.config.daily_limit {
            return Err(business_error(
                LIMIT_CODE,
                &format!(
                    "触发号码天级流控Permits:{} (daily total of codes per number reached)",
                    self.config.daily_limit
                ),
            ));
        }

        // Draw the code and put it where the template asks for it.
        let alphabet = CodeType::try_from(code_type as i64).map(CodeType::alphabet).unwrap_or(b"0123456789");
        let code: String =
            (0..code_length).map(|_| char::from(alphabet[s.rng.random_range(0..alphabet.len())])).collect();
        let mut has_placeholder = false;
        for value in template.values_mut() {
            if let Value::String(text) = value
                && text.contains(CODE_PLACEHOLDER)
            {
                has_placeholder = true;
                *text = text.replace(CODE_PLACEHOLDER, &code);
            }
        }
        let code = if has_placeholder { code } else { String::new() };
        let text = render(text_template, sign_name, template_code, &template);

        s.sends += 1;
        if s.sends.is_multiple_of(1024) {
            housekeeping(s, now, day);
        }
        let codes = s.codes.entry(key.clone()).or_default();
        if duplicate_policy == 1 {
            codes.iter_mut().for_each(|c| c.spent = true);
        }
        codes.retain(|c| !c.spent && c.expires_at > now);
        let expires_at = now.saturating_add(valid_time);
        if has_placeholder {
            codes.push(Code { value: code.clone(), expires_at, wrong_tries: 0, spent: false });
        }
        s.last_send.insert(key, (now, interval));
        s.daily.insert(phone.to_owned(), (day, sent_today + 1));
        let sent = s.flow.entry(flow_key).or_default();
        sent.push_back(now);
        // Only the last day matters, and never more sends than the widest limit.
        let f = self.config.flow_control;
        let keep = f.per_day.max(f.per_hour).max(f.per_minute).max(1) as usize;
        while sent.len() > keep || sent.front().is_some_and(|&t| now >= t.saturating_add(DAY)) {
            sent.pop_front();
        }
        let biz_id = format!("{now}{:06}^0", s.sends % 1_000_000);
        s.outbox.push_back(Message {
            phone_number: phone.to_owned(),
            country_code: country.to_owned(),
            scheme_name: scheme.to_owned(),
            sign_name: sign_name.to_owned(),
            template_code: template_code.to_owned(),
            code: code.clone(),
            text,
            biz_id: biz_id.clone(),
            out_id: out_id.map(str::to_owned),
            sent_at: now,
            expires_at,
        });
        while s.outbox.len() > self.config.max_messages.max(1) {
            s.outbox.pop_front();
        }
        drop(guard);

        let request_id = request_id();
        let verify_code =
            if return_code && has_placeholder { format!(r#","VerifyCode":{}"#, js(&code)) } else { String::new() };
        let model = format!(
            r#"{{"BizId":{},"OutId":{},"RequestId":"{}"{verify_code}}}"#,
            js(&biz_id),
            js(out_id.unwrap_or("")),
            inner_id()
        );
        Ok(ok_answer(request_id, &model))
    }

    /// The preset rules: a known signature, a known template, every template variable given.
    /// Returns the template's text (`None` for an unknown template in lenient mode).
    fn presets(
        &self,
        sign_name: &str,
        template_code: &str,
        params: &serde_json::Map<String, Value>,
    ) -> Result<Option<&str>, Answer> {
        let text = self.config.templates.get(template_code).map(String::as_str);
        if self.config.lenient {
            return Ok(text);
        }
        let codes = &self.config.refusal_codes;
        if !self.config.signatures.contains(sign_name) {
            return Err(business_error(
                &codes.signature,
                &format!(
                    "该账号下找不到对应签名: SignName {sign_name:?} is not a signature of this account; \
                     use one of the console's preset signatures (e.g. 速通互联验证码)"
                ),
            ));
        }
        let Some(text) = text else {
            return Err(business_error(
                &codes.template,
                &format!(
                    "该账号下找不到对应模板: TemplateCode {template_code:?} is not a template of this account; \
                     use one of the console's preset templates (100001–100005)"
                ),
            ));
        };
        if let Some(missing) = variables(text).find(|v| !params.contains_key(*v)) {
            return Err(business_error(
                &codes.missing_variable,
                &format!(
                    "模板变量缺少对应参数值: TemplateParam has no {missing:?}, which template {template_code} uses; \
                     e.g. {{\"code\":\"##code##\",\"min\":\"5\"}}"
                ),
            ));
        }
        Ok(Some(text))
    }

    fn check(&self, p: &Params<'_>, now: u64) -> Result<Answer, Answer> {
        let phone = p.require("PhoneNumber")?;
        let given = p.require("VerifyCode")?;
        let country = p.country();
        let scheme = p.scheme()?;
        let case_sensitive = p.int("CaseAuthPolicy", 1, 2, 1)? == 2;
        let out_id = p.raw("OutId");
        let phone = &mainland(country, phone, self.config.accept_86_prefix)?;

        let key: Key = (scheme.to_owned(), country.to_owned(), phone.to_owned());
        let mut s = self.state();
        let mut result = VerifyResult::Unknown;
        if let Some(codes) = s.codes.get_mut(&key) {
            let max_tries = self.config.max_wrong_tries.max(1);
            let live = |c: &Code| !c.spent && c.expires_at > now;
            let same = |c: &Code| {
                if case_sensitive { c.value == given } else { c.value.eq_ignore_ascii_case(given) }
            };
            if let Some(c) = codes.iter_mut().find(|c| live(c) && same(c)) {
                result = VerifyResult::Pass;
                if self.config.consume_on_pass {
                    c.spent = true;
                }
            } else {
                for c in codes.iter_mut().filter(|c| live(c)) {
                    c.wrong_tries += 1;
                    if c.wrong_tries >= max_tries {
                        c.spent = true;
                    }
                }
            }
            codes.retain(live);
            if codes.is_empty() {
                s.codes.remove(&key);
            }
        }
        drop(s);
        let model = format!(r#"{{"OutId":{},"VerifyResult":{}}}"#, js(out_id.unwrap_or("")), js(result.as_str()));
        Ok(ok_answer(request_id(), &model))
    }
}

fn housekeeping(s: &mut State, now: u64, day: u64) {
    s.codes.retain(|_, codes| {
        codes.retain(|c| !c.spent && c.expires_at > now);
        !codes.is_empty()
    });
    s.last_send.retain(|_, (at, iv)| at.saturating_add(*iv) > now);
    s.daily.retain(|_, (d, _)| *d == day);
    s.flow.retain(|_, sent| sent.back().is_some_and(|&t| now < t.saturating_add(DAY)));
}

const DAY: u64 = 86_400;

/// The documented flow-control code and spelling.
const LIMIT_CODE: &str = "isv.BUSINESS_LIMIT_CONTROL";

/// The rolling windows over the accepted sends to one (number, signature), narrowest first, with
/// the service's messages for each.
fn flow_control(limits: &crate::FlowControl, sent: &VecDeque<u64>, now: u64) -> Result<(), Answer> {
    for (limit, window, level) in
        [(limits.per_minute, 60, "分钟"), (limits.per_hour, 3600, "小时"), (limits.per_day, DAY, "天")]
    {
        let in_window = sent.iter().filter(|&&t| now < t.saturating_add(window)).count();
        if limit > 0 && in_window >= limit as usize {
            return Err(business_error(
                LIMIT_CODE,
                &format!(
                    "触发{level}级流控Permits:{limit} (at most {limit} codes to this number with this signature in any {window} s)"
                ),
            ));
        }
    }
    Ok(())
}

/// The `${name}` variables of a template text, in order.
fn variables(text: &str) -> impl Iterator<Item = &str> {
    text.split("${").skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// The official SDKs send `x-acs-accesskey-id` with STS credentials on V3 (signed, as every
/// `x-acs-*` header): it must name the key that signed, or the request is ambiguous.
fn accesskey_header(req: &HttpRequest, v: &Verified) -> Result<(), Answer> {
    let mut values = req.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("x-acs-accesskey-id")).map(|(_, v)| v);
    match (values.next(), values.next()) {
        (None, _) => Ok(()),
        (Some(value), None) if value.trim_ascii() == v.access_key_id.as_bytes() => Ok(()),
        _ => Err(gateway_error(
            400,
            "InvalidParameter",
            "The specified header \"x-acs-accesskey-id\" is not valid: it must be sent once and name the AccessKey ID \
             in Authorization.",
        )),
    }
}

/// Request parameters, first value wins; an empty value counts as absent.
struct Params<'a>(&'a [(String, String)]);

impl Params<'_> {
    fn raw(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.raw(name).map(str::trim).filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, Answer> {
        self.get(name).ok_or_else(|| {
            gateway_error(
                400,
                "MissingParameter",
                &format!(
                    "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
                ),
            )
        })
    }

    fn country(&self) -> &str {
        self.get("CountryCode").map(|c| c.trim_start_matches('+')).unwrap_or("86")
    }

    fn scheme(&self) -> Result<&str, Answer> {
        let scheme = self.get("SchemeName").unwrap_or(DEFAULT_SCHEME_NAME);
        if scheme.chars().count() > 20 {
            return Err(invalid_value("SchemeName", "it must be at most 20 characters"));
        }
        Ok(scheme)
    }

    fn int(&self, name: &str, min: u64, max: u64, default: u64) -> Result<u64, Answer> {
        match self.get(name) {
            None => Ok(default),
            // Not a number: the gateway's type check. Out of range: the service's own check.
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                Ok(_) => Err(invalid_value(name, &format!("{v} is not from {min} to {max}"))),
                Err(_) => Err(invalid(name, &format!("{v:?} is not an integer from {min} to {max}"))),
            },
        }
    }

    /// `true`/`false` in any case (the Python SDK sends `True`), also `1`/`0`.
    fn bool(&self, name: &str) -> Result<bool, Answer> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(v) => Err(invalid(name, &format!("{v:?} is not a boolean (true or false)"))),
        }
    }
}

/// Mainland China mobile numbers only: country code 86 and 11 digits starting with 1 (also
/// written `86…` or `+86…` when `accept_86_prefix`). Returns the 11-digit number.
fn mainland(country: &str, phone: &str, accept_86_prefix: bool) -> Result<String, Answer> {
    let is_mobile = |n: &str| n.len() == 11 && n.starts_with('1') && n.bytes().all(|b| b.is_ascii_digit());
    let number = match phone.strip_prefix("+86").or_else(|| phone.strip_prefix("86")) {
        Some(rest) if accept_86_prefix && is_mobile(rest) => rest,
        _ => phone,
    };
    if country == "86" && is_mobile(number) {
        return Ok(number.to_owned());
    }
    Err(business_error(
        "isv.MOBILE_NUMBER_ILLEGAL",
        &format!(
            "号码格式非法: {phone:?} with CountryCode {country:?} is not a mainland China mobile number \
             (only CountryCode 86 and 11-digit numbers starting with 1 are supported)"
        ),
    ))
}

fn render(text: Option<&str>, sign_name: &str, template_code: &str, params: &serde_json::Map<String, Value>) -> String {
    let value = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let body = match text {
        Some(text) => {
            let mut out = text.to_owned();
            for (k, v) in params {
                out = out.replace(&format!("${{{k}}}"), &value(v));
            }
            out
        }
        None => {
            let mut out = format!("[{template_code}]");
            for (i, (k, v)) in params.iter().enumerate() {
                let _ = write!(out, "{}{k}={}", if i == 0 { " " } else { ", " }, value(v));
            }
            out
        }
    };
    format!("【{sign_name}】{body}")
}

fn alnum(rng: &mut impl Rng, n: usize) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..n).map(|_| char::from(A[rng.random_range(0..A.len())])).collect()
}

/// A request id in the gateway's form, `8-4-4-4-12` upper-case hex: 128 bits from a per-process
/// random key mixed with a counter (unique, unpredictable enough for a test server, and cheap).
pub(crate) fn request_id() -> String {
    let (a, b) = id_bits();
    let mut out = String::with_capacity(36);
    push_hex(&mut out, &a.to_be_bytes(), b"0123456789ABCDEF", &[4, 6]);
    out.push('-');
    push_hex(&mut out, &b.to_be_bytes(), b"0123456789ABCDEF", &[2]);
    out
}

fn inner_id() -> String {
    let (a, _) = id_bits();
    let mut out = String::with_capacity(16);
    push_hex(&mut out, &a.to_be_bytes(), b"0123456789abcdef", &[]);
    out
}

fn id_bits() -> (u64, u64) {
    static KEY: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let key = *KEY.get_or_init(|| rand::rng().random());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    (splitmix64(key ^ n.wrapping_mul(2)), splitmix64(key ^ n.wrapping_mul(2).wrapping_add(1)))
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hex digits of `bytes`, with a `-` before the byte indexes in `dashes`.
fn push_hex(out: &mut String, bytes: &[u8], digits: &[u8; 16], dashes: &[usize]) {
    for (i, b) in bytes.iter().enumerate() {
        if dashes.contains(&i) {
            out.push('-');
        }
        out.push(char::from(digits[usize::from(b >> 4)]));
        out.push(char::from(digits[usize::from(b & 0x0f)]));
    }
}

/// A JSON string literal.
fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

fn ok_answer(request_id: String, model: &str) -> Answer {
    // Hand-built (keys in the service's order): this is the hot path of the load bench.
    let body = format!(
        r#"{{"AccessDeniedDetail":"","Code":"OK","Message":"成功","Model":{model},"RequestId":"{request_id}","Success":true}}"#
    );
    Answer { status: 200, body, request_id, code: "OK".into(), headers: Vec::new(), signature: None }
}

/// A business failure: HTTP 200, `Success: false`.
fn business_error(code: &str, message: &str) -> Answer {
    let request_id = request_id();
    let body = json!({
        "AccessDeniedDetail": "",
        "Code": code,
        "Message": message,
        "RequestId": request_id,
        "Success": false,
    });
    Answer { status: 200, body: body.to_string(), request_id, code: code.into(), headers: Vec::new(), signature: None }
}

/// A parameter value the service itself refuses (out of range, not a JSON object): the
/// documented business code `isv.INVALID_PARAMETERS`.
fn invalid_value(name: &str, why: &str) -> Answer {
    business_error("isv.INVALID_PARAMETERS", &format!("非法参数: the parameter \"{name}\" is not valid: {why}."))
}

/// A value of the wrong type: the gateway's `InvalidParameter`.
fn invalid(name: &str, why: &str) -> Answer {
    gateway_error(400, "InvalidParameter", &format!("The specified parameter \"{name}\" is not valid: {why}."))
}

/// A gateway error in the real shape: `RequestId, HostId, Code, Message, Recommend`.
pub(crate) fn gateway_error(status: u16, code: &str, message: &str) -> Answer {
    let request_id = request_id();
    let body = json!({
        "RequestId": request_id,
        "HostId": DEFAULT_ENDPOINT,
        "Code": code,
        "Message": message,
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=Dypnsapi&requestId={request_id}"),
    });
    Answer { status, body: body.to_string(), request_id, code: code.into(), headers: Vec::new(), signature: None }
}
