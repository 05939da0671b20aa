//! ContactCenterAI AnalyzeConversation, streamed: the text appears as it is
//! generated (`text_deltas` gives only the new part of each event).
//!
//! `cargo run -p aliyun-ai --example analyze_conversation_stream [-- --live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use std::io::Write;

use aliyun_ai::contactcenterai::AnalyzeConversationRequest;
use aliyun_ai::contactcenterai::{Dialogue, ResultType, Role, Sentence};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Alibaba Cloud with `--live` (credentials and endpoints from the
    // environment, see the README); otherwise a local emulator started here.
    let (client, _emulator) = if support::live() {
        (Client::from_env()?, None)
    } else {
        let (client, emulator) = support::emulator_client().await?;
        (client, Some(emulator))
    };
    let request = AnalyzeConversationRequest::builder()
        .workspace_id(support::ccai_workspace())
        .app_id(support::ccai_app())
        .dialogue(
            Dialogue::builder()
                .sentences([
                    Sentence::new(Role::User, "我想投诉,快递三天还没到"),
                    Sentence::new(Role::Agent, "非常抱歉,我马上为您催件"),
                ])
                .build()?,
        )
        .result_types([ResultType::Summary])
        .build()?;
    let stream = client
        .contact_center_ai()
        .analyze_conversation_stream(request)
        .await?;
    let mut text = stream.text_deltas();
    while let Some(piece) = text.next().await {
        print!("{}", piece?);
        std::io::stdout().flush()?;
    }
    println!();
    Ok(())
}
