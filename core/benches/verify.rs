//! Verification throughput with nonce checking, and the nonce store's memory:
//! `cargo bench -p smsauth --bench verify`.
//!
//! `verify/{v1,v3}_empty_store`: a fresh nonce per request into an empty store;
//! `verify/{v1,v3}_1m_live_nonces`: the same with 1,000,000 live nonces already stored. Signing the
//! request is setup, not measured. Before the benches the store's resident memory per live nonce
//! is printed (goal: at most 64 bytes).

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
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
        for (label, store) in
            [("empty_store", Arc::new(MemoryNonceStore::new(50_000_000))), ("1m_live_nonces", filled_store(50_000_000))]
        {
            let verifier = Verifier::new().nonce_store(store);
            let mut n = 0u64;
            g.bench_function(format!("{version}_{label}"), |b| {
                b.iter_batched(
                    || {
                        n += 1;
                        request(version, &creds, n)
                    },
                    |req| verifier.verify(black_box(&req), NOW, lookup).unwrap(),
                    BatchSize::SmallInput,
                )
            });
        }
    }
    g.finish();
}

criterion_group!(benches_group, benches);
criterion_main!(benches_group);
