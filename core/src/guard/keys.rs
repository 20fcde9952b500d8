//! The store keys of one send (`p:` phone, `c:` client, `x:` prefix, budget) and how a client key
//! is stored.

use super::{Counter, GuardConfig, GuardInner, KeyClass};
use crate::error::{Error, Result};

/// The keys of one send in one buffer (`p:…`, `c:…`, `x:…`), kept so the permit can give the
/// slot back.
#[derive(Debug)]
pub(super) struct SendKeys {
    buf: String,
    phone: Option<(usize, usize)>,
    client: Option<(usize, usize)>,
    prefix: Option<(usize, usize)>,
    budget: bool,
}

impl SendKeys {
    pub(super) fn new(
        cfg: &GuardConfig,
        budget: bool,
        phone: &str,
        country_code: Option<&str>,
        client_key: Option<&str>,
    ) -> Result<SendKeys> {
        use std::fmt::Write;
        let mut buf = String::with_capacity(48);
        let id = |buf: &mut String, tag: &str| {
            buf.push_str(tag);
            match country_code {
                Some(cc) if cc != crate::api::CHINA => {
                    let _ = write!(buf, "+{cc}-{phone}");
                }
                _ => buf.push_str(phone),
            }
        };
        let phone_key = (!cfg.phone.is_empty()).then(|| {
            id(&mut buf, "p:");
            (0, buf.len())
        });
        let client = match client_key {
            Some(k) if !cfg.client.is_empty() => {
                let start = buf.len();
                buf.push_str("c:");
                push_client_id(&mut buf, k)?;
                Some((start, buf.len()))
            }
            Some(k) => {
                // Validate even when no client rule is set, so a bad key is found early.
                push_client_id(&mut String::new(), k)?;
                None
            }
            None => None,
        };
        let prefix = if cfg.prefix.is_empty() {
            None
        } else {
            let start = buf.len();
            id(&mut buf, "x:");
            let digits = buf.len() - start - 2;
            buf.truncate(start + 2 + digits.min(cfg.prefix_digits as usize));
            Some((start, buf.len()))
        };
        Ok(SendKeys { buf, phone: phone_key, client, prefix, budget })
    }

    fn key(&self, span: (usize, usize)) -> &str {
        self.buf.get(span.0..span.1).unwrap_or_default()
    }

    pub(super) fn counters<'a>(&'a self, inner: &'a GuardInner) -> ([Counter<'a>; 4], usize) {
        let cfg = &inner.config;
        let none = Counter { class: KeyClass::Budget, key: "", limits: &[] };
        let mut v = [none; 4];
        let mut n = 0;
        let mut push = |c: Counter<'a>| {
            v[n] = c;
            n += 1;
        };
        if let Some(k) = self.phone {
            push(Counter { class: KeyClass::Phone, key: self.key(k), limits: &cfg.phone });
        }
        if let Some(k) = self.client {
            push(Counter { class: KeyClass::Client, key: self.key(k), limits: &cfg.client });
        }
        if let Some(k) = self.prefix {
            push(Counter { class: KeyClass::Prefix, key: self.key(k), limits: &cfg.prefix });
        }
        if self.budget {
            push(Counter { class: KeyClass::Budget, key: "b", limits: &inner.rules.budget });
        }
        (v, n)
    }
}

/// Append the stored form of a client key: as given when short, else `#` and its SHA-256
/// (bounded memory; a long opaque session token never lands in a store as such).
pub(super) fn push_client_id(out: &mut String, key: &str) -> Result<()> {
    let key = key.trim();
    if key.is_empty() {
        return Err(Error::invalid_input(
            "client_key",
            "must not be empty; pass the caller's IP address, device or session id, or no key at all",
        ));
    }
    if key.len() <= 64 {
        out.push_str(key);
        return Ok(());
    }
    use sha2::Digest;
    use std::fmt::Write;
    let digest = sha2::Sha256::digest(key.as_bytes());
    out.push('#');
    for b in digest.iter() {
        let _ = write!(out, "{b:02x}");
    }
    Ok(())
}
