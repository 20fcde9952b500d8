//! TLS: rustls with the ring provider and the Mozilla roots compiled in, so certificate checks
//! work the same in slim containers without a system trust store. There is no switch to turn
//! verification off; extra CAs can only be added.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::{Error, Result};

pub(crate) fn configure(builder: reqwest::ClientBuilder, extra_pems: &[Vec<u8>]) -> Result<reqwest::ClientBuilder> {
    Ok(builder.tls_backend_preconfigured(client_config(extra_pems)?))
}

/// The rustls configuration: the Mozilla roots plus the CAs in `extra_pems`. A client builds it
/// once and gives each of its connection pools a copy ([`with_own_session_cache`]).
pub(crate) fn client_config(extra_pems: &[Vec<u8>]) -> Result<rustls::ClientConfig> {
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
    Ok(config)
}

/// A copy of `config` for one more connection pool: the certificate verifier (the roots) and
/// the crypto provider are shared, read-only; the TLS session cache is the pool's own, as when
/// each pool built its configuration. (A shared cache would be a mutex shared by every pool, and
/// by a forked child with the parent's, possibly held, lock.)
pub(crate) fn with_own_session_cache(config: &rustls::ClientConfig) -> rustls::ClientConfig {
    let mut config = config.clone();
    config.resumption = rustls::client::Resumption::default();
    config
}
