//! Signing and verification throughput: `cargo bench -p smsauth --bench sign`.
//! `sign/{v1,v3}`: one `sign` call on one core (the result dropped inside the timed loop);
//! `_without_explanation`: the same with `sign_without_explanation`. `SMSAUTH_BENCH_CLOCK=cpu`
//! times the single-core benches with the thread's CPU time instead of wall time.

#![allow(clippy::unwrap_used, missing_docs)]

#[path = "support/clock.rs"]
mod clock;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smsauth::sign::{RpcRequest, SignatureVersion, Stamp, Verifier, sign, sign_without_explanation};
use smsauth::{Credentials, Secret, SendSmsVerifyCodeRequest, template_param};
use std::hint::black_box;

fn min_request() -> RpcRequest {
    RpcRequest::new("dypnsapi.aliyuncs.com", "SendSmsVerifyCode", "2017-05-25")
        .param("PhoneNumber", "13800138000")
        .param("SignName", "速通互联验证码")
        .param("TemplateCode", "100001")
        .param("TemplateParam", template_param(&[("min", "5")]))
}

fn benches(c: &mut Criterion) {
    let creds = Credentials::new("LTAI5tExampleKeyId01", "ExampleSecretValue0123456789abcd").unwrap();
    let stamp = Stamp::new(1_735_787_045, "3d1e1b2c4f5a6b7c8d9e0f1a2b3c4d5e");
    let req = min_request();
    let mut g = c.benchmark_group("sign");
    g.throughput(Throughput::Elements(1));
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        for (label, explain) in [("", true), ("_without_explanation", false)] {
            g.bench_function(format!("{version}{label}"), |b| {
                b.iter_custom(|iters| {
                    clock::time(|| {
                        for _ in 0..iters {
                            let signed = if explain {
                                sign(black_box(&req), version, &creds, &stamp)
                            } else {
                                sign_without_explanation(black_box(&req), version, &creds, &stamp)
                            };
                            black_box(signed);
                        }
                    })
                })
            });
        }
    }
    // Machine throughput: the same work split over every core (signing shares nothing).
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as u64;
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        g.bench_function(format!("{version}_all_cores"), |b| {
            b.iter_custom(|iters| {
                let start = std::time::Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..threads {
                        s.spawn(|| {
                            for _ in 0..iters.div_ceil(threads) {
                                black_box(sign(black_box(&req), version, &creds, &stamp));
                            }
                        });
                    }
                });
                start.elapsed()
            })
        });
    }
    let signed = sign(&req, SignatureVersion::V3, &creds, &stamp).to_http_request();
    let verifier = Verifier::new().without_nonce_check();
    g.bench_function("v3_verify", |b| {
        b.iter_custom(|iters| {
            clock::time(|| {
                for _ in 0..iters {
                    black_box(
                        verifier
                            .verify(black_box(&signed), stamp.timestamp, |_| {
                                Some(Secret::new("ExampleSecretValue0123456789abcd"))
                            })
                            .unwrap(),
                    );
                }
            })
        })
    });
    g.bench_function("build_and_sign_send_request", |b| {
        b.iter(|| {
            let r = SendSmsVerifyCodeRequest {
                phone_number: "+86 138 0013 8000".into(),
                sign_name: Some("速通互联验证码".into()),
                template_code: Some("100001".into()),
                template_param: Some(template_param(&[("min", "5")])),
                code_length: Some(6),
                ..Default::default()
            };
            let mut rpc = RpcRequest::new("dypnsapi.aliyuncs.com", "SendSmsVerifyCode", "2017-05-25");
            rpc.params = r.to_params().unwrap().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            sign(&rpc, SignatureVersion::V3, &creds, &Stamp::fresh().unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches_group, benches);
criterion_main!(benches_group);
