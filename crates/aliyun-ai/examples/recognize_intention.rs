//! DianJin RecognizeIntention: which intention the customer expressed.
//!
//! `cargo run -p aliyun-ai --example recognize_intention [-- --live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use aliyun_ai::dianjin::Intention;
use aliyun_ai::dianjin::RecognizeIntentionRequest;
use aliyun_ai::dianjin::recognize_intention::BizType;

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
    let request = RecognizeIntentionRequest::builder()
        .workspace_id(support::dianjin_workspace())
        .biz_type(BizType::Common)
        .conversation(
            "##客服##:您好,您的账单昨天到期了。\n##客户##:不好意思,我忘记还款了,今天就还。",
        )
        .intention_list([
            Intention::builder()
                .intention("忘记还款")
                .description("客户表示忘记还款")
                .intention_code("1001")
                .build(),
            Intention::builder()
                .intention("无力还款")
                .description("客户表示没有钱还款")
                .intention_code("1002")
                .build(),
        ])
        .analysis(true)
        .build()?;
    let answer = client.dianjin().recognize_intention(request).await?;
    let data = answer.data.unwrap_or_default();
    println!(
        "intention: {} ({})",
        data.intention_name.unwrap_or_default(),
        data.intention_code.unwrap_or_default()
    );
    println!("analysis: {}", data.analysis_process.unwrap_or_default());
    Ok(())
}
