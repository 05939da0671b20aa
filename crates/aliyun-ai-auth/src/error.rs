//! Why credentials could not be had. Messages never hold a secret: payloads
//! that may carry one are described by position, never quoted.

use std::error::Error as StdError;
use std::fmt;

/// The kind of a [`CredentialsError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialsErrorKind {
    /// This source has no credentials (a variable unset, a file absent): the
    /// default chain moves on to the next source.
    NotFound,
    /// The source exists but is wrong (a missing key, an unknown type).
    InvalidConfig,
    /// A credentials service (IMDS, STS, DashScope tokens) failed or refused.
    Fetch,
    /// The credentials have expired and could not be renewed.
    Expired,
}

/// Credentials could not be had.
#[derive(Debug)]
pub struct CredentialsError {
    kind: CredentialsErrorKind,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl CredentialsError {
    /// A new error.
    pub fn new(kind: CredentialsErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// This source has no credentials.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::NotFound, message)
    }

    /// The source is misconfigured.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::InvalidConfig, message)
    }

    /// A credentials service failed.
    pub fn fetch(message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::Fetch, message)
    }

    /// Attaches the underlying error (which must not quote secrets).
    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Removes `secrets` from the message: a credentials service that echoes
    /// what it was sent (the source key, the OIDC token) cannot make this
    /// error print it.
    pub(crate) fn redacting(mut self, secrets: &[&str]) -> Self {
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            self.message = self.message.replace(secret, "<redacted>");
        }
        self
    }

    /// What happened.
    pub fn kind(&self) -> CredentialsErrorKind {
        self.kind
    }

    /// Whether this source simply has no credentials.
    pub fn is_not_found(&self) -> bool {
        self.kind == CredentialsErrorKind::NotFound
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for CredentialsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// Describes a JSON error without quoting the document (serde's messages can
/// quote values, and credential documents hold secrets).
pub(crate) fn json_error(what: &str, error: &serde_json::Error) -> CredentialsError {
    let category = match error.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "not of the expected shape",
        serde_json::error::Category::Eof => "truncated",
    };
    CredentialsError::fetch(format!(
        "{what} is {category} (line {}, column {})",
        error.line(),
        error.column()
    ))
}
