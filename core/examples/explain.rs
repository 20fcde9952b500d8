//! Sign a SendSmsVerifyCode request both ways and show how each signature is built — no
//! account or network needed. `cargo run -p smsauth --example explain`
use smsauth::sign::{RpcRequest, SignatureVersion, Stamp, Verifier, sign};
use smsauth::{Credentials, Secret, template_param};

fn main() -> smsauth::Result<()> {
    let creds = Credentials::new("testid", "testsecret")?;
    let req = RpcRequest::new("dypnsapi.aliyuncs.com", "SendSmsVerifyCode", "2017-05-25")
        .param("PhoneNumber", "13800138000")
        .param("SignName", "速通互联验证码")
        .param("TemplateCode", "100001")
        .param("TemplateParam", template_param(&[("min", "5")]));
    let stamp = Stamp::fresh()?;
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let signed = sign(&req, version, &creds, &stamp);
        println!("== {version} ==\n{} {}", signed.method, signed.path_and_query());
        for (k, v) in &signed.headers {
            println!("{k}: {v}");
        }
        println!("-- string to sign --\n{}\n", signed.explanation.string_to_sign);
        let verified = Verifier::new()
            .verify(&signed.to_http_request(), stamp.timestamp, |_| Some(Secret::new("testsecret")))
            .map_err(|e| smsauth::Error::new(smsauth::ErrorKind::Authentication, e.to_string()))?;
        println!("verified: {} by {}\n", verified.action, verified.access_key_id);
    }
    Ok(())
}
