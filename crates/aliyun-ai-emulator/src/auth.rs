//! Authentication as the real gateways do it: the V3 signature recomputed
//! from the request as received (over the headers the client lists in
//! `SignedHeaders`, which must include the required ones), the date within
//! 15 minutes, no reused nonce; V1 for RPC; Bearer API keys and the `st-`
//! tokens the emulator issued.

use std::time::{Duration, SystemTime};

use aliyun_ai_auth::encoding::decode_form;
use aliyun_ai_auth::sign::{
    canonical_query_from_encoded, compute_v3, sha256_hex, signature_v1, string_to_sign_v1,
};
use aliyun_ai_auth::time::parse_iso8601;
use http::HeaderMap;

use crate::Credentials;
use crate::state::Shared;

/// Why a request was refused: status, code, message, and (debug only) the
/// string to sign the emulator expected.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub expected_string_to_sign: Option<String>,
}

fn refuse(status: u16, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
        expected_string_to_sign: None,
    }
}

/// The headers V3 requires among the signed ones.
const REQUIRED_SIGNED: &[&str] = &[
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
];

/// What a V3 `Authorization` header says.
struct Authorization<'a> {
    access_key_id: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.strip_prefix("ACS3-HMAC-SHA256 ")?;
    let mut id = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        match key {
            "Credential" => id = Some(value),
            "SignedHeaders" => signed = Some(value.split(';').collect()),
            "Signature" => signature = Some(value),
            _ => {}
        }
    }
    Some(Authorization {
        access_key_id: id?,
        signed_headers: signed?,
        signature: signature?,
    })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn check_time(text: Option<&str>, what: &str) -> Result<(), Refusal> {
    let text = text.ok_or_else(|| refuse(400, "MissingParameter", format!("{what} is missing")))?;
    let time = parse_iso8601(text).ok_or_else(|| {
        refuse(
            400,
            "InvalidTimeStamp.Format",
            format!("{what} `{text}` is not yyyy-MM-ddTHH:mm:ssZ"),
        )
    })?;
    let now = SystemTime::now();
    let skew = match now.duration_since(time) {
        Ok(behind) => behind,
        Err(ahead) => ahead.duration(),
    };
    if skew > Duration::from_secs(15 * 60) {
        return Err(refuse(
            400,
            "InvalidTimeStamp.Expired",
            format!("{what} `{text}` is more than 15 minutes off"),
        ));
    }
    Ok(())
}

/// A request as received, for signature checks.
pub struct Received<'a> {
    /// The method.
    pub method: &'a str,
    /// The path exactly as received (still encoded).
    pub path: &'a str,
    /// The query exactly as received.
    pub query: &'a str,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The body bytes.
    pub body: &'a [u8],
}

/// Checks an AccessKey-signed request (V3, or V1 when `allow_v1` and the
/// query carries a `Signature`).
pub fn check_access_key(
    received: &Received<'_>,
    credentials: &Credentials,
    nonces: &Shared,
    allow_v1: bool,
    debug: bool,
) -> Result<(), Refusal> {
    let Received {
        method,
        path: raw_path,
        query: raw_query,
        headers,
        body,
    } = *received;
    if allow_v1 && raw_query.split('&').any(|p| p.starts_with("Signature=")) {
        return check_v1(method, raw_query, headers, body, credentials, nonces, debug);
    }
    let value = header(headers, "authorization").ok_or_else(|| {
        refuse(
            400,
            "MissingAuthorization",
            "the Authorization header is missing",
        )
    })?;
    let authorization = parse_authorization(value)
        .ok_or_else(|| refuse(400, "InvalidAuthorization", "the Authorization header is not `ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...`"))?;
    if authorization.access_key_id != credentials.access_key_id {
        return Err(refuse(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    }
    for required in REQUIRED_SIGNED {
        if !authorization.signed_headers.contains(required) {
            return Err(refuse(
                400,
                "IncompleteSignature",
                format!("the signed headers must include {required}"),
            ));
        }
    }
    if header(headers, "content-type").is_some()
        && !body.is_empty()
        && !authorization.signed_headers.contains(&"content-type")
    {
        return Err(refuse(
            400,
            "IncompleteSignature",
            "the signed headers must include content-type",
        ));
    }
    let hash = sha256_hex(body);
    if header(headers, "x-acs-content-sha256") != Some(hash.as_str()) {
        return Err(refuse(
            400,
            "ContentSha256Mismatch",
            "x-acs-content-sha256 is not the SHA-256 of the body received",
        ));
    }
    check_time(header(headers, "x-acs-date"), "x-acs-date")?;
    // Every listed header, with all its values, as received.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for name in &authorization.signed_headers {
        let values: Vec<&str> = headers
            .get_all(*name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return Err(refuse(
                400,
                "IncompleteSignature",
                format!("signed header {name} was not sent"),
            ));
        }
        pairs.extend(
            values
                .into_iter()
                .map(|v| ((*name).to_owned(), v.to_owned())),
        );
    }
    let expected = compute_v3(
        method,
        raw_path,
        &canonical_query_from_encoded(raw_query),
        pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        &hash,
        &credentials.access_key_id,
        &credentials.access_key_secret,
    );
    if expected.signature != authorization.signature {
        return Err(Refusal {
            status: 403,
            code: "SignatureDoesNotMatch",
            message: "The request signature does not conform to Aliyun standards.".into(),
            expected_string_to_sign: debug.then_some(expected.string_to_sign),
        });
    }
    let nonce = header(headers, "x-acs-signature-nonce").unwrap_or_default();
    if !nonces.fresh_nonce(nonce) {
        return Err(refuse(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(())
}

fn check_v1(
    method: &str,
    raw_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    credentials: &Credentials,
    nonces: &Shared,
    debug: bool,
) -> Result<(), Refusal> {
    let mut params =
        decode_form(raw_query).map_err(|e| refuse(400, "InvalidParameter", e.to_string()))?;
    let position = params
        .iter()
        .position(|(n, _)| n == "Signature")
        .ok_or_else(|| refuse(400, "MissingSignature", "Signature is missing"))?;
    let signature = params.remove(position).1;
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    if get("AccessKeyId").as_deref() != Some(credentials.access_key_id.as_str()) {
        return Err(refuse(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    }
    check_time(get("Timestamp").as_deref(), "Timestamp")?;
    let mut all = params.clone();
    let is_form = header(headers, "content-type")
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let text = std::str::from_utf8(body)
            .map_err(|_| refuse(400, "InvalidParameter", "the form body is not UTF-8"))?;
        all.extend(decode_form(text).map_err(|e| refuse(400, "InvalidParameter", e.to_string()))?);
    }
    let string_to_sign =
        string_to_sign_v1(method, all.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    if signature_v1(&string_to_sign, &credentials.access_key_secret) != signature {
        return Err(Refusal {
            status: 400,
            code: "SignatureDoesNotMatch",
            message: "Specified signature is not matched with our calculation.".into(),
            expected_string_to_sign: debug.then_some(string_to_sign),
        });
    }
    if !nonces.fresh_nonce(&get("SignatureNonce").unwrap_or_default()) {
        return Err(refuse(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(())
}

/// Checks a DashScope Bearer key: the configured API key, or an unexpired
/// `st-` token the emulator issued (unless `key_only`).
pub fn check_bearer(
    headers: &HeaderMap,
    credentials: &Credentials,
    state: &Shared,
    key_only: bool,
) -> Result<(), Refusal> {
    let invalid = || refuse(401, "InvalidApiKey", "Invalid API-key provided.");
    let value = header(headers, "authorization").ok_or_else(invalid)?;
    let key = value.strip_prefix("Bearer ").ok_or_else(invalid)?.trim();
    if key == credentials.api_key {
        return Ok(());
    }
    if !key_only && key.starts_with("st-") {
        let expiry = state.with(|s| s.tokens.get(key).copied());
        return match expiry {
            Some(expires) if SystemTime::now() < expires => Ok(()),
            Some(_) => Err(refuse(
                401,
                "InvalidApiKey",
                "The temporary token has expired.",
            )),
            None => Err(invalid()),
        };
    }
    Err(invalid())
}
