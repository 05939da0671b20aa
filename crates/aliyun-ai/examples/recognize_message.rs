//! RetailBot RecognizeMessage: the scene and a suggested reply for a buyer's message.
//!
//! `cargo run -p aliyun-ai --example recognize_message [-- --live]` (live needs ALIYUN_AI_RETAILBOT_ENDPOINT)

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use aliyun_ai::retailbot::RecognizeMessageRequest;
use aliyun_ai::retailbot::recognize_message::ContentType;

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
    let request = RecognizeMessageRequest::builder()
        .robot_code("1cY9drMec4b2uzS2")
        .session_id("session-1")
        .chat_id("chat-1")
        .round(1)
        .content("身高170cm穿什么尺码?")
        .content_type(ContentType::Text)
        .user_nick("买家")
        .staff_nick("客服")
        .seller_nick("店铺")
        .service_mode("AUTO")
        .build()?;
    let answer = client.retail_bot().recognize_message(request).await?;
    let data = answer.data.unwrap_or_default();
    let scene = data
        .scene
        .and_then(|s| s.scene_dtos)
        .and_then(|s| s.into_iter().next())
        .and_then(|s| s.scene_key);
    println!("scene: {}", scene.unwrap_or_default());
    for message in data.output_messages.unwrap_or_default() {
        println!(
            "reply: {}",
            serde_json::to_string(&message.output_content.unwrap_or_default())?
        );
    }
    Ok(())
}
