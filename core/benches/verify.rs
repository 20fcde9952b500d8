//! Verification throughput with nonce checking, and the nonce store's memory:
//! `cargo bench -p smsauth --bench verify`.
//!
//! `verify/{v1,v3}_empty_store`: a fresh nonce per request into a store that is new (empty) at
//! the start of each sample; `verify/{v1,v3}_1m_live_nonces`: the same into a store that held
//! 1,000,000 live nonces before the first sample (it keeps what the samples add). Timed: only
//! `Verifier::verify` (parsing, checks, HMAC, the nonce insert and building `Verified`). Not
//! timed: signing the requests, creating the store and dropping the results.
//! `SMSAUTH_BENCH_CLOCK=cpu` times with the thread's CPU time instead of wall time. Before the benches the store's resident memory per live nonce
//! is printed (goal: at most 64 bytes).

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

#[path = "support/clock.rs"]
mod clock;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smsauth::sign::{
    HttpRequest, MemoryNonceStore, NonceOutcome, NonceStore, RpcRequest, SignatureVersion, Stamp, Verifier, sign,
};
use smsauth::{Credentials, Secret};

const NOW: u64 = 1_735_787_045;
const LIVE: usize = 1_000_000;

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

fn filled_store(capacity: usize) -> Arc<MemoryNonceStore> {
    let store = Arc::new(MemoryNonceStore::new(capacity));
    for i in 0..LIVE {
        assert_eq!(store.insert("LTAI5tExampleKeyId01", &format!("{i:032x}"), NOW, NOW + 900), NonceOutcome::Fresh);
    }
    store
}

fn request(version: SignatureVersion, creds: &Credentials, n: u64) -> HttpRequest {
    let req = RpcRequest::new("dypnsapi.aliyuncs.com", "CheckSmsVerifyCode", "2017-05-25")
        .param("PhoneNumber", "13800138000")
        .param("VerifyCode", "123456");
    sign(&req, version, creds, &Stamp::new(NOW, format!("bench{n:027x}"))).to_http_request()
}

fn benches(c: &mut Criterion) {
    let before = resident_bytes();
    let probe = filled_store(LIVE);
    let after = resident_bytes();
    eprintln!(
        "nonce store: {} live nonces, {:.1} bytes resident per nonce",
        probe.len(),
        after.saturating_sub(before) as f64 / LIVE as f64
    );
    drop(probe);

    let creds = Credentials::new("LTAI5tExampleKeyId01", "ExampleSecretValue0123456789abcd").unwrap();
    let lookup = |_: &str| Some(Secret::new("ExampleSecretValue0123456789abcd"));
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(1));
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let full = filled_store(50_000_000);
        for label in ["empty_store", "1m_live_nonces"] {
            let mut n = 0u64;
            g.bench_function(format!("{version}_{label}"), |b| {
                b.iter_custom(|iters| {
                    // Untimed: sign `iters` requests with fresh nonces, and (for the empty case) a new store.
                    let reqs: Vec<HttpRequest> = (0..iters)
                        .map(|_| {
                            n += 1;
                            request(version, &creds, n)
                        })
                        .collect();
                    let store =
                        if label == "empty_store" { Arc::new(MemoryNonceStore::new(50_000_000)) } else { full.clone() };
                    let verifier = Verifier::new().nonce_store(store);
                    let mut out = Vec::with_capacity(reqs.len());
                    // Timed: only `verify` (parse, check, HMAC, nonce insert, building `Verified`).
                    let elapsed = clock::time(|| {
                        for req in &reqs {
                            out.push(verifier.verify(black_box(req), NOW, lookup).unwrap());
                        }
                    });
                    drop(out);
                    elapsed
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches_group, benches);
criterion_main!(benches_group);
