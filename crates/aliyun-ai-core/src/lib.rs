//! Transport-free vocabulary shared by the `aliyun-ai` model crates.
//!
//! - [`Operation`]: what every generated request implements: the service, the
//!   action, the style, the method, the encoded path, the query, the body, the
//!   output type and whether the call can stream. The facade executes any
//!   `Operation` through one generic path.
//! - [`ValidationError`]: a request that would be refused, caught before
//!   anything is sent, naming the operation and the field.
//! - [`encoding`]: RFC 3986 percent-encoding as the vendor's signers expect it.
//! - [`quirks`]: serde helpers for the vendor's JSON quirks (`"True"` as a
//!   boolean, integers as strings, JSON inside strings, 64-bit ids...).
//! - [`form`]: RPC form bodies whose complex fields are JSON strings.
//! - [`SecretText`] and [`SignedUrl`]: answers' credentials and presigned
//!   URLs, kept out of `Debug` and `Display`.
//! - [`time`]: the one time contract ([`time::Timer`]: now, sleep, the wall
//!   clock) and its test double [`time::ManualTimer`].
//! - [`error_body`]: the vendor's error bodies (code, message, request id, in
//!   every casing) and the headers its gateways put the request id in.
//! - [`wire_enum!`] and [`unknown_value!`]: the generated enums, whose
//!   `Unknown` variant holds an opaque value only decoding creates.
//!
//! This crate depends on `serde` and `serde_json` only: a crate that needs the
//! models of one service never pulls an HTTP stack.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod encoding;
pub mod error_body;
mod events;
pub mod form;
pub mod json;
mod operation;
mod paged;
pub mod quirks;
mod secret;
pub mod server;
pub mod time;
mod validation;
mod wire_enum;

/// What the macros expand to, not for direct use.
#[doc(hidden)]
pub mod __private {
    pub use serde;

    /// The value serde starts a required enum of the path or query from
    /// (`#[serde(skip, default = ...)]`) before the request's own value is
    /// set from the path or query: the enum's `Unknown("")`.
    pub fn unset_enum<T: From<&'static str>>() -> T {
        T::from("")
    }
}

pub use events::StreamEvent;
pub use operation::{
    AuthScheme, BusinessFailure, EncodeError, Method, Operation, OperationInfo, QueryParam,
    RequestBody, ServiceInfo, Style,
};
pub use operation::{ErrorClass, ErrorCode, endpoint_variable};
pub use paged::{PagePosition, Paged};
pub use secret::{SecretText, SignedUrl};
pub use validation::{Problem, ValidationError, check_path_param};

/// The address of Alibaba Cloud's instance metadata service, where an ECS
/// instance reads its RAM role's credentials. It answers only from inside the
/// instance, so the built-in transports never send it through a proxy (the
/// vendor's credentials readers call it directly too).
pub const INSTANCE_METADATA_HOST: &str = "100.100.100.200";
