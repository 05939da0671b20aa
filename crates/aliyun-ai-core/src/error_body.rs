//! Reads the code, message and request id out of the vendor's error bodies.
//!
//! POP APIs answer `{"RequestId", "HostId", "Code", "Message", "Recommend"}`, the
//! vendor SDK reads either casing (`Code`/`code`, ...), and some gateways answer
//! `text/xml` with root `Error` ([`docs/vendor/apis.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/apis.md), "POP error bodies").
//! DashScope answers `{"code", "message", "request_id"}`; CCAI's own bodies use
//! `errorCode`/`errorInfo`; DianJin's `errCode`. The request id is also in the
//! `x-acs-request-id` header.
//!
//! A message is [`scrub`]bed as it is read: a service or proxy that echoes
//! the request it refused (a query with its `Signature`, a security token, a
//! `Bearer` key) cannot make an error print them.

/// The headers an answer's request id is in, in the order they are read:
/// `x-acs-request-id` (POP and DashScope gateways), else `x-request-id` or
/// `x-dashscope-request-id`.
pub const REQUEST_ID_HEADERS: &[&str] =
    &["x-acs-request-id", "x-request-id", "x-dashscope-request-id"];

/// The fields of an error body that a program can act on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// The vendor's error code, e.g. `CCAI.Throttling.Qps`.
    pub code: Option<String>,
    /// The vendor's message.
    pub message: Option<String>,
    /// The request id.
    pub request_id: Option<String>,
}

const CODE_KEYS: &[&str] = &["Code", "code", "errorCode", "errCode", "ErrorCode"];
const MESSAGE_KEYS: &[&str] = &[
    "Message",
    "message",
    "errorInfo",
    "errorMessage",
    "ErrorMessage",
    "msg",
];
const REQUEST_ID_KEYS: &[&str] = &["RequestId", "requestId", "request_id", "RequestID"];

fn first_string(
    object: &serde_json::Map<String, serde_json::Value>,
    keys: &[&str],
) -> Option<String> {
    keys.iter().find_map(|key| match object.get(*key)? {
        serde_json::Value::String(text) if !text.is_empty() => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

fn xml_element(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&close)?;
    let value = text[start..end].trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// Parameter names whose `name=value` (or `name: value`) is a credential.
const SECRET_PARAMETERS: &[&str] = &[
    "signature",
    "securitytoken",
    "security-token",
    "x-acs-security-token",
    "x-oss-security-token",
    "oidctoken",
    "accesskeysecret",
    "access_key_secret",
];

/// `text` with the value after each credential parameter name (`Signature=`,
/// `SecurityToken=`, `x-acs-security-token: `...) and after `Bearer `
/// replaced by `<redacted>`. Names match without regard to case; a value
/// ends at `&`, whitespace, a quote, `,` or `;`.
pub fn scrub(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut index = 0;
    while index < text.len() {
        let rest = &lower[index..];
        let name = SECRET_PARAMETERS
            .iter()
            .find(|name| {
                rest.starts_with(*name)
                    && (index == 0 || !lower.as_bytes()[index - 1].is_ascii_alphanumeric())
            })
            .map(|name| name.len())
            .or_else(|| rest.starts_with("bearer ").then_some("bearer".len()));
        let Some(name_len) = name else {
            index += text[index..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        // The separator: `=`, `:` (a JSON key's closing quote before it is
        // fine) or a space (after Bearer), then spaces and an opening quote.
        let bytes = text.as_bytes();
        let mut at = index + name_len;
        if matches!(bytes.get(at), Some(b'"' | b'\'')) {
            at += 1;
        }
        let bearer = rest.starts_with("bearer");
        match bytes.get(at) {
            Some(b'=' | b':') => at += 1,
            Some(b' ') if bearer => {}
            _ => {
                index += name_len;
                continue;
            }
        }
        while bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        if matches!(bytes.get(at), Some(b'"' | b'\'')) {
            at += 1;
        }
        let value_start = at;
        let value_end = text[value_start..]
            .find(|c: char| c == '&' || c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';'))
            .map_or(text.len(), |end| value_start + end);
        if value_end > value_start {
            out.push_str(&text[copied..value_start]);
            out.push_str("<redacted>");
            copied = value_end;
        }
        index = value_end.max(index + name_len);
    }
    out.push_str(&text[copied..]);
    out
}

impl ErrorBody {
    /// Parses a JSON (either casing) or XML error body; unknown shapes give
    /// an empty `ErrorBody`.
    pub fn parse(body: &[u8]) -> Self {
        if let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(body) {
            return Self {
                code: first_string(&object, CODE_KEYS),
                message: first_string(&object, MESSAGE_KEYS).map(|m| scrub(&m)),
                request_id: first_string(&object, REQUEST_ID_KEYS),
            };
        }
        let text = String::from_utf8_lossy(body);
        if text.contains("<Error") || text.contains("<?xml") {
            return Self {
                code: xml_element(&text, "Code"),
                message: xml_element(&text, "Message").map(|m| scrub(&m)),
                request_id: xml_element(&text, "RequestId"),
            };
        }
        Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_echoed_in_a_message_are_scrubbed() {
        let echoed = "refused: AccessKeyId=LTAI&Signature=abc%3D&SignatureNonce=n \
            x-acs-security-token: TOKEN1 Authorization=Bearer sk-123, OIDCToken=eyJ.x.y; \
            SecurityToken=\"T2\" 你好";
        let clean = scrub(echoed);
        for secret in ["abc%3D", "TOKEN1", "sk-123", "eyJ.x.y", "T2"] {
            assert!(!clean.contains(secret), "{secret} in {clean}");
        }
        // What is not a credential stays, the non-ASCII text included.
        for kept in ["AccessKeyId=LTAI", "SignatureNonce=n", "你好", "refused:"] {
            assert!(clean.contains(kept), "{kept} lost from {clean}");
        }
        assert_eq!(scrub("no secrets here"), "no secrets here");
        let json = scrub(r#"{"SecurityToken": "T3", "Signature":"S3"}"#);
        assert!(!json.contains("T3") && !json.contains("S3"), "{json}");
        let parsed = ErrorBody::parse(br#"{"Code":"X","Message":"bad Signature=SIG1"}"#);
        assert_eq!(parsed.message.as_deref(), Some("bad Signature=<redacted>"));
    }

    #[test]
    fn reads_every_casing_and_xml() {
        let pop = ErrorBody::parse(
            br#"{"RequestId":"R1","HostId":"h","Code":"Throttling.Api","Message":"slow down"}"#,
        );
        assert_eq!(
            (pop.code.as_deref(), pop.request_id.as_deref()),
            (Some("Throttling.Api"), Some("R1"))
        );
        let lower =
            ErrorBody::parse(br#"{"requestId":"R2","code":"CCAI.Throttling.Qps","message":"m"}"#);
        assert_eq!(lower.code.as_deref(), Some("CCAI.Throttling.Qps"));
        let dashscope =
            ErrorBody::parse(br#"{"code":"InvalidApiKey","message":"bad key","request_id":"R3"}"#);
        assert_eq!(dashscope.request_id.as_deref(), Some("R3"));
        let xml = ErrorBody::parse(b"<?xml version=\"1.0\"?><Error><RequestId>R4</RequestId><Code>Throttling</Code><Message>x</Message></Error>");
        assert_eq!(
            (xml.code.as_deref(), xml.request_id.as_deref()),
            (Some("Throttling"), Some("R4"))
        );
        assert_eq!(
            ErrorBody::parse(b"<html>bad gateway</html>"),
            ErrorBody::default()
        );
        assert_eq!(ErrorBody::parse(b"\xff\xfe"), ErrorBody::default());
    }
}
