//! DashScope's `Authorization: Bearer <key>`.

use http::header::AUTHORIZATION;

use super::{RequestSigner, SignError, SigningKey, header_value, wrong_key};
use crate::credentials::ApiKey;
use aliyun_ai_transport::HttpRequest;

/// Sets `Authorization: Bearer <key>` (DashScope), marked sensitive.
pub fn apply_bearer(request: &mut HttpRequest, key: &ApiKey) -> Result<(), SignError> {
    let mut value = header_value(&format!("Bearer {}", key.secret().expose()), "the API key")?;
    value.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}

/// Bearer authentication as a [`RequestSigner`] (the action and version play
/// no part in it).
#[derive(Debug, Clone, Copy, Default)]
pub struct BearerSigner;

impl RequestSigner for BearerSigner {
    fn sign_request(
        &self,
        request: &mut HttpRequest,
        key: SigningKey<'_>,
        _action: &str,
        _version: &str,
    ) -> Result<(), SignError> {
        match key {
            SigningKey::ApiKey(key) => apply_bearer(request, key),
            SigningKey::AccessKey(_) => Err(wrong_key("Bearer", "a DashScope API key")),
        }
    }
}
