//! Signers: V3 `ACS3-HMAC-SHA256` (ROA and RPC), legacy V1 HMAC-SHA1 (RPC,
//! STS), and Bearer (DashScope). Everything follows `reference/auth.md`; the
//! clock and the nonce are injected so the vendor's vectors reproduce exactly.
//!
//! The canonical query is the crate's own (never `url`/`form_urlencoded`, which
//! encode a space as `+`), and the signer rewrites the request's query to the
//! canonical string it signed, so the string signed is the string sent.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use aliyun_ai_core::encoding::{decode_form, percent_encode};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderName, HeaderValue};
use sha2::{Digest, Sha256};

use crate::credentials::{AccessKey, ApiKey};
use crate::time::format_iso8601;
use aliyun_ai_transport::HttpRequest;

/// The V3 algorithm name.
pub const ALGORITHM_V3: &str = "ACS3-HMAC-SHA256";

/// Hex SHA-256 of an empty body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// ---------------------------------------------------------------------------
// Injected time and nonces

/// The clock the signers read (`x-acs-date`, V1 `Timestamp`).
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at one instant (tests, vectors).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// Where signature nonces come from. Each request needs a fresh one: the
/// gateways reject a reused nonce.
pub trait NonceSource: Send + Sync {
    /// A new nonce.
    fn nonce(&self) -> String;
}

/// 32 random hex characters from the operating system's generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_err() {
            // No OS randomness: fall back to time and a process-wide counter,
            // which is still unique per request, the property that matters.
            static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let nanos = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            bytes[..8].copy_from_slice(&nanos.to_be_bytes());
            bytes[8..].copy_from_slice(&count.to_be_bytes());
        }
        hex(&bytes)
    }
}

/// Always the same nonce (tests, vectors).
#[derive(Debug, Clone)]
pub struct FixedNonce(pub String);

impl NonceSource for FixedNonce {
    fn nonce(&self) -> String {
        self.0.clone()
    }
}

// ---------------------------------------------------------------------------
// Primitives

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0F)] as char);
    }
    out
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    match Hmac::<sha1::Sha1>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Encodes `(name, value)` pairs as a canonical query: each part
/// percent-encoded on its own (RFC 3986, `%20` for a space), sorted by name
/// then value in byte order, `name=value` joined with `&` (an empty value is
/// `name=`). Use it to build the query you send.
pub fn canonical_query<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut encoded: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(name, value)| (percent_encode(name), percent_encode(value)))
        .collect();
    encoded.sort();
    join_pairs(&encoded)
}

/// The canonical form of a query string that is already encoded as sent:
/// its `name=value` parts sorted (an empty value written `name=`).
pub fn canonical_query_from_encoded(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect();
    pairs.sort();
    join_pairs(&pairs)
}

fn join_pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Encodes a path for the canonical URI: each segment on its own, `/` kept
/// (`/path/ test` -> `/path/%20test`).
pub fn encode_path(path: &str) -> String {
    path.split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a header is one this SDK's signer signs by default: `host`,
/// `content-type` and every `x-acs-*` header (`reference/auth.md` calls this
/// list a signer's choice; a verifier must not apply it).
pub fn is_signed_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "host" || name == "content-type" || name.starts_with("x-acs-")
}

/// Which headers a V3 signature covers: the caller's choice, fed to the one
/// canonicalisation core ([`compute_v3`]) that signer and verifier share.
///
/// - [`HeaderSelection::standard`]: what this SDK's signer signs (`host`,
///   `content-type`, every `x-acs-*`), optionally with extra names
///   ([`HeaderSelection::also`]), as the vendor's SDKs add `accept` and
///   `user-agent`.
/// - [`HeaderSelection::exactly`]: exactly the names a client listed in its
///   `SignedHeaders`, whatever they are. A verifier (a gateway, an emulator)
///   recomputes the signature over these and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSelection {
    exact: Option<Vec<String>>,
    extra: Vec<String>,
}

impl Default for HeaderSelection {
    fn default() -> Self {
        Self::standard()
    }
}

/// A header a [`HeaderSelection`] names that the request does not carry, or
/// carries with a value that is not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusableHeader {
    /// The header's (lowercase) name.
    pub name: String,
    /// Whether it was absent (else its value was not UTF-8).
    pub missing: bool,
}

impl fmt::Display for UnusableHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.missing {
            write!(f, "signed header {} was not sent", self.name)
        } else {
            write!(f, "signed header {} is not UTF-8", self.name)
        }
    }
}

impl std::error::Error for UnusableHeader {}

impl HeaderSelection {
    /// `host`, `content-type` and every `x-acs-*` header: this SDK's default.
    pub fn standard() -> Self {
        Self {
            exact: None,
            extra: Vec::new(),
        }
    }

    /// Exactly these names (case-insensitive), e.g. the `;`-separated list of
    /// a received `SignedHeaders`.
    pub fn exactly<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut names: Vec<String> = names
            .into_iter()
            .map(|n| n.as_ref().trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        names.sort();
        names.dedup();
        Self {
            exact: Some(names),
            extra: Vec::new(),
        }
    }

    /// Also signs `name` (case-insensitive) when the request carries it.
    /// With [`HeaderSelection::exactly`], adds it to the exact list.
    #[must_use]
    pub fn also(mut self, name: impl AsRef<str>) -> Self {
        let name = name.as_ref().trim().to_ascii_lowercase();
        let list = self.exact.as_mut().unwrap_or(&mut self.extra);
        if !list.contains(&name) {
            list.push(name);
            list.sort();
        }
        self
    }

    /// Whether the header `name` is selected.
    pub fn selects(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        match &self.exact {
            Some(names) => names.contains(&lower),
            None => is_signed_header(&lower) || self.extra.contains(&lower),
        }
    }

    /// The exact names, when the selection is [`HeaderSelection::exactly`].
    pub fn exact_names(&self) -> Option<&[String]> {
        self.exact.as_deref()
    }

    /// The selected headers of `headers`, every value as it is (the core
    /// trims them). An exact selection requires each of its names to be
    /// present; the standard one signs those that are.
    pub fn pick<'a>(
        &'a self,
        headers: &'a http::HeaderMap,
    ) -> Result<Vec<(&'a str, &'a str)>, UnusableHeader> {
        let value_of = |name: &str, value: &'a HeaderValue| {
            std::str::from_utf8(value.as_bytes()).map_err(|_| UnusableHeader {
                name: name.to_owned(),
                missing: false,
            })
        };
        let mut picked = Vec::new();
        match &self.exact {
            Some(names) => {
                for name in names {
                    let mut values = headers.get_all(name.as_str()).iter().peekable();
                    if values.peek().is_none() {
                        return Err(UnusableHeader {
                            name: name.clone(),
                            missing: true,
                        });
                    }
                    for value in values {
                        picked.push((name.as_str(), value_of(name, value)?));
                    }
                }
            }
            None => {
                for (name, value) in headers {
                    if self.selects(name.as_str()) {
                        picked.push((name.as_str(), value_of(name.as_str(), value)?));
                    }
                }
            }
        }
        Ok(picked)
    }
}

/// The canonicalisation core: canonical headers and the signed-header list
/// over exactly the `(name, value)` pairs given (the caller selected them,
/// see [`HeaderSelection`]): names lowercased, values trimmed, several values
/// of one name trimmed, sorted and joined with `,`; sorted by name.
pub fn canonical_headers<'a, I>(headers: I) -> (String, String)
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut grouped: std::collections::BTreeMap<String, Vec<&str>> =
        std::collections::BTreeMap::new();
    for (name, value) in headers {
        grouped
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(value.trim());
    }
    let mut canonical = String::new();
    let mut signed = String::new();
    for (name, values) in &mut grouped {
        values.sort_unstable();
        canonical.push_str(name);
        canonical.push(':');
        for (index, value) in values.iter().enumerate() {
            if index > 0 {
                canonical.push(',');
            }
            canonical.push_str(value);
        }
        canonical.push('\n');
        if !signed.is_empty() {
            signed.push(';');
        }
        signed.push_str(name);
    }
    (canonical, signed)
}

// ---------------------------------------------------------------------------
// V3

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
/// `canonical_query` as built by [`canonical_query`]; `headers` are the
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
    let (canonical_headers, signed_headers) = canonical_headers(headers);
    let uri = if canonical_uri.is_empty() {
        "/"
    } else {
        canonical_uri
    };
    let canonical_request = format!(
        "{method}\n{uri}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}"
    );
    let string_to_sign = format!(
        "{ALGORITHM_V3}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let signature = hex(&hmac_sha256(secret.as_bytes(), string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM_V3} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    );
    V3Signature {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    }
}

/// A request that could not be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignError(String);

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not sign the request: {}", self.0)
    }
}

impl std::error::Error for SignError {}

fn header_value(value: &str, what: &str) -> Result<HeaderValue, SignError> {
    HeaderValue::from_str(value)
        .map_err(|_| SignError(format!("{what} is not a valid header value")))
}

fn host_of(request: &HttpRequest) -> Result<String, SignError> {
    request
        .uri()
        .authority()
        .map(|a| {
            a.as_str()
                .rsplit('@')
                .next()
                .unwrap_or(a.as_str())
                .to_owned()
        })
        .ok_or_else(|| SignError("the request URI has no host".into()))
}

fn set_query(request: &mut HttpRequest, query: &str) -> Result<(), SignError> {
    let mut parts = request.uri().clone().into_parts();
    let path = parts
        .path_and_query
        .as_ref()
        .map_or("/", |p| p.path())
        .to_owned();
    let path_and_query = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    parts.path_and_query = Some(
        path_and_query
            .parse()
            .map_err(|_| SignError("the canonical query is not a valid URI".into()))?,
    );
    *request.uri_mut() =
        http::Uri::from_parts(parts).map_err(|_| SignError("invalid URI".into()))?;
    Ok(())
}

/// Signs requests with V3 `ACS3-HMAC-SHA256`.
#[derive(Clone)]
pub struct V3Signer {
    clock: Arc<dyn Clock>,
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
        Self::new(Arc::new(SystemClock), Arc::new(RandomNonce))
    }
}

impl V3Signer {
    /// A signer reading `clock` and `nonces`, signing the standard headers
    /// ([`HeaderSelection::standard`]).
    pub fn new(clock: Arc<dyn Clock>, nonces: Arc<dyn NonceSource>) -> Self {
        Self {
            clock,
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
        let host = host_of(request)?;
        let date = format_iso8601(self.clock.now());
        let nonce = self.nonces.nonce();
        let payload_hash = sha256_hex(request.body());
        let query = canonical_query_from_encoded(request.uri().query().unwrap_or(""));
        set_query(request, &query)?;
        let headers = request.headers_mut();
        headers.insert(HOST, header_value(&host, "the host")?);
        headers.insert(
            HeaderName::from_static("x-acs-action"),
            header_value(action, "the action")?,
        );
        headers.insert(
            HeaderName::from_static("x-acs-version"),
            header_value(version, "the version")?,
        );
        headers.insert(
            HeaderName::from_static("x-acs-date"),
            header_value(&date, "the date")?,
        );
        headers.insert(
            HeaderName::from_static("x-acs-signature-nonce"),
            header_value(&nonce, "the nonce")?,
        );
        headers.insert(
            HeaderName::from_static("x-acs-content-sha256"),
            header_value(&payload_hash, "the hash")?,
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
        let pairs = self
            .headers
            .pick(request.headers())
            .map_err(|e| SignError(e.to_string()))?;
        let signature = compute_v3(
            request.method().as_str(),
            request.uri().path(),
            &query,
            pairs,
            &payload_hash,
            key.id(),
            key.secret().expose(),
        );
        let mut authorization = header_value(&signature.authorization, "the authorization")?;
        authorization.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, authorization);
        Ok(signature)
    }
}

// ---------------------------------------------------------------------------
// V1

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
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
}

impl fmt::Debug for V1Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V1Signer").finish_non_exhaustive()
    }
}

impl Default for V1Signer {
    fn default() -> Self {
        Self::new(Arc::new(SystemClock), Arc::new(RandomNonce))
    }
}

impl V1Signer {
    /// A signer reading `clock` and `nonces`.
    pub fn new(clock: Arc<dyn Clock>, nonces: Arc<dyn NonceSource>) -> Self {
        Self { clock, nonces }
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
        let timestamp = format_iso8601(self.clock.now());
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

// ---------------------------------------------------------------------------
// Bearer

/// Sets `Authorization: Bearer <key>` (DashScope), marked sensitive.
pub fn apply_bearer(request: &mut HttpRequest, key: &ApiKey) -> Result<(), SignError> {
    let mut value = header_value(&format!("Bearer {}", key.secret().expose()), "the API key")?;
    value.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in [
            ("host", "h"),
            ("content-type", "application/json"),
            ("accept", "application/json"),
            ("user-agent", "ua"),
            ("x-acs-date", "d"),
            ("x-acs-test", " b "),
        ] {
            map.append(name, HeaderValue::from_static(value));
        }
        map.append("x-acs-test", HeaderValue::from_static("a"));
        map
    }

    #[test]
    fn the_standard_selection_signs_host_content_type_and_x_acs() {
        let map = headers();
        let standard = HeaderSelection::standard();
        let names: Vec<&str> = standard.pick(&map).unwrap().iter().map(|p| p.0).collect();
        assert_eq!(
            names,
            [
                "host",
                "content-type",
                "x-acs-date",
                "x-acs-test",
                "x-acs-test"
            ]
        );
        let (canonical, signed) = canonical_headers(standard.pick(&map).unwrap());
        assert_eq!(
            canonical,
            "content-type:application/json\nhost:h\nx-acs-date:d\nx-acs-test:a,b\n"
        );
        assert_eq!(signed, "content-type;host;x-acs-date;x-acs-test");
        let vendor = HeaderSelection::standard()
            .also("User-Agent")
            .also("accept");
        let (_, signed) = canonical_headers(vendor.pick(&map).unwrap());
        assert_eq!(
            signed,
            "accept;content-type;host;user-agent;x-acs-date;x-acs-test"
        );
    }

    #[test]
    fn an_exact_selection_signs_those_names_and_requires_them() {
        let map = headers();
        let exact = HeaderSelection::exactly("user-agent;HOST;accept".split(';'));
        assert!(exact.selects("Host") && !exact.selects("x-acs-date"));
        let (canonical, signed) = canonical_headers(exact.pick(&map).unwrap());
        assert_eq!(
            canonical,
            "accept:application/json\nhost:h\nuser-agent:ua\n"
        );
        assert_eq!(signed, "accept;host;user-agent");
        let missing = HeaderSelection::exactly(["host", "x-acs-nonce"]);
        let error = missing.pick(&map).unwrap_err();
        assert_eq!(error.to_string(), "signed header x-acs-nonce was not sent");
    }
}
