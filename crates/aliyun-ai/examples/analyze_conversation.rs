//! ContactCenterAI AnalyzeConversation: a summary and a title of a dialogue.
//!
//! `cargo run -p aliyun-ai --example analyze_conversation [-- --live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use aliyun_ai::contactcenterai::AnalyzeConversationRequest;
use aliyun_ai::contactcenterai::{Dialogue, ResultType, Role, Sentence};

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
                    Sentence::new(Role::User, "你好,我的信用卡还款日是哪天?"),
                    Sentence::new(Role::Agent, "您好,您的还款日是每月8号。"),
                ])
                .build()?,
        )
        .result_types([ResultType::Summary, ResultType::Title])
        .build()?;
    let answer = client
        .contact_center_ai()
        .analyze_conversation(request)
        .await?;
    println!("{}", answer.text.unwrap_or_default());
    Ok(())
}
