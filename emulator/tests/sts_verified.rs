//! The emulated STS acts on what was signed: an unsigned `x-acs-action` header cannot turn a
//! V1-signed `AssumeRole` into the unsigned `AssumeRoleWithOIDC`, and a `SignatureDoesNotMatch`
//! answer does not echo the client's STS token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use smsauth::Credentials;
use smsauth::credentials::STS_VERSION;
use smsauth::sign::{RpcRequest, SignatureVersion, SignedRequest, Stamp, sign};
use smsauth_emulator::Emulator;
use smsauth_emulator::sts::{Sts, StsConfig};

fn send(port: u16, s: &SignedRequest, extra: &[(&str, &str)]) -> (u16, String) {
    let mut head =
        format!("{} {} HTTP/1.1\r\nconnection: close\r\ncontent-length: 0\r\n", s.method, s.path_and_query());
    for (k, v) in s.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(extra.iter().copied()) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.write_all(head.as_bytes()).unwrap();
    let mut raw = String::new();
    sock.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    (head.split(' ').nth(1).unwrap().parse().unwrap(), body.to_owned())
}

fn assume_role(sts: &Sts, creds: &Credentials) -> SignedRequest {
    let req = RpcRequest::new(format!("127.0.0.1:{}", sts.port()), "AssumeRole", STS_VERSION)
        .param("RoleArn", "acs:ram::1234567890123456:role/test")
        .param("RoleSessionName", "session")
        .param("OIDCProviderArn", StsConfig::default().oidc_provider_arn)
        .param("OIDCToken", "any");
    sign(&req, SignatureVersion::V1, creds, &Stamp::fresh().unwrap())
}

#[test]
fn an_unsigned_action_header_does_not_change_a_signed_request() {
    let emu = Arc::new(Emulator::start().unwrap());
    let sts = Sts::start(Arc::clone(&emu)).unwrap();
    let wrong = Credentials::new(emu.access_key_id(), "not-the-secret").unwrap();
    let (status, body) = send(sts.port(), &assume_role(&sts, &wrong), &[("x-acs-action", "AssumeRoleWithOIDC")]);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("SignatureDoesNotMatch"), "{body}");
    // Correctly signed, the same request runs the signed action.
    let right = Credentials::new(emu.access_key_id(), emu.access_key_secret()).unwrap();
    let (status, body) = send(sts.port(), &assume_role(&sts, &right), &[("x-acs-action", "AssumeRoleWithOIDC")]);
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("OIDCTokenInfo"), "ran AssumeRoleWithOIDC: {body}");
}

#[test]
fn a_signature_mismatch_does_not_echo_the_security_token() {
    let emu = Arc::new(Emulator::start().unwrap());
    let sts = Sts::start(Arc::clone(&emu)).unwrap();
    let creds = Credentials::new(emu.access_key_id(), "not-the-secret")
        .unwrap()
        .with_security_token("CAIStoken+secret/value")
        .unwrap();
    let (status, body) = send(sts.port(), &assume_role(&sts, &creds), &[]);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("SignatureDoesNotMatch") && body.contains("***"), "{body}");
    assert!(!body.contains("CAIStoken"), "{body}");
}
