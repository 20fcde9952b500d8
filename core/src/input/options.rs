//! The generic readers of the core's tables: a client's options
//! ([`ClientBuilder::options`], [`GuardConfig::OPTIONS`]) and a request's fields (`FIELDS`),
//! each value found under its name in the binding's [`Style`], converted by its kind and set
//! through the core, which validates it.

use std::time::Duration;

use crate::ClientBuilder;
use crate::api::{Field, FieldKind, FieldValue, Fields};
use crate::guard::{Guard, GuardConfig, Limit, WrongCodeLimit};
use crate::options::{ClientOption, OptionKind, OptionValue};

use super::error::{Expected, InputError, Path, Problem};
use super::parts::{LIMIT_PARTS, Part, WRONG_CODE_PARTS};
use super::reader::{Object, Read, boolean, integer_in, json, list, number, text};
use super::style::{NODE, Style};
use super::value::Value;

/// A request field's value, converted by its [`FieldKind`] (`TemplateParam` as JSON text or a
/// map, written as JSON text); `max_integer`: the largest whole number the host holds exactly.
pub fn field_value(v: &Value<'_>, kind: FieldKind, max_integer: u64) -> Read<FieldValue> {
    field_value_in(&Style { max_integer, strict_integers: false, ..NODE }, v, kind)
}

/// [`field_value`] with the numbers of `style` (its largest whole number, and
/// [`Style::strict_integers`]).
pub fn field_value_in(style: &Style, v: &Value<'_>, kind: FieldKind) -> Read<FieldValue> {
    let max = i128::from(style.max_integer);
    Ok(match kind {
        FieldKind::Text => FieldValue::Text(text(v, false)?),
        FieldKind::Bool => FieldValue::Bool(boolean(v)?),
        FieldKind::Unsigned => FieldValue::Unsigned(integer_in(style, v, 0, max.min(u64::MAX.into()))? as u64),
        FieldKind::Integer | FieldKind::Enum(_) => {
            let bound = max.min(i64::MAX.into());
            FieldValue::Integer(integer_in(style, v, -bound, bound)? as i64)
        }
        FieldKind::Json => FieldValue::Text(json(v)?),
    })
}

/// Read a request's `fields` from `obj` and hand each to `set` (the request's own `set`).
/// Required fields are read only for a complete request (`whole`): `send_code` and
/// `check_code` take them as arguments.
pub fn read_fields(
    obj: &mut Object<'_, '_>,
    fields: &[Field],
    whole: bool,
    mut set: impl FnMut(&str, Option<FieldValue>) -> crate::Result<()>,
) -> Result<(), InputError> {
    let style = obj.style;
    for field in fields.iter().filter(|field| whole || !field.required) {
        let name = style.field_name(field);
        let value = if field.required {
            obj.required_by(&name, |v| field_value_in(style, v, field.kind))?
        } else {
            match obj.read(&name, |v| field_value_in(style, v, field.kind))? {
                Some(value) => value,
                None => continue,
            }
        };
        set(field.name, Some(value)).map_err(|e| InputError::refused(obj.at(&name), e))?;
    }
    Ok(())
}

/// A request read from `obj`: its required fields, in the table's order, under the names
/// `required` (a binding's positional arguments: Python's `send_code` calls the phone number
/// `phone`), then its other fields ([`read_fields`]).
pub fn read_request<R: Fields>(obj: &mut Object<'_, '_>, required: &[&str]) -> Result<R, InputError> {
    let (style, mut req) = (obj.style, R::default());
    for (&name, field) in required.iter().zip(R::FIELDS.iter().filter(|f| f.required)) {
        let value = obj.required_by(name, |v| field_value_in(style, v, field.kind))?;
        req.set(field.name, Some(value)).map_err(|e| InputError::refused(obj.at(name), e))?;
    }
    read_fields(obj, R::FIELDS, false, |name, value| req.set(name, value))?;
    Ok(req)
}

/// Change the fields of `req` that `obj` gives, required ones included; null unsets a field.
pub fn replace_fields<R: Fields>(obj: &mut Object<'_, '_>, req: &mut R) -> Result<(), InputError> {
    let style = obj.style;
    for field in R::FIELDS {
        let name = style.field_name(field);
        let Some(v) = obj.get_or_null(&name) else { continue };
        let read = (!v.is_nullish()).then(|| field_value_in(style, v, field.kind));
        let value = read.transpose().map_err(|p| obj.error(&name, p))?;
        req.set(field.name, value).map_err(|e| InputError::refused(obj.at(&name), e))?;
    }
    Ok(())
}

/// The guard's settings from `obj` (a map of [`GuardConfig::OPTIONS`] by the names of the style,
/// `phone` for `guard.phone`), each left out keeping its default.
pub fn read_guard(obj: &mut Object<'_, '_>) -> Result<GuardConfig, InputError> {
    let mut config = GuardConfig::default();
    for opt in GuardConfig::OPTIONS {
        let path = obj.style.option_path(opt.name);
        let key = path.split_once('.').map_or(path.as_str(), |(_, key)| key);
        read_option(obj, key, opt, |v| config.set(opt.name, v))?;
    }
    Ok(config)
}

/// Read every option of a client from `obj` (the options map) into `b`: the client's own,
/// the request defaults, the nested retry and role maps and the guard.
pub fn read_client(obj: &mut Object<'_, '_>, b: &mut ClientBuilder) -> Result<(), InputError> {
    let style = obj.style;
    let refused = |path: Path| move |e| InputError::refused(path, e);
    let retry_key = style.name("retry").into_owned();
    let role_key = style.name("role_arn").into_owned();
    let retry_value = if style.flat_groups { None } else { obj.get(&retry_key) };
    let mut retry = match retry_value {
        Some(v) => Some(Object::required(style, obj.at(&retry_key), v)?),
        None => None,
    };
    let mut role = None;
    if style.role_object {
        match obj.get(&role_key) {
            Some(v) if v.is_text() => {
                let arn = text(v, false).map_err(|p| obj.error(&role_key, p))?;
                b.set_option("role_arn", Some(OptionValue::Text(arn))).map_err(refused(obj.at(&role_key)))?;
            }
            Some(v) => role = Some(Object::required(style, obj.at(&role_key), v)?),
            None => {}
        }
    }
    for opt in ClientBuilder::options() {
        if style.role_object && opt.name == "role_arn" {
            if let Some(role) = role.as_mut() {
                read_option(role, "arn", &opt, |v| b.set_option(opt.name, v))?;
            }
            continue;
        }
        let path = style.option_path(opt.name);
        let (target, key) = match path.split_once('.') {
            Some((group, key)) if group == retry_key => (retry.as_mut(), key),
            Some((group, key)) if group == role_key => (role.as_mut(), key),
            _ => (Some(&mut *obj), path.as_str()),
        };
        if let Some(target) = target {
            read_option(target, key, &opt, |v| b.set_option(opt.name, v))?;
        }
    }
    retry.map(Object::finish).transpose()?;
    role.map(Object::finish).transpose()?;
    let guard_key = style.name("guard").into_owned();
    if let Some(v) = obj.get(&guard_key) {
        let mut g = Object::required(style, obj.at(&guard_key), v)?;
        let config = read_guard(&mut g)?;
        let path = g.path().clone();
        g.finish()?;
        let guard = Guard::new(config).map_err(refused(path))?;
        *b = std::mem::take(b).guard(guard);
    }
    Ok(())
}

/// Read `key` of `obj` as `opt`'s kind and hand it to `set`: absent skips it, null unsets a
/// nullable option, a wrong type is a type problem, a bad value the core's refusal.
pub fn read_option(
    obj: &mut Object<'_, '_>,
    key: &str,
    opt: &ClientOption,
    mut set: impl FnMut(Option<OptionValue>) -> crate::Result<()>,
) -> Result<(), InputError> {
    let style = obj.style;
    let Some(v) = obj.get_or_null(key) else { return Ok(()) };
    let at = obj.at(key);
    let refused = |e| InputError::refused(at.clone(), e);
    if opt.nullable && matches!(v, Value::Null) {
        return set(None).map_err(refused);
    }
    let problem = |p| InputError::new(at.clone(), p);
    let max = i128::from(style.max_integer);
    let value = match opt.kind {
        OptionKind::Text | OptionKind::Choice(_) => OptionValue::Text(text(v, false).map_err(problem)?),
        OptionKind::Secret => OptionValue::Text(text(v, true).map_err(problem)?),
        OptionKind::Bool => OptionValue::Bool(boolean(v).map_err(problem)?),
        OptionKind::Unsigned => OptionValue::Unsigned(integer_in(style, v, 0, max).map_err(problem)? as u64),
        OptionKind::Amount => OptionValue::Amount(number(v).map_err(problem)?),
        OptionKind::Duration => {
            // A unit below a second (milliseconds) takes whole numbers; seconds take fractions.
            let whole = style.duration_unit < Duration::from_secs(1);
            let amount = if whole { integer_in(style, v, 0, max).map(|n| n as f64) } else { number(v) };
            opt.duration(amount.map_err(problem)?, style.duration_unit).map_err(refused)?
        }
        // Each PEM text of a list adds to the ones before.
        OptionKind::Pem if matches!(v, Value::List(_)) => {
            for (i, item) in list(v, &Expected::Text).map_err(problem)?.iter().enumerate() {
                set(Some(pem(item).map_err(|p| InputError::new(at.index(i), p))?)).map_err(refused)?;
            }
            return Ok(());
        }
        OptionKind::Pem => pem(v).map_err(problem)?,
        OptionKind::Limits => OptionValue::Limits(limits(style, &at, v)?),
        OptionKind::WrongCode => OptionValue::WrongCode(wrong_code(style, &at, v)?),
        OptionKind::Field(kind) => field_value_in(style, v, kind).map_err(problem)?.into(),
    };
    set(Some(value)).map_err(refused)
}

/// PEM text or bytes.
fn pem(v: &Value<'_>) -> Read<OptionValue> {
    match v {
        Value::Bytes(b) => Ok(OptionValue::Bytes(b.to_vec())),
        _ => text(v, false).map(OptionValue::Text),
    }
}

/// A guard rule's limits: a list of `{ max, window_seconds }` maps (or `(max, window_seconds)`
/// tuples in a [`Style::tuples`] style).
fn limits(style: &'static super::Style, at: &Path, v: &Value<'_>) -> Result<Vec<Limit>, InputError> {
    let items = list(v, &Expected::Limit).map_err(|p| InputError::new(at.clone(), p))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        let [max, window] = parts(style, &at.index(i), v, &LIMIT_PARTS, Expected::Limit)?;
        out.push(Limit::new(max as u32, window));
    }
    Ok(out)
}

/// The wrong-code rule: `{ max_wrong, window_seconds, lockout_seconds }` (each part may be left
/// out and keeps its default) or a tuple of the three.
fn wrong_code(style: &'static super::Style, at: &Path, v: &Value<'_>) -> Result<WrongCodeLimit, InputError> {
    let [max_wrong, window_seconds, lockout_seconds] = parts(style, at, v, &WRONG_CODE_PARTS, Expected::WrongCode)?;
    Ok(WrongCodeLimit { max_wrong: max_wrong as u32, window_seconds, lockout_seconds })
}

/// The `table` parts of a limit or rule, each a whole number from 0 to `u32::MAX`: a map's keys
/// (spelt in `style`; each required one must be there, the others default to the wrong-code
/// rule's defaults) or a tuple's items.
fn parts<const N: usize>(
    style: &'static super::Style,
    at: &Path,
    v: &Value<'_>,
    table: &[Part; N],
    expected: Expected,
) -> Result<[u64; N], InputError> {
    let mut out = [0; N];
    let bound = i128::from(u32::MAX);
    if style.tuples {
        let items = match v {
            Value::List(items) if items.len() == N => items,
            _ => return Err(InputError::expected(at.clone(), expected, v, false)),
        };
        for (i, (slot, item)) in out.iter_mut().zip(items).enumerate() {
            *slot = integer_in(style, item, 0, bound).map_err(|p| InputError::new(at.index(i), p))? as u64;
        }
        return Ok(out);
    }
    let mut obj = Object::required(style, at.clone(), v)?;
    let d = WrongCodeLimit::default();
    let defaults = [u64::from(d.max_wrong), d.window_seconds, d.lockout_seconds];
    for ((slot, part), default) in out.iter_mut().zip(table).zip(defaults) {
        let key = style.name(part.name);
        *slot = match obj.unsigned(&key, u32::MAX.into())? {
            Some(n) => n,
            None if part.required => {
                let problem = Problem::Type {
                    expected: Expected::Integer,
                    received: super::error::Received::of(&Value::Absent, false),
                };
                return Err(obj.error(&key, problem));
            }
            None => default,
        };
    }
    obj.finish()?;
    Ok(out)
}
