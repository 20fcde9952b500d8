//! `smsauth` — send and check SMS Auth codes, sign and verify requests, and run the offline
//! emulator, from the command line.
//!
//! Exit status: 0 success (a check passed, a signature is valid); 1 a check said UNKNOWN or a
//! signature is invalid; otherwise 1 + the error kind's stable number (2 invalid input or usage,
//! 3 credentials, 4 network, 5 timeout, 6 authentication, 7 throttled, 8 service, 9 protocol,
//! 10 internal, 11 refused by the abuse guard).

mod args;
mod commands;
mod demo;
mod output;

use std::process::ExitCode;

// The emulator's server mode allocates a few dozen small buffers per request on two threads;
// mimalloc handles that with less contention than glibc's malloc (see bench/emulator/).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = args::Cli::from_env_and_args();
    let json = cli.global.json;
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            output::print_error(&err, json);
            ExitCode::from(output::exit_code(&err))
        }
    }
}

/// Like other Unix tools, end quietly when the reader of our output goes away
/// (`smsauth demo | head -c1`): Rust ignores `SIGPIPE`, so `println!` would panic on `EPIPE`
/// with a backtrace; with the default action restored the process just ends (status 141 in a
/// shell). Network I/O runs on the library's runtime threads, which block `SIGPIPE` and see
/// `EPIPE` as a typed error instead.
fn quiet_on_closed_stdout() {
    #[cfg(unix)]
    // SAFETY: setting the disposition of SIGPIPE to its default before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
