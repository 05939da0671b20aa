//! Values the services return that grant access by themselves: an upload
//! policy's signature, a security token, a presigned object-storage URL.
//! They decode and encode as plain strings, but `Debug` and `Display` never
//! show the secret part, so logging an answer (`{:?}`) cannot leak them.
//! The value is read on purpose, with `expose()`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A string that is a credential in itself (a signature, a security token,
/// an encoded upload policy). `Debug` and `Display` print `<redacted>`.
///
/// ```
/// use aliyun_ai_core::SecretText;
///
/// let signature: SecretText = serde_json::from_str("\"Zm9vYmFy\"").unwrap();
/// assert_eq!(format!("{signature:?}"), "SecretText(<redacted>)");
/// assert_eq!(signature.expose(), "Zm9vYmFy");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    /// Wraps a secret string.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret itself, owned.
    pub fn into_exposed(self) -> String {
        self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(<redacted>)")
    }
}

impl fmt::Display for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for SecretText {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretText {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A URL whose query string grants access (a presigned object-storage URL:
/// `Signature`, `OSSAccessKeyId`, `security-token`...). `Debug` and `Display`
/// show the scheme, host and path, and `?<redacted>` for the query.
///
/// ```
/// use aliyun_ai_core::SignedUrl;
///
/// let url = SignedUrl::new("https://b.oss-cn-beijing.aliyuncs.com/t.json?Expires=1&Signature=abc");
/// assert_eq!(url.to_string(), "https://b.oss-cn-beijing.aliyuncs.com/t.json?<redacted>");
/// assert!(url.expose().ends_with("Signature=abc"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SignedUrl(String);

impl SignedUrl {
    /// Wraps a URL.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The whole URL, query included: what a download needs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The whole URL, owned.
    pub fn into_exposed(self) -> String {
        self.0
    }

    /// The URL without its query and fragment: safe to print.
    pub fn without_query(&self) -> &str {
        let end = self.0.find(['?', '#']).unwrap_or(self.0.len());
        &self.0[..end]
    }

    fn has_query(&self) -> bool {
        self.0.len() != self.without_query().len()
    }
}

impl fmt::Display for SignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.without_query())?;
        if self.has_query() {
            f.write_str("?<redacted>")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignedUrl({:?})", self.to_string())
    }
}

impl From<String> for SignedUrl {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SignedUrl {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neither_debug_nor_display_shows_the_secret_part() {
        let secret = SecretText::new("TOKEN-123");
        for text in [format!("{secret:?}"), secret.to_string()] {
            assert!(!text.contains("TOKEN-123"), "{text}");
        }
        let url = SignedUrl::new("https://h/p?Signature=SIG-1#frag");
        for text in [format!("{url:?}"), url.to_string()] {
            assert!(!text.contains("SIG-1") && !text.contains("frag"), "{text}");
            assert!(text.contains("https://h/p?<redacted>"), "{text}");
        }
        assert_eq!(SignedUrl::new("https://h/p").to_string(), "https://h/p");
        // The wire form is the plain string both ways.
        let json = serde_json::to_string(&url).unwrap();
        assert_eq!(serde_json::from_str::<SignedUrl>(&json).unwrap(), url);
        assert_eq!(json, "\"https://h/p?Signature=SIG-1#frag\"");
    }
}
