//! The guard's option table and [`GuardConfig::set`]: every setting of [`GuardConfig`] declared
//! once, named `guard.<setting>` as the core's validation errors name them (see
//! [`crate::options`]).

use super::{FailPolicy, GuardConfig, WrongCodeLimit};
use crate::error::Result;
use crate::options::{ClientOption, OptionKind, OptionValue, choice};

const fn option(name: &'static str, kind: OptionKind, nullable: bool, doc: &'static str) -> ClientOption {
    ClientOption { name, kind, nullable, doc }
}

use OptionKind::{Amount, Bool, Limits, Text, Unsigned};

impl GuardConfig {
    /// Every setting of the guard, by its full name (errors of [`GuardConfig::validate`] name
    /// these, or a part of one: `guard.phone.max`, `guard.wrong_code.lockout_seconds`).
    pub const OPTIONS: &'static [ClientOption] = &[
        option("guard.phone", Limits, true, "Sends per phone number (default 1/60 s, 5/h, 10/24 h); empty: off."),
        option("guard.client", Limits, true, "Sends per client key (default 10 per hour); empty: off."),
        option("guard.require_client_key", Bool, false, "Refuse sends without a client key (default false)."),
        option("guard.prefix", Limits, true, "Sends per number prefix (default 30 per hour); empty: off."),
        option("guard.prefix_digits", Unsigned, false, "Digits of a number prefix, 1–11 (default 7)."),
        option("guard.daily_budget", Unsigned, true, "Sends in any 24 hours for the whole app (default 1000)."),
        option("guard.price_per_sms", Amount, true, "The price of one SMS, for the money cap."),
        option("guard.daily_money_cap", Amount, true, "Most money spent in any 24 hours (needs the price)."),
        option(
            "guard.wrong_code",
            OptionKind::WrongCode,
            true,
            "Wrong codes per number before a lock (default 5 within 1 h, locked 15 min); unset: off.",
        ),
        option("guard.dry_run", Bool, false, "Only report what would be refused (default false)."),
        option(
            "guard.on_store_error",
            choice!(FailPolicy::Closed, FailPolicy::Open),
            false,
            "What to do when the store fails: `closed` (refuse, the default) or `open`.",
        ),
        option("guard.max_keys", Unsigned, false, "Most keys the in-memory store keeps, ≥ 16 (default 100 000)."),
        option("guard.redis_url", Text, true, "Keep the state in Redis at this URL (needs `guard-redis`)."),
        option("guard.redis_key_prefix", Text, false, "Namespace of the Redis keys (default `smsauth:guard:`)."),
        option("guard.store_timeout_ms", Unsigned, false, "The longest wait for the store, 1–60000 ms (250)."),
    ];

    /// The setting called `name`: `guard.phone` or `phone`.
    pub fn option(name: &str) -> Option<ClientOption> {
        ClientOption::find(Self::OPTIONS, name)
    }

    /// Set the setting called `name` (see [`GuardConfig::OPTIONS`]) to `value`; `None` unsets
    /// it: a rule's limits become empty (off), the budget, price, cap and Redis URL unset, the
    /// wrong-code rule off, any other setting back to its default. A value of the wrong kind or
    /// an unknown name is an [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming
    /// the setting; ranges and the rules between settings are checked by
    /// [`GuardConfig::validate`] (so the order settings are given in does not matter).
    pub fn set(&mut self, name: &str, value: Option<OptionValue>) -> Result<()> {
        let opt = Self::option(name).ok_or_else(|| ClientOption::unknown(Self::OPTIONS, name))?;
        let fresh = GuardConfig::default();
        let Some(v) = value else {
            match opt.name {
                "guard.phone" => self.phone.clear(),
                "guard.client" => self.client.clear(),
                "guard.prefix" => self.prefix.clear(),
                "guard.daily_budget" => self.daily_budget = None,
                "guard.price_per_sms" => self.price_per_sms = None,
                "guard.daily_money_cap" => self.daily_money_cap = None,
                "guard.wrong_code" => self.wrong_code = WrongCodeLimit { max_wrong: 0, ..fresh.wrong_code },
                "guard.redis_url" => self.redis_url = None,
                "guard.require_client_key" => self.require_client_key = fresh.require_client_key,
                "guard.prefix_digits" => self.prefix_digits = fresh.prefix_digits,
                "guard.dry_run" => self.dry_run = fresh.dry_run,
                "guard.on_store_error" => self.on_store_error = fresh.on_store_error,
                "guard.max_keys" => self.max_keys = fresh.max_keys,
                "guard.redis_key_prefix" => self.redis_key_prefix = fresh.redis_key_prefix,
                _ => self.store_timeout_ms = fresh.store_timeout_ms,
            }
            return Ok(());
        };
        match opt.name {
            "guard.phone" => self.phone = limits(&opt, v)?,
            "guard.client" => self.client = limits(&opt, v)?,
            "guard.prefix" => self.prefix = limits(&opt, v)?,
            "guard.require_client_key" => self.require_client_key = opt.bool(v)?,
            "guard.prefix_digits" => self.prefix_digits = opt.unsigned(v)?,
            "guard.daily_budget" => self.daily_budget = Some(opt.unsigned(v)?),
            "guard.price_per_sms" => self.price_per_sms = Some(opt.amount(v)?),
            "guard.daily_money_cap" => self.daily_money_cap = Some(opt.amount(v)?),
            "guard.wrong_code" => match v {
                OptionValue::WrongCode(w) => self.wrong_code = w,
                other => return Err(opt.mismatch(&other)),
            },
            "guard.dry_run" => self.dry_run = opt.bool(v)?,
            "guard.on_store_error" => self.on_store_error = opt.choice::<FailPolicy>(v)?,
            "guard.max_keys" => self.max_keys = opt.unsigned(v)?,
            "guard.redis_url" => self.redis_url = Some(opt.text(v)?),
            "guard.redis_key_prefix" => self.redis_key_prefix = opt.text(v)?,
            "guard.store_timeout_ms" => self.store_timeout_ms = opt.unsigned(v)?,
            _ => unreachable!("every setting of the table has an arm"),
        }
        Ok(())
    }
}

fn limits(opt: &ClientOption, v: OptionValue) -> Result<Vec<super::Limit>> {
    match v {
        OptionValue::Limits(l) => Ok(l),
        other => Err(opt.mismatch(&other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::Limit;

    #[test]
    fn settings_apply_and_unset() {
        let mut c = GuardConfig::default();
        for o in GuardConfig::OPTIONS {
            assert!(o.name.starts_with("guard.") && !o.doc.is_empty(), "{}", o.name);
            GuardConfig::default().set(o.name, None).unwrap();
        }
        c.set("phone", Some(OptionValue::Limits(vec![Limit::new(2, 60)]))).unwrap();
        c.set("guard.on_store_error", Some(OptionValue::Text("open".into()))).unwrap();
        c.set("wrong_code", None).unwrap();
        c.set("max_keys", Some(OptionValue::Unsigned(20))).unwrap();
        c.set("max_keys", None).unwrap();
        assert_eq!(c.phone, vec![Limit::new(2, 60)]);
        assert_eq!((c.on_store_error, c.wrong_code.max_wrong), (FailPolicy::Open, 0));
        assert_eq!(c.max_keys, GuardConfig::default().max_keys);
        let e = c.set("dry_run", Some(OptionValue::Unsigned(1))).unwrap_err();
        assert_eq!(e.field(), Some("guard.dry_run"));
        assert_eq!(c.set("guard.nope", None).unwrap_err().field(), Some("option"));
        let Some(OptionKind::Choice(policies)) = GuardConfig::option("on_store_error").map(|o| o.kind) else {
            panic!("on_store_error is a choice")
        };
        for name in policies {
            c.set("on_store_error", Some(OptionValue::Text(name.to_string()))).unwrap();
            assert_eq!(c.on_store_error.as_str(), *name);
        }
        let e = c.set("on_store_error", Some(OptionValue::Text("maybe".into()))).unwrap_err();
        assert_eq!(e.field(), Some("guard.on_store_error"));
    }
}
