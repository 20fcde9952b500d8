//! `smsauth-typegen`: writes the Node package's `requests.d.ts` to standard output — the
//! TypeScript shapes written from the core's tables, so that each API field and each option is
//! declared once: the request objects from the field tables (`core/src/api/request.rs`), the
//! option objects of `new Client(options)` from the option tables ([`ClientBuilder::options`],
//! [`GuardConfig::OPTIONS`]) under their Node names ([`NODE`]), and `startEmulator`'s from
//! the emulator's ([`EMULATOR_OPTIONS`], and `EmulatorFault` from [`FAULT_FIELDS`]), and the
//! answers (`SendResult`, `Verified`, …) from the core's attribute tables ([`Attributes`]).
//!
//! A dev-time tool, as cbindgen is for the C header: the declarations are a checked-in build
//! artefact, so the generator is not shipped inside the `.node` module. `node/tests/run.sh`
//! regenerates `requests.d.ts` with it and fails when the committed file differs.

use std::fmt::Write;

use smsauth::attributes::{Attributes, Kind};
use smsauth::record::Value;
use smsauth::sign::{Explanation, Verified};
use smsauth::{
    CheckSmsVerifyCodeRequest, CheckSmsVerifyCodeResponse, ClientBuilder, ClientOption, ClientStats, Field, FieldKind,
    GuardConfig, OptionKind, SendSmsVerifyCodeRequest, SendSmsVerifyCodeResponse,
};

use smsauth::input::sign::{EXPLAIN_V3_PARTS, HTTP_REQUEST_PARTS, Part, PartKind, VERIFIER_OPTIONS};
use smsauth::input::{LIMIT_PARTS, NODE, WRONG_CODE_PARTS};
use smsauth_emulator::{EMULATOR_OPTIONS, FAULT_FIELDS, OptionKind as EmulatorKind};

/// Node's spelling of a core option's path (`timeoutMs`, `roleArn.sessionName`).
fn js_path(core: &str) -> String {
    NODE.option_path(core)
}

/// `sendCode`'s own option: it is not a field of the API.
const CLIENT_KEY: &str = "Who asks for the code — the caller's IP address, device or session id — for the guard's
per-client limits (`GuardOptions.client`). Not sent to the service.";

const CLIENT_OPTIONS: &str = "Options of `new Client(options)`. Every field is optional.

Without `accessKeyId`/`accessKeySecret` the core's default credentials chain is used:
`ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` (and
`ALIBABA_CLOUD_SECURITY_TOKEN`), then OIDC, the CLI profile, the credentials file, the ECS
RAM role and a credentials URI. `null` unsets an option where the type allows it.

```ts
const client = new Client({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  signName: '速通互联验证码',
  templateCode: '100001',
})
```";

const RETRY: &str = "Retry policy (`ClientOptions.retry`). Sends are never retried once they may have reached
the service.";

const ROLE_ARN: &str = "`ClientOptions.roleArn`: assume a RAM role with STS `AssumeRole` (temporary credentials
cached and refreshed early), signed with the client's `accessKeyId`/`accessKeySecret`, else
the `profile`'s credentials, else the default chain's.";

const GUARD: &str = "The abuse guard (`new Client({ guard: { … } })`): limits checked before every
`sendCode` / `checkCode`, so a public \"send me a code\" form cannot bomb a phone, pump a number
range or run up the bill. A refusal rejects with `ERR_SMSAUTH_GUARD_DENIED` (`guardRule`
names the limit, `retryAfter` says in how many seconds it allows again) and nothing is sent.
`sendSmsVerifyCode` / `checkSmsVerifyCode` are not guarded.

`guard: {}` turns every rule on with its default; an empty array or `null` turns one off.
State is kept in this process's memory unless `redisUrl` is set.

```ts
const client = new Client({ guard: { client: [{ max: 5, windowSeconds: 3600 }], dailyBudget: 200 } })
await client.sendCode(phone, { clientKey: req.ip })
```";

const FAULT: &str = "A fault rule for `emulator.addFault(fault)`: what happens to matching API requests.

`kind`: `'latency'` (`ms`), `'server_error'` (`status`, default 500; `plain`), `'throttle'`
(`retryAfterMs`), `'malformed'`, `'truncated'`, `'html'`, `'oversized'` (`bytes`), `'drop'`,
`'drop_mid_response'`, `'slow_drip'` (`chunkBytes`, `intervalMs`).";

const SEND_RESULT: &str = "The answer to a send whose `Code` was `OK` (any other code rejects with an `SmsAuthError`).";

const CHECK_RESULT: &str = "The answer to a check whose `Code` was `OK`. A wrong, expired or unknown code is not an
error: `passed` is `false` and `verifyResult` is `'UNKNOWN'`.";

const EXPLANATION: &str = "How a signature was computed: compare it with a gateway's `SignatureDoesNotMatch` message.";

const EXPLANATION_V3: &str = "`explainV3`'s answer: the explanation plus the `Authorization` header value.";

const AUTHORIZATION: &str = "The `Authorization` header value.";

const VERIFIED: &str = "A request whose signature checked out. `securityToken` (when sent) is a non-enumerable
property, so it stays out of logs and JSON.";

const PARAMS: &str = "Business parameters, without the signing parameters.";

/// The doc of each field of the core's client counters ([`ClientStats::record`]).
const STATS: [(&str, &str); 8] = [
    ("sends", "`SendSmsVerifyCode` calls, whatever their outcome (guard denials included)."),
    ("checks", "`CheckSmsVerifyCode` calls, whatever their outcome."),
    ("passes", "Checks whose code passed."),
    ("guard_denials", "Guard denials by rule name (`{ 'phone:1/60s': 2 }`)."),
    ("errors", "Failed calls by error kind (`{ throttled: 1 }`; kinds never seen are absent)."),
    ("latency_bounds_ms", "Upper bounds (inclusive, ms) of the latency buckets; one more bucket counts slower calls."),
    ("latency_buckets", "Calls per latency bucket (each bucket counts its own calls, not the ones below it)."),
    ("latency_sum_ms", "Sum of all call latencies in milliseconds."),
];

/// The members of `Stats`: the fields of the core's record of a client's counters, typed by
/// their values, each with its doc from [`STATS`] — a field the core adds without one there
/// stops the tool, so the drift check fails rather than the type missing it.
fn stats() -> Vec<Member> {
    let member = |(name, value): (&str, Value<'_>)| {
        let ty = match value {
            Value::Counts(_) => "Record<string, number>",
            Value::Numbers(_) => "Array<number>",
            Value::Texts(_) => "Array<string>",
            Value::Text(_) => "string",
            Value::Bool(_) => "boolean",
            Value::None | Value::Unsigned(_) | Value::Float(_) => "number",
        };
        let doc = STATS.iter().find(|(n, _)| *n == name).map(|(_, doc)| *doc);
        let doc = doc.unwrap_or_else(|| panic!("tools/typegen: no doc for the stats field `{name}` (STATS)"));
        Member { optional: false, ..Member::new(&NODE.name(name), ty, doc) }
    };
    ClientStats::default().record().into_iter().map(member).collect()
}

/// A member of `EmulatorOptions` or `EmulatorFault` from the emulator's tables.
fn emulator_member(name: &str, kind: EmulatorKind, doc: &str) -> Member {
    let ty = match kind {
        EmulatorKind::Flag => "boolean".to_owned(),
        EmulatorKind::Count { .. } | EmulatorKind::Number => "number".to_owned(),
        EmulatorKind::Text | EmulatorKind::Secret => "string".to_owned(),
        EmulatorKind::Table if name == "accounts" => "Array<[string, string]>".to_owned(),
        EmulatorKind::Table => "Record<string, string>".to_owned(),
        EmulatorKind::Choice(names) => names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(" | "),
    };
    Member::new(&NODE.name(name), &ty, doc)
}

/// The members of a signing helper's input from the core's table.
fn parts(table: &[Part]) -> Vec<Member> {
    let member = |p: &Part| {
        let ty = match p.kind {
            PartKind::Text | PartKind::Secret => "string",
            PartKind::Pairs => "Record<string, string> | Array<[string, string]>",
            PartKind::TextOrBytes => "string | Uint8Array",
            PartKind::Unsigned => "number",
            PartKind::Bool => "boolean",
            PartKind::Texts => "Array<string>",
        };
        Member { optional: !p.required, ..Member::new(&NODE.name(p.name), ty, &js_doc(p.doc)) }
    };
    table.iter().map(member).collect()
}

/// The members of an answer from the core's attribute table ([`Attributes`]), each of `extra`
/// after the attribute it names.
fn answer<T: Attributes>(extra: Vec<(&str, Member)>) -> Vec<Member> {
    let mut extra = extra.into_iter().peekable();
    let mut members = Vec::new();
    for a in T::ATTRIBUTES {
        let optional = matches!(a.kind, Kind::OptionalText | Kind::OptionalUnsigned | Kind::OptionalNumber);
        let ty = match a.kind {
            Kind::Text | Kind::OptionalText => "string".to_owned(),
            Kind::Bool => "boolean".to_owned(),
            Kind::Unsigned | Kind::OptionalUnsigned | Kind::OptionalNumber => "number".to_owned(),
            Kind::Choice { values, open } => {
                let values = values.iter().map(|v| format!("'{v}'"));
                values.chain(open.then(|| "(string & {})".to_owned())).collect::<Vec<_>>().join(" | ")
            }
        };
        members.push(Member { optional, ..Member::new(&NODE.name(a.name), &ty, &answer_doc(a.doc)) });
        while let Some((_, m)) = extra.next_if(|(after, _)| *after == a.name) {
            members.push(m);
        }
    }
    members
}

/// An attribute's core doc in Node's words: in code, `True`/`False` → `true`/`false`, `"x"` →
/// `'x'`, `name=value` → `name: value` with the name in camelCase; a sentence about Python's
/// `repr` left out.
fn answer_doc(doc: &str) -> String {
    let code = |s: &str| {
        let s = s.replace('"', "'").replace("True", "true").replace("False", "false");
        match s.split_once('=') {
            Some((name, value)) => format!("{}: {value}", NODE.name(name)),
            None if s.contains('_') && s.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
                NODE.name(&s).into_owned()
            }
            None => s,
        }
    };
    let parts = doc.split('`').enumerate().map(|(i, s)| if i % 2 == 1 { code(s) } else { s.to_owned() });
    let doc = parts.collect::<Vec<_>>().join("`");
    let sentences = doc.split_inclusive(". ").filter(|s| !s.contains("`repr`"));
    sentences.collect::<String>().trim_end().to_owned()
}

/// One property of an interface.
struct Member {
    name: String,
    doc: String,
    optional: bool,
    ty: String,
}

impl Member {
    fn field(f: &Field) -> Self {
        Member { name: f.camel(), doc: unindent(f.doc), optional: !f.required, ty: ts_type(f.kind) }
    }

    fn option(name: &str, o: &ClientOption) -> Self {
        let mut doc = js_doc(&unindent(o.doc));
        if let OptionKind::Field(_) = o.kind {
            doc = format!("The default of every request's {}", doc.replacen(" (required)", "", 1));
        }
        if o.kind == OptionKind::Duration {
            doc.push_str(" In milliseconds.");
        }
        let mut ty = option_type(o.kind);
        if o.nullable {
            ty.push_str(" | null");
        }
        Member { name: name.to_owned(), doc, optional: true, ty }
    }

    fn new(name: &str, ty: &str, doc: &str) -> Self {
        Member { name: name.to_owned(), doc: doc.to_owned(), optional: true, ty: ty.to_owned() }
    }
}

fn main() {
    print!("{}", request_types());
}

/// The text of `requests.d.ts`.
fn request_types() -> String {
    let mut out =
        String::from("/* Generated from the Rust core's field and option tables (tools/typegen): do not edit. */\n\n");
    let (send, check) = (SendSmsVerifyCodeRequest::FIELDS, CheckSmsVerifyCodeRequest::FIELDS);
    let (overrides, exact) = ("unset fields take the client's defaults", "sent exactly as given (no client defaults)");
    for (name, call, fields, whole, doc) in [
        ("SendOverrides", "sendCode(phone, overrides)", send, false, overrides),
        ("SendSmsVerifyCodeRequest", "sendSmsVerifyCode(request)", send, true, exact),
        ("CheckOverrides", "checkCode(phone, code, overrides)", check, false, overrides),
        ("CheckSmsVerifyCodeRequest", "checkSmsVerifyCode(request)", check, true, exact),
    ] {
        let mut members: Vec<Member> = fields.iter().filter(|f| whole || !f.required).map(Member::field).collect();
        if name == "SendOverrides" {
            members.push(Member::new("clientKey", "string", CLIENT_KEY));
        }
        interface(&mut out, name, &format!("`client.{call}`: {doc}."), &members);
    }
    let (mut client, mut retry, mut role) = (Vec::new(), Vec::new(), Vec::new());
    for o in ClientBuilder::options() {
        let path = js_path(o.name);
        match path.split_once('.') {
            Some(("retry", key)) => {
                if retry.is_empty() {
                    client.push(Member::new("retry", "RetryOptions", RETRY));
                }
                retry.push(Member::option(key, &o));
            }
            Some(("roleArn", key)) => role.push(Member::option(key, &o)),
            _ if o.name == "role_arn" => {
                role.insert(0, Member { optional: false, ty: "string".into(), ..Member::option("arn", &o) });
                let doc = format!("{} Or the role's options.", js_doc(o.doc));
                client.push(Member::new("roleArn", "string | RoleArnOptions", &doc));
            }
            _ => client.push(Member::option(&path, &o)),
        }
    }
    client.push(Member::new("guard", "GuardOptions", "The abuse guard (see `GuardOptions`). Default: no guard."));
    let guard: Vec<Member> =
        GuardConfig::OPTIONS.iter().map(|o| Member::option(js_path(o.name).trim_start_matches("guard."), o)).collect();
    let authorization = Member { optional: false, ..Member::new("authorization", "string", AUTHORIZATION) };
    let params = Member { optional: false, ..Member::new("params", "Array<[string, string]>", PARAMS) };
    let emulator = EMULATOR_OPTIONS.iter().map(|&(name, kind, doc)| emulator_member(name, kind, doc)).collect();
    let fault = FAULT_FIELDS
        .iter()
        .map(|&(name, kind, doc)| Member { optional: name != "kind", ..emulator_member(name, kind, doc) });
    for (name, doc, members) in [
        ("ClientOptions", CLIENT_OPTIONS, client),
        ("RetryOptions", RETRY, retry),
        ("RoleArnOptions", ROLE_ARN, role),
        ("GuardOptions", GUARD, guard),
        (
            "GuardLimit",
            "One limit of the guard: at most `max` sends in any `windowSeconds` (a sliding window).",
            parts(&LIMIT_PARTS),
        ),
        (
            "WrongCodeOptions",
            "The guard's wrong-code lock (`GuardOptions.wrongCode`). Unset fields keep their defaults.",
            parts(&WRONG_CODE_PARTS),
        ),
        ("EmulatorOptions", "Options of `startEmulator(options)`. Every field is optional.", emulator),
        ("EmulatorFault", FAULT, fault.collect()),
        ("ExplainV3Parts", "What `explainV3()` signs: exactly the headers given.", parts(EXPLAIN_V3_PARTS)),
        (
            "HttpRequestInit",
            "A request as a server received it (`verifier.verify(request, secrets)`).",
            parts(HTTP_REQUEST_PARTS),
        ),
        ("VerifierOptions", "Options of `new Verifier(options)`.", parts(VERIFIER_OPTIONS)),
        ("SendResult", SEND_RESULT, answer::<SendSmsVerifyCodeResponse>(Vec::new())),
        ("CheckResult", CHECK_RESULT, answer::<CheckSmsVerifyCodeResponse>(Vec::new())),
        ("Explanation", EXPLANATION, answer::<Explanation>(Vec::new())),
        ("ExplanationV3", EXPLANATION_V3, answer::<Explanation>(vec![("signature", authorization)])),
        ("Verified", VERIFIED, answer::<Verified>(vec![("api_version", params)])),
        ("Stats", "`client.stats()`: the client's counters since it was built.", stats()),
    ] {
        interface(&mut out, name, doc, &members);
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// A doc taken from a Rust doc comment, whose lines keep the space after `///`.
fn unindent(doc: &str) -> String {
    doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n")
}

/// A doc comment at `indent`: one line when it fits on one.
fn doc_comment(out: &mut String, indent: &str, doc: &str) {
    let lines: Vec<&str> = doc.lines().collect();
    if let [one] = lines[..] {
        let _ = writeln!(out, "{indent}/** {one} */");
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for line in lines {
        let _ = writeln!(out, "{indent} *{}{line}", if line.is_empty() { "" } else { " " });
    }
    let _ = writeln!(out, "{indent} */");
}

fn interface(out: &mut String, name: &str, doc: &str, members: &[Member]) {
    doc_comment(out, "", doc);
    let _ = writeln!(out, "export interface {name} {{");
    for m in members {
        doc_comment(out, "  ", &m.doc);
        let _ = writeln!(out, "  {}{}: {}", m.name, if m.optional { "?" } else { "" }, m.ty);
    }
    out.push_str("}\n\n");
}

/// A core doc with the options it names in backquotes (`access_key_secret`) spelt the Node way.
fn js_doc(doc: &str) -> String {
    let known = |s: &str| ClientBuilder::option(s).is_some() || GuardConfig::option(s).is_some();
    let parts = doc.split('`').enumerate();
    let parts = parts.map(|(i, s)| if i % 2 == 1 && s.contains('_') && known(s) { js_path(s) } else { s.to_owned() });
    parts.collect::<Vec<_>>().join("`")
}

fn option_type(kind: OptionKind) -> String {
    match kind {
        OptionKind::Text | OptionKind::Secret => "string".into(),
        OptionKind::Choice(values) => values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(" | "),
        OptionKind::Bool => "boolean".into(),
        OptionKind::Unsigned | OptionKind::Amount | OptionKind::Duration => "number".into(),
        OptionKind::Pem => "string | string[]".into(),
        OptionKind::Limits => "GuardLimit[]".into(),
        OptionKind::WrongCode => "WrongCodeOptions".into(),
        OptionKind::Field(kind) => ts_type(kind),
    }
}

fn ts_type(kind: FieldKind) -> String {
    match kind {
        FieldKind::Text => "string".into(),
        FieldKind::Json => "string | Record<string, string | number | boolean>".into(),
        FieldKind::Unsigned | FieldKind::Integer => "number".into(),
        FieldKind::Bool => "boolean".into(),
        FieldKind::Enum(values) => values.iter().map(i64::to_string).collect::<Vec<_>>().join(" | "),
    }
}
