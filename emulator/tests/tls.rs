//! TLS (issue #8): HTTPS is the default; a loopback HTTPS server whose certificate comes from a
//! private CA is refused with a typed error that names the certificate problem — nothing is
//! sent — and accepted once that CA is added with `ClientBuilder::add_root_certificates_pem`.
//! There is no API that turns verification off (see `docs/reliability.md`).
//!
//! The server is rustls (ring provider) terminating TLS in front of the emulator, so the calls
//! that succeed are verified by the emulator like any other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use smsauth::{Delivery, Endpoint, ErrorKind, blocking};
use smsauth_emulator::Emulator;

struct Pki {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    issuer: CertifiedIssuer<'static, KeyPair>,
}

fn pki() -> Pki {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, "smsauth test CA");
    let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    Pki { ca_pem: issuer.pem(), ca_der: issuer.der().clone(), issuer }
}

/// A TLS server on loopback for `names`, signed by `pki`, forwarding each request to `upstream`.
fn tls_proxy(pki: &Pki, names: &[&str], upstream: u16) -> u16 {
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .unwrap()
        .signed_by(&key, &pki.issuer)
        .unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), pki.ca_der.clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let config = Arc::clone(&config);
            std::thread::spawn(move || {
                let tls = rustls::StreamOwned::new(rustls::ServerConnection::new(config).unwrap(), conn);
                let mut reader = BufReader::new(tls);
                // A refused handshake ends here with an error: nothing is forwarded.
                while let Ok(Some(request)) = support::read_message(&mut reader) {
                    let mut up = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
                    up.write_all(&request).unwrap();
                    let answer = support::read_message(&mut BufReader::new(up)).unwrap().unwrap_or_default();
                    let tls = reader.get_mut();
                    if tls.write_all(&answer).and_then(|()| tls.flush()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn builder(emu: &Emulator, endpoint: String) -> smsauth::ClientBuilder {
    smsauth::Client::builder()
        .access_key(emu.access_key_id(), emu.access_key_secret())
        .endpoint(endpoint)
        .no_proxy()
        .sign_name("速通互联验证码")
        .template_code("100001")
        .timeout(Duration::from_secs(5))
}

#[test]
fn an_unknown_ca_is_a_typed_certificate_error_and_nothing_is_sent() {
    let emu = Emulator::start().unwrap();
    let pki = pki();
    let port = tls_proxy(&pki, &["localhost"], emu.port());
    // A bare host means https.
    let client = blocking::Client::from_async(builder(&emu, format!("localhost:{port}")).build().unwrap());
    assert_eq!(client.as_async().endpoint().scheme, "https");
    let err = client.send_code("13800138000").unwrap_err();
    assert_eq!((err.kind(), err.delivery()), (ErrorKind::Network, Delivery::NotReceived), "{err}");
    assert!(err.message().contains("certificate"), "the message names the problem: {err}");
    assert!(err.message().to_lowercase().contains("unknownissuer"), "{err}");
    assert_eq!(emu.request_count(), 0, "nothing reached the service");
    assert!(emu.messages().is_empty());
}

#[test]
fn the_ca_added_through_the_builder_is_trusted() {
    let emu = Emulator::start().unwrap();
    let pki = pki();
    let port = tls_proxy(&pki, &["localhost"], emu.port());
    let client = blocking::Client::from_async(
        builder(&emu, format!("https://localhost:{port}"))
            .add_root_certificates_pem(pki.ca_pem.clone())
            .build()
            .unwrap(),
    );
    client.send_code("13800138000").unwrap();
    let code = emu.last_code("13800138000").unwrap();
    assert!(client.check_code("13800138000", &code).unwrap().passed());
    assert_eq!(emu.request_count(), 2);
}

#[test]
fn a_trusted_ca_does_not_excuse_a_certificate_for_another_name() {
    let emu = Emulator::start().unwrap();
    let pki = pki();
    let port = tls_proxy(&pki, &["dypnsapi.aliyuncs.com"], emu.port());
    let client = blocking::Client::from_async(
        builder(&emu, format!("https://localhost:{port}"))
            .add_root_certificates_pem(pki.ca_pem.clone())
            .build()
            .unwrap(),
    );
    let err = client.check_code("13800138000", "1234").unwrap_err();
    assert_eq!((err.kind(), err.delivery()), (ErrorKind::Network, Delivery::NotReceived), "{err}");
    assert!(err.message().contains("certificate not valid for name"), "{err}");
    assert_eq!(emu.request_count(), 0);
}

#[test]
fn https_is_the_default_and_plain_http_must_be_asked_for() {
    assert_eq!(Endpoint::parse("dypnsapi.aliyuncs.com").unwrap().scheme, "https");
    assert_eq!(Endpoint::parse("127.0.0.1:8080").unwrap().base_url(), "https://127.0.0.1:8080/");
    assert_eq!(Endpoint::parse("http://127.0.0.1:8080").unwrap().scheme, "http");
    let c = smsauth::Client::builder().access_key("id", "secret").build().unwrap();
    assert_eq!(c.endpoint().base_url(), "https://dypnsapi.aliyuncs.com/");
    let c =
        smsauth::Client::builder().access_key("id", "secret").endpoint("127.0.0.1:9").scheme("http").build().unwrap();
    assert_eq!(c.endpoint().scheme, "http");
    // A PEM without a certificate is refused rather than silently trusting nothing new.
    let err =
        smsauth::Client::builder().access_key("id", "secret").add_root_certificates_pem("junk").build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}
