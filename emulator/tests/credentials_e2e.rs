//! End to end: every credential type of the core's default chain, resolved against the emulated
//! STS and ECS metadata server, then a real send and check on the Dypnsapi emulator — which
//! accepts the minted temporary keys, and refuses them with `InvalidSecurityToken.Expired` once
//! the emulated clock passes their expiry.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use smsauth::credentials::{
    CredentialsChain, CredentialsUriProvider, EcsRamRoleConfig, EcsRamRoleProvider, Environment, OidcConfig,
    OidcProvider, RamRoleArnConfig, RamRoleArnProvider,
};
use smsauth::{Credentials, ErrorKind, ProvideCredentials, StaticProvider, blocking};
use smsauth_emulator::metadata::{Metadata, MetadataConfig};
use smsauth_emulator::sts::{DEFAULT_OIDC_PROVIDER_ARN, Sts, StsConfig};
use smsauth_emulator::{Config, Emulator};

const ROLE: &str = "acs:ram::1234567890123456:role/sms-sender";

/// An emulator whose clock can jump hours without making request timestamps invalid.
fn emulator() -> Arc<Emulator> {
    Arc::new(Emulator::start_with(Config { verify_with_emulated_clock: false, ..Default::default() }).unwrap())
}

/// Providers read time from the emulator's clock, as they would read the real one.
fn env_on(emu: &Arc<Emulator>, home: &Home, vars: &[(&str, &str)]) -> Environment {
    let mut all: Vec<(String, String)> = vec![("HOME".into(), home.dir.display().to_string())];
    all.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let e = Arc::clone(emu);
    Environment::from_vars(all).with_clock(move || e.now())
}

fn client(emu: &Emulator, provider: impl ProvideCredentials) -> blocking::Client {
    blocking::Client::from_async(
        smsauth::Client::builder()
            .credentials_provider(provider)
            .endpoint(emu.endpoint())
            .sign_name("速通互联验证码")
            .template_code("100001")
            .build()
            .unwrap(),
    )
}

fn phone() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("1380013{:04}", N.fetch_add(1, Ordering::SeqCst))
}

/// A send, the code read from the outbox, a passing check.
fn send_and_check(emu: &Emulator, client: &blocking::Client) {
    let phone = phone();
    client.send_code(&phone).unwrap();
    let code = emu.last_code(&phone).unwrap();
    assert!(client.check_code(&phone, &code).unwrap().passed());
}

struct Home {
    dir: PathBuf,
}

impl Home {
    fn new() -> Home {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "smsauth-credentials-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home { dir }
    }

    fn write(&self, rel: &str, content: &str) -> String {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn ram_role_arn_keys_work_and_are_refreshed_when_the_emulated_clock_moves() {
    let emu = emulator();
    let sts = Sts::start(Arc::clone(&emu)).unwrap();
    let home = Home::new();
    let provider = RamRoleArnProvider::new(RamRoleArnConfig {
        role_arn: ROLE.into(),
        role_session_name: Some("e2e".into()),
        sts_endpoint: Some(sts.endpoint()),
        ..Default::default()
    })
    .unwrap()
    .with_access_key(emu.access_key_id(), emu.access_key_secret())
    .unwrap()
    .with_environment(env_on(&emu, &home, &[]));
    let c = client(&emu, provider);
    send_and_check(&emu, &c);
    let calls = sts.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].action.as_str(), calls[0].signed_by.as_deref()), ("AssumeRole", Some("testid")));
    assert!(calls[0].issued_access_key_id.starts_with("STS."));

    // An hour later the credentials have expired: the provider notices and assumes the role again.
    emu.advance_clock(3600);
    send_and_check(&emu, &c);
    assert_eq!(sts.calls().len(), 2);
}

#[test]
fn the_dypnsapi_emulator_refuses_minted_keys_after_expiry() {
    let emu = emulator();
    let sts = Sts::start(Arc::clone(&emu)).unwrap();
    // Real-clock provider: it cannot know the emulated clock jumped, so it keeps its keys.
    let provider = RamRoleArnProvider::new(RamRoleArnConfig {
        role_arn: ROLE.into(),
        duration_seconds: Some(900),
        sts_endpoint: Some(sts.endpoint()),
        ..Default::default()
    })
    .unwrap()
    .with_access_key(emu.access_key_id(), emu.access_key_secret())
    .unwrap();
    let c = client(&emu, provider);
    send_and_check(&emu, &c);
    emu.advance_clock(901);
    let err = c.send_code(&phone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
    assert_eq!(err.service_code(), Some("InvalidSecurityToken.Expired"));

    // Same for keys from the metadata server.
    let meta = Metadata::start_with(
        Arc::clone(&emu),
        MetadataConfig { credentials_ttl: Duration::from_secs(1200), ..Default::default() },
    )
    .unwrap();
    let provider = EcsRamRoleProvider::with_config(EcsRamRoleConfig {
        metadata_endpoint: Some(meta.endpoint()),
        ..Default::default()
    });
    let c = client(&emu, provider);
    send_and_check(&emu, &c);
    emu.advance_clock(1201);
    let err = c.check_code(&phone(), "1234").unwrap_err();
    assert_eq!(err.service_code(), Some("InvalidSecurityToken.Expired"), "{err}");

    // And keys minted directly, used past their expiry.
    let minted = emu.issue_sts(Duration::from_secs(900));
    let expired = Credentials::new(&minted.access_key_id, &minted.access_key_secret)
        .unwrap()
        .with_security_token(&minted.security_token)
        .unwrap();
    let c = client(&emu, StaticProvider::new(expired));
    send_and_check(&emu, &c);
    emu.advance_clock(900);
    assert_eq!(c.check_code(&phone(), "1234").unwrap_err().service_code(), Some("InvalidSecurityToken.Expired"));
}

#[test]
fn oidc_ecs_and_credentials_uri_keys_send_and_check() {
    let emu = emulator();
    let home = Home::new();
    let sts = Sts::start_with(
        Arc::clone(&emu),
        StsConfig { oidc_tokens: vec!["eyJhbGciOiJSUzI1NiJ9.e2e.sig".into()], ..Default::default() },
    )
    .unwrap();
    let token_file = home.write("token", "eyJhbGciOiJSUzI1NiJ9.e2e.sig\n");
    let oidc = OidcProvider::with_config(OidcConfig {
        role_arn: Some(ROLE.into()),
        oidc_provider_arn: Some(DEFAULT_OIDC_PROVIDER_ARN.into()),
        oidc_token_file: Some(token_file),
        sts_endpoint: Some(sts.endpoint()),
        ..Default::default()
    });
    send_and_check(&emu, &client(&emu, oidc));
    assert_eq!((sts.calls()[0].action.as_str(), sts.calls()[0].signed_by.as_deref()), ("AssumeRoleWithOIDC", None));

    let meta =
        Metadata::start_with(Arc::clone(&emu), MetadataConfig { require_token: true, ..Default::default() }).unwrap();
    let ecs = EcsRamRoleProvider::with_config(EcsRamRoleConfig {
        metadata_endpoint: Some(meta.endpoint()),
        ..Default::default()
    });
    send_and_check(&emu, &client(&emu, ecs));
    assert_eq!(meta.credentials_served(), 1);

    // The credentials document has the credentials-URI shape too.
    let open = Metadata::start(Arc::clone(&emu)).unwrap();
    let uri = format!("{}/latest/meta-data/ram/security-credentials/{}", open.endpoint(), open.role_name());
    send_and_check(&emu, &client(&emu, CredentialsUriProvider::with_uri(uri)));
}

#[test]
fn every_link_of_the_default_chain_sends_and_checks() {
    let emu = emulator();
    let sts =
        Sts::start_with(Arc::clone(&emu), StsConfig { oidc_tokens: vec!["tok".into()], ..Default::default() }).unwrap();
    let meta = Metadata::start(Arc::clone(&emu)).unwrap();
    let sts_url = sts.endpoint();
    let meta_url = meta.endpoint();
    let (id, secret) = (emu.access_key_id(), emu.access_key_secret());
    let minted = emu.issue_sts(Duration::from_secs(3600));
    let uri = format!("{meta_url}/latest/meta-data/ram/security-credentials/{}", meta.role_name());

    type Setup<'a> = (&'a str, &'a str, Vec<(&'a str, String)>, Vec<(&'a str, String)>);
    let common = |extra: Vec<(&'static str, String)>| {
        let mut v = vec![
            ("ALIBABA_CLOUD_STS_ENDPOINT", sts_url.clone()),
            ("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT", meta_url.clone()),
        ];
        v.extend(extra);
        v
    };
    let ak_json = |name: &str, mode: &str, extra: &str| {
        format!(
            r#"{{"current":"{name}","profiles":[{{"name":"{name}","mode":"{mode}","access_key_id":"{id}","access_key_secret":"{secret}"{extra}}}]}}"#
        )
    };
    let cases: Vec<Setup<'_>> = vec![
        (
            "env",
            "env",
            vec![],
            common(vec![
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", id.clone()),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret.clone()),
            ]),
        ),
        (
            "env with STS token",
            "env",
            vec![],
            common(vec![
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", minted.access_key_id.clone()),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", minted.access_key_secret.clone()),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", minted.security_token.clone()),
            ]),
        ),
        (
            "oidc",
            "oidc",
            vec![("token", "tok".to_owned())],
            common(vec![
                ("ALIBABA_CLOUD_ROLE_ARN", ROLE.to_owned()),
                ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", DEFAULT_OIDC_PROVIDER_ARN.to_owned()),
                ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "<home>/token".to_owned()),
            ]),
        ),
        ("cli AK", "cli_profile", vec![(".aliyun/config.json", ak_json("dev", "AK", ""))], common(vec![])),
        (
            "cli RamRoleArn",
            "cli_profile",
            vec![(
                ".aliyun/config.json",
                ak_json("dev", "RamRoleArn", &format!(r#","ram_role_arn":"{ROLE}","ram_session_name":"cli""#)),
            )],
            common(vec![]),
        ),
        (
            "cli EcsRamRole",
            "cli_profile",
            vec![(
                ".aliyun/config.json",
                r#"{"current":"e","profiles":[{"name":"e","mode":"EcsRamRole"}]}"#.to_owned(),
            )],
            common(vec![]),
        ),
        (
            "file access_key",
            "credentials_file",
            vec![(
                ".alibabacloud/credentials",
                format!("[default]\ntype = access_key\naccess_key_id = {id}\naccess_key_secret = {secret}\n"),
            )],
            common(vec![]),
        ),
        (
            "file sts",
            "credentials_file",
            vec![(
                ".alibabacloud/credentials",
                format!(
                    "[default]\ntype = sts\naccess_key_id = {}\naccess_key_secret = {}\nsecurity_token = {}\n",
                    minted.access_key_id, minted.access_key_secret, minted.security_token
                ),
            )],
            common(vec![]),
        ),
        (
            "file ram_role_arn",
            "credentials_file",
            vec![(
                ".alibabacloud/credentials",
                format!(
                    "[prod]\ntype = ram_role_arn\naccess_key_id = {id}\naccess_key_secret = {secret}\nrole_arn = {ROLE}\nrole_session_name = file\n"
                ),
            )],
            common(vec![("ALIBABA_CLOUD_PROFILE", "prod".to_owned())]),
        ),
        (
            "file ecs_ram_role",
            "credentials_file",
            vec![(".alibabacloud/credentials", "[default]\ntype = ecs_ram_role\n".to_owned())],
            common(vec![]),
        ),
        ("ecs", "ecs_ram_role", vec![], vec![("ALIBABA_CLOUD_ECS_METADATA_ENDPOINT", meta_url.clone())]),
        (
            "uri",
            "credentials_uri",
            vec![],
            common(vec![
                ("ALIBABA_CLOUD_CREDENTIALS_URI", uri.clone()),
                ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true".to_owned()),
            ]),
        ),
    ];
    for (label, expected, files, vars) in cases {
        let home = Home::new();
        for (rel, content) in &files {
            home.write(rel, content);
        }
        let vars: Vec<(&str, String)> =
            vars.into_iter().map(|(k, v)| (k, v.replace("<home>", &home.dir.display().to_string()))).collect();
        let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let chain = CredentialsChain::default_chain().with_environment(env_on(&emu, &home, &borrowed));
        let c = client(&emu, chain.clone());
        let phone = phone();
        c.send_code(&phone).unwrap_or_else(|e| panic!("{label}: {e}"));
        let code = emu.last_code(&phone).unwrap();
        assert!(c.check_code(&phone, &code).unwrap().passed(), "{label}");
        assert_eq!(chain.selected(), Some(expected), "{label}");
    }
}

#[test]
fn one_hundred_concurrent_checks_make_one_sts_call() {
    let emu = emulator();
    let sts = Sts::start(Arc::clone(&emu)).unwrap();
    let provider = RamRoleArnProvider::new(RamRoleArnConfig {
        role_arn: ROLE.into(),
        sts_endpoint: Some(sts.endpoint()),
        ..Default::default()
    })
    .unwrap()
    .with_access_key(emu.access_key_id(), emu.access_key_secret())
    .unwrap();
    let c = client(&emu, provider);
    let threads: Vec<_> = (0..100)
        .map(|_| {
            let c = c.clone();
            let phone = phone();
            std::thread::spawn(move || c.check_code(&phone, "1234").map(|r| r.passed()))
        })
        .collect();
    for t in threads {
        assert!(!t.join().unwrap().unwrap(), "no code was sent, so UNKNOWN");
    }
    assert_eq!(sts.request_count(), 1);
}
