#![no_main]
//! Any status and body: classifying an answer returns Ok or a typed error, never panics.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = u16::from_le_bytes([data[0], data[1]]) % 600;
    smsauth::fuzzing::classify_answer(status, &data[2..]);
});
