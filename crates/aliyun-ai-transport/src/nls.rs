//! The NLS message format (Intelligent Speech Interaction's real-time
//! protocol), as Tingwu's live meetings speak it on `MeetingJoinUrl`: every
//! command and event is one JSON object in a text frame, `{"header": {..},
//! "payload": {..}}`; audio goes as raw binary frames, unwrapped.
//!
//! ```text
//! {"header":{"message_id":"0f1e2d3c4b5a69788796a5b4c3d2e1f0","task_id":"aa11bb22cc33dd44ee55ff6677889900",
//!  "namespace":"SpeechTranscriber","name":"StartTranscription","appkey":"default"},
//!  "payload":{"format":"pcm","sample_rate":16000}}
//! ```
//!
//! Sources: the protocol tables of
//! [docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md)
//! §4.3 and §4.5 (the vendor's Tingwu samples and the NLS SDKs). Decoding is
//! lenient where the sources disagree: `status_text` or the NLS page's
//! `status_message`, `status` as a number or a numeric string, a missing
//! `payload` read as `null`. Encoding writes the header keys in the vendor
//! sample's order. This module knows the format only; which commands and
//! events exist is the session's business.

use std::fmt;

use serde_json::Value;

/// The namespace of every command of a live meeting's transcription.
pub const SPEECH_TRANSCRIBER: &str = "SpeechTranscriber";

/// `header.status` of a message that reports no error.
pub const STATUS_OK: u32 = 20_000_000;

/// The header of a command or an event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct NlsHeader {
    /// `SpeechTranscriber` (gateway errors use `Default`).
    pub namespace: String,
    /// The command or event: `StartTranscription`, `SentenceEnd`...
    pub name: String,
    /// This message's id: 32 lowercase hex digits.
    pub message_id: String,
    /// The connection's id, the same in every message of it: 32 hex digits.
    pub task_id: String,
    /// The application key of a command (`default` for Tingwu).
    pub appkey: Option<String>,
    /// An event's status: [`STATUS_OK`], or `4xxxxxxx` / `5xxxxxxx`.
    pub status: Option<u32>,
    /// An event's status text (`Gateway:SUCCESS:Success.`).
    pub status_text: Option<String>,
    /// On `ResultTranslated`: the message the translation belongs to.
    pub source_message_id: Option<String>,
}

impl NlsHeader {
    /// The header of a command of `namespace`, with its ids.
    pub fn command(
        namespace: impl Into<String>,
        name: impl Into<String>,
        message_id: impl Into<String>,
        task_id: impl Into<String>,
    ) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            message_id: message_id.into(),
            task_id: task_id.into(),
            ..Self::default()
        }
    }

    /// With the application key.
    #[must_use]
    pub fn with_appkey(mut self, appkey: impl Into<String>) -> Self {
        self.appkey = Some(appkey.into());
        self
    }

    /// With a status and its text (an event's).
    #[must_use]
    pub fn with_status(mut self, status: u32, text: impl Into<String>) -> Self {
        self.status = Some(status);
        self.status_text = Some(text.into());
        self
    }
}

/// One NLS message: its header and its payload (`Value::Null` when absent).
///
/// ```
/// use aliyun_ai_transport::nls::{NlsHeader, NlsMessage, SPEECH_TRANSCRIBER};
/// use serde_json::json;
///
/// let header = NlsHeader::command(
///     SPEECH_TRANSCRIBER,
///     "StartTranscription",
///     "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
///     "aa11bb22cc33dd44ee55ff6677889900",
/// )
/// .with_appkey("default");
/// let message = NlsMessage::new(header, json!({"format": "pcm", "sample_rate": 16000}));
/// let text = message.encode();
/// assert!(text.starts_with(r#"{"header":{"message_id":"0f1e2d3c4b5a69788796a5b4c3d2e1f0","#));
/// assert_eq!(NlsMessage::decode(&text, 64 * 1024).unwrap(), message);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NlsMessage {
    /// The header.
    pub header: NlsHeader,
    /// The payload object (`Value::Null` when the message has none).
    pub payload: Value,
}

/// Why a text frame is not an NLS message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NlsError {
    /// The frame is longer than the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The frame is not a JSON object. Holds the parser's message.
    NotJson(String),
    /// No `header` object.
    MissingHeader,
    /// The header has no `name`.
    MissingName,
}

impl fmt::Display for NlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit } => write!(f, "an NLS message over {limit} bytes"),
            Self::NotJson(error) => write!(f, "an NLS message is not a JSON object: {error}"),
            Self::MissingHeader => f.write_str("an NLS message has no header object"),
            Self::MissingName => f.write_str("an NLS message header has no name"),
        }
    }
}

impl std::error::Error for NlsError {}

impl NlsMessage {
    /// A message of `header` and `payload`.
    pub fn new(header: NlsHeader, payload: Value) -> Self {
        Self { header, payload }
    }

    /// The command or event name.
    pub fn name(&self) -> &str {
        &self.header.name
    }

    /// Whether the status (if any) is [`STATUS_OK`].
    pub fn is_ok(&self) -> bool {
        self.header.status.is_none_or(|status| status == STATUS_OK)
    }

    /// The JSON text of the message, header keys in the vendor sample's
    /// order, absent ones left out, no `payload` key when it is `null`.
    pub fn encode(&self) -> String {
        let header = &self.header;
        let mut fields: Vec<(&str, Value)> = vec![
            ("message_id", header.message_id.as_str().into()),
            ("task_id", header.task_id.as_str().into()),
            ("namespace", header.namespace.as_str().into()),
            ("name", header.name.as_str().into()),
        ];
        if let Some(appkey) = &header.appkey {
            fields.push(("appkey", appkey.as_str().into()));
        }
        if let Some(status) = header.status {
            fields.push(("status", status.into()));
        }
        if let Some(text) = &header.status_text {
            fields.push(("status_text", text.as_str().into()));
        }
        if let Some(source) = &header.source_message_id {
            fields.push(("source_message_id", source.as_str().into()));
        }
        // serde_json's map keeps insertion order only with `preserve_order`,
        // which this crate does not ask for: the header is written in order
        // by hand (keys are plain ASCII, values JSON-escaped by serde_json).
        let mut text = String::from("{\"header\":{");
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push('"');
            text.push_str(key);
            text.push_str("\":");
            text.push_str(&value.to_string());
        }
        text.push('}');
        if !self.payload.is_null() {
            text.push_str(",\"payload\":");
            text.push_str(&self.payload.to_string());
        }
        text.push('}');
        text
    }

    /// Reads one text frame, refusing one longer than `max_bytes`.
    pub fn decode(text: &str, max_bytes: usize) -> Result<Self, NlsError> {
        if text.len() > max_bytes {
            return Err(NlsError::TooLarge { limit: max_bytes });
        }
        let value: Value =
            serde_json::from_str(text).map_err(|e| NlsError::NotJson(e.to_string()))?;
        let Value::Object(mut object) = value else {
            return Err(NlsError::NotJson("not an object".into()));
        };
        let Some(Value::Object(header)) = object.remove("header") else {
            return Err(NlsError::MissingHeader);
        };
        let text_of = |key: &str| header.get(key).and_then(Value::as_str).map(str::to_owned);
        let name = text_of("name").ok_or(NlsError::MissingName)?;
        let status = header.get("status").and_then(|status| match status {
            Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        Ok(Self {
            header: NlsHeader {
                namespace: text_of("namespace").unwrap_or_default(),
                name,
                message_id: text_of("message_id").unwrap_or_default(),
                task_id: text_of("task_id").unwrap_or_default(),
                appkey: text_of("appkey"),
                status,
                status_text: text_of("status_text").or_else(|| text_of("status_message")),
                source_message_id: text_of("source_message_id"),
            },
            payload: object.remove("payload").unwrap_or(Value::Null),
        })
    }
}

/// Whether `id` is an NLS message or task id: 32 lowercase hex digits (the
/// gateway answers any other with `40000002`, "Invalid message id").
pub fn is_nls_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_vendor_samples_event_decodes_with_every_header_field() {
        let text = r#"{"header": {"namespace": "SpeechTranscriber", "name": "ResultTranslated", "status": 20000000,
            "message_id": "5678ef005678ef005678ef005678ef00", "task_id": "aa11bb22cc33dd44ee55ff6677889900",
            "status_text": "Gateway:SUCCESS:Success.", "source_message_id": "1234abcd1234abcd1234abcd1234abcd"},
            "payload": {"speaker_id": "1", "source_lang": "en", "target_lang": "cn"}}"#;
        let message = NlsMessage::decode(text, 4096).unwrap();
        assert_eq!(message.name(), "ResultTranslated");
        assert_eq!(message.header.status, Some(STATUS_OK));
        assert!(message.is_ok());
        assert_eq!(
            message.header.source_message_id.as_deref(),
            Some("1234abcd1234abcd1234abcd1234abcd")
        );
        assert_eq!(message.payload["target_lang"], "cn");
        // What it decodes to encodes back to the same message.
        assert_eq!(
            NlsMessage::decode(&message.encode(), 4096).unwrap(),
            message
        );
    }

    #[test]
    fn the_nls_pages_spellings_decode_too() {
        let text = r#"{"header": {"namespace": "Default", "name": "TaskFailed", "status": "40000004",
            "status_message": "GATEWAY|IDLE_TIMEOUT|Idle timeout."}}"#;
        let message = NlsMessage::decode(text, 4096).unwrap();
        assert_eq!(message.header.status, Some(40_000_004));
        assert!(!message.is_ok());
        assert_eq!(
            message.header.status_text.as_deref(),
            Some("GATEWAY|IDLE_TIMEOUT|Idle timeout.")
        );
        assert_eq!(message.payload, Value::Null);
    }

    #[test]
    fn a_command_is_written_in_the_vendor_samples_order() {
        let header = NlsHeader::command(
            SPEECH_TRANSCRIBER,
            "StopTranscription",
            "a".repeat(32),
            "b".repeat(32),
        )
        .with_appkey("default");
        assert_eq!(
            NlsMessage::new(header, Value::Null).encode(),
            format!(
                r#"{{"header":{{"message_id":"{}","task_id":"{}","namespace":"SpeechTranscriber","name":"StopTranscription","appkey":"default"}}}}"#,
                "a".repeat(32),
                "b".repeat(32)
            )
        );
    }

    #[test]
    fn what_is_no_nls_message_is_refused_with_its_reason() {
        assert_eq!(
            NlsMessage::decode("[1]", 64),
            Err(NlsError::NotJson("not an object".into()))
        );
        assert!(matches!(
            NlsMessage::decode("{", 64),
            Err(NlsError::NotJson(_))
        ));
        assert_eq!(
            NlsMessage::decode(r#"{"payload":{}}"#, 64),
            Err(NlsError::MissingHeader)
        );
        assert_eq!(
            NlsMessage::decode(r#"{"header":{"namespace":"x"}}"#, 64),
            Err(NlsError::MissingName)
        );
        let long =
            json!({"header": {"name": "x"}, "payload": {"text": "y".repeat(100)}}).to_string();
        assert_eq!(
            NlsMessage::decode(&long, 64),
            Err(NlsError::TooLarge { limit: 64 })
        );
    }

    #[test]
    fn ids_are_32_lowercase_hex_digits() {
        assert!(is_nls_id("0f1e2d3c4b5a69788796a5b4c3d2e1f0"));
        assert!(!is_nls_id("0F1E2D3C4B5A69788796A5B4C3D2E1F0"));
        assert!(!is_nls_id("0f1e2d3c"));
        assert!(!is_nls_id("zz1e2d3c4b5a69788796a5b4c3d2e1f0"));
    }
}
