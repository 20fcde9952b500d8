//! One `bench/run` worker: the async `smsauth::Client` against the upstream given on the command
//! line, printing one JSON line.
//!
//! `smsauth-bench --endpoint http://127.0.0.1:PORT --seconds 3 [--concurrency 64] [--warmup 200]
//! [--phases seq,conc,sign] [--on-event]` (`--phases seq` profiles the sequential call alone;
//! the figures of the phases left out are printed as `null`; `--on-event` registers a listener
//! that counts the call events, to measure what observing costs).
//!
//! Any error or unexpected answer exits non-zero, which fails `bench/run`.
//!
//! Phases, in one process: warm-up, sequential `CheckSmsVerifyCode` calls (each latency
//! recorded), `--concurrency` calls in flight (tasks on the client's own runtime), then a
//! sign-only loop (V3, fresh timestamp and nonce each time, as the client signs), then peak RSS.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use smsauth::sign::{RpcRequest, SignatureVersion, Stamp, sign};
use smsauth::{Client, Credentials, VerifyResult};

const PHONE: &str = "13800138000";
const CODE: &str = "1234";

struct Args {
    endpoint: String,
    seconds: f64,
    concurrency: usize,
    warmup: usize,
    phases: String,
    on_event: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        endpoint: String::new(),
        seconds: 3.0,
        concurrency: 64,
        warmup: 200,
        phases: "seq,conc,sign".into(),
        on_event: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        if arg == "--on-event" {
            a.on_event = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{arg} {value}: {e}");
        match arg.as_str() {
            "--endpoint" => a.endpoint = value,
            "--seconds" => a.seconds = value.parse().map_err(|e| bad(&e))?,
            "--concurrency" => a.concurrency = value.parse().map_err(|e| bad(&e))?,
            "--warmup" => a.warmup = value.parse().map_err(|e| bad(&e))?,
            "--phases" => a.phases = value,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.endpoint.is_empty() {
        return Err("--endpoint is required".into());
    }
    Ok(a)
}

async fn one_call(client: &Client) -> Result<(), String> {
    let r = client.check_code(PHONE, CODE).await.map_err(|e| e.to_string())?;
    if r.model.verify_result != VerifyResult::Unknown {
        return Err(format!("unexpected answer {r:?}"));
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

async fn run(a: Args) -> Result<String, String> {
    let duration = Duration::from_secs_f64(a.seconds);
    let phase = |name: &str| a.phases.split(',').any(|p| p == name);
    let mut builder = Client::builder().access_key("testid", "testsecret").endpoint(a.endpoint.clone());
    if a.on_event {
        let seen = Arc::new(AtomicU64::new(0));
        builder = builder.on_event(move |e| {
            if e.is_ok() {
                seen.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    for _ in 0..a.warmup {
        one_call(&client).await?;
    }
    let (seq, p50, p99) = if phase("seq") { sequential(&client, duration).await? } else { (None, None, None) };
    let conc = if phase("conc") { Some(concurrent(&client, duration, a.concurrency).await?) } else { None };
    let sign = if phase("sign") { Some(signing(&a.endpoint, duration)?) } else { None };
    let json = |v: Option<f64>| v.map_or("null".to_owned(), |v| v.to_string());
    Ok(format!(
        "{{\"seq\": {}, \"p50_ms\": {}, \"p99_ms\": {}, \"conc\": {}, \"sign\": {}, \"rss_mb\": {}}}",
        json(seq),
        json(p50),
        json(p99),
        json(conc),
        json(sign),
        peak_rss_mb()
    ))
}

/// One call at a time: calls/s, p50 and p99 in ms.
async fn sequential(client: &Client, duration: Duration) -> Result<(Option<f64>, Option<f64>, Option<f64>), String> {
    let mut lat = Vec::with_capacity(100_000);
    let start = Instant::now();
    while start.elapsed() < duration {
        let t = Instant::now();
        one_call(client).await?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let seq = lat.len() as f64 / start.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    Ok((Some(seq), Some(percentile(&lat, 50.0)), Some(percentile(&lat, 99.0))))
}

/// `concurrency` loops in flight, as tasks on the client's runtime: calls/s.
async fn concurrent(client: &Client, duration: Duration, concurrency: usize) -> Result<f64, String> {
    // The same warm-up rule as every language: `concurrency` calls at once, untimed, so that the
    // connections are open before the window starts.
    let mut warm = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let client = client.clone();
        warm.push(tokio_spawn(async move { one_call(&client).await })?);
    }
    for t in warm {
        t.await.map_err(|e| e.to_string())??;
    }
    let count = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::with_capacity(concurrency);
    let start = Instant::now();
    for _ in 0..concurrency {
        let (client, count, stop) = (client.clone(), Arc::clone(&count), Arc::clone(&stop));
        tasks.push(tokio_spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                one_call(&client).await?;
                count.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), String>(())
        })?);
    }
    tokio_sleep(duration).await?;
    stop.store(true, Ordering::Relaxed);
    let calls = count.load(Ordering::Relaxed);
    let elapsed = start.elapsed().as_secs_f64();
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok(calls as f64 / elapsed)
}

/// Sign-only: what the client does per call before sending (the request built every time, a
/// fresh timestamp and nonce): signatures/s.
fn signing(endpoint: &str, duration: Duration) -> Result<f64, String> {
    let creds = Credentials::new("testid", "testsecret").map_err(|e| e.to_string())?;
    let host = endpoint.split("://").nth(1).unwrap_or(endpoint).to_owned();
    let mut signs = 0u64;
    let start = Instant::now();
    while start.elapsed() < duration {
        for _ in 0..64 {
            let req = RpcRequest::new(host.as_str(), "CheckSmsVerifyCode", "2017-05-25")
                .param("PhoneNumber", PHONE)
                .param("VerifyCode", CODE);
            let stamp = Stamp::fresh().map_err(|e| e.to_string())?;
            std::hint::black_box(sign(&req, SignatureVersion::V3, &creds, &stamp));
        }
        signs += 64;
    }
    Ok(signs as f64 / start.elapsed().as_secs_f64())
}

fn tokio_spawn<F>(fut: F) -> Result<tokio::task::JoinHandle<F::Output>, String>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    Ok(smsauth::runtime::runtime().map_err(|e| e.to_string())?.spawn(fut))
}

async fn tokio_sleep(d: Duration) -> Result<(), String> {
    tokio::time::sleep(d).await;
    Ok(())
}

fn main() {
    let result = args().and_then(|a| {
        // As a server's request handler would: a task on the runtime (not the main thread).
        let rt = smsauth::runtime::runtime().map_err(|e| e.to_string())?;
        rt.block_on(rt.spawn(run(a))).map_err(|e| e.to_string())?
    });
    match result {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("smsauth-bench: {e}");
            std::process::exit(1);
        }
    }
}
