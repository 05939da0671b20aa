//! RPC form bodies in which complex parameters travel as JSON strings.
//!
//! RetailBot's RecognizeMessage sends **every** parameter in an
//! `application/x-www-form-urlencoded` body: scalars as plain fields and each
//! complex parameter (array, object, map) as one field holding a compact JSON
//! string, never flattened to `Orders.1.OrderId` ([`docs/vendor/apis.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/apis.md),
//! RetailBot). Fields are written sorted by name and nested JSON objects with
//! sorted keys, so the bytes do not depend on serde_json's `preserve_order`
//! feature being enabled somewhere in the dependency graph.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::encoding::{PercentDecodeError, decode_form, encode_form};

/// How a form field's text maps back to a JSON value when decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormFieldKind {
    /// Plain text.
    Text,
    /// A decimal integer.
    Integer,
    /// A decimal number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON document (array, object or map).
    Json,
}

/// Writes `value` as compact JSON with object keys sorted.
fn write_canonical_json(out: &mut String, value: &Value) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical_json(out, item);
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The form fields of a serializable struct: scalars as text, complex values
/// as JSON strings, `null` (unset) fields left out, sorted by name.
pub fn form_fields<T: Serialize + ?Sized>(
    value: &T,
) -> Result<Vec<(String, String)>, serde_json::Error> {
    let object = match serde_json::to_value(value)? {
        Value::Object(object) => object,
        _ => {
            return Err(serde::ser::Error::custom(
                "a form body must be built from a struct",
            ));
        }
    };
    let mut fields: Vec<(String, String)> = object
        .into_iter()
        .filter_map(|(name, value)| {
            let text = match value {
                Value::Null => return None,
                Value::String(text) => text,
                Value::Bool(flag) => flag.to_string(),
                Value::Number(number) => number.to_string(),
                complex => {
                    let mut text = String::new();
                    write_canonical_json(&mut text, &complex);
                    text
                }
            };
            Some((name, text))
        })
        .collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(fields)
}

/// Encodes a serializable struct as a form body (see [`form_fields`]).
pub fn encode_form_body<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let fields = form_fields(value)?;
    Ok(encode_form(fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))).into_bytes())
}

/// A form body that does not decode into the expected request.
#[derive(Debug)]
#[non_exhaustive]
pub enum FormDecodeError {
    /// The body is not valid percent-encoding.
    Encoding(PercentDecodeError),
    /// A field's text does not fit its kind (e.g. `Round=two`).
    Field {
        /// The field's name.
        name: String,
        /// What it should have been.
        expected: FormFieldKind,
    },
    /// The decoded fields do not make a valid request (e.g. one is missing).
    Shape(serde_json::Error),
}

impl fmt::Display for FormDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormDecodeError::Encoding(error) => write!(f, "malformed form body: {error}"),
            FormDecodeError::Field { name, expected } => {
                write!(f, "form field `{name}` is not a valid {expected:?} value")
            }
            FormDecodeError::Shape(error) => write!(f, "form body does not fit: {error}"),
        }
    }
}

impl std::error::Error for FormDecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FormDecodeError::Encoding(error) => Some(error),
            FormDecodeError::Field { .. } => None,
            FormDecodeError::Shape(error) => Some(error),
        }
    }
}

fn field_value(name: &str, text: String, kind: FormFieldKind) -> Result<Value, FormDecodeError> {
    let wrong = || FormDecodeError::Field {
        name: name.to_owned(),
        expected: kind,
    };
    Ok(match kind {
        FormFieldKind::Text => Value::String(text),
        FormFieldKind::Integer => Value::from(text.trim().parse::<i64>().map_err(|_| wrong())?),
        FormFieldKind::Number => {
            let number = text.trim().parse::<f64>().map_err(|_| wrong())?;
            serde_json::Number::from_f64(number)
                .map(Value::Number)
                .ok_or_else(wrong)?
        }
        FormFieldKind::Boolean => match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Value::Bool(true),
            t if t.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => return Err(wrong()),
        },
        FormFieldKind::Json => serde_json::from_str(&text).map_err(|_| wrong())?,
    })
}

/// Decodes a form body into `T`, reading each field listed in `fields` as its
/// kind. Fields not listed are kept as text (and ignored by `T` unless it
/// names them).
pub fn decode_form_body<T: DeserializeOwned>(
    body: &str,
    fields: &[(&str, FormFieldKind)],
) -> Result<T, FormDecodeError> {
    let mut object = Map::new();
    for (name, text) in decode_form(body).map_err(FormDecodeError::Encoding)? {
        let kind = fields
            .iter()
            .find(|(known, _)| *known == name)
            .map_or(FormFieldKind::Text, |(_, kind)| *kind);
        let value = field_value(&name, text, kind)?;
        object.insert(name, value);
    }
    serde_json::from_value(Value::Object(object)).map_err(FormDecodeError::Shape)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Message {
        #[serde(rename = "Round")]
        round: i64,
        #[serde(rename = "Content")]
        content: String,
        #[serde(rename = "StressTesting", skip_serializing_if = "Option::is_none")]
        stress_testing: Option<bool>,
        #[serde(rename = "Items", skip_serializing_if = "Option::is_none")]
        items: Option<Vec<Item>>,
        #[serde(rename = "ExtraContent", skip_serializing_if = "Option::is_none")]
        extra: Option<BTreeMap<String, String>>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Item {
        #[serde(rename = "Title")]
        title: String,
        #[serde(rename = "ItemId")]
        item_id: String,
    }

    const FIELDS: &[(&str, FormFieldKind)] = &[
        ("Round", FormFieldKind::Integer),
        ("Content", FormFieldKind::Text),
        ("StressTesting", FormFieldKind::Boolean),
        ("Items", FormFieldKind::Json),
        ("ExtraContent", FormFieldKind::Json),
    ];

    #[test]
    fn complex_fields_travel_as_sorted_json_strings() {
        let message = Message {
            round: 2,
            content: "你好 a+b".into(),
            stress_testing: Some(false),
            items: Some(vec![Item {
                title: "x".into(),
                item_id: "13579".into(),
            }]),
            extra: None,
        };
        let fields = form_fields(&message).unwrap();
        assert_eq!(
            fields,
            vec![
                ("Content".to_string(), "你好 a+b".to_string()),
                (
                    "Items".to_string(),
                    r#"[{"ItemId":"13579","Title":"x"}]"#.to_string()
                ),
                ("Round".to_string(), "2".to_string()),
                ("StressTesting".to_string(), "false".to_string()),
            ]
        );
        let body = String::from_utf8(encode_form_body(&message).unwrap()).unwrap();
        assert!(body.starts_with("Content=%E4%BD%A0%E5%A5%BD%20a%2Bb&Items=%5B%7B"));
        let decoded: Message = decode_form_body(&body, FIELDS).unwrap();
        assert_eq!(decoded, message);
    }

    #[test]
    fn bad_field_text_names_the_field() {
        let error = decode_form_body::<Message>("Round=two&Content=x", FIELDS).unwrap_err();
        assert!(error.to_string().contains("`Round`"), "{error}");
        let error = decode_form_body::<Message>("Round=2", FIELDS).unwrap_err();
        assert!(error.to_string().contains("Content"), "{error}");
    }
}
