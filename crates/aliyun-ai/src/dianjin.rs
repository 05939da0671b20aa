//! DianJin (通义点金): RecognizeIntention.

pub use aliyun_ai_models_dianjin::*;

use crate::client::Client;
use crate::error::Error;

/// DianJin operations; from [`Client::dianjin`].
#[derive(Debug, Clone, Copy)]
pub struct DianJin<'a> {
    client: &'a Client,
}

impl Client {
    /// DianJin operations.
    pub fn dianjin(&self) -> DianJin<'_> {
        DianJin { client: self }
    }
}

impl DianJin<'_> {
    /// Recognises the intention in a conversation. A business failure
    /// (`success: false` with an `errCode`, even with HTTP 200) is a service
    /// error carrying that code.
    pub async fn recognize_intention(
        self,
        workspace_id: impl Into<String>,
        mut request: RecognizeIntentionRequest,
    ) -> Result<RecognizeIntentionResponse, Error> {
        request.workspace_id = workspace_id.into();
        self.client.execute(&request).await
    }
}
