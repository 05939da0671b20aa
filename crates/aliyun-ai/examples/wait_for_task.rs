//! ContactCenterAI task helper: create a task, then wait for it with progress.
//!
//! `cargo run -p aliyun-ai --example wait_for_task [-- --live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::contactcenterai::{ModelCode, ResultType, Role};

use aliyun_ai::Client;

use aliyun_ai::contactcenterai::CreateTaskRequest;
use aliyun_ai::contactcenterai::create_task::TaskType;
use aliyun_ai::contactcenterai::get_task_result::RequiredField;
use aliyun_ai::contactcenterai::{Dialogue, Sentence};

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
    let ccai = client.contact_center_ai();
    let request = CreateTaskRequest::builder()
        .workspace_id(support::ccai_workspace())
        .app_id(support::ccai_app())
        .task_type(TaskType::Text)
        .model_code(ModelCode::TyxmTurbo)
        .dialogue(
            Dialogue::builder()
                .sentences([
                    Sentence::new(Role::User, "我的快递到哪了?"),
                    Sentence::new(Role::Agent, "已经到您所在城市了"),
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
    println!("result: {}", data.text.unwrap_or_default());
    for sentence in data.asr_result.unwrap_or_default() {
        println!(
            "  [{}-{} ms] {}: {}",
            sentence.begin.unwrap_or(0),
            sentence.end.unwrap_or(0),
            sentence.role_name.unwrap_or_default(),
            sentence.words.unwrap_or_default()
        );
    }
    Ok(())
}
