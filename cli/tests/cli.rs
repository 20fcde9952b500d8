//! The real `smsauth` binary against the real emulator: outputs, exit codes, human errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};
use smsauth_emulator::Emulator;

const PHONE: &str = "13800138000";

fn smsauth() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_smsauth"));
    for var in [
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "ALIBABA_CLOUD_SECURITY_TOKEN",
        "ALIBABA_CLOUD_PROFILE",
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        "ALIBABA_CLOUD_ROLE_ARN",
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        "SMSAUTH_ENDPOINT",
        "SMSAUTH_SIGN_NAME",
        "SMSAUTH_TEMPLATE_CODE",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// `smsauth` pointed at `emu` with its key pair.
fn at(emu: &Emulator) -> Command {
    let mut cmd = smsauth();
    cmd.args(["--endpoint", &emu.endpoint()])
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", emu.access_key_id())
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", emu.access_key_secret());
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

fn run(cmd: &mut Command) -> Run {
    let Output { status, stdout, stderr } = cmd.output().unwrap();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    };
    // Errors are for people: never a Rust debug dump or a panic.
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains("panicked") && !text.contains("Error {") && !text.contains("kind:"), "{text}");
    }
    run
}

const SEND: [&str; 5] = ["send", PHONE, "--sign-name", "速通互联验证码", "--template-code"];

#[test]
fn send_then_check_with_exit_codes() {
    let emu = Emulator::start().unwrap();
    let r = run(at(&emu).args(SEND).arg("100001"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("sent a code to 13800138000 (OK)"), "{}", r.stdout);
    let code = emu.last_code(PHONE).unwrap();
    let wrong = if code == "0000" { "1111" } else { "0000" };
    let r = run(at(&emu).args(["check", PHONE, wrong]));
    assert_eq!((r.code, r.stdout.trim()), (1, "UNKNOWN: the code is wrong, expired, already used or was never sent"));
    let r = run(at(&emu).args(["check", PHONE, &code]));
    assert_eq!((r.code, r.stdout.trim()), (0, "PASS: the code is right"));
    assert_eq!(run(at(&emu).args(["check", PHONE, &code])).code, 1, "passes once");
}

#[test]
fn json_output_and_v1() {
    let emu = Emulator::start().unwrap();
    let r = run(at(&emu).args(["--json", "--signature-version", "v1"]).args(SEND).args([
        "100001",
        "--return-code",
        "--out-id",
        "o-7",
        "--code-length",
        "6",
        "--code-type",
        "2",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let code = emu.last_code(PHONE).unwrap();
    assert_eq!(j["verify_code"], code.as_str());
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_uppercase()));
    assert_eq!(j["out_id"], "o-7");
    assert!(j["biz_id"].as_str().unwrap().ends_with("^0"));
    let r = run(at(&emu).args(["--json", "check", PHONE, &code.to_lowercase(), "--case-sensitive"]));
    assert_eq!((r.code, r.json()["verify_result"].as_str()), (1, Some("UNKNOWN")));
    let r = run(at(&emu).args(["--json", "check", PHONE, &code.to_lowercase()]));
    assert_eq!((r.code, r.json()["passed"].as_bool()), (0, Some(true)));
}

#[test]
fn errors_are_human_with_documented_exit_codes() {
    let emu = Emulator::start().unwrap();
    assert_eq!(run(at(&emu).args(SEND).arg("100001")).code, 0);
    // Throttled: 7.
    let r = run(at(&emu).args(SEND).arg("100001"));
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: SendSmsVerifyCode failed: biz.FREQUENCY"), "{}", r.stderr);
    assert!(r.stderr.contains("service code: biz.FREQUENCY") && r.stderr.contains("request id:"), "{}", r.stderr);
    let r = run(at(&emu).arg("--json").args(SEND).arg("100001"));
    assert_eq!(r.code, 7);
    let j = r.json();
    assert_eq!(
        (j["error"]["kind"].as_str(), j["error"]["service_code"].as_str()),
        (Some("throttled"), Some("biz.FREQUENCY"))
    );
    // Invalid input: 2, naming the field, nothing sent.
    let before = emu.request_count();
    let r = run(at(&emu).args(["send", "12345", "--sign-name", "s", "--template-code", "1"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("PhoneNumber"), "{}", r.stderr);
    let r = run(at(&emu).args(["send", PHONE, "--template-code", "1"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--sign-name"), "{}", r.stderr);
    let r = run(at(&emu).args(["--signature-version", "v2", "check", PHONE, "1234"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("\"v1\" or \"v3\""), "{}", r.stderr);
    let r = run(at(&emu).args(["--timeout", "0", "check", PHONE, "1234"]));
    assert_eq!(r.code, 2);
    assert_eq!(emu.request_count(), before);
    // Authentication: 6.
    let r = run(at(&emu).args(["--access-key-secret", "wrong", "check", PHONE, "1234"]));
    assert_eq!(r.code, 6);
    assert!(r.stderr.contains("SignatureDoesNotMatch"), "{}", r.stderr);
    assert!(!r.stderr.contains("wrong\n"), "the secret is not echoed");
    // Credentials: 3 (nothing in the environment, no profile files, no metadata server).
    let home = TempHome::new("empty");
    let r = run(home.cmd().args(["--endpoint", &emu.endpoint(), "check", PHONE, "1234"]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{}", r.stderr);
    // Network: 4 (nothing listens there any more).
    let endpoint = emu.endpoint();
    drop(emu);
    let r = run(smsauth()
        .args(["--endpoint", &endpoint, "--access-key-id", "a", "--access-key-secret", "b", "--timeout", "3"])
        .args(["check", PHONE, "1234"]));
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("could not connect"), "{}", r.stderr);
    // Usage: clap's own 2.
    assert_eq!(run(smsauth().args(["check", PHONE])).code, 2);
}

/// The official Python SDK's V1 request for `send_min_v1` (tests/vectors), reproduced exactly.
#[test]
fn sign_reproduces_the_official_sdk() {
    let path = format!("{}/../tests/vectors/official-python.json", env!("CARGO_MANIFEST_DIR"));
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = vectors["vectors"].as_array().unwrap().iter().find(|v| v["id"] == "send_min_v1").unwrap();
    let inputs = &v["inputs"];
    let mut cmd = smsauth();
    cmd.args(["--endpoint", &format!("http://{}", vectors["client_config"]["endpoint"].as_str().unwrap())])
        .args(["--access-key-id", "testid", "--access-key-secret", "testsecret", "--signature-version", "v1", "--json"])
        .args(["sign", "--action", "SendSmsVerifyCode", "--explain"])
        .args(["--nonce", inputs["nonce"].as_str().unwrap(), "--timestamp", inputs["timestamp"].as_str().unwrap()]);
    for (k, val) in inputs["params"].as_object().unwrap() {
        cmd.args(["-p", &format!("{k}={}", val.as_str().unwrap())]);
    }
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let recorded = v["recorded"].to_string();
    let sig = j["explanation"]["signature"].as_str().unwrap();
    assert!(!sig.is_empty());
    let encoded = smsauth::sign::percent_encode(sig);
    assert!(recorded.contains(&encoded), "{sig} not in {recorded}");
    assert!(j["explanation"]["string_to_sign"].as_str().unwrap().starts_with("POST&%2F&AccessKeyId%3Dtestid"));
    assert!(
        j["url"].as_str().unwrap().starts_with("http://127.0.0.1:47911/?AccessKeyId=testid&Action=SendSmsVerifyCode")
    );

    // Human mode prints the JSON, then the explanation sections.
    let r = run(smsauth().args(["--access-key-id", "testid", "--access-key-secret", "testsecret"]).args([
        "sign",
        "--action",
        "CheckSmsVerifyCode",
        "-p",
        "PhoneNumber=1",
        "--nonce",
        "n",
        "--timestamp",
        "0",
        "--explain",
    ]));
    assert!(
        r.stdout.contains("--- canonical request ---\nPOST\n/\nPhoneNumber=1\nhost:dypnsapi.aliyuncs.com\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("--- string to sign ---\nACS3-HMAC-SHA256\n"), "{}", r.stdout);
    let r = run(smsauth().args(["--access-key-id", "a", "--access-key-secret", "b", "sign", "-p", "x"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("NAME=VALUE"), "{}", r.stderr);
}

fn pipe(cmd: &mut Command, input: &str) -> Run {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

#[test]
fn sign_then_verify_and_why_not() {
    for version in ["v1", "v3"] {
        let signed = run(smsauth()
            .args([
                "--access-key-id",
                "testid",
                "--access-key-secret",
                "testsecret",
                "--json",
                "--signature-version",
                version,
            ])
            .args(["sign", "--request", "-", "--timestamp", "2025-01-02T03:04:05Z", "--nonce", "abc"])
            .stdin(Stdio::null()));
        // --request - with empty stdin is not JSON: a clear error.
        assert_eq!(signed.code, 2, "{}", signed.stdout);
        let req = r#"{"action":"CheckSmsVerifyCode","params":{"PhoneNumber":"13800138000","VerifyCode":4232}}"#;
        let signed = pipe(
            smsauth()
                .args([
                    "--access-key-id",
                    "testid",
                    "--access-key-secret",
                    "testsecret",
                    "--json",
                    "--signature-version",
                    version,
                ])
                .args(["sign", "--request", "-", "--timestamp", "2025-01-02T03:04:05Z", "--nonce", "abc"]),
            req,
        );
        assert_eq!(signed.code, 0, "{}", signed.stderr);
        let captured = signed.stdout;
        let ok = pipe(smsauth().args(["verify", "--secret", "testsecret", "--now", "1735787100"]), &captured);
        assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
        assert!(
            ok.stdout.starts_with(&format!(
                "valid: {} signature by testid for CheckSmsVerifyCode 2017-05-25",
                version.to_uppercase()
            )),
            "{}",
            ok.stdout
        );
        assert!(ok.stdout.contains("VerifyCode = 4232"), "{}", ok.stdout);

        let bad = pipe(smsauth().args(["verify", "--secret", "other", "--now", "1735787100"]), &captured);
        assert_eq!(bad.code, 1);
        assert!(bad.stdout.starts_with("invalid: SignatureDoesNotMatch"), "{}", bad.stdout);
        assert!(bad.stdout.contains("--- string to sign ---"), "{}", bad.stdout);
        let late = pipe(
            smsauth().args(["--json", "verify", "--secret", "testsecret", "--now", "2025-01-02T03:20:06Z"]),
            &captured,
        );
        assert_eq!((late.code, late.json()["code"].as_str()), (1, Some("InvalidTimeStamp.Expired")));
        let unknown =
            pipe(smsauth().args(["verify", "--access-key", "someone:else", "--now", "1735787100"]), &captured);
        assert!(unknown.stdout.starts_with("invalid: InvalidAccessKeyId.NotFound"), "{}", unknown.stdout);
        let tampered = captured.replace("4232", "4233");
        let r = pipe(smsauth().args(["--json", "verify", "--secret", "testsecret", "--now", "1735787100"]), &tampered);
        assert_eq!(r.json()["code"], "SignatureDoesNotMatch");
    }
    // Headers as an object, from a file.
    let dir = std::env::temp_dir().join(format!("smsauth-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("req.json");
    std::fs::write(&file, r#"{"method":"POST","query":"a=1","headers":{"host":"x"}}"#).unwrap();
    let r = run(smsauth().args(["verify", file.to_str().unwrap(), "--secret", "s"]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("invalid: MissingParameter"), "{}", r.stdout);
    std::fs::write(&file, "[1]").unwrap();
    let r = run(smsauth().args(["verify", file.to_str().unwrap(), "--secret", "s"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("expected {\"method\""), "{}", r.stderr);
    let r = run(smsauth().args(["verify", "/nonexistent/req.json", "--secret", "s"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("could not read /nonexistent/req.json"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn emulator_server_mode_prints_the_ready_line_then_logs() {
    let mut child = smsauth()
        .args(["emulator", "--port", "0", "--access-key", "myid:mysecret", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("{\"endpoint\":\"http://127.0.0.1:"), "{line}");
    let ready: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (ready["access_key_id"].as_str(), ready["access_key_secret"].as_str()),
        (Some("myid"), Some("mysecret"))
    );
    let endpoint = ready["endpoint"].as_str().unwrap();
    let r = run(smsauth()
        .args(["--endpoint", endpoint, "--access-key-id", "myid", "--access-key-secret", "mysecret"])
        .args(SEND)
        .arg("100001"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(smsauth()
        .args(["--endpoint", endpoint, "--access-key-id", "testid", "--access-key-secret", "testsecret"])
        .args(["check", PHONE, "1234"]));
    assert_eq!(r.code, 6, "the default pair was replaced");
    drop(child.stdin.take()); // --exit-on-stdin-eof
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let log = String::from_utf8(out.stderr).unwrap();
    assert!(log.contains("POST SendSmsVerifyCode v3 -> 200 OK"), "{log}");
    assert!(log.contains("POST CheckSmsVerifyCode -> 404 InvalidAccessKeyId.NotFound"), "{log}");
    assert!(!log.contains("mysecret"), "{log}");
    let bad = run(smsauth().args(["emulator", "--access-key", "nocolon"]));
    assert_eq!(bad.code, 2);
}

/// `smsauth emulator ARGS…` in server mode and its endpoint; the emulator exits when the
/// returned child's stdin is dropped.
fn server(args: &[&str]) -> (std::process::Child, String) {
    let mut child = smsauth()
        .args(["emulator", "--port", "0", "--quiet", "--exit-on-stdin-eof"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap();
    (child, ready["endpoint"].as_str().unwrap().to_owned())
}

#[test]
fn emulator_is_faithful_by_default_and_lenient_on_request() {
    let send = |endpoint: &str, sign_name: &str| {
        run(smsauth()
            .args(["--endpoint", endpoint, "--access-key-id", "testid", "--access-key-secret", "testsecret"])
            .args(["send", PHONE, "--sign-name", sign_name, "--template-code", "100001"]))
    };
    let (mut faithful, endpoint) = server(&[]);
    let r = send(&endpoint, "我的应用");
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("isv.SMS_SIGNATURE_ILLEGAL"), "{}", r.stderr);
    assert_eq!(send(&endpoint, "速通互联验证服务").code, 0);
    drop(faithful.stdin.take());
    assert!(faithful.wait().unwrap().success());
    for args in [&["--lenient"][..], &["--signature", "我的应用"][..]] {
        let (mut child, endpoint) = server(args);
        let r = send(&endpoint, "我的应用");
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        drop(child.stdin.take());
        assert!(child.wait().unwrap().success());
    }
}

#[test]
fn demo_prints_a_transcript() {
    let r = run(smsauth().arg("demo"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for expected in [
        "> send a code to 13800138000",
        "the phone receives: 【速通互联验证码】您的验证码为",
        "UNKNOWN: rejected",
        "PASS: accepted",
        "UNKNOWN: a code passes once",
        "biz.FREQUENCY",
        "13900000004: guard_denied by rule client:3/3600s — refused before the paid call",
        "the service saw 3 of those 4 requests",
        "done: 8 requests",
    ] {
        assert!(r.stdout.contains(expected), "{expected:?} not in\n{}", r.stdout);
    }
    let r = run(smsauth().args(["--signature-version", "v1", "demo"]));
    assert!(r.stdout.contains("(V1, HMAC-SHA1)"), "{}", r.stdout);
}

#[test]
fn help_has_examples() {
    let r = run(smsauth().arg("--help"));
    assert!(r.stdout.contains("Examples:") && r.stdout.contains("smsauth demo") && r.stdout.contains("Exit status"));
    for sub in ["send", "check", "sign", "verify", "emulator"] {
        let r = run(smsauth().args([sub, "--help"]));
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains("Example"), "{sub}: {}", r.stdout);
    }
}

/// Bad input never lies (issue 22): a reader that goes away ends the CLI quietly, and
/// credentials in an endpoint URL never reach the terminal.
#[test]
fn a_closed_stdout_ends_quietly_and_userinfo_is_never_shown() {
    let emu = Emulator::start().unwrap();
    for args in
        [vec!["demo"], vec!["--access-key-id", "a", "--access-key-secret", "b", "--json", "sign", "--request", "-"]]
    {
        let mut child =
            smsauth().args(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(br#"{"action":"SendSmsVerifyCode","params":{"PhoneNumber":"13800138000"}}"#);
        drop(stdin);
        // `| head -c1`: read one byte, then close the pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        let _ = std::io::Read::read(&mut stdout, &mut one);
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert!(!out.status.success() || out.status.code() == Some(0), "{args:?}");
    }
    let r = run(smsauth()
        .args(["--endpoint", "http://u:hunter2@127.0.0.1:9", "--access-key-id", "a", "--access-key-secret", "b"])
        .args(["check", PHONE, "1234"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains("hunter2") && r.stderr.contains("***@"), "{}", r.stderr);
    let r = run(at(&emu).args(["send", PHONE, "--sign-name", "s", "--template-code", "1", "--country-code", "1"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("CountryCode"), "{}", r.stderr);
    assert_eq!(emu.request_count(), 0);
}

/// A HOME of its own (removed on drop), with the ECS metadata server switched off so the
/// default chain ends without a network call.
struct TempHome(std::path::PathBuf);

impl TempHome {
    fn new(name: &str) -> TempHome {
        let dir = std::env::temp_dir().join(format!("smsauth-cli-home-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempHome(dir)
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.0.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn cmd(&self) -> Command {
        let mut cmd = smsauth();
        cmd.env("HOME", &self.0).env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
        cmd
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Without keys the CLI uses the default chain, like the library: `aliyun configure`'s
/// `~/.aliyun/config.json` (its `current` profile, or `--profile` / `ALIBABA_CLOUD_PROFILE`)
/// and `~/.alibabacloud/credentials`.
#[test]
fn credentials_come_from_the_default_chain_and_profiles() {
    let emu = Emulator::start().unwrap();
    let (id, secret) = (emu.access_key_id(), emu.access_key_secret());
    let home = TempHome::new("profiles");
    home.write(
        ".aliyun/config.json",
        &json!({
            "current": "wrong",
            "profiles": [
                {"name": "wrong", "mode": "AK", "access_key_id": "nobody", "access_key_secret": "nothing"},
                {"name": "emu", "mode": "AK", "access_key_id": id, "access_key_secret": secret},
            ]
        })
        .to_string(),
    );
    home.write(
        ".alibabacloud/credentials",
        &format!("[default]\ntype = access_key\naccess_key_id = {id}\naccess_key_secret = {secret}\n"),
    );
    let check = ["--endpoint", &emu.endpoint(), "check", PHONE, "1234"];
    // The CLI profile's `current` comes first in the chain: its keys are wrong (6).
    let r = run(home.cmd().args(check));
    assert_eq!(r.code, 6, "{}", r.stderr);
    // --profile and ALIBABA_CLOUD_PROFILE pick the right one: the check is answered (UNKNOWN: 1).
    let before = emu.request_count();
    assert_eq!(run(home.cmd().args(["--profile", "emu"]).args(check)).code, 1);
    assert_eq!(run(home.cmd().env("ALIBABA_CLOUD_PROFILE", "emu").args(check)).code, 1);
    assert_eq!(emu.request_count(), before + 2);
    // A flag beats exported keys; exported keys beat the profile variable (the chain's order).
    let exported = |cmd: &mut Command| {
        cmd.env("ALIBABA_CLOUD_ACCESS_KEY_ID", "nobody").env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "nothing");
    };
    let mut cmd = home.cmd();
    exported(&mut cmd);
    assert_eq!(run(cmd.args(["--profile", "emu"]).args(check)).code, 1);
    let mut cmd = home.cmd();
    exported(&mut cmd);
    assert_eq!(run(cmd.env("ALIBABA_CLOUD_PROFILE", "emu").args(check)).code, 6);
    // Without the CLI's file, the credentials file's [default] section is used.
    std::fs::remove_file(home.0.join(".aliyun/config.json")).unwrap();
    assert_eq!(run(home.cmd().args(check)).code, 1);
    // Keys and a profile as flags: the core's one-source rule (invalid input, 2).
    let r = run(home.cmd().args(["--profile", "emu", "--access-key-id", "a", "--access-key-secret", "b"]).args(check));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not both"), "{}", r.stderr);
    // A missing profile is a credentials error (3) naming it, and nothing is sent.
    let before = emu.request_count();
    let r = run(home.cmd().args(["--profile", "nosuch"]).args(check));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("nosuch"), "{}", r.stderr);
    assert_eq!(emu.request_count(), before);
    // `sign` takes its keys from the chain too (here the credentials file).
    let r = run(home.cmd().args(["--json", "sign", "--action", "CheckSmsVerifyCode"]).args([
        "-p",
        "PhoneNumber=13800138000",
        "-p",
        "VerifyCode=4232",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&id), "{}", r.stdout);
}
