//! Zeroization (issue #8): no heap block that held the AccessKey secret is handed back to the
//! allocator with the secret still in it. A global allocator scans every block freed (and every
//! block left behind by a reallocation) while the client is built, signs V1 and V3 requests,
//! handles answers and errors, and is dropped.
//!
//! The emulator shares the process (and verifies with the same secret, kept in `Secret`s); its
//! `Config::accounts` holds the secret in plain `String`s, which live until the end of the test,
//! outside the scanned window. The STS token is not scanned for: it travels in every request, so
//! HTTP buffers carry it by design.
//!
//! One test in this binary: the allocator is process-wide.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use smsauth::{Credentials, SignatureVersion, blocking};
use smsauth_emulator::{Config, Emulator, Fault, FaultKind};

const ID: &str = "LTAI5tZeroizeKeyId0001";
const SECRET: &str = "zeroize-ME-r7Qp4Lm2Xc9Vb1Nk";

static ARMED: AtomicBool = AtomicBool::new(false);
static FOUND: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, scanning freed blocks for [`SECRET`] while [`ARMED`].
struct Scanning;

// SAFETY: forwards to `System`; the scan only reads the block being freed, before freeing it.
unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Relaxed) && layout.size() >= SECRET.len() {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes until freed below. Bytes
            // never written are read as whatever the allocator left there, which is all a scan
            // of freed memory can see anyway.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if block.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()) {
                FOUND.fetch_add(1, Ordering::Relaxed);
            }
        }
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    // `realloc` keeps its default: alloc, copy, `dealloc` — so the old block is scanned too.
}

#[global_allocator]
static ALLOC: Scanning = Scanning;

fn client(endpoint: &str, version: SignatureVersion) -> blocking::Client {
    blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key(ID, SECRET)
            .endpoint(endpoint)
            .no_proxy()
            .signature_version(version)
            .sign_name("速通互联验证码")
            .template_code("100001")
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap(),
    )
}

#[test]
fn no_freed_heap_block_holds_the_secret() {
    let emu =
        Emulator::start_with(Config { accounts: vec![(ID.into(), SECRET.into())], ..Default::default() }).unwrap();
    let endpoint = emu.endpoint();
    // Warm up the runtimes and the emulator outside the window.
    client(&endpoint, SignatureVersion::V3).check_code("13800138000", "1234").unwrap();

    ARMED.store(true, Ordering::SeqCst);
    // The scan works: a plain `String` copy of the secret is caught when it is freed.
    drop(std::hint::black_box(String::from(std::hint::black_box(SECRET))));
    assert_eq!(FOUND.swap(0, Ordering::SeqCst), 1, "the scanning allocator sees an unzeroized copy");

    for (i, version) in [SignatureVersion::V1, SignatureVersion::V3].into_iter().enumerate() {
        let phone = format!("1380013800{i}");
        let c = client(&endpoint, version);
        c.send_code(&phone).unwrap();
        let code = emu.last_code(&phone).unwrap();
        assert!(!c.check_code(&phone, "0000").unwrap().passed() || code == "0000");
        assert!(c.check_code(&phone, &code).unwrap().passed());
        emu.add_fault(Fault::new(FaultKind::ServerError { status: 503, plain: false }).times(1));
        c.send_code("13900139000").unwrap_err();
        drop(c);
        // Credentials built directly, cloned, and dropped.
        let creds = Credentials::new(ID, SECRET).unwrap();
        let copy = creds.clone();
        drop((creds, copy));
        // A builder dropped without building.
        drop(smsauth::Client::builder().access_key(ID, SECRET));
    }
    // Let the runtimes finish with the dropped clients' connections.
    std::thread::sleep(Duration::from_millis(200));
    ARMED.store(false, Ordering::SeqCst);
    assert_eq!(FOUND.load(Ordering::SeqCst), 0, "heap blocks freed with the AccessKey secret still in them");
}
