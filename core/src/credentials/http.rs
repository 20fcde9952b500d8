//! The small HTTP client the credential providers share: STS, the ECS metadata server and
//! credentials URIs. Same stack as the SMS client (reqwest + rustls/ring with the Mozilla roots),
//! bounded bodies, and error messages that never carry a URL query or a response body that may
//! hold a secret.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::Method;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result, redact_url};

/// Answers from credential endpoints are tiny; anything bigger is refused.
const MAX_BODY: usize = 64 * 1024;

/// Timeouts and proxy use of one kind of endpoint.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub total_timeout: Duration,
    /// Honour `HTTP(S)_PROXY`; off for the link-local metadata server.
    pub use_proxy: bool,
}

impl Settings {
    /// STS and credentials URIs: remote services.
    pub const REMOTE: Settings = Settings {
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(10),
        total_timeout: Duration::from_secs(15),
        use_proxy: true,
    };
    /// The ECS metadata server answers in milliseconds when it exists at all.
    pub const METADATA: Settings = Settings {
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(3),
        use_proxy: false,
    };
}

/// What came back.
pub(crate) struct Answer {
    pub status: u16,
    /// Wiped on drop: it may hold an AccessKey secret and a token.
    pub body: Zeroizing<Vec<u8>>,
}

impl Answer {
    /// A short printable excerpt, for error answers only (success bodies may hold secrets).
    pub fn excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let mut out: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
        if text.chars().count() > 200 {
            out.push('…');
        }
        out.trim().to_owned()
    }
}

/// One lazily built reqwest client per process (rebuilt after `fork()`, like the SMS client's).
pub(crate) struct Http {
    settings: Settings,
    client: Mutex<Option<(u32, reqwest::Client)>>,
}

/// Not derived: reqwest's `Debug` shows proxy URLs, which may carry a password.
impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").field("settings", &self.settings).finish()
    }
}

impl Http {
    pub fn new(settings: Settings) -> Self {
        Http { settings, client: Mutex::new(None) }
    }

    fn client(&self) -> Result<reqwest::Client> {
        let pid = std::process::id();
        let mut slot = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((owner, client)) = slot.as_ref()
            && *owner == pid
        {
            return Ok(client.clone());
        }
        let mut b = reqwest::Client::builder()
            .connect_timeout(self.settings.connect_timeout)
            .read_timeout(self.settings.read_timeout)
            .user_agent(format!("smsauth/{} (credentials; {})", env!("CARGO_PKG_VERSION"), std::env::consts::OS))
            .pool_idle_timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none());
        b = crate::client::tls::configure(b, &[])?;
        if !self.settings.use_proxy {
            b = b.no_proxy();
        }
        let client = b.build().map_err(|e| {
            Error::new(ErrorKind::Internal, format!("could not build the credentials HTTP client: {e}"))
        })?;
        *slot = Some((pid, client.clone()));
        Ok(client)
    }

    /// Send one request to `what` (e.g. "the STS endpoint") and read the bounded answer.
    /// Errors are [`ErrorKind::Credentials`] and name `what` and the URL without its query.
    pub async fn send(
        &self,
        what: &str,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        form_body: Option<Zeroizing<String>>,
    ) -> Result<Answer> {
        let shown = redact_url(url);
        let client = self.client()?;
        let mut req = client.request(method, url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = form_body {
            req = req.header("content-type", "application/x-www-form-urlencoded").body(body.as_bytes().to_vec());
        }
        let exchange = async {
            let mut resp = req.send().await.map_err(|e| failure(what, &shown, e))?;
            let status = resp.status().as_u16();
            if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
                return Err(too_large(what, &shown, status));
            }
            let mut body = Zeroizing::new(Vec::new());
            while let Some(chunk) = resp.chunk().await.map_err(|e| failure(what, &shown, e))? {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(too_large(what, &shown, status));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Answer { status, body })
        };
        match tokio::time::timeout(self.settings.total_timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(Error::new(
                ErrorKind::Credentials,
                format!("{what} at {shown} did not answer within {:?}", self.settings.total_timeout),
            )),
        }
    }
}

fn too_large(what: &str, url: &str, status: u16) -> Error {
    Error::new(ErrorKind::Credentials, format!("{what} at {url} answered HTTP {status} with more than 64 KiB"))
}

/// Map a transport failure, walking its causes (refused, reset, certificate…), without the URL.
fn failure(what: &str, url: &str, e: reqwest::Error) -> Error {
    let e = e.without_url();
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
    let doing = if e.is_connect() {
        "could not connect to"
    } else if e.is_timeout() {
        "timed out talking to"
    } else {
        "the connection failed with"
    };
    Error::new(ErrorKind::Credentials, format!("{doing} {what} at {url}: {detail}"))
}

/// Describe a JSON error by position and category only: serde's own messages can quote values,
/// and these documents hold secrets.
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "a value of the wrong type",
        serde_json::error::Category::Eof => "unexpected end of input",
    };
    format!("bad JSON at line {}, column {}: {what}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_secrets() {
        assert_eq!(redact_url("http://u:p@127.0.0.1:8080/creds?token=abc#x"), "http://***@127.0.0.1:8080/creds?…");
        assert_eq!(redact_url("https://sts.aliyuncs.com/"), "https://sts.aliyuncs.com/");
    }

    #[test]
    fn json_errors_quote_nothing() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            a: bool,
        }
        let e = serde_json::from_str::<T>("{\n \"a\": \"topsecret\"}").unwrap_err();
        let shown = json_error(&e);
        assert!(shown.starts_with("bad JSON at line 2"), "{shown}");
        assert!(!shown.contains("topsecret"));
    }
}
