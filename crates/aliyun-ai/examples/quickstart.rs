//! Every operation of the SDK, end to end, in a few seconds.
//!
//! ```text
//! cargo run -p aliyun-ai --example quickstart            # against the local emulator, no credentials
//! cargo run -p aliyun-ai --example quickstart -- --live  # against Alibaba Cloud (see the crate README)
//! ```
//!
//! Without `--live` it starts the emulator in this process and talks to it
//! through the real reqwest transport with real signatures.

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::contactcenterai::ModelCode;

use aliyun_ai::Client;

use std::io::Write;
use std::time::Instant;

use aliyun_ai::contactcenterai::create_task::TaskType;
use aliyun_ai::contactcenterai::get_task_result::RequiredField;
use aliyun_ai::contactcenterai::{AnalyzeConversationRequest, CreateTaskRequest};
use aliyun_ai::contactcenterai::{Dialogue, ResultType, Role, Sentence};
use aliyun_ai::contactcenterai::{Dialogue as TaskDialogue, Sentence as TaskSentence};
use aliyun_ai::customerprofile::CreateTaskRequest as CustomerProfileCreateTask;
use aliyun_ai::customerprofile::create_task::Input;
use aliyun_ai::dianjin::Intention;
use aliyun_ai::dianjin::RecognizeIntentionRequest;
use aliyun_ai::dianjin::recognize_intention::BizType;
use aliyun_ai::retailbot::RecognizeMessageRequest;
use aliyun_ai::retailbot::recognize_message::ContentType;
use futures_util::StreamExt;

fn heading(number: u32, title: &str) {
    println!("\n{number}. {title}");
}

fn dialogue() -> Result<Dialogue, aliyun_ai::ValidationError> {
    Dialogue::builder()
        .sentences([
            Sentence::new(Role::User, "你好,我上周买的耳机有杂音,想换一个。"),
            Sentence::new(Role::Agent, "非常抱歉给您带来不便,我马上为您办理换货。"),
            Sentence::new(Role::User, "好的,谢谢。"),
        ])
        .build()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    // Alibaba Cloud with `--live` (credentials and endpoints from the
    // environment, see the README); otherwise a local emulator started here.
    let (client, _emulator) = if support::live() {
        (Client::from_env()?, None)
    } else {
        let (client, emulator) = support::emulator_client().await?;
        (client, Some(emulator))
    };
    let client = &client;
    let ccai = client.contact_center_ai();

    heading(1, "ContactCenterAI AnalyzeConversation (summary, keywords)");
    let request = AnalyzeConversationRequest::builder()
        .workspace_id(support::ccai_workspace())
        .app_id(support::ccai_app())
        .dialogue(dialogue()?)
        .result_types([ResultType::Summary, ResultType::Keywords])
        .build()?;
    let answer = ccai.analyze_conversation(request).await?;
    println!("   {}", answer.text.unwrap_or_default());
    println!(
        "   tokens: {} in, {} out",
        answer.input_tokens.unwrap_or(0),
        answer.output_tokens.unwrap_or(0)
    );

    heading(
        2,
        "ContactCenterAI AnalyzeConversation, streamed as it arrives",
    );
    let request = AnalyzeConversationRequest::builder()
        .workspace_id(support::ccai_workspace())
        .app_id(support::ccai_app())
        .dialogue(dialogue()?)
        .result_types([ResultType::Summary])
        .build()?;
    let mut text = ccai
        .analyze_conversation_stream(request)
        .await?
        .text_deltas();
    print!("   ");
    while let Some(piece) = text.next().await {
        print!("{}", piece?);
        std::io::stdout().flush()?;
    }
    println!();

    heading(
        3,
        "ContactCenterAI CreateTask, then GetTaskResult until it is done",
    );
    let request = CreateTaskRequest::builder()
        .workspace_id(support::ccai_workspace())
        .app_id(support::ccai_app())
        .task_type(TaskType::Text)
        .model_code(ModelCode::TyxmTurbo)
        .dialogue(
            TaskDialogue::builder()
                .sentences([
                    TaskSentence::new(Role::User, "我要退款"),
                    TaskSentence::new(Role::Agent, "好的,已为您提交退款申请"),
                ])
                .build()?,
        )
        .result_types([ResultType::Summary])
        .build()?;
    let task_id = ccai
        .create_task(request)
        .await?
        .data
        .and_then(|d| d.task_id)
        .unwrap_or_default();
    let result = ccai
        .wait_for_task(
            &task_id,
            [RequiredField::AsrResult],
            &support::progress_policy("task"),
        )
        .await?;
    let data = result.data.unwrap_or_default();
    println!("   result: {}", data.text.unwrap_or_default());
    println!(
        "   {} ASR sentences",
        data.asr_result.map_or(0, |a| a.len())
    );

    heading(4, "DianJin RecognizeIntention");
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
        .build()?;
    let data = client
        .dianjin()
        .recognize_intention(request)
        .await?
        .data
        .unwrap_or_default();
    println!(
        "   intention: {} ({})",
        data.intention_name.unwrap_or_default(),
        data.intention_code.unwrap_or_default()
    );

    heading(5, "RetailBot RecognizeMessage");
    if support::live() && std::env::var("ALIYUN_AI_RETAILBOT_ENDPOINT").is_err() {
        // A deprecated product few accounts still have: called live only on request.
        println!(
            "   skipped: set ALIYUN_AI_RETAILBOT_ENDPOINT to call RetailBot (a deprecated product)"
        );
    } else {
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
        let data = client
            .retail_bot()
            .recognize_message(request)
            .await?
            .data
            .unwrap_or_default();
        let scene = data
            .scene
            .and_then(|s| s.scene_dtos)
            .and_then(|s| s.into_iter().next())
            .and_then(|s| s.scene_key);
        let reply = data
            .output_messages
            .and_then(|m| m.into_iter().next())
            .and_then(|m| m.output_content)
            .and_then(|c| c.get("text").and_then(|t| t.as_str().map(str::to_owned)));
        println!(
            "   scene: {}; reply: {}",
            scene.unwrap_or_default(),
            reply.unwrap_or_default()
        );
    }

    heading(
        6,
        "Tingwu createTask, getTask until done, and the four result files",
    );
    let tingwu = client.customer_profile();
    let request = CustomerProfileCreateTask::builder()
        .input(
            Input::builder()
                .app_id(support::customer_profile_app())
                .text(support::CAR_SALES)
                .build()?,
        )
        .build()?;
    let data_id = tingwu
        .create_task(request)
        .await?
        .output
        .and_then(|o| o.data_id)
        .unwrap_or_default();
    let output = tingwu
        .wait_for_task(&data_id, &support::progress_policy("Tingwu task"))
        .await?;
    let results = tingwu.download_results(&output).await?;
    let paragraphs = results
        .transcription
        .and_then(|t| t.paragraphs)
        .map_or(0, |p| p.len());
    println!("   transcription: {paragraphs} paragraphs");
    for identity in results
        .identity_recognition
        .and_then(|i| i.identity_results)
        .unwrap_or_default()
    {
        println!(
            "   speaker {} is {}",
            identity.speaker_id.unwrap_or_default(),
            identity.identity.unwrap_or_default()
        );
    }
    if let Some(profile) = results.customer_profile {
        let class = profile
            .sale_clue_classify
            .and_then(|c| c.classify)
            .unwrap_or_default();
        let drive = profile
            .try_drive_intention_evaluation
            .and_then(|t| t.score)
            .unwrap_or(0);
        println!("   lead class {class}, test-drive score {drive}");
    }
    for extraction in results.content_extractions.iter().flatten() {
        println!(
            "   concern {}: {}",
            extraction.title.clone().unwrap_or_default(),
            extraction.result.clone().unwrap_or_default()
        );
    }

    println!("\ndone in {:.1}s", started.elapsed().as_secs_f32());
    Ok(())
}
