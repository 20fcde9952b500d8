//! One HTTP attempt and the classification of its outcome into a typed answer or [`Error`].

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};

use super::events::Summarize;
use crate::api::{Envelope, Operation};
use crate::error::{
    Delivery, Error, ErrorKind, Result, ServiceDetail, advice_for_service_code, is_throttling_code,
    kind_for_service_code,
};
use crate::sign::SignedRequest;

/// Answers larger than this are refused as a protocol error (real ones are under 1 KiB).
pub(crate) const MAX_BODY: usize = 1 << 20;

/// What came back over HTTP, before interpretation.
pub(crate) struct RawResponse {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

/// The name of a signed header. The signer's own are constants (built at compile time): parsing
/// a name copies a non-standard one into a fresh allocation on every call (issue #19's profile),
/// and even a known one costs a lookup.
fn header_name(name: &str) -> Result<HeaderName> {
    const ACTION: HeaderName = HeaderName::from_static("x-acs-action");
    const VERSION: HeaderName = HeaderName::from_static("x-acs-version");
    const DATE: HeaderName = HeaderName::from_static("x-acs-date");
    const NONCE: HeaderName = HeaderName::from_static("x-acs-signature-nonce");
    const CONTENT_SHA256: HeaderName = HeaderName::from_static("x-acs-content-sha256");
    const ACCESS_KEY_ID: HeaderName = HeaderName::from_static("x-acs-accesskey-id");
    const SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-acs-security-token");
    Ok(match name {
        "Authorization" => header::AUTHORIZATION,
        "x-acs-action" => ACTION,
        "x-acs-version" => VERSION,
        "x-acs-date" => DATE,
        "x-acs-signature-nonce" => NONCE,
        "x-acs-content-sha256" => CONTENT_SHA256,
        "x-acs-accesskey-id" => ACCESS_KEY_ID,
        "x-acs-security-token" => SECURITY_TOKEN,
        _ => HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_input("header", format_args!("{name:?} is not a valid header name")))?,
    })
}

/// What every request of a client shares, prepared once when the client is built: the
/// endpoint's URL, parsed (a call only adds its query: reqwest would otherwise parse the whole
/// URL, host included, on every call).
#[derive(Clone, Debug)]
pub(crate) struct Target {
    base: reqwest::Url,
}

impl Target {
    /// The target of `endpoint`.
    pub(crate) fn new(endpoint: &super::Endpoint) -> Result<Self> {
        let url = endpoint.base_url();
        let base = reqwest::Url::parse(&url)
            .map_err(|e| Error::invalid_input("endpoint", format_args!("{url:?} is not a usable URL ({e})")))?;
        Ok(Target { base })
    }

    /// `scheme://authority/`, as [`super::Endpoint::base_url`] spells it.
    pub(crate) fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The HTTP request of `signed`: its URL is the endpoint's with the signed path and query
    /// (byte for byte as signed: the signer's query is already percent-encoded), its headers the
    /// signed ones (moved, not copied) plus `accept: application/json` (not signed under either
    /// scheme), its body the signed body.
    pub(crate) fn request(&self, signed: SignedRequest) -> Result<reqwest::Request> {
        let SignedRequest { method, path, query, headers: signed_headers, body, .. } = signed;
        let mut url = self.base.clone();
        if path != "/" {
            url.set_path(&path);
        }
        url.set_query(Some(query.as_str()).filter(|q| !q.is_empty()));
        let method = if method == "POST" {
            reqwest::Method::POST
        } else {
            reqwest::Method::from_bytes(method.as_bytes())
                .map_err(|_| Error::invalid_input("method", format_args!("{method:?} is not an HTTP method")))?
        };
        let mut headers = HeaderMap::with_capacity(signed_headers.len() + 1);
        headers.append(header::ACCEPT, HeaderValue::from_static("application/json"));
        for (name, value) in signed_headers {
            // reqwest derives Host from the URL, identically to what was signed.
            if name.eq_ignore_ascii_case("host") {
                continue;
            }
            let name = header_name(&name)?;
            // The signed string becomes the value without a copy (the same check as `from_str`).
            let value = HeaderValue::from_maybe_shared(bytes::Bytes::from(value)).map_err(|_| {
                Error::invalid_input("header", format_args!("the value of {name} is not a valid header value"))
            })?;
            headers.append(name, value);
        }
        let mut request = reqwest::Request::new(method, url);
        *request.headers_mut() = headers;
        *request.body_mut() = Some(body.into());
        Ok(request)
    }
}

/// Send one request and read the whole answer (bounded).
///
/// The request is handed to reqwest before the returned future is first polled, so that future
/// does not carry it (a call's future is boxed once per call: a few hundred bytes smaller keeps
/// its allocation on the allocator's fast path).
pub(crate) fn send(
    http: &reqwest::Client,
    request: reqwest::Request,
) -> impl Future<Output = Result<RawResponse>> + Send + 'static {
    use futures_util::TryFutureExt;
    // Either reqwest's future or the reading one, never both: they share their space.
    http.execute(request).map_err(transport_error).and_then(read)
}

async fn read(mut resp: reqwest::Response) -> Result<RawResponse> {
    let status = resp.status().as_u16();
    let retry_after = retry_after(resp.headers());
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large(status));
    }
    let mut body = Vec::with_capacity(resp.content_length().unwrap_or(512).min(MAX_BODY as u64) as usize);
    while let Some(chunk) = resp.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_large(status));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(RawResponse { status, retry_after, body })
}

fn too_large(status: u16) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!("the answer (HTTP {status}) is larger than 1 MiB; this is not the Dypnsapi service"),
    )
    .with_status(status)
    .with_delivery(Delivery::Unknown)
}

/// `x-acs-retry-after` is in milliseconds (as the official SDKs read it); `Retry-After` in seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    num("x-acs-retry-after").map(Duration::from_millis).or_else(|| num("retry-after").map(Duration::from_secs))
}

/// Map a reqwest failure, walking its causes for the real reason (refused, reset, certificate…).
pub(crate) fn transport_error(e: reqwest::Error) -> Error {
    let mut detail = String::new();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(&e);
    while let Some(c) = cause {
        let text = c.to_string();
        if !detail.contains(&text) {
            if !detail.is_empty() {
                detail.push_str(": ");
            }
            detail.push_str(&text);
        }
        cause = c.source();
    }
    if detail.is_empty() {
        detail = e.to_string();
    }
    let (kind, delivery, what) = if e.is_builder() {
        // reqwest refused to build the request (e.g. a URL it cannot turn into a URI): nothing
        // left this process.
        (ErrorKind::InvalidInput, Delivery::NotReceived, "the request could not be built (nothing was sent)")
    } else if e.is_connect() {
        let kind = if e.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Network };
        (kind, Delivery::NotReceived, "could not connect to the endpoint (nothing was sent)")
    } else if e.is_timeout() {
        (ErrorKind::Timeout, Delivery::Unknown, "timed out waiting for the answer; the request may have been received")
    } else {
        (ErrorKind::Network, Delivery::Unknown, "the connection failed mid-request; the request may have been received")
    };
    Error::new(kind, format!("{what}: {detail}")).with_delivery(delivery).with_source(e)
}

/// A short, printable excerpt of a body for error messages (never more than 200 characters).
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String =
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect::<String>().trim().to_owned();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// `err` with `secret` (as is, and percent-encoded once or twice, as it appears in a query or in
/// a V1 string-to-sign the gateway echoes) replaced by `***` in its message and in what the
/// service said: a `SignatureDoesNotMatch` answer quotes the request, STS token included.
pub(crate) fn redact_token(err: Error, secret: Option<&crate::Secret>) -> Error {
    let Some(secret) = secret.map(crate::Secret::expose).filter(|s| !s.is_empty()) else { return err };
    let once = crate::sign::percent_encode(secret);
    let twice = crate::sign::percent_encode(&once);
    err.scrubbed(|text| {
        for form in [twice.as_str(), once.as_str(), secret] {
            if text.contains(form) {
                *text = text.replace(form, "***");
            }
        }
    })
}

/// Interpret an answer: `Code == "OK"` is success, anything else a typed error.
pub(crate) fn classify<O: Operation>(raw: RawResponse) -> Result<O::Response>
where
    O::Response: Summarize,
{
    let RawResponse { status, retry_after, body } = raw;
    let not_json = |why: String| {
        Error::new(
            ErrorKind::Protocol,
            format!(
                "{} got an answer that is not valid Dypnsapi JSON (HTTP {status}, {why}): {:?}",
                O::ACTION,
                excerpt(&body)
            ),
        )
        .with_status(status)
        .with_delivery(Delivery::Unknown)
    };
    // The common answer, a success, is parsed once; anything else takes the path below, which
    // decides exactly as before.
    if status == 200
        && let Ok(mut resp) = serde_json::from_slice::<O::Response>(&body)
        && resp.code() == "OK"
    {
        O::set_status(&mut resp, status);
        return Ok(resp);
    }
    let envelope: Envelope = serde_json::from_slice(&body).map_err(|e| not_json(e.to_string()))?;
    let Some(code) = envelope.code.clone() else {
        return Err(not_json("no Code field".into()));
    };
    if status == 200 && code == "OK" {
        let mut resp: O::Response = serde_json::from_slice(&body).map_err(|e| not_json(e.to_string()))?;
        O::set_status(&mut resp, status);
        return Ok(resp);
    }
    let kind = match kind_for_service_code(&code) {
        ErrorKind::Service if status == 429 => ErrorKind::Throttled,
        k => k,
    };
    // The gateway refuses auth failures and flow control before the service runs.
    let delivery = if kind == ErrorKind::Authentication || is_throttling_code(&code) || status == 429 {
        Delivery::NotReceived
    } else {
        Delivery::Answered
    };
    let message = envelope.message.clone().unwrap_or_default();
    let request_id = envelope.request_id.clone();
    let text = format!(
        "{} failed: {code}: {message} (HTTP {status}{}); {}",
        O::ACTION,
        request_id.as_deref().map(|r| format!(", request id {r}")).unwrap_or_default(),
        advice_for_service_code(&code),
    );
    Err(Error::new(kind, text)
        .with_service(ServiceDetail {
            code,
            message,
            request_id,
            http_status: status,
            recommend: envelope.recommend,
            host_id: envelope.host_id,
            access_denied_detail: envelope.access_denied_detail,
        })
        .with_status(status)
        .with_retry_after(retry_after)
        .with_delivery(delivery))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{CheckSmsVerifyCodeRequest, SendSmsVerifyCodeRequest};

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse { status, retry_after: None, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn a_signed_request_is_sent_as_signed() {
        use crate::sign::{RpcRequest, SignatureVersion, Stamp, sign_without_explanation};
        let creds = crate::Credentials::new("testid", "testsecret").unwrap().with_security_token("tok").unwrap();
        let endpoint = super::super::Endpoint::parse("http://127.0.0.1:8080").unwrap();
        let target = Target::new(&endpoint).unwrap();
        assert_eq!(target.base_url(), endpoint.base_url());
        for version in [SignatureVersion::V1, SignatureVersion::V3] {
            let req = RpcRequest::new("127.0.0.1:8080", "CheckSmsVerifyCode", "2017-05-25")
                .param("PhoneNumber", "13800138000")
                .param("VerifyCode", "12 34+/");
            let signed = sign_without_explanation(&req, version, &creds, &Stamp::new(1_735_787_045, "n-1"));
            let request = target.request(signed.clone()).unwrap();
            assert_eq!(request.method(), reqwest::Method::POST);
            // Byte for byte what was signed: the query is not re-encoded.
            assert_eq!(request.url().as_str(), format!("http://127.0.0.1:8080/?{}", signed.query));
            let sent: Vec<(&str, &str)> =
                request.headers().iter().map(|(k, v)| (k.as_str(), v.to_str().unwrap())).collect();
            let mut expected: Vec<(String, String)> = signed
                .headers
                .iter()
                .filter(|(k, _)| k != "host")
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect();
            expected.insert(0, ("accept".into(), "application/json".into()));
            let expected: Vec<(&str, &str)> = expected.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            assert_eq!(sent, expected, "{version:?}");
        }
        let mut odd = sign_without_explanation(
            &RpcRequest::new("127.0.0.1:8080", "A", "V"),
            SignatureVersion::V3,
            &creds,
            &Stamp::new(1, "n"),
        );
        odd.headers.push(("x-bad".into(), "a\u{1}b".into()));
        assert_eq!(target.request(odd).unwrap_err().field(), Some("header"));
    }

    #[test]
    fn ok_is_success_and_keeps_request_id() {
        let r = classify::<CheckSmsVerifyCodeRequest>(raw(
            200,
            r#"{"Code":"OK","RequestId":"R1","Model":{"VerifyResult":"UNKNOWN"}}"#,
        ))
        .unwrap();
        assert_eq!(r.request_id, "R1");
        assert!(!r.passed());
        assert_eq!(r.http_status, 200);
    }

    #[test]
    fn business_failure_is_an_error() {
        let e = classify::<SendSmsVerifyCodeRequest>(raw(
            200,
            r#"{"AccessDeniedDetail":"","Code":"biz.FREQUENCY","Message":"check frequency failed","RequestId":"R2","Success":false}"#,
        ))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Throttled);
        assert_eq!(e.service_code(), Some("biz.FREQUENCY"));
        assert_eq!(e.request_id(), Some("R2"));
        assert_eq!(e.http_status(), Some(200));
        assert_eq!(e.delivery(), Delivery::Answered);
        assert!(e.to_string().contains("wait for the Interval"), "{e}");
    }

    #[test]
    fn gateway_errors_are_typed() {
        let cases = [
            (400, "InvalidParameter", ErrorKind::Service),
            (403, "SignatureDoesNotMatch", ErrorKind::Authentication),
            (404, "InvalidAccessKeyId.NotFound", ErrorKind::Authentication),
            (400, "InvalidTimeStamp.Expired", ErrorKind::Authentication),
            (400, "SignatureNonceUsed", ErrorKind::Authentication),
            (400, "IncompleteSignature", ErrorKind::Authentication),
            (429, "Throttling.User", ErrorKind::Throttled),
            // The gateway's documented status for flow control is 400.
            (400, "Throttling", ErrorKind::Throttled),
            (400, "Throttling.User", ErrorKind::Throttled),
            (403, "UnsupportedHTTPMethod", ErrorKind::Service),
            (500, "InternalError", ErrorKind::Service),
        ];
        for (status, code, kind) in cases {
            let body = format!(
                r#"{{"RequestId":"R","HostId":"dypnsapi.aliyuncs.com","Code":"{code}","Message":"m","Recommend":"https://x","AccessDeniedDetail":{{"A":1}}}}"#
            );
            let e = classify::<SendSmsVerifyCodeRequest>(raw(status, &body)).unwrap_err();
            assert_eq!(e.kind(), kind, "{code}");
            let s = e.service().unwrap();
            assert_eq!(
                (s.http_status, s.recommend.as_deref(), s.host_id.as_deref()),
                (status, Some("https://x"), Some("dypnsapi.aliyuncs.com"))
            );
            assert_eq!(s.access_denied_detail.as_deref(), Some(r#"{"A":1}"#));
        }
    }

    #[test]
    fn both_spellings_of_business_codes_are_classified_alike() {
        let cases = [
            ("BUSINESS_LIMIT_CONTROL", ErrorKind::Throttled, "sending cap"),
            ("MOBILE_NUMBER_ILLEGAL", ErrorKind::Service, "mainland China"),
            ("INVALID_PARAMETERS", ErrorKind::Service, "parameter value"),
        ];
        for (bare, kind, advice) in cases {
            for code in [bare.to_owned(), format!("isv.{bare}")] {
                let body = format!(
                    r#"{{"AccessDeniedDetail":"","Code":"{code}","Message":"m","RequestId":"R","Success":false}}"#
                );
                let e = classify::<SendSmsVerifyCodeRequest>(raw(200, &body)).unwrap_err();
                assert_eq!((e.kind(), e.delivery()), (kind, Delivery::Answered), "{code}");
                assert!(e.to_string().contains(advice), "{e}");
            }
        }
        for (code, advice) in [
            ("isv.SMS_SIGNATURE_ILLEGAL", "preset signatures"),
            ("isv.SMS_TEMPLATE_ILLEGAL", "preset templates"),
            ("isv.TEMPLATE_MISSING_PARAMETERS", "every variable"),
        ] {
            let body = format!(r#"{{"Code":"{code}","Message":"m","RequestId":"R","Success":false}}"#);
            let e = classify::<SendSmsVerifyCodeRequest>(raw(200, &body)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Service, "{code}");
            assert!(e.to_string().contains(advice), "{e}");
        }
        // Gateway flow control at HTTP 400 was refused before the service ran: retryable.
        let e = classify::<SendSmsVerifyCodeRequest>(raw(400, r#"{"Code":"Throttling","Message":"m"}"#)).unwrap_err();
        assert_eq!((e.kind(), e.delivery()), (ErrorKind::Throttled, Delivery::NotReceived));
    }

    #[test]
    fn garbage_is_a_protocol_error_with_an_excerpt() {
        for (status, body) in
            [(502, "<html><body>Bad Gateway</body></html>"), (200, r#"{"Code":"OK","Mod"#), (200, "{}")]
        {
            let e = classify::<SendSmsVerifyCodeRequest>(raw(status, body)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol, "{body}");
            assert_eq!(e.http_status(), Some(status));
            assert!(e.to_string().contains(&format!("HTTP {status}")), "{e}");
        }
        let long = "x".repeat(10_000);
        let e = classify::<SendSmsVerifyCodeRequest>(raw(500, &long)).unwrap_err();
        assert!(e.to_string().len() < 600);
    }

    #[test]
    fn sts_tokens_echoed_by_the_gateway_are_redacted() {
        let token = "CAIS+tok/en=";
        let once = crate::sign::percent_encode(token);
        let twice = crate::sign::percent_encode(&once);
        let body = format!(
            r#"{{"RequestId":"R","Code":"SignatureDoesNotMatch","Message":"server string to sign is:POST&%2F&SecurityToken%3D{twice} {once} {token}"}}"#
        );
        let secret = crate::Secret::new(token);
        let e = redact_token(classify::<SendSmsVerifyCodeRequest>(raw(400, &body)).unwrap_err(), Some(&secret));
        for shown in [e.to_string(), e.service().unwrap().message.clone(), format!("{e:?}")] {
            assert!(!shown.contains(token) && !shown.contains(&once) && !shown.contains(&twice), "{shown}");
            assert!(shown.contains("SecurityToken%3D***"), "{shown}");
        }
    }
}
