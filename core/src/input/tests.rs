//! The readers' edges: unknown keys, wrong types per kind, nested paths, secrets, bounds,
//! non-Unicode text, depth.

use std::borrow::Cow;

use super::*;
use crate::{ClientBuilder, SendSmsVerifyCodeRequest};

fn json(text: &str) -> Value<'_> {
    serde_json::from_str(text).unwrap()
}

/// Read `text` as `new Client(options)` in `style`.
fn client(style: &'static Style, text: &str) -> Result<(), InputError> {
    let v = json(text);
    let mut obj = Object::required(style, Path::arg("options"), &v)?;
    read_client(&mut obj, &mut ClientBuilder::default())?;
    obj.finish()
}

fn type_problem(e: &InputError) -> (Expected, &Received) {
    match &e.problem {
        Problem::Type { expected, received } => (*expected, received),
        other => panic!("not a type problem: {other:?}"),
    }
}

#[test]
fn unknown_keys_are_refused_with_the_known_names() {
    let e = client(&NODE, r#"{"signname": "x"}"#).unwrap_err();
    assert_eq!(e.path.to_string(), "options");
    let Problem::Unknown { key, known } = &e.problem else { panic!("{e:?}") };
    assert_eq!(key, "signname");
    assert!(known.iter().any(|k| k == "signName") && known.iter().any(|k| k == "timeoutMs"), "{known:?}");
    let core = InputError::new(e.path.clone(), e.problem).into_core().unwrap();
    assert!(core.message_naming("options").contains("did you mean \"signName\""), "{core}");
    // Nested maps refuse their own unknown keys, named by their path.
    let e = client(&NODE, r#"{"retry": {"maxAttempt": 2}}"#).unwrap_err();
    assert_eq!(e.path.to_string(), "options.retry");
    let e = client(&NODE, r#"{"roleArn": {"arn": "acs:ram::1:role/x", "role": "y"}}"#).unwrap_err();
    assert_eq!(e.path.to_string(), "options.roleArn");
}

#[test]
fn each_kind_refuses_a_wrong_type_naming_the_path() {
    for (text, path, expected) in [
        (r#"{"signName": 5}"#, "options.signName", Expected::Text),
        (r#"{"accessKeySecret": true}"#, "options.accessKeySecret", Expected::Text),
        (r#"{"timeoutMs": "5"}"#, "options.timeoutMs", Expected::Integer),
        (r#"{"retry": {"maxAttempts": []}}"#, "options.retry.maxAttempts", Expected::Integer),
        (r#"{"codeLength": "6"}"#, "options.codeLength", Expected::Integer),
        (r#"{"templateParam": 5}"#, "options.templateParam", Expected::Json),
        (r#"{"guard": {"phone": 5}}"#, "options.guard.phone", Expected::List(&Expected::Limit)),
        (r#"{"guard": {"phone": [{"max": 1}]}}"#, "options.guard.phone[0].windowSeconds", Expected::Integer),
        (r#"{"guard": {"wrongCode": [1]}}"#, "options.guard.wrongCode", Expected::Map),
        (r#"{"guard": 5}"#, "options.guard", Expected::Map),
        (r#"{"caCertificates": ["x", 5]}"#, "options.caCertificates[1]", Expected::Text),
    ] {
        let e = client(&NODE, text).unwrap_err();
        assert_eq!(e.path.to_string(), path, "{text}");
        assert_eq!(type_problem(&e).0, expected, "{text}");
    }
    // Python's spelling reads the same tables: snake case, seconds, tuples.
    assert!(client(&PYTHON, r#"{"timeout": 2.5, "guard": {"phone": [[1, 60]], "wrong_code": [3, 60, 60]}}"#).is_ok());
    let e = client(&PYTHON, r#"{"guard": {"phone": [[1]]}}"#).unwrap_err();
    assert_eq!((e.path.to_string().as_str(), type_problem(&e).0), ("options.guard.phone[0]", Expected::Limit));
}

#[test]
fn values_of_the_right_type_reach_the_core() {
    let e = client(&NODE, r#"{"timeoutMs": 0}"#).unwrap_err();
    let Problem::Refused(core) = &e.problem else { panic!("{e:?}") };
    assert_eq!(core.field(), Some("timeout"));
    assert_eq!(NODE.option_path("timeout"), "timeoutMs");
    assert_eq!(NODE.option_path("role_session_name"), "roleArn.sessionName");
    assert_eq!(NODE.option_path("guard.wrong_code.lockout_seconds"), "guard.wrongCode.lockSeconds");
    assert_eq!(PYTHON.option_path("retry.max_backoff"), "max_backoff");
    assert_eq!(PYTHON.option_path("role_duration_seconds"), "role_duration");
    assert!(matches!(client(&PYTHON, r#"{"retry": {}}"#).unwrap_err().problem, Problem::Unknown { .. }));
    assert!(client(&PYTHON, r#"{"max_attempts": 2, "role_arn": "acs:ram::1:role/x", "role_duration": 900}"#).is_ok());
    assert!(client(&NODE, r#"{"roleArn": "acs:ram::1:role/x", "retry": {"maxAttempts": 2}}"#).is_ok());
}

#[test]
fn secrets_are_never_shown() {
    let e = client(&NODE, r#"{"accessKeySecret": 12345}"#).unwrap_err();
    assert_eq!(type_problem(&e).1, &Received { kind: ReceivedKind::Integer, shown: None, truncated: false });
    let e = client(&NODE, r#"{"signName": 12345}"#).unwrap_err();
    assert_eq!(type_problem(&e).1.shown.as_deref(), Some("12345"));
    let long = Value::Text(Cow::Borrowed("a text longer than twenty-eight characters"));
    let r = Received::of(&long, false);
    assert_eq!((r.shown.as_deref(), r.truncated), (Some("a text longer than twenty-ei"), true));
    assert_eq!(format!("{long:?}"), "Text(42 chars)");
}

#[test]
fn integers_are_bounded_by_their_type_and_the_host() {
    let max = i128::from(NODE.max_integer);
    for (text, received) in [("1.5", "1.5"), ("-1", "-1"), ("9007199254740992", "9007199254740992")] {
        let e = client(&NODE, &format!(r#"{{"codeLength": {text}}}"#)).unwrap_err();
        let Problem::Range { min, max: top, received: got } = &e.problem else { panic!("{e:?}") };
        assert_eq!((*min, *top, got.as_str()), (0, max, received));
    }
    let v = json("4294967296");
    assert!(matches!(integer(&v, 0, u32::MAX.into()), Err(Problem::Range { .. })));
    assert_eq!(integer(&json("4294967295"), 0, u32::MAX.into()).unwrap(), 4_294_967_295);
    assert!(matches!(integer(&Value::Number(f64::NAN), 0, 5), Err(Problem::Range { .. })));
    let e = client(&NODE, r#"{"guard": {"phone": [{"max": 1, "windowSeconds": 4294967296}]}}"#).unwrap_err();
    assert_eq!(e.path.to_string(), "options.guard.phone[0].windowSeconds");
}

#[test]
fn text_that_is_not_unicode_is_its_own_problem() {
    let bad = Value::Foreign(Foreign::NotText { escaped: Some(Cow::Borrowed(r#""\ud800""#)) });
    assert!(matches!(text(&bad, true), Err(Problem::NotText)));
    let e = InputError::new(Path::arg("phone"), Problem::NotText).into_core().unwrap();
    assert_eq!(
        e.message_naming("phone"),
        "invalid phone: contains a lone surrogate (U+D800 to U+DFFF), which is not text"
    );
    // Written back as JSON with the host's escape, for the core to judge.
    let param = Value::Map(vec![(Cow::Borrowed("x"), bad)]);
    assert_eq!(super::json(&param).unwrap(), r#"{"x":"\ud800"}"#);
}

#[test]
fn maps_that_are_not_plain_and_foreign_values_are_named() {
    let map = Value::Foreign(Foreign::Collection(Cow::Borrowed("Map")));
    let e = Object::required(&NODE, Path::arg("options"), &map).unwrap_err();
    assert!(matches!(&e.problem, Problem::NotPlain { class } if class == "Map"));
    let f = Value::Map(vec![(Cow::Borrowed("toJSON"), Value::Foreign(Foreign::Other(Cow::Borrowed("function"))))]);
    assert!(matches!(super::json(&f), Err(Problem::NotData { at, what }) if at == "toJSON" && what == "function"));
    let nested = Value::List(vec![Value::Map(vec![(Cow::Borrowed("a"), Value::Number(f64::INFINITY))])]);
    assert_eq!(nested.to_json_text().unwrap_err(), ("[0].a".to_owned(), "number".to_owned()));
}

#[test]
fn depth_is_bounded() {
    let mut v = Value::Null;
    for _ in 0..=MAX_DEPTH {
        v = Value::List(vec![v]);
    }
    assert_eq!(v.to_json_text().unwrap_err().1, "nested too deeply");
    // JSON deeper than the parser's limit is an error, not a stack overflow.
    let deep = "[".repeat(100_000);
    assert!(serde_json::from_str::<Value<'_>>(&deep).is_err());
}

#[test]
fn request_fields_are_read_from_the_table() {
    let v = json(r###"{"phoneNumber": "13800138000", "codeLength": 6, "templateParam": {"code": "##code##"}}"###);
    let mut obj = Object::required(&NODE, Path::arg("request"), &v).unwrap();
    let mut req = SendSmsVerifyCodeRequest::default();
    read_fields(&mut obj, SendSmsVerifyCodeRequest::FIELDS, true, |n, v| req.set(n, v)).unwrap();
    obj.finish().unwrap();
    assert_eq!((req.code_length, req.template_param.as_deref()), (Some(6), Some(r###"{"code":"##code##"}"###)));
    // A required field missing is a type problem at its path.
    let v = json("{}");
    let mut obj = Object::required(&NODE, Path::arg("request"), &v).unwrap();
    let e = read_fields(&mut obj, SendSmsVerifyCodeRequest::FIELDS, true, |n, v| req.set(n, v)).unwrap_err();
    assert_eq!(e.path.to_string(), "request.phoneNumber");
    assert_eq!(type_problem(&e).1.kind, ReceivedKind::Absent);
}

#[test]
fn signing_inputs() {
    let v = json(r#"{"action": "X", "params": [["A", "1"]], "headers": {"h": "v"}}"#);
    let mut obj = Object::required(&NODE, Path::arg("request"), &v).unwrap();
    let req = sign::rpc_request(&mut obj).unwrap();
    assert_eq!((req.params.len(), req.headers.len(), req.version.as_str()), (1, 1, crate::api::API_VERSION));
    // Python spells the API version `api_version`, and a V3 body may be bytes.
    let v = json(r#"{"action": "X", "api_version": "2020-01-01"}"#);
    let req = sign::rpc_request(&mut Object::required(&PYTHON, Path::default(), &v).unwrap()).unwrap();
    assert_eq!(req.version, "2020-01-01");
    let parts = |body| {
        let mut entries = vec![("method", Value::Text("POST".into())), ("headers", Value::Map(vec![]))];
        entries.extend([("body", body), ("access_key_id", Value::Text("id".into()))]);
        entries.push(("access_key_secret", Value::Text("s".into())));
        let map = Value::Map(entries.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect());
        sign::explain_v3(&mut Object::required(&PYTHON, Path::default(), &map).unwrap()).unwrap().1
    };
    assert_eq!(parts(Value::Text("b".into())), parts(Value::Bytes(Cow::Borrowed(b"b"))));
    let v = json(r#"{"accessKeyId": "id", "accessKeySecret": "s", "signatureVersion": "v1", "timestamp": 5}"#);
    let mut obj = Object::required(&NODE, Path::arg("options"), &v).unwrap();
    let input = sign::SignInput::read(&mut obj).unwrap();
    obj.finish().unwrap();
    assert_eq!((input.options().version, input.timestamp), (crate::SignatureVersion::V1, Some(5)));
    assert!(!format!("{input:?}").contains("\"s\""));
    let v = json(r#"{"expectedHosts": ["a", 1]}"#);
    let mut obj = Object::required(&NODE, Path::arg("options"), &v).unwrap();
    let e = sign::verifier_config(&mut obj).unwrap_err();
    assert_eq!(e.path.to_string(), "options.expectedHosts[1]");
    let v = json(r#"{"window": 1.5, "check_nonces": false}"#);
    let mut obj = Object::required(&PYTHON, Path::arg("options"), &v).unwrap();
    let config = sign::verifier_config(&mut obj).unwrap();
    assert_eq!((config.window.as_millis(), config.check_nonces), (1500, false));
}

#[test]
fn the_part_tables_list_what_the_readers_read() {
    use sign::{EXPLAIN_V1_PARTS, EXPLAIN_V3_PARTS, HTTP_REQUEST_PARTS, PartKind, VERIFIER_OPTIONS};
    type Reader = fn(&mut Object<'_, '_>) -> Result<(), InputError>;
    let readers: [(&[sign::Part], Reader); 4] = [
        (EXPLAIN_V1_PARTS, |o| sign::explain_v1(o).map(drop)),
        (EXPLAIN_V3_PARTS, |o| sign::explain_v3(o).map(drop)),
        (HTTP_REQUEST_PARTS, |o| sign::http_request(o).map(drop)),
        (VERIFIER_OPTIONS, |o| sign::verifier_config(o).map(drop)),
    ];
    let value = |kind| match kind {
        PartKind::Text | PartKind::Secret | PartKind::TextOrBytes => Value::Text(Cow::Borrowed("x")),
        PartKind::Pairs => Value::Map(vec![(Cow::Borrowed("h"), Value::Text(Cow::Borrowed("v")))]),
        PartKind::Unsigned => Value::Integer(5),
        PartKind::Bool => Value::Bool(false),
        PartKind::Texts => Value::List(vec![Value::Text(Cow::Borrowed("h"))]),
    };
    for (table, read) in readers {
        // Every key, only the required ones, and each required one left out.
        let mut cases: Vec<(Vec<&str>, bool)> = vec![
            (table.iter().map(|p| p.name).collect(), true),
            (table.iter().filter(|p| p.required).map(|p| p.name).collect(), true),
        ];
        for missing in table.iter().filter(|p| p.required) {
            cases.push((table.iter().filter(|p| p.name != missing.name).map(|p| p.name).collect(), false));
        }
        for (keys, ok) in cases {
            let parts = table.iter().filter(|p| keys.contains(&p.name));
            let map = Value::Map(parts.map(|p| (NODE.name(p.name), value(p.kind))).collect());
            let mut obj = Object::required(&NODE, Path::arg("x"), &map).unwrap();
            let read = read(&mut obj).and_then(|()| obj.finish());
            assert_eq!(read.is_ok(), ok, "{keys:?}: {read:?}");
        }
    }
}

/// `e` worded in `style` for `func`: the class (`type`, `range`, `core <kind> <field>`) and the
/// message a binding raises (a core error's message naming `field` when the wording names one).
fn worded(style: &Style, func: &str, e: InputError) -> (String, String) {
    match e.worded(style, func) {
        Worded::Type(message) => ("type".into(), message),
        Worded::Range(message) => ("range".into(), message),
        Worded::Core { error, field } => {
            let named = field.as_deref().or(error.field()).unwrap_or("-").to_owned();
            let message = field.map_or_else(|| error.message().to_owned(), |f| error.message_naming(&f));
            (format!("core {} {named}", error.kind().name()), message)
        }
    }
}

#[test]
fn python_wording() {
    // Python reads **kwargs as a map whose keys are arguments.
    let kwargs = json(r#"{"sign_name": 5, "code_length": 1.5, "signname": "x"}"#);
    let mut obj = Object::required(&PYTHON, Path::default(), &kwargs).unwrap();
    let e = obj.read("sign_name", |v| text(v, false)).unwrap_err();
    let type_error = |m: &str| ("type".to_owned(), m.to_owned());
    assert_eq!(worded(&PYTHON, "send_code", e), type_error("send_code() argument 'sign_name' must be str, not int"));
    let e = obj.unsigned("code_length", 10).unwrap_err();
    assert_eq!(
        worded(&PYTHON, "send_code", e),
        type_error("send_code() argument 'code_length' must be int, not float")
    );
    let e = obj.finish().unwrap_err();
    assert_eq!(worded(&PYTHON, "Client", e), type_error("Client() got an unexpected keyword argument 'signname'"));
    // Out of range: the core's InvalidInput naming the API field.
    let range = |n: i64| {
        let e = required_arg(&[Value::Integer(n)], 0, "code_length", |v| integer_in(&PYTHON, v, 0, 10)).unwrap_err();
        worded(&PYTHON, "f", e)
    };
    let invalid =
        |m: &str| ("core invalid_input CodeLength".to_owned(), format!("invalid CodeLength: f() argument {m}"));
    assert_eq!(range(11), invalid("'code_length' is too large (at most 10), got 11"));
    assert_eq!(range(-1), invalid("'code_length' must be a non-negative integer, got -1"));
}

#[test]
fn node_wording() {
    let e = client(&NODE, r#"{"timeoutMs": "5"}"#).unwrap_err();
    let expected = r#"The "options.timeoutMs" property must be of type number. Received type string ('5')"#;
    assert_eq!(worded(&NODE, "", e), ("type".into(), expected.into()));
    let e = required_arg(&[Value::Integer(11)], 0, "codeLength", |v| integer(v, 0, 10)).unwrap_err();
    let expected = r#"The "codeLength" argument must be an integer >= 0 and <= 10. Received 11"#;
    assert_eq!(worded(&NODE, "", e), ("range".into(), expected.into()));
    // Unknown properties: the core's InvalidInput naming the object.
    let e = client(&NODE, r#"{"signname": "x"}"#).unwrap_err();
    let (class, message) = worded(&NODE, "", e);
    assert_eq!(class, "core invalid_input options");
    let expected = r#"invalid options: "signname" is not a known property (did you mean "signName"?); known"#;
    assert!(message.starts_with(expected), "{message}");
}

#[test]
fn a_strict_style_reads_no_float_as_an_integer() {
    // Python's `code_length=6.0`: a type problem; `2**70` (a number past 64 bits): a range one.
    let six = Value::Number(6.0);
    assert_eq!(integer_in(&NODE, &six, 0, 10).unwrap(), 6);
    let e = integer_in(&PYTHON, &six, 0, 10).unwrap_err();
    assert!(matches!(e, Problem::Type { expected: Expected::Integer, .. }), "{e:?}");
    for float in [f64::NAN, f64::INFINITY] {
        assert!(matches!(integer_in(&PYTHON, &Value::Number(float), 0, 10), Err(Problem::Type { .. })));
    }
    let huge = Value::Number(2f64.powi(70));
    assert!(matches!(integer_in(&PYTHON, &huge, 0, 10), Err(Problem::Range { .. })));
    assert_eq!(integer_in(&PYTHON, &Value::Integer(7), 0, 10).unwrap(), 7);
    // The same in the table readers: a request field, a client option, a guard tuple.
    let kind = crate::FieldKind::Unsigned;
    assert!(matches!(field_value_in(&PYTHON, &six, kind), Err(Problem::Type { .. })));
    assert!(field_value_in(&NODE, &six, kind).is_ok());
    let kwargs = json(r#"{"max_attempts": 3.0}"#);
    let mut obj = Object::required(&PYTHON, Path::default(), &kwargs).unwrap();
    let e = read_client(&mut obj, &mut ClientBuilder::default()).unwrap_err();
    assert_eq!(e.path.to_string(), "max_attempts");
    assert!(matches!(type_problem(&e).0, Expected::Integer));
}
