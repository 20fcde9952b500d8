//! [`Secret`] and [`Credentials`]: the values every layer handles (signing, verification,
//! credential providers, errors that must not show them). They depend on nothing but the error
//! type, so every module can use them without depending on the credential providers.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};

/// A secret string: redacted in every formatting, zeroized on drop.
///
/// ```
/// let s = smsauth::Secret::new("my-secret");
/// assert_eq!(format!("{s:?}"), "Secret(***)");
/// assert_eq!(s.expose(), "my-secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wrap a value. The `String` is moved in, so no unzeroized copy is left behind by us.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The value, for signing. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl zeroize::Zeroize for Secret {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

/// Dropping a [`Secret`] wipes its bytes (through [`Zeroizing`]).
impl zeroize::ZeroizeOnDrop for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An AccessKey pair, optionally with an STS security token (temporary credentials).
///
/// ```
/// use smsauth::Credentials;
/// let c = Credentials::new("LTAI5tExampleKeyId01", "s3cr3t").unwrap();
/// let shown = format!("{c:?}");
/// assert!(shown.contains("LTAI5tExampleKeyId01") && !shown.contains("s3cr3t"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
}

impl Credentials {
    /// A long-term AccessKey pair. Both parts must be non-empty.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Result<Self> {
        let access_key_id = access_key_id.into();
        let secret = Secret::new(access_key_secret);
        if access_key_id.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::Credentials,
                "the AccessKey ID is empty; pass it or set ALIBABA_CLOUD_ACCESS_KEY_ID",
            ));
        }
        if secret.expose().is_empty() {
            return Err(Error::new(
                ErrorKind::Credentials,
                "the AccessKey secret is empty; pass it or set ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            ));
        }
        Ok(Credentials { access_key_id, access_key_secret: secret, security_token: None })
    }

    /// Temporary STS credentials: an AccessKey pair plus its security token.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Result<Self> {
        let token = Secret::new(token);
        if token.expose().is_empty() {
            return Err(Error::new(ErrorKind::Credentials, "the STS security token is empty"));
        }
        self.security_token = Some(token);
        Ok(self)
    }

    /// Credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the
    /// optional `ALIBABA_CLOUD_SECURITY_TOKEN`.
    pub fn from_env() -> Result<Self> {
        let id = std::env::var("ALIBABA_CLOUD_ACCESS_KEY_ID").unwrap_or_default();
        let secret = Zeroizing::new(std::env::var("ALIBABA_CLOUD_ACCESS_KEY_SECRET").unwrap_or_default());
        if id.is_empty() || secret.is_empty() {
            return Err(Error::new(
                ErrorKind::Credentials,
                "no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, \
                 or pass an AccessKey pair to the client builder",
            ));
        }
        let creds = Credentials::new(id, secret.as_str())?;
        match std::env::var("ALIBABA_CLOUD_SECURITY_TOKEN") {
            Ok(token) if !token.is_empty() => creds.with_security_token(token),
            _ => Ok(creds),
        }
    }

    /// The AccessKey ID (not secret).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The AccessKey secret.
    pub fn access_key_secret(&self) -> &Secret {
        &self.access_key_secret
    }

    /// The STS token, for temporary credentials.
    pub fn security_token(&self) -> Option<&Secret> {
        self.security_token.as_ref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_everywhere() {
        let c = Credentials::new("id", "topsecret").unwrap().with_security_token("tok3n").unwrap();
        for shown in [format!("{c:?}"), format!("{:#?}", c), format!("{:?}", crate::StaticProvider::new(c.clone()))] {
            assert!(!shown.contains("topsecret"), "{shown}");
            assert!(!shown.contains("tok3n"), "{shown}");
            assert!(shown.contains("id"));
        }
        assert_eq!(c.access_key_secret().to_string(), "***");
    }

    #[test]
    fn secrets_are_wiped() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}
        let mut s = Secret::new("wipe-me");
        wiped_on_drop(&s);
        wiped_on_drop(&s.0);
        zeroize::Zeroize::zeroize(&mut s);
        assert_eq!(s.expose(), "");
    }

    #[test]
    fn empty_parts_are_credential_errors() {
        assert_eq!(Credentials::new("", "x").unwrap_err().kind(), ErrorKind::Credentials);
        assert_eq!(Credentials::new("x", "").unwrap_err().kind(), ErrorKind::Credentials);
        let err = Credentials::new("x", "y").unwrap().with_security_token("").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
    }
}
