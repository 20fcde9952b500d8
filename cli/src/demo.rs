//! `smsauth demo`: the whole flow against the embedded emulator, as a short transcript.

use std::time::Duration;

use smsauth::guard::{Guard, GuardConfig, Limit};
use smsauth::{Result, RetryPolicy, blocking};
use smsauth_emulator::Emulator;

use crate::args::Global;
use crate::commands::signature_version;

const PHONE: &str = "13800138000";
/// The client key (an IP address here) of the SMS-bombing script in the last step.
const ATTACKER: &str = "203.0.113.7";
/// Sends allowed per client key per hour in the demo's guard.
const PER_CLIENT: u32 = 3;

pub fn run(g: &Global) -> Result<u8> {
    let version = signature_version(g)?;
    let emu = Emulator::start()?;
    // The abuse guard, as a small site would set it: a few sends per client (IP) per hour. The
    // per-number rule is relaxed so the service's own Interval shows up in the transcript too.
    let guard = Guard::new(GuardConfig {
        phone: vec![Limit::per_minute(5)],
        client: vec![Limit::per_hour(PER_CLIENT)],
        ..GuardConfig::default()
    })?;
    let client = blocking::Client::from_async(
        smsauth::Client::builder()
            .access_key(emu.access_key_id(), emu.access_key_secret())
            .endpoint(emu.endpoint())
            .signature_version(version)
            .sign_name("速通互联验证码")
            .template_code("100001")
            .timeout(Duration::from_secs(10))
            .retry(RetryPolicy::none())
            .binding("cli-demo")
            .guard(guard)
            .build()?,
    );
    let scheme = match version {
        smsauth::SignatureVersion::V1 => "V1, HMAC-SHA1",
        smsauth::SignatureVersion::V3 => "V3, ACS3-HMAC-SHA256",
    };
    println!("smsauth demo: sign-up with an SMS code, offline against the embedded emulator");
    println!("  emulator  {} (AccessKey {} / {})", emu.endpoint(), emu.access_key_id(), emu.access_key_secret());
    println!("  every request is signed ({scheme}) and verified by the emulator\n");

    println!("> send a code to {PHONE}");
    let sent = client.send_code(PHONE)?;
    println!("  {}  request id {}  biz id {}", sent.code, sent.request_id, sent.model.biz_id.as_deref().unwrap_or("-"));
    let Some(message) = emu.messages_for(PHONE).pop() else {
        return Err(smsauth::Error::new(smsauth::ErrorKind::Internal, "the emulator's outbox is empty after a send"));
    };
    println!("  the phone receives: {}", message.text);
    println!("  (valid for {} s)\n", message.expires_at.saturating_sub(message.sent_at));

    let wrong = if message.code == "0000" { "1111" } else { "0000" };
    println!("> check a wrong code, {wrong}");
    let r = client.check_code(PHONE, wrong)?;
    println!("  {}: rejected\n", r.model.verify_result);

    println!("> check the code from the SMS, {}", message.code);
    let r = client.check_code(PHONE, &message.code)?;
    println!("  {}: accepted, the user is signed up\n", r.model.verify_result);

    println!("> check the same code again");
    let r = client.check_code(PHONE, &message.code)?;
    println!("  {}: a code passes once\n", r.model.verify_result);

    println!("> send another code right away");
    match client.send_code(PHONE) {
        Ok(_) => println!("  OK (unexpected: the Interval should have refused it)\n"),
        Err(e) => println!(
            "  {} ({}): {}\n",
            e.service_code().unwrap_or("error"),
            e.kind(),
            e.service().map(|s| s.message.as_str()).unwrap_or(e.message())
        ),
    }
    println!("> a script at {ATTACKER} asks for codes to one number after another (SMS bombing)");
    let before = emu.request_count();
    for i in 1..=PER_CLIENT + 1 {
        let phone = format!("1390000{i:04}");
        match client.send_code_for(&phone, ATTACKER) {
            Ok(r) => println!("  {phone}: {} (sent)", r.code),
            Err(e) => println!(
                "  {phone}: {} by rule {} — refused before the paid call, retry after {} s",
                e.kind(),
                e.guard_rule().unwrap_or("-"),
                e.retry_after().map(|d| d.as_secs()).unwrap_or(0)
            ),
        }
    }
    println!("  the service saw {} of those {} requests\n", emu.request_count() - before, PER_CLIENT + 1);

    println!("done: {} requests, no account, no network, no SMS", emu.request_count());
    Ok(0)
}
