//! A loopback STS for credential tests: `AssumeRole` verified with the core's V1 verifier against
//! known source keys (and the keys it issued itself, for chained roles), `AssumeRoleWithOIDC`
//! checked against an expected token. It mints `STS.<n>` keys whose `Expiration` follows a clock
//! the test controls, and can be told to fail.

#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use smsauth::Secret;
use smsauth::sign::{HttpRequest, Verifier, format_timestamp, parse_query, unix_now};

use crate::support::{Reply, Server};

pub const OIDC_PROVIDER_ARN: &str = "acs:ram::123456789012:oidc-provider/ack-rrsa";

#[derive(Clone, Debug)]
pub struct Issued {
    pub access_key_id: String,
    pub access_key_secret: String,
    pub security_token: String,
    pub expires_at: u64,
}

/// An accepted call: (action, signing AccessKey ID, business parameters).
pub type Call = (String, Option<String>, Vec<(String, String)>);

#[derive(Default)]
struct State {
    /// Long-term source keys: id → secret.
    keys: HashMap<String, String>,
    issued: HashMap<String, Issued>,
    counter: u64,
    /// (HTTP status, Code, Message) to answer instead of credentials.
    failure: Option<(u16, String, String)>,
    oidc_token: String,
    /// Business parameters of every accepted call, with the action and the signing key.
    calls: Vec<Call>,
}

pub struct FakeSts {
    pub server: Server,
    state: Arc<Mutex<State>>,
    pub clock: Arc<AtomicU64>,
}

fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({"RequestId": "R-STS-ERR", "HostId": "sts.aliyuncs.com", "Code": code, "Message": message,
        "Recommend": "https://api.aliyun.com/troubleshoot"})
    .to_string()
}

impl FakeSts {
    /// Accepts `source_keys` (id, secret) for AssumeRole; answers after `delay`.
    pub fn start(source_keys: &[(&str, &str)], clock: Arc<AtomicU64>, delay: Duration) -> FakeSts {
        let state = Arc::new(Mutex::new(State {
            keys: source_keys.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            oidc_token: "oidc-token-1".into(),
            ..Default::default()
        }));
        let (st, clk) = (Arc::clone(&state), Arc::clone(&clock));
        let verifier = Verifier::new();
        let server = Server::start(move |req, _| answer(&st, &clk, &verifier, req).delay(delay));
        FakeSts { server, state, clock }
    }

    pub fn url(&self) -> &str {
        &self.server.url
    }

    /// Requests received (accepted or not).
    pub fn count(&self) -> usize {
        self.server.count()
    }

    pub fn fail_with(&self, status: u16, code: &str, message: &str) {
        self.state.lock().unwrap().failure = Some((status, code.into(), message.into()));
    }

    pub fn succeed(&self) {
        self.state.lock().unwrap().failure = None;
    }

    pub fn set_oidc_token(&self, token: &str) {
        self.state.lock().unwrap().oidc_token = token.into();
    }

    /// Accepted calls: (action, signing AccessKey ID, business parameters).
    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    pub fn issued(&self) -> Vec<Issued> {
        let mut v: Vec<Issued> = self.state.lock().unwrap().issued.values().cloned().collect();
        v.sort_by(|a, b| a.access_key_id.cmp(&b.access_key_id));
        v
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn answer(state: &Mutex<State>, clock: &AtomicU64, verifier: &Verifier, req: &HttpRequest) -> Reply {
    let mut all = parse_query(&req.query).unwrap_or_default();
    if req.header("content-type").is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")) {
        all.extend(parse_query(&String::from_utf8_lossy(&req.body)).unwrap_or_default());
    }
    let action = param(&all, "Action").unwrap_or("").to_owned();
    let mut st = state.lock().unwrap();
    let (signer, params) = match action.as_str() {
        "AssumeRole" => {
            let lookup = |id: &str| {
                st.keys
                    .get(id)
                    .map(|s| Secret::new(s.clone()))
                    .or_else(|| st.issued.get(id).map(|i| Secret::new(i.access_key_secret.clone())))
            };
            let verified = match verifier.verify(req, unix_now(), lookup) {
                Ok(v) => v,
                Err(e) => return Reply::json(e.http_status(), &error_body(e.code(), &e.to_string())),
            };
            if let Some(issued) = st.issued.get(&verified.access_key_id) {
                let sent = verified.security_token.as_ref().map(|t| t.expose().to_owned());
                if sent.as_deref() != Some(issued.security_token.as_str()) {
                    return Reply::json(400, &error_body("InvalidSecurityToken.Mismatch", "token mismatch"));
                }
                if issued.expires_at <= clock.load(Ordering::SeqCst) {
                    return Reply::json(400, &error_body("InvalidSecurityToken.Expired", "expired"));
                }
            }
            if verified.version != smsauth::SignatureVersion::V1 {
                return Reply::json(400, &error_body("InvalidParameter", "expected a V1 signature"));
            }
            (Some(verified.access_key_id.clone()), verified.params.clone())
        }
        "AssumeRoleWithOIDC" => {
            if param(&all, "Signature").is_some() || param(&all, "AccessKeyId").is_some() {
                return Reply::json(400, &error_body("InvalidParameter", "AssumeRoleWithOIDC is anonymous"));
            }
            if param(&all, "OIDCProviderArn") != Some(OIDC_PROVIDER_ARN) {
                return Reply::json(404, &error_body("EntityNotExist.OIDCProvider", "no such OIDC provider"));
            }
            if param(&all, "OIDCToken") != Some(st.oidc_token.as_str()) {
                return Reply::json(400, &error_body("AuthenticationFail.OIDCToken.Invalid", "bad token"));
            }
            let business = all
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "Action" | "Version" | "Format" | "Timestamp"))
                .cloned()
                .collect();
            (None, business)
        }
        other => {
            return Reply::json(404, &error_body("InvalidAction.NotFound", &format!("no action {other:?}")));
        }
    };
    st.calls.push((action.clone(), signer, params.clone()));
    if let Some((status, code, message)) = &st.failure {
        return Reply::json(*status, &error_body(code, message));
    }
    let Some(role) = param(&params, "RoleArn").filter(|r| r.starts_with("acs:ram::")) else {
        return Reply::json(400, &error_body("InvalidParameter.RoleArn", "RoleArn is malformed"));
    };
    let duration: u64 = match param(&params, "DurationSeconds").map(str::parse) {
        Some(Ok(d)) if (900..=43_200).contains(&d) => d,
        _ => return Reply::json(400, &error_body("InvalidParameter.DurationSeconds", "bad DurationSeconds")),
    };
    let session = param(&params, "RoleSessionName").unwrap_or("").to_owned();
    if session.is_empty() {
        return Reply::json(400, &error_body("MissingParameter.RoleSessionName", "RoleSessionName is required"));
    }
    st.counter += 1;
    let n = st.counter;
    let issued = Issued {
        access_key_id: format!("STS.fake{n}"),
        access_key_secret: format!("fake-sts-secret-{n}"),
        security_token: format!("fake-sts-token-{n}"),
        expires_at: clock.load(Ordering::SeqCst) + duration,
    };
    st.issued.insert(issued.access_key_id.clone(), issued.clone());
    let body = serde_json::json!({
        "RequestId": format!("R-STS-{n}"),
        "AssumedRoleUser": {"Arn": format!("{role}/{session}"), "AssumedRoleId": format!("3{n}:{session}")},
        "Credentials": {
            "AccessKeyId": issued.access_key_id,
            "AccessKeySecret": issued.access_key_secret,
            "SecurityToken": issued.security_token,
            "Expiration": format_timestamp(issued.expires_at),
        }
    });
    Reply::json(200, &body.to_string())
}
