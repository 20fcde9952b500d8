//! `smsauth-calls MODE ENDPOINT N`: N sequential `CheckSmsVerifyCode` calls (after 200 warm-up
//! calls), for `bench/profile` to count CPU time and context switches per call (`perf stat` over
//! N and 2N calls; the difference divided by N leaves start-up out) and to record flame graphs.
//!
//! MODE is what makes each call:
//! - `async`: `smsauth::Client` from a task on the core's runtime (as the Rust worker does);
//! - `blocking`: `smsauth::blocking::Client` from the main thread (what C and Python use);
//! - `reqwest`: the same request bytes (signed once, before the loop) through a bare
//!   `reqwest::Client`, the answer read whole: the floor of the HTTP client smsauth is built on;
//! - `hyper`: the same through hyper's HTTP/1 connection on one tokio thread (no pool, no
//!   channel to a connection task): the floor of an async Rust client on this machine.
//!
//! Every answer is checked (status 200 and the canned `UNKNOWN`); anything else exits non-zero.

use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use smsauth::sign::{RpcRequest, SignatureVersion, SignedRequest, Stamp, sign_without_explanation};
use smsauth::{Credentials, VerifyResult};

const PHONE: &str = "13800138000";
const CODE: &str = "1234";
const WARMUP: usize = 200;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, endpoint, n] = args.as_slice() else {
        eprintln!("usage: smsauth-calls async|blocking|reqwest|hyper ENDPOINT N");
        std::process::exit(2);
    };
    let n: usize = n.parse().unwrap_or_else(|e| fail(&format!("N: {e}")));
    let result = match mode.as_str() {
        "async" => smsauth_async(endpoint, n),
        "blocking" => smsauth_blocking(endpoint, n),
        "reqwest" => raw_reqwest(endpoint, n),
        "hyper" => raw_hyper(endpoint, n),
        other => Err(format!("unknown mode {other:?}")),
    };
    if let Err(e) = result {
        fail(&e);
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("smsauth-calls: {msg}");
    std::process::exit(1);
}

fn client(endpoint: &str) -> Result<smsauth::Client, String> {
    smsauth::Client::builder().access_key("testid", "testsecret").endpoint(endpoint).build().map_err(|e| e.to_string())
}

fn check(r: smsauth::Result<smsauth::CheckSmsVerifyCodeResponse>) -> Result<(), String> {
    let r = r.map_err(|e| e.to_string())?;
    if r.model.verify_result != VerifyResult::Unknown {
        return Err(format!("unexpected answer {r:?}"));
    }
    Ok(())
}

fn smsauth_async(endpoint: &str, n: usize) -> Result<(), String> {
    let client = client(endpoint)?;
    let rt = smsauth::runtime::runtime().map_err(|e| e.to_string())?;
    rt.block_on(rt.spawn(async move {
        for _ in 0..WARMUP + n {
            check(client.check_code(PHONE, CODE).await)?;
        }
        Ok(())
    }))
    .map_err(|e| e.to_string())?
}

fn smsauth_blocking(endpoint: &str, n: usize) -> Result<(), String> {
    let client = smsauth::blocking::Client::from_async(client(endpoint)?);
    for _ in 0..WARMUP + n {
        check(client.check_code(PHONE, CODE))?;
    }
    Ok(())
}

/// The request the client sends, signed once (V3, as the client signs it).
fn signed(endpoint: &str) -> Result<SignedRequest, String> {
    let host = endpoint.split_once("://").map_or(endpoint, |(_, h)| h);
    let creds = Credentials::new("testid", "testsecret").map_err(|e| e.to_string())?;
    let req =
        RpcRequest::new(host, "CheckSmsVerifyCode", "2017-05-25").param("PhoneNumber", PHONE).param("VerifyCode", CODE);
    Ok(sign_without_explanation(&req, SignatureVersion::V3, &creds, &Stamp::fresh().map_err(|e| e.to_string())?))
}

fn check_body(status: u16, body: &[u8]) -> Result<(), String> {
    if status != 200 || !body.windows(7).any(|w| w == b"UNKNOWN") {
        return Err(format!("unexpected answer {status} {}", String::from_utf8_lossy(body)));
    }
    Ok(())
}

fn raw_reqwest(endpoint: &str, n: usize) -> Result<(), String> {
    let signed = signed(endpoint)?;
    let url = format!("{}{}?{}", endpoint.trim_end_matches('/'), signed.path, signed.query);
    let headers: Vec<(String, String)> =
        signed.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")).cloned().collect();
    // reqwest as smsauth builds it has TLS without a default provider: the same one, given here.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http =
        reqwest::Client::builder().pool_idle_timeout(Duration::from_secs(90)).build().map_err(|e| e.to_string())?;
    let rt = smsauth::runtime::runtime().map_err(|e| e.to_string())?;
    rt.block_on(rt.spawn(async move {
        for _ in 0..WARMUP + n {
            let mut req = http.post(&url);
            for (k, v) in &headers {
                req = req.header(k, v);
            }
            let resp = req.send().await.map_err(|e| e.to_string())?;
            let status = resp.status().as_u16();
            let body = resp.bytes().await.map_err(|e| e.to_string())?;
            check_body(status, &body)?;
        }
        Ok(())
    }))
    .map_err(|e| e.to_string())?
}

fn raw_hyper(endpoint: &str, n: usize) -> Result<(), String> {
    let signed = signed(endpoint)?;
    let authority = endpoint.split_once("://").map_or(endpoint, |(_, h)| h).trim_end_matches('/').to_owned();
    let uri = format!("{}?{}", signed.path, signed.query);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let stream = tokio::net::TcpStream::connect(&authority).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        for _ in 0..WARMUP + n {
            let mut req = hyper::Request::post(uri.as_str()).header("host", authority.as_str());
            for (k, v) in signed.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")) {
                req = req.header(k.as_str(), v.as_str());
            }
            sender.ready().await.map_err(|e| e.to_string())?;
            let resp = sender
                .send_request(req.body(Empty::new()).map_err(|e| e.to_string())?)
                .await
                .map_err(|e| e.to_string())?;
            let status = resp.status().as_u16();
            let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
            check_body(status, &body)?;
        }
        Ok(())
    })
}
