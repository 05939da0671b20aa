//! Helpers for the golden tests: fixture loading and a readable rendering of
//! the exact wire form of a request.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use aliyun_ai_core::encoding::{decode_form, percent_encode};
use aliyun_ai_core::{Operation, RequestBody};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The path of a file under `fixtures/`.
pub fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(relative)
}

/// The text of a file under `fixtures/`.
///
/// # Panics
/// When the file cannot be read (a test setup error).
pub fn fixture(relative: &str) -> String {
    let path = fixture_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Decodes a fixture file as `T`.
///
/// # Panics
/// When the fixture does not decode (which is what the golden tests check).
pub fn decode_fixture<T: DeserializeOwned>(relative: &str) -> T {
    serde_json::from_str(&fixture(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Decodes an example answer as `T` and checks that nothing was lost: every
/// field the example holds (with a value other than `null` or `""`) is still
/// there when the decoded value is encoded again, so a table that misses a
/// field of the vendor's example fails here.
///
/// # Panics
/// When the example does not decode, or a field of it has no place in `T`.
pub fn decode_example<T: DeserializeOwned + serde::Serialize>(relative: &str) -> T {
    let text = fixture(relative);
    let original: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{relative}: not JSON: {e}"));
    let decoded: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let again = serde_json::to_value(&decoded).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let mut lost = Vec::new();
    missing_fields(&original, &again, String::new(), &mut lost);
    assert!(
        lost.is_empty(),
        "{relative}: fields of the example the generated type dropped: {lost:?}"
    );
    decoded
}

/// The paths of `original`'s non-empty fields that `again` lacks.
fn missing_fields(original: &Value, again: &Value, path: String, lost: &mut Vec<String>) {
    match (original, again) {
        (Value::Object(fields), Value::Object(kept)) => {
            for (key, value) in fields {
                // `_fixture_note` says what a fixture corrected (fixtures/README.md).
                if value.is_null() || value == "" || key == "_fixture_note" {
                    continue;
                }
                let here = format!("{path}.{key}");
                match kept.get(key) {
                    Some(other) => missing_fields(value, other, here, lost),
                    None => lost.push(here),
                }
            }
        }
        (Value::Array(items), Value::Array(kept)) => {
            for (index, (item, other)) in items.iter().zip(kept).enumerate() {
                missing_fields(item, other, format!("{path}[{index}]"), lost);
            }
        }
        // A JSON document inside a string, a number as a string...: the
        // shape differs on purpose and the value was kept.
        _ => {}
    }
}

/// An example request fixture: path parameters, query parameters, body.
pub struct RequestFixture {
    /// Path parameters by name.
    pub path: BTreeMap<String, String>,
    /// Query parameters by name (strings or arrays of strings).
    pub query: BTreeMap<String, Value>,
    /// The body in its JSON form (`null` for none).
    pub body: Value,
}

impl RequestFixture {
    /// Loads `fixtures/<relative>`.
    ///
    /// # Panics
    /// When the fixture is malformed.
    pub fn load(relative: &str) -> Self {
        let mut value: Value = decode_fixture(relative);
        let take = |value: &mut Value, key: &str| {
            value.get_mut(key).map(Value::take).unwrap_or(Value::Null)
        };
        let path = serde_json::from_value(take(&mut value, "path")).unwrap_or_default();
        let query = serde_json::from_value(take(&mut value, "query")).unwrap_or_default();
        let body = take(&mut value, "body");
        Self { path, query, body }
    }

    /// The body decoded as the request type `T` (path and query still unset).
    ///
    /// # Panics
    /// When the body does not decode.
    pub fn body_as<T: DeserializeOwned>(&self) -> T {
        let body = if self.body.is_null() {
            Value::Object(Default::default())
        } else {
            self.body.clone()
        };
        serde_json::from_value(body).unwrap_or_else(|e| panic!("request body: {e}"))
    }

    /// A path parameter.
    ///
    /// # Panics
    /// When the fixture lacks it.
    pub fn path_param(&self, name: &str) -> String {
        self.path
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("fixture lacks path parameter {name}"))
    }
}

/// Renders the exact wire form of a request: method, encoded path and query,
/// content type and the body bytes (JSON as text; a form body raw and decoded).
///
/// # Panics
/// When the body cannot be encoded.
pub fn wire<O: Operation>(operation: &O) -> String {
    let info = O::INFO;
    let mut out = String::new();
    let query: Vec<String> = operation
        .query()
        .iter()
        .map(|p| format!("{}={}", percent_encode(p.name), percent_encode(&p.value)))
        .collect();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    let _ = writeln!(out, "{} {}{}", info.method, operation.path(), query);
    let _ = writeln!(
        out,
        "action: {} ({}{}{})",
        info.action,
        info.service.product,
        if info.service.version.is_empty() {
            ""
        } else {
            " "
        },
        info.service.version
    );
    let body = operation.body().unwrap_or_else(|e| panic!("body: {e}"));
    match body.content_type() {
        Some(content_type) => {
            let _ = writeln!(out, "content-type: {content_type}");
        }
        None => out.push_str("(no body)\n"),
    }
    let text = String::from_utf8(body.as_bytes().to_vec())
        .unwrap_or_else(|e| panic!("body is not UTF-8: {e}"));
    if !text.is_empty() {
        let _ = write!(out, "\n{text}\n");
    }
    if let RequestBody::Form(_) = body {
        out.push_str("\ndecoded form fields:\n");
        for (name, value) in decode_form(&text).unwrap_or_else(|e| panic!("form: {e}")) {
            let _ = writeln!(out, "  {name} = {value}");
        }
    }
    out
}

/// The body of a request re-read as untyped JSON, for comparisons that ignore
/// key order.
///
/// # Panics
/// When the body is not JSON.
pub fn body_json<O: Operation>(operation: &O) -> Value {
    let body = operation.body().unwrap_or_else(|e| panic!("body: {e}"));
    serde_json::from_slice(body.as_bytes()).unwrap_or_else(|e| panic!("body is not JSON: {e}"))
}
