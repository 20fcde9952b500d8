//! The emulator's options as every binding takes them (Python's `Emulator(**options)`, Node's
//! `startEmulator(options)`, C's `smsauth_emulator_start_with_options`): one table of names and
//! kinds, read from JSON here, so no binding decides a name, a type or a default.

use std::time::Duration;

use serde::Deserialize;
use smsauth::Error;

use crate::Config;

/// What values an option takes, for bindings that read typed arguments one by one (Node) before
/// handing them over as JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// `true` or `false`.
    Flag,
    /// A whole number from 0 to `max`.
    Count {
        /// The largest value accepted.
        max: u64,
    },
    /// A string.
    Text,
    /// A string that is a secret (never echoed back).
    Secret,
    /// A JSON object or array (`templates`, `accounts`).
    Table,
    /// A number (a fraction allowed).
    Number,
    /// One of these names.
    Choice(&'static [&'static str]),
}

/// Every option, by its snake-case name (Node spells it in camel case), with its kind and its
/// doc (bindings generate their option docs from it). The defaults are [`Config::default`]'s;
/// [`Config::from_options`] reads them.
pub const EMULATOR_OPTIONS: [(&str, OptionKind, &str); 15] = [
    ("port", OptionKind::Count { max: u16::MAX as u64 }, "TCP port on 127.0.0.1; 0 (the default) picks a free one."),
    (
        "accounts",
        OptionKind::Table,
        "Accepted AccessKey pairs `[id, secret]`; the first is the one the emulator reports as its own\n\
         (default `[['testid', 'testsecret']]`).",
    ),
    ("access_key_id", OptionKind::Text, "The accepted AccessKey ID (default `testid`)."),
    ("access_key_secret", OptionKind::Secret, "Its secret (default `testsecret`)."),
    (
        "max_wrong_tries",
        OptionKind::Count { max: u32::MAX as u64 },
        "Wrong checks after which a code is void (default 5).",
    ),
    (
        "daily_limit",
        OptionKind::Count { max: u32::MAX as u64 },
        "Codes per phone number per day before `BUSINESS_LIMIT_CONTROL` (default 10).",
    ),
    (
        "timestamp_window_seconds",
        OptionKind::Count { max: u64::MAX },
        "Accepted clock skew of request timestamps in seconds, either way (default 900).",
    ),
    ("consume_on_pass", OptionKind::Flag, "A code that passed cannot pass again (default `true`)."),
    ("seed", OptionKind::Count { max: u64::MAX }, "Seed of the random source: the same seed gives the same codes."),
    (
        "start_time",
        OptionKind::Count { max: u64::MAX },
        "Start of the emulated clock (Unix seconds); default the real time.",
    ),
    (
        "verify_with_emulated_clock",
        OptionKind::Flag,
        "Check request timestamps against the emulated clock (default `true`).",
    ),
    (
        "templates",
        OptionKind::Table,
        "Message texts by `TemplateCode`, with `${name}` placeholders (added to the defaults).",
    ),
    ("max_messages", OptionKind::Count { max: u32::MAX as u64 }, "Outbox size (default 10000)."),
    ("log_requests", OptionKind::Flag, "Print one line per request to stderr."),
    (
        "lenient",
        OptionKind::Flag,
        "Accept any signature and template and apply no flow control (default `false`: faithful\n\
         to the service, see the fidelity table in the emulator's README).",
    ),
];

/// The kinds of fault ([`crate::FaultKind`]) by the names a rule's `kind` takes.
pub const FAULT_KINDS: [&str; 10] = [
    "latency",
    "server_error",
    "throttle",
    "malformed",
    "truncated",
    "html",
    "oversized",
    "drop",
    "drop_mid_response",
    "slow_drip",
];

/// Every key of a fault rule as [`crate::Fault::from_json`] reads it (Python's `add_fault`,
/// Node's `addFault`, C's `smsauth_emulator_add_fault`), with its kind and doc, so bindings
/// generate their docs and types from it; [`crate::Fault::from_json`] decides what a rule may
/// hold (a test checks that it reads every key here).
pub const FAULT_FIELDS: [(&str, OptionKind, &str); 12] = [
    ("kind", OptionKind::Choice(&FAULT_KINDS), "What happens."),
    ("ms", OptionKind::Count { max: u64::MAX }, "`latency`: added delay in milliseconds."),
    ("status", OptionKind::Count { max: u16::MAX as u64 }, "`server_error`: the HTTP status (default 500)."),
    (
        "plain",
        OptionKind::Flag,
        "`server_error`: answer with a `text/plain` reason phrase, as a load balancer would,\n\
         instead of the gateway's JSON error (default `false`).",
    ),
    (
        "retry_after_ms",
        OptionKind::Count { max: u64::MAX },
        "`throttle`: the `x-acs-retry-after` header in milliseconds.",
    ),
    ("bytes", OptionKind::Count { max: u64::MAX }, "`oversized`: body size in bytes (default 2 MiB)."),
    ("chunk_bytes", OptionKind::Count { max: u64::MAX }, "`slow_drip`: bytes per write (default 16)."),
    (
        "interval_ms",
        OptionKind::Count { max: u64::MAX },
        "`slow_drip`: pause between writes in milliseconds (default 200).",
    ),
    ("action", OptionKind::Text, "Only this action (`SendSmsVerifyCode` / `CheckSmsVerifyCode`)."),
    ("phone", OptionKind::Text, "Only this phone number."),
    ("probability", OptionKind::Number, "Chance a matching request is hit, 0 to 1 (default 1)."),
    ("times", OptionKind::Count { max: u32::MAX as u64 }, "Fire this many times, then disappear (default: forever)."),
];

/// One option's value; `deny_unknown_fields` refuses a misspelt name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    port: Option<u16>,
    accounts: Option<Vec<(String, String)>>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    max_wrong_tries: Option<u32>,
    daily_limit: Option<u32>,
    /// Python has always spelt it `timestamp_window` (in seconds).
    #[serde(alias = "timestamp_window")]
    timestamp_window_seconds: Option<u64>,
    consume_on_pass: Option<bool>,
    seed: Option<u64>,
    start_time: Option<u64>,
    verify_with_emulated_clock: Option<bool>,
    templates: Option<std::collections::BTreeMap<String, String>>,
    max_messages: Option<usize>,
    log_requests: Option<bool>,
    lenient: Option<bool>,
}

impl Config {
    /// [`Config::default`] changed by the options in `json`, an object keyed by the names of
    /// [`EMULATOR_OPTIONS`] (`null` or an omitted key keeps the default; `templates` are added
    /// to the presets; `access_key_id` / `access_key_secret` replace the first account's).
    /// An unknown name or a value of the wrong type is [`smsauth::ErrorKind::InvalidInput`]
    /// naming the option (`options` for an unknown one).
    ///
    /// ```
    /// let c = smsauth_emulator::Config::from_options(r#"{"daily_limit": 3, "seed": null}"#).unwrap();
    /// assert_eq!((c.daily_limit, c.seed), (3, None));
    /// let e = smsauth_emulator::Config::from_options(r#"{"port": "x"}"#).unwrap_err();
    /// assert_eq!(e.field(), Some("port"));
    /// assert!(smsauth_emulator::Config::from_options(r#"{"prot": 1}"#).is_err());
    /// ```
    pub fn from_options(json: &str) -> smsauth::Result<Config> {
        let options: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
            .map_err(|e| Error::invalid_input("options", format_args!("must be a JSON object: {e}")))?;
        let mut config = Config::default();
        // One option at a time, so that an error names the option it is about.
        for (name, value) in options {
            let entry = EMULATOR_OPTIONS.iter().find(|(n, ..)| *n == name);
            let field = entry.map_or("options", |(n, ..)| *n);
            if let (Some((_, OptionKind::Count { max }, _)), Some(n)) = (entry, value.as_f64()) {
                if n < 0.0 {
                    return Err(Error::invalid_input(field, format_args!("must not be negative, got {n}")));
                }
                if n > *max as f64 {
                    return Err(Error::invalid_input(field, format_args!("must be at most {max}, got {n}")));
                }
            }
            let one = serde_json::Value::Object([(name, value)].into_iter().collect());
            let option = Options::deserialize(one).map_err(|e| Error::invalid_input(field, e))?;
            option.apply(&mut config);
        }
        Ok(config)
    }
}

impl Options {
    fn apply(self, c: &mut Config) {
        fn set<T>(slot: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *slot = v;
            }
        }
        set(&mut c.port, self.port);
        set(&mut c.accounts, self.accounts);
        if self.access_key_id.is_some() || self.access_key_secret.is_some() {
            if c.accounts.is_empty() {
                c.accounts = Config::default().accounts;
            }
            set(&mut c.accounts[0].0, self.access_key_id);
            set(&mut c.accounts[0].1, self.access_key_secret);
        }
        set(&mut c.max_wrong_tries, self.max_wrong_tries);
        set(&mut c.daily_limit, self.daily_limit);
        set(&mut c.timestamp_window, self.timestamp_window_seconds.map(Duration::from_secs));
        set(&mut c.consume_on_pass, self.consume_on_pass);
        c.seed = self.seed.or(c.seed);
        c.start_time = self.start_time.or(c.start_time);
        set(&mut c.verify_with_emulated_clock, self.verify_with_emulated_clock);
        c.templates.extend(self.templates.unwrap_or_default());
        set(&mut c.max_messages, self.max_messages);
        set(&mut c.log_requests, self.log_requests);
        set(&mut c.lenient, self.lenient);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_of_the_table_is_read_and_nothing_else() {
        for (name, kind, _) in EMULATOR_OPTIONS {
            let value = match kind {
                OptionKind::Flag => "true".to_owned(),
                OptionKind::Count { .. } => "1".to_owned(),
                OptionKind::Text | OptionKind::Secret => "\"k\"".to_owned(),
                OptionKind::Table if name == "accounts" => r#"[["a","b"]]"#.to_owned(),
                OptionKind::Table => r#"{"T1":"${code}"}"#.to_owned(),
                OptionKind::Number | OptionKind::Choice(_) => unreachable!("not an emulator option"),
            };
            assert!(Config::from_options(&format!("{{\"{name}\":{value}}}")).is_ok(), "{name}");
            let wrong = Config::from_options(&format!("{{\"{name}\":[1.5]}}")).unwrap_err();
            assert_eq!(wrong.field(), Some(name), "{wrong}");
        }
        let e = Config::from_options(r#"{"port":70000}"#).unwrap_err();
        assert!(e.to_string().contains("must be at most 65535, got 70000"), "{e}");
        let e = Config::from_options(r#"{"prot":1}"#).unwrap_err();
        assert_eq!(e.field(), Some("options"));
        assert!(e.to_string().contains("prot"), "{e}");
    }

    #[test]
    fn every_key_and_kind_of_the_fault_table_is_read() {
        use crate::{Fault, FaultKind};
        for kind in FAULT_KINDS {
            let needs = if kind == "latency" { r#","ms":1"# } else { "" };
            assert!(Fault::from_json(&format!(r#"{{"kind":"{kind}"{needs}}}"#)).is_ok(), "{kind}");
        }
        // Each key with a value of its kind is taken by some kind of fault.
        for (name, kind, _) in FAULT_FIELDS.iter().skip(1) {
            let value = match kind {
                OptionKind::Flag => "true",
                OptionKind::Count { .. } => "500",
                OptionKind::Number => "0.5",
                _ => r#""SendSmsVerifyCode""#,
            };
            let taken = FAULT_KINDS.iter().any(|k| {
                let needs = if *k == "latency" && *name != "ms" { r#","ms":1"# } else { "" };
                Fault::from_json(&format!(r#"{{"kind":"{k}","{name}":{value}{needs}}}"#)).is_ok()
            });
            assert!(taken, "{name}");
        }
        let all = serde_json::to_value(Fault::new(FaultKind::Drop)).unwrap();
        assert!(all.as_object().unwrap().keys().all(|k| FAULT_FIELDS.iter().any(|(n, ..)| n == k)));
    }

    #[test]
    fn options_change_the_defaults() {
        let c = Config::from_options(
            r#"{"access_key_secret":"s2","timestamp_window":60,"templates":{"T1":"x"},"lenient":true}"#,
        )
        .unwrap();
        assert_eq!(c.accounts, vec![("testid".to_owned(), "s2".to_owned())]);
        assert_eq!(c.timestamp_window, Duration::from_secs(60));
        assert!(c.templates.contains_key("T1") && c.templates.contains_key("100001"));
        assert!(c.lenient);
        let d = Config::from_options("{}").unwrap();
        assert_eq!((d.max_wrong_tries, d.daily_limit, d.lenient), (5, 10, false));
    }
}
