//! Every credentials provider against loopback fixtures (STS, ECS metadata, credentials URI)
//! with a temporary HOME and a fixed [`Environment`] per test — the process environment is never
//! touched: success, malformed configuration, missing pieces, expiry and refresh under 100
//! concurrent calls, chain order, and no secret in any message.

#![allow(clippy::unwrap_used)]

#[path = "support/metadata.rs"]
mod metadata_fixture;
#[path = "support/sts.rs"]
mod sts_fixture;
mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use metadata_fixture::FakeMetadata;
use smsauth::credentials::{
    CliProfileProvider, CredentialsChain, CredentialsFileProvider, CredentialsUriProvider, EcsRamRoleConfig,
    EcsRamRoleProvider, Environment, OidcConfig, OidcProvider, ProfileProvider, RamRoleArnConfig, RamRoleArnProvider,
};
use smsauth::sign::{format_timestamp, unix_now};
use smsauth::{Credentials, ErrorKind, ProvideCredentials, Result};
use sts_fixture::{FakeSts, OIDC_PROVIDER_ARN};
use support::{Reply, Server};

const ROLE: &str = "acs:ram::123456789012:role/sms-sender";
const SOURCE_ID: &str = "LTAI5tSourceKeyId001";
const SOURCE_SECRET: &str = "source-secret-do-not-leak";

// ---------------------------------------------------------------- helpers

/// A temporary home directory, removed on drop.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new() -> Home {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "smsauth-credentials-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home { dir }
    }

    fn write(&self, rel: &str, content: &str) -> PathBuf {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    fn path(&self, rel: &str) -> String {
        self.dir.join(rel).display().to_string()
    }

    /// HOME = this directory, plus `vars`, with `clock` as the time.
    fn env(&self, clock: &Arc<AtomicU64>, vars: &[(&str, &str)]) -> Environment {
        let mut all: Vec<(String, String)> = vec![("HOME".into(), self.dir.display().to_string())];
        all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let c = Arc::clone(clock);
        Environment::from_vars(all).with_clock(move || c.load(Ordering::SeqCst))
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn clock() -> Arc<AtomicU64> {
    Arc::new(AtomicU64::new(unix_now()))
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn get(p: &dyn ProvideCredentials) -> Result<Credentials> {
    rt().block_on(p.provide())
}

fn get_err(p: &dyn ProvideCredentials) -> String {
    let err = get(p).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials, "{err}");
    err.to_string()
}

/// `n` calls at once on a multi-threaded runtime; their AccessKey IDs.
fn concurrently(p: Arc<dyn ProvideCredentials>, n: usize) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    rt.block_on(async move {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            let p = Arc::clone(&p);
            set.spawn(async move { p.provide().await.map(|c| c.access_key_id().to_owned()) });
        }
        let mut ids = Vec::new();
        while let Some(r) = set.join_next().await {
            ids.push(r.unwrap().unwrap());
        }
        ids
    })
}

fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    url
}

fn token(c: &Credentials) -> Option<&str> {
    c.security_token().map(|t| t.expose())
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn ram_role(sts: &FakeSts, env: Environment) -> RamRoleArnProvider {
    RamRoleArnProvider::new(RamRoleArnConfig {
        role_arn: ROLE.into(),
        sts_endpoint: Some(sts.url().to_owned()),
        ..Default::default()
    })
    .unwrap()
    .with_access_key(SOURCE_ID, SOURCE_SECRET)
    .unwrap()
    .with_environment(env)
}

// ---------------------------------------------------------------- RAM role ARN

#[test]
fn ram_role_arn_assumes_the_role_with_a_v1_signed_call() {
    let (home, clock) = (Home::new(), clock());
    let sts = FakeSts::start(&[(SOURCE_ID, SOURCE_SECRET)], Arc::clone(&clock), Duration::ZERO);
    let p = RamRoleArnProvider::new(RamRoleArnConfig {
        role_arn: ROLE.into(),
        role_session_name: Some("signup-service".into()),
        duration_seconds: Some(900),
        policy: Some(r#"{"Version":"1","Statement":[]}"#.into()),
        external_id: Some("ext-1".into()),
        sts_endpoint: Some(sts.url().to_owned()),
        ..Default::default()
    })
    .unwrap()
    .with_access_key(SOURCE_ID, SOURCE_SECRET)
    .unwrap()
    .with_environment(home.env(&clock, &[]));
    let c = get(&p).unwrap();
    assert_eq!(c.access_key_id(), "STS.fake1");
    assert_eq!(c.access_key_secret().expose(), "fake-sts-secret-1");
    assert_eq!(token(&c), Some("fake-sts-token-1"));
    let calls = sts.calls();
    assert_eq!(calls.len(), 1);
    let (action, signer, params) = &calls[0];
    assert_eq!((action.as_str(), signer.as_deref()), ("AssumeRole", Some(SOURCE_ID)));
    assert_eq!(param(params, "RoleArn"), Some(ROLE));
    assert_eq!(param(params, "RoleSessionName"), Some("signup-service"));
    assert_eq!(param(params, "DurationSeconds"), Some("900"));
    assert_eq!(param(params, "ExternalId"), Some("ext-1"));
    assert_eq!(param(params, "Policy"), Some(r#"{"Version":"1","Statement":[]}"#));
    // Everything travelled in the form body: nothing in the URL.
    let req = sts.server.requests.lock().unwrap()[0].clone();
    assert_eq!(req.method, "POST");
    assert!(req.query.is_empty(), "{}", req.query);
    assert!(
        String::from_utf8_lossy(&req.body).contains("SignatureMethod=HMAC-SHA1")
            && String::from_utf8_lossy(&req.body).contains("SignatureVersion=1.0")
    );
    // Cached: no second request.
    assert_eq!(get(&p).unwrap().access_key_id(), "STS.fake1");
    assert_eq!(sts.count(), 1);
}

#[test]
fn ram_role_arn_errors_name_the_provider_and_what_sts_said() {
    let (home, clock) = (Home::new(), clock());
    let sts = FakeSts::start(&[(SOURCE_ID, SOURCE_SECRET)], Arc::clone(&clock), Duration::ZERO);
    let p = ram_role(&sts, home.env(&clock, &[]));
    sts.fail_with(400, "InvalidParameter", "The parameter DurationSeconds is invalid.");
    let msg = get_err(&p);
    assert!(
        msg.starts_with(
            "ram_role_arn: STS AssumeRole failed: STS said InvalidParameter: The parameter DurationSeconds is invalid. (HTTP 400, request id R-STS-ERR)"
        ),
        "{msg}"
    );

    let wrong = RamRoleArnProvider::new(RamRoleArnConfig {
        role_arn: ROLE.into(),
        sts_endpoint: Some(sts.url().to_owned()),
        ..Default::default()
    })
    .unwrap()
    .with_access_key(SOURCE_ID, "wrong-secret")
    .unwrap()
    .with_environment(home.env(&clock, &[]));
    let msg = get_err(&wrong);
    assert!(msg.contains("STS said SignatureDoesNotMatch") && msg.contains("source AccessKey"), "{msg}");

    // The default source is the default chain, which here has nothing.
    let no_source = RamRoleArnProvider::new(RamRoleArnConfig {
        role_arn: ROLE.into(),
        sts_endpoint: Some(sts.url().to_owned()),
        ..Default::default()
    })
    .unwrap()
    .with_environment(home.env(&clock, &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]));
    let msg = get_err(&no_source);
    assert!(
        msg.starts_with(&format!("ram_role_arn: no source credentials to assume {ROLE} with: no credentials found")),
        "{msg}"
    );

    let unreachable = RamRoleArnProvider::new(RamRoleArnConfig {
        role_arn: ROLE.into(),
        sts_endpoint: Some(closed_port_url()),
        ..Default::default()
    })
    .unwrap()
    .with_access_key(SOURCE_ID, SOURCE_SECRET)
    .unwrap();
    let msg = get_err(&unreachable);
    assert!(msg.starts_with("ram_role_arn: could not connect to the STS endpoint at http://127.0.0.1:"), "{msg}");

    for (config, field) in [
        (RamRoleArnConfig { role_arn: " ".into(), ..Default::default() }, "role_arn"),
        (
            RamRoleArnConfig { role_arn: ROLE.into(), duration_seconds: Some(60), ..Default::default() },
            "duration_seconds",
        ),
    ] {
        let err = RamRoleArnProvider::new(config).unwrap_err();
        assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some(field)), "{err}");
    }
}

#[test]
fn ram_role_arn_uses_the_default_chain_and_the_session_name_variable() {
    let (home, clock) = (Home::new(), clock());
    let sts = FakeSts::start(&[(SOURCE_ID, SOURCE_SECRET)], Arc::clone(&clock), Duration::ZERO);
    let env = home.env(
        &clock,
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", SOURCE_ID),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SOURCE_SECRET),
            ("ALIBABA_CLOUD_ROLE_SESSION_NAME", "from-the-env"),
            ("ALIBABA_CLOUD_STS_ENDPOINT", sts.url()),
        ],
    );
    let p = RamRoleArnProvider::new(RamRoleArnConfig { role_arn: ROLE.into(), ..Default::default() })
        .unwrap()
        .with_environment(env);
    assert_eq!(get(&p).unwrap().access_key_id(), "STS.fake1");
    let (_, signer, params) = &sts.calls()[0];
    assert_eq!(signer.as_deref(), Some(SOURCE_ID));
    assert_eq!(param(params, "RoleSessionName"), Some("from-the-env"));
    assert_eq!(param(params, "DurationSeconds"), Some("3600"));
}

// ---------------------------------------------------------------- caching and refresh

#[test]
fn one_hundred_concurrent_calls_make_one_sts_request_and_refresh_once() {
    let (home, clock) = (Home::new(), clock());
    let sts = FakeSts::start(&[(SOURCE_ID, SOURCE_SECRET)], Arc::clone(&clock), Duration::from_millis(300));
    let p: Arc<dyn ProvideCredentials> = Arc::new(ram_role(&sts, home.env(&clock, &[])));

    let ids = concurrently(Arc::clone(&p), 100);
    assert_eq!(ids.len(), 100);
    assert!(ids.iter().all(|id| id == "STS.fake1"), "{ids:?}");
    assert_eq!(sts.count(), 1, "100 concurrent first calls → one STS request");

    let expiry = sts.issued()[0].expires_at;
    clock.store(expiry - 181, Ordering::SeqCst);
    assert!(concurrently(Arc::clone(&p), 100).iter().all(|id| id == "STS.fake1"));
    assert_eq!(sts.count(), 1, "not due before 3 minutes to expiry");

    // Due: the calls keep getting the still-valid credentials while exactly one refresh runs.
    clock.store(expiry - 180, Ordering::SeqCst);
    let ids = concurrently(Arc::clone(&p), 100);
    assert!(ids.iter().all(|id| id == "STS.fake1" || id == "STS.fake2"), "{ids:?}");
    let waited = std::time::Instant::now();
    while sts.issued().len() < 2 && waited.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(sts.count(), 2, "one refresh for 100 calls");
    assert_eq!(get(p.as_ref()).unwrap().access_key_id(), "STS.fake2");

    // Expired and no refresh yet: everyone waits for the single request.
    clock.store(sts.issued()[1].expires_at + 5, Ordering::SeqCst);
    assert!(concurrently(Arc::clone(&p), 100).iter().all(|id| id == "STS.fake3"));
    assert_eq!(sts.count(), 3);
}

#[test]
fn a_failed_refresh_serves_unexpired_credentials_then_reports_the_error() {
    let (home, clock) = (Home::new(), clock());
    let sts = FakeSts::start(&[(SOURCE_ID, SOURCE_SECRET)], Arc::clone(&clock), Duration::ZERO);
    let p = ram_role(&sts, home.env(&clock, &[]));
    assert_eq!(get(&p).unwrap().access_key_id(), "STS.fake1");
    let expiry = sts.issued()[0].expires_at;

    sts.fail_with(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
    clock.store(expiry - 60, Ordering::SeqCst);
    assert_eq!(get(&p).unwrap().access_key_id(), "STS.fake1", "still valid: served despite the failure");
    assert_eq!(sts.count(), 2);
    assert_eq!(get(&p).unwrap().access_key_id(), "STS.fake1");
    assert_eq!(sts.count(), 2, "no hammering right after a failure");
    clock.store(expiry - 40, Ordering::SeqCst);
    assert_eq!(get(&p).unwrap().access_key_id(), "STS.fake1");
    assert_eq!(sts.count(), 3, "tried again after the back-off");

    clock.store(expiry, Ordering::SeqCst);
    let msg = get_err(&p);
    assert!(msg.contains("STS said ServiceUnavailable"), "{msg}");
    assert!(
        msg.contains(&format!("the cached temporary credentials expired at {}", format_timestamp(expiry))),
        "{msg}"
    );

    // 100 callers after expiry with STS down: one request, one shared answer.
    let before = sts.count();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let p = Arc::new(p);
    let errors = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..100 {
            let p = Arc::clone(&p);
            set.spawn(async move { p.provide().await.is_err() });
        }
        let mut n = 0;
        while let Some(r) = set.join_next().await {
            n += usize::from(r.unwrap());
        }
        n
    });
    assert_eq!(errors, 100);
    assert!(sts.count() - before <= 2, "failed refreshes are shared, got {}", sts.count() - before);

    sts.succeed();
    assert!(get(p.as_ref()).unwrap().access_key_id().starts_with("STS.fake"));
}

// ---------------------------------------------------------------- OIDC

#[test]
fn oidc_exchanges_the_token_file_and_rereads_it_on_refresh() {
    let (home, clock) = (Home::new(), clock());
    let sts = FakeSts::start(&[], Arc::clone(&clock), Duration::ZERO);
    let token_file = home.write("var/run/token", "oidc-token-1\n");
    let env = home.env(
        &clock,
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", ROLE),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &token_file.display().to_string()),
            ("ALIBABA_CLOUD_STS_ENDPOINT", sts.url()),
        ],
    );
    let p = OidcProvider::new().with_environment(env);
    let c = get(&p).unwrap();
    assert_eq!((c.access_key_id(), token(&c)), ("STS.fake1", Some("fake-sts-token-1")));
    let (action, signer, params) = &sts.calls()[0];
    assert_eq!((action.as_str(), signer.as_deref()), ("AssumeRoleWithOIDC", None));
    assert_eq!(param(params, "OIDCToken"), Some("oidc-token-1"));
    assert_eq!(param(params, "RoleArn"), Some(ROLE));
    assert_eq!(param(params, "RoleSessionName"), Some(format!("smsauth-{}", clock.load(Ordering::SeqCst)).as_str()));
    let req = sts.server.requests.lock().unwrap()[0].clone();
    assert!(req.query.contains("Action=AssumeRoleWithOIDC") && !req.query.contains("OIDCToken"), "{}", req.query);

    // The platform rotates the token; the refresh sends the new one.
    std::fs::write(&token_file, "oidc-token-2").unwrap();
    sts.set_oidc_token("oidc-token-2");
    clock.store(sts.issued()[0].expires_at - 100, Ordering::SeqCst);
    assert_eq!(get(&p).unwrap().access_key_id(), "STS.fake2");
    assert_eq!(param(&sts.calls()[1].2, "OIDCToken"), Some("oidc-token-2"));

    // A token STS refuses, with the refreshed credentials expired.
    sts.set_oidc_token("something-else");
    clock.store(sts.issued()[1].expires_at, Ordering::SeqCst);
    let msg = get_err(&p);
    assert!(
        msg.starts_with("oidc: STS AssumeRoleWithOIDC failed: STS said AuthenticationFail.OIDCToken.Invalid"),
        "{msg}"
    );
    assert!(!msg.contains("oidc-token-2"), "{msg}");
}

#[test]
fn oidc_reports_missing_pieces() {
    let (home, clock) = (Home::new(), clock());
    let p = OidcProvider::new().with_environment(home.env(&clock, &[("ALIBABA_CLOUD_ROLE_ARN", ROLE)]));
    let msg = get_err(&p);
    assert_eq!(
        msg,
        "oidc: ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE not set (all three of \
         ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are needed)"
    );
    let missing = home.path("no/such/token");
    let p = OidcProvider::with_config(OidcConfig {
        role_arn: Some(ROLE.into()),
        oidc_provider_arn: Some(OIDC_PROVIDER_ARN.into()),
        oidc_token_file: Some(missing.clone()),
        sts_endpoint: Some(closed_port_url()),
        ..Default::default()
    })
    .with_environment(home.env(&clock, &[]));
    let msg = get_err(&p);
    assert!(msg.starts_with(&format!("oidc: cannot read the OIDC token file {missing}: ")), "{msg}");
    let empty = home.write("empty-token", "  \n");
    let p = OidcProvider::with_config(OidcConfig {
        role_arn: Some(ROLE.into()),
        oidc_provider_arn: Some(OIDC_PROVIDER_ARN.into()),
        oidc_token_file: Some(empty.display().to_string()),
        ..Default::default()
    })
    .with_environment(home.env(&clock, &[]));
    assert!(get_err(&p).ends_with("is empty"));
}

// ---------------------------------------------------------------- ECS RAM role

fn ecs(meta: &FakeMetadata, env: Environment, role: Option<&str>) -> EcsRamRoleProvider {
    EcsRamRoleProvider::with_config(EcsRamRoleConfig {
        role_name: role.map(str::to_owned),
        metadata_endpoint: Some(meta.url().to_owned()),
        ..Default::default()
    })
    .with_environment(env)
}

#[test]
fn ecs_ram_role_uses_the_session_token_and_discovers_the_role() {
    let (home, clock) = (Home::new(), clock());
    let meta = FakeMetadata::start("sms-sender", 21_600, Arc::clone(&clock), Duration::ZERO);
    meta.tokens_required.store(true, Ordering::SeqCst);
    let p = ecs(&meta, home.env(&clock, &[]), None);
    let c = get(&p).unwrap();
    assert_eq!((c.access_key_id(), token(&c)), ("STS.ecs1", Some("fake-ecs-token-1")));
    let reqs = meta.server.requests.lock().unwrap().clone();
    let seen: Vec<(String, String)> = reqs.iter().map(|r| (r.method.clone(), r.path.clone())).collect();
    assert_eq!(
        seen,
        [
            ("PUT".into(), "/latest/api/token".into()),
            ("GET".into(), "/latest/meta-data/ram/security-credentials/".into()),
            ("GET".into(), "/latest/meta-data/ram/security-credentials/sms-sender".into()),
        ]
    );
    assert_eq!(reqs[0].header("x-aliyun-ecs-metadata-token-ttl-seconds").as_deref(), Some("21600"));
    assert!(
        reqs[1..].iter().all(|r| r.header("x-aliyun-ecs-metadata-token").as_deref() == Some(metadata_fixture::TOKEN))
    );

    // The role is remembered: a refresh asks for the token and the credentials only.
    clock.store(clock.load(Ordering::SeqCst) + 21_600 - 100, Ordering::SeqCst);
    assert_eq!(get(&p).unwrap().access_key_id(), "STS.ecs2");
    assert_eq!(meta.server.count(), 5);

    // The role from ALIBABA_CLOUD_ECS_METADATA, 100 concurrent first calls → one document.
    let meta2 = FakeMetadata::start("sms-sender", 3600, Arc::clone(&clock), Duration::from_millis(200));
    let p: Arc<dyn ProvideCredentials> =
        Arc::new(ecs(&meta2, home.env(&clock, &[("ALIBABA_CLOUD_ECS_METADATA", "sms-sender")]), None));
    assert!(concurrently(p, 100).iter().all(|id| id == "STS.ecs1"));
    assert_eq!((meta2.served(), meta2.server.count()), (1, 2), "one token PUT and one credentials GET");
}

#[test]
fn ecs_ram_role_errors_say_what_the_metadata_server_said() {
    let (home, clock) = (Home::new(), clock());
    let meta = FakeMetadata::start("sms-sender", 3600, Arc::clone(&clock), Duration::ZERO);
    let msg = get_err(&ecs(&meta, home.env(&clock, &[("ALIBABA_CLOUD_ECS_METADATA", "sms-sendr")]), None));
    assert!(
        msg.starts_with("ecs_ram_role: metadata returned 404 for role \"sms-sendr\": no role of that name"),
        "{msg}"
    );

    meta.broken.store(true, Ordering::SeqCst);
    let msg = get_err(&ecs(&meta, home.env(&clock, &[]), Some("sms-sender")));
    assert!(msg.starts_with("ecs_ram_role: metadata returned 500 for role \"sms-sender\""), "{msg}");
    meta.broken.store(false, Ordering::SeqCst);

    // An old server without session tokens: plain requests, unless IMDSv1 is disabled.
    meta.tokens_supported.store(false, Ordering::SeqCst);
    assert_eq!(get(&ecs(&meta, home.env(&clock, &[]), Some("sms-sender"))).unwrap().access_key_id(), "STS.ecs1");
    let msg = get_err(&ecs(&meta, home.env(&clock, &[("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")]), Some("sms-sender")));
    assert!(
        msg.contains("refused a session token (HTTP 403") && msg.contains("ALIBABA_CLOUD_IMDSV1_DISABLED"),
        "{msg}"
    );

    let before = meta.server.count();
    let msg = get_err(&ecs(&meta, home.env(&clock, &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")]), None));
    assert_eq!(msg, "ecs_ram_role: disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true");
    assert_eq!(meta.server.count(), before, "disabled means not asked");

    let p = EcsRamRoleProvider::new()
        .with_environment(home.env(&clock, &[("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT", &closed_port_url())]));
    let msg = get_err(&p);
    assert!(
        msg.starts_with("ecs_ram_role: could not connect to the ECS metadata server at http://127.0.0.1:")
            && msg
                .ends_with("(not running on ECS? set ALIBABA_CLOUD_ECS_METADATA_DISABLED=true to skip this provider)"),
        "{msg}"
    );
}

// ---------------------------------------------------------------- credentials URI

fn uri_server(clock: &Arc<AtomicU64>, body: impl Fn(u64) -> (u16, String) + Send + Sync + 'static) -> Server {
    let clock = Arc::clone(clock);
    Server::start(move |_, _| {
        let (status, body) = body(clock.load(Ordering::SeqCst));
        Reply::json(status, &body)
    })
}

#[test]
fn credentials_uri_success_and_failures() {
    let (home, clock) = (Home::new(), clock());
    let ok = uri_server(&clock, |now| {
        (
            200,
            format!(
                r#"{{"Code":"Success","AccessKeyId":"STS.uri","AccessKeySecret":"uri-secret","SecurityToken":"uri-token","Expiration":"{}"}}"#,
                format_timestamp(now + 3600)
            ),
        )
    });
    let p = CredentialsUriProvider::new().with_environment(
        home.env(&clock, &[("ALIBABA_CLOUD_CREDENTIALS_URI", &format!("{}/creds?auth=hush", ok.url))]),
    );
    let c = get(&p).unwrap();
    assert_eq!((c.access_key_id(), token(&c)), ("STS.uri", Some("uri-token")));
    assert_eq!(ok.requests.lock().unwrap()[0].query, "auth=hush");
    assert_eq!(get(&p).unwrap().access_key_id(), "STS.uri");
    assert_eq!(ok.count(), 1, "cached");

    let cases: Vec<(u16, &str, &str)> = vec![
        (500, r#"{"Code":"InternalError"}"#, "answered HTTP 500: "),
        (
            200,
            "{\n\"AccessKeyId\": \"STS.uri\",\n\"AccessKeySecret\": \"leaky-secret\"\n,,}",
            "answered with bad JSON at line 4, column 2: syntax error",
        ),
        (200, r#"{"Code":"Failed","AccessKeyId":"a"}"#, "answered Code \"Failed\" instead of \"Success\""),
        (
            200,
            r#"{"AccessKeyId":"a","AccessKeySecret":"leaky-secret","SecurityToken":"t"}"#,
            "answered, but the answer has no Expiration",
        ),
        (
            200,
            r#"{"AccessKeyId":"a","AccessKeySecret":"leaky-secret","SecurityToken":"t","Expiration":"tomorrow"}"#,
            "its Expiration \"tomorrow\" is not a yyyy-MM-ddTHH:mm:ssZ time",
        ),
    ];
    for (status, body, expected) in cases {
        let body = body.to_owned();
        let server = uri_server(&clock, move |_| (status, body.clone()));
        let p = CredentialsUriProvider::with_uri(format!("{}/creds?auth=hush", server.url))
            .with_environment(home.env(&clock, &[]));
        let msg = get_err(&p);
        assert!(msg.starts_with("credentials_uri: http://127.0.0.1:"), "{msg}");
        assert!(msg.contains("/creds?…") && !msg.contains("hush"), "{msg}");
        assert!(msg.contains(expected), "{msg}\nexpected: {expected}");
        assert!(!msg.contains("leaky-secret"), "{msg}");
    }
    let msg = get_err(&CredentialsUriProvider::with_uri("file:///etc/passwd"));
    assert_eq!(msg, "credentials_uri: file:///etc/passwd is not an http(s) URL");
}

// ---------------------------------------------------------------- CLI profile

fn cli_config(uri: &str, token_file: &str) -> String {
    serde_json::json!({
        "current": "ak",
        "profiles": [
            {"name": "ak", "mode": "AK", "access_key_id": "LTAI5tCliAk00000001", "access_key_secret": "cli-ak-secret",
             "region_id": "cn-hangzhou", "output_format": "json", "language": "en"},
            {"name": "sts", "mode": "StsToken", "access_key_id": "STS.cli", "access_key_secret": "cli-sts-secret",
             "sts_token": "cli-sts-token", "region_id": "cn-hangzhou"},
            {"name": "role", "mode": "RamRoleArn", "access_key_id": SOURCE_ID, "access_key_secret": SOURCE_SECRET,
             "ram_role_arn": ROLE, "ram_session_name": "cli-session", "expired_seconds": 1800},
            {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "sms-sender"},
            {"name": "ecs-role", "mode": "RamRoleArnWithRoleName", "ram_role_name": "sms-sender",
             "ram_role_arn": "acs:ram::123456789012:role/from-ecs", "ram_session_name": "ecs-session"},
            {"name": "chained", "mode": "ChainableRamRoleArn", "source_profile": "role",
             "ram_role_arn": "acs:ram::123456789012:role/second", "ram_session_name": "second-hop"},
            {"name": "uri", "mode": "CredentialsURI", "credentials_uri": uri},
            {"name": "oidc", "mode": "OIDC", "ram_role_arn": ROLE, "oidc_provider_arn": OIDC_PROVIDER_ARN,
             "oidc_token_file": token_file},
            {"name": "sso", "mode": "CloudSSO"},
            {"name": "loop-a", "mode": "ChainableRamRoleArn", "source_profile": "loop-b", "ram_role_arn": ROLE},
            {"name": "loop-b", "mode": "ChainableRamRoleArn", "source_profile": "loop-a", "ram_role_arn": ROLE},
            {"name": "half", "mode": "AK", "access_key_id": "LTAI5tHalf", "access_key_secret": ""},
            {"name": "unset", "mode": ""}
        ],
        "meta_path": ""
    })
    .to_string()
}

#[test]
fn cli_profile_modes() {
    let (home, clock) = (Home::new(), clock());
    // The ECS role's keys may sign AssumeRole too (RamRoleArnWithRoleName).
    let sts = FakeSts::start(
        &[(SOURCE_ID, SOURCE_SECRET), ("STS.ecs1", "fake-ecs-secret-1"), ("STS.ecs2", "fake-ecs-secret-2")],
        Arc::clone(&clock),
        Duration::ZERO,
    );
    let meta = FakeMetadata::start("sms-sender", 3600, Arc::clone(&clock), Duration::ZERO);
    let uri = uri_server(&clock, |now| {
        (
            200,
            format!(
                r#"{{"AccessKeyId":"STS.cli-uri","AccessKeySecret":"s","SecurityToken":"t","Expiration":"{}"}}"#,
                format_timestamp(now + 3600)
            ),
        )
    });
    let token_file = home.write("oidc-token", "oidc-token-1");
    home.write(".aliyun/config.json", &cli_config(&format!("{}/c", uri.url), &token_file.display().to_string()));
    let env = |extra: &[(&str, &str)]| {
        let mut vars =
            vec![("ALIBABA_CLOUD_STS_ENDPOINT", sts.url()), ("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT", meta.url())];
        vars.extend_from_slice(extra);
        home.env(&clock, &vars)
    };
    let id = |p: CliProfileProvider| get(&p.with_environment(env(&[]))).unwrap().access_key_id().to_owned();

    // current, then ALIBABA_CLOUD_PROFILE, then an explicit name.
    assert_eq!(
        get(&CliProfileProvider::new().with_environment(env(&[]))).unwrap().access_key_id(),
        "LTAI5tCliAk00000001"
    );
    let c = get(&CliProfileProvider::new().with_environment(env(&[("ALIBABA_CLOUD_PROFILE", "sts")]))).unwrap();
    assert_eq!((c.access_key_id(), token(&c)), ("STS.cli", Some("cli-sts-token")));
    assert_eq!(id(CliProfileProvider::named("ak")), "LTAI5tCliAk00000001");

    assert_eq!(id(CliProfileProvider::named("role")), "STS.fake1");
    let (_, signer, params) = &sts.calls()[0];
    assert_eq!(signer.as_deref(), Some(SOURCE_ID));
    assert_eq!(
        (param(params, "RoleSessionName"), param(params, "DurationSeconds")),
        (Some("cli-session"), Some("1800"))
    );

    assert_eq!(id(CliProfileProvider::named("ecs")), "STS.ecs1");

    // RamRoleArnWithRoleName: the ECS role's credentials sign AssumeRole.
    assert_eq!(id(CliProfileProvider::named("ecs-role")), "STS.fake2");
    let (_, signer, params) = &sts.calls()[1];
    assert_eq!(
        (signer.as_deref(), param(params, "RoleArn")),
        (Some("STS.ecs2"), Some("acs:ram::123456789012:role/from-ecs"))
    );

    // ChainableRamRoleArn: profile "role" assumes its role, whose credentials assume the next.
    assert_eq!(id(CliProfileProvider::named("chained")), "STS.fake4");
    let calls = sts.calls();
    assert_eq!((calls[2].1.as_deref(), param(&calls[2].2, "RoleArn")), (Some(SOURCE_ID), Some(ROLE)));
    assert_eq!(
        (calls[3].1.as_deref(), param(&calls[3].2, "RoleSessionName")),
        (Some("STS.fake3"), Some("second-hop")),
        "the second hop is signed with the first hop's STS key (and token, checked by the fixture)"
    );

    assert_eq!(id(CliProfileProvider::named("uri")), "STS.cli-uri");
    assert_eq!(id(CliProfileProvider::named("oidc")), "STS.fake5");

    let err = |p: CliProfileProvider| get_err(&p.with_environment(env(&[])));
    let path = home.path(".aliyun/config.json");
    assert_eq!(
        err(CliProfileProvider::named("nope")),
        format!(
            "cli_profile: profile \"nope\" not found in {path} (it has: ak, sts, role, ecs, ecs-role, chained, uri, oidc, sso, loop-a, loop-b, half, unset)"
        )
    );
    let msg = err(CliProfileProvider::named("sso"));
    assert!(msg.contains("has mode \"CloudSSO\", which smsauth does not support (supported: AK, StsToken"), "{msg}");
    let msg = err(CliProfileProvider::named("loop-a"));
    assert!(msg.contains("the source_profile chain loop-a → loop-b → loop-a"), "{msg}");
    assert_eq!(
        err(CliProfileProvider::named("half")),
        format!("cli_profile: profile \"half\" (AK mode) in {path}: access_key_secret is empty")
    );
    assert!(err(CliProfileProvider::named("unset")).contains("has no mode; run `aliyun configure --profile unset`"));

    // A failing inner provider is named with its profile.
    meta.broken.store(true, Ordering::SeqCst);
    let msg = get_err(
        &CliProfileProvider::named("ecs").with_environment(env(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "")])),
    );
    assert!(
        msg.starts_with(&format!("cli_profile: profile \"ecs\" of {path}: ecs_ram_role: metadata returned 500")),
        "{msg}"
    );

    let msg =
        get_err(&CliProfileProvider::new().with_environment(env(&[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")])));
    assert_eq!(msg, "cli_profile: disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true");
}

#[test]
fn cli_profile_malformed_and_missing_files() {
    let (home, clock) = (Home::new(), clock());
    let p = || CliProfileProvider::new().with_environment(home.env(&clock, &[]));
    let path = home.path(".aliyun/config.json");
    assert_eq!(get_err(&p()), format!("cli_profile: {path} not found"));
    home.write(
        ".aliyun/config.json",
        "{\n  \"current\": \"default\",\n  \"profiles\": [\n    {\"name\": \"default\", \"access_key_secret\": \"leak-me-123\" \"mode\": \"AK\"}\n  ]\n}\n",
    );
    let msg = get_err(&p());
    assert_eq!(msg, format!("cli_profile: {path}: bad JSON at line 4, column 60: syntax error"));
    home.write(
        ".aliyun/config.json",
        r#"{"current": "default", "profiles": [{"name": "default", "expired_seconds": "leak-me-123"}]}"#,
    );
    let msg = get_err(&p());
    assert!(
        msg.contains("bad JSON at line 1") && msg.contains("a value of the wrong type") && !msg.contains("leak-me"),
        "{msg}"
    );
    home.write(".aliyun/config.json", r#"{"profiles": []}"#);
    assert!(get_err(&p()).contains("has no \"current\" profile; set ALIBABA_CLOUD_PROFILE or name a profile"));
    let nohome = CliProfileProvider::new().with_environment(Environment::from_vars([("X", "1")]));
    assert!(get_err(&nohome).contains("no home directory (HOME is not set)"));
}

// ---------------------------------------------------------------- credentials file

const INI: &str = "\
# shared credentials
[default]
type = access_key
access_key_id = LTAI5tFileDefault001
access_key_secret = file-default-secret

[sts]
type = sts
access_key_id = STS.file
access_key_secret = file-sts-secret
security_token = file-sts-token

[ecs]
type = ecs_ram_role
role_name = sms-sender

[role]
type = ram_role_arn
access_key_id = LTAI5tSourceKeyId001
access_key_secret = source-secret-do-not-leak
role_arn = acs:ram::123456789012:role/sms-sender
role_session_name = file-session
policy = {\"Version\":\"1\"}

[half]
type = access_key
access_key_id = LTAI5tHalf

[weird]
type = rsa_key_pair
";

#[test]
fn credentials_file_types_and_selection() {
    let (home, clock) = (Home::new(), clock());
    let sts = FakeSts::start(&[(SOURCE_ID, SOURCE_SECRET)], Arc::clone(&clock), Duration::ZERO);
    let meta = FakeMetadata::start("sms-sender", 3600, Arc::clone(&clock), Duration::ZERO);
    home.write(".alibabacloud/credentials", INI);
    let env = |extra: &[(&str, &str)]| {
        let mut vars =
            vec![("ALIBABA_CLOUD_STS_ENDPOINT", sts.url()), ("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT", meta.url())];
        vars.extend_from_slice(extra);
        home.env(&clock, &vars)
    };
    let id = |p: CredentialsFileProvider| get(&p.with_environment(env(&[]))).unwrap().access_key_id().to_owned();
    assert_eq!(
        get(&CredentialsFileProvider::new().with_environment(env(&[]))).unwrap().access_key_id(),
        "LTAI5tFileDefault001"
    );
    let c = get(&CredentialsFileProvider::new().with_environment(env(&[("ALIBABA_CLOUD_PROFILE", "sts")]))).unwrap();
    assert_eq!((c.access_key_id(), token(&c)), ("STS.file", Some("file-sts-token")));
    assert_eq!(id(CredentialsFileProvider::named("ecs")), "STS.ecs1");
    assert_eq!(id(CredentialsFileProvider::named("role")), "STS.fake1");
    let (_, signer, params) = &sts.calls()[0];
    assert_eq!((signer.as_deref(), param(params, "RoleSessionName")), (Some(SOURCE_ID), Some("file-session")));
    assert_eq!(param(params, "Policy"), Some(r#"{"Version":"1"}"#));

    let path = home.path(".alibabacloud/credentials");
    let err = |p: CredentialsFileProvider| get_err(&p.with_environment(env(&[])));
    assert_eq!(
        err(CredentialsFileProvider::named("half")),
        format!("credentials_file: [half] (type access_key) in {path}: access_key_secret is missing or empty")
    );
    assert!(err(CredentialsFileProvider::named("weird")).ends_with(
        "type \"rsa_key_pair\" is not supported (supported: access_key, sts, ecs_ram_role, ram_role_arn, oidc_role_arn)"
    ));
    assert_eq!(
        err(CredentialsFileProvider::named("nope")),
        format!("credentials_file: no [nope] section in {path} (it has: default, sts, ecs, role, half, weird)")
    );

    // ALIBABA_CLOUD_CREDENTIALS_FILE wins over the home file; a missing named file is an error.
    let other = home.write(
        "elsewhere/creds.ini",
        "[default]\ntype=access_key\naccess_key_id=LTAI5tElsewhere\naccess_key_secret=x\n",
    );
    let c = get(&CredentialsFileProvider::new()
        .with_environment(env(&[("ALIBABA_CLOUD_CREDENTIALS_FILE", &other.display().to_string())])));
    assert_eq!(c.unwrap().access_key_id(), "LTAI5tElsewhere");
    let missing = home.path("nowhere.ini");
    let msg =
        get_err(&CredentialsFileProvider::new().with_environment(env(&[("ALIBABA_CLOUD_CREDENTIALS_FILE", &missing)])));
    assert_eq!(msg, format!("credentials_file: {missing} not found"));

    let bad =
        home.write("bad.ini", "[default]\ntype = access_key\naccess_key_secret = leak-me-456\nthis line is junk\n");
    let msg = get_err(&CredentialsFileProvider::new().with_path(&bad).with_environment(env(&[])));
    assert_eq!(msg, format!("credentials_file: {} line 4: expected `[section]` or `key = value`", bad.display()));
}

// ---------------------------------------------------------------- the chain

struct World {
    home: Home,
    clock: Arc<AtomicU64>,
    sts: FakeSts,
    meta: FakeMetadata,
    uri: Server,
    token_file: String,
}

impl World {
    fn new() -> World {
        let (home, clock) = (Home::new(), clock());
        let sts = FakeSts::start(&[(SOURCE_ID, SOURCE_SECRET)], Arc::clone(&clock), Duration::ZERO);
        let meta = FakeMetadata::start("sms-sender", 3600, Arc::clone(&clock), Duration::ZERO);
        let uri = uri_server(&clock, |now| {
            (
                200,
                format!(
                    r#"{{"AccessKeyId":"STS.uri","AccessKeySecret":"s","SecurityToken":"t","Expiration":"{}"}}"#,
                    format_timestamp(now + 3600)
                ),
            )
        });
        let token_file = home.write("oidc-token", "oidc-token-1").display().to_string();
        home.write(".aliyun/config.json", r#"{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"LTAI5tCli","access_key_secret":"c"}]}"#);
        home.write(
            ".alibabacloud/credentials",
            "[default]\ntype = access_key\naccess_key_id = LTAI5tFile\naccess_key_secret = f\n",
        );
        World { home, clock, sts, meta, uri, token_file }
    }

    /// A chain over every source, minus those in `without`.
    fn chain(&self, without: &[&str]) -> CredentialsChain {
        let uri = format!("{}/creds", self.uri.url);
        let mut vars: Vec<(&str, &str)> = vec![
            ("ALIBABA_CLOUD_STS_ENDPOINT", self.sts.url()),
            ("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT", self.meta.url()),
            ("ALIBABA_CLOUD_ECS_METADATA", "sms-sender"),
        ];
        if !without.contains(&"env") {
            vars.extend([("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tEnv"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "e")]);
        }
        if !without.contains(&"oidc") {
            vars.extend([
                ("ALIBABA_CLOUD_ROLE_ARN", ROLE),
                ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
                ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", self.token_file.as_str()),
            ]);
        }
        if without.contains(&"cli_profile") {
            vars.push(("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"));
        }
        let missing = self.home.path("missing");
        if without.contains(&"credentials_file") {
            vars.push(("ALIBABA_CLOUD_CREDENTIALS_FILE", &missing));
        }
        if without.contains(&"ecs_ram_role") {
            vars.push(("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"));
        }
        if !without.contains(&"credentials_uri") {
            vars.push(("ALIBABA_CLOUD_CREDENTIALS_URI", &uri));
        }
        CredentialsChain::default_chain().with_environment(self.home.env(&self.clock, &vars))
    }
}

#[test]
fn the_chain_takes_the_first_provider_that_yields_in_the_documented_order() {
    let w = World::new();
    let order = ["env", "oidc", "cli_profile", "credentials_file", "ecs_ram_role", "credentials_uri"];
    assert_eq!(w.chain(&[]).provider_names(), order);
    let expected = ["LTAI5tEnv", "STS.fake1", "LTAI5tCli", "LTAI5tFile", "STS.ecs1", "STS.uri"];
    for (i, (name, id)) in order.iter().zip(expected).enumerate() {
        let chain = w.chain(&order[..i]);
        assert_eq!(chain.selected(), None);
        let c = get(&chain).unwrap();
        assert_eq!((chain.selected(), c.access_key_id()), (Some(*name), id), "without {:?}", &order[..i]);
    }
    // A broken earlier source does not hide a later one.
    w.home.write(".aliyun/config.json", "{ not json");
    let chain = w.chain(&["env", "oidc"]);
    assert_eq!(get(&chain).unwrap().access_key_id(), "LTAI5tFile");
    assert_eq!(chain.selected(), Some("credentials_file"));
}

#[test]
fn when_every_provider_fails_the_error_lists_each_with_its_reason() {
    let (home, clock) = (Home::new(), clock());
    home.write(".aliyun/config.json", r#"{"current":"dev","profiles":[{"name":"prod","mode":"AK"}]}"#);
    let meta = closed_port_url();
    let env = home.env(
        &clock,
        &[("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT", &meta), ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tOnlyId")],
    );
    let chain = CredentialsChain::default_chain().with_environment(env);
    let msg = get_err(&chain);
    let cli = home.path(".aliyun/config.json");
    let file = home.path(".alibabacloud/credentials");
    let expected_parts = [
        "no credentials found by the default chain; tried, in order: ".to_owned(),
        "env: ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set (but ALIBABA_CLOUD_ACCESS_KEY_ID is); set both; ".into(),
        "oidc: ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set; "
            .into(),
        format!("cli_profile: profile \"dev\" not found in {cli} (it has: prod); "),
        format!("credentials_file: {file} not found; "),
        format!("ecs_ram_role: could not connect to the ECS metadata server at {meta}/latest/api/token: "),
        "credentials_uri: ALIBABA_CLOUD_CREDENTIALS_URI is not set. Set ALIBABA_CLOUD_ACCESS_KEY_ID".into(),
    ];
    let mut at = 0;
    for part in &expected_parts {
        let found = msg[at..].find(part.as_str()).unwrap_or_else(|| panic!("{part:?} not in order in {msg}"));
        at += found + part.len();
    }
    assert!(chain.selected().is_none());
    assert_eq!(chain.clone().ensure_configured().unwrap().provider_names().len(), 6, "metadata enabled: can't tell");
    let disabled = CredentialsChain::default_chain().with_environment(home.env(
        &clock,
        &[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"), ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")],
    ));
    let err = disabled.ensure_configured().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(err.to_string().contains("ecs_ram_role: disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"), "{err}");
}

#[test]
fn profile_provider_finds_a_name_in_either_file() {
    let (home, clock) = (Home::new(), clock());
    home.write(
        ".aliyun/config.json",
        r#"{"current":"a","profiles":[{"name":"a","mode":"AK","access_key_id":"LTAI5tCliA","access_key_secret":"x"}]}"#,
    );
    home.write(".alibabacloud/credentials", "[a]\ntype=access_key\naccess_key_id=LTAI5tFileA\naccess_key_secret=y\n[b]\ntype=access_key\naccess_key_id=LTAI5tFileB\naccess_key_secret=y\n");
    let p = |name: &str| ProfileProvider::named(name).with_environment(home.env(&clock, &[]));
    let a = p("a");
    assert_eq!((get(&a).unwrap().access_key_id(), a.selected()), ("LTAI5tCliA", Some("cli_profile")));
    let b = p("b");
    assert_eq!((get(&b).unwrap().access_key_id(), b.selected()), ("LTAI5tFileB", Some("credentials_file")));
    let msg = get_err(&p("c"));
    assert!(
        msg.starts_with("no credentials found by profile \"c\"; tried, in order: cli_profile: profile \"c\" not found"),
        "{msg}"
    );
    assert!(msg.contains("credentials_file: no [c] section"), "{msg}");
}

// ---------------------------------------------------------------- secrets

#[test]
fn no_secret_in_any_message_or_debug_output() {
    let w = World::new();
    let leaks = [
        "source-secret-do-not-leak",
        "fake-sts-secret",
        "fake-sts-token",
        "fake-ecs-secret",
        "fake-ecs-token",
        "oidc-token-1",
        "leak-me",
    ];
    let mut shown = Vec::new();
    // Providers after a successful fetch (their caches hold credentials).
    let role = ram_role(&w.sts, w.home.env(&w.clock, &[]));
    get(&role).unwrap();
    shown.push(format!("{role:?}"));
    let ecs = ecs(&w.meta, w.home.env(&w.clock, &[]), Some("sms-sender"));
    let creds = get(&ecs).unwrap();
    shown.push(format!("{ecs:?} {creds:?} {creds:#?}"));
    let chain = w.chain(&["env"]);
    get(&chain).unwrap();
    shown.push(format!("{chain:?}"));
    let env = Environment::from_vars([("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "leak-me-env")]);
    shown.push(format!("{env:?} {:?}", CredentialsChain::default_chain().with_environment(env.clone())));
    // Errors where the secrets were close at hand.
    w.sts.fail_with(400, "InvalidParameter", "bad");
    w.clock.store(w.clock.load(Ordering::SeqCst) + 7200, Ordering::SeqCst);
    shown.push(format!("{:?}", get(&role).unwrap_err()));
    w.home.write(".aliyun/config.json", r#"{"current":"x","profiles":[{"name":"x","mode":"StsToken","access_key_id":"a","access_key_secret":"leak-me-1","sts_token":""}]}"#);
    shown.push(format!(
        "{:?}",
        get(&CliProfileProvider::new().with_environment(w.home.env(&w.clock, &[]))).unwrap_err()
    ));
    w.home.write(
        ".aliyun/config.json",
        "{\"current\":\"x\",\"profiles\":[{\"name\":\"x\",\"access_key_secret\":\"leak-me-2\",}]}",
    );
    shown.push(format!(
        "{:?}",
        get(&CliProfileProvider::new().with_environment(w.home.env(&w.clock, &[]))).unwrap_err()
    ));
    for s in &shown {
        for leak in leaks {
            assert!(!s.contains(leak), "{leak:?} leaked in: {s}");
        }
    }
    assert!(shown[0].contains("RamRoleArnProvider") && shown[2].contains("ecs_ram_role"), "{shown:?}");
}

// ---------------------------------------------------------------- with the client

#[test]
fn the_client_signs_with_refreshed_sts_credentials() {
    use smsauth::sign::{MemoryNonceStore, Verifier};
    let (home, clock) = (Home::new(), clock());
    let sts = Arc::new(FakeSts::start(&[(SOURCE_ID, SOURCE_SECRET)], Arc::clone(&clock), Duration::ZERO));
    let verifier = Verifier::new().nonce_store(Arc::new(MemoryNonceStore::new(1000)));
    let issued = Arc::clone(&sts);
    let api = Server::start(move |req, _| {
        let keys = issued.issued();
        let lookup = |id: &str| {
            keys.iter().find(|k| k.access_key_id == id).map(|k| smsauth::Secret::new(k.access_key_secret.clone()))
        };
        match verifier.verify(req, unix_now(), lookup) {
            Ok(v) => {
                let key = keys.iter().find(|k| k.access_key_id == v.access_key_id).unwrap();
                assert_eq!(v.security_token.as_ref().map(|t| t.expose()), Some(key.security_token.as_str()));
                Reply::json(
                    200,
                    r#"{"Code":"OK","Message":"OK","RequestId":"R","Success":true,"Model":{"VerifyResult":"PASS"}}"#,
                )
            }
            Err(e) => Reply::json(
                e.http_status(),
                &serde_json::json!({"Code": e.code(), "Message": e.to_string()}).to_string(),
            ),
        }
    });
    let client = smsauth::Client::builder()
        .credentials_provider(ram_role(&sts, home.env(&clock, &[])))
        .endpoint(&api.url)
        .build()
        .unwrap();
    let rt = rt();
    assert!(rt.block_on(client.check_code("13800138000", "1234")).unwrap().passed());
    clock.store(sts.issued()[0].expires_at + 1, Ordering::SeqCst);
    assert!(rt.block_on(client.check_code("13800138000", "1234")).unwrap().passed());
    assert_eq!(sts.count(), 2);
    let keys: Vec<String> = api.requests.lock().unwrap().iter().filter_map(|r| r.header("authorization")).collect();
    assert!(keys[0].contains("Credential=STS.fake1,") && keys[1].contains("Credential=STS.fake2,"), "{keys:?}");

    // A credential failure is a Credentials error and nothing is sent.
    sts.fail_with(403, "NoPermission", "You are not authorized to do this action.");
    clock.store(sts.issued()[1].expires_at + 1, Ordering::SeqCst);
    let err = rt.block_on(client.check_code("13800138000", "1234")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(!err.may_have_been_received());
    assert!(err.to_string().contains("STS said NoPermission") && err.to_string().contains("trust policy"), "{err}");
    assert_eq!(api.count(), 2);
}
