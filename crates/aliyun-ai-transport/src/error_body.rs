//! Reads the code, message and request id out of the vendor's error bodies.
//!
//! POP APIs answer `{"RequestId", "HostId", "Code", "Message", "Recommend"}`, the
//! vendor SDK reads either casing (`Code`/`code`, ...), and some gateways answer
//! `text/xml` with root `Error` (`docs/vendor/apis.md`, "POP error bodies").
//! DashScope answers `{"code", "message", "request_id"}`; CCAI's own bodies use
//! `errorCode`/`errorInfo`; DianJin's `errCode`. The request id is also in the
//! `x-acs-request-id` header.

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

impl ErrorBody {
    /// Parses a JSON (either casing) or XML error body; unknown shapes give
    /// an empty `ErrorBody`.
    pub fn parse(body: &[u8]) -> Self {
        if let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(body) {
            return Self {
                code: first_string(&object, CODE_KEYS),
                message: first_string(&object, MESSAGE_KEYS),
                request_id: first_string(&object, REQUEST_ID_KEYS),
            };
        }
        let text = String::from_utf8_lossy(body);
        if text.contains("<Error") || text.contains("<?xml") {
            return Self {
                code: xml_element(&text, "Code"),
                message: xml_element(&text, "Message"),
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
