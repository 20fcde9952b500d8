//! TLS: rustls with the ring provider and the Mozilla roots compiled in, so certificate checks
//! work the same in slim containers without a system trust store. There is no switch to turn
//! verification off; extra CAs can only be added.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, Result};

pub(crate) fn configure(builder: reqwest::ClientBuilder, extra_pems: &[Vec<u8>]) -> Result<reqwest::ClientBuilder> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for pem in extra_pems {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| Error::invalid_input("root_certificates", format_args!("bad PEM: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| Error::invalid_input("root_certificates", format_args!("unusable CA certificate: {e}")))?;
            added += 1;
        }
        if added == 0 {
            return Err(Error::invalid_input("root_certificates", "the PEM holds no CERTIFICATE block"));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(crate::ErrorKind::Internal, format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(config))
}
