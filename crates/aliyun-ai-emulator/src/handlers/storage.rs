//! The emulated object storage of result files (the customer-profile
//! application's and Tingwu's): URLs pre-signed with the emulator's secret,
//! expiring after the configured TTL, checked before any file is served.

use aliyun_ai_auth::sign::sha256_hex;
use http::Response;

use crate::call::{Call, Inner};
use crate::query::query_param;
use crate::responders::Body;

/// The signature of a storage URL: keyed by the emulator's secret, over
/// the file and its expiry.
fn signature(inner: &Inner, kind: &str, data_id: &str, expires: u64) -> String {
    let secret = &inner.config.credentials.access_key_secret;
    sha256_hex(format!("{secret}:{kind}:{data_id}:{expires}").as_bytes())[..32].to_owned()
}

/// A pre-signed-looking URL of a result file, expiring after the
/// configured `result_url_ttl`.
pub(crate) fn result_url(inner: &Inner, kind: &str, data_id: &str) -> String {
    let base = &inner.base_url;
    let expires = inner.unix_now() + inner.config.result_url_ttl.as_secs();
    let signature = signature(inner, kind, data_id, expires);
    format!(
        "{base}/storage/{kind}/{data_id}?Expires={expires}&OSSAccessKeyId=emulator&Signature={signature}"
    )
}

/// The `(kind, id)` of a storage request whose signature and expiry hold.
pub(super) fn verify<'c>(call: &'c Call<'_>) -> Result<(&'c str, &'c str), Box<Response<Body>>> {
    let segments: Vec<&str> = call.path.split('/').collect();
    let (Some(kind), Some(data_id)) = (segments.get(2), segments.get(3)) else {
        return Err(Box::new(call.error(
            404,
            "NoSuchKey",
            "The specified key does not exist.",
        )));
    };
    let expires: u64 = query_param(&call.query, "Expires")
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    let expected = signature(call.inner, kind, data_id, expires);
    if query_param(&call.query, "Signature") != Some(expected) {
        return Err(Box::new(call.error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )));
    }
    if call.inner.unix_now() >= expires {
        return Err(Box::new(call.error(
            403,
            "AccessDenied",
            "Request has expired.",
        )));
    }
    Ok((kind, data_id))
}
