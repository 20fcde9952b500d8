//! Command-line arguments.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  # The whole flow offline, against the embedded emulator (no account, no network):
  smsauth demo

  # Send a code, then check the one the user typed (credentials from the environment):
  export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI… ALIBABA_CLOUD_ACCESS_KEY_SECRET=…
  smsauth send 13800138000 --sign-name 速通互联验证码 --template-code 100001
  smsauth check 13800138000 4232 && echo signed in

  # Or with a profile of `aliyun configure` / ~/.alibabacloud/credentials:
  smsauth --profile prod send 13800138000 --sign-name 速通互联验证码 --template-code 100001

  # Run the emulator for any SDK, and use it:
  smsauth emulator --port 8080 &
  smsauth --endpoint http://127.0.0.1:8080 --access-key-id testid --access-key-secret testsecret \\
      send 13800138000 --sign-name 速通互联验证码 --template-code 100001

  # Reproduce and explain a signature, then verify a captured request:
  smsauth --access-key-id testid --access-key-secret testsecret sign --action CheckSmsVerifyCode \\
      -p PhoneNumber=13800138000 -p VerifyCode=4232 --nonce n1 --timestamp 2025-01-02T03:04:05Z --explain
  smsauth verify captured.json --secret testsecret --now 2025-01-02T03:04:05Z

Exit status: 0 success or PASS; 1 UNKNOWN (check) or invalid signature (verify); otherwise
1 + the error kind's number: 2 invalid input, 3 credentials, 4 network, 5 timeout,
6 authentication, 7 throttled, 8 service, 9 protocol, 10 internal, 11 refused by the abuse guard.";

/// Alibaba Cloud SMS Auth (Dypnsapi) from the command line: send and check verification codes,
/// sign and verify requests, and run an offline emulator.
#[derive(Debug, Parser)]
#[command(name = "smsauth", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options for every command that talks to the service or signs.
#[derive(Debug, Args)]
pub struct Global {
    /// Service endpoint: a URL such as http://127.0.0.1:8080, or a bare host (meaning https).
    #[arg(long, global = true, env = "SMSAUTH_ENDPOINT", default_value = "dypnsapi.aliyuncs.com")]
    pub endpoint: String,
    /// AccessKey ID.
    #[arg(long, global = true, env = "ALIBABA_CLOUD_ACCESS_KEY_ID", hide_env_values = true)]
    pub access_key_id: Option<String>,
    /// AccessKey secret (prefer the environment variable: flags show up in process lists).
    #[arg(long, global = true, env = "ALIBABA_CLOUD_ACCESS_KEY_SECRET", hide_env_values = true)]
    pub access_key_secret: Option<String>,
    /// STS security token, for temporary credentials.
    #[arg(long, global = true, env = "ALIBABA_CLOUD_SECURITY_TOKEN", hide_env_values = true)]
    pub security_token: Option<String>,
    /// Use this profile of `~/.aliyun/config.json` (`aliyun configure --profile NAME`) or
    /// `~/.alibabacloud/credentials`. Without keys or a profile, the default credentials chain
    /// is used (environment, OIDC, CLI profile, credentials file, ECS RAM role, credentials URI).
    #[arg(long, global = true, env = "ALIBABA_CLOUD_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Signature version: v3 (ACS3-HMAC-SHA256, the default) or v1 (HMAC-SHA1).
    #[arg(long, global = true, default_value = "v3", value_name = "v1|v3")]
    pub signature_version: String,
    /// Give up after this many seconds (the whole call, retries included).
    #[arg(long, global = true, default_value_t = 30.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// Print machine-readable JSON (also for errors) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

impl Cli {
    /// The command line and environment, where a flag beats a variable and, among variables,
    /// keys beat `ALIBABA_CLOUD_PROFILE` (the order of the default chain): so `--profile prod`
    /// works with keys exported, and exported keys work with a profile variable set.
    pub fn from_env_and_args() -> Cli {
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let from_env = |id: &str| matches.value_source(id) == Some(ValueSource::EnvVariable);
        let g = &mut cli.global;
        let env_keys = ["access_key_id", "access_key_secret", "security_token"];
        if g.profile.is_some()
            && !from_env("profile")
            && env_keys.iter().all(|id| !matches.contains_id(id) || from_env(id))
        {
            (g.access_key_id, g.access_key_secret, g.security_token) = (None, None, None);
        } else if from_env("profile") && (g.access_key_id.is_some() || g.access_key_secret.is_some()) {
            g.profile = None;
        }
        cli
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send a verification code by SMS (SendSmsVerifyCode).
    #[command(
        after_help = "Example:\n  smsauth send +8613800138000 --sign-name 速通互联验证码 --template-code 100001 --code-length 6"
    )]
    Send(SendArgs),
    /// Check a code the user typed (CheckSmsVerifyCode). Exit 0 on PASS, 1 on UNKNOWN.
    #[command(after_help = "Example:\n  smsauth check 13800138000 4232 && echo passed")]
    Check(CheckArgs),
    /// Sign a request and print it as JSON (method, URL, headers), optionally explained.
    #[command(
        after_help = "Examples:\n  smsauth sign --action SendSmsVerifyCode -p PhoneNumber=13800138000 -p SignName=速通互联验证码 \\\n      -p TemplateCode=100001 -p 'TemplateParam={\"code\":\"##code##\"}' --nonce n1 --timestamp 1735787045 --explain\n  echo '{\"action\":\"CheckSmsVerifyCode\",\"params\":{\"PhoneNumber\":\"13800138000\",\"VerifyCode\":\"4232\"}}' | smsauth sign --request -"
    )]
    Sign(SignArgs),
    /// Verify a captured request's signature and say exactly why it is invalid.
    #[command(
        after_help = "The request is JSON: {\"method\":\"POST\",\"path\":\"/\",\"query\":\"…raw query…\",\"headers\":[[\"host\",\"…\"],…],\"body\":\"\"}\n(headers may also be an object). `smsauth sign --json` prints one.\n\nExample:\n  smsauth verify captured.json --secret testsecret --now 2025-01-02T03:04:05Z"
    )]
    Verify(VerifyArgs),
    /// Run the offline emulator: prints one JSON line with its endpoint and keys, then logs requests.
    #[command(
        after_help = "Example:\n  smsauth emulator --port 8080 --access-key myid:mysecret\n  curl -s localhost:8080/_emulator/messages"
    )]
    Emulator(EmulatorArgs),
    /// Run the whole flow against the embedded emulator and print a short transcript.
    Demo,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Phone number (mainland China; +86, spaces and dashes are fine).
    pub phone: String,
    /// SignName: one of the console's preset signatures.
    #[arg(long, env = "SMSAUTH_SIGN_NAME")]
    pub sign_name: Option<String>,
    /// TemplateCode: one of the console's preset templates.
    #[arg(long, env = "SMSAUTH_TEMPLATE_CODE")]
    pub template_code: Option<String>,
    /// TemplateParam JSON; ##code## marks the generated code. Default {"code":"##code##","min":"5"}.
    #[arg(long)]
    pub template_param: Option<String>,
    /// SchemeName (default 默认方案).
    #[arg(long)]
    pub scheme: Option<String>,
    /// CodeLength, 4–8.
    #[arg(long)]
    pub code_length: Option<u32>,
    /// CodeType, 1–7 (1 digits, 2 upper, 3 lower, 4 letters, 5 digits+upper, 6 digits+lower, 7 all).
    #[arg(long)]
    pub code_type: Option<i64>,
    /// ValidTime in seconds (default 300).
    #[arg(long)]
    pub valid_time: Option<u64>,
    /// Interval in seconds before another code may be sent (default 60).
    #[arg(long)]
    pub interval: Option<u64>,
    /// DuplicatePolicy: 1 the new code replaces the old, 2 both stay valid.
    #[arg(long)]
    pub duplicate_policy: Option<i64>,
    /// OutId: your reference, echoed back.
    #[arg(long)]
    pub out_id: Option<String>,
    /// Ask the service to return the code (ReturnVerifyCode).
    #[arg(long)]
    pub return_code: bool,
    /// CountryCode (only 86 is supported by the service).
    #[arg(long)]
    pub country_code: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Phone number the code was sent to.
    pub phone: String,
    /// The code the user typed.
    pub code: String,
    /// SchemeName used when sending.
    #[arg(long)]
    pub scheme: Option<String>,
    /// Compare letters case-sensitively (CaseAuthPolicy 2).
    #[arg(long)]
    pub case_sensitive: bool,
    /// OutId.
    #[arg(long)]
    pub out_id: Option<String>,
    /// CountryCode.
    #[arg(long)]
    pub country_code: Option<String>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// API action, e.g. SendSmsVerifyCode.
    #[arg(long)]
    pub action: Option<String>,
    /// A business parameter NAME=VALUE (repeatable).
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Read the request from a JSON file (- for stdin): {"action","params":{…},"method"?,"host"?,"version"?}.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,
    /// HTTP method.
    #[arg(long)]
    pub method: Option<String>,
    /// API version.
    #[arg(long)]
    pub api_version: Option<String>,
    /// Fixed nonce (default: 128 random bits).
    #[arg(long)]
    pub nonce: Option<String>,
    /// Fixed time: Unix seconds or yyyy-MM-ddTHH:mm:ssZ (default: now).
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Also show the canonical request and the string-to-sign.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The captured request as JSON (a file, or - / nothing for stdin).
    pub file: Option<PathBuf>,
    /// The AccessKey secret to check against (for whatever AccessKey ID the request names).
    #[arg(long, env = "ALIBABA_CLOUD_ACCESS_KEY_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// Check against this pair only (repeatable): ID:SECRET.
    #[arg(long = "access-key", value_name = "ID:SECRET")]
    pub access_keys: Vec<String>,
    /// The time to verify at: Unix seconds or yyyy-MM-ddTHH:mm:ssZ (default: now).
    #[arg(long)]
    pub now: Option<String>,
    /// Accepted clock skew in seconds.
    #[arg(long, default_value_t = 900)]
    pub window: u64,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the ready line says which).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Accepted AccessKey pair ID:SECRET (repeatable; default testid:testsecret).
    #[arg(long = "access-key", value_name = "ID:SECRET")]
    pub access_keys: Vec<String>,
    /// Seed for codes and fault draws (reproducible runs).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Codes per number per day, across signatures, before isv.BUSINESS_LIMIT_CONTROL.
    #[arg(long, default_value_t = 10)]
    pub daily_limit: u32,
    /// Turn off the production rules a test may not care about: preset signatures and
    /// templates, the flow control (1/min, 5/h, 10/day per number and signature) and the daily
    /// total. Default: faithful.
    #[arg(long)]
    pub lenient: bool,
    /// Accept this SignName besides the console's preset signatures (repeatable), for an
    /// account that has more.
    #[arg(long = "signature", value_name = "NAME")]
    pub signatures: Vec<String>,
    /// Wrong checks after which a code is void.
    #[arg(long, default_value_t = 5)]
    pub max_wrong_tries: u32,
    /// Check request timestamps against the real clock, not the emulated one.
    #[arg(long)]
    pub real_clock_signatures: bool,
    /// Do not log requests to stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Threads serving requests (default: one per CPU, at most 4).
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Exit when stdin reaches end of file (for test harnesses that hold a pipe).
    #[arg(long)]
    pub exit_on_stdin_eof: bool,
}
