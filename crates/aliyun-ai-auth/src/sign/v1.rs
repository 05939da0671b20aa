//! The legacy RPC signature V1, HMAC-SHA1 ([`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md)): STS
//! AssumeRole, and RetailBot when selected.

use aliyun_ai_core::time::Timer;
use aliyun_ai_transport::retry::TokioTimer;
use std::fmt;
use std::sync::Arc;

use aliyun_ai_core::encoding::{decode_form, percent_encode};
use base64::Engine as _;
use http::header::CONTENT_TYPE;

use super::{
    NonceSource, RandomNonce, RequestSigner, SignError, SigningKey, canonical_query, hmac_sha1,
    set_query, wrong_key,
};
use crate::credentials::AccessKey;
use crate::time::format_iso8601;
use aliyun_ai_transport::HttpRequest;

/// The V1 string to sign: `METHOD&%2F&pe(canonical)`, the canonical string
/// being every parameter but `Signature`, encoded and sorted.
pub fn string_to_sign_v1<'a, I>(method: &str, params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let canonical = canonical_query(params.into_iter().filter(|(name, _)| *name != "Signature"));
    format!(
        "{method}&{}&{}",
        percent_encode("/"),
        percent_encode(&canonical)
    )
}

/// The V1 signature: base64 HMAC-SHA1 with the key `secret&`.
pub fn signature_v1(string_to_sign: &str, secret: &str) -> String {
    let key = format!("{secret}&");
    base64::engine::general_purpose::STANDARD
        .encode(hmac_sha1(key.as_bytes(), string_to_sign.as_bytes()))
}

/// Signs RPC requests with the legacy V1 HMAC-SHA1 signature (STS AssumeRole,
/// and RetailBot when selected).
#[derive(Clone)]
pub struct V1Signer {
    time: Arc<dyn Timer>,
    nonces: Arc<dyn NonceSource>,
}

impl fmt::Debug for V1Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V1Signer").finish_non_exhaustive()
    }
}

impl Default for V1Signer {
    fn default() -> Self {
        Self::new(Arc::new(TokioTimer), Arc::new(RandomNonce))
    }
}

impl V1Signer {
    /// A signer dating requests with `time`'s wall clock, with `nonces`.
    pub fn new(time: Arc<dyn Timer>, nonces: Arc<dyn NonceSource>) -> Self {
        Self { time, nonces }
    }

    /// Signs `request` in place: adds the common parameters (`Action`,
    /// `Version`, `Format=JSON`, `AccessKeyId`, `SignatureMethod`,
    /// `SignatureVersion`, `SignatureNonce`, `Timestamp`, `SecurityToken`) to
    /// its query, signs the query and form-body parameters, and appends
    /// `Signature`. Returns the string to sign.
    pub fn sign(
        &self,
        request: &mut HttpRequest,
        key: &AccessKey,
        action: &str,
        version: &str,
    ) -> Result<String, SignError> {
        let timestamp = format_iso8601(self.time.system_time());
        let nonce = self.nonces.nonce();
        let mut query: Vec<(String, String)> = decode_form(request.uri().query().unwrap_or(""))
            .map_err(|e| SignError(format!("the query is not valid: {e}")))?;
        query.retain(|(name, _)| name != "Signature");
        let mut common = vec![
            ("Action", action.to_owned()),
            ("Version", version.to_owned()),
            ("Format", "JSON".to_owned()),
            ("AccessKeyId", key.id().to_owned()),
            ("SignatureMethod", "HMAC-SHA1".to_owned()),
            ("SignatureVersion", "1.0".to_owned()),
            ("SignatureNonce", nonce),
            ("Timestamp", timestamp),
        ];
        if let Some(token) = key.security_token() {
            common.push(("SecurityToken", token.expose().to_owned()));
        }
        for (name, value) in common {
            query.retain(|(existing, _)| existing != name);
            query.push((name.to_owned(), value));
        }
        let is_form = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let form = if is_form {
            let body = std::str::from_utf8(request.body())
                .map_err(|_| SignError("the form body is not UTF-8".into()))?;
            decode_form(body).map_err(|e| SignError(format!("the form body is not valid: {e}")))?
        } else {
            Vec::new()
        };
        let all = query
            .iter()
            .chain(form.iter())
            .map(|(n, v)| (n.as_str(), v.as_str()));
        let string_to_sign = string_to_sign_v1(request.method().as_str(), all);
        let signature = signature_v1(&string_to_sign, key.secret().expose());
        let mut query_string = canonical_query(query.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        query_string.push_str("&Signature=");
        query_string.push_str(&percent_encode(&signature));
        set_query(request, &query_string)?;
        Ok(string_to_sign)
    }
}

impl RequestSigner for V1Signer {
    fn sign_request(
        &self,
        request: &mut HttpRequest,
        key: SigningKey<'_>,
        action: &str,
        version: &str,
    ) -> Result<(), SignError> {
        match key {
            SigningKey::AccessKey(key) => self.sign(request, key, action, version).map(|_| ()),
            SigningKey::ApiKey(_) => Err(wrong_key("V1 (HMAC-SHA1)", "an AccessKey")),
        }
    }
}
