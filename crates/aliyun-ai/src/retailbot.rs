//! RetailBot: RecognizeMessage (RPC). The vendor publishes no endpoint; like
//! its SDKs, this one falls back to `retailbot.aliyuncs.com`. Set another with
//! `ConfigBuilder::endpoint("retailbot", ...)` or `ALIYUN_AI_RETAILBOT_ENDPOINT`.

pub use aliyun_ai_models_retailbot::*;

use crate::client::Client;
use crate::error::Error;

/// RetailBot operations; from [`Client::retail_bot`].
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

impl RetailBot<'_> {
    /// Recognises a buyer's message: scene, knowledge, suggested replies.
    /// `Success: false` is a service error carrying its `Code`.
    pub async fn recognize_message(
        self,
        request: RecognizeMessageRequest,
    ) -> Result<RecognizeMessageResponse, Error> {
        self.client.execute(&request).await
    }
}
