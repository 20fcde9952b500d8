//! The signature scheme a built client uses, for bindings that show it (Node's
//! `client.signatureVersion`) without keeping their own copy of the option.

use super::Client;
use crate::sign::SignatureVersion;

impl Client {
    /// The signature scheme this client signs its requests with.
    pub fn signature_version(&self) -> SignatureVersion {
        self.inner.version
    }
}
