//! ContactCenterAI RunCompletion, streamed: a template of the CCAI app
//! applied to a dialogue, its answer printed as the events arrive.
//!
//! `cargo run -p aliyun-ai --example run_completion_stream [-- --live]`
//! (live: `ALIYUN_AI_CCAI_WORKSPACE_ID`, `ALIYUN_AI_CCAI_APP_ID`, and
//! `ALIYUN_AI_CCAI_TEMPLATE_ID` for one template of the app)

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use aliyun_ai::contactcenterai::RunCompletionRequest;
use aliyun_ai::contactcenterai::run_completion::{Dialogue, Role, Sentence};
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
    let template: i64 = std::env::var("ALIYUN_AI_CCAI_TEMPLATE_ID")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10375);
    let turn = |role: Role, text: &str| Sentence::builder().role(role).text(text).build();
    let request = RunCompletionRequest::builder()
        .workspace_id(support::ccai_workspace())
        .app_id(support::ccai_app())
        .dialogue(
            Dialogue::builder()
                .sentences([
                    turn(Role::User, "我想查询一下上个月的话费账单")?,
                    turn(Role::Agent, "好的，请问您的手机号码是多少？")?,
                    turn(Role::User, "138 0000 0000，账单比平时多了 50 元")?,
                ])
                .build()?,
        )
        .template_ids([template])
        .build()?;
    let mut events = client
        .contact_center_ai()
        .run_completion_stream(request)
        .await?;
    let mut count = 0;
    while let Some(event) = events.next().await {
        let event = event?;
        count += 1;
        println!(
            "event {count}: {} (finish: {})",
            event.text.unwrap_or_default(),
            event.finish_reason.as_deref().unwrap_or("-")
        );
    }
    println!("{count} events");
    Ok(())
}
