//! [`Emulator::call`]: the emulator's operations by name with their arguments as the core's
//! [`Value`]s — the one list of operations and of how each reads its argument, for every binding.

use smsauth::input::{self, InputError, Object, Path, Style, Value};

use crate::{Emulator, FAULT_FIELDS, Fault, Message, StsCredentials};

/// The operations [`Emulator::call`] runs, in snake case (a binding names them in its style:
/// `last_code`, `lastCode`).
pub const OPERATIONS: &[&str] = &[
    "access_key_id",
    "access_key_secret",
    "now",
    "request_count",
    "reset",
    "clear_faults",
    "last_code",
    "messages",
    "issue_sts",
    "advance_clock",
    "add_fault",
];

/// What an operation of [`Emulator::call`] answers, for a binding to convert.
#[derive(Debug)]
pub enum Answer {
    /// Nothing (`reset`, `advance_clock`, `add_fault`, `clear_faults`).
    Nothing,
    /// Text, or none (the key pair; `last_code` of a phone that got no code).
    Text(Option<String>),
    /// A whole number (`now`, `request_count`).
    Count(u64),
    /// The outbox (`messages`, of one phone or all), oldest first.
    Messages(Vec<Message>),
    /// Temporary credentials (`issue_sts`; `Debug` hides the secret and the token).
    Sts(StsCredentials),
}

impl Emulator {
    /// The operation `op` (one of [`OPERATIONS`], spelt in `style`) with its positional `args`
    /// — `last_code(phone)`, `messages(phone?)`, `issue_sts(ttl_seconds)` (Python: `ttl`),
    /// `advance_clock(seconds)`, `add_fault(fault)` where the fault rule is a map whose keys
    /// are [`FAULT_FIELDS`] in `style` (`retryAfterMs`), judged by [`Fault::from_json`] —;
    /// `None` when there is no such operation. An error names the argument; the emulator's
    /// refusals (`ttl_seconds` of 0, a rule that is not a fault) are the core's errors inside.
    pub fn call(&self, style: &'static Style, op: &str, args: &[Value<'_>]) -> Option<Result<Answer, InputError>> {
        let op = OPERATIONS.iter().find(|name| style.name(name) == op)?;
        Some(self.run(style, op, args))
    }

    fn run(&self, style: &'static Style, op: &str, args: &[Value<'_>]) -> Result<Answer, InputError> {
        let text = |v: &Value<'_>| input::text(v, false);
        let natural = |name: &str| {
            let max = style.max_integer.into();
            input::required_arg(args, 0, &style.name(name), |v| input::integer_in(style, v, 0, max).map(|n| n as u64))
        };
        Ok(match op {
            "access_key_id" => Answer::Text(Some(self.access_key_id())),
            "access_key_secret" => Answer::Text(Some(self.access_key_secret())),
            "now" => Answer::Count(self.now()),
            "request_count" => Answer::Count(self.request_count() as u64),
            "reset" => {
                self.reset();
                Answer::Nothing
            }
            "clear_faults" => {
                self.clear_faults();
                Answer::Nothing
            }
            "last_code" => Answer::Text(self.last_code(&input::required_arg(args, 0, "phone", text)?)),
            "messages" => Answer::Messages(match input::optional_arg(args, 0, "phone", text)? {
                Some(phone) => self.messages_for(&phone),
                None => self.messages(),
            }),
            "issue_sts" => {
                let ttl = natural("ttl_seconds")?;
                Answer::Sts(self.issue_sts_seconds(ttl).map_err(|e| InputError::refused(Path::arg("ttl_seconds"), e))?)
            }
            "advance_clock" => {
                self.advance_clock(natural("seconds")?);
                Answer::Nothing
            }
            _ => {
                self.add_fault(fault(style, input::arg(args, 0))?);
                Answer::Nothing
            }
        })
    }
}

/// A fault rule from its map: each key that names one of [`FAULT_FIELDS`] in `style`
/// (`retryAfterMs`) becomes that field's JSON key (`retry_after_ms`), others stay as written,
/// and the emulator's one parser, [`Fault::from_json`], decides — unknown keys, kinds and
/// actions are refused there, as an `InvalidInput` error on `fault`.
fn fault(style: &'static Style, v: &Value<'_>) -> Result<Fault, InputError> {
    Object::required(style, Path::arg("fault"), v)?;
    let mut rule = v.clone();
    if let Value::Map(entries) = &mut rule {
        for (key, _) in entries {
            if let Some(&(name, ..)) = FAULT_FIELDS.iter().find(|(name, ..)| style.name(name) == *key) {
                *key = name.into();
            }
        }
    }
    let json = rule
        .to_json_text()
        .map_err(|(at, what)| InputError::new(Path::arg("fault"), input::Problem::NotData { at, what }))?;
    Fault::from_json(&json).map_err(|why| {
        InputError::refused(
            Path::arg("fault"),
            smsauth::Error::invalid_input("fault", format_args!("is not a fault: {why}")),
        )
    })
}

#[cfg(test)]
mod tests {
    use smsauth::input::{NODE, PYTHON, Problem, Step};

    use super::*;

    fn text(s: &str) -> Value<'static> {
        Value::Text(s.to_owned().into())
    }

    #[test]
    fn operations_are_named_in_the_style_and_read_their_argument() {
        let emu = Emulator::start().expect("starts");
        assert!(emu.call(&NODE, "last_code", &[]).is_none(), "Node spells it lastCode");
        assert!(emu.call(&PYTHON, "lastCode", &[]).is_none());
        assert!(emu.call(&PYTHON, "no_such_op", &[]).is_none());
        let answer = emu.call(&NODE, "lastCode", &[text("13800138000")]).expect("an operation").expect("read");
        assert!(matches!(answer, Answer::Text(None)), "{answer:?}");
        let e = emu.call(&PYTHON, "advance_clock", &[Value::Integer(-1)]).expect("an operation").unwrap_err();
        assert_eq!(e.path.0, vec![Step::Arg("seconds".into())]);
        assert!(matches!(e.problem, Problem::Range { .. }), "{e:?}");
        emu.call(&NODE, "advanceClock", &[Value::Integer(5)]).expect("an operation").expect("advanced");
        let Some(Ok(Answer::Count(now))) = emu.call(&NODE, "now", &[]) else { panic!("now is a count") };
        assert_eq!(now, emu.now());
    }

    #[test]
    fn issue_sts_names_its_argument_per_style_and_refuses_zero() {
        let emu = Emulator::start().expect("starts");
        let e = emu.call(&PYTHON, "issue_sts", &[text("1")]).expect("an operation").unwrap_err();
        assert_eq!(e.path.0, vec![Step::Arg("ttl".into())]);
        let e = emu.call(&NODE, "issueSts", &[]).expect("an operation").unwrap_err();
        assert_eq!(e.path.0, vec![Step::Arg("ttlSeconds".into())]);
        let e = emu.call(&NODE, "issueSts", &[Value::Integer(0)]).expect("an operation").unwrap_err();
        assert_eq!(e.into_core().expect("a core error").field(), Some("ttl_seconds"));
        let Some(Ok(Answer::Sts(sts))) = emu.call(&PYTHON, "issue_sts", &[Value::Integer(60)]) else { panic!() };
        assert_eq!(sts.expires_at, emu.now() + 60);
    }

    #[test]
    fn a_fault_rule_is_read_with_the_styles_keys_and_judged_by_the_emulator() {
        let emu = Emulator::start().expect("starts");
        let rule =
            |key: &'static str| Value::Map(vec![("kind".into(), text("throttle")), (key.into(), Value::Integer(200))]);
        emu.call(&NODE, "addFault", &[rule("retryAfterMs")]).expect("an operation").expect("a fault");
        emu.call(&PYTHON, "add_fault", &[rule("retry_after_ms")]).expect("an operation").expect("a fault");
        let e = emu.call(&PYTHON, "add_fault", &[rule("retryAfterMs")]).expect("an operation").unwrap_err();
        let e = e.into_core().expect("a core error");
        assert_eq!(e.field(), Some("fault"));
        assert!(e.to_string().contains("is not a fault"), "{e}");
        let e = emu.call(&NODE, "addFault", &[text("{}")]).expect("an operation").unwrap_err();
        assert!(matches!(e.problem, Problem::Type { .. }), "{e:?}");
    }
}
