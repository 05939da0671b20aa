//! RetailBot: RecognizeMessage (RPC), its one method generated from the doc
//! table (`retailbot/operations.rs`). The vendor publishes no endpoint; like
//! its SDKs, this one falls back to `retailbot.aliyuncs.com`. Set another with
//! `ConfigBuilder::endpoint("retailbot", ...)` or `ALIYUN_AI_RETAILBOT_ENDPOINT`.

pub use aliyun_ai_models_retailbot::*;

mod operations;

use crate::client::Client;

/// RetailBot operations; from [`Client::retail_bot`].
///
/// ```no_run
/// use aliyun_ai::retailbot::RecognizeMessageRequest;
/// use aliyun_ai::Client;
///
/// /// How many knowledge items match a buyer's message.
/// async fn matches(client: &Client, request: RecognizeMessageRequest) -> Result<usize, aliyun_ai::Error> {
///     let answer = client.retail_bot().recognize_message(request).await?;
///     Ok(answer.data.and_then(|d| d.knowledges).map_or(0, |found| found.len()))
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RetailBot<'a> {
    client: &'a Client,
}

impl Client {
    /// RetailBot operations.
    pub fn retail_bot(&self) -> RetailBot<'_> {
        RetailBot { client: self }
    }
}
