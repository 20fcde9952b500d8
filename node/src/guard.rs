//! The TypeScript shapes of the parts of a guard rule (the core's abuse guard,
//! [`smsauth::guard`]), which the core's option table holds as one value each: `GuardOptions`
//! itself is generated from that table (`fields.rs`), and the values are read generically
//! (`options.rs`).

// Shapes only: nothing reads these structs.
#![allow(dead_code)]

use napi_derive::napi;

/// One limit of the guard: at most `max` sends in any `windowSeconds` (a sliding window).
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct GuardLimit {
    /// The most sends allowed in the window, 1 to 1000000.
    pub max: u32,
    /// The window in seconds, 1 to 2678400 (31 days).
    pub window_seconds: u32,
}

/// The guard's wrong-code lock (`GuardOptions.wrongCode`). Unset fields keep their defaults.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct WrongCodeOptions {
    /// Wrong codes allowed before the lock (the last of them still gets its answer); 0 turns
    /// the rule off. Default 5.
    pub max: Option<u32>,
    /// How long a wrong code counts, in seconds. Default 3600.
    pub window_seconds: Option<u32>,
    /// How long the lock lasts, in seconds. Default 900.
    pub lock_seconds: Option<u32>,
}
