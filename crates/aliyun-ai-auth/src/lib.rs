//! Credentials, providers and signers for the `aliyun-ai` SDK, matching the
//! vendor byte for byte ([`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md)'s vectors are its tests).
//!
//! - [`AccessKey`] and [`ApiKey`]: `Debug`/`Display` show the id, never a secret.
//! - [`sign`]: V3 `ACS3-HMAC-SHA256` ([`V3Signer`]), legacy V1 HMAC-SHA1
//!   ([`V1Signer`]), Bearer ([`apply_bearer`]), with the time and nonce injected.
//! - [`provider`]: static, environment, `~/.alibabacloud/credentials`,
//!   `~/.aliyun/config.json`, the ECS instance role (IMDSv2 with v1 fallback),
//!   STS AssumeRole, OIDC (RRSA), DashScope keys and temporary tokens, and the
//!   [`DefaultChain`] in the vendor's order.
//! - [`cache::CredentialCache`]: the one caching layer every expiring
//!   credential goes through.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod bounded;
pub mod cache;
mod credentials;
pub mod env;
mod error;
pub mod provider;
pub mod sign;
pub mod time;

/// Entry points for the fuzz targets (`fuzz/`): the parsers of local
/// credential files. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    /// Parses a credentials file (ini) as the file provider does; returns
    /// how many sections it found.
    pub fn credentials_file(text: &str) -> usize {
        crate::provider::files_fuzzing::parse_ini(text)
    }

    /// Parses the CLI's `config.json` as its provider does; returns whether
    /// it is a valid config.
    pub fn cli_config(text: &str) -> bool {
        crate::provider::files_fuzzing::parse_cli_config(text)
    }
}

pub use credentials::{AccessKey, ApiKey, Secret, check_header_value};
pub use error::{CredentialsError, CredentialsErrorKind};
pub use provider::{AccessKeyProvider, ApiKeyProvider, DefaultChain, EnvProvider, HttpContext};
pub use sign::{SignError, V1Signer, V3Signature, V3Signer, apply_bearer};

/// The RFC 3986 encoder the signers use (shared with the model crates, so
/// that paths and form bodies are encoded exactly as they are signed).
pub use aliyun_ai_core::encoding;
