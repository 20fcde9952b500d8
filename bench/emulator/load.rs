//! Load generator for the emulator (and, for comparison, any HTTP server such as nginx with a
//! canned reply): N concurrent keep-alive HTTP/1.1 connections, each sending freshly signed
//! `CheckSmsVerifyCode` requests (V3 by default) back to back for a fixed time.
//!
//! Run through `bench/emulator/run.sh`, or directly:
//! `cargo bench -p smsauth-emulator --bench load -- [--url http://127.0.0.1:PORT] [--pid PID]
//!  [--connections 64] [--seconds 10] [--signature-version v3] [--any-200]`
//! Without `--url` it starts an in-process emulator. `--pid` samples that process's RSS each second.
//! Every answer must be HTTP 200 with `"Code":"OK"` (or, with `--any-200`, just HTTP 200);
//! anything else, and any I/O error, counts as an error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use smsauth::Credentials;
use smsauth::sign::{RpcRequest, SignatureVersion, Stamp, sign, unix_now};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Args {
    url: Option<String>,
    pid: Option<u32>,
    connections: usize,
    seconds: u64,
    version: SignatureVersion,
    any_200: bool,
    threads: usize,
    presign: usize,
}

fn args() -> Args {
    let mut a = Args {
        url: None,
        pid: None,
        connections: 64,
        seconds: 10,
        version: SignatureVersion::V3,
        any_200: false,
        threads: 1,
        presign: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--url" => a.url = Some(value()),
            "--pid" => a.pid = Some(value().parse().expect("--pid")),
            "--connections" => a.connections = value().parse().expect("--connections"),
            "--seconds" => a.seconds = value().parse().expect("--seconds"),
            "--threads" => a.threads = value().parse().expect("--threads"),
            "--signature-version" => a.version = value().parse().expect("--signature-version"),
            "--presign" => a.presign = value().parse().expect("--presign"),
            "--any-200" => a.any_200 = true,
            "--bench" => {} // added by `cargo bench`
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

#[derive(Default)]
struct Stats {
    ok: AtomicU64,
    errors: AtomicU64,
    /// Latency histogram in 10 µs buckets up to 100 ms.
    hist: Vec<AtomicU64>,
}

/// User + system CPU time of a process, in clock ticks (1/100 s on Linux).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// One signed `CheckSmsVerifyCode` as raw HTTP/1.1 bytes; number `n` of connection `id`.
fn request_bytes(authority: &str, version: SignatureVersion, creds: &Credentials, id: usize, n: u64) -> Vec<u8> {
    // A different number per request: nothing accumulates in the emulator but nonces.
    let phone = format!("139{:08}", (id as u64 * 1_000_003 + n) % 100_000_000);
    let req = RpcRequest::new(authority, "CheckSmsVerifyCode", "2017-05-25")
        .param("PhoneNumber", phone)
        .param("VerifyCode", "1234");
    let stamp = Stamp::new(unix_now(), format!("{id:x}-{n:x}-{:x}", std::process::id()));
    let signed = sign(&req, version, creds, &stamp);
    let mut out = Vec::with_capacity(640);
    out.extend_from_slice(format!("{} {} HTTP/1.1\r\n", signed.method, signed.path_and_query()).as_bytes());
    for (k, v) in &signed.headers {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"content-length: 0\r\n\r\n");
    out
}

struct Conn {
    authority: String,
    version: SignatureVersion,
    any_200: bool,
    id: usize,
    /// Requests signed before the clock started; more are signed on the fly when they run out.
    presigned: Vec<Vec<u8>>,
}

async fn connection(c: Conn, stats: Arc<Stats>, stop: Arc<AtomicBool>) {
    let Conn { authority, version, any_200, id, presigned } = c;
    let creds = Credentials::new("testid", "testsecret").unwrap();
    let mut sock = match TcpStream::connect(&authority).await {
        Ok(s) => s,
        Err(_) => {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    let _ = sock.set_nodelay(true);
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = presigned.len() as u64;
    let mut presigned = presigned.into_iter();
    while !stop.load(Ordering::Relaxed) {
        let out = match presigned.next() {
            Some(r) => r,
            None => {
                n += 1;
                request_bytes(&authority, version, &creds, id, n)
            }
        };
        let started = Instant::now();
        if sock.write_all(&out).await.is_err() {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // Read one response: head, then Content-Length bytes.
        let mut filled = 0;
        let (head_end, body_len) = loop {
            match sock.read(&mut buf[filled..]).await {
                Ok(0) | Err(_) => {
                    stats.errors.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Ok(k) => filled += k,
            }
            if let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&buf[..end]).unwrap_or("");
                let len = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                break (end + 4, len);
            }
        };
        while filled < head_end + body_len {
            match sock.read(&mut buf[filled..]).await {
                Ok(0) | Err(_) => {
                    stats.errors.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Ok(k) => filled += k,
            }
        }
        let head = &buf[..head_end];
        let body = &buf[head_end..head_end + body_len];
        let good = head.starts_with(b"HTTP/1.1 200") && (any_200 || body.windows(11).any(|w| w == b"\"Code\":\"OK\""));
        if good {
            stats.ok.fetch_add(1, Ordering::Relaxed);
            let bucket = (started.elapsed().as_micros() as usize / 10).min(stats.hist.len() - 1);
            stats.hist[bucket].fetch_add(1, Ordering::Relaxed);
        } else {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            if stats.errors.load(Ordering::Relaxed) == 1 {
                eprintln!("first bad answer: {}", String::from_utf8_lossy(&buf[..filled.min(600)]));
            }
        }
    }
}

fn percentile(hist: &[u64], total: u64, p: f64) -> f64 {
    let target = (total as f64 * p).ceil() as u64;
    let mut seen = 0;
    for (i, n) in hist.iter().enumerate() {
        seen += n;
        if seen >= target {
            return (i as f64 + 1.0) * 0.01;
        }
    }
    f64::NAN
}

fn main() {
    let a = args();
    let (emulator, url) = match &a.url {
        Some(u) => (None, u.clone()),
        None => {
            let emu = smsauth_emulator::Emulator::start().expect("emulator");
            let url = emu.endpoint();
            (Some(emu), url)
        }
    };
    let authority = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(a.threads).enable_all().build().unwrap();
    let creds = Credentials::new("testid", "testsecret").unwrap();
    let conns: Vec<Conn> = (0..a.connections)
        .map(|id| Conn {
            authority: authority.clone(),
            version: a.version,
            any_200: a.any_200,
            id,
            presigned: (1..=a.presign as u64).map(|n| request_bytes(&authority, a.version, &creds, id, n)).collect(),
        })
        .collect();
    let stats = Arc::new(Stats { hist: (0..10_000).map(|_| AtomicU64::new(0)).collect(), ..Default::default() });
    let stop = Arc::new(AtomicBool::new(false));
    println!(
        "load: {} keep-alive connections, {} s, signed {} CheckSmsVerifyCode ({}), against {url}{}",
        a.connections,
        a.seconds,
        a.version,
        if a.presign > 0 {
            format!("{} per connection signed in advance", a.presign)
        } else {
            "signed on the fly".into()
        },
        if emulator.is_some() { " (in-process emulator)" } else { "" }
    );
    let cpu_before = a.pid.and_then(cpu_ticks);
    let started = Instant::now();
    let tasks: Vec<_> = conns.into_iter().map(|c| rt.spawn(connection(c, stats.clone(), stop.clone()))).collect();
    let mut rss = Vec::new();
    for _ in 0..a.seconds {
        std::thread::sleep(Duration::from_secs(1));
        if let Some(kib) = a.pid.and_then(rss_kib) {
            rss.push(kib);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let cpu_after = a.pid.and_then(cpu_ticks);
    rt.block_on(async {
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
    });
    let ok = stats.ok.load(Ordering::Relaxed);
    let errors = stats.errors.load(Ordering::Relaxed);
    let hist: Vec<u64> = stats.hist.iter().map(|h| h.load(Ordering::Relaxed)).collect();
    println!("requests: {ok} ok, {errors} errors in {:.1} s", elapsed.as_secs_f64());
    println!("throughput: {:.0} req/s", ok as f64 / elapsed.as_secs_f64());
    println!("latency: p50 {:.2} ms, p99 {:.2} ms", percentile(&hist, ok, 0.50), percentile(&hist, ok, 0.99));
    if let (Some(b), Some(e)) = (cpu_before, cpu_after) {
        let secs = (e - b) as f64 / 100.0;
        println!(
            "server CPU: {secs:.1} s ({:.0}% of a core), {:.1} µs per request",
            secs / elapsed.as_secs_f64() * 100.0,
            secs * 1e6 / ok.max(1) as f64
        );
    }
    if !rss.is_empty() {
        let mib: Vec<String> = rss.iter().map(|k| format!("{:.1}", *k as f64 / 1024.0)).collect();
        println!("server RSS (MiB, each second): {}", mib.join(" "));
    }
    if let Some(emu) = emulator {
        println!("emulator counted {} requests", emu.request_count());
    }
    if errors > 0 {
        std::process::exit(1);
    }
}
