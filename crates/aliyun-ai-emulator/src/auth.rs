//! Authentication as the real gateways do it, deciding from what a gateway
//! accepts rather than from what this SDK's client happens to send:
//!
//! - V3: the signature recomputed over exactly the headers the client lists
//!   in `SignedHeaders` (any names, values as received; the vendor's SDKs sign
//!   `accept` and `user-agent` too, [`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md)), which must include
//!   `host` and every `x-acs-*` header sent; the content hash checked against
//!   the body received; the date within 15 minutes of the emulator's clock; no
//!   reused nonce; STS keys only with their signed security token.
//! - V1 (RPC): `Signature` in the query or in the form body, `HMAC-SHA1` (or
//!   `HMAC-SHA256`, the other method of the vendor's Java core SDK) with
//!   `SignatureVersion=1.0`, over every query and form parameter.
//! - Bearer: the API key, or an unexpired `st-` token the emulator issued.

use aliyun_ai_core::time::Timer;
use std::time::Duration;

use aliyun_ai_auth::encoding::decode_form;
use aliyun_ai_auth::sign::{
    HeaderSelection, canonical_query_from_encoded, compute_v3, redact_canonical_request,
    sha256_hex, signature_v1, string_to_sign_v1,
};
use aliyun_ai_auth::time::parse_iso8601;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::HeaderMap;

use crate::config::Credentials;
use crate::state::Shared;

/// Why a request was refused: status, code, message, and (with
/// `--debug-signatures` only) what the emulator computed.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub expected: Option<Expected>,
}

/// What a signature check expected, for a user debugging a 403: the whole
/// canonical request (so the differing line shows), and the string to sign.
#[derive(Debug, Clone)]
pub struct Expected {
    pub canonical_request: Option<String>,
    pub string_to_sign: String,
}

fn refuse(status: u16, code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
        expected: None,
    }
}

/// The headers V3 requires among the signed ones (besides every `x-acs-*`
/// header the request carries).
const REQUIRED_SIGNED: &[&str] = &[
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
];

/// How far a request's date may be from the emulator's clock.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// What a V3 `Authorization` header says.
pub(crate) struct Authorization<'a> {
    access_key_id: &'a str,
    signed_headers: HeaderSelection,
    signature: &'a str,
}

pub(crate) fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.trim().strip_prefix("ACS3-HMAC-SHA256")?.trim_start();
    let mut id = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        match key.trim() {
            "Credential" => id = Some(value.trim()),
            "SignedHeaders" => signed = Some(HeaderSelection::exactly(value.split(';'))),
            "Signature" => signature = Some(value.trim()),
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

fn check_time(clock: &dyn Timer, text: Option<&str>, what: &str) -> Result<(), Refusal> {
    let text = text.ok_or_else(|| refuse(400, "MissingParameter", format!("{what} is missing")))?;
    let time = parse_iso8601(text).ok_or_else(|| {
        refuse(
            400,
            "InvalidTimeStamp.Format",
            format!("{what} `{text}` is not yyyy-MM-ddTHH:mm:ssZ"),
        )
    })?;
    let now = clock.system_time();
    let skew = match now.duration_since(time) {
        Ok(behind) => behind,
        Err(ahead) => ahead.duration(),
    };
    if skew > MAX_SKEW {
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

impl Received<'_> {
    fn is_form(&self) -> bool {
        header(self.headers, "content-type").is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
    }
}

/// What the checks need besides the request.
pub struct Verifier<'a> {
    pub credentials: &'a Credentials,
    pub state: &'a Shared,
    pub time: &'a dyn Timer,
    pub debug: bool,
}

/// The secret of a known AccessKey id, and the security token it requires
/// (STS keys).
fn secret_of<'a>(credentials: &'a Credentials, id: &str) -> Option<(&'a str, Option<&'a str>)> {
    if id == credentials.access_key_id {
        return Some((&credentials.access_key_secret, None));
    }
    credentials
        .sts
        .iter()
        .find(|sts| sts.access_key_id == id)
        .map(|sts| {
            (
                sts.access_key_secret.as_str(),
                Some(sts.security_token.as_str()),
            )
        })
}

fn check_security_token(expected: Option<&str>, sent: Option<&str>) -> Result<(), Refusal> {
    match (expected, sent) {
        (None, None) => Ok(()),
        (Some(expected), Some(sent)) if expected == sent => Ok(()),
        (Some(_), None) => Err(refuse(
            400,
            "MissingSecurityToken",
            "an STS AccessKey needs its security token (x-acs-security-token, or SecurityToken for V1)",
        )),
        _ => Err(refuse(
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "The security token does not match the AccessKey.",
        )),
    }
}

impl Verifier<'_> {
    /// Checks an AccessKey-signed request: V3, or V1 when `allow_v1` and the
    /// request carries a `Signature` parameter.
    pub fn check_access_key(&self, received: &Received<'_>, allow_v1: bool) -> Result<(), Refusal> {
        if allow_v1 && header(received.headers, "authorization").is_none() {
            let params = v1_parameters(received)?;
            if params.iter().any(|(name, _)| name == "Signature") {
                return self.check_v1(received.method, params);
            }
        }
        self.check_v3(received)
    }

    fn check_v3(&self, received: &Received<'_>) -> Result<(), Refusal> {
        let headers = received.headers;
        let value = header(headers, "authorization").ok_or_else(|| {
            refuse(
                400,
                "MissingAuthorization",
                "the Authorization header is missing",
            )
        })?;
        let authorization = parse_authorization(value)
            .ok_or_else(|| refuse(400, "InvalidAuthorization", "the Authorization header is not `ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...`"))?;
        let Some((secret, token)) = secret_of(self.credentials, authorization.access_key_id) else {
            return Err(refuse(
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ));
        };
        let signed = &authorization.signed_headers;
        // `host` and the x-acs-* set must be signed: every x-acs-* header
        // that was sent, so that no security token or action rides unsigned.
        let sent_acs = headers
            .keys()
            .map(|name| name.as_str())
            .filter(|name| name.starts_with("x-acs-"));
        for required in REQUIRED_SIGNED.iter().copied().chain(sent_acs) {
            if !signed.selects(required) {
                return Err(refuse(
                    400,
                    "IncompleteSignature",
                    format!("the signed headers must include {required}"),
                ));
            }
        }
        if !received.body.is_empty()
            && header(headers, "content-type").is_some()
            && !signed.selects("content-type")
        {
            return Err(refuse(
                400,
                "IncompleteSignature",
                "the signed headers must include content-type",
            ));
        }
        let hash = sha256_hex(received.body);
        let declared = header(headers, "x-acs-content-sha256").unwrap_or_default();
        if !declared.trim().eq_ignore_ascii_case(&hash) {
            return Err(refuse(
                400,
                "ContentSha256Mismatch",
                "x-acs-content-sha256 is not the SHA-256 of the body received",
            ));
        }
        check_time(self.time, header(headers, "x-acs-date"), "x-acs-date")?;
        check_security_token(token, header(headers, "x-acs-security-token"))?;
        // Exactly the listed headers, every value as received.
        let pairs = signed
            .pick(headers)
            .map_err(|e| refuse(400, "IncompleteSignature", e.to_string()))?;
        let expected = compute_v3(
            received.method,
            received.path,
            &canonical_query_from_encoded(received.query),
            pairs,
            declared.trim(),
            authorization.access_key_id,
            secret,
        );
        if !expected
            .signature
            .eq_ignore_ascii_case(authorization.signature)
        {
            return Err(Refusal {
                status: 403,
                code: "SignatureDoesNotMatch",
                message: "The request signature does not conform to Aliyun standards.".into(),
                expected: self.debug.then(|| Expected {
                    canonical_request: Some(redact_canonical_request(&expected.canonical_request)),
                    string_to_sign: expected.string_to_sign.clone(),
                }),
            });
        }
        let nonce = header(headers, "x-acs-signature-nonce").unwrap_or_default();
        if !self.state.fresh_nonce(nonce) {
            return Err(refuse(
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ));
        }
        Ok(())
    }

    fn check_v1(&self, method: &str, mut params: Vec<(String, String)>) -> Result<(), Refusal> {
        let position = params
            .iter()
            .position(|(n, _)| n == "Signature")
            .ok_or_else(|| refuse(400, "MissingSignature", "Signature is missing"))?;
        let signature = params.remove(position).1;
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let id = get("AccessKeyId").unwrap_or_default();
        let Some((secret, token)) = secret_of(self.credentials, id) else {
            return Err(refuse(
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ));
        };
        let method_name = get("SignatureMethod").unwrap_or("HMAC-SHA1");
        let digest = match method_name.to_ascii_uppercase().as_str() {
            "HMAC-SHA1" => V1Digest::Sha1,
            "HMAC-SHA256" => V1Digest::Sha256,
            _ => {
                return Err(refuse(
                    400,
                    "InvalidParameter",
                    format!("SignatureMethod `{method_name}` is not HMAC-SHA1 or HMAC-SHA256"),
                ));
            }
        };
        if let Some(version) = get("SignatureVersion").filter(|v| *v != "1.0") {
            return Err(refuse(
                400,
                "InvalidParameter",
                format!("SignatureVersion `{version}` is not 1.0"),
            ));
        }
        check_time(self.time, get("Timestamp"), "Timestamp")?;
        check_security_token(token, get("SecurityToken"))?;
        let string_to_sign =
            string_to_sign_v1(method, params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        if digest.sign(&string_to_sign, secret) != signature {
            return Err(Refusal {
                status: 400,
                code: "SignatureDoesNotMatch",
                message: "Specified signature is not matched with our calculation.".into(),
                expected: self.debug.then(|| Expected {
                    canonical_request: None,
                    string_to_sign: string_to_sign.clone(),
                }),
            });
        }
        if !self
            .state
            .fresh_nonce(get("SignatureNonce").unwrap_or_default())
        {
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
    pub fn check_bearer(&self, headers: &HeaderMap, key_only: bool) -> Result<(), Refusal> {
        let invalid = || refuse(401, "InvalidApiKey", "Invalid API-key provided.");
        let value = header(headers, "authorization").ok_or_else(invalid)?;
        let (scheme, key) = value.trim().split_once(' ').ok_or_else(invalid)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(invalid());
        }
        let key = key.trim();
        if key == self.credentials.api_key {
            return Ok(());
        }
        if !key_only && key.starts_with("st-") {
            let expiry = self.state.with(|s| s.tokens.get(key).copied());
            return match expiry {
                Some(expires) if self.time.system_time() < expires => Ok(()),
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
}

/// Every V1 parameter: the query's and, for a form body, the body's (some
/// clients put everything, `Signature` included, in the body of a POST).
fn v1_parameters(received: &Received<'_>) -> Result<Vec<(String, String)>, Refusal> {
    let mut params = decode_form(received.query)
        .map_err(|e| refuse(400, "InvalidParameter", format!("the query: {e}")))?;
    if received.is_form() {
        let text = std::str::from_utf8(received.body)
            .map_err(|_| refuse(400, "InvalidParameter", "the form body is not UTF-8"))?;
        params.extend(
            decode_form(text)
                .map_err(|e| refuse(400, "InvalidParameter", format!("the form body: {e}")))?,
        );
    }
    Ok(params)
}

#[derive(Clone, Copy)]
enum V1Digest {
    Sha1,
    Sha256,
}

impl V1Digest {
    /// base64 HMAC with the key `secret&`.
    fn sign(self, string_to_sign: &str, secret: &str) -> String {
        match self {
            V1Digest::Sha1 => signature_v1(string_to_sign, secret),
            V1Digest::Sha256 => {
                let key = format!("{secret}&");
                // HMAC takes keys of any length: this cannot fail.
                let mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
                    .map(|mut mac| {
                        mac.update(string_to_sign.as_bytes());
                        mac.finalize().into_bytes().to_vec()
                    })
                    .unwrap_or_default();
                base64::engine::general_purpose::STANDARD.encode(mac)
            }
        }
    }
}
