//! ContactCenterAI AnalyzeConversation, streamed: the text appears as it is
//! generated (`text_deltas` gives only the new part of each event).
//!
//! `cargo run -p aliyun-ai --example analyze_conversation_stream [-- --live]`

#[path = "support/mod.rs"]
mod support;

use std::io::Write;

use aliyun_ai::contactcenterai::AnalyzeConversationRequest;
use aliyun_ai::contactcenterai::{Dialogue, ResultType, Role, Sentence};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let session = support::session().await?;
    let request = AnalyzeConversationRequest::builder()
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
    let stream = session
        .client
        .contact_center_ai()
        .analyze_conversation_stream(&session.workspace, &session.app, request)
        .await?;
    let mut text = stream.text_deltas();
    while let Some(piece) = text.next().await {
        print!("{}", piece?);
        std::io::stdout().flush()?;
    }
    println!();
    Ok(())
}
