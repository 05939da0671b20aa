//! Signature V3, `ACS3-HMAC-SHA256`, for ROA and RPC ([`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md)).

use aliyun_ai_core::time::Timer;
use aliyun_ai_transport::retry::TokioTimer;
use std::fmt;
use std::sync::Arc;

use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderName};

use super::{
    ALGORITHM_V3, HeaderSelection, Hex, NonceSource, RandomNonce, RequestSigner, SignError,
    SigningKey, canonical_headers, canonical_query_from_encoded, header_value, hmac_sha256,
    host_of, owned_header_value, set_query, sha256_hex_stack, wrong_key,
};
use crate::credentials::AccessKey;
use crate::time::format_iso8601;
use aliyun_ai_transport::HttpRequest;

/// Every intermediate of a V3 signature, for debugging a
/// `SignatureDoesNotMatch`. Its `Debug` hides the signature and the security
/// token; the fields themselves hold everything (print them deliberately).
#[derive(Clone, PartialEq, Eq)]
pub struct V3Signature {
    /// The canonical request.
    pub canonical_request: String,
    /// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
    pub string_to_sign: String,
    /// The `;`-joined signed header names.
    pub signed_headers: String,
    /// The hex signature.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// The canonical request with the security token's value hidden (it is a
/// signed header, so it appears there): safe to print or return to a client.
pub fn redact_canonical_request(canonical_request: &str) -> String {
    canonical_request
        .split('\n')
        .map(|line| {
            if line.starts_with("x-acs-security-token:") {
                "x-acs-security-token:***"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl fmt::Debug for V3Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V3Signature")
            .field(
                "canonical_request",
                &redact_canonical_request(&self.canonical_request),
            )
            .field("string_to_sign", &self.string_to_sign)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &"***")
            .finish_non_exhaustive()
    }
}

/// Computes a V3 signature from its canonical parts.
///
/// `canonical_uri` is the path exactly as sent (already encoded);
/// `canonical_query` as built by [`canonical_query`](super::canonical_query); `headers` are the
/// headers to sign and nothing else (choose them with a [`HeaderSelection`]:
/// the signer's standard set, or exactly a received `SignedHeaders`);
/// `hashed_payload` is the hex SHA-256 of the exact body bytes.
pub fn compute_v3<'a, I>(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: I,
    hashed_payload: &str,
    access_key_id: &str,
    secret: &str,
) -> V3Signature
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    compute(
        method,
        canonical_uri,
        canonical_query,
        headers,
        hashed_payload,
        secret,
    )
    .into_signature(access_key_id)
}

/// A V3 signature's parts, the fixed-size ones on the stack: what signing a
/// request needs, from which [`V3Signature`] is made when asked for.
struct Computed {
    canonical_request: String,
    signed_headers: String,
    string_to_sign: StringToSign,
    signature: Hex<64>,
}

impl Computed {
    /// The `Authorization` header value.
    fn authorization(&self, access_key_id: &str) -> String {
        authorization(access_key_id, &self.signed_headers, self.signature.as_str())
    }

    fn into_signature(self, access_key_id: &str) -> V3Signature {
        V3Signature {
            authorization: self.authorization(access_key_id),
            string_to_sign: self.string_to_sign.as_str().to_owned(),
            signature: self.signature.as_str().to_owned(),
            canonical_request: self.canonical_request,
            signed_headers: self.signed_headers,
        }
    }
}

/// The canonicalisation and signing core behind [`compute_v3`] and the
/// signer.
fn compute<'a, I>(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: I,
    hashed_payload: &str,
    secret: &str,
) -> Computed
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let (canonical_headers, signed_headers) = canonical_headers(headers);
    let canonical_request = canonical_request(
        method,
        canonical_uri,
        canonical_query,
        &canonical_headers,
        &signed_headers,
        hashed_payload,
    );
    let (string_to_sign, signature) = sign_canonical_request(&canonical_request, secret);
    Computed {
        canonical_request,
        signed_headers,
        string_to_sign,
        signature,
    }
}

/// `method\nuri\nquery\nheaders\nsigned\npayload`, in one allocation of
/// the exact size.
fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    hashed_payload: &str,
) -> String {
    let uri = if canonical_uri.is_empty() {
        "/"
    } else {
        canonical_uri
    };
    let parts = [
        method,
        uri,
        canonical_query,
        canonical_headers,
        signed_headers,
        hashed_payload,
    ];
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(part);
    }
    out
}

/// The string to sign (`ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical
/// request) and the hex HMAC-SHA256 signature of it, both on the stack.
fn sign_canonical_request(canonical_request: &str, secret: &str) -> (StringToSign, Hex<64>) {
    let mut string_to_sign = StringToSign([0; STRING_TO_SIGN_LEN]);
    let (algorithm, hash) = string_to_sign.0.split_at_mut(ALGORITHM_V3.len() + 1);
    algorithm[..ALGORITHM_V3.len()].copy_from_slice(ALGORITHM_V3.as_bytes());
    algorithm[ALGORITHM_V3.len()] = b'\n';
    hash.copy_from_slice(
        sha256_hex_stack(canonical_request.as_bytes())
            .as_str()
            .as_bytes(),
    );
    let signature = Hex::of(&hmac_sha256(secret.as_bytes(), &string_to_sign.0));
    (string_to_sign, signature)
}

const STRING_TO_SIGN_LEN: usize = ALGORITHM_V3.len() + 1 + 64;

/// `ACS3-HMAC-SHA256\n` and 64 hex digits.
struct StringToSign([u8; STRING_TO_SIGN_LEN]);

impl StringToSign {
    fn as_str(&self) -> &str {
        // Only ASCII is ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The `Authorization` header value, in one allocation of the exact size.
fn authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    let parts = [
        ALGORITHM_V3,
        " Credential=",
        access_key_id,
        ",SignedHeaders=",
        signed_headers,
        ",Signature=",
        signature,
    ];
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Signs requests with V3 `ACS3-HMAC-SHA256`.
#[derive(Clone)]
pub struct V3Signer {
    time: Arc<dyn Timer>,
    nonces: Arc<dyn NonceSource>,
    headers: HeaderSelection,
}

impl fmt::Debug for V3Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V3Signer")
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl Default for V3Signer {
    fn default() -> Self {
        Self::new(Arc::new(TokioTimer), Arc::new(RandomNonce))
    }
}

impl V3Signer {
    /// A signer dating requests with `time`'s wall clock, with `nonces`, signing the standard headers
    /// ([`HeaderSelection::standard`]).
    pub fn new(time: Arc<dyn Timer>, nonces: Arc<dyn NonceSource>) -> Self {
        Self {
            time,
            nonces,
            headers: HeaderSelection::standard(),
        }
    }

    /// Signs the headers `selection` picks instead, e.g.
    /// `HeaderSelection::standard().also("accept").also("user-agent")` as the
    /// vendor's SDKs do. Set those headers before signing.
    #[must_use]
    pub fn with_signed_headers(mut self, selection: HeaderSelection) -> Self {
        self.headers = selection;
        self
    }

    /// Signs `request` in place for `action` of API `version`: adds `host`,
    /// `x-acs-action`, `x-acs-version`, `x-acs-date`, `x-acs-signature-nonce`,
    /// `x-acs-content-sha256`, `x-acs-security-token` (STS) and
    /// `Authorization`, and rewrites the query to the canonical string signed.
    /// Returns the signature's intermediates.
    ///
    /// Set the body and its `content-type` before signing; change nothing after.
    pub fn sign(
        &self,
        request: &mut HttpRequest,
        key: &AccessKey,
        action: &str,
        version: &str,
    ) -> Result<V3Signature, SignError> {
        Ok(self
            .sign_computed(request, key, action, version)?
            .into_signature(key.id()))
    }

    /// Signs `request` in place, keeping the signature's parts only as long
    /// as the caller wants them ([`V3Signer::sign`] turns them into a
    /// [`V3Signature`]; the client's path drops them).
    fn sign_computed(
        &self,
        request: &mut HttpRequest,
        key: &AccessKey,
        action: &str,
        version: &str,
    ) -> Result<Computed, SignError> {
        let (payload_hash, query) = self.prepare(request, key, action, version)?;
        let pairs = self
            .headers
            .pick(request.headers())
            .map_err(|e| SignError(e.to_string()))?;
        let computed = compute(
            request.method().as_str(),
            request.uri().path(),
            &query,
            pairs,
            payload_hash.as_str(),
            key.secret().expose(),
        );
        let mut authorization =
            owned_header_value(computed.authorization(key.id()), "the authorization")?;
        authorization.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, authorization);
        Ok(computed)
    }

    /// Everything before the signature itself: the query rewritten to its
    /// canonical form, the signer's headers added. Returns the payload hash
    /// and the canonical query.
    fn prepare(
        &self,
        request: &mut HttpRequest,
        key: &AccessKey,
        action: &str,
        version: &str,
    ) -> Result<(Hex<64>, String), SignError> {
        let host = header_value(host_of(request)?, "the host")?;
        // Built as strings for their headers: each becomes the header's bytes.
        let date = owned_header_value(format_iso8601(self.time.system_time()), "the date")?;
        let nonce = owned_header_value(self.nonces.nonce(), "the nonce")?;
        let payload_hash = sha256_hex_stack(request.body());
        let current_query = request.uri().query().unwrap_or("");
        let query = canonical_query_from_encoded(current_query);
        if query != current_query {
            set_query(request, &query)?;
        }
        let headers = request.headers_mut();
        headers.insert(HOST, host);
        headers.insert(
            HeaderName::from_static("x-acs-action"),
            header_value(action, "the action")?,
        );
        headers.insert(
            HeaderName::from_static("x-acs-version"),
            header_value(version, "the version")?,
        );
        headers.insert(HeaderName::from_static("x-acs-date"), date);
        headers.insert(HeaderName::from_static("x-acs-signature-nonce"), nonce);
        headers.insert(
            HeaderName::from_static("x-acs-content-sha256"),
            header_value(payload_hash.as_str(), "the hash")?,
        );
        match key.security_token() {
            Some(token) => {
                let mut value = header_value(token.expose(), "the security token")?;
                value.set_sensitive(true);
                headers.insert(HeaderName::from_static("x-acs-security-token"), value);
            }
            None => {
                headers.remove("x-acs-security-token");
            }
        }
        if request.body().is_empty() {
            request.headers_mut().remove(CONTENT_TYPE);
        }
        Ok((payload_hash, query))
    }
}

impl RequestSigner for V3Signer {
    fn sign_request(
        &self,
        request: &mut HttpRequest,
        key: SigningKey<'_>,
        action: &str,
        version: &str,
    ) -> Result<(), SignError> {
        match key {
            SigningKey::AccessKey(key) => {
                self.sign_computed(request, key, action, version).map(drop)
            }
            SigningKey::ApiKey(_) => Err(wrong_key("ACS3-HMAC-SHA256", "an AccessKey")),
        }
    }
}
