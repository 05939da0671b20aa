//! Helpers for the vendor's JSON quirks, used by the generated models.
//!
//! Every quirk here is documented in [`docs/vendor/apis.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/apis.md); decoding is lenient
//! (both forms accepted) and encoding uses the form the vendor documents.
//!
//! | quirk | where | helper |
//! |---|---|---|
//! | booleans sent as `"True"` / `"false"` | CCAI `success` | [`lenient_bool`], [`string_bool`] |
//! | integers typed as strings | CCAI `inputTokens` | [`lenient_int`], [`string_int`] |
//! | a string or an array of strings | Tingwu `contentExtractionsPath` | [`OneOrMany`] |
//! | a JSON document inside a string | CCAI `extra`, RetailBot `ExtraContent` | [`JsonString`] |
//! | 64-bit ids above 2^53 | RetailBot `KnowledgeId` | [`Id64`] |
//! | values fixed by the API | DashScope `model`, `input.task` | [`Fixed`] |

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

// ---------------------------------------------------------------------------
// Booleans

/// Parses the textual booleans the vendor's services send.
fn parse_bool_text(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") || text == "1" {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") || text == "0" {
        Some(false)
    } else {
        None
    }
}

/// Visits a boolean written as a JSON boolean, a string (`"True"`, `"false"`,
/// `"1"`, `"0"`, any case) or the number 0 or 1. An empty string or `null` is
/// "absent".
struct LenientBoolVisitor;

impl<'de> Visitor<'de> for LenientBoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, or a string such as \"True\" or \"false\"")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Some(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        match value {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(value), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        match u64::try_from(value) {
            Ok(value) => self.visit_u64(value),
            Err(_) => Err(E::invalid_value(de::Unexpected::Signed(value), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        if value.trim().is_empty() {
            return Ok(None);
        }
        parse_bool_text(value)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(value), &self))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn require<T, E: de::Error>(value: Option<T>, what: &str) -> Result<T, E> {
    value.ok_or_else(|| E::custom(format_args!("expected {what}, found an empty value")))
}

/// `#[serde(with = "...")]` for a `bool` that is sent as a JSON boolean and
/// decoded leniently (also from `"True"`, `"false"`, `"1"`, `0`...).
pub mod lenient_bool {
    use super::*;

    /// Decodes leniently.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        require(
            deserializer.deserialize_any(LenientBoolVisitor)?,
            "a boolean",
        )
    }

    /// Encodes as a JSON boolean.
    pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*value)
    }

    /// The same for `Option<bool>` (`null` and `""` decode to `None`).
    pub mod option {
        use super::*;

        /// Decodes leniently.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<bool>, D::Error> {
            deserializer.deserialize_option(LenientBoolVisitor)
        }

        /// Encodes as a JSON boolean or `null`.
        pub fn serialize<S: Serializer>(
            value: &Option<bool>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => serializer.serialize_bool(*value),
                None => serializer.serialize_none(),
            }
        }
    }
}

/// `#[serde(with = "...")]` for a `bool` the vendor sends as the string
/// `"True"` or `"False"` (CCAI GetTaskResult and CreateTask `success`);
/// decoded as leniently as [`lenient_bool`].
pub mod string_bool {
    use super::*;

    fn text(value: bool) -> &'static str {
        if value { "True" } else { "False" }
    }

    /// Decodes leniently.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        require(
            deserializer.deserialize_any(LenientBoolVisitor)?,
            "a boolean",
        )
    }

    /// Encodes as `"True"` or `"False"`.
    pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(text(*value))
    }

    /// The same for `Option<bool>`.
    pub mod option {
        use super::*;

        /// Decodes leniently.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<bool>, D::Error> {
            deserializer.deserialize_option(LenientBoolVisitor)
        }

        /// Encodes as `"True"`, `"False"` or `null`.
        pub fn serialize<S: Serializer>(
            value: &Option<bool>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => serializer.serialize_str(text(*value)),
                None => serializer.serialize_none(),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Integers

/// Visits an integer written as a JSON number or a decimal string. An empty
/// string or `null` is "absent"; a fraction or an out-of-range value is an error.
struct LenientIntVisitor;

impl<'de> Visitor<'de> for LenientIntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Some(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        i64::try_from(value)
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        integral_f64(value)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Float(value), &self))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        trimmed
            .parse::<i64>()
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Str(value), &self))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// The largest integer an `f64` holds exactly (2^53).
const F64_EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// An `f64` that is a whole number small enough to be exact, as an `i64`.
fn integral_f64(value: f64) -> Option<i64> {
    if value.fract() == 0.0 && value.abs() <= F64_EXACT_LIMIT {
        // In range and integral: the conversion is exact.
        Some(value as i64)
    } else {
        None
    }
}

/// `#[serde(with = "...")]` for an `i64` sent as a JSON number and decoded
/// leniently (also from a decimal string).
pub mod lenient_int {
    use super::*;

    /// Decodes leniently.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        require(
            deserializer.deserialize_any(LenientIntVisitor)?,
            "an integer",
        )
    }

    /// Encodes as a JSON number.
    pub fn serialize<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(*value)
    }

    /// The same for `Option<i64>` (`null` and `""` decode to `None`).
    pub mod option {
        use super::*;

        /// Decodes leniently.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<i64>, D::Error> {
            deserializer.deserialize_option(LenientIntVisitor)
        }

        /// Encodes as a JSON number or `null`.
        pub fn serialize<S: Serializer>(
            value: &Option<i64>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => serializer.serialize_i64(*value),
                None => serializer.serialize_none(),
            }
        }
    }
}

/// `#[serde(with = "...")]` for an `i64` the vendor types as a string (CCAI
/// `inputTokens`, `outputTokens`, `totalTokens`); decoded as leniently as
/// [`lenient_int`].
pub mod string_int {
    use super::*;

    /// Decodes leniently.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        require(
            deserializer.deserialize_any(LenientIntVisitor)?,
            "an integer",
        )
    }

    /// Encodes as a decimal string.
    pub fn serialize<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    /// The same for `Option<i64>`.
    pub mod option {
        use super::*;

        /// Decodes leniently.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<i64>, D::Error> {
            deserializer.deserialize_option(LenientIntVisitor)
        }

        /// Encodes as a decimal string or `null`.
        pub fn serialize<S: Serializer>(
            value: &Option<i64>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => serializer.collect_str(value),
                None => serializer.serialize_none(),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Enum values

/// Visits an enum value: a string, or a number or boolean taken as its text
/// (Tingwu's `output.status` is documented as `"0"` but arrives as `0`).
struct EnumTextVisitor;

impl Visitor<'_> for EnumTextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string (or a number or boolean) naming an enum value")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(value.to_owned())
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(value.to_string())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(value.to_string())
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(value.to_string())
    }
}

/// Decodes the text of a generated enum's value; generated enums map it to a
/// variant, or to `Unknown(text)` for a value this SDK version does not know.
pub fn deserialize_enum_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    deserializer.deserialize_any(EnumTextVisitor)
}

// ---------------------------------------------------------------------------
// 64-bit ids

/// A 64-bit id that survives values above 2^53 exactly.
///
/// Decodes from a JSON integer or a decimal string; a floating-point number is
/// accepted only when it is a whole number below 2^53 (above that it may
/// already have lost digits, so it is refused rather than silently changed).
/// Encodes as a JSON integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Id64(pub i64);

impl Id64 {
    /// The id's value.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl From<i64> for Id64 {
    fn from(value: i64) -> Self {
        Id64(value)
    }
}

impl From<Id64> for i64 {
    fn from(value: Id64) -> Self {
        value.0
    }
}

impl fmt::Display for Id64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Id64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Id64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        require(deserializer.deserialize_any(LenientIntVisitor)?, "an id").map(Id64)
    }
}

// ---------------------------------------------------------------------------
// One string or many

/// A field documented as "zero or more URLs" that arrives as one string or as
/// an array of strings (Tingwu `contentExtractionsPath`). The form received is
/// kept, so it encodes back the same way.
///
/// Its `Debug` hides everything after a `?` in each string: the URLs it holds
/// are presigned, their query a credential (as [`SignedUrl`](crate::SignedUrl)).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single string.
    One(String),
    /// An array of strings.
    Many(Vec<String>),
}

impl fmt::Debug for OneOrMany {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<crate::SignedUrl> = self
            .iter()
            .map(|entry| crate::SignedUrl::new(entry.as_str()))
            .collect();
        let texts: Vec<String> = shown.iter().map(ToString::to_string).collect();
        match self {
            OneOrMany::One(_) => f.debug_tuple("One").field(&texts[0]).finish(),
            OneOrMany::Many(_) => f.debug_tuple("Many").field(&texts).finish(),
        }
    }
}

impl OneOrMany {
    /// The strings, in order (one for [`OneOrMany::One`]).
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(value) => std::slice::from_ref(value),
            OneOrMany::Many(values) => values,
        }
    }

    /// Iterates over the strings.
    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.as_slice().iter()
    }

    /// The strings as a vector.
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(value) => vec![value],
            OneOrMany::Many(values) => values,
        }
    }

    /// The entries, with several packed into one string unpacked: a JSON
    /// array inside the string (`"[\"https://a\",\"https://b\"]"`), or URLs
    /// joined by commas (`"https://a,https://b"`: a comma splits only where a
    /// URL follows, so a comma inside a URL stays). Empty entries are left out.
    /// "0 or more URLs" may arrive in any of these forms (Tingwu
    /// `contentExtractionsPath`).
    pub fn entries(&self) -> Vec<String> {
        let mut out = Vec::new();
        for value in self.as_slice() {
            let value = value.trim();
            if value.starts_with('[') {
                if let Ok(items) = serde_json::from_str::<Vec<String>>(value) {
                    out.extend(items.into_iter().filter(|i| !i.trim().is_empty()));
                    continue;
                }
            }
            let mut start = 0;
            for (index, _) in value.match_indices(',') {
                let rest = value[index + 1..].trim_start();
                if rest.starts_with("http://") || rest.starts_with("https://") {
                    out.push(value[start..index].trim().to_owned());
                    start = index + 1;
                }
            }
            out.push(value[start..].trim().to_owned());
        }
        out.retain(|entry| !entry.is_empty());
        out
    }

    /// How many strings there are.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there is no string at all (an empty array).
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

impl<'a> IntoIterator for &'a OneOrMany {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl From<String> for OneOrMany {
    fn from(value: String) -> Self {
        OneOrMany::One(value)
    }
}

impl From<&str> for OneOrMany {
    fn from(value: &str) -> Self {
        OneOrMany::One(value.to_owned())
    }
}

impl From<Vec<String>> for OneOrMany {
    fn from(values: Vec<String>) -> Self {
        OneOrMany::Many(values)
    }
}

// ---------------------------------------------------------------------------
// JSON inside a string

/// A string field whose content is itself a JSON document (CCAI
/// GetTaskResult `extra`, RetailBot `ExtraContent`).
///
/// The raw text is kept exactly as received; [`JsonString::parse`] decodes it
/// on demand, so a malformed document never fails the enclosing response.
///
/// ```
/// use aliyun_ai_core::quirks::JsonString;
/// let extra = JsonString::from(r#"{"roleConfig":{"role1Name":"客户"}}"#);
/// let value: serde_json::Value = extra.parse().unwrap();
/// assert_eq!(value["roleConfig"]["role1Name"], "客户");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonString(String);

impl JsonString {
    /// Wraps already-serialized JSON text.
    pub fn new(text: impl Into<String>) -> Self {
        JsonString(text.into())
    }

    /// Serializes `value` to JSON text.
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(JsonString)
    }

    /// The raw text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the text as `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// Parses the text as an untyped JSON value.
    pub fn value(&self) -> Result<serde_json::Value, serde_json::Error> {
        self.parse()
    }
}

impl From<String> for JsonString {
    fn from(text: String) -> Self {
        JsonString(text)
    }
}

impl From<&str> for JsonString {
    fn from(text: &str) -> Self {
        JsonString(text.to_owned())
    }
}

impl fmt::Display for JsonString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Serde helpers for an optional [`JsonString`]: an empty (or blank) string
/// reads as no value, as `null` does. The vendor's own example of CCAI's
/// `extra` is `""`, which is no JSON document ([`docs/vendor/apis.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/apis.md)).
pub mod json_string_option {
    use super::JsonString;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Encodes the text as it is.
    pub fn serialize<S: Serializer>(
        value: &Option<JsonString>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// Decodes a string; `""`, blanks and `null` are `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<JsonString>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        Ok(text
            .filter(|text| !text.trim().is_empty())
            .map(JsonString::from))
    }
}

// ---------------------------------------------------------------------------
// Fixed values

/// A string value an API fixes, such as DashScope's
/// `model = "tingwu-automotive-customer-profile"`. Implemented by generated
/// marker types.
pub trait FixedValue {
    /// The fixed value.
    const VALUE: &'static str;
}

/// A field whose value is fixed by the API: it always encodes as
/// `M::VALUE`, and decodes only from that value. It has no state, so a
/// request cannot get it wrong.
pub struct Fixed<M>(PhantomData<fn() -> M>);

impl<M: FixedValue> Fixed<M> {
    /// The fixed value.
    pub const fn new() -> Self {
        Fixed(PhantomData)
    }

    /// The value it encodes as.
    pub const fn as_str(&self) -> &'static str {
        M::VALUE
    }
}

impl<M: FixedValue> Default for Fixed<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M> Clone for Fixed<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Fixed<M> {}

impl<M> PartialEq for Fixed<M> {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl<M> Eq for Fixed<M> {}

impl<M: FixedValue> fmt::Debug for Fixed<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(M::VALUE, f)
    }
}

impl<M: FixedValue> Serialize for Fixed<M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(M::VALUE)
    }
}

impl<'de, M: FixedValue> Deserialize<'de> for Fixed<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        if value == M::VALUE {
            Ok(Fixed::new())
        } else {
            Err(de::Error::invalid_value(
                de::Unexpected::Str(&value),
                &M::VALUE,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Flags {
        #[serde(default, with = "lenient_bool::option")]
        lenient: Option<bool>,
        #[serde(default, with = "string_bool::option")]
        as_string: Option<bool>,
        #[serde(default, with = "lenient_int::option")]
        number: Option<i64>,
        #[serde(default, with = "string_int::option")]
        tokens: Option<i64>,
    }

    fn flags(value: serde_json::Value) -> Result<Flags, serde_json::Error> {
        serde_json::from_value(value)
    }

    #[test]
    fn booleans_decode_from_every_form_the_vendor_sends() {
        for (input, expected) in [
            (json!(true), Some(true)),
            (json!("True"), Some(true)),
            (json!("true"), Some(true)),
            (json!("FALSE"), Some(false)),
            (json!("false"), Some(false)),
            (json!(1), Some(true)),
            (json!(0), Some(false)),
            (json!(""), None),
            (json!(null), None),
        ] {
            let decoded = flags(json!({ "lenient": input, "as_string": input })).unwrap();
            assert_eq!(decoded.lenient, expected, "{input}");
            assert_eq!(decoded.as_string, expected, "{input}");
        }
        assert!(flags(json!({ "lenient": "maybe" })).is_err());
        assert!(flags(json!({ "lenient": 2 })).is_err());
    }

    #[test]
    fn booleans_encode_in_the_documented_form() {
        let value = Flags {
            lenient: Some(true),
            as_string: Some(true),
            number: Some(7),
            tokens: Some(12),
        };
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            json!({ "lenient": true, "as_string": "True", "number": 7, "tokens": "12" })
        );
    }

    #[test]
    fn integers_decode_from_numbers_and_strings() {
        for (input, expected) in [
            (json!(42), Some(42)),
            (json!("42"), Some(42)),
            (json!(" -3 "), Some(-3)),
            (json!(""), None),
            (json!(null), None),
            (json!(5.0), Some(5)),
        ] {
            let decoded = flags(json!({ "number": input, "tokens": input })).unwrap();
            assert_eq!(decoded.number, expected, "{input}");
            assert_eq!(decoded.tokens, expected, "{input}");
        }
        assert!(flags(json!({ "number": "4.5" })).is_err());
        assert!(flags(json!({ "number": 4.5 })).is_err());
        assert!(flags(json!({ "number": u64::MAX })).is_err());
    }

    #[test]
    fn missing_optional_quirk_fields_are_none() {
        assert_eq!(
            flags(json!({})).unwrap(),
            Flags {
                lenient: None,
                as_string: None,
                number: None,
                tokens: None
            }
        );
    }

    #[test]
    fn id64_survives_values_above_2_pow_53() {
        // 2^53 + 1 cannot be represented by an f64.
        let text = r#"{"id": 9007199254740993, "text": "1810566978021232640"}"#;
        #[derive(Deserialize)]
        struct Ids {
            id: Id64,
            text: Id64,
        }
        let ids: Ids = serde_json::from_str(text).unwrap();
        assert_eq!(ids.id.get(), 9_007_199_254_740_993);
        assert_eq!(ids.text.get(), 1_810_566_978_021_232_640);
        assert_eq!(serde_json::to_string(&ids.id).unwrap(), "9007199254740993");
        // A float above 2^53 may already have lost digits: refused.
        assert!(serde_json::from_str::<Id64>("9007199254740994.0").is_err());
        assert_eq!(serde_json::from_str::<Id64>("12.0").unwrap(), Id64(12));
    }

    #[test]
    fn one_or_many_round_trips_both_forms() {
        let one: OneOrMany = serde_json::from_value(json!("https://a")).unwrap();
        assert_eq!(one.as_slice(), ["https://a"]);
        assert_eq!(serde_json::to_value(&one).unwrap(), json!("https://a"));
        let many: OneOrMany = serde_json::from_value(json!(["https://a", "https://b"])).unwrap();
        assert_eq!(many.len(), 2);
        assert_eq!(
            serde_json::to_value(&many).unwrap(),
            json!(["https://a", "https://b"])
        );
        let none: OneOrMany = serde_json::from_value(json!([])).unwrap();
        assert!(none.is_empty());
        assert!(serde_json::from_value::<OneOrMany>(json!(3)).is_err());
    }

    #[test]
    fn json_string_keeps_text_and_parses_on_demand() {
        let decoded: JsonString = serde_json::from_value(json!("not json")).unwrap();
        assert_eq!(decoded.as_str(), "not json");
        assert!(decoded.value().is_err());
        let list = JsonString::from_value(&["emoji1", "emoji2"]).unwrap();
        assert_eq!(list.as_str(), r#"["emoji1","emoji2"]"#);
        assert_eq!(list.parse::<Vec<String>>().unwrap(), ["emoji1", "emoji2"]);
    }

    #[test]
    fn enum_text_accepts_strings_numbers_and_booleans() {
        #[derive(Deserialize)]
        struct Status(#[serde(deserialize_with = "deserialize_enum_text")] String);
        for (input, expected) in [
            (json!("0"), "0"),
            (json!(0), "0"),
            (json!(true), "true"),
            (json!("FINISH"), "FINISH"),
        ] {
            assert_eq!(serde_json::from_value::<Status>(input).unwrap().0, expected);
        }
        assert!(serde_json::from_value::<Status>(json!([1])).is_err());
    }

    struct Model;
    impl FixedValue for Model {
        const VALUE: &'static str = "tingwu-automotive-customer-profile";
    }

    #[test]
    fn fixed_values_encode_and_check_their_value() {
        let fixed = Fixed::<Model>::new();
        assert_eq!(
            serde_json::to_value(fixed).unwrap(),
            json!("tingwu-automotive-customer-profile")
        );
        assert!(
            serde_json::from_value::<Fixed<Model>>(json!("tingwu-automotive-customer-profile"))
                .is_ok()
        );
        assert!(serde_json::from_value::<Fixed<Model>>(json!("other")).is_err());
    }
}

/// `#[serde(deserialize_with = "...")]` for an optional array of objects in an
/// answer: a `null` item is skipped rather than failing the whole answer (the
/// vendor's own examples hold `"toolCalls": [null]`, DianJin
/// GetSummaryTaskResult in `docs/openmeta/`).
pub mod null_items {
    use super::*;

    /// Decodes the array, leaving out `null` items.
    pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: serde::Deserialize<'de>,
    {
        let items: Option<Vec<Option<T>>> = serde::Deserialize::deserialize(deserializer)?;
        Ok(items.map(|items| items.into_iter().flatten().collect()))
    }
}

#[cfg(test)]
mod null_items_tests {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Holder {
        #[serde(default, deserialize_with = "super::null_items::deserialize")]
        items: Option<Vec<std::collections::BTreeMap<String, i64>>>,
    }

    #[test]
    fn null_items_are_skipped_and_null_is_none() {
        let holder: Holder = serde_json::from_str(r#"{"items":[null,{"a":1},null]}"#).unwrap();
        assert_eq!(holder.items.unwrap().len(), 1);
        let holder: Holder = serde_json::from_str(r#"{"items":null}"#).unwrap();
        assert_eq!(holder.items, None);
        let holder: Holder = serde_json::from_str("{}").unwrap();
        assert_eq!(holder.items, None);
        assert!(serde_json::from_str::<Holder>(r#"{"items":[1]}"#).is_err());
    }
}

#[cfg(test)]
mod one_or_many_tests {
    use super::OneOrMany;

    #[test]
    fn several_urls_in_one_string_are_unpacked() {
        let one = |s: &str| OneOrMany::One(s.to_owned());
        assert_eq!(one("https://a/x?s=1").entries(), ["https://a/x?s=1"]);
        assert_eq!(
            one("https://a/x, https://b/y").entries(),
            ["https://a/x", "https://b/y"]
        );
        assert_eq!(
            one(r#"["https://a/x","https://b/y"]"#).entries(),
            ["https://a/x", "https://b/y"]
        );
        // A comma inside a URL stays; empty entries are left out.
        assert_eq!(one("https://a/x,y.json").entries(), ["https://a/x,y.json"]);
        assert!(one("").entries().is_empty());
        let many = OneOrMany::Many(vec![
            "https://a".into(),
            "".into(),
            "https://b,https://c".into(),
        ]);
        assert_eq!(many.entries(), ["https://a", "https://b", "https://c"]);
    }
}
