//! The async [`Client`] — the only HTTP path; the blocking client and every binding wrap it.
//!
//! Files: [`Defaults`] (`defaults.rs`), [`Endpoint`] (`endpoint.rs`), [`ClientBuilder`] and the
//! checks of its settings (`builder.rs`), the [`Client`] itself (`async_client.rs`), and the
//! pieces a call is made of: one HTTP attempt (`transport.rs`), retries (`retry.rs`), events and
//! counters (`events.rs`), TLS (`tls.rs`).

mod async_client;
pub mod blocking;
mod builder;
mod defaults;
mod endpoint;
mod events;
mod options;
mod per_thread;
mod retry;
pub(crate) mod transport;
mod version;

pub use async_client::Client;
pub(crate) use builder::check_duration;
pub use builder::{ClientBuilder, MAX_DURATION, PROXY_SCHEMES};
pub use defaults::Defaults;
pub use endpoint::Endpoint;
pub use events::{CallEvent, ClientStats, EventListener, GuardDecision, LATENCY_BUCKETS_MS};
pub use retry::RetryPolicy;
