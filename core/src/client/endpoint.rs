//! [`Endpoint`]: where requests go, parsed and checked once when the client is built.

use crate::error::{Error, Result, redact_url};

/// Where requests go: scheme, host and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `https` or `http`.
    pub scheme: String,
    /// The `host[:port]` authority, as sent in (and signed into) the `host` header.
    pub authority: String,
}

impl Endpoint {
    /// Parse `https://host[:port]`, `http://host[:port]` (local emulators) or a bare
    /// `host[:port]` (which means https).
    ///
    /// ```
    /// use smsauth::Endpoint;
    /// assert_eq!(Endpoint::parse("dypnsapi.aliyuncs.com").unwrap().base_url(), "https://dypnsapi.aliyuncs.com/");
    /// assert_eq!(Endpoint::parse("http://127.0.0.1:8080/").unwrap().authority, "127.0.0.1:8080");
    /// assert!(Endpoint::parse("ftp://x").is_err());
    /// ```
    pub fn parse(endpoint: &str) -> Result<Self> {
        let endpoint = endpoint.trim();
        let shown = redact_url(endpoint);
        let bad = |why: &str| {
            Error::invalid_input(
                "endpoint",
                format_args!(
                    "{shown:?} {why}; use a host such as dypnsapi.aliyuncs.com or a URL such as http://127.0.0.1:8080"
                ),
            )
        };
        if endpoint.is_empty() {
            return Err(bad("is empty"));
        }
        let with_scheme = if endpoint.contains("://") { endpoint.to_owned() } else { format!("https://{endpoint}") };
        let url = reqwest::Url::parse(&with_scheme).map_err(|e| bad(&format!("is not a valid URL ({e})")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not contain user info"));
        }
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("must use http or https"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must not have a path, query or fragment"));
        }
        let host = url.host_str().ok_or_else(|| bad("has no host"))?;
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Endpoint { scheme: url.scheme().to_owned(), authority })
    }

    /// `scheme://authority/`.
    pub fn base_url(&self) -> String {
        format!("{}://{}/", self.scheme, self.authority)
    }
}
