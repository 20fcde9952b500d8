//! A tiny blocking HTTP/1.1 client over std::net for requests the SDK client would never make
//! (replays, hand-made parameters, the test hooks).

#![allow(clippy::unwrap_used, dead_code)]

/// The deadline bound shared with the core's tests.
#[path = "../../../core/tests/support/deadline.rs"]
pub mod deadline;

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;

use smsauth::Credentials;
use smsauth::sign::{RpcRequest, SignatureVersion, SignedRequest, Stamp, sign};
use smsauth_emulator::Emulator;

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn code(&self) -> String {
        self.json()["Code"].as_str().unwrap_or_default().to_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Send one request and read the whole answer (the connection is closed after it).
pub fn http(port: u16, method: &str, target: &str, headers: &[(String, String)], body: &str) -> std::io::Result<Reply> {
    let mut sock = TcpStream::connect(("127.0.0.1", port))?;
    let mut head = format!("{method} {target} HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n", body.len());
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    sock.write_all(head.as_bytes())?;
    sock.write_all(body.as_bytes())?;
    let mut raw = Vec::new();
    sock.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) =
        text.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other(format!("no head: {text:?}")))?;
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect();
    Ok(Reply { status, headers, body: body.to_owned() })
}

pub fn hook(emu: &Emulator, method: &str, target: &str, body: &str) -> Reply {
    http(emu.port(), method, target, &[], body).unwrap()
}

/// An API request for `action` with `params`, not yet signed.
pub fn rpc(emu: &Emulator, action: &str, params: &[(&str, &str)]) -> RpcRequest {
    let mut req = RpcRequest::new(format!("127.0.0.1:{}", emu.port()), action, "2017-05-25");
    for (k, v) in params {
        req = req.param(*k, *v);
    }
    req
}

pub fn signed(emu: &Emulator, req: &RpcRequest, version: SignatureVersion, stamp: &Stamp) -> SignedRequest {
    let creds = Credentials::new(emu.access_key_id(), emu.access_key_secret()).unwrap();
    sign(req, version, &creds, stamp)
}

/// Send a signed request as it is.
pub fn send_signed(emu: &Emulator, s: &SignedRequest) -> Reply {
    http(emu.port(), &s.method, &s.path_and_query(), &s.headers, &String::from_utf8_lossy(&s.body)).unwrap()
}

/// Sign `req` with a fresh stamp at the emulator's time and send it.
pub fn call(emu: &Emulator, req: &RpcRequest, version: SignatureVersion) -> Reply {
    let stamp = Stamp::new(emu.now(), Stamp::fresh().unwrap().nonce);
    send_signed(emu, &signed(emu, req, version, &stamp))
}

pub const PHONE: &str = "13800138000";

pub fn send_params() -> Vec<(&'static str, &'static str)> {
    vec![
        ("PhoneNumber", PHONE),
        ("SignName", "速通互联验证码"),
        ("TemplateCode", "100001"),
        ("TemplateParam", r###"{"code":"##code##","min":"5"}"###),
    ]
}

/// One HTTP/1.1 message (head and a `Content-Length` body), or `None` at end of stream.
pub fn read_message(r: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    let mut length = 0;
    loop {
        let start = raw.len();
        if r.read_until(b'\n', &mut raw)? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&raw[start..]).to_ascii_lowercase();
        if let Some(v) = line.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body)?;
    raw.extend(body);
    Ok(Some(raw))
}
