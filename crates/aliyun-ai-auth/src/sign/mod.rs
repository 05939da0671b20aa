//! Signers: V3 `ACS3-HMAC-SHA256` (ROA and RPC, [`V3Signer`]), legacy V1
//! HMAC-SHA1 (RPC, STS, [`V1Signer`]), and Bearer (DashScope,
//! [`BearerSigner`]), each a [`RequestSigner`] the client picks by the
//! operation's auth scheme. Everything follows [`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md); the
//! time (core's `Timer`) and the nonce are injected so the vendor's vectors reproduce exactly.
//!
//! The canonical query is the crate's own (never `url`/`form_urlencoded`, which
//! encode a space as `+`), and the signer rewrites the request's query to the
//! canonical string it signed, so the string signed is the string sent.

mod bearer;
mod v1;
mod v3;

pub use bearer::{BearerSigner, apply_bearer};
pub use v1::{V1Signer, signature_v1, string_to_sign_v1};
pub use v3::{V3Signature, V3Signer, compute_v3, redact_canonical_request};

use std::fmt;
use std::time::SystemTime;

use aliyun_ai_core::encoding::percent_encode;
use hmac::{Hmac, Mac};
use http::header::HeaderValue;
use sha2::{Digest, Sha256};

use crate::credentials::{AccessKey, ApiKey};
use aliyun_ai_transport::HttpRequest;

/// The V3 algorithm name.
pub const ALGORITHM_V3: &str = "ACS3-HMAC-SHA256";

/// Hex SHA-256 of an empty body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// ---------------------------------------------------------------------------
// Injected nonces (time is core's `Timer`)

/// Where signature nonces come from. Each request needs a fresh one: the
/// gateways reject a reused nonce.
pub trait NonceSource: Send + Sync {
    /// A new nonce.
    fn nonce(&self) -> String;
}

/// 32 hex characters, unpredictable and unique per request: the first 128
/// bits of SHA-256 over a 256-bit key and a process-wide counter. The key
/// comes from the operating system's generator once per process, so a
/// request costs one hash, not a system call (the counter makes every nonce
/// of a process distinct; the key makes them unguessable and distinct
/// between processes).
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let key = KEY.get_or_init(|| {
            let mut key = [0u8; 32];
            if getrandom::fill(&mut key).is_err() {
                // No OS randomness: the time and the process id, which keep
                // nonces unique between processes, the property that matters.
                let nanos = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                key[..16].copy_from_slice(&nanos.to_le_bytes());
                key[16..20].copy_from_slice(&std::process::id().to_le_bytes());
            }
            key
        });
        let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let digest = Sha256::new()
            .chain_update(key)
            .chain_update(count.to_le_bytes())
            .finalize();
        Hex::<32>::of(&digest[..16]).as_str().to_owned()
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
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        let [high, low] = hex_pair(byte);
        out.push(high as char);
        out.push(low as char);
    }
    out
}

fn hex_pair(byte: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [
        DIGITS[usize::from(byte >> 4)],
        DIGITS[usize::from(byte & 0x0F)],
    ]
}

/// `N` lowercase hex characters on the stack: a digest or a nonce, written
/// into a header or a string to sign without an allocation.
#[derive(Clone, Copy)]
pub(crate) struct Hex<const N: usize>([u8; N]);

impl<const N: usize> Hex<N> {
    /// The hex of `bytes`, which should be `N / 2` long (a shorter slice
    /// leaves `0`s at the end, a longer one is cut; never a panic).
    pub(crate) fn of(bytes: &[u8]) -> Self {
        let mut out = [b'0'; N];
        for (pair, &byte) in out.chunks_exact_mut(2).zip(bytes) {
            pair.copy_from_slice(&hex_pair(byte));
        }
        Self(out)
    }

    /// The hex text.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    sha256_hex_stack(data).as_str().to_owned()
}

/// Lowercase hex SHA-256 of `data`, on the stack.
pub(crate) fn sha256_hex_stack(data: &[u8]) -> Hex<64> {
    Hex::of(&Sha256::digest(data))
}

pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0; 32],
    }
}

pub(crate) fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
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
    if query.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| part.split_once('=').unwrap_or((part, "")))
        .collect();
    pairs.sort_unstable();
    join_pairs(&pairs)
}

fn join_pairs<S: AsRef<str>>(pairs: &[(S, S)]) -> String {
    let length = pairs
        .iter()
        .map(|(n, v)| n.as_ref().len() + v.as_ref().len() + 2)
        .sum();
    let mut out = String::with_capacity(length);
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(name.as_ref());
        out.push('=');
        out.push_str(value.as_ref());
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
/// `content-type` and every `x-acs-*` header ([`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md) calls this
/// list a signer's choice; a verifier must not apply it).
pub fn is_signed_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("host")
        || name.eq_ignore_ascii_case("content-type")
        || name
            .as_bytes()
            .get(..6)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"x-acs-"))
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
        // The names kept are lowercase; `name` may be in any case.
        let listed = |names: &[String]| names.iter().any(|n| n.eq_ignore_ascii_case(name));
        match &self.exact {
            Some(names) => listed(names),
            None => is_signed_header(name) || listed(&self.extra),
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
        let mut picked = Vec::with_capacity(headers.len());
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
    // Sorting (name, value) pairs orders the names and, within a name, its
    // values: one sort, and no allocation for names already lowercase (an
    // `http::HeaderMap`'s always are).
    let mut pairs: Vec<(std::borrow::Cow<'a, str>, &'a str)> = headers
        .into_iter()
        .map(|(name, value)| {
            let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                std::borrow::Cow::Owned(name.to_ascii_lowercase())
            } else {
                std::borrow::Cow::Borrowed(name)
            };
            (name, value.trim())
        })
        .collect();
    pairs.sort_unstable();
    let length: usize = pairs.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let mut canonical = String::with_capacity(length);
    let mut signed = String::with_capacity(length / 2);
    let mut previous: Option<&str> = None;
    for (name, value) in &pairs {
        if previous == Some(name.as_ref()) {
            // Another value of the same name: joined with `,` on its line.
            canonical.pop();
            canonical.push(',');
        } else {
            canonical.push_str(name);
            canonical.push(':');
            if !signed.is_empty() {
                signed.push(';');
            }
            signed.push_str(name);
        }
        canonical.push_str(value);
        canonical.push('\n');
        previous = Some(name.as_ref());
    }
    (canonical, signed)
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

pub(crate) fn header_value(value: &str, what: &str) -> Result<HeaderValue, SignError> {
    HeaderValue::from_str(value)
        .map_err(|_| SignError(format!("{what} is not a valid header value")))
}

/// A header value made from a string built for it, without copying it.
pub(crate) fn owned_header_value(value: String, what: &str) -> Result<HeaderValue, SignError> {
    HeaderValue::from_maybe_shared(bytes::Bytes::from(value))
        .map_err(|_| SignError(format!("{what} is not a valid header value")))
}

/// The request's host (and port), without any user information.
pub(crate) fn host_of(request: &HttpRequest) -> Result<&str, SignError> {
    request
        .uri()
        .authority()
        .map(|a| a.as_str().rsplit('@').next().unwrap_or(a.as_str()))
        .ok_or_else(|| SignError("the request URI has no host".into()))
}

pub(crate) fn set_query(request: &mut HttpRequest, query: &str) -> Result<(), SignError> {
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

// ---------------------------------------------------------------------------
// One interface for every scheme

/// The credential a signer applies: an AccessKey (V3, V1) or a DashScope API
/// key or temporary token (Bearer).
#[derive(Clone, Copy)]
pub enum SigningKey<'a> {
    /// AccessKey credentials.
    AccessKey(&'a AccessKey),
    /// A DashScope API key or `st-` token.
    ApiKey(&'a ApiKey),
}

impl fmt::Debug for SigningKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningKey::AccessKey(key) => f.debug_tuple("AccessKey").field(key).finish(),
            SigningKey::ApiKey(key) => f.debug_tuple("ApiKey").field(key).finish(),
        }
    }
}

/// Signs one attempt of a request in place. Every attempt is signed anew
/// (the gateways refuse a reused nonce), so a signer is called per attempt.
pub trait RequestSigner: Send + Sync + fmt::Debug {
    /// Signs `request` for the operation `action` of API `version` with `key`.
    fn sign_request(
        &self,
        request: &mut HttpRequest,
        key: SigningKey<'_>,
        action: &str,
        version: &str,
    ) -> Result<(), SignError>;
}

/// The error of a signer given the other kind of credential.
pub(crate) fn wrong_key(scheme: &str, needs: &str) -> SignError {
    SignError(format!("{scheme} signs with {needs}"))
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
    fn random_nonces_are_32_hex_digits_and_never_repeat() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let nonce = RandomNonce.nonce();
            assert_eq!(nonce.len(), 32);
            assert!(
                nonce
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            assert!(seen.insert(nonce), "a nonce repeated");
        }
    }

    #[test]
    fn selection_ignores_case_without_lowercasing() {
        for name in ["Host", "CONTENT-TYPE", "X-Acs-Date", "x-acs-"] {
            assert!(is_signed_header(name), "{name}");
        }
        for name in ["accept", "x-acs", "x-ac", "hostname", "é-acs-x"] {
            assert!(!is_signed_header(name), "{name}");
        }
        let also = HeaderSelection::standard().also("User-Agent");
        assert!(also.selects("user-agent") && also.selects("USER-AGENT"));
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
