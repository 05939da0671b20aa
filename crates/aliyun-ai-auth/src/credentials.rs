//! Credential types whose secrets never reach `Debug`, `Display`, errors or logs.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::error::CredentialsError;
use crate::time::format_iso8601;

/// A secret string. Its `Debug` prints `***`; it has no `Display`. Read it
/// with [`Secret::expose`] only where it is used (signing).
///
/// Shared, not copied, when cloned: a credential is handed to every call.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(Arc::from(value))
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(Arc::from(value))
    }
}

/// An Alibaba Cloud AccessKey: id, secret, and for STS credentials a security
/// token and an expiry.
///
/// `Debug` and `Display` show the id, never the secret or the token.
///
/// ```
/// use aliyun_ai_auth::AccessKey;
/// let key = AccessKey::new("LTAI5tExampleId", "example-secret");
/// assert_eq!(key.to_string(), "AccessKey(LTAI5tExampleId)");
/// assert!(!format!("{key:?}").contains("example-secret"));
/// ```
/// Cloning it (every call asks its provider for one) shares its strings
/// instead of copying them.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    id: Arc<str>,
    secret: Secret,
    security_token: Option<Secret>,
    expiration: Option<SystemTime>,
}

impl AccessKey {
    /// A long-term AccessKey.
    pub fn new(id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self {
            id: Arc::from(id.into()),
            secret: secret.into(),
            security_token: None,
            expiration: None,
        }
    }

    /// Adds an STS security token (sent as `x-acs-security-token`).
    pub fn with_security_token(mut self, token: impl Into<Secret>) -> Self {
        self.security_token = Some(token.into());
        self
    }

    /// Sets when the credentials expire.
    pub fn with_expiration(mut self, expiration: SystemTime) -> Self {
        self.expiration = Some(expiration);
        self
    }

    /// The AccessKey id (not secret).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The AccessKey secret.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The STS security token, if any.
    pub fn security_token(&self) -> Option<&Secret> {
        self.security_token.as_ref()
    }

    /// When the credentials expire, if they do.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.expiration
    }

    /// Refuses credentials that cannot be sent as they are, naming the part
    /// (never its value): an empty or blank id, secret or token; an id with
    /// whitespace, a control character or one of `,` `=` `;` `"` (it is
    /// written into `Authorization: ... Credential=<id>,SignedHeaders=...`,
    /// where `id,SignedHeaders=host` would change what the header says); a
    /// control character in the secret or the token (a line break copied
    /// from a file makes every signature wrong), or whitespace in the token
    /// (base64: its `=` and `/` are fine). The configuration checks a
    /// static key when it is set; the client checks each provider's answer
    /// before signing with it.
    ///
    /// ```
    /// use aliyun_ai_auth::AccessKey;
    /// assert!(AccessKey::new("LTAI5t-example", "secret").check().is_ok());
    /// let error = AccessKey::new("id,SignedHeaders=host", "secret").check().unwrap_err();
    /// assert!(error.to_string().contains("AccessKey id"));
    /// ```
    pub fn check(&self) -> Result<(), CredentialsError> {
        check_text("AccessKey id", &self.id, Forbid::AuthorizationParameter)?;
        check_text("AccessKey secret", self.secret.expose(), Forbid::Control)?;
        if let Some(token) = &self.security_token {
            // A header of its own; base64, so `=` and `/` are in it.
            check_text("security token", token.expose(), Forbid::Whitespace)?;
        }
        Ok(())
    }
}

/// What a credential's text may not contain.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Forbid {
    /// Control characters only (a value that is hashed, never sent).
    Control,
    /// Also whitespace (a token sent whole: `Bearer <key>`, a header's value).
    Whitespace,
    /// Also the delimiters of `Authorization` parameters (the id, written
    /// into `Credential=<id>,SignedHeaders=...`).
    AuthorizationParameter,
}

/// Checks one credential's text; the error names `what`, never the value.
fn check_text(what: &str, value: &str, forbid: Forbid) -> Result<(), CredentialsError> {
    let problem = if value.trim().is_empty() {
        Some("is empty")
    } else if value.chars().any(char::is_control) {
        Some("contains a control character (a line break or NUL copied with it?)")
    } else if forbid != Forbid::Control && value.chars().any(char::is_whitespace) {
        Some("contains whitespace")
    } else if forbid == Forbid::AuthorizationParameter
        && value.chars().any(|c| matches!(c, ',' | '=' | ';' | '"'))
    {
        Some("contains one of , = ; \"")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(CredentialsError::invalid(format!("the {what} {problem}"))),
        None => Ok(()),
    }
}

/// Checks a value sent as a header of its own (the DashScope workspace):
/// not blank, no control character. The error names `what`, never the value.
pub fn check_header_value(what: &str, value: &str) -> Result<(), CredentialsError> {
    check_text(what, value, Forbid::Control)
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("secret", &self.secret)
            .field("security_token", &self.security_token)
            .field("expiration", &self.expiration.map(format_iso8601))
            .finish()
    }
}

impl fmt::Display for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessKey({})", self.id)
    }
}

/// A DashScope API key (`sk-...`) or a temporary token (`st-...`), sent as
/// `Authorization: Bearer`.
///
/// `Debug` and `Display` show only its kind prefix.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    key: Secret,
    expiration: Option<SystemTime>,
}

impl ApiKey {
    /// A long-lived API key.
    pub fn new(key: impl Into<Secret>) -> Self {
        Self {
            key: key.into(),
            expiration: None,
        }
    }

    /// A temporary token expiring at `expiration`.
    pub fn temporary(token: impl Into<Secret>, expiration: SystemTime) -> Self {
        Self {
            key: token.into(),
            expiration: Some(expiration),
        }
    }

    /// The key itself.
    pub fn secret(&self) -> &Secret {
        &self.key
    }

    /// When it expires, for a temporary token.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.expiration
    }

    /// Refuses a key that cannot be sent as `Authorization: Bearer <key>`:
    /// empty, or with whitespace or a control character. The error never
    /// shows the key.
    pub fn check(&self) -> Result<(), CredentialsError> {
        check_text("DashScope API key", self.key.expose(), Forbid::Whitespace)
    }

    /// Whether it is a temporary `st-` token.
    pub fn is_temporary(&self) -> bool {
        self.key.expose().starts_with("st-")
    }

    fn kind(&self) -> &'static str {
        match self.key.expose().get(..3) {
            Some("sk-") => "sk-***",
            Some("st-") => "st-***",
            _ => "***",
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("key", &self.kind())
            .field("expiration", &self.expiration.map(format_iso8601))
            .finish()
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.kind())
    }
}
