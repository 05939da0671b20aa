//! OpenPlatform AuthorizeFileUpload: a PostObject grant for the emulated OSS
//! bucket (`oss.rs`). The policy is a real base64 JSON policy (expiry, key
//! prefix, size range); its signature is the emulator's own and is checked
//! when the form arrives.

use base64::Engine as _;
use serde_json::{Value, json};

use super::table::{Emulated, from_the_table};
use crate::call::Call;
use crate::handlers::table::{ErrorAnswer, Params};
use crate::responders::Body;
use crate::state::Grant;
use http::Response;

/// The emulated bucket.
pub(crate) const BUCKET: &str = "emulator-bucket";

fn authorize(call: &Call<'_>, request: &Params, mut answer: Value) -> Result<Value, ErrorAnswer> {
    let product = request.text("Product").unwrap_or_default().to_lowercase();
    let prefix = format!("{product}/upload/{}", call.inner.state.next_id(""));
    let expiry = call.inner.now() + std::time::Duration::from_secs(3600);
    let policy = json!({
        "expiration": aliyun_ai_auth::time::format_iso8601(expiry),
        "conditions": [
            {"bucket": BUCKET},
            ["starts-with", "$key", prefix],
            ["content-length-range", 0, 10u64 << 30],
        ],
    });
    let encoded = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
    let signature = base64::engine::general_purpose::STANDARD.encode(
        aliyun_ai_auth::sign::sha256_hex(format!("emulator:{encoded}").as_bytes()),
    );
    let access_key_id = format!("STS.emulator-{}", call.inner.state.next_id(""));
    call.inner.state.with(|s| {
        s.grants.insert(
            encoded.clone(),
            Grant {
                access_key_id: access_key_id.clone(),
                signature: signature.clone(),
                key_prefix: prefix.clone(),
            },
        )
    });
    for (key, value) in [
        ("AccessKeyId", json!(access_key_id)),
        ("Bucket", json!(BUCKET)),
        ("EncodedPolicy", json!(encoded)),
        ("Endpoint", json!(call.host)),
        ("ObjectKey", json!(prefix)),
        ("Signature", json!(signature)),
        ("UseAccelerate", json!(false)),
    ] {
        answer[key] = value;
    }
    if let Some(map) = answer.as_object_mut() {
        map.remove("SecurityToken");
    }
    Ok(answer)
}

/// OpenPlatform: upload grants for the emulator's OSS bucket.
pub(super) struct OpenPlatform;

impl Emulated for OpenPlatform {
    fn key(&self) -> &'static str {
        "openplatform"
    }

    fn answer(&self, call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
        from_the_table(self, call, truncate, authorize)
    }
}
