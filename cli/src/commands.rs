//! The commands.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use smsauth::credentials::{CredentialsChain, CredentialsConfig};
use smsauth::sign::{
    HttpRequest, RpcRequest, Stamp, Verifier, VerifyError, format_timestamp, parse_timestamp, unix_now,
};
use smsauth::{
    CaseAuthPolicy, CheckSmsVerifyCodeRequest, CodeType, Credentials, DuplicatePolicy, Endpoint, Error, ErrorKind,
    Result, Secret, SendSmsVerifyCodeRequest, SignatureVersion, VerifyResult, blocking,
};
use smsauth_emulator::{Config, Emulator};

use crate::args::{CheckArgs, Cli, Command, EmulatorArgs, Global, SendArgs, SignArgs, VerifyArgs};
use crate::output::print_json;

/// Run the command; `Ok` carries the exit status (0, or 1 for "UNKNOWN" / "invalid").
pub fn run(cli: Cli) -> Result<u8> {
    let g = &cli.global;
    match cli.command {
        Command::Send(a) => send(g, a),
        Command::Check(a) => check(g, a),
        Command::Sign(a) => sign(g, a),
        Command::Verify(a) => verify(g, a),
        Command::Emulator(a) => emulator(a),
        Command::Demo => crate::demo::run(g),
    }
}

pub fn signature_version(g: &Global) -> Result<SignatureVersion> {
    g.signature_version.parse()
}

fn timeout(g: &Global) -> Result<Duration> {
    if !g.timeout.is_finite() || g.timeout <= 0.0 || g.timeout > 86_400.0 {
        return Err(Error::invalid_input(
            "timeout",
            format_args!("{} is not a number of seconds from 0 to 86400", g.timeout),
        ));
    }
    Ok(Duration::from_secs_f64(g.timeout))
}

/// The credentials options, decided by the core's rules like in every binding.
fn credentials_config(g: &Global) -> CredentialsConfig {
    CredentialsConfig {
        access_key_id: g.access_key_id.clone(),
        access_key_secret: g.access_key_secret.as_deref().map(Secret::new),
        security_token: g.security_token.as_deref().filter(|t| !t.is_empty()).map(Secret::new),
        profile: g.profile.clone(),
        role: None,
    }
}

/// Credentials to sign with now: the keys or profile given, else the default chain's.
fn credentials(g: &Global) -> Result<Credentials> {
    let provider = match credentials_config(g).provider()? {
        Some(provider) => provider,
        None => Arc::new(CredentialsChain::default_chain().ensure_configured()?),
    };
    smsauth::runtime::block_on(async move { provider.provide().await })?
}

fn client(g: &Global) -> Result<blocking::Client> {
    let timeout = timeout(g)?;
    let client = smsauth::Client::builder()
        .credentials_config(credentials_config(g))
        .endpoint(g.endpoint.as_str())
        .signature_version(signature_version(g)?)
        .timeout(timeout)
        .read_timeout(timeout.min(Duration::from_secs(10)))
        .binding("cli")
        .build()?;
    Ok(blocking::Client::from_async(client))
}

fn required(value: Option<String>, field: &'static str, flag: &str, env: &str, example: &str) -> Result<String> {
    value.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
        Error::invalid_input(field, format_args!("is required: pass {flag} (or set {env}), e.g. {flag} {example}"))
    })
}

fn send(g: &Global, a: SendArgs) -> Result<u8> {
    let req = SendSmsVerifyCodeRequest {
        phone_number: a.phone.clone(),
        country_code: a.country_code,
        sign_name: Some(required(a.sign_name, "SignName", "--sign-name", "SMSAUTH_SIGN_NAME", "速通互联验证码")?),
        template_code: Some(required(
            a.template_code,
            "TemplateCode",
            "--template-code",
            "SMSAUTH_TEMPLATE_CODE",
            "100001",
        )?),
        template_param: a.template_param,
        scheme_name: a.scheme,
        out_id: a.out_id,
        code_length: a.code_length,
        valid_time: a.valid_time,
        duplicate_policy: a.duplicate_policy.map(DuplicatePolicy::try_from).transpose()?,
        interval: a.interval,
        code_type: a.code_type.map(CodeType::try_from).transpose()?,
        return_verify_code: a.return_code.then_some(true),
        ..Default::default()
    };
    let resp = client(g)?.send_code_with(req)?;
    let m = &resp.model;
    if g.json {
        print_json(&json!({
            "code": resp.code,
            "message": resp.message,
            "request_id": resp.request_id,
            "biz_id": m.biz_id,
            "out_id": m.out_id,
            "verify_code": m.verify_code,
        }));
    } else {
        println!("sent a code to {} ({})", a.phone.trim(), resp.code);
        println!("  request id   {}", resp.request_id);
        if let Some(biz) = &m.biz_id {
            println!("  biz id       {biz}");
        }
        if let Some(code) = &m.verify_code {
            println!("  code         {code}");
        }
    }
    Ok(0)
}

fn check(g: &Global, a: CheckArgs) -> Result<u8> {
    let req = CheckSmsVerifyCodeRequest {
        phone_number: a.phone,
        verify_code: a.code,
        country_code: a.country_code,
        scheme_name: a.scheme,
        out_id: a.out_id,
        case_auth_policy: a.case_sensitive.then_some(CaseAuthPolicy::Sensitive),
        ..Default::default()
    };
    let resp = client(g)?.check_code_with(req)?;
    let result = &resp.model.verify_result;
    if g.json {
        print_json(&json!({
            "passed": resp.passed(),
            "verify_result": result.as_str(),
            "request_id": resp.request_id,
            "out_id": resp.model.out_id,
        }));
    } else if *result == VerifyResult::Pass {
        println!("PASS: the code is right");
    } else if *result == VerifyResult::Unknown {
        println!("UNKNOWN: the code is wrong, expired, already used or was never sent");
    } else {
        println!("{result}: the service did not pass the code");
    }
    Ok(if resp.passed() { 0 } else { 1 })
}

/// Unix seconds or `yyyy-MM-ddTHH:mm:ssZ`.
fn parse_time(field: &'static str, s: &str) -> Result<u64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| Error::invalid_input(field, format_args!("{s:?} is too large")));
    }
    parse_timestamp(s).ok_or_else(|| {
        Error::invalid_input(
            field,
            format_args!("{s:?} is not Unix seconds or yyyy-MM-ddTHH:mm:ssZ, e.g. 2025-01-02T03:04:05Z"),
        )
    })
}

fn read_input(path: Option<&Path>) -> Result<String> {
    use std::io::IsTerminal as _;
    let from_stdin = path.is_none_or(|p| p.as_os_str() == "-");
    if from_stdin && std::io::stdin().is_terminal() {
        return Err(Error::invalid_input(
            "request",
            "give a file, or pipe the request JSON in (e.g. smsauth sign --json … | smsauth verify --secret …)",
        ));
    }
    let mut text = String::new();
    match path {
        None => std::io::stdin().read_to_string(&mut text).map(|_| ()),
        Some(p) if p.as_os_str() == "-" => std::io::stdin().read_to_string(&mut text).map(|_| ()),
        Some(p) => std::fs::read_to_string(p).map(|t| text = t),
    }
    .map_err(|e| {
        let what = path.map(|p| p.display().to_string()).unwrap_or_else(|| "stdin".into());
        Error::invalid_input("request", format_args!("could not read {what}: {e}"))
    })?;
    Ok(text)
}

fn value_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn sign(g: &Global, a: SignArgs) -> Result<u8> {
    let creds = credentials(g)?;
    let version = signature_version(g)?;
    let endpoint = Endpoint::parse(&g.endpoint)?;
    let mut action = None;
    let mut method = None;
    let mut host = None;
    let mut api_version = None;
    let mut params: Vec<(String, String)> = Vec::new();
    if let Some(path) = &a.request {
        let text = read_input(Some(path))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| {
            Error::invalid_input(
                "request",
                format_args!("is not JSON ({e}); expected {{\"action\":…,\"params\":{{…}}}}"),
            )
        })?;
        let field = |name: &str| v.get(name).and_then(Value::as_str).map(str::to_owned);
        action = field("action");
        method = field("method");
        host = field("host");
        api_version = field("version");
        match v.get("params") {
            Some(Value::Object(map)) => params.extend(map.iter().map(|(k, v)| (k.clone(), value_string(v)))),
            Some(Value::Array(pairs)) => {
                for p in pairs {
                    match p.as_array().map(Vec::as_slice) {
                        Some([k, v]) => params.push((value_string(k), value_string(v))),
                        _ => return Err(Error::invalid_input("request", "params pairs must be [name, value]")),
                    }
                }
            }
            Some(Value::Null) | None => {}
            Some(_) => return Err(Error::invalid_input("request", "params must be an object or a list of pairs")),
        }
    }
    for p in &a.params {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            Error::invalid_input("param", format_args!("{p:?} is not NAME=VALUE, e.g. -p PhoneNumber=13800138000"))
        })?;
        params.push((k.to_owned(), v.to_owned()));
    }
    let action = a.action.or(action).ok_or_else(|| {
        Error::invalid_input("action", "is required: pass --action SendSmsVerifyCode (or \"action\" in --request)")
    })?;
    let mut req = RpcRequest::new(
        host.unwrap_or_else(|| endpoint.authority.clone()),
        action,
        a.api_version.or(api_version).unwrap_or_else(|| smsauth::api::API_VERSION.to_owned()),
    );
    req.params = params;
    if let Some(m) = a.method.or(method) {
        req = req.method(m.to_ascii_uppercase());
    }
    req.check()?;
    let fresh = Stamp::fresh()?;
    let timestamp = match &a.timestamp {
        Some(t) => parse_time("timestamp", t)?,
        None => fresh.timestamp,
    };
    let stamp = Stamp::new(timestamp, a.nonce.clone().unwrap_or(fresh.nonce));
    let signed = smsauth::sign::sign(&req, version, &creds, &stamp);
    let mut out = json!({
        "signature_version": version.as_str(),
        "method": signed.method,
        "url": format!("{}://{}{}", endpoint.scheme, req.host, signed.path_and_query()),
        "path": signed.path,
        "query": signed.query,
        "headers": signed.headers,
        "body": String::from_utf8_lossy(&signed.body),
        "timestamp": stamp.timestamp_string(),
        "nonce": stamp.nonce,
    });
    let ex = &signed.explanation;
    if g.json {
        if a.explain {
            out["explanation"] = json!({
                "canonical_request": ex.canonical_request,
                "string_to_sign": ex.string_to_sign,
                "signature": ex.signature,
            });
        }
        println!("{out}");
    } else {
        print_json(&out);
        if a.explain {
            let what = if version == SignatureVersion::V1 { "canonicalized query" } else { "canonical request" };
            println!(
                "\n--- {what} ---\n{}\n\n--- string to sign ---\n{}\n\n--- signature ---\n{}",
                ex.canonical_request, ex.string_to_sign, ex.signature
            );
        }
    }
    Ok(0)
}

/// Parse a captured request, accepting headers as `[[name, value], …]` or `{name: value}`.
fn parse_captured(text: &str) -> Result<HttpRequest> {
    let bad = |why: String| {
        Error::invalid_input(
            "request",
            format_args!(
                "{why}; expected {{\"method\":\"POST\",\"path\":\"/\",\"query\":\"…\",\"headers\":[[\"host\",\"…\"]],\"body\":\"\"}}"
            ),
        )
    };
    let mut v: Value = serde_json::from_str(text).map_err(|e| bad(format!("is not JSON ({e})")))?;
    if let Some(Value::Object(map)) = v.get("headers") {
        let pairs: Vec<Value> = map.iter().map(|(k, v)| json!([k, value_string(v)])).collect();
        v["headers"] = Value::Array(pairs);
    }
    if v.get("method").is_none() {
        return Err(bad("it has no \"method\"".into()));
    }
    serde_json::from_value(v).map_err(|e| bad(format!("does not have the expected shape ({e})")))
}

fn parse_pair(s: &str) -> Result<(String, String)> {
    match s.split_once(':') {
        Some((id, secret)) if !id.trim().is_empty() && !secret.is_empty() => {
            Ok((id.trim().to_owned(), secret.to_owned()))
        }
        _ => Err(Error::invalid_input("access-key", "must be ID:SECRET, e.g. --access-key testid:testsecret")),
    }
}

fn verify(g: &Global, a: VerifyArgs) -> Result<u8> {
    let req = parse_captured(&read_input(a.file.as_deref())?)?;
    let pairs = a.access_keys.iter().map(|s| parse_pair(s)).collect::<Result<Vec<_>>>()?;
    let any_secret = a.secret.filter(|s| !s.is_empty());
    if pairs.is_empty() && any_secret.is_none() {
        return Err(Error::new(
            ErrorKind::Credentials,
            "no secret to verify with: pass --secret SECRET (or set ALIBABA_CLOUD_ACCESS_KEY_SECRET), or --access-key ID:SECRET",
        ));
    }
    let now = match &a.now {
        Some(t) => parse_time("now", t)?,
        None => unix_now(),
    };
    let lookup = |id: &str| {
        if pairs.is_empty() {
            any_secret.clone().map(Secret::new)
        } else {
            pairs.iter().find(|(k, _)| k == id).map(|(_, s)| Secret::new(s.clone()))
        }
    };
    let verifier = Verifier::new().window(Duration::from_secs(a.window))?.without_nonce_check();
    match verifier.verify(&req, now, lookup) {
        Ok(v) => {
            if g.json {
                print_json(&json!({
                    "valid": true,
                    "signature_version": v.version.as_str(),
                    "access_key_id": v.access_key_id,
                    "security_token": v.security_token.is_some(),
                    "action": v.action,
                    "api_version": v.api_version,
                    "timestamp": format_timestamp(v.timestamp),
                    "nonce": v.nonce,
                    "params": v.params,
                }));
            } else {
                let skew = v.timestamp as i64 - now as i64;
                println!(
                    "valid: {} signature by {} for {} {} (signed at {}, {skew:+} s from now{})",
                    v.version.as_str().to_uppercase(),
                    v.access_key_id,
                    v.action,
                    v.api_version,
                    format_timestamp(v.timestamp),
                    if v.security_token.is_some() { ", with an STS token" } else { "" },
                );
                for (k, val) in &v.params {
                    println!("  {k} = {val}");
                }
            }
            Ok(0)
        }
        Err(e) => {
            let (canonical, sts) = match &e {
                VerifyError::SignatureDoesNotMatch { string_to_sign, canonical_request } => {
                    (Some(canonical_request.clone()), Some(string_to_sign.clone()))
                }
                _ => (None, None),
            };
            if g.json {
                print_json(&json!({
                    "valid": false,
                    "code": e.code(),
                    "message": e.to_string(),
                    "http_status": e.http_status(),
                    "canonical_request": canonical,
                    "string_to_sign": sts,
                }));
            } else {
                println!("invalid: {}: {}", e.code(), first_line(&e));
                if let (Some(c), Some(s)) = (canonical, sts) {
                    println!(
                        "\nThe server computed, with the secret given:\n--- canonical request ---\n{c}\n\n--- string to sign ---\n{s}\n\nCompare them with the client's (smsauth sign --explain shows ours); the first difference is the bug."
                    );
                }
            }
            Ok(1)
        }
    }
}

fn first_line(e: &VerifyError) -> String {
    match e {
        VerifyError::SignatureDoesNotMatch { .. } => {
            "the signature does not match the one computed with this secret".to_owned()
        }
        other => other.to_string(),
    }
}

fn emulator(a: EmulatorArgs) -> Result<u8> {
    let mut config = Config {
        port: a.port,
        seed: a.seed,
        daily_limit: a.daily_limit,
        lenient: a.lenient,
        max_wrong_tries: a.max_wrong_tries,
        verify_with_emulated_clock: !a.real_clock_signatures,
        log_requests: !a.quiet,
        worker_threads: a.threads,
        ..Config::default()
    };
    config.signatures.extend(a.signatures);
    if !a.access_keys.is_empty() {
        config.accounts = a.access_keys.iter().map(|s| parse_pair(s)).collect::<Result<_>>()?;
    }
    let emu = Emulator::start_with(config)?;
    let ready = format!(
        "{{\"endpoint\":{},\"access_key_id\":{},\"access_key_secret\":{}}}",
        Value::from(emu.endpoint()),
        Value::from(emu.access_key_id()),
        Value::from(emu.access_key_secret()),
    );
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{ready}")
        .and_then(|_| stdout.flush())
        .map_err(|e| Error::new(ErrorKind::Internal, format!("could not write the ready line to stdout: {e}")))?;
    drop(stdout);
    if !a.quiet {
        eprintln!(
            "smsauth emulator listening on {} (AccessKey {}); test hooks under {}/_emulator/ — Ctrl-C to stop",
            emu.endpoint(),
            emu.access_key_id(),
            emu.endpoint()
        );
    }
    if a.exit_on_stdin_eof {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        emu.stop();
        return Ok(0);
    }
    loop {
        std::thread::park();
    }
}
