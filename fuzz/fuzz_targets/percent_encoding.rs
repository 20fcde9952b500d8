#![no_main]
//! Encoding is decodable back to the input; decoding arbitrary text never panics.
use libfuzzer_sys::fuzz_target;
use smsauth::sign::{form_decode, parse_query, percent_encode};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let encoded = percent_encode(&text);
    assert_eq!(form_decode(&encoded).as_deref(), Ok(&*text));
    let _ = form_decode(&text);
    let _ = parse_query(&text);
});
