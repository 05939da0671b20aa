//! A Rust SDK for Alibaba Cloud's conversation-intelligence APIs:
//! ContactCenterAI (通义晓蜜 CCAI), DianJin (通义点金), RetailBot, Tingwu (通义听悟)
//! OpenAPI 2023-09-30, and the DashScope application built on Tingwu (the
//! automotive customer profile).
//!
//! ```no_run
//! # async fn run() -> Result<(), aliyun_ai::Error> {
//! use aliyun_ai::Client;
//! use aliyun_ai::contactcenterai::AnalyzeConversationRequest;
//! use aliyun_ai::contactcenterai::{Dialogue, ResultType, Role, Sentence};
//!
//! let client = Client::from_env()?;
//! let request = AnalyzeConversationRequest::builder()
//!     .workspace_id("llm-workspace")
//!     .app_id("app-id")
//!     .dialogue(Dialogue::builder()
//!         .sentences([Sentence::new(Role::User, "请问怎么申请新卡"), Sentence::new(Role::Agent, "您可以在App首页申请")])
//!         .build()?)
//!     .result_types([ResultType::Summary])
//!     .build()?;
//! let answer = client.contact_center_ai().analyze_conversation(request).await?;
//! println!("{}", answer.text.unwrap_or_default());
//! # Ok(())
//! # }
//! ```
//!
//! - Every operation is a method of a per-service client
//!   ([`Client::contact_center_ai`], [`Client::dianjin`], [`Client::retail_bot`],
//!   [`Client::tingwu`], [`Client::customer_profile`]); [`Client::execute`] runs any `Operation` of the model crates.
//! - Every failure is an [`Error`] a program can act on: [`Error::kind`],
//!   [`Error::is_throttling`], [`Error::is_retryable`], [`Error::code`],
//!   [`Error::request_id`].
//! - Retries follow the vendor SDKs' rules (transport's `RetryPolicy`), and
//!   every attempt is signed anew.
//! - Test your code without a network: enable the `mock` feature and pass a
//!   `mock::MockTransport` with [`ConfigBuilder::transport`].
//!
//! ## Getting started (the README's program)
//!
//! ```no_run
//! use aliyun_ai::Client;
//! use aliyun_ai::dianjin::RecognizeIntentionRequest;
//! use aliyun_ai::dianjin::recognize_intention::BizType;
//!
//! # async fn run() -> Result<(), aliyun_ai::Error> {
//! // Credentials from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET (or the vendor's other sources).
//! let client = Client::from_env()?;
//! let request = RecognizeIntentionRequest::builder()
//!     .workspace_id("llm-your-workspace")
//!     .biz_type(BizType::Attitude)
//!     .conversation("##客服##:请问今天能还款吗? ##客户##:好的,我下午就还。")
//!     .build()?;
//! let answer = client.dianjin().recognize_intention(request).await?;
//! println!("{:?}", answer.data);
//! # Ok(())
//! # }
//! ```
//!
//! ## Features
//!
//! Every service is on by default; each pulls only its model crate.
#![doc = document_features::document_features!()]
// docs.rs (nightly) marks what each feature adds ("Available on crate feature ...").
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
// With only some services or no HTTP transport, some shared helpers go unused.
#![cfg_attr(
    not(all(
        feature = "contactcenterai",
        feature = "dianjin",
        feature = "retailbot",
        feature = "customerprofile",
        feature = "tingwu",
        any(feature = "hyper", feature = "reqwest")
    )),
    allow(dead_code, unused_imports)
)]

mod client;
mod config;
mod endpoint;
mod error;
mod paginate;
mod results;
mod services;
#[cfg(all(feature = "websocket", any(feature = "dianjin", feature = "tingwu")))]
mod session;
mod stream;
mod wait;

#[cfg(feature = "contactcenterai")]
pub mod contactcenterai;
#[cfg(feature = "dianjin")]
pub mod dianjin;
/// OpenPlatform (the OSS upload authorization behind
/// [`dianjin::DianJin::upload_document_from_file`]): its models, callable
/// with [`Client::execute`].
#[cfg(feature = "dianjin")]
pub mod openplatform {
    pub use aliyun_ai_models_openplatform::*;
}
#[cfg(feature = "customerprofile")]
pub mod customerprofile;
#[cfg(feature = "retailbot")]
pub mod retailbot;
#[cfg(feature = "tingwu")]
pub mod tingwu;

pub use client::Client;
// The per-service clients on the front page too, not only among their
// service's request and response types.
pub use config::{Config, ConfigBuilder, DEFAULT_CALL_TIMEOUT, DashScopeRegion, RpcSignature};
#[cfg(feature = "contactcenterai")]
pub use contactcenterai::ContactCenterAi;
#[cfg(feature = "customerprofile")]
pub use customerprofile::CustomerProfileApp;
#[cfg(feature = "dianjin")]
pub use dianjin::DianJin;
pub use endpoint::Endpoint;
pub use error::{EXCERPT_LIMIT, Error, ErrorKind, ServiceError};
#[cfg(feature = "retailbot")]
pub use retailbot::RetailBot;
pub use stream::{EventStream, TextDeltas};
#[cfg(feature = "tingwu")]
pub use tingwu::Tingwu;
pub use wait::{TaskProgress, WaitPolicy};

/// Credentials and providers (`aliyun-ai-auth`).
pub use aliyun_ai_auth as auth;
pub use aliyun_ai_auth::{AccessKey, ApiKey};
pub use aliyun_ai_core::{
    Operation, PagePosition, Paged, SecretText, SignedUrl, StreamEvent, ValidationError,
};
/// The transport layer (`aliyun-ai-transport`): `HttpTransport`, `RetryPolicy`...
pub use aliyun_ai_transport as transport;
#[cfg(any(feature = "reqwest", feature = "hyper", feature = "websocket"))]
pub use aliyun_ai_transport::Proxies;
pub use aliyun_ai_transport::sse::SseLimits;
pub use aliyun_ai_transport::{HttpTransport, RetryPolicy};
/// `next()` and the other adapters of an [`EventStream`] (`futures-util`'s
/// trait, re-exported so that reading a stream needs no other dependency).
pub use futures_util::StreamExt;
pub use paginate::{PageStream, Paginator};

/// Time, injected once ([`ConfigBuilder::time_source`]): the [`Timer`](time::Timer)
/// contract, real time ([`TokioTimer`](time::TokioTimer), the default) and
/// [`ManualTimer`](time::ManualTimer) for tests that sleep instantly.
pub mod time {
    pub use aliyun_ai_core::time::{ManualTimer, Timer};
    pub use aliyun_ai_transport::retry::TokioTimer;
}

/// The mock transport for your tests (feature `mock`): canned answers,
/// faults, and a record of every request, with no network. Each attempt
/// takes one queued answer, so build the client under test with
/// [`RetryPolicy::disabled()`](crate::RetryPolicy::disabled) unless the test
/// is about retries (then queue one answer per attempt, and a
/// [`ManualTimer`](crate::time::ManualTimer) makes the backoff instant).
///
/// ```
/// # #[cfg(feature = "dianjin")]
/// # {
/// use std::sync::Arc;
/// use aliyun_ai::mock::{MockResponse, MockTransport};
/// use aliyun_ai::dianjin::RecognizeIntentionRequest;
/// use aliyun_ai::{AccessKey, Client, Config};
///
/// /// Your code: does the customer intend to pay?
/// async fn will_pay(client: &Client, conversation: &str) -> Result<bool, aliyun_ai::Error> {
///     let request = RecognizeIntentionRequest::builder()
///         .workspace_id("llm-ws")
///         .biz_type("attitude")
///         .conversation(conversation)
///         .build()?;
///     let answer = client.dianjin().recognize_intention(request).await?;
///     Ok(answer.data.and_then(|d| d.intention_name).as_deref() == Some("积极配合"))
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// // Your test: a canned answer, then assertions on what your code sent.
/// let mock = MockTransport::new();
/// mock.push(MockResponse::json(200, &serde_json::json!({
///     "success": true, "errCode": "0", "data": { "intentionName": "积极配合" }
/// })));
/// let config = Config::builder()
///     .transport(Arc::new(mock.clone()))
///     .access_key(AccessKey::new("test-id", "test-secret"))
///     // One queued answer per request: with the default policy, a queued
///     // throttling or 5xx answer is retried and the retry finds none.
///     .retry_policy(aliyun_ai::RetryPolicy::disabled())
///     .build()
///     .unwrap();
/// let client = Client::new(config);
/// assert!(will_pay(&client, "##客户##:好的,我今天就还").await.unwrap());
/// let sent = mock.last_request().unwrap();
/// assert_eq!(sent.uri.path(), "/llm-ws/api/recog/intent");
/// assert_eq!(sent.body_json().unwrap()["bizType"], "attitude");
/// assert!(sent.header("authorization").unwrap().starts_with("ACS3-HMAC-SHA256"));
/// # });
/// # }
/// ```
#[cfg(feature = "mock")]
pub mod mock {
    pub use aliyun_ai_transport::mock::*;
}
